// system.query_cache and SYSTEM DROP QUERY CACHE over the server's result cache
// (sql/query_cache.h): one row per entry — its statement, result size and rows, hits,
// whether the rows it read changed since (`stale`: then served only within its
// query_cache_ttl), when it was computed and when its ttl ends. A non-admin sees only the
// entries of their own statements.
//
//   RegisterQueryCacheTable(&catalog, &table, &cache);
#pragma once

namespace mua {

class Catalog;
class QueryCache;
class Table;

// REQUIRES: `table` and `cache` outlive the catalog's use.
void RegisterQueryCacheTable(Catalog* catalog, const Table* table, QueryCache* cache);

}  // namespace mua
