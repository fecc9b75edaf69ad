#include "query/window_source.h"

#include <utility>

#include "query/executor.h"
#include "query/operators/values.h"
#include "query/operators/window.h"
#include "query/optimizer/optimizer.h"
#include "storage/base/status_macros.h"

namespace mua {
namespace {

absl::StatusOr<WindowCall> ToCall(const WindowCallSpec& spec) {
  absl::StatusOr<WindowFunction> function = WindowFunctionByName(spec.function);
  if (!function.ok()) return function.status();
  WindowCall call;
  call.function = *function;
  call.args = spec.args;
  call.partition_by = spec.partition_by;
  for (const WindowCallSpec::OrderKey& key : spec.order_by) {
    call.order_by.push_back({key.expr, key.descending, key.nulls_first});
  }
  if (spec.has_frame) {
    call.frame.units = spec.rows ? FrameUnits::kRows : FrameUnits::kRange;
    call.frame.begin = FrameBound{static_cast<FrameBound::Kind>(spec.begin_kind), spec.begin_offset};
    call.frame.end = FrameBound{static_cast<FrameBound::Kind>(spec.end_kind), spec.end_offset};
  }
  call.name = spec.name;
  return call;
}

}  // namespace

absl::StatusOr<DataType> WindowCallType(const WindowCallSpec& spec) {
  absl::StatusOr<WindowCall> call = ToCall(spec);
  if (!call.ok()) return call.status();
  return WindowResultType(*call);
}

DeferredRows MakeWindowSource(std::shared_ptr<const SelectPlan> input, std::vector<WindowCallSpec> specs,
                              std::string description) {
  DeferredRows rows;
  rows.description = std::move(description);
  rows.produce = [input = std::move(input), specs = std::move(specs)](const ExecutionContext& context,
                                                                      const std::vector<bool>& /*columns_read*/)
      -> absl::StatusOr<std::shared_ptr<const ResultSet>> {
    std::vector<WindowCall> calls;
    for (const WindowCallSpec& spec : specs) {
      absl::StatusOr<WindowCall> call = ToCall(spec);
      if (!call.ok()) return call.status();
      calls.push_back(*std::move(call));
    }
    // The source block is a child of this source: optimized here, as it runs.
    MUA_RETURN_IF_ERROR(OptimizePlan(input, *context.snapshot));
    ExecutionContext inner = context;
    inner.max_result_rows = 0;
    absl::StatusOr<ResultSet> source = ExecuteSelect(*input, inner);
    if (!source.ok()) return source.status();
    absl::StatusOr<ResultSet> windowed = MakeWindow(MakeValues(*std::move(source)), std::move(calls))->Execute(context);
    if (!windowed.ok()) return windowed.status();
    return std::shared_ptr<const ResultSet>(std::make_shared<ResultSet>(*std::move(windowed)));
  };
  return rows;
}

}  // namespace mua
