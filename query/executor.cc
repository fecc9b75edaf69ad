// The physical planner and driver of a query block: wires the operators of
// query/operators/ for a SelectPlan. A block runs its prepared inputs, then its
// source — a bitmap path (bitmap_scan.h) or a scan (scan.h) of the events table
// or of materialized rows (a subquery, a table function: table_function.h, a
// union: union_all.h) — through FilterProject into per-worker states, then the
// final stage: hash aggregation (hash_aggregate.h; WITH TOTALS: totals.h) and
// HAVING, or the workers' collected rows; then DISTINCT, ORDER BY / top-N
// (sort.h) and OFFSET / LIMIT (limit.h).
#include "query/executor.h"

#include <algorithm>
#include <numeric>
#include <optional>
#include <thread>

#include "absl/time/clock.h"
#include "query/distributed.h"
#include "query/internal/plan_execution.h"
#include "query/operators/bitmap_scan.h"
#include "query/operators/user_sequence.h"
#include "query/operators/filter_project.h"
#include "query/operators/hash_aggregate.h"
#include "query/operators/limit.h"
#include "query/operators/scan.h"
#include "query/operators/sort.h"
#include "query/operators/table_function.h"
#include "query/operators/totals.h"
#include "query/operators/union_all.h"
#include "storage/base/memory_tracker.h"
#include "storage/base/status_macros.h"

namespace mua {
namespace {

using query_internal::RunPreparedInputs;
using query_internal::SubqueryContext;
using Workers = std::vector<std::unique_ptr<BlockWorker>>;

class SelectRunner {
 public:
  SelectRunner(const SelectPlan& plan, const ExecutionContext& context)
      : plan_(plan), context_(context), step_(plan, context) {}

  absl::StatusOr<ResultSet> Run();
  // The partial/final split of a hash aggregation (ExecutePartialAggregate).
  absl::StatusOr<std::unique_ptr<BlockWorker>> RunPartial(std::shared_ptr<const void>* keep_alive);
  absl::StatusOr<ResultSet> RunFinal(Workers partials);
  // The gather split (ExecuteCollect / ExecuteFinalCollect).
  absl::StatusOr<CollectedRows> RunCollect();
  absl::StatusOr<ResultSet> RunFinalCollect(std::vector<CollectedRows> parts);

 private:
  // Reads the source into per-worker states, or the post batch of a bitmap path
  // (rows a materialized source holds stay in keep_alive).
  absl::Status RunSource(Workers* workers, std::shared_ptr<const void>* keep_alive);
  // The final stage of an aggregating block: its groups (HAVING applied) projected.
  absl::Status FinishAggregate(Workers* workers, std::vector<Column>* collected, uint64_t* rows);
  // The block's rows before DISTINCT, ORDER BY and LIMIT: outputs, then order keys.
  absl::Status Collect(Workers* workers, std::vector<Column>* collected, uint64_t* rows);
  // The collected rows' order after DISTINCT and ORDER BY (all rows when neither).
  absl::StatusOr<std::vector<uint32_t>> Order(const std::vector<Column>& collected, uint64_t rows);
  absl::StatusOr<ResultSet> Finish(Workers* workers);
  absl::StatusOr<ResultSet> FinishCollected(std::vector<Column> collected, uint64_t rows);
  // Evaluates the outputs on the one-row post (or source) batch of the totals into totals_.
  absl::Status CollectTotals(absl::StatusOr<std::vector<Vector>> row, StringPool* pool);

