// DetectAnomalies and AnomalousUsers on small hand-built inputs. Every expected number is
// worked out by hand in the comment beside it (AnomalousUsers' population with Python's
// statistics module, the snippet is beside the numbers). 1.4826 = 1/Φ⁻¹(3/4).
#include "query/analytics/anomaly.h"

#include <cmath>
#include <iterator>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "tests/testutil/status_matchers.h"

namespace mua {
namespace {

constexpr double kSigma = 1.4826;
constexpr int64_t kHour = 3600;
constexpr int64_t kDay = 86400;

absl::TimeZone Zone(const std::string& name) {
  absl::TimeZone zone;
  EXPECT_TRUE(absl::LoadTimeZone(name, &zone)) << name;
  return zone;
}

// The instant (s) of a local wall-clock hour in `zone`.
int64_t At(int year, int month, int day, int hour,
           const absl::TimeZone& zone = absl::UTCTimeZone()) {
  return absl::ToUnixSeconds(absl::FromCivil(absl::CivilHour(year, month, day, hour), zone));
}

// 2026-10-05 00:00 UTC, a Monday.
const int64_t kT0 = At(2026, 10, 5, 0);

// A series as the SQL layer hands it over: bucket, value, [volume,] [breakdown, is_total].
class Series {
 public:
  explicit Series(DataType bucket_type = DataType::Of(TypeId::kDateTime), bool volume = true,
                  bool breakdown = false)
      : volume_(volume), breakdown_(breakdown) {
    rows_.AddColumn("bucket", bucket_type);
    rows_.AddColumn("value", DataType::Nullable(TypeId::kFloat64));
    if (volume) rows_.AddColumn("volume", DataType::Of(TypeId::kUInt64));
    if (breakdown) {
      rows_.AddColumn("breakdown", DataType::Of(TypeId::kString));
      rows_.AddColumn("is_total", DataType::Of(TypeId::kUInt8));
    }
  }

  // `bucket` in the column's unit (days for Date, s for DateTime, ms for DateTime64);
  // `breakdown` null: the bucket's total row. A NaN value is written as NULL.
  Series& Add(int64_t bucket, double value, uint64_t volume = 1000,
              const char* breakdown = nullptr) {
    rows_.columns[0].ints.push_back(bucket);
    rows_.columns[1].floats.push_back(std::isnan(value) ? 0 : value);
    rows_.columns[1].nulls.push_back(std::isnan(value) ? 1 : 0);
    size_t next = 2;
    if (volume_) rows_.columns[next++].ints.push_back(static_cast<int64_t>(volume));
    if (breakdown_) {
      rows_.columns[next].strings.push_back(breakdown == nullptr ? "" : breakdown);
      rows_.columns[next + 1].ints.push_back(breakdown == nullptr ? 1 : 0);
    }
    ++rows_.row_count;
    return *this;
  }
  // Hourly values from `start`, one an hour.
  Series& Hourly(int64_t start, const std::vector<double>& values, uint64_t volume = 1000) {
    for (size_t i = 0; i < values.size(); ++i)
      Add(start + static_cast<int64_t>(i) * kHour, values[i], volume);
    return *this;
  }
  const ResultSet& rows() const { return rows_; }

