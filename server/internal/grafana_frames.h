// What a Grafana /query answer is made of, and how it is written: time series
// ({"target", "datapoints": [[value|null, epoch_ms], ...]}, ascending) and tables
// ({"type": "table", "columns": [{"text", "type"}], "rows": [[...], ...]}), built
// from query results. Date, DateTime and DateTime64 cells become epoch ms;
// NaN and infinities become null (JSON has no spelling for them).
//
//   SeriesLayout layout{.name = "DAU", .time_column = 0, .value_columns = {1}};
//   std::vector<TimeSeries> series = ToTimeSeries(result, layout);
//   WriteFrame(GrafanaFrame{std::move(series[0])}, "A", &writer);
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "absl/strings/string_view.h"
#include "query/result_set.h"
#include "server/internal/json_api.h"
#include "server/internal/result_cells.h"

namespace mua::server_internal {

struct TimeSeries {
  std::string target;                                     // the series' display name
  std::vector<std::pair<std::string, std::string>> tags;  // label name -> value
  std::vector<int64_t> times_ms;                          // ascending
  std::vector<std::optional<double>> values;              // nullopt: a gap (null)
};

// One element of a /query response.
struct GrafanaFrame {
  std::variant<TimeSeries, ResultSet> content;  // ResultSet: a table
};

// How buckets without a row are reported.
enum class GapFill {
  kNone,  // left out
  kZero,  // 0, for counts
  kNull,  // null, for ratios and averages (no data, not zero)
};

// Which columns of a result make which series: one series per value column and
// distinct combination of label values.
struct SeriesLayout {
  // Name of a series; "" means the value column's name. Labels append "{k=v, ...}".
  std::string name;
  size_t time_column = 0;
  std::vector<size_t> value_columns;
  std::vector<size_t> label_columns;
  GapFill fill = GapFill::kNone;
  std::vector<int64_t> bucket_starts;  // the buckets to fill when fill != kNone
  // With fill: label values (one per label column) whose series exist even without rows,
  // e.g. the event types a user picked.
  std::vector<std::vector<std::string>> expected_labels;
};

// The series of `result`, sorted by name; rows with a NULL time are skipped.
// REQUIRES: the layout's columns exist; the time column has a time type.
std::vector<TimeSeries> ToTimeSeries(const ResultSet& result, const SeriesLayout& layout);

// Grafana's field type of a column: time, number, string, boolean or other.
absl::string_view GrafanaFieldType(const DataType& type);

// Writes `frame` as one element of the /query response array.
void WriteFrame(const GrafanaFrame& frame, absl::string_view ref_id, JsonWriter* writer);

}  // namespace mua::server_internal
