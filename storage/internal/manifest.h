// The MANIFEST: the checkpoint's table of contents — every data file with its size and
// checksum, the source positions its data holds, the erased users. JSON, framed like every
// file (storage/internal/file_format.h).
//
//   MUA_ASSIGN_OR_RETURN(Manifest manifest, ParseManifest(text));
//   const std::string again = SerializeManifest(manifest);
//
// Thread safety: plain values and pure functions.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "storage/internal/file_format.h"
#include "storage/schema.h"

namespace mua::storage_internal {

struct FileEntry {
  FileInfo info;
  uint64_t rows = 0;   // segments, head chunks; entries for dictionary chunks
  uint64_t first = 0;  // dictionary chunks: first code
  // Segments: the `.cold` file holding copies of its cold columns' blocks (format 4), or
  // no name. The segment file stays complete; recovery reads it alone.
  FileInfo cold;
  ColumnSet cold_columns;  // the columns it holds, in schema order
};

struct PartitionEntry {
  int32_t day = 0;
  std::vector<FileEntry> segments;
  std::vector<std::vector<FileEntry>> sealing;  // chunks of each head waiting to be sealed
  std::vector<FileEntry> head;
  FileEntry bitmaps;

  // The chunks of every head, the waiting ones first (as their rows are restored).
  std::vector<const FileEntry*> HeadChunks() const {
    std::vector<const FileEntry*> chunks;
    for (const auto& head_chunks : sealing) {
      for (const FileEntry& file : head_chunks) chunks.push_back(&file);
    }
    for (const FileEntry& file : head) chunks.push_back(&file);
    return chunks;
  }
};

struct Manifest {
  uint64_t generation = 0;
  uint64_t next_file = 1;
  int64_t written_at_ms = 0;
  std::map<std::string, int64_t> positions;
  std::map<std::string, int64_t> counters;  // Store::counters(); absent before format 3
  std::vector<std::string> erased;
  std::map<std::string, std::vector<FileEntry>> dictionaries;  // by column name
  std::vector<PartitionEntry> partitions;
  std::map<std::string, FileEntry> attachments;  // StoreAttachment snapshots by name (format 3)
};

// Format 1 when no partition has a head waiting to be sealed (so an older server reads it),
// else format 2.
std::string SerializeManifest(const Manifest& manifest);
// Errors: DataLoss naming what is malformed.
absl::StatusOr<Manifest> ParseManifest(absl::string_view text);

}  // namespace mua::storage_internal
