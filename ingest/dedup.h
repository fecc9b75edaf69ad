// Deduplicator: drops repeats of (user_id, event_id) that arrive within a window of
// arrival time (SPEC §2, default 7 days, `--dedup-window`).
//
//   Deduplicator dedup({.window = absl::Hours(24 * 7)});
//   if (dedup.SeenBefore(row.user_id, row.event_id)) ++duplicates;
//
// Semantics. Arrival is the server's clock (DedupOptions::now) when SeenBefore is called,
// not the event's time, so a historical reload is de-duplicated against what arrived in
// the last window whatever its event times. Arrivals are counted in ticks of
// tick_seconds() = max(1 s, ceil(window / 32768)) (1 s up to a 9.1 h window; 19 s for
// 7 days). With t = floor(unix seconds / tick_seconds()): a key first recorded at tick t1
// is a duplicate at tick t2 exactly when t2 - t1 < window_ticks() = ceil(window /
// tick_seconds()). So with 1 s ticks an arrival exactly `window` after the first one is
// NOT a duplicate (it is recorded afresh, and the old entry counted as aged out), one a
// second earlier is. A duplicate does not restart the window (it counts from the arrival
// that was kept). window <= 0 turns de-duplication off: nothing is checked or remembered.
//
// Table. Per key a 64-bit fingerprint: SipHash-2-4 (fixed key, so stable across runs and
// restarts) of the length-prefixed user id and the event id. Two distinct keys collide
// with probability 2^-64, so a check against n held entries wrongly reports a duplicate
// with probability ~n / 2^64: at 10^8 entries 5.4e-12 per check, i.e. about one wrongly
// dropped event per 1.8e11 events checked. Fingerprints live in open-addressing tables
// (16 shards, each with its own lock, chosen by the fingerprint's low bits), structure of
// arrays: a uint64 fingerprint (0 = empty slot) and a uint16 arrival tick per slot, 10
// bytes; index by fastrange (the fingerprint's high bits times the capacity), linear
// probing, backward-shift deletion, growth by 1.4x at 7/8 load. No per-entry allocation:
// 11.4-16 bytes an entry with the load slack, 13.6 on average over sizes (12.4 at 10^7).
//
// Ageing. Each check sweeps a few slots (a cursor walks the shard, erasing entries older
// than the window and counting them in stats().aged_out), and a shard untouched for long
// is swept whole on its next use, so no entry outlives 49152 ticks and the 16-bit ticks
// compare exactly modulo 2^16. An arrival tick up to 16384 ticks in the future (the clock
// stepped back) counts as fresh.
//
// Durability: a StoreAttachment ("dedup"): each checkpoint stores every held fingerprint
// with its arrival second (docs/formats/dedup.md); Restore loads it at Open, dropping what
// aged out meanwhile. Events applied after the checkpoint come back through the WAL replay
// (HTTP: recorded again, at the replay time) or are consumed again from Kafka, and are
// checked and recorded then; no WAL records of its own. A data directory from before this
// snapshot existed gets RecordStored() once (every stored event, arrival = now).
//
// Thread safety: every method may be called from any thread; SeenBefore locks one shard.
// Callers record inside a Store::ApplyScope (with the rows they apply), so a checkpoint's
// capture holds exactly the keys of the events it persists.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "storage/store.h"
#include "storage/table_snapshot.h"

namespace mua {

struct DedupOptions {
  absl::Duration window = absl::Hours(24 * 7);  // <= 0: off; rounded up to whole seconds
  std::function<absl::Time()> now;              // the arrival clock; unset = absl::Now()
};

struct DedupStats {
  int64_t checked = 0;     // SeenBefore calls (while on)
  int64_t duplicates = 0;  // calls that returned true
  int64_t entries = 0;     // fingerprints held now
  int64_t aged_out = 0;    // entries dropped because they left the window
};

class Deduplicator : public StoreAttachment {
 public:
  explicit Deduplicator(DedupOptions options = {});
  ~Deduplicator() override;
  Deduplicator(const Deduplicator&) = delete;
  Deduplicator& operator=(const Deduplicator&) = delete;

  // True when (user_id, event_id) arrived within the window (a repeat to drop); else
  // records it with the current arrival tick and returns false.
  bool SeenBefore(absl::string_view user_id, absl::string_view event_id);
  // The same, arriving at `arrival` (from now(): a batch reads the clock once, not per event).
  bool SeenBefore(absl::string_view user_id, absl::string_view event_id, absl::Time arrival);
  // The key SeenBefore looks up for (user_id, event_id): never 0. Any thread, no state, so
  // the decoding threads compute it ahead of the serial check.
  static uint64_t Fingerprint(absl::string_view user_id, absl::string_view event_id);
  // SeenBefore for a batch's keys (from Fingerprint) in order, all arriving at `arrival`:
  // seen[i] is 1 when fingerprints[i] is a repeat, of an earlier arrival or of an earlier
  // key of the batch, else 0. REQUIRES: seen.size() == fingerprints.size().
  void SeenBefore(absl::Span<const uint64_t> fingerprints, absl::Time arrival, absl::Span<uint8_t> seen);
  // The clock arrivals are read from (DedupOptions::now).
  absl::Time now() const { return now_(); }

  // For a data directory written before the de-duplication snapshot existed: records the
  // (user_id, event_id) of every row of `snapshot` as arriving now (repeats of them are
  // not counted as checks or duplicates). Errors: DataLoss when a block does not decode.
  absl::Status RecordStored(const TableSnapshot& snapshot);

  // True once Restore loaded a snapshot (so RecordStored is not needed).
  bool restored() const { return restored_.load(std::memory_order_acquire); }

  bool enabled() const { return window_ticks_ > 0; }
  absl::Duration window() const { return absl::Seconds(window_seconds_); }
  int64_t tick_seconds() const { return tick_seconds_; }
  int64_t window_ticks() const { return window_ticks_; }

  DedupStats stats() const;
  size_t memory_bytes() const;  // the slot arrays and the shards

  // StoreAttachment ("dedup"; docs/formats/dedup.md).
  uint64_t generation() const override;
  std::function<std::string()> Capture() override;
  absl::Status Restore(absl::string_view snapshot) override;
  absl::Status Replay(absl::string_view record) override;  // logs none: DataLoss

  static constexpr absl::string_view kAttachmentName = "dedup";
  static constexpr int kShards = 16;

 private:
  class Shard;
  int64_t NowTick() const;
  Shard& ShardOf(uint64_t fingerprint) const;

  const std::function<absl::Time()> now_;
  int64_t window_seconds_ = 0;
  int64_t tick_seconds_ = 1;
  int64_t window_ticks_ = 0;
  std::unique_ptr<Shard[]> shards_;
  std::atomic<bool> restored_{false};
};

}  // namespace mua
