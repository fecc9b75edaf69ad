#include "query/optimizer/optimizer.h"

#include <vector>

#include "query/optimizer/rules.h"
#include "storage/base/status_macros.h"

namespace mua {

using namespace optimizer_internal;  // NOLINT: the rules

absl::Status OptimizePlan(const std::shared_ptr<const SelectPlan>& plan, const TableSnapshot& snapshot) {
  // A block below a deferred source is optimized when it runs, unless a cluster's
  // coordinator optimized it to run on the shards first: the rules run once.
  if (plan->optimized) return absl::OkStatus();
  // Pushdown moves predicates down the tree, so it visits parents first (the
  // children's own rules then see the predicates they received).
  std::vector<SelectPlan*> top_down;
  ForEachPlanBottomUp(plan, [&](SelectPlan& block) { top_down.push_back(&block); });
  for (auto it = top_down.rbegin(); it != top_down.rend(); ++it) MUA_RETURN_IF_ERROR(PushDownPredicates(**it));
  absl::Status status;
  ForEachPlanBottomUp(plan, [&](SelectPlan& block) {
    if (!status.ok()) return;
    BlockFacts facts = FactsOf(block);
    status = ApplyTimeRange(block, &facts);
    if (!status.ok()) return;
    ApplyBitmapPaths(block, facts, snapshot);
    ApplyRetentionTotals(block);
    ApplyUserSequence(block);
    PruneSubqueryOutputs(block);
    ApplyTopN(block);
    ApplyPropertyColumns(block, facts);
    ApplyFilteredBlockKeys(block, facts);
    block.optimized = true;
  });
  return status;
}

}  // namespace mua
