// Product-analytics operators behind the SQL table functions of SPEC §5a,
// built on the per-day Roaring user bitmaps: active_users (DAU, rolling
// WAU/MAU) and retention_matrix (first-time or recurring cohorts). Each
// returns finished rows; the binder exposes them as `FROM fn(name => value)`.
//
//   AnalyticsScope scope{.from_day = d0, .to_day = d1};  // local days [from, to)
//   MUA_ASSIGN_OR_RETURN(ResultSet rows, ActiveUsers(snapshot, scope, Period::kDay));
#pragma once

#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "query/expression.h"
#include "query/logical_plan.h"
#include "query/result_set.h"
#include "storage/schema.h"
#include "storage/table_snapshot.h"

namespace mua {

struct ExecutionContext;

enum class Period { kDay, kWeek, kMonth };

// What every analytics function shares: the local-day range, the time zone
// that defines days, an optional event filter and an optional breakdown.
struct AnalyticsScope {
  int32_t from_day = 0;  // first local day (inclusive)
  int32_t to_day = 0;    // last local day + 1 (exclusive)
  // Exact instants of `from` / `to` when given as date-times (ms); functions
  // that follow events in time (funnel, paths, sessions) use them.
  int64_t from_ms = std::numeric_limits<int64_t>::min();
  int64_t to_ms = std::numeric_limits<int64_t>::max();
  absl::TimeZone time_zone = absl::UTCTimeZone();
  bool utc = true;  // time_zone is UTC: days are the storage partitions
  // `where`: a UInt8 predicate over a batch whose column i is where_columns[i].
  BoundExprPtr where;
  std::vector<ColumnId> where_columns;
  std::optional<ColumnId> breakdown;  // a low-cardinality column
  // The statement's kill and time limit, checked between blocks (null: never stops).
  const ExecutionContext* execution = nullptr;
  // The result columns the statement reads (DeferredRows::columns_read; empty: all): a
  // function may leave the others empty, without values (sessions: all but these).
  std::vector<bool> columns_read;
};

// How a cluster's coordinator merges the shards' rows of analytics function `function`
// (with a breakdown column or not); null for functions whose rows are not sums over users.
std::shared_ptr<const RowsMerge> AnalyticsRowsMerge(absl::string_view function, bool breakdown);

// Rows (bucket, [breakdown,] dau, wau, mau, dau_mau) per period bucket in
// [from, to): dau = users active in the bucket; wau/mau = users active over
// the 7/30 days ending with the bucket's last day; dau_mau = dau / mau.
absl::StatusOr<ResultSet> ActiveUsers(const TableSnapshot& snapshot, const AnalyticsScope& scope,
                                      Period period);

struct RetentionMatrixOptions {
  std::string start_event = "*";  // "*": any event
  std::string return_event = "*";
  Period period = Period::kDay;
  bool first_time = true;    // cohort = period of the user's first start event ever
  bool on_or_after = false;  // retained in period k exactly (false) or in k or later
};

// Rows (cohort, [breakdown,] cohort_size, k, retained, pct) for every
// non-empty cohort period in [from, to) and k = 0 .. periods left.
absl::StatusOr<ResultSet> RetentionMatrix(const TableSnapshot& snapshot, const AnalyticsScope& scope,
                                          const RetentionMatrixOptions& options);

}  // namespace mua
