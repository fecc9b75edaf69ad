// IngestOptions: how events from any source (JSON-lines files, Kafka, HTTP) are decoded,
// validated, de-duplicated and batched into the `events` table.
//
//   IngestOptions options;
//   options.decoder.retention_days = 0;  // loading history: keep everything
//   MUA_RETURN_IF_ERROR(LoadJsonLines("events.jsonl", &table, options, &stats));
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "ingest/event_decoder.h"

namespace mua {

class Deduplicator;
class KafkaEventProducer;
class RejectedEventLog;
class Store;

// Turns one input row into the event JSON the decoder reads (an INSERT's TabSeparated, CSV
// or JSONEachRow row), on the decoding threads. An error rejects the row as malformed_json
// with the error's message. Must be safe to call from several threads at once.
using RowConverter = std::function<absl::Status(absl::string_view row, std::string* event)>;

struct IngestOptions {
  EventDecoderOptions decoder;
  // Dedup state shared across loads (not owned; used from the appending thread only).
  // When null, each load uses its own (the default 7-day window).
  Deduplicator* dedup = nullptr;
  size_t batch_rows = 10'000;      // rows per Table::Append
  int threads = 2;                 // decoding threads (the calling thread included)
  size_t chunk_bytes = size_t{8} << 20;  // bytes read and decoded per step
  size_t max_rejected_kept = 100'000;    // RejectedEvents kept per load; more are only counted
  // Where rejected events go for `events_rejected` (not owned; may be shared by all
  // sources). When null, a Kafka consumer keeps its own, bounded by max_rejected_kept.
  RejectedEventLog* rejected_log = nullptr;
  // Durability (not owned): batches are applied under its ApplyScope, erased users are
  // dropped, and with write_ahead every batch is logged to its WAL before appending
  // (for sources that acknowledge: HTTP).
  Store* store = nullptr;
  bool write_ahead = false;
  std::optional<absl::Time> now;   // the clock for future/retention checks; unset = absl::Now()
  // Each line is converted before it is decoded (not owned; JSON-lines loads and streams).
  const RowConverter* row_converter = nullptr;
  // Ingest through the log (cluster mode; JSON-lines loads and streams, not owned): events
  // that decode are produced to Kafka keyed by their clear user id, as decoded (the owning
  // shard's replicas de-duplicate, hash and append them), and LoadStats::accepted counts
  // those Kafka acknowledged; rejected events stay here, in rejected_log.
  KafkaEventProducer* forward = nullptr;
};

}  // namespace mua
