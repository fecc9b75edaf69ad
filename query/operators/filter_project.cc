#include "query/operators/filter_project.h"

#include "absl/strings/str_cat.h"
#include "query/operators/hash_aggregate.h"
#include "storage/base/status_macros.h"

namespace mua {

void MarkColumns(const BoundExpr* expr, std::vector<bool>* used) {
  if (expr == nullptr) return;
  if (expr->kind == BoundExpr::Kind::kColumn && expr->column >= 0) {
    if (static_cast<size_t>(expr->column) >= used->size()) used->resize(expr->column + 1, false);
    (*used)[expr->column] = true;
  }
  for (const BoundExprPtr& arg : expr->args) MarkColumns(arg.get(), used);
}

std::vector<bool> SourceColumnsRead(const SelectPlan& plan, bool after_filter) {
  std::vector<bool> used;
  for (const BoundExprPtr& key : plan.group_keys) MarkColumns(key.get(), &used);
  for (const AggregateCall& call : plan.aggregates) {
    for (const BoundExprPtr& arg : call.args) MarkColumns(arg.get(), &used);
  }
  if (!plan.aggregate) {
    for (const BoundExprPtr& output : plan.outputs) MarkColumns(output.get(), &used);
    for (const SortKey& key : plan.order_by) MarkColumns(key.expr.get(), &used);
  }
  if (after_filter) return used;
  MarkColumns(plan.where.get(), &used);
  if (plan.where_inside_time_range) MarkColumns(plan.where_inside_time_range->get(), &used);
  if (!plan.aggregate) MarkColumns(plan.having.get(), &used);
  return used;
}

FilterProject::FilterProject(const SelectPlan& plan, const ExecutionContext& context)
    : plan_(plan),
      context_(context),
      read_after_filter_(SourceColumnsRead(plan, /*after_filter=*/true)),
      read_at_all_(SourceColumnsRead(plan, /*after_filter=*/false)) {
  early_stop_ = EarlyStop();
}

bool FilterProject::OutputUnused(size_t i) const {
  return i < plan_.output_used.size() && !plan_.output_used[i];
}

std::optional<uint64_t> FilterProject::EarlyStop() const {
  if (plan_.aggregate || !plan_.order_by.empty() || plan_.distinct || !plan_.limit) return std::nullopt;
  return *plan_.limit + plan_.offset;
}

absl::Status FilterProject::CheckResultRows() const {
  const uint64_t max_rows = context_.max_result_rows;
  if (max_rows == 0 || plan_.aggregate || plan_.distinct || (plan_.limit && *plan_.limit <= max_rows)) {
    return absl::OkStatus();
  }
  const uint64_t collected = total_collected_.load(std::memory_order_relaxed);
  if (collected <= max_rows + plan_.offset) return absl::OkStatus();
  return absl::ResourceExhaustedError(absl::StrCat("Limit for result exceeded: more than ", max_rows,
                                                   " rows, max_result_rows is ", max_rows));
}

std::unique_ptr<BlockWorker> FilterProject::NewWorker() const {
  auto worker = std::make_unique<BlockWorker>();
  for (const AggregateCall& call : plan_.aggregates) {
    worker->aggregates.push_back(call.prototype->CloneEmpty());
  }
  const size_t columns = plan_.outputs.size() + plan_.order_by.size();
  worker->collected.resize(columns);
  // EmptyColumn, not just the type: a result of no rows still needs a tuple's element
  // columns and a nested array's elements column (readers index children).
  for (size_t i = 0; i < plan_.outputs.size(); ++i) {
    worker->collected[i] = EmptyColumn(OutputUnused(i) ? DataType::Of(TypeId::kUInt8) : plan_.outputs[i]->type);
  }
  for (size_t i = 0; i < plan_.order_by.size(); ++i) {
    worker->collected[plan_.outputs.size() + i] = EmptyColumn(plan_.order_by[i].expr->type);
  }
  return worker;
}

absl::Status FilterProject::Project(BlockWorker* worker, const Batch& batch) const {
  const size_t outputs = plan_.outputs.size();
  for (size_t i = 0; i < outputs + plan_.order_by.size(); ++i) {
    if (i < outputs && OutputUnused(i)) {
      // Not read by the outer query: not evaluated, but as many rows as the other columns
      // (TakeRows, LIMIT and the outer scan index every column by row), in the cheapest type.
      worker->collected[i].ints.resize(worker->collected[i].ints.size() + batch.rows);
      continue;
    }
    const BoundExpr& expr = i < outputs ? *plan_.outputs[i] : *plan_.order_by[i - outputs].expr;
    Vector value;
    MUA_RETURN_IF_ERROR(Evaluate(expr, batch, &value));
    AppendVectorToColumn(value, &worker->collected[i]);
  }
  worker->collected_rows += batch.rows;
  return absl::OkStatus();
}

absl::Status FilterProject::ProcessBatch(BlockWorker* worker, Batch* batch, const BoundExpr* where) {
  MUA_RETURN_IF_ERROR(FilterBatch(worker, batch, where).status());
  return ConsumeBatch(worker, batch);
}

absl::StatusOr<bool> FilterProject::FilterBatch(BlockWorker* worker, Batch* batch, const BoundExpr* where) {
  batch->pool = &worker->pool;
  if (where == nullptr) return false;
  MUA_RETURN_IF_ERROR(EvaluateFilter(*where, *batch, &worker->selected));
  if (worker->selected.size() == batch->rows) return false;
  for (size_t c = 0; c < batch->columns.size(); ++c) {
    if (c >= read_after_filter_.size() || !read_after_filter_[c]) continue;
    Vector kept;
    Gather(batch->columns[c], worker->selected, &kept);
    batch->columns[c] = std::move(kept);
  }
  batch->rows = worker->selected.size();
  return true;
}

absl::Status FilterProject::ConsumeBatch(BlockWorker* worker, Batch* batch) {
  batch->pool = &worker->pool;
  // A block without GROUP BY has its one group even when no row passes.
  if (batch->rows == 0 && !(plan_.aggregate && plan_.group_keys.empty())) return absl::OkStatus();
  if (plan_.aggregate) return AggregateBatch(plan_, worker, *batch);
  MUA_RETURN_IF_ERROR(Project(worker, *batch));
  total_collected_.fetch_add(batch->rows, std::memory_order_relaxed);
  return absl::OkStatus();
}

uint64_t ConcatCollected(std::vector<std::unique_ptr<BlockWorker>>* workers, std::vector<Column>* collected) {
  BlockWorker& main = *(*workers)[0];
  *collected = std::move(main.collected);
  uint64_t rows = main.collected_rows;
  for (size_t w = 1; w < workers->size(); ++w) {
    BlockWorker& other = *(*workers)[w];
    for (size_t c = 0; c < collected->size(); ++c) {
      AppendColumn(std::move(other.collected[c]), &(*collected)[c]);  // NULL flags, arrays, tuples
    }
    rows += other.collected_rows;
  }
  return rows;
}

}  // namespace mua
