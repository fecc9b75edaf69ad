#include "query/output_format.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testutil/status_matchers.h"

namespace mua {
namespace {

using ::mua::test::StatusIs;

std::string Render(const ResultSet& result, OutputFormat format) {
  std::string out;
  WriteResult(result, format, &out);
  return out;
}

// One UInt64 column "c", as `SELECT count() AS c` returns it.
ResultSet CountResult(std::vector<int64_t> values) {
  ResultSet result;
  Column& c = result.AddColumn("c", DataType::Of(TypeId::kUInt64));
  c.ints = values;
  result.row_count = values.size();
  return result;
}

void AddArrayRow(Column* column, std::vector<int64_t> values) {
  column->ints.insert(column->ints.end(), values.begin(), values.end());
  column->array_offsets.push_back(static_cast<uint32_t>(column->ints.size()));
}

void AddArrayRow(Column* column, std::vector<std::string> values) {
  column->strings.insert(column->strings.end(), values.begin(), values.end());
  column->array_offsets.push_back(static_cast<uint32_t>(column->strings.size()));
}

constexpr int64_t kDay = 20731;  // 2026-10-05
constexpr int64_t kSeconds = kDay * 86400 + 14 * 3600 + 3 * 60 + 7;
constexpr int64_t kMillis = kSeconds * 1000 + 123;

// Two rows covering every type; the second row holds the edge values.
ResultSet AllTypes() {
  ResultSet result;
  result.AddColumn("u8", DataType::Of(TypeId::kUInt8)).ints = {255, 0};
  result.AddColumn("u16", DataType::Of(TypeId::kUInt16)).ints = {65535, 1};
  result.AddColumn("u32", DataType::Of(TypeId::kUInt32)).ints = {4294967295, 2};
  result.AddColumn("u64", DataType::Of(TypeId::kUInt64)).ints = {-1, 3};
  result.AddColumn("i64", DataType::Of(TypeId::kInt64)).ints = {
      -5, std::numeric_limits<int64_t>::min()};
  result.AddColumn("f", DataType::Of(TypeId::kFloat64)).floats = {0.1, 1e21};
  result.AddColumn("s", DataType::Of(TypeId::kString)).strings = {
      "a/b\"c\\d\te\nf", std::string("\x01\x1f\0", 3) + "✓'"};
  result.AddColumn("d", DataType::Of(TypeId::kDate)).ints = {kDay, 0};
  result.AddColumn("dt", DataType::Of(TypeId::kDateTime)).ints = {kSeconds, 0};
  result.AddColumn("dt64", DataType::Of(TypeId::kDateTime64)).ints = {kMillis, -1};
  Column& au = result.AddColumn("au", DataType::Array(TypeId::kUInt8));
  AddArrayRow(&au, std::vector<int64_t>{1, 2});
  AddArrayRow(&au, std::vector<int64_t>{});
  Column& as = result.AddColumn("as", DataType::Array(TypeId::kString));
  AddArrayRow(&as, std::vector<std::string>{"x", "y"});
  AddArrayRow(&as, std::vector<std::string>{"it's", "a\tb\"c"});
  Column& n = result.AddColumn("n", DataType::Nullable(TypeId::kUInt8));
  n.ints = {7, 0};
  n.nulls = {0, 1};
  result.row_count = 2;
  return result;
}

// ---- Names and content types -------------------------------------------------

TEST(OutputFormatTest, ParsesClickHouseNamesAndAliases) {
  struct Case {
    const char* name;
    OutputFormat format;
  };
  const Case cases[] = {
      {"TabSeparated", OutputFormat::kTabSeparated},
      {"TSV", OutputFormat::kTabSeparated},
      {"TabSeparatedWithNames", OutputFormat::kTabSeparatedWithNames},
      {"TSVWithNames", OutputFormat::kTabSeparatedWithNames},
      {"TabSeparatedWithNamesAndTypes", OutputFormat::kTabSeparatedWithNamesAndTypes},
      {"TSVWithNamesAndTypes", OutputFormat::kTabSeparatedWithNamesAndTypes},
      {"CSV", OutputFormat::kCSV},
      {"CSVWithNames", OutputFormat::kCSVWithNames},
      {"JSON", OutputFormat::kJSON},
      {"JSONCompact", OutputFormat::kJSONCompact},
      {"JSONEachRow", OutputFormat::kJSONEachRow},
      {"JSONCompactEachRow", OutputFormat::kJSONCompactEachRow},
      {"Pretty", OutputFormat::kPretty},
      {"PrettyCompact", OutputFormat::kPrettyCompact},
      {"Vertical", OutputFormat::kVertical},
  };
  for (const Case& c : cases) {
    ASSERT_OK_AND_ASSIGN(OutputFormat format, ParseOutputFormat(c.name));
    EXPECT_EQ(format, c.format) << c.name;
  }
}

TEST(OutputFormatTest, NameRoundTrips) {
  for (const char* name : {"TabSeparated", "TabSeparatedWithNames", "TabSeparatedWithNamesAndTypes",
                           "CSV", "CSVWithNames", "JSON", "JSONCompact", "JSONEachRow",
                           "JSONCompactEachRow", "Pretty", "PrettyCompact", "Vertical"}) {
    ASSERT_OK_AND_ASSIGN(OutputFormat format, ParseOutputFormat(name));
    EXPECT_EQ(OutputFormatName(format), name);
  }
  EXPECT_EQ(OutputFormatName(OutputFormat::kTabSeparated), "TabSeparated");
}

TEST(OutputFormatTest, UnknownFormatIsInvalidArgument) {
  auto format = ParseOutputFormat("XML");
  EXPECT_THAT(format, StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_EQ(format.status().message(), "Unknown format XML");
  EXPECT_THAT(ParseOutputFormat("json"), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(ParseOutputFormat(""), StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(OutputFormatTest, ContentTypes) {
  EXPECT_EQ(ContentType(OutputFormat::kJSON), "application/json; charset=UTF-8");
  EXPECT_EQ(ContentType(OutputFormat::kJSONCompact), "application/json; charset=UTF-8");
  EXPECT_EQ(ContentType(OutputFormat::kJSONEachRow), "application/x-ndjson; charset=UTF-8");
  EXPECT_EQ(ContentType(OutputFormat::kJSONCompactEachRow), "application/x-ndjson; charset=UTF-8");
  EXPECT_EQ(ContentType(OutputFormat::kTabSeparated), "text/tab-separated-values; charset=UTF-8");
  EXPECT_EQ(ContentType(OutputFormat::kTabSeparatedWithNames),
            "text/tab-separated-values; charset=UTF-8");
  EXPECT_EQ(ContentType(OutputFormat::kTabSeparatedWithNamesAndTypes),
            "text/tab-separated-values; charset=UTF-8");
  EXPECT_EQ(ContentType(OutputFormat::kCSV), "text/csv; charset=UTF-8; header=absent");
  EXPECT_EQ(ContentType(OutputFormat::kCSVWithNames), "text/csv; charset=UTF-8; header=present");
  EXPECT_EQ(ContentType(OutputFormat::kPretty), "text/plain; charset=UTF-8");
  EXPECT_EQ(ContentType(OutputFormat::kPrettyCompact), "text/plain; charset=UTF-8");
  EXPECT_EQ(ContentType(OutputFormat::kVertical), "text/plain; charset=UTF-8");
}

// ---- clickhouse.md §6/§7 examples, byte for byte -------------------------------

TEST(OutputFormatTest, JsonEnvelopeMatchesClickHouseExample) {
  ResultSet result = CountResult({2});
  result.statistics = {.elapsed_seconds = 0.000497067, .rows_read = 2, .bytes_read = 8};
  EXPECT_EQ(
      Render(result, OutputFormat::kJSON),
      "{\n\t\"meta\":\n\t[\n\t\t{\n\t\t\t\"name\": \"c\",\n\t\t\t\"type\": \"UInt64\"\n\t\t}\n"
      "\t],\n\n\t\"data\":\n\t[\n\t\t{\n\t\t\t\"c\": \"2\"\n\t\t}\n\t],\n\n\t\"rows\": 1,\n\n"
      "\t\"statistics\":\n\t{\n\t\t\"elapsed\": 0.000497067,\n\t\t\"rows_read\": 2,\n\t\t"
      "\"bytes_read\": 8\n\t}\n}\n");
}

TEST(OutputFormatTest, JsonEmptyResult) {
  EXPECT_EQ(
      Render(CountResult({}), OutputFormat::kJSON),
      "{\n\t\"meta\":\n\t[\n\t\t{\n\t\t\t\"name\": \"c\",\n\t\t\t\"type\": \"UInt64\"\n\t\t}\n"
      "\t],\n\n\t\"data\":\n\t[\n\n\t],\n\n\t\"rows\": 0,\n\n"
      "\t\"statistics\":\n\t{\n\t\t\"elapsed\": 0,\n\t\t\"rows_read\": 0,\n\t\t"
      "\"bytes_read\": 0\n\t}\n}\n");
  EXPECT_EQ(
      Render(CountResult({}), OutputFormat::kJSONCompact),
      "{\n\t\"meta\":\n\t[\n\t\t{\n\t\t\t\"name\": \"c\",\n\t\t\t\"type\": \"UInt64\"\n\t\t}\n"
      "\t],\n\n\t\"data\":\n\t[\n\n\t],\n\n\t\"rows\": 0,\n\n"
      "\t\"statistics\":\n\t{\n\t\t\"elapsed\": 0,\n\t\t\"rows_read\": 0,\n\t\t"
      "\"bytes_read\": 0\n\t}\n}\n");
}

// Columns of `["18446744073709551615", -5, 0.1, null, "a\/b"]`.
ResultSet CompactExample() {
  ResultSet result;
  result.AddColumn("u", DataType::Of(TypeId::kUInt64)).ints = {-1};
  result.AddColumn("i", DataType::Of(TypeId::kInt8)).ints = {-5};
  result.AddColumn("f", DataType::Of(TypeId::kFloat64)).floats = {0.1};
  Column& n = result.AddColumn("n", DataType::Nullable(TypeId::kString));
  n.strings = {""};
  n.nulls = {1};
  result.AddColumn("s", DataType::Of(TypeId::kString)).strings = {"a/b"};
  result.row_count = 1;
  return result;
}

TEST(OutputFormatTest, JsonCompactRowMatchesClickHouseExample) {
  std::string out = Render(CompactExample(), OutputFormat::kJSONCompact);
  EXPECT_THAT(out, ::testing::HasSubstr(
                       "\"data\":\n\t[\n\t\t[\"18446744073709551615\", -5, 0.1, null, \"a\\/b\"]\n"
                       "\t],\n\n\t\"rows\": 1,"));
  EXPECT_THAT(out, ::testing::HasSubstr("\t\t{\n\t\t\t\"name\": \"n\",\n\t\t\t\"type\": "
                                        "\"Nullable(String)\"\n\t\t},\n"));
}

TEST(OutputFormatTest, JsonEachRowMatchesClickHouseExample) {
  ResultSet result;
  result.AddColumn("u", DataType::Of(TypeId::kUInt64)).ints = {-1};
  result.AddColumn("i", DataType::Of(TypeId::kInt8)).ints = {-5};
  result.AddColumn("s", DataType::Of(TypeId::kString)).strings = {"a/b\"c\\d\te\nf"};
  AddArrayRow(&result.AddColumn("arr", DataType::Array(TypeId::kUInt8)),
              std::vector<int64_t>{1, 2});
  result.row_count = 1;
  EXPECT_EQ(Render(result, OutputFormat::kJSONEachRow),
            R"({"u":"18446744073709551615","i":-5,"s":"a\/b\"c\\d\te\nf","arr":[1,2]})"
            "\n");
}

TEST(OutputFormatTest, JsonEachRowMatchesClientExchange) {
  ResultSet result;
  result.AddColumn("id", DataType::Of(TypeId::kUInt32)).ints = {1, 2};
  result.AddColumn("name", DataType::Of(TypeId::kString)).strings = {"a", "b\n\"x"};
  result.row_count = 2;
  EXPECT_EQ(Render(result, OutputFormat::kJSONEachRow),
            "{\"id\":1,\"name\":\"a\"}\n{\"id\":2,\"name\":\"b\\n\\\"x\"}\n");
}

// ---- Empty and one-row results in every format -------------------------------

TEST(OutputFormatTest, EmptyResultInEveryFormat) {
  ResultSet result = CountResult({});
  EXPECT_EQ(Render(result, OutputFormat::kTabSeparated), "");
  EXPECT_EQ(Render(result, OutputFormat::kTabSeparatedWithNames), "c\n");
  EXPECT_EQ(Render(result, OutputFormat::kTabSeparatedWithNamesAndTypes), "c\nUInt64\n");
  EXPECT_EQ(Render(result, OutputFormat::kCSV), "");
  EXPECT_EQ(Render(result, OutputFormat::kCSVWithNames), "\"c\"\n");
  EXPECT_EQ(Render(result, OutputFormat::kJSONEachRow), "");
  EXPECT_EQ(Render(result, OutputFormat::kJSONCompactEachRow), "");
  EXPECT_EQ(Render(result, OutputFormat::kPretty), "");
  EXPECT_EQ(Render(result, OutputFormat::kPrettyCompact), "");
  EXPECT_EQ(Render(result, OutputFormat::kVertical), "");
}

TEST(OutputFormatTest, OneRowInEveryFormat) {
  ResultSet result = CountResult({2});
  EXPECT_EQ(Render(result, OutputFormat::kTabSeparated), "2\n");
  EXPECT_EQ(Render(result, OutputFormat::kTabSeparatedWithNames), "c\n2\n");
  EXPECT_EQ(Render(result, OutputFormat::kTabSeparatedWithNamesAndTypes), "c\nUInt64\n2\n");
  EXPECT_EQ(Render(result, OutputFormat::kCSV), "2\n");
  EXPECT_EQ(Render(result, OutputFormat::kCSVWithNames), "\"c\"\n2\n");
  EXPECT_EQ(Render(result, OutputFormat::kJSONEachRow), "{\"c\":\"2\"}\n");
  EXPECT_EQ(Render(result, OutputFormat::kJSONCompactEachRow), "[\"2\"]\n");
  EXPECT_THAT(Render(result, OutputFormat::kJSONCompact),
              ::testing::HasSubstr("\t\"data\":\n\t[\n\t\t[\"2\"]\n\t],\n\n\t\"rows\": 1,\n"));
  EXPECT_EQ(Render(result, OutputFormat::kPretty),
            "┏━━━┓\n"
            "┃ c ┃\n"
            "┡━━━┩\n"
            "│ 2 │\n"
            "└───┘\n");
  EXPECT_EQ(Render(result, OutputFormat::kPrettyCompact),
            "┌─c─┐\n"
            "│ 2 │\n"
            "└───┘\n");
  EXPECT_EQ(Render(result, OutputFormat::kVertical),
            "Row 1:\n"
            "──────\n"
            "c: 2\n");
}

// ---- Every type, multi-row ---------------------------------------------------

constexpr char kAllTypesEachRow[] =
    R"({"u8":255,"u16":65535,"u32":4294967295,"u64":"18446744073709551615","i64":"-5",)"
    R"("f":0.1,"s":"a\/b\"c\\d\te\nf","d":"2026-10-05","dt":"2026-10-05 14:03:07",)"
    R"("dt64":"2026-10-05 14:03:07.123","au":[1,2],"as":["x","y"],"n":7})"
    "\n"
    R"({"u8":0,"u16":1,"u32":2,"u64":"3","i64":"-9223372036854775808","f":1e21,)"
    R"("s":"\u0001\u001F\u0000✓'","d":"1970-01-01","dt":"1970-01-01 00:00:00",)"
    R"("dt64":"1969-12-31 23:59:59.999","au":[],"as":["it's","a\tb\"c"],"n":null})"
    "\n";

TEST(OutputFormatTest, JsonEachRowEveryType) {
  EXPECT_EQ(Render(AllTypes(), OutputFormat::kJSONEachRow), kAllTypesEachRow);
}

TEST(OutputFormatTest, JsonCompactEachRowEveryType) {
  EXPECT_EQ(
      Render(AllTypes(), OutputFormat::kJSONCompactEachRow),
      R"([255, 65535, 4294967295, "18446744073709551615", "-5", 0.1, "a\/b\"c\\d\te\nf", )"
      R"("2026-10-05", "2026-10-05 14:03:07", "2026-10-05 14:03:07.123", [1,2], ["x","y"], 7])"
      "\n"
      R"([0, 1, 2, "3", "-9223372036854775808", 1e21, "\u0001\u001F\u0000✓'", )"
      R"("1970-01-01", "1970-01-01 00:00:00", "1969-12-31 23:59:59.999", [], )"
      R"(["it's","a\tb\"c"], null])"
      "\n");
}

constexpr char kAllTypesMeta[] =
    "{\n\t\"meta\":\n\t[\n"
    "\t\t{\n\t\t\t\"name\": \"u8\",\n\t\t\t\"type\": \"UInt8\"\n\t\t},\n"
    "\t\t{\n\t\t\t\"name\": \"u16\",\n\t\t\t\"type\": \"UInt16\"\n\t\t},\n"
    "\t\t{\n\t\t\t\"name\": \"u32\",\n\t\t\t\"type\": \"UInt32\"\n\t\t},\n"
    "\t\t{\n\t\t\t\"name\": \"u64\",\n\t\t\t\"type\": \"UInt64\"\n\t\t},\n"
    "\t\t{\n\t\t\t\"name\": \"i64\",\n\t\t\t\"type\": \"Int64\"\n\t\t},\n"
    "\t\t{\n\t\t\t\"name\": \"f\",\n\t\t\t\"type\": \"Float64\"\n\t\t},\n"
    "\t\t{\n\t\t\t\"name\": \"s\",\n\t\t\t\"type\": \"String\"\n\t\t},\n"
    "\t\t{\n\t\t\t\"name\": \"d\",\n\t\t\t\"type\": \"Date\"\n\t\t},\n"
    "\t\t{\n\t\t\t\"name\": \"dt\",\n\t\t\t\"type\": \"DateTime\"\n\t\t},\n"
    "\t\t{\n\t\t\t\"name\": \"dt64\",\n\t\t\t\"type\": \"DateTime64(3)\"\n\t\t},\n"
    "\t\t{\n\t\t\t\"name\": \"au\",\n\t\t\t\"type\": \"Array(UInt8)\"\n\t\t},\n"
    "\t\t{\n\t\t\t\"name\": \"as\",\n\t\t\t\"type\": \"Array(String)\"\n\t\t},\n"
    "\t\t{\n\t\t\t\"name\": \"n\",\n\t\t\t\"type\": \"Nullable(UInt8)\"\n\t\t}\n"
    "\t],\n\n";

constexpr char kStatistics[] =
    "\t\"rows\": 2,\n\n\t\"statistics\":\n\t{\n\t\t\"elapsed\": 1.5,\n\t\t\"rows_read\": 1000,\n"
    "\t\t\"bytes_read\": 123456789\n\t}\n}\n";

TEST(OutputFormatTest, JsonEveryType) {
  ResultSet result = AllTypes();
  result.statistics = {.elapsed_seconds = 1.5, .rows_read = 1000, .bytes_read = 123456789};
  std::string expected = std::string(kAllTypesMeta) +
                         "\t\"data\":\n\t[\n"
                         "\t\t{\n"
                         "\t\t\t\"u8\": 255,\n"
                         "\t\t\t\"u16\": 65535,\n"
                         "\t\t\t\"u32\": 4294967295,\n"
                         "\t\t\t\"u64\": \"18446744073709551615\",\n"
                         "\t\t\t\"i64\": \"-5\",\n"
                         "\t\t\t\"f\": 0.1,\n"
                         R"(			"s": "a\/b\"c\\d\te\nf",)"
                         "\n"
                         "\t\t\t\"d\": \"2026-10-05\",\n"
                         "\t\t\t\"dt\": \"2026-10-05 14:03:07\",\n"
                         "\t\t\t\"dt64\": \"2026-10-05 14:03:07.123\",\n"
                         "\t\t\t\"au\": [1,2],\n"
                         "\t\t\t\"as\": [\"x\",\"y\"],\n"
                         "\t\t\t\"n\": 7\n"
                         "\t\t},\n"
                         "\t\t{\n"
                         "\t\t\t\"u8\": 0,\n"
                         "\t\t\t\"u16\": 1,\n"
                         "\t\t\t\"u32\": 2,\n"
                         "\t\t\t\"u64\": \"3\",\n"
                         "\t\t\t\"i64\": \"-9223372036854775808\",\n"
                         "\t\t\t\"f\": 1e21,\n"
                         R"(			"s": "\u0001\u001F\u0000✓'",)"
                         "\n"
                         "\t\t\t\"d\": \"1970-01-01\",\n"
                         "\t\t\t\"dt\": \"1970-01-01 00:00:00\",\n"
                         "\t\t\t\"dt64\": \"1969-12-31 23:59:59.999\",\n"
                         "\t\t\t\"au\": [],\n"
                         R"(			"as": ["it's","a\tb\"c"],)"
                         "\n"
                         "\t\t\t\"n\": null\n"
                         "\t\t}\n"
                         "\t],\n\n" +
                         kStatistics;
  EXPECT_EQ(Render(result, OutputFormat::kJSON), expected);
}

TEST(OutputFormatTest, JsonCompactEveryType) {
  ResultSet result = AllTypes();
  result.statistics = {.elapsed_seconds = 1.5, .rows_read = 1000, .bytes_read = 123456789};
  std::string expected =
      std::string(kAllTypesMeta) + "\t\"data\":\n\t[\n" +
      R"(		[255, 65535, 4294967295, "18446744073709551615", "-5", 0.1, "a\/b\"c\\d\te\nf", )"
      R"("2026-10-05", "2026-10-05 14:03:07", "2026-10-05 14:03:07.123", [1,2], ["x","y"], 7],)"
      "\n"
      R"(		[0, 1, 2, "3", "-9223372036854775808", 1e21, "\u0001\u001F\u0000✓'", )"
      R"("1970-01-01", "1970-01-01 00:00:00", "1969-12-31 23:59:59.999", [], )"
      R"(["it's","a\tb\"c"], null])"
      "\n\t],\n\n" +
      kStatistics;
  EXPECT_EQ(Render(result, OutputFormat::kJSONCompact), expected);
}

