// Sort: ORDER BY over a block's collected columns, as an order of row indices
// (the columns are not moved until the rows are taken). Keys compare as
// ClickHouse does: NULLS LAST by default in both directions (or NULLS FIRST),
// NaN last either way, strings bytewise, arrays and tuples element by element.
// Top-N: with a bound from the optimizer (LIMIT + OFFSET), a partial sort keeps
// only the first rows, in the order the full stable sort would give them.
//
// Resource limits: the order is 4 bytes per row (charged to the statement's
// MemoryTracker); one sort call cannot be interrupted, its input was collected
// under the scan's interruption checks and max_result_rows.
//
//   std::vector<uint32_t> order(rows);
//   std::iota(order.begin(), order.end(), 0);
//   SortRows(columns, /*first_key=*/outputs, plan.order_by, plan.top_n, &order);
//   Column sorted = TakeRows(columns[0], order);
#pragma once

#include <cstdint>
#include <vector>

#include "absl/types/span.h"
#include "query/logical_plan.h"
#include "query/result_set.h"

namespace mua {

// Orders `order` by the key columns columns[first_key + k] for keys[k] (stable:
// ties keep their order). With 0 < top_n < order->size(), keeps only the first
// top_n rows of that order. REQUIRES: the key columns hold every row of `order`.
void SortRows(const std::vector<Column>& columns, size_t first_key, const std::vector<SortKey>& keys,
              uint64_t top_n, std::vector<uint32_t>* order);

// Rows `order` of `column`, in that order, as a new column (strings copied).
Column TakeRows(const Column& column, absl::Span<const uint32_t> order);

}  // namespace mua
