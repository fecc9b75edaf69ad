// HashAggregate: GROUP BY over a group table (query/internal/group_table.h)
// with columnar aggregate states, split as a cluster needs it:
// - partial: AggregateBatch folds each filtered batch into a worker's groups and
//   states; MergeAggregateStates folds one worker's into another's. A block's
//   partial (ExecutePartialAggregate in query/executor.h) is its workers merged
//   into one PartialAggregate.
// - final: MergePartials merges any number of partials of the same plan,
//   FinalizeAggregate finalizes their states into the "post" batch [keys...,
//   aggregate values...], FilterGroups applies HAVING to it.
//
// Resource limits: the group table asks CheckMemory() before it doubles
// (MemoryLimitExceeded, error 241, instead of an allocation that cannot fail
// halfway); states allocate through the global allocator (charged to the
// statement's MemoryTracker). The scan calling AggregateBatch checks
// CheckInterrupted between batches.
//
//   for (Batch& batch : batches) MUA_RETURN_IF_ERROR(AggregateBatch(plan, worker, batch));
//   MergePartials(plan, &workers);
//   Batch post;
//   MUA_RETURN_IF_ERROR(FinalizeAggregate(plan, workers[0].get(), &post));
#pragma once

#include <memory>
#include <vector>

#include "absl/status/statusor.h"
#include "query/logical_plan.h"
#include "query/operators/filter_project.h"

namespace mua {

// The merged partial state of one aggregating block (workers folded into one).
class PartialAggregate {
 public:
  std::unique_ptr<BlockWorker> state;
  std::shared_ptr<const void> keep_alive;  // rows the state's strings may view
};

// Maps the rows of `batch` to groups by the plan's keys and updates every
// aggregate's states. Errors: evaluation's and Update's; MemoryLimitExceeded
// before the group table would grow past the statement's limit.
absl::Status AggregateBatch(const SelectPlan& plan, BlockWorker* worker, const Batch& batch);

// Folds `other`'s groups and aggregate states into `main`'s.
// REQUIRES: both workers of the same plan.
void MergeAggregateStates(BlockWorker* main, BlockWorker* other);

// Merges workers[1..] into workers[0] (a block without GROUP BY gets its one
// group, even when no row reached it). REQUIRES: !workers->empty(), all of `plan`.
void MergePartials(const SelectPlan& plan, std::vector<std::unique_ptr<BlockWorker>>* workers);

// Fills the post batch of the merged `main`, one row per group: the group keys
// (empty vectors of the keys' types when no row reached the table) and one
// finalized vector per aggregate; strings view `main`, whose pool the batch uses.
// Errors: an aggregate's finalize_status() (sequenceMatch past its iteration
// limit: ResourceExhausted "Pattern application proves too difficult ...").
absl::Status FinalizeAggregate(const SelectPlan& plan, BlockWorker* main, Batch* post);

// Keeps the groups of `post` for which `having` holds (NULL is false); `kept`
// (optional) receives their indices, ascending.
absl::Status FilterGroups(const BoundExpr& having, Batch* post, std::vector<uint32_t>* kept = nullptr);

// The post batch's group-key vectors of `groups` (KeyVectors), padded with empty
// vectors of the plan's key types for keys no row reached.
std::vector<Vector> GroupKeyVectors(const SelectPlan& plan, const query_internal::GroupTable& groups);

}  // namespace mua
