// formatReadableSize, formatReadableDecimalSize, formatReadableQuantity,
// formatReadableTimeDelta (ClickHouse's texts: "1.00 KiB", "1.50 million",
// "1 hour, 2 minutes and 3 seconds"), and the server facts ClickHouse clients
// ask for: version(), currentDatabase(), currentUser() is the binder's (it knows
// the principal).
#include <cmath>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "query/internal/function_registry.h"
#include "query/internal/kernel_util.h"
#include "storage/base/version.h"

namespace mua::query_internal {
namespace {

// MUA's version as version() and the server's error texts give it.

// Divides by `step` until below it (or out of units) and prints two decimals.
std::string FormatReadable(double value, double step, absl::Span<const char* const> units) {
  size_t unit = 0;
  while (unit + 1 < units.size() && std::fabs(value) >= step) {
    value /= step;
    ++unit;
  }
  if (!std::isfinite(value)) return absl::StrCat(value > 0 ? "inf" : value < 0 ? "-inf" : "nan",
                                                 units[unit]);
  return absl::StrCat(absl::StrFormat("%.2f", value), units[unit]);
}

constexpr const char* kBinaryUnits[] = {" B",   " KiB", " MiB", " GiB", " TiB",
                                        " PiB", " EiB", " ZiB", " YiB"};
constexpr const char* kDecimalUnits[] = {" B", " KB", " MB", " GB", " TB", " PB", " EB", " ZB", " YB"};
constexpr const char* kQuantityUnits[] = {"",          " thousand", " million",
                                          " billion",  " trillion", " quadrillion"};

enum class Readable { kSize, kDecimalSize, kQuantity };

absl::StatusOr<ScalarBinding> BindFormatReadable(absl::string_view name, Readable kind,
                                                 absl::Span<const ScalarArg> args) {
  if (args.size() != 1) return ArityError(name, args.size(), "1");
  if (!args[0].type.is_numeric()) return IllegalType(name, args[0].type, 1);
  return ScalarBinding{DataType::Of(TypeId::kString),
                       [kind](absl::Span<Vector> v, size_t rows, StringPool* pool, Vector* out) {
                         ResizeStrings(out, rows);
                         for (size_t row = 0; row < rows; ++row) {
                           const double x = v[0].number_at(row);
                           std::string text;
                           switch (kind) {
                             case Readable::kSize: text = FormatReadable(x, 1024, kBinaryUnits); break;
                             case Readable::kDecimalSize:
                               text = FormatReadable(x, 1000, kDecimalUnits);
                               break;
                             case Readable::kQuantity:
                               text = FormatReadable(x, 1000, kQuantityUnits);
                               break;
                           }
                           out->strings[row] = pool->Add(std::move(text));
                         }
                         return absl::OkStatus();
                       }};
}

struct DeltaUnit {
  const char* singular;
  double seconds;
};
// ClickHouse's formatReadableTimeDelta: a year is 365 days, a month 30.5 days.
constexpr DeltaUnit kDeltaUnits[] = {
    {"year", 365 * 86400.0}, {"month", 30.5 * 86400}, {"day", 86400}, {"hour", 3600},
    {"minute", 60},          {"second", 1},
};

// "1 year, 2 months and 3 seconds": whole units from `maximum` down, the seconds
// keeping their fraction; zero parts are left out ("0 seconds" for zero).
std::string FormatTimeDelta(double seconds, size_t maximum) {
  if (!std::isfinite(seconds)) return absl::StrCat(seconds);
  std::string sign = seconds < 0 ? "-" : "";
  double rest = std::fabs(seconds);
  std::vector<std::string> parts;
  for (size_t i = maximum; i < std::size(kDeltaUnits); ++i) {
    const DeltaUnit& unit = kDeltaUnits[i];
    const bool last = i + 1 == std::size(kDeltaUnits);
    const double count = last ? rest : std::floor(rest / unit.seconds);
    if (!last) rest -= count * unit.seconds;
    if (count == 0) continue;
    parts.push_back(absl::StrCat(sign, absl::StrFormat("%g", count), " ", unit.singular,
                                 count == 1 ? "" : "s"));
  }
  if (parts.empty()) return "0 seconds";
  std::string text = parts[0];
  for (size_t i = 1; i < parts.size(); ++i) {
    absl::StrAppend(&text, i + 1 == parts.size() ? " and " : ", ", parts[i]);
  }
  return text;
}

absl::StatusOr<ScalarBinding> BindFormatTimeDelta(absl::string_view name,
                                                  absl::Span<const ScalarArg> args) {
  if (args.empty() || args.size() > 2) return ArityError(name, args.size(), "1 or 2");
  if (!args[0].type.is_numeric()) return IllegalType(name, args[0].type, 1);
  size_t maximum = 0;
  if (args.size() == 2) {
    if (!args[1].type.is_string() || args[1].constant == nullptr) {
      return absl::InvalidArgumentError(absl::StrCat(
          "Argument 2 of function ", name, " (maximum unit) must be a constant String"));
    }
    const absl::string_view unit = args[1].constant->string_at(0);
    maximum = std::size(kDeltaUnits);
    for (size_t i = 0; i < std::size(kDeltaUnits); ++i) {
      if (unit == absl::StrCat(kDeltaUnits[i].singular, "s")) maximum = i;
    }
    if (maximum == std::size(kDeltaUnits)) {
      return absl::InvalidArgumentError(absl::StrCat(
          "Unexpected value of maximum unit argument (", unit, ") for function ", name,
          ", the only allowed values are: 'seconds', 'minutes', 'hours', 'days', 'months', "
          "'years'."));
    }
  }
  return ScalarBinding{DataType::Of(TypeId::kString),
                       [maximum](absl::Span<Vector> v, size_t rows, StringPool* pool, Vector* out) {
                         ResizeStrings(out, rows);
                         for (size_t row = 0; row < rows; ++row) {
                           out->strings[row] =
                               pool->Add(FormatTimeDelta(v[0].number_at(row), maximum));
                         }
                         return absl::OkStatus();
                       }};
}

ScalarBinder ConstantString(absl::string_view value) {
  return [value](absl::string_view name,
                 absl::Span<const ScalarArg> args) -> absl::StatusOr<ScalarBinding> {
    if (!args.empty()) return ArityError(name, args.size(), "0");
    return ScalarBinding{DataType::Of(TypeId::kString),
                         [value](absl::Span<Vector>, size_t rows, StringPool*, Vector* out) {
                           *out = Vector::ConstantString(value, rows);
                           return absl::OkStatus();
                         }};
  };
}

}  // namespace

void RegisterFormat(FunctionRegistry* registry) {
  registry->Add("formatReadableSize", [](absl::string_view n, absl::Span<const ScalarArg> a) {
    return BindFormatReadable(n, Readable::kSize, a);
  }, true);
  registry->Add("formatReadableDecimalSize",
                [](absl::string_view n, absl::Span<const ScalarArg> a) {
                  return BindFormatReadable(n, Readable::kDecimalSize, a);
                });
  registry->Add("formatReadableQuantity", [](absl::string_view n, absl::Span<const ScalarArg> a) {
    return BindFormatReadable(n, Readable::kQuantity, a);
  });
  registry->Add("formatReadableTimeDelta", BindFormatTimeDelta);
  registry->Add("version", ConstantString(kMuaVersion), true);
  registry->Add("currentDatabase", ConstantString("default"));
  registry->Add("DATABASE", ConstantString("default"), true);
}

}  // namespace mua::query_internal
