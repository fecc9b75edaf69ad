#include "query/functions/time_functions.h"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <system_error>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "absl/time/civil_time.h"
#include "query/scalar_functions.h"
#include "storage/base/check.h"

namespace mua::query_internal {
namespace {

constexpr int64_t kMaxIntervalCount = (int64_t{1} << 31) - 1;

struct DaySecond {
  int32_t day;
  int32_t second;  // 0..86399
};
DaySecond SplitLocal(int64_t local_seconds) {
  const int64_t day = FloorDiv(local_seconds, kSecondsPerDay);
  return {static_cast<int32_t>(day), static_cast<int32_t>(local_seconds - day * kSecondsPerDay)};
}

int64_t MonthIndex(int32_t day) {  // months since 0000-01
  const CivilDate c = CivilFromDays(day);
  return int64_t{c.year} * 12 + c.month - 1;
}
int32_t FirstDayOfMonthIndex(int64_t index) {
  return DaysFromCivil(static_cast<int32_t>(FloorDiv(index, 12)),
                       static_cast<int32_t>(FloorMod(index, 12)) + 1, 1);
}
// ClickHouse's toRelativeWeekNum: weeks change on Mondays.
int64_t RelativeWeek(int32_t day) { return FloorDiv(int64_t{day} + 8 - DayOfWeek(day), 7); }

// Floor to a multiple of `divisor` seconds counted from the local day start;
// ClickHouse does this when the zone's offset is not a whole number of the unit.
int64_t FloorWithinDay(int64_t unix_seconds, int64_t divisor, const TimeZone& tz) {
  const int64_t start = ToStartOfDay(unix_seconds, tz);
  return start + FloorDiv(unix_seconds - start, divisor) * divisor;
}

// Seconds and minutes count from the epoch (ClickHouse's roundDown), unless the
// zone's offset is not a whole number of hours (seconds) or minutes (minutes).
int64_t StartOfSecondInterval(int64_t t, int64_t seconds, const TimeZone& tz) {
  const int64_t whole = seconds % 60 == 0 ? 60 : 3600;
  if (tz.is_utc() || tz.OffsetAt(t) % whole == 0) return FloorDiv(t, seconds) * seconds;
  return FloorWithinDay(t, seconds, tz);
}

int64_t StartOfHourInterval(int64_t t, int64_t hours, const TimeZone& tz) {
  if (hours == 1) return ToStartOfHour(t, tz);
  const DaySecond local = SplitLocal(tz.ToLocal(t));
  const int64_t rounded = local.second / (hours * 3600) * (hours * 3600);
  return tz.FromLocal(int64_t{local.day} * kSecondsPerDay + rounded, t);
}

// ---- Text parsing ----

struct ParsedTime {
  int32_t day = 0;
  int32_t second_of_day = 0;
  int32_t millis = 0;
  bool has_time = false;
  bool has_offset = false;
  int32_t offset_seconds = 0;
};

class Cursor {
 public:
  explicit Cursor(absl::string_view text) : text_(text) {}
  bool done() const { return pos_ == text_.size(); }
  bool Peek(char c) const { return pos_ < text_.size() && text_[pos_] == c; }
  bool Consume(char c) {
    if (!Peek(c)) return false;
    ++pos_;
    return true;
  }
  bool PeekDigit() const { return pos_ < text_.size() && absl::ascii_isdigit(text_[pos_]); }
  // Reads between min and max digits.
  bool Digits(int min, int max, int32_t* out) {
    int count = 0;
    int32_t value = 0;
    while (count < max && PeekDigit()) {
      value = value * 10 + (text_[pos_++] - '0');
      ++count;
    }
    *out = value;
    return count >= min;
  }
  // Fraction digits after the separator: the first three as milliseconds.
  void Millis(int32_t* out) {
    int count = 0;
    int32_t value = 0;
    while (PeekDigit()) {
      if (count < 3) value = value * 10 + (text_[pos_] - '0');
      ++pos_;
      ++count;
    }
    for (; count < 3; ++count) value *= 10;
    *out = value;
  }
  char Next() { return text_[pos_++]; }