  const SelectPlan& plan_;
  const ExecutionContext& context_;
  FilterProject step_;
  std::optional<Batch> bitmap_post_;                    // a bitmap or user-sequence path answered
  bool partial_ = false;  // RunPartial: the hash path's states are needed
  std::optional<std::vector<Column>> totals_;           // the result's totals row
  const std::vector<Column>* source_totals_ = nullptr;  // a subquery source's (kept alive by RunSource)
};

absl::Status SelectRunner::RunSource(Workers* workers, std::shared_ptr<const void>* keep_alive) {
  workers->push_back(step_.NewWorker());
  BlockWorker* main = (*workers)[0].get();
  const SourcePlan& source = plan_.source;
  std::shared_ptr<const ResultSet> rows;  // a materialized source
  switch (source.kind) {
    case SourcePlan::Kind::kEvents: {
      if (plan_.bitmap) {
        MUA_ASSIGN_OR_RETURN(bitmap_post_, RunBitmapScan(plan_, *context_.snapshot, main));
        if (bitmap_post_) return absl::OkStatus();
        // Users with several values of a filtered column: the rows decide.
      }
      if (plan_.user_sequence && !partial_) {
        MUA_ASSIGN_OR_RETURN(bitmap_post_, RunUserSequence(plan_, context_, &main->pool));
        return absl::OkStatus();
      }
      const int threads = context_.threads > 0 ? context_.threads
                                               : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
      while (static_cast<int>(workers->size()) < threads) workers->push_back(step_.NewWorker());
      return ScanEvents(&step_, workers);
    }
    case SourcePlan::Kind::kSubquery: {
      if (plan_.bitmap) {
        bitmap_post_ = RunRetentionTotals(plan_, *context_.snapshot, main);
        return absl::OkStatus();
      }
      // The limit is on this statement's result, not its source's.
      absl::StatusOr<ResultSet> result = ExecuteSelect(*source.subquery, SubqueryContext(context_));
      if (!result.ok()) return result.status();
      rows = std::make_shared<const ResultSet>(*std::move(result));
      break;
    }
    case SourcePlan::Kind::kRows: return ScanRows(&step_, *source.rows, main);
    case SourcePlan::Kind::kDeferred: {
      MUA_ASSIGN_OR_RETURN(rows, ProduceDeferredRows(source, context_));
      break;
    }
    case SourcePlan::Kind::kUnion: {
      absl::StatusOr<ResultSet> result = ExecuteUnion(source, context_);
      if (!result.ok()) return result.status();
      rows = std::make_shared<const ResultSet>(*std::move(result));
      break;
    }
    case SourcePlan::Kind::kOneRow: {
      Batch batch;
      batch.rows = 1;
      return step_.ProcessBatch(main, &batch, plan_.where.get());
    }
  }
  if (rows->totals) source_totals_ = &*rows->totals;
  *keep_alive = rows;  // must outlive Finish: the states view its rows
  return ScanRows(&step_, *rows, main);
}

absl::Status SelectRunner::CollectTotals(absl::StatusOr<std::vector<Vector>> row, StringPool* pool) {
  if (!row.ok()) return row.status();
  std::unique_ptr<BlockWorker> collector = step_.NewWorker();
  MUA_RETURN_IF_ERROR(step_.Project(collector.get(), Batch{*std::move(row), 1, pool}));
  totals_ = TotalsColumns(std::move(collector->collected), plan_.outputs.size());
  return absl::OkStatus();
}

absl::Status SelectRunner::FinishAggregate(Workers* workers, std::vector<Column>* collected, uint64_t* rows) {
  BlockWorker& main = *(*workers)[0];
  Batch post;
  std::optional<Totals> totals;  // WITH TOTALS (the bitmap paths are not taken then)
  if (bitmap_post_) {
    post = std::move(*bitmap_post_);
  } else {
    MergePartials(plan_, workers);
    if (plan_.with_totals) {
      MUA_ASSIGN_OR_RETURN(totals, Totals::Capture(plan_, main.aggregates, main.groups.size()));
    }
    MUA_RETURN_IF_ERROR(FinalizeAggregate(plan_, &main, &post));
  }
  std::vector<uint32_t> selected;
  if (plan_.having != nullptr) MUA_RETURN_IF_ERROR(FilterGroups(*plan_.having, &post, &selected));
  std::unique_ptr<BlockWorker> collector = step_.NewWorker();
  MUA_RETURN_IF_ERROR(step_.Project(collector.get(), post));
  *collected = std::move(collector->collected);
  *rows = collector->collected_rows;
  if (totals) {
    MUA_ASSIGN_OR_RETURN(std::vector<Vector> row, totals->PostRow(plan_, selected));
    for (size_t a = 0; a < main.shard_totals.size(); ++a) {
      if (!main.shard_totals[a].has_value()) continue;
      Vector& value = row[plan_.group_keys.size() + a];
      value.ints.assign(1, *main.shard_totals[a]);
    }
    MUA_RETURN_IF_ERROR(CollectTotals(std::move(row), &main.pool));
  }
  return absl::OkStatus();
}

absl::Status SelectRunner::Collect(Workers* workers, std::vector<Column>* collected, uint64_t* rows) {
  if (plan_.aggregate) return FinishAggregate(workers, collected, rows);
  *rows = ConcatCollected(workers, collected);
  // A subquery's totals pass through (outputs evaluated on them; WHERE does not filter them).
  if (source_totals_ != nullptr) {
    MUA_RETURN_IF_ERROR(CollectTotals(TotalsRow(*source_totals_), &(*workers)[0]->pool));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<uint32_t>> SelectRunner::Order(const std::vector<Column>& collected, uint64_t rows) {
  std::vector<uint32_t> order(rows);
  std::iota(order.begin(), order.end(), 0);
  const size_t outputs = plan_.outputs.size();
  if (plan_.distinct) MUA_RETURN_IF_ERROR(DistinctRows(collected, outputs, context_, &order));
  if (!plan_.order_by.empty()) SortRows(collected, outputs, plan_.order_by, plan_.top_n, &order);
  return order;
}

absl::StatusOr<ResultSet> SelectRunner::Finish(Workers* workers) {
  std::vector<Column> collected;
  uint64_t rows = 0;
  MUA_RETURN_IF_ERROR(Collect(workers, &collected, &rows));
  return FinishCollected(std::move(collected), rows);
}

absl::StatusOr<ResultSet> SelectRunner::FinishCollected(std::vector<Column> collected, uint64_t rows) {
  MUA_ASSIGN_OR_RETURN(const std::vector<uint32_t> order, Order(collected, rows));
  const absl::Span<const uint32_t> kept = LimitRows(order, plan_.offset, plan_.limit);

  ResultSet result;
  result.names = plan_.names;
  result.row_count = kept.size();
  const bool identity = kept.size() == rows && std::is_sorted(kept.begin(), kept.end());
  for (size_t c = 0; c < plan_.outputs.size(); ++c) {
    // LowCardinality(String) stays in the result's type (FORMAT JSON's meta, Native), as in ClickHouse.
    result.columns.push_back(identity ? std::move(collected[c]) : TakeRows(collected[c], kept));
  }
  result.totals = std::move(totals_);
  return result;
}

absl::StatusOr<CollectedRows> SelectRunner::RunCollect() {
  Workers workers;
  std::shared_ptr<const void> keep_alive;
  MUA_RETURN_IF_ERROR(RunSource(&workers, &keep_alive));
  std::vector<Column> collected;
  uint64_t rows = 0;
  MUA_RETURN_IF_ERROR(Collect(&workers, &collected, &rows));
  MUA_ASSIGN_OR_RETURN(const std::vector<uint32_t> order, Order(collected, rows));
  // The coordinator applies OFFSET over every shard's rows: each keeps offset + limit.
  std::optional<uint64_t> keep;
  if (plan_.limit) keep = *plan_.limit + plan_.offset;
  const absl::Span<const uint32_t> kept = LimitRows(order, 0, keep);
  CollectedRows part;
  part.rows = kept.size();
  for (Column& column : collected) part.columns.push_back(TakeRows(column, kept));
  return part;
}

absl::StatusOr<ResultSet> SelectRunner::RunFinalCollect(std::vector<CollectedRows> parts) {
  if (parts.empty()) return absl::InvalidArgumentError("a final gather needs at least one part");
  std::vector<Column> collected = std::move(parts[0].columns);
  uint64_t rows = parts[0].rows;
  for (size_t p = 1; p < parts.size(); ++p) {
    if (parts[p].columns.size() != collected.size()) return absl::InvalidArgumentError("parts of different plans");
    for (size_t c = 0; c < collected.size(); ++c) AppendColumn(std::move(parts[p].columns[c]), &collected[c]);
    rows += parts[p].rows;
  }
  return FinishCollected(std::move(collected), rows);
}

absl::StatusOr<ResultSet> SelectRunner::Run() {
  Workers workers;
  std::shared_ptr<const void> keep_alive;
  MUA_RETURN_IF_ERROR(RunSource(&workers, &keep_alive));
  return Finish(&workers);
}

absl::StatusOr<std::unique_ptr<BlockWorker>> SelectRunner::RunPartial(std::shared_ptr<const void>* keep_alive) {
  if (!plan_.aggregate || (plan_.bitmap && plan_.bitmap->per_user)) {
    return absl::FailedPreconditionError("only an aggregation that is not per user has a partial/final split");
  }
  Workers workers;
  partial_ = true;
  MUA_RETURN_IF_ERROR(RunSource(&workers, keep_alive));
  if (bitmap_post_) {
    // The bitmap path's counts of distinct users (or users) per key: as partial states,
    // one group per post row, each count summed by `sum` aggregates in the plan's slots.
    auto partial = std::make_unique<BlockWorker>();
    const size_t keys = plan_.group_keys.size();
    if (keys == 0) {
      partial->groups.EnsureOneGroup();
      partial->group_of_row.assign(bitmap_post_->rows, 0);
    } else {
      const std::vector<Vector> key_vectors(bitmap_post_->columns.begin(), bitmap_post_->columns.begin() + keys);
      partial->groups.Map(key_vectors, bitmap_post_->rows, &partial->group_of_row);
    }
    for (size_t a = 0; a < plan_.aggregates.size(); ++a) {
      MUA_ASSIGN_OR_RETURN(std::unique_ptr<AggregateFunction> sum, AdditiveSlot(plan_.aggregates[a]));
      sum->Resize(partial->groups.size());
      const Vector& values = bitmap_post_->columns[keys + a];
      MUA_RETURN_IF_ERROR(sum->Update(absl::MakeConstSpan(&values, 1), partial->group_of_row));
      partial->aggregates.push_back(std::move(sum));
    }
    return partial;
  }
  for (size_t w = 1; w < workers.size(); ++w) MergeAggregateStates(workers[0].get(), workers[w].get());
  return std::move(workers[0]);
}

absl::StatusOr<ResultSet> SelectRunner::RunFinal(Workers partials) {
  if (partials.empty()) {
    return absl::InvalidArgumentError("a final aggregation needs at least one partial");
  }
  return Finish(&partials);
}

}  // namespace

absl::Status CheckInterrupted(const ExecutionContext& context) {
  if (context.cancelled != nullptr && context.cancelled->load(std::memory_order_relaxed)) {
    return absl::CancelledError("Query was cancelled");
  }
  if (context.deadline != absl::InfiniteFuture() && absl::Now() > context.deadline) {
    return absl::DeadlineExceededError("Timeout exceeded: the query ran longer than max_execution_time");
  }
  return CheckMemory();
}

void PartialAggregateDeleter::operator()(PartialAggregate* partial) const { delete partial; }

absl::StatusOr<PartialAggregatePtr> ExecutePartialAggregate(const SelectPlan& plan,
                                                            const ExecutionContext& context) {
  MUA_RETURN_IF_ERROR(RunPreparedInputs(plan, context));
  SelectRunner runner(plan, context);
  PartialAggregatePtr partial(new PartialAggregate);
  absl::StatusOr<std::unique_ptr<BlockWorker>> state = runner.RunPartial(&partial->keep_alive);
  if (!state.ok()) return state.status();
  partial->state = *std::move(state);
  MUA_RETURN_IF_ERROR(CheckMemory());
  return partial;
}

absl::StatusOr<ResultSet> ExecuteFinalAggregate(const SelectPlan& plan, std::vector<PartialAggregatePtr> partials,
                                                const ExecutionContext& context) {
  Workers states;
  std::vector<std::shared_ptr<const void>> held;
  for (PartialAggregatePtr& partial : partials) {
    if (partial == nullptr || partial->state == nullptr) return absl::InvalidArgumentError("empty partial aggregate");
    states.push_back(std::move(partial->state));
    held.push_back(std::move(partial->keep_alive));
  }
  MUA_RETURN_IF_ERROR(CheckInterrupted(context));
  SelectRunner runner(plan, context);
  absl::StatusOr<ResultSet> result = runner.RunFinal(std::move(states));
  if (absl::Status memory = CheckMemory(); !memory.ok()) return memory;
  return result;
}

absl::StatusOr<CollectedRows> ExecuteCollect(const SelectPlan& plan, const ExecutionContext& context) {
  MUA_RETURN_IF_ERROR(RunPreparedInputs(plan, context));
  SelectRunner runner(plan, context);
  absl::StatusOr<CollectedRows> part = runner.RunCollect();
  if (absl::Status memory = CheckMemory(); !memory.ok()) return memory;
  return part;
}

absl::StatusOr<ResultSet> ExecuteFinalCollect(const SelectPlan& plan, std::vector<CollectedRows> parts,
                                              const ExecutionContext& context) {
  MUA_RETURN_IF_ERROR(CheckInterrupted(context));
  SelectRunner runner(plan, context);
  absl::StatusOr<ResultSet> result = runner.RunFinalCollect(std::move(parts));
  if (absl::Status memory = CheckMemory(); !memory.ok()) return memory;
  return result;
}

absl::StatusOr<ResultSet> ExecuteSelect(const SelectPlan& plan, const ExecutionContext& context) {
  if (context.materialized != nullptr) {
    if (auto it = context.materialized->find(&plan); it != context.materialized->end()) return *it->second;
  }
  MUA_RETURN_IF_ERROR(RunPreparedInputs(plan, context));
  SelectRunner runner(plan, context);
  absl::StatusOr<ResultSet> result = runner.Run();
  // A table that grew past the memory limit while merging or finishing.
  if (absl::Status memory = CheckMemory(); !memory.ok()) return memory;
  return result;
}

}  // namespace mua
