// ClusterControl: the statements whose effect every node of a cluster must hold alike go
// through the control topic (ingest/control_log.h) instead of running where they are sent:
// GDPR erasures (`DELETE FROM events WHERE user_id = ...`) and every change to dimension
// tables (CREATE, DROP, TRUNCATE, INSERT VALUES, INSERT ... FORMAT with its rows). Every node
// applies them in the topic's order, so a node that was down or is rebuilt applies them too;
// the node a client sent one to answers with its own application's result.
//
//   if (ClusterControl::Converges(*prepared.statement)) output = control->Submit(sql, params, deadline);
//
// An INSERT into a persisted table that a node was applying when it died is not applied twice:
// the table's row count before it is kept with the control offset.
//
// Thread safety: Submit from any thread.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "ingest/control_log.h"
#include "sql/sql_engine.h"

namespace mua {

class Catalog;
struct Statement;

struct ClusterControlOptions {
  std::string brokers;
  std::string topic = "mua_control";
  std::string self;        // this node's HOST:PORT: the results it waits for are its own
  std::string state_file;  // "" : replayed from the topic's beginning at every start
  std::map<std::string, std::string> config;  // extra librdkafka properties
  size_t max_statement_bytes = 900 << 10;    // one Kafka message
};

class ClusterControl {
 public:
  // REQUIRES: `catalog` and `engine` outlive the control. Errors: ControlLog::Open's.
  static absl::StatusOr<std::unique_ptr<ClusterControl>> Open(ClusterControlOptions options, const Catalog* catalog,
                                                              const SqlEngine* engine);
  ~ClusterControl();

  // Whether `statement` changes what every node holds alike (see the file comment).
  static bool Converges(const Statement& statement);

  // Appends the statement (its whole text with an INSERT's rows, and its query
  // parameters) to the control topic, waits until this node applied it and returns that
  // result (an INSERT's: no rows). Errors: Unimplemented for INSERT ... SELECT (its rows
  // could differ per node); InvalidArgument beyond max_statement_bytes; Unavailable when
  // Kafka does not take it; DeadlineExceeded; the statement's own error.
  absl::StatusOr<StatementOutput> Submit(const std::string& sql, const std::map<std::string, std::string, std::less<>>& params,
                                         absl::Time deadline);

  const ControlLog& log() const { return *log_; }
  size_t max_statement_bytes() const { return options_.max_statement_bytes; }
  int64_t failed() const;  // changes that failed to apply here (each also logged)

 private:
  ClusterControl(ClusterControlOptions options, const Catalog* catalog, const SqlEngine* engine);
  void Apply(int64_t offset, absl::string_view message);
  std::string Prepare(absl::string_view message) const;
  bool TookEffect(absl::string_view message, absl::string_view note) const;

  const ClusterControlOptions options_;
  const Catalog* const catalog_;
  const SqlEngine* const engine_;
  std::unique_ptr<ControlLog> log_;
  mutable absl::Mutex mu_;
  // Statements sent from this node, by id, and their results once applied here.
  absl::flat_hash_set<uint64_t> awaited_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<uint64_t, absl::StatusOr<StatementOutput>> results_ ABSL_GUARDED_BY(mu_);
  int64_t failed_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace mua