 private:
  ResultSet rows_;
  bool volume_;
  bool breakdown_;
};

AnomalyOptions Options(int64_t from_s, int64_t to_s,
                       AnomalySeasonality seasonality = AnomalySeasonality::kNone,
                       AnomalyPeriod period = AnomalyPeriod::kHour) {
  AnomalyOptions options;
  options.from_s = from_s;
  options.to_s = to_s;
  options.seasonality = seasonality;
  options.period = period;
  return options;
}

// One output row, read back by column name.
struct Scored {
  int64_t bucket = 0;
  std::string breakdown;
  double value = 0;
  std::optional<double> expected, lower, upper, score, share;
  bool anomaly = false;
  uint64_t volume = 0;
};

const Column& ColumnNamed(const ResultSet& result, const std::string& name) {
  for (size_t c = 0; c < result.names.size(); ++c) {
    if (result.names[c] == name) return result.columns[c];
  }
  ADD_FAILURE() << "no column " << name;
  return result.columns[0];
}

std::vector<Scored> Rows(const ResultSet& result, const std::string& breakdown_name = "") {
  auto optional = [&](const std::string& name, size_t row) -> std::optional<double> {
    const Column& column = ColumnNamed(result, name);
    if (column.is_null(row)) return std::nullopt;
    return column.floats[row];
  };
  std::vector<Scored> rows;
  for (size_t row = 0; row < result.row_count; ++row) {
    Scored s;
    s.bucket = ColumnNamed(result, "bucket").ints[row];
    if (!breakdown_name.empty()) {
      s.breakdown = ColumnNamed(result, breakdown_name).strings[row];
      s.share = optional("share", row);
    }
    s.value = ColumnNamed(result, "value").floats[row];
    s.expected = optional("expected", row);
    s.lower = optional("lower", row);
    s.upper = optional("upper", row);
    s.score = optional("score", row);
    s.anomaly = ColumnNamed(result, "anomaly").ints[row] != 0;
    s.volume = static_cast<uint64_t>(ColumnNamed(result, "volume").ints[row]);
    rows.push_back(s);
  }
  return rows;
}

// The scored rows of one series; fails the test on an error.
std::vector<Scored> Detect(const Series& series, const AnomalyOptions& options) {
  absl::StatusOr<ResultSet> result = DetectAnomalies(series.rows(), options);
  EXPECT_TRUE(result.ok()) << result.status();
  return result.ok() ? Rows(*result) : std::vector<Scored>{};
}

// The one row scored for the last bucket of `values` (hourly from kT0, no seasonality).
Scored Last(const std::vector<double>& values, AnomalyOptions options = {},
            uint64_t volume = 1000) {
  const int64_t last = kT0 + static_cast<int64_t>(values.size() - 1) * kHour;
  options.from_s = last;
  options.to_s = last + kHour;
  options.seasonality = AnomalySeasonality::kNone;
  std::vector<Scored> rows = Detect(Series().Hourly(kT0, values, volume), options);
  EXPECT_EQ(rows.size(), 1u);
  return rows.empty() ? Scored{} : rows[0];
}

TEST(AnomalyTest, SeasonalMadScoresByMedianAndMad) {
  // The 8 hours before: 100 102 98 101 99 103 97 100, sorted 97 98 99 100 100 101 102 103:
  // median (100 + 100) / 2 = 100.
  // The spread is pooled over the series: each bucket with >= 4 values before it gives its
  // MAD per √expected — hours 4..8: 0.0997509, 0.1, 0.1496264, 0.2, 0.15 (hour 8: MAD 1.5
  // over √100) — whose median is k = 0.1496264. At hour 8 (n = 8): MAD = k · √100 · 1.129 ·
  // √(1 + π/16) = 1.8476990, scale = 1.4826 · max(1.8477, 0.01 · 100, 1) = 2.7393985.
  // 150: score 50 / 2.7393985 = 18.2521822; bounds 100 ∓ 3.5 · 2.7393985 = 90.4121053, 109.5878947.
  const Scored row = Last({100, 102, 98, 101, 99, 103, 97, 100, 150});
  EXPECT_EQ(row.bucket, kT0 + 8 * kHour);
  EXPECT_EQ(row.value, 150);
  EXPECT_DOUBLE_EQ(*row.expected, 100);
  EXPECT_NEAR(*row.score, 18.2521821754, 1e-8);
  EXPECT_NEAR(*row.lower, 90.412105340705, 1e-8);
  EXPECT_NEAR(*row.upper, 109.587894659295, 1e-8);
  EXPECT_TRUE(row.anomaly);
  EXPECT_EQ(row.volume, 1000u);
  // history 7: hour 8's values 97 98 99 100 101 102 103 (median 100, MAD 2: ratio 0.2), the
  // other ratios as before, so k = 0.1496264 still; n = 7: factor 1.140 · √(1 + π/14),
  // MAD = 1.8874465, scale = 2.7983282: score 17.8678115, lower 90.2058514.
  AnomalyOptions seven;
  seven.history = 7;
  const Scored odd = Last({100, 102, 98, 101, 99, 103, 97, 100, 150}, seven);
  EXPECT_DOUBLE_EQ(*odd.expected, 100);
  EXPECT_NEAR(*odd.score, 17.867811478947, 1e-8);
  EXPECT_NEAR(*odd.lower, 90.205851443743, 1e-8);
  // Below: a negative score of the same size.
  const Scored low = Last({100, 102, 98, 101, 99, 103, 97, 100, 50});
  EXPECT_NEAR(*low.score, -18.2521821754, 1e-8);
  EXPECT_TRUE(low.anomaly);
}

TEST(AnomalyTest, ScaleHasFloorsOfOnePercentAndOne) {
  // A constant history has MAD 0. At 1000: scale 1.4826 · 0.01 · 1000 = 14.826; 1150 scores
  // 150 / 14.826 = 10.1174, bounds 1000 ∓ 51.891.
  const Scored big = Last({1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000, 1150});
  EXPECT_NEAR(*big.score, 10.11736139214893, 1e-9);
  EXPECT_NEAR(*big.lower, 948.109, 1e-9);
  EXPECT_NEAR(*big.upper, 1051.891, 1e-9);
  EXPECT_TRUE(big.anomaly);
  // At 50: scale 1.4826 · 1; 55 scores 5 / 1.4826 = 3.3725 (not beyond 3.5), 56 scores 4.0469.
  const Scored five = Last({50, 50, 50, 50, 50, 50, 50, 50, 55});
  EXPECT_NEAR(*five.score, 3.3724537973829762, 1e-9);
  EXPECT_FALSE(five.anomaly);
  const Scored six = Last({50, 50, 50, 50, 50, 50, 50, 50, 56});
  EXPECT_NEAR(*six.score, 4.046944556859572, 1e-9);
  EXPECT_TRUE(six.anomaly);
}

TEST(AnomalyTest, FewerThanMinHistoryValuesGiveNoScore) {
  // 5000 at hour 3 has 3 same-slot values before it (min_history 4): no score, no alarm.
  // Hour 4 has 4: 5000 100 100 100, median 100, |v − 100| 4900 0 0 0, MAD 0: score 0.
  std::vector<Scored> rows =
      Detect(Series().Hourly(kT0, {100, 100, 100, 5000, 100}), Options(kT0, kT0 + 5 * kHour));
  ASSERT_EQ(rows.size(), 5u);
  for (int hour = 0; hour < 4; ++hour) {
    EXPECT_FALSE(rows[hour].expected.has_value()) << hour;
    EXPECT_FALSE(rows[hour].lower.has_value()) << hour;
    EXPECT_FALSE(rows[hour].upper.has_value()) << hour;
    EXPECT_FALSE(rows[hour].score.has_value()) << hour;
    EXPECT_FALSE(rows[hour].anomaly) << hour;
  }
  EXPECT_EQ(rows[3].value, 5000);
  EXPECT_DOUBLE_EQ(*rows[4].expected, 100);
  EXPECT_DOUBLE_EQ(*rows[4].score, 0);
  // min_history 3: hour 3 is scored (and an anomaly); min_history 5: hour 4 is not.
  AnomalyOptions three = Options(kT0, kT0 + 5 * kHour);
  three.min_history = 3;
  rows = Detect(Series().Hourly(kT0, {100, 100, 100, 5000, 100}), three);
  EXPECT_TRUE(rows[3].anomaly);
  EXPECT_FALSE(rows[2].score.has_value());
  AnomalyOptions five = Options(kT0, kT0 + 5 * kHour);
  five.min_history = 5;
  rows = Detect(Series().Hourly(kT0, {100, 100, 100, 5000, 100}), five);
  EXPECT_FALSE(rows[4].score.has_value());
  // Without filling, a missing hour is no value: hour 5 looks back at 4, 2, 1, 0 (3 is
  // absent); and a NULL value is no row at all.
  Series gappy;
  gappy.Hourly(kT0, {100, 100, 100}).Add(kT0 + 4 * kHour, 100).Add(kT0 + 5 * kHour, 100);
  gappy.Add(kT0 + 6 * kHour, std::nan(""));
  rows = Detect(gappy, Options(kT0, kT0 + 7 * kHour));
  ASSERT_EQ(rows.size(), 5u);
  EXPECT_EQ(rows[3].bucket, kT0 + 4 * kHour);
  EXPECT_FALSE(rows[3].score.has_value());  // 2, 1, 0
  EXPECT_TRUE(rows[4].score.has_value());   // 4, 2, 1, 0
  EXPECT_EQ(rows[4].bucket, kT0 + 5 * kHour);
}

TEST(AnomalyTest, MinCountAndRelativeChangeGateAnomalies) {
  // Relative change: at 10000, scale 1.4826 · 100 = 148.26. 10600 scores 600 / 148.26 =
  // 4.0469 > 3.5, but 600 is not over 10 % of 10000: no anomaly; 11100 scores 7.4194 and is one.
  const std::vector<double> flat(8, 10000);
  std::vector<double> values = flat;
  values.push_back(10600);
  const Scored small = Last(values);
  EXPECT_NEAR(*small.score, 4.046944556859572, 1e-9);
  EXPECT_FALSE(small.anomaly);
  values.back() = 11100;
  const Scored large = Last(values);
  EXPECT_NEAR(*large.score, 7.4193983542425475, 1e-9);
  EXPECT_TRUE(large.anomaly);
  // Volume: 100 → 200 scores 100 / 1.4826 = 67.4, but with 150 events behind each value
  // (the larger of 150 and the expected 150) it is below min_count 200; min_count 150 lets it.
  const Scored quiet = Last({100, 100, 100, 100, 100, 100, 100, 100, 200}, {}, 150);
  EXPECT_GT(*quiet.score, 60);
  EXPECT_FALSE(quiet.anomaly);
  AnomalyOptions lower;
  lower.min_count = 150;
  EXPECT_TRUE(Last({100, 100, 100, 100, 100, 100, 100, 100, 200}, lower, 150).anomaly);
  // Without a volume column the volume is the value: 200 ≥ 200.
  Series no_volume(DataType::Of(TypeId::kDateTime), /*volume=*/false);
  for (int hour = 0; hour < 8; ++hour) no_volume.Add(kT0 + hour * kHour, 100);
  no_volume.Add(kT0 + 8 * kHour, 200);
  std::vector<Scored> rows = Detect(no_volume, Options(kT0 + 8 * kHour, kT0 + 9 * kHour));
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_TRUE(rows[0].anomaly);
  EXPECT_EQ(rows[0].volume, 200u);
}

TEST(AnomalyTest, DropsAreJudgedByTheExpectedVolume) {
  // 300 events an hour falls to 20: score (20 − 300) / (1.4826 · 3) = −62.95; its own 20
  // events are below min_count, the 300 it should have had are not: an anomaly.
  Series drop(DataType::Of(TypeId::kDateTime), /*volume=*/false);
  for (int hour = 0; hour < 8; ++hour) drop.Add(kT0 + hour * kHour, 300);
  drop.Add(kT0 + 8 * kHour, 20);
  std::vector<Scored> rows = Detect(drop, Options(kT0 + 8 * kHour, kT0 + 9 * kHour));
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_NEAR(*rows[0].score, -62.95247088448222, 1e-9);
  EXPECT_TRUE(rows[0].anomaly);
  EXPECT_EQ(rows[0].volume, 20u);
  // 150 falling to 20: neither 20 nor 150 reaches 200.
  Series small(DataType::Of(TypeId::kDateTime), /*volume=*/false);
  for (int hour = 0; hour < 8; ++hour) small.Add(kT0 + hour * kHour, 150);
  small.Add(kT0 + 8 * kHour, 20);
  rows = Detect(small, Options(kT0 + 8 * kHour, kT0 + 9 * kHour));
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_LT(*rows[0].score, -3.5);
  EXPECT_FALSE(rows[0].anomaly);
}

TEST(AnomalyTest, EwmaByHand) {
  // alpha 0.5 over 10 20 10 20 (oldest first), mean m and variance v start at 10 and 0;
  // each x: d = x − m, m += 0.5 d, v = 0.5 (v + 0.5 d²):
  //   20: d 10, m 15, v 25;  10: d −5, m 12.5, v 18.75;  20: d 7.5, m 16.25, v 23.4375.
  // scale = max(√23.4375 = 4.8412, 0.1625, 1); 40 scores (40 − 16.25) / 4.8412 = 4.9058,
  // bounds 16.25 ∓ 3.5 · 4.8412 = −0.6943, 33.1943.
  AnomalyOptions ewma;
  ewma.method = AnomalyMethod::kEwma;
  ewma.alpha = 0.5;
  ewma.history = 4;
  const Scored row = Last({10, 20, 10, 20, 40}, ewma);
  EXPECT_DOUBLE_EQ(*row.expected, 16.25);
  EXPECT_NEAR(*row.score, 4.905778905196062, 1e-9);
  EXPECT_NEAR(*row.lower, -0.6943021396574487, 1e-9);
  EXPECT_NEAR(*row.upper, 33.19430213965745, 1e-9);
  EXPECT_TRUE(row.anomaly);
  // The default alpha 0.3 over 100 100 100 130: m 100, 100, 100, then d 30: m 109,
  // v = 0.7 · 0.3 · 900 = 189; 200 scores 91 / √189 = 6.6193. Only the last 4 (history)
  // count: the 5000 before them does not.
  ewma.alpha = 0.3;
  const Scored later = Last({5000, 100, 100, 100, 130, 200}, ewma);
  EXPECT_DOUBLE_EQ(*later.expected, 109);
  EXPECT_NEAR(*later.score, 6.619276003825102, 1e-9);
}

TEST(AnomalyTest, EwmaOverTheSameHourOfDayFollowsTheDailyCycle) {
  // Six days of 100 an hour at night and 1000 from 08:00 to 19:59.
  Series series;
  for (int hour = 0; hour < 6 * 24; ++hour)
    series.Add(kT0 + hour * kHour, hour % 24 >= 8 && hour % 24 < 20 ? 1000 : 100);
  AnomalyOptions daily = Options(kT0, kT0 + 6 * 24 * kHour, AnomalySeasonality::kDay);
  daily.method = AnomalyMethod::kEwma;
  int flagged = 0;
  int scored = 0;
  for (const Scored& row : Detect(series, daily)) {
    flagged += row.anomaly;
    scored += row.score.has_value();
  }
  EXPECT_EQ(flagged, 0);
  EXPECT_EQ(scored, 2 * 24);  // days 5 and 6 have 4 same hours before them
  // Hour after hour, every morning's 08:00 and evening's 20:00 is a jump.
  AnomalyOptions hourly = daily;
  hourly.seasonality = AnomalySeasonality::kNone;
  flagged = 0;
  for (const Scored& row : Detect(series, hourly)) flagged += row.anomaly;
  EXPECT_GE(flagged, 10);
}

TEST(AnomalyTest, SlotsOfWeeklyDailyAndNoSeasonality) {
  // The value of every hour is its index: the expected value (the median of the 8 same-slot
  // values) says which hours were read. Weekly: i − 168 · 4.5; daily: i − 24 · 4.5; none: i − 4.5.
  const int hours = 8 * 168 + 5;
  Series series;
  for (int i = 0; i < hours; ++i) series.Add(kT0 + i * kHour, i);
  const int64_t last = kT0 + (hours - 1) * int64_t{kHour};
  for (const auto& [seasonality, back] :
       {std::pair{AnomalySeasonality::kWeek, 756.0}, std::pair{AnomalySeasonality::kDay, 108.0},
        std::pair{AnomalySeasonality::kNone, 4.5}}) {
    std::vector<Scored> rows = Detect(series, Options(last, last + kHour, seasonality));
    ASSERT_EQ(rows.size(), 1u);
    EXPECT_DOUBLE_EQ(*rows[0].expected, hours - 1 - back);
  }
  // Daily values: weekly is the same weekday (i − 7 · 4.5), none the days before (i − 4.5).
  const int days = 8 * 7 + 3;
  Series daily;
  for (int i = 0; i < days; ++i) daily.Add(kT0 + i * kDay, i);
  const int64_t last_day = kT0 + (days - 1) * kDay;
  for (const auto& [seasonality, back] :
       {std::pair{AnomalySeasonality::kWeek, 31.5}, std::pair{AnomalySeasonality::kNone, 4.5}}) {
    std::vector<Scored> rows =
        Detect(daily, Options(last_day, last_day + kDay, seasonality, AnomalyPeriod::kDay));
    ASSERT_EQ(rows.size(), 1u);
    EXPECT_DOUBLE_EQ(*rows[0].expected, days - 1 - back);
  }
}

// Europe/Berlin: clocks go back on 2026-10-25 (03:00 CEST → 02:00 CET, 02:00 twice) and
// forward on 2026-03-29 (02:00 CET → 03:00 CEST, no 02:00).
TEST(AnomalyTest, WeeklySlotIsTheSameLocalHourAcrossDaylightSaving) {
  const absl::TimeZone berlin = Zone("Europe/Berlin");
  // Every real hour from 10-11 to 11-02 (UTC hours, so 10-25 has 25 of them), valued by its
  // local hour: 1000 + 100 · hour.
  Series series;
  const int64_t start = At(2026, 10, 11, 0, berlin);
  const int64_t end = At(2026, 11, 2, 0, berlin);
  for (int64_t t = start; t < end; t += kHour) {
    series.Add(t, 1000 + 100 * absl::ToCivilHour(absl::FromUnixSeconds(t), berlin).hour());
  }
  AnomalyOptions options = Options(At(2026, 10, 19, 0, berlin), end, AnomalySeasonality::kWeek);
  options.zone = berlin;
  options.history = 1;
  options.min_history = 1;
  std::vector<Scored> rows = Detect(series, options);
  // 10-19 00:00 to 11-02 00:00 local: 14 days of 24 hours, and 10-25's second 02:00.
  ASSERT_EQ(rows.size(), 14u * 24 + 1);
  for (const Scored& row : rows) {
    ASSERT_TRUE(row.expected.has_value()) << row.bucket;
    EXPECT_EQ(*row.expected, row.value) << "bucket " << row.bucket;
    EXPECT_FALSE(row.anomaly) << row.bucket;
  }
  // 10-26 10:00 CET (09:00 UTC) is compared with 10-19 10:00 CEST (08:00 UTC), 169 h before,
  // not with 168 h before (11:00 CEST, 2100). The two 02:00 of 10-25 are their own buckets,
  // both compared with 10-18 02:00, and 11-01 02:00 with the first of them.
  EXPECT_EQ(At(2026, 10, 26, 10, berlin), At(2026, 10, 19, 10, berlin) + 169 * kHour);
  const int64_t first_two = At(2026, 10, 25, 2, berlin);  // 00:00 UTC
  EXPECT_EQ(rows[6 * 24 + 2].bucket, first_two);
  EXPECT_EQ(rows[6 * 24 + 3].bucket, first_two + kHour);
  EXPECT_EQ(rows[6 * 24 + 3].value, 1200);

  // Spring: 04-05 02:00 looks back at 03-29 02:00, which did not exist: no value (not 03:00's).
  Series spring;
  for (int64_t t = At(2026, 3, 22, 0, berlin); t < At(2026, 4, 6, 0, berlin); t += kHour) {
    spring.Add(t, 1000 + 100 * absl::ToCivilHour(absl::FromUnixSeconds(t), berlin).hour());
  }
  AnomalyOptions two_weeks =
      Options(At(2026, 4, 5, 0, berlin), At(2026, 4, 6, 0, berlin), AnomalySeasonality::kWeek);
  two_weeks.zone = berlin;
  two_weeks.history = 2;
  two_weeks.min_history = 2;
  rows = Detect(spring, two_weeks);
  ASSERT_EQ(rows.size(), 24u);
  EXPECT_FALSE(rows[2].score.has_value());  // 02:00: only 03-22's 02:00
  for (int hour = 0; hour < 24; ++hour) {
    if (hour == 2) continue;
    EXPECT_EQ(*rows[hour].expected, rows[hour].value) << hour;
  }
  // Zero filling steps over the missing hour: 03-29 has 23 buckets.
  AnomalyOptions fill = Options(At(2026, 3, 29, 0, berlin), At(2026, 3, 30, 0, berlin));
  fill.zone = berlin;
  fill.series_from_s = fill.from_s;
  EXPECT_EQ(Detect(Series(), fill).size(), 23u);
  fill = Options(At(2026, 10, 25, 0, berlin), At(2026, 10, 26, 0, berlin));
  fill.zone = berlin;
  fill.series_from_s = fill.from_s;
  EXPECT_EQ(Detect(Series(), fill).size(), 25u);
}

TEST(AnomalyTest, DateDateTimeAndDateTime64BucketsAgree) {
  // Daily values 100 100 100 100 500 from 10-05, as Date (days), DateTime (s, at 10:00 and
  // 14:00: rows of one day add up) and DateTime64 (ms).
  const int64_t day0 = kT0 / kDay;
  Series date(DataType::Of(TypeId::kDate));
  Series date_time(DataType::Of(TypeId::kDateTime));
  Series date_time64(DataType::Of(TypeId::kDateTime64));
  for (int day = 0; day < 5; ++day) {
    const double value = day == 4 ? 500 : 100;
    date.Add(day0 + day, value);
    date_time.Add(kT0 + day * kDay + 10 * kHour, value / 2, 500)
        .Add(kT0 + day * kDay + 14 * kHour, value / 2, 500);
    date_time64.Add((kT0 + day * kDay) * 1000 + 123, value);
  }
  const AnomalyOptions options =
      Options(kT0, kT0 + 5 * kDay, AnomalySeasonality::kNone, AnomalyPeriod::kDay);
  for (const Series* series : {&date, &date_time, &date_time64}) {
    std::vector<Scored> rows = Detect(*series, options);
    ASSERT_EQ(rows.size(), 5u);
    for (int day = 0; day < 5; ++day) {
      EXPECT_EQ(rows[day].bucket, kT0 + day * kDay);
      EXPECT_EQ(rows[day].volume, 1000u);
    }
    EXPECT_EQ(rows[4].value, 500);
    EXPECT_DOUBLE_EQ(*rows[4].expected, 100);
    EXPECT_TRUE(rows[4].anomaly);
  }
  // A Date is the local midnight of the zone.
  const absl::TimeZone tokyo = Zone("Asia/Tokyo");
  AnomalyOptions local = Options(At(2026, 10, 5, 0, tokyo), At(2026, 10, 10, 0, tokyo),
                                 AnomalySeasonality::kNone, AnomalyPeriod::kDay);
  local.zone = tokyo;
  std::vector<Scored> rows = Detect(date, local);
  ASSERT_EQ(rows.size(), 5u);
  EXPECT_EQ(rows[0].bucket, kT0 - 9 * kHour);
  // The buckets are DateTime('Asia/Tokyo'), shown on its wall clock; in UTC plain DateTime.
  ASSERT_OK_AND_ASSIGN(ResultSet typed, DetectAnomalies(date.rows(), local));
  EXPECT_EQ(typed.columns[0].type.Name(), "DateTime('Asia/Tokyo')");
  ASSERT_OK_AND_ASSIGN(ResultSet utc, DetectAnomalies(date.rows(), options));
  EXPECT_EQ(utc.columns[0].type.Name(), "DateTime");
  // A DateTime64 before 1970 is floored to the second before it, not after.
  Series old(DataType::Of(TypeId::kDateTime64));
  old.Add(-1, 7);  // 1969-12-31 23:59:59.999
  rows = Detect(old, Options(-kHour, 0));
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].bucket, -kHour);
}

