// formatDateTime(t, format[, zone]) with modern ClickHouse's MySQL-style codes
// (%M is the month name, %f prints the fraction: 3 digits for DateTime64(3),
// 000000 for types without one). The format is compiled once at bind time; an
// unknown code is an error there.
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "query/functions/time_functions.h"
#include "query/internal/function_registry.h"
#include "query/internal/kernel_util.h"
#include "query/internal/time_kernel_util.h"

namespace mua::query_internal {
namespace {

// The local fields one row's codes read.
struct Local {
  int32_t day;     // local day number
  int32_t second;  // of the day, 0..86399
  int32_t millis;
  int64_t offset;  // seconds east of UTC
  CivilDate civil;
};

constexpr const char* kMonthNames[] = {"January", "February", "March",     "April",
                                       "May",     "June",     "July",      "August",
                                       "September", "October", "November", "December"};
constexpr const char* kDayNames[] = {"Monday", "Tuesday",  "Wednesday", "Thursday",
                                     "Friday", "Saturday", "Sunday"};

void Two(int value, std::string* out) { absl::StrAppendFormat(out, "%02d", value); }

int Hour12(int hour) { return hour % 12 == 0 ? 12 : hour % 12; }

// Appends code `c`; false for a code ClickHouse does not know.
bool AppendCode(char c, const Local& t, bool fraction_type, std::string* out) {
  const int hour = t.second / 3600, minute = t.second / 60 % 60, second = t.second % 60;
  switch (c) {
    case 'a': out->append(kDayNames[DayOfWeek(t.day) - 1], 3); return true;
    case 'b': out->append(kMonthNames[t.civil.month - 1], 3); return true;
    case 'c': Two(t.civil.month, out); return true;
    case 'C': Two(static_cast<int>(FloorMod(t.civil.year / 100, 100)), out); return true;
    case 'd': Two(t.civil.day, out); return true;
    case 'D':
      absl::StrAppendFormat(out, "%02d/%02d/%02d", t.civil.month, t.civil.day,
                            static_cast<int>(FloorMod(t.civil.year, 100)));
      return true;
    case 'e': absl::StrAppendFormat(out, "%2d", t.civil.day); return true;
    case 'f':
      if (fraction_type) {
        absl::StrAppendFormat(out, "%03d", t.millis);
      } else {
        out->append("000000");
      }
      return true;
    case 'F':
      absl::StrAppendFormat(out, "%04d-%02d-%02d", t.civil.year, t.civil.month, t.civil.day);
      return true;
    case 'g': Two(static_cast<int>(FloorMod(ToIsoYear(t.day), 100)), out); return true;
    case 'G': absl::StrAppendFormat(out, "%04d", ToIsoYear(t.day)); return true;
    case 'h':
    case 'I':
    case 'l': Two(Hour12(hour), out); return true;
    case 'H':
    case 'k': Two(hour, out); return true;
    case 'i': Two(minute, out); return true;
    case 'j': absl::StrAppendFormat(out, "%03d", ToDayOfYear(t.day)); return true;
    case 'm': Two(t.civil.month, out); return true;
    case 'M': out->append(kMonthNames[t.civil.month - 1]); return true;
    case 'n': out->push_back('\n'); return true;
    case 'p': out->append(hour < 12 ? "AM" : "PM"); return true;
    case 'Q': absl::StrAppend(out, (t.civil.month + 2) / 3); return true;
    case 'r':
      absl::StrAppendFormat(out, "%02d:%02d %s", Hour12(hour), minute, hour < 12 ? "AM" : "PM");
      return true;
    case 'R': absl::StrAppendFormat(out, "%02d:%02d", hour, minute); return true;
    case 's':
    case 'S': Two(second, out); return true;
    case 't': out->push_back('\t'); return true;
    case 'T': absl::StrAppendFormat(out, "%02d:%02d:%02d", hour, minute, second); return true;
    case 'u': absl::StrAppend(out, DayOfWeek(t.day)); return true;
    case 'V': Two(ToIsoWeek(t.day), out); return true;
    case 'w': absl::StrAppend(out, DayOfWeek(t.day) % 7); return true;
    case 'W': out->append(kDayNames[DayOfWeek(t.day) - 1]); return true;
    case 'y': Two(static_cast<int>(FloorMod(t.civil.year, 100)), out); return true;
    case 'Y': absl::StrAppendFormat(out, "%04d", t.civil.year); return true;
    case 'z': {
      const int64_t minutes = (t.offset < 0 ? -t.offset : t.offset) / 60;
      absl::StrAppendFormat(out, "%c%02d%02d", t.offset < 0 ? '-' : '+', minutes / 60, minutes % 60);
      return true;
    }
    case '%': out->push_back('%'); return true;
    default: return false;
  }
}

// The format as literal runs and codes: a code is a piece of one char with `code` set.
struct Piece {
  bool code;
  std::string text;
};

absl::StatusOr<std::vector<Piece>> CompileFormat(absl::string_view name, absl::string_view format) {
  std::vector<Piece> pieces;
  const Local probe{0, 0, 0, 0, CivilDate{1970, 1, 1}};
  for (size_t i = 0; i < format.size(); ++i) {
    if (format[i] != '%') {
      if (pieces.empty() || pieces.back().code) pieces.push_back({false, ""});
      pieces.back().text.push_back(format[i]);
      continue;
    }
    if (i + 1 == format.size()) {
      return absl::InvalidArgumentError(
          absl::StrCat("Sign '%' is the last in format, if you need it, use '%%' (function ",
                       name, ")"));
    }
    const char c = format[++i];
    std::string scratch;
    if (!AppendCode(c, probe, false, &scratch)) {
      return absl::InvalidArgumentError(absl::StrCat("Incorrect syntax '%", std::string(1, c),
                                                     "', symbol is not supported '",
                                                     std::string(1, c), "' for function ", name));
    }
    pieces.push_back({true, std::string(1, c)});
  }
  return pieces;
}

}  // namespace

absl::StatusOr<ScalarBinding> BindFormatDateTime(absl::string_view name,
                                                 absl::Span<const ScalarArg> args) {
  if (args.size() != 2 && args.size() != 3) return ArityError(name, args.size(), "2 or 3");
  const DataType& type = args[0].type;
  // fromUnixTimestamp(n, format) formats an integer as a DateTime.
  if (!type.is_time() && !type.is_integer()) return IllegalType(name, type, 1);
  if (!args[1].type.is_string() || args[1].constant == nullptr) {
    return absl::InvalidArgumentError(
        absl::StrCat("Argument 2 of function ", name, " (format) must be a constant String"));
  }
  absl::StatusOr<std::vector<Piece>> pieces = CompileFormat(name, args[1].constant->string_at(0));
  if (!pieces.ok()) return pieces.status();
  absl::StatusOr<TimeZone> zone = OptionalZone(name, args, 2);
  if (!zone.ok()) return zone.status();
  const TypeId id = type.is_integer() ? TypeId::kDateTime : type.id;
  return ScalarBinding{
      DataType::Of(TypeId::kString),
      [id, pieces = *std::move(pieces), tz = *zone](absl::Span<Vector> v, size_t rows,
                                                    StringPool* pool, Vector* out) {
        ResizeStrings(out, rows);
        const bool fraction_type = id == TypeId::kDateTime64;
        for (size_t row = 0; row < rows; ++row) {
          const int64_t value = v[0].int_at(row);
          Local t{};
          if (id == TypeId::kDate) {
            t.day = static_cast<int32_t>(value);
          } else {
            const int64_t seconds = id == TypeId::kDateTime64 ? FloorDiv(value, 1000) : value;
            t.offset = tz.OffsetAt(seconds);
            const int64_t local = seconds + t.offset;
            t.day = static_cast<int32_t>(FloorDiv(local, kSecondsPerDay));
            t.second = static_cast<int32_t>(local - int64_t{t.day} * kSecondsPerDay);
            t.millis = id == TypeId::kDateTime64 ? static_cast<int32_t>(FloorMod(value, 1000)) : 0;
          }
          t.civil = CivilFromDays(t.day);
          std::string text;
          for (const Piece& piece : pieces) {
            if (piece.code) {
              AppendCode(piece.text[0], t, fraction_type, &text);
            } else {
              text.append(piece.text);
            }
          }
          out->strings[row] = pool->Add(std::move(text));
        }
        return absl::OkStatus();
      }};
}

}  // namespace mua::query_internal
