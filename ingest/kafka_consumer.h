// KafkaConsumer: consumes JSON events (SPEC §2) from Kafka topics as a librdkafka consumer
// group member and appends them to a Table in micro-batches bounded by count and time
// (SPEC §7). Run() polls the next batch on a thread of its own while the last is applied; each
// batch is decoded in parallel, de-duplicated and appended — in parts, the decoding of one
// part overlapping the append of the part before (DecodePipeline); only then are
// its offsets recorded as applied and committed to Kafka (asynchronously), so a clean
// Stop() and restart in the same group neither loses nor duplicates an event. On a
// (re)assignment, partitions this consumer has applied before resume from its own offsets.
// Rejected events go to a RejectedEventLog (`events_rejected`) with their topic, partition
// and offset; every counter is kept per topic-partition for system.ingest and /metrics.
//
// Durability: with options.ingest.store, each batch is applied under the store's
// ApplyScope and leaves each partition's next offset as the position
// "kafka/TOPIC/PARTITION" (KafkaSource), which a checkpoint persists with the data; a
// new consumer starts from the positions the store loaded, so after a crash every
// event is applied exactly once.
// Back-pressure: at memory_limit_bytes (table + rejected events) every assigned partition
// is paused, and resumed below 95% of it; PauseIngest() does the same for an operator.
// Nothing is dropped: messages already fetched are still applied.
// Lost offsets: MUA needs every offset of a partition from its start offset on — the
// broker's log start when the partition was first assigned to this MUA (persisted at
// once), or its stored offset. A partition it knows is always assigned at the offset it
// needs; when the next message lies beyond it and the broker's log now starts after it
// (retention removed what MUA had not read; librdkafka then resets to the earliest
// offset), the gap is counted (gap_messages), logged as a LOST line, and consumption goes
// on. Every partition keeps the accounting identity of ingest/kafka_accounting.h, persisted
// with the offsets.
//
//   MUA_ASSIGN_OR_RETURN(auto consumer, KafkaConsumer::Open({.brokers = "127.0.0.1:9092"},
//                                                           &table));
//   std::thread loop([&] { status = consumer->Run(); });
//   ...; consumer->RequestStop(); loop.join(); MUA_RETURN_IF_ERROR(consumer->Stop());
//
// Thread safety: PollBatch/Run/Stop from one thread at a time; RequestStop, PauseIngest,
// ResumeIngest, set_memory_limit and the accessors from any thread.
#pragma once

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <tuple>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "ingest/ingest_options.h"
#include "ingest/reject_reason.h"
#include "ingest/rejected_event.h"
#include "ingest/rejected_event_log.h"
#include "storage/base/latency_histogram.h"

namespace mua {

class Table;

struct KafkaConsumerOptions {
  std::string brokers;  // bootstrap list, HOST:PORT[,HOST:PORT...]
  std::vector<std::string> topics = {"mobile_app_events"};
  std::string group = "mua";
  size_t batch_max_events = 10'000;                        // a micro-batch ends at this many
  size_t batch_max_bytes = size_t{16} << 20;               // or at this many payload bytes
  absl::Duration batch_max_wait = absl::Milliseconds(100);  // or this long after it starts
  // Explicit assignment (a cluster replica, SPEC §11): when non-empty, exactly these
  // partitions of every topic are consumed, with no group rebalancing; `group` then only
  // names where the offsets are committed (each replica its own).
  std::vector<int32_t> partitions;
  // With explicit partitions, a cluster's shard count and its topics' partition count: each
  // appended event's key (the message key, else its user id when ids are not hashed) is
  // placed as Java clients place it (murmur2, partitioner=murmur2_random); one that lands on
  // another shard's partition is counted as misplaced: its user may be split across shards,
  // and per-user results no longer add up exactly. 0: no check.
  int32_t cluster_shards = 0;
  int32_t cluster_topic_partitions = 0;
  // Extra librdkafka properties (security.protocol, session.timeout.ms...); override ours.
  std::map<std::string, std::string> config;
  IngestOptions ingest;  // decoding, dedup, rows per Table::Append, threads, rejects kept
  // Pause consumption while the table and the rejected events hold this many bytes; 0: no
  // limit. Adjustable later with set_memory_limit().
  size_t memory_limit_bytes = 0;
  // Where warnings go (lost offsets, pauses); default: stderr with a "mua: " prefix.
  std::function<void(const std::string&)> log;
  // Partitions this consumer has applied nothing from start at the earliest
  // retained offset instead of the group's committed one: MUA's offsets belong
  // with its data, and an in-memory table starts empty (the durable version
  // stores them with the segments). False: resume from the group's offsets.
  bool ignore_group_offsets = true;
};

struct OffsetJump;

struct TopicPartition {
  std::string topic;
  int32_t partition = 0;