TEST(AnomalyTest, MissingBucketsAreZeroFilledFromTheSeriesStart) {
  // 100 an hour (volume 1000) at hours 0..9 except 8.
  Series series;
  for (int hour = 0; hour < 10; ++hour) {
    if (hour != 8) series.Add(kT0 + hour * kHour, 100);
  }
  AnomalyOptions options = Options(kT0 + 4 * kHour, kT0 + 10 * kHour);
  options.history = 4;
  // Not filled (a user's series): hour 8 is unknown, no row.
  std::vector<Scored> rows = Detect(series, options);
  ASSERT_EQ(rows.size(), 5u);
  EXPECT_EQ(rows[4].bucket, kT0 + 9 * kHour);
  // Filled from hour 0: hour 8 is 0 with volume 0 — a drop to nothing, judged by the 1000
  // events it should have had: score −100 / 1.4826, an anomaly. Hour 9 reads 0 100 100 100.
  options.series_from_s = kT0;
  rows = Detect(series, options);
  ASSERT_EQ(rows.size(), 6u);
  EXPECT_EQ(rows[4].bucket, kT0 + 8 * kHour);
  EXPECT_EQ(rows[4].value, 0);
  EXPECT_EQ(rows[4].volume, 0u);
  EXPECT_NEAR(*rows[4].score, -100 / kSigma, 1e-9);
  EXPECT_TRUE(rows[4].anomaly);
  EXPECT_DOUBLE_EQ(*rows[5].expected, 100);
  EXPECT_FALSE(rows[5].anomaly);
  // Filling starts at series_from_s, not before the first row, and stops before to_s.
  options.series_from_s = kT0 - 4 * kHour;
  options.from_s = kT0 - 4 * kHour;
  options.to_s = kT0 + 12 * kHour;
  rows = Detect(series, options);
  ASSERT_EQ(rows.size(), 16u);
  EXPECT_EQ(rows[0].bucket, kT0 - 4 * kHour);
  EXPECT_EQ(rows[0].value, 0);
  EXPECT_EQ(rows[15].bucket, kT0 + 11 * kHour);
  EXPECT_EQ(rows[15].value, 0);
  // Hour 0 is compared with the four zeros before it: a rise from nothing, behind its own
  // 1000 events, is an anomaly (score 100 / 1.4826).
  EXPECT_NEAR(*rows[4].score, 100 / kSigma, 1e-9);
  EXPECT_TRUE(rows[4].anomaly);
}

