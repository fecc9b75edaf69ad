// LatencyHistogram: counts of durations in log-spaced buckets (each bucket 2^(1/8)
// ≈ 9% wider than the one before, from 1 µs to ~3 h), for quantiles accurate to
// that width (freshness p50/p99, query latency) and for Prometheus histograms.
// Recording is lock-free; readers get a consistent-enough copy.
//
//   LatencyHistogram freshness;
//   freshness.Record(absl::Milliseconds(12));
//   absl::Duration p99 = freshness.Snapshot().Quantile(0.99);
#pragma once

#include <algorithm>
#include <array>
#include <atomic>
#include <cmath>
#include <cstddef>
#include <cstdint>

#include "absl/time/time.h"

namespace mua {

class LatencyHistogram {
 public:
  static constexpr int kBucketsPerDoubling = 8;
  static constexpr int kBuckets = 34 * kBucketsPerDoubling;  // 1 µs .. 2^34 µs

  // Upper bound of bucket i (its durations are <= this and > the bound before it).
  static absl::Duration UpperBound(int bucket) {
    return absl::Microseconds(std::exp2(static_cast<double>(bucket) / kBucketsPerDoubling));
  }

  struct Counts {
    std::array<int64_t, kBuckets> buckets{};
    int64_t count = 0;
    absl::Duration sum;
    absl::Duration max;

    // The upper bound of the bucket holding quantile q (0 < q <= 1); zero when empty.
    absl::Duration Quantile(double q) const {
      if (count == 0) return absl::ZeroDuration();
      const int64_t rank = static_cast<int64_t>(std::ceil(q * static_cast<double>(count)));
      int64_t seen = 0;
      for (int i = 0; i < kBuckets; ++i) {
        seen += buckets[i];
        if (seen >= rank) return i == kBuckets - 1 ? max : std::min(UpperBound(i), max);
      }
      return max;
    }
    // Durations <= bound (for Prometheus' cumulative `le` buckets).
    int64_t CountAtMost(absl::Duration bound) const {
      int64_t total = 0;
      for (int i = 0; i < kBuckets && UpperBound(i) <= bound; ++i) total += buckets[i];
      return total;
    }
  };

  void Record(absl::Duration duration) {
    const double micros = std::max(1.0, absl::ToDoubleMicroseconds(duration));
    const int bucket = std::min(kBuckets - 1, static_cast<int>(std::ceil(std::log2(micros) * kBucketsPerDoubling)));
    buckets_[bucket].fetch_add(1, std::memory_order_relaxed);
    const int64_t nanos = absl::ToInt64Nanoseconds(duration);
    sum_nanos_.fetch_add(nanos, std::memory_order_relaxed);
    int64_t max = max_nanos_.load(std::memory_order_relaxed);
    while (nanos > max && !max_nanos_.compare_exchange_weak(max, nanos, std::memory_order_relaxed)) {
    }
  }

  Counts Snapshot() const {
    Counts counts;
    for (int i = 0; i < kBuckets; ++i) {
      counts.buckets[i] = buckets_[i].load(std::memory_order_relaxed);
      counts.count += counts.buckets[i];
    }
    counts.sum = absl::Nanoseconds(sum_nanos_.load(std::memory_order_relaxed));
    counts.max = absl::Nanoseconds(max_nanos_.load(std::memory_order_relaxed));
    return counts;
  }

 private:
  std::array<std::atomic<int64_t>, kBuckets> buckets_{};
  std::atomic<int64_t> sum_nanos_{0};
  std::atomic<int64_t> max_nanos_{0};
};

}  // namespace mua
