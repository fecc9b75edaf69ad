#include "query/internal/value_writer.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstring>
#include <limits>
#include <vector>

#include "query/functions/time_functions.h"
#include "storage/base/calendar.h"

namespace mua::query_internal {
namespace {

void AppendTwoDigits(int value, char* dst) {
  dst[0] = static_cast<char>('0' + value / 10);
  dst[1] = static_cast<char>('0' + value % 10);
}

// Writes "YYYY-MM-DD" for `days` since 1970-01-01 and returns the end of the text.
// Day numbers beyond the calendar's int32 range (only absurd values reach them)
// print as its ends.
char* WriteDate(int64_t days, char* dst) {
  const CivilDate civil = CivilFromDays(static_cast<int32_t>(
      std::clamp<int64_t>(days, std::numeric_limits<int32_t>::min(),
                          std::numeric_limits<int32_t>::max())));
  const int64_t year = civil.year;
  const int month = civil.month;
  const int day = civil.day;
  if (year >= 0 && year <= 9999) {
    AppendTwoDigits(static_cast<int>(year / 100), dst);
    AppendTwoDigits(static_cast<int>(year % 100), dst + 2);
    dst += 4;
  } else {
    dst = std::to_chars(dst, dst + 24, year).ptr;
  }
  *dst++ = '-';
  AppendTwoDigits(month, dst);
  dst[2] = '-';
  AppendTwoDigits(day, dst + 3);
  return dst + 5;
}

// Writes "YYYY-MM-DD hh:mm:ss" of wall-clock seconds and returns the end of the text.
char* WriteDateTime(int64_t seconds, char* dst) {
  int64_t days = FloorDiv(seconds, kSecondsPerDay);
  int second_of_day = static_cast<int>(seconds - days * kSecondsPerDay);
  dst = WriteDate(days, dst);
  *dst++ = ' ';
  AppendTwoDigits(second_of_day / 3600, dst);
  dst[2] = ':';
  AppendTwoDigits(second_of_day / 60 % 60, dst + 3);
  dst[5] = ':';
  AppendTwoDigits(second_of_day % 60, dst + 6);
  return dst + 8;
}

// Wall-clock seconds of an instant in the interned zone `time_zone`.
int64_t LocalSeconds(int64_t unix_seconds, uint16_t time_zone) {
  if (time_zone == 0) return unix_seconds;
  return TimeZoneById(time_zone).ToLocal(unix_seconds);
}

// Escape classes for JSON: 0 = copy, 'u' = \u00XX, else the letter after '\'.
constexpr std::array<char, 256> MakeJsonEscapes() {
  std::array<char, 256> table{};
  for (int c = 0; c < 0x20; ++c) table[c] = 'u';
  table['\b'] = 'b';
  table['\f'] = 'f';
  table['\n'] = 'n';
  table['\r'] = 'r';
  table['\t'] = 't';
  table['"'] = '"';
  table['\\'] = '\\';
  table['/'] = '/';
  table[0xE2] = 'E';  // possible start of U+2028 / U+2029
  return table;
}
constexpr std::array<char, 256> kJsonEscapes = MakeJsonEscapes();

// TSV escapes (ClickHouse writeAnyEscapedString<'\''>); `'` only when quoting.
constexpr std::array<char, 256> MakeTsvEscapes(bool escape_quote) {
  std::array<char, 256> table{};
  table['\b'] = 'b';
  table['\f'] = 'f';
  table['\n'] = 'n';
  table['\r'] = 'r';
  table['\t'] = 't';
  table['\0'] = '0';
  table['\\'] = '\\';
  if (escape_quote) table['\''] = '\'';
  return table;
}
constexpr std::array<char, 256> kTsvEscapes = MakeTsvEscapes(true);
constexpr std::array<char, 256> kPrettyEscapes = MakeTsvEscapes(false);

void AppendBackslashEscaped(absl::string_view text, const std::array<char, 256>& escapes,
                            std::string* out) {
  const char* run = text.data();
  const char* end = text.data() + text.size();
  for (const char* it = run; it != end; ++it) {
    char escape = escapes[static_cast<unsigned char>(*it)];
    if (escape == 0) continue;
    out->append(run, it - run);
    const char pair[2] = {'\\', escape};
    out->append(pair, 2);
    run = it + 1;
  }
  out->append(run, end - run);
}

// Pretty: control characters escaped so a value stays on one table line.
void AppendPrettyString(absl::string_view text, std::string* out) {
  AppendBackslashEscaped(text, kPrettyEscapes, out);
}

bool IsQuotedInText(TypeId id) {
  return id == TypeId::kString || id == TypeId::kDate || id == TypeId::kDateTime ||
         id == TypeId::kDateTime64;
}

// Integers, floats and times (in the type's zone) at `index` of the column's value vectors.
void AppendNumberOrTime(const DataType& type, const Column& column, size_t index,
                        std::string* out) {
  switch (type.id) {
    case TypeId::kUInt8:
    case TypeId::kUInt16:
    case TypeId::kUInt32:
    case TypeId::kUInt64:
      AppendUInt(static_cast<uint64_t>(column.ints[index]), out);
      return;
    case TypeId::kInt8:
    case TypeId::kInt16:
    case TypeId::kInt32:
    case TypeId::kInt64:
    case TypeId::kInterval:
      AppendInt(column.ints[index], out);
      return;
    case TypeId::kFloat64:
      AppendFloat(column.floats[index], out);
      return;
    case TypeId::kDate:
      AppendDate(column.ints[index], out);
      return;
    case TypeId::kDateTime:
      AppendDateTime(column.ints[index], out, type.time_zone);
      return;
    case TypeId::kDateTime64:
      AppendDateTime64(column.ints[index], out, type.time_zone);
      return;
    case TypeId::kString:
      out->append(column.strings[index]);
      return;
    case TypeId::kNothing:
    case TypeId::kArray:
    case TypeId::kTuple:
      return;
  }
}

void AppendJsonScalar(const DataType& type, const Column& column, size_t index,
                      std::string* out) {
  switch (type.id) {
    case TypeId::kUInt64:
    case TypeId::kInt64:
    case TypeId::kDate:
    case TypeId::kDateTime:
    case TypeId::kDateTime64:
      out->push_back('"');
      AppendNumberOrTime(type, column, index, out);
      out->push_back('"');
      return;
    case TypeId::kFloat64:
      if (!std::isfinite(column.floats[index])) {
        out->append("null");
        return;
      }
      AppendFloat(column.floats[index], out);
      return;
    case TypeId::kString:
      AppendJsonString(column.strings[index], out);
      return;
    case TypeId::kNothing:
    case TypeId::kArray:
    case TypeId::kTuple:
      out->append("null");
      return;
    default:
      AppendNumberOrTime(type, column, index, out);
      return;
  }
}

void AppendNullText(TextStyle style, std::string* out) {
  switch (style) {
    case TextStyle::kPretty:
    case TextStyle::kPlain:
      out->append("ᴺᵁᴸᴸ");
      return;
    case TextStyle::kQuoted:
      out->append("NULL");
      return;
    case TextStyle::kTabSeparated:
    case TextStyle::kTabSeparatedRaw:
    case TextStyle::kCsv:
      out->append("\\N");
      return;
  }
}

// A value inside an array or tuple, as ClickHouse's serializeTextQuoted
// prints it: 'x', '2026-10-05', NULL, [1,2], (1,'t').
void AppendQuotedValue(const DataType& type, const Column& holder, size_t index,
                       std::string* out);

// [a,b] with the elements quoted.
void AppendArrayText(const DataType& type, const Column& holder, size_t index, std::string* out) {
  ArrayElements elements = ElementsOf(type, holder, index);
  out->push_back('[');
  for (size_t i = elements.begin; i < elements.end; ++i) {
    if (i != elements.begin) out->push_back(',');
    AppendQuotedValue(elements.type, *elements.holder, i, out);
  }
  out->push_back(']');
}

// (a,b) with the elements quoted.
void AppendTupleText(const DataType& type, const Column& holder, size_t index, std::string* out) {
  out->push_back('(');
  for (size_t i = 0; i < type.tuple_size(); ++i) {
    if (i != 0) out->push_back(',');
    AppendQuotedValue(type.tuple_element(i), holder.children[i], index, out);
  }
  out->push_back(')');
}

void AppendQuotedValue(const DataType& type, const Column& holder, size_t index,
                       std::string* out) {
  if (IsNullAt(type, holder, index)) {
    out->append("NULL");
  } else if (type.id == TypeId::kArray) {
    AppendArrayText(type, holder, index, out);
  } else if (type.id == TypeId::kTuple) {
    AppendTupleText(type, holder, index, out);
  } else if (type.id == TypeId::kString) {
    AppendQuotedString(holder.strings[index], out);
  } else if (IsQuotedInText(type.id)) {
    out->push_back('\'');
    AppendNumberOrTime(type, holder, index, out);
    out->push_back('\'');
  } else {
    AppendNumberOrTime(type, holder, index, out);
  }
}

// CSV wraps array text in "..." and doubles quotes inside.
void AppendCsvArray(const DataType& type, const Column& holder, size_t index, std::string* out) {
  std::string text;
  AppendArrayText(type, holder, index, &text);
  if (text.find('"') != std::string::npos) {
    AppendCsvString(text, out);
    return;
  }
  out->push_back('"');
  out->append(text);
  out->push_back('"');
}

void AppendJsonValue(const DataType& type, const Column& holder, size_t index, std::string* out);

// JSON array of the elements, without spaces.
void AppendJsonArray(const DataType& type, const Column& holder, size_t index, std::string* out) {
  ArrayElements elements = ElementsOf(type, holder, index);
  out->push_back('[');
  for (size_t i = elements.begin; i < elements.end; ++i) {
    if (i != elements.begin) out->push_back(',');
    AppendJsonValue(elements.type, *elements.holder, i, out);
  }
  out->push_back(']');
}

// Named tuples as objects (modern ClickHouse's default
// output_format_json_named_tuples_as_objects = 1), others as arrays.
void AppendJsonTuple(const DataType& type, const Column& holder, size_t index, std::string* out) {
  const std::vector<std::string>& names = type.tuple_names();
  out->push_back(names.empty() ? '[' : '{');
  for (size_t i = 0; i < type.tuple_size(); ++i) {
    if (i != 0) out->push_back(',');
    if (!names.empty()) {
      AppendJsonString(names[i], out);
      out->push_back(':');
    }
    AppendJsonValue(type.tuple_element(i), holder.children[i], index, out);
  }
  out->push_back(names.empty() ? ']' : '}');
}

void AppendJsonValue(const DataType& type, const Column& holder, size_t index, std::string* out) {
  if (IsNullAt(type, holder, index)) {
    out->append("null");
  } else if (type.id == TypeId::kArray) {
    AppendJsonArray(type, holder, index, out);
  } else if (type.id == TypeId::kTuple) {
    AppendJsonTuple(type, holder, index, out);
  } else {
    AppendJsonScalar(type, holder, index, out);
  }
}

void AppendTextValue(const DataType& type, const Column& holder, size_t index, TextStyle style,
                     std::string* out) {
  if (IsNullAt(type, holder, index)) {
    AppendNullText(style, out);
    return;
  }
  switch (type.id) {
    case TypeId::kArray:
      if (style == TextStyle::kCsv) {
        AppendCsvArray(type, holder, index, out);
      } else {
        AppendArrayText(type, holder, index, out);
      }
      return;
    case TypeId::kTuple:
      if (style != TextStyle::kCsv) {
        AppendTupleText(type, holder, index, out);
        return;
      }
      // CSV spreads a tuple's elements over as many fields.
      for (size_t i = 0; i < type.tuple_size(); ++i) {
        if (i != 0) out->push_back(',');
        AppendTextValue(type.tuple_element(i), holder.children[i], index, style, out);
      }
      return;
    case TypeId::kString: {
      const std::string& text = holder.strings[index];
      switch (style) {
        case TextStyle::kTabSeparated:
          AppendTsvEscaped(text, out);
          return;
        case TextStyle::kCsv:
          AppendCsvString(text, out);
          return;
        case TextStyle::kPretty:
          AppendPrettyString(text, out);
          return;
        case TextStyle::kTabSeparatedRaw:
        case TextStyle::kPlain:
          out->append(text);
          return;
        case TextStyle::kQuoted:
          AppendQuotedString(text, out);
          return;
      }
      return;
    }
    case TypeId::kDate:
    case TypeId::kDateTime:
    case TypeId::kDateTime64: {
      char quote = style == TextStyle::kCsv ? '"' : style == TextStyle::kQuoted ? '\'' : 0;
      if (quote != 0) out->push_back(quote);
      AppendNumberOrTime(type, holder, index, out);
      if (quote != 0) out->push_back(quote);
      return;
    }
    default:
      AppendNumberOrTime(type, holder, index, out);
      return;
  }
}

}  // namespace

void AppendUInt(uint64_t value, std::string* out) {
  char buffer[24];
  char* end = std::to_chars(buffer, buffer + sizeof(buffer), value).ptr;
  out->append(buffer, end - buffer);
}

void AppendInt(int64_t value, std::string* out) {
  char buffer[24];
  char* end = std::to_chars(buffer, buffer + sizeof(buffer), value).ptr;
  out->append(buffer, end - buffer);
}

void AppendFloat(double value, std::string* out) {
  if (std::isnan(value)) {
    out->append("nan");
    return;
  }
  if (std::isinf(value)) {
    out->append(value < 0 ? "-inf" : "inf");
    return;
  }
  // ClickHouse prints integral doubles in the Int64 range through its integer
  // path (exact digits, no exponent; -0 prints as 0).
  if (value >= -9223372036854775808.0 && value < 9223372036854775808.0 &&
      value == std::trunc(value)) {
    AppendInt(static_cast<int64_t>(value), out);
    return;
  }
  // Shortest round-trip digits from to_chars' scientific form "-d.ddde-XX".
  char sci[40];
  char* sci_end = std::to_chars(sci, sci + sizeof(sci), value, std::chars_format::scientific).ptr;
  const char* it = sci;
  char digits[24];
  int digit_count = 0;
  bool negative = *it == '-';
  if (negative) ++it;
  for (; it != sci_end && *it != 'e'; ++it) {
    if (*it != '.') digits[digit_count++] = *it;
  }
  int exponent = 0;
  std::from_chars(it + 1 + (it[1] == '+' ? 1 : 0), sci_end, exponent);

  char buffer[48];
  char* dst = buffer;
  if (negative) *dst++ = '-';
  if (exponent >= -6 && exponent <= 20) {
    if (exponent < 0) {
      *dst++ = '0';
      *dst++ = '.';
      for (int i = -1; i > exponent; --i) *dst++ = '0';
      for (int i = 0; i < digit_count; ++i) *dst++ = digits[i];
    } else {
      for (int i = 0; i <= exponent; ++i) *dst++ = i < digit_count ? digits[i] : '0';
      if (digit_count > exponent + 1) {
        *dst++ = '.';
        for (int i = exponent + 1; i < digit_count; ++i) *dst++ = digits[i];
      }
    }
  } else {
    *dst++ = digits[0];
    if (digit_count > 1) {
      *dst++ = '.';
      for (int i = 1; i < digit_count; ++i) *dst++ = digits[i];
    }
    *dst++ = 'e';
    dst = std::to_chars(dst, buffer + sizeof(buffer), exponent).ptr;
  }
  out->append(buffer, dst - buffer);
}

void AppendDate(int64_t days, std::string* out) {
  char buffer[40];
  char* end = WriteDate(days, buffer);
  out->append(buffer, end - buffer);
}

void AppendDateTime(int64_t seconds, std::string* out, uint16_t time_zone) {
  char buffer[48];
  char* end = WriteDateTime(LocalSeconds(seconds, time_zone), buffer);
  out->append(buffer, end - buffer);
}

void AppendDateTime64(int64_t millis, std::string* out, uint16_t time_zone) {
  char buffer[48];
  int64_t seconds = FloorDiv(millis, 1000);
  // Not millis - seconds * 1000: the product overflows near INT64_MIN.
  int fraction = static_cast<int>(millis % 1000);
  if (fraction < 0) fraction += 1000;
  char* end = WriteDateTime(LocalSeconds(seconds, time_zone), buffer);
  end[0] = '.';
  end[1] = static_cast<char>('0' + fraction / 100);
  AppendTwoDigits(fraction % 100, end + 2);
  out->append(buffer, end + 4 - buffer);
}

void AppendJsonString(absl::string_view text, std::string* out) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  out->push_back('"');
  const char* run = text.data();
  const char* end = text.data() + text.size();
  for (const char* it = run; it != end; ++it) {
    unsigned char byte = static_cast<unsigned char>(*it);
    char escape = kJsonEscapes[byte];
    if (escape == 0) continue;
    if (escape == 'E') {
      // U+2028/U+2029 are line terminators in JavaScript string literals.
      if (end - it >= 3 && it[1] == '\x80' && (it[2] == '\xA8' || it[2] == '\xA9')) {
        out->append(run, it - run);
        out->append(it[2] == '\xA8' ? "\\u2028" : "\\u2029");
        it += 2;
        run = it + 1;
      }
      continue;
    }
    out->append(run, it - run);
    if (escape == 'u') {
      const char code[6] = {'\\', 'u', '0', '0', kHex[byte >> 4], kHex[byte & 0xF]};
      out->append(code, 6);
    } else {
      const char pair[2] = {'\\', escape};
      out->append(pair, 2);
    }
    run = it + 1;
  }
  out->append(run, end - run);
  out->push_back('"');
}