TEST(AnomalyTest, BreakdownRowsNameTheirShareOfTheChange) {
  // Hours 0..3: ios 100, android 100, total 200; hour 4: ios 150, android 250, total 400.
  Series series(DataType::Of(TypeId::kDateTime), true, true);
  for (int hour = 0; hour < 5; ++hour) {
    const int64_t t = kT0 + hour * kHour;
    const double ios = hour == 4 ? 150 : 100;
    const double android = hour == 4 ? 250 : 100;
    series.Add(t, ios + android, static_cast<uint64_t>(ios + android));
    series.Add(t, ios, static_cast<uint64_t>(ios), "ios");
    series.Add(t, android, static_cast<uint64_t>(android), "android");
  }
  AnomalyOptions options = Options(kT0 + 4 * kHour, kT0 + 5 * kHour);
  options.history = 4;
  ASSERT_OK_AND_ASSIGN(ResultSet result, DetectAnomalies(series.rows(), options, "platform"));
  EXPECT_EQ(result.names,
            (std::vector<std::string>{"bucket", "platform", "value", "expected", "lower", "upper",
                                      "score", "anomaly", "volume", "share"}));
  const std::vector<Scored> rows = Rows(result, "platform");
  ASSERT_EQ(rows.size(), 3u);
  // The total first (''), then the values by name. Total: +200 over 200, scale 1.4826 · 2,
  // score 67.45, share 1. android: +150 of the 200 (0.75); ios: +50 (0.25), a 50 % rise
  // scored 33.7 but behind 150 events (expected 100): under min_count, not an anomaly.
  EXPECT_EQ(rows[0].breakdown, "");
  EXPECT_EQ(rows[0].value, 400);
  EXPECT_NEAR(*rows[0].score, 200 / (kSigma * 2), 1e-9);
  EXPECT_TRUE(rows[0].anomaly);
  EXPECT_DOUBLE_EQ(*rows[0].share, 1);
  EXPECT_EQ(rows[1].breakdown, "android");
  EXPECT_DOUBLE_EQ(*rows[1].share, 0.75);
  EXPECT_TRUE(rows[1].anomaly);
  EXPECT_EQ(rows[1].volume, 250u);
  EXPECT_EQ(rows[2].breakdown, "ios");
  EXPECT_DOUBLE_EQ(*rows[2].share, 0.25);
  EXPECT_NEAR(*rows[2].score, 50 / kSigma, 1e-9);
  EXPECT_FALSE(rows[2].anomaly);
  // Hours without history: the scores and shares are NULL.
  options.from_s = kT0;
  ASSERT_OK_AND_ASSIGN(ResultSet all, DetectAnomalies(series.rows(), options, "platform"));
  const std::vector<Scored> first = Rows(all, "platform");
  ASSERT_EQ(first.size(), 15u);
  EXPECT_FALSE(first[0].share.has_value());
  EXPECT_FALSE(first[1].share.has_value());
}