constexpr char kAllTypesTsvRows[] =
    "255\t65535\t4294967295\t18446744073709551615\t-5\t0.1\t"
    R"(a/b"c\\d\te\nf)"
    "\t2026-10-05\t2026-10-05 14:03:07\t2026-10-05 14:03:07.123\t[1,2]\t['x','y']\t7\n"
    "0\t1\t2\t3\t-9223372036854775808\t1e21\t"
    "\x01\x1f"
    R"(\0✓\')"
    "\t1970-01-01\t1970-01-01 00:00:00\t1969-12-31 23:59:59.999\t[]\t"
    R"(['it\'s','a\tb"c'])"
    "\t\\N\n";

TEST(OutputFormatTest, TabSeparatedEveryType) {
  ResultSet result = AllTypes();
  EXPECT_EQ(Render(result, OutputFormat::kTabSeparated), kAllTypesTsvRows);
  EXPECT_EQ(
      Render(result, OutputFormat::kTabSeparatedWithNames),
      std::string("u8\tu16\tu32\tu64\ti64\tf\ts\td\tdt\tdt64\tau\tas\tn\n") + kAllTypesTsvRows);
  EXPECT_EQ(Render(result, OutputFormat::kTabSeparatedWithNamesAndTypes),
            std::string("u8\tu16\tu32\tu64\ti64\tf\ts\td\tdt\tdt64\tau\tas\tn\n"
                        "UInt8\tUInt16\tUInt32\tUInt64\tInt64\tFloat64\tString\tDate\tDateTime\t"
                        "DateTime64(3)\tArray(UInt8)\tArray(String)\tNullable(UInt8)\n") +
                kAllTypesTsvRows);
}

