// The `attributes` column: kept through heads, sealing, scans, the WAL and checkpoints, free
// while every value is "", and '' for the rows of data directories written before it.
#include <algorithm>
#include <filesystem>
#include <string>
#include <tuple>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "storage/event_row.h"
#include "storage/internal/sealed_segment.h"
#include "storage/schema.h"
#include "storage/store.h"
#include "storage/table.h"
#include "tests/storage/store_test_util.h"
#include "tests/testutil/event_builder.h"
#include "tests/testutil/status_matchers.h"

namespace mua::store_test {
namespace {

namespace fs = std::filesystem;
using test::MillisAt;
using ::testing::ElementsAre;
using ::testing::ElementsAreArray;

constexpr int kAttributes = ColumnIndex(ColumnId::kAttributes);

// `count` events over two days; every third carries attributes (when `with_attributes`).
std::vector<EventRow> Events(int count, bool with_attributes, std::vector<std::string>* storage) {
  storage->clear();
  storage->reserve(3 * count);
  std::vector<EventRow> rows;
  for (int i = 0; i < count; ++i) {
    EventRow row;
    row.event_time_ms = MillisAt("2026-10-01T00:00:00") + int64_t{i} * 60'000;
    row.user_id = storage->emplace_back("user" + std::to_string(i % 37));
    row.event_id = storage->emplace_back("e" + std::to_string(i));
    row.event_type = "app_open";
    if (with_attributes && i % 3 == 0) {
      row.attributes = storage->emplace_back(
          R"({"page":{"utm_source":"news)" + std::to_string(i % 5) + R"("},"event_version":2})");
    }
    rows.push_back(row);
  }
  return rows;
}

// The same multiset check as UnorderedElementsAreArray, by sorting: its bipartite matching
// compares every pair, which took 100 s for the 20,000 values below under ASan at -O0.
std::vector<std::string> Sorted(std::vector<std::string> values) {
  std::sort(values.begin(), values.end());
  return values;
}
std::vector<Row> Sorted(std::vector<Row> rows) {
  std::sort(rows.begin(), rows.end(), [](const Row& a, const Row& b) {
    return std::tie(a.time, a.values) < std::tie(b.time, b.values);
  });
  return rows;
}

TEST(AttributesColumnTest, IsTheLastStringColumn) {
  EXPECT_EQ(ColumnName(ColumnId::kAttributes), "attributes");
  EXPECT_EQ(ColumnTypeName(ColumnId::kAttributes), "String");
  EXPECT_EQ(KindOf(ColumnId::kAttributes), ColumnKind::kString);
  EXPECT_EQ(FindColumn("attributes"), ColumnId::kAttributes);
  EXPECT_EQ(kAllColumns.back(), ColumnId::kAttributes);
  EventRow row;
  *row.MutableStringValue(ColumnId::kAttributes) = "{}";
  EXPECT_EQ(row.attributes, "{}");
}

TEST(AttributesColumnTest, HeadAndSealedSegmentsKeepIt) {
  std::vector<std::string> storage;
  const std::vector<EventRow> rows = Events(2500, true, &storage);
  const std::vector<Row> expected = Sorted(RowsOf(rows));
  Table table({.segment_rows = 1000});
  ASSERT_OK(table.Append(rows));
  EXPECT_THAT(Sorted(ScanRows(table)), ElementsAreArray(expected));  // sealed and heads
  table.SealAll();
  EXPECT_THAT(Sorted(ScanRows(table)), ElementsAreArray(expected));
}

TEST(AttributesColumnTest, CostsNothingInAHeadWhileEmpty) {
  std::vector<std::string> storage;
  Table table({.segment_rows = 100'000});
  ASSERT_OK(table.Append(Events(3000, false, &storage)));
  EXPECT_EQ(table.Memory().head_column_bytes[kAttributes], 0u);
  // The first value allocates the column's views for its block.
  ASSERT_OK(table.Append(Events(1, true, &storage)));
  EXPECT_GT(table.Memory().head_column_bytes[kAttributes], 0u);
  int with_attributes = 0;
  for (const Row& row : ScanRows(table)) with_attributes += !row.values[kAttributes].empty();
  EXPECT_EQ(with_attributes, 1);
  // Sealed: an all-empty block is a few bytes (kept inside the string object).
  Table empty({.segment_rows = 100'000});
  ASSERT_OK(empty.Append(Events(3000, false, &storage)));
  empty.SealAll();
  const MemoryUsage usage = empty.Memory();
  EXPECT_LT(usage.sealed_column_bytes[kAttributes], 200u);
}

TEST(AttributesColumnTest, SerializedSegmentsRoundTrip) {
  using storage_internal::EncodedRow;
  using storage_internal::HeadSegment;
  using storage_internal::SealedSegment;
  HeadSegment head(20'000);
  std::vector<std::string> values;
  for (int i = 0; i < 20'000; ++i) values.push_back(i % 7 == 0 ? "" : R"({"n":)" + std::to_string(i) + "}");
  for (int i = 0; i < 20'000; ++i) {
    EncodedRow row;
    row.event_time_ms = i;
    row.user = static_cast<uint32_t>(i % 11);
    row.strings[storage_internal::StringSlot(ColumnId::kAttributes)] = values[i];
    head.Append(row);
  }
  const auto sealed = SealedSegment::Seal(head, 0, head.size());
  std::string bytes;
  ASSERT_OK(sealed->Serialize(&bytes));
  ASSERT_OK_AND_ASSIGN(const auto parsed, SealedSegment::Parse(bytes));
  std::vector<std::string> back;
  ScanBuffers buffers;
  ScanBlock block;
  for (uint32_t b = 0; b < parsed->block_count(); ++b) {
    ASSERT_OK(parsed->ReadBlock(b, ColumnSet{ColumnId::kAttributes}, &buffers, &block));
    for (uint32_t r = 0; r < block.row_count; ++r) back.emplace_back(block.strings[kAttributes][r]);
  }
  EXPECT_THAT(Sorted(back), ElementsAreArray(Sorted(values)));
  // A segment of a later version, with more columns than this one knows, is refused.
  std::string later = bytes;
  later[4] = static_cast<char>(kNumColumns + 1);
  EXPECT_FALSE(SealedSegment::Parse(later).ok());
}

TEST_F(StoreTest, AttributesSurviveTheWalAndACheckpoint) {
  std::vector<std::string> storage;
  const std::vector<EventRow> rows = Events(2500, true, &storage);
  const std::vector<Row> expected = RowsOf(rows);
  {
    Table table(kTableOptions);
    ASSERT_OK_AND_ASSIGN(auto store, Open(&table));
    LogAndAppend(store.get(), &table, absl::MakeConstSpan(rows).subspan(0, 1200));
    ASSERT_OK(store->Checkpoint());
    LogAndAppend(store.get(), &table, absl::MakeConstSpan(rows).subspan(1200));
  }
  {
    Table table(kTableOptions);
    ASSERT_OK_AND_ASSIGN(auto store, Open(&table));
    EXPECT_EQ(store->recovery().wal_records, 1u);
    ExpectTableHolds(table, expected);
    ASSERT_OK(store->Checkpoint());
  }
  Table table(kTableOptions);
  ASSERT_OK_AND_ASSIGN(auto store, Open(&table));
  EXPECT_EQ(store->recovery().wal_records, 0u);
  ExpectTableHolds(table, expected);
}

// A data directory of the release before the column: its checkpoint (format 1, 14-column
// head chunks) and its WAL (the first payload format) load with attributes ''.
TEST_F(StoreTest, ADataDirectoryFromBeforeAttributesOpens) {
  fs::copy(MUA_STORAGE_TESTDATA "/pre_attributes_data_dir", dir_, fs::copy_options::recursive);
  auto check = [](const Table& table) {
    std::vector<std::string> seen;
    for (const Row& row : ScanRows(table)) {
      EXPECT_EQ(row.values[kAttributes], "");
      seen.push_back(row.values[ColumnIndex(ColumnId::kEventId)] + " " +
                     row.values[ColumnIndex(ColumnId::kUserId)] + " " +
                     row.values[ColumnIndex(ColumnId::kEventType)] + " " +
                     row.values[ColumnIndex(ColumnId::kProperties)]);
    }
    std::sort(seen.begin(), seen.end());
    EXPECT_THAT(seen, ElementsAre(R"(e1 u1 app_open {"screen":"home"})", R"(e2 u2 purchase {"amount":9.99})",
                                  R"(e3 u1 screen_view {"screen":"cart"})"));
  };
  {
    Table table(kTableOptions);
    ASSERT_OK_AND_ASSIGN(auto store, Open(&table));
    EXPECT_EQ(store->recovery().rows, 2u);
    EXPECT_EQ(store->recovery().wal_records, 1u);
    check(table);
    ASSERT_OK(store->Checkpoint());  // rewritten in the current formats
    EXPECT_EQ(ReadManifest(dir_).format, 4);
  }
  Table table(kTableOptions);
  ASSERT_OK_AND_ASSIGN(auto store, Open(&table));
  check(table);
}

}  // namespace
}  // namespace mua::store_test
