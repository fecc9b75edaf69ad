#include "ingest/body_ingestor.h"

#include <algorithm>
#include <limits>
#include <optional>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "rapidjson/document.h"
#include "rapidjson/stringbuffer.h"
#include "rapidjson/writer.h"
#include "ingest/internal/body_rows.h"
#include "ingest/rejected_event_log.h"
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

// `properties` and `attributes` are String columns holding JSON; the event decoder
// wants the object. Every value was parsed with a depth bound, so Accept's recursion is
// bounded too.
void WriteField(Writer& writer, absl::string_view name, const rapidjson::Value& value) {
  writer.Key(name.data(), static_cast<rapidjson::SizeType>(name.size()));
  if ((name == "properties" || name == "attributes") && value.IsString()) {
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
// shape is passed on as written, so the decoder rejects it with its reason. A
// JSONCompactEachRow row as long as `shorter_columns` (when given) is read with those.
std::string RowToEvent(absl::string_view line, BodyFormat format, const std::vector<std::string>& columns,
                       const std::vector<std::string>* shorter_columns = nullptr) {
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
    const std::vector<std::string>* names = &columns;
    if (row.IsArray() && shorter_columns != nullptr && row.Size() == shorter_columns->size()) names = shorter_columns;
    if (!row.IsArray() || row.Size() != names->size()) {
      return std::string(line);  // not an object: rejected as not_an_object
    }
    writer.StartObject();
    for (rapidjson::SizeType i = 0; i < row.Size(); ++i) WriteField(writer, (*names)[i], row[i]);
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

// One TabSeparated/CSV row (its fields in `columns` order) as an SDK event line. A NULL
// (\N; in CSV also an empty bare field) leaves the column out, as ClickHouse's
// input_format_null_as_default does for its non-Nullable columns: a required one is
// then rejected as missing, an optional one stays empty. An integer event_time is epoch
// time (the decoder's number rule); every other value is text, `properties` JSON text.
std::string FieldsToEvent(const std::vector<std::optional<std::string>>& fields,
                          const std::vector<std::string>& columns) {
  rapidjson::StringBuffer buffer;
  Writer writer(buffer);
  writer.StartObject();
  for (size_t i = 0; i < fields.size(); ++i) {
    if (!fields[i].has_value()) continue;
    const std::string& text = *fields[i];
    if (columns[i] == "event_time" && !text.empty() && text.size() <= 18 &&
        std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; })) {
      writer.Key(columns[i].data(), static_cast<rapidjson::SizeType>(columns[i].size()));
      writer.RawValue(text.data(), text.size(), rapidjson::kNumberType);
      continue;
    }
    const rapidjson::Value value(rapidjson::StringRef(text.data(), text.size()));
    WriteField(writer, columns[i], value);
  }
  writer.EndObject();
  return std::string(buffer.GetString(), buffer.GetSize());
}

// Starts a block line that holds an event already converted from its row (rows are
// otherwise converted on the decoding threads); no row of a text format starts with it
// without being converted first.
constexpr char kConvertedMark = '\x01';

absl::string_view FormatName(BodyFormat format) {
  switch (format) {
    case BodyFormat::kTabSeparated: return "TabSeparated";
    case BodyFormat::kCsv: return "CSV";
    case BodyFormat::kJsonEachRow: return "JSONEachRow";
    case BodyFormat::kJsonCompactEachRow: return "JSONCompactEachRow";
    default: return "JSON lines";
  }
}

}  // namespace

// One body's rows as they arrive: split at row ends, converted to event lines, and
// ingested a block at a time.
class BodyIngestor::Stream {
 public:
  Stream(BodyIngestor* owner, BodyFormat format, absl::string_view source,
         const std::vector<std::string>& columns)
      : owner_(owner),
        format_(format == BodyFormat::kTabSeparatedWithNames ? BodyFormat::kTabSeparated
                : format == BodyFormat::kCsvWithNames        ? BodyFormat::kCsv
                                                             : format),
        header_pending_(format == BodyFormat::kTabSeparatedWithNames || format == BodyFormat::kCsvWithNames),
        source_(source),
        columns_(columns),
        max_row_bytes_(owner->limits_.max_row_bytes > 0
                           ? owner->limits_.max_row_bytes
                           : std::max<size_t>(2 * owner->options_.decoder.max_payload_bytes, 4096)),
        splitter_(max_row_bytes_, format_ == BodyFormat::kCsv),
        on_row_([this](const ingest_internal::BodyRow& row) { return OnRow(row); }),
        converter_([this](absl::string_view row, std::string* event) { return ConvertRow(row, event); }),
        lines_(source_, owner->table_, StreamOptions(), &load_) {
    if (columns_.empty()) {
      for (ColumnId id : kAllColumns) {
        columns_.emplace_back(ColumnName(id));
        // Rows without a column list written for the 14 columns before `attributes` came
        // still load (attributes ''): files and scripts of earlier releases keep working.
        if (id != ColumnId::kAttributes) columns_before_attributes_.emplace_back(ColumnName(id));
      }
    }
  }

