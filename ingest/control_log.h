// ControlLog: the changes every node of a cluster must apply, in one order (GDPR erasures,
// dimension tables' DDL and rows; docs/CLUSTER.md), kept in a Kafka topic of one partition.
// Any node appends; every node consumes the whole topic in order and applies each message,
// so a node that was down, or is rebuilt, applies what it missed — an erased user never
// comes back from a replay.
//
//   MUA_ASSIGN_OR_RETURN(auto log, ControlLog::Open({.brokers = b, .state_file = f, .apply = fn}));
//   MUA_ASSIGN_OR_RETURN(int64_t offset, log->Append(message));  // acknowledged (acks=all)
//   MUA_RETURN_IF_ERROR(log->WaitApplied(offset, deadline));      // applied on this node too
//
// Exactly once per node: the next offset to apply is kept in `state_file` (written and
// synced after each message). A message that may not be idempotent gets a note before it
// is applied (`prepare`, e.g. a table's row count), kept durably with its offset: a node
// that dies while applying it asks `took_effect` at restart instead of applying it twice.
// Without a state file every start replays the topic from its beginning.
//
// Thread safety: Append and WaitApplied from any thread; `apply` runs on the log's thread.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace mua {

class KafkaEventProducer;

struct ControlLogOptions {
  std::string brokers;
  std::string topic = "mua_control";
  std::string state_file;  // "" : replay from the topic's beginning at every start
  std::function<void(int64_t offset, absl::string_view message)> apply;
  std::function<std::string(absl::string_view message)> prepare;  // may be null
  std::function<bool(absl::string_view message, absl::string_view note)> took_effect;  // with prepare
  std::function<void(const std::string&)> log;  // warnings; default: stderr
  std::map<std::string, std::string> config;    // extra librdkafka properties
};

class ControlLog {
 public:
  // Starts consuming. Errors: InvalidArgument for a bad property; DataLoss when the state
  // file is damaged; Internal when a Kafka client cannot be created.
  static absl::StatusOr<std::unique_ptr<ControlLog>> Open(ControlLogOptions options);
  ~ControlLog();
  ControlLog(const ControlLog&) = delete;
  ControlLog& operator=(const ControlLog&) = delete;

  // Appends `message`; returns its offset once Kafka acknowledged it. Errors: Unavailable.
  absl::StatusOr<int64_t> Append(absl::string_view message);
  // Waits until the message at `offset` is applied here. Errors: DeadlineExceeded.
  absl::Status WaitApplied(int64_t offset, absl::Time deadline) const;

  int64_t next_offset() const;  // the next offset to apply
  int64_t errors() const;       // read errors, offsets found missing, offsets not saved
  const std::string& topic() const { return options_.topic; }

 private:
  explicit ControlLog(ControlLogOptions options);
  absl::Status LoadState();
  absl::Status SaveState(int64_t next, absl::string_view pending_note, bool pending) const;
  void Run();

  struct Handles;
  const ControlLogOptions options_;
  std::unique_ptr<Handles> handles_;
  std::unique_ptr<KafkaEventProducer> producer_;
  mutable absl::Mutex mu_;
  int64_t next_offset_ ABSL_GUARDED_BY(mu_) = 0;
  int64_t errors_ ABSL_GUARDED_BY(mu_) = 0;
  // From the state file: a message being applied when the node stopped, and its note.
  int64_t pending_offset_ = -1;
  std::string pending_note_;
};

}  // namespace mua