  friend bool operator<(const TopicPartition& a, const TopicPartition& b) {
    return std::tie(a.topic, a.partition) < std::tie(b.topic, b.partition);
  }
  friend bool operator==(const TopicPartition& a, const TopicPartition& b) {
    return a.topic == b.topic && a.partition == b.partition;
  }
};

// The store position name of a topic-partition: "kafka/TOPIC/PARTITION".
std::string KafkaSource(const TopicPartition& partition);

// The first offset the brokers still hold of each of `partitions` of `topic` (its log
// start): above 0, retention has removed messages a new replica would need. Errors:
// Unavailable when the brokers do not answer within `timeout`.
absl::StatusOr<std::map<int32_t, int64_t>> LogStartOffsets(const std::string& brokers, const std::string& topic,
                                                           const std::vector<int32_t>& partitions,
                                                           const std::map<std::string, std::string>& config,
                                                           absl::Duration timeout = absl::Seconds(10));

// What system.ingest shows for one topic-partition.
struct PartitionIngestStats {
  int64_t applied_offset = -1;   // next offset to consume (end_offset): all before it are in the Table
  int64_t start_offset = -1;     // the first offset MUA needed from the partition; -1 unknown
  int64_t high_watermark = -1;   // the broker's log end offset, as last fetched; -1 unknown
  int64_t lag = 0;               // high_watermark - applied_offset, when both are known
  int64_t messages = 0;          // = events + duplicates + rejected
  int64_t events = 0;            // rows appended
  int64_t duplicates = 0;
  int64_t rejected = 0;
  std::array<int64_t, kNumRejectReasons> rejected_by_reason{};
  int64_t last_event_time_ms = 0;  // newest event_time of an appended row; 0 none yet
  int64_t gap_messages = 0;  // offsets lost: removed by the broker before MUA read them
  int64_t gaps = 0;          // times that happened
  int64_t skipped_offsets = 0;  // offsets in the broker's log without a message (markers)
  int64_t misplaced_events = 0;  // appended, but their key belongs to another shard (cluster)
  int64_t last_applied_at_ms = 0;  // when the newest batch became queryable; 0 never
  int64_t freshness_ms = -1;  // produce -> queryable of that batch's oldest message; -1 unknown
  double events_per_second = 0;  // appended rows over the last few seconds
  bool paused = false;
  // Rate window, for events_per_second.
  int64_t rate_since_ms = 0;
  int64_t rate_since_events = 0;
};

struct KafkaConsumerStats {
  int64_t batches = 0;
  int64_t assigned_partitions = 0;  // by the group now (0 while joining after a restart)
  int64_t messages = 0;
  int64_t events = 0;
  int64_t duplicates = 0;
  int64_t rejected = 0;
  int64_t gap_messages = 0;
  int64_t skipped_offsets = 0;
  int64_t misplaced_events = 0;  // see KafkaConsumerOptions::cluster_shards
  int64_t redelivered = 0;  // messages before a partition's applied offset, ignored
  double wait_seconds = 0;   // polling messages (a thread of its own, beside the applying)
  double apply_seconds = 0;  // decoding, de-duplicating, appending
  bool paused_for_memory = false;
  bool paused_by_operator = false;
  int64_t pauses = 0;            // times consumption was paused
  int64_t consumer_errors = 0;   // transient errors reported by librdkafka (it retries)
  int64_t commit_errors = 0;     // failed offset commits (the next commit covers them)
  // Errors librdkafka reports outside any message: brokers unreachable or down, transport
  // and authentication failures (it reconnects by itself). Not a degradation of the data.
  int64_t broker_errors = 0;
  std::string last_error;
};

class KafkaConsumer {
 public:
  // Creates the consumer and subscribes to options.topics; partitions are assigned on the
  // first polls. `table` is not owned and must outlive the consumer.
  // Errors: InvalidArgument for a bad option; Unavailable when librdkafka refuses.
  static absl::StatusOr<std::unique_ptr<KafkaConsumer>> Open(const KafkaConsumerOptions& options,
                                                             Table* table);
  ~KafkaConsumer();  // Stop()s if needed, ignoring its errors
  KafkaConsumer(const KafkaConsumer&) = delete;
  KafkaConsumer& operator=(const KafkaConsumer&) = delete;

