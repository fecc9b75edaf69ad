#include "storage/internal/write_ahead_log.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "storage/base/coding.h"
#include "storage/base/status_macros.h"
#include "storage/internal/file_format.h"

namespace mua::storage_internal {
namespace {

constexpr size_t kRecordHeaderBytes = 20;

std::string FileName(uint64_t first_seq) { return absl::StrFormat("%020d.log", first_seq); }

// [payload length u32][checksum u64][seq u64][payload]: the checksum covers the
// contiguous seq + payload bytes, so neither writing nor replay copies a payload.
void EncodeRecord(uint64_t seq, absl::string_view payload, std::string* out) {
  PutFixed32(out, static_cast<uint32_t>(payload.size()));
  const size_t checksum_at = out->size();
  PutFixed64(out, 0);
  PutFixed64(out, seq);
  out->append(payload.data(), payload.size());
  const uint64_t checksum =
      Checksum(absl::string_view(out->data() + checksum_at + 8, 8 + payload.size()));
  std::memcpy(out->data() + checksum_at, &checksum, 8);
}

// The WAL files in `dir` by first sequence number.
absl::StatusOr<std::vector<uint64_t>> ListFiles(const std::string& dir) {
  std::vector<uint64_t> firsts;
  std::error_code error;
  for (const auto& entry : std::filesystem::directory_iterator(dir, error)) {
    const std::string name = entry.path().filename().string();
    uint64_t first = 0;
    if (name.size() == 24 && absl::EndsWith(name, ".log") &&
        absl::SimpleAtoi(absl::string_view(name).substr(0, 20), &first)) {
      firsts.push_back(first);
    }
  }
  if (error) return absl::InternalError(absl::StrCat("cannot list ", dir, ": ", error.message()));
  std::sort(firsts.begin(), firsts.end());
  return firsts;
}

}  // namespace

WriteAheadLog::WriteAheadLog(std::string dir, uint64_t last_seq)
    : dir_(std::move(dir)), last_seq_(last_seq), file_first_seq_(last_seq + 1),
      durable_seq_(last_seq) {}

absl::StatusOr<std::unique_ptr<WriteAheadLog>> WriteAheadLog::Open(const std::string& dir,
                                                                   uint64_t after_seq,
                                                                   const ReplayFn& replay,
                                                                   std::vector<std::string>* notes) {
  std::error_code error;
  std::filesystem::create_directories(dir, error);
  if (error) return absl::InternalError(absl::StrCat("cannot create ", dir, ": ", error.message()));
  MUA_ASSIGN_OR_RETURN(const std::vector<uint64_t> firsts, ListFiles(dir));
  uint64_t last_seq = after_seq;
  for (size_t f = 0; f < firsts.size(); ++f) {
    const std::string path = absl::StrCat(dir, "/", FileName(firsts[f]));
    MUA_ASSIGN_OR_RETURN(const std::string bytes, ReadWholeFile(path));
    size_t at = 0;
    while (at < bytes.size()) {
      const size_t left = bytes.size() - at;
      bool intact = left >= kRecordHeaderBytes;
      uint32_t length = 0;
      if (intact) {
        length = LoadFixed32(bytes.data() + at);
        intact = length <= left - kRecordHeaderBytes;
      }
      if (intact) {
        const absl::string_view seq_and_payload(bytes.data() + at + 12, 8 + length);
        intact = Checksum(seq_and_payload) == LoadFixed64(bytes.data() + at + 4);
      }
      if (!intact) {
        if (f + 1 < firsts.size()) {
          return absl::DataLossError(absl::StrFormat(
              "%s: damaged record at byte %d, and later files follow: the log is corrupt", path, at));
        }
        notes->push_back(absl::StrFormat(
            "%s: cut a torn tail of %d bytes at byte %d (a write the crash interrupted; it was "
            "never acknowledged)", path, left, at));
        if (::truncate(path.c_str(), static_cast<off_t>(at)) != 0) {
          return absl::InternalError(absl::StrCat("cannot truncate ", path, ": ", std::strerror(errno)));
        }
        break;
      }
      const uint64_t seq = LoadFixed64(bytes.data() + at + 12);
      const absl::string_view payload(bytes.data() + at + kRecordHeaderBytes, length);
      if (seq > after_seq) {
        MUA_RETURN_IF_ERROR(replay(seq, payload));
      }
      last_seq = std::max(last_seq, seq);
      at += kRecordHeaderBytes + length;
    }
  }
  std::unique_ptr<WriteAheadLog> log(new WriteAheadLog(dir, last_seq));
  MUA_RETURN_IF_ERROR(log->OpenFile(last_seq + 1));
  log->sync_thread_ = std::thread([raw = log.get()] { raw->SyncLoop(); });
  return log;
}

absl::Status WriteAheadLog::OpenFile(uint64_t first_seq) {
  if (fd_ >= 0) ::close(fd_);
  const std::string path = absl::StrCat(dir_, "/", FileName(first_seq));
  fd_ = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd_ < 0) return absl::InternalError(absl::StrCat("cannot open ", path, ": ", std::strerror(errno)));
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
  EncodeRecord(seq, payload, &buffer_);
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
    size_t written = 0;
    for (const Rotation& rotation : rotations) {
      write_and_sync(rotation.bytes);
      written += rotation.bytes.size();
      if (status.ok()) status = OpenFile(rotation.last_seq + 1);
    }
    if (!bytes.empty()) write_and_sync(bytes);
    written += bytes.size();
    absl::MutexLock lock(&mu_);
    if (!status.ok() && failure_.ok()) failure_ = status;
    if (status.ok()) durable_seq_ = upto;
    bytes_written_ += written;
    ++syncs_;
  }
}

}  // namespace mua::storage_internal
