#include "ingest/kafka_consumer.h"

#include <librdkafka/rdkafka.h>

#include <algorithm>
#include <cstring>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "ingest/dedup.h"
#include "ingest/internal/batch_decoder.h"
#include "storage/base/status_macros.h"
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

}  // namespace

struct KafkaConsumer::Handles {
  explicit Handles(const IngestOptions& options)
      : decoder(options.decoder, options.threads), dedup(options.dedup) {
    if (dedup == nullptr) {
      own_dedup = std::make_unique<Deduplicator>(
          DedupOptions{.horizon_days = options.decoder.retention_days,
                       .max_entries = options.dedup_max_entries});
      dedup = own_dedup.get();
    }
  }
  std::unique_ptr<rd_kafka_t, KafkaDeleter> kafka;
  BatchDecoder decoder;
  Deduplicator* dedup;
  std::unique_ptr<Deduplicator> own_dedup;
  std::vector<EventRow> rows;  // one Table::Append's worth
};

// One micro-batch: the messages (owned until applied) and their payloads.
struct KafkaConsumer::Batch {
  std::vector<Message> messages;
  std::vector<Payload> payloads;  // tag = index into messages
};

KafkaConsumer::KafkaConsumer(const KafkaConsumerOptions& options, Table* table)
    : options_(options), table_(table), handles_(std::make_unique<Handles>(options.ingest)) {}

KafkaConsumer::~KafkaConsumer() { Stop().IgnoreError(); }

absl::StatusOr<std::unique_ptr<KafkaConsumer>> KafkaConsumer::Open(
    const KafkaConsumerOptions& options, Table* table) {
  if (options.brokers.empty() || options.topics.empty() || options.group.empty() ||
      options.batch_max_events == 0) {
    return absl::InvalidArgumentError(
        "Kafka consumer: brokers, topics and group must be set and batch_max_events >= 1");
  }
  std::unique_ptr<KafkaConsumer> consumer(new KafkaConsumer(options, table));
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  std::map<std::string, std::string> settings = {
      {"bootstrap.servers", options.brokers},
      {"group.id", options.group},
      {"enable.auto.commit", "false"},
      {"enable.auto.offset.store", "false"},
      {"auto.offset.reset", "earliest"},
      {"fetch.wait.max.ms", "100"},
  };
  for (const auto& [name, value] : options.config) settings[name] = value;
  char error[512];
  for (const auto& [name, value] : settings) {
    if (rd_kafka_conf_set(conf, name.c_str(), value.c_str(), error, sizeof(error)) != RD_KAFKA_CONF_OK) {
      rd_kafka_conf_destroy(conf);
      return absl::InvalidArgumentError(absl::StrCat("Kafka consumer: ", name, ": ", error));
    }
  }
  rd_kafka_conf_set_opaque(conf, consumer.get());
  rd_kafka_conf_set_rebalance_cb(
      conf, [](rd_kafka_t*, rd_kafka_resp_err_t err, rd_kafka_topic_partition_list_t* partitions,
               void* opaque) { static_cast<KafkaConsumer*>(opaque)->OnRebalance(err, partitions); });
  rd_kafka_conf_set_offset_commit_cb(
      conf, [](rd_kafka_t*, rd_kafka_resp_err_t err, rd_kafka_topic_partition_list_t*,
               void* opaque) { static_cast<KafkaConsumer*>(opaque)->OnCommit(err); });
  consumer->handles_->kafka.reset(rd_kafka_new(RD_KAFKA_CONSUMER, conf, error, sizeof(error)));
  if (consumer->handles_->kafka == nullptr) {
    rd_kafka_conf_destroy(conf);
    return absl::UnavailableError(absl::StrCat("Kafka consumer: ", error));
  }
  rd_kafka_t* kafka = consumer->handles_->kafka.get();
  rd_kafka_poll_set_consumer(kafka);  // commit and rebalance callbacks come from our polls
  PartitionList topics(rd_kafka_topic_partition_list_new(static_cast<int>(options.topics.size())));
  for (const std::string& topic : options.topics) {
    rd_kafka_topic_partition_list_add(topics.get(), topic.c_str(), RD_KAFKA_PARTITION_UA);
  }
  if (const rd_kafka_resp_err_t err = rd_kafka_subscribe(kafka, topics.get()); err) {
    return Unavailable("subscribe", err);
  }
  return consumer;
}

