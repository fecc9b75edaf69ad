#include "server/query_runner.h"

#include "absl/strings/str_cat.h"
#include "storage/base/status_macros.h"

namespace mua {
namespace {

// The least role a statement written by a user needs.
Role NeededRole(StatementAccess access) {
  switch (access) {
    case StatementAccess::kRead:
    // KILL QUERY of one's own statements; the command itself refuses others'.
    case StatementAccess::kKillOwnQuery:
      return Role::kAnalyst;
    case StatementAccess::kWrite:
      return Role::kAdmin;
  }
  return Role::kAdmin;
}

}  // namespace

absl::StatusOr<StatementOutput> QueryRunner::Run(absl::string_view sql, SqlOrigin origin) const {
  absl::StatusOr<PreparedStatement> statement = SqlEngine::Prepare(sql);
  if (!statement.ok()) return statement.status();
  return Run(*statement, origin);
}

absl::Status AuthorizeStatement(StatementAccess access, const Principal& principal, SqlOrigin origin,
                                bool read_only_request) {
  const bool only_reads = access == StatementAccess::kRead;
  if (origin == SqlOrigin::kBuiltIn) {
    if (only_reads) return absl::OkStatus();
    return absl::PermissionDeniedError("a built-in query may only read");
  }
  const Role need = NeededRole(access);
  if (!Allows(principal.role, need)) {
    return absl::PermissionDeniedError(absl::StrCat(principal.name, " (", RoleName(principal.role),
                                                    ") may not run this statement: it needs the ",
                                                    RoleName(need), " role"));
  }
  if ((read_only_request || origin == SqlOrigin::kUserReadOnly) && !only_reads) {
    if (origin == SqlOrigin::kUserReadOnly) {
      return absl::PermissionDeniedError("only SELECT, EXPLAIN, SHOW and DESCRIBE can run here");
    }
    return absl::FailedPreconditionError("Cannot modify data in a GET request (readonly): use POST");
  }
  return absl::OkStatus();
}

absl::StatusOr<StatementOutput> EngineQueryRunner::Run(const PreparedStatement& statement,
                                                       SqlOrigin origin) const {
  MUA_RETURN_IF_ERROR(AuthorizeStatement(statement.access, principal_, origin, /*read_only_request=*/false));
  ExecuteOptions options;
  options.caller = QueryCaller{principal_.name, principal_.role == Role::kAdmin};
  return engine_->Execute(statement, options);
}

}  // namespace mua
