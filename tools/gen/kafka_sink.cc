#include "tools/gen/kafka_sink.h"

#include <chrono>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "librdkafka/rdkafka.h"

namespace mua::gen {
namespace {

constexpr absl::string_view kUserIdKey = "\"user_id\":\"";

int64_t NowNanos() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// The first string "user_id" of the line (flat or nested shape; both put it before
// properties), else a stable FNV-1a hash of the line, so invalid lines spread over partitions.
absl::string_view KeyOf(absl::string_view line, std::string* scratch) {
  const size_t at = line.find(kUserIdKey);
  if (at != absl::string_view::npos) {
    const size_t begin = at + kUserIdKey.size();
    const size_t end = line.find('"', begin);
    if (end != absl::string_view::npos && end > begin) return line.substr(begin, end - begin);
  }
  uint64_t hash = 14695981039346656037ull;
  for (const char c : line) hash = (hash ^ static_cast<unsigned char>(c)) * 1099511628211ull;
  *scratch = absl::StrFormat("invalid-%016x", hash);
  return *scratch;
}

}  // namespace

struct KafkaSink::Handles {
  struct KafkaDeleter {
    void operator()(rd_kafka_t* handle) const { rd_kafka_destroy(handle); }
  };
  struct TopicDeleter {
    void operator()(rd_kafka_topic_t* topic) const { rd_kafka_topic_destroy(topic); }
  };
  std::unique_ptr<rd_kafka_t, KafkaDeleter> kafka;
  std::unique_ptr<rd_kafka_topic_t, TopicDeleter> topic;  // destroyed before kafka
  std::string key_scratch;
};

KafkaSink::KafkaSink(const KafkaSinkOptions& options)
    : options_(options), handles_(std::make_unique<Handles>()) {}

KafkaSink::~KafkaSink() {
  // Unflushed messages are dropped: Close() is the way to deliver them.
  if (handles_->kafka != nullptr) rd_kafka_purge(handles_->kafka.get(), RD_KAFKA_PURGE_F_QUEUE);
  handles_->topic.reset();
  handles_->kafka.reset();
}

void KafkaSink::OnDelivery(rd_kafka_s*, const rd_kafka_message_s* message, void* opaque) {
  auto* sink = static_cast<KafkaSink*>(opaque);
  if (message->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
    ++sink->delivered_;
  } else if (sink->error_.ok()) {
    sink->error_ = absl::UnavailableError(absl::StrCat("delivering to topic ", sink->options_.topic,
                                                       " at ", sink->options_.brokers, ": ",
                                                       rd_kafka_err2str(message->err)));
  }
}

absl::StatusOr<std::unique_ptr<KafkaSink>> KafkaSink::Open(const KafkaSinkOptions& options) {
  if (options.brokers.empty() || options.topic.empty()) {
    return absl::InvalidArgumentError("Kafka brokers and topic must not be empty");
  }
  if (!(options.rate >= 0)) return absl::InvalidArgumentError("rate must be >= 0");
  std::unique_ptr<KafkaSink> sink(new KafkaSink(options));
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  char error[512];
  // Big lz4 batches: the mock broker keeps ~5 MB per partition, and real brokers like them.
  const std::pair<const char*, std::string> settings[] = {
      {"bootstrap.servers", options.brokers},
      {"compression.type", "lz4"},
      // Keyed by user id with Java clients' hash (librdkafka's own default hashes keys
      // differently): a MUA cluster's shards own partitions, so a user must map to one
      // partition whichever client produced it (SPEC §11, docs/CLUSTER.md).
      {"partitioner", "murmur2_random"},
      {"linger.ms", absl::StrCat(options.linger_ms)},
      {"batch.num.messages", "10000"},
      {"batch.size", "1000000"},
      {"queue.buffering.max.messages", "1000000"},
      {"queue.buffering.max.kbytes", "1048576"},
      {"message.timeout.ms", absl::StrCat(options.delivery_timeout_ms)},
      {"socket.connection.setup.timeout.ms", absl::StrCat(options.connect_timeout_ms)},
      {"log_level", "2"},  // errors come back as Status; no duplicate log lines
  };
  for (const auto& [name, value] : settings) {
    if (rd_kafka_conf_set(conf, name, value.c_str(), error, sizeof(error)) != RD_KAFKA_CONF_OK) {
      rd_kafka_conf_destroy(conf);
      return absl::InvalidArgumentError(absl::StrCat("Kafka setting ", name, ": ", error));
    }
  }
  rd_kafka_conf_set_dr_msg_cb(conf, &KafkaSink::OnDelivery);
  rd_kafka_conf_set_opaque(conf, sink.get());
  sink->handles_->kafka.reset(rd_kafka_new(RD_KAFKA_PRODUCER, conf, error, sizeof(error)));
  if (sink->handles_->kafka == nullptr) {  // conf is still ours on failure
    rd_kafka_conf_destroy(conf);
    return absl::InvalidArgumentError(absl::StrCat("creating the Kafka producer: ", error));
  }
  rd_kafka_t* kafka = sink->handles_->kafka.get();
  sink->handles_->topic.reset(rd_kafka_topic_new(kafka, options.topic.c_str(), nullptr));
  if (sink->handles_->topic == nullptr) {
    return absl::InvalidArgumentError(
        absl::StrCat("Kafka topic ", options.topic, ": ", rd_kafka_err2str(rd_kafka_last_error())));
  }

  // A bounded metadata round trip: fails fast on an unreachable broker or a missing topic.
  const rd_kafka_metadata_t* metadata = nullptr;
  const rd_kafka_resp_err_t err = rd_kafka_metadata(kafka, 0, sink->handles_->topic.get(),
                                                    &metadata, options.connect_timeout_ms);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return absl::UnavailableError(absl::StrCat("Kafka broker ", options.brokers,
                                               " unreachable within ", options.connect_timeout_ms,
                                               " ms: ", rd_kafka_err2str(err)));
  }
  absl::Status topic_status;
  if (metadata->topic_cnt != 1 || metadata->topics[0].err != RD_KAFKA_RESP_ERR_NO_ERROR ||
      metadata->topics[0].partition_cnt == 0) {
    topic_status = absl::UnavailableError(absl::StrCat(
        "Kafka topic ", options.topic, " at ", options.brokers, ": ",
        metadata->topic_cnt == 1 ? rd_kafka_err2str(metadata->topics[0].err) : "not found"));
  }
  rd_kafka_metadata_destroy(metadata);
  if (!topic_status.ok()) return topic_status;
  sink->start_ns_ = NowNanos();
  return sink;
}

