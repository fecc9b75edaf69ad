#include "query/scalar_functions.h"

#include "absl/container/flat_hash_set.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "query/internal/function_registry.h"

namespace mua {
namespace query_internal {

void FunctionRegistry::Add(const std::string& name, ScalarBinder binder, bool any_case) {
  if (any_case) case_insensitive[absl::AsciiStrToLower(name)] = binder;
  exact[name] = std::move(binder);
}

namespace {

const FunctionRegistry& Registry() {
  static const FunctionRegistry* const registry = [] {
    auto* result = new FunctionRegistry();
    RegisterArithmetic(result);
    RegisterComparison(result);
    RegisterLogical(result);
    RegisterString(result);
    RegisterStringEdit(result);
    RegisterStringArray(result);
    RegisterConversion(result);
    RegisterConversionOr(result); RegisterRelativeTime(result);
    RegisterTime(result);
    RegisterJson(result);
    RegisterNull(result);
    RegisterTuple(result);
    RegisterMath(result); RegisterRegexp(result); RegisterFormat(result); RegisterArray(result);
    RegisterHash(result); RegisterEncoding(result); RegisterBits(result); RegisterUrl(result); RegisterMisc(result);
    return result;
  }();
  return *registry;
}

const ScalarBinder* Find(absl::string_view name) {
  const FunctionRegistry& registry = Registry();
  if (auto it = registry.exact.find(name); it != registry.exact.end()) return &it->second;
  auto it = registry.case_insensitive.find(absl::AsciiStrToLower(name));
  return it == registry.case_insensitive.end() ? nullptr : &it->second;
}

}  // namespace
}  // namespace query_internal

std::vector<std::pair<std::string, bool>> ListScalarFunctions() {
  const query_internal::FunctionRegistry& registry = query_internal::Registry();
  std::vector<std::pair<std::string, bool>> names;
  for (const auto& [name, binder] : registry.exact) {
    names.emplace_back(name, registry.case_insensitive.contains(absl::AsciiStrToLower(name)));
  }
  return names;
}

namespace query_internal {
namespace {

// Functions that see NULLs themselves; every other function gets ClickHouse's
// default implementation for NULLs (a NULL argument makes the row NULL).
bool HandlesNulls(absl::string_view name) {
  static const auto* const kNames = new absl::flat_hash_set<std::string>{
      "isnull",   "isnotnull",  "iszeroornull", "coalesce", "ifnull",      "nullif",
      "assumenotnull", "tonullable", "totypename", "isnullable", "if",     "multiif",
      "and",      "or",         "cast",         "_cast",    "tuple",       "tupleelement",
      "isnotdistinctfrom", "array", "ignore", "dumpcolumnstructure",
      "has", "indexof", "countequal", "hasall", "hasany"};  // NULL is a value in arrays
  return kNames->contains(absl::AsciiStrToLower(name));
}

// The argument is NULL in every row (the NULL literal, or a folded NULL).
bool AlwaysNull(const ScalarArg& arg) {
  return arg.type.id == TypeId::kNothing ||
         (arg.constant != nullptr && arg.constant->type.nullable && arg.constant->is_null(0));
}

// Wraps `inner`, bound on the non-Nullable argument types: the rows where an
// argument is NULL are NULL, the others are computed by `inner` on the values
// alone, so a kernel never sees a NULL slot (intDiv by a NULL 0 does not fail).
ScalarKernel DefaultNullKernel(ScalarKernel inner, DataType inner_type, DataType type) {
  return [inner = std::move(inner), inner_type, type](absl::Span<Vector> args, size_t rows,
                                                      StringPool* pool, Vector* out) {
    std::vector<uint8_t> null_rows;
    for (const Vector& arg : args) {
      if (arg.nulls.empty()) continue;
      null_rows.resize(rows, 0);
      for (size_t row = 0; row < rows; ++row) null_rows[row] |= arg.nulls[arg.index(row)];
    }
    for (Vector& arg : args) arg.type.nullable = false;
    size_t null_count = 0;
    for (uint8_t null : null_rows) null_count += null;
    if (null_count == 0) {
      for (Vector& arg : args) arg.nulls.clear();
      out->type = inner_type;
      absl::Status status = inner(args, rows, pool, out);
      if (!status.ok()) return status;
      out->type = type;
      return absl::OkStatus();
    }
    if (null_count == rows) {
      *out = Vector::ConstantNullOf(type, rows);
      return absl::OkStatus();
    }
    std::vector<uint32_t> selected;
    selected.reserve(rows - null_count);
    for (size_t row = 0; row < rows; ++row) {
      if (null_rows[row] == 0) selected.push_back(static_cast<uint32_t>(row));
    }
    std::vector<Vector> compact(args.size());
    for (size_t i = 0; i < args.size(); ++i) {
      Gather(args[i], selected, &compact[i]);
      compact[i].nulls.clear();
    }
    Vector values;
    values.type = inner_type;
    values.size = selected.size();
    absl::Status status = inner(absl::MakeSpan(compact), selected.size(), pool, &values);
    if (!status.ok()) return status;
    values.type = inner_type;
    ScatterWithNulls(values, selected, rows, out);
    out->type = type;
    return absl::OkStatus();
  };
}

absl::StatusOr<ScalarBinding> BindWithDefaultNulls(absl::string_view name, const ScalarBinder& binder,
                                                   absl::Span<const ScalarArg> args) {
  bool any_nullable = false;
  for (const ScalarArg& arg : args) {
    if (AlwaysNull(arg)) {
      // NULL in every row, whatever the other arguments: Nullable(Nothing).
      const DataType type = DataType::Null();
      return ScalarBinding{type, [](absl::Span<Vector>, size_t rows, StringPool*, Vector* out) {
                             *out = Vector::ConstantNull(rows);
                             return absl::OkStatus();
                           }};
    }
    any_nullable = any_nullable || arg.type.nullable;
  }
  if (!any_nullable) return binder(name, args);
  std::vector<ScalarArg> plain(args.begin(), args.end());
  for (ScalarArg& arg : plain) arg.type.nullable = false;
  absl::StatusOr<ScalarBinding> binding = binder(name, plain);
  if (!binding.ok()) return binding;
  if (binding->type.CannotBeNullable()) {
    return absl::InvalidArgumentError(
        absl::StrCat("Nested type ", binding->type.Name(), " cannot be inside Nullable type"));
  }
  const DataType inner_type = binding->type;
  binding->type = inner_type.WithNullable();
  binding->kernel = DefaultNullKernel(std::move(binding->kernel), inner_type, binding->type);
  return binding;
}

}  // namespace
}  // namespace query_internal

absl::StatusOr<ScalarBinding> BindScalarFunction(absl::string_view name,
                                                 absl::Span<const ScalarArg> args) {
  const query_internal::ScalarBinder* binder = query_internal::Find(name);
  if (binder == nullptr) {
    return absl::NotFoundError(absl::StrCat("Unknown function ", name));
  }
  if (query_internal::HandlesNulls(name)) return (*binder)(name, args);
  return query_internal::BindWithDefaultNulls(name, *binder, args);
}

bool IsScalarFunction(absl::string_view name) { return query_internal::Find(name) != nullptr; }

DataType IntegerLiteralType(int64_t value, bool is_unsigned) {
  if (is_unsigned) {
    const uint64_t v = static_cast<uint64_t>(value);
    if (v <= 0xff) return DataType::Of(TypeId::kUInt8);
    if (v <= 0xffff) return DataType::Of(TypeId::kUInt16);
    if (v <= 0xffffffffu) return DataType::Of(TypeId::kUInt32);
    return DataType::Of(TypeId::kUInt64);
  }
  if (value >= -128 && value <= 127) return DataType::Of(TypeId::kInt8);
  if (value >= -32768 && value <= 32767) return DataType::Of(TypeId::kInt16);
  if (value >= INT32_MIN && value <= INT32_MAX) return DataType::Of(TypeId::kInt32);
  return DataType::Of(TypeId::kInt64);
}

}  // namespace mua