constexpr char kAllTypesCsvRows[] =
    "255,65535,4294967295,18446744073709551615,-5,0.1,\"a/b\"\"c\\d\te\nf\","
    "\"2026-10-05\",\"2026-10-05 14:03:07\",\"2026-10-05 14:03:07.123\",\"[1,2]\","
    "\"['x','y']\",7\n"
    "0,1,2,3,-9223372036854775808,1e21,\"\x01\x1f\0✓'\",\"1970-01-01\","
    "\"1970-01-01 00:00:00\",\"1969-12-31 23:59:59.999\",\"[]\","
    R"("['it\'s','a\tb""c']",\N)"
    "\n";

TEST(OutputFormatTest, CsvEveryType) {
  ResultSet result = AllTypes();
  std::string rows(kAllTypesCsvRows, sizeof(kAllTypesCsvRows) - 1);  // holds a NUL
  EXPECT_EQ(Render(result, OutputFormat::kCSV), rows);
  EXPECT_EQ(Render(result, OutputFormat::kCSVWithNames),
            "\"u8\",\"u16\",\"u32\",\"u64\",\"i64\",\"f\",\"s\",\"d\",\"dt\",\"dt64\",\"au\","
            "\"as\",\"n\"\n" +
                rows);
}

// Every line of a Pretty table has the same display width (code points).
void ExpectRectangular(const std::string& table) {
  std::vector<std::string> lines = absl::StrSplit(table, '\n', absl::SkipEmpty());
  ASSERT_FALSE(lines.empty());
  auto width = [](const std::string& line) {
    size_t count = 0;
    for (char c : line) count += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
    return count;
  };
  for (const std::string& line : lines) EXPECT_EQ(width(line), width(lines[0])) << line;
}