  // Consumes one micro-batch (up to batch_max_events messages or batch_max_bytes within
  // batch_max_wait), appends it and commits its offsets. Returns the number of messages
  // applied (0 when none came). Errors: Unavailable on a fatal librdkafka error;
  // Table::Append's errors (the batch's offsets are then not applied). REQUIRES: not stopped.
  absl::StatusOr<size_t> PollBatch();

  // PollBatch until RequestStop() or an error (returned), pipelined: a thread of its own
  // polls the next batch while this one appends the last.
  absl::Status Run();
  void RequestStop() { stop_requested_.store(true); }

  // Commits the applied offsets synchronously, leaves the group and closes. Idempotent.
  // Errors: Unavailable when the final commit or the close fails.
  absl::Status Stop();

  // Operator pause (SYSTEM STOP INGEST / START INGEST): takes effect on the next poll.
  void PauseIngest() { operator_pause_.store(true); }
  void ResumeIngest() { operator_pause_.store(false); }
  void set_memory_limit(size_t bytes) { memory_limit_.store(bytes); }
  size_t memory_limit() const { return memory_limit_.load(); }  // bytes; 0: no limit

  std::map<TopicPartition, PartitionIngestStats> partitions() const;
  KafkaConsumerStats stats() const;
  std::vector<RejectedEvent> rejected_events() const;  // oldest first
  // Produce -> queryable latency of every message applied (Kafka CreateTime to the end
  // of its batch's append).
  LatencyHistogram::Counts freshness() const { return freshness_.Snapshot(); }

 private:
  struct Handles;
  struct Batch;
  KafkaConsumer(const KafkaConsumerOptions& options, Table* table);
  // Polls one micro-batch (the fetching thread of Run).
  absl::Status Fetch(Batch* batch);
  absl::Status Apply(Batch& batch);
  absl::Status ApplyTimed(Batch& batch);  // Apply, counted in stats_.apply_seconds
  absl::Status CommitApplied(bool async);
  void OnRebalance(int err, void* partitions);
  // Takes `partitions` (an rd_kafka_topic_partition_list_t), each resuming at the offset
  // this consumer applied up to (StartPartitions for those it never had).
  void Assign(void* partitions, bool cooperative);
  void OnCommit(int err);
  void NoteError(const std::string& error, bool commit);
  void NoteBrokerError(const std::string& error);
  void UpdatePause();
  void SetPaused(bool paused);
  OffsetJump CountJump(const std::string& topic, int32_t partition, int64_t needed, int64_t got);
  void StartPartitions(void* partitions);
  void Persist(const std::map<TopicPartition, PartitionIngestStats>& partitions);
  void Log(const std::string& message) const;

  const KafkaConsumerOptions options_;
  Table* const table_;
  std::unique_ptr<Handles> handles_;
  std::atomic<bool> stop_requested_{false};
  std::atomic<bool> operator_pause_{false};
  std::atomic<size_t> memory_limit_;
  bool stopped_ = false;
  bool paused_ = false;  // partitions paused (the fetching thread only)
  bool paused_for_memory_ = false;
  absl::Time memory_checked_at_ = absl::InfinitePast();
  std::unique_ptr<RejectedEventLog> own_rejected_log_;
  RejectedEventLog* rejected_log_;
  LatencyHistogram freshness_;

  mutable absl::Mutex mu_;
  std::map<TopicPartition, PartitionIngestStats> partitions_ ABSL_GUARDED_BY(mu_);
  KafkaConsumerStats stats_ ABSL_GUARDED_BY(mu_);
};

}  // namespace mua
