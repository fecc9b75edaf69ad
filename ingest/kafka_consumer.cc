#include "ingest/kafka_consumer.h"

#include <librdkafka/rdkafka.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <limits>
#include <optional>
#include <thread>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "ingest/dedup.h"
#include "ingest/kafka_accounting.h"
#include "ingest/kafka_producer.h"
#include "ingest/internal/batch_decoder.h"
#include "ingest/internal/event_appender.h"
#include "ingest/internal/kafka_conf.h"
#include "storage/base/status_macros.h"
#include "storage/store.h"
#include "storage/table.h"

namespace mua {
namespace {

using ingest_internal::BatchDecoder;
using ingest_internal::DecodedSlice;
using ingest_internal::Payload;

struct KafkaDeleter {
  void operator()(rd_kafka_t* handle) const { rd_kafka_destroy(handle); }
};
struct PartitionListDeleter {
  void operator()(rd_kafka_topic_partition_list_t* list) const {
    rd_kafka_topic_partition_list_destroy(list);
  }
};
struct MessageDeleter {
  void operator()(rd_kafka_message_t* message) const { rd_kafka_message_destroy(message); }
};
using PartitionList = std::unique_ptr<rd_kafka_topic_partition_list_t, PartitionListDeleter>;
using Message = std::unique_ptr<rd_kafka_message_t, MessageDeleter>;

absl::Status Unavailable(absl::string_view what, rd_kafka_resp_err_t err) {
  return absl::UnavailableError(absl::StrCat("Kafka: ", what, ": ", rd_kafka_err2str(err)));
}

// Adds a batch's counts of one partition to its totals: the terms of the accounting identity
// (kafka_accounting.h) and the new end offset.
void AddCounts(const PartitionIngestStats& add, PartitionIngestStats& total) {
  total.applied_offset = add.applied_offset;
  if (total.start_offset < 0) total.start_offset = add.start_offset;
  total.messages += add.messages;
  total.events += add.events;
  total.duplicates += add.duplicates;
  total.rejected += add.rejected;
  for (int r = 0; r < kNumRejectReasons; ++r) total.rejected_by_reason[r] += add.rejected_by_reason[r];
  total.gap_messages += add.gap_messages;
  total.gaps += add.gaps;
  total.skipped_offsets += add.skipped_offsets;
  total.misplaced_events += add.misplaced_events;
}

// Whether `row`, appended from `message`, belongs to another of options.cluster_shards: its key (the
// message key, else the user id when it is clear) placed as Java clients place it.
// A row of the events table another node produced from an INSERT (kafka_producer.h).
bool IsEventsRow(const rd_kafka_message_t& message) {
  rd_kafka_headers_t* headers = nullptr;
  if (rd_kafka_message_headers(&message, &headers) != RD_KAFKA_RESP_ERR_NO_ERROR) return false;
  const void* value = nullptr;
  size_t size = 0;
  if (rd_kafka_header_get_last(headers, kFormatHeader.data(), &value, &size) != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return false;
  }
  return absl::string_view(static_cast<const char*>(value), size) == kEventsRowFormat;
}

bool Misplaced(const rd_kafka_message_t& message, const EventRow& row, const KafkaConsumerOptions& options) {
  absl::string_view key(static_cast<const char*>(message.key), message.key != nullptr ? message.key_len : 0);
  if (key.empty()) {
    if (options.ingest.decoder.user_id_hasher != nullptr) return false;  // the clear id is gone
    key = row.user_id;
  }
  const int32_t placed = rd_kafka_msg_partitioner_murmur2(nullptr, key.data(), key.size(),
                                                          options.cluster_topic_partitions, nullptr, nullptr);
  return placed % options.cluster_shards != message.partition % options.cluster_shards;
}

// A batch is decoded in parts of at least this many messages, at most kMaxParts of them.
constexpr size_t kPayloadsPerPart = 2000;
constexpr size_t kMaxParts = 8;

}  // namespace

absl::StatusOr<std::map<int32_t, int64_t>> LogStartOffsets(const std::string& brokers, const std::string& topic,
                                                           const std::vector<int32_t>& partitions,
                                                           const std::map<std::string, std::string>& config,
                                                           absl::Duration timeout) {
  absl::StatusOr<rd_kafka_conf_t*> made =
      ingest_internal::NewKafkaConf({{"bootstrap.servers", brokers}, {"group.id", "mua-log-start"}}, config);
  if (!made.ok()) return absl::InvalidArgumentError(absl::StrCat("Kafka: ", made.status().message()));
  rd_kafka_conf_t* conf = *made;
  char error[512];
  std::unique_ptr<rd_kafka_t, void (*)(rd_kafka_t*)> kafka(rd_kafka_new(RD_KAFKA_CONSUMER, conf, error, sizeof(error)),
                                                           rd_kafka_destroy);
  if (kafka == nullptr) {
    rd_kafka_conf_destroy(conf);
    return absl::InternalError(absl::StrCat("cannot create a Kafka client: ", error));
  }
  std::map<int32_t, int64_t> starts;
  for (const int32_t partition : partitions) {
    int64_t low = 0;
    int64_t high = 0;
    const rd_kafka_resp_err_t err = rd_kafka_query_watermark_offsets(
        kafka.get(), topic.c_str(), partition, &low, &high, static_cast<int>(absl::ToInt64Milliseconds(timeout)));
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      return absl::UnavailableError(absl::StrCat("cannot read the log start of ", topic, "/", partition, ": ",
                                                 rd_kafka_err2str(err)));
    }
    starts[partition] = low;
  }
  return starts;
}

