// Rows for a dimension table (storage/dimension_table.h) from an INSERT's data:
// JSONEachRow, TabSeparated (TSV), CSV and their WithNames variants, parsed into
// typed columns of the table's definition. Every JSON row goes through the bounded
// parser (storage/base/json_limits.h); a value that does not fit its column fails the
// whole INSERT with "row N, column C: ...". A column a row leaves out takes its value
// from `defaults` (the DEFAULT expressions evaluated, or the type's default).
//
//   MUA_ASSIGN_OR_RETURN(TableRowsFormat format, ParseTableRowsFormat("JSONEachRow"));
//   MUA_ASSIGN_OR_RETURN(DimensionBlock rows, ParseTableRows(body, format, def, {.defaults = &defaults}));
//
// Thread safety: pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "storage/dimension_table.h"

namespace mua {

enum class TableRowsFormat : uint8_t {
  kJsonEachRow,
  kTabSeparated,
  kTabSeparatedWithNames,
  kCsv,
  kCsvWithNames,
};

// ClickHouse's names (case-sensitive, as ClickHouse): JSONEachRow, TabSeparated, TSV,
// TabSeparatedWithNames, TSVWithNames, CSV, CSVWithNames. Errors: InvalidArgument
// "Unknown format" naming those.
absl::StatusOr<TableRowsFormat> ParseTableRowsFormat(absl::string_view name);

struct TableRowsOptions {
  // The table columns each row holds, in order (INSERT INTO t (a, b)); empty: all of
  // them. JSONEachRow and the WithNames formats name their columns themselves.
  std::vector<std::string> columns;
  // One row with every column: what a column left out gets. Null: the type defaults.
  const DimensionBlock* defaults = nullptr;
};

// Errors: InvalidArgument "row N, column C: ..." (rows count from 1) for a value that
// does not parse or fit its type, a row with the wrong number of fields, an unknown
// column in the column list or header.
absl::StatusOr<DimensionBlock> ParseTableRows(absl::string_view data, TableRowsFormat format,
                                              const DimensionTableDef& def, const TableRowsOptions& options = {});

// Appends one value of `type` written as text (TSV's unescaped field, a CSV field, a
// JSON string): numbers in range, "YYYY-MM-DD", "YYYY-MM-DD hh:mm:ss[.fff]" (or a Unix
// time in seconds), arrays as [v, 'text', ...]. `null` appends NULL (Nullable) or the
// type's default. Errors: InvalidArgument saying what was expected.
absl::Status AppendTextValue(const DimensionType& type, absl::string_view text, DimensionColumnData* out);
absl::Status AppendNullValue(const DimensionType& type, DimensionColumnData* out);

}  // namespace mua