TEST(OutputFormatTest, PrettyEveryTypeStaysRectangular) {
  ResultSet result = AllTypes();
  std::string pretty = Render(result, OutputFormat::kPretty);
  ExpectRectangular(pretty);
  EXPECT_THAT(pretty, ::testing::HasSubstr(R"(│ a/b"c\\d\te\nf │)"));
  EXPECT_THAT(pretty, ::testing::HasSubstr("│ ['it\\'s','a\\tb\"c'] │"));
  EXPECT_THAT(pretty, ::testing::HasSubstr("│ ᴺᵁᴸᴸ │"));
  std::string compact = Render(result, OutputFormat::kPrettyCompact);
  ExpectRectangular(compact);
  EXPECT_THAT(compact, ::testing::HasSubstr("│ 18446744073709551615 │"));
  EXPECT_THAT(compact, ::testing::HasSubstr("│ 2026-10-05 14:03:07.123 │"));
  EXPECT_THAT(compact, ::testing::HasSubstr("│ 1969-12-31 23:59:59.999 │"));
}

// ---- Pretty family layout ------------------------------------------------------

ResultSet NameAndNumber() {
  ResultSet result;
  result.AddColumn("name", DataType::Of(TypeId::kString)).strings = {"a", "héllo"};
  result.AddColumn("n", DataType::Of(TypeId::kUInt64)).ints = {1, 1000};
  result.row_count = 2;
  return result;
}

TEST(OutputFormatTest, PrettyAlignsNumbersRightByCodePoints) {
  EXPECT_EQ(Render(NameAndNumber(), OutputFormat::kPretty),
            "┏━━━━━━━┳━━━━━━┓\n"
            "┃ name  ┃    n ┃\n"
            "┡━━━━━━━╇━━━━━━┩\n"
            "│ a     │    1 │\n"
            "├───────┼──────┤\n"
            "│ héllo │ 1000 │\n"
            "└───────┴──────┘\n");
}

TEST(OutputFormatTest, PrettyCompactPutsNamesInTopBorder) {
  EXPECT_EQ(Render(NameAndNumber(), OutputFormat::kPrettyCompact),
            "┌─name──┬────n─┐\n"
            "│ a     │    1 │\n"
            "│ héllo │ 1000 │\n"
            "└───────┴──────┘\n");
}

TEST(OutputFormatTest, VerticalPadsNames) {
  EXPECT_EQ(Render(NameAndNumber(), OutputFormat::kVertical),
            "Row 1:\n"
            "──────\n"
            "name: a\n"
            "n:    1\n"
            "\n"
            "Row 2:\n"
            "──────\n"
            "name: héllo\n"
            "n:    1000\n");
}

TEST(OutputFormatTest, PrettyShowsAtMostTenThousandRows) {
  std::vector<int64_t> values(10'001, 1);
  std::string out = Render(CountResult(values), OutputFormat::kPrettyCompact);
  EXPECT_THAT(out, ::testing::EndsWith("└───┘\n  Showed first 10000.\n"));
  EXPECT_EQ(std::count(out.begin(), out.end(), '\n'), 10'000 + 3);
}

// ---- Value encoding details ----------------------------------------------------

std::vector<std::string> RenderFloats(std::vector<double> values, OutputFormat format) {
  ResultSet result;
  result.AddColumn("f", DataType::Of(TypeId::kFloat64)).floats = values;
  result.row_count = values.size();
  return absl::StrSplit(Render(result, format), '\n', absl::SkipEmpty());
}

TEST(OutputFormatTest, FloatsPrintShortestRoundTripLikeClickHouse) {
  const double inf = std::numeric_limits<double>::infinity();
  std::vector<std::string> text = RenderFloats({1,
                                                0.1,
                                                1e21,
                                                1e20,
                                                std::nan(""),
                                                inf,
                                                -inf,
                                                1e-7,
                                                0.000001,
                                                1.23456789e-6,
                                                4611686018427387904.0,
                                                -0.0,
                                                123.456,
                                                -2.5,
                                                0.30000000000000004,
                                                1.0000000000000002,
                                                9.99e20,
                                                -9.99e21,
                                                1e100,
                                                5e-324,
                                                1.7976931348623157e308,
                                                1e15,
                                                -1.5e-7},
                                               OutputFormat::kTabSeparated);
  EXPECT_THAT(text,
              ::testing::ElementsAre(
                  "1", "0.1", "1e21", "100000000000000000000", "nan", "inf", "-inf", "1e-7",
                  "0.000001", "0.00000123456789", "4611686018427387904", "0", "123.456", "-2.5",
                  "0.30000000000000004", "1.0000000000000002", "999000000000000000000", "-9.99e21",
                  "1e100", "5e-324", "1.7976931348623157e308", "1000000000000000", "-1.5e-7"));
}

TEST(OutputFormatTest, NonFiniteFloatsAreNullInJsonAndLiteralInText) {
  const double inf = std::numeric_limits<double>::infinity();
  std::vector<double> values = {std::nan(""), inf, -inf, 1};
  EXPECT_THAT(
      RenderFloats(values, OutputFormat::kJSONEachRow),
      ::testing::ElementsAre(R"({"f":null})", R"({"f":null})", R"({"f":null})", R"({"f":1})"));
  EXPECT_THAT(RenderFloats(values, OutputFormat::kCSV),
              ::testing::ElementsAre("nan", "inf", "-inf", "1"));
  EXPECT_THAT(RenderFloats(values, OutputFormat::kTabSeparated),
              ::testing::ElementsAre("nan", "inf", "-inf", "1"));
}

ResultSet OneString(std::string value) {
  ResultSet result;
  result.AddColumn("s", DataType::Of(TypeId::kString)).strings = {std::move(value)};
  result.row_count = 1;
  return result;
}

TEST(OutputFormatTest, JsonStringEscapes) {
  std::string raw = std::string("\b\f\r\x7f\0\x1b", 6) + "\xe2\x80\xa8\xe2\x80\xa9\xe2\x80\xaa" +
                    "\xff\xc3";  // U+2028, U+2029, U+202A, invalid UTF-8
  EXPECT_EQ(Render(OneString(raw), OutputFormat::kJSONEachRow),
            "{\"s\":\"\\b\\f\\r\x7f\\u0000\\u001B\\u2028\\u2029\xe2\x80\xaa\xff\xc3\"}\n");
  EXPECT_EQ(Render(OneString("\xe2\x80"), OutputFormat::kJSONEachRow), "{\"s\":\"\xe2\x80\"}\n");
}

TEST(OutputFormatTest, TabSeparatedEscapes) {
  std::string raw = std::string("\b\f\r\0\x7f'\\", 7);
  EXPECT_EQ(Render(OneString(raw), OutputFormat::kTabSeparated), "\\b\\f\\r\\0\x7f\\'\\\\\n");
}

TEST(OutputFormatTest, CsvKeepsEverythingButQuotesRaw) {
  EXPECT_EQ(Render(OneString("say \"hi\",\n\tok\\"), OutputFormat::kCSV),
            "\"say \"\"hi\"\",\n\tok\\\"\n");
}

TEST(OutputFormatTest, ColumnNamesAreEscapedPerFormat) {
  ResultSet result;
  result.AddColumn("a/\"b\tc", DataType::Of(TypeId::kUInt8)).ints = {1};
  result.row_count = 1;
  EXPECT_EQ(Render(result, OutputFormat::kJSONEachRow), "{\"a\\/\\\"b\\tc\":1}\n");
  EXPECT_EQ(Render(result, OutputFormat::kTabSeparatedWithNames), "a/\"b\\tc\n1\n");
  EXPECT_EQ(Render(result, OutputFormat::kCSVWithNames), "\"a/\"\"b\tc\"\n1\n");
}

TEST(OutputFormatTest, ArraysOfTimesAndFloats) {
  ResultSet result;
  AddArrayRow(&result.AddColumn("d", DataType::Array(TypeId::kDate)),
              std::vector<int64_t>{kDay, 0});
  AddArrayRow(&result.AddColumn("u", DataType::Array(TypeId::kUInt64)),
              std::vector<int64_t>{-1, 2});
  Column& f = result.AddColumn("f", DataType::Array(TypeId::kFloat64));
  f.floats = {0.5, std::nan("")};
  f.array_offsets.push_back(2);
  result.row_count = 1;
  EXPECT_EQ(Render(result, OutputFormat::kJSONEachRow),
            R"({"d":["2026-10-05","1970-01-01"],"u":["18446744073709551615","2"],"f":[0.5,null]})"
            "\n");
  EXPECT_EQ(Render(result, OutputFormat::kTabSeparated),
            "['2026-10-05','1970-01-01']\t[18446744073709551615,2]\t[0.5,nan]\n");
  EXPECT_EQ(Render(result, OutputFormat::kCSV),
            "\"['2026-10-05','1970-01-01']\",\"[18446744073709551615,2]\",\"[0.5,nan]\"\n");
}

TEST(OutputFormatTest, NullableColumnsInEveryFamily) {
  ResultSet result;
  Column& s = result.AddColumn("s", DataType::Nullable(TypeId::kString));
  s.strings = {"x", ""};
  s.nulls = {0, 1};
  Column& d = result.AddColumn("d", DataType::Nullable(TypeId::kDate));
  d.ints = {0, 0};
  d.nulls = {1, 0};
  result.row_count = 2;
  EXPECT_EQ(Render(result, OutputFormat::kJSONEachRow),
            "{\"s\":\"x\",\"d\":null}\n{\"s\":null,\"d\":\"1970-01-01\"}\n");
  EXPECT_EQ(Render(result, OutputFormat::kTabSeparated), "x\t\\N\n\\N\t1970-01-01\n");
  EXPECT_EQ(Render(result, OutputFormat::kCSV), "\"x\",\\N\n\\N,\"1970-01-01\"\n");
  EXPECT_EQ(Render(result, OutputFormat::kPrettyCompact),
            "┌─s────┬──────────d─┐\n"
            "│ x    │       ᴺᵁᴸᴸ │\n"
            "│ ᴺᵁᴸᴸ │ 1970-01-01 │\n"
            "└──────┴────────────┘\n");
}

TEST(OutputFormatTest, DatesBeforeEpochAndFarFuture) {
  ResultSet result;
  result.AddColumn("d", DataType::Of(TypeId::kDate)).ints = {-1, 2932896, 11016, 11017};
  result.AddColumn("t", DataType::Of(TypeId::kDateTime)).ints = {-1, 4294967295, 951782400,
                                                                 951868799};
  result.row_count = 4;
  EXPECT_EQ(Render(result, OutputFormat::kTabSeparated),
            "1969-12-31\t1969-12-31 23:59:59\n"
            "9999-12-31\t2106-02-07 06:28:15\n"
            "2000-02-29\t2000-02-29 00:00:00\n"
            "2000-03-01\t2000-02-29 23:59:59\n");
}

TEST(OutputFormatTest, AppendsToExistingOutput) {
  std::string out = "prefix:";
  WriteResult(CountResult({1}), OutputFormat::kTabSeparated, &out);
  EXPECT_EQ(out, "prefix:1\n");
}

}  // namespace
}  // namespace mua
