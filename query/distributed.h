// The query side of a cluster (docs/CLUSTER.md, "Distributed queries"): how a
// plan splits between the shards and the coordinator, and the bytes a shard's
// part travels in. The network is the server's business (server/).
//
// Each user lives on one shard (producers key by user id), so a block whose
// groups are keyed by user_id, or that does not aggregate, yields on each shard
// rows no other shard yields: such blocks run whole on every shard and their
// rows add up. The root block decides the split:
// - kAggregate: groups may span shards. Every shard runs the root's partial
//   (ExecutePartialAggregate), the coordinator merges the partials and runs
//   HAVING, the outputs, ORDER BY and LIMIT (ExecuteFinalAggregate).
// - kGather: the root's rows come whole from one shard each. Every shard runs
//   ExecuteCollect (DISTINCT, ORDER BY and LIMIT offset+limit pushed down), the
//   coordinator ExecuteFinalCollect.
// - kMergeRows: the root reads a table function whose numbers count users
//   (DeferredRows::merge: active_users, retention_matrix, ...). Every shard
//   produces the function's rows (ExecuteSourceRowsPart), the coordinator adds
//   them up (RowsMerge) and runs the root block over the sums (ExecuteMergedSource).
// - kLocal: the statement reads no events (system and dimension tables,
//   constants): the coordinator answers alone.
// Blocks below the root (subqueries, union inputs, IN and scalar subqueries)
// run on the shards and must be partitioned as above; anything else is refused
// with Unimplemented "... is not supported on a cluster yet".
//
// The encodings ("MUAP", version 1) carry group keys and rows as values (never
// a node's dictionary codes or user numbers), aggregate states as
// SerializeState bytes, and distinct counts of user_id as finalized counts the
// coordinator sums (AggregateFunction::ShardMerge). Decoders check every
// length against the bytes left and the plan's aggregates and types against
// the sender's: a shard binding the SQL differently fails the query.
//
//   // shard                                         // coordinator
//   PartialAggregatePtr partial = ...;               std::vector<std::string> parts = ...;
//   EncodePartialAggregate(plan, *partial, &bytes);  auto partials = DecodePartialAggregates(plan, parts, ctx);
//                                                    ExecuteFinalAggregate(plan, *std::move(partials), ctx);
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "query/executor.h"
#include "query/logical_plan.h"

namespace mua {

enum class ClusterSplit { kLocal, kAggregate, kGather, kMergeRows };

// Whether the plan or any plan below it reads the events table.
bool PlanReadsEvents(const SelectPlan& plan);

// Whether output `output` of `plan` is events.user_id itself (through subqueries, joins and
// GROUP BY keys).
bool PlanOutputIsUser(const SelectPlan& plan, size_t output);

// A block of a statement that runs on the cluster by itself, named by its path from the
// root (FindBlock): elements joined by '/', "s" a source subquery, "u<i>" a UNION input,
// "p<i>" an IN or scalar subquery, "jl"/"jr" a join's sides, "a" an ARRAY JOIN's input,
// "i" a LIMIT BY's, WITH FILL's or window functions' input.
struct ClusterBlock {
  std::string path;
  std::shared_ptr<const SelectPlan> plan;
  ClusterSplit split = ClusterSplit::kLocal;
};

// Errors: Unimplemented naming the construct a cluster cannot run yet. `globals` (null:
// none allowed) receives the scalar subqueries and IN sets the shards' blocks need computed
// over the whole cluster first (ClickHouse's GLOBAL): the coordinator runs each on the
// cluster and sends its rows with the shards' requests (EncodeClusterInputs).
absl::StatusOr<ClusterSplit> PlanClusterSplit(const SelectPlan& root, std::vector<ClusterBlock>* globals = nullptr);

// REQUIRES: `partial` from ExecutePartialAggregate(plan, ...); it is consumed (finalized).
absl::Status EncodePartialAggregate(const SelectPlan& plan, PartialAggregate& partial, std::string* out);

// Merges the shards' partial aggregates as they arrive (ShardFanout::Stream): each part is
// checked and folded into one state under a lock, so its bytes can go at once and the
// merge overlaps the slower shards' work. Distinct user counts are summed (a node's user
// bitmaps hold its own dense numbers), and WITH TOTALS sums the shards' own totals.
class PartialAggregateMerger {
 public:
  // REQUIRES: `plan` and `context` outlive the merger.
  PartialAggregateMerger(const SelectPlan& plan, const ExecutionContext& context);
  ~PartialAggregateMerger();
  PartialAggregateMerger(const PartialAggregateMerger&) = delete;
  PartialAggregateMerger& operator=(const PartialAggregateMerger&) = delete;

