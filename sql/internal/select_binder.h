// SelectBinder: binds one SELECT core (sql/ast.h) into a query block of the
// logical plan (query/logical_plan.h). Private to sql/: binder.cc binds the
// block (FROM, items, clauses), bind_expr.cc the expressions and
// bind_table_function.cc the SPEC §5a table functions. Nothing runs while
// binding: subqueries become prepared inputs or source plans, table
// functions and system tables deferred sources.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "query/logical_plan.h"
#include "sql/ast.h"
#include "sql/binder.h"
#include "sql/sql_error.h"

namespace mua {
struct AnalyticsScope;
struct WindowCallSpec;
namespace query_internal {
class TimeZone;
}  // namespace query_internal
}  // namespace mua

namespace mua::sql_internal {

inline absl::Status ErrorAt(SourcePos pos, absl::StatusCode code, absl::string_view message) {
  return MakeSqlError(code, pos, message);
}

// Gives a status from query/ (which knows no positions) the node's position.
inline absl::Status AtNode(const absl::Status& status, SourcePos pos) {
  if (status.ok() || GetSqlError(status).has_value()) return status;
  return MakeSqlError(status.code(), pos, status.message());
}

struct SourceColumn {
  std::string name;
  DataType type;
  bool is_user = false;
  std::string qualifier;  // a JOIN side's alias or table name (`t.col`); empty otherwise
  bool hidden = false;    // a USING column of the right side: not in `*`
};

// A WITH item and the names visible inside it: the outer ones and the items before
// it, never itself or later ones (non-recursive WITH), so references form no cycle.
struct CteMap;
struct CteDefinition {
  const SelectQuery* query = nullptr;
  std::shared_ptr<const CteMap> scope;
};
struct CteMap : std::map<std::string, CteDefinition, std::less<>> {};

// A table function's `timezone => name` (default UTC) as both zone types; InvalidArgument
// at `pos` for an unknown one.
absl::Status LoadAnalyticsZone(const std::string& name, SourcePos pos, query_internal::TimeZone* zone,
                               absl::TimeZone* absl_zone);

// A table function's `from` or `to` (`argument`; `text` null when not given): a local date or
// date-time in `zone`, as milliseconds; InvalidArgument at `pos` when it does not parse.
absl::StatusOr<std::optional<int64_t>> ParseAnalyticsInstant(absl::string_view argument, const std::string* text,
                                                             SourcePos pos, const query_internal::TimeZone& zone);

// The columns a table function returns (`breakdown`: its breakdown column, if any).
std::shared_ptr<const ResultSet> AnalyticsSchema(absl::string_view name, std::optional<ColumnId> breakdown);

// bind_exists.cc: whether `function` is exists((SELECT ...)), the form `EXISTS (SELECT ...)` parses to.
bool IsExistsCall(const FunctionExpr& function);

// bind_numbers.cc: whether `name` is numbers, numbers_mt, zeros or zeros_mt.
bool IsNumbersSource(absl::string_view name);

// bind_union.cc: the union of `plans` (bound from query.cores) by query.operators.
absl::StatusOr<std::shared_ptr<const SelectPlan>> BindUnion(const SelectQuery& query,
                                                            std::vector<std::shared_ptr<const SelectPlan>> plans);

absl::StatusOr<std::shared_ptr<const SelectPlan>> BindQuery(const SelectQuery& query,
                                                            const BindContext& context,
                                                            const CteMap& ctes);

class SelectBinder {
 public:
  SelectBinder(const SelectCore& core, const BindContext& context, const CteMap& ctes)
      : core_(core), context_(context), ctes_(ctes), plan_(std::make_shared<SelectPlan>()) {}

  absl::StatusOr<std::shared_ptr<const SelectPlan>> Bind();

 private:
  enum class Phase { kSource, kPost };

