// KafkaConsumer: consumes JSON events (SPEC §2) from Kafka topics as a librdkafka consumer
// group member and appends them to a Table in micro-batches bounded by count and time
// (SPEC §7). Each batch is decoded in parallel, de-duplicated and appended; only then are
// its offsets recorded as applied and committed to Kafka (asynchronously), so a clean
// Stop() and restart in the same group neither loses nor duplicates an event. On a
// (re)assignment, partitions this consumer has applied before resume from its own offsets.
// Rejected events are kept (newest IngestOptions::max_rejected_kept) with their source
// "TOPIC/PARTITION/OFFSET"; every counter is kept per topic-partition for system.ingest.
//
//   MUA_ASSIGN_OR_RETURN(auto consumer, KafkaConsumer::Open({.brokers = "127.0.0.1:9092"},
//                                                           &table));
//   std::thread loop([&] { status = consumer->Run(); });
//   ...; consumer->RequestStop(); loop.join(); MUA_RETURN_IF_ERROR(consumer->Stop());
//
// Thread safety: PollBatch/Run/Stop from one thread at a time; RequestStop and the
// accessors (partitions(), stats(), rejected_events()) from any thread.
#pragma once

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <deque>
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

namespace mua {

class Table;

struct KafkaConsumerOptions {
  std::string brokers;  // bootstrap list, HOST:PORT[,HOST:PORT...]
  std::vector<std::string> topics = {"mobile_app_events"};
  std::string group = "mua";
  size_t batch_max_events = 10'000;                        // a micro-batch ends at this many
  absl::Duration batch_max_wait = absl::Milliseconds(100);  // or this long after it starts
  // Extra librdkafka properties (security.protocol, session.timeout.ms...); override ours.
  std::map<std::string, std::string> config;
  IngestOptions ingest;  // decoding, dedup, rows per Table::Append, threads, rejects kept
  // Partitions this consumer has applied nothing from start at the earliest
  // retained offset instead of the group's committed one: MUA's offsets belong
  // with its data, and an in-memory table starts empty (the durable version
  // stores them with the segments). False: resume from the group's offsets.
  bool ignore_group_offsets = true;
};

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

// What system.ingest shows for one topic-partition.
struct PartitionIngestStats {
  int64_t applied_offset = -1;   // next offset to consume: all before it are in the Table
  int64_t high_watermark = -1;   // the broker's log end offset, as last fetched; -1 unknown
  int64_t lag = 0;               // high_watermark - applied_offset, when both are known
  int64_t messages = 0;          // = events + duplicates + rejected
  int64_t events = 0;            // rows appended
  int64_t duplicates = 0;
  int64_t rejected = 0;
  std::array<int64_t, kNumRejectReasons> rejected_by_reason{};
  int64_t last_event_time_ms = 0;  // newest event_time of an appended row; 0 none yet
};

struct KafkaConsumerStats {
  int64_t batches = 0;
  int64_t messages = 0;
  int64_t events = 0;
  int64_t duplicates = 0;
  int64_t rejected = 0;
  int64_t rejected_dropped = 0;  // rejected events no longer kept (beyond the bound)
  int64_t consumer_errors = 0;   // transient errors reported by librdkafka (it retries)
  int64_t commit_errors = 0;     // failed offset commits (the next commit covers them)
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

  // Consumes one micro-batch (up to batch_max_events messages within batch_max_wait), appends
  // it and commits its offsets. Returns the number of messages applied (0 when none came).
  // Errors: Unavailable on a fatal librdkafka error; Table::Append's errors (the batch's
  // offsets are then not applied). REQUIRES: not stopped.
  absl::StatusOr<size_t> PollBatch();

  // Calls PollBatch until RequestStop() or an error; returns that error or OK.
  absl::Status Run();
  void RequestStop() { stop_requested_.store(true); }

  // Commits the applied offsets synchronously, leaves the group and closes. Idempotent.
  // Errors: Unavailable when the final commit or the close fails.
  absl::Status Stop();

  std::map<TopicPartition, PartitionIngestStats> partitions() const;
  KafkaConsumerStats stats() const;
  std::vector<RejectedEvent> rejected_events() const;  // oldest first

 private:
  struct Handles;
  struct Batch;
  KafkaConsumer(const KafkaConsumerOptions& options, Table* table);
  absl::Status Apply(Batch& batch);
  absl::Status CommitApplied(bool async);
  void OnRebalance(int err, void* partitions);
  void OnCommit(int err);
  void NoteError(const std::string& error, bool commit);

  const KafkaConsumerOptions options_;
  Table* const table_;
  std::unique_ptr<Handles> handles_;
  std::atomic<bool> stop_requested_{false};
  bool stopped_ = false;

  mutable absl::Mutex mu_;
  std::map<TopicPartition, PartitionIngestStats> partitions_ ABSL_GUARDED_BY(mu_);
  KafkaConsumerStats stats_ ABSL_GUARDED_BY(mu_);
  std::deque<RejectedEvent> rejected_ ABSL_GUARDED_BY(mu_);
};

}  // namespace mua
