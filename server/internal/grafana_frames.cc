#include "server/internal/grafana_frames.h"

#include <algorithm>
#include <cmath>
#include <map>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "query/output_format.h"
#include "storage/base/time_util.h"

namespace mua::server_internal {
namespace {

// Integers up to 2^53 survive a JavaScript number exactly.
constexpr double kMaxExactInteger = 9007199254740992.0;

bool IsTimeId(TypeId id) {
  return id == TypeId::kDate || id == TypeId::kDateTime || id == TypeId::kDateTime64;
}

int64_t ToMillis(TypeId id, int64_t value) {
  switch (id) {
    case TypeId::kDate:
      return MillisOfDay(static_cast<int32_t>(value));
    case TypeId::kDateTime:
      return value * kMillisPerSecond;
    default:
      return value;
  }
}

// Element `index` of the value vectors, read as type `id` (a row, or an array element).
void WriteScalar(TypeId id, const Column& column, size_t index, JsonWriter* writer) {
  switch (id) {
    case TypeId::kNothing:
    case TypeId::kArray:
    case TypeId::kInterval:
      writer->Null();
      return;
    case TypeId::kDate:
    case TypeId::kDateTime:
    case TypeId::kDateTime64:
      writer->Int64(ToMillis(id, column.ints[index]));
      return;
    case TypeId::kFloat64: {
      const double value = column.floats[index];
      WriteNumber(std::isfinite(value) ? std::optional<double>(value) : std::nullopt, writer);
      return;
    }
    case TypeId::kString: {
      const std::string& text = column.strings[index];
      writer->String(text.data(), static_cast<rapidjson::SizeType>(text.size()));
      return;
    }
    case TypeId::kUInt64:
      writer->Uint64(static_cast<uint64_t>(column.ints[index]));
      return;
    default:
      writer->Int64(column.ints[index]);
      return;
  }
}

std::string ScalarText(TypeId id, const Column& column, size_t index) {
  if (IsTimeId(id)) {
    const int64_t millis = ToMillis(id, column.ints[index]);
    return id == TypeId::kDate ? FormatDay(static_cast<int32_t>(column.ints[index]))
                               : FormatMillis(millis);
  }
  switch (id) {
    case TypeId::kNothing:
    case TypeId::kArray:
    case TypeId::kInterval:
      return "";
    case TypeId::kFloat64:
      return FormatFloat(column.floats[index]);
    case TypeId::kString:
      return column.strings[index];
    case TypeId::kUInt64:
      return absl::StrCat(static_cast<uint64_t>(column.ints[index]));
    default:
      return absl::StrCat(column.ints[index]);
  }
}

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

std::optional<size_t> FirstTimeColumn(const ResultSet& result) {
  for (size_t i = 0; i < result.columns.size(); ++i) {
    if (result.columns[i].type.is_time()) return i;
  }
  return std::nullopt;
}

std::optional<size_t> FindResultColumn(const ResultSet& result, absl::string_view name) {
  for (size_t i = 0; i < result.names.size(); ++i) {
    if (result.names[i] == name) return i;
  }
  return std::nullopt;
}

std::optional<int64_t> TimeCellMillis(const Column& column, size_t row) {
  if (column.is_null(row)) return std::nullopt;
  return ToMillis(column.type.id, column.ints[row]);
}

std::optional<double> NumericCell(const Column& column, size_t row) {
  if (column.is_null(row)) return std::nullopt;
  double value = 0;
  if (column.type.id == TypeId::kFloat64) {
    value = column.floats[row];
  } else if (column.type.id == TypeId::kUInt64) {
    value = static_cast<double>(static_cast<uint64_t>(column.ints[row]));
  } else if (column.type.is_integer()) {
    value = static_cast<double>(column.ints[row]);
  } else {
    return std::nullopt;
  }
  if (!std::isfinite(value)) return std::nullopt;
  return value;
}

std::string CellText(const Column& column, size_t row) {
  if (column.is_null(row)) return "";
  if (column.type.id != TypeId::kArray) return ScalarText(column.type.id, column, row);
  std::vector<std::string> elements;
  for (uint32_t i = column.array_offsets[row]; i < column.array_offsets[row + 1]; ++i) {
    elements.push_back(ScalarText(column.type.element, column, i));
  }
  return absl::StrCat("[", absl::StrJoin(elements, ","), "]");
}

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
      std::stable_sort(order.begin(), order.end(), [&series](size_t a, size_t b) {
        return series.times_ms[a] < series.times_ms[b];
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

void WriteNumber(std::optional<double> value, JsonWriter* writer) {
  if (!value || !std::isfinite(*value)) {
    writer->Null();
  } else if (*value == std::floor(*value) && std::fabs(*value) <= kMaxExactInteger) {
    writer->Int64(static_cast<int64_t>(*value));
  } else {
    writer->Double(*value);
  }
}

void WriteCell(const Column& column, size_t row, JsonWriter* writer) {
  if (column.is_null(row)) {
    writer->Null();
  } else if (column.type.id == TypeId::kArray) {
    writer->StartArray();
    for (uint32_t i = column.array_offsets[row]; i < column.array_offsets[row + 1]; ++i) {
      WriteScalar(column.type.element, column, i, writer);
    }
    writer->EndArray();
  } else {
    WriteScalar(column.type.id, column, row, writer);
  }
}

namespace {

void WriteString(absl::string_view text, JsonWriter* writer) {
  writer->String(text.data(), static_cast<rapidjson::SizeType>(text.size()));
}

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
    for (const Column& column : table.columns) WriteCell(column, row, writer);
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
