// Background sealing (TableOptions::background_sealing): full heads wait in
// the partition state, readable like the head, until the sealer replaces them
// by segments; readers see exact prefixes of the appended batches throughout.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "storage/base/time_util.h"
#include "storage/internal/partition.h"
#include "storage/table.h"
#include "tests/testutil/event_builder.h"
#include "tests/testutil/status_matchers.h"

namespace mua {
namespace {

using test::EventBuilder;
using test::MillisAt;

constexpr uint32_t kSegmentRows = 1000;
const TableOptions kBackground{.segment_rows = kSegmentRows, .background_sealing = true};

// Where a snapshot's rows are: sealed segments, heads waiting to be sealed, heads.
struct Layout {
  uint64_t sealed_rows = 0;
  uint64_t waiting_rows = 0;
  uint64_t head_rows = 0;
  size_t waiting_heads = 0;
};

Layout LayoutOf(const TableSnapshot& snapshot) {
  Layout layout;
  std::set<std::pair<uint32_t, int32_t>> waiting;
  for (const BlockRef& ref : snapshot.ListBlocks({.columns = ColumnSet::All()}).blocks) {
    if (ref.segment >= 0) {
      layout.sealed_rows += ref.row_count;
    } else if (ref.segment == kHeadSegmentRef) {
      layout.head_rows += ref.row_count;
    } else {
      layout.waiting_rows += ref.row_count;
      waiting.insert({ref.partition, ref.segment});
    }
  }
  layout.waiting_heads = waiting.size();
  return layout;
}

// Polls until no head waits to be sealed; false after a minute.
bool WaitUntilSealed(const Table& table) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::minutes(1);
  while (LayoutOf(table.Snapshot()).waiting_rows > 0) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return true;
}

// Rows numbered `first`..`first + count - 1`: event_id and user_id carry the
// number (every row its own user), days alternate between `days` days from 2026-10-01.
void AddNumbered(EventBuilder* events, int64_t first, int count, int days = 1) {
  for (int64_t n = first; n < first + count; ++n) {
    const int64_t time = MillisAt("2026-10-01T08:00:00") + (n % days) * kMillisPerDay + n;
    EventRow& row = events->Add(time, absl::StrCat("u", n), n % 3 == 0 ? "click" : "app_open");
    row.event_id = events->Keep(absl::StrCat(n));
    row.properties = events->Keep(absl::StrCat("{\"n\":", n, "}"));
  }
}

// The event ids of every row the snapshot shows, sorted; checks each row's
// day, and with `every_column` its user and properties too.
std::vector<int64_t> ScanNumbers(const TableSnapshot& snapshot, bool every_column) {
  std::vector<int64_t> numbers;
  ScanBuffers buffers;
  const ColumnSet columns = ColumnSet::All();
  for (const BlockRef& ref : snapshot.ListBlocks({.columns = columns}).blocks) {
    ScanBlock block;
    EXPECT_OK(snapshot.ReadBlock(ref, columns, &buffers, &block));
    EXPECT_EQ(block.grouped_by_user, ref.segment >= 0);
    for (uint32_t r = 0; r < block.row_count; ++r) {
      int64_t number = -1;
      EXPECT_TRUE(absl::SimpleAtoi(block.strings[ColumnIndex(ColumnId::kEventId)][r], &number));
      EXPECT_EQ(DayOfMillis(block.event_time[r]), block.day);
      if (every_column) {
        EXPECT_EQ(block.strings[ColumnIndex(ColumnId::kProperties)][r],
                  absl::StrCat("{\"n\":", number, "}"));
        EXPECT_EQ(snapshot.user_index().Get(block.users[r]), absl::StrCat("u", number));
      }
      numbers.push_back(number);
    }
  }
  std::sort(numbers.begin(), numbers.end());
  return numbers;
}

// Exactly rows 0..count-1, and bitmaps that agree (every row has its own user).
void ExpectNumbers(const TableSnapshot& snapshot, int64_t count, bool every_column = true) {
  const std::vector<int64_t> numbers = ScanNumbers(snapshot, every_column);
  ASSERT_EQ(numbers.size(), static_cast<size_t>(count));
  for (int64_t n = 0; n < count; ++n) ASSERT_EQ(numbers[n], n);
  EXPECT_EQ(snapshot.row_count(), static_cast<uint64_t>(count));
  uint64_t users = 0, memory_rows = 0;
  for (size_t p = 0; p < snapshot.partition_count(); ++p) {
    users += snapshot.users(p).cardinality();
    memory_rows += snapshot.partition_memory(p).rows;
  }
  EXPECT_EQ(users, static_cast<uint64_t>(count));
  EXPECT_EQ(memory_rows, static_cast<uint64_t>(count));
}

TEST(BackgroundSealingTest, ReadersSeeExactPrefixesWhileHeadsSealInBackground) {
  constexpr int kBatches = 150;
  constexpr int kBatchRows = 400;
  Table table(kBackground);
  std::atomic<bool> done{false};
  std::thread writer([&] {
    for (int batch = 0; batch < kBatches; ++batch) {
      EventBuilder events;
      AddNumbered(&events, int64_t{batch} * kBatchRows, kBatchRows, /*days=*/2);
      ASSERT_OK(table.Append(events.rows()));
      std::this_thread::sleep_for(std::chrono::milliseconds(2));  // let the reader see more states
    }
    done = true;
  });
  int snapshots = 0, with_waiting_heads = 0, with_segments = 0;
  while (!done || snapshots < 5) {
    const TableSnapshot snapshot = table.Snapshot();
    const uint64_t rows = snapshot.row_count();
    ASSERT_EQ(rows % kBatchRows, 0u);  // whole batches only
    ExpectNumbers(snapshot, static_cast<int64_t>(rows), /*every_column=*/false);
    if (HasFatalFailure()) break;
    const Layout layout = LayoutOf(snapshot);
    with_waiting_heads += layout.waiting_rows > 0;
    with_segments += layout.sealed_rows > 0;
    ++snapshots;
  }
  writer.join();
  RecordProperty("snapshots", snapshots);
  RecordProperty("snapshots_with_waiting_heads", with_waiting_heads);
  RecordProperty("snapshots_with_segments", with_segments);
  constexpr uint64_t kRows = uint64_t{kBatches} * kBatchRows;

  // Segments replace the full heads; nothing else changes.
  ASSERT_TRUE(WaitUntilSealed(table));
  Layout layout = LayoutOf(table.Snapshot());
  EXPECT_EQ(layout.sealed_rows + layout.head_rows, kRows);
  EXPECT_LT(layout.head_rows, 2 * kSegmentRows);
  EXPECT_GT(table.Memory().segments, 0u);
  ExpectNumbers(table.Snapshot(), kRows);

  table.SealAll();
  layout = LayoutOf(table.Snapshot());
  EXPECT_EQ(layout.sealed_rows, kRows);
  EXPECT_EQ(table.Memory().sealed_rows, kRows);
  ExpectNumbers(table.Snapshot(), kRows);
}

TEST(BackgroundSealingTest, FullHeadsWaitReadableUntilTheSealerReplacesThem) {
  Table table(kBackground);
  table.TEST_PauseSealing(true);
  EventBuilder events;
  AddNumbered(&events, 0, 2500);
  ASSERT_OK(table.Append(events.rows()));  // no encoding here: two heads retire

  TableSnapshot snapshot = table.Snapshot();
  Layout layout = LayoutOf(snapshot);
  EXPECT_EQ(layout.sealed_rows, 0u);
  EXPECT_EQ(layout.waiting_heads, 2u);
  EXPECT_EQ(layout.waiting_rows, 2000u);
  EXPECT_EQ(layout.head_rows, 500u);
  ExpectNumbers(snapshot, 2500);
  const BlockRef waiting = snapshot.ListBlocks({.columns = ColumnSet::All()}).blocks.front();
  EXPECT_EQ(waiting.segment, SealingHeadRef(0));
  EXPECT_EQ(snapshot.EncodingName(waiting, ColumnId::kUserId), "head");
  const MemoryUsage before = snapshot.partition_memory(0);
  EXPECT_EQ(before.sealed_rows, 0u);
  EXPECT_GT(before.head_column_bytes[ColumnIndex(ColumnId::kProperties)], 0u);

  table.TEST_PauseSealing(false);
  ASSERT_TRUE(WaitUntilSealed(table));
  const TableSnapshot sealed = table.Snapshot();
  layout = LayoutOf(sealed);
  EXPECT_EQ(layout.sealed_rows, 2000u);
  EXPECT_EQ(layout.head_rows, 500u);
  EXPECT_EQ(sealed.partition_memory(0).segments, 2u);
  ExpectNumbers(sealed, 2500);
  ExpectNumbers(snapshot, 2500);  // the old snapshot still reads the heads it holds
}

TEST(BackgroundSealingTest, AppendSealsInlineWhenTooManyHeadsWait) {
  Table table(kBackground);
  table.TEST_PauseSealing(true);  // the sealer lags behind for good
  for (int batch = 0; batch < 11; ++batch) {
    EventBuilder events;
    AddNumbered(&events, batch * 500, 500);
    ASSERT_OK(table.Append(events.rows()));
  }
  const Layout layout = LayoutOf(table.Snapshot());
  EXPECT_EQ(layout.waiting_heads, storage_internal::kMaxRetiredHeads);
  EXPECT_EQ(layout.waiting_rows, storage_internal::kMaxRetiredHeads * kSegmentRows);
  EXPECT_EQ(layout.head_rows, 500u);
  EXPECT_EQ(layout.sealed_rows, 5500u - 500u - layout.waiting_rows);
  ExpectNumbers(table.Snapshot(), 5500);
}

TEST(BackgroundSealingTest, SealAllSealsWaitingHeads) {
  Table table(kBackground);
  table.TEST_PauseSealing(true);
  EventBuilder events;
  AddNumbered(&events, 0, 2500, /*days=*/2);
  ASSERT_OK(table.Append(events.rows()));
  ASSERT_GT(LayoutOf(table.Snapshot()).waiting_rows, 0u);
  table.SealAll();
  const Layout layout = LayoutOf(table.Snapshot());
  EXPECT_EQ(layout.sealed_rows, 2500u);
  EXPECT_EQ(layout.waiting_rows + layout.head_rows, 0u);
  ExpectNumbers(table.Snapshot(), 2500);
  table.TEST_PauseSealing(false);  // the sealer finds nothing left to do
  ASSERT_TRUE(WaitUntilSealed(table));
  ExpectNumbers(table.Snapshot(), 2500);
}

TEST(BackgroundSealingTest, SealIdleHeadsHandsThemToTheSealer) {
  Table table(kBackground);
  table.TEST_PauseSealing(true);
  EventBuilder events;
  AddNumbered(&events, 0, 10, /*days=*/2);
  ASSERT_OK(table.Append(events.rows()));
  EXPECT_EQ(table.SealIdleHeads(absl::Hours(1)), 0);
  EXPECT_EQ(table.SealIdleHeads(absl::ZeroDuration()), 2);
  EXPECT_EQ(table.SealIdleHeads(absl::ZeroDuration()), 0);  // the heads are empty now
  Layout layout = LayoutOf(table.Snapshot());
  EXPECT_EQ(layout.waiting_rows, 10u);
  EXPECT_EQ(layout.head_rows, 0u);
  table.TEST_PauseSealing(false);
  ASSERT_TRUE(WaitUntilSealed(table));
  layout = LayoutOf(table.Snapshot());
  EXPECT_EQ(layout.sealed_rows, 10u);
  ExpectNumbers(table.Snapshot(), 10);
}

TEST(BackgroundSealingTest, EraseUserRemovesRowsOfWaitingHeads) {
  Table table(kBackground);
  table.TEST_PauseSealing(true);
  EventBuilder events;
  AddNumbered(&events, 0, 2500);
  for (int i = 0; i < 30; ++i) {  // the victim's rows end up in every head
    events.Add(MillisAt("2026-10-01T09:00:00") + i, "victim", "purchase");
    AddNumbered(&events, 2500 + i, 1);
  }
  ASSERT_OK(table.Append(events.rows().subspan(0, 1700)));
  ASSERT_OK(table.Append(events.rows().subspan(1700)));
  ASSERT_GT(LayoutOf(table.Snapshot()).waiting_heads, 0u);

  ASSERT_OK_AND_ASSIGN(const uint64_t erased, table.EraseUser("victim"));
  EXPECT_EQ(erased, 30u);
  const TableSnapshot snapshot = table.Snapshot();
  const Layout layout = LayoutOf(snapshot);
  EXPECT_EQ(layout.waiting_rows + layout.head_rows, 0u);  // sealed, then rewritten
  ExpectNumbers(snapshot, 2530);
  const uint32_t victim = *snapshot.user_index().Find("victim");
  EXPECT_FALSE(snapshot.users(0).contains(victim));
}

TEST(BackgroundSealingTest, DroppedPartitionsTakeTheirWaitingHeads) {
  Table table(kBackground);
  table.TEST_PauseSealing(true);
  EventBuilder events;
  AddNumbered(&events, 0, 7500, /*days=*/3);  // 2500 rows a day: two heads wait in each
  ASSERT_OK(table.Append(events.rows()));
  ASSERT_EQ(LayoutOf(table.Snapshot()).waiting_heads, 6u);
  const int32_t first_day = DayOfMillis(MillisAt("2026-10-01T00:00:00"));
  EXPECT_EQ(table.DropPartitionsBefore(first_day + 2),
            (std::vector<int32_t>{first_day, first_day + 1}));
  table.TEST_PauseSealing(false);
  ASSERT_TRUE(WaitUntilSealed(table));
  const TableSnapshot snapshot = table.Snapshot();
  ASSERT_EQ(snapshot.partition_count(), 1u);
  EXPECT_EQ(snapshot.day(0), first_day + 2);
  EXPECT_EQ(snapshot.row_count(), 2500u);
  EXPECT_EQ(LayoutOf(snapshot).sealed_rows, 2000u);

  // Drops that race the sealer mid-seal: its segment for a dropped day is discarded.
  for (int round = 0; round < 20; ++round) {
    EventBuilder more;
    for (int i = 0; i < 3000; ++i) {
      more.Add(MillisAt("2026-09-01T10:00:00") + round * kMillisPerDay + i, "late", "click");
    }
    ASSERT_OK(table.Append(more.rows()));
    if (round % 2 == 1) std::this_thread::sleep_for(std::chrono::microseconds(200 * round));
    EXPECT_EQ(table.DropPartitionsBefore(first_day).size(), 1u);
  }
  ASSERT_TRUE(WaitUntilSealed(table));
  EXPECT_EQ(table.row_count(), 2500u);
  EXPECT_EQ(table.Snapshot().partition_count(), 1u);
}

}  // namespace
}  // namespace mua
