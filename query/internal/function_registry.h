// The table of scalar function binders, filled by one Register* function per
// family of kernels (arithmetic, comparison, string, ...).
#pragma once

#include <functional>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "query/scalar_functions.h"

namespace mua::query_internal {

using ScalarBinder =
    std::function<absl::StatusOr<ScalarBinding>(absl::string_view name,
                                                 absl::Span<const ScalarArg> args)>;

struct FunctionRegistry {
  // Keyed by the exact name; `case_insensitive` holds lower-cased names of
  // the functions ClickHouse also accepts in any case.
  absl::flat_hash_map<std::string, ScalarBinder> exact;
  absl::flat_hash_map<std::string, ScalarBinder> case_insensitive;

  void Add(const std::string& name, ScalarBinder binder, bool any_case = false);
};

void RegisterArithmetic(FunctionRegistry* registry);
void RegisterComparison(FunctionRegistry* registry);
void RegisterLogical(FunctionRegistry* registry);
void RegisterString(FunctionRegistry* registry);
void RegisterStringEdit(FunctionRegistry* registry);   // string_edit_kernels.cc
void RegisterStringArray(FunctionRegistry* registry);  // string_array_kernels.cc
void RegisterConversion(FunctionRegistry* registry);
void RegisterConversionOr(FunctionRegistry* registry);   // conversion_or_kernels.cc
void RegisterRelativeTime(FunctionRegistry* registry);   // relative_time_kernels.cc
void RegisterTime(FunctionRegistry* registry);
void RegisterJson(FunctionRegistry* registry);
void RegisterNull(FunctionRegistry* registry);   // null_functions.cc
void RegisterTuple(FunctionRegistry* registry);  // tuple_functions.cc
void RegisterMath(FunctionRegistry* registry);
void RegisterRegexp(FunctionRegistry* registry);
void RegisterFormat(FunctionRegistry* registry);
void RegisterArray(FunctionRegistry* registry);
// hash_kernels.cc, encoding_kernels.cc, bit_kernels.cc, url_kernels.cc, misc_kernels.cc.
void RegisterHash(FunctionRegistry* registry);
void RegisterEncoding(FunctionRegistry* registry);
void RegisterBits(FunctionRegistry* registry);
void RegisterUrl(FunctionRegistry* registry);
void RegisterMisc(FunctionRegistry* registry);
// Called by RegisterTime: the functions of time_zone_kernels.cc (toTimeZone,
// timezone(), formatDateTime, parseDateTimeBestEffort, toUnixTimestamp...).
void RegisterTimeZone(FunctionRegistry* registry);

}  // namespace mua::query_internal
