// The binder: turns a parsed SELECT (sql/ast.h) into a logical plan
// (query/logical_plan.h) and only that — names resolved against the events
// table, views, system tables, CTEs and subqueries; functions and aggregates
// bound with their types; aliases and WITH expanded as ClickHouse does.
// Nothing runs while binding: IN (subquery) and scalar subqueries become
// prepared inputs of their block, table functions and system tables deferred
// sources, all executed when the plan runs; the optimizer
// (query/optimizer/optimizer.h) picks pruning and the bitmap paths. Every
// error carries the position of the offending node ("line 1, column 38:
// unknown column 'usr_id'").
//
//   BindContext context{&catalog, &execution};
//   MUA_ASSIGN_OR_RETURN(std::shared_ptr<const SelectPlan> plan, BindSelect(*statement.query, context));
//   MUA_RETURN_IF_ERROR(OptimizePlan(plan, snapshot));
#pragma once

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "query/executor.h"
#include "query/plan.h"
#include "sql/ast.h"

namespace mua {

class Catalog;

// Bound on the subqueries and CTE references one statement may bind: each is bound,
// and later run, once per reference.
inline constexpr int kMaxQueryExpansions = 10'000;

struct BindContext {
  const Catalog* catalog = nullptr;
  // Optional: its deadline and cancellation are checked at each (sub)query bound.
  const ExecutionContext* execution = nullptr;
  int* expansions = nullptr;  // counts bound (sub)queries against kMaxQueryExpansions
  // SETTINGS join_use_nulls = 1: a JOIN's rows without a match get NULLs (else type defaults).
  bool join_use_nulls = false;
  // Optional: set to why the statement's result may not be cached (sql/query_cache.h):
  // it reads a system or dimension table, or calls now(), rand(), currentUser()...
  std::string* not_cacheable = nullptr;
};

absl::StatusOr<std::shared_ptr<const SelectPlan>> BindSelect(const SelectQuery& query,
                                                             const BindContext& context);

// The column name ClickHouse gives an unaliased expression: "count()",
// "plus(a, 1)", "toDate(event_time)", "quantile(0.5)(x)".
std::string ClickHouseColumnName(const Expr& expr);

}  // namespace mua
