// The statements about user-created tables: CREATE TABLE, DROP TABLE, TRUNCATE,
// SHOW CREATE TABLE, EXISTS, INSERT ... VALUES and INSERT ... SELECT. They run
// against the catalog's TableManager (sql/table_manager.h); expressions (VALUES
// that are not plain literals, DEFAULTs, the SELECT of INSERT SELECT) run as
// SELECT statements through `run_select`, so they get the caller's limits.
//
//   DdlContext context{&catalog, [&](absl::string_view sql) { return RunSelect(sql); }};
//   MUA_ASSIGN_OR_RETURN(ResultSet result, ExecuteDdl(statement, context));
//
// Thread safety: stateless; the TableManager serializes what it must.
#pragma once

#include <functional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "query/result_set.h"
#include "sql/ast.h"
#include "sql/table_manager.h"

namespace mua {

class Catalog;

struct DdlContext {
  const Catalog* catalog = nullptr;
  // Runs one SELECT statement (text) as the current statement's caller and returns its rows.
  std::function<absl::StatusOr<ResultSet>(absl::string_view select_sql)> run_select;
};

// Whether ExecuteDdl runs statements of this kind.
bool IsDdlStatement(StatementKind kind);

// Runs `statement`; DDL and INSERT answer an empty result, SHOW CREATE one `statement`
// String row, EXISTS one `result` UInt8 row. Errors: positioned SQL errors (NotFound for
// unknown tables, AlreadyExists..., InvalidArgument for what MUA does not support, with
// the reason); Unimplemented when the server has no TableManager.
absl::StatusOr<ResultSet> ExecuteDdl(const Statement& statement, const DdlContext& context);

// One row with a value for every column of `spec`: the column's DEFAULT expression
// evaluated now, or a NULL (type Nothing) that the TableManager turns into the type's
// default (or NULL for a Nullable column), as an INSERT leaving the column out gets.
absl::StatusOr<ResultSet> EvaluateDefaults(const TableSpec& spec, const DdlContext& context);

// ClickHouse's SHOW CREATE TABLE text for a created table.
std::string ShowCreateText(const TableSpec& spec);

}  // namespace mua
