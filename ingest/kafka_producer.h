// KafkaEventProducer: ingest through the log (cluster mode, docs/CLUSTER.md). Events an
// HTTP request brings to any node are produced to Kafka keyed by user id, as a Java client
// places them (partitioner=murmur2_random), by an idempotent producer with acks=all; the
// owning shard's replicas then consume them like any other event. A request is answered
// once Kafka has acknowledged every one of its events.
//
//   MUA_ASSIGN_OR_RETURN(auto producer, KafkaEventProducer::Open({.brokers = b, .topic = t}));
//   KafkaEventProducer::Delivery delivery(producer.get());
//   for (...) MUA_RETURN_IF_ERROR(delivery.Send(clear_user_id, event_text, /*table_row=*/false));
//   MUA_RETURN_IF_ERROR(delivery.Wait());  // every Send acknowledged by the brokers
//
// A message of an INSERT's row (rows of the events table, not SDK events) carries the
// header `mua-format: events-row`, so consumers decode it as the node that took it did
// (its `attributes` member is that column).
//
// Thread safety: the producer is shared; one Delivery per request.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

struct rd_kafka_s;
struct rd_kafka_message_s;

namespace mua {

// The header naming a message that is a row of the events table (its value: kEventsRowFormat).
inline constexpr absl::string_view kFormatHeader = "mua-format";
inline constexpr absl::string_view kEventsRowFormat = "events-row";

struct KafkaProducerOptions {
  std::string brokers;
  std::string topic = "mobile_app_events";
  int32_t partition = -1;  // every message to this partition; -1: placed by key (murmur2)
  // How long Kafka may take to acknowledge a message before its request fails.
  absl::Duration delivery_timeout = absl::Seconds(30);
  std::map<std::string, std::string> config;  // extra librdkafka properties; override ours
};

class KafkaEventProducer {
 public:
  // Errors: InvalidArgument for a property librdkafka refuses; Internal when the
  // producer cannot be created.
  static absl::StatusOr<std::unique_ptr<KafkaEventProducer>> Open(const KafkaProducerOptions& options);
  ~KafkaEventProducer();  // waits up to delivery_timeout for messages in flight
  KafkaEventProducer(const KafkaEventProducer&) = delete;
  KafkaEventProducer& operator=(const KafkaEventProducer&) = delete;

  const std::string& topic() const { return options_.topic; }
  int64_t produced() const;  // messages Kafka acknowledged
  int64_t failed() const;    // messages Kafka did not take (their requests failed)

  // One request's messages and their acknowledgments.
  class Delivery {
   public:
    explicit Delivery(KafkaEventProducer* producer) : producer_(producer) {}
    ~Delivery();  // waits for what was sent: the callbacks refer to it
    Delivery(const Delivery&) = delete;
    Delivery& operator=(const Delivery&) = delete;

    // Queues one message (waiting while the local queue is full). Errors: Unavailable
    // when librdkafka refuses it.
    absl::Status Send(absl::string_view key, absl::string_view value, bool table_row);
    // Waits until every message sent is acknowledged (acks=all) or failed. Errors:
    // Unavailable with the first delivery error and how many of the messages Kafka took.
    absl::Status Wait();
    int64_t acknowledged() const;
    int64_t last_offset() const;  // of the last message acknowledged, -1 before any

   private:
    friend class KafkaEventProducer;
    void Done(bool ok, int64_t offset, absl::string_view error);

    KafkaEventProducer* const producer_;
    mutable absl::Mutex mu_;
    int64_t pending_ ABSL_GUARDED_BY(mu_) = 0;
    int64_t acknowledged_ ABSL_GUARDED_BY(mu_) = 0;
    int64_t failed_ ABSL_GUARDED_BY(mu_) = 0;
    int64_t last_offset_ ABSL_GUARDED_BY(mu_) = -1;
    std::string first_error_ ABSL_GUARDED_BY(mu_);
  };

 private:
  struct Handles;
  explicit KafkaEventProducer(const KafkaProducerOptions& options);
  static void OnDelivery(rd_kafka_s* kafka, const rd_kafka_message_s* message, void* opaque);
  void PollLoop();

  const KafkaProducerOptions options_;
  std::unique_ptr<Handles> handles_;
};

}  // namespace mua
