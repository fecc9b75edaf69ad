#include "ingest/internal/timestamp_parser.h"

namespace mua::ingest_internal {
namespace {

constexpr int64_t kMillisPerMinute = 60'000;

inline bool IsDigit(char c) { return static_cast<unsigned char>(c - '0') < 10; }

// Reads exactly `count` digits at text[*pos]; advances *pos.
inline bool Digits(absl::string_view text, size_t* pos, int count, int* value) {
  if (text.size() - *pos < static_cast<size_t>(count)) return false;
  int result = 0;
  for (int i = 0; i < count; ++i) {
    const char c = text[*pos + i];
    if (!IsDigit(c)) return false;
    result = result * 10 + (c - '0');
  }
  *pos += count;
  *value = result;
  return true;
}

inline bool Expect(absl::string_view text, size_t* pos, char c) {
  if (*pos >= text.size() || text[*pos] != c) return false;
  ++*pos;
  return true;
}

constexpr bool IsLeapYear(int year) {
  return year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
}

constexpr int DaysInMonth(int year, int month) {
  constexpr int kDays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return month == 2 && IsLeapYear(year) ? 29 : kDays[month - 1];
}

// Parses the zone designator at text[pos..] (possibly empty) into minutes east of UTC.
bool ParseZone(absl::string_view text, size_t pos, int* offset_minutes) {
  *offset_minutes = 0;
  if (pos == text.size()) return true;
  const char c = text[pos++];
  if (c == 'Z' || c == 'z') return pos == text.size();
  if (c != '+' && c != '-') return false;
  int hours = 0;
  int minutes = 0;
  if (!Digits(text, &pos, 2, &hours) || hours > 23) return false;
  if (pos < text.size()) {
    if (text[pos] == ':') ++pos;
    if (!Digits(text, &pos, 2, &minutes) || minutes > 59) return false;
  }
  if (pos != text.size()) return false;
  *offset_minutes = (c == '-' ? -1 : 1) * (hours * 60 + minutes);
  return true;
}

}  // namespace

bool TryParseIsoTimestamp(absl::string_view text, int64_t* millis) {
  size_t pos = 0;
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  if (!Digits(text, &pos, 4, &year) || !Expect(text, &pos, '-') ||
      !Digits(text, &pos, 2, &month) || !Expect(text, &pos, '-') ||
      !Digits(text, &pos, 2, &day)) {
    return false;
  }
  if (month < 1 || month > 12 || day < 1 || day > DaysInMonth(year, month)) return false;
  if (pos >= text.size() || (text[pos] != 'T' && text[pos] != 't' && text[pos] != ' ')) {
    return false;
  }
  ++pos;
  if (!Digits(text, &pos, 2, &hour) || !Expect(text, &pos, ':') ||
      !Digits(text, &pos, 2, &minute) || !Expect(text, &pos, ':') ||
      !Digits(text, &pos, 2, &second)) {
    return false;
  }
  if (hour > 23 || minute > 59 || second > 59) return false;
  int fraction_ms = 0;
  if (pos < text.size() && (text[pos] == '.' || text[pos] == ',')) {
    ++pos;
    int digits = 0;
    while (pos < text.size() && IsDigit(text[pos])) {
      if (digits < 3) fraction_ms = fraction_ms * 10 + (text[pos] - '0');
      ++digits;
      ++pos;
    }
    if (digits == 0 || digits > 9) return false;
    for (int i = digits; i < 3; ++i) fraction_ms *= 10;
  }
  int offset_minutes = 0;
  if (!ParseZone(text, pos, &offset_minutes)) return false;
  *millis = DaysFromCivil(year, month, day) * kMillisPerDay +
            ((hour * 60 + minute) * 60 + second) * int64_t{1000} + fraction_ms -
            offset_minutes * kMillisPerMinute;
  return true;
}

bool TryParseEpochMillis(absl::string_view text, int64_t* millis) {
  const bool negative = !text.empty() && text[0] == '-';
  if (negative) text.remove_prefix(1);
  if (text.empty() || text.size() > 18) return false;
  int64_t value = 0;
  for (char c : text) {
    if (!IsDigit(c)) return false;
    value = value * 10 + (c - '0');
  }
  *millis = negative ? -value : value;
  return true;
}

}  // namespace mua::ingest_internal
