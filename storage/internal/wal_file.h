// The bytes of one WAL file (docs/formats/wal.md): how records and commit
// markers are encoded, and ScanWalFile, which finds every intact record and
// every damaged stretch of a file without deciding what the damage means
// (WriteAheadLog::Open does, from where the file sits in the log).
//
//   std::string bytes = WalFileHeader();
//   EncodeWalRecord(WalRecordType::kData, 7, payload, &bytes);
//   EncodeWalRecord(WalRecordType::kCommit, 7, "", &bytes);
//   WalFileScan scan = ScanWalFile(bytes, /*first_seq=*/7);
//
// Thread safety: pure functions.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace mua::storage_internal {

enum class WalRecordType : uint8_t {
  kData = 1,    // a payload: the rows of one request
  kCommit = 2,  // ends a synced group; its seq is the group's last data record's
};

constexpr size_t kWalFileHeaderBytes = 8;  // "MUAW", version u32
constexpr uint32_t kWalFileVersion = 2;    // 1: no header, no types, no markers
constexpr size_t kWalRecordHeaderBytes = 21;
constexpr size_t kWalCommitBytes = kWalRecordHeaderBytes;  // a marker has no payload

std::string WalFileHeader();

// Appends [length u32][XXH3-64 of type, seq and payload][type u8][seq u64][payload].
void EncodeWalRecord(WalRecordType type, uint64_t seq, absl::string_view payload, std::string* out);

struct WalRecord {
  size_t offset = 0;
  size_t size = 0;  // header and payload
  WalRecordType type = WalRecordType::kData;
  uint64_t seq = 0;
  absl::string_view payload;  // points into the scanned bytes
};

// Bytes that are no intact record, from `offset` to the next intact record or the file's end.
struct WalDamage {
  size_t offset = 0;
  size_t bytes = 0;
};

struct WalFileScan {
  uint32_t version = kWalFileVersion;
  bool header_damaged = false;     // neither a current header nor an intact version-1 record
  std::vector<WalRecord> records;  // intact ones, in file order
  std::vector<WalDamage> damages;  // in file order
  // Where the bytes a torn write may have left begin: after the last intact
  // commit marker (version 1: after the last intact record).
  size_t commit_end = 0;
  size_t size = 0;
};

// Finds the intact records of a file whose records start at `first_seq` (its
// name). After damage it resumes at the next offset where a whole record with
// a matching checksum and a plausible seq starts.
WalFileScan ScanWalFile(absl::string_view bytes, uint64_t first_seq);

}  // namespace mua::storage_internal