 private:
  absl::string_view text_;
  size_t pos_ = 0;
};

bool ParseDatePart(Cursor& in, ParsedTime* out) {
  int32_t year, month, day;
  if (!in.Digits(4, 4, &year) || !in.Consume('-') || !in.Digits(1, 2, &month) || !in.Consume('-') ||
      !in.Digits(1, 2, &day)) {
    return false;
  }
  if (month < 1 || month > 12 || day < 1 || day > DaysInMonth(year, month)) return false;
  out->day = DaysFromCivil(year, month, day);
  return true;
}

bool ParseOffset(Cursor& in, ParsedTime* out) {
  while (in.Consume(' ')) {
  }
  if (in.done()) return true;
  if (in.Consume('Z') || in.Consume('z')) {
    out->has_offset = true;
    return true;
  }
  int sign = 0;
  if (in.Consume('+')) sign = 1;
  if (sign == 0 && in.Consume('-')) sign = -1;
  if (sign == 0) return false;
  int32_t hours, minutes = 0;
  if (!in.Digits(1, 2, &hours)) return false;
  const bool colon = in.Consume(':');
  if ((colon || in.PeekDigit()) && !in.Digits(2, 2, &minutes)) return false;
  if (hours > 14 || minutes > 59) return false;
  out->has_offset = true;
  out->offset_seconds = sign * (hours * 3600 + minutes * 60);
  return true;
}

bool ParseTimePart(Cursor& in, ParsedTime* out) {
  int32_t hour, minute, second = 0;
  if (!in.Digits(1, 2, &hour) || !in.Consume(':') || !in.Digits(2, 2, &minute)) return false;
  if (in.Consume(':') && !in.Digits(2, 2, &second)) return false;
  if (hour > 23 || minute > 59 || second > 59) return false;
  if (in.Consume('.') || in.Consume(',')) in.Millis(&out->millis);
  out->has_time = true;
  out->second_of_day = hour * 3600 + minute * 60 + second;
  return ParseOffset(in, out);
}

bool ParseText(absl::string_view text, ParsedTime* out) {
  Cursor in(absl::StripAsciiWhitespace(text));
  if (!ParseDatePart(in, out)) return false;
  if (in.done()) return true;
  if (!in.Consume(' ') && !in.Consume('T') && !in.Consume('t')) return false;
  return ParseTimePart(in, out) && in.done();
}

int64_t ParsedToUnixSeconds(const ParsedTime& p, const TimeZone& tz) {
  const int64_t local = int64_t{p.day} * kSecondsPerDay + p.second_of_day;
  return p.has_offset ? local - p.offset_seconds : tz.FromLocal(local);
}

std::string FormatLocal(int64_t local_seconds) {
  const DaySecond split = SplitLocal(local_seconds);
  const CivilDate c = CivilFromDays(split.day);
  return absl::StrFormat("%04d-%02d-%02d %02d:%02d:%02d", c.year, c.month, c.day,
                         split.second / 3600, split.second / 60 % 60, split.second % 60);
}

}  // namespace

// ---- TimeZone ----

namespace {

// The name as error messages show it: names come from requests, so cut and escaped.
std::string QuotedZone(absl::string_view name) {
  const bool cut = name.size() > kMaxTimeZoneNameBytes;
  return absl::StrCat("'", absl::CHexEscape(name.substr(0, kMaxTimeZoneNameBytes)),
                      cut ? "...'" : "'");
}

absl::Status UnknownZone(absl::string_view name) {
  return absl::InvalidArgumentError(absl::StrCat("Unknown time zone ", QuotedZone(name)));
}

// Where absl (cctz) reads the zone `name` from: $TZDIR, else /usr/share/zoneinfo.
std::string ZoneFilePath(absl::string_view name) {
  const char* dir = std::getenv("TZDIR");
  return absl::StrCat(dir != nullptr && *dir != '\0' ? dir : "/usr/share/zoneinfo", "/", name);
}

}  // namespace

absl::Status ValidateTimeZoneName(absl::string_view name) {
  const auto invalid = [name](absl::string_view why) {
    return absl::InvalidArgumentError(
        absl::StrCat("Invalid time zone name ", QuotedZone(name), ": ", why));
  };
  if (name.empty()) return invalid("empty");
  if (name.size() > kMaxTimeZoneNameBytes) {
    return invalid(absl::StrCat("longer than ", kMaxTimeZoneNameBytes, " bytes"));
  }
  for (absl::string_view component : absl::StrSplit(name, '/')) {
    if (component.empty()) return invalid("empty component (leading, trailing or doubled '/')");
    for (const char c : component) {
      if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '+' && c != '-') {
        // '.' included: no "." or ".." component can climb out of the zone database.
        return invalid("an IANA name has only letters, digits, '_', '+', '-' and '/'");
      }
    }
  }
  return absl::OkStatus();
}

