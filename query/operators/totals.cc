#include "query/operators/totals.h"

#include <numeric>

#include "storage/base/memory_tracker.h"
#include "storage/base/status_macros.h"

namespace mua {

absl::StatusOr<Totals> Totals::Capture(const SelectPlan& plan,
                                       absl::Span<const std::unique_ptr<AggregateFunction>> states,
                                       size_t groups) {
  Totals totals;
  totals.per_group_ = plan.having != nullptr;
  totals.groups_ = groups;
  // Merge only reads `other`: per group it copies, else every group folds into group 0.
  std::vector<uint32_t> target(groups, 0);
  if (totals.per_group_) std::iota(target.begin(), target.end(), 0);
  for (const std::unique_ptr<AggregateFunction>& state : states) {
    std::unique_ptr<AggregateFunction> captured = state->CloneEmpty();
    captured->Resize(totals.per_group_ ? groups : 1);
    state->Resize(groups);
    captured->Merge(*state, target);
    totals.states_.push_back(std::move(captured));
    MUA_RETURN_IF_ERROR(CheckMemory());
  }
  return totals;
}

absl::StatusOr<std::vector<Vector>> Totals::PostRow(const SelectPlan& plan,
                                                    const std::vector<uint32_t>& kept) {
  std::vector<Vector> row;
  for (const BoundExprPtr& key : plan.group_keys) {
    const DataType& type = key->type;
    row.push_back(type.may_be_null() ? Vector::ConstantNullOf(type, 1) : Vector::Defaults(type, 1));
  }
  for (std::unique_ptr<AggregateFunction>& state : states_) {
    if (per_group_) {
      // Group 0 takes the groups HAVING kept, group 1 the others (dropped).
      std::vector<uint32_t> target(groups_, 1);
      for (uint32_t group : kept) target[group] = 0;
      std::unique_ptr<AggregateFunction> merged = state->CloneEmpty();
      merged->Resize(2);
      merged->Merge(*state, target);
      state = std::move(merged);
    } else {
      state->Resize(1);
    }
    Vector value;
    state->Finalize(&value);
    MUA_RETURN_IF_ERROR(state->finalize_status());
    if (value.size > 1) {
      Vector first;
      Gather(value, std::vector<uint32_t>{0}, &first);
      value = std::move(first);
    }
    row.push_back(std::move(value));
  }
  MUA_RETURN_IF_ERROR(CheckMemory());
  return row;
}

std::vector<Vector> TotalsRow(const std::vector<Column>& totals) {
  std::vector<Vector> row;
  row.reserve(totals.size());
  for (const Column& column : totals) row.push_back(ColumnRows(column, 0, 1));
  return row;
}

std::vector<Column> TotalsColumns(std::vector<Column> collected, size_t outputs) {
  collected.resize(outputs);
  return collected;
}

}  // namespace mua
