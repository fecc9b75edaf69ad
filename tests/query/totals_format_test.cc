// WITH TOTALS in the output formats: where each prints the totals row, byte for byte as
// modern ClickHouse's formats do over HTTP (IRowOutputFormat::consumeTotals and the
// formats' writeBeforeTotals/writeTotals; PrettyBlockOutputFormat::consumeTotals).
#include <string>

#include "gtest/gtest.h"
#include "query/output_format.h"
#include "query/result_set.h"

namespace mua {
namespace {

std::string Render(const ResultSet& result, OutputFormat format) {
  std::string out;
  WriteResult(result, format, &out);
  return out;
}

// `SELECT platform, count() AS c ... GROUP BY platform WITH TOTALS`: rows a/1, b/2, totals ''/3.
ResultSet WithTotals() {
  ResultSet result;
  result.AddColumn("platform", DataType::Of(TypeId::kString)).strings = {"a", "b"};
  result.AddColumn("c", DataType::Of(TypeId::kUInt64)).ints = {1, 2};
  result.row_count = 2;
  result.totals.emplace();
  result.totals->push_back(EmptyColumn(DataType::Of(TypeId::kString)));
  result.totals->back().strings = {""};
  result.totals->push_back(EmptyColumn(DataType::Of(TypeId::kUInt64)));
  result.totals->back().ints = {3};
  return result;
}

TEST(TotalsFormatTest, TabSeparatedFamilyPrintsAnEmptyLineThenTheTotals) {
  const ResultSet result = WithTotals();
  EXPECT_EQ(Render(result, OutputFormat::kTabSeparated), "a\t1\nb\t2\n\n\t3\n");
  EXPECT_EQ(Render(result, OutputFormat::kTabSeparatedWithNames),
            "platform\tc\na\t1\nb\t2\n\n\t3\n");
  EXPECT_EQ(Render(result, OutputFormat::kTabSeparatedRaw), "a\t1\nb\t2\n\n\t3\n");
  EXPECT_EQ(Render(result, OutputFormat::kCSV), "\"a\",1\n\"b\",2\n\n\"\",3\n");
  EXPECT_EQ(Render(result, OutputFormat::kCSVWithNames),
            "\"platform\",\"c\"\n\"a\",1\n\"b\",2\n\n\"\",3\n");
}

TEST(TotalsFormatTest, EmptyResultStillPrintsTheTotals) {
  ResultSet result = WithTotals();
  result.columns[0].strings.clear();
  result.columns[1].ints.clear();
  result.row_count = 0;
  EXPECT_EQ(Render(result, OutputFormat::kTabSeparated), "\n\t3\n");
}

TEST(TotalsFormatTest, JsonHasATotalsObjectAfterData) {
  const std::string json = Render(WithTotals(), OutputFormat::kJSON);
  EXPECT_NE(json.find("\t\t{\n\t\t\t\"platform\": \"b\",\n\t\t\t\"c\": \"2\"\n\t\t}\n\t],\n\n"
                      "\t\"totals\":\n\t{\n\t\t\"platform\": \"\",\n\t\t\"c\": \"3\"\n\t},\n\n"
                      "\t\"rows\": 2,\n\n\t\"statistics\":"),
            std::string::npos)
      << json;
  const std::string strings = Render(WithTotals(), OutputFormat::kJSONStrings);
  EXPECT_NE(strings.find("\t\"totals\":\n\t{\n\t\t\"platform\": \"\",\n\t\t\"c\": \"3\"\n\t},\n\n"),
            std::string::npos)
      << strings;
}

TEST(TotalsFormatTest, JsonCompactHasATotalsArrayAfterData) {
  const std::string json = Render(WithTotals(), OutputFormat::kJSONCompact);
  EXPECT_NE(json.find("\t\t[\"b\", \"2\"]\n\t],\n\n\t\"totals\": [\"\", \"3\"],\n\n\t\"rows\": 2,"),
            std::string::npos)
      << json;
  const std::string strings = Render(WithTotals(), OutputFormat::kJSONCompactStrings);
  EXPECT_NE(strings.find("\t\"totals\": [\"\", \"3\"],\n\n"), std::string::npos) << strings;
}

TEST(TotalsFormatTest, WithoutTotalsJsonIsUnchanged) {
  ResultSet result = WithTotals();
  result.totals.reset();
  EXPECT_EQ(Render(result, OutputFormat::kJSON).find("totals"), std::string::npos);
  EXPECT_EQ(Render(result, OutputFormat::kTabSeparated), "a\t1\nb\t2\n");
}

TEST(TotalsFormatTest, PrettyFormatsPrintATotalsTable) {
  EXPECT_EQ(Render(WithTotals(), OutputFormat::kPrettyCompact),
            "┌─platform─┬─c─┐\n"
            "│ a        │ 1 │\n"
            "│ b        │ 2 │\n"
            "└──────────┴───┘\n"
            "\n"
            "Totals:\n"
            "┌─platform─┬─c─┐\n"
            "│          │ 3 │\n"
            "└──────────┴───┘\n");
  const std::string pretty = Render(WithTotals(), OutputFormat::kPretty);
  EXPECT_NE(pretty.find("┘\n\nTotals:\n┏━━━━━━━━━━┳━━━┓\n┃ platform ┃ c ┃\n┡━━━━━━━━━━╇━━━┩\n"
                        "│          │ 3 │\n└──────────┴───┘\n"),
            std::string::npos)
      << pretty;
}

TEST(TotalsFormatTest, VerticalPrintsATotalsRecord) {
  EXPECT_EQ(Render(WithTotals(), OutputFormat::kVertical),
            "Row 1:\n──────\nplatform: a\nc:        1\n\n"
            "Row 2:\n──────\nplatform: b\nc:        2\n\n\n"
            "Totals:\n───────\nplatform: \nc:        3\n");
}

TEST(TotalsFormatTest, RowFormatsWithoutTotalsSupportLeaveThemOut) {
  ResultSet result = WithTotals();
  ResultSet plain = WithTotals();
  plain.totals.reset();
  for (OutputFormat format :
       {OutputFormat::kJSONEachRow, OutputFormat::kJSONCompactEachRow,
        OutputFormat::kJSONStringsEachRow, OutputFormat::kValues, OutputFormat::kMarkdown,
        OutputFormat::kNative, OutputFormat::kRowBinary, OutputFormat::kRowBinaryWithNamesAndTypes,
        OutputFormat::kNull}) {
    EXPECT_EQ(Render(result, format), Render(plain, format)) << OutputFormatName(format);
  }
}

}  // namespace
}  // namespace mua
