// BodyIngestor: events that arrive in request bodies — POST /api/v1/events (SDK events
// as JSON lines or a JSON array) and INSERT INTO events FORMAT JSONEachRow |
// JSONCompactEachRow | TabSeparated | CSV (rows of the events table, as ClickHouse
// clients send them) — validated, de-duplicated and appended exactly like Kafka's: one
// decoder, the same reject reasons, rejected events into the shared RejectedEventLog.
//
//   BodyIngestor ingestor(&table, options);  // options.rejected_log = &log
//   MUA_ASSIGN_OR_RETURN(BodyIngestStats stats,
//                        ingestor.Ingest(body, BodyFormat::kEventLines, "http"));
//   // A body of any size, as it arrives: next() returns its chunks, then false.
//   MUA_ASSIGN_OR_RETURN(stats, ingestor.IngestStream(next, BodyFormat::kCsv, "http:q1"));
//
// Every format but kEventArray is cut into blocks of about BodyStreamLimits::block_bytes
// at row ends, and each block is decoded, de-duplicated, appended and (with
// IngestOptions::store) written to the WAL and waited for before the next is read:
// memory stays a few blocks whatever the body's size, and a body is not atomic — the
// blocks before an error (or a client gone mid-body) stay stored, as in ClickHouse.
// Group commit: concurrent requests share each fsync.
//
// Thread safety: Ingest may be called concurrently (the Deduplicator orders repeats).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "ingest/dedup.h"
#include "ingest/ingest_options.h"
#include "ingest/json_lines_loader.h"

namespace mua {

class Table;

enum class BodyFormat {
  kEventLines,              // SDK events (SPEC §2, either shape), one JSON object per line
  kEventArray,              // SDK events as one JSON array of objects
  kJsonEachRow,             // rows of `events`: {"event_time": ..., "properties": "{...}"}
  kJsonCompactEachRow,      // rows of `events` as arrays, in `columns` order
  kTabSeparated,            // ClickHouse TabSeparated rows, in `columns` order
  kCsv,                     // ClickHouse CSV rows, in `columns` order
  kTabSeparatedWithNames,   // the same, their first row naming the columns
  kCsvWithNames,
};

// The format named like ClickHouse's ("JSONEachRow", "JSONCompactEachRow",
// "TabSeparated"/"TSV", "CSV", "TabSeparatedWithNames"/"TSVWithNames", "CSVWithNames");
// NotFound else.
absl::StatusOr<BodyFormat> InsertFormat(absl::string_view name);

// Puts the body's next chunk into *chunk (replacing what it held): true, or false at the
// end of the body. Its errors (a client gone, a timeout) end the ingest.
using BodyChunkSource = std::function<absl::StatusOr<bool>(std::string* chunk)>;

struct BodyStreamLimits {
  size_t block_bytes = size_t{4} << 20;  // rows of the body per block (each one WAL commit)
  // A row longer than this is rejected (too_large) without being buffered; 0 = twice
  // the decoder's max_payload_bytes (a longer event could not be accepted anyway).
  size_t max_row_bytes = 0;
};

struct BodyIngestStats {
  int64_t events = 0;      // events (lines, array elements or rows) in the body
  int64_t accepted = 0;    // stored
  int64_t duplicates = 0;  // repeats of (user_id, event_id), dropped
  int64_t rejected = 0;    // in events_rejected
  int64_t bytes = 0;       // of the body
  int64_t blocks = 0;      // committed one by one
  std::vector<RejectedEvent> first_rejected;  // up to 10, for the response
};

class BodyIngestor {
 public:
  // REQUIRES: `table` (and options' rejected_log, dedup) outlive the ingestor.
  BodyIngestor(Table* table, IngestOptions options, BodyStreamLimits limits = {});

  // `columns`: kJsonCompactEachRow's column order; empty = every events column in
  // table order. `source` names the request in rejected rows ("http:LINE").
  // Errors: InvalidArgument when the body as a whole is unusable (kEventArray that is
  // not a JSON array; a row with the wrong number of values, or an element or row that
  // is malformed or nested deeper than kMaxJsonDepth, is only rejected), with nothing
  // stored; Table::Append's errors.
  absl::StatusOr<BodyIngestStats> Ingest(absl::string_view body, BodyFormat format,
                                         absl::string_view source,
                                         const std::vector<std::string>& columns = {});

  // Ingest for a body read as it arrives (every format but kEventArray, which needs the
  // whole array: InvalidArgument). Errors: next()'s, and Table::Append's, with the count
  // of rows stored before them in the message (those stay stored).
  absl::StatusOr<BodyIngestStats> IngestStream(const BodyChunkSource& next, BodyFormat format,
                                               absl::string_view source,
                                               const std::vector<std::string>& columns = {});

 private:
  class Stream;

  BodyStreamLimits limits_;
  Table* const table_;
  IngestOptions options_;
  std::unique_ptr<Deduplicator> own_dedup_;  // when options name none
};

}  // namespace mua
