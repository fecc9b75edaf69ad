// system.functions, system.table_functions and system.aggregate_function_combinators
// through SQL: every function the binder accepts is listed, and only those.
#include "sql/internal/function_tables.h"

#include <string>

#include "gtest/gtest.h"
#include "tests/sql/sql_test_util.h"
#include "query/aggregate_function.h"
#include "query/function_list.h"
#include "query/output_format.h"
#include "query/scalar_functions.h"
#include "sql/catalog.h"
#include "sql/sql_engine.h"
#include "storage/table.h"
#include "tests/testutil/status_matchers.h"

namespace mua {
namespace {

class FunctionTablesTest : public ::testing::Test {
 protected:
  std::string Run(const std::string& sql) { return test::RunTabSeparated(&table_, &catalog_, sql); }

  Table table_{TableOptions{}};
  Catalog catalog_{&table_};
};

TEST_F(FunctionTablesTest, ListsScalarAndAggregateFunctions) {
  EXPECT_EQ(Run("SELECT name, is_aggregate, case_insensitive FROM system.functions "
                "WHERE name IN ('count', 'lower', 'windowFunnel', 'toDate', 'uniqExact') ORDER BY name"),
            "count\t1\t1\n"
            "lower\t0\t1\n"
            "toDate\t0\t0\n"
            "uniqExact\t1\t0\n"
            "windowFunnel\t1\t0\n");
}

TEST_F(FunctionTablesTest, CombinatorsAreNotExpanded) {
  EXPECT_EQ(Run("SELECT count() FROM system.functions WHERE name IN ('countIf', 'sumDistinct')"),
            "0\n");
  EXPECT_EQ(Run("SELECT name, is_internal FROM system.aggregate_function_combinators ORDER BY name"),
            "Distinct\t0\nIf\t0\nNull\t1\n");
}

TEST_F(FunctionTablesTest, EveryListedFunctionIsKnownToItsRegistry) {
  size_t aggregates = 0;
  size_t scalars = 0;
  for (const FunctionInfo& function : ListFunctions()) {
    if (function.is_aggregate) {
      ++aggregates;
      EXPECT_TRUE(IsAggregateFunction(function.name)) << function.name;
    } else {
      ++scalars;
      EXPECT_TRUE(IsScalarFunction(function.name)) << function.name;
    }
    if (!function.alias_to.empty()) {
      EXPECT_TRUE(IsAggregateFunction(function.alias_to) || IsScalarFunction(function.alias_to))
          << function.name << " -> " << function.alias_to;
    }
  }
  EXPECT_GT(aggregates, 20u);
  EXPECT_GT(scalars, 100u);
  EXPECT_EQ(Run("SELECT count() = uniqExact(name) FROM system.functions"), "1\n");
}

TEST_F(FunctionTablesTest, TableFunctionsAreTheOnesFromAccepts) {
  std::string expected;
  for (const std::string& name : sql_internal::TableFunctionNames()) {
    expected += name + "\n";
    SqlEngine engine(&table_, &catalog_);
    // A known table function may refuse these arguments, but never as unknown.
    const std::string args = name == "numbers" ? "3" : "from => '2026-10-01', to => '2026-10-02'";
    absl::StatusOr<StatementOutput> output =
        engine.Execute("SELECT * FROM " + name + "(" + args + ")");
    if (!output.ok()) {
      EXPECT_EQ(std::string(output.status().message()).find("Unknown table function"),
                std::string::npos)
          << output.status();
    }
  }
  EXPECT_EQ(Run("SELECT name FROM system.table_functions ORDER BY name"), expected);
  SqlEngine engine(&table_, &catalog_);
  absl::StatusOr<StatementOutput> unknown = engine.Execute("SELECT * FROM no_such_function(1)");
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(std::string(unknown.status().message()).find("Unknown table function"), std::string::npos);
}

TEST_F(FunctionTablesTest, ListedInSystemTables) {
  EXPECT_EQ(Run("SELECT name FROM system.tables WHERE database = 'system' AND name LIKE '%function%' "
                "ORDER BY name"),
            "aggregate_function_combinators\nfunctions\ntable_functions\n");
}

}  // namespace
}  // namespace mua
