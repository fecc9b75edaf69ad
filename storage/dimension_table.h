// Dimension tables: the small tables analysts join events with (releases, campaigns,
// user attributes), created with `CREATE TABLE ... ENGINE = MergeTree|Log|Memory`.
// A DimensionTable holds immutable parts (DimensionBlock), each the rows of one
// INSERT; readers take a snapshot (the part list) and never wait for writers.
// DimensionTables is the set of them under a data directory: MergeTree and Log
// tables are persisted — an INSERT returns once its part and the table's manifest
// are fsynced, every file is framed and checksummed (docs/formats/dimension_tables.md)
// — Memory tables keep their rows in memory only (after a restart they are empty, as
// in ClickHouse).
//
//   MUA_ASSIGN_OR_RETURN(auto tables, DimensionTables::Open({.dir = "/var/lib/mua/tables"}));
//   MUA_RETURN_IF_ERROR(tables->Create(def, /*if_not_exists=*/false));
//   MUA_RETURN_IF_ERROR(tables->Insert("releases", std::move(block)).status());
//   DimensionSnapshot rows = tables->Find("releases")->Snapshot();
//
// Thread safety: every method may be called from any thread.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"

namespace mua {

// The scalar types a dimension column may have (Float32 is kept as Float64).
enum class DimensionScalar : uint8_t {
  kUInt8 = 0,
  kUInt16 = 1,
  kUInt32 = 2,
  kUInt64 = 3,
  kInt8 = 4,
  kInt16 = 5,
  kInt32 = 6,
  kInt64 = 7,
  kFloat64 = 8,
  kString = 9,
  kDate = 10,        // days since 1970-01-01 (ints)
  kDateTime = 11,    // seconds since the epoch (ints)
  kDateTime64 = 12,  // milliseconds since the epoch (ints), precision 3
};

struct DimensionType {
  DimensionScalar scalar = DimensionScalar::kString;
  bool nullable = false;  // of the scalar (Array(Nullable(T)) is not supported)
  bool array = false;
  bool low_cardinality = false;  // String only; shown by DESCRIBE, stored as String

  // ClickHouse's type names: "UInt64", "Nullable(String)", "Array(Int32)",
  // "LowCardinality(String)", "LowCardinality(Nullable(String))", "DateTime64(3)",
  // "Float32" (as Float64); surrounding spaces and a 'UTC' time zone are accepted.
  // Errors: InvalidArgument naming the type and what is supported.
  static absl::StatusOr<DimensionType> Parse(absl::string_view name);
  std::string Name() const;

  bool is_float() const { return scalar == DimensionScalar::kFloat64; }
  bool is_string() const { return scalar == DimensionScalar::kString; }
  bool is_unsigned() const { return scalar <= DimensionScalar::kUInt64; }
  bool is_int() const { return !is_float() && !is_string(); }  // integers and times
  bool operator==(const DimensionType& other) const = default;
};

struct DimensionColumnDef {
  std::string name;
  DimensionType type;
  std::string default_expression;  // SQL text of DEFAULT, "" without one
  std::string comment;
};

enum class DimensionEngine : uint8_t { kMemory, kLog, kTinyLog, kStripeLog, kMergeTree };

// "Memory", "Log", "TinyLog", "StripeLog", "MergeTree"; Parse takes them in any case.
const char* DimensionEngineName(DimensionEngine engine);
absl::StatusOr<DimensionEngine> ParseDimensionEngine(absl::string_view name);

struct DimensionTableDef {
  std::string name;  // [A-Za-z_][A-Za-z0-9_]*, at most 128 characters
  DimensionEngine engine = DimensionEngine::kMergeTree;
  std::vector<DimensionColumnDef> columns;
  std::string order_by;      // SQL text as written ("(a, b)", "tuple()"); "" when none
  std::vector<int> order_by_columns;  // column indexes the rows are sorted by (MergeTree)
  std::string partition_by;  // SQL text; recorded, not used for storage
  std::string primary_key;   // SQL text; recorded
  std::vector<std::pair<std::string, std::string>> settings;  // SETTINGS name = value (text)
  std::string comment;
  int64_t created_ms = 0;

  int FindColumn(absl::string_view column) const;  // -1 when absent
  bool persisted() const { return engine != DimensionEngine::kMemory; }
};

// Values of one column over a block's rows, laid out as query/result_set.h's Column:
// integers and times in `ints` (UInt64 bit-cast), Float64 in `floats`, String in
// `strings`; an array column's elements in those with `offsets` (rows + 1 entries);
// a nullable column also has `nulls` (1 = NULL), one per value.
struct DimensionColumnData {
  std::vector<int64_t> ints;
  std::vector<double> floats;
  std::vector<std::string> strings;
  std::vector<uint32_t> offsets;
  std::vector<uint8_t> nulls;
};

struct DimensionBlock {
  uint64_t rows = 0;
  std::vector<DimensionColumnData> columns;

