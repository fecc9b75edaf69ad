// Operator: one physical step of a query plan. The physical planner
// (query/executor.cc, ExecuteSelect) wires an optimized logical plan into a tree of
// operators; executing the root runs the tree.
//
// Operators below the events pipeline (scan → filter → partial aggregate, run
// morsel-parallel over storage blocks) work operator-at-a-time on materialized
// relations: a join, window, sort or union needs its whole input anyway, and a
// ResultSet is columnar, so kernels still see columns. Every operator checks
// CheckInterrupted(context) between chunks of its work (KILL QUERY,
// max_execution_time) and allocates through the global allocator, so the
// statement's MemoryTracker charges what it holds (error 241 past the limit);
// memory-hungry operators (hash tables, sorts) call CheckMemory() as they grow.
//
//   OperatorPtr plan = MakeLimit(MakeSort(std::move(input), keys), 10, 0);
//   MUA_ASSIGN_OR_RETURN(ResultSet rows, plan->Execute(context));
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "query/executor.h"
#include "query/result_set.h"

namespace mua {

class Operator {
 public:
  virtual ~Operator() = default;

  // Runs the inputs, then this step. Errors: whatever evaluation reports,
  // Cancelled / DeadlineExceeded from CheckInterrupted, MemoryLimitExceeded.
  virtual absl::StatusOr<ResultSet> Execute(const ExecutionContext& context) const = 0;

  // EXPLAIN: appends one line for this operator ("HashJoin LEFT ALL ON a = b"),
  // then its inputs' lines indented by two more spaces.
  virtual void Explain(int indent, std::vector<std::string>* lines) const = 0;
};

using OperatorPtr = std::shared_ptr<const Operator>;

// The rows [begin, end) of `relation` as a batch of vectors viewing its columns
// (strings view the ResultSet's storage, which must outlive the batch).
Batch BatchFromRelation(const ResultSet& relation, size_t begin, size_t end, StringPool* pool);

// Rows per batch when an operator evaluates expressions over a materialized relation.
inline constexpr size_t kRelationBatchRows = 65536;

}  // namespace mua
