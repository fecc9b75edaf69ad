// Limit: the row selection after a block's projection and sort, over an order
// of row indices into the collected columns: DISTINCT (the first row of each
// combination of output values; NULL equals NULL, arrays and tuples compare
// whole) and OFFSET m / LIMIT n.
//
// Resource limits: DISTINCT keeps one serialized key per distinct row in a
// HashSet (charged to the statement's MemoryTracker; checks CheckInterrupted
// every 64 Ki rows). LIMIT without ORDER BY also stops the scan early
// (FilterProject::EarlyStop).
//
//   MUA_RETURN_IF_ERROR(DistinctRows(columns, outputs, context, &order));
//   absl::Span<const uint32_t> kept = LimitRows(order, plan.offset, plan.limit);
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "absl/status/status.h"
#include "absl/types/span.h"
#include "query/executor.h"
#include "query/result_set.h"

namespace mua {

// Keeps in `order` the first row of each distinct combination of the values of
// columns[0..count). Errors: Cancelled / DeadlineExceeded / MemoryLimitExceeded.
absl::Status DistinctRows(const std::vector<Column>& columns, size_t count, const ExecutionContext& context,
                          std::vector<uint32_t>* order);

// The rows of `order` after the first `offset`, at most `limit` of them.
absl::Span<const uint32_t> LimitRows(const std::vector<uint32_t>& order, uint64_t offset,
                                     std::optional<uint64_t> limit);

}  // namespace mua
