#include "query/operators/window_frames.h"

#include <algorithm>

#include "query/operators/relation.h"
#include "storage/base/status_macros.h"

namespace mua::operators_internal {
namespace {

double KeyNumber(const Column& column, size_t row) {
  if (column.type.id == TypeId::kFloat64) return column.floats[row];
  if (column.type.id == TypeId::kUInt64) {
    return static_cast<double>(static_cast<uint64_t>(column.ints[row]));
  }
  return static_cast<double>(column.ints[row]);
}

bool UsesRangeOffsets(const WindowFrame& frame) {
  auto offset = [](const FrameBound& bound) {
    return bound.kind == FrameBound::Kind::kPreceding || bound.kind == FrameBound::Kind::kFollowing;
  };
  return frame.units == FrameUnits::kRange && (offset(frame.begin) || offset(frame.end));
}

}  // namespace

absl::Status SortForWindow(const WindowCall& call, const ResultSet& input,
                           const ExecutionContext& context, PartitionLayout* layout) {
  const size_t rows = input.row_count;
  std::vector<EvaluatedColumn> partition(call.partition_by.size());
  std::vector<EvaluatedColumn> order(call.order_by.size());
  for (size_t i = 0; i < partition.size(); ++i) {
    MUA_RETURN_IF_ERROR(EvaluateColumn(*call.partition_by[i], input, context, &partition[i]));
  }
  for (size_t i = 0; i < order.size(); ++i) {
    MUA_RETURN_IF_ERROR(EvaluateColumn(*call.order_by[i].expr, input, context, &order[i]));
  }
  auto compare_partition = [&](uint32_t a, uint32_t b) {
    for (const EvaluatedColumn& key : partition) {
      const int cmp = CompareColumnValues(key.column(), a, key.column(), b, /*nulls_greater=*/true);
      if (cmp != 0) return cmp;
    }
    return 0;
  };
  auto compare_order = [&](uint32_t a, uint32_t b) {
    for (size_t i = 0; i < order.size(); ++i) {
      const WindowOrderKey& key = call.order_by[i];
      // NULLS LAST for DESC means NULL is the smallest value before the negation.
      const bool nulls_greater = key.descending ? key.nulls_first : !key.nulls_first;
      int cmp = CompareColumnValues(order[i].column(), a, order[i].column(), b, nulls_greater);
      if (key.descending) cmp = -cmp;
      if (cmp != 0) return cmp;
    }
    return 0;
  };

  layout->order.resize(rows);
  for (size_t row = 0; row < rows; ++row) layout->order[row] = static_cast<uint32_t>(row);
  if (!partition.empty() || !order.empty()) {
    std::stable_sort(layout->order.begin(), layout->order.end(), [&](uint32_t a, uint32_t b) {
      const int cmp = compare_partition(a, b);
      return cmp != 0 ? cmp < 0 : compare_order(a, b) < 0;
    });
  }
  MUA_RETURN_IF_ERROR(CheckInterrupted(context));

  layout->partition_starts.clear();
  layout->peer_starts.resize(rows);
  layout->peer_ends.resize(rows);
  size_t peer_begin = 0;
  for (size_t position = 0; position < rows; ++position) {
    const uint32_t row = layout->order[position];
    const bool new_partition =
        position == 0 || compare_partition(layout->order[position - 1], row) != 0;
    if (new_partition) layout->partition_starts.push_back(position);
    if (new_partition || compare_order(layout->order[position - 1], row) != 0) {
      for (size_t k = peer_begin; k < position; ++k) layout->peer_ends[k] = static_cast<uint32_t>(position);
      peer_begin = position;
    }
    layout->peer_starts[position] = static_cast<uint32_t>(peer_begin);
  }
  for (size_t k = peer_begin; k < rows; ++k) layout->peer_ends[k] = static_cast<uint32_t>(rows);
  layout->partition_starts.push_back(rows);

  layout->range_values.clear();
  layout->range_nulls.clear();
  if (UsesRangeOffsets(call.frame)) {
    const Column& key = order[0].column();
    const double sign = call.order_by[0].descending ? -1 : 1;
    layout->range_values.resize(rows);
    layout->range_nulls.resize(rows);
    for (size_t position = 0; position < rows; ++position) {
      const uint32_t row = layout->order[position];
      layout->range_nulls[position] = key.is_null(row) ? 1 : 0;
      layout->range_values[position] = key.is_null(row) ? 0 : sign * KeyNumber(key, row);
    }
  }
  return absl::OkStatus();
}

void ComputeFrames(const WindowCall& call, const ResultSet& input, const PartitionLayout& layout,
                   size_t begin, size_t end, Frames* frames) {
  (void)input;
  const size_t size = end - begin;
  frames->begin.resize(size);
  frames->end.resize(size);
  const WindowFrame& frame = call.frame;
  // RANGE offsets search the partition's non-NULL keys (NULLs sit at one end).
  size_t values_begin = begin, values_end = end;
  const bool range_offsets = !layout.range_values.empty();
  if (range_offsets) {
    while (values_begin < end && layout.range_nulls[values_begin]) ++values_begin;
    values_end = values_begin;
    while (values_end < end && !layout.range_nulls[values_end]) ++values_end;
  }
  const double* values = range_offsets ? layout.range_values.data() : nullptr;
  auto lower = [&](double target) {  // first position with value >= target
    return static_cast<size_t>(std::lower_bound(values + values_begin, values + values_end, target) -
                               values);
  };
  auto upper = [&](double target) {  // first position with value > target
    return static_cast<size_t>(std::upper_bound(values + values_begin, values + values_end, target) -
                               values);
  };
  for (size_t k = 0; k < size; ++k) {
    const size_t position = begin + k;
    const bool null_key = range_offsets && layout.range_nulls[position];
    const double value = range_offsets ? layout.range_values[position] : 0;
    size_t first = begin, last = end;  // absolute positions
    switch (frame.begin.kind) {
      case FrameBound::Kind::kUnboundedPreceding: first = begin; break;
      case FrameBound::Kind::kCurrentRow:
        first = frame.units == FrameUnits::kRows ? position : layout.peer_starts[position];
        break;
      case FrameBound::Kind::kPreceding:
        if (frame.units == FrameUnits::kRows) {
          const size_t offset = static_cast<size_t>(frame.begin.offset);
          first = k >= offset ? position - offset : begin;
        } else {
          first = null_key ? layout.peer_starts[position] : lower(value - frame.begin.offset);
        }
        break;
      case FrameBound::Kind::kFollowing:
        if (frame.units == FrameUnits::kRows) {
          first = std::min(end, position + static_cast<size_t>(frame.begin.offset));
        } else {
          first = null_key ? layout.peer_starts[position] : lower(value + frame.begin.offset);
        }
        break;
      case FrameBound::Kind::kUnboundedFollowing: first = end; break;
    }
    switch (frame.end.kind) {
      case FrameBound::Kind::kUnboundedFollowing: last = end; break;
      case FrameBound::Kind::kCurrentRow:
        last = frame.units == FrameUnits::kRows ? position + 1 : layout.peer_ends[position];
        break;
      case FrameBound::Kind::kPreceding:
        if (frame.units == FrameUnits::kRows) {
          const size_t offset = static_cast<size_t>(frame.end.offset);
          last = k + 1 >= offset ? position + 1 - offset : begin;
        } else {
          last = null_key ? layout.peer_ends[position] : upper(value - frame.end.offset);
        }
        break;
      case FrameBound::Kind::kFollowing:
        if (frame.units == FrameUnits::kRows) {
          last = std::min(end, position + 1 + static_cast<size_t>(frame.end.offset));
        } else {
          last = null_key ? layout.peer_ends[position] : upper(value + frame.end.offset);
        }
        break;
      case FrameBound::Kind::kUnboundedPreceding: last = begin; break;
    }
    last = std::max(first, std::min(last, end));
    frames->begin[k] = first - begin;
    frames->end[k] = last - begin;
  }
}

uint32_t SlidingExtreme::Move(const Column& value, const std::vector<uint32_t>& order,
                              size_t partition_begin, size_t frame_begin, size_t frame_end,
                              bool max) {
  if (frame_begin >= frame_end) return kNoRow;
  if (frame_begin < covered_begin_ || frame_end < covered_end_ || frame_begin > covered_end_) {
    window_.clear();
    covered_begin_ = covered_end_ = frame_begin;
  }
  auto row_of = [&](size_t k) { return order[partition_begin + k]; };
  for (; covered_end_ < frame_end; ++covered_end_) {
    const uint32_t row = row_of(covered_end_);
    if (value.is_null(row)) continue;
    while (!window_.empty()) {
      const int cmp = CompareColumnValues(value, row, value, row_of(window_.back()), true);
      if (max ? cmp < 0 : cmp > 0) break;
      window_.pop_back();  // never the extreme while `row` is in the frame
    }
    window_.push_back(covered_end_);
  }
  covered_begin_ = frame_begin;
  while (!window_.empty() && window_.front() < frame_begin) window_.pop_front();
  return window_.empty() ? kNoRow : row_of(window_.front());
}

void ApplyDefaults(const Column& fallback, const std::vector<uint32_t>& sources, Column* result) {
  if (fallback.type.id == TypeId::kNothing) return;  // NULL: what a missing row already is
  const bool nullable = result->type.may_be_null();
  if (nullable && result->nulls.size() < sources.size()) result->nulls.resize(sources.size(), 0);
  if (result->type.id == TypeId::kArray || result->type.is_tuple()) {
    Column rebuilt = EmptyColumn(result->type);
    for (size_t row = 0; row < sources.size(); ++row) {
      const uint32_t one = static_cast<uint32_t>(row);
      GatherColumn(sources[row] == kNoRow ? fallback : *result, absl::MakeConstSpan(&one, 1),
                   &rebuilt);
    }
    *result = std::move(rebuilt);
    return;
  }
  for (size_t row = 0; row < sources.size(); ++row) {
    if (sources[row] != kNoRow) continue;
    if (nullable) result->nulls[row] = fallback.is_null(row) ? 1 : 0;
    switch (result->type.id) {
      case TypeId::kString: result->strings[row] = fallback.strings[row]; break;
      case TypeId::kFloat64: result->floats[row] = KeyNumber(fallback, row); break;
      default:
        result->ints[row] = fallback.type.id == TypeId::kFloat64
                                ? static_cast<int64_t>(fallback.floats[row])
                                : fallback.ints[row];
        break;
    }
  }
}

}  // namespace mua::operators_internal
