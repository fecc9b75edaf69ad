// Per-value text as ClickHouse prints it, appended to a std::string without
// temporary allocations: numbers, dates, string escaping for the JSON, TSV,
// CSV and Pretty families, and whole cells (NULL, arrays) of a Column.
// Stateless and thread-safe.
//
//   std::string out;
//   AppendFloat(0.1, &out);             // "0.1"
//   AppendJsonString("a/b", &out);      // "\"a\\/b\""
//   AppendTextCell(column, row, TextStyle::kCsv, &out);
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"
#include "query/result_set.h"

namespace mua::query_internal {

// How a cell is rendered by the text formats.
enum class TextStyle {
  kTabSeparated,     // escaped strings, bare dates, NULL as \N
  kTabSeparatedRaw,  // strings as they are, bare dates, NULL as \N (TSVRaw)
  kCsv,              // "..." strings and dates, arrays as quoted text, NULL as \N
  kPretty,           // plain text for humans (control chars escaped), NULL as ᴺᵁᴸᴸ
  kPlain,            // ClickHouse's serializeText: strings as they are, NULL as ᴺᵁᴸᴸ (JSONStrings)
  kQuoted,           // '...' strings and dates, NULL as NULL (Values)
};

void AppendUInt(uint64_t value, std::string* out);
void AppendInt(int64_t value, std::string* out);

// ClickHouse's float text: integral values below 2^63 as integers, otherwise the
// shortest round-trip digits, fixed notation for decimal exponents in [-6, 20]
// and `1e21` / `1.5e-7` outside; "nan", "inf", "-inf".
void AppendFloat(double value, std::string* out);

void AppendDate(int64_t days, std::string* out);  // "2026-10-05"
// "2026-10-05 14:03:07", the wall clock of the instant in `time_zone` (an id of
// query/time_zones.h, as DataType::time_zone holds it; 0 is UTC).
void AppendDateTime(int64_t seconds, std::string* out, uint16_t time_zone = 0);
void AppendDateTime64(int64_t millis, std::string* out,
                      uint16_t time_zone = 0);  // "2026-10-05 14:03:07.123"

// "..." with `"`, `\`, `/`, \b \f \n \r \t escaped, other bytes < 0x20 as
// \u00XX, U+2028/U+2029 as \u2028/\u2029; other bytes (even invalid UTF-8) pass.
void AppendJsonString(absl::string_view text, std::string* out);

// TabSeparated escaping: \b \f \n \r \t \0 \\ and \' (ClickHouse escapes the
// quote character too).
void AppendTsvEscaped(absl::string_view text, std::string* out);

// '...' with TSV escaping inside, as strings print inside arrays.
void AppendQuotedString(absl::string_view text, std::string* out);

// "..." with `"` doubled; everything else raw.
void AppendCsvString(absl::string_view text, std::string* out);

// The cell at `row` of `column` in the JSON family (UInt64/Int64 quoted,
// nan/inf and NULL as null, arrays as [..] without spaces, tuples as [..], or
// as {..} when named).
void AppendJsonCell(const Column& column, size_t row, std::string* out);

// The cell at `row` of `column` as text in `style`.
void AppendTextCell(const Column& column, size_t row, TextStyle style, std::string* out);

// Values are addressed as (type, holder, index): the value of `type` at
// `index` of `holder`'s vectors. A column's own rows are (column.type, column,
// row); the elements of an Array of plain scalars live in the array column's
// own vectors, those of other arrays and of tuples in its children (see
// query/result_set.h).

// Whether the value is NULL (a Nullable's null flag, or the type Nothing).
bool IsNullAt(const DataType& type, const Column& holder, size_t index);

// The elements of the array value at `index`: indexes [begin, end) of `*holder`.
struct ArrayElements {
  DataType type;
  const Column* holder = nullptr;
  size_t begin = 0;
  size_t end = 0;
};
// REQUIRES: type.id == TypeId::kArray.
ArrayElements ElementsOf(const DataType& type, const Column& holder, size_t index);

// Whether Pretty formats right-align the type's values (numbers and times).
bool AlignsRight(const DataType& type);

}  // namespace mua::query_internal
