// SQL typed into Grafana: macros that bring the panel's time range, bucket and ad
// hoc filters into the text, a guard that lets only SELECT through, and the
// conversion of any result into Grafana frames (time series when the result has
// a time column and numbers, else a table).
//
//   MUA_ASSIGN_OR_RETURN(std::string sql, ExpandMacros(
//       "SELECT $__timeGroup(event_time) AS t, count() FROM events "
//       "WHERE $__timeFilter(event_time) AND $__adhocFilters GROUP BY t ORDER BY t", &scope));
//   MUA_ASSIGN_OR_RETURN(ResultSet result, RunSelect(runner, sql));
//   MUA_ASSIGN_OR_RETURN(auto frames, SqlResultToFrames(std::move(result),
//   SqlResultFormat::kAuto));
#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "query/result_set.h"
#include "server/query_runner.h"
#include "server/internal/grafana_frames.h"
#include "server/internal/grafana_scope.h"

namespace mua {
class QueryRunner;
}  // namespace mua

namespace mua::server_internal {

// Replaces MUA's macros in `sql`:
//   $__timeFilter(expr)  (expr >= '<from>' AND expr < '<to>')
//   $__timeGroup(expr)   toStartOfInterval(expr, INTERVAL <bucket>)
//   $__fromTime, $__toTime   the range bounds as time literals
//   $__adhocFilters      the ad hoc filters as a predicate, or 1 when there are none
// `scope` may be null (no time range): then a time macro is an error.
// Errors: InvalidArgument for an unknown $__ macro or an unbalanced argument.
absl::StatusOr<std::string> ExpandMacros(absl::string_view sql, const QueryScope* scope);

// Runs `sql` when it is one SELECT (WITH ... SELECT included); `origin` says whether
// the user wrote it (kUserReadOnly: the runner then requires the analyst role).
// Errors: InvalidArgument for other statements; whatever parsing and execution report.
absl::StatusOr<ResultSet> RunSelect(const QueryRunner& runner, absl::string_view sql,
                                    SqlOrigin origin = SqlOrigin::kBuiltIn);

enum class SqlResultFormat {
  kAuto,        // time series when there is a time column and a number column, else a table
  kTimeSeries,  // time series or an error
  kTable,
};

// Time series: the first time column is the time, every other number column a
// series, and string columns label the series. Errors: InvalidArgument when
// kTimeSeries is asked of a result without a time column and a number column.
absl::StatusOr<std::vector<GrafanaFrame>> SqlResultToFrames(ResultSet result,
                                                            SqlResultFormat format);

}  // namespace mua::server_internal
