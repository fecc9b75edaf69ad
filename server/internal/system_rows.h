// EmptyRows: the empty ResultSet of a system table the server provides, from the
// (name, ClickHouse type name) list the catalog shows, so the two cannot disagree.
//
//   const ColumnList columns = {{"query_id", "String"}, {"elapsed", "Float64"}};
//   catalog.RegisterSystemTable("processes", columns, [&] { ... EmptyRows(columns) ... });
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "query/result_set.h"

namespace mua::server_internal {

using ColumnList = std::vector<std::pair<std::string, std::string>>;

// Types: (U)Int8/16/32/64, Float64, String, Date, DateTime, DateTime64(3),
// Array(String|UInt64); any
// other name is a String column.
ResultSet EmptyRows(const ColumnList& columns);

}  // namespace mua::server_internal
