// BodyIngestor: events that arrive in request bodies — POST /api/v1/events (SDK events
// as JSON lines or a JSON array) and INSERT INTO events FORMAT JSONEachRow |
// JSONCompactEachRow (rows of the events table, as ClickHouse clients send them) —
// validated, de-duplicated and appended exactly like Kafka's: one decoder, the same
// reject reasons, rejected events into the shared RejectedEventLog.
//
//   BodyIngestor ingestor(&table, options);  // options.rejected_log = &log
//   MUA_ASSIGN_OR_RETURN(BodyIngestStats stats,
//                        ingestor.Ingest(body, BodyFormat::kEventLines, "http"));
//
// With IngestOptions::store, accepted rows are written to its WAL and Ingest returns only
// once they are durable (group commit: concurrent requests share each fsync).
//
// Thread safety: Ingest may be called concurrently (the Deduplicator orders repeats).
#pragma once

#include <cstdint>
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
};

// The format named like ClickHouse's ("JSONEachRow", "JSONCompactEachRow"); NotFound else.
absl::StatusOr<BodyFormat> InsertFormat(absl::string_view name);

struct BodyIngestStats {
  int64_t events = 0;      // events (lines, array elements or rows) in the body
  int64_t accepted = 0;    // stored
  int64_t duplicates = 0;  // repeats of (user_id, event_id), dropped
  int64_t rejected = 0;    // in events_rejected
  std::vector<RejectedEvent> first_rejected;  // up to 10, for the response
};

class BodyIngestor {
 public:
  // REQUIRES: `table` (and options' rejected_log, dedup) outlive the ingestor.
  BodyIngestor(Table* table, IngestOptions options);

  // `columns`: kJsonCompactEachRow's column order; empty = every events column in
  // table order. `source` names the request in rejected rows ("http:LINE").
  // Errors: InvalidArgument when the body as a whole is unusable (kEventArray that is
  // not a JSON array; a row with the wrong number of values, or an element or row that
  // is malformed or nested deeper than kMaxJsonDepth, is only rejected), with nothing
  // stored; Table::Append's errors.
  absl::StatusOr<BodyIngestStats> Ingest(absl::string_view body, BodyFormat format,
                                         absl::string_view source,
                                         const std::vector<std::string>& columns = {});

 private:
  Table* const table_;
  IngestOptions options_;
  std::unique_ptr<Deduplicator> own_dedup_;  // when options name none
};

}  // namespace mua
