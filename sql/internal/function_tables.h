// system.functions, system.table_functions and
// system.aggregate_function_combinators, with ClickHouse's columns that apply:
// every scalar and aggregate function of the query registries (combinators not
// expanded), the table functions the binder knows, and the combinators.
// Built once (the registries are fixed at startup); thread-safe.
#pragma once

#include <string>
#include <vector>

namespace mua {
class Catalog;
}  // namespace mua

namespace mua::sql_internal {

// The table functions FROM accepts (sql/internal/bind_table_function.cc, numbers).
const std::vector<std::string>& TableFunctionNames();

// Registers the three tables on `catalog` (the Catalog constructor does).
void RegisterFunctionTables(Catalog* catalog);

}  // namespace mua::sql_internal
