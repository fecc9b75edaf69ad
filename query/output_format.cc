#include "query/output_format.h"

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "query/internal/markdown_writer.h"
#include "query/internal/native_writer.h"
#include "query/internal/pretty_writer.h"
#include "query/internal/row_binary_writer.h"
#include "query/internal/value_writer.h"

namespace mua {
namespace {

using query_internal::AppendCsvString;
using query_internal::AppendFloat;
using query_internal::AppendJsonCell;
using query_internal::AppendJsonString;
using query_internal::AppendTextCell;
using query_internal::AppendTsvEscaped;
using query_internal::AppendUInt;
using query_internal::TextStyle;

struct FormatName {
  absl::string_view name;
  OutputFormat format;
};

// Canonical names first: OutputFormatName returns the first match.
constexpr FormatName kFormatNames[] = {
    {"TabSeparated", OutputFormat::kTabSeparated},
    {"TabSeparatedWithNames", OutputFormat::kTabSeparatedWithNames},
    {"TabSeparatedWithNamesAndTypes", OutputFormat::kTabSeparatedWithNamesAndTypes},
    {"TabSeparatedRaw", OutputFormat::kTabSeparatedRaw},
    {"TabSeparatedRawWithNames", OutputFormat::kTabSeparatedRawWithNames},
    {"TabSeparatedRawWithNamesAndTypes", OutputFormat::kTabSeparatedRawWithNamesAndTypes},
    {"CSV", OutputFormat::kCSV},
    {"CSVWithNames", OutputFormat::kCSVWithNames},
    {"CSVWithNamesAndTypes", OutputFormat::kCSVWithNamesAndTypes},
    {"JSON", OutputFormat::kJSON},
    {"JSONCompact", OutputFormat::kJSONCompact},
    {"JSONEachRow", OutputFormat::kJSONEachRow},
    {"JSONCompactEachRow", OutputFormat::kJSONCompactEachRow},
    {"JSONStrings", OutputFormat::kJSONStrings},
    {"JSONCompactStrings", OutputFormat::kJSONCompactStrings},
    {"JSONStringsEachRow", OutputFormat::kJSONStringsEachRow},
    {"JSONCompactStringsEachRow", OutputFormat::kJSONCompactStringsEachRow},
    {"Pretty", OutputFormat::kPretty},
    {"PrettyCompact", OutputFormat::kPrettyCompact},
    {"Vertical", OutputFormat::kVertical},
    {"Markdown", OutputFormat::kMarkdown},
    {"Values", OutputFormat::kValues},
    {"Native", OutputFormat::kNative},
    {"RowBinary", OutputFormat::kRowBinary},
    {"RowBinaryWithNames", OutputFormat::kRowBinaryWithNames},
    {"RowBinaryWithNamesAndTypes", OutputFormat::kRowBinaryWithNamesAndTypes},
    {"Null", OutputFormat::kNull},
    {"TSV", OutputFormat::kTabSeparated},
    {"TSVWithNames", OutputFormat::kTabSeparatedWithNames},
    {"TSVWithNamesAndTypes", OutputFormat::kTabSeparatedWithNamesAndTypes},
    {"TSVRaw", OutputFormat::kTabSeparatedRaw},
    {"TSVRawWithNames", OutputFormat::kTabSeparatedRawWithNames},
    {"TSVRawWithNamesAndTypes", OutputFormat::kTabSeparatedRawWithNamesAndTypes},
    {"Raw", OutputFormat::kTabSeparatedRaw},
    {"RawWithNames", OutputFormat::kTabSeparatedRawWithNames},
    {"RawWithNamesAndTypes", OutputFormat::kTabSeparatedRawWithNamesAndTypes},
    {"JSONLines", OutputFormat::kJSONEachRow},
    {"NDJSON", OutputFormat::kJSONEachRow},
    {"MD", OutputFormat::kMarkdown},
};

// ---- JSON family -------------------------------------------------------------

// Column names JSON-escaped once, with quotes.
std::vector<std::string> JsonNames(const ResultSet& result) {
  std::vector<std::string> names(result.names.size());
  for (size_t col = 0; col < names.size(); ++col) AppendJsonString(result.names[col], &names[col]);
  return names;
}

// A JSON-family cell: the typed JSON value, or (the *Strings formats) the
// value's text as a JSON string.
void AppendJsonFamilyCell(const Column& column, uint64_t row, bool strings, std::string* scratch,
                          std::string* out) {
  if (!strings) {
    AppendJsonCell(column, row, out);
    return;
  }
  scratch->clear();
  AppendTextCell(column, row, TextStyle::kPlain, scratch);
  AppendJsonString(*scratch, out);
}

// WITH TOTALS, after "data": an object (JSON) or an array (JSONCompact) of the totals row.
void AppendJsonTotals(const ResultSet& result, const std::vector<std::string>& names, bool compact,
                      bool strings, std::string* out) {
  std::string scratch;
  out->append(compact ? ",\n\n\t\"totals\": [" : ",\n\n\t\"totals\":\n\t{\n");
  for (size_t col = 0; col < result.totals->size(); ++col) {
    if (col != 0) out->append(compact ? ", " : ",\n");
    if (!compact) absl::StrAppend(out, "\t\t", names[col], ": ");
    AppendJsonFamilyCell((*result.totals)[col], 0, strings, &scratch, out);
  }
  out->append(compact ? "]" : "\n\t}");
}

// JSON and JSONCompact (and their *Strings twins): ClickHouse's TAB-indented envelope.
void WriteJson(const ResultSet& result, bool compact, bool strings, std::string* out) {
  std::vector<std::string> names = JsonNames(result);
  size_t columns = result.columns.size();
  std::string scratch;
  out->append("{\n\t\"meta\":\n\t[\n");
  for (size_t col = 0; col < columns; ++col) {
    absl::StrAppend(out, "\t\t{\n\t\t\t\"name\": ", names[col], ",\n\t\t\t\"type\": ");
    AppendJsonString(result.columns[col].type.Name(), out);
    out->append(col + 1 < columns ? "\n\t\t},\n" : "\n\t\t}\n");
  }
  out->append("\t],\n\n\t\"data\":\n\t[\n");
  for (uint64_t row = 0; row < result.row_count; ++row) {
    if (row != 0) out->append(",\n");
    if (compact) {
      out->append("\t\t[");
      for (size_t col = 0; col < columns; ++col) {
        if (col != 0) out->append(", ");
        AppendJsonFamilyCell(result.columns[col], row, strings, &scratch, out);
      }
      out->push_back(']');
    } else {
      out->append("\t\t{\n");
      for (size_t col = 0; col < columns; ++col) {
        if (col != 0) out->append(",\n");
        absl::StrAppend(out, "\t\t\t", names[col], ": ");
        AppendJsonFamilyCell(result.columns[col], row, strings, &scratch, out);
      }
      out->append("\n\t\t}");
    }
  }
  out->append("\n\t]");
  if (result.totals) AppendJsonTotals(result, names, compact, strings, out);
  out->append(",\n\n\t\"rows\": ");
  AppendUInt(result.row_count, out);
  out->append(",\n\n\t\"statistics\":\n\t{\n\t\t\"elapsed\": ");
  AppendFloat(result.statistics.elapsed_seconds, out);
  out->append(",\n\t\t\"rows_read\": ");
  AppendUInt(result.statistics.rows_read, out);
  out->append(",\n\t\t\"bytes_read\": ");
  AppendUInt(result.statistics.bytes_read, out);
  out->append("\n\t}\n}\n");
}

void WriteJsonEachRow(const ResultSet& result, bool strings, std::string* out) {
  std::vector<std::string> names = JsonNames(result);
  std::string scratch;
  for (uint64_t row = 0; row < result.row_count; ++row) {
    out->push_back('{');
    for (size_t col = 0; col < result.columns.size(); ++col) {
      if (col != 0) out->push_back(',');
      out->append(names[col]);
      out->push_back(':');
      AppendJsonFamilyCell(result.columns[col], row, strings, &scratch, out);
    }
    out->append("}\n");
  }
}

// ClickHouse separates JSONCompactEachRow fields with ", " (its
// JSONCompactEachRowRowOutputFormat::writeFieldDelimiter), unlike JSONEachRow.
void WriteJsonCompactEachRow(const ResultSet& result, bool strings, std::string* out) {
  std::string scratch;
  for (uint64_t row = 0; row < result.row_count; ++row) {
    out->push_back('[');
    for (size_t col = 0; col < result.columns.size(); ++col) {
      if (col != 0) out->append(", ");
      AppendJsonFamilyCell(result.columns[col], row, strings, &scratch, out);
    }
    out->append("]\n");
  }
}

// ---- TabSeparated and CSV ----------------------------------------------------

// TabSeparated and TabSeparatedRaw (`style`); the header lines are escaped in both.
void WriteTabSeparated(const ResultSet& result, TextStyle style, bool with_names, bool with_types,
                       std::string* out) {
  size_t columns = result.columns.size();
  if (with_names) {
    for (size_t col = 0; col < columns; ++col) {
      if (col != 0) out->push_back('\t');
      AppendTsvEscaped(result.names[col], out);
    }
    out->push_back('\n');
  }
  if (with_types) {
    for (size_t col = 0; col < columns; ++col) {
      if (col != 0) out->push_back('\t');
      AppendTsvEscaped(result.columns[col].type.Name(), out);
    }
    out->push_back('\n');
  }
  for (uint64_t row = 0; row < result.row_count; ++row) {
    for (size_t col = 0; col < columns; ++col) {
      if (col != 0) out->push_back('\t');
      AppendTextCell(result.columns[col], row, style, out);
    }
    out->push_back('\n');
  }
  if (!result.totals) return;
  out->push_back('\n');  // WITH TOTALS: an empty line, then the totals row
  for (size_t col = 0; col < columns; ++col) {
    if (col != 0) out->push_back('\t');
    AppendTextCell((*result.totals)[col], 0, style, out);
  }
  out->push_back('\n');
}

void WriteCsv(const ResultSet& result, bool with_names, bool with_types, std::string* out) {
  size_t columns = result.columns.size();
  if (with_names) {
    for (size_t col = 0; col < columns; ++col) {
      if (col != 0) out->push_back(',');
      AppendCsvString(result.names[col], out);
    }
    out->push_back('\n');
  }
  if (with_types) {
    for (size_t col = 0; col < columns; ++col) {
      if (col != 0) out->push_back(',');
      AppendCsvString(result.columns[col].type.Name(), out);
    }
    out->push_back('\n');
  }
  for (uint64_t row = 0; row < result.row_count; ++row) {
    for (size_t col = 0; col < columns; ++col) {
      if (col != 0) out->push_back(',');
      AppendTextCell(result.columns[col], row, TextStyle::kCsv, out);
    }
    out->push_back('\n');
  }
  if (!result.totals) return;
  out->push_back('\n');  // WITH TOTALS: an empty line, then the totals row
  for (size_t col = 0; col < columns; ++col) {
    if (col != 0) out->push_back(',');
    AppendTextCell((*result.totals)[col], 0, TextStyle::kCsv, out);
  }
  out->push_back('\n');
}

// Values: (v,v),(v,v) with quoted strings and dates; no line breaks.
void WriteValues(const ResultSet& result, std::string* out) {
  for (uint64_t row = 0; row < result.row_count; ++row) {
    out->append(row == 0 ? "(" : ",(");
    for (size_t col = 0; col < result.columns.size(); ++col) {
      if (col != 0) out->push_back(',');
      AppendTextCell(result.columns[col], row, TextStyle::kQuoted, out);
    }
    out->push_back(')');
  }
}

}  // namespace

absl::StatusOr<OutputFormat> ParseOutputFormat(absl::string_view name) {
  for (const FormatName& entry : kFormatNames) {
    if (entry.name == name) return entry.format;
  }
  return absl::InvalidArgumentError(absl::StrCat("Unknown format ", name));
}

absl::string_view OutputFormatName(OutputFormat format) {
  for (const FormatName& entry : kFormatNames) {
    if (entry.format == format) return entry.name;
  }
  return "TabSeparated";
}

absl::string_view ContentType(OutputFormat format) {
  switch (format) {
    case OutputFormat::kTabSeparated:
    case OutputFormat::kTabSeparatedWithNames:
    case OutputFormat::kTabSeparatedWithNamesAndTypes:
    case OutputFormat::kTabSeparatedRaw:
    case OutputFormat::kTabSeparatedRawWithNames:
    case OutputFormat::kTabSeparatedRawWithNamesAndTypes:
      return "text/tab-separated-values; charset=UTF-8";
    case OutputFormat::kCSV:
      return "text/csv; charset=UTF-8; header=absent";
    case OutputFormat::kCSVWithNames:
    case OutputFormat::kCSVWithNamesAndTypes:
      return "text/csv; charset=UTF-8; header=present";
    case OutputFormat::kJSON:
    case OutputFormat::kJSONCompact:
    case OutputFormat::kJSONStrings:
    case OutputFormat::kJSONCompactStrings:
      return "application/json; charset=UTF-8";
    // Modern ClickHouse labels the row-per-line JSON formats NDJSON (18.16 sent
    // text/plain); clients split the body on "\n" whatever the label says.
    case OutputFormat::kJSONEachRow:
    case OutputFormat::kJSONCompactEachRow:
    case OutputFormat::kJSONStringsEachRow:
    case OutputFormat::kJSONCompactStringsEachRow:
      return "application/x-ndjson; charset=UTF-8";
    case OutputFormat::kNative:
    case OutputFormat::kRowBinary:
    case OutputFormat::kRowBinaryWithNames:
    case OutputFormat::kRowBinaryWithNamesAndTypes:
      return "application/octet-stream";
    case OutputFormat::kPretty:
    case OutputFormat::kPrettyCompact:
    case OutputFormat::kVertical:
    case OutputFormat::kMarkdown:
    case OutputFormat::kValues:
    case OutputFormat::kNull:
      return "text/plain; charset=UTF-8";
  }
  return "text/plain; charset=UTF-8";
}

void WriteResult(const ResultSet& result, OutputFormat format, std::string* out) {
  switch (format) {
    case OutputFormat::kTabSeparated:
      WriteTabSeparated(result, TextStyle::kTabSeparated, false, false, out);
      return;
    case OutputFormat::kTabSeparatedWithNames:
      WriteTabSeparated(result, TextStyle::kTabSeparated, true, false, out);
      return;
    case OutputFormat::kTabSeparatedWithNamesAndTypes:
      WriteTabSeparated(result, TextStyle::kTabSeparated, true, true, out);
      return;
    case OutputFormat::kTabSeparatedRaw:
      WriteTabSeparated(result, TextStyle::kTabSeparatedRaw, false, false, out);
      return;
    case OutputFormat::kTabSeparatedRawWithNames:
      WriteTabSeparated(result, TextStyle::kTabSeparatedRaw, true, false, out);
      return;
    case OutputFormat::kTabSeparatedRawWithNamesAndTypes:
      WriteTabSeparated(result, TextStyle::kTabSeparatedRaw, true, true, out);
      return;
    case OutputFormat::kCSV:
      WriteCsv(result, false, false, out);
      return;
    case OutputFormat::kCSVWithNames:
      WriteCsv(result, true, false, out);
      return;
    case OutputFormat::kCSVWithNamesAndTypes:
      WriteCsv(result, true, true, out);
      return;
    case OutputFormat::kJSON:
    case OutputFormat::kJSONStrings:
      WriteJson(result, false, format == OutputFormat::kJSONStrings, out);
      return;
    case OutputFormat::kJSONCompact:
    case OutputFormat::kJSONCompactStrings:
      WriteJson(result, true, format == OutputFormat::kJSONCompactStrings, out);
      return;
    case OutputFormat::kJSONEachRow:
    case OutputFormat::kJSONStringsEachRow:
      WriteJsonEachRow(result, format == OutputFormat::kJSONStringsEachRow, out);
      return;
    case OutputFormat::kJSONCompactEachRow:
    case OutputFormat::kJSONCompactStringsEachRow:
      WriteJsonCompactEachRow(result, format == OutputFormat::kJSONCompactStringsEachRow, out);
      return;
    case OutputFormat::kPretty:
      query_internal::WritePretty(result, out);
      return;
    case OutputFormat::kPrettyCompact:
      query_internal::WritePrettyCompact(result, out);
      return;
    case OutputFormat::kVertical:
      query_internal::WriteVertical(result, out);
      return;
    case OutputFormat::kMarkdown:
      query_internal::WriteMarkdown(result, out);
      return;
    case OutputFormat::kValues:
      WriteValues(result, out);
      return;
    case OutputFormat::kNative:
      query_internal::WriteNative(result, out);
      return;
    case OutputFormat::kRowBinary:
      query_internal::WriteRowBinary(result, false, false, out);
      return;
    case OutputFormat::kRowBinaryWithNames:
      query_internal::WriteRowBinary(result, true, false, out);
      return;
    case OutputFormat::kRowBinaryWithNamesAndTypes:
      query_internal::WriteRowBinary(result, true, true, out);
      return;
    case OutputFormat::kNull:
      return;
  }
}

}  // namespace mua

namespace mua {
std::string FormatFloat(double value) {
  std::string out;
  query_internal::AppendFloat(value, &out);
  return out;
}

std::string FormatTime(const DataType& type, int64_t value) {
  std::string out;
  switch (type.id) {
    case TypeId::kDate: query_internal::AppendDate(value, &out); break;
    case TypeId::kDateTime: query_internal::AppendDateTime(value, &out, type.time_zone); break;
    default: query_internal::AppendDateTime64(value, &out, type.time_zone); break;
  }
  return out;
}
}  // namespace mua
