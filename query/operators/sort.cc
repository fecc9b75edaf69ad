#include "query/operators/sort.h"

#include <algorithm>
#include <cmath>

namespace mua {

void SortRows(const std::vector<Column>& columns, size_t first_key, const std::vector<SortKey>& keys,
              uint64_t top_n, std::vector<uint32_t>* order) {
  auto compare = [&](uint32_t a, uint32_t b) {
    for (size_t k = 0; k < keys.size(); ++k) {
      const Column& column = columns[first_key + k];
      int cmp = 0;
      if (column.type.may_be_null() || !column.children.empty()) {
        // NULLS LAST (the default) in both directions, or NULLS FIRST.
        cmp = CompareColumnValues(column, a, column, b,
                                  /*nulls_greater=*/keys[k].descending == keys[k].nulls_first);
      } else if (column.type.is_string()) {
        cmp = column.strings[a].compare(column.strings[b]);
      } else if (column.type.id == TypeId::kFloat64) {
        const double x = column.floats[a], y = column.floats[b];
        // NaN sorts last in either direction, as ClickHouse does by default.
        if (std::isnan(x) || std::isnan(y)) {
          if (std::isnan(x) && std::isnan(y)) continue;
          return std::isnan(y);
        }
        cmp = x < y ? -1 : x > y;
      } else if (column.type.id == TypeId::kArray) {
        // Any element type (strings, floats, nested): the ints-only compare read past them.
        cmp = CompareColumnValues(column, a, column, b, true);
      } else if (column.type.is_unsigned()) {
        const uint64_t x = column.ints[a], y = column.ints[b];
        cmp = x < y ? -1 : x > y;
      } else {
        const int64_t x = column.ints[a], y = column.ints[b];
        cmp = x < y ? -1 : x > y;
      }
      if (cmp != 0) return keys[k].descending ? cmp > 0 : cmp < 0;
    }
    return false;
  };
  if (top_n > 0 && top_n < order->size()) {
    std::partial_sort(order->begin(), order->begin() + static_cast<ptrdiff_t>(top_n), order->end(),
                      [&](uint32_t a, uint32_t b) { return compare(a, b) || (!compare(b, a) && a < b); });
    order->resize(top_n);
    return;
  }
  std::stable_sort(order->begin(), order->end(), compare);
}

Column TakeRows(const Column& column, absl::Span<const uint32_t> order) {
  // NULL flags, tuples and arrays of any element (Float64 too) through the generic path.
  if (!column.nulls.empty() || !column.children.empty() || column.type.id == TypeId::kArray) {
    return TakeColumnRows(column, order);
  }
  Column out;
  out.type = column.type;
  for (uint32_t row : order) {
    if (!column.ints.empty()) out.ints.push_back(column.ints[row]);
    if (!column.floats.empty()) out.floats.push_back(column.floats[row]);
    if (!column.strings.empty()) out.strings.push_back(column.strings[row]);
  }
  return out;
}

}  // namespace mua
