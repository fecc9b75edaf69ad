#include "server/query_cache_table.h"

#include <memory>
#include <string>

#include "server/internal/system_rows.h"
#include "sql/catalog.h"
#include "sql/query_cache.h"
#include "storage/table.h"

namespace mua {
namespace {

using server_internal::ColumnList;
using server_internal::EmptyRows;

const ColumnList& QueryCacheColumns() {
  // ClickHouse's columns (query, result_size, stale, shared, compressed, expires_at,
  // key_hash), then MUA's.
  static const ColumnList columns = {{"query", "String"},         {"result_size", "UInt64"},
                                     {"stale", "UInt8"},          {"shared", "UInt8"},
                                     {"compressed", "UInt8"},     {"expires_at", "DateTime"},
                                     {"key_hash", "UInt64"},      {"rows", "UInt64"},
                                     {"hits", "UInt64"},          {"created_at", "DateTime"},
                                     {"partitions", "UInt64"}};
  return columns;
}

// An exact entry never expires by age: the largest DateTime.
constexpr int64_t kNeverExpires = 4294967295;

}  // namespace

void RegisterQueryCacheTable(Catalog* catalog, const Table* table, QueryCache* cache) {
  catalog->RegisterSystemTable("query_cache", QueryCacheColumns(), [table, cache] {
    auto rows = std::make_shared<ResultSet>(EmptyRows(QueryCacheColumns()));
    std::vector<Column>& c = rows->columns;
    // Statements' text is their author's, as in system.processes: a non-admin sees only
    // the entries of their own statements (the answers are shared all the same).
    const QueryCaller& caller = CurrentQueryCaller();
    for (const QueryCache::EntryInfo& entry : cache->Entries(table->Snapshot())) {
      if (!caller.admin && entry.principal != caller.principal) continue;
      c[0].strings.push_back(entry.query);
      c[1].ints.push_back(static_cast<int64_t>(entry.result_bytes));
      c[2].ints.push_back(entry.stale ? 1 : 0);
      c[3].ints.push_back(1);  // every principal's statements share it
      c[4].ints.push_back(0);
      c[5].ints.push_back(entry.ttl > absl::ZeroDuration() ? absl::ToUnixSeconds(entry.created + entry.ttl)
                                                           : kNeverExpires);
      c[6].ints.push_back(static_cast<int64_t>(entry.key_hash));
      c[7].ints.push_back(static_cast<int64_t>(entry.result_rows));
      c[8].ints.push_back(static_cast<int64_t>(entry.hits));
      c[9].ints.push_back(absl::ToUnixSeconds(entry.created));
      c[10].ints.push_back(static_cast<int64_t>(entry.partitions));
      ++rows->row_count;
    }
    return std::shared_ptr<const ResultSet>(rows);
  });
  catalog->RegisterSystemCommand("DROP QUERY CACHE", [cache](absl::string_view) -> absl::StatusOr<std::string> {
    cache->Clear();
    return std::string("Ok.");
  });
}

}  // namespace mua