std::string KafkaSource(const TopicPartition& partition) {
  return absl::StrCat("kafka/", partition.topic, "/", partition.partition);
}

struct KafkaConsumer::Handles {
  Handles(const IngestOptions& options, Table* table)
      : pipeline(options.decoder, options.threads, nullptr,
                 ingest_internal::EventAppender::Preparation(table, options)),
        appender(table, options, nullptr) {}
  std::unique_ptr<rd_kafka_t, KafkaDeleter> kafka;
  ingest_internal::DecodePipeline pipeline;
  ingest_internal::EventAppender appender;
  std::vector<ingest_internal::Verdict> verdicts;  // per slice
};

// One micro-batch: the messages (owned until applied) and their payloads.
struct KafkaConsumer::Batch {
  std::vector<Message> messages;
  std::vector<Payload> payloads;  // tag = index into messages
  std::vector<int64_t> produced_ms;  // the messages' Kafka timestamps, where known
};

KafkaConsumer::KafkaConsumer(const KafkaConsumerOptions& options, Table* table)
    : options_(options),
      table_(table),
      handles_(std::make_unique<Handles>(options_.ingest, table)),
      memory_limit_(options.memory_limit_bytes),
      rejected_log_(options.ingest.rejected_log) {
  if (rejected_log_ == nullptr) {
    own_rejected_log_ = std::make_unique<RejectedEventLog>(
        RejectedEventLogOptions{.max_rows = options.ingest.max_rejected_kept});
    rejected_log_ = own_rejected_log_.get();
  }
  // Exactly-once across restarts: resume where the persisted data ends, with the counts
  // that go with it.
  if (options_.ingest.store != nullptr) {
    partitions_ = LoadAccounting(options_.ingest.store->positions());
    for (const auto& [key, p] : partitions_) {
      stats_.messages += p.messages;
      stats_.events += p.events;
      stats_.duplicates += p.duplicates;
      stats_.rejected += p.rejected;
      stats_.gap_messages += p.gap_messages;
      stats_.skipped_offsets += p.skipped_offsets;
    }
  }
}

void KafkaConsumer::Log(const std::string& message) const {
  if (options_.log) {
    options_.log(message);
  } else {
    std::fprintf(stderr, "mua: %s\n", message.c_str());
  }
}

KafkaConsumer::~KafkaConsumer() { Stop().IgnoreError(); }

