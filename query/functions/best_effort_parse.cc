// parseDateTimeBestEffort's text reader: ISO 8601 and its loose variants,
// RFC 1123 ("Sun, 21 Oct 2018 05:06:07 GMT"), month names, DD/MM/YYYY,
// YYYYMMDD[hhmmss], Unix timestamps of 9-10 digits, AM/PM and UTC offsets.
#include <cstdint>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "query/functions/time_functions.h"

namespace mua::query_internal {
namespace {

struct Fields {
  int32_t year = -1, month = -1, day = -1;
  int32_t hour = 0, minute = 0, second = 0, millis = 0;
  bool has_time = false;
  bool has_offset = false;
  int32_t offset_seconds = 0;
  int am_pm = 0;  // 1 = AM, 2 = PM
};

class Reader {
 public:
  explicit Reader(absl::string_view text) : text_(text) {}
  bool done() const { return pos_ >= text_.size(); }
  char peek(size_t ahead = 0) const {
    return pos_ + ahead < text_.size() ? text_[pos_ + ahead] : '\0';
  }
  void skip(size_t n = 1) { pos_ += n; }
  size_t DigitRun() const {
    size_t n = 0;
    while (absl::ascii_isdigit(static_cast<unsigned char>(peek(n)))) ++n;
    return n;
  }
  size_t AlphaRun() const {
    size_t n = 0;
    while (absl::ascii_isalpha(static_cast<unsigned char>(peek(n)))) ++n;
    return n;
  }
  // Reads `n` digits (REQUIRES: they are digits, n <= 9).
  int32_t Number(size_t n) {
    int32_t value = 0;
    for (size_t i = 0; i < n; ++i) value = value * 10 + (text_[pos_++] - '0');
    return value;
  }
  absl::string_view Take(size_t n) {
    absl::string_view word = text_.substr(pos_, n);
    pos_ += n;
    return word;
  }