TEST(AnomalyTest, RateSharesWeighTheChangeByVolume) {
  // Crashes per session. Hours 0..3: 0.01 everywhere; ios 900 sessions, android 100.
  // Hour 4: ios still 0.01 (9 crashes), android 0.19 (19): total 28 / 1000 = 0.028.
  // Excess crashes: total (0.028 − 0.01) · 1000 = 18, android (0.19 − 0.01) · 100 = 18: all
  // of it (share 1), ios none. Unweighted, android's +0.18 would be 10 times the total's +0.018.
  Series series(DataType::Of(TypeId::kDateTime), true, true);
  for (int hour = 0; hour < 5; ++hour) {
    const int64_t t = kT0 + hour * kHour;
    series.Add(t, hour == 4 ? 0.028 : 0.01, 1000);
    series.Add(t, 0.01, 900, "ios");
    series.Add(t, hour == 4 ? 0.19 : 0.01, 100, "android");
  }
  AnomalyOptions options = Options(kT0 + 4 * kHour, kT0 + 5 * kHour);
  options.history = 4;
  options.rate = true;
  ASSERT_OK_AND_ASSIGN(ResultSet result, DetectAnomalies(series.rows(), options, "platform"));
  const std::vector<Scored> rows = Rows(result, "platform");
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[1].breakdown, "android");
  EXPECT_NEAR(*rows[1].share, 1, 1e-9);
  EXPECT_NEAR(*rows[2].share, 0, 1e-9);
  // A rate's floor is one event over the expected volume, not 1 (which no rate of crashes per
  // session could ever exceed 3.5 times): total scale 1.4826 · max(0, 0.0001, 1/1000),
  // score 0.018 / 0.0014826 = 12.14.
  EXPECT_NEAR(*rows[0].score, 0.018 / (kSigma * 0.001), 1e-6);
  EXPECT_TRUE(rows[0].anomaly);
  // android: scale 1.4826 · 1/100, score 0.18 / 0.014826 = 12.14; 100 sessions < 200.
  EXPECT_NEAR(*rows[1].score, 0.18 / (kSigma * 0.01), 1e-6);
  EXPECT_FALSE(rows[1].anomaly);
}

