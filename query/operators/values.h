// ValuesOperator: returns a fixed relation (literal rows, a materialized
// subquery, or the input of an operator under test).
//
//   OperatorPtr rows = MakeValues(std::move(result_set), "(values)");
#pragma once

#include <string>

#include "query/operators/operator.h"

namespace mua {

// Returns a copy of `rows` on each Execute; `name` is what EXPLAIN prints.
OperatorPtr MakeValues(ResultSet rows, std::string name = "Values");

}  // namespace mua