absl::StatusOr<std::unique_ptr<KafkaConsumer>> KafkaConsumer::Open(
    const KafkaConsumerOptions& options, Table* table) {
  if (options.brokers.empty() || options.topics.empty() || options.group.empty() ||
      options.batch_max_events == 0) {
    return absl::InvalidArgumentError(
        "Kafka consumer: brokers, topics and group must be set and batch_max_events >= 1");
  }
  std::unique_ptr<KafkaConsumer> consumer(new KafkaConsumer(options, table));
  std::map<std::string, std::string> settings = {
      {"bootstrap.servers", options.brokers},
      {"group.id", options.group},
      {"enable.auto.commit", "false"},
      {"enable.auto.offset.store", "false"},
      {"auto.offset.reset", "earliest"},
      // Low: mua-kafka-dev holds an empty fetch answer for the whole wait, which
      // otherwise throttles a consumer catching up; real brokers answer when data comes.
      {"fetch.wait.max.ms", "10"},
      // Oversized messages must still arrive whole, to be rejected as too_large rather
      // than stall their partition.
      {"fetch.message.max.bytes", "1048576"},
      // Prefetch deep enough to keep the pipeline fed: with librdkafka's 100 k the
      // consumer group drained mua-kafka-dev at 295 k messages/s, with 1 M at 525 k
      // (kcat -G, 2 M messages, 512 partitions). Memory stays bounded by
      // queued.max.messages.kbytes (64 MB, librdkafka's default).
      {"queued.min.messages", "1000000"},
      // After a crash the group keeps the dead member's partitions until its session
      // expires: 10 s (not librdkafka's 45 s) bounds how long a restarted MUA waits.
      {"session.timeout.ms", "10000"},
      {"heartbeat.interval.ms", "2000"},
  };
  absl::StatusOr<rd_kafka_conf_t*> made = ingest_internal::NewKafkaConf(std::move(settings), options.config);
  if (!made.ok()) return absl::InvalidArgumentError(absl::StrCat("Kafka consumer: ", made.status().message()));
  rd_kafka_conf_t* conf = *made;
  char error[512];
  rd_kafka_conf_set_opaque(conf, consumer.get());
  rd_kafka_conf_set_rebalance_cb(
      conf, [](rd_kafka_t*, rd_kafka_resp_err_t err, rd_kafka_topic_partition_list_t* partitions,
               void* opaque) { static_cast<KafkaConsumer*>(opaque)->OnRebalance(err, partitions); });
  rd_kafka_conf_set_offset_commit_cb(
      conf, [](rd_kafka_t*, rd_kafka_resp_err_t err, rd_kafka_topic_partition_list_t*,
               void* opaque) { static_cast<KafkaConsumer*>(opaque)->OnCommit(err); });
  // Without it librdkafka only logs a broker going away: counted, the alerts can see it.
  rd_kafka_conf_set_error_cb(conf, [](rd_kafka_t*, int, const char* reason, void* opaque) {
    static_cast<KafkaConsumer*>(opaque)->NoteBrokerError(reason);
  });
  consumer->handles_->kafka.reset(rd_kafka_new(RD_KAFKA_CONSUMER, conf, error, sizeof(error)));
  if (consumer->handles_->kafka == nullptr) {
    rd_kafka_conf_destroy(conf);
    return absl::UnavailableError(absl::StrCat("Kafka consumer: ", error));
  }
  rd_kafka_t* kafka = consumer->handles_->kafka.get();
  rd_kafka_poll_set_consumer(kafka);  // commit and rebalance callbacks come from our polls
  if (!options.partitions.empty()) {
    // A cluster replica: exactly its shard's partitions, no group to rebalance them away.
    PartitionList assigned(rd_kafka_topic_partition_list_new(
        static_cast<int>(options.topics.size() * options.partitions.size())));
    for (const std::string& topic : options.topics) {
      for (int32_t partition : options.partitions) {
        rd_kafka_topic_partition_list_add(assigned.get(), topic.c_str(), partition);
      }
    }
    consumer->Assign(assigned.get(), /*cooperative=*/false);
    return consumer;
  }
  PartitionList topics(rd_kafka_topic_partition_list_new(static_cast<int>(options.topics.size())));
  for (const std::string& topic : options.topics) {
    rd_kafka_topic_partition_list_add(topics.get(), topic.c_str(), RD_KAFKA_PARTITION_UA);
  }
  if (const rd_kafka_resp_err_t err = rd_kafka_subscribe(kafka, topics.get()); err) {
    return Unavailable("subscribe", err);
  }
  return consumer;
}

void KafkaConsumer::Assign(void* opaque_partitions, bool cooperative) {
  auto* partitions = static_cast<rd_kafka_topic_partition_list_t*>(opaque_partitions);
  rd_kafka_t* kafka = handles_->kafka.get();
  StartPartitions(partitions);
  {
    // Resume from what this consumer applied, not from what the group last committed.
    absl::MutexLock lock(&mu_);
    for (int i = 0; i < partitions->cnt; ++i) {
      rd_kafka_topic_partition_t& element = partitions->elems[i];
      auto it = partitions_.find({element.topic, element.partition});
      if (it != partitions_.end() && it->second.applied_offset >= 0) {
        element.offset = it->second.applied_offset;
      } else if (options_.ignore_group_offsets) {
        element.offset = RD_KAFKA_OFFSET_BEGINNING;  // start unknown: see Apply
      }
    }
  }
  if (cooperative) {
    rd_kafka_error_t* error = rd_kafka_incremental_assign(kafka, partitions);
    if (error != nullptr) {
      NoteError(rd_kafka_error_string(error), false);
      rd_kafka_error_destroy(error);
    }
  } else if (const rd_kafka_resp_err_t assign_err = rd_kafka_assign(kafka, partitions)) {
    NoteError(absl::StrCat("assign: ", rd_kafka_err2str(assign_err)), false);
  }
  if (paused_) rd_kafka_pause_partitions(kafka, partitions);
  absl::MutexLock lock(&mu_);
  stats_.assigned_partitions = cooperative ? stats_.assigned_partitions + partitions->cnt : partitions->cnt;
}

void KafkaConsumer::OnRebalance(int err, void* opaque_partitions) {
  auto* partitions = static_cast<rd_kafka_topic_partition_list_t*>(opaque_partitions);
  rd_kafka_t* kafka = handles_->kafka.get();
  const bool cooperative = std::strcmp(rd_kafka_rebalance_protocol(kafka), "COOPERATIVE") == 0;
  if (err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
    Assign(partitions, cooperative);
    return;
  }
  if (err != RD_KAFKA_RESP_ERR__REVOKE_PARTITIONS) {
    NoteError(absl::StrCat("rebalance: ", rd_kafka_err2str(static_cast<rd_kafka_resp_err_t>(err))),
              false);
  }
  if (cooperative) {
    rd_kafka_error_t* error = rd_kafka_incremental_unassign(kafka, partitions);
    if (error != nullptr) rd_kafka_error_destroy(error);
  } else {
    rd_kafka_assign(kafka, nullptr);
  }
  absl::MutexLock lock(&mu_);
  stats_.assigned_partitions =
      cooperative ? std::max<int64_t>(0, stats_.assigned_partitions - partitions->cnt) : 0;
}

