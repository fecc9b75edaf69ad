// tuple(a, b, ...) and tupleElement(t, n | 'name') — `(a, b)` and `t.1` in
// SQL — and array(a, b, ...) of scalar or Nullable elements (`[0.5, NULL]`).
// A tuple vector holds one child vector per element (query/vector.h).
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "query/internal/array_util.h"
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

// array(a, b, ...): one array of the arguments per row, elements of their
// common supertype (ClickHouse: [1, -1] is Array(Int16), [1, NULL] Array(Nullable(UInt8))).
absl::StatusOr<ScalarBinding> BindArray(absl::string_view name, absl::Span<const ScalarArg> args) {
  DataType element = DataType::Null();
  for (size_t i = 0; i < args.size(); ++i) {
    DataType type = args[i].type;
    type.low_cardinality = false;
    if (i == 0) {
      element = type.id == TypeId::kNothing ? DataType::Null() : type;
      continue;
    }
    absl::StatusOr<DataType> super = CommonSuperType(name, element, type);
    if (!super.ok()) return super.status();
    element = *super;
  }
  if (element.CannotBeNullable()) return BindArrayOfComposites(name, args);  // [[1, 2], [3]]
  if (element.id == TypeId::kInterval) {
    return absl::UnimplementedError(
        absl::StrCat("array(...) of ", element.Name(), " values is not supported"));
  }
  if (args.empty()) element = DataType::Of(TypeId::kNothing);
  const DataType type = DataType::ArrayOf(element);
  return ScalarBinding{type, [type, element](absl::Span<Vector> v, size_t rows, StringPool*, Vector* out) {
                         bool all_constant = true;
                         for (Vector& arg : v) {
                           all_constant = all_constant && arg.constant;
                           arg.MaterializeStrings();
                         }
                         const size_t count = all_constant ? 1 : rows;
                         const size_t n = v.size();
                         const DataType plain = element.WithoutNullable();
                         Vector values;
                         values.type = plain;
                         ResizeFor(plain, count * n, &values);
                         if (element.may_be_null()) values.nulls.assign(count * n, 0);
                         for (size_t row = 0; row < count; ++row) {
                           for (size_t i = 0; i < n; ++i) {
                             const size_t k = row * n + i;
                             const Vector& from = v[i];
                             if (from.is_null(row)) {
                               values.nulls[k] = 1;
                             } else if (plain.is_string()) {
                               values.strings[k] = from.string_at(row);
                             } else if (plain.id == TypeId::kFloat64) {
                               values.floats[k] = from.number_at(row);
                             } else if (plain.is_time() && from.type.id != plain.id) {
                               values.ints[k] = from.int_at(row) *
                                                (MillisPerUnit(from.type.id) / MillisPerUnit(plain.id));
                             } else if (plain.id != TypeId::kNothing) {
                               values.ints[k] = from.int_at(row);
                             }
                           }
                         }
                         *out = Vector();
                         out->type = type;
                         out->size = rows;
                         out->constant = all_constant;
                         out->offsets.resize(count + 1);
                         for (size_t row = 0; row <= count; ++row) out->offsets[row] = static_cast<uint32_t>(row * n);
                         if (type.nested_elements()) {
                           values.type = element;
                           out->children.push_back(std::move(values));
                         } else {
                           out->ints = std::move(values.ints);
                           out->floats = std::move(values.floats);
                           out->strings = std::move(values.strings);
                         }
                         return absl::OkStatus();
                       }};
}

}  // namespace

void RegisterTuple(FunctionRegistry* registry) {
  registry->Add("array", BindArray);
  registry->Add("tuple", BindTuple, true);
  registry->Add("tupleElement", BindTupleElement);
}

}  // namespace mua::query_internal
