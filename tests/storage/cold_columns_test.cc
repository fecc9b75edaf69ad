// Cold columns (StoreOptions::cold_columns): once a checkpoint has written a sealed
// segment, its cold columns are read back from a `.cold` file on demand instead of being
// held in memory; every read returns what the resident segment returned.
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/str_format.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "storage/base/status_macros.h"
#include "storage/internal/file_format.h"
#include "storage/internal/head_segment.h"
#include "storage/internal/sealed_segment.h"
#include "storage/store.h"
#include "storage/table.h"
#include "tests/storage/store_test_util.h"
#include "tests/testutil/event_builder.h"
#include "tests/testutil/status_matchers.h"

namespace mua::store_test {
namespace {

using storage_internal::ColdColumnFile;
using storage_internal::EncodedRow;
using storage_internal::FileKind;
using storage_internal::HeadSegment;
using storage_internal::SealedSegment;
using storage_internal::StringSlot;
using ::testing::Contains;
using ::testing::HasSubstr;
using ::testing::Not;

const ColumnSet kCold = {ColumnId::kEventId, ColumnId::kAttributes};

std::vector<std::string> ColdNames(const std::string& dir) {
  std::vector<std::string> names;
  for (const std::string& name : ListDir(dir + "/files")) {
    if (name.ends_with(".cold")) names.push_back(name);
  }
  return names;
}

// All strings of every column of `segment`, block by block.
std::vector<std::string> StringsOf(const SealedSegment& segment) {
  std::vector<std::string> out;
  ScanBuffers buffers;
  ScanBlock block;
  for (uint32_t b = 0; b < segment.block_count(); ++b) {
    const absl::Status status = segment.ReadBlock(b, ColumnSet::All(), &buffers, &block);
    EXPECT_OK(status);
    if (!status.ok()) return out;
    for (ColumnId id : storage_internal::kStringColumns) {
      for (uint32_t r = 0; r < block.row_count; ++r) out.emplace_back(block.strings[ColumnIndex(id)][r]);
    }
  }
  return out;
}

class ColdColumnsTest : public StoreTest {
 protected:
  // `segment` with its kCold columns written to dir_/1.cold and read back from there;
  // *payload gets what the file holds after its frame.
  absl::StatusOr<std::shared_ptr<const SealedSegment>> Cool(const SealedSegment& segment, std::string* payload) {
    std::filesystem::create_directories(dir_);
    *payload = segment.ColdPayload(kCold);
    MUA_ASSIGN_OR_RETURN(const auto info,
                         storage_internal::WriteFramedFile(dir_, "1.cold", FileKind::kColdColumns, *payload));
    MUA_ASSIGN_OR_RETURN(auto file, ColdColumnFile::Open(dir_ + "/1.cold"));
    return segment.Cooled(kCold, file, info.size - payload->size());
  }

