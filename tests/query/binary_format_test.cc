// Native and RowBinary byte for byte: the expected bytes are what ClickHouse
// 18.16 answered over HTTP for the query named above each case (modern servers
// send the same bytes to HTTP clients); DateTime64 (absent from 18.16) follows
// modern ClickHouse's Int64 encoding.
#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/escaping.h"
#include "gtest/gtest.h"
#include "query/internal/native_writer.h"
#include "query/output_format.h"

namespace mua {
namespace {

std::string Render(const ResultSet& result, OutputFormat format) {
  std::string out;
  WriteResult(result, format, &out);
  return out;
}

std::string Hex(const std::string& bytes) { return absl::BytesToHexString(bytes); }

ResultSet OneRow() {
  ResultSet result;
  result.row_count = 1;
  return result;
}

// SELECT 1 AS a, 'xy' AS s
TEST(NativeFormatTest, NumbersAndStrings) {
  ResultSet result = OneRow();
  result.AddColumn("a", DataType::Of(TypeId::kUInt8)).ints = {1};
  result.AddColumn("s", DataType::Of(TypeId::kString)).strings = {"xy"};
  EXPECT_EQ(Hex(Render(result, OutputFormat::kNative)),
            "020101610555496e743801017306537472696e67027879");
}

// SELECT -1.5 AS f, toInt16(-2) AS i, toUInt64(3) AS u
TEST(NativeFormatTest, FixedWidthLittleEndian) {
  ResultSet result = OneRow();
  result.AddColumn("f", DataType::Of(TypeId::kFloat64)).floats = {-1.5};
  result.AddColumn("i", DataType::Of(TypeId::kInt16)).ints = {-2};
  result.AddColumn("u", DataType::Of(TypeId::kUInt64)).ints = {3};
  EXPECT_EQ(Hex(Render(result, OutputFormat::kNative)),
            "0301016607466c6f61743634000000000000f8bf016905496e743136feff01750655496e743634"
            "0300000000000000");
}

// SELECT toNullable(1) AS n, [1,2] AS a, toDate('2020-01-02') d,
//        toDateTime('2020-01-02 03:04:05') t
TEST(NativeFormatTest, NullableArrayDateDateTime) {
  ResultSet result = OneRow();
  result.AddColumn("n", DataType::Nullable(TypeId::kUInt8)).ints = {1};
  Column& a = result.AddColumn("a", DataType::Array(TypeId::kUInt8));
  a.ints = {1, 2};
  a.array_offsets.push_back(2);
  result.AddColumn("d", DataType::Of(TypeId::kDate)).ints = {18263};
  result.AddColumn("t", DataType::Of(TypeId::kDateTime)).ints = {1577934245};
  EXPECT_EQ(Hex(Render(result, OutputFormat::kNative)),
            "0401016e0f4e756c6c61626c652855496e743829000101610c41727261792855496e74382902000000"
            "0000000001020164044461746557470174084461746554696d65a55d0d5e");
}

// SELECT NULL AS n: the null map, then one '0' per row for the Nothing column.
TEST(NativeFormatTest, NullLiteral) {
  ResultSet result = OneRow();
  result.AddColumn("n", DataType::Null());
  EXPECT_EQ(Hex(Render(result, OutputFormat::kNative)),
            "0101016e114e756c6c61626c65284e6f7468696e67290130");
}

// SELECT arrayJoin([1,2]) AS n, if(n = 1, NULL, 'x') AS s. ClickHouse leaves
// 'x' under the NULL here; MUA writes the default, which no reader looks at.
TEST(NativeFormatTest, NullableStringWritesDefaultsUnderNulls) {
  ResultSet result;
  result.row_count = 2;
  result.AddColumn("n", DataType::Of(TypeId::kUInt8)).ints = {1, 2};
  Column& s = result.AddColumn("s", DataType::Nullable(TypeId::kString));
  s.strings = {"", "x"};
  s.nulls = {1, 0};
  EXPECT_EQ(Hex(Render(result, OutputFormat::kNative)),
            "0202016e0555496e743801020173104e756c6c61626c6528537472696e672901000001" "78");
}

// SELECT toLowCardinality('b') AS l
TEST(NativeFormatTest, LowCardinalityKeepsItsDictionary) {
  ResultSet result = OneRow();
  DataType type = DataType::Of(TypeId::kString);
  type.low_cardinality = true;
  result.AddColumn("l", type).strings = {"b"};
  EXPECT_EQ(Hex(Render(result, OutputFormat::kNative)),
            "0101016c164c6f7743617264696e616c69747928537472696e67290100000000000000000600000000"
            "0000020000000000000000016201000000000000000" "1");
}

// SELECT toLowCardinality(toString(number % 3)) AS l FROM system.numbers LIMIT 5
TEST(NativeFormatTest, LowCardinalityDictionaryInOrderOfAppearance) {
  ResultSet result;
  result.row_count = 5;
  DataType type = DataType::Of(TypeId::kString);
  type.low_cardinality = true;
  result.AddColumn("l", type).strings = {"0", "1", "2", "0", "1"};
  EXPECT_EQ(Hex(Render(result, OutputFormat::kNative)),
            "0105016c164c6f7743617264696e616c69747928537472696e67290100000000000000000600000000"
            "00000400000000000000000130013101320500000000000000010203010" "2");
}

// SELECT toLowCardinality(toNullable('a')) AS t: index 0 is NULL, 1 the default.
TEST(NativeFormatTest, LowCardinalityNullable) {
  ResultSet result;
  result.row_count = 3;
  DataType type = DataType::Nullable(TypeId::kString);
  type.low_cardinality = true;
  Column& t = result.AddColumn("t", type);
  t.strings = {"a", "", ""};
  t.nulls = {0, 1, 0};
  std::string native = Render(result, OutputFormat::kNative);
  // ClickHouse's bytes for the first row alone, then MUA's for NULL and ''.
  EXPECT_EQ(Hex(native),
            "0103" "0174204c6f7743617264696e616c697479284e756c6c61626c6528537472696e67292901000000"
            "00000000" "0006000000000000" "0300000000000000" "000001" "61" "0300000000000000"
            "020001");
}

// 255 keys fit UInt8 indexes, 256 need UInt16 (ClickHouse 18.16: 254 distinct
// values plus the default -> UInt8; 255 plus the default -> UInt16).
TEST(NativeFormatTest, LowCardinalityIndexWidthGrowsWithTheDictionary) {
  for (int distinct : {254, 255}) {
    ResultSet result;
    DataType type = DataType::Of(TypeId::kString);
    type.low_cardinality = true;
    Column& l = result.AddColumn("l", type);
    for (int i = 0; i < distinct; ++i) l.strings.push_back(std::to_string(i));
    result.row_count = distinct;
    std::string native = Render(result, OutputFormat::kNative);
    // 1 + VarUInt rows (2) + name (2) + type name (23) + keys version (8).
    const size_t flags_at = 1 + 2 + 2 + 23 + 8;
    ASSERT_GT(native.size(), flags_at + 8);
    EXPECT_EQ(static_cast<uint8_t>(native[flags_at]), distinct == 254 ? 0 : 1) << distinct;
    EXPECT_EQ(static_cast<uint8_t>(native[flags_at + 1]), 6);
  }
}

// SELECT (1,'a') AS t
TEST(NativeFormatTest, TupleWritesEachElementColumn) {
  ResultSet result = OneRow();
  Column& t = result.AddColumn(
      "t", DataType::Tuple({DataType::Of(TypeId::kUInt8), DataType::Of(TypeId::kString)}));
  ASSERT_EQ(t.children.size(), 2u);
  t.children[0].ints = {1};
  t.children[1].strings = {"a"};
  EXPECT_EQ(Hex(Render(result, OutputFormat::kNative)),
            "01010174145475706c652855496e74382c20537472696e6729010161");
}

// SELECT [NULL, 1] AS t
TEST(NativeFormatTest, ArrayOfNullable) {
  ResultSet result = OneRow();
  Column& t = result.AddColumn("t", DataType::ArrayOf(DataType::Nullable(TypeId::kUInt8)));
  ASSERT_EQ(t.children.size(), 1u);
  t.array_offsets.push_back(2);
  t.children[0].ints = {0, 1};
  t.children[0].nulls = {1, 0};
  EXPECT_EQ(Hex(Render(result, OutputFormat::kNative)),
            "01010174164172726179284e756c6c61626c652855496e74382929020000000000000001000001");
}

// SELECT [[1],[2,3]] AS aa, [(1,'x')] AS at
TEST(NativeFormatTest, ArraysOfArraysAndTuples) {
  ResultSet result = OneRow();
  Column& aa = result.AddColumn("aa", DataType::ArrayOf(DataType::Array(TypeId::kUInt8)));
  aa.array_offsets.push_back(2);
  aa.children[0].array_offsets = {0, 1, 3};
  aa.children[0].ints = {1, 2, 3};
  Column& at = result.AddColumn(
      "at", DataType::ArrayOf(DataType::Tuple(
                {DataType::Of(TypeId::kUInt8), DataType::Of(TypeId::kString)})));
  at.array_offsets.push_back(1);
  at.children[0].children[0].ints = {1};
  at.children[0].children[1].strings = {"x"};
  EXPECT_EQ(Hex(Render(result, OutputFormat::kNative)),
            "02010261611341727261792841727261792855496e743829290200000000000000010000000000000003"
            "000000000000000102030261741b4172726179285475706c652855496e74382c20537472696e672929"
            "0100000000000000010178");
}

TEST(NativeFormatTest, DateTime64IsInt64Milliseconds) {
  ResultSet result = OneRow();
  result.AddColumn("t", DataType::Of(TypeId::kDateTime64)).ints = {1577934245123};
  EXPECT_EQ(Hex(Render(result, OutputFormat::kNative)),
            "010101740d4461746554696d653634283329" "03cd35646f010000");
}

TEST(NativeFormatTest, EmptyResultIsAnEmptyBody) {
  ResultSet result;
  result.AddColumn("a", DataType::Of(TypeId::kUInt8));
  EXPECT_EQ(Render(result, OutputFormat::kNative), "");
}

// SELECT number FROM system.numbers LIMIT 100000: blocks of 65536 and 34464.
TEST(NativeFormatTest, LongResultsAreSplitIntoBlocks) {
  ResultSet result;
  Column& n = result.AddColumn("number", DataType::Of(TypeId::kUInt64));
  for (int64_t i = 0; i < 100000; ++i) n.ints.push_back(i);
  result.row_count = 100000;
  std::string native = Render(result, OutputFormat::kNative);
  ASSERT_EQ(native.size(), 800036u);
  EXPECT_EQ(Hex(native.substr(0, 4)), "01808004");  // 1 column, VarUInt 65536 rows
  const size_t second = 18 + 65536 * 8;
  EXPECT_EQ(Hex(native.substr(second, 4)), "01a08d02");  // VarUInt 34464 rows
  EXPECT_EQ(native.substr(second + 18, 8), std::string("\0\0\1\0\0\0\0\0", 8));  // 65536
}

// SELECT CAST(NULL AS Nullable(String)) AS n, ['a','bc'] AS a,
//        (toInt8(-1), 2.5) AS t, [[1],[2,3]] AS aa
TEST(RowBinaryFormatTest, NestedValues) {
  ResultSet result = OneRow();
  result.AddColumn("n", DataType::Nullable(TypeId::kString)).strings = {""};
  result.columns.back().nulls = {1};
  Column& a = result.AddColumn("a", DataType::Array(TypeId::kString));
  a.strings = {"a", "bc"};
  a.array_offsets.push_back(2);
  Column& t = result.AddColumn(
      "t", DataType::Tuple({DataType::Of(TypeId::kInt8), DataType::Of(TypeId::kFloat64)}));
  t.children[0].ints = {-1};
  t.children[1].floats = {2.5};
  Column& aa = result.AddColumn("aa", DataType::ArrayOf(DataType::Array(TypeId::kUInt8)));
  aa.array_offsets.push_back(2);
  aa.children[0].array_offsets = {0, 1, 3};
  aa.children[0].ints = {1, 2, 3};
  EXPECT_EQ(Hex(Render(result, OutputFormat::kRowBinary)),
            "01020161026263ff0000000000000440020101020203");
}

// SELECT arrayJoin([1,2]) AS n, if(n = 1, NULL, 'x') AS s
TEST(RowBinaryFormatTest, NullableFlagBeforeTheValue) {
  ResultSet result;
  result.row_count = 2;
  result.AddColumn("n", DataType::Of(TypeId::kUInt8)).ints = {1, 2};
  Column& s = result.AddColumn("s", DataType::Nullable(TypeId::kString));
  s.strings = {"", "x"};
  s.nulls = {1, 0};
  EXPECT_EQ(Hex(Render(result, OutputFormat::kRowBinary)), "010102000178");
}

TEST(RowBinaryFormatTest, HeadersWithNamesAndTypes) {
  ResultSet result = OneRow();
  result.AddColumn("a", DataType::Of(TypeId::kUInt8)).ints = {1};
  DataType lc = DataType::Of(TypeId::kString);
  lc.low_cardinality = true;
  result.AddColumn("s", lc).strings = {"xy"};
  result.AddColumn("t", DataType::Of(TypeId::kDateTime64)).ints = {-1};
  EXPECT_EQ(Render(result, OutputFormat::kRowBinaryWithNamesAndTypes),
            std::string("\x03\x01" "a\x01s\x01t"
                        "\x05UInt8\x16LowCardinality(String)\x0d" "DateTime64(3)"
                        "\x01\x02xy" "\xff\xff\xff\xff\xff\xff\xff\xff"));
  EXPECT_EQ(Render(result, OutputFormat::kRowBinaryWithNames),
            std::string("\x03\x01" "a\x01s\x01t" "\x01\x02xy" "\xff\xff\xff\xff\xff\xff\xff\xff"));
  result.row_count = 0;
  EXPECT_EQ(Render(result, OutputFormat::kRowBinaryWithNames), "\x03\x01" "a\x01s\x01t");
  EXPECT_EQ(Render(result, OutputFormat::kRowBinary), "");
}

TEST(BinaryFormatTest, ContentTypes) {
  for (OutputFormat format : {OutputFormat::kNative, OutputFormat::kRowBinary,
                              OutputFormat::kRowBinaryWithNames,
                              OutputFormat::kRowBinaryWithNamesAndTypes}) {
    EXPECT_EQ(ContentType(format), "application/octet-stream") << OutputFormatName(format);
  }
  EXPECT_EQ(ContentType(OutputFormat::kNull), "text/plain; charset=UTF-8");
}

}  // namespace
}  // namespace mua
