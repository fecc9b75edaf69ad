// ResultTable: one query result as the shell displays it — column names and
// ClickHouse types, and every cell already as text — parsed from the server's
// JSONCompact answer (`{"meta":[{"name","type"}], "data":[[...]], "totals":[...],
// "rows", "statistics":{"elapsed","rows_read","bytes_read"}}`).
//
//   MUA_ASSIGN_OR_RETURN(ResultTable table, ParseJsonCompact(reply.body));
//   std::cout << RenderTable(table, {.max_width = 120});
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace mua::shell {

struct ResultColumn {
  std::string name;
  std::string type;  // e.g. "UInt64", "LowCardinality(String)", "Array(UInt8)"
};

struct ResultTable {
  std::vector<ResultColumn> columns;
  // rows[r][c]: numbers in their JSON text, strings unquoted, NULL as "NULL",
  // arrays and tuples as ClickHouse literals ([1,2], ['a','b']).
  std::vector<std::vector<std::string>> rows;
  // The WITH TOTALS row (JSONCompact's "totals"), one cell per column, as `rows`.
  std::optional<std::vector<std::string>> totals;
  std::optional<double> server_elapsed_seconds;
  std::optional<uint64_t> rows_read;
  std::optional<uint64_t> bytes_read;
};

// Parses a JSONCompact body. Errors: InvalidArgument naming what is malformed.
absl::StatusOr<ResultTable> ParseJsonCompact(absl::string_view body);

}  // namespace mua::shell
