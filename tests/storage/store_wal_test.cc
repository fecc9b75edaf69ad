// The Store's WAL: rows logged since the checkpoint are replayed; a torn tail is cut,
// any other damage follows OnCorruption; version-1 files are still read.

#include <filesystem>
#include <functional>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "storage/base/coding.h"
#include "storage/internal/file_format.h"
#include "storage/internal/wal_file.h"
#include "storage/store.h"
#include "storage/table.h"
#include "tests/storage/store_test_util.h"
#include "tests/testutil/event_builder.h"
#include "tests/testutil/status_matchers.h"

namespace mua::store_test {
namespace {

namespace fs = std::filesystem;
using test::EventBuilder;
using test::StatusIs;
using ::testing::AllOf;
using ::testing::Contains;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

// --- 3. The WAL.

TEST_F(StoreTest, WalReplaysRowsLoggedSinceTheCheckpoint) {
  std::vector<Row> expected = CheckpointStandardDays();
  EventBuilder batches[3];
  std::mt19937 random(5);
  for (int b = 0; b < 3; ++b) AddDay(&batches[b], 12 + b, 50 + b, 10, &random, "w");
  {
    Table table(kTableOptions);
    ASSERT_OK_AND_ASSIGN(auto store, Open(&table));
    for (const EventBuilder& batch : batches) LogAndAppend(store.get(), &table, batch.rows());
    EXPECT_GT(store->stats().wal_bytes_written, 0u);
  }
  Table table(kTableOptions);
  ASSERT_OK_AND_ASSIGN(auto store, Open(&table));
  ASSERT_EQ(replayed_.size(), 3u);
  for (int b = 0; b < 3; ++b) EXPECT_EQ(replayed_[b], RowsOf(batches[b].rows())) << "batch " << b;
  EXPECT_EQ(store->recovery().wal_records, 3u);
  EXPECT_EQ(store->recovery().rows, expected.size());
  for (const EventBuilder& batch : batches)
    expected = Concat(std::move(expected), RowsOf(batch.rows()));
  ExpectTableHolds(table, expected);

  // Replayed rows are checkpointed like any others, and never replayed again.
  ASSERT_OK(store->Checkpoint());
  store.reset();
  Table again(kTableOptions);
  ASSERT_OK_AND_ASSIGN(store, Open(&again));
  EXPECT_THAT(replayed_, IsEmpty());
  ExpectTableHolds(again, expected);
}

TEST_F(StoreTest, CheckpointEndsReplayOfEarlierRecords) {
  EventBuilder before, after;
  std::mt19937 random(6);
  AddDay(&before, 3, 40, 10, &random, "b");
  AddDay(&after, 3, 30, 10, &random, "a");
  {
    Table table(kTableOptions);
    ASSERT_OK_AND_ASSIGN(auto store, Open(&table));
    LogAndAppend(store.get(), &table, before.rows());
    ASSERT_OK(store->Checkpoint());
    LogAndAppend(store.get(), &table, after.rows());
  }
  {
    Table table(kTableOptions);
    ASSERT_OK_AND_ASSIGN(auto store, Open(&table));
    ASSERT_EQ(replayed_.size(), 1u);
    EXPECT_EQ(replayed_[0], RowsOf(after.rows()));
    ExpectTableHolds(table, Concat(RowsOf(before.rows()), RowsOf(after.rows())));
    ASSERT_OK(store->Checkpoint());
  }
  Table table(kTableOptions);
  ASSERT_OK_AND_ASSIGN(auto store, Open(&table));
  EXPECT_THAT(replayed_, IsEmpty());
  EXPECT_EQ(store->recovery().wal_records, 0u);
  ExpectTableHolds(table, Concat(RowsOf(before.rows()), RowsOf(after.rows())));
}

class StoreWalTailTest : public StoreTest {
 protected:
  // Logs three records, then lets `damage` edit the last WAL file.
  void LogThreeRecords(const std::function<void(const std::string&)>& damage) {
    std::mt19937 random(8);
    for (EventBuilder& batch : batches_) AddDay(&batch, 5, 25, 10, &random, "t");
    {
      Table table(kTableOptions);
      ASSERT_OK_AND_ASSIGN(auto store, Open(&table));
      for (const EventBuilder& batch : batches_) LogAndAppend(store.get(), &table, batch.rows());
    }
    const std::vector<std::string> files = WalFiles();
    ASSERT_FALSE(files.empty());
    damage(files.back());
  }