TimeZone::TimeZone(absl::TimeZone zone) : zone_(zone) {}

absl::StatusOr<TimeZone> TimeZone::Load(absl::string_view name) {
  if (IsUtcName(name)) return TimeZone();
  if (absl::Status valid = ValidateTimeZoneName(name); !valid.ok()) return valid;
  // absl::LoadTimeZone caches every name it is asked for, failures included, so only names
  // with a file in the database reach it: the cache stays bounded by the database's size.
  std::error_code error;
  if (!std::filesystem::is_regular_file(ZoneFilePath(name), error)) return UnknownZone(name);
  absl::TimeZone zone;
  if (!absl::LoadTimeZone(std::string(name), &zone)) return UnknownZone(name);
  return TimeZone(zone);
}

absl::StatusOr<TimeZone> LoadTimeZoneArgument(absl::string_view function, int position,
                                              const ScalarArg& arg) {
  if (!arg.type.is_string() || arg.constant == nullptr) {
    return absl::InvalidArgumentError(absl::StrCat("Argument ", position, " of function ", function,
                                                   " (time zone) must be a constant String"));
  }
  return TimeZone::Load(arg.constant->string_at(0));
}

int64_t TimeZone::ZoneOffsetAt(int64_t unix_seconds) const {
  return zone_->At(absl::FromUnixSeconds(unix_seconds)).offset;
}

int64_t TimeZone::FromLocal(int64_t local_seconds, int64_t not_after) const {
  if (!zone_) return local_seconds;
  const DaySecond split = SplitLocal(local_seconds);
  const CivilDate c = CivilFromDays(split.day);
  const absl::TimeZone::TimeInfo info = zone_->At(absl::CivilSecond(
      c.year, c.month, c.day, split.second / 3600, split.second / 60 % 60, split.second % 60));
  switch (info.kind) {
    case absl::TimeZone::TimeInfo::SKIPPED:
      return absl::ToUnixSeconds(info.trans);
    case absl::TimeZone::TimeInfo::REPEATED: {
      const int64_t later = absl::ToUnixSeconds(info.post);
      return later <= not_after ? later : absl::ToUnixSeconds(info.pre);
    }
    case absl::TimeZone::TimeInfo::UNIQUE:
      break;
  }
  return absl::ToUnixSeconds(info.pre);
}

// ---- Components ----

int64_t DayStart(int32_t day, const TimeZone& tz) {
  return tz.FromLocal(int64_t{day} * kSecondsPerDay);
}

int32_t ToHour(int64_t unix_seconds, const TimeZone& tz) {
  return static_cast<int32_t>(FloorMod(tz.ToLocal(unix_seconds), kSecondsPerDay) / 3600);
}
int32_t ToMinute(int64_t unix_seconds, const TimeZone& tz) {
  return static_cast<int32_t>(FloorMod(tz.ToLocal(unix_seconds), 3600) / 60);
}
int32_t ToSecond(int64_t unix_seconds, const TimeZone& tz) {
  return static_cast<int32_t>(FloorMod(tz.ToLocal(unix_seconds), 60));
}

