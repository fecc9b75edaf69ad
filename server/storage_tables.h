// The tables and commands durability adds to the catalog:
//   system.storage — one row: data directory, checkpoints, persisted rows and bytes
//                    (bytes/event), WAL bytes and syncs, erased users, partitions
//                    dropped by retention, recovery (rows, seconds, notes), degraded;
//   SYSTEM FLUSH   — write a checkpoint now;
//   SYSTEM BACKUP TO '/dir' — a consistent copy of the data directory, taken live
//                    (with the created tables, in /dir/tables).
//
//   RegisterStorageTables(&catalog, store.get(), tables.get());  // both may be null (memory only)
#pragma once

namespace mua {

class Catalog;
class DimensionTables;
class Store;

// REQUIRES: `store` and `tables` (when not null) outlive the catalog's use.
void RegisterStorageTables(Catalog* catalog, Store* store, const DimensionTables* tables = nullptr);

}  // namespace mua
