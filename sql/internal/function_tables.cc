#include "sql/internal/function_tables.h"

#include <memory>
#include <utility>

#include "query/function_list.h"
#include "query/result_set.h"
#include "sql/catalog.h"

namespace mua::sql_internal {
namespace {

struct TableFunctionDoc {
  const char* name;
  const char* description;
};

// SPEC §5a, one line each; docs/SQL.md has the arguments and examples.
constexpr TableFunctionDoc kTableFunctions[] = {
    {"active_users", "DAU, rolling WAU and MAU, and DAU/MAU per day, week or month bucket"},
    {"anomalies", "Each hour's or day's value against its seasonal expectation: score, bounds, anomaly"},
    {"anomalous_users", "Users whose events per active period lie far outside the population's (bots, abuse)"},
    {"crash_health", "Crash-free sessions % and crash-free users % per app_version"},
    {"experiment", "A/B test results per variant: lift, confidence interval, p-value, sample-ratio check"},
    {"funnel", "Users reaching each step of an ordered, strict or unordered funnel within a window"},
    {"lifecycle", "New, returning, resurrecting and dormant users per period"},
    {"numbers", "The numbers 0 .. N-1 in a UInt64 column `number`"},
    {"numbers_mt", "The numbers 0 .. N-1 in a UInt64 column `number` (as numbers)"},
    {"paths", "The most common next-event transitions from a start event"},
    {"retention_matrix", "First-time or recurring cohorts and the users retained k periods later"},
    {"sessions", "Sessions from session_id, or by inactivity gaps, with duration and revenue"},
    {"stickiness", "Users by the exact number of periods they were active in"},
    {"zeros", "N zeros in a UInt8 column `zero`"},
};

using Columns = std::vector<std::pair<std::string, std::string>>;

ResultSet EmptyRows(const Columns& columns) {
  ResultSet rows;
  for (const auto& [name, type] : columns) {
    rows.AddColumn(name, DataType::Of(type == "UInt8" ? TypeId::kUInt8 : TypeId::kString));
  }
  return rows;
}

const Columns& FunctionsColumns() {
  static const auto* const kColumns = new Columns{
      {"name", "String"},         {"is_aggregate", "UInt8"}, {"case_insensitive", "UInt8"},
      {"alias_to", "String"},     {"create_query", "String"}, {"origin", "String"},
      {"description", "String"}};
  return *kColumns;
}

const Columns& TableFunctionsColumns() {
  static const auto* const kColumns =
      new Columns{{"name", "String"}, {"description", "String"}, {"allow_readonly", "UInt8"}};
  return *kColumns;
}

const Columns& CombinatorsColumns() {
  static const auto* const kColumns = new Columns{{"name", "String"}, {"is_internal", "UInt8"}};
  return *kColumns;
}

std::shared_ptr<const ResultSet> BuildFunctions() {
  auto rows = std::make_shared<ResultSet>(EmptyRows(FunctionsColumns()));
  for (const FunctionInfo& function : ListFunctions()) {
    rows->columns[0].strings.push_back(function.name);
    rows->columns[1].ints.push_back(function.is_aggregate ? 1 : 0);
    rows->columns[2].ints.push_back(function.case_insensitive ? 1 : 0);
    rows->columns[3].strings.push_back(function.alias_to);
    rows->columns[4].strings.emplace_back();
    rows->columns[5].strings.emplace_back("System");
    rows->columns[6].strings.emplace_back();
    ++rows->row_count;
  }
  return rows;
}

std::shared_ptr<const ResultSet> BuildTableFunctions() {
  auto rows = std::make_shared<ResultSet>(EmptyRows(TableFunctionsColumns()));
  for (const TableFunctionDoc& function : kTableFunctions) {
    rows->columns[0].strings.emplace_back(function.name);
    rows->columns[1].strings.emplace_back(function.description);
    rows->columns[2].ints.push_back(1);  // they only read
    ++rows->row_count;
  }
  return rows;
}

std::shared_ptr<const ResultSet> BuildCombinators() {
  auto rows = std::make_shared<ResultSet>(EmptyRows(CombinatorsColumns()));
  for (const CombinatorInfo& combinator : ListAggregateCombinators()) {
    rows->columns[0].strings.push_back(combinator.name);
    rows->columns[1].ints.push_back(combinator.is_internal ? 1 : 0);
    ++rows->row_count;
  }
  return rows;
}

}  // namespace

const std::vector<std::string>& TableFunctionNames() {
  static const auto* const kNames = [] {
    auto* names = new std::vector<std::string>();
    for (const TableFunctionDoc& function : kTableFunctions) names->emplace_back(function.name);
    return names;
  }();
  return *kNames;
}

void RegisterFunctionTables(Catalog* catalog) {
  catalog->RegisterSystemTable("functions", FunctionsColumns(), [] {
    static const std::shared_ptr<const ResultSet> kRows = BuildFunctions();
    return kRows;
  });
  catalog->RegisterSystemTable("table_functions", TableFunctionsColumns(), [] {
    static const std::shared_ptr<const ResultSet> kRows = BuildTableFunctions();
    return kRows;
  });
  catalog->RegisterSystemTable("aggregate_function_combinators", CombinatorsColumns(), [] {
    static const std::shared_ptr<const ResultSet> kRows = BuildCombinators();
    return kRows;
  });
}

}  // namespace mua::sql_internal
