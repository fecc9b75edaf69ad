#include "storage/store.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "storage/base/fingerprint.h"
#include "storage/base/status_macros.h"
#include "storage/base/time_util.h"
#include "storage/internal/file_format.h"
#include "storage/internal/store_payloads.h"
#include "storage/internal/store_persisted.h"
#include "storage/internal/write_ahead_log.h"
#include "storage/table.h"

namespace mua {
namespace {

namespace fs = std::filesystem;

std::string ErasureFingerprint(absl::string_view user_id) {
  const Fingerprint128 fingerprint = Fingerprint(user_id);
  return absl::StrFormat("%016x%016x", fingerprint.second, fingerprint.first);
}

// Whether `inner` is `outer` or lies below it (both absolute and normalized).
bool IsWithin(const fs::path& inner, const fs::path& outer) {
  auto [outer_end, inner_at] = std::mismatch(outer.begin(), outer.end(), inner.begin(), inner.end());
  return outer_end == outer.end();
}

// realpath(3): symbolic links and `..` resolved against the file system.
absl::StatusOr<fs::path> RealPath(const fs::path& path) {
  char* resolved = ::realpath(path.c_str(), nullptr);
  if (resolved == nullptr) {
    return absl::InvalidArgumentError(absl::StrCat("cannot resolve ", path.string(), ": ", std::strerror(errno)));
  }
  fs::path result(resolved);
  std::free(resolved);
  return result;
}

// The directory a backup to `target` writes: under `root`, never overlapping `data_dir`.
// The existing part of the path is resolved with realpath, so neither `..` nor a
// symbolic link leads out; the rest must not exist yet and is taken as written.
absl::StatusOr<fs::path> ResolveBackupTarget(const std::string& target, const std::string& root,
                                             const std::string& data_dir) {
  if (root.empty()) {
    return absl::PermissionDeniedError(
        "SYSTEM BACKUP is disabled: start mua-server with --backup_root DIR (a directory outside "
        "--data_dir) to allow SYSTEM BACKUP TO 'DIR/name'");
  }
  const fs::path path(target);
  if (target.empty() || !path.is_absolute() || target.find('\0') != std::string::npos) {
    return absl::InvalidArgumentError(absl::StrCat(
        "SYSTEM BACKUP TO takes an absolute directory path under ", root, ", not '", target, "'"));
  }
  for (const fs::path& component : path) {
    if (component == "..") {
      return absl::InvalidArgumentError(absl::StrCat("backup target ", target, ": '..' is not allowed"));
    }
  }
  MUA_ASSIGN_OR_RETURN(const fs::path real_root, RealPath(root));
  MUA_ASSIGN_OR_RETURN(const fs::path real_data, RealPath(data_dir));
  // The longest existing prefix, resolved; the missing components after it.
  fs::path existing = path.lexically_normal();
  if (!existing.has_filename()) existing = existing.parent_path();  // a trailing '/'
  std::vector<fs::path> missing;
  std::error_code error;
  while (!fs::exists(fs::symlink_status(existing, error)) && existing.has_relative_path()) {
    missing.push_back(existing.filename());
    existing = existing.parent_path();
  }
  MUA_ASSIGN_OR_RETURN(fs::path resolved, RealPath(existing));
  for (auto it = missing.rbegin(); it != missing.rend(); ++it) resolved /= *it;
  if (resolved == real_root || !IsWithin(resolved, real_root)) {
    return absl::PermissionDeniedError(absl::StrCat("backup target ", target, " (", resolved.string(),
                                                    ") is not inside --backup_root ", real_root.string()));
  }
  if (IsWithin(resolved, real_data) || IsWithin(real_data, resolved)) {
    return absl::PermissionDeniedError(absl::StrCat("backup target ", target, " (", resolved.string(),
                                                    ") overlaps the data directory ", real_data.string()));
  }
  return resolved;
}

}  // namespace

Store::Store(const StoreOptions& options, Table* table)
    : options_(options), table_(table), persisted_(std::make_unique<Persisted>()),
      wal_(std::make_unique<Wal>()) {}

Store::~Store() {
  stop_.Notify();
  if (background_.joinable()) background_.join();
  wal_.reset();
  if (lock_fd_ >= 0) ::close(lock_fd_);
}

void Store::Log(const std::string& message) const {
  if (options_.log) {
    options_.log(message);
  } else {
    std::fprintf(stderr, "mua: %s\n", message.c_str());
  }
}

std::string Store::FilesDir() const { return options_.dir + "/files"; }

absl::StatusOr<std::unique_ptr<Store>> Store::Open(const StoreOptions& options, Table* table,
                                                   const ReplayFn& replay) {
  if (options.dir.empty()) return absl::InvalidArgumentError("Store: no data directory given");
  if (table->row_count() != 0) return absl::FailedPreconditionError("Store: the table is not empty");
  std::unique_ptr<Store> store(new Store(options, table));
  MUA_RETURN_IF_ERROR(storage_internal::MakePrivateDirectories(store->FilesDir()));
  const std::string lock_path = options.dir + "/LOCK";
  store->lock_fd_ = storage_internal::OpenPrivateFile(lock_path, O_RDWR);
  if (store->lock_fd_ < 0) {
    return absl::InternalError(absl::StrCat("cannot open ", lock_path, ": ", std::strerror(errno)));
  }
  if (::flock(store->lock_fd_, LOCK_EX | LOCK_NB) != 0) {
    return absl::FailedPreconditionError(absl::StrCat(
        "data directory ", options.dir, " is in use by another process (", lock_path, " is locked)"));
  }
  if (!options.backup_root.empty()) {
    // A root inside the data directory would refuse every backup: say so at start.
    absl::StatusOr<fs::path> root = RealPath(options.backup_root);
    absl::StatusOr<fs::path> data = RealPath(options.dir);
    if (root.ok() && data.ok() && IsWithin(*root, *data)) {
      return absl::InvalidArgumentError(absl::StrCat("--backup_root ", options.backup_root,
                                                     " lies inside the data directory ", options.dir));
    }
  }
  MUA_RETURN_IF_ERROR(store->Load(replay));
  return store;
}

int64_t Store::position(absl::string_view source) const {
  absl::MutexLock lock(&state_mu_);
  auto it = positions_.find(std::string(source));
  return it == positions_.end() ? -1 : it->second;
}

std::map<std::string, int64_t> Store::positions() const {
  absl::MutexLock lock(&state_mu_);
  return positions_;
}

int64_t Store::counter(absl::string_view key) const {
  absl::MutexLock lock(&state_mu_);
  auto it = counters_.find(std::string(key));
  return it == counters_.end() ? 0 : it->second;
}

std::map<std::string, int64_t> Store::counters() const {
  absl::MutexLock lock(&state_mu_);
  return counters_;
}

void Store::AddCounter(const std::string& key, int64_t delta) {
  absl::MutexLock lock(&state_mu_);
  counters_[key] += delta;
}

Store::ApplyScope Store::BeginApply() {
  apply_mu_.ReaderLock();
  return ApplyScope(this);
}

Store::ApplyScope::~ApplyScope() {
  if (store_ != nullptr) store_->apply_mu_.ReaderUnlock();
}

void Store::ApplyScope::SetPosition(const std::string& source, int64_t position) {
  absl::MutexLock lock(&store_->state_mu_);
  store_->positions_[source] = position;
}

void Store::ApplyScope::AddCounter(const std::string& key, int64_t delta) {
  store_->AddCounter(key, delta);
}

uint64_t Store::ApplyScope::LogAttachment(absl::string_view name, absl::string_view record) {
  return store_->wal_->log->Append(storage_internal::EncodeAttachmentRecord(name, record));
}

uint64_t Store::ApplyScope::LogRows(absl::Span<const EventRow> rows) {
  return store_->wal_->log->Append(storage_internal::EncodeRows(rows));
}

absl::Status Store::WaitDurable(uint64_t seq) { return wal_->log->WaitDurable(seq); }

bool Store::IsErased(absl::string_view user_id) const {
  if (!any_erased_.load(std::memory_order_relaxed)) return false;
  const std::string fingerprint = ErasureFingerprint(user_id);
  absl::MutexLock lock(&state_mu_);
  return erased_.contains(fingerprint);
}

absl::StatusOr<uint64_t> Store::EraseUser(absl::string_view user_id) {
  uint64_t erased = 0;
  {
    // Exclusive: a batch that checked the erasure list before this cannot append after it.
    absl::WriterMutexLock apply_lock(&apply_mu_);
    {
      absl::MutexLock lock(&state_mu_);
      erased_.insert(ErasureFingerprint(user_id));
      any_erased_.store(true);
      stats_.erased_users = static_cast<int64_t>(erased_.size());
    }
    MUA_ASSIGN_OR_RETURN(erased, table_->EraseUser(user_id));
  }
  MUA_RETURN_IF_ERROR(Checkpoint());
  return erased;
}

std::vector<int32_t> Store::ApplyRetention() {
  for (const auto& [name, attachment] : options_.attachments) attachment->ApplyRetention();
  if (options_.retention_days <= 0) return {};
  const int32_t today = DayOfMillis(absl::ToUnixMillis(options_.now.value_or(absl::Now())));
  std::vector<int32_t> dropped = table_->DropPartitionsBefore(today - options_.retention_days);
  if (!dropped.empty()) {
    Log(absl::StrFormat("retention (%d days): dropped %d partitions, %s .. %s", options_.retention_days,
                        dropped.size(), FormatDay(dropped.front()), FormatDay(dropped.back())));
    absl::MutexLock lock(&state_mu_);
    stats_.partitions_dropped += static_cast<int64_t>(dropped.size());
  }
  return dropped;
}

absl::StatusOr<uint64_t> Store::Backup(const std::string& requested) {
  MUA_ASSIGN_OR_RETURN(const fs::path resolved,
                       ResolveBackupTarget(requested, options_.backup_root, options_.dir));
  return CopyCheckpoint(resolved.string());
}

absl::StatusOr<uint64_t> Store::Snapshot(const std::string& target) { return CopyCheckpoint(target); }

absl::StatusOr<uint64_t> Store::CopyCheckpoint(const std::string& target) {
  std::error_code error;
  if (fs::exists(target, error) && !fs::is_empty(target, error)) {
    return absl::FailedPreconditionError(absl::StrCat("backup target ", target, " exists and is not empty"));
  }
  MUA_RETURN_IF_ERROR(storage_internal::MakePrivateDirectories(target + "/files"));
  MUA_RETURN_IF_ERROR(Checkpoint());
  // No checkpoint runs (and deletes files) while the copy is made.
  absl::MutexLock lock(&checkpoint_mu_);
  MUA_ASSIGN_OR_RETURN(const std::string manifest_bytes, storage_internal::ReadWholeFile(options_.dir + "/MANIFEST"));
  uint64_t bytes = manifest_bytes.size();
  for (const auto& entry : fs::directory_iterator(FilesDir(), error)) {
    const fs::path to = fs::path(target) / "files" / entry.path().filename();
    fs::create_hard_link(entry.path(), to, error);
    if (error) {
      error.clear();
      fs::copy_file(entry.path(), to, error);
      if (error) return absl::InternalError(absl::StrCat("cannot copy to ", to.string(), ": ", error.message()));
    }
    // Files written before modes were private, and copies, get 0600 too (a link shares the mode).
    fs::permissions(to, fs::perms::owner_read | fs::perms::owner_write, fs::perm_options::replace, error);
    error.clear();
    bytes += fs::file_size(entry.path(), error);
  }
  MUA_RETURN_IF_ERROR(storage_internal::SyncDirectory(target + "/files"));
  MUA_RETURN_IF_ERROR(storage_internal::WriteFileAndSync(target + "/MANIFEST.tmp", manifest_bytes));
  MUA_RETURN_IF_ERROR(storage_internal::RenameDurably(target + "/MANIFEST.tmp", target + "/MANIFEST", target));
  return bytes;
}

void Store::StartBackground() {
  background_ = std::thread([this] {
    while (!stop_.WaitForNotificationWithTimeout(options_.checkpoint_interval)) {
      ApplyRetention();
      if (absl::Status status = Checkpoint(); !status.ok()) Log(absl::StrCat("checkpoint failed: ", status.message()));
    }
  });
}

StoreStats Store::stats() const {
  StoreStats stats;
  {
    absl::MutexLock lock(&state_mu_);
    stats = stats_;
  }
  stats.wal_bytes_written = wal_->log->bytes_written();
  stats.wal_syncs = wal_->log->syncs();
  return stats;
}

}  // namespace mua
