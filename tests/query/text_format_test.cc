// The text formats added for the wider ecosystem (TSVRaw, CSVWithNamesAndTypes,
// JSONStrings family, Markdown, Values, Null) and cells of tuples and nested arrays.
// TSVRaw and Values bytes are ClickHouse 18.16's for the same values (NULL aside:
// modern servers print \N in TSVRaw where 18.16 printed ᴺᵁᴸᴸ); the others follow
// modern ClickHouse's source.
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "query/output_format.h"
#include "tests/testutil/status_matchers.h"

namespace mua {
namespace {

std::string Render(const ResultSet& result, OutputFormat format) {
  std::string out;
  WriteResult(result, format, &out);
  return out;
}

// SELECT 'a\tb\\c''d' AS s, toDate('2020-01-02') AS d, [1,2] AS a, ['x''y'] AS b,
//        NULL AS n, nan AS f, toDateTime('2020-01-02 03:04:05') AS t
ResultSet Mixed() {
  ResultSet result;
  result.row_count = 1;
  result.AddColumn("s", DataType::Of(TypeId::kString)).strings = {"a\tb\\c'd"};
  result.AddColumn("d", DataType::Of(TypeId::kDate)).ints = {18263};
  Column& a = result.AddColumn("a", DataType::Array(TypeId::kUInt8));
  a.ints = {1, 2};
  a.array_offsets.push_back(2);
  Column& b = result.AddColumn("b", DataType::Array(TypeId::kString));
  b.strings = {"x'y"};
  b.array_offsets.push_back(1);
  result.AddColumn("n", DataType::Null());
  result.AddColumn("f", DataType::Of(TypeId::kFloat64)).floats = {std::nan("")};
  result.AddColumn("t", DataType::Of(TypeId::kDateTime)).ints = {1577934245};
  return result;
}

TEST(TextFormatTest, ParsesTheNewNamesAndAliases) {
  struct Case {
    const char* name;
    OutputFormat format;
  };
  for (const Case& c : std::vector<Case>{
           {"TabSeparatedRaw", OutputFormat::kTabSeparatedRaw},
           {"TSVRaw", OutputFormat::kTabSeparatedRaw},
           {"Raw", OutputFormat::kTabSeparatedRaw},
           {"TSVRawWithNames", OutputFormat::kTabSeparatedRawWithNames},
           {"TabSeparatedRawWithNamesAndTypes", OutputFormat::kTabSeparatedRawWithNamesAndTypes},
           {"CSVWithNamesAndTypes", OutputFormat::kCSVWithNamesAndTypes},
           {"JSONStrings", OutputFormat::kJSONStrings},
           {"JSONCompactStrings", OutputFormat::kJSONCompactStrings},
           {"JSONStringsEachRow", OutputFormat::kJSONStringsEachRow},
           {"JSONCompactStringsEachRow", OutputFormat::kJSONCompactStringsEachRow},
           {"JSONLines", OutputFormat::kJSONEachRow},
           {"NDJSON", OutputFormat::kJSONEachRow},
           {"Markdown", OutputFormat::kMarkdown},
           {"MD", OutputFormat::kMarkdown},
           {"Values", OutputFormat::kValues},
           {"Native", OutputFormat::kNative},
           {"RowBinary", OutputFormat::kRowBinary},
           {"RowBinaryWithNames", OutputFormat::kRowBinaryWithNames},
           {"RowBinaryWithNamesAndTypes", OutputFormat::kRowBinaryWithNamesAndTypes},
           {"Null", OutputFormat::kNull},
       }) {
    ASSERT_OK_AND_ASSIGN(OutputFormat format, ParseOutputFormat(c.name));
    EXPECT_EQ(format, c.format) << c.name;
  }
  EXPECT_EQ(OutputFormatName(OutputFormat::kTabSeparatedRaw), "TabSeparatedRaw");
  EXPECT_EQ(OutputFormatName(OutputFormat::kMarkdown), "Markdown");
  EXPECT_FALSE(ParseOutputFormat("null").ok());
}

TEST(TextFormatTest, ContentTypes) {
  EXPECT_EQ(ContentType(OutputFormat::kTabSeparatedRaw), "text/tab-separated-values; charset=UTF-8");
  EXPECT_EQ(ContentType(OutputFormat::kCSVWithNamesAndTypes),
            "text/csv; charset=UTF-8; header=present");
  EXPECT_EQ(ContentType(OutputFormat::kJSONStrings), "application/json; charset=UTF-8");
  EXPECT_EQ(ContentType(OutputFormat::kJSONCompactStrings), "application/json; charset=UTF-8");
  EXPECT_EQ(ContentType(OutputFormat::kJSONStringsEachRow), "application/x-ndjson; charset=UTF-8");
  EXPECT_EQ(ContentType(OutputFormat::kMarkdown), "text/plain; charset=UTF-8");
  EXPECT_EQ(ContentType(OutputFormat::kValues), "text/plain; charset=UTF-8");
}

TEST(TextFormatTest, NullFormatWritesNothing) {
  EXPECT_EQ(Render(Mixed(), OutputFormat::kNull), "");
}

TEST(TextFormatTest, TabSeparatedRawLeavesStringsAlone) {
  EXPECT_EQ(Render(Mixed(), OutputFormat::kTabSeparatedRaw),
            "a\tb\\c'd\t2020-01-02\t[1,2]\t['x\\'y']\t\\N\tnan\t2020-01-02 03:04:05\n");
  ResultSet result;
  result.row_count = 1;
  result.AddColumn("a\tb", DataType::Of(TypeId::kString)).strings = {"x\ny"};
  // Header lines are escaped as in TabSeparated; the values are not.
  EXPECT_EQ(Render(result, OutputFormat::kTabSeparatedRawWithNamesAndTypes),
            "a\\tb\nString\nx\ny\n");
  EXPECT_EQ(Render(result, OutputFormat::kTabSeparatedRawWithNames), "a\\tb\nx\ny\n");
}

TEST(TextFormatTest, ValuesQuotesStringsAndDates) {
  EXPECT_EQ(Render(Mixed(), OutputFormat::kValues),
            "('a\\tb\\\\c\\'d','2020-01-02',[1,2],['x\\'y'],NULL,nan,'2020-01-02 03:04:05')");
  ResultSet result;
  result.row_count = 2;
  result.AddColumn("x", DataType::Of(TypeId::kUInt8)).ints = {1, 2};
  result.AddColumn("s", DataType::Of(TypeId::kString)).strings = {"q", "q"};
  EXPECT_EQ(Render(result, OutputFormat::kValues), "(1,'q'),(2,'q')");
  result.row_count = 0;
  result.columns[0].ints.clear();
  result.columns[1].strings.clear();
  EXPECT_EQ(Render(result, OutputFormat::kValues), "");
}

TEST(TextFormatTest, CsvWithNamesAndTypes) {
  ResultSet result;
  result.row_count = 1;
  result.AddColumn("c", DataType::Of(TypeId::kUInt64)).ints = {2};
  result.AddColumn("s", DataType::Nullable(TypeId::kString)).strings = {"x"};
  EXPECT_EQ(Render(result, OutputFormat::kCSVWithNamesAndTypes),
            "\"c\",\"s\"\n\"UInt64\",\"Nullable(String)\"\n2,\"x\"\n");
}

TEST(TextFormatTest, JsonStringsQuoteEveryValueAsText) {
  EXPECT_EQ(Render(Mixed(), OutputFormat::kJSONStringsEachRow),
            "{\"s\":\"a\\tb\\\\c'd\",\"d\":\"2020-01-02\",\"a\":\"[1,2]\",\"b\":\"['x\\\\'y']\","
            "\"n\":\"ᴺᵁᴸᴸ\",\"f\":\"nan\",\"t\":\"2020-01-02 03:04:05\"}\n");
  ResultSet result;
  result.row_count = 1;
  result.AddColumn("c", DataType::Of(TypeId::kUInt8)).ints = {2};
  result.AddColumn("s", DataType::Of(TypeId::kString)).strings = {"x"};
  EXPECT_EQ(Render(result, OutputFormat::kJSONCompactStringsEachRow), "[\"2\", \"x\"]\n");
  std::string json = Render(result, OutputFormat::kJSONStrings);
  EXPECT_NE(json.find("\t\"data\":\n\t[\n\t\t{\n\t\t\t\"c\": \"2\",\n\t\t\t\"s\": \"x\"\n\t\t}\n\t],"),
            std::string::npos)
      << json;
  EXPECT_NE(json.find("\"type\": \"UInt8\""), std::string::npos);
  std::string compact = Render(result, OutputFormat::kJSONCompactStrings);
  EXPECT_NE(compact.find("\t\"data\":\n\t[\n\t\t[\"2\", \"x\"]\n\t],"), std::string::npos)
      << compact;
}

TEST(TextFormatTest, MarkdownTable) {
  ResultSet result;
  result.row_count = 2;
  result.AddColumn("number", DataType::Of(TypeId::kUInt64)).ints = {0, 1};
  result.AddColumn("s|t", DataType::Of(TypeId::kString)).strings = {"a\tb", "c"};
  Column& n = result.AddColumn("n", DataType::Nullable(TypeId::kFloat64));
  n.floats = {0.5, 0};
  n.nulls = {0, 1};
  EXPECT_EQ(Render(result, OutputFormat::kMarkdown),
            "| number | s|t | n |\n"
            "|-:|:-|-:|\n"
            "| 0 | a\\tb | 0.5 |\n"
            "| 1 | c | \\N |\n");
  result.row_count = 0;
  for (Column& column : result.columns) {
    column.ints.clear();
    column.strings.clear();
    column.floats.clear();
    column.nulls.clear();
  }
  EXPECT_EQ(Render(result, OutputFormat::kMarkdown), "| number | s|t | n |\n|-:|:-|-:|\n");
}

// Tuples: (1,'t') in TabSeparated, spread over fields in CSV, [..] in JSON, {..}
// when named (modern output_format_json_named_tuples_as_objects = 1).
TEST(TextFormatTest, TuplesInEveryFamily) {
  ResultSet result;
  result.row_count = 1;
  Column& t = result.AddColumn(
      "t", DataType::Tuple({DataType::Of(TypeId::kUInt8), DataType::Of(TypeId::kString)}));
  t.children[0].ints = {1};
  t.children[1].strings = {"t"};
  Column& named = result.AddColumn(
      "p", DataType::Tuple({DataType::Of(TypeId::kUInt64), DataType::Nullable(TypeId::kDate)},
                           {"a", "b"}));
  named.children[0].ints = {5};
  named.children[1].ints = {0};
  named.children[1].nulls = {1};
  EXPECT_EQ(Render(result, OutputFormat::kTabSeparated), "(1,'t')\t(5,NULL)\n");
  EXPECT_EQ(Render(result, OutputFormat::kCSV), "1,\"t\",5,\\N\n");
  EXPECT_EQ(Render(result, OutputFormat::kJSONEachRow),
            "{\"t\":[1,\"t\"],\"p\":{\"a\":\"5\",\"b\":null}}\n");
  EXPECT_EQ(Render(result, OutputFormat::kValues), "((1,'t'),(5,NULL))");
}

// Array(Nullable(String)) and Array(Array(UInt8)) hold their elements in a child column.
TEST(TextFormatTest, NestedArrays) {
  ResultSet result;
  result.row_count = 1;
  Column& ns = result.AddColumn("ns", DataType::ArrayOf(DataType::Nullable(TypeId::kString)));
  ns.array_offsets.push_back(2);
  ns.children[0].strings = {"", "a'b"};
  ns.children[0].nulls = {1, 0};
  Column& aa = result.AddColumn("aa", DataType::ArrayOf(DataType::Array(TypeId::kUInt8)));
  aa.array_offsets.push_back(2);
  aa.children[0].array_offsets = {0, 1, 3};
  aa.children[0].ints = {1, 2, 3};
  EXPECT_EQ(Render(result, OutputFormat::kTabSeparated), "[NULL,'a\\'b']\t[[1],[2,3]]\n");
  EXPECT_EQ(Render(result, OutputFormat::kJSONEachRow),
            "{\"ns\":[null,\"a'b\"],\"aa\":[[1],[2,3]]}\n");
  EXPECT_EQ(Render(result, OutputFormat::kCSV), "\"[NULL,'a\\'b']\",\"[[1],[2,3]]\"\n");
  EXPECT_EQ(Render(result, OutputFormat::kTabSeparatedWithNamesAndTypes),
            "ns\taa\nArray(Nullable(String))\tArray(Array(UInt8))\n[NULL,'a\\'b']\t[[1],[2,3]]\n");
}

}  // namespace
}  // namespace mua