  EventBuilder batches_[3];
};

TEST_F(StoreWalTailTest, TruncatedLastRecordIsCut) {
  ASSERT_NO_FATAL_FAILURE(LogThreeRecords(
      [](const std::string& path) { fs::resize_file(path, fs::file_size(path) - 5); }));
  Table table(kTableOptions);
  ASSERT_OK_AND_ASSIGN(auto store, Open(&table));
  ASSERT_EQ(replayed_.size(), 2u);
  EXPECT_EQ(replayed_[0], RowsOf(batches_[0].rows()));
  EXPECT_EQ(replayed_[1], RowsOf(batches_[1].rows()));
  EXPECT_THAT(store->recovery().notes, Contains(HasSubstr("torn tail")));
  EXPECT_FALSE(store->recovery().degraded);

  // The log goes on after the cut: a new record follows the two intact ones.
  EventBuilder next;
  std::mt19937 random(9);
  AddDay(&next, 5, 12, 10, &random, "n");
  LogAndAppend(store.get(), &table, next.rows());
  store.reset();
  Table again(kTableOptions);
  ASSERT_OK_AND_ASSIGN(store, Open(&again));
  ASSERT_EQ(replayed_.size(), 3u);
  EXPECT_EQ(replayed_[0], RowsOf(batches_[0].rows()));
  EXPECT_EQ(replayed_[1], RowsOf(batches_[1].rows()));
  EXPECT_EQ(replayed_[2], RowsOf(next.rows()));
  EXPECT_THAT(store->recovery().notes, Not(Contains(HasSubstr("torn tail"))));
}

TEST_F(StoreWalTailTest, GarbageAfterLastRecordIsCut) {
  ASSERT_NO_FATAL_FAILURE(LogThreeRecords(
      [](const std::string& path) { WriteFile(path, ReadFile(path) + std::string(37, '\xab')); }));
  Table table(kTableOptions);
  ASSERT_OK_AND_ASSIGN(auto store, Open(&table));
  ASSERT_EQ(replayed_.size(), 3u);
  for (int b = 0; b < 3; ++b) EXPECT_EQ(replayed_[b], RowsOf(batches_[b].rows()));
  EXPECT_THAT(store->recovery().notes, Contains(HasSubstr("torn tail of 37 bytes")));
}

TEST_F(StoreWalTailTest, ZeroFilledTailIsCut) {
  ASSERT_NO_FATAL_FAILURE(LogThreeRecords(
      [](const std::string& path) { WriteFile(path, ReadFile(path) + std::string(64, '\0')); }));
  Table table(kTableOptions);
  ASSERT_OK_AND_ASSIGN(auto store, Open(&table));
  EXPECT_EQ(replayed_.size(), 3u);
  EXPECT_THAT(store->recovery().notes, Contains(HasSubstr("torn tail of 64 bytes")));
}

// Where the records of a WAL file start ([length u32][checksum u64][type u8][seq u64][payload]
// after an 8-byte header), and their types (1 data, 2 commit marker).
struct WalRecordStart {
  size_t offset = 0;
  int type = 0;
};
std::vector<WalRecordStart> RecordStarts(const std::string& bytes) {
  std::vector<WalRecordStart> starts;
  for (size_t at = 8; at + 21 <= bytes.size(); at += 21 + LoadFixed32(bytes.data() + at)) {
    starts.push_back({at, static_cast<uint8_t>(bytes[at + 12])});
  }
  return starts;
}
std::vector<size_t> DataRecordStarts(const std::string& bytes) {
  std::vector<size_t> starts;
  for (const WalRecordStart& start : RecordStarts(bytes)) {
    if (start.type == 1) starts.push_back(start.offset);
  }
  return starts;
}

TEST_F(StoreWalTailTest, EachGroupEndsWithACommitMarker) {
  ASSERT_NO_FATAL_FAILURE(LogThreeRecords([](const std::string&) {}));
  const std::string bytes = ReadFile(WalFiles().back());
  EXPECT_EQ(bytes.substr(0, 4), "MUAW");
  std::vector<int> types;
  for (const WalRecordStart& start : RecordStarts(bytes)) types.push_back(start.type);
  EXPECT_EQ(types, (std::vector<int>{1, 2, 1, 2, 1, 2}));  // three synced groups of one record
}

TEST_F(StoreWalTailTest, WholeGroupWithoutItsMarkerIsATornTail) {
  // The last group's record is intact, but its marker never reached the disk:
  // the write was not acknowledged, so it is cut without any alarm.
  ASSERT_NO_FATAL_FAILURE(LogThreeRecords(
      [](const std::string& path) { fs::resize_file(path, fs::file_size(path) - 21); }));
  Table table(kTableOptions);
  ASSERT_OK_AND_ASSIGN(auto store, Open(&table));
  ASSERT_EQ(replayed_.size(), 2u);
  EXPECT_THAT(store->recovery().notes, Contains(HasSubstr("torn tail")));
  EXPECT_FALSE(store->recovery().degraded);
  EXPECT_EQ(store->recovery().wal_records_lost, 0u);
}

TEST_F(StoreWalTailTest, TornRecordHeaderWhereTheMarkerWouldBeIsATornTail) {
  // The crash cut the write after the third record and 21 bytes of the next one
  // (a marker's size): those bytes are no marker, so the tail is torn, not damaged.
  ASSERT_NO_FATAL_FAILURE(LogThreeRecords([](const std::string& path) {
    std::string bytes = ReadFile(path);
    bytes.resize(bytes.size() - 21);  // the third group's marker
    std::string next;
    storage_internal::EncodeWalRecord(storage_internal::WalRecordType::kData, 4,
                                      "the rows of a request the crash interrupted", &next);
    WriteFile(path, bytes + next.substr(0, 21));
  }));
  Table table(kTableOptions);
  ASSERT_OK_AND_ASSIGN(auto store, Open(&table));
  EXPECT_EQ(replayed_.size(), 2u);
  EXPECT_FALSE(store->recovery().degraded);
  EXPECT_THAT(store->recovery().notes, Contains(HasSubstr("torn tail of")));
}

// A flipped byte inside the second of three acknowledged groups.
void FlipSecondRecord(const std::string& path) {
  std::string bytes = ReadFile(path);
  const std::vector<size_t> starts = DataRecordStarts(bytes);
  ASSERT_EQ(starts.size(), 3u);
  bytes[starts[1] + 30] ^= 0x01;  // inside the second record's payload
  WriteFile(path, bytes);
}

TEST_F(StoreWalTailTest, DamagedRecordBeforeTheLastMarkerStopsNamingTheFile) {
  std::string damaged;
  ASSERT_NO_FATAL_FAILURE(LogThreeRecords([&](const std::string& path) {
    FlipSecondRecord(path);
    damaged = ReadFile(path);
  }));
  const std::string path = WalFiles().back();
  Table table(kTableOptions);
  const auto store = Open(&table);
  ASSERT_THAT(store, StatusIs(absl::StatusCode::kDataLoss));
  const std::string message(store.status().message());
  EXPECT_THAT(message, HasSubstr(path));
  EXPECT_THAT(message, HasSubstr(absl::StrCat("at byte ", DataRecordStarts(damaged)[1])));
  EXPECT_THAT(message, HasSubstr("1 acknowledged records are missing"));
  EXPECT_THAT(message, HasSubstr("--on_corruption=skip"));
  EXPECT_EQ(ReadFile(path), damaged);  // nothing was cut
  EXPECT_FALSE(fs::exists(dir_ + "/quarantine"));
}

TEST_F(StoreWalTailTest, DamagedRecordWithSkipKeepsEveryOtherRecordAndReportsDegraded) {
  std::string damaged;
  ASSERT_NO_FATAL_FAILURE(LogThreeRecords([&](const std::string& path) {
    FlipSecondRecord(path);
    damaged = ReadFile(path);
  }));
  const std::string path = WalFiles().back();
  {
    Table table(kTableOptions);
    ASSERT_OK_AND_ASSIGN(auto store, Open(&table, Options(OnCorruption::kSkip)));
    ASSERT_EQ(replayed_.size(), 2u);
    EXPECT_EQ(replayed_[0], RowsOf(batches_[0].rows()));
    EXPECT_EQ(replayed_[1], RowsOf(batches_[2].rows()));
    EXPECT_TRUE(store->recovery().degraded);
    EXPECT_TRUE(store->stats().degraded);
    EXPECT_EQ(store->recovery().wal_records_lost, 1u);
    EXPECT_THAT(store->recovery().notes, Contains(AllOf(HasSubstr("WAL CORRUPTION"), HasSubstr(path),
                                                         HasSubstr("1 acknowledged records are missing"))));
    EXPECT_THAT(*log_, Contains(HasSubstr("WAL CORRUPTION")));
    // The original was copied aside before anything changed.
    const std::set<std::string> aside = ListDir(dir_ + "/quarantine");
    ASSERT_EQ(aside.size(), 1u);
    EXPECT_THAT(*aside.begin(), HasSubstr(".corrupt-"));
    EXPECT_EQ(ReadFile(dir_ + "/quarantine/" + *aside.begin()), damaged);
    ExpectTableHolds(table, Concat(RowsOf(batches_[0].rows()), RowsOf(batches_[2].rows())));
  }
  // The file was rewritten without the damage: the next start is clean.
  Table table(kTableOptions);
  ASSERT_OK_AND_ASSIGN(auto store, Open(&table));
  EXPECT_FALSE(store->recovery().degraded);
  ASSERT_EQ(replayed_.size(), 2u);
  EXPECT_EQ(replayed_[1], RowsOf(batches_[2].rows()));
}

TEST_F(StoreWalTailTest, DamagedRecordWithDiscardReplaysUpToTheDamage) {
  ASSERT_NO_FATAL_FAILURE(LogThreeRecords(FlipSecondRecord));
  Table table(kTableOptions);
  ASSERT_OK_AND_ASSIGN(auto store, Open(&table, Options(OnCorruption::kDiscard)));
  ASSERT_EQ(replayed_.size(), 1u);
  EXPECT_EQ(replayed_[0], RowsOf(batches_[0].rows()));
  EXPECT_TRUE(store->stats().degraded);
  EXPECT_EQ(store->recovery().wal_records_lost, 2u);
  EXPECT_THAT(store->recovery().notes, Contains(HasSubstr("WAL CORRUPTION")));
}

TEST_F(StoreWalTailTest, DamagedMarkerAtTheEndIsNoTornTail) {
  // The last group's record is intact and its marker whole but changed: that
  // group was acknowledged, so this is damage, not a torn write.
  ASSERT_NO_FATAL_FAILURE(LogThreeRecords([](const std::string& path) { FlipByte(path, 3); }));
  {
    Table table(kTableOptions);
    EXPECT_THAT(Open(&table), StatusIs(absl::StatusCode::kDataLoss));
  }
  Table table(kTableOptions);
  ASSERT_OK_AND_ASSIGN(auto store, Open(&table, Options(OnCorruption::kSkip)));
  EXPECT_EQ(replayed_.size(), 3u);
  EXPECT_EQ(store->recovery().wal_records_lost, 0u);
  EXPECT_TRUE(store->recovery().degraded);
}

TEST_F(StoreWalTailTest, DamagedRecordInAnEarlierFileIsDataLoss) {
  ASSERT_NO_FATAL_FAILURE(LogThreeRecords([](const std::string&) {}));
  {
    // Reopening starts a new WAL file; the first one stays until a checkpoint.
    Table table(kTableOptions);
    ASSERT_OK_AND_ASSIGN(auto store, Open(&table));
    EventBuilder next;
    std::mt19937 random(10);
    AddDay(&next, 5, 12, 10, &random, "n");
    LogAndAppend(store.get(), &table, next.rows());
  }
  const std::vector<std::string> files = WalFiles();
  ASSERT_EQ(files.size(), 2u);
  std::string bytes = ReadFile(files[0]);
  bytes[DataRecordStarts(bytes)[2] + 30] ^= 0x01;  // the file's last record: its end is no tail
  WriteFile(files[0], bytes);
  {
    Table table(kTableOptions);
    const auto store = Open(&table);
    EXPECT_THAT(store, StatusIs(absl::StatusCode::kDataLoss));
    EXPECT_THAT(std::string(store.status().message()), HasSubstr(files[0]));
  }
  Table table(kTableOptions);
  ASSERT_OK_AND_ASSIGN(auto store, Open(&table, Options(OnCorruption::kSkip)));
  EXPECT_EQ(replayed_.size(), 3u);  // two of the first file, the second file's one
  EXPECT_EQ(store->recovery().wal_records_lost, 1u);
}

TEST_F(StoreWalTailTest, DamageTheCheckpointCoversIsIgnored) {
  // A crash between the MANIFEST's rename and the WAL's cleanup leaves files
  // whose records the checkpoint holds: damage there loses nothing.
  ASSERT_NO_FATAL_FAILURE(LogThreeRecords([](const std::string&) {}));
  const std::string first = WalFiles().front();
  const std::string saved = ReadFile(first);
  {
    Table table(kTableOptions);
    ASSERT_OK_AND_ASSIGN(auto store, Open(&table));
    ASSERT_OK(store->Checkpoint());  // holds all three records; deletes the first file
  }
  ASSERT_FALSE(fs::exists(first));
  WriteFile(first, saved);
  ASSERT_NO_FATAL_FAILURE(FlipSecondRecord(first));
  {
    // An older file the checkpoint holds whole is not even read.
    Table table(kTableOptions);
    ASSERT_OK_AND_ASSIGN(auto store, Open(&table));
    EXPECT_THAT(replayed_, IsEmpty());
    EXPECT_FALSE(store->recovery().degraded);
  }
  // As the newest file it is read; its damaged record is one the checkpoint has.
  for (const std::string& file : WalFiles()) {
    if (file != first) fs::remove(file);
  }
  Table table(kTableOptions);
  ASSERT_OK_AND_ASSIGN(auto store, Open(&table));
  EXPECT_THAT(replayed_, IsEmpty());
  EXPECT_FALSE(store->recovery().degraded);
  EXPECT_THAT(store->recovery().notes, Contains(HasSubstr("the checkpoint already has")));
}

// Files written before commit markers existed (no header, no types, no markers)
// are still replayed, and a torn tail is cut there as before.
TEST_F(StoreWalTailTest, VersionOneFilesAreReplayed) {
  std::mt19937 random(12);
  for (EventBuilder& batch : batches_) AddDay(&batch, 5, 25, 10, &random, "v");
  std::string bytes;
  uint64_t seq = 0;
  for (const EventBuilder& batch : batches_) {
    std::string payload;
    PutVarint64(&payload, batch.rows().size());
    for (const EventRow& row : batch.rows()) {
      PutVarint64(&payload, ZigZagEncode(row.event_time_ms));
      for (ColumnId id : kAllColumns) {
        // The first payload format: no attributes column (docs/formats/wal.md).
        if (id == ColumnId::kEventTime || id == ColumnId::kAttributes) continue;
        const absl::string_view value = row.StringValue(id);
        PutVarint64(&payload, value.size());
        payload.append(value.data(), value.size());
      }
    }
    ++seq;
    std::string seq_and_payload;
    PutFixed64(&seq_and_payload, seq);
    seq_and_payload += payload;
    PutFixed32(&bytes, static_cast<uint32_t>(payload.size()));
    PutFixed64(&bytes, storage_internal::Checksum(seq_and_payload));
    bytes += seq_and_payload;
  }
  fs::create_directories(dir_ + "/wal");
  const std::string path = dir_ + "/wal/00000000000000000001.log";
  WriteFile(path, bytes + std::string(9, '\x5a'));
  {
    Table table(kTableOptions);
    ASSERT_OK_AND_ASSIGN(auto store, Open(&table));
    ASSERT_EQ(replayed_.size(), 3u);
    for (int b = 0; b < 3; ++b) EXPECT_EQ(replayed_[b], RowsOf(batches_[b].rows()));
    EXPECT_THAT(store->recovery().notes, Contains(HasSubstr("torn tail of 9 bytes")));
    EXPECT_FALSE(store->recovery().degraded);
    EventBuilder next;
    AddDay(&next, 5, 12, 10, &random, "n");
    LogAndAppend(store.get(), &table, next.rows());
  }
  EXPECT_EQ(ReadFile(path), bytes);
  const std::vector<std::string> files = WalFiles();
  ASSERT_EQ(files.size(), 2u);
  EXPECT_EQ(ReadFile(files[1]).substr(0, 4), "MUAW");  // new files are of the current version
  Table table(kTableOptions);
  ASSERT_OK_AND_ASSIGN(auto store, Open(&table));
  EXPECT_EQ(replayed_.size(), 4u);
}

}  // namespace
}  // namespace mua::store_test
