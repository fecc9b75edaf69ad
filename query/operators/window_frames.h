// The parts of the window operator (window.h) that do not depend on the
// function: the window's row order, partitions and peer groups, the frame of
// every row, a sliding min/max, and explicit defaults of lagInFrame/leadInFrame.
#pragma once

#include <cstdint>
#include <deque>
#include <vector>

#include "absl/status/status.h"
#include "query/operators/window.h"
#include "query/result_set.h"

namespace mua::operators_internal {

struct PartitionLayout {
  std::vector<uint32_t> order;            // input rows, in the window's order
  std::vector<size_t> partition_starts;   // positions in `order`; the last is the row count
  std::vector<uint32_t> peer_starts;      // per position: the first position of its peers
  std::vector<uint32_t> peer_ends;        // per position: one past the last of its peers
  // RANGE offset frames: the ORDER BY key per position, negated when DESC (ascending
  // within a partition's non-NULL rows), and whether it is NULL.
  std::vector<double> range_values;
  std::vector<uint8_t> range_nulls;

  size_t peer_start(size_t position) const { return peer_starts[position]; }
};

// Sorts the rows of `input` by the call's PARTITION BY keys, then its ORDER BY keys
// (stable), and finds partitions and peer groups.
absl::Status SortForWindow(const WindowCall& call, const ResultSet& input,
                           const ExecutionContext& context, PartitionLayout* layout);

// Each row's frame [begin[k], end[k]) relative to the partition start, for the
// partition at positions [begin, end). begin <= end always.
struct Frames {
  std::vector<size_t> begin;
  std::vector<size_t> end;
};
void ComputeFrames(const WindowCall& call, const ResultSet& input, const PartitionLayout& layout,
                   size_t begin, size_t end, Frames* frames);

// min/max over frames that move forward (a monotonic deque); restarts when one moves
// back. One per partition.
class SlidingExtreme {
 public:
  // The input row of the smallest (largest when `max`) non-NULL value of `value` in
  // the partition's frame [frame_begin, frame_end) (positions relative to
  // `partition_begin` in `order`); kNoRow when there is none.
  uint32_t Move(const Column& value, const std::vector<uint32_t>& order, size_t partition_begin,
                size_t frame_begin, size_t frame_end, bool max);

 private:
  std::deque<size_t> window_;  // relative positions, values monotone from the front
  size_t covered_begin_ = 0;
  size_t covered_end_ = 0;
};

// Rows `i` with sources[i] == kNoRow take fallback's row i (converted to result's type).
void ApplyDefaults(const Column& fallback, const std::vector<uint32_t>& sources, Column* result);

}  // namespace mua::operators_internal
