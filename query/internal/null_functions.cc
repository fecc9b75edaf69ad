// The functions with their own NULL rules (ClickHouse's functions/FunctionsNull
// and CAST): isNull, isNotNull, isZeroOrNull, coalesce, ifNull, nullIf,
// isNotDistinctFrom, assumeNotNull, toNullable, isNullable, toTypeName,
// CAST(x, 'T') / _CAST.
// A NULL literal has type Nothing (or Nullable(Nothing)); its vector reads as
// NULL everywhere (Vector::is_null).
#include "absl/strings/ascii.h"
#include "query/internal/function_registry.h"
#include "query/internal/kernel_util.h"
#include "query/time_zones.h"

namespace mua::query_internal {
namespace {

const DataType kUInt8 = DataType::Of(TypeId::kUInt8);

ScalarKernel ConstantIntKernel(int64_t value) {
  return [value](absl::Span<Vector>, size_t rows, StringPool*, Vector* out) {
    *out = Vector::ConstantInt(DataType::Of(TypeId::kUInt8), value, rows);
    return absl::OkStatus();
  };
}

ScalarKernel NullKernel(DataType type) {
  return [type](absl::Span<Vector>, size_t rows, StringPool*, Vector* out) {
    *out = Vector::ConstantNullOf(type, rows);
    return absl::OkStatus();
  };
}

absl::StatusOr<ScalarBinding> BindIsNull(absl::string_view name, bool want_null,
                                         absl::Span<const ScalarArg> args) {
  if (args.size() != 1) return ArityError(name, args.size(), "1");
  if (!args[0].type.may_be_null()) return ScalarBinding{kUInt8, ConstantIntKernel(want_null ? 0 : 1)};
  return ScalarBinding{kUInt8, [want_null](absl::Span<Vector> v, size_t rows, StringPool*, Vector* out) {
                         ResizeInts(out, rows);
                         for (size_t row = 0; row < rows; ++row) {
                           out->ints[row] = v[0].is_null(row) == want_null;
                         }
                         return absl::OkStatus();
                       }};
}

absl::StatusOr<ScalarBinding> BindIsZeroOrNull(absl::string_view name,
                                               absl::Span<const ScalarArg> args) {
  if (args.size() != 1) return ArityError(name, args.size(), "1");
  const DataType& type = args[0].type;
  if (!type.is_numeric() && type.id != TypeId::kNothing) return IllegalType(name, type, 1);
  return ScalarBinding{kUInt8, [](absl::Span<Vector> v, size_t rows, StringPool*, Vector* out) {
                         ResizeInts(out, rows);
                         const Vector& x = v[0];
                         for (size_t row = 0; row < rows; ++row) {
                           out->ints[row] = x.is_null(row) || (x.type.id == TypeId::kFloat64
                                                                   ? x.float_at(row) == 0
                                                                   : x.int_at(row) == 0);
                         }
                         return absl::OkStatus();
                       }};
}

// coalesce(a, b, ...) and ifNull(a, b): per row the first argument that is not
// NULL; arguments after the first non-Nullable one are never reached.
absl::StatusOr<ScalarBinding> BindCoalesce(absl::string_view name, absl::Span<const ScalarArg> args) {
  const bool if_null = absl::AsciiStrToLower(name) == "ifnull";
  if (args.empty() || (if_null && args.size() != 2)) {
    return ArityError(name, args.size(), if_null ? "2" : "at least 1");
  }
  DataType type = DataType::Of(TypeId::kNothing);
  bool nullable = true;
  size_t used = args.size();
  size_t first = args.size();  // the first argument that is not the NULL literal
  for (size_t i = 0; i < args.size(); ++i) {
    if (args[i].type.id == TypeId::kNothing) continue;
    if (first == args.size()) first = i;
    if (type.id == TypeId::kNothing) {
      type = args[i].type.WithoutNullable();
    } else {
      absl::StatusOr<DataType> super = CommonSuperType(name, type, args[i].type.WithoutNullable());
      if (!super.ok()) return super.status();
      type = *super;
    }
    if (!args[i].type.nullable) {
      nullable = false;
      used = i + 1;
      break;
    }
  }
  if (type.id == TypeId::kNothing) return ScalarBinding{DataType::Null(), NullKernel(DataType::Null())};
  if (!nullable && first + 1 == used && args[first].type == type) {
    // The first value that can be NULL is the one that cannot: it is the answer.
    return ScalarBinding{type, [first](absl::Span<Vector> v, size_t, StringPool*, Vector* out) {
                           *out = std::move(v[first]);
                           return absl::OkStatus();
                         }};
  }
  if (type.CannotBeNullable()) return IllegalType(name, type);
  if (nullable) type.nullable = true;
  const DataType value_type = type.WithoutNullable();
  return ScalarBinding{type, [value_type, used](absl::Span<Vector> v, size_t rows, StringPool*,
                                                Vector* out) {
                         for (Vector& arg : v) {
                           if (arg.type.is_string()) arg.MaterializeStrings();
                         }
                         ResizeFor(value_type, rows, out);
                         for (size_t row = 0; row < rows; ++row) {
                           bool found = false;
                           for (size_t k = 0; k < used; ++k) {
                             if (v[k].is_null(row)) continue;
                             CopyValue(v[k], row, value_type, out);
                             found = true;
                             break;
                           }
                           if (!found) {
                             out->nulls.resize(rows, 0);
                             out->nulls[row] = 1;
                           }
                         }
                         return absl::OkStatus();
                       }};
}

// nullIf(a, b): NULL where a = b, else a (as Nullable).
absl::StatusOr<ScalarBinding> BindNullIf(absl::string_view name, absl::Span<const ScalarArg> args) {
  if (args.size() != 2) return ArityError(name, args.size(), "2");
  if (args[0].type.id == TypeId::kNothing) return ScalarBinding{DataType::Null(), NullKernel(DataType::Null())};
  if (args[0].type.CannotBeNullable()) return IllegalType(name, args[0].type, 1);
  absl::StatusOr<ScalarBinding> equals = BindScalarFunction("equals", args);
  if (!equals.ok()) return equals.status();
  const DataType type = args[0].type.WithNullable();
  return ScalarBinding{
      type, [equals = *std::move(equals)](absl::Span<Vector> v, size_t rows, StringPool* pool,
                                          Vector* out) -> absl::Status {
        // The comparison may consume its arguments: give it copies.
        std::vector<Vector> compared(v.begin(), v.end());
        for (const auto& [index, value] : equals.converted_constants) {
          compared[index] = value;
          compared[index].size = rows;
        }
        Vector same;
        same.type = equals.type;
        same.size = rows;
        absl::Status status = equals.kernel(absl::MakeSpan(compared), rows, pool, &same);
        if (!status.ok()) return status;
        Vector result = std::move(v[0]);
        result.Flatten();
        result.MaterializeStrings();
        result.type.nullable = true;
        result.nulls.resize(rows, 0);
        for (size_t row = 0; row < rows; ++row) {
          if (same.is_null(row) || same.int_at(row) == 0) continue;
          result.nulls[row] = 1;
          // A NULL slot holds the default value.
          if (!result.ints.empty()) result.ints[row] = 0;
          if (!result.floats.empty()) result.floats[row] = 0;
          if (!result.strings.empty()) result.strings[row] = absl::string_view();
        }
        *out = std::move(result);
        return absl::OkStatus();
      }};
}

// isNotDistinctFrom(a, b) (`a <=> b`): equals, with NULL equal to NULL and
// unequal to any value; never NULL itself (JOIN ON uses it for NULL-safe keys).
absl::StatusOr<ScalarBinding> BindIsNotDistinctFrom(absl::string_view name,
                                                    absl::Span<const ScalarArg> args) {
  if (args.size() != 2) return ArityError(name, args.size(), "2");
  std::vector<ScalarArg> plain(args.begin(), args.end());
  const bool null_a = args[0].type.id == TypeId::kNothing, null_b = args[1].type.id == TypeId::kNothing;
  if (null_a || null_b) {
    // NULL against NULL is 1; against a value, whether that value is NULL.
    if (null_a && null_b) return ScalarBinding{kUInt8, ConstantIntKernel(1)};
    return BindIsNull(name, true, absl::MakeConstSpan(&args[null_a ? 1 : 0], 1));
  }
  for (ScalarArg& arg : plain) arg.type.nullable = false;
  absl::StatusOr<ScalarBinding> equals = BindScalarFunction("equals", plain);
  if (!equals.ok()) return equals.status();
  return ScalarBinding{
      kUInt8, [equals = *std::move(equals)](absl::Span<Vector> v, size_t rows, StringPool* pool,
                                            Vector* out) -> absl::Status {
        std::vector<Vector> compared(v.begin(), v.end());
        for (Vector& arg : compared) {
          arg.nulls.clear();
          arg.type.nullable = false;
        }
        for (const auto& [index, value] : equals.converted_constants) {
          compared[index] = value;
          compared[index].size = rows;
        }
        Vector same;
        same.type = equals.type;
        same.size = rows;
        absl::Status status = equals.kernel(absl::MakeSpan(compared), rows, pool, &same);
        if (!status.ok()) return status;
        ResizeInts(out, rows);
        for (size_t row = 0; row < rows; ++row) {
          const bool null_left = v[0].is_null(row), null_right = v[1].is_null(row);
          out->ints[row] = null_left || null_right ? null_left == null_right : same.int_at(row) != 0;
        }
        return absl::OkStatus();
      }};
}

absl::StatusOr<ScalarBinding> BindAssumeNotNull(absl::string_view name,
                                                absl::Span<const ScalarArg> args) {
  if (args.size() != 1) return ArityError(name, args.size(), "1");
  const DataType type = args[0].type.id == TypeId::kNothing ? args[0].type : args[0].type.WithoutNullable();
  return ScalarBinding{type, [type](absl::Span<Vector> v, size_t, StringPool*, Vector* out) {
                         *out = std::move(v[0]);
                         if (type.id != TypeId::kNothing) out->nulls.clear();
                         out->type = type;
                         return absl::OkStatus();
                       }};
}

absl::StatusOr<ScalarBinding> BindToNullable(absl::string_view name,
                                             absl::Span<const ScalarArg> args) {
  if (args.size() != 1) return ArityError(name, args.size(), "1");
  if (args[0].type.CannotBeNullable()) {
    return absl::InvalidArgumentError(
        absl::StrCat("Nested type ", args[0].type.Name(), " cannot be inside Nullable type"));
  }
  const DataType type = args[0].type.WithNullable();
  return ScalarBinding{type, [type](absl::Span<Vector> v, size_t, StringPool*, Vector* out) {
                         *out = std::move(v[0]);
                         out->type = type;
                         return absl::OkStatus();
                       }};
}

// ClickHouse's dictionary encoding is a storage matter; MUA keeps the type so results and
// toTypeName show it. Only String has a LowCardinality form here.
absl::StatusOr<ScalarBinding> BindToLowCardinality(absl::string_view name,
                                                   absl::Span<const ScalarArg> args) {
  if (args.size() != 1) return ArityError(name, args.size(), "1");
  if (args[0].type.id != TypeId::kString || args[0].type.nullable) {
    return absl::InvalidArgumentError(absl::StrCat("Illegal type ", args[0].type.Name(),
                                                   " of argument of function ", name,
                                                   ": MUA has LowCardinality(String) only"));
  }
  DataType type = args[0].type;
  type.low_cardinality = true;
  return ScalarBinding{type, [type](absl::Span<Vector> v, size_t, StringPool*, Vector* out) {
                         *out = std::move(v[0]);
                         out->type = type;
                         return absl::OkStatus();
                       }};
}

absl::StatusOr<ScalarBinding> BindIsNullable(absl::string_view name,
                                             absl::Span<const ScalarArg> args) {
  if (args.size() != 1) return ArityError(name, args.size(), "1");
  return ScalarBinding{kUInt8, ConstantIntKernel(args[0].type.may_be_null() ? 1 : 0)};
}

absl::StatusOr<ScalarBinding> BindToTypeName(absl::string_view name,
                                             absl::Span<const ScalarArg> args) {
  if (args.size() != 1) return ArityError(name, args.size(), "1");
  // The NULL literal is Nullable(Nothing), however the binder flagged it.
  const std::string type_name =
      args[0].type.id == TypeId::kNothing ? DataType::Null().Name() : args[0].type.Name();
  return ScalarBinding{DataType::Of(TypeId::kString),
                       [type_name](absl::Span<Vector>, size_t rows, StringPool* pool, Vector* out) {
                         *out = Vector::ConstantString(pool->Add(type_name), rows);
                         return absl::OkStatus();
                       }};
}

// Conversion of `from` values to `target` (no Nullable on either side).
absl::StatusOr<ScalarBinding> BindConvert(const DataType& from, const Vector* constant,
                                          const DataType& target);

// CAST(x, 'T') with the NULL rules: Nullable targets take NULLs through, a
// NULL into a non-Nullable type is an error (ClickHouse code 349).
absl::StatusOr<ScalarBinding> BindCastTo(const ScalarArg& arg, const DataType& target) {
  const DataType inner_target = target.WithoutNullable();
  if (arg.type.id == TypeId::kNothing) {
    if (!target.nullable) {
      return absl::InvalidArgumentError(absl::StrCat(
          "Cannot convert NULL value to non-Nullable type ", target.Name()));
    }
    return ScalarBinding{target, NullKernel(target)};
  }
  absl::StatusOr<ScalarBinding> convert =
      BindConvert(arg.type.WithoutNullable(), arg.constant, inner_target);
  if (!convert.ok()) return convert;
  const bool source_nullable = arg.type.nullable;
  const bool target_nullable = target.nullable;
  return ScalarBinding{
      target, [kernel = std::move(convert->kernel), source_nullable, target_nullable, target,
               inner_target](absl::Span<Vector> v, size_t rows, StringPool* pool, Vector* out) {
        std::vector<uint8_t> nulls;
        if (source_nullable && !v[0].nulls.empty()) {
          for (size_t row = 0; row < rows; ++row) {
            if (!v[0].is_null(row)) continue;
            if (!target_nullable) {
              return absl::InvalidArgumentError(absl::StrCat(
                  "Cannot convert NULL value to non-Nullable type ", target.Name()));
            }
            nulls.resize(rows, 0);
            nulls[row] = 1;
          }
        }
        v[0].nulls.clear();
        v[0].type.nullable = false;
        out->type = inner_target;
        absl::Status status = kernel(v, rows, pool, out);
        if (!status.ok()) return status;
        out->type = target;
        if (!nulls.empty()) {
          out->Flatten();
          out->nulls = std::move(nulls);
        }
        return absl::OkStatus();
      }};
}

// The to* function that converts into a scalar type.
const char* ConversionFunction(TypeId id) {
  switch (id) {
    case TypeId::kUInt8: return "toUInt8";
    case TypeId::kUInt16: return "toUInt16";
    case TypeId::kUInt32: return "toUInt32";
    case TypeId::kUInt64: return "toUInt64";
    case TypeId::kInt8: return "toInt8";
    case TypeId::kInt16: return "toInt16";
    case TypeId::kInt32: return "toInt32";
    case TypeId::kInt64: return "toInt64";
    case TypeId::kFloat64: return "toFloat64";
    case TypeId::kString: return "toString";
    case TypeId::kDate: return "toDate";
    case TypeId::kDateTime: return "toDateTime";
    case TypeId::kDateTime64: return "toDateTime64";
    default: return nullptr;
  }
}

absl::StatusOr<ScalarBinding> BindConvert(const DataType& from, const Vector* constant,
                                          const DataType& target) {
  DataType plain_target = target;
  plain_target.low_cardinality = false;
  DataType plain_from = from;
  plain_from.low_cardinality = false;
  auto unsupported = [&]() {
    return absl::InvalidArgumentError(
        absl::StrCat("Conversion from ", from.Name(), " to ", target.Name(), " is not supported"));
  };
  if (plain_from == plain_target) {
    return ScalarBinding{target, [](absl::Span<Vector> v, size_t, StringPool*, Vector* out) {
                           const DataType type = out->type;
                           *out = std::move(v[0]);
                           out->type = type;
                           return absl::OkStatus();
                         }};
  }
  if (target.is_tuple()) {
    if (!from.is_tuple() || from.tuple_size() != target.tuple_size()) return unsupported();
    std::vector<ScalarBinding> elements;
    for (size_t i = 0; i < target.tuple_size(); ++i) {
      absl::StatusOr<ScalarBinding> element =
          BindCastTo(ScalarArg{from.tuple_element(i), nullptr}, target.tuple_element(i));
      if (!element.ok()) return element;
      elements.push_back(*std::move(element));
    }
    return ScalarBinding{target, [elements, target](absl::Span<Vector> v, size_t rows,
                                                    StringPool* pool, Vector* out) {
                           Vector tuple = std::move(v[0]);
                           out->children.resize(elements.size());
                           for (size_t i = 0; i < elements.size(); ++i) {
                             Vector& child = out->children[i];
                             child = Vector();
                             child.type = elements[i].type;
                             child.size = rows;
                             absl::Status status = elements[i].kernel(
                                 absl::MakeSpan(&tuple.children[i], 1), rows, pool, &child);
                             if (!status.ok()) return status;
                             child.Flatten();
                           }
                           out->type = target;
                           out->size = rows;
                           out->constant = false;
                           return absl::OkStatus();
                         }};
  }
  if (target.id == TypeId::kArray || from.id == TypeId::kArray || from.is_tuple()) {
    return unsupported();
  }
  const char* function = ConversionFunction(target.id);
  if (function == nullptr) return unsupported();
  // CAST(s AS DateTime('Zone')) reads text as the zone's wall clock: toDateTime(s, 'Zone').
  const Vector zone = Vector::ConstantString(TimeZoneName(target.time_zone), 1);
  const ScalarArg args[] = {{from, constant}, {DataType::Of(TypeId::kString), &zone}};
  const size_t count = target.time_zone != kNoTimeZone && target.id != TypeId::kDate ? 2 : 1;
  absl::StatusOr<ScalarBinding> binding =
      BindScalarFunction(function, absl::MakeConstSpan(args, count));
  if (!binding.ok()) return binding;
  binding->type = target;
  return binding;
}

absl::StatusOr<ScalarBinding> BindCast(absl::string_view name, absl::Span<const ScalarArg> args) {
  if (args.size() != 2) return ArityError(name, args.size(), "2");
  if (!args[1].type.is_string() || args[1].constant == nullptr) {
    return absl::InvalidArgumentError(absl::StrCat(
        "The second argument of function ", name, " must be a constant string with the type name"));
  }
  absl::StatusOr<DataType> target = ParseDataType(args[1].constant->string_at(0));
  if (!target.ok()) return target.status();
  absl::StatusOr<ScalarBinding> cast = BindCastTo(args[0], *target);
  if (!cast.ok()) return cast;
  // The type name argument is not the kernel's business.
  return ScalarBinding{cast->type, [kernel = std::move(cast->kernel)](
                                       absl::Span<Vector> v, size_t rows, StringPool* pool,
                                       Vector* out) { return kernel(v.subspan(0, 1), rows, pool, out); }};
}

}  // namespace

void RegisterNull(FunctionRegistry* registry) {
  registry->Add("isNull", [](absl::string_view n, absl::Span<const ScalarArg> a) {
    return BindIsNull(n, true, a);
  }, true);
  registry->Add("isNotNull", [](absl::string_view n, absl::Span<const ScalarArg> a) {
    return BindIsNull(n, false, a);
  }, true);
  registry->Add("isZeroOrNull", BindIsZeroOrNull);
  registry->Add("coalesce", BindCoalesce, true);
  registry->Add("ifNull", BindCoalesce, true);
  registry->Add("nullIf", BindNullIf, true);
  registry->Add("isNotDistinctFrom", BindIsNotDistinctFrom);
  registry->Add("assumeNotNull", BindAssumeNotNull);
  registry->Add("toNullable", BindToNullable);
  registry->Add("toLowCardinality", BindToLowCardinality);
  registry->Add("isNullable", BindIsNullable);
  registry->Add("toTypeName", BindToTypeName);
  registry->Add("CAST", BindCast, true);
  registry->Add("_CAST", BindCast);
}

}  // namespace mua::query_internal
