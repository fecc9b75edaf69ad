// The server's side of user-created tables and the built-in `user_profiles`:
// DimensionTableManager implements sql/table_manager.h over storage/dimension_table.h
// (types checked, values converted, reads cached per table version), and takes
// `INSERT INTO t FORMAT JSONEachRow|TSV|CSV` bodies through ingest/table_rows.h.
// RegisterDimensionTables installs it in the catalog with user_profiles, whose rows
// the events table keeps current at every append (storage/table.h UserProfiles).
//
//   DimensionTableManager manager(tables.get());
//   RegisterDimensionTables(&catalog, &manager, &table);
//
// Thread safety: every method may be called from any thread.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "sql/table_manager.h"

namespace mua {

class Catalog;
class DimensionTables;
class SqlEngine;
class Table;

class DimensionTableManager : public TableManager {
 public:
  // REQUIRES: `tables` outlives the manager.
  explicit DimensionTableManager(DimensionTables* tables) : tables_(tables) {}

  absl::Status Create(const TableSpec& spec, bool if_not_exists) override;
  absl::Status Drop(absl::string_view name, bool if_exists) override;
  absl::Status Truncate(absl::string_view name, bool if_exists) override;
  absl::StatusOr<uint64_t> Insert(absl::string_view name, const ResultSet& rows) override;
  std::optional<TableSpec> Find(absl::string_view name) const override;
  std::vector<TableSpec> List() const override;
  std::shared_ptr<const ResultSet> Read(absl::string_view name) const override;

  // The rows of an INSERT's data in `format` (JSONEachRow, TSV, CSV...), `columns` as
  // INSERT INTO t (a, b) lists them; a column left out gets `defaults`' value (one row
  // with every column, sql/ddl_executor.h EvaluateDefaults). Returns the rows inserted.
  absl::StatusOr<uint64_t> InsertText(absl::string_view name, absl::string_view data, absl::string_view format,
                                      const std::vector<std::string>& columns, const ResultSet& defaults);

  DimensionTables* tables() const { return tables_; }

 private:
  struct Cached {
    std::shared_ptr<const void> table;  // the table's definition: a re-created table is another
    uint64_t version = 0;
    std::shared_ptr<const ResultSet> rows;
  };
  DimensionTables* const tables_;
  mutable absl::Mutex cache_mu_;
  mutable std::map<std::string, Cached, std::less<>> cache_ ABSL_GUARDED_BY(cache_mu_);
};

// `INSERT INTO table [(columns)] FORMAT f` + data into a created table: columns left out
// get their DEFAULT (evaluated through `engine`). Returns the rows inserted. Errors:
// NotFound for a table that is not a created one; InvalidArgument "row N, column C: ...".
absl::StatusOr<uint64_t> InsertTableRows(const Catalog& catalog, const SqlEngine& engine, absl::string_view table,
                                         absl::string_view data, absl::string_view format,
                                         const std::vector<std::string>& columns);

// Sets `manager` as the catalog's TableManager (may be null: no user tables) and
// registers default.user_profiles over `events`.
// REQUIRES: both outlive the catalog's use.
void RegisterDimensionTables(Catalog* catalog, DimensionTableManager* manager, const Table* events);

}  // namespace mua
