#include "query/operators/hash_aggregate.h"

#include "storage/base/memory_tracker.h"
#include "storage/base/status_macros.h"

namespace mua {

absl::Status AggregateBatch(const SelectPlan& plan, BlockWorker* worker, const Batch& batch) {
  std::vector<Vector> keys(plan.group_keys.size());
  for (size_t k = 0; k < keys.size(); ++k) {
    MUA_RETURN_IF_ERROR(Evaluate(*plan.group_keys[k], batch, &keys[k]));
  }
  MUA_RETURN_IF_ERROR(CheckMemory(worker->groups.GrowthBytes(batch.rows)));
  worker->groups.Map(keys, batch.rows, &worker->group_of_row);
  for (size_t a = 0; a < plan.aggregates.size(); ++a) {
    const AggregateCall& call = plan.aggregates[a];
    std::vector<Vector> args(call.args.size());
    for (size_t i = 0; i < args.size(); ++i) {
      MUA_RETURN_IF_ERROR(Evaluate(*call.args[i], batch, &args[i]));
    }
    worker->aggregates[a]->Resize(worker->groups.size());
    MUA_RETURN_IF_ERROR(worker->aggregates[a]->Update(args, worker->group_of_row));
  }
  return absl::OkStatus();
}

void MergeAggregateStates(BlockWorker* main, BlockWorker* other) {
  const std::vector<uint32_t> targets = main->groups.Absorb(other->groups);
  for (size_t a = 0; a < main->aggregates.size(); ++a) {
    main->aggregates[a]->Resize(main->groups.size());
    other->aggregates[a]->Resize(other->groups.size());
    main->aggregates[a]->Merge(*other->aggregates[a], targets);
  }
}

std::vector<Vector> GroupKeyVectors(const SelectPlan& plan, const query_internal::GroupTable& groups) {
  std::vector<Vector> keys = groups.KeyVectors();
  // No row reached the group table: its keys are empty columns of the keys' types.
  for (size_t k = keys.size(); k < plan.group_keys.size(); ++k) {
    Vector& empty = keys.emplace_back();
    empty.type = plan.group_keys[k]->type;
  }
  return keys;
}

void MergePartials(const SelectPlan& plan, std::vector<std::unique_ptr<BlockWorker>>* workers) {
  BlockWorker& main = *(*workers)[0];
  for (size_t w = 1; w < workers->size(); ++w) {
    MergeAggregateStates(&main, (*workers)[w].get());
    const std::vector<std::optional<int64_t>>& totals = (*workers)[w]->shard_totals;
    if (main.shard_totals.size() < totals.size()) main.shard_totals.resize(totals.size());
    for (size_t a = 0; a < totals.size(); ++a) {
      if (totals[a].has_value()) main.shard_totals[a] = main.shard_totals[a].value_or(0) + *totals[a];
    }
  }
  if (plan.group_keys.empty()) main.groups.EnsureOneGroup();
}

absl::Status FinalizeAggregate(const SelectPlan& plan, BlockWorker* main, Batch* post) {
  post->columns = GroupKeyVectors(plan, main->groups);
  for (auto& aggregate : main->aggregates) {
    aggregate->Resize(main->groups.size());
    Vector value;
    aggregate->Finalize(&value);
    // The groups concerned hold a default: the query fails instead, as in ClickHouse.
    MUA_RETURN_IF_ERROR(aggregate->finalize_status());
    post->columns.push_back(std::move(value));
  }
  post->rows = main->groups.size();
  post->pool = &main->pool;
  return absl::OkStatus();
}

absl::Status FilterGroups(const BoundExpr& having, Batch* post, std::vector<uint32_t>* kept) {
  std::vector<uint32_t> selected;
  MUA_RETURN_IF_ERROR(EvaluateFilter(having, *post, &selected));
  for (Vector& column : post->columns) {
    Vector gathered;
    Gather(column, selected, &gathered);
    column = std::move(gathered);
  }
  post->rows = selected.size();
  if (kept != nullptr) *kept = std::move(selected);
  return absl::OkStatus();
}

}  // namespace mua
