// Store: makes a Table durable under a data directory (docs/DURABILITY.md).
//
//   DIR/LOCK                 flock'ed while a server uses the directory
//   DIR/MANIFEST             the checkpoint: every file below with its size and
//                            checksum, the source positions (Kafka offsets, WAL
//                            sequence) whose events it holds, the erased users
//   DIR/files/NNNNNN.{seg,head,bitmaps,dict}   immutable, framed, Zstd payloads
//   DIR/wal/SEQ.log          events accepted over HTTP since the checkpoint
//
// A checkpoint captures, in one instant no ingest batch straddles, the table's
// published state and the positions of every source; it writes only what is
// new since the last one (new sealed segments, the rows a head — or a head
// waiting to be sealed — gained, changed bitmaps, new dictionary entries), then
// replaces MANIFEST atomically (write, fsync, rename, fsync dir) and deletes
// what no longer belongs. So after a crash the data on disk is exactly the
// events before the stored positions: Kafka is resumed from its stored offsets
// and the WAL replayed from its stored sequence, and every event is there once.
//
//   MUA_ASSIGN_OR_RETURN(auto store, Store::Open({.dir = "/var/lib/mua"}, &table, replay));
//   {
//     Store::ApplyScope scope = store->BeginApply();   // every ingest batch
//     MUA_RETURN_IF_ERROR(table.Append(rows));
//     scope.SetPosition("kafka/events/3", next_offset);
//   }
//   store->StartBackground();  // periodic checkpoints and retention
//
// Thread safety: every method may be called from any thread.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "storage/event_row.h"

namespace mua {

class Table;
namespace storage_internal {
struct Manifest;
}  // namespace storage_internal

// What Open does when a data file or WAL record fails its checksum (a bad MANIFEST always
// stops; for the WAL, discard replays up to the damage and sets the rest aside).
enum class OnCorruption {
  kStop,     // refuse to start, naming the file: restore a backup or choose below
  kSkip,     // move the file to DIR/quarantine/, serve the rest, report degraded
  kDiscard,  // move the whole checkpoint aside and start empty (Kafka is re-read)
};

// State another module keeps durable beside the table, with the same guarantees as
// events (the events_rejected rows, ingest/rejected_event_log.h). Each checkpoint stores a
// snapshot of it captured in the same instant as the table and the positions (so it holds
// exactly what the batches before those positions added); records logged to the WAL
// between checkpoints (ApplyScope::LogAttachment) are replayed after the snapshot at Open.
class StoreAttachment {
 public:
  virtual ~StoreAttachment() = default;
  // Changes whenever the state changes: a checkpoint captures only when it differs from
  // the one it last persisted.
  virtual uint64_t generation() const = 0;
  // Called while no batch is applied (the checkpoint's capture): return quickly, with a
  // function that serializes what was captured (run outside the capture).
  virtual std::function<std::string()> Capture() = 0;
  // At Open, before the WAL replay: the last checkpoint's snapshot (not called without one).
  virtual absl::Status Restore(absl::string_view snapshot) = 0;
  // At Open: each record logged after that snapshot, in order.
  virtual absl::Status Replay(absl::string_view record) = 0;
  // Run with the table's retention (Store::ApplyRetention), e.g. to drop rows by age.
  virtual void ApplyRetention() {}
};

struct StoreOptions {
  std::string dir;
  absl::Duration checkpoint_interval = absl::Seconds(10);
  int retention_days = 730;  // partitions of older days are dropped; 0 keeps all
  OnCorruption on_corruption = OnCorruption::kStop;
  int zstd_level = 3;
  int load_threads = 0;  // 0: one per core
  // Backup targets must lie under this directory (and outside `dir`); empty refuses backups.
  std::string backup_root;
  std::function<void(const std::string&)> log;  // default: stderr, "mua: " prefix
  std::optional<absl::Time> now;                // the clock for retention; unset = absl::Now()
  // By name (a file name part, e.g. "rejected"); each must outlive the store.
  std::map<std::string, StoreAttachment*> attachments;
  // String columns (session_id, event_id, properties, attributes) that sealed segments keep
  // only on disk once a checkpoint has written them (a `.cold` file beside the segment's),
  // reading their blocks back on demand: they stop counting as resident memory.
  ColumnSet cold_columns;
};

struct RecoveryReport {
  uint64_t rows = 0;             // loaded from the checkpoint
  int partitions = 0;
  int files = 0;
  uint64_t bytes = 0;            // bytes of files read
  uint64_t wal_records = 0;      // replayed
  uint64_t wal_records_lost = 0;  // acknowledged WAL records skipped or discarded as damaged
  uint64_t attachment_records = 0;  // WAL records of attachments replayed
  uint64_t attachment_records_unclaimed = 0;  // of attachments not in StoreOptions (skipped)
  double load_seconds = 0;       // checkpoint files to queryable table
  double wal_seconds = 0;
  bool degraded = false;         // data was skipped or discarded
  std::vector<std::string> notes;  // what recovery found and did, for the log
};

struct StoreStats {
  int64_t checkpoints = 0;
  int64_t checkpoint_errors = 0;
  std::string last_error;  // of the last checkpoint, "" when it succeeded
  int64_t last_checkpoint_at_ms = 0;
  double last_checkpoint_seconds = 0;
  uint64_t persisted_rows = 0;
  uint64_t persisted_bytes = 0;  // every file the manifest names, and the manifest
  int64_t files = 0;
  uint64_t wal_bytes_written = 0;
  uint64_t wal_syncs = 0;
  int64_t erased_users = 0;
  int64_t partitions_dropped = 0;  // by retention
  bool degraded = false;
};

class Store {
 public:
  // Rows of WAL records to re-ingest at start (de-duplicated and filtered by
  // the caller like any new event, without logging them again).
  using ReplayFn = std::function<absl::Status(absl::Span<const EventRow> rows)>;

