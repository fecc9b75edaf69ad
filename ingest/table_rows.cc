#include "ingest/table_rows.h"

#include <cmath>
#include <limits>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "ingest/internal/timestamp_parser.h"
#include "rapidjson/document.h"
#include "storage/base/json_limits.h"
#include "storage/base/status_macros.h"
#include "storage/base/time_util.h"

namespace mua {
namespace {

absl::Status Expected(const DimensionType& type, absl::string_view text) {
  return absl::InvalidArgumentError(
      absl::StrCat("cannot parse '", text.substr(0, 64), text.size() > 64 ? "..." : "", "' as ", type.Name()));
}

// [min, max] of an integer scalar, as signed (UInt64's max is handled apart).
std::pair<int64_t, int64_t> Range(DimensionScalar scalar) {
  switch (scalar) {
    case DimensionScalar::kUInt8: return {0, 255};
    case DimensionScalar::kUInt16: return {0, 65535};
    case DimensionScalar::kUInt32: return {0, 4294967295LL};
    case DimensionScalar::kInt8: return {-128, 127};
    case DimensionScalar::kInt16: return {-32768, 32767};
    case DimensionScalar::kInt32: return {INT32_MIN, INT32_MAX};
    case DimensionScalar::kDate: return {-25567, 2932896};  // 1900-01-01 .. 9999-12-31
    default: return {std::numeric_limits<int64_t>::min(), std::numeric_limits<int64_t>::max()};
  }
}

absl::Status PushInt(const DimensionType& type, int64_t value, bool is_unsigned_value, absl::string_view text,
                     DimensionColumnData* out) {
  if (type.scalar == DimensionScalar::kUInt64) {
    if (!is_unsigned_value && value < 0) return Expected(type, text);
  } else if (is_unsigned_value && value < 0) {
    return Expected(type, text);  // beyond Int64
  } else {
    const auto [low, high] = Range(type.scalar);
    if (value < low || value > high) return Expected(type, text);
  }
  out->ints.push_back(value);
  return absl::OkStatus();
}

// "1546300800" or "1546300800.123" seconds, as milliseconds.
bool ParseUnixSeconds(absl::string_view text, int64_t* millis) {
  const size_t dot = text.find('.');
  int64_t seconds = 0;
  if (!absl::SimpleAtoi(text.substr(0, dot), &seconds) || std::abs(seconds) > (int64_t{1} << 40)) return false;
  int64_t fraction = 0;
  if (dot != absl::string_view::npos) {
    absl::string_view digits = text.substr(dot + 1, 3);
    if (digits.empty() || !absl::SimpleAtoi(digits, &fraction) || fraction < 0) return false;
    for (size_t i = digits.size(); i < 3; ++i) fraction *= 10;
  }
  *millis = seconds * 1000 + (seconds < 0 || absl::StartsWith(text, "-") ? -fraction : fraction);
  return true;
}

absl::Status AppendScalar(const DimensionType& type, absl::string_view text, DimensionColumnData* out) {
  if (type.is_string()) {
    out->strings.emplace_back(text);
  } else {
    const absl::string_view trimmed = absl::StripAsciiWhitespace(text);
    switch (type.scalar) {
      case DimensionScalar::kFloat64: {
        double value = 0;
        if (!absl::SimpleAtod(trimmed, &value)) return Expected(type, text);
        out->floats.push_back(value);
        break;
      }
      case DimensionScalar::kDate: {
        absl::StatusOr<int32_t> day = ParseDay(trimmed);
        int64_t number = 0;
        if (day.ok()) {
          number = *day;
        } else if (!absl::SimpleAtoi(trimmed, &number)) {
          return Expected(type, text);
        }
        MUA_RETURN_IF_ERROR(PushInt(type, number, false, text, out));
        break;
      }
      case DimensionScalar::kDateTime:
      case DimensionScalar::kDateTime64: {
        int64_t millis = 0;
        absl::StatusOr<int32_t> day = ParseDay(trimmed);
        if (day.ok()) {
          millis = MillisOfDay(*day);
        } else if (!ingest_internal::TryParseIsoTimestamp(trimmed, &millis) && !ParseUnixSeconds(trimmed, &millis)) {
          return Expected(type, text);
        }
        // DateTime keeps whole seconds (floor, also before 1970).
        out->ints.push_back(type.scalar == DimensionScalar::kDateTime64
                                ? millis
                                : (millis >= 0 ? millis / 1000 : -((-millis + 999) / 1000)));
        break;
      }
      default: {
        if (type.scalar == DimensionScalar::kUInt8 && (trimmed == "true" || trimmed == "false")) {
          out->ints.push_back(trimmed == "true" ? 1 : 0);
          break;
        }
        int64_t value = 0;
        uint64_t unsigned_value = 0;
        if (absl::SimpleAtoi(trimmed, &value)) {
          MUA_RETURN_IF_ERROR(PushInt(type, value, false, text, out));
        } else if (absl::SimpleAtoi(trimmed, &unsigned_value)) {
          MUA_RETURN_IF_ERROR(PushInt(type, static_cast<int64_t>(unsigned_value), true, text, out));
        } else {
          return Expected(type, text);
        }
      }
    }
  }
  if (type.nullable) out->nulls.push_back(0);
  return absl::OkStatus();
}

// The elements of "[1, 2]" / "['a', 'b\'c']": quoted ones unescaped.
absl::Status SplitArray(absl::string_view text, std::vector<std::string>* elements) {
  absl::string_view rest = absl::StripAsciiWhitespace(text);
  if (!absl::ConsumePrefix(&rest, "[") || !absl::ConsumeSuffix(&rest, "]")) {
    return absl::InvalidArgumentError(absl::StrCat("expected an array [...], got '", text.substr(0, 64), "'"));
  }
  rest = absl::StripAsciiWhitespace(rest);
  if (rest.empty()) return absl::OkStatus();
  size_t i = 0;
  for (;;) {
    while (i < rest.size() && rest[i] == ' ') ++i;
    std::string element;
    if (i < rest.size() && (rest[i] == '\'' || rest[i] == '"')) {
      const char quote = rest[i++];
      while (i < rest.size() && rest[i] != quote) {
        if (rest[i] == '\\' && i + 1 < rest.size()) {
          const char c = rest[++i];
          element.push_back(c == 'n' ? '\n' : c == 't' ? '\t' : c == 'r' ? '\r' : c == '0' ? '\0' : c);
        } else {
          element.push_back(rest[i]);
        }
        ++i;
      }
      if (i >= rest.size()) return absl::InvalidArgumentError("unterminated string in an array");
      ++i;
      while (i < rest.size() && rest[i] == ' ') ++i;
    } else {
      const size_t end = rest.find(',', i);
      element = std::string(absl::StripAsciiWhitespace(rest.substr(i, end == absl::string_view::npos ? end : end - i)));
      i = end == absl::string_view::npos ? rest.size() : end;
    }
    elements->push_back(std::move(element));
    if (i >= rest.size()) return absl::OkStatus();
    if (rest[i] != ',') return absl::InvalidArgumentError("expected ',' between array elements");
    ++i;
  }
}

DimensionType ElementType(const DimensionType& type) {
  DimensionType element = type;
  element.array = false;
  element.nullable = false;
  return element;
}

absl::Status EndArray(DimensionColumnData* out, size_t elements) {
  if (out->offsets.back() + elements > UINT32_MAX) return absl::ResourceExhaustedError("array too long");
  out->offsets.push_back(static_cast<uint32_t>(out->offsets.back() + elements));
  return absl::OkStatus();
}

absl::Status AppendJsonValue(const DimensionType& type, const rapidjson::Value& value, DimensionColumnData* out);

absl::Status AppendJsonScalar(const DimensionType& type, const rapidjson::Value& value, DimensionColumnData* out) {
  if (value.IsNull()) return AppendNullValue(type, out);
  if (value.IsString()) return AppendScalar(type, absl::string_view(value.GetString(), value.GetStringLength()), out);
  if (value.IsBool()) return AppendScalar(type, value.GetBool() ? "1" : "0", out);
  if (!value.IsNumber()) return absl::InvalidArgumentError(absl::StrCat("expected a value of type ", type.Name()));
  if (type.is_string()) {
    out->strings.push_back(value.IsInt64() ? absl::StrCat(value.GetInt64())
                           : value.IsUint64() ? absl::StrCat(value.GetUint64())
                                              : absl::StrCat(value.GetDouble()));
  } else if (type.is_float()) {
    out->floats.push_back(value.GetDouble());
  } else if (type.scalar == DimensionScalar::kDateTime64) {
    out->ints.push_back(static_cast<int64_t>(std::llround(value.GetDouble() * 1000)));
  } else if (value.IsInt64()) {
    MUA_RETURN_IF_ERROR(PushInt(type, value.GetInt64(), false, absl::StrCat(value.GetInt64()), out));
  } else if (value.IsUint64()) {
    MUA_RETURN_IF_ERROR(PushInt(type, static_cast<int64_t>(value.GetUint64()), true, absl::StrCat(value.GetUint64()), out));
  } else {
    return Expected(type, absl::StrCat(value.GetDouble()));
  }
  if (type.nullable) out->nulls.push_back(0);
  return absl::OkStatus();
}

absl::Status AppendJsonValue(const DimensionType& type, const rapidjson::Value& value, DimensionColumnData* out) {
  if (!type.array) return AppendJsonScalar(type, value, out);
  if (value.IsNull()) return AppendNullValue(type, out);
  if (value.IsString()) return AppendTextValue(type, absl::string_view(value.GetString(), value.GetStringLength()), out);
  if (!value.IsArray()) return absl::InvalidArgumentError(absl::StrCat("expected an array for ", type.Name()));
  const DimensionType element = ElementType(type);
  for (const rapidjson::Value& item : value.GetArray()) {
    if (item.IsArray() || item.IsObject()) return absl::InvalidArgumentError("nested arrays are not supported");
    MUA_RETURN_IF_ERROR(AppendJsonScalar(element, item, out));
  }
  return EndArray(out, value.Size());
}

// Appends row `row` of `defaults` (or type defaults) for column `c`.
absl::Status AppendDefault(const DimensionTableDef& def, const DimensionBlock* defaults, size_t c, DimensionBlock* block) {
  if (defaults == nullptr) return AppendNullValue(def.columns[c].type, &block->columns[c]);
  // AppendRow copies every column; copy just this one through a one-column view.
  DimensionTableDef one;
  one.columns = {def.columns[c]};
  DimensionBlock from;
  from.rows = 1;
  from.columns = {defaults->columns[c]};
  DimensionBlock to;
  to.columns = {std::move(block->columns[c])};
  to.AppendRow(one, from, 0);
  block->columns[c] = std::move(to.columns[0]);
  return absl::OkStatus();
}

std::string Unescape(absl::string_view field) {
  std::string out;
  out.reserve(field.size());
  for (size_t i = 0; i < field.size(); ++i) {
    if (field[i] != '\\' || i + 1 == field.size()) {
      out.push_back(field[i]);
      continue;
    }
    const char c = field[++i];
    switch (c) {
      case 'n': out.push_back('\n'); break;
      case 't': out.push_back('\t'); break;
      case 'r': out.push_back('\r'); break;
      case '0': out.push_back('\0'); break;
      case 'b': out.push_back('\b'); break;
      case 'f': out.push_back('\f'); break;
      default: out.push_back(c);
    }
  }
  return out;
}

// Splits CSV text into rows of fields ("" quotes, "" inside for a quote). `quoted`
// tells, per field, whether it was quoted (an unquoted \N or NULL is NULL).
struct CsvField {
  std::string text;
  bool quoted = false;
};

absl::Status SplitCsv(absl::string_view data, std::vector<std::vector<CsvField>>* rows) {
  std::vector<CsvField> row;
  CsvField field;
  bool field_started = false;
  size_t i = 0;
  auto end_field = [&] {
    row.push_back(std::move(field));
    field = CsvField{};
    field_started = false;
  };
  while (i < data.size()) {
    const char c = data[i];
    if (!field_started && c == '"') {
      field.quoted = true;
      field_started = true;
      ++i;
      for (;;) {
        if (i >= data.size()) return absl::InvalidArgumentError(absl::StrCat("row ", rows->size() + 1, ": unterminated quoted field"));
        if (data[i] == '"') {
          if (i + 1 < data.size() && data[i + 1] == '"') {
            field.text.push_back('"');
            i += 2;
            continue;
          }
          ++i;
          break;
        }
        field.text.push_back(data[i++]);
      }
      continue;
    }
    if (c == ',') {
      end_field();
      ++i;
      continue;
    }
    if (c == '\n' || c == '\r') {
      if (c == '\r' && i + 1 < data.size() && data[i + 1] == '\n') ++i;
      ++i;
      if (field_started || !row.empty()) {
        end_field();
        rows->push_back(std::move(row));
        row.clear();
      }
      continue;
    }
    field_started = true;
    field.text.push_back(c);
    ++i;
  }
  if (field_started || !row.empty()) {
    end_field();
    rows->push_back(std::move(row));
  }
  return absl::OkStatus();
}

absl::Status RowError(uint64_t row, absl::string_view column, const absl::Status& status) {
  return absl::Status(status.code(), absl::StrCat("row ", row, ", column ", column, ": ", status.message()));
}

absl::StatusOr<std::vector<int>> ColumnIndexes(const DimensionTableDef& def, const std::vector<std::string>& names) {
  std::vector<int> indexes;
  if (names.empty()) {
    for (size_t c = 0; c < def.columns.size(); ++c) indexes.push_back(static_cast<int>(c));
    return indexes;
  }
  for (const std::string& name : names) {
    const int index = def.FindColumn(absl::StripAsciiWhitespace(name));
    if (index < 0) {
      return absl::InvalidArgumentError(absl::StrCat("No such column ", name, " in table default.", def.name));
    }
    indexes.push_back(index);
  }
  return indexes;
}

// Rows of fields (TSV or CSV) into the block: each row has one field per listed column.
template <typename Field, typename IsNull, typename Text>
absl::Status AppendFieldRows(const std::vector<std::vector<Field>>& rows, size_t first_row, const DimensionTableDef& def,
                             const std::vector<int>& indexes, const DimensionBlock* defaults, IsNull is_null,
                             Text text, DimensionBlock* block) {
  std::vector<char> given(def.columns.size());
  for (size_t r = first_row; r < rows.size(); ++r) {
    const std::vector<Field>& fields = rows[r];
    if (fields.size() != indexes.size()) {
      return absl::InvalidArgumentError(
          absl::StrCat("row ", r + 1, ": ", fields.size(), " fields, expected ", indexes.size()));
    }
    std::fill(given.begin(), given.end(), 0);
    for (size_t f = 0; f < fields.size(); ++f) {
      const int c = indexes[f];
      given[c] = 1;
      const DimensionType& type = def.columns[c].type;
      const absl::Status status = is_null(fields[f]) ? AppendNullValue(type, &block->columns[c])
                                                     : AppendTextValue(type, text(fields[f]), &block->columns[c]);
      if (!status.ok()) return RowError(r + 1, def.columns[c].name, status);
    }
    for (size_t c = 0; c < def.columns.size(); ++c) {
      if (!given[c]) MUA_RETURN_IF_ERROR(AppendDefault(def, defaults, c, block));
    }
    ++block->rows;
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<TableRowsFormat> ParseTableRowsFormat(absl::string_view name) {
  if (name == "JSONEachRow") return TableRowsFormat::kJsonEachRow;
  if (name == "TabSeparated" || name == "TSV") return TableRowsFormat::kTabSeparated;
  if (name == "TabSeparatedWithNames" || name == "TSVWithNames") return TableRowsFormat::kTabSeparatedWithNames;
  if (name == "CSV") return TableRowsFormat::kCsv;
  if (name == "CSVWithNames") return TableRowsFormat::kCsvWithNames;
  return absl::InvalidArgumentError(absl::StrCat(
      "Unknown format ", name, " for a table's rows: JSONEachRow, TabSeparated (TSV), TSVWithNames, CSV, CSVWithNames"));
}

absl::Status AppendNullValue(const DimensionType& type, DimensionColumnData* out) {
  if (type.array) return EndArray(out, 0);
  if (type.is_string()) {
    out->strings.emplace_back();
  } else if (type.is_float()) {
    out->floats.push_back(0);
  } else {
    out->ints.push_back(0);
  }
  if (type.nullable) out->nulls.push_back(1);
  return absl::OkStatus();
}

absl::Status AppendTextValue(const DimensionType& type, absl::string_view text, DimensionColumnData* out) {
  if (!type.array) return AppendScalar(type, text, out);
  std::vector<std::string> elements;
  MUA_RETURN_IF_ERROR(SplitArray(text, &elements));
  const DimensionType element = ElementType(type);
  for (const std::string& value : elements) MUA_RETURN_IF_ERROR(AppendScalar(element, value, out));
  return EndArray(out, elements.size());
}

absl::StatusOr<DimensionBlock> ParseTableRows(absl::string_view data, TableRowsFormat format,
                                              const DimensionTableDef& def, const TableRowsOptions& options) {
  DimensionBlock block = DimensionBlock::Empty(def);
  switch (format) {
    case TableRowsFormat::kJsonEachRow: {
      std::vector<char> given(def.columns.size());
      uint64_t line_number = 0;
      for (absl::string_view line : absl::StrSplit(data, '\n')) {
        ++line_number;
        line = absl::StripAsciiWhitespace(line);
        if (line.empty()) continue;
        rapidjson::Document document;
        if (absl::Status parsed = ParseJsonBounded(line, &document); !parsed.ok()) {
          return absl::InvalidArgumentError(absl::StrCat("row ", line_number, ": ", parsed.message()));
        }
        if (!document.IsObject()) return absl::InvalidArgumentError(absl::StrCat("row ", line_number, ": not a JSON object"));
        std::fill(given.begin(), given.end(), 0);
        for (const auto& member : document.GetObject()) {
          const absl::string_view key(member.name.GetString(), member.name.GetStringLength());
          const int c = def.FindColumn(key);
          if (c < 0 || given[c]) continue;  // unknown fields are skipped, as ClickHouse does
          given[c] = 1;
          absl::Status status = AppendJsonValue(def.columns[c].type, member.value, &block.columns[c]);
          if (!status.ok()) return RowError(line_number, key, status);
        }
        for (size_t c = 0; c < def.columns.size(); ++c) {
          if (!given[c]) MUA_RETURN_IF_ERROR(AppendDefault(def, options.defaults, c, &block));
        }
        ++block.rows;
      }
      break;
    }
    case TableRowsFormat::kTabSeparated:
    case TableRowsFormat::kTabSeparatedWithNames: {
      std::vector<std::vector<absl::string_view>> rows;
      for (absl::string_view line : absl::StrSplit(data, '\n')) {
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        if (line.empty()) continue;
        rows.push_back(absl::StrSplit(line, '\t'));
      }
      std::vector<std::string> names = options.columns;
      const bool header = format == TableRowsFormat::kTabSeparatedWithNames;
      if (header && !rows.empty()) {
        names.clear();
        for (absl::string_view name : rows[0]) names.push_back(Unescape(name));
      }
      MUA_ASSIGN_OR_RETURN(const std::vector<int> indexes, ColumnIndexes(def, names));
      MUA_RETURN_IF_ERROR(AppendFieldRows(
          rows, header ? 1 : 0, def, indexes, options.defaults, [](absl::string_view f) { return f == "\\N"; },
          [](absl::string_view f) { return Unescape(f); }, &block));
      break;
    }
    case TableRowsFormat::kCsv:
    case TableRowsFormat::kCsvWithNames: {
      std::vector<std::vector<CsvField>> rows;
      MUA_RETURN_IF_ERROR(SplitCsv(data, &rows));
      std::vector<std::string> names = options.columns;
      const bool header = format == TableRowsFormat::kCsvWithNames;
      if (header && !rows.empty()) {
        names.clear();
        for (const CsvField& field : rows[0]) names.push_back(field.text);
      }
      MUA_ASSIGN_OR_RETURN(const std::vector<int> indexes, ColumnIndexes(def, names));
      MUA_RETURN_IF_ERROR(AppendFieldRows(
          rows, header ? 1 : 0, def, indexes, options.defaults,
          [](const CsvField& f) { return !f.quoted && (f.text == "\\N" || f.text == "NULL"); },
          [](const CsvField& f) -> absl::string_view { return f.text; }, &block));
      break;
    }
  }
  MUA_RETURN_IF_ERROR(block.Validate(def));
  return block;
}

}  // namespace mua