int32_t ToDayOfYear(int32_t day) { return day - DaysFromCivil(ToYear(day), 1, 1) + 1; }

uint32_t ToYYYYMMDD(int32_t day) {
  const CivilDate c = CivilFromDays(day);
  return static_cast<uint32_t>(c.year * 10000 + c.month * 100 + c.day);
}
uint32_t ToYYYYMM(int32_t day) {
  const CivilDate c = CivilFromDays(day);
  return static_cast<uint32_t>(c.year * 100 + c.month);
}

// ---- Rounding ----

int64_t ToStartOfMinute(int64_t unix_seconds, const TimeZone& tz) {
  return unix_seconds - FloorMod(tz.ToLocal(unix_seconds), 60);
}
int64_t ToStartOfHour(int64_t unix_seconds, const TimeZone& tz) {
  return unix_seconds - FloorMod(tz.ToLocal(unix_seconds), 3600);
}

int32_t ToStartOfWeek(int32_t day, int mode) {
  if ((mode & 1) != 0) return ToMonday(day);
  return day - DayOfWeek(day) % 7;  // Sunday
}
int32_t ToStartOfMonth(int32_t day) { return day - (CivilFromDays(day).day - 1); }
int32_t ToStartOfQuarter(int32_t day) {
  const CivilDate c = CivilFromDays(day);
  return DaysFromCivil(c.year, (c.month - 1) / 3 * 3 + 1, 1);
}
int32_t ToStartOfYear(int32_t day) { return DaysFromCivil(ToYear(day), 1, 1); }

absl::Status ValidateWeekMode(int64_t mode) {
  if (mode < 0 || mode > 9) {
    return absl::InvalidArgumentError(
        absl::StrCat("week mode must be between 0 and 9, got ", mode));
  }
  return absl::OkStatus();
}

absl::StatusOr<IntervalUnit> ParseIntervalUnit(absl::string_view name) {
  struct Alias {
    absl::string_view name;
    IntervalUnit unit;
  };
  static constexpr Alias kAliases[] = {
      {"second", IntervalUnit::kSecond},   {"seconds", IntervalUnit::kSecond},
      {"ss", IntervalUnit::kSecond},       {"s", IntervalUnit::kSecond},
      {"minute", IntervalUnit::kMinute},   {"minutes", IntervalUnit::kMinute},
      {"mi", IntervalUnit::kMinute},       {"n", IntervalUnit::kMinute},
      {"hour", IntervalUnit::kHour},       {"hours", IntervalUnit::kHour},
      {"hh", IntervalUnit::kHour},         {"h", IntervalUnit::kHour},
      {"day", IntervalUnit::kDay},         {"days", IntervalUnit::kDay},
      {"dd", IntervalUnit::kDay},          {"d", IntervalUnit::kDay},
      {"week", IntervalUnit::kWeek},       {"weeks", IntervalUnit::kWeek},
      {"wk", IntervalUnit::kWeek},         {"ww", IntervalUnit::kWeek},
      {"month", IntervalUnit::kMonth},     {"months", IntervalUnit::kMonth},
      {"mm", IntervalUnit::kMonth},        {"m", IntervalUnit::kMonth},
      {"quarter", IntervalUnit::kQuarter}, {"quarters", IntervalUnit::kQuarter},
      {"qq", IntervalUnit::kQuarter},      {"q", IntervalUnit::kQuarter},
      {"year", IntervalUnit::kYear},       {"years", IntervalUnit::kYear},
      {"yyyy", IntervalUnit::kYear},       {"yy", IntervalUnit::kYear},
      {"millisecond", IntervalUnit::kMillisecond}, {"milliseconds", IntervalUnit::kMillisecond},
      {"ms", IntervalUnit::kMillisecond},  {"microsecond", IntervalUnit::kMicrosecond},
      {"microseconds", IntervalUnit::kMicrosecond}, {"us", IntervalUnit::kMicrosecond},
      {"u", IntervalUnit::kMicrosecond},   {"nanosecond", IntervalUnit::kNanosecond},
      {"nanoseconds", IntervalUnit::kNanosecond}, {"ns", IntervalUnit::kNanosecond},
  };
  for (const Alias& alias : kAliases) {
    if (absl::EqualsIgnoreCase(alias.name, name)) return alias.unit;
  }
  return absl::InvalidArgumentError(absl::StrCat("Unknown interval unit '", name, "'"));
}