void KafkaConsumer::StartPartitions(void* opaque_partitions) {
  // A partition MUA has no offset for starts where the broker's log starts now (or at the
  // group's committed offset, when asked to use those): from then on every offset is MUA's
  // to account for. Persisted at once, so that a restart before its first message still
  // knows that the partition's messages since then were needed.
  auto* partitions = static_cast<rd_kafka_topic_partition_list_t*>(opaque_partitions);
  rd_kafka_t* kafka = handles_->kafka.get();
  PartitionList unknown(rd_kafka_topic_partition_list_new(partitions->cnt));
  {
    absl::MutexLock lock(&mu_);
    for (int i = 0; i < partitions->cnt; ++i) {
      const rd_kafka_topic_partition_t& element = partitions->elems[i];
      auto it = partitions_.find({element.topic, element.partition});
      if (it == partitions_.end() || it->second.applied_offset < 0) {
        rd_kafka_topic_partition_list_add(unknown.get(), element.topic, element.partition);
      }
    }
  }
  if (unknown->cnt == 0) return;
  if (!options_.ignore_group_offsets &&
      rd_kafka_committed(kafka, unknown.get(), /*timeout_ms=*/10'000) != RD_KAFKA_RESP_ERR_NO_ERROR) {
    for (int i = 0; i < unknown->cnt; ++i) unknown->elems[i].offset = RD_KAFKA_OFFSET_INVALID;
  }
  std::map<TopicPartition, PartitionIngestStats> started;
  for (int i = 0; i < unknown->cnt; ++i) {
    const rd_kafka_topic_partition_t& element = unknown->elems[i];
    int64_t low = -1;
    int64_t high = -1;
    const rd_kafka_resp_err_t err = rd_kafka_query_watermark_offsets(
        kafka, element.topic, element.partition, &low, &high, /*timeout_ms=*/5000);
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      Log(absl::StrCat("Kafka: the log start of ", element.topic, "/", element.partition,
                       " could not be read (", rd_kafka_err2str(err),
                       "): the partition's accounting starts at its first message"));
      continue;
    }
    const bool committed = !options_.ignore_group_offsets && element.err == RD_KAFKA_RESP_ERR_NO_ERROR &&
                           element.offset >= 0;
    const int64_t start = committed ? element.offset : low;
    started[{element.topic, element.partition}] = {
        .applied_offset = start,
        .start_offset = start,
        .high_watermark = high,
        .lag = std::max<int64_t>(0, high - start)};
  }
  Persist(started);
  absl::MutexLock lock(&mu_);
  for (auto& [key, stats] : started) partitions_[key] = stats;
}

void KafkaConsumer::Persist(const std::map<TopicPartition, PartitionIngestStats>& partitions) {
  if (options_.ingest.store == nullptr || partitions.empty()) return;
  Store::ApplyScope scope = options_.ingest.store->BeginApply();
  for (const auto& [key, stats] : partitions) {
    scope.SetPosition(KafkaSource(key), stats.applied_offset);
    for (const auto& [source, value] : AccountingPositions(key, stats)) scope.SetPosition(source, value);
  }
}

void KafkaConsumer::OnCommit(int err) {
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR && err != RD_KAFKA_RESP_ERR__NO_OFFSET) {
    NoteError(absl::StrCat("commit: ", rd_kafka_err2str(static_cast<rd_kafka_resp_err_t>(err))),
              true);
  }
}

void KafkaConsumer::NoteError(const std::string& error, bool commit) {
  absl::MutexLock lock(&mu_);
  ++(commit ? stats_.commit_errors : stats_.consumer_errors);
  stats_.last_error = error;
}

void KafkaConsumer::NoteBrokerError(const std::string& error) {
  absl::MutexLock lock(&mu_);
  ++stats_.broker_errors;
  stats_.last_error = error;
}

absl::Status KafkaConsumer::Fetch(Batch* batch) {
  rd_kafka_t* kafka = handles_->kafka.get();
  UpdatePause();
  const absl::Time started = absl::Now();
  const absl::Time deadline = started + options_.batch_max_wait;
  size_t batch_bytes = 0;
  while (batch->messages.size() < options_.batch_max_events && batch_bytes < options_.batch_max_bytes &&
         !stop_requested_.load()) {
    const int64_t wait_ms = std::max<int64_t>(0, absl::ToInt64Milliseconds(deadline - absl::Now()));
    Message message(rd_kafka_consumer_poll(kafka, static_cast<int>(wait_ms)));
    if (message == nullptr) {
      if (wait_ms == 0) break;
      continue;
    }
    if (message->err == RD_KAFKA_RESP_ERR__FATAL) {
      char reason[512];
      const rd_kafka_resp_err_t fatal = rd_kafka_fatal_error(kafka, reason, sizeof(reason));
      return absl::UnavailableError(
          absl::StrCat("Kafka consumer: fatal error ", rd_kafka_err2str(fatal), ": ", reason));
    }
    if (message->err) {
      NoteError(rd_kafka_message_errstr(message.get()), false);  // librdkafka retries
      continue;
    }
    batch_bytes += message->len;
    batch->messages.push_back(std::move(message));
  }
  absl::MutexLock lock(&mu_);
  stats_.wait_seconds += absl::ToDoubleSeconds(absl::Now() - started);
  return absl::OkStatus();
}

