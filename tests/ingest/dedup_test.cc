#include "ingest/dedup.h"

#include <string>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "gtest/gtest.h"
#include "storage/table.h"
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

// After a restart the set is refilled from the stored table: every stored event is a
// repeat (head rows included), new events are not, and a bound keeps the newest day.
TEST(DeduplicatorTest, RecordStoredRecognizesPersistedEvents) {
  Table table(TableOptions{.segment_rows = 500});
  test::EventBuilder events;
  for (int day = 0; day < 4; ++day) {
    for (int i = 0; i < 400; ++i) {
      events.Add(kT0 + day * kDay + i, absl::StrCat("u", i % 37), "app_open").event_id =
          events.Keep(absl::StrCat("d", day, "-", i));
    }
  }
  ASSERT_TRUE(table.Append(events.rows().subspan(0, 1500)).ok());
  table.SealAll();
  ASSERT_TRUE(table.Append(events.rows().subspan(1500)).ok());  // day 3's last rows in a head

  Deduplicator everything({.horizon_days = 0});
  ASSERT_TRUE(everything.RecordStored(table.Snapshot()).ok());
  EXPECT_EQ(everything.stats().checked, 0);  // refilling is not checking
  EXPECT_EQ(everything.stats().entries, 1600);
  EXPECT_TRUE(everything.SeenBefore("u0", "d0-0", kT0));
  EXPECT_TRUE(everything.SeenBefore("u11", "d2-11", kT0 + 2 * kDay));
  EXPECT_TRUE(everything.SeenBefore("u29", "d3-399", kT0 + 3 * kDay));
  EXPECT_FALSE(everything.SeenBefore("u5", "new", kT0 + 3 * kDay));

  Deduplicator bounded({.horizon_days = 0, .max_entries = 1000});
  ASSERT_TRUE(bounded.RecordStored(table.Snapshot()).ok());
  EXPECT_LE(bounded.stats().entries, 1000);
  EXPECT_TRUE(bounded.SeenBefore("u5", "d3-5", kT0 + 3 * kDay));
}

TEST(DeduplicatorTest, CallsWaitForABackgroundRefill) {
  Table table;
  test::EventBuilder events;
  for (int i = 0; i < 5000; ++i) events.Add(kT0 + i, absl::StrCat("u", i % 100), "app_open");
  ASSERT_TRUE(table.Append(events.rows()).ok());
  Deduplicator dedup;
  absl::Notification done;
  absl::Status refill_status = absl::UnknownError("not run");
  dedup.RecordStoredInBackground(table.Snapshot(), [&](absl::Status status, absl::Duration) {
    refill_status = status;
    done.Notify();
  });
  // Issued right away, the check still sees the whole stored set.
  EXPECT_TRUE(dedup.SeenBefore("u99", std::string(events.rows()[4999].event_id), kT0 + 4999));
  done.WaitForNotification();
  EXPECT_TRUE(refill_status.ok());
  EXPECT_EQ(dedup.stats().entries, 5000);
}

}  // namespace
}  // namespace mua