void AppendTsvEscaped(absl::string_view text, std::string* out) {
  AppendBackslashEscaped(text, kTsvEscapes, out);
}

void AppendQuotedString(absl::string_view text, std::string* out) {
  out->push_back('\'');
  AppendBackslashEscaped(text, kTsvEscapes, out);
  out->push_back('\'');
}

void AppendCsvString(absl::string_view text, std::string* out) {
  out->push_back('"');
  size_t run = 0;
  for (size_t quote = text.find('"'); quote != absl::string_view::npos;
       quote = text.find('"', quote + 1)) {
    out->append(text.data() + run, quote + 1 - run);  // through the quote...
    out->push_back('"');                              // ...then doubled
    run = quote + 1;
  }
  out->append(text.data() + run, text.size() - run);
  out->push_back('"');
}

void AppendJsonCell(const Column& column, size_t row, std::string* out) {
  AppendJsonValue(column.type, column, row, out);
}

void AppendTextCell(const Column& column, size_t row, TextStyle style, std::string* out) {
  AppendTextValue(column.type, column, row, style, out);
}

bool IsNullAt(const DataType& type, const Column& holder, size_t index) {
  if (type.id == TypeId::kNothing) return true;
  return type.may_be_null() && !holder.nulls.empty() && holder.nulls[index] != 0;
}

ArrayElements ElementsOf(const DataType& type, const Column& holder, size_t index) {
  ArrayElements elements;
  elements.begin = holder.array_offsets[index];
  elements.end = holder.array_offsets[index + 1];
  if (type.nested_elements()) {
    elements.type = type.element_type();
    elements.holder = &holder.children[0];
  } else {
    elements.type = type.element_type();  // with the zone of Array(DateTime('Zone'))
    elements.holder = &holder;
  }
  return elements;
}

bool AlignsRight(const DataType& type) { return type.is_numeric() || type.is_time(); }

}  // namespace mua::query_internal