absl::StatusOr<size_t> KafkaConsumer::PollBatch() {
  if (stopped_) return absl::FailedPreconditionError("Kafka consumer: stopped");
  Batch batch;
  MUA_RETURN_IF_ERROR(Fetch(&batch));
  if (batch.messages.empty()) return 0;
  MUA_RETURN_IF_ERROR(ApplyTimed(batch));
  return batch.messages.size();
}

absl::Status KafkaConsumer::ApplyTimed(Batch& batch) {
  const absl::Time started = absl::Now();
  const absl::Status status = Apply(batch);
  absl::MutexLock lock(&mu_);
  stats_.apply_seconds += absl::ToDoubleSeconds(absl::Now() - started);
  return status;
}

absl::Status KafkaConsumer::Run() {
  if (stopped_) return absl::FailedPreconditionError("Kafka consumer: stopped");
  // Polling a batch out of librdkafka costs about as long as applying one, so a thread of
  // its own polls the next batch while this one applies the last. A rebalance (run by
  // librdkafka inside the poll) may then pass while a polled batch waits: harmless, since
  // an assignment resumes at the offsets applied so far and Apply skips what it already
  // applied.
  struct Handoff {
    absl::Mutex mu;  // guards the rest
    std::optional<Batch> ready;
    bool fetcher_done = false;
    bool applier_done = false;  // after an apply error: the fetcher stops too
    absl::Status fetch_status;
  } handoff;
  std::thread fetcher([&] {
    absl::Status status;
    while (status.ok() && !stop_requested_.load()) {
      Batch batch;
      status = Fetch(&batch);
      if (!status.ok() || batch.messages.empty()) continue;
      absl::MutexLock lock(&handoff.mu);
      handoff.mu.Await(absl::Condition(
          +[](Handoff* h) { return !h->ready.has_value() || h->applier_done; }, &handoff));
      if (handoff.applier_done) break;
      handoff.ready = std::move(batch);
    }
    absl::MutexLock lock(&handoff.mu);
    handoff.fetcher_done = true;
    handoff.fetch_status = status;
  });
  absl::Status status;
  for (;;) {
    std::optional<Batch> batch;
    {
      absl::MutexLock lock(&handoff.mu);
      handoff.mu.Await(absl::Condition(
          +[](Handoff* h) { return h->ready.has_value() || h->fetcher_done; }, &handoff));
      if (!handoff.ready.has_value()) {
        status = handoff.fetch_status;
        break;
      }
      batch = std::exchange(handoff.ready, std::nullopt);
    }
    status = ApplyTimed(*batch);
    if (!status.ok()) break;
  }
  // A batch polled but never applied is consumed again after a restart (its offsets were
  // never recorded).
  {
    absl::MutexLock lock(&handoff.mu);
    handoff.applier_done = true;
  }
  fetcher.join();
  return status;
}

OffsetJump KafkaConsumer::CountJump(const std::string& topic, int32_t partition, int64_t needed,
                                    int64_t got) {
  // A jump in offsets is normal (transaction markers, compaction) unless the broker's log
  // now starts after the offset MUA needed: then retention removed unread messages. When the
  // log start cannot be read, the jump counts as lost: a loss must never pass unseen.
  int64_t low = -1;
  int64_t high = -1;
  rd_kafka_resp_err_t err = RD_KAFKA_RESP_ERR_NO_ERROR;
  for (int attempt = 0; attempt < 3; ++attempt) {
    err = rd_kafka_query_watermark_offsets(handles_->kafka.get(), topic.c_str(), partition, &low,
                                           &high, /*timeout_ms=*/5000);
    if (err == RD_KAFKA_RESP_ERR_NO_ERROR) break;
    low = -1;
  }
  const OffsetJump jump = ClassifyJump(needed, got, low);
  if (jump.lost > 0) {
    Log(absl::StrCat("LOST ", jump.lost, " messages of ", topic, "/", partition, " (offsets ", needed,
                     "..", needed + jump.lost - 1, "): ",
                     low >= 0 ? "the broker removed them before MUA read them"
                              : absl::StrCat("the broker's log start could not be read (",
                                             rd_kafka_err2str(err), "), so the whole jump counts"),
                     "; continuing from offset ", got));
  }
  return jump;
}

