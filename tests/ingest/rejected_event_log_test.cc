#include "ingest/rejected_event_log.h"

#include <string>
#include <thread>
#include <vector>

#include "gtest/gtest.h"

namespace mua {
namespace {

std::vector<RejectedEvent> Events(int from, int to, size_t payload_bytes = 10) {
  std::vector<RejectedEvent> events;
  for (int i = from; i < to; ++i) {
    events.push_back({.raw = std::string(payload_bytes, 'x'),
                      .reason = RejectReason::kMalformedJson,
                      .message = "m",
                      .source = "t/0/" + std::to_string(i),
                      .topic = "t",
                      .partition = 0,
                      .offset = i});
  }
  return events;
}

TEST(RejectedEventLogTest, KeepsTheNewestRowsAndCountsTheRest) {
  RejectedEventLog log({.max_rows = 5});
  log.Append(Events(0, 3));
  log.Append(Events(3, 8));
  const std::vector<RejectedEvent> rows = log.Rows();
  ASSERT_EQ(rows.size(), 5u);
  EXPECT_EQ(rows.front().offset, 3);  // oldest kept first
  EXPECT_EQ(rows.back().offset, 7);
  EXPECT_EQ(log.total(), 8);
  EXPECT_EQ(log.evicted(), 3);
}

TEST(RejectedEventLogTest, BoundsBytesSoAFloodOfBigPayloadsCannotExhaustMemory) {
  RejectedEventLog log({.max_rows = 1'000'000, .max_bytes = 100'000});
  for (int i = 0; i < 100; ++i) log.Append(Events(i * 10, i * 10 + 10, 4096));
  EXPECT_LE(log.bytes(), 100'000u);
  EXPECT_GT(log.Rows().size(), 10u);
  EXPECT_EQ(log.total(), 1000);
  EXPECT_EQ(log.total() - log.evicted(), static_cast<int64_t>(log.Rows().size()));
}

TEST(RejectedEventLogTest, ConcurrentAppendsAndReadsLoseNothing) {
  RejectedEventLog log;
  std::vector<std::thread> writers;
  for (int t = 0; t < 4; ++t) {
    writers.emplace_back([&log, t] {
      for (int i = 0; i < 100; ++i) log.Append(Events(t * 1000 + i * 10, t * 1000 + i * 10 + 10));
    });
  }
  for (int i = 0; i < 50; ++i) ASSERT_LE(log.Rows().size(), 4000u);
  for (std::thread& writer : writers) writer.join();
  EXPECT_EQ(log.total(), 4000);
  EXPECT_EQ(log.Rows().size(), 4000u);
}

}  // namespace
}  // namespace mua
