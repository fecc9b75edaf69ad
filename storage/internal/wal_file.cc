#include "storage/internal/wal_file.h"

#include <algorithm>
#include <cstring>

#include "storage/base/coding.h"
#include "storage/internal/file_format.h"

namespace mua::storage_internal {
namespace {

constexpr char kMagic[4] = {'M', 'U', 'A', 'W'};
constexpr size_t kVersion1RecordHeaderBytes = 20;  // [length u32][checksum u64][seq u64]
constexpr size_t kNotFound = static_cast<size_t>(-1);

size_t RecordHeaderBytes(uint32_t version) {
  return version == 1 ? kVersion1RecordHeaderBytes : kWalRecordHeaderBytes;
}

// The seqs a file's records can carry: one per record at most, from its name on.
struct SeqRange {
  uint64_t first = 0;
  uint64_t last = 0;
};

// Parses the record at `at`. With `range` (when looking for a record after
// damage) its seq must lie in it too, which rejects nearly every offset before
// the checksum is computed.
bool TryRecord(absl::string_view bytes, size_t at, uint32_t version, const SeqRange* range,
               WalRecord* out) {
  const size_t header = RecordHeaderBytes(version);
  if (at > bytes.size() || bytes.size() - at < header) return false;
  const char* p = bytes.data() + at;
  const uint32_t length = LoadFixed32(p);
  if (length > bytes.size() - at - header) return false;
  WalRecordType type = WalRecordType::kData;
  if (version != 1) {
    const uint8_t code = static_cast<uint8_t>(p[12]);
    if (code != static_cast<uint8_t>(WalRecordType::kData) &&
        code != static_cast<uint8_t>(WalRecordType::kCommit)) {
      return false;
    }
    type = static_cast<WalRecordType>(code);
  }
  const uint64_t seq = LoadFixed64(p + header - 8);
  if (range != nullptr && (seq < range->first || seq > range->last)) return false;
  // The checksum covers the contiguous bytes after it: [type] seq payload.
  if (Checksum(absl::string_view(p + 12, header - 12 + length)) != LoadFixed64(p + 4)) return false;
  *out = WalRecord{.offset = at,
                   .size = header + length,
                   .type = type,
                   .seq = seq,
                   .payload = absl::string_view(p + header, length)};
  return true;
}

size_t FindNextRecord(absl::string_view bytes, size_t from, uint32_t version, const SeqRange& range) {
  WalRecord record;
  for (size_t at = from; at + RecordHeaderBytes(version) <= bytes.size(); ++at) {
    if (TryRecord(bytes, at, version, &range, &record)) return at;
  }
  return kNotFound;
}

}  // namespace

std::string WalFileHeader() {
  std::string header(kMagic, 4);
  PutFixed32(&header, kWalFileVersion);
  return header;
}

void EncodeWalRecord(WalRecordType type, uint64_t seq, absl::string_view payload, std::string* out) {
  PutFixed32(out, static_cast<uint32_t>(payload.size()));
  const size_t checksum_at = out->size();
  PutFixed64(out, 0);
  out->push_back(static_cast<char>(type));
  PutFixed64(out, seq);
  out->append(payload.data(), payload.size());
  const uint64_t checksum =
      Checksum(absl::string_view(out->data() + checksum_at + 8, 9 + payload.size()));
  std::memcpy(out->data() + checksum_at, &checksum, 8);
}

WalFileScan ScanWalFile(absl::string_view bytes, uint64_t first_seq) {
  WalFileScan scan;
  scan.size = bytes.size();
  const std::string header = WalFileHeader();
  const SeqRange range{first_seq, first_seq + bytes.size() / kVersion1RecordHeaderBytes};
  WalRecord record;
  size_t at = 0;
  if (bytes.size() < header.size() && absl::string_view(header).substr(0, bytes.size()) == bytes) {
    scan.commit_end = bytes.size();  // created, and a crash came before the header was whole
    return scan;
  }
  if (bytes.substr(0, header.size()) == header) {
    at = header.size();
  } else if (TryRecord(bytes, 0, 1, nullptr, &record)) {
    scan.version = 1;
  } else {
    // A damaged header: resume at whichever version's first intact record comes first.
    scan.header_damaged = true;
    const size_t current = FindNextRecord(bytes, 1, kWalFileVersion, range);
    const size_t old = FindNextRecord(bytes, 1, 1, range);
    if (old < current) scan.version = 1;
    at = std::min(current, old);
    scan.damages.push_back({0, at == kNotFound ? bytes.size() : at});
    if (at == kNotFound) return scan;
  }
  if (!scan.header_damaged) scan.commit_end = at;
  while (at < bytes.size()) {
    if (TryRecord(bytes, at, scan.version, nullptr, &record)) {
      scan.records.push_back(record);
      at += record.size;
      if (scan.version == 1 || record.type == WalRecordType::kCommit) scan.commit_end = at;
      continue;
    }
    const size_t next = FindNextRecord(bytes, at + 1, scan.version, range);
    scan.damages.push_back({at, (next == kNotFound ? bytes.size() : next) - at});
    if (next == kNotFound) break;
    at = next;
  }
  return scan;
}

}  // namespace mua::storage_internal
