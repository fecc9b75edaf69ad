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
  kTabSeparated,  // escaped strings, bare dates, NULL as \N
  kCsv,           // "..." strings and dates, arrays as quoted text, NULL as \N
  kPretty,        // plain text for humans (control chars escaped), NULL as ᴺᵁᴸᴸ
};

void AppendUInt(uint64_t value, std::string* out);
void AppendInt(int64_t value, std::string* out);

// ClickHouse's float text: integral values below 2^63 as integers, otherwise the
// shortest round-trip digits, fixed notation for decimal exponents in [-6, 20]
// and `1e21` / `1.5e-7` outside; "nan", "inf", "-inf".
void AppendFloat(double value, std::string* out);

void AppendDate(int64_t days, std::string* out);          // "2026-10-05"
void AppendDateTime(int64_t seconds, std::string* out);   // "2026-10-05 14:03:07" (UTC)
void AppendDateTime64(int64_t millis, std::string* out);  // "2026-10-05 14:03:07.123"

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
// nan/inf and NULL as null, arrays as [..] without spaces).
void AppendJsonCell(const Column& column, size_t row, std::string* out);

// The cell at `row` of `column` as TSV, CSV or Pretty text.
void AppendTextCell(const Column& column, size_t row, TextStyle style, std::string* out);

// Whether Pretty formats right-align the type's values (numbers and times).
bool AlignsRight(const DataType& type);

}  // namespace mua::query_internal
