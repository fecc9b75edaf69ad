// Totals: the extra row of ClickHouse's GROUP BY ... WITH TOTALS — the aggregate
// states of every group HAVING keeps, merged into one state and finalized, with
// the keys at their type's default (0, '', 1970-01-01, [], NULL for Nullable).
// This is ClickHouse's default totals_mode 'after_having_exclusive' (groups past
// max_rows_to_group_by do not exist here). ORDER BY, LIMIT and DISTINCT do not
// touch it; a query over a subquery with totals evaluates its outputs on them
// (WHERE does not filter them), as ClickHouse passes totals through.
// Run in the final aggregation stage, after the partial states merged.
//
//   MUA_ASSIGN_OR_RETURN(Totals totals, Totals::Capture(plan, states, groups));
//   ... Finalize the states, evaluate HAVING into `kept` ...
//   MUA_ASSIGN_OR_RETURN(std::vector<Vector> row, totals.PostRow(plan, kept));
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "query/aggregate_function.h"
#include "query/logical_plan.h"
#include "query/result_set.h"
#include "query/vector.h"

namespace mua {

class Totals {
 public:
  // Takes what the totals need from `states` (each sized to `groups` here) before
  // Finalize consumes them: their merge, or when the plan has HAVING (which then
  // chooses groups) a copy of every group. The groups in `states` stay as they were.
  // Errors: ResourceExhausted past the memory limit.
  static absl::StatusOr<Totals> Capture(const SelectPlan& plan,
                                        absl::Span<const std::unique_ptr<AggregateFunction>> states,
                                        size_t groups);

  // The totals row as a one-row post batch: [key defaults..., aggregate values...].
  // `kept`: the groups HAVING passed (read only when the plan has HAVING). String
  // views point into this object, which must outlive the vectors. Call once.
  // Errors: an aggregate's finalize error (sequenceMatch's iteration limit).
  absl::StatusOr<std::vector<Vector>> PostRow(const SelectPlan& plan,
                                              const std::vector<uint32_t>& kept);

  Totals(Totals&&) = default;
  Totals& operator=(Totals&&) = default;

 private:
  Totals() = default;

  std::vector<std::unique_ptr<AggregateFunction>> states_;
  bool per_group_ = false;
  size_t groups_ = 0;
};

// A source's totals row as the one-row batch columns of a block reading it (views `totals`).
std::vector<Vector> TotalsRow(const std::vector<Column>& totals);

// The first `outputs` columns collected from a totals batch (outputs, then ORDER BY
// keys), as ResultSet::totals holds them.
std::vector<Column> TotalsColumns(std::vector<Column> collected, size_t outputs);

}  // namespace mua
