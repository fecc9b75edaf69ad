#include "query/scalar_functions.h"

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
    RegisterConversion(result);
    RegisterTime(result);
    RegisterJson(result);
    RegisterMath(result); RegisterRegexp(result); RegisterFormat(result); RegisterArray(result);
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

absl::StatusOr<ScalarBinding> BindScalarFunction(absl::string_view name,
                                                 absl::Span<const ScalarArg> args) {
  const query_internal::ScalarBinder* binder = query_internal::Find(name);
  if (binder == nullptr) {
    return absl::NotFoundError(absl::StrCat("Unknown function ", name));
  }
  return (*binder)(name, args);
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
