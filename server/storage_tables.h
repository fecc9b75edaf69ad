// The tables and commands durability adds to the catalog:
//   system.storage — one row: data directory, checkpoints, persisted rows and bytes
//                    (bytes/event), WAL bytes and syncs, erased users, partitions
//                    dropped by retention, recovery (rows, seconds, notes), degraded;
//   SYSTEM FLUSH   — write a checkpoint now;
//   SYSTEM BACKUP TO '/dir' — a consistent copy of the data directory, taken live.
//
//   RegisterStorageTables(&catalog, store.get());  // store may be null (memory only)
#pragma once

namespace mua {

class Catalog;
class Store;

// REQUIRES: `store` (when not null) outlives the catalog's use.
void RegisterStorageTables(Catalog* catalog, Store* store);

}  // namespace mua
