// The scalar function registry: ClickHouse's function names and semantics
// (SPEC §5), resolved at bind time into a typed kernel. Operators are
// functions too, under ClickHouse's internal names (plus, equals, and, like...).
//
//   std::vector<ScalarArg> args = {{DataType::Of(TypeId::kString), nullptr}};
//   MUA_ASSIGN_OR_RETURN(ScalarBinding lower, BindScalarFunction("lower", args));
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "query/expression.h"

namespace mua {

struct ScalarArg {
  DataType type;
  const Vector* constant = nullptr;  // the value when the argument is a constant
};

struct ScalarBinding {
  DataType type;
  ScalarKernel kernel;
  // Set when binding folded a constant argument into another type (e.g. a
  // string compared with a DateTime is parsed once): index -> replacement.
  std::vector<std::pair<int, Vector>> converted_constants;
};

// Errors: NotFound "Unknown function NAME" (ClickHouse UNKNOWN_FUNCTION);
// InvalidArgument for a wrong number of arguments or an illegal type, with
// ClickHouse's wording ("Number of arguments for function X doesn't match:
// passed 1, should be 2", "Illegal type String of argument of function abs").
absl::StatusOr<ScalarBinding> BindScalarFunction(absl::string_view name,
                                                 absl::Span<const ScalarArg> args);

// True when `name` is a scalar function (for error messages and completion).
bool IsScalarFunction(absl::string_view name);

// Higher-order array functions (arrayMap, arrayFilter, arraySort, ...) with a
// lambda first argument: the binder binds the lambda's body as an expression
// over a batch whose columns are its parameters, then the values it captures
// from the row (query/internal/lambda_kernels.cc).
bool IsHigherOrderFunction(absl::string_view name);
// The parameter types of `name`'s lambda over `arrays` (argument 2 on): their
// element types, or the elements of one Array(Tuple) spread over `params`.
// Errors: InvalidArgument for a non-array argument or a parameter count that does not fit.
absl::StatusOr<std::vector<DataType>> LambdaParameterTypes(absl::string_view name,
                                                           absl::Span<const DataType> arrays,
                                                           size_t params);
// Binds `name(lambda, arrays...)` with `body` bound as above over `params` parameters and
// `captures` captured values. The kernel's arguments are the arrays, then the captured values.
// Errors: as ClickHouse's (a lambda of arrayFilter must return UInt8, ...); at run time
// "Arrays passed to arrayMap must have equal size".
absl::StatusOr<ScalarBinding> BindHigherOrderFunction(absl::string_view name, BoundExprPtr body,
                                                      size_t params,
                                                      absl::Span<const DataType> arrays,
                                                      absl::Span<const DataType> captures);

// Every registered scalar function name, with whether ClickHouse also accepts
// it in any case (system.functions). Unordered.
std::vector<std::pair<std::string, bool>> ListScalarFunctions();

// The smallest ClickHouse type of an integer literal: 1 -> UInt8, -1 -> Int8, 300 -> UInt16.
DataType IntegerLiteralType(int64_t value, bool is_unsigned);

// Parses a Date / DateTime / DateTime64 literal as ClickHouse does when a string
// is compared with a time ("2026-10-05", "2026-10-05 14:03:07[.123]", ISO 'T'/'Z').
// Returns the value in the unit of `type`. Errors: InvalidArgument "Cannot parse ...".
absl::StatusOr<int64_t> ParseTimeLiteral(absl::string_view text, TypeId type);
// The same for a value of `type`: a DateTime('Zone') reads the text as that zone's wall clock.
absl::StatusOr<int64_t> ParseTimeLiteral(absl::string_view text, const DataType& type);

}  // namespace mua
