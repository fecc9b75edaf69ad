// Window: ClickHouse's window functions (f(...) OVER (PARTITION BY ... ORDER BY
// ... ROWS|RANGE BETWEEN ...)) over a materialized relation.
//
// Frames as ClickHouse: the default is RANGE BETWEEN UNBOUNDED PRECEDING AND
// CURRENT ROW, where CURRENT ROW includes the row's peers (equal ORDER BY
// values); without ORDER BY every row of the partition is a peer, so the frame
// is the whole partition. row_number, rank, dense_rank and percent_rank ignore
// the frame; lagInFrame / leadInFrame / first_value / last_value / nth_value and
// the aggregates see only the frame (leadInFrame with the default frame sees
// nothing past the current row's peers; lagInFrame/leadInFrame give the default
// — the third argument, or the type default — outside the frame). first_value
// and last_value skip NULLs (they are ClickHouse's any / anyLast); aggregates
// skip NULLs, and over an empty frame give 0 (sum, count), nan (avg) or the type
// default (min, max) — NULL instead when the argument is Nullable.
// RANGE offsets (n PRECEDING / FOLLOWING) need exactly one numeric or time ORDER BY
// key and are in that key's unit (days for Date, seconds for DateTime, ms for
// DateTime64).
//
// Output: the input columns, then one column per call (named `name`), in the order
// of the last call's window: sorted by its PARTITION BY keys, then its ORDER BY keys,
// stable for ties (ClickHouse does not keep the input order either). NULLs sort
// last unless nulls_first. Sliding (not running) sums of Float64 come from prefix
// sums and may differ from a sequential sum in the last bits.
//
//   WindowCall call;
//   call.function = WindowFunction::kRowNumber;
//   call.partition_by = {user_id};
//   call.order_by = {{event_time, /*descending=*/false}};
//   call.name = "n";
//   OperatorPtr op = MakeWindow(std::move(input), {call});
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "query/operators/operator.h"

namespace mua {

enum class WindowFunction : uint8_t {
  kRowNumber,
  kRank,
  kDenseRank,
  kPercentRank,
  kLagInFrame,   // (x[, offset[, default]]): offset a constant >= 0, 1 by default
  kLeadInFrame,  // (x[, offset[, default]])
  kFirstValue,   // (x)
  kLastValue,    // (x)
  kNthValue,     // (x, n): n a constant >= 1
  kSum,
  kAvg,
  kMin,
  kMax,
  kCount,  // count() or count(x)
};

enum class FrameUnits : uint8_t { kRows, kRange };

struct FrameBound {
  enum class Kind : uint8_t {
    kUnboundedPreceding,
    kPreceding,
    kCurrentRow,
    kFollowing,
    kUnboundedFollowing
  };
  Kind kind = Kind::kUnboundedPreceding;
  double offset = 0;  // kPreceding / kFollowing: rows (ROWS) or ORDER BY key units (RANGE)
};

struct WindowFrame {
  FrameUnits units = FrameUnits::kRange;
  FrameBound begin{FrameBound::Kind::kUnboundedPreceding};
  FrameBound end{FrameBound::Kind::kCurrentRow};
};

struct WindowOrderKey {
  BoundExprPtr expr;
  bool descending = false;
  bool nulls_first = false;  // ClickHouse's default: NULLS LAST in both directions
};

struct WindowCall {
  WindowFunction function = WindowFunction::kRowNumber;
  std::vector<BoundExprPtr> args;  // over the input's columns
  std::vector<BoundExprPtr> partition_by;
  std::vector<WindowOrderKey> order_by;
  WindowFrame frame;
  std::string name;  // the output column's name
};

// The function of a name as ClickHouse spells it (row_number, rank, dense_rank,
// percent_rank, lagInFrame, leadInFrame, first_value, last_value, nth_value, sum,
// avg, min, max, count; case-sensitive like ClickHouse except the aggregates).
// Errors: NotFound "Unknown window function NAME".
absl::StatusOr<WindowFunction> WindowFunctionByName(absl::string_view name);

// The output type of `call` (row_number/rank/dense_rank/count UInt64, percent_rank
// and avg Float64, sum of signed ints Int64, of unsigned UInt64, value functions
// and min/max the argument's type; Nullable when the argument is, except count).
// Errors: InvalidArgument for wrong arity or types, a non-constant or negative
// offset, a RANGE offset frame without exactly one numeric/time ORDER BY key, or a
// frame whose start lies after its end.
absl::StatusOr<DataType> WindowResultType(const WindowCall& call);

// Errors at execution: the input's, WindowResultType's, evaluation errors,
// Cancelled / DeadlineExceeded, ResourceExhausted past max_memory_usage.
OperatorPtr MakeWindow(OperatorPtr input, std::vector<WindowCall> calls);

}  // namespace mua