  // Thread-safe. Errors: DataLoss for bytes that are not a partial of this plan;
  // FailedPrecondition for a shard that planned it otherwise (another MUA version).
  absl::Status Add(absl::string_view encoded);
  // Every part merged, for ExecuteFinalAggregate(plan, ...). Call once, after the last Add.
  PartialAggregatePtr Finish();

 private:
  struct State;
  std::unique_ptr<State> state_;
};
// The partials of every shard merged (PartialAggregateMerger), ready for
// ExecuteFinalAggregate(plan, ...). Errors: as PartialAggregateMerger::Add.
absl::StatusOr<std::vector<PartialAggregatePtr>> DecodePartialAggregates(const SelectPlan& plan,
                                                                         absl::Span<const std::string> encoded,
                                                                         const ExecutionContext& context);

void EncodeCollectedRows(const CollectedRows& rows, std::string* out);
// Errors: DataLoss for bytes that are not collected rows of this plan.
absl::StatusOr<std::vector<CollectedRows>> DecodeCollectedRows(const SelectPlan& plan,
                                                               absl::Span<const std::string> encoded,
                                                               const ExecutionContext& context);

// Blocks below a root that cannot split, which can (a UNION ALL's aggregations, a join's
// sides on other keys than user_id, what a LIMIT BY takes): the coordinator runs each on
// the cluster, then the rest of the statement itself over their rows
// (ExecutionContext::materialized).
// Errors: `refusal` (the root's) when a block that reads events directly (a scan, a
// bitmap path, a table function) would be left to this node alone.
absl::StatusOr<std::vector<ClusterBlock>> PlanClusterBlocks(const SelectPlan& root, const absl::Status& refusal);
// The block at `path` below `root`. Errors: InvalidArgument for a path that names none.
absl::StatusOr<std::shared_ptr<const SelectPlan>> FindBlock(const std::shared_ptr<const SelectPlan>& root,
                                                            absl::string_view path);

// Globals on the wire: each block's path and rows, appended to `payload`.
void EncodeClusterInput(const std::string& path, const ResultSet& rows, std::string* payload);
// A shard's view of them: the blocks of its own plan at those paths, with those rows.
// Errors: InvalidArgument / DataLoss for a payload that does not fit the statement.
absl::StatusOr<MaterializedBlocks> DecodeClusterInputs(const std::shared_ptr<const SelectPlan>& root,
                                                       absl::string_view payload);

// A shard's request body when it carries globals: the statement's text, then the payload.
std::string EncodeShardRequest(absl::string_view sql, absl::string_view inputs);
// Errors: InvalidArgument for a body that is not one.
absl::Status DecodeShardRequest(absl::string_view body, std::string* sql, std::string* inputs);

// kMergeRows. The shard: its rows of the root's table function, encoded.
absl::Status ExecuteSourceRowsPart(const SelectPlan& plan, const ExecutionContext& context, std::string* out);
// The coordinator: every shard's rows merged, then the root block over them. Errors:
// DataLoss for bytes that are not rows of the function; the block's.
absl::StatusOr<ResultSet> ExecuteMergedSource(const SelectPlan& plan, absl::Span<const std::string> encoded,
                                              const ExecutionContext& context);

// The `sum` that adds call's finalized values across shards. Errors: Unimplemented
// when the result is not a plain integer.
absl::StatusOr<std::unique_ptr<AggregateFunction>> AdditiveSlot(const AggregateCall& call);

}  // namespace mua
