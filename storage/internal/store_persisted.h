// The Store's private parts shared by its files (store.cc: open, apply, erase, backup;
// store_recovery.cc: Load; store_checkpoint.cc: checkpoints): what the last checkpoint
// wrote, and the WAL handle.
//
// Thread safety: Store::Persisted is guarded by Store::checkpoint_mu_.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_format.h"
#include "absl/strings/string_view.h"
#include "storage/internal/head_segment.h"
#include "storage/internal/manifest.h"
#include "storage/internal/partition.h"
#include "storage/internal/sealed_segment.h"
#include "storage/internal/write_ahead_log.h"
#include "storage/store.h"

namespace mua {
namespace storage_internal {

// The position under which a manifest stores the last WAL sequence it holds.
inline constexpr char kWalSource[] = "wal";

}  // namespace storage_internal

// What the last checkpoint wrote, keyed by the in-memory objects it came from, so the
// next one writes only what is new. Entries hold weak references: a sealed head or a
// rewritten segment is freed at once, and an entry whose object died is a miss (its
// address may belong to a new object by then).
struct Store::Persisted {
  uint64_t generation = 0;
  uint64_t next_file = 1;
  struct SegmentFile {
    std::weak_ptr<const storage_internal::SealedSegment> segment;
    storage_internal::FileEntry file;
  };
  absl::flat_hash_map<const storage_internal::SealedSegment*, SegmentFile> segments;
  struct HeadFiles {
    std::weak_ptr<const storage_internal::HeadSegment> head;
    std::vector<storage_internal::FileEntry> chunks;
    uint32_t rows = 0;
  };
  absl::flat_hash_map<const storage_internal::HeadSegment*, HeadFiles> heads;
  struct BitmapsFile {
    std::weak_ptr<const storage_internal::UserBitmaps> bitmaps;
    storage_internal::FileEntry file;
  };
  absl::flat_hash_map<const storage_internal::UserBitmaps*, BitmapsFile> bitmaps;
  std::map<std::string, std::vector<storage_internal::FileEntry>> dictionaries;  // by column name
  std::map<std::string, uint32_t> dictionary_sizes;
  struct AttachmentFile {
    uint64_t generation = 0;
    storage_internal::FileEntry file;
  };
  std::map<std::string, AttachmentFile> attachments;  // by name

  std::string NewName(absl::string_view extension) {
    return absl::StrFormat("%08d.%s", next_file++, extension);
  }
};

struct Store::Wal {
  std::unique_ptr<storage_internal::WriteAheadLog> log;
};

}  // namespace mua