  // Opens `options.dir` (creating it), locks it, loads the checkpoint into
  // `table` (which must be empty and outlive the store), then replays the WAL
  // through `replay`. Errors: FailedPrecondition when another process holds the
  // directory; DataLoss naming the file when the manifest or (with kStop) a
  // data file is damaged; Internal for I/O.
  static absl::StatusOr<std::unique_ptr<Store>> Open(const StoreOptions& options, Table* table,
                                                     const ReplayFn& replay);
  ~Store();  // stops the background thread; does not checkpoint (call Checkpoint)
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  const RecoveryReport& recovery() const { return recovery_; }

  // Where a source stands now — after Open, the loaded checkpoint's value — e.g.
  // "kafka/events/3" -> the next offset to read, or -1 when unknown; positions()
  // lists them all.
  int64_t position(absl::string_view source) const;
  std::map<std::string, int64_t> positions() const;

  // Persisted counters: a string -> int64 map stored in the MANIFEST beside the positions
  // (ApplyScope::AddCounter adds within a batch). After Open, the loaded checkpoint's
  // values; counter() is 0 for a key never added to. Keys are free-form; by convention
  // "<source kind>/<source>/<what>" (docs/DURABILITY.md lists those in use).
  int64_t counter(absl::string_view key) const;
  std::map<std::string, int64_t> counters() const;
  // Adds outside any batch (e.g. an eviction): durable with the next checkpoint.
  void AddCounter(const std::string& key, int64_t delta);

