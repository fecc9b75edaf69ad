// and, or, not, xor, if, multiIf. Conditions are any number (non-zero is
// true); and/or follow ClickHouse's three-valued logic (NULL AND 0 = 0, NULL OR
// 1 = 1, otherwise NULL wins); not and xor get the default NULL handling
// (NULL in, NULL out); if/multiIf take a NULL condition as false and give the
// common supertype of the branches.
#include "query/internal/function_registry.h"
#include "query/internal/kernel_util.h"

namespace mua::query_internal {
namespace {

// A NULL condition is false.
bool Truth(const Vector& v, size_t row) {
  if (v.is_null(row)) return false;
  return v.type.id == TypeId::kFloat64 ? v.float_at(row) != 0 : v.int_at(row) != 0;
}

bool IsCondition(const DataType& type) { return type.is_numeric() || type.id == TypeId::kNothing; }

absl::StatusOr<ScalarBinding> BindAndOr(absl::string_view name, bool is_and,
                                        absl::Span<const ScalarArg> args) {
  if (args.size() < 2) return ArityError(name, args.size(), "at least 2");
  bool any_null = false;
  for (size_t i = 0; i < args.size(); ++i) {
    if (!IsCondition(args[i].type)) return IllegalType(name, args[i].type, static_cast<int>(i + 1));
    any_null = any_null || args[i].type.may_be_null();
  }
  const DataType type = any_null ? DataType::Nullable(TypeId::kUInt8) : DataType::Of(TypeId::kUInt8);
  return ScalarBinding{type, [is_and](absl::Span<Vector> v, size_t rows, StringPool*, Vector* out) {
                         ResizeInts(out, rows);
                         bool some_null = false;
                         for (const Vector& arg : v) some_null = some_null || arg.has_nulls();
                         if (some_null) out->nulls.assign(rows, 0);
                         for (size_t row = 0; row < rows; ++row) {
                           // The deciding value (0 for AND, 1 for OR) wins over NULL.
                           bool result = is_and;
                           bool null = false;
                           for (const Vector& arg : v) {
                             if (arg.is_null(row)) {
                               null = true;
                             } else if (Truth(arg, row) != is_and) {
                               result = !is_and;
                               null = false;
                               break;
                             }
                           }
                           out->ints[row] = null ? 0 : result;
                           if (null) out->nulls[row] = 1;
                         }
                         return absl::OkStatus();
                       }};
}

absl::StatusOr<ScalarBinding> BindNot(absl::string_view name, absl::Span<const ScalarArg> args) {
  if (args.size() != 1) return ArityError(name, args.size(), "1");
  if (!IsCondition(args[0].type)) return IllegalType(name, args[0].type, 1);
  return ScalarBinding{DataType::Of(TypeId::kUInt8),
                       [](absl::Span<Vector> v, size_t rows, StringPool*, Vector* out) {
                         ResizeInts(out, rows);
                         for (size_t row = 0; row < rows; ++row) out->ints[row] = !Truth(v[0], row);
                         return absl::OkStatus();
                       }};
}

absl::StatusOr<ScalarBinding> BindXor(absl::string_view name, absl::Span<const ScalarArg> args) {
  if (args.size() < 2) return ArityError(name, args.size(), "at least 2");
  // Numbers only, as and/or: Truth reads a tuple's, a string's or an array's values as numbers.
  for (size_t i = 0; i < args.size(); ++i) {
    if (!IsCondition(args[i].type)) return IllegalType(name, args[i].type, static_cast<int>(i + 1));
  }
  return ScalarBinding{DataType::Of(TypeId::kUInt8),
                       [](absl::Span<Vector> v, size_t rows, StringPool*, Vector* out) {
                         ResizeInts(out, rows);
                         for (size_t row = 0; row < rows; ++row) {
                           bool result = false;
                           for (const Vector& arg : v) result ^= Truth(arg, row);
                           out->ints[row] = result;
                         }
                         return absl::OkStatus();
                       }};
}

}  // namespace

absl::StatusOr<DataType> CommonSuperType(absl::string_view name, const DataType& a,
                                         const DataType& b) {
  if (a == b) return a;
  // Nullable(T) and U: Nullable(supertype(T, U)); NULL and T: Nullable(T).
  if (a.may_be_null() || b.may_be_null()) {
    const DataType x = a.WithoutNullable(), y = b.WithoutNullable();
    absl::StatusOr<DataType> super = x.id == TypeId::kNothing   ? y
                                     : y.id == TypeId::kNothing ? x
                                                                : CommonSuperType(name, x, y);
    if (!super.ok()) return super;
    if (!super->CannotBeNullable()) super->nullable = true;
    return super;
  }
  if (a.is_string() && b.is_string()) return DataType::Of(TypeId::kString);
  if (a.id == TypeId::kArray && b.id == TypeId::kArray) {
    absl::StatusOr<DataType> element = CommonSuperType(name, a.element_type(), b.element_type());
    if (!element.ok()) return element;
    return DataType::ArrayOf(*element);
  }
  if (a.is_tuple() && b.is_tuple() && a.tuple_size() == b.tuple_size()) {
    std::vector<DataType> elements;
    for (size_t i = 0; i < a.tuple_size(); ++i) {
      absl::StatusOr<DataType> element = CommonSuperType(name, a.tuple_element(i), b.tuple_element(i));
      if (!element.ok()) return element;
      elements.push_back(*element);
    }
    return DataType::Tuple(std::move(elements));
  }
  if (a.is_numeric() && b.is_numeric()) {
    if (a.id == TypeId::kFloat64 || b.id == TypeId::kFloat64) return DataType::Of(TypeId::kFloat64);
    const bool is_signed = !a.is_unsigned() || !b.is_unsigned();
    auto bytes = [](TypeId id) {
      switch (id) {
        case TypeId::kUInt8: case TypeId::kInt8: return 1;
        case TypeId::kUInt16: case TypeId::kInt16: return 2;
        case TypeId::kUInt32: case TypeId::kInt32: return 4;
        default: return 8;
      }
    };
    // A signed supertype of an unsigned type needs the next width.
    int width = std::max(bytes(a.id), bytes(b.id));
    if (is_signed && ((a.is_unsigned() && bytes(a.id) >= width) ||
                      (b.is_unsigned() && bytes(b.id) >= width))) {
      width = std::min(8, width * 2);
    }
    static constexpr TypeId kSigned[] = {TypeId::kInt8, TypeId::kInt16, TypeId::kInt32, TypeId::kInt64};
    static constexpr TypeId kUnsigned[] = {TypeId::kUInt8, TypeId::kUInt16, TypeId::kUInt32, TypeId::kUInt64};
    const int index = width == 1 ? 0 : width == 2 ? 1 : width == 4 ? 2 : 3;
    return DataType::Of(is_signed ? kSigned[index] : kUnsigned[index]);
  }
  if (a.is_time() && b.is_time()) {
    // Date < DateTime < DateTime64. The zone, as ClickHouse's getLeastSupertype: the last
    // DateTime64's, else the first DateTime's.
    const TypeId id = std::max(a.id, b.id);
    const DataType& zoned = id == TypeId::kDateTime64 ? (b.id == id ? b : a) : (a.id == id ? a : b);
    return id == TypeId::kDate ? DataType::Of(id) : DataType::Time(id, zoned.time_zone);
  }
  return absl::InvalidArgumentError(absl::StrCat("There is no supertype for types ", a.Name(), ", ",
                                                 b.Name(), " of function ", name));
}

namespace {

// multiIf(c1, v1, c2, v2, ..., else); if(c, a, b) is multiIf with one condition.
absl::StatusOr<ScalarBinding> BindMultiIf(absl::string_view name, absl::Span<const ScalarArg> args) {
  if (args.size() < 3 || args.size() % 2 == 0) {
    return ArityError(name, args.size(), name == "if" ? "3" : "an odd number, at least 3");
  }
  DataType type = args[1].type;
  for (size_t i = 0; i + 1 < args.size(); i += 2) {
    if (!IsCondition(args[i].type)) return IllegalType(name, args[i].type, static_cast<int>(i + 1));
    absl::StatusOr<DataType> super = CommonSuperType(name, type, args[i + 1].type);
    if (!super.ok()) return super.status();
    type = *super;
  }
  absl::StatusOr<DataType> super = CommonSuperType(name, type, args.back().type);
  if (!super.ok()) return super.status();
  type = *super;
  if (type.CannotBeNullable()) return IllegalType(name, type);
  // A NULL branch (CASE without ELSE) made the supertype Nullable, as in ClickHouse.
  return ScalarBinding{type, [type](absl::Span<Vector> v, size_t rows, StringPool*, Vector* out) {
                         for (Vector& arg : v) {
                           if (arg.type.is_string()) arg.MaterializeStrings();
                         }
                         ResizeFor(type, rows, out);
                         for (size_t row = 0; row < rows; ++row) {
                           size_t chosen = v.size() - 1;
                           for (size_t i = 0; i + 1 < v.size(); i += 2) {
                             if (Truth(v[i], row)) {
                               chosen = i + 1;
                               break;
                             }
                           }
                           if (v[chosen].type.id == TypeId::kNothing || v[chosen].is_null(row)) {
                             out->nulls.resize(rows);
                             out->nulls[row] = 1;
                             continue;
                           }
                           CopyValue(v[chosen], row, type, out);
                         }
                         return absl::OkStatus();
                       }};
}

}  // namespace

void RegisterLogical(FunctionRegistry* registry) {
  registry->Add("and", [](absl::string_view n, absl::Span<const ScalarArg> a) {
    return BindAndOr(n, true, a);
  }, true);
  registry->Add("or", [](absl::string_view n, absl::Span<const ScalarArg> a) {
    return BindAndOr(n, false, a);
  }, true);
  registry->Add("not", BindNot, true);
  registry->Add("xor", BindXor, true);
  registry->Add("if", BindMultiIf, true);
  registry->Add("multiIf", BindMultiIf);
}

}  // namespace mua::query_internal