TEST(AnomalyTest, RatesOverNoVolumeAreUnknown) {
  // A new version: no sessions in hours 0..3 (zero-filled: rate 0, volume 0), 0.01 crashes
  // per session over 1000 sessions in hours 4 and 5, 0.05 in hour 6, none at all in hour 7.
  // Hour 6 reads only hours 5 and 4: expected 0.01, scale 1.4826 · 1/1000, score 0.04 /
  // 0.0014826 = 26.98 — not the median 0 of six values with a floor of 1 (score 0.03).
  Series series;
  for (int hour = 0; hour < 4; ++hour) series.Add(kT0 + hour * kHour, 0, 0);
  series.Add(kT0 + 4 * kHour, 0.01, 1000)
      .Add(kT0 + 5 * kHour, 0.01, 1000)
      .Add(kT0 + 6 * kHour, 0.05, 1000);
  series.Add(kT0 + 7 * kHour, 0, 0);
  AnomalyOptions options = Options(kT0 + 6 * kHour, kT0 + 8 * kHour);
  options.rate = true;
  options.history = 6;
  options.min_history = 2;
  std::vector<Scored> rows = Detect(series, options);
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_DOUBLE_EQ(*rows[0].expected, 0.01);
  EXPECT_NEAR(*rows[0].score, 0.04 / (kSigma * 0.001), 1e-6);
  EXPECT_TRUE(rows[0].anomaly);
  // Hour 7: a rate over nothing, no score (its row is still there).
  EXPECT_EQ(rows[1].volume, 0u);
  EXPECT_FALSE(rows[1].score.has_value());
  EXPECT_FALSE(rows[1].anomaly);
  // Two known hours are fewer than min_history 3.
  options.min_history = 3;
  rows = Detect(series, options);
  EXPECT_FALSE(rows[0].score.has_value());
  // Not a rate: the zeros are values like any other (median 0).
  options.rate = false;
  rows = Detect(series, options);
  EXPECT_DOUBLE_EQ(*rows[0].expected, 0);
}

