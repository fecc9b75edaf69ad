#include "server/memory_table.h"

#include <fstream>
#include <memory>
#include <string>

#include "absl/strings/numbers.h"
#include "absl/strings/match.h"
#include "absl/strings/str_split.h"
#include "ingest/dedup.h"
#include "server/internal/system_rows.h"
#include "sql/catalog.h"
#include "storage/table.h"

namespace mua {
namespace {

using server_internal::ColumnList;
using server_internal::EmptyRows;

const ColumnList& MemoryColumns() {
  // bytes: resident (accounted) memory; disk_bytes: what the part keeps only on disk instead
  // (the events table's cold columns, StoreOptions::cold_columns), not in `bytes`.
  static const ColumnList columns = {{"part", "String"},
                                     {"bytes", "UInt64"},
                                     {"bytes_per_event", "Float64"},
                                     {"disk_bytes", "UInt64"},
                                     {"disk_bytes_per_event", "Float64"}};
  return columns;
}

std::shared_ptr<const ResultSet> MemoryRows(const Table* table, const Deduplicator* dedup) {
  auto rows = std::make_shared<ResultSet>(EmptyRows(MemoryColumns()));
  const double events = static_cast<double>(table->row_count());
  auto per_event = [events](uint64_t bytes) {
    return events == 0 ? 0.0 : static_cast<double>(bytes) / events;
  };
  auto add = [&](const char* part, uint64_t bytes, uint64_t disk_bytes = 0) {
    rows->columns[0].strings.push_back(part);
    rows->columns[1].ints.push_back(static_cast<int64_t>(bytes));
    rows->columns[2].floats.push_back(per_event(bytes));
    rows->columns[3].ints.push_back(static_cast<int64_t>(disk_bytes));
    rows->columns[4].floats.push_back(per_event(disk_bytes));
    ++rows->row_count;
  };
  add("resident", ResidentBytes());
  const MemoryUsage usage = table->Memory();
  add("events_table", usage.total_bytes(), usage.cold_bytes());
  add("deduplication", dedup != nullptr ? dedup->memory_bytes() : 0);
  return rows;
}

}  // namespace

uint64_t ResidentBytes() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (!absl::StartsWith(line, "VmRSS:")) continue;
    for (absl::string_view word : absl::StrSplit(line.substr(6), ' ', absl::SkipEmpty())) {
      uint64_t kilobytes = 0;
      if (absl::SimpleAtoi(word, &kilobytes)) return kilobytes * 1024;
    }
  }
  return 0;
}

void RegisterMemoryTable(Catalog* catalog, const Table* table, const Deduplicator* dedup) {
  catalog->RegisterSystemTable("memory", MemoryColumns(), [table, dedup] { return MemoryRows(table, dedup); });
}

}  // namespace mua
