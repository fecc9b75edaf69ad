// and, or, not, xor, if, multiIf, coalesce, ifNull, isNull, isNotNull.
// Conditions are any number (non-zero is true); results of if/multiIf take the
// common supertype of the branches.
#include "query/internal/function_registry.h"
#include "query/internal/kernel_util.h"

namespace mua::query_internal {
namespace {

bool Truth(const Vector& v, size_t row) {
  return v.type.id == TypeId::kFloat64 ? v.float_at(row) != 0 : v.int_at(row) != 0;
}

bool IsCondition(const DataType& type) { return type.is_numeric() || type.id == TypeId::kNothing; }

absl::StatusOr<ScalarBinding> BindAndOr(absl::string_view name, bool is_and,
                                        absl::Span<const ScalarArg> args) {
  if (args.size() < 2) return ArityError(name, args.size(), "at least 2");
  for (size_t i = 0; i < args.size(); ++i) {
    if (!IsCondition(args[i].type)) return IllegalType(name, args[i].type, static_cast<int>(i + 1));
  }
  return ScalarBinding{DataType::Of(TypeId::kUInt8),
                       [is_and](absl::Span<Vector> v, size_t rows, StringPool*, Vector* out) {
                         ResizeInts(out, rows);
                         for (size_t row = 0; row < rows; ++row) {
                           bool result = is_and;
                           for (const Vector& arg : v) {
                             if (Truth(arg, row) != is_and) {
                               result = !is_and;
                               break;
                             }
                           }
                           out->ints[row] = result;
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
  if (a.id == TypeId::kNothing) return b;
  if (b.id == TypeId::kNothing) return a;
  if (a.is_string() && b.is_string()) return DataType::Of(TypeId::kString);
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
    return DataType::Of(std::max(a.id, b.id));  // Date < DateTime < DateTime64
  }
  return absl::InvalidArgumentError(absl::StrCat("There is no supertype for types ", a.Name(), ", ",
                                                 b.Name(), " of function ", name));
}

namespace {

// Copies value `row` of `from` (converted to `type`) into row `row` of `out`.
void CopyValue(const Vector& from, size_t row, const DataType& type, Vector* out) {
  if (type.is_string()) {
    out->strings[row] = from.string_at(row);
  } else if (type.id == TypeId::kFloat64) {
    out->floats[row] = from.number_at(row);
  } else if (type.is_time() && from.type.is_time() && from.type.id != type.id) {
    out->ints[row] = from.int_at(row) * (MillisPerUnit(from.type.id) / MillisPerUnit(type.id));
  } else {
    out->ints[row] = from.int_at(row);
  }
}

void ResizeFor(const DataType& type, size_t rows, Vector* out) {
  if (type.is_string()) {
    ResizeStrings(out, rows);
  } else if (type.id == TypeId::kFloat64) {
    ResizeFloats(out, rows);
  } else {
    ResizeInts(out, rows);
  }
}

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
  if (type.id == TypeId::kArray) return IllegalType(name, type);
  // A NULL branch (CASE without ELSE) makes the result Nullable, as in ClickHouse.
  bool any_null = args.back().type.id == TypeId::kNothing;
  for (size_t i = 1; i < args.size(); i += 2) any_null = any_null || args[i].type.id == TypeId::kNothing;
  if (any_null && type.id != TypeId::kNothing) type.nullable = true;
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

// Columns of events are never NULL, so coalesce/ifNull pick their first
// non-NULL-typed argument; a NULL literal has type Nothing.
absl::StatusOr<ScalarBinding> BindCoalesce(absl::string_view name, absl::Span<const ScalarArg> args) {
  if (args.empty() || (name == "ifNull" && args.size() != 2)) {
    return ArityError(name, args.size(), name == "ifNull" ? "2" : "at least 1");
  }
  bool any_nullable = false;
  for (const ScalarArg& arg : args) any_nullable = any_nullable || arg.type.nullable;
  if (any_nullable) {
    // Per row: the first argument that is not NULL there.
    DataType type = DataType::Of(TypeId::kNothing);
    for (const ScalarArg& arg : args) {
      if (arg.type.id == TypeId::kNothing) continue;
      DataType plain = arg.type;
      plain.nullable = false;
      absl::StatusOr<DataType> super = CommonSuperType(name, type, plain);
      if (!super.ok()) return super.status();
      type = *super;
    }
    type.nullable = args.back().type.nullable || args.back().type.id == TypeId::kNothing;
    return ScalarBinding{type, [type](absl::Span<Vector> v, size_t rows, StringPool*, Vector* out) {
                           for (Vector& arg : v) {
                             if (arg.type.is_string()) arg.MaterializeStrings();
                           }
                           ResizeFor(type, rows, out);
                           for (size_t row = 0; row < rows; ++row) {
                             bool found = false;
                             for (const Vector& arg : v) {
                               if (arg.type.id == TypeId::kNothing || arg.is_null(row)) continue;
                               CopyValue(arg, row, type, out);
                               found = true;
                               break;
                             }
                             if (!found) {
                               out->nulls.resize(rows);
                               out->nulls[row] = 1;
                             }
                           }
                           return absl::OkStatus();
                         }};
  }
  size_t chosen = 0;
  while (chosen + 1 < args.size() && args[chosen].type.id == TypeId::kNothing) ++chosen;
  const DataType type = args[chosen].type;
  return ScalarBinding{type, [chosen](absl::Span<Vector> v, size_t, StringPool*, Vector* out) {
                         *out = std::move(v[chosen]);
                         return absl::OkStatus();
                       }};
}

absl::StatusOr<ScalarBinding> BindIsNull(absl::string_view name, bool want_null,
                                         absl::Span<const ScalarArg> args) {
  if (args.size() != 1) return ArityError(name, args.size(), "1");
  if (args[0].type.nullable) {
    return ScalarBinding{DataType::Of(TypeId::kUInt8),
                         [want_null](absl::Span<Vector> v, size_t rows, StringPool*, Vector* out) {
                           ResizeInts(out, rows);
                           for (size_t row = 0; row < rows; ++row) out->ints[row] = v[0].is_null(row) == want_null;
                           return absl::OkStatus();
                         }};
  }
  const int64_t value = (args[0].type.id == TypeId::kNothing) == want_null ? 1 : 0;
  return ScalarBinding{DataType::Of(TypeId::kUInt8),
                       [value](absl::Span<Vector>, size_t rows, StringPool*, Vector* out) {
                         *out = Vector::ConstantInt(DataType::Of(TypeId::kUInt8), value, rows);
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
  registry->Add("coalesce", BindCoalesce, true);
  registry->Add("ifNull", BindCoalesce, true);
  registry->Add("isNull", [](absl::string_view n, absl::Span<const ScalarArg> a) {
    return BindIsNull(n, true, a);
  });
  registry->Add("isNotNull", [](absl::string_view n, absl::Span<const ScalarArg> a) {
    return BindIsNull(n, false, a);
  });
}

}  // namespace mua::query_internal
