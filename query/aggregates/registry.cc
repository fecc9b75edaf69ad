// The registry and BindAggregateFunction: resolves a name to a registered
// function plus combinator suffixes peeled from the end of the name (as
// ClickHouse: sumArrayIfOrNull = OrNull(If(Array(sum)))), then binds level by
// level from the outside in, each combinator seeing the argument types the
// one outside it passes on, with NULL handling where a level needs
// non-Nullable types (the function itself, -Distinct).
#include "query/aggregates/registry.h"

#include <string>
#include <vector>

#include "absl/algorithm/container.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
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
    RegisterSkewKurt(result);
    RegisterGroupBit(result);
    RegisterRegression(result);
    RegisterDeltaSum(result);
    RegisterUniqUpTo(result);
    RegisterEntropy(result);
    RegisterGroupConcat(result);
    RegisterTTest(result);
    return result;
  }();
  return *registry;
}

namespace {

enum class Combinator { kIf, kDistinct, kArray, kForEach, kOrNull, kOrDefault };

struct Suffix {
  absl::string_view text;
  Combinator combinator;
};
constexpr Suffix kSuffixes[] = {
    {"If", Combinator::kIf},           {"Distinct", Combinator::kDistinct},
    {"Array", Combinator::kArray},     {"ForEach", Combinator::kForEach},
    {"OrNull", Combinator::kOrNull},   {"OrDefault", Combinator::kOrDefault},
};
// Each combinator at most once: bounds the peeling.
constexpr int kMaxCombinators = 6;

// A name split into the registered function and its combinator suffixes,
// outermost (the last suffix of the name) first.
struct Resolved {
  const AggregateRegistry::Entry* entry = nullptr;
  std::string base;
  std::vector<Combinator> chain;
};

Resolved Resolve(absl::string_view name) {
  Resolved resolved;
  absl::string_view base = name;
  for (int i = 0; i <= kMaxCombinators; ++i) {
    resolved.entry = AggregateRegistry::Get().Find(base);
    if (resolved.entry != nullptr || i == kMaxCombinators) break;
    const Suffix* peeled = nullptr;
    for (const Suffix& suffix : kSuffixes) {
      if (base.size() > suffix.text.size() && absl::EndsWith(base, suffix.text)) peeled = &suffix;
    }
    // Each combinator at most once (sumIfIf is no function here).
    if (peeled != nullptr && absl::c_linear_search(resolved.chain, peeled->combinator)) break;
    if (peeled == nullptr) break;
    resolved.chain.push_back(peeled->combinator);
    base.remove_suffix(peeled->text.size());
  }
  resolved.base = std::string(base);
  return resolved;
}

bool IsUniqFamily(absl::string_view lower) {
  return lower == "count" || absl::StartsWith(lower, "uniq");
}

absl::Status AtLeastOneArg(absl::string_view name, size_t args) {
  if (args > 0) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrCat("Number of arguments for function ", name,
                                                 " doesn't match: passed 0, should be at least 1"));
}

class ChainBinder {
 public:
  ChainBinder(absl::string_view name, const Resolved& resolved, absl::Span<const Vector> parameters)
      : name_(name), resolved_(resolved), parameters_(parameters) {}

  // Binds chain[level..] over `args` (the types that level sees).
  absl::StatusOr<std::unique_ptr<AggregateFunction>> Bind(size_t level,
                                                          std::vector<AggregateArg> args) {
    if (level == resolved_.chain.size() || resolved_.chain[level] == Combinator::kDistinct) {
      return BindWithNulls(level, std::move(args));
    }
    switch (resolved_.chain[level]) {
      case Combinator::kIf: {
        MUA_RETURN_IF_ERROR(AtLeastOneArg(name_, args.size()));
        const DataType& cond = args.back().type;
        if (!cond.is_numeric() && cond.id != TypeId::kNothing) {
          return absl::InvalidArgumentError(absl::StrCat("Illegal type ", cond.Name(),
                                                         " of argument ", args.size(),
                                                         " of function ", name_));
        }
        args.pop_back();
        MUA_ASSIGN_OR_RETURN(auto inner, Bind(level + 1, std::move(args)));
        return MakeIfAggregate(std::move(inner));
      }
      case Combinator::kArray:
      case Combinator::kForEach: {
        MUA_RETURN_IF_ERROR(AtLeastOneArg(name_, args.size()));
        for (size_t i = 0; i < args.size(); ++i) {
          if (args[i].type.id != TypeId::kArray) {
            return absl::InvalidArgumentError(absl::StrCat(
                "Illegal type ", args[i].type.Name(), " of argument ", i + 1,
                " for aggregate function with ",
                resolved_.chain[level] == Combinator::kArray ? "Array" : "ForEach",
                " suffix. Must be array."));
          }
          args[i].type = args[i].type.element_type();
          args[i].constant = nullptr;
          args[i].is_user_column = false;
        }
        MUA_ASSIGN_OR_RETURN(auto inner, Bind(level + 1, std::move(args)));
        if (resolved_.chain[level] == Combinator::kArray) {
          return MakeArrayAggregate(std::move(inner), name_);
        }
        return MakeForEachAggregate(std::move(inner), name_);
      }
      case Combinator::kOrNull:
      case Combinator::kOrDefault: {
        const bool if_next =
            level + 1 < resolved_.chain.size() && resolved_.chain[level + 1] == Combinator::kIf;
        MUA_ASSIGN_OR_RETURN(auto inner, Bind(level + 1, std::move(args)));
        return MakeOrFillAggregate(std::move(inner), resolved_.chain[level] == Combinator::kOrNull,
                                   if_next);
      }
      case Combinator::kDistinct:
        break;
    }
    return absl::InternalError("unreachable aggregate combinator");
  }

