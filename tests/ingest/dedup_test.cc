#include "ingest/dedup.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "tests/testutil/event_builder.h"

namespace mua {
namespace {

using test::MillisAt;

constexpr int64_t kDay = 86'400'000;
const int64_t kT0 = MillisAt("2026-10-01T12:00:00");

TEST(DeduplicatorTest, DropsRepeats) {
  Deduplicator dedup;
  EXPECT_FALSE(dedup.SeenBefore("u1", "e1", kT0));
  EXPECT_TRUE(dedup.SeenBefore("u1", "e1", kT0));
  EXPECT_TRUE(dedup.SeenBefore("u1", "e1", kT0 + 5 * kDay));  // a re-send with another time
  EXPECT_FALSE(dedup.SeenBefore("u1", "e2", kT0));
  const DedupStats stats = dedup.stats();
  EXPECT_EQ(stats.checked, 4);
  EXPECT_EQ(stats.duplicates, 2);
  EXPECT_EQ(stats.entries, 2);
}

TEST(DeduplicatorTest, KeepsDistinctUsersWithTheSameEventId) {
  Deduplicator dedup;
  EXPECT_FALSE(dedup.SeenBefore("u1", "17", kT0));
  EXPECT_FALSE(dedup.SeenBefore("u2", "17", kT0));
  EXPECT_FALSE(dedup.SeenBefore("u11", "7", kT0));
  EXPECT_FALSE(dedup.SeenBefore("u1", "17x", kT0));
  EXPECT_TRUE(dedup.SeenBefore("u2", "17", kT0));
}

TEST(DeduplicatorTest, KeyIsUnambiguous) {
  Deduplicator dedup;
  EXPECT_FALSE(dedup.SeenBefore(absl::string_view("a\0b", 3), "c", kT0));
  EXPECT_FALSE(dedup.SeenBefore("a", absl::string_view("b\0c", 3), kT0));
  EXPECT_FALSE(dedup.SeenBefore("ab", "c", kT0));
  EXPECT_FALSE(dedup.SeenBefore("a", "bc", kT0));
  EXPECT_FALSE(dedup.SeenBefore("", "abc", kT0));
}

TEST(DeduplicatorTest, ManyDistinctKeysHaveNoFalsePositives) {
  Deduplicator dedup;
  for (int i = 0; i < 200'000; ++i) {
    ASSERT_FALSE(dedup.SeenBefore(absl::StrCat("user", i % 977), absl::StrCat(i), kT0)) << i;
  }
  for (int i = 0; i < 200'000; i += 101) {
    ASSERT_TRUE(dedup.SeenBefore(absl::StrCat("user", i % 977), absl::StrCat(i), kT0)) << i;
  }
  EXPECT_EQ(dedup.stats().entries, 200'000);
  // 16-byte slots plus control bytes, with growth slack.
  EXPECT_LT(dedup.memory_bytes(), 200'000u * 40);
}

TEST(DeduplicatorTest, EvictsDaysBeyondTheHorizon) {
  Deduplicator dedup({.horizon_days = 7});
  EXPECT_FALSE(dedup.SeenBefore("u", "old", kT0));
  EXPECT_FALSE(dedup.SeenBefore("u", "mid", kT0 + 7 * kDay));
  EXPECT_TRUE(dedup.SeenBefore("u", "old", kT0));  // still within 7 days of the newest
  EXPECT_FALSE(dedup.SeenBefore("u", "new", kT0 + 8 * kDay));  // day 0 falls out
  EXPECT_EQ(dedup.stats().evicted, 1);
  EXPECT_EQ(dedup.stats().entries, 2);
  // A straggler beyond the horizon is checked but not remembered.
  EXPECT_FALSE(dedup.SeenBefore("u", "old", kT0));
  EXPECT_FALSE(dedup.SeenBefore("u", "old", kT0));
  EXPECT_EQ(dedup.stats().not_recorded, 2);
  EXPECT_TRUE(dedup.SeenBefore("u", "mid", kT0 + 7 * kDay));
  // Late events within the horizon are remembered.
  EXPECT_FALSE(dedup.SeenBefore("u", "late", kT0 + 2 * kDay));
  EXPECT_TRUE(dedup.SeenBefore("u", "late", kT0 + 2 * kDay));
}

TEST(DeduplicatorTest, ZeroHorizonKeepsEverything) {
  Deduplicator dedup({.horizon_days = 0});
  EXPECT_FALSE(dedup.SeenBefore("u", "e", kT0 - 10000 * kDay));
  EXPECT_FALSE(dedup.SeenBefore("u", "f", kT0 + 10000 * kDay));
  EXPECT_TRUE(dedup.SeenBefore("u", "e", kT0 - 10000 * kDay));
  EXPECT_EQ(dedup.stats().evicted, 0);
}

TEST(DeduplicatorTest, MaxEntriesEvictsOldestDays) {
  Deduplicator dedup({.horizon_days = 0, .max_entries = 1000});
  for (int day = 0; day < 10; ++day) {
    for (int i = 0; i < 200; ++i) {
      ASSERT_FALSE(dedup.SeenBefore("u", absl::StrCat(day, "/", i), kT0 + day * kDay));
    }
  }
  const DedupStats stats = dedup.stats();
  EXPECT_LE(stats.entries, 1000);
  EXPECT_EQ(stats.entries + stats.evicted, 2000);
  // The newest day is intact; the oldest is gone.
  EXPECT_TRUE(dedup.SeenBefore("u", "9/5", kT0 + 9 * kDay));
  EXPECT_FALSE(dedup.SeenBefore("u", "0/5", kT0));
}

TEST(DeduplicatorTest, OneHugeDayStillRecords) {
  Deduplicator dedup({.horizon_days = 0, .max_entries = 100});
  for (int i = 0; i < 250; ++i) dedup.SeenBefore("u", absl::StrCat(i), kT0);
  EXPECT_LE(dedup.stats().entries, 100);
  EXPECT_FALSE(dedup.SeenBefore("u", "new", kT0));
  EXPECT_TRUE(dedup.SeenBefore("u", "new", kT0));
}

}  // namespace
}  // namespace mua
