// Anomaly detection over time series (SPEC §5c): how far each bucket's value lies from
// what the same slot of earlier periods says it should be, in robust units, and whether
// that is an anomaly worth a human's attention. The series comes from a query the SQL
// layer composes (events, active users, crash rate, revenue) or the user writes; this
// part only scores it, so it is the same on one node and on a cluster's coordinator.
//
//   AnomalyOptions options;  // hourly, weekly seasonality, seasonal median + MAD
//   options.from_s = ...; options.to_s = ...;
//   MUA_ASSIGN_OR_RETURN(ResultSet rows, DetectAnomalies(series_rows, options));
//
// seasonal_mad: expected = the median of the same slot over the last `history` periods
// (hour of week for hourly data with weekly seasonality, hour of day with daily, weekday
// for daily data), scale = 1.4826 · max(MAD, 0.01 · |expected|, 1), score = (value −
// expected) / scale (for a rate, 1 / expected volume in place of 1: one event). MAD is
// the slot's expected spread: the same-slot MADs pooled over the whole series (their
// median, in units of √expected for counts, of the binomial standard error for rates, of
// the level for a user's series), times the small-sample factor of its n values. Eight
// values of one slot estimate a spread poorly: by chance one slot's are tight and an
// ordinary hour scores 6, another's loose and a 30 % drop scores 2.5. ewma: the
// same-slot values' exponentially weighted mean and deviation. Fewer than `min_history`
// same-slot values: no score, never an alarm. Slots are local wall-clock hours: an hour
// skipped by daylight saving has no value, a repeated one is two buckets of one slot.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "query/result_set.h"

namespace mua {

enum class AnomalyPeriod { kHour, kDay };
enum class AnomalyMethod { kSeasonalMad, kEwma };
enum class AnomalySeasonality { kWeek, kDay, kNone };

struct AnomalyOptions {
  AnomalyPeriod period = AnomalyPeriod::kHour;
  AnomalyMethod method = AnomalyMethod::kSeasonalMad;
  AnomalySeasonality seasonality = AnomalySeasonality::kWeek;
  int history = 8;      // same-slot periods looked back at
  int min_history = 4;  // of them needed for a score
  double sensitivity = 3.5;
  // The volume behind a value (its events, or a rate's denominator) must reach this for
  // an anomaly; the larger of the bucket's and its expected volume counts, so a drop is
  // judged by the traffic it lost.
  uint64_t min_count = 200;
  double min_relative_change = 0.1;  // |value − expected| must exceed this share of expected
  double alpha = 0.3;                // ewma
  absl::TimeZone zone = absl::UTCTimeZone();  // buckets and slots are local
  // Buckets scored and returned: [from_s, to_s), bucket starts in seconds.
  int64_t from_s = 0;
  int64_t to_s = 0;
  // Zero-filled series: a bucket in [series_from_s, to_s) without a row has value 0 and
  // volume 0 (counts, sums, distinct users, and rates over nothing). -1: no filling (a
  // user's series, whose missing buckets mean unknown).
  int64_t series_from_s = -1;
  // The values are rates (value per unit of volume): a breakdown value's share of a
  // bucket's change weighs its change by its volume, the scale's floor is one event, and
  // a bucket without volume (a rate over nothing) is neither scored nor history.
  bool rate = false;
  // The series' spread grows in proportion to its level (a user's series of unknown kind);
  // else as √expected for counts, or as the binomial standard error for rates.
  bool relative_spread = false;
};

// The series: rows with columns `bucket` (Date, DateTime or DateTime64), `value`
// (numeric; NULL rows are skipped), optionally `volume` (numeric; default the value),
// and with a breakdown also `breakdown` (String) and `is_total` (UInt8: the row is the
// bucket's total over every breakdown value). Several rows of one series and bucket add up.
//
// Rows: bucket (DateTime, in options.zone unless UTC), [<breakdown_name> (String; '' on the total rows),] value,
// expected, lower, upper, score (Nullable(Float64)), anomaly (UInt8), volume (UInt64)
// [, share (Nullable(Float64)): the breakdown value's part of its bucket's change]. By
// bucket, the total first, then the breakdown values (at most kMaxAnomalyBreakdownValues,
// the largest by volume).
// Errors: InvalidArgument when a needed column is missing or of the wrong type.
absl::StatusOr<ResultSet> DetectAnomalies(const ResultSet& series, const AnomalyOptions& options,
                                          const std::optional<std::string>& breakdown_name = std::nullopt);

inline constexpr size_t kMaxAnomalyBreakdownValues = 100;

// The bucket of `t` (seconds): the start of its local hour (as toStartOfHour) or day.
int64_t AnomalyBucketStart(int64_t t, AnomalyPeriod period, const absl::TimeZone& zone);

struct AnomalousUsersOptions {
  // Above a single series' 3.5: every user is a comparison. Shrinking keeps real users
  // well below it (on 150 000 generated users the largest score is 2.4) while a bot at
  // 20× the median rate for a day scores about 7, and at 10× about 4.2.
  double sensitivity = 4;
  uint64_t min_events = 0;  // users with fewer events are not scored (still in the baseline)
};

// Users whose activity lies far outside the population's. `per_user`: columns user_id
// (String), events, periods (numeric: the periods they were active in) and
// top_event_types (Array(String)). Each user's rate = events / periods; the score is
// (log((events + 2m) / (periods + 2)) − median) / (1.4826 · MAD), m being the median rate
// and the median and MAD those of every user's log(rate): logs because activity is
// heavy-tailed, and each user's rate shrunk toward the median by two periods because one
// busy hour is weak evidence. A bot at 20× the median rate for a day stands out; a keen
// user's busy hour does not.
// Rows: user_id, events, periods, rate, score, top_event_types, for users whose score
// exceeds the sensitivity, by score descending.
absl::StatusOr<ResultSet> AnomalousUsers(const ResultSet& per_user, const AnomalousUsersOptions& options);

}  // namespace mua
