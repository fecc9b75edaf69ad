#include "ingest/body_ingestor.h"

#include <algorithm>
#include <sstream>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "rapidjson/document.h"
#include "rapidjson/stringbuffer.h"
#include "rapidjson/writer.h"
#include "storage/base/json_limits.h"
#include "storage/base/status_macros.h"
#include "storage/store.h"
#include "storage/schema.h"

namespace mua {
namespace {

using Writer = rapidjson::Writer<rapidjson::StringBuffer>;

// `text` with CR and LF turned into spaces, so it stays one line of the loader's input
// (outside strings they are whitespace; inside, the text is invalid JSON anyway).
std::string OneLine(absl::string_view text) {
  std::string line(text);
  std::replace_if(line.begin(), line.end(), [](char c) { return c == '\n' || c == '\r'; }, ' ');
  return line;
}

// `properties` is a String column holding JSON; the event decoder wants the object.
// Every value was parsed with a depth bound, so Accept's recursion is bounded too.
void WriteField(Writer& writer, absl::string_view name, const rapidjson::Value& value) {
  writer.Key(name.data(), static_cast<rapidjson::SizeType>(name.size()));
  if (name == "properties" && value.IsString()) {
    const absl::string_view text(value.GetString(), value.GetStringLength());
    rapidjson::Document parsed;
    const absl::Status status = ParseJsonBounded(text, &parsed);
    if (status.ok() && parsed.IsObject()) {
      writer.RawValue(text.data(), text.size(), rapidjson::kObjectType);
      return;
    }
    if (IsJsonTooDeep(status)) {
      // Passed on as written: the decoder rejects the event with its depth message.
      const std::string line = OneLine(text);
      writer.RawValue(line.data(), line.size(), rapidjson::kObjectType);
      return;
    }
  }
  value.Accept(writer);
}

// One row of the events table as an SDK event line; a row that is not the right
// shape is passed on as written, so the decoder rejects it with its reason.
std::string RowToEvent(absl::string_view line, BodyFormat format, const std::vector<std::string>& columns) {
  rapidjson::Document row;
  if (!ParseJsonBounded(line, &row).ok()) return std::string(line);  // the decoder says why
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

// The elements of the JSON array `body`, as text. Only the array's own brackets and
// commas are found here, by a scan that tracks strings and counts brackets (no stack,
// no recursion, whatever the depth); each element is parsed on its own afterwards, so
// one malformed or too deeply nested event is rejected alone, as a line would be.
// Errors: InvalidArgument when `body` is not an array, is unterminated, has an empty
// element or text after its closing bracket.
absl::StatusOr<std::vector<absl::string_view>> SplitJsonArray(absl::string_view body) {
  auto bad = [](absl::string_view what, size_t offset) {
    return absl::InvalidArgumentError(
        absl::StrCat("the body must be a JSON array of events or JSON lines: ", what,
                     " at byte ", offset));
  };
  constexpr absl::string_view kSpace = " \t\n\r";
  constexpr absl::string_view kByteOrderMark = "\xEF\xBB\xBF";
  size_t i = absl::StartsWith(body, kByteOrderMark) ? kByteOrderMark.size() : 0;
  i = std::min(body.find_first_not_of(kSpace, i), body.size());
  if (i == body.size() || body[i] != '[') return bad("expected '['", i);
  std::vector<absl::string_view> elements;
  size_t start = ++i;
  int64_t depth = 0;  // inside the array's elements
  bool in_string = false;
  auto element_end = [&](size_t end) -> absl::Status {
    const absl::string_view element = absl::StripAsciiWhitespace(body.substr(start, end - start));
    if (element.empty()) return bad("empty element", end);
    elements.push_back(element);
    return absl::OkStatus();
  };
  for (; i < body.size(); ++i) {
    const char c = body[i];
    if (in_string) {
      if (c == '\\') {
        ++i;  // the escaped character cannot end the string
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      ++depth;
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    } else if (c == ',' && depth == 0) {
      MUA_RETURN_IF_ERROR(element_end(i));
      start = i + 1;
    } else if (c == ']' && depth == 0) {
      const bool empty_array = elements.empty() &&
                               absl::StripAsciiWhitespace(body.substr(start, i - start)).empty();
      if (!empty_array) MUA_RETURN_IF_ERROR(element_end(i));
      const size_t rest = body.find_first_not_of(kSpace, i + 1);
      if (rest != absl::string_view::npos) return bad("text after the closing ']'", rest);
      return elements;
    } else if (c == '}' && depth == 0) {
      return bad("'}' closes nothing", i);
    }
  }
  return bad("unterminated array", body.size());
}

// One element of an event array as one line: compact JSON when it parses within the
// depth bound (Accept then recurses at most kMaxJsonDepth levels), else as written,
// for the decoder to reject with its reason.
std::string ElementToEvent(absl::string_view element) {
  rapidjson::Document parsed;
  if (!ParseJsonBounded(element, &parsed).ok()) return OneLine(element);
  rapidjson::StringBuffer buffer;
  Writer writer(buffer);
  parsed.Accept(writer);
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
    MUA_ASSIGN_OR_RETURN(const std::vector<absl::string_view> elements, SplitJsonArray(body));
    for (const absl::string_view element : elements) {
      absl::StrAppend(&lines, ElementToEvent(element), "\n");
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
