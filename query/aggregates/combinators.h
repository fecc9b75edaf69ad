// The combinators that wrap a bound aggregate (ClickHouse's -If, -Distinct,
// -Array, -ForEach, -OrNull, -OrDefault and -Null): the registry peels the
// suffixes from the end of the name and wraps in the reverse order.
#pragma once

#include <memory>
#include <vector>

#include "absl/strings/string_view.h"
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

// f Array(arr1, ...): the inner function over the elements of the arrays
// (equal sizes per row). f ForEach(arr1, ...): element-wise, one inner group
// per position, the result an Array of the inner results.
// REQUIRES: array arguments; `inner` bound on their element types.
std::unique_ptr<AggregateFunction> MakeArrayAggregate(std::unique_ptr<AggregateFunction> inner,
                                                      absl::string_view name);
std::unique_ptr<AggregateFunction> MakeForEachAggregate(std::unique_ptr<AggregateFunction> inner,
                                                        absl::string_view name);

// f OrNull / f OrDefault: a group that saw no row is NULL (result made
// Nullable) or the result type's default. With `if_condition_last`, the last
// argument is an inner -If's condition and only rows passing it count.
std::unique_ptr<AggregateFunction> MakeOrFillAggregate(std::unique_ptr<AggregateFunction> inner,
                                                       bool or_null, bool if_condition_last);

}  // namespace mua::query_internal