void KafkaConsumer::SetPaused(bool paused) {
  rd_kafka_t* kafka = handles_->kafka.get();
  rd_kafka_topic_partition_list_t* raw_assignment = nullptr;
  if (rd_kafka_assignment(kafka, &raw_assignment) != RD_KAFKA_RESP_ERR_NO_ERROR) return;
  PartitionList assignment(raw_assignment);
  const rd_kafka_resp_err_t err = paused ? rd_kafka_pause_partitions(kafka, assignment.get())
                                         : rd_kafka_resume_partitions(kafka, assignment.get());
  if (err) NoteError(absl::StrCat(paused ? "pause: " : "resume: ", rd_kafka_err2str(err)), false);
  paused_ = paused;
}

void KafkaConsumer::UpdatePause() {
  const bool by_operator = operator_pause_.load();
  const size_t limit = memory_limit_.load();
  bool for_memory = paused_for_memory_;
  size_t used = 0;
  // Table::Memory() walks every segment: a few times a second is enough.
  const absl::Time now = absl::Now();
  if (limit == 0) {
    for_memory = false;
  } else if (now - memory_checked_at_ >= absl::Milliseconds(200)) {
    memory_checked_at_ = now;
    used = table_->Memory().total_bytes() + rejected_log_->bytes();
    // Hysteresis: once paused, wait until 5% is free again.
    for_memory = used >= (paused_ ? limit / 20 * 19 : limit);
  }
  paused_for_memory_ = for_memory;
  const bool pause = by_operator || for_memory;
  {
    absl::MutexLock lock(&mu_);
    if (for_memory && !stats_.paused_for_memory) {
      Log(absl::StrCat("memory limit reached (", used, " of ", limit,
                       " bytes): consumption paused, nothing dropped"));
    }
    stats_.paused_by_operator = by_operator;
    stats_.paused_for_memory = for_memory;
    if (pause && !paused_) ++stats_.pauses;
    for (auto& [key, partition] : partitions_) partition.paused = pause;
  }
  if (pause != paused_) SetPaused(pause);
}

