// LIMIT n [OFFSET m] BY keys (ClickHouse: after ORDER BY, before LIMIT): the
// block computes its outputs plus the keys, sorted and unlimited; a block
// above takes, per key combination, the rows after the first m, up to n of
// them (query/operators/limit_by.h), then the query's LIMIT and OFFSET, and
// outputs the block's columns without the keys.
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "query/distributed.h"
#include "query/executor.h"
#include "query/operators/limit_by.h"
#include "query/operators/values.h"
#include "query/optimizer/optimizer.h"
#include "sql/internal/select_binder.h"

namespace mua::sql_internal {

absl::StatusOr<std::shared_ptr<const SelectPlan>> SelectBinder::BindLimitBy() {
  absl::StatusOr<int64_t> limit = ConstantInteger(*core_.limit_by_limit, "LIMIT BY");
  if (!limit.ok()) return limit.status();
  int64_t offset = 0;
  if (core_.limit_by_offset != nullptr) {
    absl::StatusOr<int64_t> value = ConstantInteger(*core_.limit_by_offset, "OFFSET of LIMIT BY");
    if (!value.ok()) return value.status();
    offset = *value;
  }
  if (*limit < 0 || offset < 0) {
    return ErrorAt(core_.limit_by_limit->pos, absl::StatusCode::kInvalidArgument,
                   "LIMIT BY must not be negative");
  }
  const size_t outputs = plan_->outputs.size();
  std::vector<BoundExprPtr> keys;
  for (const ExprPtr& key : core_.limit_by) {
    // A key names an output by its alias or position as GROUP BY keys do.
    absl::StatusOr<const Expr*> expanded = ExpandKey(*key);
    if (!expanded.ok()) return expanded.status();
    absl::StatusOr<BoundExprPtr> bound = BindExpr(**expanded, Phase::kPost);
    if (!bound.ok()) return bound.status();
    keys.push_back(MakeColumn(static_cast<int>(plan_->outputs.size()), (*bound)->type, (*bound)->sql));
    plan_->outputs.push_back(*std::move(bound));
    plan_->names.push_back(absl::StrCat("__limit_by_", keys.size()));
  }
  // The query's LIMIT applies after LIMIT BY: it moves to the block above.
  auto outer = std::make_shared<SelectPlan>();
  outer->limit = plan_->limit;
  outer->offset = plan_->offset;
  plan_->limit.reset();
  plan_->offset = 0;
  for (size_t i = 0; i < outputs; ++i) {
    outer->outputs.push_back(MakeColumn(static_cast<int>(i), plan_->outputs[i]->type, plan_->names[i]));
    outer->names.push_back(plan_->names[i]);
  }
  auto schema = std::make_shared<ResultSet>();
  for (size_t i = 0; i < plan_->outputs.size(); ++i) {
    DataType type = plan_->outputs[i]->type;
    type.low_cardinality = false;
    schema->AddColumn(plan_->names[i], type);
  }
  outer->source.kind = SourcePlan::Kind::kDeferred;
  outer->source.name = "LIMIT BY";
  outer->source.rows = schema;
  outer->source.deferred.description =
      absl::StrCat("LIMIT ", *limit, offset > 0 ? absl::StrCat(" OFFSET ", offset) : "", " BY ", keys.size(),
                   " key(s) of the query below (its rows when the query runs)");
  std::shared_ptr<const SelectPlan> inner = plan_;
  outer->source.deferred.reads_events = PlanReadsEvents(*inner);
  outer->source.deferred.input = inner;
  outer->source.deferred.produce = [inner, keys, limit = static_cast<uint64_t>(*limit),
                                    offset = static_cast<uint64_t>(offset)](const ExecutionContext& context,
                                                                            const std::vector<bool>& /*columns_read*/)
      -> absl::StatusOr<std::shared_ptr<const ResultSet>> {
    // The block is a child of this source: optimized here, as it runs.
    if (absl::Status s = OptimizePlan(inner, *context.snapshot); !s.ok()) return s;
    ExecutionContext inner_context = context;
    inner_context.max_result_rows = 0;
    absl::StatusOr<ResultSet> rows = ExecuteSelect(*inner, inner_context);
    if (!rows.ok()) return rows.status();
    std::optional<std::vector<Column>> totals = std::move(rows->totals);  // WITH TOTALS: kept as is
    absl::StatusOr<ResultSet> kept = MakeLimitBy(MakeValues(*std::move(rows)), keys, limit, offset)->Execute(context);
    if (!kept.ok()) return kept.status();
    kept->totals = std::move(totals);
    return std::shared_ptr<const ResultSet>(std::make_shared<ResultSet>(*std::move(kept)));
  };
  return std::shared_ptr<const SelectPlan>(outer);
}

}  // namespace mua::sql_internal
