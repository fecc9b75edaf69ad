#include "server/storage_tables.h"

#include <memory>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "server/internal/system_rows.h"
#include "sql/catalog.h"
#include "storage/dimension_table.h"
#include "storage/store.h"

namespace mua {
namespace {

using server_internal::ColumnList;
using server_internal::EmptyRows;

const ColumnList& StorageColumns() {
  static const ColumnList columns = {
      {"data_dir", "String"},          {"checkpoints", "UInt64"},
      {"checkpoint_errors", "UInt64"}, {"last_error", "String"},
      {"last_checkpoint", "DateTime64(3)"}, {"last_checkpoint_seconds", "Float64"},
      {"persisted_rows", "UInt64"},    {"persisted_bytes", "UInt64"},
      {"bytes_per_event", "Float64"},  {"files", "UInt64"},
      {"wal_bytes", "UInt64"},         {"wal_syncs", "UInt64"},
      {"erased_users", "UInt64"},      {"partitions_dropped", "UInt64"},
      {"retention_days", "UInt64"},    {"recovered_rows", "UInt64"},
      {"recovery_seconds", "Float64"}, {"recovery_notes", "String"},
      {"degraded", "UInt8"}};
  return columns;
}

std::shared_ptr<const ResultSet> StorageRows(const Store* store, const DimensionTables* tables) {
  auto rows = std::make_shared<ResultSet>(EmptyRows(StorageColumns()));
  if (store == nullptr) return rows;
  const StoreStats stats = store->stats();
  const RecoveryReport& recovery = store->recovery();
  std::vector<Column>& c = rows->columns;
  c[0].strings.push_back(store->options().dir);
  c[1].ints.push_back(stats.checkpoints);
  c[2].ints.push_back(stats.checkpoint_errors);
  c[3].strings.push_back(stats.last_error);
  c[4].ints.push_back(stats.last_checkpoint_at_ms);
  c[5].floats.push_back(stats.last_checkpoint_seconds);
  c[6].ints.push_back(static_cast<int64_t>(stats.persisted_rows));
  c[7].ints.push_back(static_cast<int64_t>(stats.persisted_bytes));
  c[8].floats.push_back(stats.persisted_rows == 0 ? 0.0
                                                  : static_cast<double>(stats.persisted_bytes) /
                                                        static_cast<double>(stats.persisted_rows));
  c[9].ints.push_back(stats.files);
  c[10].ints.push_back(static_cast<int64_t>(stats.wal_bytes_written));
  c[11].ints.push_back(static_cast<int64_t>(stats.wal_syncs));
  c[12].ints.push_back(stats.erased_users);
  c[13].ints.push_back(stats.partitions_dropped);
  c[14].ints.push_back(store->options().retention_days);
  c[15].ints.push_back(static_cast<int64_t>(recovery.rows));
  c[16].floats.push_back(recovery.load_seconds + recovery.wal_seconds);
  std::vector<std::string> notes = recovery.notes;
  bool degraded = stats.degraded;
  if (tables != nullptr) {
    // Created tables recover on their own (storage/dimension_table.h); their damage counts too.
    notes.insert(notes.end(), tables->recovery().notes.begin(), tables->recovery().notes.end());
    degraded = degraded || tables->recovery().degraded;
  }
  c[17].strings.push_back(absl::StrJoin(notes, "\n"));
  c[18].ints.push_back(degraded ? 1 : 0);
  rows->row_count = 1;
  return rows;
}

absl::Status NeedsStore(const Store* store) {
  if (store != nullptr) return absl::OkStatus();
  return absl::FailedPreconditionError("this server keeps data in memory only (started without --data_dir)");
}

}  // namespace

void RegisterStorageTables(Catalog* catalog, Store* store, const DimensionTables* tables) {
  catalog->RegisterSystemTable("storage", StorageColumns(), [store, tables] { return StorageRows(store, tables); });
  catalog->RegisterSystemCommand("FLUSH", [store](absl::string_view) -> absl::StatusOr<std::string> {
    if (absl::Status status = NeedsStore(store); !status.ok()) return status;
    if (absl::Status status = store->Checkpoint(); !status.ok()) return status;
    const StoreStats stats = store->stats();
    return absl::StrCat("Ok. Checkpoint written: ", stats.persisted_rows, " rows, ", stats.persisted_bytes,
                        " bytes in ", stats.files, " files.");
  });
  catalog->RegisterSystemCommand("BACKUP TO", [store, tables](absl::string_view target) -> absl::StatusOr<std::string> {
    if (absl::Status status = NeedsStore(store); !status.ok()) return status;
    if (target.empty() || target.front() != '/') {
      return absl::InvalidArgumentError("SYSTEM BACKUP TO takes an absolute directory path: SYSTEM BACKUP TO '/backups/mua-1'");
    }
    absl::StatusOr<uint64_t> bytes = store->Backup(std::string(target));
    if (!bytes.ok()) return bytes.status();
    // The store resolved and checked the target; the created tables go beside its files.
    if (tables != nullptr && !tables->options().dir.empty()) {
      absl::StatusOr<uint64_t> table_bytes = tables->Backup(absl::StrCat(target, "/tables"));
      if (!table_bytes.ok()) return table_bytes.status();
      *bytes += *table_bytes;
    }
    return absl::StrCat("Ok. Backup of ", *bytes, " bytes in ", target,
                        " (start a server with --data_dir ", target, " to use it).");
  });
}

}  // namespace mua
