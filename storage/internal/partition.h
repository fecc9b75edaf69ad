// Partition: the events of one UTC day. It owns sealed segments, one mutable
// head, and the day's user bitmaps (all users, and users per event_type).
//
// Readers never lock a partition: they hold a PartitionState, an immutable
// version the writer replaces after each batch (copy-on-write of the changed
// bitmaps, the same head with a larger published row count, or a new segment
// list after a seal). Old versions live as long as a snapshot holds them.
//
// Thread safety: the write methods need one writer at a time (the table's
// append lock); the table publishes states under its own lock.
#pragma once

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

// Users active in a partition: overall and per event_type code.
struct UserBitmaps {
  std::shared_ptr<const UserBitmap> all;
  absl::flat_hash_map<uint32_t, std::shared_ptr<const UserBitmap>> by_event_type;

  size_t memory_bytes() const;
};

struct PartitionState {
  int32_t day = 0;
  std::vector<std::shared_ptr<const SealedSegment>> segments;
  std::shared_ptr<const HeadSegment> head;
  uint32_t head_rows = 0;  // rows of `head` visible to readers of this state
  std::shared_ptr<const UserBitmaps> bitmaps;

  uint64_t row_count() const;
  void AddMemory(MemoryUsage* usage) const;
};

class Partition {
 public:
  Partition(int32_t day, uint32_t segment_rows);
  Partition(const Partition&) = delete;
  Partition& operator=(const Partition&) = delete;

  int32_t day() const { return day_; }

  // Appends rows[i] for i in `order` (all of this day, in that order) and
  // returns the state that shows them. The table publishes it once every
  // partition of the batch is ready.
  std::shared_ptr<const PartitionState> Append(absl::Span<const EncodedRow> rows,
                                               absl::Span<const uint32_t> order);

  // Seals the head if it holds rows; returns the new state (or the current one).
  std::shared_ptr<const PartitionState> SealHead();

  // Installs data loaded from disk into this new, empty partition: sealed
  // segments, the bitmaps of segments + head rows, and the head's rows.
  std::shared_ptr<const PartitionState> Restore(
      std::vector<std::shared_ptr<const SealedSegment>> segments,
      std::shared_ptr<const UserBitmaps> bitmaps, absl::Span<const EncodedRow> head_rows);

  // Removes every row of `user` and its bits; seals the head first when it
  // holds rows. Returns the new state (the current one when the user has no
  // rows here) and adds the rows removed to *erased.
  // Errors: DataLoss when a segment to rewrite does not decode.
  absl::StatusOr<std::shared_ptr<const PartitionState>> EraseUser(uint32_t user, uint64_t* erased);

  // Steady-clock time of the last Append, for sealing idle heads.
  std::chrono::steady_clock::time_point last_append() const { return last_append_; }
  bool head_empty() const { return head_->size() == 0; }

  // The writer's latest state (not necessarily published yet).
  const std::shared_ptr<const PartitionState>& latest() const { return latest_; }

 private:
  void SealFullHead(PartitionState* state);

  const int32_t day_;
  const uint32_t segment_rows_;
  std::shared_ptr<HeadSegment> head_;
  std::shared_ptr<const PartitionState> latest_;
  std::chrono::steady_clock::time_point last_append_;
};

}  // namespace mua::storage_internal
