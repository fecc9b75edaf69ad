#include "query/operators/limit.h"

#include <algorithm>
#include <string>

#include "storage/base/hash_containers.h"
#include "storage/base/status_macros.h"

namespace mua {
namespace {

std::string RowKey(const std::vector<Column>& columns, size_t count, uint32_t row) {
  std::string key;
  // NULL equals NULL for DISTINCT, as for GROUP BY; arrays and tuples compare whole.
  for (size_t c = 0; c < count; ++c) AppendColumnKey(columns[c], row, &key);
  return key;
}

}  // namespace

absl::Status DistinctRows(const std::vector<Column>& columns, size_t count, const ExecutionContext& context,
                          std::vector<uint32_t>* order) {
  HashSet<std::string> seen;
  std::vector<uint32_t> unique;
  for (size_t i = 0; i < order->size(); ++i) {
    if (i % 65536 == 65535) MUA_RETURN_IF_ERROR(CheckInterrupted(context));
    const uint32_t row = (*order)[i];
    if (seen.insert(RowKey(columns, count, row)).second) unique.push_back(row);
  }
  *order = std::move(unique);
  return absl::OkStatus();
}

absl::Span<const uint32_t> LimitRows(const std::vector<uint32_t>& order, uint64_t offset,
                                     std::optional<uint64_t> limit) {
  const uint64_t begin = std::min<uint64_t>(offset, order.size());
  uint64_t end = order.size();
  if (limit) end = std::min<uint64_t>(end, begin + *limit);
  return absl::Span<const uint32_t>(order.data() + begin, end - begin);
}

}  // namespace mua
