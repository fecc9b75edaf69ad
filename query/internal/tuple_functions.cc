// tuple(a, b, ...) and tupleElement(t, n | 'name') — `(a, b)` and `t.1` in
// SQL. A tuple vector holds one child vector per element (query/vector.h).
#include "absl/strings/numbers.h"
#include "query/internal/function_registry.h"
#include "query/internal/kernel_util.h"

namespace mua::query_internal {
namespace {

absl::StatusOr<ScalarBinding> BindTuple(absl::string_view name, absl::Span<const ScalarArg> args) {
  if (args.empty()) return ArityError(name, args.size(), "at least 1");
  std::vector<DataType> elements;
  for (const ScalarArg& arg : args) {
    // The NULL literal is an element of type Nullable(Nothing).
    elements.push_back(arg.type.id == TypeId::kNothing ? DataType::Null() : arg.type);
  }
  const DataType type = DataType::Tuple(std::move(elements));
  return ScalarBinding{type, [type](absl::Span<Vector> v, size_t rows, StringPool*, Vector* out) {
                         bool all_constant = true;
                         for (const Vector& arg : v) all_constant = all_constant && arg.constant;
                         out->type = type;
                         out->size = rows;
                         out->constant = all_constant;
                         out->children.clear();
                         for (size_t i = 0; i < v.size(); ++i) {
                           Vector& child = out->children.emplace_back(std::move(v[i]));
                           child.size = rows;
                           child.type = type.tuple_element(i);
                           if (!all_constant) child.Flatten();
                         }
                         return absl::OkStatus();
                       }};
}

// tupleElement(t, n): element n (1-based) or the element named n.
absl::StatusOr<ScalarBinding> BindTupleElement(absl::string_view name,
                                               absl::Span<const ScalarArg> args) {
  if (args.size() != 2) return ArityError(name, args.size(), "2");
  const DataType& tuple = args[0].type;
  if (!tuple.is_tuple()) return IllegalType(name, tuple, 1);
  if (args[1].constant == nullptr) {
    return absl::InvalidArgumentError(
        absl::StrCat("Second argument to ", name, " must be a constant UInt or String"));
  }
  size_t index = tuple.tuple_size();
  const Vector& key = *args[1].constant;
  if (args[1].type.is_integer()) {
    const int64_t n = key.int_at(0);
    if (n < 1 || static_cast<uint64_t>(n) > tuple.tuple_size()) {
      return absl::InvalidArgumentError(absl::StrCat("Tuple doesn't have element with index '", n, "'"));
    }
    index = static_cast<size_t>(n - 1);
  } else if (args[1].type.is_string()) {
    const absl::string_view element = key.string_at(0);
    const std::vector<std::string>& names = tuple.tuple_names();
    for (size_t i = 0; i < names.size(); ++i) {
      if (names[i] == element) index = i;
    }
    if (index == tuple.tuple_size()) {
      return absl::InvalidArgumentError(
          absl::StrCat("Tuple doesn't have element with name '", element, "'"));
    }
  } else {
    return IllegalType(name, args[1].type, 2);
  }
  const DataType type = tuple.tuple_element(index);
  return ScalarBinding{type, [index](absl::Span<Vector> v, size_t rows, StringPool*, Vector* out) {
                         *out = std::move(v[0].children[index]);
                         out->size = rows;
                         return absl::OkStatus();
                       }};
}

}  // namespace

void RegisterTuple(FunctionRegistry* registry) {
  registry->Add("tuple", BindTuple, true);
  registry->Add("tupleElement", BindTupleElement);
}

}  // namespace mua::query_internal