  absl::Status BindFrom();
  // bind_limit_by.cc: the bound block under `LIMIT n [OFFSET m] BY keys`.
  absl::StatusOr<std::shared_ptr<const SelectPlan>> BindLimitBy();
  // bind_array_join.cc: the FROM's rows through the ARRAY JOIN clauses, as the new source.
  absl::Status BindArrayJoin();
  // bind_window.cc: window calls of the select list and ORDER BY computed over the
  // (filtered) source rows, as the new source; the block binds over the result.
  absl::Status BindWindows();
  // Whether the block has window calls and aggregates (GROUP BY, HAVING or an aggregate
  // call anywhere, window arguments included): windows then run over the groups. Also
  // when an arrayJoin() call's argument holds an aggregate: it joins the groups' rows.
  bool WindowsOverGroups() const;
  // After the GROUP BY keys: the aggregation (keys, aggregates, HAVING) becomes an inner
  // block and the window calls run over its rows; the select list and ORDER BY bind
  // over [keys..., aggregates..., window results...] as if still aggregating, until
  // FinishWindowsOverGroups makes the block a plain one over that source.
  absl::Status BindWindowsOverGroups();
  absl::Status FinishWindowsOverGroups();
  // One window call's arguments, PARTITION BY, ORDER BY and frame; result column `index`.
  absl::Status BindWindowCall(const FunctionExpr& function, Phase phase, size_t index, WindowCallSpec* call);
  // bind_numbers.cc: numbers(...) and the like (`function`), or system.numbers and the
  // like (`function` null): a generated source.
  absl::Status BindNumbers(const FunctionExpr* function, absl::string_view name);
  // bind_with_fill.cc: the bound block under `ORDER BY ... WITH FILL`; `items` are the
  // select list's expressions after * expansion, as outputs were bound from them.
  absl::StatusOr<std::shared_ptr<const SelectPlan>> BindWithFill(
      const std::vector<std::pair<const Expr*, std::string>>& items);
  absl::Status BindTableRef(const TableRef& from);
  // bind_join.cc: `left JOIN right ON ... | USING (...)` as a source.
  absl::Status BindJoin(const TableRef& join);
  // One side of a JOIN as a block of all its columns, with each column's qualifier.
  absl::StatusOr<std::shared_ptr<const SelectPlan>> BindJoinSide(const TableRef& side,
                                                                 std::vector<SourceColumn>* columns);
  // bind_table_function.cc: a deferred source for `FROM fn(name => value, ...)`.
  absl::Status BindAnalytics(const FunctionExpr& function);
  // bind_anomalies.cc: anomalies(...) and anomalous_users(...), over an input block.
  absl::Status BindAnomalies(const FunctionExpr& function);
  // A table function's `where =>` predicate, bound and checked as a WHERE over events.
  absl::Status BindAnalyticsWhere(const Expr& predicate, AnalyticsScope* scope);
  // `scope`: the names visible inside a CTE's query (null: this query's).
  absl::Status BindSubquerySource(const SelectQuery& query, std::string name,
                                  const CteMap* scope = nullptr);
  absl::Status UseRows(std::shared_ptr<const ResultSet> rows, std::string name);
  // A source whose rows `deferred` produces at execution, with the columns of `schema`.
  absl::Status UseDeferred(std::shared_ptr<const ResultSet> schema, std::string name, DeferredRows deferred);
  // A catalog table (system.*, provided tables) as a deferred source. NotFound (no
  // position) when the catalog does not list it.
  absl::Status BindCatalogTable(const TableRef& from, const std::string& database, const std::string& table);
  absl::StatusOr<BoundExprPtr> BindExpr(const Expr& expr, Phase phase);
  absl::StatusOr<BoundExprPtr> BindColumn(const ColumnExpr& column, Phase phase);
  absl::StatusOr<BoundExprPtr> BindSourceColumn(const ColumnExpr& column);
  absl::StatusOr<BoundExprPtr> BindFunction(const FunctionExpr& function, Phase phase);
  absl::StatusOr<BoundExprPtr> BindAggregate(const FunctionExpr& function);
  absl::StatusOr<BoundExprPtr> BindCall(std::string name, std::vector<BoundExprPtr> args,
                                        SourcePos pos, std::string sql);
  absl::StatusOr<BoundExprPtr> BindIn(const InExpr& in, Phase phase);
  absl::StatusOr<BoundExprPtr> BindLiteral(const LiteralExpr& literal);
  absl::StatusOr<BoundExprPtr> BindConstantArray(const ArrayExpr& array, Phase phase);
  absl::StatusOr<BoundExprPtr> BindScalarSubquery(const SubqueryExpr& subquery);
  // bind_exists.cc: `EXISTS (SELECT ...)` (IsExistsCall), a UInt8 filled at execution.
  absl::StatusOr<BoundExprPtr> BindExists(const FunctionExpr& function);
  // bind_lambda.cc: `f(x -> body, arrays...)`; a lambda parameter in scope named by `expr` (else null).
  absl::StatusOr<BoundExprPtr> BindHigherOrder(const FunctionExpr& function, Phase phase);
  BoundExprPtr LambdaParameter(const Expr& expr) const;
  // The plan of a subquery in an expression, bound in this query's CTE scope.
  absl::StatusOr<std::shared_ptr<const SelectPlan>> BindExpressionSubquery(const SelectQuery& query);
  absl::StatusOr<int64_t> ConstantInteger(const Expr& expr, absl::string_view what);
  // A constant known while binding: not a scalar subquery's value, which is filled at execution.
  bool IsBoundConstant(const BoundExpr& expr) const {
    return expr.is_constant() && !prepared_values_.contains(&expr);
  }

