// Utility functions: materialize, identity, ignore, hostName, uptime,
// currentUser, throwIf, isValidJSON, and the random ones (rand, rand32, rand64,
// randCanonical, generateUUIDv4). The random functions take any arguments and
// ignore them, as ClickHouse's do (an argument keeps two calls apart); the
// binder never folds them (a value per row).
#include <unistd.h>

#include <cmath>
#include <cstring>
#include <memory>
#include <random>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "query/internal/function_registry.h"
#include "query/internal/kernel_util.h"
#include "rapidjson/memorystream.h"
#include "rapidjson/reader.h"
#include "storage/base/status_macros.h"

namespace mua::query_internal {
namespace {

// Process start, for uptime() (static initialization runs before the server serves).
const absl::Time kStartTime = absl::Now();

// One generator per thread, seeded from the OS: kernels run on several threads.
std::mt19937_64& Generator() {
  thread_local std::mt19937_64 generator{std::random_device{}()};
  return generator;
}

absl::StatusOr<ScalarBinding> BindRandom(TypeId result, absl::string_view,
                                         absl::Span<const ScalarArg>) {
  return ScalarBinding{
      DataType::Of(result), [result](absl::Span<Vector>, size_t rows, StringPool*, Vector* out) {
        std::mt19937_64& generator = Generator();
        if (result == TypeId::kFloat64) {
          ResizeFloats(out, rows);
          std::uniform_real_distribution<double> unit(0.0, 1.0);
          for (size_t row = 0; row < rows; ++row) out->floats[row] = unit(generator);
          return absl::OkStatus();
        }
        ResizeInts(out, rows);
        for (size_t row = 0; row < rows; ++row) {
          const uint64_t bits = generator();
          out->ints[row] = result == TypeId::kUInt32 ? static_cast<int64_t>(bits >> 32)
                                                     : static_cast<int64_t>(bits);
        }
        return absl::OkStatus();
      }};
}

// A version-4 UUID as text (MUA has no UUID type): 8-4-4-4-12 lower-case hex digits.
absl::StatusOr<ScalarBinding> BindUuid(absl::string_view, absl::Span<const ScalarArg>) {
  return ScalarBinding{DataType::Of(TypeId::kString),
                       [](absl::Span<Vector>, size_t rows, StringPool* pool, Vector* out) {
                         ResizeStrings(out, rows);
                         std::mt19937_64& generator = Generator();
                         for (size_t row = 0; row < rows; ++row) {
                           uint64_t high = generator();
                           uint64_t low = generator();
                           high = (high & ~uint64_t{0xf000}) | 0x4000;  // version 4
                           low = (low & ~(uint64_t{0xc} << 60)) |
                                 (uint64_t{0x8} << 60);  // variant 10
                           out->strings[row] = pool->Add(absl::StrFormat(
                               "%08x-%04x-%04x-%04x-%012x", high >> 32, (high >> 16) & 0xffff,
                               high & 0xffff, low >> 48, low & 0xffffffffffffULL));
                         }
                         return absl::OkStatus();
                       }};
}

ScalarBinder ConstantString(std::string value) {
  return [value](absl::string_view name,
                 absl::Span<const ScalarArg> args) -> absl::StatusOr<ScalarBinding> {
    if (!args.empty()) return ArityError(name, args.size(), "0");
    return ScalarBinding{DataType::Of(TypeId::kString),
                         [value](absl::Span<Vector>, size_t rows, StringPool* pool, Vector* out) {
                           *out = Vector::ConstantString(pool->Add(value), rows);
                           return absl::OkStatus();
                         }};
  };
}

std::string HostName() {
  char name[256] = {};
  if (gethostname(name, sizeof(name) - 1) != 0) return "localhost";
  return name;
}

absl::StatusOr<ScalarBinding> BindUptime(absl::string_view name, absl::Span<const ScalarArg> args) {
  if (!args.empty()) return ArityError(name, args.size(), "0");
  return ScalarBinding{DataType::Of(TypeId::kUInt32),
                       [](absl::Span<Vector>, size_t rows, StringPool*, Vector* out) {
                         const int64_t seconds = absl::ToInt64Seconds(absl::Now() - kStartTime);
                         *out = Vector::ConstantInt(DataType::Of(TypeId::kUInt32), seconds, rows);
                         return absl::OkStatus();
                       }};
}

// materialize(x) and identity(x): x itself; materialize makes a constant a full column.
absl::StatusOr<ScalarBinding> BindIdentity(bool flatten, absl::string_view name,
                                           absl::Span<const ScalarArg> args) {
  if (args.size() != 1) return ArityError(name, args.size(), "1");
  return ScalarBinding{args[0].type,
                       [flatten](absl::Span<Vector> v, size_t, StringPool*, Vector* out) {
                         *out = v[0];
                         if (flatten) out->Flatten();
                         return absl::OkStatus();
                       }};
}

// ignore(...): 0, whatever the arguments (NULLs too).
absl::StatusOr<ScalarBinding> BindIgnore(absl::string_view, absl::Span<const ScalarArg>) {
  return ScalarBinding{DataType::Of(TypeId::kUInt8),
                       [](absl::Span<Vector>, size_t rows, StringPool*, Vector* out) {
                         *out = Vector::ConstantInt(DataType::Of(TypeId::kUInt8), 0, rows);
                         return absl::OkStatus();
                       }};
}

// throwIf(cond[, message]): 0, or ClickHouse's error 395 at the first non-zero row.
absl::StatusOr<ScalarBinding> BindThrowIf(absl::string_view name,
                                          absl::Span<const ScalarArg> args) {
  if (args.empty() || args.size() > 2) return ArityError(name, args.size(), "1 or 2");
  if (!args[0].type.is_integer()) return IllegalType(name, args[0].type, 1);
  std::string message = "Value passed to 'throwIf' function is non-zero";
  if (args.size() == 2) {
    if (args[1].constant == nullptr || !args[1].type.is_string()) {
      return absl::InvalidArgumentError(
          absl::StrCat("Second argument of function ", name, " must be a constant string"));
    }
    message = std::string(args[1].constant->string_at(0));
  }
  return ScalarBinding{DataType::Of(TypeId::kUInt8),
                       [message](absl::Span<Vector> v, size_t rows, StringPool*, Vector* out) {
                         for (size_t row = 0; row < rows; ++row) {
                           if (v[0].int_at(row) != 0) {
                             return absl::InvalidArgumentError(
                                 absl::StrCat(message, " (FUNCTION_THROW_IF_VALUE_IS_NON_ZERO)"));
                           }
                         }
                         *out = Vector::ConstantInt(DataType::Of(TypeId::kUInt8), 0, rows);
                         return absl::OkStatus();
                       }};
}

// isValidJSON(s): 1 when s is one JSON value (RapidJSON, iterative: deep nesting cannot
// overflow the stack).
absl::StatusOr<ScalarBinding> BindIsValidJson(absl::string_view name,
                                              absl::Span<const ScalarArg> args) {
  if (args.size() != 1) return ArityError(name, args.size(), "1");
  if (!args[0].type.is_string()) return IllegalType(name, args[0].type, 1);
  return ScalarBinding{
      DataType::Of(TypeId::kUInt8),
      [](absl::Span<Vector> v, size_t rows, StringPool*, Vector* out) {
        ResizeInts(out, rows);
        rapidjson::Reader reader;
        for (size_t row = 0; row < rows; ++row) {
          const absl::string_view text = v[0].string_at(row);
          rapidjson::MemoryStream stream(text.data(), text.size());
          rapidjson::BaseReaderHandler<> handler;
          out->ints[row] = !reader.Parse<rapidjson::kParseIterativeFlag>(stream, handler).IsError();
        }
        return absl::OkStatus();
      }};
}

// A constant array argument's flat elements as a vector of its element type.
absl::StatusOr<Vector> ConstantElements(absl::string_view name, const ScalarArg& arg,
                                        int position) {
  if (arg.type.id != TypeId::kArray || arg.type.nested_elements() || arg.constant == nullptr) {
    return absl::InvalidArgumentError(absl::StrCat("Argument ", position, " of function ", name,
                                                   " must be a constant array of scalars"));
  }
  const Vector& array = *arg.constant;
  const uint32_t begin = array.offsets[0];
  const uint32_t end = array.offsets[1];
  Vector elements;
  elements.type = arg.type.element_type();
  elements.size = end - begin;
  if (elements.type.is_string()) {
    elements.strings.assign(array.strings.begin() + begin, array.strings.begin() + end);
  } else if (elements.type.id == TypeId::kFloat64) {
    elements.floats.assign(array.floats.begin() + begin, array.floats.begin() + end);
  } else {
    elements.ints.assign(array.ints.begin() + begin, array.ints.begin() + end);
  }
  return elements;
}

// A key equal for equal values across numeric types (1 = 1.0), and strings by bytes.
std::string TransformKey(const Vector& v, size_t row) {
  if (v.type.is_string()) return std::string(v.string_at(row));
  if (v.type.id == TypeId::kFloat64) {
    const double x = v.float_at(row);
    if (x == std::trunc(x) && std::abs(x) < 9.0e18) return absl::StrCat(static_cast<int64_t>(x));
    return absl::StrFormat("%.17g", x);
  }
  if (v.type.is_unsigned()) return absl::StrCat(static_cast<uint64_t>(v.int_at(row)));
  return absl::StrCat(v.int_at(row));
}

// transform(x, [from...], [to...][, default]): the `to` element at x's place in `from`; else
// x (three arguments, in the supertype of x and `to`) or `default` (the supertype of `to` and it).
absl::StatusOr<ScalarBinding> BindTransform(absl::string_view name,
                                            absl::Span<const ScalarArg> args) {
  if (args.size() != 3 && args.size() != 4) return ArityError(name, args.size(), "3 or 4");
  MUA_ASSIGN_OR_RETURN(Vector from, ConstantElements(name, args[1], 2));
  MUA_ASSIGN_OR_RETURN(Vector to, ConstantElements(name, args[2], 3));
  if (from.size != to.size) {
    return absl::InvalidArgumentError(
        absl::StrCat("Second and third arguments of function ", name, " must have equal size"));
  }
  const DataType& x_type = args[0].type;
  if (x_type.is_string() != from.type.is_string() && from.size > 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("Function ", name,
                     " has signature: transform(T, Array(T), Array(U), U) -> U; or transform(T, "
                     "Array(T), Array(T)) -> T; where T and U are types."));
  }
  DataType result = to.type;
  if (args.size() == 3) {
    MUA_ASSIGN_OR_RETURN(result, CommonSuperType(name, x_type, to.type));
  } else {
    MUA_ASSIGN_OR_RETURN(result, CommonSuperType(name, to.type, args[3].type));
  }
  if (!result.is_string() && !result.is_numeric() && !result.is_time())
    return IllegalType(name, result, 3);
  // The first occurrence of a value in `from` wins.
  auto index = std::make_shared<absl::flat_hash_map<std::string, size_t>>();
  for (size_t i = 0; i < from.size; ++i) index->try_emplace(TransformKey(from, i), i);
  auto shared_to = std::make_shared<Vector>(std::move(to));
  const bool with_default = args.size() == 4;
  return ScalarBinding{result, [index, shared_to, result, with_default](
                                   absl::Span<Vector> v, size_t rows, StringPool*, Vector* out) {
                         ResizeFor(result, rows, out);
                         for (size_t row = 0; row < rows; ++row) {
                           auto it = index->find(TransformKey(v[0], row));
                           if (it != index->end()) {
                             const size_t at = it->second;
                             if (result.is_string()) {
                               out->strings[row] = shared_to->string_at(at);
                             } else if (result.id == TypeId::kFloat64) {
                               out->floats[row] = shared_to->number_at(at);
                             } else {
                               out->ints[row] = shared_to->int_at(at);
                             }
                           } else {
                             CopyValue(with_default ? v[3] : v[0], row, result, out);
                           }
                         }
                         return absl::OkStatus();
                       }};
}

}  // namespace

