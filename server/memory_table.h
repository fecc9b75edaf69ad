// system.memory: where the server's resident memory goes, one row per part —
// `resident` (the process's VmRSS), `events_table` (columns, heads, bitmaps,
// dictionaries and user index, by the table's own accounting) and
// `deduplication` (the (user_id, event_id) fingerprints kept to drop re-sent
// events) — with bytes and bytes per stored event.
//
//   RegisterMemoryTable(&catalog, &table, ingest.dedup);  // dedup may be null
#pragma once

#include <cstdint>

namespace mua {

// VmRSS of this process in bytes (0 where /proc is not readable).
uint64_t ResidentBytes();

class Catalog;
class Deduplicator;
class Table;

// REQUIRES: `table` and `dedup` (when not null) outlive the catalog's use.
void RegisterMemoryTable(Catalog* catalog, const Table* table, const Deduplicator* dedup);

}  // namespace mua