absl::string_view IntervalUnitName(IntervalUnit unit) {
  switch (unit) {
    case IntervalUnit::kSecond:
      return "second";
    case IntervalUnit::kMinute:
      return "minute";
    case IntervalUnit::kHour:
      return "hour";
    case IntervalUnit::kDay:
      return "day";
    case IntervalUnit::kWeek:
      return "week";
    case IntervalUnit::kMonth:
      return "month";
    case IntervalUnit::kQuarter:
      return "quarter";
    case IntervalUnit::kYear:
      return "year";
    case IntervalUnit::kMillisecond:
      return "millisecond";
    case IntervalUnit::kMicrosecond:
      return "microsecond";
    case IntervalUnit::kNanosecond:
      return "nanosecond";
  }
  return "?";
}

absl::Status ValidateStartOfInterval(Interval interval, bool argument_is_date) {
  if (interval.count <= 0 || interval.count > kMaxIntervalCount) {
    return absl::InvalidArgumentError(
        absl::StrCat("Value for the interval of function toStartOfInterval must be between 1 "
                     "and 2147483647, got ",
                     interval.count));
  }
  if (argument_is_date && !IsCalendarUnit(interval.unit)) {
    return absl::InvalidArgumentError(
        absl::StrCat("Illegal interval ", IntervalUnitName(interval.unit),
                     " for a Date argument of function toStartOfInterval: use a DateTime"));
  }
  return absl::OkStatus();
}

int64_t ToStartOfInterval(int64_t unix_seconds, Interval interval, const TimeZone& tz) {
  const int64_t n = interval.count;
  switch (interval.unit) {
    case IntervalUnit::kSecond:
      if (n == 1) return unix_seconds;
      return StartOfSecondInterval(unix_seconds, n, tz);
    case IntervalUnit::kMinute:
      return StartOfSecondInterval(unix_seconds, n * 60, tz);
    case IntervalUnit::kHour:
      return StartOfHourInterval(unix_seconds, n, tz);
    case IntervalUnit::kDay:
      return DayStart(static_cast<int32_t>(FloorDiv(ToDayNum(unix_seconds, tz), n) * n), tz);
    case IntervalUnit::kMillisecond:
    case IntervalUnit::kMicrosecond:
    case IntervalUnit::kNanosecond:
      return unix_seconds;  // a whole second is on every sub-second boundary
    case IntervalUnit::kWeek:
    case IntervalUnit::kMonth:
    case IntervalUnit::kQuarter:
    case IntervalUnit::kYear:
      break;
  }
  return ToStartOfIntervalDate(ToDayNum(unix_seconds, tz), interval);
}