  StoreOptions ColdOptions() {
    StoreOptions options = Options();
    options.cold_columns = kCold;
    return options;
  }
};

// A segment of 40000 rows (three blocks) with hex event ids and some attributes.
std::shared_ptr<const SealedSegment> MakeSegment(std::vector<std::string>* keep) {
  std::mt19937_64 rng(3);
  HeadSegment head(40000);
  keep->reserve(80000);
  for (uint32_t i = 0; i < 40000; ++i) {
    EncodedRow row;
    row.event_time_ms = 1790000000000 + i;
    row.user = i % 97;
    keep->push_back(absl::StrFormat("%016x%016x", rng(), rng()));
    row.strings[StringSlot(ColumnId::kEventId)] = keep->back();
    keep->push_back(i % 5 == 0 ? absl::StrFormat(R"({"page":{"url":"/p/%d"}})", i % 300) : "");
    row.strings[StringSlot(ColumnId::kAttributes)] = keep->back();
    row.strings[StringSlot(ColumnId::kProperties)] = "{}";
    head.Append(row);
  }
  return SealedSegment::Seal(head, 0, head.size());
}

TEST_F(ColdColumnsTest, CooledSegmentReadsAndSerializesAsResident) {
  std::vector<std::string> keep;
  const auto segment = MakeSegment(&keep);
  std::string payload;
  ASSERT_OK_AND_ASSIGN(const auto cooled, Cool(*segment, &payload));

  EXPECT_EQ(StringsOf(*cooled), StringsOf(*segment));
  std::string resident_bytes, cooled_bytes;
  ASSERT_OK(segment->Serialize(&resident_bytes));
  ASSERT_OK(cooled->Serialize(&cooled_bytes));
  EXPECT_EQ(cooled_bytes, resident_bytes);
  EXPECT_EQ(cooled->EncodingName(0, ColumnId::kEventId), "plain+hex");

  MemoryUsage resident, cold;
  segment->AddMemory(&resident);
  cooled->AddMemory(&cold);
  const int event_id = ColumnIndex(ColumnId::kEventId);
  EXPECT_GT(resident.sealed_column_bytes[event_id], 16u * 40000);
  EXPECT_LT(cold.sealed_column_bytes[event_id], 1000u);
  EXPECT_EQ(cold.cold_column_bytes[event_id] + cold.cold_column_bytes[ColumnIndex(ColumnId::kAttributes)],
            payload.size());
  EXPECT_LT(cold.total_bytes() + payload.size() / 2, resident.total_bytes());

  // Deleted under the reader (a later checkpoint, retention): the open file still reads.
  std::filesystem::remove(dir_ + "/1.cold");
  EXPECT_EQ(StringsOf(*cooled), StringsOf(*segment));
}

TEST_F(ColdColumnsTest, DamagedColdBlockIsDataLoss) {
  std::vector<std::string> keep;
  const auto segment = MakeSegment(&keep);
  std::string payload;
  ASSERT_OK_AND_ASSIGN(const auto cooled, Cool(*segment, &payload));
  FlipByte(dir_ + "/1.cold", 1);  // rewritten in place: the same file, one byte differs
  ScanBuffers buffers;
  ScanBlock block;
  const uint32_t last = cooled->block_count() - 1;
  const absl::Status status = cooled->ReadBlock(last, ColumnSet{ColumnId::kAttributes}, &buffers, &block);
  EXPECT_THAT(status, test::StatusIs(absl::StatusCode::kDataLoss));
  EXPECT_THAT(std::string(status.message()), HasSubstr("checksum"));
  // Columns in memory still read.
  EXPECT_OK(cooled->ReadBlock(last, ColumnSet{ColumnId::kEventTime, ColumnId::kProperties}, &buffers, &block));
}

TEST_F(ColdColumnsTest, CheckpointMovesColdColumnsToDisk) {
  test::EventBuilder events;
  AddStandardDays(&events);
  std::vector<EventRow> rows(events.rows().begin(), events.rows().end());
  for (size_t i = 0; i < rows.size(); i += 3) rows[i].attributes = R"({"geo":{"timezone":"UTC"}})";
  const std::vector<Row> expected = RowsOf(rows);
  std::vector<std::string> first_cold;
  {
    Table table(kTableOptions);
    ASSERT_OK_AND_ASSIGN(auto store, Open(&table, ColdOptions()));
    AppendInBatches(store.get(), &table, Shuffled(rows));
    const MemoryUsage before = table.Memory();
    EXPECT_EQ(before.cold_bytes(), 0u);
    ASSERT_OK(store->Checkpoint());
    const MemoryUsage after = table.Memory();
    EXPECT_GT(after.cold_bytes(), 0u);
    const int event_id = ColumnIndex(ColumnId::kEventId);
    EXPECT_LT(after.sealed_column_bytes[event_id], before.sealed_column_bytes[event_id]);
    EXPECT_LT(after.total_bytes(), before.total_bytes());
    ExpectTableHolds(table, expected);
    first_cold = ColdNames(dir_);
    EXPECT_FALSE(first_cold.empty());

    // Nothing new: the next checkpoint writes nothing and keeps the cold files.
    const auto names = ListDir(dir_ + "/files");
    ASSERT_OK(store->Checkpoint());
    EXPECT_EQ(ListDir(dir_ + "/files"), names);

    // An erasure rewrites segments from the cold columns too.
    ASSERT_OK_AND_ASSIGN(const uint64_t erased, store->EraseUser("u3"));
    EXPECT_GT(erased, 0u);
    ExpectTableHolds(table, Without(expected, [](const Row& row) {
                       return row.values[ColumnIndex(ColumnId::kUserId)] == "u3";
                     }));
    EXPECT_GT(table.Memory().cold_bytes(), 0u);
  }
  const std::vector<Row> kept = Without(expected, [](const Row& row) {
    return row.values[ColumnIndex(ColumnId::kUserId)] == "u3";
  });
  std::vector<std::string> cold_names;
  size_t cold_bytes = 0;
  {
    // Restart with the same columns: the segments read their cold files at once.
    Table table(kTableOptions);
    ASSERT_OK_AND_ASSIGN(auto store, Open(&table, ColdOptions()));
    cold_bytes = table.Memory().cold_bytes();
    EXPECT_GT(cold_bytes, 0u);
    ExpectTableHolds(table, kept);
    cold_names = ColdNames(dir_);
    const auto names = ListDir(dir_ + "/files");
    ASSERT_OK(store->Checkpoint());
    EXPECT_EQ(ListDir(dir_ + "/files"), names);
  }
  {
    // Other columns: loaded whole; the next checkpoint writes new cold files.
    Table table(kTableOptions);
    StoreOptions options = Options();
    options.cold_columns = ColumnSet{ColumnId::kEventId};
    ASSERT_OK_AND_ASSIGN(auto store, Open(&table, options));
    EXPECT_EQ(table.Memory().cold_bytes(), 0u);
    ASSERT_OK(store->Checkpoint());
    EXPECT_GT(table.Memory().cold_bytes(), 0u);
    EXPECT_LT(table.Memory().cold_bytes(), cold_bytes);  // attributes stay in memory
    ExpectTableHolds(table, kept);
    for (const std::string& name : cold_names) EXPECT_THAT(ColdNames(dir_), Not(Contains(name)));
  }
  {
    // None: everything resident, and no cold file is left after a checkpoint.
    Table table(kTableOptions);
    ASSERT_OK_AND_ASSIGN(auto store, Open(&table));
    ASSERT_OK(store->Checkpoint());
    EXPECT_EQ(table.Memory().cold_bytes(), 0u);
    EXPECT_TRUE(ColdNames(dir_).empty());
    ExpectTableHolds(table, kept);
  }
  // A damaged cold file is not used: the segment loads whole and a checkpoint replaces it.
  {
    Table table(kTableOptions);
    ASSERT_OK_AND_ASSIGN(auto store, Open(&table, ColdOptions()));
    ASSERT_OK(store->Checkpoint());
  }
  const std::vector<std::string> names = ColdNames(dir_);
  ASSERT_FALSE(names.empty());
  FlipByte(dir_ + "/files/" + names[0], 1);
  Table table(kTableOptions);
  ASSERT_OK_AND_ASSIGN(auto store, Open(&table, ColdOptions()));
  ExpectTableHolds(table, kept);
  ASSERT_OK(store->Checkpoint());
  EXPECT_THAT(ColdNames(dir_), Not(Contains(names[0])));
  EXPECT_EQ(table.Memory().cold_bytes(), cold_bytes);
  ExpectTableHolds(table, kept);
}

TEST_F(ColdColumnsTest, WithoutColdColumnsEverythingStaysResident) {
  test::EventBuilder events;
  AddStandardDays(&events);
  Table table(kTableOptions);
  ASSERT_OK_AND_ASSIGN(auto store, Open(&table));
  AppendInBatches(store.get(), &table, Shuffled(events.rows()));
  ASSERT_OK(store->Checkpoint());
  EXPECT_EQ(table.Memory().cold_bytes(), 0u);
  EXPECT_TRUE(ColdNames(dir_).empty());
}

// A data directory of the previous release (manifest format 3: no hex-packed blocks, no
// cold files) opens, and its next checkpoint writes format 4.
TEST_F(ColdColumnsTest, ManifestFormatThreeStillOpens) {
  test::EventBuilder events;
  AddStandardDays(&events);
  const std::vector<Row> expected = RowsOf(events.rows());
  {
    Table table(kTableOptions);
    ASSERT_OK_AND_ASSIGN(auto store, Open(&table));
    AppendInBatches(store.get(), &table, Shuffled(events.rows()));
    ASSERT_OK(store->Checkpoint());
  }
  ASSERT_OK_AND_ASSIGN(std::string manifest,
                       storage_internal::ReadFramedFile(dir_ + "/MANIFEST", FileKind::kManifest));
  const size_t at = manifest.find("\"format\":4");
  ASSERT_NE(at, std::string::npos);
  manifest[at + 9] = '3';
  ASSERT_OK(storage_internal::WriteFramedFile(dir_, "MANIFEST", FileKind::kManifest, manifest).status());
  EXPECT_EQ(ReadManifest(dir_).format, 3);
  Table table(kTableOptions);
  ASSERT_OK_AND_ASSIGN(auto store, Open(&table, ColdOptions()));
  ExpectTableHolds(table, expected);
  ASSERT_OK(store->Checkpoint());
  EXPECT_EQ(ReadManifest(dir_).format, 4);
  EXPECT_GT(table.Memory().cold_bytes(), 0u);
  ExpectTableHolds(table, expected);
}

}  // namespace
}  // namespace mua::store_test