absl::Status KafkaConsumer::Apply(Batch& batch) {
  // Counters of this batch per partition, merged only once all its rows are appended.
  std::map<TopicPartition, PartitionIngestStats> delta;
  std::map<TopicPartition, int64_t> needed;  // next offset per partition before this batch
  {
    absl::MutexLock lock(&mu_);
    for (const auto& [key, partition] : partitions_) needed[key] = partition.applied_offset;
  }
  std::vector<PartitionIngestStats*> stats_of(batch.messages.size());
  int64_t oldest_produced_ms = std::numeric_limits<int64_t>::max();
  int64_t redelivered = 0;
  const rd_kafka_message_t* previous = nullptr;
  for (size_t i = 0; i < batch.messages.size(); ++i) {
    const rd_kafka_message_t* message = batch.messages[i].get();
    if (previous != nullptr && previous->rkt == message->rkt &&
        previous->partition == message->partition) {
      stats_of[i] = stats_of[i - 1];
    } else {
      TopicPartition key{rd_kafka_topic_name(message->rkt), message->partition};
      stats_of[i] = &delta[key];
      if (stats_of[i]->applied_offset < 0) {
        auto it = needed.find(key);
        stats_of[i]->applied_offset = it == needed.end() ? -1 : it->second;
      }
    }
    PartitionIngestStats* stats = stats_of[i];
    previous = message;
    if (stats->applied_offset < 0) {
      // Its log start could not be read at assignment: the accounting starts here.
      stats->applied_offset = stats->start_offset = message->offset;
      Log(absl::StrCat("Kafka: ", rd_kafka_topic_name(message->rkt), "/", message->partition,
                       " is accounted from offset ", message->offset,
                       "; a loss before it cannot be counted"));
    }
    if (message->offset < stats->applied_offset) {
      ++redelivered;  // already applied (and counted): applying it again would count it twice
      continue;
    }
    if (message->offset > stats->applied_offset) {
      const OffsetJump jump = CountJump(rd_kafka_topic_name(message->rkt), message->partition,
                                        stats->applied_offset, message->offset);
      stats->gap_messages += jump.lost;
      stats->gaps += jump.lost > 0 ? 1 : 0;
      stats->skipped_offsets += jump.skipped;
    }
    stats->applied_offset = message->offset + 1;
    ++stats->messages;
    batch.payloads.push_back(
        {absl::string_view(static_cast<const char*>(message->payload), message->len),
         static_cast<int64_t>(i), IsEventsRow(*message)});
    rd_kafka_timestamp_type_t type;
    const int64_t produced_ms = rd_kafka_message_timestamp(message, &type);
    if (type != RD_KAFKA_TIMESTAMP_NOT_AVAILABLE && produced_ms > 0) {
      oldest_produced_ms = std::min(oldest_produced_ms, produced_ms);
      batch.produced_ms.push_back(produced_ms);
    }
  }

  const int64_t now_ms = absl::ToUnixMillis(options_.ingest.now.value_or(absl::Now()));
  std::vector<RejectedEvent> rejected;
  absl::Status status;
  // From the first check to the stored positions: one batch for a checkpoint.
  std::optional<Store::ApplyScope> scope;
  if (options_.ingest.store != nullptr) scope.emplace(options_.ingest.store->BeginApply());
  ingest_internal::EventAppender& appender = handles_->appender;
  std::vector<ingest_internal::Verdict>& verdicts = handles_->verdicts;
  appender.set_scope(scope ? &*scope : nullptr);
  auto collect = [&](BatchDecoder& decoded) {
    for (DecodedSlice& slice : decoded.slices()) {
      for (ingest_internal::Rejection& rejection : slice.rejections) {
        const rd_kafka_message_t* message = batch.messages[rejection.tag].get();
        PartitionIngestStats* stats = stats_of[rejection.tag];
        ++stats->rejected;
        ++stats->rejected_by_reason[static_cast<size_t>(rejection.error.reason)];
        const char* topic = rd_kafka_topic_name(message->rkt);
        rejected.push_back({.raw = std::move(rejection.raw),
                            .reason = rejection.error.reason,
                            .message = std::move(rejection.error.message),
                            .source = absl::StrCat(topic, "/", message->partition, "/", message->offset),
                            .rejected_at = rejection.at,
                            .topic = topic,
                            .partition = message->partition,
                            .offset = message->offset,
                            .user_id = std::move(rejection.user_id)});
      }
      appender.Offer(slice, &verdicts);
      for (size_t i = 0; i < slice.rows.size(); ++i) {
        const EventRow& row = slice.rows[i];
        const int64_t tag = slice.row_tags[i];
        PartitionIngestStats* stats = stats_of[tag];
        switch (verdicts[i]) {
          case ingest_internal::Verdict::kAccepted:
            ++stats->events;
            stats->last_event_time_ms = std::max(stats->last_event_time_ms, row.event_time_ms);
            if (options_.cluster_shards > 0 && Misplaced(*batch.messages[tag], row, options_)) ++stats->misplaced_events;
            break;
          case ingest_internal::Verdict::kDuplicate:
            ++stats->duplicates;
            break;
          case ingest_internal::Verdict::kErased: {
            ++stats->rejected;
            ++stats->rejected_by_reason[static_cast<size_t>(RejectReason::kErasedUser)];
            const rd_kafka_message_t* message = batch.messages[tag].get();
            const char* topic = rd_kafka_topic_name(message->rkt);
            rejected.push_back({.reason = RejectReason::kErasedUser,
                                .message = "the user was erased (GDPR); the payload is not kept",
                                .source = absl::StrCat(topic, "/", message->partition, "/", message->offset),
                                .rejected_at = absl::Now(),
                                .topic = topic,
                                .partition = message->partition,
                                .offset = message->offset});
            break;
          }
        }
      }
    }
  };
  // In parts: the workers decode a part while this thread appends the one before.
  const absl::Span<const Payload> payloads(batch.payloads);
  const size_t parts = std::clamp<size_t>(payloads.size() / kPayloadsPerPart, 1, kMaxParts);
  const size_t per_part = (payloads.size() + parts - 1) / parts;
  // The parts' rows stay valid until Release: they are appended in Table::Append batches of
  // IngestOptions::batch_rows, not a small one per part (each append updates the bitmaps).
  for (size_t begin = 0; begin < payloads.size(); begin += per_part) {
    if (BatchDecoder* decoded = handles_->pipeline.Submit(payloads.subspan(begin, per_part), now_ms)) {
      collect(*decoded);
    }
  }
  // Always: no part may still be decoding once the batch's messages are freed.
  if (BatchDecoder* decoded = handles_->pipeline.Finish()) collect(*decoded);
  status = appender.Flush();
  handles_->pipeline.Release();
  if (!status.ok()) return status;
  if (scope) {
    // The offsets and the counts that account for them, in the checkpoint with the rows.
    std::map<TopicPartition, PartitionIngestStats> totals;
    {
      absl::MutexLock lock(&mu_);
      for (const auto& [key, add] : delta) {
        auto it = partitions_.find(key);
        totals[key] = it == partitions_.end() ? PartitionIngestStats{} : it->second;
      }
    }
    for (auto& [key, total] : totals) {
      AddCounts(delta[key], total);
      scope->SetPosition(KafkaSource(key), total.applied_offset);
      for (const auto& [source, value] : AccountingPositions(key, total)) scope->SetPosition(source, value);
    }
    // Under the scope that moves the offsets past them: a checkpoint holds them exactly once.
    rejected_log_->Append(std::move(rejected));
    rejected.clear();
    scope.reset();
  }
  rejected_log_->Append(std::move(rejected));

  // Queryable now: record freshness, the offsets, then commit them for lag tools and restarts.
  const int64_t applied_ms = absl::ToUnixMillis(absl::Now());
  for (const int64_t produced_ms : batch.produced_ms) {
    freshness_.Record(absl::Milliseconds(std::max<int64_t>(0, applied_ms - produced_ms)));
  }
  rd_kafka_t* kafka = handles_->kafka.get();
  PartitionList commit(rd_kafka_topic_partition_list_new(static_cast<int>(delta.size())));
  {
    absl::MutexLock lock(&mu_);
    ++stats_.batches;
    stats_.messages += static_cast<int64_t>(batch.messages.size()) - redelivered;
    stats_.redelivered += redelivered;
    for (const auto& [key, add] : delta) {
      PartitionIngestStats& total = partitions_[key];
      AddCounts(add, total);
      total.last_event_time_ms = std::max(total.last_event_time_ms, add.last_event_time_ms);
      total.last_applied_at_ms = applied_ms;
      if (oldest_produced_ms != std::numeric_limits<int64_t>::max()) {
        total.freshness_ms = std::max<int64_t>(0, applied_ms - oldest_produced_ms);
      }
      if (total.rate_since_ms == 0) {
        total.rate_since_ms = applied_ms;
      } else if (applied_ms - total.rate_since_ms >= 2000) {
        total.events_per_second = static_cast<double>(total.events - total.rate_since_events) * 1000.0 /
                                  static_cast<double>(applied_ms - total.rate_since_ms);
        total.rate_since_ms = applied_ms;
        total.rate_since_events = total.events;
      }
      int64_t low = -1;
      int64_t high = -1;
      if (rd_kafka_get_watermark_offsets(kafka, key.topic.c_str(), key.partition, &low, &high) ==
              RD_KAFKA_RESP_ERR_NO_ERROR &&
          high >= 0) {
        total.high_watermark = std::max(total.high_watermark, high);
      }
      total.lag = total.high_watermark >= 0
                      ? std::max<int64_t>(0, total.high_watermark - total.applied_offset)
                      : 0;
      stats_.events += add.events;
      stats_.duplicates += add.duplicates;
      stats_.rejected += add.rejected;
      stats_.gap_messages += add.gap_messages;
      stats_.skipped_offsets += add.skipped_offsets;
      stats_.misplaced_events += add.misplaced_events;
      rd_kafka_topic_partition_list_add(commit.get(), key.topic.c_str(), key.partition)->offset =
          add.applied_offset;
    }
  }
  if (const rd_kafka_resp_err_t err = rd_kafka_commit(kafka, commit.get(), /*async=*/1)) {
    NoteError(absl::StrCat("commit: ", rd_kafka_err2str(err)), true);
  }
  return absl::OkStatus();
}

