// Store checkpoints: every row round-trips, later checkpoints write only what is new,
// heads (growing, waiting to be sealed, racing the sealer) are restored exactly, and
// positions are stored with the data they cover.

#include <algorithm>
#include <atomic>
#include <map>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "storage/base/time_util.h"
#include "storage/store.h"
#include "storage/table.h"
#include "storage/table_snapshot.h"
#include "tests/storage/store_test_util.h"
#include "tests/testutil/event_builder.h"
#include "tests/testutil/status_matchers.h"

namespace mua::store_test {
namespace {

using test::EventBuilder;
using test::MillisAt;
using ::testing::IsEmpty;

// --- 1. Round trips.

TEST_F(StoreTest, CheckpointRoundTripsEveryRow) {
  EventBuilder events;
  AddStandardDays(&events);
  const std::vector<Row> expected = RowsOf(events.rows());
  Users users_before;
  Digest digest_before;
  {
    Table table(kTableOptions);
    ASSERT_OK_AND_ASSIGN(auto store, Open(&table));
    EXPECT_FALSE(store->recovery().degraded);
    EXPECT_EQ(store->recovery().rows, 0u);
    AppendInBatches(store.get(), &table, Shuffled(events.rows()));
    ASSERT_OK(store->Checkpoint());
    users_before = UsersOf(table);
    digest_before = DigestOf(table);
    EXPECT_EQ(digest_before, DigestOf(expected));
    EXPECT_EQ(store->stats().persisted_rows, expected.size());
    EXPECT_EQ(store->stats().checkpoints, 1);
  }
  // Both kinds of partition content were persisted: sealed segments and heads.
  const ManifestView manifest = ReadManifest(dir_);
  EXPECT_EQ(manifest.segments.at(kFirstDay + 2).size(), 2u);
  EXPECT_EQ(manifest.heads.at(kFirstDay + 2).size(), 1u);
  EXPECT_EQ(manifest.files.at(manifest.heads.at(kFirstDay + 2)[0]).rows, 300u);
  EXPECT_EQ(manifest.segments.count(kFirstDay + 9), 0u);
  EXPECT_EQ(manifest.files.at(manifest.heads.at(kFirstDay + 9)[0]).rows, 7u);
  EXPECT_EQ(manifest.files.at(manifest.heads.at(kFirstDay + 3)[0]).rows, 1000u);  // full, unsealed
  ExpectFilesMatchManifest();

  Table restored(kTableOptions);
  ASSERT_OK_AND_ASSIGN(auto store, Open(&restored));
  EXPECT_FALSE(store->recovery().degraded);
  EXPECT_EQ(store->recovery().rows, expected.size());
  EXPECT_EQ(store->recovery().partitions, static_cast<int>(kRowsPerDay.size()));
  EXPECT_EQ(store->recovery().wal_records, 0u);
  EXPECT_THAT(replayed_, IsEmpty());
  ExpectTableHolds(restored, expected);
  EXPECT_EQ(UsersOf(restored), users_before);
  EXPECT_EQ(DigestOf(restored), digest_before);
  std::map<int32_t, uint64_t> expected_days;
  for (const auto& [day, count] : kRowsPerDay) expected_days[kFirstDay + day] = count;
  EXPECT_EQ(RowsPerDay(restored), expected_days);
}

TEST_F(StoreTest, SecondCheckpointWritesOnlyNewData) {
  EventBuilder events;
  AddStandardDays(&events);
  // New rows copy an existing row's values (no new dictionary entries) except
  // for the user of the new day, which is new to the user index.
  EventBuilder more;
  const EventRow model = events.rows()[0];  // day 0, whose head holds 460 rows
  ASSERT_EQ(DayOfMillis(model.event_time_ms), kFirstDay);
  std::vector<EventRow> day0_rows, new_day_rows;
  for (int i = 0; i < 20; ++i) {
    EventRow row = model;
    row.event_time_ms = model.event_time_ms + i;
    row.event_id = more.Keep(absl::StrCat("more-", i));
    day0_rows.push_back(row);
  }
  for (int i = 0; i < 5; ++i) {
    EventRow row = model;
    row.event_time_ms = MillisAt("2026-10-13T08:00:00") + i;
    row.user_id = "brand-new-user";
    row.event_id = more.Keep(absl::StrCat("new-", i));
    new_day_rows.push_back(row);
  }
  const int32_t new_day = DayOfMillis(MillisAt("2026-10-13T08:00:00"));

  Table table(kTableOptions);
  ASSERT_OK_AND_ASSIGN(auto store, Open(&table));
  AppendInBatches(store.get(), &table, Shuffled(events.rows()));
  ASSERT_OK(store->Checkpoint());
  const ManifestView first = ReadManifest(dir_);
  ExpectFilesMatchManifest();

  // A checkpoint with nothing new writes nothing.
  ASSERT_OK(store->Checkpoint());
  EXPECT_EQ(ReadManifest(dir_).names(), first.names());

  AppendInBatches(store.get(), &table, day0_rows);
  AppendInBatches(store.get(), &table, new_day_rows);
  ASSERT_OK(store->Checkpoint());
  const ManifestView second = ReadManifest(dir_);
  ExpectFilesMatchManifest();

  std::set<std::string> added, removed;
  const std::set<std::string> first_names = first.names(), second_names = second.names();
  std::set_difference(second_names.begin(), second_names.end(), first_names.begin(),
                      first_names.end(), std::inserter(added, added.end()));
  std::set_difference(first_names.begin(), first_names.end(), second_names.begin(),
                      second_names.end(), std::inserter(removed, removed.end()));
  // New: day 0's new head chunk and bitmaps, the new day's head and bitmaps, a user-index chunk.
  EXPECT_EQ(added.size(), 5u) << absl::StrJoin(added, " ");
  // Gone: only day 0's old bitmaps.
  EXPECT_EQ(removed, std::set<std::string>{first.bitmaps.at(kFirstDay)});
  EXPECT_EQ(second.segments, first.segments);  // no segment rewritten
  ASSERT_EQ(second.heads.at(kFirstDay).size(), 2u);
  EXPECT_EQ(second.heads.at(kFirstDay)[0], first.heads.at(kFirstDay)[0]);
  EXPECT_EQ(second.files.at(second.heads.at(kFirstDay)[1]).rows, 20u);
  ASSERT_EQ(second.heads.at(new_day).size(), 1u);
  EXPECT_EQ(second.files.at(second.heads.at(new_day)[0]).rows, 5u);
  for (const auto& [day, name] : first.bitmaps) {
    if (day != kFirstDay) {
      EXPECT_EQ(second.bitmaps.at(day), name) << FormatDay(day);
    }
  }
  EXPECT_EQ(second.dictionaries.at("user_id").size(), first.dictionaries.at("user_id").size() + 1);
  EXPECT_EQ(second.dictionaries.at("event_type"), first.dictionaries.at("event_type"));
  EXPECT_EQ(store->stats().persisted_rows, table.row_count());

  const std::vector<Row> expected =
      Concat(Concat(RowsOf(events.rows()), RowsOf(day0_rows)), RowsOf(new_day_rows));
  store.reset();
  Table restored(kTableOptions);
  ASSERT_OK_AND_ASSIGN(store, Open(&restored));
  ExpectTableHolds(restored, expected);
}

TEST_F(StoreTest, RestoredHeadsKeepGrowing) {
  std::vector<Row> expected = CheckpointStandardDays();
  ManifestView previous = ReadManifest(dir_);
  std::mt19937 random(99);
  for (int round = 0; round < 3; ++round) {
    SCOPED_TRACE(absl::StrCat("round ", round));
    Table table(kTableOptions);
    ASSERT_OK_AND_ASSIGN(auto store, Open(&table));
    ExpectTableHolds(table, expected);

    // Day 1's head (200 rows at first) grows without sealing; day 0's and day 4's seal.
    EventBuilder more;
    AddDay(&more, 1, 30, 400, &random);
    AddDay(&more, 0, round == 0 ? 600 : 10, 400, &random);
    AddDay(&more, 4, round == 0 ? 100 : 10, 400, &random);
    AppendInBatches(store.get(), &table, Shuffled(more.rows(), round));
    ASSERT_OK(store->Checkpoint());
    ExpectFilesMatchManifest();
    const ManifestView current = ReadManifest(dir_);
    // What was restored is not written again: its segments and head chunks keep their files.
    for (const auto& [day, names] : previous.segments) {
      for (const std::string& name : names) EXPECT_TRUE(current.files.contains(name)) << name;
    }
    const std::vector<std::string>& old_head = previous.heads.at(kFirstDay + 1);
    const std::vector<std::string>& new_head = current.heads.at(kFirstDay + 1);
    ASSERT_EQ(new_head.size(), old_head.size() + 1);
    EXPECT_TRUE(std::equal(old_head.begin(), old_head.end(), new_head.begin()));
    EXPECT_EQ(current.files.at(new_head.back()).rows, 30u);
    EXPECT_EQ(
        current.segments.at(kFirstDay + 4).size(),
        previous.segments.count(kFirstDay + 4) ? previous.segments.at(kFirstDay + 4).size() : 1u);
    expected = Concat(std::move(expected), RowsOf(more.rows()));
    ExpectTableHolds(table, expected);
    previous = current;
  }
  Table table(kTableOptions);
  ASSERT_OK_AND_ASSIGN(auto store, Open(&table));
  ExpectTableHolds(table, expected);
  std::map<int32_t, uint64_t> days = RowsPerDay(table);
  EXPECT_EQ(days[kFirstDay + 1], 1200u + 3 * 30);
  EXPECT_EQ(days[kFirstDay + 0], 1460u + 600 + 2 * 10);
}

TEST_F(StoreTest, ManySmallCheckpointsCompactChunksAndStayExact) {
  std::vector<Row> expected;
  {
    Table table(kTableOptions);
    ASSERT_OK_AND_ASSIGN(auto store, Open(&table));
    for (int i = 0; i < 25; ++i) {
      EventBuilder events;
      // A new user and a new event type every time: every checkpoint adds dictionary entries.
      events
          .Add(MillisAt("2026-10-05T10:00:00") + i, absl::StrCat("user-", i),
               absl::StrCat("type-", i))
          .platform = "ios";
      events.Add(MillisAt("2026-10-05T11:00:00") + i, "user-0", "type-0").country = "DE";
      AppendInBatches(store.get(), &table, events.rows());
      ASSERT_OK(store->Checkpoint());
      expected = Concat(std::move(expected), RowsOf(events.rows()));
      const ManifestView manifest = ReadManifest(dir_);
      EXPECT_LE(manifest.dictionaries.at("user_id").size(), 8u);
      EXPECT_LE(manifest.heads.at(DayOfMillis(MillisAt("2026-10-05T10:00:00"))).size(), 16u);
      ExpectFilesMatchManifest();
    }
  }
  Table table(kTableOptions);
  ASSERT_OK_AND_ASSIGN(auto store, Open(&table));
  ExpectTableHolds(table, expected);
  EXPECT_EQ(table.user_index().size(), 25u);
  EXPECT_EQ(table.dictionary(ColumnId::kEventType).size(), 25u);
}

TEST_F(StoreTest, SealedHeadsReplaceTheirChunks) {
  const std::vector<Row> rows = CheckpointStandardDays();
  {
    Table table(kTableOptions);
    ASSERT_OK_AND_ASSIGN(auto store, Open(&table));
    table.SealAll();
    ASSERT_OK(store->Checkpoint());
    const ManifestView manifest = ReadManifest(dir_);
    EXPECT_THAT(manifest.OfKind("head"), IsEmpty());
    EXPECT_EQ(manifest.segments.at(kFirstDay + 9).size(), 1u);
    ExpectFilesMatchManifest();
  }
  Table table(kTableOptions);
  ASSERT_OK_AND_ASSIGN(auto store, Open(&table));
  ExpectTableHolds(table, rows);
}

const TableOptions kBackgroundSealing{.segment_rows = 1000, .background_sealing = true};

// Polls until no head of `table` waits to be sealed; false after a minute.
bool WaitUntilSealed(const Table& table) {
  const auto deadline = absl::Now() + absl::Minutes(1);
  for (;;) {
    const TableSnapshot snapshot = table.Snapshot();
    const BlockList list = snapshot.ListBlocks(ScanOptions{.columns = ColumnSet::All()});
    if (std::none_of(list.blocks.begin(), list.blocks.end(),
                     [](const BlockRef& ref) { return ref.segment <= SealingHeadRef(0); })) {
      return true;
    }
    if (absl::Now() > deadline) return false;
    absl::SleepFor(absl::Milliseconds(5));
  }
}

TEST_F(StoreTest, HeadsWaitingToBeSealedAreCheckpointedAndRestored) {
  EventBuilder events;
  AddStandardDays(&events);
  const std::vector<Row> expected = RowsOf(events.rows());
  ManifestView first;
  {
    Table table(kBackgroundSealing);
    table.TEST_PauseSealing(true);
    ASSERT_OK_AND_ASSIGN(auto store, Open(&table));
    AppendInBatches(store.get(), &table, Shuffled(events.rows()));
    ASSERT_OK(store->Checkpoint());
    first = ReadManifest(dir_);
    ExpectFilesMatchManifest();
  }
  // Full heads wait (2300 rows: two of them, and 300 rows in the head); nothing is sealed.
  EXPECT_EQ(first.format, 4);
  EXPECT_THAT(first.OfKind("seg"), IsEmpty());
  ASSERT_EQ(first.sealing.at(kFirstDay + 2).size(), 2u);
  for (const auto& chunks : first.sealing.at(kFirstDay + 2)) {
    ASSERT_EQ(chunks.size(), 1u);
    EXPECT_EQ(first.files.at(chunks[0]).rows, 1000u);
  }
  EXPECT_EQ(first.files.at(first.heads.at(kFirstDay + 2)[0]).rows, 300u);
  EXPECT_EQ(first.sealing.at(kFirstDay + 3).size(), 1u);  // exactly full: retired at once
  EXPECT_EQ(first.heads.count(kFirstDay + 3), 0u);
  EXPECT_EQ(first.sealing.count(kFirstDay + 4), 0u);  // 999 rows: still the head

  ManifestView second;
  {
    Table table(kBackgroundSealing);
    table.TEST_PauseSealing(true);
    ASSERT_OK_AND_ASSIGN(auto store, Open(&table));
    EXPECT_EQ(store->recovery().rows, expected.size());
    ExpectTableHolds(table, expected);
    // Restored just as persisted: a checkpoint has nothing to write.
    ASSERT_OK(store->Checkpoint());
    EXPECT_EQ(ReadManifest(dir_).names(), first.names());

    // Once sealed, the next checkpoint writes segments and drops the waiting heads' chunks.
    table.TEST_PauseSealing(false);
    ASSERT_TRUE(WaitUntilSealed(table));
    ASSERT_OK(store->Checkpoint());
    second = ReadManifest(dir_);
    ExpectFilesMatchManifest();
    ExpectTableHolds(table, expected);
  }
  EXPECT_EQ(second.format, 4);
  EXPECT_THAT(second.sealing, IsEmpty());
  EXPECT_EQ(second.segments.at(kFirstDay + 2).size(), 2u);
  EXPECT_EQ(second.heads.at(kFirstDay + 2), first.heads.at(kFirstDay + 2));  // not rewritten
  for (const auto& [day, heads] : first.sealing) {
    for (const auto& chunks : heads) {
      for (const std::string& name : chunks) EXPECT_FALSE(second.files.contains(name)) << name;
    }
  }
  // Readable with inline sealing too.
  Table table(kTableOptions);
  ASSERT_OK_AND_ASSIGN(auto store, Open(&table));
  ExpectTableHolds(table, expected);
}

TEST_F(StoreTest, WaitingHeadsSealInlineWhenRestoredWithoutBackgroundSealing) {
  EventBuilder events;
  AddStandardDays(&events);
  const std::vector<Row> expected = RowsOf(events.rows());
  {
    Table table(kBackgroundSealing);
    table.TEST_PauseSealing(true);
    ASSERT_OK_AND_ASSIGN(auto store, Open(&table));
    AppendInBatches(store.get(), &table, Shuffled(events.rows()));
    ASSERT_OK(store->Checkpoint());
  }
  {
    Table table(kTableOptions);
    ASSERT_OK_AND_ASSIGN(auto store, Open(&table));
    ExpectTableHolds(table, expected);
    ASSERT_OK(store->Checkpoint());
    const ManifestView manifest = ReadManifest(dir_);
    EXPECT_THAT(manifest.sealing, IsEmpty());
    EXPECT_EQ(manifest.segments.at(kFirstDay + 2).size(), 2u);
    ExpectFilesMatchManifest();
  }
  Table table(kBackgroundSealing);
  ASSERT_OK_AND_ASSIGN(auto store, Open(&table));
  ExpectTableHolds(table, expected);
}

TEST_F(StoreTest, CheckpointsRacingTheSealerStayExact) {
  EventBuilder events;
  std::mt19937 random(5);
  for (int day = 0; day < 3; ++day) AddDay(&events, day, 6000, 500, &random);
  const std::vector<EventRow> rows = Shuffled(events.rows());
  {
    Table table(kBackgroundSealing);
    ASSERT_OK_AND_ASSIGN(auto store, Open(&table));
    std::atomic<bool> done{false};
    std::thread checkpointer([&] {
      while (!done.load()) EXPECT_OK(store->Checkpoint());
    });
    AppendInBatches(store.get(), &table, rows, 300);
    done.store(true);
    checkpointer.join();
    ASSERT_OK(store->Checkpoint());
    ExpectFilesMatchManifest();
  }
  Table table(kBackgroundSealing);
  ASSERT_OK_AND_ASSIGN(auto store, Open(&table));
  ExpectTableHolds(table, RowsOf(events.rows()));
  ASSERT_TRUE(WaitUntilSealed(table));
  ASSERT_OK(store->Checkpoint());
  ExpectFilesMatchManifest();
  EXPECT_THAT(ReadManifest(dir_).sealing, IsEmpty());
  ExpectTableHolds(table, RowsOf(events.rows()));
}

// Checkpoints taken while a writer ingests hold whole batches, exactly those
// before the position they store; the WAL holds the rest; together every row, once.
TEST_F(StoreTest, CheckpointsDuringIngestAndWalTogetherHoldEveryBatchOnce) {
  constexpr int kBatches = 120;
  std::vector<EventBuilder> batches(kBatches);
  std::mt19937 random(11);
  for (int b = 0; b < kBatches; ++b) AddDay(&batches[b], b % 4, 40, 30, &random);
  {
    Table table(kTableOptions);
    ASSERT_OK_AND_ASSIGN(auto store, Open(&table));
    absl::Notification halfway;
    std::atomic<bool> done{false};
    std::thread checkpointer([&] {
      halfway.WaitForNotification();
      do {
        EXPECT_OK(store->Checkpoint());
      } while (!done.load());
    });
    for (int b = 0; b < kBatches; ++b) {
      uint64_t seq = 0;
      {
        Store::ApplyScope scope = store->BeginApply();
        seq = scope.LogRows(batches[b].rows());
        EXPECT_OK(table.Append(batches[b].rows()));
        scope.SetPosition("test/source", b + 1);
      }
      EXPECT_OK(store->WaitDurable(seq));
      if (b == kBatches / 2) halfway.Notify();
    }
    done.store(true);
    checkpointer.join();
  }
  Table table(kTableOptions);
  ASSERT_OK_AND_ASSIGN(auto store, Open(&table));
  const int64_t position = store->position("test/source");
  ASSERT_GT(position, kBatches / 2);
  ASSERT_LE(position, kBatches);
  EXPECT_EQ(store->recovery().rows, static_cast<uint64_t>(position) * 40);
  ASSERT_EQ(replayed_.size(), static_cast<size_t>(kBatches - position));
  std::vector<Row> expected;
  for (int b = 0; b < kBatches; ++b) {
    if (b >= position) {
      EXPECT_EQ(replayed_[b - position], RowsOf(batches[b].rows())) << "batch " << b;
    }
    expected = Concat(std::move(expected), RowsOf(batches[b].rows()));
  }
  ExpectTableHolds(table, expected);
}

// --- 2. Positions.

TEST_F(StoreTest, PositionsPersistThroughCheckpoint) {
  {
    Table table(kTableOptions);
    ASSERT_OK_AND_ASSIGN(auto store, Open(&table));
    EXPECT_EQ(store->position("kafka/t/0"), -1);
    {
      Store::ApplyScope scope = store->BeginApply();
      scope.SetPosition("kafka/t/0", 41);
      scope.SetPosition("kafka/t/0", 42);
      scope.SetPosition("kafka/t/1", 7);
    }
    ASSERT_OK(store->Checkpoint());
    {
      Store::ApplyScope scope = store->BeginApply();
      scope.SetPosition("kafka/t/0", 99);  // after the checkpoint: not persisted
      scope.SetPosition("kafka/t/2", 5);
    }
  }
  Table table(kTableOptions);
  ASSERT_OK_AND_ASSIGN(auto store, Open(&table));
  EXPECT_EQ(store->position("kafka/t/0"), 42);
  EXPECT_EQ(store->position("kafka/t/1"), 7);
  EXPECT_EQ(store->position("kafka/t/2"), -1);
  EXPECT_EQ(store->position("kafka/unknown/0"), -1);
  std::map<std::string, int64_t> kafka;
  for (const auto& [source, position] : store->positions()) {
    if (absl::StartsWith(source, "kafka/")) kafka[source] = position;
  }
  EXPECT_EQ(kafka, (std::map<std::string, int64_t>{{"kafka/t/0", 42}, {"kafka/t/1", 7}}));
}

}  // namespace
}  // namespace mua::store_test
