#include "tools/shell/result_table.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testutil/status_matchers.h"

namespace mua::shell {
namespace {

using ::mua::test::StatusIs;
using ::testing::ElementsAre;

TEST(ResultTableTest, ParsesMetaDataAndStatistics) {
  constexpr absl::string_view kBody = R"json({
    "meta": [{"name": "event_type", "type": "String"}, {"name": "c", "type": "UInt64"},
             {"name": "p", "type": "Float64"}, {"name": "r", "type": "Array(UInt8)"},
             {"name": "n", "type": "Nullable(String)"}],
    "data": [["app_open", "557", 0.25, [1,0], null],
             ["click", "1449", 1e21, [], "x"]],
    "rows": 2,
    "statistics": {"elapsed": 0.0141, "rows_read": 6173, "bytes_read": "285771"}
  })json";
  ASSERT_OK_AND_ASSIGN(const ResultTable table, ParseJsonCompact(kBody));
  ASSERT_EQ(table.columns.size(), 5u);
  EXPECT_EQ(table.columns[0].name, "event_type");
  EXPECT_EQ(table.columns[3].type, "Array(UInt8)");
  EXPECT_THAT(table.rows[0], ElementsAre("app_open", "557", "0.25", "[1,0]", "NULL"));
  EXPECT_THAT(table.rows[1], ElementsAre("click", "1449", "1e21", "[]", "x"));
  EXPECT_DOUBLE_EQ(*table.server_elapsed_seconds, 0.0141);
  EXPECT_EQ(table.rows_read, 6173u);
  EXPECT_EQ(table.bytes_read, 285771u);
}

TEST(ResultTableTest, StringsInsideArraysAreQuoted) {
  constexpr absl::string_view kBody =
      R"json({"meta": [{"name": "a", "type": "Array(String)"}], "data": [[["x", "it's"]]]})json";
  ASSERT_OK_AND_ASSIGN(const ResultTable table, ParseJsonCompact(kBody));
  EXPECT_THAT(table.rows[0], ElementsAre(R"(['x','it\'s'])"));
  EXPECT_FALSE(table.rows_read.has_value());
}

TEST(ResultTableTest, ParsesTotals) {
  constexpr absl::string_view kBody = R"json({
    "meta": [{"name": "platform", "type": "LowCardinality(String)"}, {"name": "c", "type": "UInt64"}],
    "data": [["ios", "3"], ["android", "4"]],
    "totals": ["", "7"],
    "rows": 2
  })json";
  ASSERT_OK_AND_ASSIGN(const ResultTable table, ParseJsonCompact(kBody));
  EXPECT_EQ(table.rows.size(), 2u);
  ASSERT_TRUE(table.totals.has_value());
  EXPECT_THAT(*table.totals, ElementsAre("", "7"));
  EXPECT_THAT(ParseJsonCompact(R"json({"meta": [{"name": "a", "type": "UInt8"}], "data": [],
                                       "totals": [1, 2]})json"),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(ResultTableTest, MalformedAnswersAreErrors) {
  EXPECT_THAT(ParseJsonCompact("Ok."), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(ParseJsonCompact(R"json({"data": []})json"),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(
      ParseJsonCompact(R"json({"meta": [{"name": "a", "type": "UInt8"}], "data": [[1, 2]]})json"),
      StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(ResultTableTest, DeeplyNestedCellsAreAnErrorNotACrash) {
  // Cells are printed recursively: the parse bounds their depth.
  for (size_t depth : {size_t{100}, size_t{2'000'000}}) {
    const std::string body =
        absl::StrCat(R"json({"meta": [{"name": "a", "type": "String"}], "data": [[)json",
                     std::string(depth, '['), std::string(depth, ']'), "]]}");
    const absl::StatusOr<ResultTable> table = ParseJsonCompact(body);
    EXPECT_THAT(table, StatusIs(absl::StatusCode::kInvalidArgument));
    EXPECT_THAT(std::string(table.status().message()), ::testing::HasSubstr("nested deeper"));
  }
  const std::string nested =
      absl::StrCat(R"json({"meta": [{"name": "a", "type": "String"}], "data": [[)json",
                   std::string(10, '['), std::string(10, ']'), "]]}");
  ASSERT_OK_AND_ASSIGN(const ResultTable table, ParseJsonCompact(nested));
  EXPECT_THAT(table.rows[0], ElementsAre("[[[[[[[[[[]]]]]]]]]]"));
}

}  // namespace
}  // namespace mua::shell
