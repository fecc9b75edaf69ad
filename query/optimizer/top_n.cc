// Rule: top-N. ORDER BY with LIMIT needs only the first OFFSET + LIMIT rows
// of the order: the executor sorts those (a bounded partial sort) instead of
// every row.
#include "query/optimizer/rules.h"

namespace mua::optimizer_internal {

void ApplyTopN(SelectPlan& plan) {
  if (plan.order_by.empty() || !plan.limit) return;
  plan.top_n = plan.offset + *plan.limit;
  if (plan.top_n < plan.offset) plan.top_n = 0;  // overflow: sort everything
}

}  // namespace mua::optimizer_internal
