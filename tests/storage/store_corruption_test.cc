// Damaged checkpoint files: kStop refuses to start naming the file, kSkip quarantines it
// and serves the rest, kDiscard sets the checkpoint aside (keeping erasures).

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "storage/base/time_util.h"
#include "storage/store.h"
#include "storage/table.h"
#include "tests/storage/store_test_util.h"
#include "tests/testutil/event_builder.h"
#include "tests/testutil/status_matchers.h"

namespace mua::store_test {
namespace {

namespace fs = std::filesystem;
using test::EventBuilder;
using test::MillisAt;
using test::StatusIs;
using ::testing::Contains;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

// --- 4. Damaged files.

class StoreCorruptionTest : public StoreTest {
 protected:
  void SetUp() override {
    StoreTest::SetUp();
    expected_ = CheckpointStandardDays();
    manifest_ = ReadManifest(dir_);
  }
  std::string FilePath(const std::string& name) const { return dir_ + "/files/" + name; }

  std::vector<Row> expected_;
  ManifestView manifest_;
};

TEST_F(StoreCorruptionTest, FlippedSegmentByteStopsOpen) {
  const std::string name = manifest_.segments.at(kFirstDay + 2)[0];
  FlipByte(FilePath(name));
  Table table(kTableOptions);
  const auto store = Open(&table);
  EXPECT_THAT(store, StatusIs(absl::StatusCode::kDataLoss));
  EXPECT_THAT(std::string(store.status().message()), HasSubstr(name));
  EXPECT_THAT(std::string(store.status().message()), HasSubstr("checksum"));
  EXPECT_TRUE(fs::exists(FilePath(name)));  // nothing moved
}

TEST_F(StoreCorruptionTest, FlippedSegmentByteIsQuarantinedWithSkip) {
  const std::string name = manifest_.segments.at(kFirstDay + 2)[0];
  const uint64_t segment_rows = manifest_.files.at(name).rows;
  ASSERT_EQ(segment_rows, 1000u);
  FlipByte(FilePath(name), 100);
  {
    Table table(kTableOptions);
    ASSERT_OK_AND_ASSIGN(auto store, Open(&table, Options(OnCorruption::kSkip)));
    EXPECT_TRUE(store->recovery().degraded);
    EXPECT_TRUE(store->stats().degraded);
    EXPECT_THAT(store->recovery().notes, Contains(HasSubstr(name)));
    EXPECT_TRUE(fs::exists(dir_ + "/quarantine/" + name));
    EXPECT_FALSE(fs::exists(FilePath(name)));
    EXPECT_EQ(table.row_count(), expected_.size() - segment_rows);
    std::map<int32_t, uint64_t> days = RowsPerDay(expected_);
    days[kFirstDay + 2] -= segment_rows;
    EXPECT_EQ(RowsPerDay(table), days);
    // The partition's bitmaps were rebuilt from the rows that are left.
    const std::vector<Row> rows = ScanRows(table);
    EXPECT_EQ(UsersOf(table), UsersOf(rows));
    // Every other day is intact.
    auto on_day_2 = [](const Row& row) { return DayOfMillis(row.time) == kFirstDay + 2; };
    EXPECT_EQ(DigestOf(Without(rows, on_day_2)), DigestOf(Without(expected_, on_day_2)));
    // The next checkpoint no longer names the file, so a strict open succeeds.
    ASSERT_OK(store->Checkpoint());
    ExpectFilesMatchManifest();
  }
  Table table(kTableOptions);
  ASSERT_OK_AND_ASSIGN(auto store, Open(&table));
  EXPECT_FALSE(store->recovery().degraded);
  EXPECT_EQ(table.row_count(), expected_.size() - segment_rows);
}

TEST_F(StoreCorruptionTest, FlippedSegmentByteStartsEmptyWithDiscard) {
  const std::string name = manifest_.segments.at(kFirstDay + 0)[0];
  FlipByte(FilePath(name));
  Table table(kTableOptions);
  ASSERT_OK_AND_ASSIGN(auto store, Open(&table, Options(OnCorruption::kDiscard)));
  EXPECT_TRUE(store->recovery().degraded);
  EXPECT_EQ(table.row_count(), 0u);
  EXPECT_EQ(store->recovery().rows, 0u);
  EXPECT_THAT(store->recovery().notes, Contains(HasSubstr(name)));
  bool set_aside = false;
  for (const std::string& entry : ListDir(dir_)) {
    if (absl::StartsWith(entry, "discarded-"))
      set_aside = fs::exists(dir_ + "/" + entry + "/files/" + name);
  }
  EXPECT_TRUE(set_aside);
  EXPECT_THAT(ListDir(dir_ + "/files"), IsEmpty());
}

TEST_F(StoreCorruptionTest, DamagedBitmapsAreRebuiltWithSkip) {
  const std::string name = manifest_.bitmaps.at(kFirstDay + 1);
  FlipByte(FilePath(name));
  Table table(kTableOptions);
  EXPECT_THAT(Open(&table), StatusIs(absl::StatusCode::kDataLoss));
  Table skipping(kTableOptions);
  ASSERT_OK_AND_ASSIGN(auto store, Open(&skipping, Options(OnCorruption::kSkip)));
  EXPECT_TRUE(store->recovery().degraded);
  ExpectTableHolds(skipping, expected_);  // no row lost, bitmaps equal the truth
}

TEST_F(StoreCorruptionTest, DamagedDictionaryStopsEvenWithSkip) {
  const std::string name = manifest_.dictionaries.at("event_type")[0];
  FlipByte(FilePath(name));
  Table table(kTableOptions);
  const auto store = Open(&table, Options(OnCorruption::kSkip));
  EXPECT_THAT(store, StatusIs(absl::StatusCode::kDataLoss));
  EXPECT_THAT(std::string(store.status().message()), HasSubstr(name));
  Table discarding(kTableOptions);
  ASSERT_OK_AND_ASSIGN(auto discarded, Open(&discarding, Options(OnCorruption::kDiscard)));
  EXPECT_TRUE(discarded->recovery().degraded);
  EXPECT_EQ(discarding.row_count(), 0u);
}

TEST_F(StoreCorruptionTest, TruncatedSegmentIsDetected) {
  const std::string name = manifest_.segments.at(kFirstDay + 1)[0];
  fs::resize_file(FilePath(name), fs::file_size(FilePath(name)) / 2);
  {
    Table table(kTableOptions);
    const auto store = Open(&table);
    EXPECT_THAT(store, StatusIs(absl::StatusCode::kDataLoss));
    EXPECT_THAT(std::string(store.status().message()), HasSubstr(name));
    EXPECT_THAT(std::string(store.status().message()), HasSubstr("torn"));
  }
  Table table(kTableOptions);
  ASSERT_OK_AND_ASSIGN(auto store, Open(&table, Options(OnCorruption::kSkip)));
  EXPECT_EQ(table.row_count(), expected_.size() - 1000);
}

TEST_F(StoreCorruptionTest, TruncatedHeadChunkIsDetected) {
  const std::string name = manifest_.heads.at(kFirstDay + 0)[0];
  const uint64_t rows = manifest_.files.at(name).rows;
  ASSERT_EQ(rows, 460u);
  fs::resize_file(FilePath(name), 10);  // shorter than a header
  {
    Table table(kTableOptions);
    const auto store = Open(&table);
    EXPECT_THAT(store, StatusIs(absl::StatusCode::kDataLoss));
    EXPECT_THAT(std::string(store.status().message()), HasSubstr(name));
  }
  Table table(kTableOptions);
  ASSERT_OK_AND_ASSIGN(auto store, Open(&table, Options(OnCorruption::kSkip)));
  EXPECT_TRUE(store->recovery().degraded);
  EXPECT_EQ(RowsPerDay(table)[kFirstDay], 1000u);
  EXPECT_EQ(table.row_count(), expected_.size() - rows);
  EXPECT_EQ(UsersOf(table), UsersOf(ScanRows(table)));
}

TEST_F(StoreCorruptionTest, MissingSegmentIsReported) {
  const std::string name = manifest_.segments.at(kFirstDay + 2)[1];
  fs::remove(FilePath(name));
  Table table(kTableOptions);
  const auto store = Open(&table);
  EXPECT_THAT(store, StatusIs(absl::StatusCode::kDataLoss));
  EXPECT_THAT(std::string(store.status().message()), HasSubstr(name));
}

TEST_F(StoreCorruptionTest, FlippedManifestByteStopsUnlessDiscard) {
  {
    Table table(kTableOptions);
    ASSERT_OK_AND_ASSIGN(auto store, Open(&table));
    {
      Store::ApplyScope scope = store->BeginApply();
      scope.SetPosition("kafka/t/0", 10);
    }
    ASSERT_OK(store->Checkpoint());
    EXPECT_EQ(table.row_count(), expected_.size());
  }
  FlipByte(dir_ + "/MANIFEST", 3);
  for (OnCorruption mode : {OnCorruption::kStop, OnCorruption::kSkip}) {
    Table table(kTableOptions);
    const auto store = Open(&table, Options(mode));
    EXPECT_THAT(store, StatusIs(absl::StatusCode::kDataLoss));
    EXPECT_THAT(std::string(store.status().message()), HasSubstr("MANIFEST"));
    EXPECT_EQ(table.row_count(), 0u);
  }
  Table table(kTableOptions);
  ASSERT_OK_AND_ASSIGN(auto store, Open(&table, Options(OnCorruption::kDiscard)));
  EXPECT_TRUE(store->recovery().degraded);
  EXPECT_EQ(table.row_count(), 0u);
  EXPECT_EQ(store->position("kafka/t/0"), -1);
  EXPECT_THAT(store->recovery().notes, Contains(HasSubstr("MANIFEST")));
}

TEST_F(StoreCorruptionTest, TruncatedManifestStops) {
  fs::resize_file(dir_ + "/MANIFEST", fs::file_size(dir_ + "/MANIFEST") - 10);
  Table table(kTableOptions);
  const auto store = Open(&table, Options(OnCorruption::kSkip));
  EXPECT_THAT(store, StatusIs(absl::StatusCode::kDataLoss));
  EXPECT_THAT(std::string(store.status().message()), HasSubstr("MANIFEST"));
  EXPECT_THAT(std::string(store.status().message()), HasSubstr("torn"));
}

TEST_F(StoreTest, EachDiscardSetsItsCheckpointAside) {
  for (int round = 0; round < 2; ++round) {
    {
      Table table(kTableOptions);
      ASSERT_OK_AND_ASSIGN(auto store, Open(&table, Options(OnCorruption::kDiscard)));
      EventBuilder events;
      events.Add(MillisAt("2026-10-01T10:00:00"), absl::StrCat("round-", round), "app_open");
      AppendInBatches(store.get(), &table, events.rows());
      ASSERT_OK(store->Checkpoint());
    }
    FlipByte(dir_ + "/MANIFEST", 3);
    Table table(kTableOptions);
    ASSERT_OK_AND_ASSIGN(auto store, Open(&table, Options(OnCorruption::kDiscard)));
    EXPECT_TRUE(store->recovery().degraded);
    EXPECT_EQ(table.row_count(), 0u);
  }
  // Both checkpoints were set aside whole, however quickly the second followed the first.
  int set_aside = 0;
  for (const std::string& entry : ListDir(dir_)) {
    if (!absl::StartsWith(entry, "discarded-")) continue;
    const std::string aside = dir_ + "/" + entry;
    EXPECT_TRUE(fs::exists(aside + "/MANIFEST")) << aside;
    EXPECT_THAT(ListDir(aside + "/files"), Not(IsEmpty())) << aside;
    ++set_aside;
  }
  EXPECT_EQ(set_aside, 2);
}

TEST_F(StoreCorruptionTest, DiscardKeepsErasuresWhenTheManifestIsIntact) {
  const std::string victim = expected_[0].values[ColumnIndex(ColumnId::kUserId)];
  {
    Table table(kTableOptions);
    ASSERT_OK_AND_ASSIGN(auto store, Open(&table));
    ASSERT_OK(store->EraseUser(victim));
  }
  // Kafka is re-read after a discard: the erasure must survive it, or the user's events come back.
  FlipByte(dir_ + "/files/" + ReadManifest(dir_).segments.at(kFirstDay + 2)[0]);
  {
    Table table(kTableOptions);
    ASSERT_OK_AND_ASSIGN(auto store, Open(&table, Options(OnCorruption::kDiscard)));
    EXPECT_TRUE(store->recovery().degraded);
    EXPECT_EQ(table.row_count(), 0u);
    EXPECT_TRUE(store->IsErased(victim));
    ASSERT_OK(store->Checkpoint());
  }
  Table table(kTableOptions);
  ASSERT_OK_AND_ASSIGN(auto store, Open(&table));
  EXPECT_TRUE(store->IsErased(victim));
  EXPECT_FALSE(store->IsErased("someone-else"));
}

}  // namespace
}  // namespace mua::store_test
