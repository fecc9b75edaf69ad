#include "ingest/table_rows.h"

#include <string>

#include "gtest/gtest.h"
#include "tests/testutil/status_matchers.h"

namespace mua {
namespace {

DimensionTableDef Def() {
  DimensionTableDef def;
  def.name = "t";
  def.engine = DimensionEngine::kMemory;
  def.columns = {{"id", *DimensionType::Parse("UInt8")},
                 {"name", *DimensionType::Parse("Nullable(String)")},
                 {"day", *DimensionType::Parse("Date")},
                 {"at", *DimensionType::Parse("DateTime64(3)")},
                 {"tags", *DimensionType::Parse("Array(Int32)")},
                 {"score", *DimensionType::Parse("Float64")}};
  return def;
}

TEST(TableRowsTest, JsonEachRowWithDefaultsAndUnknownFields) {
  DimensionTableDef def = Def();
  DimensionBlock defaults = DimensionBlock::Empty(def);
  ASSERT_OK(AppendTextValue(def.columns[0].type, "9", &defaults.columns[0]));
  ASSERT_OK(AppendNullValue(def.columns[1].type, &defaults.columns[1]));
  ASSERT_OK(AppendTextValue(def.columns[2].type, "2026-01-01", &defaults.columns[2]));
  ASSERT_OK(AppendNullValue(def.columns[3].type, &defaults.columns[3]));
  ASSERT_OK(AppendTextValue(def.columns[4].type, "[1, 2]", &defaults.columns[4]));
  ASSERT_OK(AppendNullValue(def.columns[5].type, &defaults.columns[5]));
  defaults.rows = 1;
  absl::StatusOr<DimensionBlock> rows = ParseTableRows(
      "{\"id\": 1, \"name\": \"a\", \"at\": \"2026-10-05 14:03:07.123\", \"tags\": [3], \"extra\": {}}\n"
      "\n"
      "{\"name\": null, \"day\": 20000, \"score\": 2.5, \"at\": 1.5}\n",
      TableRowsFormat::kJsonEachRow, def, {.defaults = &defaults});
  ASSERT_OK(rows);
  ASSERT_EQ(rows->rows, 2u);
  EXPECT_EQ(rows->columns[0].ints, (std::vector<int64_t>{1, 9}));
  EXPECT_EQ(rows->columns[1].nulls, (std::vector<uint8_t>{0, 1}));
  EXPECT_EQ(rows->columns[2].ints[0], 20454);  // 2026-01-01
  EXPECT_EQ(rows->columns[2].ints[1], 20000);
  EXPECT_EQ(rows->columns[3].ints, (std::vector<int64_t>{1791208987123, 1500}));
  EXPECT_EQ(rows->columns[4].offsets, (std::vector<uint32_t>{0, 1, 3}));
  EXPECT_EQ(rows->columns[4].ints, (std::vector<int64_t>{3, 1, 2}));
  EXPECT_EQ(rows->columns[5].floats, (std::vector<double>{0, 2.5}));
}

TEST(TableRowsTest, TabSeparatedAndCsv) {
  DimensionTableDef def = Def();
  absl::StatusOr<DimensionBlock> tsv =
      ParseTableRows("5\ta\\tb\t2026-01-02\t2026-01-02 03:04:05\t[]\t1e3\n6\t\\N\t0\t0\t[-1,2]\tnan\n",
                     TableRowsFormat::kTabSeparated, def);
  ASSERT_OK(tsv);
  EXPECT_EQ(tsv->columns[1].strings[0], "a\tb");
  EXPECT_EQ(tsv->columns[1].nulls, (std::vector<uint8_t>{0, 1}));
  EXPECT_EQ(tsv->columns[3].ints[0], 1767323045000);
  EXPECT_EQ(tsv->columns[4].ints, (std::vector<int64_t>{-1, 2}));
  absl::StatusOr<DimensionBlock> csv =
      ParseTableRows("name,id\n\"x, \"\"y\"\"\",7\nNULL,8\n", TableRowsFormat::kCsvWithNames, def);
  ASSERT_OK(csv);
  EXPECT_EQ(csv->columns[1].strings[0], "x, \"y\"");
  EXPECT_EQ(csv->columns[1].nulls, (std::vector<uint8_t>{0, 1}));
  EXPECT_EQ(csv->columns[0].ints, (std::vector<int64_t>{7, 8}));
  EXPECT_EQ(csv->columns[4].offsets, (std::vector<uint32_t>{0, 0, 0}));  // type defaults
}

TEST(TableRowsTest, ErrorsNameRowAndColumn) {
  DimensionTableDef def = Def();
  auto error = [&](absl::string_view data, TableRowsFormat format) {
    absl::StatusOr<DimensionBlock> rows = ParseTableRows(data, format, def, {.columns = {"id"}});
    EXPECT_FALSE(rows.ok()) << data;
    return rows.ok() ? std::string() : std::string(rows.status().message());
  };
  EXPECT_EQ(error("1\n256\n", TableRowsFormat::kTabSeparated), "row 2, column id: cannot parse '256' as UInt8");
  EXPECT_EQ(error("1\t2\n", TableRowsFormat::kTabSeparated), "row 1: 2 fields, expected 1");
  EXPECT_NE(error("{\"id\": [1]}", TableRowsFormat::kJsonEachRow).find("row 1, column id"), std::string::npos);
  EXPECT_NE(error("{\"id\": 1", TableRowsFormat::kJsonEachRow).find("row 1"), std::string::npos);
  EXPECT_NE(error(std::string(100, '[') + std::string(100, ']'), TableRowsFormat::kJsonEachRow).find("deeper"),
            std::string::npos);
  EXPECT_FALSE(ParseTableRowsFormat("Parquet").ok());
  EXPECT_FALSE(ParseTableRows("1\n", TableRowsFormat::kTabSeparated, def, {.columns = {"nope"}}).ok());
}

}  // namespace
}  // namespace mua