  bool distinct_argument = false;  // f(DISTINCT x): a Distinct innermost

 private:
  // NULL handling (ClickHouse's -Null) around chain[level..]: that level sees
  // its arguments' non-Nullable types; a NULL literal's Nothing binds as UInt8
  // (its rows are all skipped).
  absl::StatusOr<std::unique_ptr<AggregateFunction>> BindWithNulls(size_t level,
                                                                   std::vector<AggregateArg> args) {
    bool has_nullable = false, has_nothing = false;
    for (AggregateArg& arg : args) {
      has_nullable |= arg.type.nullable;
      if (arg.type.id == TypeId::kNothing) {
        has_nothing = true;
        arg.type = DataType::Of(TypeId::kUInt8);
      }
      arg.type.nullable = false;
    }
    const size_t checked = args.size();
    AggregateProperties properties;
    MUA_ASSIGN_OR_RETURN(auto bound, BindNonNull(level, std::move(args), &properties));
    if (!has_nullable && !has_nothing) return bound;
    DataType result = bound->result_type();
    const bool nullable_result = !properties.default_on_only_null && !result.CannotBeNullable();
    if (nullable_result) {
      if (has_nothing) result = DataType::Of(TypeId::kNothing);
      result.nullable = true;
    }
    return MakeNullAggregate(std::move(bound), checked, nullable_result, result);
  }

  absl::StatusOr<std::unique_ptr<AggregateFunction>> BindNonNull(size_t level,
                                                                 std::vector<AggregateArg> args,
                                                                 AggregateProperties* properties) {
    *properties = resolved_.entry->properties;
    const bool at_base = level == resolved_.chain.size();
    if (at_base && !distinct_argument) {
      return resolved_.entry->bind({resolved_.base, parameters_, args});
    }
    // A Distinct: the suffix at `level`, or f(DISTINCT ...) at the base.
    const bool innermost = at_base || level + 1 == resolved_.chain.size();
    const std::string lower = absl::AsciiStrToLower(resolved_.base);
    if (innermost && IsUniqFamily(lower)) {
      // count(DISTINCT x) is uniqExact(x), as ClickHouse's count_distinct_implementation.
      MUA_RETURN_IF_ERROR(AtLeastOneArg(name_, args.size()));
      const absl::string_view target =
          lower == "count" ? absl::string_view("uniqExact") : absl::string_view(resolved_.base);
      const AggregateRegistry::Entry* uniq = AggregateRegistry::Get().Find(target);
      *properties = uniq->properties;
      return uniq->bind({name_, parameters_, args});
    }
    std::vector<DataType> types;
    for (const AggregateArg& arg : args) {
      if (arg.type.id == TypeId::kArray || !IsArrayElementType(arg.type)) {
        return absl::InvalidArgumentError(absl::StrCat("Illegal type ", arg.type.Name(),
                                                       " of argument of function ", name_,
                                                       " with DISTINCT"));
      }
      types.push_back(arg.type);
    }
    std::unique_ptr<AggregateFunction> inner;
    if (at_base) {
      MUA_ASSIGN_OR_RETURN(inner, resolved_.entry->bind({resolved_.base, parameters_, args}));
    } else {
      MUA_ASSIGN_OR_RETURN(inner, Bind(level + 1, std::move(args)));
    }
    return MakeDistinctAggregate(std::move(inner), std::move(types));
  }

  const absl::string_view name_;
  const Resolved& resolved_;
  const absl::Span<const Vector> parameters_;
};

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
  ChainBinder binder(name, resolved, parameters);
  binder.distinct_argument = distinct;
  return binder.Bind(0, std::vector<AggregateArg>(args.begin(), args.end()));
}

}  // namespace mua