  // GROUP BY key ASTs after alias/position expansion.
  absl::StatusOr<const Expr*> ExpandKey(const Expr& expr);
  const Expr* AliasTarget(const Expr& expr) const;
  bool ContainsAggregate(const Expr& expr) const;
  // The first aggregate call in `expr` (through aliases: the alias reference), or null.
  const Expr* FindAggregate(const Expr& expr) const;

  const SelectCore& core_;
  const BindContext& context_;
  const CteMap& ctes_;
  std::shared_ptr<SelectPlan> plan_;

  std::vector<SourceColumn> columns_;  // batch columns of the source (events: lazily added)
  std::string source_alias_;
  std::map<std::string, const Expr*, std::less<>> aliases_;
  std::map<std::string, const Expr*, std::less<>> with_exprs_;
  absl::flat_hash_set<std::string> expanding_;
  std::vector<const Expr*> keys_;
  std::vector<const FunctionExpr*> aggregate_asts_;
  std::vector<ExprPtr> owned_asts_;  // ASTs made while binding (views, expansions)
  std::vector<std::unique_ptr<Statement>> owned_statements_;
  std::vector<std::unique_ptr<SelectQuery>> owned_queries_;  // `x IN cte` as SELECT * FROM cte
  absl::flat_hash_set<const BoundExpr*> prepared_values_;  // scalar subqueries' slots
  // A window call or an arrayJoin() call -> the source column holding its result.
  absl::flat_hash_map<const FunctionExpr*, int> window_columns_;
  // BindWindowsOverGroups: the block over the window source (binding as if aggregating
  // until FinishWindowsOverGroups) and the aggregate count its columns hold.
  std::shared_ptr<SelectPlan> window_block_;
  size_t window_block_aggregates_ = 0;
  // arrayJoin() calls over an aggregate (`arrayJoin(groupArray(x))`): joined after the
  // aggregation, over the groups' rows (BindWindowsOverGroups).
  std::vector<const FunctionExpr*> grouped_array_joins_;
  std::vector<std::pair<std::string, BoundExprPtr>> lambda_scope_;  // innermost last (bind_lambda.cc)
};

}  // namespace mua::sql_internal
