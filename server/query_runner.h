// QueryRunner: the one door through which every endpoint runs SQL — the SQL endpoint,
// the REST API and the Grafana datasource alike — so the caller's role is checked on
// the parsed statement where it executes (never guessed from a request body), and
// every statement gets the same limits, admission control and system.processes entry.
//
//   MUA_ASSIGN_OR_RETURN(PreparedStatement statement, SqlEngine::Prepare(user_text));
//   if (statement.kind != StatementKind::kSelect) ...;  // what the endpoint can show
//   absl::StatusOr<StatementOutput> out = runner.Run(statement, SqlOrigin::kUser);
//   absl::StatusOr<StatementOutput> m = runner.Run(composed_sql, SqlOrigin::kBuiltIn);
//
// Thread safety: Run may be called concurrently.
#pragma once

#include <cstdint>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "server/auth.h"
#include "sql/sql_engine.h"

namespace mua {

enum class SqlOrigin {
  // Text the caller wrote (the SQL endpoint, /api/v1/query, Grafana's SQL targets,
  // variables and annotations): needs analyst for reads, admin for writes.
  kUser,
  // Text the caller wrote where only reading makes sense (Grafana, /api/v1/query):
  // needs analyst, and only SELECT, EXPLAIN, SHOW and DESCRIBE run.
  kUserReadOnly,
  // SQL MUA composed from checked parameters (REST metrics, Grafana's fixed metrics):
  // runs for any role, and may only read.
  kBuiltIn,
};

class QueryRunner {
 public:
  virtual ~QueryRunner() = default;
  // Errors: PermissionDenied when the caller's role may not run the statement;
  // whatever parsing, limits and execution report.
  virtual absl::StatusOr<StatementOutput> Run(const PreparedStatement& statement, SqlOrigin origin) const = 0;
  // Prepares `sql`, then runs it.
  absl::StatusOr<StatementOutput> Run(absl::string_view sql, SqlOrigin origin) const;
};

// Whether `principal` may run a statement needing `access` coming from `origin`;
// `read_only_request` (a GET) refuses every statement that writes. PermissionDenied or
// FailedPrecondition else.
absl::Status AuthorizeStatement(StatementAccess access, const Principal& principal, SqlOrigin origin,
                                bool read_only_request);

// Runs statements straight on an engine with AuthorizeStatement and no limits: for
// tests and for tools that serve one trusted user.
class EngineQueryRunner : public QueryRunner {
 public:
  // REQUIRES: `engine` outlives the runner.
  EngineQueryRunner(const SqlEngine* engine, Principal principal)
      : engine_(engine), principal_(std::move(principal)) {}
  using QueryRunner::Run;
  absl::StatusOr<StatementOutput> Run(const PreparedStatement& statement, SqlOrigin origin) const override;

 private:
  const SqlEngine* engine_;
  const Principal principal_;
};

}  // namespace mua
