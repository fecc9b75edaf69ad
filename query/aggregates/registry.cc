// The registry and BindAggregateFunction: resolves a name to a registered
// function plus combinator suffixes, then wraps the bound function in
// Distinct, If and NULL handling (inside out).
#include "query/aggregates/registry.h"

#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "query/aggregates/combinators.h"

namespace mua {

absl::Status AggregateFunction::SerializeState(size_t, std::string*) const {
  return absl::UnimplementedError("This aggregate function cannot serialize its state");
}

absl::Status AggregateFunction::DeserializeState(size_t, absl::string_view) {
  return absl::UnimplementedError("This aggregate function cannot deserialize a state");
}

namespace query_internal {

void AggregateRegistry::Add(const std::string& name, AggregateBinder bind,
                            AggregateProperties properties, bool any_case) {
  Entry entry{std::move(bind), properties};
  if (any_case) case_insensitive.emplace(absl::AsciiStrToLower(name), entry);
  exact.emplace(name, std::move(entry));
}

const AggregateRegistry::Entry* AggregateRegistry::Find(absl::string_view name) const {
  if (auto it = exact.find(name); it != exact.end()) return &it->second;
  if (auto it = case_insensitive.find(absl::AsciiStrToLower(name)); it != case_insensitive.end()) {
    return &it->second;
  }
  return nullptr;
}

const AggregateRegistry& AggregateRegistry::Get() {
  static const AggregateRegistry* const registry = [] {
    auto* result = new AggregateRegistry;
    RegisterCount(result);
    RegisterSum(result);
    RegisterMinMax(result);
    RegisterUniq(result);
    RegisterQuantile(result);
    RegisterRetention(result);
    RegisterWindowFunnel(result);
    RegisterMoments(result);
    RegisterGroupArray(result);
    RegisterTopK(result);
    RegisterGroupBitmap(result);
    RegisterSequenceMatch(result);
    RegisterSumMap(result);
    return result;
  }();
  return *registry;
}

namespace {

// A name split into the registered function and its combinator suffixes.
struct Resolved {
  const AggregateRegistry::Entry* entry = nullptr;
  std::string base;
  bool with_if = false;
  bool distinct = false;
};

Resolved Resolve(absl::string_view name) {
  Resolved resolved;
  absl::string_view base = name;
  // Suffixes from the outside in; each combinator at most once.
  for (int i = 0; i < 3; ++i) {
    resolved.entry = AggregateRegistry::Get().Find(base);
    if (resolved.entry != nullptr) break;
    if (!resolved.with_if && absl::EndsWith(base, "If") && base.size() > 2) {
      resolved.with_if = true;
      base.remove_suffix(2);
    } else if (!resolved.distinct && absl::EndsWith(base, "Distinct") && base.size() > 8) {
      resolved.distinct = true;
      base.remove_suffix(8);
    } else {
      break;
    }
  }
  resolved.base = std::string(base);
  return resolved;
}

bool IsUniqFamily(absl::string_view lower) {
  return lower == "count" || absl::StartsWith(lower, "uniq");
}

}  // namespace
}  // namespace query_internal

bool IsAggregateFunction(absl::string_view name) {
  return query_internal::Resolve(name).entry != nullptr;
}

absl::StatusOr<std::unique_ptr<AggregateFunction>> BindAggregateFunction(
    absl::string_view name, absl::Span<const Vector> parameters,
    absl::Span<const AggregateArg> args, bool distinct) {
  using namespace query_internal;  // NOLINT: the registry's helpers
  Resolved resolved = Resolve(name);
  if (resolved.entry == nullptr) {
    return absl::NotFoundError(absl::StrCat("Unknown aggregate function ", name));
  }
  resolved.distinct |= distinct;
  size_t value_args = args.size();
  if (resolved.with_if) {
    if (args.empty()) {
      return absl::InvalidArgumentError(absl::StrCat("Number of arguments for function ", name,
                                                     " doesn't match: passed 0, should be at least 1"));
    }
    if (!args.back().type.is_numeric() && args.back().type.id != TypeId::kNothing) {
      return absl::InvalidArgumentError(absl::StrCat("Illegal type ", args.back().type.Name(),
                                                     " of argument ", args.size(), " of function ",
                                                     name));
    }
    --value_args;
  }
  // NULL handling: the function sees its arguments' non-Nullable types; a
  // NULL literal's Nothing binds as UInt8 (its rows are all skipped).
  std::vector<AggregateArg> stripped(args.begin(), args.end());
  bool has_nullable = false, has_nothing = false;
  for (size_t i = 0; i < value_args; ++i) {
    has_nullable |= stripped[i].type.nullable;
    if (stripped[i].type.id == TypeId::kNothing) {
      has_nothing = true;
      stripped[i].type = DataType::Of(TypeId::kUInt8);
    }
    stripped[i].type.nullable = false;
  }
  if (resolved.with_if) stripped.back().type.nullable = false;
  const absl::Span<const AggregateArg> values(stripped.data(), value_args);
  const std::string lower = absl::AsciiStrToLower(resolved.base);

  std::unique_ptr<AggregateFunction> bound;
  AggregateProperties properties = resolved.entry->properties;
  if (resolved.distinct && IsUniqFamily(lower)) {
    // count(DISTINCT x) is uniqExact(x), as ClickHouse's count_distinct_implementation.
    if (values.empty()) {
      return absl::InvalidArgumentError(absl::StrCat("Number of arguments for function ", name,
                                                     " doesn't match: passed 0, should be at least 1"));
    }
    const absl::string_view target = lower == "count" ? absl::string_view("uniqExact") : resolved.base;
    const AggregateRegistry::Entry* uniq = AggregateRegistry::Get().Find(target);
    MUA_ASSIGN_OR_RETURN(bound, uniq->bind({name, parameters, values}));
    properties = uniq->properties;
  } else {
    MUA_ASSIGN_OR_RETURN(bound, resolved.entry->bind({resolved.base, parameters, values}));
    if (resolved.distinct) {
      std::vector<DataType> types;
      for (const AggregateArg& arg : values) {
        if (arg.type.id == TypeId::kArray || !IsArrayElementType(arg.type)) {
          return absl::InvalidArgumentError(absl::StrCat("Illegal type ", arg.type.Name(),
                                                         " of argument of function ", name,
                                                         " with DISTINCT"));
        }
        types.push_back(arg.type);
      }
      bound = MakeDistinctAggregate(std::move(bound), std::move(types));
    }
  }
  if (resolved.with_if) bound = MakeIfAggregate(std::move(bound));
  if (has_nullable || has_nothing) {
    DataType result = bound->result_type();
    const bool nullable_result =
        !properties.default_on_only_null && !result.CannotBeNullable();
    if (nullable_result) {
      if (has_nothing) result = DataType::Of(TypeId::kNothing);
      result.nullable = true;
    }
    bound = MakeNullAggregate(std::move(bound), value_args, nullable_result, result);
  }
  return bound;
}

}  // namespace mua