  absl::Status Feed(absl::string_view chunk) {
    stats_.bytes += static_cast<int64_t>(chunk.size());
    const absl::Status status = splitter_.Feed(chunk, on_row_);
    return status.ok() ? status : End(status);
  }
  absl::Status Finish() {
    absl::Status status = splitter_.Finish(on_row_);
    if (status.ok()) status = Flush();
    return End(status);
  }
  // Ends the body, also after an error (`status`): what the lines stream holds is appended
  // and made durable — the blocks before an error stay stored, as in ClickHouse — and the
  // totals taken; an error says how many rows are stored.
  absl::Status End(absl::Status status) {
    if (ended_) return status;
    ended_ = true;
    absl::Status finished = lines_.Finish();
    if (finished.ok()) finished = WaitDurable();
    if (status.ok()) status = finished;
    Total();
    if (status.ok() || stats_.blocks == 0) return status;
    return absl::Status(status.code(),
                        absl::StrCat(status.message(), " (", stats_.accepted, " rows of the ", stats_.events,
                                     " before are stored: a body is committed block by block)"));
  }
  BodyIngestStats& stats() { return stats_; }

 private:
  absl::Status OnRow(const ingest_internal::BodyRow& row) {
    if (header_pending_) return ReadHeader(row);
    ++line_;
    if (row.oversized_bytes > 0) {
      Reject(RejectReason::kTooLarge, "",
             absl::StrCat("the row has ", row.oversized_bytes, " bytes or more; the limit is ", max_row_bytes_,
                          " bytes"));
    } else if (row.text.find_first_not_of(" \t\r") == absl::string_view::npos) {
      block_.push_back('\n');  // blank: skipped, and keeps line numbers
    } else if (format_ == BodyFormat::kEventLines) {
      absl::StrAppend(&block_, row.text, "\n");
    } else if (row.text.find('\n') == absl::string_view::npos && row.text.front() != kConvertedMark) {
      absl::StrAppend(&block_, row.text, "\n");  // converted on the decoding threads
    } else {
      // A quoted CSV field's line end would split the block's line: converted here, marked.
      std::string event;
      const absl::Status converted = ConvertText(row.text, &event);
      if (converted.ok()) {
        absl::StrAppend(&block_, absl::string_view(&kConvertedMark, 1), event, "\n");
      } else {
        Reject(RejectReason::kMalformedJson, row.text, std::string(converted.message()));
      }
    }
    if (block_.size() >= owner_->limits_.block_bytes) return Flush();
    return absl::OkStatus();
  }

