#include "query/join_source.h"

#include <utility>

#include "query/executor.h"
#include "query/operators/hash_join.h"
#include "query/operators/values.h"
#include "query/optimizer/optimizer.h"
#include "storage/base/status_macros.h"

namespace mua {
namespace {

// A side's rows: optimized against the execution's snapshot, then run.
absl::StatusOr<ResultSet> RunSide(const std::shared_ptr<const SelectPlan>& plan, const ExecutionContext& context) {
  MUA_RETURN_IF_ERROR(OptimizePlan(plan, *context.snapshot));
  ExecutionContext inner = context;
  inner.max_result_rows = 0;  // the limit is on the statement's result
  return ExecuteSelect(*plan, inner);
}

// The join output rows past which the statement's result is too large: when `consumer`
// (running with `context`) returns every row of its source, this join. 0: no bound.
uint64_t MaxOutputRows(const std::weak_ptr<const SelectPlan>& weak_consumer, const std::string& description,
                       const ExecutionContext& context) {
  const uint64_t max_rows = context.max_result_rows;
  if (max_rows == 0) return 0;
  const std::shared_ptr<const SelectPlan> consumer = weak_consumer.lock();
  if (consumer == nullptr) return 0;
  const SelectPlan& plan = *consumer;
  // Another deferred source (ARRAY JOIN, a window) between the join and the block may drop rows.
  if (plan.source.kind != SourcePlan::Kind::kDeferred || plan.source.deferred.description != description) return 0;
  if (plan.aggregate || plan.distinct || plan.where != nullptr || plan.having != nullptr || plan.bitmap) return 0;
  if (plan.limit && *plan.limit <= max_rows) return 0;
  return max_rows + plan.offset;
}

}  // namespace

absl::StatusOr<JoinSource> MakeJoinSource(std::shared_ptr<const SelectPlan> left,
                                          std::shared_ptr<const SelectPlan> right, JoinSourceSpec source) {
  JoinSpec spec;
  spec.kind = static_cast<JoinKind>(source.kind);
  spec.strictness = static_cast<JoinStrictness>(source.strictness);
  spec.left_keys = std::move(source.left_keys);
  spec.right_keys = std::move(source.right_keys);
  spec.residual = std::move(source.residual);
  spec.join_use_nulls = source.join_use_nulls;
  spec.using_columns = std::move(source.using_columns);
  MUA_RETURN_IF_ERROR(ValidateJoinSpec(spec));
  auto schema = std::make_shared<ResultSet>();
  for (int side = 0; side < 2; ++side) {
    const SelectPlan& plan = side == 0 ? *left : *right;
    for (size_t c = 0; c < plan.outputs.size(); ++c) {
      // A LowCardinality column keeps its type through the join, as in ClickHouse.
      schema->AddColumn(plan.names[c], JoinOutputType(spec, side == 1, plan.outputs[c]->type));
    }
  }
  JoinSource result;
  result.schema = schema;
  result.rows.description = std::move(source.description);
  result.rows.produce = [left = std::move(left), right = std::move(right), spec = std::move(spec), schema,
                         consumer = std::move(source.consumer), description = result.rows.description](
                            const ExecutionContext& context, const std::vector<bool>& /*columns_read*/)
      -> absl::StatusOr<std::shared_ptr<const ResultSet>> {
    absl::StatusOr<ResultSet> left_rows = RunSide(left, context);
    if (!left_rows.ok()) return left_rows.status();
    absl::StatusOr<ResultSet> right_rows = RunSide(right, context);
    if (!right_rows.ok()) return right_rows.status();
    JoinSpec run_spec = spec;
    run_spec.max_output_rows = MaxOutputRows(consumer, description, context);
    run_spec.max_result_rows = context.max_result_rows;
    OperatorPtr join =
        MakeHashJoin(MakeValues(*std::move(left_rows)), MakeValues(*std::move(right_rows)), std::move(run_spec));
    absl::StatusOr<ResultSet> joined = join->Execute(context);
    if (!joined.ok()) return joined.status();
    joined->names = schema->names;
    return std::shared_ptr<const ResultSet>(std::make_shared<ResultSet>(*std::move(joined)));
  };
  return result;
}

}  // namespace mua
