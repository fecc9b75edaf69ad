#include "storage/base/latency_histogram.h"

#include <thread>
#include <vector>

#include "gtest/gtest.h"

namespace mua {
namespace {

TEST(LatencyHistogramTest, QuantilesAreWithinOneBucketOfTheTruth) {
  LatencyHistogram histogram;
  for (int ms = 1; ms <= 1000; ++ms) histogram.Record(absl::Milliseconds(ms));
  const LatencyHistogram::Counts counts = histogram.Snapshot();
  EXPECT_EQ(counts.count, 1000);
  EXPECT_EQ(counts.max, absl::Milliseconds(1000));
  EXPECT_EQ(counts.sum, absl::Milliseconds(500500));
  for (const auto& [q, truth] : {std::pair{0.5, 500.0}, {0.99, 990.0}, {0.01, 10.0}}) {
    const double got = absl::ToDoubleMilliseconds(counts.Quantile(q));
    EXPECT_GE(got, truth) << q;           // an upper bound...
    EXPECT_LE(got, truth * 1.1) << q;     // ...within one bucket (2^(1/8) ≈ 1.09)
  }
  EXPECT_EQ(counts.Quantile(1.0), absl::Milliseconds(1000));
}

TEST(LatencyHistogramTest, EmptyAndExtremes) {
  LatencyHistogram histogram;
  EXPECT_EQ(histogram.Snapshot().Quantile(0.99), absl::ZeroDuration());
  histogram.Record(absl::ZeroDuration());
  histogram.Record(absl::Hours(1000));  // beyond the last bucket: counted there
  const LatencyHistogram::Counts counts = histogram.Snapshot();
  EXPECT_EQ(counts.count, 2);
  EXPECT_EQ(counts.CountAtMost(absl::Microseconds(1)), 1);
  EXPECT_EQ(counts.Quantile(1.0), absl::Hours(1000));
}

TEST(LatencyHistogramTest, ConcurrentRecordsAreAllCounted) {
  LatencyHistogram histogram;
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&histogram] {
      for (int i = 0; i < 10000; ++i) histogram.Record(absl::Microseconds(i));
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(histogram.Snapshot().count, 40000);
}

}  // namespace
}  // namespace mua
