#include "storage/table.h"

#include <atomic>
#include <map>
#include <random>
#include <set>
#include <thread>

#include "absl/container/flat_hash_set.h"
#include "gtest/gtest.h"
#include "storage/base/time_util.h"
#include "tests/testutil/event_builder.h"
#include "tests/testutil/status_matchers.h"

namespace mua {
namespace {

using test::EventBuilder;
using test::MillisAt;

// Every row of the snapshot, decoded back to strings, in scan order.
struct ScannedRow {
  int32_t day;
  int64_t time;
  std::string user, event_type, platform, session_id, event_id, properties;
  bool operator<(const ScannedRow& o) const {
    return std::tie(time, user, event_id) < std::tie(o.time, o.user, o.event_id);
  }
};

std::vector<ScannedRow> ScanAll(const TableSnapshot& snapshot, const ScanOptions& options) {
  std::vector<ScannedRow> rows;
  ScanBuffers buffers;
  const ColumnSet columns = ColumnSet::All();
  for (const BlockRef& ref : snapshot.ListBlocks(options).blocks) {
    ScanBlock block;
    EXPECT_OK(snapshot.ReadBlock(ref, columns, &buffers, &block));
    for (uint32_t i = 0; i < block.row_count; ++i) {
      rows.push_back(ScannedRow{
          block.day,
          block.event_time[i],
          std::string(snapshot.user_index().Get(block.users[i])),
          std::string(snapshot.dictionary(ColumnId::kEventType)
                          .Get(block.codes[ColumnIndex(ColumnId::kEventType)][i])),
          std::string(snapshot.dictionary(ColumnId::kPlatform)
                          .Get(block.codes[ColumnIndex(ColumnId::kPlatform)][i])),
          std::string(block.strings[ColumnIndex(ColumnId::kSessionId)][i]),
          std::string(block.strings[ColumnIndex(ColumnId::kEventId)][i]),
          std::string(block.strings[ColumnIndex(ColumnId::kProperties)][i]),
      });
    }
  }
  return rows;
}

std::vector<ScannedRow> ScanAll(const TableSnapshot& snapshot) {
  return ScanAll(snapshot, ScanOptions{.columns = ColumnSet::All()});
}

// Random events over `days` days starting 2026-10-01 for `users` users.
void AddRandomEvents(EventBuilder* events, int count, int users, int days, uint32_t seed) {
  std::mt19937 random(seed);
  const int64_t start = MillisAt("2026-10-01T00:00:00");
  const char* types[] = {"app_open", "screen_view", "click", "purchase", "app_crash"};
  const char* platforms[] = {"ios", "android", "web"};
  for (int i = 0; i < count; ++i) {
    const int64_t time = start + static_cast<int64_t>(random() % (days * kMillisPerDay));
    EventRow& row = events->Add(time, "user" + std::to_string(random() % users), types[random() % 5]);
    row.platform = platforms[random() % 3];
    row.session_id = events->Keep(std::to_string(random() % 1000));
    row.properties = events->Keep("{\"n\":" + std::to_string(random() % 50) + "}");
  }
}

class TableTest : public ::testing::TestWithParam<bool> {
 protected:
  // Parameter: whether to seal before reading, so every test runs on heads and on segments.
  void MaybeSeal(Table& table) {
    if (GetParam()) table.SealAll();
  }
};

TEST_P(TableTest, ScanReturnsEveryAppendedRow) {
  Table table(TableOptions{.segment_rows = 20000});
  EventBuilder events;
  AddRandomEvents(&events, 50000, 300, 3, 1);
  ASSERT_OK(table.Append(events.rows()));
  MaybeSeal(table);

  std::vector<ScannedRow> expected;
  for (const EventRow& row : events.rows()) {
    expected.push_back({DayOfMillis(row.event_time_ms), row.event_time_ms, std::string(row.user_id),
                        std::string(row.event_type), std::string(row.platform),
                        std::string(row.session_id), std::string(row.event_id),
                        std::string(row.properties)});
  }
  std::vector<ScannedRow> scanned = ScanAll(table.Snapshot());
  std::sort(expected.begin(), expected.end());
  std::sort(scanned.begin(), scanned.end());
  ASSERT_EQ(scanned.size(), expected.size());
  for (size_t i = 0; i < expected.size(); ++i) {
    EXPECT_EQ(scanned[i].day, expected[i].day);
    EXPECT_EQ(scanned[i].time, expected[i].time);
    EXPECT_EQ(scanned[i].user, expected[i].user);
    EXPECT_EQ(scanned[i].event_type, expected[i].event_type);
    EXPECT_EQ(scanned[i].platform, expected[i].platform);
    EXPECT_EQ(scanned[i].session_id, expected[i].session_id);
    EXPECT_EQ(scanned[i].event_id, expected[i].event_id);
    EXPECT_EQ(scanned[i].properties, expected[i].properties);
  }
  EXPECT_EQ(table.row_count(), 50000u);
}

TEST_P(TableTest, LateAndOutOfOrderEventsLandInTheirOwnDay) {
  Table table;
  EventBuilder events;
  events.Add(MillisAt("2026-10-05T23:59:59"), "a", "app_open");
  events.Add(MillisAt("2026-10-06T00:00:00"), "a", "click");
  events.Add(MillisAt("2026-10-04T12:00:00"), "b", "click");  // out of order
  ASSERT_OK(table.Append(events.rows()));
  events.clear();
  events.Add(MillisAt("2025-01-01T00:00:00"), "c", "app_open");  // very late
  events.Add(MillisAt("1969-12-31T23:59:59"), "d", "app_open");  // before the epoch
  ASSERT_OK(table.Append(events.rows()));
  MaybeSeal(table);

  const TableSnapshot snapshot = table.Snapshot();
  std::map<std::string, uint64_t> rows_by_day;
  for (size_t p = 0; p < snapshot.partition_count(); ++p) {
    rows_by_day[FormatDay(snapshot.day(p))] = snapshot.row_count(p);
  }
  const std::map<std::string, uint64_t> expected = {
      {"1969-12-31", 1}, {"2025-01-01", 1}, {"2026-10-04", 1}, {"2026-10-05", 1}, {"2026-10-06", 1}};
  EXPECT_EQ(rows_by_day, expected);
  for (const ScannedRow& row : ScanAll(snapshot)) EXPECT_EQ(row.day, DayOfMillis(row.time));
}

TEST_P(TableTest, BitmapsEqualBruteForceDistinctCounts) {
  Table table(TableOptions{.segment_rows = 7000});
  EventBuilder events;
  AddRandomEvents(&events, 40000, 5000, 4, 7);
  // Several batches, so bitmaps grow by copy-on-write across appends and seals.
  for (size_t begin = 0; begin < events.rows().size(); begin += 9000) {
    ASSERT_OK(table.Append(events.rows().subspan(begin, 9000)));
  }
  MaybeSeal(table);

  std::map<int32_t, std::set<std::string>> users_by_day;
  std::map<std::pair<int32_t, std::string>, std::set<std::string>> users_by_day_type;
  for (const EventRow& row : events.rows()) {
    const int32_t day = DayOfMillis(row.event_time_ms);
    users_by_day[day].insert(std::string(row.user_id));
    users_by_day_type[{day, std::string(row.event_type)}].insert(std::string(row.user_id));
  }
  const TableSnapshot snapshot = table.Snapshot();
  ASSERT_EQ(snapshot.partition_count(), users_by_day.size());
  for (size_t p = 0; p < snapshot.partition_count(); ++p) {
    const int32_t day = snapshot.day(p);
    EXPECT_EQ(snapshot.users(p).cardinality(), users_by_day[day].size());
    for (const char* type : {"app_open", "screen_view", "click", "purchase", "app_crash"}) {
      const uint32_t code = *snapshot.dictionary(ColumnId::kEventType).Find(type);
      const UserBitmap& bitmap = snapshot.users_with_event_type(p, code);
      const std::set<std::string>& expected = users_by_day_type[{day, type}];
      ASSERT_EQ(bitmap.cardinality(), expected.size());
      for (const std::string& user : expected) {
        EXPECT_TRUE(bitmap.contains(*snapshot.user_index().Find(user)));
      }
    }
  }
  // An event type never seen has an empty bitmap, not an error.
  EXPECT_EQ(snapshot.users_with_event_type(0, 9999).cardinality(), 0u);
}

TEST_P(TableTest, TimeRangePrunesPartitionsAndBlocks) {
  Table table;
  EventBuilder events;
  AddRandomEvents(&events, 30000, 100, 5, 3);
  ASSERT_OK(table.Append(events.rows()));
  MaybeSeal(table);
  const TableSnapshot snapshot = table.Snapshot();

  ScanOptions options{.columns = ColumnSet::All()};
  options.min_time_ms = MillisAt("2026-10-02T06:00:00");
  options.max_time_ms = MillisAt("2026-10-03T05:59:59");
  const BlockList list = snapshot.ListBlocks(options);
  EXPECT_EQ(list.partitions_total, 5u);
  EXPECT_EQ(list.partitions_pruned, 3u);
  // Pruning is conservative: every row in range is in a listed block.
  size_t in_range = 0;
  for (const ScannedRow& row : ScanAll(snapshot, options)) {
    in_range += row.time >= options.min_time_ms && row.time <= options.max_time_ms;
  }
  size_t expected = 0;
  for (const EventRow& row : events.rows()) {
    expected += row.event_time_ms >= options.min_time_ms && row.event_time_ms <= options.max_time_ms;
  }
  EXPECT_EQ(in_range, expected);
}

TEST_P(TableTest, CodeFilterPrunesBlocksWithoutTheCode) {
  Table table;
  EventBuilder events;
  // 40000 rows of one user on "android" then one block's worth of a later user on "ios":
  // after sealing, rows sort by user, so the ios rows fill their own block.
  for (int i = 0; i < 40000; ++i) {
    events.Add(MillisAt("2026-10-01T00:00:00") + i, "a", "click").platform = "android";
  }
  for (int i = 0; i < 100; ++i) {
    events.Add(MillisAt("2026-10-01T12:00:00") + i, "b", "click").platform = "ios";
  }
  ASSERT_OK(table.Append(events.rows()));
  MaybeSeal(table);
  const TableSnapshot snapshot = table.Snapshot();
  const uint32_t ios = *snapshot.dictionary(ColumnId::kPlatform).Find("ios");
  ScanOptions options{.columns = {ColumnId::kPlatform}};
  options.code_filters.push_back({ColumnId::kPlatform, {ios}});
  const BlockList list = snapshot.ListBlocks(options);
  size_t ios_rows = 0;
  for (const ScannedRow& row : ScanAll(snapshot, options)) ios_rows += row.platform == "ios";
  EXPECT_EQ(ios_rows, 100u);
  if (GetParam()) {
    EXPECT_EQ(list.blocks.size(), 1u);  // only the block holding user b
    EXPECT_EQ(list.blocks_pruned, 2u);
  }
}

TEST_P(TableTest, MemoryAccountingAddsUp) {
  Table table(TableOptions{.segment_rows = 10000});
  EventBuilder events;
  AddRandomEvents(&events, 25000, 1000, 3, 11);
  ASSERT_OK(table.Append(events.rows()));
  MaybeSeal(table);

  const MemoryUsage total = table.Memory();
  MemoryUsage sum;
  for (const auto& [day, usage] : table.PartitionMemory()) {
    size_t columns = 0;
    for (ColumnId id : kAllColumns) columns += usage.column_bytes(id);
    EXPECT_EQ(usage.total_bytes(), columns + usage.bitmap_bytes);
    EXPECT_GT(usage.bitmap_bytes, 0u);
    sum += usage;
  }
  EXPECT_EQ(sum.rows, 25000u);
  EXPECT_EQ(total.rows, 25000u);
  EXPECT_EQ(total.total_bytes(),
            sum.total_bytes() + total.dictionary_bytes + total.user_index_bytes);
  EXPECT_GT(total.user_index_bytes, 0u);
  EXPECT_GT(total.dictionary_bytes, 0u);
  for (ColumnId id : kAllColumns) {
    // Every event's attributes are '': a head allocates nothing for them.
    if (id == ColumnId::kAttributes && !GetParam()) {
      EXPECT_EQ(total.column_bytes(id), 0u);
    } else {
      EXPECT_GT(total.column_bytes(id), 0u) << ColumnName(id);
    }
  }
  if (GetParam()) {
    EXPECT_EQ(total.sealed_rows, 25000u);
    for (ColumnId id : kAllColumns) EXPECT_EQ(total.head_column_bytes[ColumnIndex(id)], 0u);
  }
}

TEST_P(TableTest, SealedBlocksAreGroupedByUserInTimeOrder) {
  Table table;
  EventBuilder events;
  AddRandomEvents(&events, 20000, 50, 1, 5);
  ASSERT_OK(table.Append(events.rows()));
  MaybeSeal(table);
  const TableSnapshot snapshot = table.Snapshot();
  ScanBuffers buffers;
  for (const BlockRef& ref : snapshot.ListBlocks({.columns = ColumnSet::All()}).blocks) {
    ScanBlock block;
    ASSERT_OK(snapshot.ReadBlock(ref, {ColumnId::kUserId, ColumnId::kEventTime}, &buffers, &block));
    EXPECT_EQ(block.grouped_by_user, GetParam());
    if (!block.grouped_by_user) continue;
    for (uint32_t i = 1; i < block.row_count; ++i) {
      ASSERT_TRUE(block.users[i - 1] < block.users[i] ||
                  (block.users[i - 1] == block.users[i] &&
                   block.event_time[i - 1] <= block.event_time[i]));
    }
  }
}

std::string HeadOrSealed(const ::testing::TestParamInfo<bool>& param) {
  return param.param ? "Sealed" : "Head";
}
INSTANTIATE_TEST_SUITE_P(HeadAndSealed, TableTest, ::testing::Bool(), HeadOrSealed);

TEST(TableAppendTest, RejectsTimesOutsideRangeAndAppendsNothing) {
  Table table;
  EventBuilder events;
  events.Add(MillisAt("2026-10-01T00:00:00"), "a", "click");
  events.Add(int64_t{1} << 62, "b", "click");
  EXPECT_THAT(table.Append(events.rows()), test::StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_EQ(table.row_count(), 0u);
  EXPECT_OK(table.Append({}));
}

// Codes looked up ahead (Table::Encode, on decoding threads) and given at the append: the
// codes are those Append gives, in arrival order, whatever ran between the two halves.
TEST(TableAppendTest, EncodedAheadGetsTheCodesOfAppendInArrivalOrder) {
  const int64_t t = MillisAt("2026-10-01T00:00:00");
  EventBuilder first, second;
  first.Add(t, "known", "open");
  for (const char* user : {"new-b", "known", "new-a", "new-b"}) first.Add(t + 1, user, "click");
  second.Add(t + 2, "new-c", "open");

  Table table;
  ASSERT_OK(table.Append(absl::MakeConstSpan(first.rows()).subspan(0, 1)));  // "known", "open"
  EncodedRows ahead;
  table.Encode(absl::MakeConstSpan(first.rows()).subspan(1), &ahead);
  // Another batch appends between the lookup and the append: it takes the next codes.
  ASSERT_OK(table.Append(second.rows()));
  ASSERT_OK(table.AppendEncoded(ahead));

  const StringDictionary& users = table.user_index();
  ASSERT_EQ(users.size(), 4u);
  EXPECT_EQ(users.Get(0), "known");
  EXPECT_EQ(users.Get(1), "new-c");
  EXPECT_EQ(users.Get(2), "new-b");  // before new-a: its row came first
  EXPECT_EQ(users.Get(3), "new-a");
  EXPECT_EQ(table.dictionary(ColumnId::kEventType).size(), 2u);  // open, click
  EXPECT_EQ(table.row_count(), 6u);

  // A batch encoded but never appended adds nothing.
  EventBuilder dropped;
  dropped.Add(t, "never-appended", "never");
  EncodedRows unused;
  table.Encode(dropped.rows(), &unused);
  EXPECT_EQ(users.size(), 4u);
  EXPECT_FALSE(users.Find("never-appended").has_value());
}

TEST(TableAppendTest, AppendEncodedRejectsTimesOutsideRangeAndAppendsNothing) {
  Table table;
  EventBuilder events;
  events.Add(MillisAt("2026-10-01T00:00:00"), "a", "click");
  events.Add(int64_t{1} << 62, "b", "click");
  EncodedRows encoded;
  table.Encode(events.rows(), &encoded);
  EXPECT_THAT(table.AppendEncoded(encoded), test::StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_EQ(table.row_count(), 0u);
  EXPECT_EQ(table.user_index().size(), 0u);
}

TEST(TableConcurrencyTest, ReadersSeeWholeBatchesWhileAppendsContinue) {
  constexpr int kBatches = 120;
  constexpr int kBatchRows = 500;
  Table table(TableOptions{.segment_rows = 4000});  // seals often while readers read
  std::atomic<bool> done{false};

  std::thread writer([&] {
    for (int batch = 0; batch < kBatches; ++batch) {
      EventBuilder events;
      for (int i = 0; i < kBatchRows; ++i) {
        // Every batch spans two days, so atomicity across partitions is exercised too.
        const int64_t time = MillisAt("2026-10-01T23:00:00") + (i % 2) * 3'600'000 + batch;
        EventRow& row = events.Add(time, "user" + std::to_string(batch * kBatchRows + i), "click");
        row.properties = events.Keep("{\"batch\":" + std::to_string(batch) + "}");
      }
      ASSERT_OK(table.Append(events.rows()));
    }
    done = true;
  });

  int snapshots = 0;
  while (!done || snapshots < 5) {
    const TableSnapshot snapshot = table.Snapshot();
    const uint64_t rows = snapshot.row_count();
    ASSERT_EQ(rows % kBatchRows, 0u);
    // The scan and the bitmaps agree with the row count: nothing half-written.
    std::vector<ScannedRow> scanned = ScanAll(snapshot);
    ASSERT_EQ(scanned.size(), rows);
    uint64_t bitmap_users = 0;
    for (size_t p = 0; p < snapshot.partition_count(); ++p) {
      bitmap_users += snapshot.users(p).cardinality();
    }
    ASSERT_EQ(bitmap_users, rows);  // every row has its own user
    std::map<std::string, int> rows_per_batch;
    for (const ScannedRow& row : scanned) ++rows_per_batch[row.properties];
    for (const auto& [batch, count] : rows_per_batch) ASSERT_EQ(count, kBatchRows) << batch;
    ++snapshots;
  }
  writer.join();
  EXPECT_EQ(table.row_count(), uint64_t{kBatches} * kBatchRows);
}

}  // namespace
}  // namespace mua

namespace mua {
namespace {

TEST(TableSealTest, SealIdleHeadsSealsOnlyHeadsIdleLongEnough) {
  Table table;
  test::EventBuilder events;
  events.Add(test::MillisAt("2026-10-01T10:00:00"), "a", "click");
  events.Add(test::MillisAt("2026-10-02T10:00:00"), "b", "click");
  ASSERT_OK(table.Append(events.rows()));
  EXPECT_EQ(table.SealIdleHeads(absl::Hours(1)), 0);
  EXPECT_EQ(table.Memory().sealed_rows, 0u);
  EXPECT_EQ(table.SealIdleHeads(absl::ZeroDuration()), 2);
  EXPECT_EQ(table.Memory().sealed_rows, 2u);
  EXPECT_EQ(table.SealIdleHeads(absl::ZeroDuration()), 0);  // nothing left to seal
  EXPECT_EQ(table.row_count(), 2u);
}

}  // namespace
}  // namespace mua
