#include "storage/internal/write_ahead_log.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "storage/base/status_macros.h"
#include "storage/internal/file_format.h"
#include "storage/internal/wal_file.h"

namespace mua::storage_internal {
namespace {

std::string FileName(uint64_t first_seq) { return absl::StrFormat("%020d.log", first_seq); }

absl::Status ErrnoError(absl::string_view what, const std::string& path) {
  return absl::InternalError(absl::StrCat(what, " ", path, ": ", std::strerror(errno)));
}

// The WAL files in `dir` by first sequence number. Leftovers of a rewrite a
// crash interrupted (the original is still in place) are removed.
absl::StatusOr<std::vector<uint64_t>> ListFiles(const std::string& dir) {
  std::vector<uint64_t> firsts;
  std::error_code error;
  for (const auto& entry : std::filesystem::directory_iterator(dir, error)) {
    const std::string name = entry.path().filename().string();
    uint64_t first = 0;
    if (name.size() == 24 && absl::EndsWith(name, ".log") &&
        absl::SimpleAtoi(absl::string_view(name).substr(0, 20), &first)) {
      firsts.push_back(first);
    } else if (absl::EndsWith(name, ".log.tmp")) {
      std::error_code ignored;
      std::filesystem::remove(entry.path(), ignored);
    }
  }
  if (error) return absl::InternalError(absl::StrCat("cannot list ", dir, ": ", error.message()));
  std::sort(firsts.begin(), firsts.end());
  return firsts;
}

// What a file's damage means, given where the file sits in the log.
struct Verdict {
  size_t tail_start = 0;           // bytes from here on are a torn write, cut
  std::vector<WalDamage> damages;  // the rest: before tail_start, not all in the checkpoint
  uint64_t lost = 0;               // acknowledged records they held (by the gaps in seq)
  uint64_t lost_first = 0;
  uint64_t lost_last = 0;
  int covered = 0;                 // damaged stretches whose records the checkpoint holds
};

// Whether `stretch` is the commit marker of a group ending at `seq` with a few
// bits changed (a torn write leaves a prefix, zeros or another record's bytes).
bool IsDamagedMarker(absl::string_view stretch, uint64_t seq) {
  std::string marker;
  EncodeWalRecord(WalRecordType::kCommit, seq, "", &marker);
  if (stretch.size() != marker.size()) return false;
  int changed_bits = 0;
  for (size_t i = 0; i < marker.size(); ++i) {
    changed_bits += __builtin_popcount(static_cast<uint8_t>(stretch[i] ^ marker[i]));
  }
  return changed_bits <= 8;
}

// Only the newest file can end in a torn write: an older one was synced whole
// before the next was created. There, bytes after the last commit marker were
// never acknowledged — except the marker of the intact records before it, with
// a few bits changed: that group was acknowledged.
Verdict Judge(const WalFileScan& scan, absl::string_view bytes, uint64_t first_seq,
              uint64_t next_first, uint64_t after_seq) {
  const bool newest = next_first == 0;
  Verdict verdict;
  verdict.tail_start = newest ? scan.commit_end : scan.size;
  if (newest && !scan.damages.empty()) {
    const WalDamage& last = scan.damages.back();
    uint64_t pending_seq = 0;  // of the last intact data record after the last marker
    for (const WalRecord& record : scan.records) {
      if (record.type == WalRecordType::kData && record.offset >= scan.commit_end &&
          record.offset < last.offset) {
        pending_seq = record.seq;
      }
    }
    if (pending_seq > 0 && last.offset + last.bytes == scan.size &&
        IsDamagedMarker(bytes.substr(last.offset), pending_seq)) {
      verdict.tail_start = scan.size;
    }
  }
  for (const WalDamage& damage : scan.damages) {
    if (damage.offset >= verdict.tail_start) break;
    // Seqs are consecutive: the damage held those between the records around it.
    uint64_t before = first_seq - 1;
    uint64_t after = 0;  // the first seq known to follow
    for (const WalRecord& record : scan.records) {
      if (record.offset < damage.offset) before = std::max(before, record.seq);
      if (record.offset == damage.offset + damage.bytes) {
        after = record.type == WalRecordType::kData ? record.seq : record.seq + 1;
      }
    }
    if (after == 0) after = newest ? before + 1 : next_first;
    after = std::max(after, before + 1);
    if (after <= after_seq + 1) {
      ++verdict.covered;
      continue;
    }
    const uint64_t from = std::max(before, after_seq) + 1;
    if (after > from) {
      if (verdict.lost == 0) verdict.lost_first = from;
      verdict.lost += after - from;
      verdict.lost_last = after - 1;
    }
    verdict.damages.push_back(damage);
  }
  return verdict;
}

// Replays a WAL directory at open, file by file, as WalOpenOptions says.
class Recovery {
 public:
  Recovery(const std::string& dir, const WalOpenOptions& options,
           const WriteAheadLog::ReplayFn& replay, WalRecovery* out)
      : dir_(dir), options_(options), replay_(replay), out_(out), last_seq_(options.after_seq) {}