  // An empty block shaped for `def` (offsets start at 0 for arrays).
  static DimensionBlock Empty(const DimensionTableDef& def);
  // Appends row `row` of `other`. REQUIRES: both shaped for the same definition.
  void AppendRow(const DimensionTableDef& def, const DimensionBlock& other, uint64_t row);
  // Bytes the values hold (capacities of vectors, string bytes).
  size_t memory_bytes() const;
  // Whether the block matches `def`: one column per definition column, sizes consistent.
  absl::Status Validate(const DimensionTableDef& def) const;
};

// Rows of a table at one instant. Parts are immutable and shared.
struct DimensionSnapshot {
  std::shared_ptr<const DimensionTableDef> def;
  std::vector<std::shared_ptr<const DimensionBlock>> parts;
  uint64_t version = 0;  // changes with every INSERT and TRUNCATE
  uint64_t rows() const;
  // All parts in one block; a MergeTree table's rows sorted by its ORDER BY columns
  // (stable, so equal keys keep insertion order).
  DimensionBlock Merged() const;
};

struct DimensionTablesOptions {
  std::string dir;  // the tables' directory; empty: nothing is persisted
  uint64_t max_table_bytes = uint64_t{1} << 30;  // per table, the values' bytes
  bool skip_damaged = false;  // at Open: set a damaged table aside instead of failing
  int max_parts = 16;  // more parts on disk than this are merged into one
  std::function<void(const std::string&)> log;  // default: stderr, "mua: " prefix
};

class DimensionTables;

class DimensionTable {
 public:
  DimensionTable(const DimensionTable&) = delete;
  DimensionTable& operator=(const DimensionTable&) = delete;
  ~DimensionTable();

  const DimensionTableDef& def() const { return *def_; }
  DimensionSnapshot Snapshot() const;
  uint64_t rows() const;
  uint64_t bytes() const;

 private:
  friend class DimensionTables;
  struct Disk;  // the files of a persisted table
  explicit DimensionTable(std::shared_ptr<const DimensionTableDef> def);

  const std::shared_ptr<const DimensionTableDef> def_;
  absl::Mutex write_mu_;  // one INSERT, TRUNCATE or DROP at a time, files included
  std::unique_ptr<Disk> disk_ ABSL_GUARDED_BY(write_mu_);
  bool dropped_ ABSL_GUARDED_BY(write_mu_) = false;
  mutable absl::Mutex mu_;  // the published parts: held for an instant
  std::vector<std::shared_ptr<const DimensionBlock>> parts_ ABSL_GUARDED_BY(mu_);
  uint64_t version_ ABSL_GUARDED_BY(mu_) = 0;
  uint64_t rows_ ABSL_GUARDED_BY(mu_) = 0;
  uint64_t bytes_ ABSL_GUARDED_BY(mu_) = 0;
};

struct DimensionRecovery {
  int tables = 0;
  uint64_t rows = 0;
  std::vector<std::string> notes;
  bool degraded = false;
};

class DimensionTables {
 public:
  // Loads every persisted table under options.dir (created when missing). Errors:
  // DataLoss naming the file when a table's manifest or part is damaged (unless
  // skip_damaged: the table's directory is moved to DIR/../quarantine and reported);
  // Internal for I/O.
  static absl::StatusOr<std::unique_ptr<DimensionTables>> Open(DimensionTablesOptions options);
  ~DimensionTables();

  // Errors: AlreadyExists (unless if_not_exists: then OK and nothing changes);
  // InvalidArgument for a bad name, no columns, duplicate columns; Internal for I/O.
  absl::Status Create(DimensionTableDef def, bool if_not_exists);
  // Errors: NotFound (unless if_exists); Internal for I/O.
  absl::Status Drop(absl::string_view name, bool if_exists);
  absl::Status Truncate(absl::string_view name, bool if_exists);
  // Appends `block` as one part (sorted by ORDER BY for MergeTree); returns once it is
  // durable. Returns the rows inserted. Errors: NotFound; InvalidArgument when the
  // block does not match the table; ResourceExhausted past max_table_bytes; Internal.
  absl::StatusOr<uint64_t> Insert(absl::string_view name, DimensionBlock block);

  std::shared_ptr<const DimensionTable> Find(absl::string_view name) const;
  std::vector<std::shared_ptr<const DimensionTable>> List() const;  // by name

  // Copies every persisted table's files to `target` (created), a consistent state of
  // each table. Returns the bytes copied. Errors: Internal.
  absl::StatusOr<uint64_t> Backup(const std::string& target) const;

  const DimensionRecovery& recovery() const { return recovery_; }
  const DimensionTablesOptions& options() const { return options_; }

 private:
  explicit DimensionTables(DimensionTablesOptions options);
  absl::Status Load();
  void Log(const std::string& message) const;

  const DimensionTablesOptions options_;
  DimensionRecovery recovery_;
  mutable absl::Mutex mu_;  // the name map; CREATE and DROP hold it across their files
  std::map<std::string, std::shared_ptr<DimensionTable>, std::less<>> tables_ ABSL_GUARDED_BY(mu_);
};

// Whether `name` may name a dimension table (and its directory).
bool ValidDimensionTableName(absl::string_view name);

}  // namespace mua
