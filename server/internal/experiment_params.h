// The options of an A/B experiment analysis as the REST API (GET /api/v1/experiments/{name})
// and the Grafana metric `experiment` take them: read from JsonParams, validated strictly,
// and rendered as named arguments of the experiment() table function in which every
// value is an escaped string literal, a number formatted here from one parsed here, or a
// word from a fixed list. The time range, breakdown and filters are the caller's. Pure
// functions; thread-safe.
//
//   MUA_ASSIGN_OR_RETURN(ExperimentParams experiment, ParseExperimentParams(params, name, ""));
//   std::string sql = absl::StrCat("SELECT * FROM experiment(", ExperimentArgumentsSql(experiment),
//                                  ", from => '2026-10-01')");
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "server/internal/json_api.h"
#include "server/internal/json_params.h"

namespace mua::server_internal {

// The longest experiment, event, variant or property name accepted.
inline constexpr size_t kMaxExperimentTextBytes = 1024;

struct ExperimentParams {
  std::string name;
  std::string metric = "conversion";  // conversion | count | sum | retention
  std::string event;                  // "" = any event (count and retention only)
  std::optional<int64_t> window_s;    // nullopt: each user's events up to the range's end
  std::string control;                // "" = "control" if present, else the first variant
  std::string value_property;         // metric sum: the numeric property summed
  std::optional<int> k;               // metric retention: the day after exposure (default 7)
  double alpha = 0.05;
  std::vector<double> weights;  // expected shares, control first; empty = equal
  bool cuped = false;
  std::string exposure_event;  // "" = the server's (--exposure_event)
};

// The parameter names ParseExperimentParams reads (the experiment's name is not one).
absl::Span<const absl::string_view> ExperimentParamNames();

// OK when `name` can name an experiment: 1 to kMaxExperimentTextBytes bytes.
// Errors: InvalidArgument naming `what`.
absl::Status CheckExperimentName(absl::string_view name, absl::string_view what);

// The experiment `name`'s options from `params`; `prefix` starts parameter names in
// errors ("payload."). Errors: InvalidArgument for a bad value, a missing event (metric
// conversion, sum) or value_property (sum), k or cuped where the metric has no use for them.
absl::StatusOr<ExperimentParams> ParseExperimentParams(const JsonParams& params, std::string name,
                                                       absl::string_view prefix);

// "name => '...', metric => '...'[, event => '...'][, window => N]...": every option set.
std::string ExperimentArgumentsSql(const ExperimentParams& experiment);

// The options as members of the JSON object being written: metric, event (null: any),
// window (seconds or null), control, value_property, k, alpha, weights, cuped,
// exposure_event (the effective one).
void WriteExperimentParams(const ExperimentParams& experiment, JsonWriter* writer);

}  // namespace mua::server_internal
