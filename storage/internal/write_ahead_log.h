// WriteAheadLog: the durable record of events accepted over HTTP before they
// reach a persisted segment (SPEC §8). Records get consecutive sequence
// numbers; Append only buffers, and one background thread writes and
// fdatasyncs whatever has accumulated, so concurrent requests share each sync
// (group commit). WaitDurable(seq) returns once seq is on disk.
//
// Files are wal/<first seq>.log; each record is [payload length u32]
// [XXH3 of seq+payload u64][seq u64][payload]. Rotate() starts a new file, so that once
// a checkpoint holds every record before it, the older files can be deleted.
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

class WriteAheadLog {
 public:
  using ReplayFn = std::function<absl::Status(uint64_t seq, absl::string_view payload)>;

  // Opens (creating) `dir` and hands every intact record with seq > `after_seq`
  // to `replay`, oldest first. In the newest file, the first damaged record and
  // everything after it are cut (a crash mid-write leaves such a torn tail) and
  // the cut is described in *notes. Errors: DataLoss naming the file when a
  // record of an older file is damaged; replay's errors; Internal for I/O.
  static absl::StatusOr<std::unique_ptr<WriteAheadLog>> Open(const std::string& dir,
                                                             uint64_t after_seq,
                                                             const ReplayFn& replay,
                                                             std::vector<std::string>* notes);
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
