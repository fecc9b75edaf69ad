// ArrayJoin: ClickHouse's ARRAY JOIN / LEFT ARRAY JOIN over a materialized
// relation: one output row per array element, the other columns repeated.
// Several arrays are zipped and must have equal lengths in every row (else
// "Sizes of ARRAY-JOIN-ed arrays do not match", ClickHouse code 190). ARRAY JOIN
// drops rows whose arrays are empty; LEFT ARRAY JOIN keeps them once, with the
// element type's default (NULL for a Nullable element).
//
// Output: the input columns, then one element column per array (`name`), in input
// order. The binder maps aliases (ARRAY JOIN arr AS x) and, for ARRAY JOIN of a
// column, hides the array column behind its element as ClickHouse does.
//
//   OperatorPtr op = MakeArrayJoin(std::move(input), {{tags_expr, "tag"}}, /*left=*/false);
#pragma once

#include <string>
#include <vector>

#include "query/operators/operator.h"

namespace mua {

struct ArrayJoinColumn {
  BoundExprPtr array;  // of Array type, over the input's columns
  std::string name;    // the element column's name
};

// Errors at execution: InvalidArgument for a non-array expression or unequal sizes,
// ResourceExhausted past max_memory_usage, Cancelled / DeadlineExceeded.
OperatorPtr MakeArrayJoin(OperatorPtr input, std::vector<ArrayJoinColumn> arrays, bool left);

}  // namespace mua