  absl::Status Run();
  uint64_t last_seq() const { return last_seq_; }

 private:
  absl::Status ReplayFile(size_t f, const std::vector<uint64_t>& firsts, bool* stop);
  absl::Status Replay(const WalFileScan& scan, size_t end);
  absl::Status HandleDamage(const std::string& name, const std::string& bytes,
                            const WalFileScan& scan, const Verdict& verdict,
                            const std::vector<uint64_t>& firsts, size_t f);
  absl::StatusOr<uint64_t> SetLaterFilesAside(const std::vector<uint64_t>& firsts, size_t f);
  absl::Status CutTornTail(const std::string& name, const std::string& bytes, const WalFileScan& scan,
                           size_t at);
  absl::Status Rewrite(const std::string& name, const WalFileScan& scan, size_t end);
  absl::StatusOr<std::string> Aside(const std::string& name, absl::string_view what,
                                    absl::string_view bytes);
  std::string Path(const std::string& name) const { return absl::StrCat(dir_, "/", name); }

  const std::string& dir_;
  const WalOpenOptions& options_;
  const WriteAheadLog::ReplayFn& replay_;
  WalRecovery* const out_;
  uint64_t last_seq_;
};

absl::Status Recovery::Run() {
  MUA_ASSIGN_OR_RETURN(const std::vector<uint64_t> firsts, ListFiles(dir_));
  bool stop = false;
  for (size_t f = 0; f < firsts.size() && !stop; ++f) {
    // File f holds [first_f, first_{f+1}): skipped when the checkpoint holds all of it.
    if (f + 1 < firsts.size() && firsts[f + 1] <= options_.after_seq + 1) continue;
    MUA_RETURN_IF_ERROR(ReplayFile(f, firsts, &stop));
  }
  return absl::OkStatus();
}

absl::Status Recovery::ReplayFile(size_t f, const std::vector<uint64_t>& firsts, bool* stop) {
  const std::string name = FileName(firsts[f]);
  MUA_ASSIGN_OR_RETURN(const std::string bytes, ReadWholeFile(Path(name)));
  const WalFileScan scan = ScanWalFile(bytes, firsts[f]);
  const uint64_t next_first = f + 1 < firsts.size() ? firsts[f + 1] : 0;
  const Verdict verdict = Judge(scan, bytes, firsts[f], next_first, options_.after_seq);
  if (verdict.covered > 0) {
    out_->notes.push_back(absl::StrFormat(
        "%s: %d damaged stretches hold only records the checkpoint already has; ignored (the "
        "file is deleted at the next checkpoint)", Path(name), verdict.covered));
  }
  if (!verdict.damages.empty()) {
    MUA_RETURN_IF_ERROR(HandleDamage(name, bytes, scan, verdict, firsts, f));
    *stop = options_.on_damage == WalDamagePolicy::kDiscard;
    return absl::OkStatus();
  }
  MUA_RETURN_IF_ERROR(Replay(scan, verdict.tail_start));
  if (verdict.tail_start < scan.size) {
    MUA_RETURN_IF_ERROR(CutTornTail(name, bytes, scan, verdict.tail_start));
  }
  return absl::OkStatus();
}

absl::Status Recovery::Replay(const WalFileScan& scan, size_t end) {
  for (const WalRecord& record : scan.records) {
    if (record.offset >= end) break;
    last_seq_ = std::max(last_seq_, record.seq);
    if (record.type != WalRecordType::kData || record.seq <= options_.after_seq) continue;
    MUA_RETURN_IF_ERROR(replay_(record.seq, record.payload));
  }
  return absl::OkStatus();
}

absl::Status Recovery::HandleDamage(const std::string& name, const std::string& bytes,
                                    const WalFileScan& scan, const Verdict& verdict,
                                    const std::vector<uint64_t>& firsts, size_t f) {
  const WalDamage& first = verdict.damages.front();
  std::string what = absl::StrFormat("%s: damaged WAL data at byte %d (%d bytes)", Path(name),
                                     first.offset, first.bytes);
  if (verdict.damages.size() > 1) absl::StrAppend(&what, " and ", verdict.damages.size() - 1, " more stretches");
  const std::string lost =
      verdict.lost == 0 ? std::string("no acknowledged record is missing (a damaged header or commit marker)")
                        : absl::StrFormat("%d acknowledged records are missing (seq %d..%d)", verdict.lost,
                                          verdict.lost_first, verdict.lost_last);
  if (options_.on_damage == WalDamagePolicy::kStop) {
    return absl::DataLossError(absl::StrCat(
        what, "; ", lost, ". Intact records follow it, so it is no torn write; nothing was changed. "
        "Restore the data directory from a backup, or start with --on_corruption=skip to replay "
        "every intact record without the damaged ones, or --on_corruption=discard to replay only "
        "what precedes the damage"));
  }
  MUA_ASSIGN_OR_RETURN(const std::string aside, Aside(name, "corrupt", bytes));
  out_->degraded = true;
  if (options_.on_damage == WalDamagePolicy::kSkip) {
    MUA_RETURN_IF_ERROR(Replay(scan, verdict.tail_start));
    MUA_RETURN_IF_ERROR(Rewrite(name, scan, verdict.tail_start));
    out_->records_lost += verdict.lost;
    out_->notes.push_back(absl::StrCat(
        "WAL CORRUPTION: ", what, "; ", lost, ". The original is copied to ", aside,
        "; --on_corruption=skip replayed every intact record and the store reports degraded"));
    return absl::OkStatus();
  }
  // Discard: point-in-time recovery to the first damage.
  uint64_t kept = std::max(firsts[f] - 1, options_.after_seq);
  uint64_t known = f + 1 < firsts.size() ? firsts[f + 1] - 1 : 0;
  for (const WalRecord& record : scan.records) {
    if (record.offset < first.offset) kept = std::max(kept, record.seq);
    if (record.offset < verdict.tail_start) known = std::max(known, record.seq);
  }
  MUA_RETURN_IF_ERROR(Replay(scan, first.offset));
  MUA_RETURN_IF_ERROR(Rewrite(name, scan, first.offset));
  MUA_ASSIGN_OR_RETURN(const uint64_t later, SetLaterFilesAside(firsts, f));
  known = std::max(known, later);
  const uint64_t dropped = known > kept ? known - kept : 0;
  out_->records_lost += dropped;
  out_->notes.push_back(absl::StrCat(
      "WAL CORRUPTION: ", what, "; ", lost, ". The original is copied to ", aside,
      "; --on_corruption=discard replayed up to the damage and dropped the ", dropped,
      " acknowledged records after it (", firsts.size() - f - 1,
      " later WAL files moved to the quarantine); the store reports degraded"));
  return absl::OkStatus();
}

// Moves files f+1.. to the quarantine; returns the newest seq they held intact.
absl::StatusOr<uint64_t> Recovery::SetLaterFilesAside(const std::vector<uint64_t>& firsts, size_t f) {
  uint64_t newest = 0;
  for (size_t g = f + 1; g < firsts.size(); ++g) {
    const std::string name = FileName(firsts[g]);
    MUA_ASSIGN_OR_RETURN(const std::string bytes, ReadWholeFile(Path(name)));
    const WalFileScan scan = ScanWalFile(bytes, firsts[g]);
    const size_t end = g + 1 < firsts.size() ? scan.size : scan.commit_end;
    for (const WalRecord& record : scan.records) {
      if (record.offset < end) newest = std::max(newest, record.seq);
    }
    MUA_RETURN_IF_ERROR(Aside(name, "discarded", bytes).status());
    if (::unlink(Path(name).c_str()) != 0) return ErrnoError("cannot remove", Path(name));
  }
  MUA_RETURN_IF_ERROR(SyncDirectory(dir_));
  return newest;
}

absl::Status Recovery::CutTornTail(const std::string& name, const std::string& bytes,
                                   const WalFileScan& scan, size_t at) {
  int unacknowledged = 0;
  for (const WalRecord& record : scan.records) {
    unacknowledged += record.offset >= at && record.type == WalRecordType::kData;
  }
  // The cut bytes are kept (they are at most the group a crash interrupted).
  MUA_ASSIGN_OR_RETURN(const std::string aside,
                       Aside(name, absl::StrCat("torn-at-", at), absl::string_view(bytes).substr(at)));
  const std::string path = Path(name);
  const int fd = OpenPrivateFile(path, O_WRONLY);
  if (fd < 0) return ErrnoError("cannot open", path);
  const bool cut = ::ftruncate(fd, static_cast<off_t>(at)) == 0 && ::fsync(fd) == 0;
  const int saved = errno;
  ::close(fd);
  errno = saved;
  if (!cut) return ErrnoError("cannot truncate", path);
  out_->notes.push_back(absl::StrFormat(
      "%s: cut a torn tail of %d bytes at byte %d (after the last commit marker: a write the "
      "crash interrupted, never acknowledged; %d whole records in it); the bytes are kept in %s",
      path, scan.size - at, at, unacknowledged, aside));
  return absl::OkStatus();
}

// Replaces the file by its intact records before `end` and one commit marker.
absl::Status Recovery::Rewrite(const std::string& name, const WalFileScan& scan, size_t end) {
  std::string bytes = WalFileHeader();
  uint64_t last = 0;
  for (const WalRecord& record : scan.records) {
    if (record.offset >= end || record.type != WalRecordType::kData) continue;
    EncodeWalRecord(WalRecordType::kData, record.seq, record.payload, &bytes);
    last = record.seq;
  }
  if (last > 0) EncodeWalRecord(WalRecordType::kCommit, last, "", &bytes);
  const std::string tmp = Path(name + ".tmp");
  MUA_RETURN_IF_ERROR(WriteFileAndSync(tmp, bytes));
  return RenameDurably(tmp, Path(name), dir_);
}

// Writes `bytes` to the quarantine as wal-NAME.WHAT-TIME; returns that path.
absl::StatusOr<std::string> Recovery::Aside(const std::string& name, absl::string_view what,
                                            absl::string_view bytes) {
  MUA_RETURN_IF_ERROR(MakePrivateDirectories(options_.quarantine_dir));
  const std::string base = absl::StrCat(options_.quarantine_dir, "/wal-", name, ".", what, "-",
                                        absl::ToUnixSeconds(absl::Now()));
  std::string path = base;
  std::error_code error;
  for (int n = 1; std::filesystem::exists(path, error); ++n) path = absl::StrCat(base, "-", n);
  MUA_RETURN_IF_ERROR(WriteFileAndSync(path, bytes));
  MUA_RETURN_IF_ERROR(SyncDirectory(options_.quarantine_dir));
  return path;
}

}  // namespace

WriteAheadLog::WriteAheadLog(std::string dir, uint64_t last_seq)
    : dir_(std::move(dir)), last_seq_(last_seq), file_first_seq_(last_seq + 1),
      durable_seq_(last_seq) {}

absl::StatusOr<std::unique_ptr<WriteAheadLog>> WriteAheadLog::Open(const std::string& dir,
                                                                   const WalOpenOptions& options,
                                                                   const ReplayFn& replay,
                                                                   WalRecovery* recovery) {
  MUA_RETURN_IF_ERROR(MakePrivateDirectories(dir));
  Recovery replayer(dir, options, replay, recovery);
  MUA_RETURN_IF_ERROR(replayer.Run());
  std::unique_ptr<WriteAheadLog> log(new WriteAheadLog(dir, replayer.last_seq()));
  MUA_RETURN_IF_ERROR(log->OpenFile(replayer.last_seq() + 1));
  log->sync_thread_ = std::thread([raw = log.get()] { raw->SyncLoop(); });
  return log;
}

// A new file gets its header, synced, before any record. An existing one (the
// newest file, emptied by a cut) is appended to when its header is intact.
absl::Status WriteAheadLog::OpenFile(uint64_t first_seq) {
  if (fd_ >= 0) ::close(fd_);
  const std::string path = absl::StrCat(dir_, "/", FileName(first_seq));
  fd_ = OpenPrivateFile(path, O_RDWR | O_APPEND);
  if (fd_ < 0) return ErrnoError("cannot open", path);
  struct stat info;
  if (::fstat(fd_, &info) != 0) return ErrnoError("cannot stat", path);
  const std::string header = WalFileHeader();
  if (static_cast<size_t>(info.st_size) < header.size()) {
    if (::ftruncate(fd_, 0) != 0 || ::write(fd_, header.data(), header.size()) != ssize_t(header.size()) ||
        ::fdatasync(fd_) != 0) {
      return ErrnoError("cannot write the header of", path);
    }
  } else {
    std::string existing(header.size(), '\0');
    if (::pread(fd_, existing.data(), existing.size(), 0) != ssize_t(existing.size()) || existing != header) {
      return absl::InternalError(absl::StrCat("cannot append to ", path, ": it has no current WAL header"));
    }
  }
  return SyncDirectory(dir_);
}

WriteAheadLog::~WriteAheadLog() {
  {
    absl::MutexLock lock(&mu_);
    stop_ = true;
  }
  if (sync_thread_.joinable()) sync_thread_.join();
  if (fd_ >= 0) ::close(fd_);
}

uint64_t WriteAheadLog::Append(absl::string_view payload) {
  absl::MutexLock lock(&mu_);
  const uint64_t seq = ++last_seq_;
  EncodeWalRecord(WalRecordType::kData, seq, payload, &buffer_);
  return seq;
}

absl::Status WriteAheadLog::WaitDurable(uint64_t seq) {
  struct Wait {
    const WriteAheadLog* log;
    uint64_t seq;
  } wait{this, seq};
  absl::MutexLock lock(&mu_);
  mu_.Await(absl::Condition(
      +[](Wait* w) ABSL_NO_THREAD_SAFETY_ANALYSIS {
        return w->log->durable_seq_ >= w->seq || !w->log->failure_.ok();
      },
      &wait));
  return failure_;
}

uint64_t WriteAheadLog::last_seq() const {
  absl::MutexLock lock(&mu_);
  return last_seq_;
}

uint64_t WriteAheadLog::Rotate() {
  absl::MutexLock lock(&mu_);
  if (file_first_seq_ > last_seq_) return file_first_seq_;  // the current file is still empty
  rotations_.push_back({std::move(buffer_), last_seq_});
  buffer_.clear();
  file_first_seq_ = last_seq_ + 1;
  return file_first_seq_;
}

void WriteAheadLog::DeleteFilesBefore(uint64_t seq) {
  absl::StatusOr<std::vector<uint64_t>> firsts = ListFiles(dir_);
  if (!firsts.ok()) return;
  for (size_t f = 0; f + 1 < firsts->size(); ++f) {
    // File f holds records [first_f, first_{f+1}).
    if ((*firsts)[f + 1] <= seq) std::filesystem::remove(absl::StrCat(dir_, "/", FileName((*firsts)[f])));
  }
}

uint64_t WriteAheadLog::bytes_written() const {
  absl::MutexLock lock(&mu_);
  return bytes_written_;
}

uint64_t WriteAheadLog::syncs() const {
  absl::MutexLock lock(&mu_);
  return syncs_;
}

void WriteAheadLog::SyncLoop() {
  while (true) {
    std::vector<Rotation> rotations;
    std::string bytes;
    uint64_t upto = 0;
    {
      absl::MutexLock lock(&mu_);
      mu_.Await(absl::Condition(
          +[](WriteAheadLog* log) ABSL_EXCLUSIVE_LOCKS_REQUIRED(log->mu_) {
            return log->stop_ || !log->buffer_.empty() || !log->rotations_.empty();
          },
          this));
      if (buffer_.empty() && rotations_.empty()) return;  // stopping with nothing left
      rotations.swap(rotations_);
      bytes.swap(buffer_);
      upto = last_seq_;
    }
    absl::Status status;
    auto write_and_sync = [&](absl::string_view data) {
      while (status.ok() && !data.empty()) {
        const ssize_t written = ::write(fd_, data.data(), data.size());
        if (written < 0 && errno == EINTR) continue;
        if (written < 0) {
          status = absl::InternalError(absl::StrCat("WAL write: ", std::strerror(errno)));
          break;
        }
        data.remove_prefix(static_cast<size_t>(written));
      }
      if (status.ok() && ::fdatasync(fd_) != 0) {
        status = absl::InternalError(absl::StrCat("WAL fdatasync: ", std::strerror(errno)));
      }
    };
    // Each group ends with its commit marker, in the same write and sync: a
    // marker on disk means its group is, and only groups after the last one
    // can be a torn write.
    size_t written = 0;
    for (Rotation& rotation : rotations) {
      if (!rotation.bytes.empty()) {
        EncodeWalRecord(WalRecordType::kCommit, rotation.last_seq, "", &rotation.bytes);
      }
      write_and_sync(rotation.bytes);
      written += rotation.bytes.size();
      if (status.ok()) status = OpenFile(rotation.last_seq + 1);
    }
    if (!bytes.empty()) {
      EncodeWalRecord(WalRecordType::kCommit, upto, "", &bytes);
      write_and_sync(bytes);
    }
    written += bytes.size();
    absl::MutexLock lock(&mu_);
    if (!status.ok() && failure_.ok()) failure_ = status;
    if (status.ok()) durable_seq_ = upto;
    bytes_written_ += written;
    ++syncs_;
  }
}

}  // namespace mua::storage_internal
