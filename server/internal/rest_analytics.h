// The read endpoints of the REST API (server/rest_api.h): a user's summary, daily
// metrics, the retention matrix, funnels and A/B experiments. Each validates its parameters, builds
// SQL in which every value from the request is an escaped literal, a number it
// parsed itself, or a name checked against a fixed list, runs it through the
// QueryRunner, and writes one JSON object. Dates are UTC days "YYYY-MM-DD"; `to` is
// inclusive (the last day reported). Stateless; thread-safe as far as the runner is.
//
//   rapidjson::StringBuffer buffer;
//   JsonWriter writer(buffer);
//   MUA_RETURN_IF_ERROR(ServeRetention(params, runner, &writer));
#pragma once

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "server/internal/json_api.h"
#include "server/internal/json_params.h"

namespace mua {
class QueryRunner;
class UserIdHasher;
}  // namespace mua

namespace mua::server_internal {

// Parameters whose repetition in a query string makes a list (?steps=a&steps=b).
absl::Span<const absl::string_view> RestListParams();

// {"user_id", "first_seen", "last_seen", "events", "sessions", "active_days", ...}.
// `hasher` (may be null): the user's events are stored under hasher->Hash(user_id).
// Errors: NotFound when the user has no events; query errors.
absl::Status ServeUserSummary(absl::string_view user_id, const UserIdHasher* hasher,
                              const QueryRunner& runner, JsonWriter* writer);

// {"from", "to", "days": [{"date", "dau", "events", "sessions", ...}]} for every day in
// [from, to]; by default the 30 days ending with the last day that has events.
// Errors: InvalidArgument for bad parameters; query errors.
absl::Status ServeDailyMetrics(const JsonParams& params, const QueryRunner& runner,
                               JsonWriter* writer);

// {"parameters": {...}, "rows": [{"cohort", "cohort_size", "k", "retained", "pct"}]}
// from retention_matrix. Errors: InvalidArgument for bad parameters; query errors.
absl::Status ServeRetention(const JsonParams& params, const QueryRunner& runner, JsonWriter* writer);

// {"parameters": {...}, "rows": [{"step", "event", "users", "pct_of_first", ...}]} from
// funnel. Errors: InvalidArgument for bad parameters; query errors.
absl::Status ServeFunnel(const JsonParams& params, const QueryRunner& runner, JsonWriter* writer);

// {"experiment", "parameters": {...}, "rows": [{"variant", ..., "significant": bool, ...}]}
// from experiment(); `name` is decoded already. A `where` (SQL the client wrote) runs only
// for the analyst role. Errors: InvalidArgument for bad parameters; NotFound when no stored
// event assigns anyone to the experiment; PermissionDenied for `where` below analyst.
absl::Status ServeExperiment(absl::string_view name, const JsonParams& params,
                             const QueryRunner& runner, JsonWriter* writer);

// {"experiments": [{"experiment", "variants", "users_per_variant", "users", ...}]}: the
// rows of system.experiments by name. Errors: InvalidArgument for any parameter.
absl::Status ServeExperimentList(const JsonParams& params, const QueryRunner& runner,
                                 JsonWriter* writer);

}  // namespace mua::server_internal