void KafkaConsumer::OnRebalance(int err, void* opaque_partitions) {
  auto* partitions = static_cast<rd_kafka_topic_partition_list_t*>(opaque_partitions);
  rd_kafka_t* kafka = handles_->kafka.get();
  const bool cooperative = std::strcmp(rd_kafka_rebalance_protocol(kafka), "COOPERATIVE") == 0;
  if (err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
    {
      // Resume from what this consumer applied, not from what the group last committed.
      absl::MutexLock lock(&mu_);
      for (int i = 0; i < partitions->cnt; ++i) {
        rd_kafka_topic_partition_t& element = partitions->elems[i];
        auto it = partitions_.find({element.topic, element.partition});
        if (it != partitions_.end() && it->second.applied_offset >= 0) {
          element.offset = it->second.applied_offset;
        } else if (options_.ignore_group_offsets) {
          element.offset = RD_KAFKA_OFFSET_BEGINNING;
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

absl::StatusOr<size_t> KafkaConsumer::PollBatch() {
  if (stopped_) return absl::FailedPreconditionError("Kafka consumer: stopped");
  rd_kafka_t* kafka = handles_->kafka.get();
  Batch batch;
  const absl::Time deadline = absl::Now() + options_.batch_max_wait;
  while (batch.messages.size() < options_.batch_max_events && !stop_requested_.load()) {
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
    batch.payloads.push_back(
        {absl::string_view(static_cast<const char*>(message->payload), message->len),
         static_cast<int64_t>(batch.messages.size())});
    batch.messages.push_back(std::move(message));
  }
  if (batch.messages.empty()) return 0;
  MUA_RETURN_IF_ERROR(Apply(batch));
  return batch.messages.size();
}

absl::Status KafkaConsumer::Apply(Batch& batch) {
  // Counters of this batch per partition, merged only once all its rows are appended.
  std::map<TopicPartition, PartitionIngestStats> delta;
  std::vector<PartitionIngestStats*> stats_of(batch.messages.size());
  const rd_kafka_message_t* previous = nullptr;
  for (size_t i = 0; i < batch.messages.size(); ++i) {
    const rd_kafka_message_t* message = batch.messages[i].get();
    if (previous != nullptr && previous->rkt == message->rkt &&
        previous->partition == message->partition) {
      stats_of[i] = stats_of[i - 1];
    } else {
      stats_of[i] = &delta[{rd_kafka_topic_name(message->rkt), message->partition}];
    }
    stats_of[i]->applied_offset = std::max(stats_of[i]->applied_offset, message->offset + 1);
    ++stats_of[i]->messages;
    previous = message;
  }

  const absl::Time now = options_.ingest.now.value_or(absl::Now());
  handles_->decoder.Decode(batch.payloads, absl::ToUnixMillis(now));
  std::vector<RejectedEvent> rejected;
  absl::Status status;
  std::vector<EventRow>& rows = handles_->rows;
  for (DecodedSlice& slice : handles_->decoder.slices()) {
    for (ingest_internal::Rejection& rejection : slice.rejections) {
      const rd_kafka_message_t* message = batch.messages[rejection.tag].get();
      PartitionIngestStats* stats = stats_of[rejection.tag];
      ++stats->rejected;
      ++stats->rejected_by_reason[static_cast<size_t>(rejection.error.reason)];
      rejected.push_back({.raw = std::move(rejection.raw),
                          .reason = rejection.error.reason,
                          .message = std::move(rejection.error.message),
                          .source = absl::StrCat(rd_kafka_topic_name(message->rkt), "/",
                                                 message->partition, "/", message->offset),
                          .rejected_at = rejection.at});
    }
    for (size_t i = 0; i < slice.rows.size() && status.ok(); ++i) {
      const EventRow& row = slice.rows[i];
      PartitionIngestStats* stats = stats_of[slice.row_tags[i]];
      if (handles_->dedup->SeenBefore(row.user_id, row.event_id, row.event_time_ms)) {
        ++stats->duplicates;
        continue;
      }
      ++stats->events;
      stats->last_event_time_ms = std::max(stats->last_event_time_ms, row.event_time_ms);
      rows.push_back(row);
      if (rows.size() >= options_.ingest.batch_rows) {
        status = table_->Append(rows);
        rows.clear();
      }
    }
  }
  if (status.ok() && !rows.empty()) status = table_->Append(rows);
  rows.clear();  // the rows borrow from the decoder's arenas: drop both together
  handles_->decoder.Clear();
  MUA_RETURN_IF_ERROR(status);

  // Applied: record the offsets, then commit them to Kafka for lag tools and restarts.
  rd_kafka_t* kafka = handles_->kafka.get();
  PartitionList commit(rd_kafka_topic_partition_list_new(static_cast<int>(delta.size())));
  {
    absl::MutexLock lock(&mu_);
    ++stats_.batches;
    stats_.messages += static_cast<int64_t>(batch.messages.size());
    for (const auto& [key, add] : delta) {
      PartitionIngestStats& total = partitions_[key];
      total.applied_offset = add.applied_offset;
      total.messages += add.messages;
      total.events += add.events;
      total.duplicates += add.duplicates;
      total.rejected += add.rejected;
      for (int r = 0; r < kNumRejectReasons; ++r) {
        total.rejected_by_reason[r] += add.rejected_by_reason[r];
      }
      total.last_event_time_ms = std::max(total.last_event_time_ms, add.last_event_time_ms);
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
      rd_kafka_topic_partition_list_add(commit.get(), key.topic.c_str(), key.partition)->offset =
          add.applied_offset;
    }
    const size_t kept = options_.ingest.max_rejected_kept;
    for (RejectedEvent& event : rejected) {
      rejected_.push_back(std::move(event));
      if (rejected_.size() > kept) {
        rejected_.pop_front();
        ++stats_.rejected_dropped;
      }
    }
  }
  if (const rd_kafka_resp_err_t err = rd_kafka_commit(kafka, commit.get(), /*async=*/1)) {
    NoteError(absl::StrCat("commit: ", rd_kafka_err2str(err)), true);
  }
  return absl::OkStatus();
}

absl::Status KafkaConsumer::Run() {
  while (!stop_requested_.load()) {
    MUA_RETURN_IF_ERROR(PollBatch().status());
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
  return partitions_;
}

KafkaConsumerStats KafkaConsumer::stats() const {
  absl::MutexLock lock(&mu_);
  return stats_;
}

std::vector<RejectedEvent> KafkaConsumer::rejected_events() const {
  absl::MutexLock lock(&mu_);
  return std::vector<RejectedEvent>(rejected_.begin(), rejected_.end());
}

}  // namespace mua
