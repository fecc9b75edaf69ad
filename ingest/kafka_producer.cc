#include "ingest/kafka_producer.h"

#include <algorithm>
#include <atomic>
#include <thread>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "ingest/internal/kafka_conf.h"
#include "librdkafka/rdkafka.h"

namespace mua {

struct KafkaEventProducer::Handles {
  struct KafkaDeleter {
    void operator()(rd_kafka_t* handle) const { rd_kafka_destroy(handle); }
  };
  std::unique_ptr<rd_kafka_t, KafkaDeleter> kafka;
  std::atomic<bool> stop{false};
  std::atomic<int64_t> produced{0};
  std::atomic<int64_t> failed{0};
  std::thread poller;  // serves the delivery callbacks
};

void KafkaEventProducer::OnDelivery(rd_kafka_t*, const rd_kafka_message_t* message, void* opaque) {
  auto* handles = static_cast<Handles*>(opaque);
  const bool ok = message->err == RD_KAFKA_RESP_ERR_NO_ERROR;
  (ok ? handles->produced : handles->failed).fetch_add(1, std::memory_order_relaxed);
  if (message->_private != nullptr) {
    static_cast<Delivery*>(message->_private)->Done(ok, message->offset, ok ? "" : rd_kafka_err2str(message->err));
  }
}

KafkaEventProducer::KafkaEventProducer(const KafkaProducerOptions& options)
    : options_(options), handles_(std::make_unique<Handles>()) {}

absl::StatusOr<std::unique_ptr<KafkaEventProducer>> KafkaEventProducer::Open(const KafkaProducerOptions& options) {
  std::unique_ptr<KafkaEventProducer> producer(new KafkaEventProducer(options));
  absl::StatusOr<rd_kafka_conf_t*> made = ingest_internal::NewKafkaConf({
      {"bootstrap.servers", options.brokers},
      // Exactly once into the log: retries never duplicate or reorder a message.
      {"enable.idempotence", "true"},
      {"acks", "all"},
      // Java clients' placement of keyed messages: each user on one partition, so one shard.
      {"partitioner", "murmur2_random"},
      {"linger.ms", "5"},
      {"delivery.timeout.ms", absl::StrCat(absl::ToInt64Milliseconds(options.delivery_timeout))},
  }, options.config);
  if (!made.ok()) return absl::InvalidArgumentError(absl::StrCat("Kafka producer: ", made.status().message()));
  rd_kafka_conf_t* conf = *made;
  char error[512];
  rd_kafka_conf_set_dr_msg_cb(conf, &OnDelivery);
  rd_kafka_conf_set_opaque(conf, producer->handles_.get());
  rd_kafka_t* kafka = rd_kafka_new(RD_KAFKA_PRODUCER, conf, error, sizeof(error));
  if (kafka == nullptr) {
    rd_kafka_conf_destroy(conf);
    return absl::InternalError(absl::StrCat("cannot create the Kafka producer: ", error));
  }
  producer->handles_->kafka.reset(kafka);
  producer->handles_->poller = std::thread([raw = producer.get()] { raw->PollLoop(); });
  return producer;
}

KafkaEventProducer::~KafkaEventProducer() {
  if (handles_->kafka != nullptr) {
    rd_kafka_flush(handles_->kafka.get(), static_cast<int>(absl::ToInt64Milliseconds(options_.delivery_timeout)));
  }
  handles_->stop = true;
  if (handles_->poller.joinable()) handles_->poller.join();
  handles_->kafka.reset();
}

void KafkaEventProducer::PollLoop() {
  while (!handles_->stop.load()) rd_kafka_poll(handles_->kafka.get(), 100);
}

int64_t KafkaEventProducer::produced() const { return handles_->produced.load(); }
int64_t KafkaEventProducer::failed() const { return handles_->failed.load(); }

KafkaEventProducer::Delivery::~Delivery() {
  absl::MutexLock lock(&mu_);
  mu_.Await(absl::Condition(+[](int64_t* pending) { return *pending == 0; }, &pending_));
}

absl::Status KafkaEventProducer::Delivery::Send(absl::string_view key, absl::string_view value, bool table_row) {
  {
    absl::MutexLock lock(&mu_);
    ++pending_;
  }
  rd_kafka_t* kafka = producer_->handles_->kafka.get();
  while (true) {
    const rd_kafka_resp_err_t err =
        table_row ? rd_kafka_producev(kafka, RD_KAFKA_V_TOPIC(producer_->options_.topic.c_str()),
                                      RD_KAFKA_V_PARTITION(producer_->options_.partition),
                                      RD_KAFKA_V_KEY(key.data(), key.size()),
                                      RD_KAFKA_V_VALUE(const_cast<char*>(value.data()), value.size()),
                                      RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
                                      RD_KAFKA_V_HEADER(kFormatHeader.data(), kEventsRowFormat.data(),
                                                        static_cast<ssize_t>(kEventsRowFormat.size())),
                                      RD_KAFKA_V_OPAQUE(this), RD_KAFKA_V_END)
                  : rd_kafka_producev(kafka, RD_KAFKA_V_TOPIC(producer_->options_.topic.c_str()),
                                      RD_KAFKA_V_PARTITION(producer_->options_.partition),
                                      RD_KAFKA_V_KEY(key.data(), key.size()),
                                      RD_KAFKA_V_VALUE(const_cast<char*>(value.data()), value.size()),
                                      RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_OPAQUE(this),
                                      RD_KAFKA_V_END);
    if (err == RD_KAFKA_RESP_ERR_NO_ERROR) return absl::OkStatus();
    if (err != RD_KAFKA_RESP_ERR__QUEUE_FULL) {
      absl::MutexLock lock(&mu_);
      --pending_;
      return absl::UnavailableError(absl::StrCat("Kafka refused the event: ", rd_kafka_err2str(err)));
    }
    // The local queue is full: wait for the brokers' acknowledgments to drain it.
    absl::SleepFor(absl::Milliseconds(5));
  }
}

void KafkaEventProducer::Delivery::Done(bool ok, int64_t offset, absl::string_view error) {
  absl::MutexLock lock(&mu_);
  --pending_;
  if (ok) {
    ++acknowledged_;
    last_offset_ = std::max(last_offset_, offset);
  } else {
    ++failed_;
    if (first_error_.empty()) first_error_ = std::string(error);
  }
}

absl::Status KafkaEventProducer::Delivery::Wait() {
  absl::MutexLock lock(&mu_);
  mu_.Await(absl::Condition(+[](int64_t* pending) { return *pending == 0; }, &pending_));
  if (failed_ == 0) return absl::OkStatus();
  return absl::UnavailableError(absl::StrCat("Kafka did not take ", failed_, " of the ", failed_ + acknowledged_,
                                             " events (", first_error_, "); the ", acknowledged_,
                                             " it took are stored"));
}

int64_t KafkaEventProducer::Delivery::last_offset() const {
  absl::MutexLock lock(&mu_);
  return last_offset_;
}

int64_t KafkaEventProducer::Delivery::acknowledged() const {
  absl::MutexLock lock(&mu_);
  return acknowledged_;
}

}  // namespace mua
