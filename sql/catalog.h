// Catalog: what names a query's FROM can refer to — the events table, the
// views defined over it (sessions, daily_user_metrics) as SQL text, and the
// system tables, produced on demand from the live database state. Other
// modules add tables (events_rejected, system.ingest) and SYSTEM commands
// (STOP INGEST) that they serve, so sql/ needs no dependency on them.
//
//   Catalog catalog(&table);
//   catalog.FindView("daily_user_metrics");  // the view's SELECT text
//   catalog.RegisterSystemCommand("STOP INGEST", [&](absl::string_view) { ...; return "Ok."; });
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
class TableManager;
class TableSnapshot;

// Who runs a statement. Tables and commands whose answer depends on it read it with
// CurrentQueryCaller() (system.processes, audit_log and KILL QUERY show and touch only
// a non-admin's own statements).
struct QueryCaller {
  std::string principal = "dev";
  bool admin = true;
};

// The caller of the statement this thread is executing (SqlEngine::Execute sets it);
// an admin "dev" outside any statement.
const QueryCaller& CurrentQueryCaller();

// Makes `caller` this thread's current caller until the scope ends.
class QueryCallerScope {
 public:
  explicit QueryCallerScope(const QueryCaller* caller);
  ~QueryCallerScope();
  QueryCallerScope(const QueryCallerScope&) = delete;
  QueryCallerScope& operator=(const QueryCallerScope&) = delete;

 private:
  const QueryCaller* previous_;
};

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

  // Tables provided by other modules, produced whole on each query: `database` is
  // "default" (events_rejected) or "system" (system.ingest, query_log...).
  using TableProvider = std::function<std::shared_ptr<const ResultSet>()>;
  void RegisterTable(std::string database, std::string name,
                     std::vector<std::pair<std::string, std::string>> columns, TableProvider provider);
  void RegisterSystemTable(std::string name, std::vector<std::pair<std::string, std::string>> columns,
                           TableProvider provider) {
    RegisterTable("system", std::move(name), std::move(columns), std::move(provider));
  }
  // The rows of a registered table, or nullopt when none is registered under that name.
  std::optional<std::shared_ptr<const ResultSet>> ProvidedTable(absl::string_view database,
                                                                absl::string_view name) const;

  // SYSTEM <command> (upper-case words, e.g. "STOP INGEST") and "KILL QUERY" (whose
  // argument is the query id): the handler returns a message for the user or an error.
  using SystemCommand = std::function<absl::StatusOr<std::string>(absl::string_view argument)>;
  void RegisterSystemCommand(std::string command, SystemCommand handler);
  // Errors: NotFound naming the commands that exist; the handler's.
  absl::StatusOr<std::string> RunSystemCommand(absl::string_view command, absl::string_view argument = {}) const;

  // GDPR erasure behind `DELETE FROM events WHERE user_id = '...'`: removes the user's
  // rows everywhere (and, with a data directory, on disk and for good); returns the
  // rows removed. The server installs it; without one DELETE is Unimplemented.
  using UserEraser = std::function<absl::StatusOr<uint64_t>(absl::string_view user_id)>;
  void SetUserEraser(UserEraser eraser) { eraser_ = std::move(eraser); }
  absl::StatusOr<uint64_t> EraseUser(absl::string_view user_id) const;

  // The user-created tables (CREATE TABLE; sql/table_manager.h): Tables() lists them,
  // ProvidedTable reads them. Null (the default): there are none and DDL is refused.
  // REQUIRES: `manager` outlives the catalog's use.
  void SetTableManager(TableManager* manager) { table_manager_ = manager; }
  TableManager* table_manager() const { return table_manager_; }

 private:
  struct Provided {
    std::vector<std::pair<std::string, std::string>> columns;
    TableProvider provider;
  };
  const Table* events_;
  std::map<std::pair<std::string, std::string>, Provided, std::less<>> provided_;
  std::map<std::string, SystemCommand, std::less<>> commands_;
  UserEraser eraser_;
  TableManager* table_manager_ = nullptr;
};

}  // namespace mua