  // Held around every batch that appends to the table: a checkpoint never
  // sees half a batch, and the positions it stores match the data it writes.
  class ApplyScope {
   public:
    ApplyScope(ApplyScope&& other) noexcept : store_(std::exchange(other.store_, nullptr)) {}
    ApplyScope& operator=(ApplyScope&&) = delete;
    ~ApplyScope();
    // `source` is applied up to (not including) `position`.
    void SetPosition(const std::string& source, int64_t position);
    // Adds `delta` to the persisted counter `key` (e.g. "rejected/http/bad_timestamp",
    // "kafka/events/3/gap_messages"): a checkpoint stores it with this batch's data and
    // positions, so after a restart it counts exactly the events the data holds.
    void AddCounter(const std::string& key, int64_t delta);
    // Writes `rows` to the WAL (call before appending them); WaitDurable the
    // returned sequence number before acknowledging them.
    uint64_t LogRows(absl::Span<const EventRow> rows);
    // Writes a record of the attachment `name` (StoreOptions::attachments) to the WAL;
    // WaitDurable the returned sequence number before acknowledging what it records.
    uint64_t LogAttachment(absl::string_view name, absl::string_view record);
    Store* store() const { return store_; }

   private:
    friend class Store;
    explicit ApplyScope(Store* store) : store_(store) {}
    Store* store_;
  };
  ApplyScope BeginApply();
  absl::Status WaitDurable(uint64_t seq);

  // GDPR: whether `user_id` was erased (ingest drops such events).
  bool IsErased(absl::string_view user_id) const;
  // Erases the user's rows everywhere and remembers the user for ever; returns
  // once the erasure is on disk. Returns the rows removed.
  absl::StatusOr<uint64_t> EraseUser(absl::string_view user_id);

  // Writes a checkpoint now (SYSTEM FLUSH). Errors: Internal for I/O.
  absl::Status Checkpoint();

  // A consistent copy of the data directory as of a fresh checkpoint, in
  // `target` (created; must not exist or be empty); files are hard-linked when
  // the file system allows. Returns the bytes the copy names. Errors:
  // PermissionDenied without options().backup_root, or when `target` (resolved
  // with realpath) is not inside it or overlaps the data directory;
  // InvalidArgument for a relative path or one with `..`; FailedPrecondition
  // when the target holds files.
  absl::StatusOr<uint64_t> Backup(const std::string& target);
  // The same copy for a sibling replica to start from (a cluster's bootstrap), in a target
  // the server chose (not checked against backup_root). Errors: as Backup's copy.
  absl::StatusOr<uint64_t> Snapshot(const std::string& target);

  // Drops partitions past retention (on disk at the next checkpoint), and applies the
  // attachments' retention.
  std::vector<int32_t> ApplyRetention();

  // A thread that applies retention and checkpoints every checkpoint_interval.
  void StartBackground();

  StoreStats stats() const;
  const StoreOptions& options() const { return options_; }

 private:
  struct Persisted;  // what the last checkpoint wrote, by in-memory object
  Store(const StoreOptions& options, Table* table);
  absl::Status Load(const ReplayFn& replay);
  absl::Status RestoreAttachments(const storage_internal::Manifest& manifest);
  absl::Status CheckpointLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(checkpoint_mu_);
  absl::StatusOr<uint64_t> CopyCheckpoint(const std::string& target);
  void Log(const std::string& message) const;
  std::string FilesDir() const;

  const StoreOptions options_;
  Table* const table_;
  int lock_fd_ = -1;
  RecoveryReport recovery_;

  // Appliers hold it shared; a checkpoint's capture and an erasure exclusively.
  absl::Mutex apply_mu_;
  absl::Mutex checkpoint_mu_;  // one checkpoint (or backup) at a time
  std::unique_ptr<Persisted> persisted_ ABSL_GUARDED_BY(checkpoint_mu_);

  mutable absl::Mutex state_mu_;  // leaf lock: positions, erasures, stats
  std::map<std::string, int64_t> positions_ ABSL_GUARDED_BY(state_mu_);
  std::map<std::string, int64_t> counters_ ABSL_GUARDED_BY(state_mu_);
  absl::flat_hash_set<std::string> erased_ ABSL_GUARDED_BY(state_mu_);  // fingerprints
  std::atomic<bool> any_erased_{false};
  StoreStats stats_ ABSL_GUARDED_BY(state_mu_);

  struct Wal;
  std::unique_ptr<Wal> wal_;
  absl::Notification stop_;
  std::thread background_;
};

}  // namespace mua
