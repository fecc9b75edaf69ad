#include "server/ingest_tables.h"

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "ingest/dedup.h"
#include "ingest/kafka_consumer.h"
#include "ingest/rejected_event_log.h"
#include "query/result_set.h"
#include "server/internal/system_rows.h"
#include "sql/catalog.h"

namespace mua {
namespace {

using server_internal::ColumnList;
using server_internal::EmptyRows;

const ColumnList& RejectedColumns() {
  static const ColumnList* columns = new ColumnList{
      {"rejected_at", "DateTime64(3)"}, {"reason", "String"}, {"error", "String"},
      {"payload", "String"},            {"source", "String"}, {"topic", "String"},
      {"partition", "Int32"},           {"offset", "Int64"},  {"user_id", "String"}};
  return *columns;
}

const ColumnList& IngestColumns() {
  static const ColumnList* columns = new ColumnList{
      {"topic", "String"},
      {"partition", "Int32"},
      {"state", "String"},  // consuming | paused
      {"applied_offset", "Int64"},
      {"high_watermark", "Int64"},
      {"lag", "Int64"},
      {"messages", "UInt64"},
      {"events", "UInt64"},
      {"duplicates", "UInt64"},
      {"rejected", "UInt64"},
      {"rejected_reasons", "Array(String)"},
      {"rejected_counts", "Array(UInt64)"},
      {"gap_messages", "UInt64"},
      {"gaps", "UInt64"},
      {"events_per_second", "Float64"},
      {"last_event_time", "DateTime64(3)"},
      {"last_applied_at", "DateTime64(3)"},
      {"freshness_ms", "Int64"},
      // The accounting identity (docs/INGEST.md): end_offset - start_offset = events +
      // rejected + duplicates + gap_messages + skipped_offsets, kept across restarts.
      {"start_offset", "Int64"},
      {"end_offset", "Int64"},
      {"skipped_offsets", "UInt64"},
      // A cluster replica's appended events whose key hashes to another shard (docs/CLUSTER.md).
      {"misplaced_events", "UInt64"}};
  return *columns;
}

const ColumnList& SummaryColumns() {
  static const ColumnList* columns = new ColumnList{
      {"state", "String"},  // idle (no consumer) | consuming | paused (memory) | stopped (operator)
      {"messages", "UInt64"},        {"events", "UInt64"},          {"duplicates", "UInt64"},
      {"rejected", "UInt64"},        {"rejected_kept", "UInt64"},   {"gap_messages", "UInt64"},
      {"batches", "UInt64"},         {"pauses", "UInt64"},          {"freshness_p50_ms", "Float64"},
      {"freshness_p99_ms", "Float64"}, {"freshness_max_ms", "Float64"}, {"consumer_errors", "UInt64"},
      {"commit_errors", "UInt64"},   {"last_error", "String"},
      {"wait_seconds", "Float64"},   {"apply_seconds", "Float64"},
      // events_rejected rows dropped by its bounds: for room (count, bytes) and for age
      // (--rejected_retention_days); persisted, so they survive restarts.
      {"rejected_evicted", "UInt64"}, {"rejected_expired", "UInt64"},
      // The de-duplication window (every source; 0 = off), the (user_id, event_id) keys it
      // holds, and those that left it; kept across restarts.
      {"dedup_window_seconds", "Int64"}, {"dedup_entries", "UInt64"}, {"dedup_aged_out", "UInt64"}};
  return *columns;
}

std::shared_ptr<const ResultSet> SummaryRows(const RejectedEventLog* log, const KafkaConsumer* consumer,
                                             const Deduplicator* dedup) {
  auto rows = std::make_shared<ResultSet>(EmptyRows(SummaryColumns()));
  KafkaConsumerStats stats;
  LatencyHistogram::Counts freshness;
  if (consumer != nullptr) {
    stats = consumer->stats();
    freshness = consumer->freshness();
  }
  std::vector<Column>& c = rows->columns;
  c[0].strings.emplace_back(consumer == nullptr        ? "idle"
                            : stats.paused_by_operator ? "stopped"
                            : stats.paused_for_memory  ? "paused"
                                                       : "consuming");
  const int64_t counters[] = {stats.messages, stats.events, stats.duplicates, stats.rejected,
                              log == nullptr ? int64_t{0}
                                             : log->total() - log->evicted() - log->expired() - log->erased(),
                              stats.gap_messages, stats.batches, stats.pauses};
  for (size_t i = 0; i < std::size(counters); ++i) c[1 + i].ints.push_back(counters[i]);
  c[9].floats.push_back(absl::ToDoubleMilliseconds(freshness.Quantile(0.5)));
  c[10].floats.push_back(absl::ToDoubleMilliseconds(freshness.Quantile(0.99)));
  c[11].floats.push_back(absl::ToDoubleMilliseconds(freshness.max));
  c[12].ints.push_back(stats.consumer_errors);
  c[13].ints.push_back(stats.commit_errors);
  c[14].strings.push_back(stats.last_error);
  c[15].floats.push_back(stats.wait_seconds);
  c[16].floats.push_back(stats.apply_seconds);
  c[17].ints.push_back(log == nullptr ? 0 : log->evicted());
  c[18].ints.push_back(log == nullptr ? 0 : log->expired());
  const DedupStats dedup_stats = dedup != nullptr ? dedup->stats() : DedupStats{};
  c[19].ints.push_back(dedup != nullptr ? absl::ToInt64Seconds(dedup->window()) : 0);
  c[20].ints.push_back(dedup_stats.entries);
  c[21].ints.push_back(dedup_stats.aged_out);
  rows->row_count = 1;
  return rows;
}

std::shared_ptr<const ResultSet> RejectedRows(const RejectedEventLog* log) {
  auto rows = std::make_shared<ResultSet>(EmptyRows(RejectedColumns()));
  if (log == nullptr) return rows;
  for (const RejectedEvent& event : log->Rows()) {
    rows->columns[0].ints.push_back(absl::ToUnixMillis(event.rejected_at));
    rows->columns[1].strings.emplace_back(RejectReasonName(event.reason));
    rows->columns[2].strings.push_back(event.message);
    rows->columns[3].strings.push_back(event.raw);
    rows->columns[4].strings.push_back(event.source);
    rows->columns[5].strings.push_back(event.topic);
    rows->columns[6].ints.push_back(event.partition);
    rows->columns[7].ints.push_back(event.offset);
    rows->columns[8].strings.push_back(event.user_id);  // hashed under --hash_user_ids
    ++rows->row_count;
  }
  return rows;
}

std::shared_ptr<const ResultSet> IngestRows(const KafkaConsumer* consumer) {
  auto rows = std::make_shared<ResultSet>(EmptyRows(IngestColumns()));
  if (consumer == nullptr) return rows;
  std::vector<Column>& c = rows->columns;
  for (const auto& [key, p] : consumer->partitions()) {
    c[0].strings.push_back(key.topic);
    c[1].ints.push_back(key.partition);
    c[2].strings.emplace_back(p.paused ? "paused" : "consuming");
    c[3].ints.push_back(p.applied_offset);
    c[4].ints.push_back(p.high_watermark);
    c[5].ints.push_back(p.lag);
    c[6].ints.push_back(p.messages);
    c[7].ints.push_back(p.events);
    c[8].ints.push_back(p.duplicates);
    c[9].ints.push_back(p.rejected);
    for (int r = 0; r < kNumRejectReasons; ++r) {
      if (p.rejected_by_reason[r] == 0) continue;
      c[10].strings.emplace_back(RejectReasonName(static_cast<RejectReason>(r)));
      c[11].ints.push_back(p.rejected_by_reason[r]);
    }
    c[10].array_offsets.push_back(static_cast<uint32_t>(c[10].strings.size()));
    c[11].array_offsets.push_back(static_cast<uint32_t>(c[11].ints.size()));
    c[12].ints.push_back(p.gap_messages);
    c[13].ints.push_back(p.gaps);
    c[14].floats.push_back(p.events_per_second);
    c[15].ints.push_back(p.last_event_time_ms);
    c[16].ints.push_back(p.last_applied_at_ms);
    c[17].ints.push_back(p.freshness_ms);
    c[18].ints.push_back(p.start_offset);
    c[19].ints.push_back(p.applied_offset);
    c[20].ints.push_back(p.skipped_offsets);
    c[21].ints.push_back(p.misplaced_events);
    ++rows->row_count;
  }
  return rows;
}

}  // namespace

void RegisterIngestTables(Catalog* catalog, const RejectedEventLog* rejected, KafkaConsumer* consumer,
                          const Deduplicator* dedup) {
  catalog->RegisterTable("default", "events_rejected", RejectedColumns(),
                         [rejected] { return RejectedRows(rejected); });
  catalog->RegisterSystemTable("ingest", IngestColumns(), [consumer] { return IngestRows(consumer); });
  catalog->RegisterSystemTable("ingest_summary", SummaryColumns(),
                               [rejected, consumer, dedup] { return SummaryRows(rejected, consumer, dedup); });
  catalog->RegisterSystemCommand("STOP INGEST", [consumer](absl::string_view) -> absl::StatusOr<std::string> {
    if (consumer == nullptr) return absl::FailedPreconditionError("no Kafka consumer is running");
    consumer->PauseIngest();
    return std::string("Ok. Consumption pauses after the current batch.");
  });
  catalog->RegisterSystemCommand("START INGEST", [consumer](absl::string_view) -> absl::StatusOr<std::string> {
    if (consumer == nullptr) return absl::FailedPreconditionError("no Kafka consumer is running");
    consumer->ResumeIngest();
    return std::string("Ok. Consumption resumes.");
  });
}

}  // namespace mua