int32_t ToStartOfIntervalDate(int32_t day, Interval interval) {
  const int64_t n = interval.count;
  switch (interval.unit) {
    case IntervalUnit::kDay:
      return static_cast<int32_t>(FloorDiv(day, n) * n);
    case IntervalUnit::kWeek:
      if (n == 1) return ToMonday(day);
      return static_cast<int32_t>(4 + FloorDiv(int64_t{day} - 4, 7 * n) * 7 * n);
    case IntervalUnit::kQuarter:
      if (n == 1) return ToStartOfQuarter(day);
      return ToStartOfIntervalDate(day, {IntervalUnit::kMonth, 3 * n});
    case IntervalUnit::kMonth: {
      if (n == 1) return ToStartOfMonth(day);
      const int64_t since_1900 = MonthIndex(day) - 1900 * 12;
      return FirstDayOfMonthIndex(1900 * 12 + FloorDiv(since_1900, n) * n);
    }
    case IntervalUnit::kYear: {
      const int32_t year = ToYear(day);
      int64_t start = FloorDiv(year, n) * n;
      if (start < 1900 && year >= 1900) start = 1900;  // ClickHouse clamps to its first year
      return DaysFromCivil(static_cast<int32_t>(start), 1, 1);
    }
    case IntervalUnit::kSecond:
    case IntervalUnit::kMinute:
    case IntervalUnit::kHour:
    case IntervalUnit::kMillisecond:
    case IntervalUnit::kMicrosecond:
    case IntervalUnit::kNanosecond:
      break;
  }
  MUA_DCHECK(false, "toStartOfInterval on a Date needs a unit of at least a day");
  return day;
}

// ---- dateDiff ----

int64_t DateDiff(IntervalUnit unit, int64_t a_seconds, int64_t b_seconds, const TimeZone& tz) {
  switch (unit) {
    case IntervalUnit::kSecond:
      return b_seconds - a_seconds;
    case IntervalUnit::kMinute:
      return FloorDiv(b_seconds, 60) - FloorDiv(a_seconds, 60);
    case IntervalUnit::kHour: {
      // ClickHouse counts hours from the zone's local epoch (toStableRelativeHourNum).
      const int64_t epoch_offset = tz.OffsetAt(0);
      return FloorDiv(b_seconds + epoch_offset, 3600) - FloorDiv(a_seconds + epoch_offset, 3600);
    }
    case IntervalUnit::kMillisecond:
    case IntervalUnit::kMicrosecond:
    case IntervalUnit::kNanosecond:
      return DateDiffMillis(unit, a_seconds * 1000, b_seconds * 1000, tz);
    default:
      return DateDiffDates(unit, ToDayNum(a_seconds, tz), ToDayNum(b_seconds, tz));
  }
}

int64_t DateDiffMillis(IntervalUnit unit, int64_t a_millis, int64_t b_millis, const TimeZone& tz) {
  const int64_t millis = b_millis - a_millis;
  switch (unit) {
    case IntervalUnit::kMillisecond:
      return millis;
    case IntervalUnit::kMicrosecond:
      return millis * 1000;
    case IntervalUnit::kNanosecond:
      return millis * 1'000'000;
    default:
      return DateDiff(unit, FloorDiv(a_millis, 1000), FloorDiv(b_millis, 1000), tz);
  }
}

int64_t DateDiffDates(IntervalUnit unit, int32_t a_day, int32_t b_day) {
  const int64_t days = int64_t{b_day} - a_day;
  switch (unit) {
    case IntervalUnit::kSecond:
      return days * kSecondsPerDay;
    case IntervalUnit::kMinute:
      return days * 1440;
    case IntervalUnit::kHour:
      return days * 24;
    case IntervalUnit::kDay:
      return days;
    case IntervalUnit::kWeek:
      return RelativeWeek(b_day) - RelativeWeek(a_day);
    case IntervalUnit::kMonth:
      return MonthIndex(b_day) - MonthIndex(a_day);
    case IntervalUnit::kQuarter:
      return FloorDiv(MonthIndex(b_day), 3) - FloorDiv(MonthIndex(a_day), 3);
    case IntervalUnit::kYear:
      return int64_t{ToYear(b_day)} - ToYear(a_day);
    case IntervalUnit::kMillisecond:
      return days * kMillisPerDay;
    case IntervalUnit::kMicrosecond:
      return days * kMillisPerDay * 1000;
    case IntervalUnit::kNanosecond:
      return days * kMillisPerDay * 1'000'000;
  }
  return 0;
}

// ---- Interval arithmetic ----

