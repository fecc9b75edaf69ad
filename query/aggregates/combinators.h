// The combinators that wrap a bound aggregate (ClickHouse's -If, -Distinct
// and -Null): the registry applies them, in that order from the inside out.
#pragma once

#include <memory>
#include <vector>

#include "query/aggregate_function.h"

namespace mua::query_internal {

// f If(args..., cond): rows where cond is false or NULL are not folded in.
std::unique_ptr<AggregateFunction> MakeIfAggregate(std::unique_ptr<AggregateFunction> inner);

// f(DISTINCT args): each distinct tuple of argument values of a group is
// folded in once. Keeps the values (not only their hashes) so partial states
// merge before the inner function sees them, as ClickHouse's -Distinct.
// REQUIRES: scalar argument types (no arrays).
std::unique_ptr<AggregateFunction> MakeDistinctAggregate(std::unique_ptr<AggregateFunction> inner,
                                                         std::vector<DataType> arg_types);

// Skips rows where any of the first `checked_args` arguments is NULL. With
// `nullable_result`, a group that saw no row yields NULL and the result type
// is Nullable(`result`); otherwise the inner result as is.
std::unique_ptr<AggregateFunction> MakeNullAggregate(std::unique_ptr<AggregateFunction> inner,
                                                     size_t checked_args, bool nullable_result,
                                                     DataType result);

}  // namespace mua::query_internal
