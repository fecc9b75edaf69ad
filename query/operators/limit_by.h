// LimitBy: ClickHouse's LIMIT n [OFFSET m] BY keys: of each combination of key
// values, the rows after the first m, up to n of them, in input order (NULL keys
// group together). Run after ORDER BY, before the query's own LIMIT.
//
//   OperatorPtr op = MakeLimitBy(std::move(sorted), {user_id}, /*limit=*/2, /*offset=*/0);
#pragma once

#include <cstdint>
#include <vector>

#include "query/operators/operator.h"

namespace mua {

// Errors at execution: the input's and evaluation errors, Cancelled / DeadlineExceeded,
// ResourceExhausted past max_memory_usage.
OperatorPtr MakeLimitBy(OperatorPtr input, std::vector<BoundExprPtr> keys, uint64_t limit,
                        uint64_t offset);

}  // namespace mua
