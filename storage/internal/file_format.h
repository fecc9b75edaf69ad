// Files MUA persists (storage/store.h) are framed so that any damage is found
// on reading: an 24-byte header — magic "MUAF", the file's kind, the payload's
// length and its XXH3-64 checksum — then the payload. The manifest also records
// each data file's size and checksum, so a file swapped for another or for an
// older version is caught too.
//
//   MUA_ASSIGN_OR_RETURN(FileInfo info, WriteFramedFile(dir, "000017.seg", FileKind::kSegment, bytes));
//   MUA_ASSIGN_OR_RETURN(std::string back, ReadFramedFile(dir + "/000017.seg", FileKind::kSegment));
//
// Thread safety: all functions are safe from any thread.
#pragma once

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace mua::storage_internal {

enum class FileKind : uint32_t {
  kManifest = 1,
  kSegment = 2,     // a sealed segment
  kHeadChunk = 3,   // rows of a partition's head, encoded like a segment
  kBitmaps = 4,     // a partition's user bitmaps
  kDictionary = 5,  // a run of dictionary entries
  kDimensionManifest = 6,  // a dimension table's TABLE file (storage/dimension_table.h)
  kDimensionPart = 7,      // rows of a dimension table
  kAttachment = 8,         // a StoreAttachment's snapshot (storage/store.h)
  kColdColumns = 9,        // copies of a segment's cold columns, read in place (uncompressed)
};

struct FileInfo {
  std::string name;  // within the data directory's files/ folder
  uint64_t size = 0;
  uint64_t checksum = 0;  // XXH3-64 of the payload, as in the header
};

uint64_t Checksum(absl::string_view bytes);

// Writes header + payload to dir/name and fsyncs the file (not the directory).
// Errors: Internal with the path and errno text.
absl::StatusOr<FileInfo> WriteFramedFile(const std::string& dir, const std::string& name,
                                         FileKind kind, absl::string_view payload);

// Reads and verifies a framed file. When `expected` is given its size and
// checksum must match too. Errors: NotFound; DataLoss naming the path and
// what is wrong (torn, wrong kind, checksum mismatch).
absl::StatusOr<std::string> ReadFramedFile(const std::string& path, FileKind kind,
                                           const FileInfo* expected = nullptr);

// Zstd with a frame checksum, for the payloads of data files.
std::string ZstdCompress(absl::string_view bytes, int level);
// Errors: DataLoss when `bytes` is not one whole Zstd frame.
absl::StatusOr<std::string> ZstdDecompress(absl::string_view bytes);

// Every file and directory MUA writes is private to its user, whatever the umask.
constexpr unsigned kPrivateFileMode = 0600;
constexpr unsigned kPrivateDirectoryMode = 0700;
// open(2) with O_CREAT | O_CLOEXEC | `flags`, then fchmod to kPrivateFileMode. Returns the
// fd, or -1 with errno set.
int OpenPrivateFile(const std::string& path, int flags);
// Creates `dir` and its missing parents, each kPrivateDirectoryMode (existing ones are left
// as they are). Errors: Internal with the path and errno text.
absl::Status MakePrivateDirectories(const std::string& dir);

// Whole-file helpers with the errno text in the error; files are created kPrivateFileMode.
absl::StatusOr<std::string> ReadWholeFile(const std::string& path);
absl::Status WriteFileAndSync(const std::string& path, absl::string_view bytes);
absl::Status SyncDirectory(const std::string& dir);
// rename(2) then fsync of the directory: `to` is replaced atomically and durably.
absl::Status RenameDurably(const std::string& from, const std::string& to, const std::string& dir);

}  // namespace mua::storage_internal
