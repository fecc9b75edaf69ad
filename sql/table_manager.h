// TableManager: the user-created (dimension) tables as the sql module sees them —
// create, drop, truncate, insert rows, read rows — implemented by the server over
// storage/dimension_table.h, so sql/ never touches storage. The Catalog holds one
// (Catalog::SetTableManager); sql/ddl_executor.h runs DDL and INSERT against it.
//
//   catalog.SetTableManager(&manager);
//   MUA_RETURN_IF_ERROR(manager.Create(spec, /*if_not_exists=*/false));
//   std::shared_ptr<const ResultSet> rows = manager.Read("releases");
//
// Thread safety: implementations must allow every method from any thread.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "query/result_set.h"

namespace mua {

struct TableColumnSpec {
  std::string name;
  std::string type;                // ClickHouse's name, as the table stores it ("Nullable(UInt32)")
  std::string default_expression;  // SQL text of DEFAULT; "" without one
  std::string comment;
};

struct TableSpec {
  std::string name;
  std::string engine;  // "MergeTree", "Log", "TinyLog", "StripeLog", "Memory"
  std::vector<TableColumnSpec> columns;
  std::string order_by;      // SQL text, "" when none
  std::vector<std::string> order_by_columns;  // the columns ORDER BY names, in order
  std::string partition_by;  // SQL text, "" when none
  std::string primary_key;   // SQL text, "" when none
  std::vector<std::pair<std::string, std::string>> settings;
  std::string comment;
  uint64_t total_rows = 0;   // filled by Find/List
  uint64_t total_bytes = 0;
};

class TableManager {
 public:
  virtual ~TableManager() = default;

  // Errors: AlreadyExists (unless if_not_exists); InvalidArgument for an unsupported
  // engine, type or name; ResourceExhausted / Internal from storage.
  virtual absl::Status Create(const TableSpec& spec, bool if_not_exists) = 0;
  // Errors: NotFound "Table default.NAME doesn't exist" (unless if_exists).
  virtual absl::Status Drop(absl::string_view name, bool if_exists) = 0;
  virtual absl::Status Truncate(absl::string_view name, bool if_exists) = 0;
  // Appends `rows`, whose columns are the table's, in order (values are converted to
  // the column types: numbers range-checked, text parsed; NULL into a non-Nullable
  // column becomes the type's default). Durable when it returns for persisted engines.
  // Returns the rows inserted. Errors: NotFound; InvalidArgument naming the row and
  // column of a value that does not convert; ResourceExhausted past the table cap.
  virtual absl::StatusOr<uint64_t> Insert(absl::string_view name, const ResultSet& rows) = 0;

  virtual std::optional<TableSpec> Find(absl::string_view name) const = 0;
  virtual std::vector<TableSpec> List() const = 0;  // by name
  // The table's rows (MergeTree: in ORDER BY order), or nullptr when there is no such table.
  virtual std::shared_ptr<const ResultSet> Read(absl::string_view name) const = 0;
};

}  // namespace mua
