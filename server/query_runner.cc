#include "server/query_runner.h"

#include "absl/strings/str_cat.h"
#include "sql/ast.h"

namespace mua {
namespace {

// The least role a statement written by a user needs.
Role NeededRole(const Statement& statement) {
  if (StatementOnlyReads(statement.kind)) return Role::kAnalyst;
  // KILL QUERY of one's own statements; the command itself refuses others'.
  if (IsKillQuery(statement)) return Role::kAnalyst;
  return Role::kAdmin;
}

}  // namespace

bool IsKillQuery(const Statement& statement) {
  return statement.kind == StatementKind::kSystem && statement.system_command == "KILL QUERY";
}

bool StatementOnlyReads(StatementKind kind) {
  switch (kind) {
    case StatementKind::kSelect:
    case StatementKind::kShowTables:
    case StatementKind::kShowDatabases:
    case StatementKind::kDescribe:
    case StatementKind::kExplain:
    case StatementKind::kShowCreateTable:
    case StatementKind::kExistsTable:
      return true;
    case StatementKind::kInsert:
    case StatementKind::kDelete:
    case StatementKind::kSystem:
    case StatementKind::kCreateTable:
    case StatementKind::kDropTable:
    case StatementKind::kTruncate:
    case StatementKind::kInsertValues:
    case StatementKind::kInsertSelect:
      return false;
  }
  return false;
}

absl::Status AuthorizeStatement(const Statement& statement, const Principal& principal, SqlOrigin origin,
                                bool read_only_request) {
  if (origin == SqlOrigin::kBuiltIn) {
    if (StatementOnlyReads(statement.kind)) return absl::OkStatus();
    return absl::PermissionDeniedError("a built-in query may only read");
  }
  const Role need = NeededRole(statement);
  if (!Allows(principal.role, need)) {
    return absl::PermissionDeniedError(absl::StrCat(principal.name, " (", RoleName(principal.role),
                                                    ") may not run this statement: it needs the ",
                                                    RoleName(need), " role"));
  }
  if ((read_only_request || origin == SqlOrigin::kUserReadOnly) && !StatementOnlyReads(statement.kind)) {
    if (origin == SqlOrigin::kUserReadOnly) {
      return absl::PermissionDeniedError("only SELECT, EXPLAIN, SHOW and DESCRIBE can run here");
    }
    return absl::FailedPreconditionError("Cannot modify data in a GET request (readonly): use POST");
  }
  return absl::OkStatus();
}

absl::StatusOr<StatementOutput> EngineQueryRunner::Run(absl::string_view sql, SqlOrigin origin) const {
  ExecuteOptions options;
  options.authorize = [&](const Statement& statement) {
    return AuthorizeStatement(statement, principal_, origin, /*read_only_request=*/false);
  };
  options.caller = QueryCaller{principal_.name, principal_.role == Role::kAdmin};
  return engine_->Execute(sql, options);
}

}  // namespace mua
