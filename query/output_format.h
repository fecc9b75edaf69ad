// Output formats (SPEC §5, spec/clickhouse.md §7): one writer per format, byte
// for byte what ClickHouse prints for the formats both have. The HTTP server
// and mua-shell both print results through this header.
//
//   MUA_ASSIGN_OR_RETURN(OutputFormat format, ParseOutputFormat("JSONEachRow"));
//   std::string body;
//   WriteResult(result, format, &body);
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "query/result_set.h"

namespace mua {

enum class OutputFormat {
  kTabSeparated,
  kTabSeparatedWithNames,
  kTabSeparatedWithNamesAndTypes,
  kTabSeparatedRaw,  // strings unescaped
  kTabSeparatedRawWithNames,
  kTabSeparatedRawWithNamesAndTypes,
  kCSV,
  kCSVWithNames,
  kCSVWithNamesAndTypes,
  kJSON,
  kJSONCompact,
  kJSONEachRow,
  kJSONCompactEachRow,
  kJSONStrings,  // the JSON family with every value as a JSON string of its text
  kJSONCompactStrings,
  kJSONStringsEachRow,
  kJSONCompactStringsEachRow,
  kPretty,
  kPrettyCompact,
  kVertical,
  kMarkdown,
  kValues,      // (1,'a'),(2,'b')
  kNative,      // ClickHouse's columnar binary format (query/internal/native_writer.h)
  kRowBinary,   // binary, row by row (query/internal/row_binary_writer.h)
  kRowBinaryWithNames,
  kRowBinaryWithNamesAndTypes,
  kNull,  // nothing: the query runs, the answer is dropped (benchmarks)
};

// The format named `name` (ClickHouse's names, exact case, and its aliases:
// TSV*, TSVRaw*/Raw, MD, JSONLines/NDJSON).
// Errors: InvalidArgument "Unknown format X" (ClickHouse UNKNOWN_FORMAT).
absl::StatusOr<OutputFormat> ParseOutputFormat(absl::string_view name);

absl::string_view OutputFormatName(OutputFormat format);

// The HTTP Content-Type ClickHouse sends for the format.
absl::string_view ContentType(OutputFormat format);

// Appends `result` rendered in `format` to `*out`. A totals row (WITH TOTALS) is printed
// where ClickHouse prints it over HTTP: the JSON, JSONCompact (and *Strings), TabSeparated*,
// CSV*, Pretty, PrettyCompact and Vertical formats; the others (JSONEachRow,
// JSONCompactEachRow, Values, Markdown, Native, RowBinary*) leave it out.
void WriteResult(const ResultSet& result, OutputFormat format, std::string* out);

}  // namespace mua

namespace mua {
// A Float64 as ClickHouse prints it ("0.1", "1e21", "nan").
std::string FormatFloat(double value);
// A Date, DateTime or DateTime64 value of `type` as the text formats print it, in the type's
// zone: "2026-10-06 05:00:00" for 1791230400 as DateTime('Asia/Tokyo').
std::string FormatTime(const DataType& type, int64_t value);
}  // namespace mua
