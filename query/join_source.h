// A JOIN as a block's source: the rows of two plans joined by the hash join
// operator (query/operators/hash_join.h) when the plan runs. The binder
// (sql/) resolves names and splits ON into equi-keys and a residual; this
// builds the source. Interim shape: the two sides are child plans of the
// deferred source (optimized when it runs), not yet nodes the optimizer
// rewrites with the rest of the tree.
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "query/logical_plan.h"

namespace mua {

struct JoinSourceSpec {
  // As sql/ast.h orders them: INNER, LEFT, RIGHT, FULL, CROSS / ALL, ANY, SEMI, ANTI.
  int kind = 0;
  int strictness = 0;
  std::vector<BoundExprPtr> left_keys;   // over the left plan's outputs
  std::vector<BoundExprPtr> right_keys;  // over the right plan's outputs
  BoundExprPtr residual;                 // over [left outputs..., right outputs...]; null: none
  bool join_use_nulls = false;
  std::vector<std::pair<int, int>> using_columns;  // FULL JOIN USING keys (hash_join.h)
  std::string description;  // EXPLAIN: "LEFT JOIN ... ON ..."
  // The block whose source this is. When, as it runs, it returns every joined row (no
  // WHERE, aggregation, DISTINCT, or LIMIT within max_result_rows), the join itself
  // enforces the statement's max_result_rows while it pairs rows, before gathering
  // every column of both sides. Unset: never.
  std::weak_ptr<const SelectPlan> consumer;
};

struct JoinSource {
  std::shared_ptr<const ResultSet> schema;  // [left outputs..., right outputs...], join types applied
  DeferredRows rows;
};

// Errors: InvalidArgument / Unimplemented from the join's validation (keys without a
// common type, ANY FULL, SEMI/ANTI other than LEFT/RIGHT).
absl::StatusOr<JoinSource> MakeJoinSource(std::shared_ptr<const SelectPlan> left,
                                          std::shared_ptr<const SelectPlan> right, JoinSourceSpec spec);

}  // namespace mua