void KafkaSink::Pace() {
  const int64_t due_ns =
      start_ns_ + static_cast<int64_t>(static_cast<double>(produced_) * 1e9 / options_.rate);
  const int64_t wait_ns = due_ns - NowNanos();
  if (wait_ns > 1'000'000) {
    rd_kafka_poll(handles_->kafka.get(), 0);
    std::this_thread::sleep_for(std::chrono::nanoseconds(wait_ns));
  }
}

absl::Status KafkaSink::Produce(absl::string_view line) {
  const absl::string_view key = KeyOf(line, &handles_->key_scratch);
  rd_kafka_t* kafka = handles_->kafka.get();
  while (true) {
    const int result = rd_kafka_produce(handles_->topic.get(), RD_KAFKA_PARTITION_UA,
                                        RD_KAFKA_MSG_F_COPY, const_cast<char*>(line.data()),
                                        line.size(), key.data(), key.size(), nullptr);
    if (result == 0) break;
    const rd_kafka_resp_err_t err = rd_kafka_last_error();
    if (err != RD_KAFKA_RESP_ERR__QUEUE_FULL) {
      return absl::UnavailableError(
          absl::StrCat("producing to topic ", options_.topic, ": ", rd_kafka_err2str(err)));
    }
    rd_kafka_poll(kafka, 10);  // the local queue is full: let the broker catch up
    if (!error_.ok()) return error_;
  }
  if (++produced_ % 1024 == 0) rd_kafka_poll(kafka, 0);
  return error_;
}

absl::Status KafkaSink::Write(absl::string_view chunk) {
  while (!chunk.empty()) {
    size_t end = chunk.find('\n');
    if (end == absl::string_view::npos) end = chunk.size();
    if (options_.rate > 0) Pace();
    if (absl::Status status = Produce(chunk.substr(0, end)); !status.ok()) return status;
    chunk.remove_prefix(std::min(end + 1, chunk.size()));
  }
  return error_;
}

absl::Status KafkaSink::Close() {
  rd_kafka_t* kafka = handles_->kafka.get();
  // Every message either arrives or times out (message.timeout.ms), so this ends.
  while (rd_kafka_outq_len(kafka) > 0) rd_kafka_flush(kafka, 1000);
  if (error_.ok() && delivered_ != produced_) {
    error_ = absl::UnavailableError(absl::StrFormat("Kafka: %d of %d messages not delivered",
                                                    produced_ - delivered_, produced_));
  }
  return error_;
}

}  // namespace mua::gen
