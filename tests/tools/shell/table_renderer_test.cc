#include "tools/shell/table_renderer.h"

#include "absl/strings/match.h"
#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tools/shell/result_table.h"

namespace mua::shell {
namespace {

ResultTable SampleTable() {
  ResultTable table;
  table.columns = {{"event_type", "String"}, {"c", "UInt64"}};
  table.rows = {{"app_open", "557"}, {"screen_view", "2207"}};
  return table;
}

TEST(TableRendererTest, DrawsBoxWithTypesAndRightAlignedNumbers) {
  EXPECT_EQ(RenderTable(SampleTable(), {}),
            "┌─────────────┬────────┐\n"
            "│ event_type  │      c │\n"
            "│ String      │ UInt64 │\n"
            "├─────────────┼────────┤\n"
            "│ app_open    │    557 │\n"
            "│ screen_view │   2207 │\n"
            "└─────────────┴────────┘\n");
}

TEST(TableRendererTest, EmptyResultStillShowsTheHeader) {
  ResultTable table = SampleTable();
  table.rows.clear();
  EXPECT_EQ(RenderTable(table, {}),
            "┌────────────┬────────┐\n"
            "│ event_type │      c │\n"
            "│ String     │ UInt64 │\n"
            "├────────────┼────────┤\n"
            "└────────────┴────────┘\n");
}

TEST(TableRendererTest, LongValuesAreCutToTheTerminalWidth) {
  ResultTable table;
  table.columns = {{"id", "UInt8"}, {"properties", "String"}};
  table.rows = {{"1", std::string(200, 'x')}};
  const std::string text = RenderTable(table, {.max_width = 40});
  for (const absl::string_view line : absl::StrSplit(text, '\n', absl::SkipEmpty())) {
    EXPECT_EQ(DisplayWidth(line), 40u) << line;
  }
  EXPECT_THAT(text, ::testing::HasSubstr("xxx… │"));
}

TEST(TableRendererTest, MiddleColumnsAreHiddenWhenEvenNarrowColumnsDoNotFit) {
  ResultTable table;
  for (int c = 0; c < 8; ++c) table.columns.push_back({"column_" + std::to_string(c), "String"});
  table.rows = {std::vector<std::string>(8, std::string(30, 'v'))};
  const std::string text = RenderTable(table, {.max_width = 60});
  for (const absl::string_view line : absl::StrSplit(text, '\n', absl::SkipEmpty())) {
    if (absl::StartsWith(line, "(")) continue;
    EXPECT_LE(DisplayWidth(line), 60u) << line;
  }
  EXPECT_THAT(text,
              ::testing::ContainsRegex("│ column_0 +│ column_1 +│ … │ column_6 +│ column_7 +│"));
  EXPECT_THAT(text, ::testing::HasSubstr("(4 of 8 columns shown; \\x shows one field per line)\n"));
}

TEST(TableRendererTest, ControlCharactersAreEscaped) {
  ResultTable table;
  table.columns = {{"s", "String"}};
  table.rows = {{"a\tb\nc"}};
  EXPECT_THAT(RenderTable(table, {}), ::testing::HasSubstr("│ a\\tb\\nc │"));
}

TEST(TableRendererTest, VerticalPrintsOneFieldPerLine) {
  EXPECT_EQ(RenderVertical(SampleTable(), {}),
            "Row 1:\n"
            "──────\n"
            "event_type: app_open\n"
            "c:          557\n"
            "\n"
            "Row 2:\n"
            "──────\n"
            "event_type: screen_view\n"
            "c:          2207\n");
}

TEST(TableRendererTest, TotalsFollowTheResultAsTheirOwnTable) {
  ResultTable table = SampleTable();
  EXPECT_EQ(RenderTotals(table, {}, /*vertical=*/false), "");
  table.totals = std::vector<std::string>{"", "2764"};
  EXPECT_EQ(RenderTotals(table, {}, /*vertical=*/false),
            "\n"
            "Totals:\n"
            "┌────────────┬────────┐\n"
            "│ event_type │      c │\n"
            "│ String     │ UInt64 │\n"
            "├────────────┼────────┤\n"
            "│            │   2764 │\n"
            "└────────────┴────────┘\n");
  EXPECT_EQ(RenderTotals(table, {}, /*vertical=*/true),
            "\n"
            "Totals:\n"
            "───────\n"
            "event_type: \n"
            "c:          2764\n");
}

TEST(TableRendererTest, FooterNamesRowsTimeAndRowsRead) {
  EXPECT_EQ(RenderFooter(3, 0.0125, 6173),
            "3 rows in set. Elapsed: 0.013 sec. Processed 6,173 rows.\n");
  EXPECT_EQ(RenderFooter(1, std::nullopt, std::nullopt), "1 row in set.\n");
  EXPECT_EQ(RenderFooter(std::nullopt, 2.0, 0), "Elapsed: 2.000 sec.\n");
}

TEST(TableRendererTest, NumericTypes) {
  EXPECT_TRUE(IsNumericType("UInt64"));
  EXPECT_TRUE(IsNumericType("Float64"));
  EXPECT_TRUE(IsNumericType("Nullable(Int32)"));
  EXPECT_FALSE(IsNumericType("String"));
  EXPECT_FALSE(IsNumericType("Array(UInt8)"));
  EXPECT_FALSE(IsNumericType("DateTime64(3)"));
}

TEST(TableRendererTest, WidthAndTruncationCountCodePoints) {
  EXPECT_EQ(DisplayWidth("München"), 7u);
  EXPECT_EQ(TruncateToWidth("München", 4), "Mün…");
  EXPECT_EQ(TruncateToWidth("abc", 3), "abc");
  EXPECT_EQ(WithThousandsSeparators(1234567), "1,234,567");
  EXPECT_EQ(WithThousandsSeparators(999), "999");
}

}  // namespace
}  // namespace mua::shell
