#include "query/analytics/anomaly.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "absl/types/span.h"
#include "query/time_zones.h"

namespace mua {
namespace {

// anomalous_users: the periods of median activity each user's rate starts from.
constexpr double kPriorPeriods = 2;

// 1/Φ⁻¹(3/4): makes the MAD of normal data estimate its standard deviation.
constexpr double kMadToSigma = 1.4826;

struct Point {
  double value = 0;
  double volume = 0;
};

using Series = absl::flat_hash_map<int64_t, Point>;  // bucket start (s) -> point

int FindColumn(const ResultSet& rows, absl::string_view name) {
  for (size_t i = 0; i < rows.names.size(); ++i) {
    if (rows.names[i] == name) return static_cast<int>(i);
  }
  return -1;
}

double NumberAt(const Column& column, size_t row) {
  if (column.type.id == TypeId::kFloat64) return column.floats[row];
  if (column.type.is_unsigned()) return static_cast<double>(static_cast<uint64_t>(column.ints[row]));
  return static_cast<double>(column.ints[row]);
}

double Median(std::vector<double>* values) {
  const size_t n = values->size();
  auto middle = values->begin() + n / 2;
  std::nth_element(values->begin(), middle, values->end());
  if (n % 2 == 1) return *middle;
  return (*middle + *std::max_element(values->begin(), middle)) / 2;
}

absl::CivilHour LocalHour(int64_t t, const absl::TimeZone& zone) {
  return absl::ToCivilHour(absl::FromUnixSeconds(t), zone);
}

// The bucket `back` slots before `bucket` (same local wall-clock hour or day); none when
// that hour was skipped (clocks going forward). A repeated hour's slot is its first instance.
std::optional<int64_t> SlotBefore(int64_t bucket, int back, const AnomalyOptions& options) {
  const absl::CivilHour hour = LocalHour(bucket, options.zone);
  if (options.period == AnomalyPeriod::kDay) {
    const int days = options.seasonality == AnomalySeasonality::kWeek ? 7 * back : back;
    return absl::ToUnixSeconds(absl::FromCivil(absl::CivilDay(hour) - days, options.zone));
  }
  int64_t hours = back;
  if (options.seasonality == AnomalySeasonality::kWeek) hours = int64_t{168} * back;
  if (options.seasonality == AnomalySeasonality::kDay) hours = int64_t{24} * back;
  const absl::TimeZone::TimeInfo slot = options.zone.At(absl::CivilSecond(hour - hours));
  if (slot.kind == absl::TimeZone::TimeInfo::SKIPPED) return std::nullopt;
  return absl::ToUnixSeconds(slot.pre);
}

int64_t NextBucket(int64_t bucket, const AnomalyOptions& options) {
  if (options.period == AnomalyPeriod::kDay) {
    const absl::CivilHour hour = LocalHour(bucket, options.zone);
    return absl::ToUnixSeconds(absl::FromCivil(absl::CivilDay(hour) + 1, options.zone));
  }
  return AnomalyBucketStart(bucket + 3600, options.period, options.zone);
}

struct Score {
  std::optional<double> expected, lower, upper, score;
  double expected_volume = 0;
  bool anomaly = false;
};

// A rate over no volume (a zero-filled bucket, a version before its release) is unknown:
// neither scored nor history.
bool Unknown(const Point& point, const AnomalyOptions& options) { return options.rate && point.volume <= 0; }

// The same-slot values before `bucket` (newest first) and their volumes; false with fewer
// than min_history of them.
bool SlotHistory(const Series& series, int64_t bucket, const AnomalyOptions& options, std::vector<double>* values,
                 std::vector<double>* volumes) {
  values->clear();
  volumes->clear();
  for (int back = 1; back <= options.history; ++back) {
    const std::optional<int64_t> slot = SlotBefore(bucket, back, options);
    auto it = slot ? series.find(*slot) : series.end();
    if (it == series.end() || Unknown(it->second, options)) continue;
    values->push_back(it->second.value);
    volumes->push_back(it->second.volume);
  }
  return !values->empty() && static_cast<int>(values->size()) >= options.min_history;
}

// How a series' spread grows with its level: counts as √expected (Poisson-like), rates as
// their binomial standard error, a user's series in proportion to it.
double SpreadUnit(double expected, double expected_volume, const AnomalyOptions& options) {
  if (options.rate) return std::sqrt(std::max(expected * (1 - expected), 0.0) / std::max(expected_volume, 1.0));
  if (options.relative_spread) return std::abs(expected);
  return std::sqrt(std::max(std::abs(expected), 1.0));
}

// The MAD of n values underestimates the spread (Croux & Rousseeuw's small-sample factor),
// and a new value differs from their median by more than from the true level (the median's
// own variance, π/2n of the values'): the factor that turns a MAD of n same-slot values
// into the spread of a new value around their median.
double SmallSampleFactor(size_t n) {
  static constexpr double kMadBias[] = {1, 1, 1.196, 1.495, 1.363, 1.206, 1.200, 1.140, 1.129, 1.107};
  const double bias = n < std::size(kMadBias) ? kMadBias[n] : static_cast<double>(n) / (static_cast<double>(n) - 0.8);
  return bias * std::sqrt(1 + M_PI / (2 * static_cast<double>(n)));
}

// The series' MAD per unit of spread (SpreadUnit), the median over its buckets with a
// slot history: eight values of one slot estimate a spread poorly, the whole series' slots
// together well. 0 when no bucket has a history.
double PooledSpread(const Series& series, const AnomalyOptions& options) {
  std::vector<double> values, volumes, ratios;
  for (const auto& [bucket, point] : series) {
    if (bucket >= options.to_s || Unknown(point, options)) continue;
    if (!SlotHistory(series, bucket, options, &values, &volumes)) continue;
    const double expected = Median(&values);
    for (double& v : values) v = std::abs(v - expected);
    const double unit = SpreadUnit(expected, Median(&volumes), options);
    if (unit > 0) ratios.push_back(Median(&values) / unit);
  }
  return ratios.empty() ? 0 : Median(&ratios);
}

Score ScorePoint(const Series& series, int64_t bucket, const Point& point, double pooled_spread,
                 const AnomalyOptions& options) {
  Score out;
  if (Unknown(point, options)) return out;
  std::vector<double> history, volumes;  // newest first
  if (!SlotHistory(series, bucket, options, &history, &volumes)) return out;
  out.expected_volume = Median(&volumes);
  // The least spread: one event, which for a rate is one over its volume (1 itself would
  // hide any change of crashes per session).
  const double floor = options.rate ? 1 / std::max(out.expected_volume, 1.0) : 1.0;
  double expected = 0;
  double scale = 0;
  if (options.method == AnomalyMethod::kSeasonalMad) {
    const size_t n = history.size();
    expected = Median(&history);
    const double mad = pooled_spread * SpreadUnit(expected, out.expected_volume, options) * SmallSampleFactor(n);
    scale = kMadToSigma * std::max({mad, 0.01 * std::abs(expected), floor});
  } else {
    double mean = history.back();
    double variance = 0;
    for (size_t i = history.size() - 1; i-- > 0;) {  // oldest to newest
      const double delta = history[i] - mean;
      mean += options.alpha * delta;
      variance = (1 - options.alpha) * (variance + options.alpha * delta * delta);
    }
    expected = mean;
    scale = std::max({std::sqrt(variance), 0.01 * std::abs(expected), floor});
  }
  out.expected = expected;
  out.lower = expected - options.sensitivity * scale;
  out.upper = expected + options.sensitivity * scale;
  out.score = (point.value - expected) / scale;
  const double change = std::abs(point.value - expected);
  out.anomaly = std::abs(*out.score) > options.sensitivity &&
                change > options.min_relative_change * std::abs(expected) &&
                std::max(point.volume, out.expected_volume) >= static_cast<double>(options.min_count);
  return out;
}

}  // namespace

int64_t AnomalyBucketStart(int64_t t, AnomalyPeriod period, const absl::TimeZone& zone) {
  const absl::TimeZone::CivilInfo local = zone.At(absl::FromUnixSeconds(t));
  if (period == AnomalyPeriod::kDay) {
    return absl::ToUnixSeconds(absl::FromCivil(absl::CivilDay(local.cs), zone));
  }
  // The hour as toStartOfHour(t, zone) has it: a repeated local hour is two buckets.
  return t - (local.cs.minute() * 60 + local.cs.second());
}

absl::StatusOr<ResultSet> DetectAnomalies(const ResultSet& series_rows, const AnomalyOptions& options,
                                          const std::optional<std::string>& breakdown_name) {
  const int bucket_column = FindColumn(series_rows, "bucket");
  const int value_column = FindColumn(series_rows, "value");
  const int volume_column = FindColumn(series_rows, "volume");
  const int breakdown_column = breakdown_name ? FindColumn(series_rows, "breakdown") : -1;
  const int total_column = breakdown_name ? FindColumn(series_rows, "is_total") : -1;
  if (bucket_column < 0 || !series_rows.columns[bucket_column].type.is_time()) {
    return absl::InvalidArgumentError(
        "the series needs a column `bucket` of type Date, DateTime or DateTime64 (e.g. toStartOfHour(event_time) AS bucket)");
  }
  if (value_column < 0 || !series_rows.columns[value_column].type.is_numeric()) {
    return absl::InvalidArgumentError("the series needs a numeric column `value`");
  }
  if (volume_column >= 0 && !series_rows.columns[volume_column].type.is_numeric()) {
    return absl::InvalidArgumentError("the series' column `volume` must be numeric");
  }
  if (breakdown_name && (breakdown_column < 0 || total_column < 0)) {
    return absl::InvalidArgumentError("the series needs columns `breakdown` and `is_total`");
  }
  Series total;
  std::map<std::string, Series> by_value;  // with a breakdown
  const Column& buckets = series_rows.columns[bucket_column];
  const Column& values = series_rows.columns[value_column];
  for (size_t row = 0; row < series_rows.row_count; ++row) {
    if (buckets.is_null(row) || values.is_null(row)) continue;
    int64_t t = buckets.ints[row];
    if (buckets.type.id == TypeId::kDate) {
      t = absl::ToUnixSeconds(absl::FromCivil(absl::CivilDay(1970, 1, 1) + t, options.zone));
    } else if (buckets.type.id == TypeId::kDateTime64) {
      t = t >= 0 ? t / 1000 : -((-t + 999) / 1000);
    }
    const int64_t bucket = AnomalyBucketStart(t, options.period, options.zone);
    const double value = NumberAt(values, row);
    double volume = value;
    if (volume_column >= 0 && !series_rows.columns[volume_column].is_null(row)) {
      volume = NumberAt(series_rows.columns[volume_column], row);
    }
    const bool is_total = !breakdown_name || series_rows.columns[total_column].ints[row] != 0;
    Point& point = is_total ? total[bucket] : by_value[series_rows.columns[breakdown_column].strings[row]][bucket];
    point.value += value;
    point.volume += volume;
  }
  // The breakdown values kept: the largest by volume.
  if (by_value.size() > kMaxAnomalyBreakdownValues) {
    std::vector<std::pair<double, std::string>> by_volume;
    for (const auto& [key, points] : by_value) {
      double volume = 0;
      for (const auto& [bucket, point] : points) volume += point.volume;
      by_volume.emplace_back(-volume, key);
    }
    std::sort(by_volume.begin(), by_volume.end());
    for (size_t i = kMaxAnomalyBreakdownValues; i < by_volume.size(); ++i) by_value.erase(by_volume[i].second);
  }
  // Every bucket of the output range (and, when filling, of the history before it).
  std::vector<int64_t> output_buckets;
  if (options.series_from_s >= 0) {
    int64_t bucket = AnomalyBucketStart(options.series_from_s, options.period, options.zone);
    for (; bucket < options.to_s; bucket = NextBucket(bucket, options)) {
      total.try_emplace(bucket);
      for (auto& [key, points] : by_value) points.try_emplace(bucket);
      if (bucket >= options.from_s) output_buckets.push_back(bucket);
    }
  }
  for (const auto& [bucket, point] : total) {
    if (bucket >= options.from_s && bucket < options.to_s) output_buckets.push_back(bucket);
  }
  for (const auto& [key, points] : by_value) {
    for (const auto& [bucket, point] : points) {
      if (bucket >= options.from_s && bucket < options.to_s) output_buckets.push_back(bucket);
    }
  }
  std::sort(output_buckets.begin(), output_buckets.end());
  output_buckets.erase(std::unique(output_buckets.begin(), output_buckets.end()), output_buckets.end());

  ResultSet result;
  const DataType nullable_float = DataType::Nullable(TypeId::kFloat64);
  // In the zone the buckets are local to, as toStartOfHour(t, zone) types them.
  uint16_t zone_id = kNoTimeZone;
  if (options.zone.name() != "UTC") {
    absl::StatusOr<uint16_t> interned = InternTimeZone(options.zone.name());
    if (interned.ok()) zone_id = *interned;
  }
  result.AddColumn("bucket", DataType::Time(TypeId::kDateTime, zone_id));
  if (breakdown_name) result.AddColumn(*breakdown_name, DataType::Of(TypeId::kString));
  result.AddColumn("value", DataType::Of(TypeId::kFloat64));
  for (const char* name : {"expected", "lower", "upper", "score"}) result.AddColumn(name, nullable_float);
  result.AddColumn("anomaly", DataType::Of(TypeId::kUInt8));
  result.AddColumn("volume", DataType::Of(TypeId::kUInt64));
  if (breakdown_name) result.AddColumn("share", nullable_float);
  const size_t first_number = breakdown_name ? 2 : 1;
  auto put = [&](size_t column, std::optional<double> value) {
    Column& out = result.columns[column];
    out.floats.push_back(value.value_or(0));
    out.nulls.push_back(value ? 0 : 1);
  };
  // A point's change against its expectation, weighed by volume for rates (excess events).
  auto weighted_change = [&](const Point& point, const Score& score) -> std::optional<double> {
    if (!score.expected) return std::nullopt;
    return (point.value - *score.expected) * (options.rate ? point.volume : 1.0);
  };
  auto add_row = [&](int64_t bucket, const std::string* breakdown_value, const Point& point, const Score& score,
                     std::optional<double> share) {
    result.columns[0].ints.push_back(bucket);
    if (breakdown_name) result.columns[1].strings.push_back(breakdown_value ? *breakdown_value : std::string());
    result.columns[first_number].floats.push_back(point.value);
    put(first_number + 1, score.expected);
    put(first_number + 2, score.lower);
    put(first_number + 3, score.upper);
    put(first_number + 4, score.score);
    result.columns[first_number + 5].ints.push_back(score.anomaly ? 1 : 0);
    result.columns[first_number + 6].ints.push_back(static_cast<int64_t>(std::llround(std::max(0.0, point.volume))));
    if (breakdown_name) put(first_number + 7, share);
    ++result.row_count;
  };
  const bool pooled = options.method == AnomalyMethod::kSeasonalMad;
  const double total_spread = pooled ? PooledSpread(total, options) : 0;
  std::map<std::string, double> spreads;
  for (const auto& [key, points] : by_value) spreads[key] = pooled ? PooledSpread(points, options) : 0;
  for (int64_t bucket : output_buckets) {
    std::optional<double> total_change;
    if (auto it = total.find(bucket); it != total.end()) {
      const Score score = ScorePoint(total, bucket, it->second, total_spread, options);
      total_change = weighted_change(it->second, score);
      add_row(bucket, nullptr, it->second, score, total_change ? std::optional<double>(1.0) : std::nullopt);
    }
    for (const auto& [key, points] : by_value) {
      auto it = points.find(bucket);
      if (it == points.end()) continue;
      const Score score = ScorePoint(points, bucket, it->second, spreads[key], options);
      std::optional<double> share;
      if (std::optional<double> change = weighted_change(it->second, score);
          change && total_change && *total_change != 0) {
        share = *change / *total_change;
      }
      add_row(bucket, &key, it->second, score, share);
    }
  }
  return result;
}

absl::StatusOr<ResultSet> AnomalousUsers(const ResultSet& per_user, const AnomalousUsersOptions& options) {
  const int user_column = FindColumn(per_user, "user_id");
  const int events_column = FindColumn(per_user, "events");
  const int periods_column = FindColumn(per_user, "periods");
  const int top_column = FindColumn(per_user, "top_event_types");
  if (user_column < 0 || events_column < 0 || periods_column < 0 || top_column < 0) {
    return absl::InvalidArgumentError("anomalous_users: the per-user rows lack a column");
  }
  const Column& events = per_user.columns[events_column];
  const Column& periods = per_user.columns[periods_column];
  // The population: the median and MAD of log(rate). Each user is scored by their rate
  // shrunk toward the median by two periods' worth of it: one busy hour is weak evidence,
  // a day of them is not.
  std::vector<double> rates(per_user.row_count);
  for (size_t row = 0; row < per_user.row_count; ++row) {
    rates[row] = NumberAt(events, row) / std::max(1.0, NumberAt(periods, row));
  }
  std::vector<double> scratch = rates;
  const double median_rate = scratch.empty() ? 0 : Median(&scratch);
  std::vector<double> log_rates(per_user.row_count);
  for (size_t row = 0; row < per_user.row_count; ++row) {
    log_rates[row] =
        std::log((NumberAt(events, row) + kPriorPeriods * median_rate) / (std::max(1.0, NumberAt(periods, row)) + kPriorPeriods));
  }
  ResultSet result;
  result.AddColumn("user_id", DataType::Of(TypeId::kString));
  result.AddColumn("events", DataType::Of(TypeId::kUInt64));
  result.AddColumn("periods", DataType::Of(TypeId::kUInt64));
  result.AddColumn("rate", DataType::Of(TypeId::kFloat64));
  result.AddColumn("score", DataType::Of(TypeId::kFloat64));
  result.AddColumn("top_event_types", DataType::Array(TypeId::kString));
  if (per_user.row_count == 0) return result;
  scratch.clear();
  for (double rate : rates) scratch.push_back(std::log(std::max(rate, 1e-12)));
  const double median = Median(&scratch);
  for (double& v : scratch) v = std::abs(v - median);
  // A floor on the spread: a population of near-identical users (scripted tests) would
  // otherwise make any difference infinitely significant.
  const double scale = kMadToSigma * std::max(Median(&scratch), 0.05);
  std::vector<std::pair<double, size_t>> flagged;  // (-score, row)
  for (size_t row = 0; row < per_user.row_count; ++row) {
    const double score = (log_rates[row] - median) / scale;
    if (score > options.sensitivity && NumberAt(events, row) >= static_cast<double>(options.min_events)) {
      flagged.emplace_back(-score, row);
    }
  }
  std::sort(flagged.begin(), flagged.end());
  const Column& top = per_user.columns[top_column];
  for (const auto& [negative_score, row] : flagged) {
    result.columns[0].strings.push_back(per_user.columns[user_column].strings[row]);
    result.columns[1].ints.push_back(static_cast<int64_t>(NumberAt(events, row)));
    result.columns[2].ints.push_back(static_cast<int64_t>(NumberAt(periods, row)));
    result.columns[3].floats.push_back(rates[row]);
    result.columns[4].floats.push_back(-negative_score);
    Column& types = result.columns[5];
    for (uint32_t i = top.array_offsets[row]; i < top.array_offsets[row + 1]; ++i) {
      types.strings.push_back(top.strings[i]);
    }
    types.array_offsets.push_back(static_cast<uint32_t>(types.strings.size()));
    ++result.row_count;
  }
  return result;
}

}  // namespace mua
