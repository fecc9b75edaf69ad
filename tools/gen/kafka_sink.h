// KafkaSink produces JSON lines to a Kafka topic, one message per line, keyed by the line's
// user_id (lines without a string user_id get a stable hash of their bytes as key), batched
// and lz4-compressed, optionally paced to a fixed rate. Not thread-safe.
//
//   MUA_ASSIGN_OR_RETURN(auto sink, KafkaSink::Open({.brokers = "127.0.0.1:9092",
//                                                    .topic = "mobile_app_events"}));
//   MUA_RETURN_IF_ERROR(sink->Write(chunk));  // whole lines, '\n'-terminated
//   MUA_RETURN_IF_ERROR(sink->Close());       // flushes; every message delivered or an error
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

struct rd_kafka_s;
struct rd_kafka_message_s;

namespace mua::gen {

struct KafkaSinkOptions {
  std::string brokers;               // bootstrap list, HOST:PORT[,HOST:PORT...]
  std::string topic;                 // must exist (or be auto-created by the broker)
  double rate = 0;                   // messages per second; 0: as fast as possible
  // How long a batch may wait to fill. mua-kafka-dev returns one batch per partition per
  // fetch, so bigger batches (longer linger) let a consumer read faster from it.
  int linger_ms = 20;
  int connect_timeout_ms = 10'000;   // for the first metadata request
  int delivery_timeout_ms = 30'000;  // per message (librdkafka message.timeout.ms)
};

class KafkaSink {
 public:
  // Connects and checks that the topic exists. Errors: Unavailable when no broker answers
  // within connect_timeout_ms or the topic is unknown; InvalidArgument for a bad option.
  static absl::StatusOr<std::unique_ptr<KafkaSink>> Open(const KafkaSinkOptions& options);
  ~KafkaSink();
  KafkaSink(const KafkaSink&) = delete;
  KafkaSink& operator=(const KafkaSink&) = delete;

  // Produces each '\n'-terminated line of `chunk` (without the '\n') as one message;
  // waits as needed for the rate and for room in the local queue. Returns the first
  // delivery error seen so far (Unavailable).
  absl::Status Write(absl::string_view chunk);

  // Waits until every message is delivered or has failed; returns the first failure.
  absl::Status Close();

  int64_t produced() const { return produced_; }    // messages handed to librdkafka
  int64_t delivered() const { return delivered_; }  // messages acknowledged by the broker

 private:
  struct Handles;
  explicit KafkaSink(const KafkaSinkOptions& options);
  absl::Status Produce(absl::string_view line);
  void Pace();
  static void OnDelivery(rd_kafka_s* handle, const rd_kafka_message_s* message, void* opaque);

  const KafkaSinkOptions options_;
  std::unique_ptr<Handles> handles_;
  int64_t produced_ = 0;
  int64_t delivered_ = 0;
  absl::Status error_;  // first delivery error
  int64_t start_ns_ = 0;
};

}  // namespace mua::gen