TEST(AnomalyTest, BreakdownKeepsTheHundredLargestValues) {
  // 150 values v000..v149 in one hour, v<i> with volume i + 1: v050..v149 are kept.
  Series series(DataType::Of(TypeId::kDateTime), true, true);
  series.Add(kT0, 150 * 151 / 2, 150 * 151 / 2);
  for (int i = 0; i < 150; ++i) {
    const std::string name = absl::StrCat("v", i < 10 ? "00" : i < 100 ? "0" : "", i);
    series.Add(kT0, i + 1, static_cast<uint64_t>(i + 1), name.c_str());
  }
  ASSERT_OK_AND_ASSIGN(ResultSet result,
                       DetectAnomalies(series.rows(), Options(kT0, kT0 + kHour), "country"));
  const std::vector<Scored> rows = Rows(result, "country");
  ASSERT_EQ(rows.size(), 1 + kMaxAnomalyBreakdownValues);
  EXPECT_EQ(rows[0].breakdown, "");
  EXPECT_EQ(rows[0].value, 150 * 151 / 2);  // the total still counts everything
  EXPECT_EQ(rows[1].breakdown, "v050");
  EXPECT_EQ(rows[1].volume, 51u);
  EXPECT_EQ(rows.back().breakdown, "v149");
}

TEST(AnomalyTest, MissingOrMistypedColumnsAreErrors) {
  const std::string bucket_message =
      "the series needs a column `bucket` of type Date, DateTime or DateTime64 (e.g. "
      "toStartOfHour(event_time) AS "
      "bucket)";
  auto message = [](const ResultSet& rows,
                    const std::optional<std::string>& breakdown = std::nullopt) {
    absl::StatusOr<ResultSet> result = DetectAnomalies(rows, Options(kT0, kT0 + kHour), breakdown);
    EXPECT_EQ(result.status().code(), absl::StatusCode::kInvalidArgument);
    return std::string(result.status().message());
  };
  ResultSet rows;
  rows.AddColumn("value", DataType::Of(TypeId::kFloat64));
  EXPECT_EQ(message(rows), bucket_message);
  rows = ResultSet();
  rows.AddColumn("bucket", DataType::Of(TypeId::kString));
  rows.AddColumn("value", DataType::Of(TypeId::kFloat64));
  EXPECT_EQ(message(rows), bucket_message);
  rows = ResultSet();
  rows.AddColumn("bucket", DataType::Of(TypeId::kDateTime));
  EXPECT_EQ(message(rows), "the series needs a numeric column `value`");
  rows.AddColumn("value", DataType::Of(TypeId::kString));
  EXPECT_EQ(message(rows), "the series needs a numeric column `value`");
  rows = ResultSet();
  rows.AddColumn("bucket", DataType::Of(TypeId::kDate));
  rows.AddColumn("value", DataType::Of(TypeId::kUInt64));
  rows.AddColumn("volume", DataType::Of(TypeId::kString));
  EXPECT_EQ(message(rows), "the series' column `volume` must be numeric");
  rows = ResultSet();
  rows.AddColumn("bucket", DataType::Of(TypeId::kDateTime64));
  rows.AddColumn("value", DataType::Of(TypeId::kInt64));
  rows.AddColumn("breakdown", DataType::Of(TypeId::kString));
  EXPECT_EQ(message(rows, "platform"), "the series needs columns `breakdown` and `is_total`");
  EXPECT_OK(DetectAnomalies(rows, Options(kT0, kT0 + kHour)));  // no breakdown asked for
}

// Per-user rows as the SQL layer composes them.
class PerUser {
 public:
  PerUser() {
    rows_.AddColumn("user_id", DataType::Of(TypeId::kString));
    rows_.AddColumn("events", DataType::Of(TypeId::kUInt64));
    rows_.AddColumn("periods", DataType::Of(TypeId::kUInt64));
    rows_.AddColumn("top_event_types", DataType::Array(TypeId::kString));
  }
  PerUser& Add(const std::string& user, uint64_t events, uint64_t periods,
               const std::vector<std::string>& top) {
    rows_.columns[0].strings.push_back(user);
    rows_.columns[1].ints.push_back(static_cast<int64_t>(events));
    rows_.columns[2].ints.push_back(static_cast<int64_t>(periods));
    Column& types = rows_.columns[3];
    types.strings.insert(types.strings.end(), top.begin(), top.end());
    types.array_offsets.push_back(static_cast<uint32_t>(types.strings.size()));
    ++rows_.row_count;
    return *this;
  }
  const ResultSet& rows() const { return rows_; }

