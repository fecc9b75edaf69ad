// The aggregate function table, as ClickHouse's AggregateFunctionFactory: each
// file of query/aggregates/ registers its functions under ClickHouse's names
// (case-insensitive where ClickHouse's are) with a binder from parameters and
// argument types to an AggregateFunction. registry.cc resolves the combinator
// suffixes (If, Distinct) and NULL handling around the bound function.
//
//   void RegisterCount(AggregateRegistry* registry) {
//     registry->Add("count", BindCount, {.default_on_only_null = true}, /*any_case=*/true);
//   }
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "query/aggregate_function.h"
#include "query/functions/window_funnel.h"
#include "storage/base/status_macros.h"

namespace mua::query_internal {

// What a binder sees. Argument types are never Nullable: the NULL handling
// strips Nullable and skips NULL rows before the function sees them.
struct AggregateBindArgs {
  absl::string_view name;  // as written, for messages
  absl::Span<const Vector> parameters;
  absl::Span<const AggregateArg> args;
};

using AggregateBinder =
    std::function<absl::StatusOr<std::unique_ptr<AggregateFunction>>(const AggregateBindArgs&)>;

struct AggregateProperties {
  // Over no (or only NULL) rows the function has its own answer (count 0,
  // uniq 0, groupArray []): Nullable arguments do not make the result Nullable.
  bool default_on_only_null = false;
};

struct AggregateRegistry {
  struct Entry {
    AggregateBinder bind;
    AggregateProperties properties;
  };
  // Keyed by the exact name; `case_insensitive` by the lower-cased name.
  absl::flat_hash_map<std::string, Entry> exact;
  absl::flat_hash_map<std::string, Entry> case_insensitive;

  void Add(const std::string& name, AggregateBinder bind, AggregateProperties properties = {},
           bool any_case = false);
  // Nullptr when no function has this name (combinator suffixes not resolved).
  const Entry* Find(absl::string_view name) const;

  static const AggregateRegistry& Get();
};

void RegisterCount(AggregateRegistry* registry);
void RegisterSum(AggregateRegistry* registry);
void RegisterMinMax(AggregateRegistry* registry);
void RegisterUniq(AggregateRegistry* registry);
void RegisterQuantile(AggregateRegistry* registry);
void RegisterRetention(AggregateRegistry* registry);
void RegisterWindowFunnel(AggregateRegistry* registry);
void RegisterMoments(AggregateRegistry* registry);
void RegisterGroupArray(AggregateRegistry* registry);
void RegisterTopK(AggregateRegistry* registry);
void RegisterGroupBitmap(AggregateRegistry* registry);
void RegisterSequenceMatch(AggregateRegistry* registry);
void RegisterSumMap(AggregateRegistry* registry);
void RegisterSkewKurt(AggregateRegistry* registry);
void RegisterGroupBit(AggregateRegistry* registry);
void RegisterRegression(AggregateRegistry* registry);
void RegisterDeltaSum(AggregateRegistry* registry);
void RegisterUniqUpTo(AggregateRegistry* registry);
void RegisterEntropy(AggregateRegistry* registry);
void RegisterGroupConcat(AggregateRegistry* registry);
void RegisterTTest(AggregateRegistry* registry);

// Binder helpers with ClickHouse's error texts.
inline absl::Status ArgCountError(const AggregateBindArgs& in, absl::string_view should) {
  return absl::InvalidArgumentError(absl::StrCat("Number of arguments for function ", in.name,
                                                 " doesn't match: passed ", in.args.size(),
                                                 ", should be ", should));
}
inline absl::Status RequireArgs(const AggregateBindArgs& in, size_t n) {
  if (in.args.size() == n) return absl::OkStatus();
  return ArgCountError(in, absl::StrCat(n));
}
inline absl::Status NoParameters(const AggregateBindArgs& in) {
  if (in.parameters.empty()) return absl::OkStatus();
  return absl::InvalidArgumentError(
      absl::StrCat("Aggregate function ", in.name, " cannot have parameters"));
}
inline absl::Status IllegalArgType(const AggregateBindArgs& in, size_t index) {
  return absl::InvalidArgumentError(absl::StrCat("Illegal type ", in.args[index].type.Name(),
                                                 " of argument ", index + 1, " of function ",
                                                 in.name));
}

// A type whose values the Array result of groupArray, topK... can hold.
inline bool IsArrayElementType(const DataType& type) {
  return type.is_numeric() || type.is_time() || type.is_string();
}

// The options of a windowFunnel aggregate (its window in the timestamp's unit), or
// nullopt for any other aggregate: for the per-user sequence path (query/optimizer/).
std::optional<WindowFunnelOptions> WindowFunnelOptionsOf(const AggregateFunction& function);

}  // namespace mua::query_internal
