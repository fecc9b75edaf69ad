// The functions MUA knows, as ClickHouse's system.functions and
// system.aggregate_function_combinators list them: every scalar and aggregate
// function under its registered name (combinators not expanded), whether any
// case is accepted, and the ClickHouse function an alias stands for.
//
//   for (const FunctionInfo& f : ListFunctions()) std::cout << f.name << "\n";
#pragma once

#include <string>
#include <vector>

namespace mua {

struct FunctionInfo {
  std::string name;
  bool is_aggregate = false;
  bool case_insensitive = false;
  std::string alias_to;  // empty unless `name` is another spelling of a function
};

// Sorted by name (scalar and aggregate together; a name is listed once).
std::vector<FunctionInfo> ListFunctions();

struct CombinatorInfo {
  std::string name;  // the suffix: "If", "Distinct"
  bool is_internal = false;
};

// The aggregate function combinators MUA resolves.
std::vector<CombinatorInfo> ListAggregateCombinators();

}  // namespace mua
