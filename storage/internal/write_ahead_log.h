// WriteAheadLog: the durable record of events accepted over HTTP before they
// reach a persisted segment (SPEC §8). Records get consecutive sequence
// numbers; Append only buffers, and one background thread writes and
// fdatasyncs whatever has accumulated, so concurrent requests share each sync
// (group commit). Each group ends with a commit marker, written and synced with
// it: WaitDurable(seq) returns once seq's group, marker included, is on disk.
//
// Files are wal/<first seq>.log (docs/formats/wal.md): an 8-byte header, then
// records [length u32][XXH3 of type+seq+payload u64][type u8][seq u64][payload].
// At replay only what follows the newest file's last valid commit marker can be
// a torn write (never acknowledged) and is cut; any other damage is handled as
// the caller's WalDamagePolicy says, after the original file is copied aside.
// Files of earlier versions (no header, no markers) are still read.
// Rotate() starts a new file, so that once a checkpoint holds every record
// before it, the older files can be deleted.
//
// Thread safety: every method may be called from any thread.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"

namespace mua::storage_internal {

// What Open does with a damaged record that is not a torn tail (mirrors mua::OnCorruption).
enum class WalDamagePolicy {
  kStop,     // fail with DataLoss naming the file and offset; nothing is changed
  kSkip,     // replay every intact record, drop the damaged ones
  kDiscard,  // replay up to the first damage; set aside everything after it
};

struct WalOpenOptions {
  uint64_t after_seq = 0;  // records up to this one are in the checkpoint: not replayed
  WalDamagePolicy on_damage = WalDamagePolicy::kStop;
  std::string quarantine_dir;  // originals are copied here before anything is cut
};

// What Open found and did.
struct WalRecovery {
  std::vector<std::string> notes;  // one line each, for the log
  bool degraded = false;           // damage was skipped or discarded
  uint64_t records_lost = 0;       // acknowledged records not replayed because of damage
};

class WriteAheadLog {
 public:
  using ReplayFn = std::function<absl::Status(uint64_t seq, absl::string_view payload)>;

  // Opens (creating) `dir` and hands every intact record with seq >
  // `options.after_seq` to `replay`, oldest first, describing what it found in
  // *recovery. Errors: DataLoss naming the file and byte offset of damage that
  // is not a torn tail, under WalDamagePolicy::kStop; replay's errors; Internal
  // for I/O.
  static absl::StatusOr<std::unique_ptr<WriteAheadLog>> Open(const std::string& dir,
                                                             const WalOpenOptions& options,
                                                             const ReplayFn& replay,
                                                             WalRecovery* recovery);
  ~WriteAheadLog();
  WriteAheadLog(const WriteAheadLog&) = delete;
  WriteAheadLog& operator=(const WriteAheadLog&) = delete;

  // Buffers a record and returns its sequence number.
  uint64_t Append(absl::string_view payload);

  // Blocks until record `seq` is written and synced. Errors: Internal once a
  // write or sync has failed (nothing later is acknowledged).
  absl::Status WaitDurable(uint64_t seq);

  // The newest sequence number handed out (0 when none ever).
  uint64_t last_seq() const;

  // Ends the current file after the records appended so far and returns the
  // first sequence number of the next one.
  uint64_t Rotate();

  // Deletes the files whose records all precede `seq` (a durable checkpoint holds them).
  void DeleteFilesBefore(uint64_t seq);

  uint64_t bytes_written() const;
  uint64_t syncs() const;

 private:
  struct Rotation {
    std::string bytes;  // the tail of the file being ended
    uint64_t last_seq = 0;
  };
  WriteAheadLog(std::string dir, uint64_t last_seq);
  absl::Status OpenFile(uint64_t first_seq);
  void SyncLoop();

  const std::string dir_;
  int fd_ = -1;  // sync thread only (and Open)
  std::thread sync_thread_;

  mutable absl::Mutex mu_;
  std::string buffer_ ABSL_GUARDED_BY(mu_);
  std::vector<Rotation> rotations_ ABSL_GUARDED_BY(mu_);
  uint64_t last_seq_ ABSL_GUARDED_BY(mu_);
  uint64_t file_first_seq_ ABSL_GUARDED_BY(mu_);  // of the file appends go to
  uint64_t durable_seq_ ABSL_GUARDED_BY(mu_);
  absl::Status failure_ ABSL_GUARDED_BY(mu_);
  bool stop_ ABSL_GUARDED_BY(mu_) = false;
  uint64_t bytes_written_ ABSL_GUARDED_BY(mu_) = 0;
  uint64_t syncs_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace mua::storage_internal
