#include "server/internal/grafana_metrics.h"

#include <algorithm>
#include <array>
#include <map>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/types/span.h"
#include "query/analytics/experiment.h"
#include "server/internal/experiment_params.h"
#include "server/internal/grafana_filters.h"
#include "server/internal/grafana_sql.h"
#include "sql/printer.h"
#include "storage/base/status_macros.h"

namespace mua::server_internal {
namespace {

// Low-cardinality events columns: what a breakdown may split by (the table functions' rule).
constexpr std::array<absl::string_view, 9> kEventBreakdowns = {
    "event_type",  "platform", "os_version", "app_version", "device_model",
    "device_type", "country",  "region",     "city",
};
// Columns of the sessions view a sessions breakdown may split by.
constexpr std::array<absl::string_view, 2> kSessionBreakdowns = {"platform", "app_version"};
constexpr int kMaxEventTypeOptions = 1000;
constexpr int64_t kMaxFunnelWindowMs = 366 * kMillisPerDayInScope;
constexpr int kMaxExperimentOptions = 1000;
// An experiment's series evaluate experiment() once per point: at most this many points
// (longer ranges take every n-th day, the range's last day always).
constexpr int64_t kMaxExperimentPoints = 90;

// ---- Payload fields as the editor shows them ----

std::vector<PayloadOption> Options(absl::Span<const absl::string_view> values) {
  std::vector<PayloadOption> options;
  for (absl::string_view value : values)
    options.push_back({std::string(value), std::string(value)});
  return options;
}

PayloadSpec ChoicePayload(std::string name, std::string label,
                          absl::Span<const absl::string_view> choices) {
  return {std::move(name), std::move(label), "select", std::string(choices.front()),
          Options(choices)};
}

PayloadSpec EventTypes(std::string name, std::string label, std::string type,
                       std::string placeholder) {
  return {std::move(name), std::move(label), std::move(type), std::move(placeholder), {}};
}

PayloadSpec Breakdown(absl::Span<const absl::string_view> columns, absl::string_view fallback) {
  PayloadSpec spec{"breakdown", "Breakdown", "select", std::string(fallback), {{"none", "none"}}};
  for (const PayloadOption& option : Options(columns)) spec.options.push_back(option);
  return spec;
}

PayloadSpec Interval() { return {"interval", "Interval", "input", "auto (or 1m, 1h, 1d)", {}}; }

// ---- Reading payloads ----

absl::StatusOr<std::string> EventTypeCondition(const JsonParams& payload) {
  absl::StatusOr<std::vector<std::string>> types = payload.List("event_type");
  if (!types.ok()) return types.status();
  if (types->empty()) return std::string();
  std::vector<std::string> quoted;
  for (const std::string& type : *types) quoted.push_back(QuoteString(type));
  return absl::StrCat("event_type IN (", absl::StrJoin(quoted, ", "), ")");
}

// The breakdown column, or "" for none. Errors: a column outside `allowed`.
absl::StatusOr<std::string> BreakdownColumn(const JsonParams& payload,
                                            absl::Span<const absl::string_view> allowed,
                                            absl::string_view fallback) {
  absl::StatusOr<std::string> column = payload.String("breakdown", fallback);
  if (!column.ok()) return column.status();
  if (*column == "none" || column->empty()) return std::string();
  for (absl::string_view name : allowed) {
    if (*column == name) return column;
  }
  return absl::InvalidArgumentError(absl::StrCat("payload.breakdown must be none or one of ",
                                                 absl::StrJoin(allowed, ", "), ", not '", *column,
                                                 "'"));
}

absl::StatusOr<Bucket> TargetBucket(const JsonParams& payload, const QueryScope& scope) {
  absl::StatusOr<std::string> text = payload.String("interval", "auto");
  if (!text.ok()) return text.status();
  absl::StatusOr<std::optional<Bucket>> chosen = ParseBucketOverride(*text);
  if (!chosen.ok()) return chosen.status();
  const Bucket bucket = chosen->value_or(scope.bucket);
  if (absl::Status status = CheckBucketCount(scope.range, bucket); !status.ok()) return status;
  return bucket;
}

// The named arguments every table function takes: from, to and (when any) where.
std::string ScopeArguments(const QueryScope& scope, absl::string_view where) {
  std::string arguments = absl::StrCat("from => ", SqlTimeLiteral(scope.range.from_ms), ", to => ",
                                       SqlTimeLiteral(scope.range.to_ms));
  if (!where.empty()) absl::StrAppend(&arguments, ", where => ", QuoteString(where));
  return arguments;
}

std::string TimeCondition(absl::string_view column, const TimeRange& range) {
  return absl::StrCat(column, " >= ", SqlTimeLiteral(range.from_ms), " AND ", column, " < ",
                      SqlTimeLiteral(range.to_ms));
}

absl::StatusOr<std::vector<GrafanaFrame>> SeriesFrames(const ResultSet& result,
                                                       const SeriesLayout& layout) {
  std::vector<GrafanaFrame> frames;
  for (TimeSeries& series : ToTimeSeries(result, layout))
    frames.push_back(GrafanaFrame{std::move(series)});
  return frames;
}

std::vector<GrafanaFrame> TableFrame(ResultSet result) {
  std::vector<GrafanaFrame> frames;
  frames.push_back(GrafanaFrame{std::move(result)});
  return frames;
}

// A layout whose time and value columns are named; the breakdown (if any) labels series.
absl::StatusOr<SeriesLayout> NamedLayout(const ResultSet& result, std::string series_name,
                                         absl::string_view time_column,
                                         absl::string_view value_column,
                                         absl::Span<const std::string> label_columns) {
  SeriesLayout layout;
  layout.name = std::move(series_name);
  std::optional<size_t> time = FindResultColumn(result, time_column);
  std::optional<size_t> value = FindResultColumn(result, value_column);
  if (!time || !value) {
    return absl::InternalError(
        absl::StrCat("result lacks column ", time ? value_column : time_column));
  }
  layout.time_column = *time;
  layout.value_columns.push_back(*value);
  for (const std::string& label : label_columns) {
    if (label.empty()) continue;
    std::optional<size_t> index = FindResultColumn(result, label);
    if (!index) return absl::InternalError(absl::StrCat("result lacks column ", label));
    layout.label_columns.push_back(*index);
  }
  return layout;
}

// ---- Metrics ----

// dau, wau, mau, dau_mau: the active_users table function, one point per UTC day.
absl::StatusOr<std::vector<GrafanaFrame>> RunActiveUsersFunction(const MetricSpec& metric,
                                                                 const JsonParams& payload,
                                                                 const QueryScope& scope,
                                                                 const QueryRunner& runner) {
  absl::StatusOr<std::string> event_types = EventTypeCondition(payload);
  if (!event_types.ok()) return event_types.status();
  absl::StatusOr<std::string> breakdown = BreakdownColumn(payload, kEventBreakdowns, "none");
  if (!breakdown.ok()) return breakdown.status();
  const Bucket day{kMillisPerDayInScope};
  if (absl::Status status = CheckBucketCount(scope.range, day); !status.ok()) return status;
  const std::string where = JoinConditions({*event_types, scope.filter_sql});
  std::string sql =
      absl::StrCat("SELECT * FROM active_users(period => 'day', ", ScopeArguments(scope, where));
  if (!breakdown->empty()) absl::StrAppend(&sql, ", breakdown => ", *breakdown);
  sql += ")";
  absl::StatusOr<ResultSet> result = RunSelect(runner, sql);
  if (!result.ok()) return result.status();
  const bool ratio = metric.value == "dau_mau";
  absl::StatusOr<SeriesLayout> layout =
      NamedLayout(*result, ratio ? "DAU/MAU" : absl::AsciiStrToUpper(metric.value), "bucket",
                  metric.value, {*breakdown});
  if (!layout.ok()) return layout.status();
  layout->fill = ratio ? GapFill::kNull : GapFill::kZero;
  layout->bucket_starts = day.Starts(scope.range);
  return SeriesFrames(*result, *layout);
}

// active_users, events: distinct users or events per adaptive bucket, by a scan.
absl::StatusOr<std::vector<GrafanaFrame>> RunBucketedEvents(const MetricSpec& metric,
                                                            const JsonParams& payload,
                                                            const QueryScope& scope,
                                                            const QueryRunner& runner) {
  const bool events = metric.value == "events";
  absl::StatusOr<std::string> event_types = EventTypeCondition(payload);
  if (!event_types.ok()) return event_types.status();
  absl::StatusOr<std::string> breakdown =
      BreakdownColumn(payload, kEventBreakdowns, events ? "event_type" : "none");
  if (!breakdown.ok()) return breakdown.status();
  absl::StatusOr<Bucket> bucket = TargetBucket(payload, scope);
  if (!bucket.ok()) return bucket.status();
  const std::string group = breakdown->empty() ? "bucket" : absl::StrCat("bucket, ", *breakdown);
  const std::string sql = absl::StrCat(
      "SELECT toStartOfInterval(event_time, ", bucket->SqlInterval(), ") AS bucket",
      breakdown->empty() ? "" : absl::StrCat(", ", *breakdown), ", ",
      events ? "count() AS events" : "uniqExact(user_id) AS users", " FROM events WHERE ",
      JoinConditions({TimeCondition("event_time", scope.range), *event_types, scope.filter_sql}),
      " GROUP BY ", group, " ORDER BY bucket");
  absl::StatusOr<ResultSet> result = RunSelect(runner, sql);
  if (!result.ok()) return result.status();
  absl::StatusOr<SeriesLayout> layout =
      NamedLayout(*result, events ? "events" : "active users", "bucket",
                  events ? "events" : "users", {*breakdown});
  if (!layout.ok()) return layout.status();
  layout->fill = GapFill::kZero;
  layout->bucket_starts = bucket->Starts(scope.range);
  if (*breakdown == "event_type") {
    // Picked event types get a line of zeros rather than "no data" when none occurred.
    absl::StatusOr<std::vector<std::string>> picked = payload.List("event_type");
    if (!picked.ok()) return picked.status();
    for (const std::string& type : *picked) layout->expected_labels.push_back({type});
  }
  return SeriesFrames(*result, *layout);
}

struct SessionMeasure {
  absl::string_view value;
  absl::string_view sql;
  absl::string_view series;
  GapFill fill;
};
constexpr std::array<SessionMeasure, 5> kSessionMeasures = {{
    {"count", "count()", "sessions", GapFill::kZero},
    {"users", "uniqExact(user_id)", "users with sessions", GapFill::kZero},
    {"avg_duration_s", "avg(duration_s)", "avg session duration (s)", GapFill::kNull},
    {"median_duration_s", "median(duration_s)", "median session duration (s)", GapFill::kNull},
    {"avg_events", "avg(events)", "avg events per session", GapFill::kNull},
}};

// A measure over the sessions that start in each bucket of the range.
absl::StatusOr<std::vector<GrafanaFrame>> RunSessionSeries(const SessionMeasure& measure,
                                                           absl::string_view default_breakdown,
                                                           const JsonParams& payload,
                                                           const QueryScope& scope,
                                                           const QueryRunner& runner) {
  absl::StatusOr<std::string> breakdown =
      BreakdownColumn(payload, kSessionBreakdowns, default_breakdown);
  if (!breakdown.ok()) return breakdown.status();
  absl::StatusOr<Bucket> bucket = TargetBucket(payload, scope);
  if (!bucket.ok()) return bucket.status();
  const std::string group = breakdown->empty() ? "bucket" : absl::StrCat("bucket, ", *breakdown);
  const std::string sql =
      absl::StrCat("SELECT toStartOfInterval(start, ", bucket->SqlInterval(), ") AS bucket",
                   breakdown->empty() ? "" : absl::StrCat(", ", *breakdown), ", ", measure.sql,
                   " AS value FROM sessions(", ScopeArguments(scope, scope.filter_sql), ") WHERE ",
                   TimeCondition("start", scope.range), " GROUP BY ", group, " ORDER BY bucket");
  absl::StatusOr<ResultSet> result = RunSelect(runner, sql);
  if (!result.ok()) return result.status();
  absl::StatusOr<SeriesLayout> layout =
      NamedLayout(*result, std::string(measure.series), "bucket", "value", {*breakdown});
  if (!layout.ok()) return layout.status();
  layout->fill = measure.fill;
  layout->bucket_starts = bucket->Starts(scope.range);
  return SeriesFrames(*result, *layout);
}

absl::StatusOr<std::vector<GrafanaFrame>> RunSessions(const MetricSpec&, const JsonParams& payload,
                                                      const QueryScope& scope,
                                                      const QueryRunner& runner) {
  std::vector<absl::string_view> names;
  for (const SessionMeasure& measure : kSessionMeasures) names.push_back(measure.value);
  absl::StatusOr<std::string> chosen = payload.Choice("measure", names, "count");
  if (!chosen.ok()) return chosen.status();
  for (const SessionMeasure& measure : kSessionMeasures) {
    if (measure.value == *chosen) return RunSessionSeries(measure, "none", payload, scope, runner);
  }
  return absl::InternalError("unreachable: measure validated above");
}

// The share of sessions with a crash, in percent, per app version; or crash_health's table.
absl::StatusOr<std::vector<GrafanaFrame>> RunCrashRate(const MetricSpec&, const JsonParams& payload,
                                                       const QueryScope& scope,
                                                       const QueryRunner& runner) {
  absl::StatusOr<std::string> format =
      payload.Choice("format", {"timeseries", "table"}, "timeseries");
  if (!format.ok()) return format.status();
  if (*format == "timeseries") {
    static constexpr SessionMeasure kCrashRate = {
        "crash_rate", "100 * countIf(crashed = 1) / count()", "crash rate %", GapFill::kNull};
    return RunSessionSeries(kCrashRate, "app_version", payload, scope, runner);
  }
  absl::StatusOr<ResultSet> result = RunSelect(
      runner,
      absl::StrCat("SELECT * FROM crash_health(", ScopeArguments(scope, scope.filter_sql), ")"));
  if (!result.ok()) return result.status();
  return TableFrame(*std::move(result));
}

// " WHERE k IN (1, 7)" from payload.k, or "" when absent.
absl::StatusOr<std::string> RetentionPeriodFilter(const JsonParams& payload) {
  absl::StatusOr<std::vector<std::string>> periods = payload.List("k");
  if (!periods.ok()) return periods.status();
  if (periods->empty()) return std::string();
  for (const std::string& period : *periods) {
    if (period.size() > 6 || !std::all_of(period.begin(), period.end(), absl::ascii_isdigit)) {
      return absl::InvalidArgumentError(
          absl::StrCat("payload.k must list period numbers, not '", period, "'"));
    }
  }
  return absl::StrCat(" WHERE k IN (", absl::StrJoin(*periods, ", "), ")");
}

absl::StatusOr<std::vector<GrafanaFrame>> RunRetention(const MetricSpec&, const JsonParams& payload,
                                                       const QueryScope& scope,
                                                       const QueryRunner& runner) {
  absl::StatusOr<std::string> start_event = payload.String("start_event", "*");
  absl::StatusOr<std::string> return_event = payload.String("return_event", "*");
  absl::StatusOr<std::string> period = payload.Choice("period", {"day", "week", "month"}, "day");
  absl::StatusOr<std::string> type =
      payload.Choice("type", {"first_time", "recurring"}, "first_time");
  absl::StatusOr<std::string> mode = payload.Choice("mode", {"on", "on_or_after"}, "on");
  absl::StatusOr<std::string> format = payload.Choice("format", {"table", "timeseries"}, "table");
  absl::StatusOr<std::string> breakdown = BreakdownColumn(payload, kEventBreakdowns, "none");
  absl::StatusOr<std::string> period_filter = RetentionPeriodFilter(payload);
  for (const auto* value :
       {&start_event, &return_event, &period, &type, &mode, &format, &breakdown, &period_filter}) {
    if (!value->ok()) return value->status();
  }
  std::string sql =
      absl::StrCat("SELECT * FROM retention_matrix(start_event => ", QuoteString(*start_event),
                   ", return_event => ", QuoteString(*return_event), ", period => ",
                   QuoteString(*period), ", type => ", QuoteString(*type), ", mode => ",
                   QuoteString(*mode), ", ", ScopeArguments(scope, scope.filter_sql));
  if (!breakdown->empty()) absl::StrAppend(&sql, ", breakdown => ", *breakdown);
  absl::StrAppend(&sql, ")", *period_filter);
  absl::StatusOr<ResultSet> result = RunSelect(runner, sql);
  if (!result.ok()) return result.status();
  if (*format == "table") return TableFrame(*std::move(result));
  // One series per k: the share of each cohort retained k periods later.
  absl::StatusOr<SeriesLayout> layout =
      NamedLayout(*result, "retention %", "cohort", "pct", {*breakdown, "k"});
  if (!layout.ok()) return layout.status();
  return SeriesFrames(*result, *layout);
}

// A payload list of event names as an SQL array literal.
std::string EventArray(const std::vector<std::string>& events) {
  std::vector<std::string> quoted;
  for (const std::string& event : events) quoted.push_back(QuoteString(event));
  return absl::StrCat("[", absl::StrJoin(quoted, ", "), "]");
}

absl::StatusOr<std::vector<GrafanaFrame>> RunFunnel(const MetricSpec&, const JsonParams& payload,
                                                    const QueryScope& scope,
                                                    const QueryRunner& runner) {
  absl::StatusOr<std::vector<std::string>> steps = payload.List("steps");
  absl::StatusOr<std::vector<std::string>> exclude = payload.List("exclude");
  absl::StatusOr<std::string> window = payload.String("window", "1d");
  absl::StatusOr<std::string> order =
      payload.Choice("order", {"ordered", "strict", "unordered"}, "ordered");
  absl::StatusOr<std::string> breakdown = BreakdownColumn(payload, kEventBreakdowns, "none");
  if (!steps.ok()) return steps.status();
  if (!exclude.ok()) return exclude.status();
  if (!window.ok()) return window.status();
  if (!order.ok()) return order.status();
  if (!breakdown.ok()) return breakdown.status();
  if (steps->size() < 2) {
    return absl::InvalidArgumentError(
        "payload.steps must name at least 2 events, e.g. [\"app_open\", \"purchase\"]");
  }
  absl::StatusOr<int64_t> window_ms = ParseDurationMillis(*window);
  if (!window_ms.ok()) return window_ms.status();
  if (*window_ms < 1000 || *window_ms > kMaxFunnelWindowMs) {
    return absl::InvalidArgumentError("payload.window must be from 1s to 366d");
  }
  std::string sql =
      absl::StrCat("SELECT * FROM funnel(steps => ", EventArray(*steps), ", window => ",
                   *window_ms / 1000, ", order => ", QuoteString(*order));
  if (!exclude->empty()) absl::StrAppend(&sql, ", exclude => ", EventArray(*exclude));
  absl::StrAppend(&sql, ", ", ScopeArguments(scope, scope.filter_sql));
  if (!breakdown->empty()) absl::StrAppend(&sql, ", breakdown => ", *breakdown);
  sql += ")";
  absl::StatusOr<ResultSet> result = RunSelect(runner, sql);
  if (!result.ok()) return result.status();
  return TableFrame(*std::move(result));
}

// Annotations: the first event of each app version that first appears in the range.
absl::StatusOr<std::vector<GrafanaFrame>> RunReleases(const MetricSpec&, const JsonParams&,
                                                      const QueryScope& scope,
                                                      const QueryRunner& runner) {
  const std::string sql = absl::StrCat(
      "SELECT min(event_time) AS first_seen, app_version FROM events WHERE ",
      JoinConditions({"app_version != ''",
                      absl::StrCat("event_time < ", SqlTimeLiteral(scope.range.to_ms)),
                      scope.filter_sql}),
      " GROUP BY app_version HAVING first_seen >= ", SqlTimeLiteral(scope.range.from_ms),
      " ORDER BY first_seen, app_version");
  absl::StatusOr<ResultSet> found = RunSelect(runner, sql);
  if (!found.ok()) return found.status();
  ResultSet annotations;
  annotations.AddColumn("time", DataType::Of(TypeId::kDateTime64));
  annotations.AddColumn("title", DataType::Of(TypeId::kString));
  annotations.AddColumn("text", DataType::Of(TypeId::kString));
  annotations.AddColumn("tags", DataType::Array(TypeId::kString));
  // Columns are complete: references into them stay valid from here on.
  Column& time = annotations.columns[0];
  Column& tags = annotations.columns[3];
  for (size_t row = 0; row < found->row_count; ++row) {
    const std::string& version = found->columns[1].strings[row];
    time.ints.push_back(*TimeCellMillis(found->columns[0], row));
    annotations.columns[1].strings.push_back(absl::StrCat("Release ", version));
    annotations.columns[2].strings.push_back(absl::StrCat("First event of app_version ", version));
    tags.strings.push_back("release");
    tags.strings.push_back(version);
    tags.array_offsets.push_back(static_cast<uint32_t>(tags.strings.size()));
  }
  annotations.row_count = found->row_count;
  return TableFrame(std::move(annotations));
}

// Annotations: each alert's firing spell (firing to resolved, or to now while it fires)
// that overlaps the range, from system.alert_history.
absl::StatusOr<std::vector<GrafanaFrame>> RunAlerts(const MetricSpec&, const JsonParams&, const QueryScope& scope,
                                                    const QueryRunner& runner) {
  absl::StatusOr<ResultSet> history = RunSelect(
      runner, absl::StrCat("SELECT time, rule, state, value, labels FROM system.alert_history WHERE state IN "
                           "('firing', 'resolved') AND time < ",
                           SqlTimeLiteral(scope.range.to_ms), " ORDER BY time"));
  if (!history.ok()) return history.status();
  ResultSet annotations;
  annotations.AddColumn("time", DataType::Of(TypeId::kDateTime64));
  annotations.AddColumn("timeEnd", DataType::Of(TypeId::kDateTime64));
  annotations.AddColumn("title", DataType::Of(TypeId::kString));
  annotations.AddColumn("text", DataType::Of(TypeId::kString));
  annotations.AddColumn("tags", DataType::Array(TypeId::kString));
  struct Spell {
    int64_t start_ms;
    std::string rule;
    double value;
  };
  std::map<std::string, Spell> firing;  // by rule and labels
  auto add = [&](const Spell& spell, int64_t end_ms, const std::string& labels) {
    if (end_ms < scope.range.from_ms) return;
    annotations.columns[0].ints.push_back(spell.start_ms);
    annotations.columns[1].ints.push_back(end_ms);
    annotations.columns[2].strings.push_back(absl::StrCat("Alert ", spell.rule));
    annotations.columns[3].strings.push_back(absl::StrCat(labels, " value ", spell.value));
    Column& tags = annotations.columns[4];
    tags.strings.push_back("alert");
    tags.strings.push_back(spell.rule);
    tags.array_offsets.push_back(static_cast<uint32_t>(tags.strings.size()));
    ++annotations.row_count;
  };
  const ResultSet& rows = *history;
  for (size_t row = 0; row < rows.row_count; ++row) {
    const int64_t time_ms = rows.columns[0].ints[row];
    const std::string& rule = rows.columns[1].strings[row];
    const std::string& labels = rows.columns[4].strings[row];
    const std::string key = absl::StrCat(rule, "\n", labels);
    if (rows.columns[2].strings[row] == "firing") {
      firing[key] = {time_ms, rule, rows.columns[3].floats[row]};
    } else if (auto it = firing.find(key); it != firing.end()) {
      add(it->second, time_ms, labels);
      firing.erase(it);
    }
  }
  for (const auto& [key, spell] : firing) add(spell, scope.range.to_ms, key.substr(key.find('\n') + 1));
  return TableFrame(std::move(annotations));
}

absl::StatusOr<std::vector<GrafanaFrame>> RunSql(const MetricSpec&, const JsonParams& payload,
                                                 const QueryScope& scope, const QueryRunner& runner) {
  absl::StatusOr<std::string> text = payload.String("sql", "");
  if (!text.ok()) return text.status();
  if (text->empty()) return absl::InvalidArgumentError("payload.sql is empty: write a SELECT");
  absl::StatusOr<std::string> format =
      payload.Choice("format", {"auto", "timeseries", "table"}, "auto");
  if (!format.ok()) return format.status();
  absl::StatusOr<std::string> sql = ExpandMacros(*text, &scope);
  if (!sql.ok()) return sql.status();
  absl::StatusOr<ResultSet> result = RunSelect(runner, *sql, SqlOrigin::kUserReadOnly);
  if (!result.ok()) return result.status();
  const SqlResultFormat result_format = *format == "table"        ? SqlResultFormat::kTable
                                        : *format == "timeseries" ? SqlResultFormat::kTimeSeries
                                                                  : SqlResultFormat::kAuto;
  return SqlResultToFrames(*std::move(result), result_format);
}

// ---- Experiments ----

// The experiment's name, options and breakdown from `payload`, as experiment() arguments
// without the range.
absl::StatusOr<std::string> ExperimentArguments(const JsonParams& payload, std::string* breakdown) {
  MUA_ASSIGN_OR_RETURN(std::string name, payload.String("experiment", ""));
  MUA_RETURN_IF_ERROR(CheckExperimentName(name, "payload.experiment"));
  MUA_ASSIGN_OR_RETURN(ExperimentParams experiment,
                       ParseExperimentParams(payload, std::move(name), "payload."));
  MUA_ASSIGN_OR_RETURN(*breakdown, BreakdownColumn(payload, kEventBreakdowns, "none"));
  std::string arguments = ExperimentArgumentsSql(experiment);
  if (!breakdown->empty()) absl::StrAppend(&arguments, ", breakdown => ", *breakdown);
  return arguments;
}

// NotFound (a 400 in Grafana) unless system.experiments lists `name`.
absl::Status RequireKnownExperiment(const JsonParams& payload, const QueryRunner& runner) {
  MUA_ASSIGN_OR_RETURN(std::string name, payload.String("experiment", ""));
  MUA_ASSIGN_OR_RETURN(ResultSet found,
                       RunSelect(runner, absl::StrCat("SELECT count() AS n FROM system.experiments "
                                                      "WHERE experiment = ",
                                                      QuoteString(name))));
  if (found.row_count > 0 && NumericCell(found.columns[0], 0).value_or(0) > 0) {
    return absl::OkStatus();
  }
  return absl::NotFoundError(absl::StrCat(
      "payload.experiment: no stored event assigns anyone to experiment '", name, "'"));
}

// The days whose end an experiment series is evaluated at: every UTC day the range
// touches, or every n-th counting back from the last when there are more than
// kMaxExperimentPoints. Day numbers since the epoch, ascending.
std::vector<int64_t> ExperimentSeriesDays(const TimeRange& range) {
  const int64_t first = Bucket{kMillisPerDayInScope}.Floor(range.from_ms) / kMillisPerDayInScope;
  const int64_t last = Bucket{kMillisPerDayInScope}.Floor(range.to_ms - 1) / kMillisPerDayInScope;
  const int64_t count = last - first + 1;
  const int64_t step = (count + kMaxExperimentPoints - 1) / kMaxExperimentPoints;
  std::vector<int64_t> days;
  for (int64_t day = last; day >= first; day -= step) days.push_back(day);
  std::reverse(days.begin(), days.end());
  return days;
}

constexpr absl::string_view kLiftMeasures[] = {"lift", "lift_ci_low", "lift_ci_high"};
// (variant, breakdown value) -> measure (kLiftMeasures) -> day start -> value.
using LiftPoints = std::array<std::map<int64_t, std::optional<double>>, 3>;
using LiftSeries = std::map<std::pair<std::string, std::string>, LiftPoints>;

// Adds the lifts of `rows` (experiment()'s, control first in each breakdown group) for the
// day starting at `day_ms`, every variant but `control`.
absl::Status CollectLifts(const ResultSet& rows, const std::string& control, bool has_breakdown,
                          int64_t day_ms, LiftSeries* series) {
  std::array<size_t, 3> columns;
  for (size_t m = 0; m < columns.size(); ++m) {
    const std::optional<size_t> column = FindResultColumn(rows, kLiftMeasures[m]);
    if (!column) return absl::InternalError(absl::StrCat("experiment() lacks ", kLiftMeasures[m]));
    columns[m] = *column;
  }
  for (size_t row = 0; row < rows.row_count; ++row) {
    const std::string& variant = rows.columns[0].strings[row];
    if (variant == control) continue;
    LiftPoints& points = (*series)[{variant, has_breakdown ? rows.columns[1].strings[row] : ""}];
    for (size_t m = 0; m < columns.size(); ++m) {
      points[m][day_ms] = NumericCell(rows.columns[columns[m]], row);
    }
  }
  return absl::OkStatus();
}

// Three series per variant (and breakdown value): lift, lift_ci_low, lift_ci_high{variant=B},
// a point per day of `days`, null where a day has no value.
std::vector<GrafanaFrame> LiftFrames(const LiftSeries& series, const std::string& breakdown,
                                     const std::vector<int64_t>& days) {
  std::vector<GrafanaFrame> frames;
  for (const auto& [key, points] : series) {
    std::vector<std::pair<std::string, std::string>> tags = {{"variant", key.first}};
    if (!breakdown.empty()) tags.emplace_back(breakdown, key.second);
    std::vector<std::string> labels;
    for (const auto& [tag, value] : tags) labels.push_back(absl::StrCat(tag, "=", value));
    for (size_t m = 0; m < points.size(); ++m) {
      TimeSeries out{
          absl::StrCat(kLiftMeasures[m], "{", absl::StrJoin(labels, ", "), "}"), tags, {}, {}};
      for (int64_t day : days) {
        auto it = points[m].find(day * kMillisPerDayInScope);
        out.times_ms.push_back(day * kMillisPerDayInScope);
        out.values.push_back(it == points[m].end() ? std::nullopt : it->second);
      }
      frames.push_back(GrafanaFrame{std::move(out)});
    }
  }
  return frames;
}

// Lift of each non-control variant, and its interval, as answered at the end of each day:
// experiment() over [range start, end of the day) (the range's end for its last day). The
// whole range is evaluated first: its errors are the target's, and its first row names the
// control. An earlier day is a gap when experiment() refuses it (its control variant or some
// weighted variant not seen yet) or picks another control (the default one not seen yet).
absl::StatusOr<std::vector<GrafanaFrame>> ExperimentSeries(const std::string& arguments,
                                                           const std::string& breakdown,
                                                           const QueryScope& scope,
                                                           const QueryRunner& runner) {
  const std::vector<int64_t> days = ExperimentSeriesDays(scope.range);
  LiftSeries series;
  std::string control;
  for (size_t i = days.size(); i-- > 0;) {
    const int64_t day_ms = days[i] * kMillisPerDayInScope;
    const TimeRange until{scope.range.from_ms,
                          std::min(day_ms + kMillisPerDayInScope, scope.range.to_ms)};
    absl::StatusOr<ResultSet> rows = RunSelect(
        runner,
        absl::StrCat("SELECT * FROM experiment(", arguments, ", ",
                     ScopeArguments(QueryScope{until, scope.bucket, ""}, scope.filter_sql), ")"));
    const bool whole_range = i + 1 == days.size();
    if (!rows.ok() && !whole_range && absl::IsInvalidArgument(rows.status())) continue;
    if (!rows.ok()) return rows.status();
    if (rows->row_count == 0) continue;
    if (whole_range) control = rows->columns[0].strings[0];
    if (rows->columns[0].strings[0] != control) continue;
    MUA_RETURN_IF_ERROR(CollectLifts(*rows, control, !breakdown.empty(), day_ms, &series));
  }
  return LiftFrames(series, breakdown, days);
}

// The experiment() rows over the range (table), or the lift over time (timeseries).
absl::StatusOr<std::vector<GrafanaFrame>> RunExperiment(const MetricSpec&,
                                                        const JsonParams& payload,
                                                        const QueryScope& scope,
                                                        const QueryRunner& runner) {
  std::string breakdown;
  MUA_ASSIGN_OR_RETURN(const std::string arguments, ExperimentArguments(payload, &breakdown));
  MUA_ASSIGN_OR_RETURN(const std::string format,
                       payload.Choice("format", {"table", "timeseries"}, "table"));
  if (format == "timeseries") {
    MUA_ASSIGN_OR_RETURN(std::vector<GrafanaFrame> frames,
                         ExperimentSeries(arguments, breakdown, scope, runner));
    if (frames.empty()) MUA_RETURN_IF_ERROR(RequireKnownExperiment(payload, runner));
    return frames;
  }
  MUA_ASSIGN_OR_RETURN(
      ResultSet rows,
      RunSelect(runner, absl::StrCat("SELECT * FROM experiment(", arguments, ", ",
                                     ScopeArguments(scope, scope.filter_sql), ")")));
  if (rows.row_count == 0) MUA_RETURN_IF_ERROR(RequireKnownExperiment(payload, runner));
  return TableFrame(std::move(rows));
}

// The experiments system.experiments lists, by name.
absl::StatusOr<std::vector<PayloadOption>> ExperimentNameOptions(const QueryRunner& runner) {
  MUA_ASSIGN_OR_RETURN(ResultSet names,
                       RunSelect(runner, absl::StrCat("SELECT experiment FROM system.experiments "
                                                      "ORDER BY experiment LIMIT ",
                                                      kMaxExperimentOptions)));
  std::vector<PayloadOption> options;
  for (std::string& name : names.columns[0].strings) options.push_back({name, name});
  return options;
}

std::vector<MetricSpec> BuildMetrics();

}  // namespace

const std::vector<MetricSpec>& GrafanaMetrics() {
  static const std::vector<MetricSpec> metrics = BuildMetrics();
  return metrics;
}

const MetricSpec* FindMetric(absl::string_view name) {
  for (const MetricSpec& metric : GrafanaMetrics()) {
    if (absl::EqualsIgnoreCase(metric.value, name)) return &metric;
  }
  return nullptr;
}

absl::StatusOr<std::vector<PayloadOption>> MetricPayloadOptions(const MetricSpec& metric,
                                                                absl::string_view name,
                                                                const QueryRunner& runner) {
  for (const PayloadSpec& payload : metric.payloads) {
    if (payload.name != name) continue;
    if (!payload.options.empty() || (payload.type != "select" && payload.type != "multi-select")) {
      return payload.options;
    }
    if (metric.value == "experiment" && name == "experiment") return ExperimentNameOptions(runner);
    std::vector<PayloadOption> options;
    if (name == "start_event" || name == "return_event" ||
        (metric.value == "experiment" && name == "event")) {
      options.push_back({"any event", "*"});
    }
    absl::StatusOr<std::vector<std::string>> types =
        ColumnValues(runner, "event_type", std::nullopt, "", kMaxEventTypeOptions);
    if (!types.ok()) return types.status();
    for (std::string& type : *types) options.push_back({type, type});
    return options;
  }
  return absl::InvalidArgumentError(
      absl::StrCat("metric ", metric.value, " has no payload field '", name, "'"));
}

absl::StatusOr<std::vector<GrafanaFrame>> RunMetric(const MetricSpec& metric,
                                                    const JsonParams& payload,
                                                    const QueryScope& scope,
                                                    const QueryRunner& runner) {
  return metric.run(metric, payload, scope, runner);
}

absl::StatusOr<std::vector<std::string>> ColumnValues(const QueryRunner& runner,
                                                      absl::string_view column,
                                                      const std::optional<TimeRange>& range,
                                                      absl::string_view filter_sql, int limit) {
  const std::string sql = absl::StrCat(
      "SELECT ", column, " FROM events WHERE ",
      JoinConditions({absl::StrCat(column, " != ''"),
                      range ? TimeCondition("event_time", *range) : "", std::string(filter_sql)}),
      " GROUP BY ", column, " ORDER BY ", column, " LIMIT ", limit);
  absl::StatusOr<ResultSet> result = RunSelect(runner, sql);
  if (!result.ok()) return result.status();
  return std::move(result->columns[0].strings);
}

namespace {

std::vector<MetricSpec> BuildMetrics() {
  const PayloadSpec event_type =
      EventTypes("event_type", "Event types", "multi-select", "any event");
  const PayloadSpec none_breakdown = Breakdown(kEventBreakdowns, "none");
  std::vector<MetricSpec> metrics;
  auto add = [&metrics](std::string value, std::string label, std::vector<PayloadSpec> payloads,
                        MetricRunner run) {
    metrics.push_back({std::move(value), std::move(label), std::move(payloads), run});
  };
  add("dau", "DAU: daily active users", {event_type, none_breakdown}, RunActiveUsersFunction);
  add("wau", "WAU: active users over the trailing 7 days", {event_type, none_breakdown},
      RunActiveUsersFunction);
  add("mau", "MAU: active users over the trailing 30 days", {event_type, none_breakdown},
      RunActiveUsersFunction);
  add("dau_mau", "Stickiness: DAU / MAU", {event_type, none_breakdown}, RunActiveUsersFunction);
  add("active_users", "Active users per interval", {event_type, none_breakdown, Interval()},
      RunBucketedEvents);
  add("events", "Events by type",
      {event_type, Breakdown(kEventBreakdowns, "event_type"), Interval()}, RunBucketedEvents);
  add("sessions", "Sessions",
      {ChoicePayload("measure", "Measure",
                     {"count", "users", "avg_duration_s", "median_duration_s", "avg_events"}),
       Breakdown(kSessionBreakdowns, "none"), Interval()},
      RunSessions);
  add("crash_rate", "Crash rate by app version (% of sessions)",
      {ChoicePayload("format", "Format", {"timeseries", "table"}),
       Breakdown(kSessionBreakdowns, "app_version"), Interval()},
      RunCrashRate);
  add("retention", "Retention by cohort",
      {EventTypes("start_event", "Start event", "select", "* (any event)"),
       EventTypes("return_event", "Return event", "select", "* (any event)"),
       ChoicePayload("period", "Period", {"day", "week", "month"}),
       ChoicePayload("type", "Cohort", {"first_time", "recurring"}),
       ChoicePayload("mode", "Mode", {"on", "on_or_after"}),
       none_breakdown,
       ChoicePayload("format", "Format", {"table", "timeseries"}),
       {"k", "Periods (k)", "input", "all (or 1,7,30)", {}}},
      RunRetention);
  add("funnel", "Funnel",
      {EventTypes("steps", "Steps", "multi-select", "at least 2 events, in order"),
       {"window", "Window", "input", "1d", {}},
       ChoicePayload("order", "Order", {"ordered", "strict", "unordered"}),
       EventTypes("exclude", "Exclude", "multi-select", "none"),
       none_breakdown},
      RunFunnel);
  add("experiment", "Experiment: A/B variants' metric, lift and significance",
      {{"experiment", "Experiment", "select", "an experiment of system.experiments", {}},
       ChoicePayload("metric", "Metric", {"conversion", "count", "sum", "retention"}),
       EventTypes("event", "Event", "select", "required for conversion and sum"),
       {"window", "Window", "input", "until the range's end (or 1d, 7d)", {}},
       {"control", "Control variant", "input", "control", {}},
       {"value_property", "Value property (sum)", "input", "price", {}},
       {"k", "Day k (retention)", "input", "7", {}},
       {"alpha", "Alpha", "input", "0.05", {}},
       {"weights", "Weights", "input", "equal (or 0.5,0.5 with control first)", {}},
       ChoicePayload("cuped", "CUPED", {"0", "1"}),
       {"exposure_event", "Exposure event", "input", kDefaultExposureEvent, {}},
       none_breakdown,
       ChoicePayload("format", "Format", {"table", "timeseries"})},
      RunExperiment);
  add("releases", "Releases: first event of each app version (annotations)", {}, RunReleases);
  add("alerts", "Alerts: each alert's firing spell, from system.alert_history (annotations)", {}, RunAlerts);
  add("sql", "SQL (SELECT; macros $__timeFilter(col), $__timeGroup(col), $__adhocFilters)",
      {{"sql",
        "SQL",
        "textarea",
        "SELECT $__timeGroup(event_time) AS t, count() FROM events WHERE "
        "$__timeFilter(event_time) GROUP BY t ORDER BY t",
        {}},
       ChoicePayload("format", "Format", {"auto", "timeseries", "table"})},
      RunSql);
  return metrics;
}

}  // namespace

}  // namespace mua::server_internal