int32_t AddMonths(int32_t day, int64_t months) {
  const CivilDate c = CivilFromDays(day);
  const int64_t index = int64_t{c.year} * 12 + c.month - 1 + months;
  const int32_t year = static_cast<int32_t>(FloorDiv(index, 12));
  const int32_t month = static_cast<int32_t>(FloorMod(index, 12)) + 1;
  return DaysFromCivil(year, month, std::min(c.day, DaysInMonth(year, month)));
}

int32_t AddIntervalToDate(int32_t day, Interval interval) {
  switch (interval.unit) {
    case IntervalUnit::kDay:
      return static_cast<int32_t>(day + interval.count);
    case IntervalUnit::kWeek:
      return static_cast<int32_t>(day + 7 * interval.count);
    case IntervalUnit::kMonth:
      return AddMonths(day, interval.count);
    case IntervalUnit::kQuarter:
      return AddMonths(day, 3 * interval.count);
    case IntervalUnit::kYear:
      return AddMonths(day, 12 * interval.count);
    case IntervalUnit::kSecond:
    case IntervalUnit::kMinute:
    case IntervalUnit::kHour:
    case IntervalUnit::kMillisecond:
    case IntervalUnit::kMicrosecond:
    case IntervalUnit::kNanosecond:
      break;
  }
  MUA_DCHECK(false, "Date + INTERVAL needs a unit of at least a day");
  return day;
}

int64_t AddInterval(int64_t unix_seconds, Interval interval, const TimeZone& tz) {
  switch (interval.unit) {
    case IntervalUnit::kSecond:
      return unix_seconds + interval.count;
    case IntervalUnit::kMinute:
      return unix_seconds + 60 * interval.count;
    case IntervalUnit::kHour:
      return unix_seconds + 3600 * interval.count;
    case IntervalUnit::kMillisecond:  // whole seconds only: DateTime64 adds these itself
      return unix_seconds + interval.count / 1000;
    case IntervalUnit::kMicrosecond:
      return unix_seconds + interval.count / 1'000'000;
    case IntervalUnit::kNanosecond:
      return unix_seconds + interval.count / 1'000'000'000;
    default:
      break;
  }
  const DaySecond local = SplitLocal(tz.ToLocal(unix_seconds));
  const int32_t day = AddIntervalToDate(local.day, interval);
  return tz.FromLocal(int64_t{day} * kSecondsPerDay + local.second);
}

// ---- Text ----

std::string FormatDate(int32_t day) {
  const CivilDate c = CivilFromDays(day);
  return absl::StrFormat("%04d-%02d-%02d", c.year, c.month, c.day);
}

std::string FormatDateTime(int64_t unix_seconds, const TimeZone& tz) {
  return FormatLocal(tz.ToLocal(unix_seconds));
}

std::string FormatDateTime64(int64_t unix_millis, const TimeZone& tz) {
  return absl::StrFormat("%s.%03d", FormatDateTime(FloorDiv(unix_millis, 1000), tz),
                         FloorMod(unix_millis, 1000));
}

bool TryParseDateTime64(absl::string_view text, const TimeZone& tz, int64_t* unix_millis) {
  ParsedTime parsed;
  if (!ParseText(text, &parsed)) return false;
  *unix_millis = ParsedToUnixSeconds(parsed, tz) * 1000 + parsed.millis;
  return true;
}

bool TryParseDateTime(absl::string_view text, const TimeZone& tz, int64_t* unix_seconds) {
  ParsedTime parsed;
  if (!ParseText(text, &parsed)) return false;
  *unix_seconds = ParsedToUnixSeconds(parsed, tz);
  return true;
}

bool TryParseDate(absl::string_view text, const TimeZone& tz, int32_t* day) {
  ParsedTime parsed;
  if (!ParseText(text, &parsed)) return false;
  *day = parsed.has_time ? ToDayNum(ParsedToUnixSeconds(parsed, tz), tz) : parsed.day;
  return true;
}

}  // namespace mua::query_internal
