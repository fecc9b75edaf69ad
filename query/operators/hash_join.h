// HashJoin: ClickHouse's JOIN over two materialized relations. The hash table is
// built on the right input (ClickHouse's default); the left input probes it.
//
// Semantics (modern ClickHouse, join_algorithm = hash):
// - ALL: every matching pair. INNER/LEFT/RIGHT/FULL as SQL; rows without a match
//   get type defaults (0, '', 1970-01-01) for the other side's columns, or NULL
//   with `join_use_nulls` (the other side's columns become Nullable where the
//   type allows: arrays keep defaults).
// - ANY: LEFT ANY joins each left row with at most the first matching right row;
//   INNER ANY joins the first left row of each key with the first right row of it
//   (each row of either side appears at most once); RIGHT ANY joins every right
//   row with at most the first matching left row (plus unmatched right rows).
//   FULL ANY is not implemented (as in ClickHouse).
// - SEMI / ANTI (LEFT or RIGHT): the rows of that side with / without a match;
//   LEFT SEMI takes the first matching right row's columns, RIGHT SEMI the first
//   matching left row's; ANTI gives defaults (or NULLs) for the other side.
// - CROSS: every pair. Keys are compared by value across integer widths, Date
//   against DateTime/DateTime64, String against LowCardinality; NULL keys never
//   match. A residual ON condition (over left columns, then right columns) filters
//   the candidate pairs before the strictness applies; with a residual, INNER ANY
//   takes for each left row the first passing right row not taken yet.
//
// Output rows: the probe order (left input order; each left row's matches in right
// input order), then RIGHT/FULL's unmatched right rows in right input order.
// Output columns: the selected left columns, then the selected right ones, with
// their input names (the binder renames them).
//
//   JoinSpec spec;
//   spec.kind = JoinKind::kLeft;
//   spec.left_keys = {MakeColumn(0, uint64, "id")};
//   spec.right_keys = {MakeColumn(0, uint64, "user_id")};
//   OperatorPtr join = MakeHashJoin(std::move(events), std::move(users), spec);
#pragma once

#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "query/operators/operator.h"

namespace mua {

enum class JoinKind : uint8_t { kInner, kLeft, kRight, kFull, kCross };
enum class JoinStrictness : uint8_t { kAll, kAny, kSemi, kAnti };

struct JoinSpec {
  JoinKind kind = JoinKind::kInner;
  JoinStrictness strictness = JoinStrictness::kAll;
  // Equi-keys, pairwise: left_keys[i] over the left input's columns equals
  // right_keys[i] over the right input's. Empty (CROSS, ON 1): every pair is a candidate.
  std::vector<BoundExprPtr> left_keys;
  std::vector<BoundExprPtr> right_keys;
  // Optional extra ON condition over [left columns..., right columns...] (UInt8/Nullable).
  BoundExprPtr residual;
  bool join_use_nulls = false;
  // FULL JOIN ... USING: (left input column, right input column) of each key. A row without
  // a left match takes the right row's key in the left column, so the one key column the
  // query sees has a value on every row, as ClickHouse's USING key does. Applied only where
  // both columns hold the same type (Nullable and LowCardinality aside).
  std::vector<std::pair<int, int>> using_columns;
  // The input columns to output; nullopt: all of them.
  std::optional<std::vector<int>> left_columns;
  std::optional<std::vector<int>> right_columns;
  // When the statement returns every output row (max_result_rows, plus an OFFSET above):
  // more rows than this fail while they are paired, before any column is gathered. 0: none.
  uint64_t max_output_rows = 0;
  uint64_t max_result_rows = 0;  // for the message
};

// Checks a spec before execution (the binder calls it with the inputs' column types).
// Errors: InvalidArgument for keys without a common type ("There is no supertype for
// types ..."), SEMI/ANTI other than LEFT/RIGHT, CROSS with keys, unequal key counts;
// Unimplemented for ANY FULL ("ANY FULL JOINs are not implemented").
absl::Status ValidateJoinSpec(const JoinSpec& spec);

// The type an output column of an input column of `type` has: Nullable when
// join_use_nulls and that side may lack a match.
DataType JoinOutputType(const JoinSpec& spec, bool right_side, const DataType& type);

// Errors at execution: the inputs', ValidateJoinSpec's, ResourceExhausted when the
// output would pass max_memory_usage, kMaxJoinRows or max_output_rows ("Limit for result
// exceeded"), Cancelled / DeadlineExceeded.
OperatorPtr MakeHashJoin(OperatorPtr left, OperatorPtr right, JoinSpec spec);

// More output rows than this is an error rather than an attempt.
inline constexpr uint64_t kMaxJoinRows = uint64_t{1} << 32;

}  // namespace mua
