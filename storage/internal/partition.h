// Partition: the events of one UTC day. It owns sealed segments, one mutable
// head, the heads that stopped taking rows and wait to be sealed (background
// sealing only), and the day's user bitmaps (all users, users per event_type).
//
// Readers never lock a partition: they hold a PartitionState, an immutable
// version the writer replaces after each batch (copy-on-write of the changed
// bitmaps, the same head with a larger published row count, or a new segment
// list after a seal). Old versions live as long as a snapshot holds them.
//
// Thread safety: the write methods need one writer at a time (the table's
// append lock); the table publishes states under its own lock.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <memory>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "storage/user_bitmap.h"
#include "storage/internal/head_segment.h"
#include "storage/internal/sealed_segment.h"
#include "storage/memory_usage.h"

namespace mua::storage_internal {

// Users per dictionary code (event_type, or a segment column's values).
using BitmapsByCode = absl::flat_hash_map<uint32_t, std::shared_ptr<const UserBitmap>>;

// One segment column's bitmaps in a partition: per value code, the users with
// an event of that value; and the users seen with more than one value, for whom
// intersecting this column's bitmaps with another condition's is not exact.
struct ValueBitmaps {
  BitmapsByCode by_value;
  std::shared_ptr<const UserBitmap> multi_valued;
};

// Users active in a partition: overall, per event_type code and per value of
// each segment column (kSegmentColumns, in that order).
struct UserBitmaps {
  std::shared_ptr<const UserBitmap> all;
  BitmapsByCode by_event_type;
  std::array<ValueBitmaps, kSegmentColumns.size()> segments;
  // False when loaded from a checkpoint written before segment bitmaps existed:
  // queries then scan.
  bool has_segments = true;

  size_t memory_bytes() const;
};

// A fresh PartitionState::version (process-wide, increasing).
uint64_t NextPartitionVersion();

// A head that takes no more rows (it was full, or idle) and waits for the
// table's sealer; until its segment replaces it, readers read it like the head.
struct RetiredHead {
  std::shared_ptr<const HeadSegment> head;
  uint32_t rows = 0;  // all of head's rows, final
};

struct PartitionState {
  int32_t day = 0;
  // New whenever the rows change (append, restore, erasure; NextPartitionVersion), kept
  // when only their form does (sealing, retiring a head, replacing a segment): a reader
  // that saw version v of a day saw exactly the rows of any state with version v.
  uint64_t version = 0;
  std::vector<std::shared_ptr<const SealedSegment>> segments;
  std::vector<RetiredHead> sealing;  // oldest first; never filled when sealing inline
  std::shared_ptr<const HeadSegment> head;
  uint32_t head_rows = 0;  // rows of `head` visible to readers of this state
  std::shared_ptr<const UserBitmaps> bitmaps;

  uint64_t row_count() const;
  void AddMemory(MemoryUsage* usage) const;
};

// Full heads a partition keeps waiting for the sealer; at this many, the next
// full head is sealed inline (the append waits: backpressure when sealing lags).
inline constexpr size_t kMaxRetiredHeads = 2;

class Partition {
 public:
  // With `seal_inline`, a full head is sealed inside Append (and Restore);
  // otherwise it is retired into PartitionState::sealing for InstallSealed.
  Partition(int32_t day, uint32_t segment_rows, bool seal_inline);
  Partition(const Partition&) = delete;
  Partition& operator=(const Partition&) = delete;

  int32_t day() const { return day_; }

  // Appends rows[i] for i in `order` (all of this day, in that order) and
  // returns the state that shows them. The table publishes it once every
  // partition of the batch is ready.
  std::shared_ptr<const PartitionState> Append(absl::Span<const EncodedRow> rows,
                                               absl::Span<const uint32_t> order);

  // Seals the retired heads and the head if it holds rows; returns the new
  // state (or the current one when there was nothing to seal).
  std::shared_ptr<const PartitionState> SealHead();

  // Retires the head if it holds rows (a new, empty head takes the next rows);
  // returns the new state (or the current one).
  std::shared_ptr<const PartitionState> RetireHead();

  // Replaces the retired `head` by `segment`, sealed from all its rows, and
  // compacts the bitmaps. Returns the new state, or null when `head` is no
  // longer retired here (sealed meanwhile by SealHead or EraseUser).
  std::shared_ptr<const PartitionState> InstallSealed(const HeadSegment* head,
                                                      std::shared_ptr<const SealedSegment> segment);

  // Replaces the sealed segment `old` by `replacement` (the same rows). Returns the new
  // state, or null when `old` is not among the segments (rewritten meanwhile).
  std::shared_ptr<const PartitionState> ReplaceSegment(const SealedSegment* old,
                                                       std::shared_ptr<const SealedSegment> replacement);

  // Installs data loaded from disk into this new, empty partition: sealed
  // segments, the bitmaps of segments + head rows, and the heads' rows (those
  // beyond a head's capacity fill further heads, sealed or retired as by Append).
  std::shared_ptr<const PartitionState> Restore(
      std::vector<std::shared_ptr<const SealedSegment>> segments,
      std::shared_ptr<const UserBitmaps> bitmaps, absl::Span<const EncodedRow> head_rows);

  // Removes every row of `user` and its bits; seals the retired heads and the
  // head first when they hold rows. Returns the new state (the current one
  // when the user has no rows here) and adds the rows removed to *erased.
  // Errors: DataLoss when a segment to rewrite does not decode.
  absl::StatusOr<std::shared_ptr<const PartitionState>> EraseUser(uint32_t user, uint64_t* erased);

  // Steady-clock time of the last Append, for sealing idle heads.
  std::chrono::steady_clock::time_point last_append() const { return last_append_; }
  bool head_empty() const { return head_->size() == 0; }
  bool has_retired_heads() const { return !latest_->sealing.empty(); }

  // The writer's latest state (not necessarily published yet).
  const std::shared_ptr<const PartitionState>& latest() const { return latest_; }

 private:
  // Makes room for one more row: a full head is sealed or retired.
  void MakeRoom(PartitionState* state);
  void SealCurrentHead(PartitionState* state);
  void SealRetiredHeads(PartitionState* state);
  void RetireCurrentHead(PartitionState* state);

  const int32_t day_;
  const uint32_t segment_rows_;
  const bool seal_inline_;
  std::shared_ptr<HeadSegment> head_;
  std::shared_ptr<const PartitionState> latest_;
  std::chrono::steady_clock::time_point last_append_;
};

}  // namespace mua::storage_internal
