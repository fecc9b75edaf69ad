// Catalog: what names a query's FROM can refer to — the events table, the
// views defined over it (sessions, daily_user_metrics) as SQL text, and the
// system tables, produced on demand from the live database state.
//
//   Catalog catalog(&table);
//   catalog.FindView("sessions");  // the view's SELECT text
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "query/result_set.h"

namespace mua {

class Table;
class TableSnapshot;

struct TableInfo {
  std::string database;
  std::string name;
  std::string engine;  // "MUA" (events), "View", "SystemTable"
  std::vector<std::pair<std::string, std::string>> columns;  // name, type
};

class Catalog {
 public:
  // REQUIRES: `events` outlives the catalog.
  explicit Catalog(const Table* events);

  const Table& events() const { return *events_; }

  // The SELECT text of a view named `name` ("sessions", "daily_user_metrics").
  std::optional<std::string> FindView(absl::string_view name) const;

  // Rows of system.<name>, built from `snapshot`. NotFound for unknown names.
  absl::StatusOr<std::shared_ptr<const ResultSet>> SystemTable(absl::string_view name,
                                                               const TableSnapshot& snapshot) const;

  // Every table with its columns (SHOW TABLES, DESCRIBE, system.tables/columns).
  std::vector<TableInfo> Tables() const;

  // Extra system tables provided by other modules (system.ingest, query_log...).
  using SystemTableProvider = std::function<std::shared_ptr<const ResultSet>()>;
  void RegisterSystemTable(std::string name, std::vector<std::pair<std::string, std::string>> columns,
                           SystemTableProvider provider);

 private:
  struct Provided {
    std::vector<std::pair<std::string, std::string>> columns;
    SystemTableProvider provider;
  };
  const Table* events_;
  std::map<std::string, Provided, std::less<>> provided_;
};

}  // namespace mua
