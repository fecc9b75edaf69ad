#include "ingest/body_ingestor.h"

#include <sstream>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "rapidjson/document.h"
#include "rapidjson/error/en.h"
#include "rapidjson/stringbuffer.h"
#include "rapidjson/writer.h"
#include "storage/base/status_macros.h"
#include "storage/store.h"
#include "storage/schema.h"

namespace mua {
namespace {

using Writer = rapidjson::Writer<rapidjson::StringBuffer>;

// `properties` is a String column holding JSON; the event decoder wants the object.
void WriteField(Writer& writer, absl::string_view name, const rapidjson::Value& value) {
  writer.Key(name.data(), static_cast<rapidjson::SizeType>(name.size()));
  if (name == "properties" && value.IsString()) {
    rapidjson::Document parsed;
    parsed.Parse(value.GetString(), value.GetStringLength());
    if (!parsed.HasParseError() && parsed.IsObject()) {
      writer.RawValue(value.GetString(), value.GetStringLength(), rapidjson::kObjectType);
      return;
    }
  }
  value.Accept(writer);
}

// One row of the events table as an SDK event line; a row that is not the right
// shape is passed on as written, so the decoder rejects it with its reason.
std::string RowToEvent(absl::string_view line, BodyFormat format, const std::vector<std::string>& columns) {
  rapidjson::Document row;
  row.Parse(line.data(), line.size());
  if (row.HasParseError()) return std::string(line);
  rapidjson::StringBuffer buffer;
  Writer writer(buffer);
  if (format == BodyFormat::kJsonEachRow) {
    if (!row.IsObject()) return std::string(line);
    writer.StartObject();
    for (const auto& member : row.GetObject()) {
      WriteField(writer, absl::string_view(member.name.GetString(), member.name.GetStringLength()),
                 member.value);
    }
    writer.EndObject();
  } else {
    if (!row.IsArray() || row.Size() != columns.size()) {
      return std::string(line);  // not an object: rejected as not_an_object
    }
    writer.StartObject();
    for (rapidjson::SizeType i = 0; i < row.Size(); ++i) WriteField(writer, columns[i], row[i]);
    writer.EndObject();
  }
  return std::string(buffer.GetString(), buffer.GetSize());
}

}  // namespace

absl::StatusOr<BodyFormat> InsertFormat(absl::string_view name) {
  if (absl::EqualsIgnoreCase(name, "JSONEachRow") || absl::EqualsIgnoreCase(name, "JSONLines") ||
      absl::EqualsIgnoreCase(name, "NDJSON")) {
    return BodyFormat::kJsonEachRow;
  }
  if (absl::EqualsIgnoreCase(name, "JSONCompactEachRow")) return BodyFormat::kJsonCompactEachRow;
  return absl::NotFoundError(absl::StrCat("Unknown or unsupported input format ", name,
                                          " (INSERT takes JSONEachRow or JSONCompactEachRow)"));
}

BodyIngestor::BodyIngestor(Table* table, IngestOptions options)
    : table_(table), options_(std::move(options)) {
  if (options_.dedup == nullptr) {
    own_dedup_ = std::make_unique<Deduplicator>(DedupOptions{
        .horizon_days = options_.decoder.retention_days, .max_entries = options_.dedup_max_entries});
    options_.dedup = own_dedup_.get();
  }
  options_.write_ahead = options_.store != nullptr;
  options_.max_rejected_kept = 10;
}

absl::StatusOr<BodyIngestStats> BodyIngestor::Ingest(absl::string_view body, BodyFormat format,
                                                     absl::string_view source,
                                                     const std::vector<std::string>& columns) {
  // Everything becomes SDK event lines for the one loader that validates all sources.
  std::string lines;
  if (format == BodyFormat::kEventLines) {
    lines.assign(body.data(), body.size());
  } else if (format == BodyFormat::kEventArray) {
    rapidjson::Document array;
    array.Parse(body.data(), body.size());
    if (array.HasParseError() || !array.IsArray()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "the body must be a JSON array of events or JSON lines",
          array.HasParseError() ? absl::StrCat(": ", rapidjson::GetParseError_En(array.GetParseError()),
                                               " at byte ", array.GetErrorOffset())
                                : ""));
    }
    for (const rapidjson::Value& element : array.GetArray()) {
      rapidjson::StringBuffer buffer;
      Writer writer(buffer);
      element.Accept(writer);
      absl::StrAppend(&lines, absl::string_view(buffer.GetString(), buffer.GetSize()), "\n");
    }
  } else {
    std::vector<std::string> order = columns;
    if (order.empty()) {
      for (ColumnId id : kAllColumns) order.emplace_back(ColumnName(id));
    }
    size_t start = 0;
    while (start < body.size()) {
      size_t end = body.find('\n', start);
      if (end == absl::string_view::npos) end = body.size();
      const absl::string_view line = body.substr(start, end - start);
      if (line.find_first_not_of(" \t\r") != absl::string_view::npos) {
        absl::StrAppend(&lines, RowToEvent(line, format, order), "\n");
      } else {
        lines.push_back('\n');  // keeps line numbers
      }
      start = end + 1;
    }
  }

  LoadStats stats;
  std::istringstream in(std::move(lines));
  MUA_RETURN_IF_ERROR(LoadJsonLines(in, source, table_, options_, &stats));
  // Acknowledged only once on disk; concurrent requests share the WAL's syncs.
  if (stats.wal_seq != 0) MUA_RETURN_IF_ERROR(options_.store->WaitDurable(stats.wal_seq));
  return BodyIngestStats{.events = stats.lines,
                         .accepted = stats.accepted,
                         .duplicates = stats.duplicates,
                         .rejected = stats.rejected,
                         .first_rejected = std::move(stats.rejected_events)};
}

}  // namespace mua
