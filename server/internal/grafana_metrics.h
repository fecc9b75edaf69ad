// The metrics MUA offers Grafana (DAU/WAU/MAU, active users, events by type,
// sessions, crash rate by version, retention, funnel, experiments, releases, free
// SQL): their descriptions for the query editor (/metrics), the options of their
// payload fields (/metric-payload-options), and how a target of each becomes SQL
// and then frames. Every value from a payload or filter reaches SQL as an escaped
// literal or as a name checked against a fixed list. Stateless; thread-safe.
//
//   const MetricSpec* metric = FindMetric("events");
//   MUA_ASSIGN_OR_RETURN(std::vector<GrafanaFrame> frames,
//                        RunMetric(*metric, JsonParams(&target["payload"], "payload."),
//                                  scope, runner));
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "server/internal/grafana_frames.h"
#include "server/internal/grafana_scope.h"
#include "server/internal/json_params.h"

namespace mua {
class QueryRunner;
}  // namespace mua

namespace mua::server_internal {

struct PayloadOption {
  std::string label;
  std::string value;
};

// One payload field of a metric, as the JSON datasource's builder mode shows it.
struct PayloadSpec {
  std::string name;
  std::string label;
  std::string type;  // select | multi-select | input | textarea
  std::string placeholder;
  // Fixed choices; empty for a select filled from the data (/metric-payload-options).
  std::vector<PayloadOption> options;
};

struct MetricSpec;
using MetricRunner = absl::StatusOr<std::vector<GrafanaFrame>> (*)(const MetricSpec& metric,
                                                                   const JsonParams& payload,
                                                                   const QueryScope& scope,
                                                                   const QueryRunner& runner);

struct MetricSpec {
  std::string value;  // what targets name: "dau", "events", ...
  std::string label;
  std::vector<PayloadSpec> payloads;
  MetricRunner run = nullptr;
};

// Every metric, in the order the editor lists them.
const std::vector<MetricSpec>& GrafanaMetrics();
// The metric named `name` (case-insensitive), or null.
const MetricSpec* FindMetric(absl::string_view name);

// The choices of payload field `name` of `metric`: fixed ones, or values from the data
// (event types). Errors: InvalidArgument for an unknown field; query errors.
absl::StatusOr<std::vector<PayloadOption>> MetricPayloadOptions(const MetricSpec& metric,
                                                                absl::string_view name,
                                                                const QueryRunner& runner);

// The frames of one target. Errors: InvalidArgument for bad payload values; query errors.
absl::StatusOr<std::vector<GrafanaFrame>> RunMetric(const MetricSpec& metric,
                                                    const JsonParams& payload,
                                                    const QueryScope& scope,
                                                    const QueryRunner& runner);

// Distinct non-empty values of events column `column` (REQUIRES: IsFilterableColumn),
// ascending, at most `limit`; within `range` when given and matching `filter_sql`.
absl::StatusOr<std::vector<std::string>> ColumnValues(const QueryRunner& runner,
                                                      absl::string_view column,
                                                      const std::optional<TimeRange>& range,
                                                      absl::string_view filter_sql, int limit);

}  // namespace mua::server_internal
