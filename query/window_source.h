// Window functions as a block's source: the rows of a plan through the window
// operator (query/operators/window.h) when the plan runs. The binder (sql/)
// describes the calls with these neutral types (sql/ast.h has its own frame
// types), so it needs no operator header.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "query/logical_plan.h"

namespace mua {

struct WindowCallSpec {
  std::string function;  // row_number, rank, lagInFrame, sum, ...
  std::vector<BoundExprPtr> args;
  std::vector<BoundExprPtr> partition_by;
  struct OrderKey {
    BoundExprPtr expr;
    bool descending = false;
    bool nulls_first = false;
  };
  std::vector<OrderKey> order_by;
  // The frame; `has_frame` false: ClickHouse's default (RANGE UNBOUNDED PRECEDING
  // .. CURRENT ROW). Bound kinds as sql/ast.h orders them: UNBOUNDED PRECEDING,
  // n PRECEDING, CURRENT ROW, n FOLLOWING, UNBOUNDED FOLLOWING.
  bool has_frame = false;
  bool rows = true;  // ROWS, else RANGE
  int begin_kind = 0;
  double begin_offset = 0;
  int end_kind = 2;
  double end_offset = 0;
  std::string name;  // the result column
};

// The result type of a call. Errors: NotFound (unknown window function), InvalidArgument
// (arity, types, offsets, frames) in ClickHouse's words.
absl::StatusOr<DataType> WindowCallType(const WindowCallSpec& call);

// Rows of `input` (all its outputs), then one column per call.
DeferredRows MakeWindowSource(std::shared_ptr<const SelectPlan> input, std::vector<WindowCallSpec> calls,
                              std::string description);

}  // namespace mua
