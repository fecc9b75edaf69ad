#include "ingest/dedup.h"

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "storage/table.h"
#include "tests/testutil/event_builder.h"

namespace mua {
namespace {

const absl::Time kT0 = absl::FromUnixSeconds(1'790'000'000);  // 2026-09-21

// A settable arrival clock shared by a test and its Deduplicator.
class FakeClock {
 public:
  explicit FakeClock(absl::Time now = kT0) : now_(now) {}
  absl::Time Now() const {
    absl::MutexLock lock(&mu_);
    return now_;
  }
  void Set(absl::Time now) {
    absl::MutexLock lock(&mu_);
    now_ = now;
  }
  void Advance(absl::Duration by) { Set(Now() + by); }
  std::function<absl::Time()> fn() {
    return [this] { return Now(); };
  }

 private:
  mutable absl::Mutex mu_;
  absl::Time now_;
};

TEST(DeduplicatorTest, DropsRepeats) {
  Deduplicator dedup;
  EXPECT_FALSE(dedup.SeenBefore("u1", "e1"));
  EXPECT_TRUE(dedup.SeenBefore("u1", "e1"));
  EXPECT_FALSE(dedup.SeenBefore("u1", "e2"));
  EXPECT_TRUE(dedup.SeenBefore("u1", "e1"));
  const DedupStats stats = dedup.stats();
  EXPECT_EQ(stats.checked, 4);
  EXPECT_EQ(stats.duplicates, 2);
  EXPECT_EQ(stats.entries, 2);
  EXPECT_EQ(stats.aged_out, 0);
  EXPECT_EQ(dedup.window(), absl::Hours(24 * 7));
}

// The batch check (keys hashed ahead, on the decoding threads) answers as one check per key
// in order would, repeats inside the batch included, and counts the same.
TEST(DeduplicatorTest, BatchCheckAgreesWithOneByOne) {
  FakeClock clock;
  Deduplicator batched({.now = clock.fn()});
  Deduplicator single({.now = clock.fn()});
  std::vector<std::pair<std::string, std::string>> keys;
  for (int i = 0; i < 5000; ++i) {
    // Every 7th key repeats one a few places back; some repeat across the two batches.
    const int id = i % 7 == 6 ? i - 3 : i;
    keys.emplace_back(absl::StrCat("user-", id % 97), absl::StrCat("event-", id));
  }
  for (int round = 0; round < 2; ++round) {
    std::vector<uint64_t> fingerprints;
    for (const auto& [user, event] : keys) fingerprints.push_back(Deduplicator::Fingerprint(user, event));
    std::vector<uint8_t> seen(fingerprints.size(), 2);
    batched.SeenBefore(fingerprints, clock.Now(), absl::MakeSpan(seen));
    for (size_t i = 0; i < keys.size(); ++i) {
      ASSERT_EQ(seen[i] != 0, single.SeenBefore(keys[i].first, keys[i].second, clock.Now()))
          << "round " << round << " key " << i;
    }
  }
  EXPECT_EQ(batched.stats().checked, single.stats().checked);
  EXPECT_EQ(batched.stats().duplicates, single.stats().duplicates);
  EXPECT_EQ(batched.stats().entries, single.stats().entries);
  EXPECT_GT(batched.stats().duplicates, 5000);  // all of round 2, and round 1's repeats

  Deduplicator off({.window = absl::ZeroDuration()});
  std::vector<uint64_t> one = {Deduplicator::Fingerprint("u", "e"), Deduplicator::Fingerprint("u", "e")};
  std::vector<uint8_t> seen(2, 2);
  off.SeenBefore(one, clock.Now(), absl::MakeSpan(seen));
  EXPECT_EQ(seen, (std::vector<uint8_t>{0, 0}));
}

TEST(DeduplicatorTest, KeepsDistinctUsersWithTheSameEventId) {
  Deduplicator dedup;
  EXPECT_FALSE(dedup.SeenBefore("u1", "17"));
  EXPECT_FALSE(dedup.SeenBefore("u2", "17"));
  EXPECT_FALSE(dedup.SeenBefore("u11", "7"));
  EXPECT_FALSE(dedup.SeenBefore("u1", "17x"));
  EXPECT_TRUE(dedup.SeenBefore("u2", "17"));
}

TEST(DeduplicatorTest, KeyIsUnambiguous) {
  Deduplicator dedup;
  EXPECT_FALSE(dedup.SeenBefore(absl::string_view("a\0b", 3), "c"));
  EXPECT_FALSE(dedup.SeenBefore("a", absl::string_view("b\0c", 3)));
  EXPECT_FALSE(dedup.SeenBefore("ab", "c"));
  EXPECT_FALSE(dedup.SeenBefore("a", "bc"));
  EXPECT_FALSE(dedup.SeenBefore("", "abc"));
}

TEST(DeduplicatorTest, ZeroWindowIsOff) {
  Deduplicator dedup({.window = absl::ZeroDuration()});
  EXPECT_FALSE(dedup.enabled());
  EXPECT_FALSE(dedup.SeenBefore("u", "e"));
  EXPECT_FALSE(dedup.SeenBefore("u", "e"));
  const DedupStats stats = dedup.stats();
  EXPECT_EQ(stats.checked, 0);
  EXPECT_EQ(stats.entries, 0);
}

// With 1-second ticks the window is exact: an arrival `window` after the first is new.
TEST(DeduplicatorTest, WindowEdgeWithSecondTicks) {
  FakeClock clock;
  Deduplicator dedup({.window = absl::Minutes(60), .now = clock.fn()});
  EXPECT_EQ(dedup.tick_seconds(), 1);
  EXPECT_EQ(dedup.window_ticks(), 3600);
  EXPECT_FALSE(dedup.SeenBefore("u", "inside"));
  EXPECT_FALSE(dedup.SeenBefore("u", "edge"));
  clock.Advance(absl::Seconds(3599) + absl::Milliseconds(999));
  EXPECT_TRUE(dedup.SeenBefore("u", "inside"));  // window - 1 ms: a repeat
  clock.Advance(absl::Milliseconds(1));
  EXPECT_FALSE(dedup.SeenBefore("u", "edge"));  // exactly the window: arrives afresh
  EXPECT_EQ(dedup.stats().aged_out, 1);
  // Its new arrival starts a new window; the duplicate above did not restart "inside"'s.
  EXPECT_TRUE(dedup.SeenBefore("u", "edge"));
  EXPECT_FALSE(dedup.SeenBefore("u", "inside"));
  clock.Advance(absl::Seconds(3599));
  EXPECT_TRUE(dedup.SeenBefore("u", "edge"));
  EXPECT_TRUE(dedup.SeenBefore("u", "inside"));
}

// Seven days take 19-second ticks: the edge is exact in ticks (documented in dedup.h).
TEST(DeduplicatorTest, WindowEdgeWithCoarseTicks) {
  const int64_t aligned = 1'790'000'000 / 19 * 19;
  FakeClock clock(absl::FromUnixSeconds(aligned));
  Deduplicator dedup({.window = absl::Hours(24 * 7), .now = clock.fn()});
  EXPECT_EQ(dedup.tick_seconds(), 19);
  EXPECT_EQ(dedup.window_ticks(), 31832);  // ceil(604800 / 19)
  EXPECT_FALSE(dedup.SeenBefore("u", "a"));
  EXPECT_FALSE(dedup.SeenBefore("u", "b"));
  const int64_t effective = 31832 * 19;  // 604808 s from a tick's start
  clock.Set(absl::FromUnixSeconds(aligned + effective - 1));
  EXPECT_TRUE(dedup.SeenBefore("u", "a"));
  clock.Set(absl::FromUnixSeconds(aligned + effective));
  EXPECT_FALSE(dedup.SeenBefore("u", "b"));
}

TEST(DeduplicatorTest, AgedEntriesAreSweptAndCounted) {
  FakeClock clock;
  Deduplicator dedup({.window = absl::Seconds(10), .now = clock.fn()});
  for (int i = 0; i < 1000; ++i) ASSERT_FALSE(dedup.SeenBefore("old", absl::StrCat(i)));
  clock.Advance(absl::Seconds(20));
  for (int i = 0; i < 20'000; ++i) ASSERT_FALSE(dedup.SeenBefore("new", absl::StrCat(i)));
  DedupStats stats = dedup.stats();
  EXPECT_EQ(stats.aged_out, 1000);
  EXPECT_EQ(stats.entries, 20'000);
  // Once the new ones age out too, a further burst of inserts gives their memory back.
  const size_t big = dedup.memory_bytes();
  clock.Advance(absl::Seconds(20));
  for (int i = 0; i < 20'000; ++i) ASSERT_EQ(dedup.SeenBefore("newer", absl::StrCat(i % 500)), i >= 500);
  stats = dedup.stats();
  EXPECT_EQ(stats.entries, 500);
  EXPECT_EQ(stats.aged_out, 21'000);
  EXPECT_LT(dedup.memory_bytes(), big / 4);
}

// A shard no insert touched for long is swept whole, so 16-bit ticks never wrap into a
// false repeat: 65536 + 5 seconds later, an age of 5 (mod 2^16) must not look fresh.
TEST(DeduplicatorTest, TicksDoNotWrapAfterLongIdle) {
  FakeClock clock;
  Deduplicator dedup({.window = absl::Seconds(60), .now = clock.fn()});
  EXPECT_FALSE(dedup.SeenBefore("u", "e"));
  clock.Advance(absl::Seconds(65536 + 5));
  EXPECT_FALSE(dedup.SeenBefore("u", "e"));
  EXPECT_EQ(dedup.stats().aged_out, 1);
  EXPECT_TRUE(dedup.SeenBefore("u", "e"));
  // Also with steady traffic elsewhere in between (sweeps, not the idle guard).
  for (int step = 0; step < 40; ++step) {
    clock.Advance(absl::Seconds(2000));
    for (int i = 0; i < 50; ++i) dedup.SeenBefore("other", absl::StrCat(step, "/", i));
  }
  clock.Set(clock.Now() + absl::Seconds(65536 - 40 * 2000 % 65536 + 3));
  EXPECT_FALSE(dedup.SeenBefore("u", "e"));
}

TEST(DeduplicatorTest, ClockSteppingBackKeepsEntries) {
  FakeClock clock;
  Deduplicator dedup({.window = absl::Seconds(60), .now = clock.fn()});
  EXPECT_FALSE(dedup.SeenBefore("u", "e"));
  clock.Advance(absl::Seconds(-100));
  EXPECT_TRUE(dedup.SeenBefore("u", "e"));
  EXPECT_EQ(dedup.stats().aged_out, 0);
}

// Millions of keys: no false negatives, and the table within ~14 bytes an entry.
TEST(DeduplicatorTest, GrowsToMillionsWithoutLosingKeys) {
  Deduplicator dedup;
  constexpr int kKeys = 3'000'000;
  std::vector<double> bytes_per_entry;
  for (int i = 0; i < kKeys; ++i) {
    ASSERT_FALSE(dedup.SeenBefore(absl::StrCat("user", i % 9973), absl::StrCat(i))) << i;
    if ((i + 1) % 100'000 == 0) {
      bytes_per_entry.push_back(static_cast<double>(dedup.memory_bytes()) / (i + 1));
    }
  }
  for (int i = 0; i < kKeys; ++i) {
    ASSERT_TRUE(dedup.SeenBefore(absl::StrCat("user", i % 9973), absl::StrCat(i))) << i;
  }
  EXPECT_EQ(dedup.stats().entries, kKeys);
  double sum = 0, worst = 0;
  for (double b : bytes_per_entry) {
    sum += b;
    worst = std::max(worst, b);
  }
  const double average = sum / bytes_per_entry.size();
  std::printf("dedup: %.2f bytes/entry at %d entries; average %.2f, worst %.2f over sizes\n",
              static_cast<double>(dedup.memory_bytes()) / kKeys, kKeys, average, worst);
  EXPECT_LE(average, 14.5);
  EXPECT_LE(worst, 16.5);
}

TEST(DeduplicatorTest, ConcurrentCallersAgreeOnEachKey) {
  Deduplicator dedup;
  constexpr int kThreads = 4, kKeys = 20'000;
  std::atomic<int> fresh{0}, repeats{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      // Every thread offers every key, in a different order: each key is new exactly once.
      for (int i = 0; i < kKeys; ++i) {
        const int key = (i * (2 * t + 1) + t * 977) % kKeys;
        if (dedup.SeenBefore(absl::StrCat("u", key % 13), absl::StrCat(key))) {
          ++repeats;
        } else {
          ++fresh;
        }
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(fresh.load(), kKeys);
  EXPECT_EQ(repeats.load(), (kThreads - 1) * kKeys);
  EXPECT_EQ(dedup.stats().entries, kKeys);
  EXPECT_EQ(dedup.stats().duplicates, (kThreads - 1) * kKeys);
}

TEST(DeduplicatorTest, CaptureRestoreRoundTrip) {
  FakeClock clock;
  Deduplicator dedup({.window = absl::Hours(1), .now = clock.fn()});
  for (int i = 0; i < 5000; ++i) ASSERT_FALSE(dedup.SeenBefore("early", absl::StrCat(i)));
  clock.Advance(absl::Minutes(30));
  for (int i = 0; i < 3000; ++i) ASSERT_FALSE(dedup.SeenBefore("late", absl::StrCat(i)));
  EXPECT_TRUE(dedup.SeenBefore("late", "7"));
  const uint64_t generation = dedup.generation();
  const std::string snapshot = dedup.Capture()();
  EXPECT_EQ(dedup.generation(), generation);  // capturing changes nothing
  EXPECT_EQ(snapshot.size(), 48u + 8000u * 12);

  // Restarted 10 minutes later: everything is still in the window.
  Deduplicator restarted({.window = absl::Hours(1), .now = clock.fn()});
  EXPECT_FALSE(restarted.restored());
  clock.Advance(absl::Minutes(10));
  ASSERT_TRUE(restarted.Restore(snapshot).ok());
  EXPECT_TRUE(restarted.restored());
  DedupStats stats = restarted.stats();
  EXPECT_EQ(stats.entries, 8000);
  EXPECT_EQ(stats.checked, 8001);
  EXPECT_EQ(stats.duplicates, 1);
  EXPECT_TRUE(restarted.SeenBefore("early", "4999"));
  EXPECT_TRUE(restarted.SeenBefore("late", "0"));
  EXPECT_FALSE(restarted.SeenBefore("late", "3000"));
  // The early ones keep their arrival: 20 more minutes and they leave the window.
  clock.Advance(absl::Minutes(20));
  EXPECT_FALSE(restarted.SeenBefore("early", "1"));
  EXPECT_TRUE(restarted.SeenBefore("late", "1"));

  // Restored after the early arrivals' window: they are dropped and counted.
  Deduplicator later({.window = absl::Hours(1), .now = clock.fn()});
  ASSERT_TRUE(later.Restore(snapshot).ok());
  stats = later.stats();
  EXPECT_EQ(stats.entries, 3000);
  EXPECT_EQ(stats.aged_out, 5000);
  // A wider window at restart holds them again (arrival seconds are stored, not ticks).
  Deduplicator wider({.window = absl::Hours(24 * 7), .now = clock.fn()});
  ASSERT_TRUE(wider.Restore(snapshot).ok());
  EXPECT_EQ(wider.stats().entries, 8000);
  EXPECT_TRUE(wider.SeenBefore("early", "3"));
}

TEST(DeduplicatorTest, RestoreRejectsDamagedSnapshots) {
  Deduplicator dedup;
  dedup.SeenBefore("u", "e");
  const std::string snapshot = dedup.Capture()();
  Deduplicator other;
  EXPECT_EQ(other.Restore("").code(), absl::StatusCode::kDataLoss);
  EXPECT_EQ(other.Restore(snapshot.substr(0, snapshot.size() - 1)).code(), absl::StatusCode::kDataLoss);
  std::string bad_version = snapshot;
  bad_version[4] = 9;
  EXPECT_EQ(other.Restore(bad_version).code(), absl::StatusCode::kDataLoss);
  std::string huge_count = snapshot;
  for (int i = 40; i < 48; ++i) huge_count[i] = '\xff';
  EXPECT_EQ(other.Restore(huge_count).code(), absl::StatusCode::kDataLoss);
  EXPECT_EQ(other.Replay("x").code(), absl::StatusCode::kDataLoss);
  ASSERT_TRUE(other.Restore(snapshot).ok());
  EXPECT_TRUE(other.SeenBefore("u", "e"));
}

// The upgrade path: a data directory without a snapshot records its stored events as
// arriving now (head rows included); repeats of them are then duplicates.
TEST(DeduplicatorTest, RecordStoredRecognizesPersistedEvents) {
  Table table(TableOptions{.segment_rows = 500});
  test::EventBuilder events;
  const int64_t t0 = absl::ToUnixMillis(kT0);
  for (int day = 0; day < 4; ++day) {
    for (int i = 0; i < 400; ++i) {
      events.Add(t0 + day * 86'400'000LL + i, absl::StrCat("u", i % 37), "app_open").event_id =
          events.Keep(absl::StrCat("d", day, "-", i));
    }
  }
  ASSERT_TRUE(table.Append(events.rows().subspan(0, 1500)).ok());
  table.SealAll();
  ASSERT_TRUE(table.Append(events.rows().subspan(1500)).ok());  // day 3's last rows in a head

  Deduplicator dedup;
  ASSERT_TRUE(dedup.RecordStored(table.Snapshot()).ok());
  EXPECT_EQ(dedup.stats().checked, 0);  // recording is not checking
  EXPECT_EQ(dedup.stats().entries, 1600);
  EXPECT_TRUE(dedup.SeenBefore("u0", "d0-0"));
  EXPECT_TRUE(dedup.SeenBefore("u11", "d2-11"));
  EXPECT_TRUE(dedup.SeenBefore("u29", "d3-399"));
  EXPECT_FALSE(dedup.SeenBefore("u5", "new"));
}

}  // namespace
}  // namespace mua
