#include "query/function_list.h"

#include <algorithm>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/ascii.h"
#include "query/aggregates/registry.h"
#include "query/scalar_functions.h"

namespace mua {
namespace {

// ClickHouse's aliases (system.functions.alias_to), listed when MUA registers
// both spellings; the registries themselves do not tell an alias from its target.
const absl::flat_hash_map<std::string, std::string>& KnownAliases() {
  static const auto* const kAliases = new absl::flat_hash_map<std::string, std::string>{
      {"lcase", "lower"},
      {"ucase", "upper"},
      {"substr", "substring"},
      {"mid", "substring"},
      {"char_length", "length"},
      {"character_length", "length"},
      {"to_days", "toDaysSinceYearZero"},
      {"date_diff", "dateDiff"},
      {"DATE_DIFF", "dateDiff"},
      {"timestampDiff", "dateDiff"},
      {"timestamp_diff", "dateDiff"},
      {"TIMESTAMP_DIFF", "dateDiff"},
      {"date_add", "dateAdd"},
      {"DATE_ADD", "dateAdd"},
      {"timestampAdd", "dateAdd"},
      {"timestamp_add", "dateAdd"},
      {"date_sub", "dateSub"},
      {"DATE_SUB", "dateSub"},
      {"timestampSub", "dateSub"},
      {"timestamp_sub", "dateSub"},
      {"date_trunc", "dateTrunc"},
      {"DATE_TRUNC", "dateTrunc"},
      {"toStartOfDayOfWeek", "toStartOfWeek"},
      {"YEAR", "toYear"},
      {"MONTH", "toMonth"},
      {"DAY", "toDayOfMonth"},
      {"DAYOFMONTH", "toDayOfMonth"},
      {"DAYOFWEEK", "toDayOfWeek"},
      {"DAYOFYEAR", "toDayOfYear"},
      {"HOUR", "toHour"},
      {"MINUTE", "toMinute"},
      {"SECOND", "toSecond"},
      {"QUARTER", "toQuarter"},
      {"FROM_UNIXTIME", "fromUnixTimestamp"},
      {"UNIX_TIMESTAMP", "toUnixTimestamp"},
      {"ln", "log"},
      {"power", "pow"},
      {"POW", "pow"},
      {"ceiling", "ceil"},
      {"truncate", "trunc"},
      {"mod", "modulo"},
      {"MOD", "modulo"},
      {"lpad", "leftPad"},
      {"rpad", "rightPad"},
      {"regexp_replace", "replaceRegexpAll"},
      {"REGEXP_REPLACE", "replaceRegexpAll"},
      {"nvl", "ifNull"},
      {"NVL", "ifNull"},
      {"median", "quantile"},
      {"medianExact", "quantileExact"},
      {"medianTDigest", "quantileTDigest"},
      {"medianDeterministic", "quantileDeterministic"},
      {"medianTiming", "quantileTiming"},
      {"STDDEV_POP", "stddevPop"},
      {"STDDEV_SAMP", "stddevSamp"},
      {"VAR_POP", "varPop"},
      {"VAR_SAMP", "varSamp"},
      {"COVAR_POP", "covarPop"},
      {"COVAR_SAMP", "covarSamp"},
      {"array_agg", "groupArray"},
      {"ARRAY_AGG", "groupArray"},
      {"first_value", "any"},
      {"last_value", "anyLast"},
      {"any_value", "any"},
  };
  return *kAliases;
}

}  // namespace

std::vector<FunctionInfo> ListFunctions() {
  std::vector<FunctionInfo> functions;
  absl::flat_hash_set<std::string> seen;
  const query_internal::AggregateRegistry& aggregates = query_internal::AggregateRegistry::Get();
  for (const auto& [name, entry] : aggregates.exact) {
    FunctionInfo& info = functions.emplace_back();
    info.name = name;
    info.is_aggregate = true;
    info.case_insensitive = aggregates.case_insensitive.contains(absl::AsciiStrToLower(name));
    seen.insert(name);
  }
  for (auto& [name, any_case] : ListScalarFunctions()) {
    if (!seen.insert(name).second) continue;
    FunctionInfo& info = functions.emplace_back();
    info.name = std::move(name);
    info.case_insensitive = any_case;
  }
  const auto& aliases = KnownAliases();
  for (FunctionInfo& info : functions) {
    auto it = aliases.find(info.name);
    if (it != aliases.end() && seen.contains(it->second)) {
      info.alias_to = it->second;
    }
  }
  std::sort(functions.begin(), functions.end(),
            [](const FunctionInfo& a, const FunctionInfo& b) { return a.name < b.name; });
  return functions;
}

std::vector<CombinatorInfo> ListAggregateCombinators() {
  // registry.cc resolves the -If and -Distinct suffixes; NULL handling wraps
  // every function (ClickHouse lists its -Null as internal).
  return {{"Distinct", false}, {"If", false}, {"Null", true}};
}

}  // namespace mua