 private:
  ResultSet rows_;
};

// 40 users active 24 hours at lognormal rates, median 10 an hour, σ 0.4: events =
// round(10 · exp(0.4 · Φ⁻¹((k + 0.5) / 40)) · 24); two bots at 150/h for 12 hours and 200/h
// (20×) for 24; a keen user's one busy hour of 60. Python, as anomaly.cc computes it:
//   rates = [e / max(1, p)]; m = median(rates) = 10.375
//   base = [log(r) for r in rates]; med = median(base); scale = 1.4826 · median(|base − med|)
//   score = (log((e + 2m) / (max(1, p) + 2)) − med) / scale:
//          bot_a 6.666585476973698, bot_b 5.8465734175643265, keen 2.204352965627507,
//          the largest normal user (588) 1.8819487813378357
PerUser Population() {
  static constexpr uint64_t kEvents[] = {98,  118, 130, 140, 148, 155, 162, 168, 174, 180,
                                         186, 192, 197, 203, 208, 214, 220, 225, 231, 237,
                                         243, 249, 256, 262, 269, 276, 284, 292, 300, 309,
                                         319, 330, 342, 356, 371, 390, 413, 443, 489, 588};
  PerUser users;
  for (size_t k = 0; k < std::size(kEvents); ++k) {
    // Arrays of 0 to 3 types, so a row's offsets matter.
    std::vector<std::string> top;
    for (size_t i = 0; i < k % 4; ++i) top.push_back(absl::StrCat("n", k, "_", i));
    users.Add(absl::StrCat("n", k), kEvents[k], 24, top);
  }
  users.Add("bot_b", 1800, 12, {"click"});
  users.Add("bot_a", 4800, 24, {"screen_view", "click", "app_open"});
  users.Add("keen", 60, 1, {"purchase", "view_item"});
  return users;
}

TEST(AnomalousUsersTest, BotsAreFlaggedFirst) {
  ASSERT_OK_AND_ASSIGN(ResultSet result, AnomalousUsers(Population().rows(), {}));
  EXPECT_EQ(result.names, (std::vector<std::string>{"user_id", "events", "periods", "rate", "score",
                                                    "top_event_types"}));
  ASSERT_EQ(result.row_count, 2u);  // sensitivity 4
  EXPECT_EQ(result.columns[0].strings, (std::vector<std::string>{"bot_a", "bot_b"}));
  EXPECT_EQ(result.columns[1].ints, (std::vector<int64_t>{4800, 1800}));
  EXPECT_EQ(result.columns[2].ints, (std::vector<int64_t>{24, 12}));
  EXPECT_EQ(result.columns[3].floats, (std::vector<double>{200, 150}));
  EXPECT_NEAR(result.columns[4].floats[0], 6.666585476973698, 1e-9);
  EXPECT_NEAR(result.columns[4].floats[1], 5.8465734175643265, 1e-9);
  const Column& top = result.columns[5];
  EXPECT_EQ(top.array_offsets, (std::vector<uint32_t>{0, 3, 4}));
  EXPECT_EQ(top.strings, (std::vector<std::string>{"screen_view", "click", "app_open", "click"}));
}

TEST(AnomalousUsersTest, SensitivityAndMinEvents) {
  // 2.1 takes the keen user (2.20) too, third; not the busiest normal one (1.88).
  ASSERT_OK_AND_ASSIGN(ResultSet loose, AnomalousUsers(Population().rows(), {.sensitivity = 2.1}));
  EXPECT_EQ(loose.columns[0].strings, (std::vector<std::string>{"bot_a", "bot_b", "keen"}));
  EXPECT_NEAR(loose.columns[4].floats[2], 2.204352965627507, 1e-9);
  EXPECT_EQ(loose.columns[5].array_offsets, (std::vector<uint32_t>{0, 3, 4, 6}));
  EXPECT_EQ(loose.columns[5].strings[4], "purchase");
  // min_events 2000: bot_b (1800) is not scored, yet still in the baseline (bot_a unchanged).
  ASSERT_OK_AND_ASSIGN(ResultSet busy, AnomalousUsers(Population().rows(), {.min_events = 2000}));
  ASSERT_EQ(busy.row_count, 1u);
  EXPECT_EQ(busy.columns[0].strings[0], "bot_a");
  EXPECT_NEAR(busy.columns[4].floats[0], 6.666585476973698, 1e-9);
}

TEST(AnomalousUsersTest, SpreadHasAFloor) {
  // 20 users at exactly 10 an hour and one at 20: MAD 0, so the floor 0.05: score
  // log((480 + 20) / 26) − log(10) = log(500 / 260) over 1.4826 · 0.05 = 8.8215.
  PerUser users;
  for (int i = 0; i < 20; ++i) users.Add(absl::StrCat("u", i), 240, 24, {});
  users.Add("double", 480, 24, {"a"});
  ASSERT_OK_AND_ASSIGN(ResultSet result, AnomalousUsers(users.rows(), {}));
  ASSERT_EQ(result.row_count, 1u);
  EXPECT_NEAR(result.columns[4].floats[0], 8.821347192859356, 1e-9);
}

TEST(AnomalousUsersTest, NoUsersAndMissingColumns) {
  ASSERT_OK_AND_ASSIGN(ResultSet none, AnomalousUsers(PerUser().rows(), {}));
  EXPECT_EQ(none.row_count, 0u);
  EXPECT_EQ(none.names.size(), 6u);
  ResultSet rows;
  rows.AddColumn("user_id", DataType::Of(TypeId::kString));
  rows.AddColumn("events", DataType::Of(TypeId::kUInt64));
  absl::StatusOr<ResultSet> result = AnomalousUsers(rows, {});
  EXPECT_EQ(result.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(result.status().message(), "anomalous_users: the per-user rows lack a column");
}

}  // namespace
}  // namespace mua