  // The WithNames formats' first row: the columns of the rows after it (read before any
  // block is handed to the decoding threads, which read columns_). A name that is not a
  // column of events is a field like any other: kept in `attributes`.
  absl::Status ReadHeader(const ingest_internal::BodyRow& row) {
    header_pending_ = false;
    std::vector<std::optional<std::string>> names;
    absl::Status parsed = row.oversized_bytes > 0
                              ? absl::InvalidArgumentError("the header row is too long")
                              : (format_ == BodyFormat::kCsv ? ingest_internal::ParseCsvRow(row.text, &names)
                                                             : ingest_internal::ParseTsvRow(row.text, &names));
    if (parsed.ok() && (names.empty() || std::any_of(names.begin(), names.end(), [](const auto& name) {
                          return !name.has_value() || name->empty();
                        }))) {
      parsed = absl::InvalidArgumentError("a column name is empty or NULL");
    }
    if (!parsed.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("Cannot parse the header row of ", FormatName(format_), "WithNames: ", parsed.message()));
    }
    columns_.clear();
    columns_before_attributes_.clear();
    for (const auto& name : names) columns_.push_back(*name);
    ++line_;
    block_.push_back('\n');  // the header keeps its line number; rows count from the body's line 2
    return absl::OkStatus();
  }

  // A row of the INSERT's format as an event line (a line marked converted is passed on).
  // Called from the decoding threads too: reads only what the constructor set.
  absl::Status ConvertRow(absl::string_view row, std::string* event) const {
    if (!row.empty() && row.front() == kConvertedMark) {
      event->assign(row.data() + 1, row.size() - 1);
      return absl::OkStatus();
    }
    return ConvertText(row, event);
  }
  absl::Status ConvertText(absl::string_view row, std::string* event) const {
    if (format_ == BodyFormat::kJsonEachRow || format_ == BodyFormat::kJsonCompactEachRow) {
      *event = RowToEvent(row, format_, columns_, ShorterColumns());
      return absl::OkStatus();
    }
    thread_local std::vector<std::optional<std::string>> fields;
    const absl::Status parsed = format_ == BodyFormat::kCsv ? ingest_internal::ParseCsvRow(row, &fields)
                                                            : ingest_internal::ParseTsvRow(row, &fields);
    if (!parsed.ok()) return absl::InvalidArgumentError(absl::StrCat(FormatName(format_), " row: ", parsed.message()));
    if (fields.size() == columns_.size()) {
      *event = FieldsToEvent(fields, columns_);
    } else if (ShorterColumns() != nullptr && fields.size() == ShorterColumns()->size()) {
      *event = FieldsToEvent(fields, *ShorterColumns());
    } else {
      return absl::InvalidArgumentError(absl::StrCat(FormatName(format_), " row: ", fields.size(),
                                                     " fields, the INSERT names ", columns_.size(), " columns"));
    }
    return absl::OkStatus();
  }

  const std::vector<std::string>* ShorterColumns() const {
    return columns_before_attributes_.empty() ? nullptr : &columns_before_attributes_;
  }

  // A row rejected before decoding: a blank line keeps the loader's numbering.
  void Reject(RejectReason reason, absl::string_view raw, std::string message) {
    block_.push_back('\n');
    own_rejects_.push_back(RejectedEvent{.raw = std::string(raw.substr(0, RejectedEvent::kMaxRawBytes)),
                                         .reason = reason,
                                         .message = std::move(message),
                                         .source = absl::StrCat(source_, ":", line_),
                                         .rejected_at = owner_->options_.now.value_or(absl::Now()),
                                         .offset = line_});
  }

  // Hands the block to the lines stream, which decodes it while appending the block before
  // it; then waits for what is appended to be durable (the rows' and the rejects' WAL
  // records), while the block decodes.
  absl::Status Flush() {
    if (block_.empty()) return absl::OkStatus();
    ++stats_.blocks;
    MUA_RETURN_IF_ERROR(LogOwnRejects());
    MUA_RETURN_IF_ERROR(lines_.Feed(&block_));
    return WaitDurable();
  }

  // Rows rejected before decoding: logged (and counted) here; decoded rows' rejects are the
  // stream's.
  absl::Status LogOwnRejects() {
    if (own_rejects_.empty()) return absl::OkStatus();
    stats_.events += static_cast<int64_t>(own_rejects_.size());
    stats_.rejected += static_cast<int64_t>(own_rejects_.size());
    for (const RejectedEvent& event : own_rejects_) {
      if (kept_own_rejects_.size() >= owner_->options_.max_rejected_kept) break;
      kept_own_rejects_.push_back(event);
    }
    if (owner_->options_.rejected_log == nullptr) {
      own_rejects_.clear();
      return absl::OkStatus();
    }
    // Durable like the rows: in the WAL, and synced before the request is answered.
    Store* const store = owner_->options_.store;
    std::optional<Store::ApplyScope> scope;
    if (store != nullptr) scope.emplace(store->BeginApply());
    const uint64_t seq = owner_->options_.rejected_log->Append(
        std::move(own_rejects_), scope && owner_->options_.write_ahead ? &*scope : nullptr);
    own_rejects_.clear();
    own_wal_seq_ = std::max(own_wal_seq_, seq);
    return absl::OkStatus();
  }

  absl::Status WaitDurable() {
    const uint64_t seq = std::max(load_.wal_seq, own_wal_seq_);
    if (seq == 0 || seq <= waited_seq_ || owner_->options_.store == nullptr) return absl::OkStatus();
    MUA_RETURN_IF_ERROR(owner_->options_.store->WaitDurable(seq));
    waited_seq_ = seq;
    return absl::OkStatus();
  }

  // The stream's counts and the first rejects, in line order, into stats_.
  void Total() {
    stats_.events += load_.lines;
    stats_.accepted = load_.accepted;
    stats_.duplicates = load_.duplicates;
    stats_.rejected += load_.rejected;
    std::vector<RejectedEvent> first = std::move(kept_own_rejects_);
    for (RejectedEvent& event : load_.rejected_events) first.push_back(std::move(event));
    std::sort(first.begin(), first.end(),
              [](const RejectedEvent& a, const RejectedEvent& b) { return a.offset < b.offset; });
    if (first.size() > owner_->options_.max_rejected_kept) first.resize(owner_->options_.max_rejected_kept);
    stats_.first_rejected = std::move(first);
  }

  IngestOptions StreamOptions() const {
    IngestOptions options = owner_->options_;
    // Rows of the table (not SDK events): their `attributes` is the column.
    options.decoder.table_rows = format_ != BodyFormat::kEventLines && format_ != BodyFormat::kEventArray;
    if (options.decoder.table_rows) options.row_converter = &converter_;
    return options;
  }

  BodyIngestor* const owner_;
  const BodyFormat format_;
  bool header_pending_;  // a WithNames format's header row is still to come
  const std::string source_;
  std::vector<std::string> columns_;
  std::vector<std::string> columns_before_attributes_;  // set when the INSERT names no columns
  const size_t max_row_bytes_;
  ingest_internal::RowSplitter splitter_;
  const ingest_internal::RowSplitter::OnRow on_row_;
  std::string block_;                // event lines of the block being built
  int64_t line_ = 0;                 // rows of the body so far
  std::vector<RejectedEvent> own_rejects_;  // this block's rows rejected before decoding
  std::vector<RejectedEvent> kept_own_rejects_;  // the first few, for the response
  uint64_t own_wal_seq_ = 0;
  uint64_t waited_seq_ = 0;
  BodyIngestStats stats_;
  const RowConverter converter_;  // before lines_, which calls it
  bool ended_ = false;
  LoadStats load_;
  JsonLinesStream lines_;  // after load_: it writes there
};

