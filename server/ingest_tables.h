// The tables and commands ingest adds to the catalog:
//   events_rejected  — every kept rejected event (reason, error, payload, source);
//   system.ingest    — per Kafka topic-partition: offsets, lag, rates, rejects by
//                      reason, duplicates, lost offsets, freshness, paused;
//   system.ingest_summary — one row: totals, state, freshness p50/p99/max, errors, the
//                      de-duplication window (dedup_window_seconds, dedup_entries, dedup_aged_out);
//   SYSTEM STOP INGEST / SYSTEM START INGEST — pause and resume consumption.
//
//   RegisterIngestTables(&catalog, &rejected_log, consumer.get());  // consumer may be null
#pragma once

namespace mua {

class Catalog;
class Deduplicator;
class KafkaConsumer;
class RejectedEventLog;

// REQUIRES: `rejected`, `consumer` and `dedup` (when not null) outlive the catalog's use.
void RegisterIngestTables(Catalog* catalog, const RejectedEventLog* rejected, KafkaConsumer* consumer,
                          const Deduplicator* dedup = nullptr);

}  // namespace mua
