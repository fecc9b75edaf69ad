// Stickiness and Lifecycle on small hand-built tables. Every expected answer
// is derived by hand in the comments next to the events.
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "query/analytics/lifecycle.h"
#include "query/analytics/stickiness.h"
#include "storage/base/time_util.h"
#include "storage/table.h"
#include "tests/testutil/event_builder.h"
#include "tests/testutil/status_matchers.h"

namespace mua {
namespace {

using test::EventBuilder;
using test::MillisAt;

int32_t Day(const std::string& text) { return *ParseDay(text); }

AnalyticsScope Scope(const std::string& from, const std::string& to) {
  AnalyticsScope scope;
  scope.from_day = Day(from);
  scope.to_day = Day(to);
  return scope;
}

AnalyticsScope BerlinScope(const std::string& from, const std::string& to) {
  AnalyticsScope scope = Scope(from, to);
  scope.utc = false;
  EXPECT_TRUE(absl::LoadTimeZone("Europe/Berlin", &scope.time_zone));
  return scope;
}

// One "a|b|c" line per row; Date columns as YYYY-MM-DD, Float64 with 2 decimals.
std::vector<std::string> Rows(const ResultSet& result) {
  std::vector<std::string> rows(result.row_count);
  for (size_t row = 0; row < result.row_count; ++row) {
    for (size_t c = 0; c < result.columns.size(); ++c) {
      const Column& column = result.columns[c];
      std::string cell;
      if (column.type.id == TypeId::kDate) {
        cell = FormatDay(static_cast<int32_t>(column.ints[row]));
      } else if (column.type.id == TypeId::kString) {
        cell = column.strings[row];
      } else if (column.type.id == TypeId::kFloat64) {
        cell = absl::StrFormat("%.2f", column.floats[row]);
      } else {
        cell = absl::StrCat(column.ints[row]);
      }
      absl::StrAppend(&rows[row], c == 0 ? "" : "|", cell);
    }
  }
  return rows;
}

class StickinessTest : public ::testing::Test {
 protected:
  void Add(const std::string& time, const std::string& user, const std::string& event,
           const std::string& platform = "ios") {
    events_.Add(MillisAt(time), user, event).platform = events_.Keep(platform);
  }
  void Load() {
    ASSERT_OK(table_.Append(events_.rows()));
    events_.clear();
  }