absl::StatusOr<BodyFormat> InsertFormat(absl::string_view name) {
  if (absl::EqualsIgnoreCase(name, "JSONEachRow") || absl::EqualsIgnoreCase(name, "JSONLines") ||
      absl::EqualsIgnoreCase(name, "NDJSON")) {
    return BodyFormat::kJsonEachRow;
  }
  if (absl::EqualsIgnoreCase(name, "JSONCompactEachRow")) return BodyFormat::kJsonCompactEachRow;
  if (absl::EqualsIgnoreCase(name, "TabSeparated") || absl::EqualsIgnoreCase(name, "TSV")) {
    return BodyFormat::kTabSeparated;
  }
  if (absl::EqualsIgnoreCase(name, "CSV")) return BodyFormat::kCsv;
  if (absl::EqualsIgnoreCase(name, "TabSeparatedWithNames") || absl::EqualsIgnoreCase(name, "TSVWithNames")) {
    return BodyFormat::kTabSeparatedWithNames;
  }
  if (absl::EqualsIgnoreCase(name, "CSVWithNames")) return BodyFormat::kCsvWithNames;
  return absl::NotFoundError(absl::StrCat("Unknown or unsupported input format ", name,
                                          " (INSERT takes JSONEachRow, JSONCompactEachRow, TabSeparated, CSV, TSVWithNames or CSVWithNames)"));
}

BodyIngestor::BodyIngestor(Table* table, IngestOptions options, BodyStreamLimits limits)
    : limits_(limits), table_(table), options_(std::move(options)) {
  if (options_.dedup == nullptr) {
    own_dedup_ = std::make_unique<Deduplicator>();
    options_.dedup = own_dedup_.get();
  }
  options_.write_ahead = options_.store != nullptr;
  options_.max_rejected_kept = 10;
  limits_.block_bytes = std::max<size_t>(limits_.block_bytes, 1);
}

absl::StatusOr<BodyIngestStats> BodyIngestor::Ingest(absl::string_view body, BodyFormat format,
                                                     absl::string_view source,
                                                     const std::vector<std::string>& columns) {
  if (format != BodyFormat::kEventArray) {
    Stream stream(this, format, source, columns);
    MUA_RETURN_IF_ERROR(stream.Feed(body));
    MUA_RETURN_IF_ERROR(stream.Finish());
    return std::move(stream.stats());
  }
  // An array is split whole (its elements are found by one scan over the body), then
  // ingested as event lines.
  MUA_ASSIGN_OR_RETURN(const std::vector<absl::string_view> elements, SplitJsonArray(body));
  std::string lines;
  for (const absl::string_view element : elements) {
    absl::StrAppend(&lines, ElementToEvent(element), "\n");
  }
  Stream stream(this, BodyFormat::kEventLines, source, {});
  MUA_RETURN_IF_ERROR(stream.Feed(lines));
  MUA_RETURN_IF_ERROR(stream.Finish());
  stream.stats().bytes = static_cast<int64_t>(body.size());
  return std::move(stream.stats());
}

absl::StatusOr<BodyIngestStats> BodyIngestor::IngestStream(const BodyChunkSource& next, BodyFormat format,
                                                           absl::string_view source,
                                                           const std::vector<std::string>& columns) {
  if (format == BodyFormat::kEventArray) {
    return absl::InvalidArgumentError("a JSON array of events is ingested whole, not streamed");
  }
  Stream stream(this, format, source, columns);
  std::string chunk;
  while (true) {
    absl::StatusOr<bool> more = next(&chunk);
    if (!more.ok()) return stream.End(more.status());
    if (!*more) break;
    MUA_RETURN_IF_ERROR(stream.Feed(chunk));
  }
  MUA_RETURN_IF_ERROR(stream.Finish());
  return std::move(stream.stats());
}

}  // namespace mua
