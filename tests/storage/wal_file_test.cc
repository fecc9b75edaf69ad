#include "storage/internal/wal_file.h"

#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace mua::storage_internal {
namespace {

// Three groups: records 1, 2 (one group), 3 (another), 4 (a third), each with its marker.
std::string ThreeGroups(std::vector<size_t>* data_offsets = nullptr) {
  std::string bytes = WalFileHeader();
  auto data = [&](uint64_t seq, const std::string& payload) {
    if (data_offsets != nullptr) data_offsets->push_back(bytes.size());
    EncodeWalRecord(WalRecordType::kData, seq, payload, &bytes);
  };
  data(1, "first payload");
  data(2, "second payload");
  EncodeWalRecord(WalRecordType::kCommit, 2, "", &bytes);
  data(3, "third payload");
  EncodeWalRecord(WalRecordType::kCommit, 3, "", &bytes);
  data(4, "fourth payload");
  EncodeWalRecord(WalRecordType::kCommit, 4, "", &bytes);
  return bytes;
}

std::vector<uint64_t> DataSeqs(const WalFileScan& scan) {
  std::vector<uint64_t> seqs;
  for (const WalRecord& record : scan.records) {
    if (record.type == WalRecordType::kData) seqs.push_back(record.seq);
  }
  return seqs;
}

TEST(WalFileTest, IntactFileEndsAtItsLastMarker) {
  const std::string bytes = ThreeGroups();
  const WalFileScan scan = ScanWalFile(bytes, 1);
  EXPECT_EQ(scan.version, 2u);
  EXPECT_TRUE(scan.damages.empty());
  EXPECT_EQ(DataSeqs(scan), (std::vector<uint64_t>{1, 2, 3, 4}));
  EXPECT_EQ(scan.records.size(), 7u);
  EXPECT_EQ(scan.commit_end, bytes.size());
  EXPECT_EQ(scan.records[1].payload, "second payload");
}

TEST(WalFileTest, ScanResumesAfterDamage) {
  std::vector<size_t> offsets;
  std::string bytes = ThreeGroups(&offsets);
  bytes[offsets[1] + 2] ^= 0x40;  // the second record's length
  const WalFileScan scan = ScanWalFile(bytes, 1);
  ASSERT_EQ(scan.damages.size(), 1u);
  EXPECT_EQ(scan.damages[0].offset, offsets[1]);
  EXPECT_EQ(DataSeqs(scan), (std::vector<uint64_t>{1, 3, 4}));
  EXPECT_EQ(scan.commit_end, bytes.size());  // markers after the damage are intact
}

TEST(WalFileTest, DamagedHeaderIsDamageAtByteZero) {
  std::string bytes = ThreeGroups();
  bytes[5] ^= 0x01;  // the version
  const WalFileScan scan = ScanWalFile(bytes, 1);
  EXPECT_TRUE(scan.header_damaged);
  ASSERT_FALSE(scan.damages.empty());
  EXPECT_EQ(scan.damages[0].offset, 0u);
  EXPECT_EQ(scan.damages[0].bytes, kWalFileHeaderBytes);
  EXPECT_EQ(DataSeqs(scan), (std::vector<uint64_t>{1, 2, 3, 4}));
}

TEST(WalFileTest, EmptyAndHalfWrittenHeadersHoldNothing) {
  for (size_t size = 0; size <= kWalFileHeaderBytes; ++size) {
    const WalFileScan scan = ScanWalFile(WalFileHeader().substr(0, size), 1);
    EXPECT_TRUE(scan.records.empty()) << size;
    EXPECT_TRUE(scan.damages.empty()) << size;
    EXPECT_EQ(scan.commit_end, size) << size;
  }
}

TEST(WalFileTest, RecordsAfterTheLastMarkerAreNotCommitted) {
  std::string bytes = ThreeGroups();
  const size_t committed = bytes.size();
  EncodeWalRecord(WalRecordType::kData, 5, "unsynced", &bytes);
  bytes += std::string(7, '\0');
  const WalFileScan scan = ScanWalFile(bytes, 1);
  EXPECT_EQ(scan.commit_end, committed);
  EXPECT_EQ(DataSeqs(scan).back(), 5u);
  ASSERT_EQ(scan.damages.size(), 1u);
  EXPECT_EQ(scan.damages[0].bytes, 7u);
}

TEST(WalFileTest, ResynchronizationIgnoresImplausibleSeqs) {
  // A record whose checksum is right but whose seq cannot belong to this file
  // (a file holds at most one seq per 20 bytes from its first) is not resumed at.
  std::string bytes = WalFileHeader();
  bytes += "garbage!";
  EncodeWalRecord(WalRecordType::kData, 1'000'000, "far away", &bytes);
  const WalFileScan scan = ScanWalFile(bytes, 1);
  EXPECT_TRUE(scan.records.empty());
  ASSERT_EQ(scan.damages.size(), 1u);
  EXPECT_EQ(scan.damages[0].bytes, bytes.size() - kWalFileHeaderBytes);
}

}  // namespace
}  // namespace mua::storage_internal