  EventBuilder events_;
  Table table_;
};

using LifecycleTest = StickinessTest;

// Days Mon 10-05 .. Thu 10-08 (4 periods).
//   alice: 10-05 (twice), 10-06, 10-08          -> 3 days
//   bob:   10-07                                -> 1 day
//   carol: 10-05, 10-06, 10-07, 10-08           -> 4 days
//   dave:  10-02 only (before `from`)           -> not active, not counted
//   erin:  10-04 23:30 and 10-09 00:10 (both just outside), 10-06 -> 1 day
// Active: alice, bob, carol, erin = 4. k=1: bob, erin (50%); k=2: none;
// k=3: alice (25%); k=4: carol (25%).
TEST_F(StickinessTest, CountsDaysPerUser) {
  Add("2026-10-05T08:00:00", "alice", "app_open");
  Add("2026-10-05T20:00:00", "alice", "purchase");
  Add("2026-10-06T09:00:00", "alice", "app_open");
  Add("2026-10-08T09:00:00", "alice", "purchase");
  Add("2026-10-07T12:00:00", "bob", "purchase");
  for (const char* day : {"05", "06", "07", "08"}) {
    Add(absl::StrCat("2026-10-", day, "T12:00:00"), "carol", "app_open");
  }
  Add("2026-10-02T12:00:00", "dave", "app_open");
  Add("2026-10-04T23:30:00", "erin", "app_open");
  Add("2026-10-09T00:10:00", "erin", "app_open");
  Add("2026-10-06T11:00:00", "erin", "app_open");
  Load();
  const TableSnapshot snapshot = table_.Snapshot();
  const AnalyticsScope scope = Scope("2026-10-05", "2026-10-09");
  ASSERT_OK_AND_ASSIGN(ResultSet result, Stickiness(snapshot, scope, Period::kDay, "*"));
  EXPECT_EQ(result.names, (std::vector<std::string>{"periods_active", "users", "pct"}));
  EXPECT_EQ(Rows(result),
            (std::vector<std::string>{"1|2|50.00", "2|0|0.00", "3|1|25.00", "4|1|25.00"}));

  // The same through the scan path (a non-UTC flag with the UTC zone).
  AnalyticsScope scan_scope = scope;
  scan_scope.utc = false;
  ASSERT_OK_AND_ASSIGN(ResultSet scanned, Stickiness(snapshot, scan_scope, Period::kDay, "*"));
  EXPECT_EQ(Rows(scanned), Rows(result));

  // Only purchases: alice on 10-05 and 10-08 (2 days), bob on 10-07 (1 day).
  ASSERT_OK_AND_ASSIGN(ResultSet purchases, Stickiness(snapshot, scope, Period::kDay, "purchase"));
  EXPECT_EQ(Rows(purchases),
            (std::vector<std::string>{"1|1|50.00", "2|1|50.00", "3|0|0.00", "4|0|0.00"}));
}

// Range Wed 10-07 .. Wed 10-21 (to = Thu 10-22): weeks of Mon 10-05 (clipped
// to 10-07..10-11), 10-12 and 10-19 (clipped to 10-19..10-21): 3 periods.
//   alice: 10-06 (clipped away), 10-13           -> 1 week
//   bob:   10-08, 10-14, 10-21                   -> 3 weeks
//   carol: 10-10, 10-11 (same week)              -> 1 week
//   dave:  10-20, 10-22 (after `to`)             -> 1 week
//   erin:  10-09, 10-16                          -> 2 weeks
// Active 5: k=1: alice, carol, dave (60%); k=2: erin (20%); k=3: bob (20%).
TEST_F(StickinessTest, WeeksAreCalendarWeeksClippedToTheRange) {
  Add("2026-10-06T12:00:00", "alice", "app_open");
  Add("2026-10-13T12:00:00", "alice", "app_open");
  Add("2026-10-08T12:00:00", "bob", "app_open");
  Add("2026-10-14T12:00:00", "bob", "app_open");
  Add("2026-10-21T12:00:00", "bob", "app_open");
  Add("2026-10-10T12:00:00", "carol", "app_open");
  Add("2026-10-11T12:00:00", "carol", "app_open");
  Add("2026-10-20T12:00:00", "dave", "app_open");
  Add("2026-10-22T12:00:00", "dave", "app_open");
  Add("2026-10-09T12:00:00", "erin", "app_open");
  Add("2026-10-16T12:00:00", "erin", "app_open");
  Load();
  ASSERT_OK_AND_ASSIGN(
      ResultSet result,
      Stickiness(table_.Snapshot(), Scope("2026-10-07", "2026-10-22"), Period::kWeek, "app_open"));
  EXPECT_EQ(Rows(result), (std::vector<std::string>{"1|3|60.00", "2|1|20.00", "3|1|20.00"}));
}

// Days 10-05 .. 10-08 by platform (a user counts per platform separately):
//   alice: ios 10-05, android 10-06, ios 10-08  -> ios 2 days, android 1 day
//   bob:   android 10-07                        -> android 1 day
//   carol: web 10-01 only (before `from`)       -> web omitted
// android: k=1 alice, bob (100%). ios: k=2 alice (100%). Rows by k, then platform.
TEST_F(StickinessTest, BreakdownCountsEachValueSeparately) {
  Add("2026-10-05T12:00:00", "alice", "app_open", "ios");
  Add("2026-10-06T12:00:00", "alice", "app_open", "android");
  Add("2026-10-08T12:00:00", "alice", "app_open", "ios");
  Add("2026-10-07T12:00:00", "bob", "app_open", "android");
  Add("2026-10-01T12:00:00", "carol", "app_open", "web");
  Load();
  AnalyticsScope scope = Scope("2026-10-05", "2026-10-09");
  scope.breakdown = ColumnId::kPlatform;
  ASSERT_OK_AND_ASSIGN(ResultSet result, Stickiness(table_.Snapshot(), scope, Period::kDay, "*"));
  EXPECT_EQ(result.names, (std::vector<std::string>{"periods_active", "platform", "users", "pct"}));
  EXPECT_EQ(Rows(result),
            (std::vector<std::string>{"1|android|2|100.00", "1|ios|0|0.00", "2|android|0|0.00",
                                      "2|ios|1|100.00", "3|android|0|0.00", "3|ios|0|0.00",
                                      "4|android|0|0.00", "4|ios|0|0.00"}));
}

// Europe/Berlin, local days 10-24 .. 10-26; clocks go back on Sun 10-25 at
// 03:00 CEST (UTC+2) to 02:00 CET (UTC+1).
//   alice: 10-23T22:30Z = 10-24 00:30 CEST; 10-25T23:30Z = 10-26 00:30 CET  -> 2 days
//   bob:   10-25T22:30Z = 10-25 23:30 CET; 10-26T23:30Z = 10-27 00:30 (out) -> 1 day
//   carol: 10-24T21:59Z = 10-24 23:59 CEST; 10-24T22:30Z = 10-25 00:30 CEST;
//          10-26T22:59:59Z = 10-26 23:59:59 CET                             -> 3 days
//   dave:  10-23T21:30Z = 10-23 23:30 CEST (before `from`)                  -> not active
// Berlin: k=1 bob, k=2 alice, k=3 carol (a third each).
// UTC days instead: alice 10-25 (1), bob 10-25, 10-26 (2), carol 10-24, 10-26 (2),
// dave out: k=1 alice, k=2 bob and carol, k=3 none.
TEST_F(StickinessTest, DaysFollowTheTimeZoneAcrossDst) {
  Add("2026-10-23T22:30:00", "alice", "app_open");
  Add("2026-10-25T23:30:00", "alice", "app_open");
  Add("2026-10-25T22:30:00", "bob", "app_open");
  Add("2026-10-26T23:30:00", "bob", "app_open");
  Add("2026-10-24T21:59:00", "carol", "app_open");
  Add("2026-10-24T22:30:00", "carol", "app_open");
  Add("2026-10-26T22:59:59", "carol", "app_open");
  Add("2026-10-23T21:30:00", "dave", "app_open");
  Load();
  const TableSnapshot snapshot = table_.Snapshot();
  ASSERT_OK_AND_ASSIGN(
      ResultSet berlin,
      Stickiness(snapshot, BerlinScope("2026-10-24", "2026-10-27"), Period::kDay, "*"));
  EXPECT_EQ(Rows(berlin), (std::vector<std::string>{"1|1|33.33", "2|1|33.33", "3|1|33.33"}));
  ASSERT_OK_AND_ASSIGN(ResultSet utc,
                       Stickiness(snapshot, Scope("2026-10-24", "2026-10-27"), Period::kDay, "*"));
  EXPECT_EQ(Rows(utc), (std::vector<std::string>{"1|1|33.33", "2|2|66.67", "3|0|0.00"}));
}

// No events at all: without a breakdown every row is still there, all zero.
TEST_F(StickinessTest, EmptyTableGivesZeroRows) {
  ASSERT_OK_AND_ASSIGN(
      ResultSet result,
      Stickiness(table_.Snapshot(), Scope("2026-10-05", "2026-10-07"), Period::kDay, "*"));
  EXPECT_EQ(Rows(result), (std::vector<std::string>{"1|0|0.00", "2|0|0.00"}));
}

// Days 10-05 .. 10-08; the period before the first is 10-04.
//   alice: 09-20, 10-04, 10-05, 10-06
//   bob:   10-06, 10-08 (first event ever on 10-06)
//   carol: 09-25, 10-07
//   dave:  10-04 only
//   erin:  10-03, 10-05
// 10-05: active {alice, erin}, prev {alice, dave}, before {alice, carol, dave, erin}:
//        new 0, returning alice, resurrecting erin, dormant dave (-1).
// 10-06: active {alice, bob}, prev {alice, erin}: new bob, returning alice,
//        resurrecting 0, dormant erin (-1).
// 10-07: active {carol}, prev {alice, bob}: resurrecting carol, dormant -2.
// 10-08: active {bob}, prev {carol}: resurrecting bob (seen 10-06, not 10-07), dormant carol.
TEST_F(LifecycleTest, FourStatusesPerDay) {
  for (const char* time : {"2026-09-20T12:00:00", "2026-10-04T12:00:00", "2026-10-05T12:00:00",
                           "2026-10-06T12:00:00"}) {
    Add(time, "alice", "app_open");
  }
  Add("2026-10-06T12:00:00", "bob", "app_open");
  Add("2026-10-08T12:00:00", "bob", "app_open");
  Add("2026-09-25T12:00:00", "carol", "app_open");
  Add("2026-10-07T12:00:00", "carol", "app_open");
  Add("2026-10-04T12:00:00", "dave", "app_open");
  Add("2026-10-03T12:00:00", "erin", "app_open");
  Add("2026-10-05T12:00:00", "erin", "app_open");
  Load();
  const TableSnapshot snapshot = table_.Snapshot();
  const AnalyticsScope scope = Scope("2026-10-05", "2026-10-09");
  ASSERT_OK_AND_ASSIGN(ResultSet result, Lifecycle(snapshot, scope, Period::kDay, "*"));
  EXPECT_EQ(result.names, (std::vector<std::string>{"period", "status", "users"}));
  const std::vector<std::string> expected = {
      "2026-10-05|new|0",          "2026-10-05|returning|1",    "2026-10-05|resurrecting|1",
      "2026-10-05|dormant|-1",     "2026-10-06|new|1",          "2026-10-06|returning|1",
      "2026-10-06|resurrecting|0", "2026-10-06|dormant|-1",     "2026-10-07|new|0",
      "2026-10-07|returning|0",    "2026-10-07|resurrecting|1", "2026-10-07|dormant|-2",
      "2026-10-08|new|0",          "2026-10-08|returning|0",    "2026-10-08|resurrecting|1",
      "2026-10-08|dormant|-1"};
  EXPECT_EQ(Rows(result), expected);

  // The scan path agrees with the bitmap path.
  AnalyticsScope scan_scope = scope;
  scan_scope.utc = false;
  ASSERT_OK_AND_ASSIGN(ResultSet scanned, Lifecycle(snapshot, scan_scope, Period::kDay, "*"));
  EXPECT_EQ(Rows(scanned), expected);
}

// Only `purchase` counts as activity (and as "first ever"):
//   alice: app_open 10-01, purchase 10-06 -> new on 10-06 (first purchase), dormant 10-07
//   bob:   purchase 10-01, purchase 10-07 -> resurrecting on 10-07
// 10-06: new 1. 10-07: resurrecting 1, dormant -1.
TEST_F(LifecycleTest, EventFilterDefinesActivityAndFirstEver) {
  Add("2026-10-01T12:00:00", "alice", "app_open");
  Add("2026-10-06T12:00:00", "alice", "purchase");
  Add("2026-10-01T12:00:00", "bob", "purchase");
  Add("2026-10-07T12:00:00", "bob", "purchase");
  Load();
  ASSERT_OK_AND_ASSIGN(
      ResultSet result,
      Lifecycle(table_.Snapshot(), Scope("2026-10-06", "2026-10-08"), Period::kDay, "purchase"));
  EXPECT_EQ(Rows(result),
            (std::vector<std::string>{"2026-10-06|new|1", "2026-10-06|returning|0",
                                      "2026-10-06|resurrecting|0", "2026-10-06|dormant|0",
                                      "2026-10-07|new|0", "2026-10-07|returning|0",
                                      "2026-10-07|resurrecting|1", "2026-10-07|dormant|-1"}));
}

// Europe/Berlin weeks of Mon 10-19 (holding the DST change on Sun 10-25) and
// Mon 10-26; the period before is the week of Mon 10-12.
//   alice: 10-12T10:00Z (week 10-12); 10-25T23:30Z = Mon 10-26 00:30 CET (week 10-26)
//   bob:   10-18T22:30Z = Mon 10-19 00:30 CEST (week 10-19, his first event); 10-27
//   carol: 10-01 (history), 10-20
// Week 10-19: active {bob, carol}, prev {alice}, before {alice, carol}:
//             new bob, returning 0, resurrecting carol, dormant alice (-1).
// Week 10-26: active {alice, bob}, prev {bob, carol}: new 0, returning bob,
//             resurrecting alice, dormant carol (-1).
// In UTC alice's second event falls on Sun 10-25 and bob's first on Sun 10-18.
TEST_F(LifecycleTest, WeeksInBerlinAcrossDst) {
  Add("2026-10-12T10:00:00", "alice", "app_open");
  Add("2026-10-25T23:30:00", "alice", "app_open");
  Add("2026-10-18T22:30:00", "bob", "app_open");
  Add("2026-10-27T12:00:00", "bob", "app_open");
  Add("2026-10-01T12:00:00", "carol", "app_open");
  Add("2026-10-20T12:00:00", "carol", "app_open");
  Load();
  const TableSnapshot snapshot = table_.Snapshot();
  ASSERT_OK_AND_ASSIGN(
      ResultSet berlin,
      Lifecycle(snapshot, BerlinScope("2026-10-19", "2026-11-02"), Period::kWeek, "*"));
  EXPECT_EQ(Rows(berlin),
            (std::vector<std::string>{"2026-10-19|new|1", "2026-10-19|returning|0",
                                      "2026-10-19|resurrecting|1", "2026-10-19|dormant|-1",
                                      "2026-10-26|new|0", "2026-10-26|returning|1",
                                      "2026-10-26|resurrecting|1", "2026-10-26|dormant|-1"}));
  // UTC: week 10-12 = {alice, bob}; week 10-19 = {alice, carol}: new 0, returning
  // alice, resurrecting carol, dormant bob. Week 10-26 = {bob}: resurrecting bob,
  // dormant alice and carol.
  ASSERT_OK_AND_ASSIGN(ResultSet utc,
                       Lifecycle(snapshot, Scope("2026-10-19", "2026-11-02"), Period::kWeek, "*"));
  EXPECT_EQ(Rows(utc),
            (std::vector<std::string>{"2026-10-19|new|0", "2026-10-19|returning|1",
                                      "2026-10-19|resurrecting|1", "2026-10-19|dormant|-1",
                                      "2026-10-26|new|0", "2026-10-26|returning|0",
                                      "2026-10-26|resurrecting|1", "2026-10-26|dormant|-2"}));
}

// Days 10-05, 10-06 by platform; the period before is 10-04.
//   alice: ios 10-04, android 10-05, ios 10-06
//   bob:   android 10-05, android 10-06
//   carol: web 09-20 only -> no activity from 10-04 on: web omitted
// ios     10-05: active {}, prev {alice}: dormant -1.
//         10-06: active {alice}, prev {}, before {alice}: resurrecting 1.
// android 10-05: active {alice, bob}, before {}: new 2.
//         10-06: active {bob}, prev {alice, bob}: returning 1, dormant -1.
TEST_F(LifecycleTest, BreakdownTracksEachValueSeparately) {
  Add("2026-10-04T12:00:00", "alice", "app_open", "ios");
  Add("2026-10-05T12:00:00", "alice", "app_open", "android");
  Add("2026-10-06T12:00:00", "alice", "app_open", "ios");
  Add("2026-10-05T12:00:00", "bob", "app_open", "android");
  Add("2026-10-06T12:00:00", "bob", "app_open", "android");
  Add("2026-09-20T12:00:00", "carol", "app_open", "web");
  Load();
  AnalyticsScope scope = Scope("2026-10-05", "2026-10-07");
  scope.breakdown = ColumnId::kPlatform;
  ASSERT_OK_AND_ASSIGN(ResultSet result, Lifecycle(table_.Snapshot(), scope, Period::kDay, "*"));
  EXPECT_EQ(result.names, (std::vector<std::string>{"period", "platform", "status", "users"}));
  EXPECT_EQ(Rows(result), (std::vector<std::string>{
                              "2026-10-05|android|new|2", "2026-10-05|android|returning|0",
                              "2026-10-05|android|resurrecting|0", "2026-10-05|android|dormant|0",
                              "2026-10-05|ios|new|0", "2026-10-05|ios|returning|0",
                              "2026-10-05|ios|resurrecting|0", "2026-10-05|ios|dormant|-1",
                              "2026-10-06|android|new|0", "2026-10-06|android|returning|1",
                              "2026-10-06|android|resurrecting|0", "2026-10-06|android|dormant|-1",
                              "2026-10-06|ios|new|0", "2026-10-06|ios|returning|0",
                              "2026-10-06|ios|resurrecting|1", "2026-10-06|ios|dormant|0"}));
}

}  // namespace
}  // namespace mua
