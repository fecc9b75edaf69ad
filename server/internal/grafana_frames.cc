#include "server/internal/grafana_frames.h"

#include <algorithm>
#include <map>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace mua::server_internal {
namespace {

std::string SeriesName(absl::string_view name,
                       const std::vector<std::pair<std::string, std::string>>& tags) {
  if (tags.empty()) return std::string(name);
  std::vector<std::string> parts;
  for (const auto& [key, value] : tags) parts.push_back(absl::StrCat(key, "=", value));
  return absl::StrCat(name, "{", absl::StrJoin(parts, ", "), "}");
}

// Replaces the points of `series` by one per bucket start, `fill` where a bucket had no row.
void FillGaps(const std::vector<int64_t>& bucket_starts, GapFill fill, TimeSeries* series) {
  std::map<int64_t, std::optional<double>> points;
  for (size_t i = 0; i < series->times_ms.size(); ++i)
    points[series->times_ms[i]] = series->values[i];
  for (int64_t start : bucket_starts) {
    points.emplace(start, fill == GapFill::kZero ? std::optional<double>(0) : std::nullopt);
  }
  series->times_ms.clear();
  series->values.clear();
  for (const auto& [time, value] : points) {
    series->times_ms.push_back(time);
    series->values.push_back(value);
  }
}

}  // namespace

absl::string_view GrafanaFieldType(const DataType& type) {
  if (type.is_time()) return "time";
  if (type.is_numeric()) return "number";
  if (type.is_string()) return "string";
  return "other";
}

std::vector<TimeSeries> ToTimeSeries(const ResultSet& result, const SeriesLayout& layout) {
  std::map<std::string, TimeSeries> series_by_name;
  const Column& time_column = result.columns[layout.time_column];
  for (size_t row = 0; row < result.row_count; ++row) {
    const std::optional<int64_t> time = TimeCellMillis(time_column, row);
    if (!time) continue;
    std::vector<std::pair<std::string, std::string>> tags;
    for (size_t label : layout.label_columns) {
      tags.emplace_back(result.names[label], CellText(result.columns[label], row));
    }
    for (size_t value_column : layout.value_columns) {
      const std::string base = layout.name.empty() ? result.names[value_column] : layout.name;
      const std::string name = SeriesName(base, tags);
      TimeSeries& series = series_by_name[name];
      if (series.target.empty()) {
        series.target = name;
        series.tags = tags;
      }
      series.times_ms.push_back(*time);
      series.values.push_back(NumericCell(result.columns[value_column], row));
    }
  }
  // Series that exist without rows (all gaps or zeros): the unlabelled one, or those expected.
  if (layout.fill != GapFill::kNone) {
    std::vector<std::vector<std::string>> label_sets = layout.expected_labels;
    if (layout.label_columns.empty()) label_sets.assign(1, {});
    for (const std::vector<std::string>& values : label_sets) {
      std::vector<std::pair<std::string, std::string>> tags;
      for (size_t i = 0; i < layout.label_columns.size() && i < values.size(); ++i) {
        tags.emplace_back(result.names[layout.label_columns[i]], values[i]);
      }
      for (size_t value_column : layout.value_columns) {
        const std::string base = layout.name.empty() ? result.names[value_column] : layout.name;
        const std::string name = SeriesName(base, tags);
        TimeSeries& series = series_by_name[name];
        if (series.target.empty()) series = TimeSeries{name, tags, {}, {}};
      }
    }
  }
  std::vector<TimeSeries> all;
  for (auto& [name, series] : series_by_name) {
    if (layout.fill != GapFill::kNone) {
      FillGaps(layout.bucket_starts, layout.fill, &series);
    } else {
      // Stable: rows of equal time keep their order.
      std::vector<size_t> order(series.times_ms.size());
      for (size_t i = 0; i < order.size(); ++i) order[i] = i;
      // Not [&series]: clang 14 cannot capture a structured binding.
      std::stable_sort(order.begin(), order.end(), [&times = series.times_ms](size_t a, size_t b) {
        return times[a] < times[b];
      });
      TimeSeries sorted{series.target, series.tags, {}, {}};
      for (size_t i : order) {
        sorted.times_ms.push_back(series.times_ms[i]);
        sorted.values.push_back(series.values[i]);
      }
      series = std::move(sorted);
    }
    all.push_back(std::move(series));
  }
  return all;
}

namespace {

void WriteSeriesMembers(const TimeSeries& series, JsonWriter* writer) {
  writer->Key("target");
  WriteString(series.target, writer);
  if (!series.tags.empty()) {
    writer->Key("tags");
    writer->StartObject();
    for (const auto& [key, value] : series.tags) {
      writer->Key(key.data(), static_cast<rapidjson::SizeType>(key.size()));
      WriteString(value, writer);
    }
    writer->EndObject();
  }
  writer->Key("datapoints");
  writer->StartArray();
  for (size_t i = 0; i < series.times_ms.size(); ++i) {
    writer->StartArray();
    WriteNumber(series.values[i], writer);
    writer->Int64(series.times_ms[i]);
    writer->EndArray();
  }
  writer->EndArray();
}

// No "datapoints", "fields" or "data" keys: Grafana would read the object as another shape.
void WriteTableMembers(const ResultSet& table, JsonWriter* writer) {
  writer->Key("type");
  writer->String("table");
  writer->Key("columns");
  writer->StartArray();
  for (size_t i = 0; i < table.columns.size(); ++i) {
    writer->StartObject();
    writer->Key("text");
    WriteString(table.names[i], writer);
    writer->Key("type");
    WriteString(GrafanaFieldType(table.columns[i].type), writer);
    writer->EndObject();
  }
  writer->EndArray();
  writer->Key("rows");
  writer->StartArray();
  for (size_t row = 0; row < table.row_count; ++row) {
    writer->StartArray();
    for (const Column& column : table.columns) {
      WriteCell(column, row, JsonTimeStyle::kEpochMillis, writer);
    }
    writer->EndArray();
  }
  writer->EndArray();
}

}  // namespace

void WriteFrame(const GrafanaFrame& frame, absl::string_view ref_id, JsonWriter* writer) {
  writer->StartObject();
  if (!ref_id.empty()) {
    writer->Key("refId");
    WriteString(ref_id, writer);
  }
  if (const auto* series = std::get_if<TimeSeries>(&frame.content)) {
    WriteSeriesMembers(*series, writer);
  } else {
    WriteTableMembers(std::get<ResultSet>(frame.content), writer);
  }
  writer->EndObject();
}

}  // namespace mua::server_internal