 private:
  absl::string_view text_;
  size_t pos_ = 0;
};

int MonthOfName(absl::string_view word) {
  static constexpr const char* kMonths[] = {"january", "february", "march",     "april",
                                            "may",     "june",     "july",      "august",
                                            "september", "october", "november", "december"};
  if (word.size() < 3) return 0;
  for (int i = 0; i < 12; ++i) {
    const absl::string_view name = kMonths[i];
    if (word.size() <= name.size() && absl::EqualsIgnoreCase(name.substr(0, word.size()), word) &&
        (word.size() == 3 || word.size() == name.size() || (i == 8 && word.size() == 4))) {
      return i + 1;
    }
  }
  return 0;
}

bool IsWeekdayName(absl::string_view word) {
  static constexpr const char* kDays[] = {"monday", "tuesday",  "wednesday", "thursday",
                                          "friday", "saturday", "sunday"};
  if (word.size() < 3) return false;
  for (absl::string_view name : kDays) {
    if ((word.size() == 3 || word.size() == name.size()) && word.size() <= name.size() &&
        absl::EqualsIgnoreCase(name.substr(0, word.size()), word)) {
      return true;
    }
  }
  return false;
}

// hh:mm[:ss[.fff]] after the hour digits were seen (`hour` already read).
bool ReadClock(Reader& in, int32_t hour, Fields* out) {
  out->has_time = true;
  out->hour = hour;
  in.skip();  // ':'
  if (in.DigitRun() != 2 && in.DigitRun() != 1) return false;
  out->minute = in.Number(in.DigitRun());
  if (in.peek() == ':') {
    in.skip();
    const size_t n = in.DigitRun();
    if (n != 1 && n != 2) return false;
    out->second = in.Number(n);
    if (in.peek() == '.' || in.peek() == ',') {
      in.skip();
      const size_t digits = in.DigitRun();
      if (digits == 0) return false;
      int32_t millis = 0;
      for (size_t i = 0; i < digits; ++i) {
        const int32_t d = in.Number(1);
        if (i < 3) millis = millis * 10 + d;
      }
      for (size_t i = digits; i < 3; ++i) millis *= 10;
      out->millis = millis;
    }
  }
  return true;
}

// +hh, +hhmm, +hh:mm after a time.
bool ReadOffset(Reader& in, Fields* out) {
  const int sign = in.peek() == '-' ? -1 : 1;
  in.skip();
  const size_t n = in.DigitRun();
  int32_t hours = 0, minutes = 0;
  if (n == 4) {
    hours = in.Number(2);
    minutes = in.Number(2);
  } else if (n == 1 || n == 2) {
    hours = in.Number(n);
    if (in.peek() == ':') {
      in.skip();
      if (in.DigitRun() != 2) return false;
      minutes = in.Number(2);
    }
  } else {
    return false;
  }
  if (hours > 14 || minutes > 59) return false;
  out->has_offset = true;
  out->offset_seconds = sign * (hours * 3600 + minutes * 60);
  return true;
}

// A run of digits at the start of a token: a year, a date, a day, an hour or a compact form.
bool ReadNumber(Reader& in, Fields* out) {
  const size_t n = in.DigitRun();
  const char after = in.peek(n);
  if (n == 4 && out->year < 0) {  // YYYY[-MM[-DD]] (also / and . separators)
    out->year = in.Number(4);
    if (after == '-' || after == '/' || after == '.') {
      in.skip();
      const size_t m = in.DigitRun();
      if (m != 1 && m != 2) return false;
      out->month = in.Number(m);
      if (in.peek() == after) {
        in.skip();
        const size_t d = in.DigitRun();
        if (d != 1 && d != 2) return false;
        out->day = in.Number(d);
      }
    }
    return true;
  }
  if (n == 8 && out->year < 0) {  // YYYYMMDD
    out->year = in.Number(4);
    out->month = in.Number(2);
    out->day = in.Number(2);
    return true;
  }
  if (n == 6 && out->year >= 0 && !out->has_time) {  // hhmmss after a date
    out->has_time = true;
    out->hour = in.Number(2);
    out->minute = in.Number(2);
    out->second = in.Number(2);
    return true;
  }
  if (n == 6 && out->year < 0) {  // YYYYMM
    out->year = in.Number(4);
    out->month = in.Number(2);
    return true;
  }
  if (n <= 2 && after == ':' && !out->has_time) return ReadClock(in, in.Number(n), out);
  if (n <= 2 && (after == '/' || after == '-' || after == '.') && out->year < 0) {
    out->day = in.Number(n);  // DD/MM/YYYY or DD-MM-YY
    in.skip();
    const size_t m = in.DigitRun();
    if (m != 1 && m != 2) return false;
    out->month = in.Number(m);
    if (in.peek() != after) return false;
    in.skip();
    const size_t y = in.DigitRun();
    if (y == 4) {
      out->year = in.Number(4);
    } else if (y == 2) {
      const int32_t yy = in.Number(2);
      out->year = yy < 70 ? 2000 + yy : 1900 + yy;
    } else {
      return false;
    }
    return true;
  }
  if (n <= 2 && out->day < 0) {  // "21 Oct 2018", "Oct 21 2018"
    out->day = in.Number(n);
    return true;
  }
  return false;
}

bool ReadWord(Reader& in, Fields* out) {
  const absl::string_view word = in.Take(in.AlphaRun());
  if (word.size() == 1 && (word[0] == 'T' || word[0] == 't')) return true;
  if (absl::EqualsIgnoreCase(word, "Z") || absl::EqualsIgnoreCase(word, "UTC") ||
      absl::EqualsIgnoreCase(word, "GMT")) {
    out->has_offset = true;
    out->offset_seconds = 0;
    return true;
  }
  if (absl::EqualsIgnoreCase(word, "AM")) return out->am_pm = 1, true;
  if (absl::EqualsIgnoreCase(word, "PM")) return out->am_pm = 2, true;
  if (IsWeekdayName(word)) return true;
  if (const int month = MonthOfName(word); month > 0 && out->month < 0) {
    out->month = month;
    return true;
  }
  return false;
}

bool ReadFields(absl::string_view text, Fields* out) {
  text = absl::StripAsciiWhitespace(text);
  if (text.empty()) return false;
  Reader in(text);
  // A bare Unix timestamp.
  if (const size_t n = in.DigitRun(); n == text.size() && (n == 9 || n == 10)) {
    int64_t seconds = 0;
    for (char c : text) seconds = seconds * 10 + (c - '0');
    const int32_t day = static_cast<int32_t>(FloorDiv(seconds, kSecondsPerDay));
    const CivilDate c = CivilFromDays(day);
    const int64_t second_of_day = seconds - int64_t{day} * kSecondsPerDay;
    *out = Fields{c.year, c.month, c.day, static_cast<int32_t>(second_of_day / 3600),
                  static_cast<int32_t>(second_of_day / 60 % 60), static_cast<int32_t>(second_of_day % 60),
                  0, true, true, 0, 0};
    return true;
  }
  if (const size_t n = in.DigitRun(); n == text.size() && (n == 12 || n == 14)) {
    out->year = in.Number(4);
    out->month = in.Number(2);
    out->day = in.Number(2);
    out->hour = in.Number(2);
    out->minute = in.Number(2);
    if (n == 14) out->second = in.Number(2);
    out->has_time = true;
    return true;
  }
  while (!in.done()) {
    const char c = in.peek();
    if (c == ' ' || c == ',' || c == '\t') {
      in.skip();
    } else if (absl::ascii_isdigit(static_cast<unsigned char>(c))) {
      if (!ReadNumber(in, out)) return false;
    } else if (absl::ascii_isalpha(static_cast<unsigned char>(c))) {
      if (!ReadWord(in, out)) return false;
    } else if ((c == '+' || c == '-') && out->has_time && !out->has_offset) {
      if (!ReadOffset(in, out)) return false;
    } else {
      return false;
    }
  }
  if (out->year < 0) return false;
  if (out->month < 0) out->month = 1;
  if (out->day < 0) out->day = 1;
  if (out->am_pm != 0) {
    if (out->hour < 1 || out->hour > 12) return false;
    out->hour = out->hour % 12 + (out->am_pm == 2 ? 12 : 0);
  }
  return out->month >= 1 && out->month <= 12 && out->day >= 1 &&
         out->day <= DaysInMonth(out->year, out->month) && out->hour < 24 && out->minute < 60 &&
         out->second < 61;
}

}  // namespace

bool ParseDateTimeBestEffort(absl::string_view text, const TimeZone& tz, int64_t* unix_millis) {
  Fields fields;
  if (!ReadFields(text, &fields)) return false;
  const int64_t local = int64_t{DaysFromCivil(fields.year, fields.month, fields.day)} *
                            kSecondsPerDay +
                        fields.hour * 3600 + fields.minute * 60 + std::min(fields.second, 59);
  const int64_t seconds = fields.has_offset ? local - fields.offset_seconds : tz.FromLocal(local);
  *unix_millis = seconds * 1000 + fields.millis;
  return true;
}

}  // namespace mua::query_internal
