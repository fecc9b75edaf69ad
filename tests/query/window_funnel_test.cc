// Golden tests for windowFunnel: every example of spec/clickhouse.md §2 and of
// ClickHouse's 00632_aggregation_window_funnel test, plus randomized agreement
// of the sorted fast path, the general state (with merges) and a brute force.
#include "query/functions/window_funnel.h"

#include <algorithm>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/str_split.h"
#include "gtest/gtest.h"
#include "tests/query/aggregate_test_util.h"
#include "tests/testutil/status_matchers.h"

namespace mua::query_internal {
namespace {

using ::mua::test::StatusIs;

struct Row {
  int64_t ts;
  uint32_t mask;
};

// "a0 b10 x11": letter k ('a' = condition 1) at a timestamp; 'x' matches nothing;
// "abc5" is one row matching conditions 1..3.
std::vector<Row> Rows(const std::string& text) {
  std::vector<Row> rows;
  for (absl::string_view token : absl::StrSplit(text, ' ', absl::SkipEmpty())) {
    Row row{0, 0};
    size_t i = 0;
    for (; i < token.size() && token[i] >= 'a' && token[i] <= 'z'; ++i) {
      if (token[i] != 'x') row.mask |= 1u << (token[i] - 'a');
    }
    row.ts = std::stoll(std::string(token.substr(i)));
    rows.push_back(row);
  }
  return rows;
}

WindowFunnelOptions Options(int64_t window, std::vector<absl::string_view> modes, int n) {
  absl::StatusOr<WindowFunnelOptions> options = WindowFunnelOptions::Create(window, modes, n);
  EXPECT_TRUE(options.ok()) << options.status();
  return *options;
}

uint8_t General(const std::vector<Row>& rows, const WindowFunnelOptions& options) {
  WindowFunnelState state;
  for (const Row& row : rows) state.Add(row.ts, row.mask, options);
  return state.Result(options);
}

uint8_t Sorted(std::vector<Row> rows, const WindowFunnelOptions& options) {
  std::stable_sort(rows.begin(), rows.end(),
                   [](const Row& a, const Row& b) { return a.ts < b.ts; });
  std::vector<int64_t> ts;
  std::vector<uint32_t> masks;
  for (const Row& row : rows) {
    ts.push_back(row.ts);
    masks.push_back(row.mask);
  }
  return WindowFunnelSorted(ts, masks, options);
}

// Runs both paths; they must agree.
int Funnel(const std::string& rows_text, int64_t window, int n,
           std::vector<absl::string_view> modes = {}) {
  const WindowFunnelOptions options = Options(window, modes, n);
  const std::vector<Row> rows = Rows(rows_text);
  const int general = General(rows, options);
  EXPECT_EQ(general, Sorted(rows, options)) << rows_text;
  return general;
}

TEST(WindowFunnelTest, VerifiedExamplesFromSpec) {
  EXPECT_EQ(Funnel("a0 b10", 10, 3), 2);  // window is inclusive
  EXPECT_EQ(Funnel("a0 b11", 10, 3), 1);
  EXPECT_EQ(Funnel("b0 c1", 10, 3), 0);  // no step 1
  EXPECT_EQ(Funnel("a5 b5", 10, 3), 2);  // equal timestamps: condition order
  EXPECT_EQ(Funnel("b5 a5", 10, 3), 2);  // modern (18.16 gave 1)
  EXPECT_EQ(Funnel("a0 a5 b12", 10, 3), 2);
  EXPECT_EQ(Funnel("b1 a0", 10, 3), 2);  // unsorted input
  EXPECT_EQ(Funnel("a0 c1 b2", 10, 3), 2);
  EXPECT_EQ(Funnel("a0 b2 a5 c11", 10, 3), 2);  // c11 is 11 after the chain start
  EXPECT_EQ(Funnel("a0 b1 a9 c10", 10, 3), 3);
  EXPECT_EQ(Funnel("a0 b1 b1 c2", 10, 3), 3);
  EXPECT_EQ(Funnel("a0 x1 b2 c3", 10, 3), 3);  // unrelated rows are skipped
  EXPECT_EQ(Funnel("a5 b5", 0, 3), 2);         // window 0
  EXPECT_EQ(Funnel("abc7", 10, 3), 3);         // one row fills all steps (modern)
  EXPECT_EQ(Funnel("", 10, 3), 0);             // empty group
  EXPECT_EQ(Funnel("a3", 10, 1), 1);
  EXPECT_EQ(Funnel("b3", 10, 1), 0);
}

TEST(WindowFunnelTest, ClickHouse00632Basic) {
  // funnel_test: (t, 1000 + t) for t = 0..8; letters name the conditions.
  EXPECT_EQ(Funnel("a0", 10000, 1), 1);
  EXPECT_EQ(Funnel("a0 b1", 10000, 2), 2);
  EXPECT_EQ(Funnel("a0 b1 c2", 10000, 3), 3);
  EXPECT_EQ(Funnel("a0 b1 c2 d8", 10000, 4), 4);  // conditions 1000, 1001, 1002, 1008
  EXPECT_EQ(Funnel("a0", 1, 1), 1);
  // windowFunnel(w)(t, e=1003, ..., e=1007): rows 3..7 as conditions 1..5.
  const std::string mid = "x0 x1 x2 a3 b4 c5 d6 e7 x8";
  EXPECT_EQ(Funnel(mid, 2, 5), 3);
  EXPECT_EQ(Funnel(mid, 3, 5), 4);
  EXPECT_EQ(Funnel(mid, 4, 5), 5);
  // funnel_test2 (t = 1..8, events 1001..1008): e=1001 then e=1008, and reversed.
  EXPECT_EQ(Funnel("a1 x2 x3 x4 x5 x6 x7 b8", 10000, 2), 2);
  EXPECT_EQ(Funnel("b1 x2 x3 x4 x5 x6 x7 a8", 10000, 2), 1);
  // Overlapping conditions e<=1007, e>=1002, e<=1006, e>=1004 with window 4: rows
  // 1001..1008 at t = 1..8 match {1,3}, {1,2,3}, {1,2,3}, {1,2,3,4}, {1,2,3,4},
  // {1,2,3,4}, {1,2,4}, {2,4}.
  EXPECT_EQ(Funnel("ac1 abc2 abc3 abcd4 abcd5 abcd6 abd7 bd8", 4, 4), 4);
  // The same with timestamps near 1e14 (UInt64 in ClickHouse).
  EXPECT_EQ(Funnel("ac100000000000001 abc100000000000002 abcd100000000000004", 4, 4), 4);
}

TEST(WindowFunnelTest, StrictDeduplication) {
  // funnel_test_strict: 1000..1006 at 0,10,...,50 with 1005 at 50 and again at 51.
  const std::string rows = "a0 b10 c20 d30 e40 f50 f51 g60 x70 x80";
  EXPECT_EQ(Funnel(rows, 10000, 7, {"strict_deduplication"}), 6);
  EXPECT_EQ(Funnel(rows, 10000, 7), 7);
  // Issue #27469: a,b,c,b,d with 4 conditions.
  EXPECT_EQ(Funnel("a1 b2 c3 b4 d5", 86400, 4, {"strict_deduplication"}), 3);
  // A repeated step 1 just restarts the chain.
  EXPECT_EQ(Funnel("a1 a2 b3 c4", 86400, 3, {"strict_deduplication"}), 3);
}

TEST(WindowFunnelTest, StrictOrder) {
  // funnel_test_strict_order, users 1..6 (d matches no condition).
  const std::vector<std::string> users = {"a1 b2 c3",
                                          "a1 x2 b3 c4",
                                          "a1 a2 b3 b4 c5 c6",
                                          "a1 a2 a3 a4 b5 b6 c7 c8",
                                          "a1 a2 b3 b4 x5 c6 c7",
                                          "c1 c2 b3 b4 a5 a6"};
  const std::vector<int> plain = {3, 3, 3, 3, 3, 1};
  const std::vector<int> strict_order = {3, 1, 3, 3, 2, 1};
  const std::vector<int> with_dedup = {3, 1, 2, 2, 2, 1};
  for (size_t u = 0; u < users.size(); ++u) {
    EXPECT_EQ(Funnel(users[u], 86400, 3), plain[u]) << "user " << u + 1;
    EXPECT_EQ(Funnel(users[u], 86400, 3, {"strict_order"}), strict_order[u]) << "user " << u + 1;
    EXPECT_EQ(Funnel(users[u], 86400, 3, {"strict_deduplication", "strict_order"}), with_dedup[u])
        << "user " << u + 1;
  }
  EXPECT_EQ(Funnel("a1 c2 b3", 10, 3, {"strict_order"}), 1);  // user 7
  EXPECT_EQ(Funnel("a0 c1 b2", 10, 3, {"strict_order"}), 1);
  // Unrelated rows before the first step do not matter.
  EXPECT_EQ(Funnel("x0 a1 b2", 10, 2, {"strict_order"}), 2);
  // With one condition strict_order needs a step-1 row too.
  EXPECT_EQ(Funnel("x0 a1 x2", 10, 1, {"strict_order"}), 1);
  EXPECT_EQ(Funnel("x0", 10, 1, {"strict_order"}), 0);
}

TEST(WindowFunnelTest, NullableConditionsWithCoalesce) {
  // funnel_test_non_null user 4: (1, null, 'b1'), (2, 'a2', null), (3, null, 'b3')
  // with conditions (a is null, b = 'b3'): rows match {1}, {}, {1, 2}.
  EXPECT_EQ(Funnel("a1 x2 ab3", 86400, 2), 2);
  EXPECT_EQ(Funnel("a1 x2 ab3", 86400, 2, {"strict_order"}), 1);
  // users 1..3 of the same test, conditions (a = 'a1', b = 'b2').
  EXPECT_EQ(Funnel("a1 b2", 86400, 2), 2);
  EXPECT_EQ(Funnel("a1 x2", 86400, 2), 1);
  EXPECT_EQ(Funnel("x1", 86400, 2), 0);
}

TEST(WindowFunnelTest, StrictIncreaseAndStrictOnce) {
  // funnel_test_strict_increase: (0,1000), (1,1001), (1,1002), (1,1003), (2,1004).
  EXPECT_EQ(Funnel("a0 b1 c1 d1 e2", 10000, 5), 5);
  EXPECT_EQ(Funnel("a0 b1 c1 d1 e2", 10000, 5, {"strict_increase"}), 2);
  // windowFunnel(10000)(t, e = 1004, e = 1004, e = 1004): one row, three conditions.
  EXPECT_EQ(Funnel("x0 x1 x1 x1 abc2", 10000, 3), 3);
  EXPECT_EQ(Funnel("x0 x1 x1 x1 abc2", 10000, 3, {"strict_once"}), 1);
  EXPECT_EQ(Funnel("x0 x1 x1 x1 abc2", 10000, 3, {"strict_increase"}), 1);
}

TEST(WindowFunnelTest, StrictOnceFailureFailureSuccess) {
  // Conditions (failure, failure, success), window 200; a failure row matches 1 and 2.
  const std::vector<std::string> uids = {"ab180 ab220 c250", "ab100 ab250",
                                         "c200 ab210 c230"};  // uid 123, 234, 345
  const std::vector<int> expected = {3, 2, 1};
  for (size_t u = 0; u < uids.size(); ++u) {
    EXPECT_EQ(Funnel(uids[u], 200, 3, {"strict_once", "strict_increase"}), expected[u]);
    EXPECT_EQ(Funnel(uids[u], 200, 3, {"strict_once"}), expected[u]);
    EXPECT_EQ(Funnel(uids[u], 200, 3, {"strict_once", "strict_deduplication"}), expected[u]);
    EXPECT_EQ(Funnel(uids[u], 200, 3), uids[u] == "ab100 ab250" ? 2 : 3);
  }
}

// allow_reentry pinned to the newest windowFunnel source (PR #86916 plus the
// #37177 fix): a re-occurring step 1 restarts step 1 and keeps later steps, and
// allow_reentry skips steps that arrive before their predecessor. An older
// 00632 reference printed 2 for a,b,a,c in plain strict_order; that output
// predates the current code and is not what ClickHouse computes today.
TEST(WindowFunnelTest, AllowReentryPinnedToCurrentCode) {
  const std::vector<std::string> users = {"a1 b2 a3 c4", "a1 b2 a3 b4 c5", "a1 b2 c3 b4 d5",
                                          "a1 c2 b3", "a1 b2 c3 a4 b5 c6 d7"};
  const std::vector<int> strict_order = {3, 3, 3, 1, 3};
  const std::vector<int> reentry = {3, 3, 3, 2, 3};
  const std::vector<int> strict_order_4 = {3, 3, 4, 1, 4};
  const std::vector<int> combined = {3, 2, 3, 2, 3};  // + strict_deduplication
  for (size_t u = 0; u < users.size(); ++u) {
    EXPECT_EQ(Funnel(users[u], 86400, 3, {"strict_order"}), strict_order[u]) << u + 1;
    EXPECT_EQ(Funnel(users[u], 86400, 3, {"strict_order", "allow_reentry"}), reentry[u]) << u + 1;
    EXPECT_EQ(Funnel(users[u], 86400, 4, {"strict_order"}), strict_order_4[u]) << u + 1;
    EXPECT_EQ(Funnel(users[u], 86400, 3, {"strict_order", "allow_reentry", "strict_deduplication"}),
              combined[u])
        << u + 1;
  }
  // Ecommerce: conditions (begin_checkout, view, begin_checkout, complete): a
  // begin_checkout row fills steps 1 and 3 at once, so step 3 comes "too early".
  EXPECT_EQ(Funnel("ac100 b200 ac300 d400", 600, 4, {"strict_order"}), 1);
  EXPECT_EQ(Funnel("ac100 b200 ac300 d400", 600, 4, {"strict_order", "allow_reentry"}), 4);
  EXPECT_EQ(Funnel("ac100 b200 d300", 600, 4, {"strict_order", "allow_reentry"}), 2);
}

TEST(WindowFunnelTest, OptionValidation) {
  const std::vector<absl::string_view> none;
  EXPECT_THAT(WindowFunnelOptions::Create(10, {"strict"}, 2),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_EQ(WindowFunnelOptions::Create(10, {"strict"}, 2).status().message(),
            "strict is replaced with strict_deduplication in Aggregate function windowFunnel");
  EXPECT_THAT(WindowFunnelOptions::Create(10, {"strict_orderr"}, 2),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(WindowFunnelOptions::Create(10, {"allow_reentry"}, 2),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_TRUE(WindowFunnelOptions::Create(10, {"allow_reentry", "strict_order"}, 2).ok());
  EXPECT_THAT(WindowFunnelOptions::Create(-1, none, 2),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(WindowFunnelOptions::Create(10, none, 0),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(WindowFunnelOptions::Create(10, none, 33),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_TRUE(WindowFunnelOptions::Create(10, none, 32).ok());
  EXPECT_TRUE(WindowFunnelOptions::Create(10,
                                          {"strict_deduplication", "strict_order",
                                           "strict_increase", "strict_once", "allow_reentry"},
                                          3)
                  .ok());
}

TEST(WindowFunnelTest, MergeEqualsSingleStateAndExtremes) {
  const WindowFunnelOptions options = Options(10, {}, 3);
  WindowFunnelState left, right;
  left.Add(0, 0b001, options);
  left.Add(15, 0b100, options);
  right.Add(5, 0b010, options);
  right.Add(9, 0b100, options);
  left.Merge(right);
  EXPECT_EQ(left.Result(options), 3);
  WindowFunnelState empty;
  left.Merge(empty);
  EXPECT_EQ(left.Result(options), 3);
  // Huge windows and negative timestamps do not overflow.
  const WindowFunnelOptions wide = Options(INT64_MAX, {}, 2);
  EXPECT_EQ(Sorted({{INT64_MIN, 1}, {-1, 2}}, wide), 2);
  EXPECT_EQ(Sorted({{INT64_MIN, 1}, {INT64_MAX, 2}}, wide), 1);
  EXPECT_EQ(General({{-100, 1}, {-95, 2}}, Options(5, {}, 2)), 2);
  EXPECT_EQ(General({{-100, 1}, {-94, 2}}, Options(5, {}, 2)), 1);
  // 32 conditions, one row matching all of them.
  EXPECT_EQ(General({{7, ~0u}}, Options(0, {}, 32)), 32);
}

// The exact definition of the default mode (spec §2): the longest e1 < ... < eL
// in (ts, condition) order with e_j of condition j and ts(eL) <= ts(e1) + window.
int BruteForce(std::vector<Row> rows, int64_t window, int n) {
  struct Entry {
    int64_t ts;
    int cond;
  };
  std::vector<Entry> entries;
  for (const Row& row : rows) {
    for (int k = 0; k < n; ++k) {
      if ((row.mask >> k) & 1) entries.push_back({row.ts, k + 1});
    }
  }
  std::sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) {
    return a.ts != b.ts ? a.ts < b.ts : a.cond < b.cond;
  });
  int best = 0;
  for (size_t s = 0; s < entries.size(); ++s) {
    if (entries[s].cond != 1) continue;
    int level = 1;
    for (size_t i = s + 1; i < entries.size() && level < n; ++i) {
      if (entries[i].ts - entries[s].ts > window) break;
      if (entries[i].cond == level + 1) ++level;
    }
    best = std::max(best, level);
  }
  return best;
}

TEST(WindowFunnelTest, RandomSortedGeneralMergedAndBruteForceAgree) {
  std::mt19937_64 rng(20261005);
  const std::vector<std::vector<absl::string_view>> mode_sets = {
      {},
      {"strict_deduplication"},
      {"strict_order"},
      {"strict_increase"},
      {"strict_once"},
      {"strict_order", "allow_reentry"},
      {"strict_deduplication", "strict_order"},
      {"strict_once", "strict_increase", "strict_deduplication"},
      {"strict_once", "strict_order", "allow_reentry"},
  };
  for (int iteration = 0; iteration < 3000; ++iteration) {
    const int n = 1 + static_cast<int>(rng() % 5);
    const int64_t window = static_cast<int64_t>(rng() % 12);
    const int row_count = static_cast<int>(rng() % 14);
    std::vector<Row> rows;
    for (int r = 0; r < row_count; ++r) {
      const uint32_t mask =
          rng() % 3 == 0 ? static_cast<uint32_t>(rng() % (1u << n)) : 1u << (rng() % n);
      rows.push_back({static_cast<int64_t>(rng() % 20), mask});
    }
    const auto& modes = mode_sets[iteration % mode_sets.size()];
    const WindowFunnelOptions options = Options(window, modes, n);
    const int sorted = Sorted(rows, options);
    ASSERT_EQ(General(rows, options), sorted) << iteration;
    // Split the rows over three partial states and merge them.
    WindowFunnelState parts[3];
    for (size_t r = 0; r < rows.size(); ++r)
      parts[rng() % 3].Add(rows[r].ts, rows[r].mask, options);
    parts[0].Merge(parts[1]);
    parts[0].Merge(parts[2]);
    if (!options.Has(FunnelMode::kStrictOnce)) {
      // strict_once tells rows apart, so only the multiset of entries matters otherwise.
      ASSERT_EQ(parts[0].Result(options), sorted) << iteration;
    }
    if (modes.empty()) {
      ASSERT_EQ(BruteForce(rows, window, n), sorted) << iteration;
    }
  }
}

// The aggregate over DateTime64(3): events ordered by milliseconds, then by
// condition index; the window in seconds compared at millisecond resolution.
class WindowFunnelMillisecondsTest : public ::testing::Test {
 protected:
  // "a1900 b1100": letter = condition, number = milliseconds.
  static int64_t Level(int64_t window, const std::string& text, int n = 3,
                       std::vector<Vector> modes = {}) {
    const std::vector<Row> rows = Rows(text);
    const DataType ms = DataType::Of(TypeId::kDateTime64);
    std::vector<Vector> args(1 + n);
    args[0].type = ms;
    for (int k = 0; k < n; ++k) args[k + 1].type = DataType::Of(TypeId::kUInt8);
    for (const Row& row : rows) {
      args[0].ints.push_back(row.ts);
      for (int k = 0; k < n; ++k) args[k + 1].ints.push_back((row.mask >> k) & 1);
    }
    for (Vector& v : args) v.size = rows.size();
    std::vector<DataType> types;
    for (const Vector& v : args) types.push_back(v.type);
    std::vector<Vector> parameters = {Vector::ConstantInt(DataType::Of(TypeId::kUInt64), window, 1)};
    for (Vector& mode : modes) parameters.push_back(mode);
    auto f = test::BindOrDie("windowFunnel", parameters, types);
    return test::CheckAllPaths(*f, args, std::vector<uint32_t>(rows.size(), 0), 1).ints[0];
  }
};

TEST_F(WindowFunnelMillisecondsTest, SameSecondOrderedByMilliseconds) {
  // b 800 ms before a inside one second: a cannot precede it.
  EXPECT_EQ(Level(1, "a1900 b1100"), 1);
  EXPECT_EQ(Level(1, "a1100 b1900"), 2);
  EXPECT_EQ(Level(1, "b1100 a1900 c1950"), 1);
  EXPECT_EQ(Level(1, "a1100 c1200 b1300 c1400"), 3);
  // Equal milliseconds: condition index order, one row may fill several steps.
  EXPECT_EQ(Level(1, "b1500 a1500"), 2);
  EXPECT_EQ(Level(1, "abc1500"), 3);
  // Issue 16's case: the old seconds-only order let c fill step 3 before b.
  EXPECT_EQ(Level(3600, "a1000 c5200 b5700"), 2);
  EXPECT_EQ(Level(3600, "a1000 b5200 c5700"), 3);
}

TEST_F(WindowFunnelMillisecondsTest, WindowComparedInMilliseconds) {
  EXPECT_EQ(Level(1, "a0 b1000"), 2);  // inclusive
  EXPECT_EQ(Level(1, "a0 b1001"), 1);  // one second and a millisecond
  EXPECT_EQ(Level(0, "a500 b500"), 2);
  EXPECT_EQ(Level(0, "a500 b501"), 1);
  EXPECT_EQ(Level(2, "a999 b2000 c2999"), 3);
  EXPECT_EQ(Level(2, "a999 b2000 c3000"), 2);
}

TEST_F(WindowFunnelMillisecondsTest, ModesKeepTheirMeaning) {
  const std::vector<Vector> strict_order = {Vector::ConstantString("strict_order", 1)};
  EXPECT_EQ(Level(10, "a1100 x1200 b1300", 2, strict_order), 1);
  EXPECT_EQ(Level(10, "a1100 b1200 x1300", 2, strict_order), 2);
  const std::vector<Vector> strict_increase = {Vector::ConstantString("strict_increase", 1)};
  EXPECT_EQ(Level(10, "a1100 b1100", 2, strict_increase), 1);
  EXPECT_EQ(Level(10, "a1100 b1101", 2, strict_increase), 2);
  const std::vector<Vector> dedup = {Vector::ConstantString("strict_deduplication", 1)};
  EXPECT_EQ(Level(10, "a1000 b1100 b1200 c1300", 3, dedup), 2);
}

}  // namespace
}  // namespace mua::query_internal