absl::Status KafkaConsumer::CommitApplied(bool async) {
  rd_kafka_t* kafka = handles_->kafka.get();
  rd_kafka_topic_partition_list_t* raw_assignment = nullptr;
  if (const rd_kafka_resp_err_t err = rd_kafka_assignment(kafka, &raw_assignment)) {
    return Unavailable("assignment", err);
  }
  PartitionList assignment(raw_assignment);
  PartitionList commit(rd_kafka_topic_partition_list_new(assignment->cnt));
  {
    // Only partitions still assigned: others may be another member's now.
    absl::MutexLock lock(&mu_);
    for (int i = 0; i < assignment->cnt; ++i) {
      const rd_kafka_topic_partition_t& element = assignment->elems[i];
      auto it = partitions_.find({element.topic, element.partition});
      if (it == partitions_.end() || it->second.applied_offset < 0) continue;
      rd_kafka_topic_partition_list_add(commit.get(), element.topic, element.partition)->offset =
          it->second.applied_offset;
    }
  }
  if (commit->cnt == 0) return absl::OkStatus();
  const rd_kafka_resp_err_t err = rd_kafka_commit(kafka, commit.get(), async ? 1 : 0);
  if (err && err != RD_KAFKA_RESP_ERR__NO_OFFSET) return Unavailable("commit", err);
  return absl::OkStatus();
}

absl::Status KafkaConsumer::Stop() {
  if (stopped_) return absl::OkStatus();
  stopped_ = true;
  if (handles_->kafka == nullptr) return absl::OkStatus();  // Open failed before the handle
  stop_requested_.store(true);
  absl::Status status = CommitApplied(/*async=*/false);
  if (const rd_kafka_resp_err_t err = rd_kafka_consumer_close(handles_->kafka.get())) {
    if (status.ok()) status = Unavailable("close", err);
  }
  handles_->kafka.reset();
  return status;
}

std::map<TopicPartition, PartitionIngestStats> KafkaConsumer::partitions() const {
  absl::MutexLock lock(&mu_);
  std::map<TopicPartition, PartitionIngestStats> partitions = partitions_;
  // A partition that has not applied a batch lately is not ingesting, whatever its last rate.
  const int64_t now_ms = absl::ToUnixMillis(absl::Now());
  for (auto& [key, partition] : partitions) {
    if (now_ms - partition.last_applied_at_ms > 5000) partition.events_per_second = 0;
  }
  return partitions;
}

KafkaConsumerStats KafkaConsumer::stats() const {
  absl::MutexLock lock(&mu_);
  return stats_;
}

std::vector<RejectedEvent> KafkaConsumer::rejected_events() const {
  return rejected_log_->Rows();
}

}  // namespace mua