void RegisterMisc(FunctionRegistry* registry) {
  registry->Add(
      "rand",
      [](absl::string_view n, absl::Span<const ScalarArg> a) {
        return BindRandom(TypeId::kUInt32, n, a);
      },
      true);
  registry->Add("rand32", [](absl::string_view n, absl::Span<const ScalarArg> a) {
    return BindRandom(TypeId::kUInt32, n, a);
  });
  registry->Add("rand64", [](absl::string_view n, absl::Span<const ScalarArg> a) {
    return BindRandom(TypeId::kUInt64, n, a);
  });
  registry->Add("randCanonical", [](absl::string_view n, absl::Span<const ScalarArg> a) {
    return BindRandom(TypeId::kFloat64, n, a);
  });
  registry->Add("generateUUIDv4", BindUuid);
  registry->Add("materialize", [](absl::string_view n, absl::Span<const ScalarArg> a) {
    return BindIdentity(true, n, a);
  });
  registry->Add("identity", [](absl::string_view n, absl::Span<const ScalarArg> a) {
    return BindIdentity(false, n, a);
  });
  registry->Add("ignore", BindIgnore);
  registry->Add("hostName", ConstantString(HostName()));
  registry->Add("hostname", ConstantString(HostName()));
  registry->Add("uptime", BindUptime);
  // The binder has no session here: 'default', ClickHouse's user without authentication.
  registry->Add("currentUser", ConstantString("default"));
  registry->Add("throwIf", BindThrowIf);
  registry->Add("isValidJSON", BindIsValidJson);
  registry->Add("transform", BindTransform);
  // ClickHouse's newer names of the visitParam* functions.
  for (const auto& [alias, target] : std::vector<std::pair<std::string, std::string>>{
           {"simpleJSONExtractString", "visitParamExtractString"},
           {"simpleJSONExtractInt", "visitParamExtractInt"},
           {"simpleJSONExtractUInt", "visitParamExtractUInt"},
           {"simpleJSONExtractFloat", "visitParamExtractFloat"},
           {"simpleJSONExtractBool", "visitParamExtractBool"},
           {"simpleJSONHas", "visitParamHas"}}) {
    // An init-capture: clang 14 (the fuzz build) cannot capture a structured binding.
    registry->Add(alias, [name = target](absl::string_view, absl::Span<const ScalarArg> a) {
      return BindScalarFunction(name, a);
    });
  }
}

}  // namespace mua::query_internal
