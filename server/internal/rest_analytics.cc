#include "server/internal/rest_analytics.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/time.h"
#include "ingest/pii.h"
#include "query/analytics/funnel.h"
#include "server/internal/experiment_params.h"
#include "server/internal/grafana_scope.h"
#include "server/internal/rest_request.h"
#include "server/internal/result_cells.h"
#include "server/query_runner.h"
#include "sql/printer.h"
#include "sql/sql_error.h"
#include "storage/base/status_macros.h"
#include "storage/base/time_util.h"
#include "storage/schema.h"

namespace mua::server_internal {
namespace {

constexpr absl::string_view kListParams[] = {"steps", "exclude"};
constexpr int32_t kDefaultDays = 30;
constexpr int32_t kMaxDays = 3660;  // ten years of days per request
constexpr int kTopEventTypes = 10;
constexpr int kMaxListedValues = 100;  // platforms, app versions, countries in a summary
constexpr size_t kMaxEventNameBytes = 1024;
constexpr size_t kMaxTimeZoneBytes = 64;
constexpr int64_t kDefaultFunnelWindowSeconds = 86'400;
constexpr int64_t kMaxFunnelWindowSeconds = 366 * 86'400;
constexpr double kSecondsScale = 1e3;
constexpr double kRateScale = 1e6;
constexpr size_t kMaxWhereBytes = 4096;

// Runs SQL built here. A position would point into text the client never saw: dropped.
absl::StatusOr<ResultSet> RunQuery(const QueryRunner& runner, const std::string& sql,
                                   SqlOrigin origin = SqlOrigin::kBuiltIn) {
  absl::StatusOr<StatementOutput> output = runner.Run(sql, origin);
  if (!output.ok()) {
    if (std::optional<SqlError> error = GetSqlError(output.status())) {
      return absl::Status(output.status().code(), error->message);
    }
    return output.status();
  }
  return std::move(output->result);
}

// `value` rounded to a multiple of 1 / scale: session lengths to the millisecond (event
// times have no finer precision), rates to six decimals.
std::optional<double> Rounded(std::optional<double> value, double scale) {
  if (!value) return value;
  return std::round(*value * scale) / scale;
}

std::string DateLiteral(int32_t day) { return QuoteString(FormatDay(day)); }

std::string IsoTime(int64_t millis) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", absl::FromUnixMillis(millis),
                          absl::UTCTimeZone());
}

// The numeric cell (row, column `name`) of `result`; nullopt for NULL, NaN or no row.
std::optional<double> Number(const ResultSet& result, absl::string_view name, size_t row = 0) {
  const std::optional<size_t> column = FindResultColumn(result, name);
  if (!column || row >= result.row_count) return std::nullopt;
  return NumericCell(result.columns[*column], row);
}

void WriteOptionalString(absl::string_view key, absl::string_view value, JsonWriter* writer) {
  WriteString(key, writer);
  if (value.empty()) {
    writer->Null();
  } else {
    WriteString(value, writer);
  }
}

void WriteStringList(absl::string_view key, const std::vector<std::string>& values,
                     JsonWriter* writer) {
  WriteString(key, writer);
  writer->StartArray();
  for (const std::string& value : values) WriteString(value, writer);
  writer->EndArray();
}

// ---- Parameters shared by retention and funnel ----

absl::StatusOr<std::string> EventName(const JsonParams& params, absl::string_view name,
                                      absl::string_view fallback) {
  MUA_ASSIGN_OR_RETURN(std::string event, params.String(name, fallback));
  if (event.size() > kMaxEventNameBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat(name, " is longer than ", kMaxEventNameBytes, " bytes"));
  }
  return event;
}

absl::StatusOr<std::vector<std::string>> EventList(const JsonParams& params,
                                                   absl::string_view name) {
  MUA_ASSIGN_OR_RETURN(std::vector<std::string> events, params.List(name));
  for (const std::string& event : events) {
    if (event.size() > kMaxEventNameBytes) {
      return absl::InvalidArgumentError(
          absl::StrCat(name, " has an event name longer than ", kMaxEventNameBytes, " bytes"));
    }
  }
  return events;
}

std::string EventArray(const std::vector<std::string>& events) {
  std::vector<std::string> quoted;
  for (const std::string& event : events) quoted.push_back(QuoteString(event));
  return absl::StrCat("[", absl::StrJoin(quoted, ", "), "]");
}

std::vector<absl::string_view> BreakdownColumns() {
  std::vector<absl::string_view> names;
  for (ColumnId id : kAllColumns) {
    if (KindOf(id) == ColumnKind::kLowCardinality) names.push_back(ColumnName(id));
  }
  return names;
}

// OK when [from, to) holds one to kMaxDays days (`to` is exclusive, as everywhere in MUA).
absl::Status CheckDays(int32_t from, int32_t to) {
  if (from >= to) {
    return absl::InvalidArgumentError(absl::StrCat("from (", FormatDay(from), ") must be before to (",
                                                   FormatDay(to), "): to is exclusive"));
  }
  if (to - from > kMaxDays) {
    return absl::InvalidArgumentError(absl::StrCat("from..to spans more than ", kMaxDays, " days"));
  }
  return absl::OkStatus();
}

// What retention and funnel share: the day range, breakdown and time zone.
struct Scope {
  std::optional<int32_t> from;  // first day
  std::optional<int32_t> to;    // the day after the last (exclusive)
  std::string breakdown;        // a low-cardinality events column; "" for none
  std::string timezone;         // "" for UTC
};

absl::StatusOr<std::string> TimeZoneParam(const JsonParams& params) {
  MUA_ASSIGN_OR_RETURN(std::string zone, params.String("timezone", ""));
  // IANA names only: the binder loads the zone by name, so no paths.
  const bool plain = std::all_of(zone.begin(), zone.end(), [](char c) {
    return absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '+' ||
           c == '/';
  });
  if (!plain || zone.size() > kMaxTimeZoneBytes || absl::StrContains(zone, "..") ||
      absl::StartsWith(zone, "/")) {
    return absl::InvalidArgumentError(absl::StrCat(
        "timezone must be an IANA time zone name such as Europe/Berlin, not '", zone, "'"));
  }
  return zone;
}

absl::StatusOr<Scope> ParseScope(const JsonParams& params) {
  Scope scope;
  MUA_ASSIGN_OR_RETURN(scope.from, DateParam(params, "from"));
  MUA_ASSIGN_OR_RETURN(scope.to, DateParam(params, "to"));
  if (scope.from && scope.to) MUA_RETURN_IF_ERROR(CheckDays(*scope.from, *scope.to));
  MUA_ASSIGN_OR_RETURN(std::string breakdown, params.String("breakdown", "none"));
  if (breakdown != "none") {
    const std::optional<ColumnId> column = FindColumn(breakdown);
    if (!column || KindOf(*column) != ColumnKind::kLowCardinality) {
      return absl::InvalidArgumentError(absl::StrCat("breakdown must be none or one of ",
                                                     absl::StrJoin(BreakdownColumns(), ", "),
                                                     ", not '", breakdown, "'"));
    }
    scope.breakdown = std::move(breakdown);
  }
  MUA_ASSIGN_OR_RETURN(scope.timezone, TimeZoneParam(params));
  return scope;
}

// ", from => '...', to => '...', breakdown => x, timezone => '...'".
std::string ScopeArguments(const Scope& scope) {
  std::string arguments;
  if (scope.from) absl::StrAppend(&arguments, ", from => ", DateLiteral(*scope.from));
  if (scope.to) absl::StrAppend(&arguments, ", to => ", DateLiteral(*scope.to));
  if (!scope.breakdown.empty()) absl::StrAppend(&arguments, ", breakdown => ", scope.breakdown);
  if (!scope.timezone.empty()) {
    absl::StrAppend(&arguments, ", timezone => ", QuoteString(scope.timezone));
  }
  return arguments;
}

void WriteScope(const Scope& scope, JsonWriter* writer) {
  WriteOptionalString("from", scope.from ? FormatDay(*scope.from) : "", writer);
  WriteOptionalString("to", scope.to ? FormatDay(*scope.to) : "", writer);
  WriteOptionalString("breakdown", scope.breakdown, writer);
  WriteString("timezone", writer);
  WriteString(scope.timezone.empty() ? "UTC" : scope.timezone, writer);
}

// ---- Daily metrics ----

// The last day with events, or today (UTC) when there are none.
absl::StatusOr<int32_t> LastDayWithEvents(const QueryRunner& runner) {
  MUA_ASSIGN_OR_RETURN(
      ResultSet result,
      RunQuery(runner, "SELECT count() AS n, max(event_time) AS last FROM events"));
  if (Number(result, "n").value_or(0) == 0) return DayOfMillis(absl::ToUnixMillis(absl::Now()));
  return DayOfMillis(*TimeCellMillis(result.columns[1], 0));
}

struct DayMetrics {
  std::optional<double> dau, events, sessions, avg_length, median_length, crashed;
};

// Adds each row's `columns` of `result`, keyed by the day of its first column, to `days`.
void CollectByDay(
    const ResultSet& result,
    const std::vector<std::pair<absl::string_view, std::optional<double> DayMetrics::*>>& columns,
    std::map<int32_t, DayMetrics>* days) {
  for (size_t row = 0; row < result.row_count; ++row) {
    const std::optional<int64_t> millis = TimeCellMillis(result.columns[0], row);
    if (!millis) continue;
    DayMetrics& metrics = (*days)[DayOfMillis(*millis)];
    for (const auto& [name, field] : columns) metrics.*field = Number(result, name, row);
  }
}

// The user's platforms, app versions and countries (most events first) and top event types.
absl::Status WriteUserBreakdowns(const QueryRunner& runner, absl::string_view user,
                                 JsonWriter* writer) {
  for (const auto& [key, column] : {std::pair<const char*, const char*>{"platforms", "platform"},
                                    {"app_versions", "app_version"},
                                    {"countries", "country"}}) {
    MUA_ASSIGN_OR_RETURN(ResultSet values,
                         RunQuery(runner, absl::StrCat("SELECT ", column,
                                                       ", count() AS events FROM events WHERE "
                                                       "user_id = ",
                                                       user, " AND ", column, " != '' GROUP BY ",
                                                       column, " ORDER BY events DESC, ", column,
                                                       " LIMIT ", kMaxListedValues)));
    WriteStringList(key, values.columns[0].strings, writer);
  }
  MUA_ASSIGN_OR_RETURN(
      ResultSet top,
      RunQuery(runner,
               absl::StrCat("SELECT event_type, count() AS events FROM events WHERE "
                            "user_id = ",
                            user, " GROUP BY event_type ORDER BY events DESC, event_type LIMIT ",
                            kTopEventTypes)));
  writer->Key("top_events");
  WriteRowObjects(top, JsonTimeStyle::kText, writer);
  return absl::OkStatus();
}

// Each day's metrics in [from, to); days without events have no entry.
absl::StatusOr<std::map<int32_t, DayMetrics>> DailyMetrics(const QueryRunner& runner, int32_t from,
                                                           int32_t to) {
  const std::string start = SqlTimeLiteral(MillisOfDay(from));
  const std::string end = SqlTimeLiteral(MillisOfDay(to));
  std::map<int32_t, DayMetrics> days;
  MUA_ASSIGN_OR_RETURN(
      ResultSet dau, RunQuery(runner, absl::StrCat("SELECT bucket, dau FROM active_users(period => "
                                                   "'day', from => ",
                                                   start, ", to => ", end, ")")));
  CollectByDay(dau, {{"dau", &DayMetrics::dau}}, &days);
  MUA_ASSIGN_OR_RETURN(
      ResultSet events,
      RunQuery(runner, absl::StrCat("SELECT toDate(event_time) AS day, count() AS events FROM "
                                    "events WHERE event_time >= ",
                                    start, " AND event_time < ", end, " GROUP BY day")));
  CollectByDay(events, {{"events", &DayMetrics::events}}, &days);
  // A session counts on the day it starts.
  MUA_ASSIGN_OR_RETURN(
      ResultSet sessions,
      RunQuery(runner,
               absl::StrCat("SELECT toDate(start) AS day, count() AS sessions, "
                            "avg(duration_s) AS avg_length, median(duration_s) AS median_length, "
                            "countIf(crashed = 1) AS crashed FROM sessions(from => ",
                            start, ", to => ", end, ") WHERE start >= ", start, " AND start < ",
                            end, " GROUP BY day")));
  CollectByDay(sessions,
               {{"sessions", &DayMetrics::sessions},
                {"avg_length", &DayMetrics::avg_length},
                {"median_length", &DayMetrics::median_length},
                {"crashed", &DayMetrics::crashed}},
               &days);
  return days;
}

void WriteDay(int32_t day, const DayMetrics& metrics, JsonWriter* writer) {
  const double session_count = metrics.sessions.value_or(0);
  writer->StartObject();
  writer->Key("date");
  WriteString(FormatDay(day), writer);
  writer->Key("dau");
  WriteNumber(metrics.dau.value_or(0), writer);
  writer->Key("events");
  WriteNumber(metrics.events.value_or(0), writer);
  writer->Key("sessions");
  WriteNumber(session_count, writer);
  writer->Key("avg_session_length_s");
  WriteNumber(Rounded(metrics.avg_length, kSecondsScale), writer);
  writer->Key("median_session_length_s");
  WriteNumber(Rounded(metrics.median_length, kSecondsScale), writer);
  writer->Key("crashed_sessions");
  WriteNumber(metrics.crashed.value_or(0), writer);
  writer->Key("crash_rate");
  std::optional<double> crash_rate;
  if (session_count > 0) crash_rate = metrics.crashed.value_or(0) / session_count;
  WriteNumber(Rounded(crash_rate, kRateScale), writer);
  writer->EndObject();
}

// ---- Experiments ----

// experiment()'s rows as objects, `significant` as true/false/null rather than 1/0/null.
void WriteExperimentRows(const ResultSet& rows, JsonWriter* writer) {
  const std::optional<size_t> significant = FindResultColumn(rows, "significant");
  writer->StartArray();
  for (size_t row = 0; row < rows.row_count; ++row) {
    writer->StartObject();
    for (size_t i = 0; i < rows.columns.size(); ++i) {
      const Column& column = rows.columns[i];
      WriteString(rows.names[i], writer);
      if (i == significant && !column.is_null(row)) {
        writer->Bool(column.ints[row] != 0);
      } else {
        WriteCell(column, row, JsonTimeStyle::kText, writer);
      }
    }
    writer->EndObject();
  }
  writer->EndArray();
}

// Whether system.experiments lists `name` (some stored event assigns someone to it).
absl::StatusOr<bool> ExperimentIsKnown(const QueryRunner& runner, absl::string_view name) {
  MUA_ASSIGN_OR_RETURN(ResultSet found,
                       RunQuery(runner, absl::StrCat("SELECT count() AS n FROM system.experiments "
                                                     "WHERE experiment = ",
                                                     QuoteString(name))));
  return Number(found, "n").value_or(0) > 0;
}

}  // namespace

absl::Span<const absl::string_view> RestListParams() { return kListParams; }

absl::Status ServeUserSummary(absl::string_view user_id, const UserIdHasher* hasher,
                              const QueryRunner& runner, JsonWriter* writer) {
  const std::string user =
      QuoteString(hasher != nullptr ? hasher->Hash(user_id) : std::string(user_id));
  MUA_ASSIGN_OR_RETURN(
      ResultSet totals,
      RunQuery(runner, absl::StrCat("SELECT count() AS events, min(event_time) AS first_seen, "
                                    "max(event_time) AS last_seen, "
                                    "uniqExact(toDate(event_time)) AS active_days, "
                                    "countIf(event_type = 'purchase') AS purchases, "
                                    "sumIf(JSONExtractFloat(properties, 'price'), event_type = "
                                    "'purchase') AS revenue FROM events WHERE user_id = ",
                                    user)));
  if (Number(totals, "events").value_or(0) == 0) {
    return absl::NotFoundError(absl::StrCat("user '", user_id, "' has no events"));
  }
  // The sessions table function filters events before sessionizing: only this user's.
  MUA_ASSIGN_OR_RETURN(
      ResultSet sessions,
      RunQuery(runner, absl::StrCat("SELECT count() AS sessions, avg(duration_s) AS avg_length, "
                                    "countIf(crashed = 1) AS crashed FROM sessions(where => ",
                                    QuoteString(absl::StrCat("user_id = ", user)), ")")));
  writer->StartObject();
  writer->Key("user_id");
  WriteString(user_id, writer);
  writer->Key("first_seen");
  WriteString(IsoTime(*TimeCellMillis(totals.columns[1], 0)), writer);
  writer->Key("last_seen");
  WriteString(IsoTime(*TimeCellMillis(totals.columns[2], 0)), writer);
  for (const char* name : {"events", "active_days"}) {
    writer->Key(name);
    WriteNumber(Number(totals, name), writer);
  }
  writer->Key("sessions");
  WriteNumber(Number(sessions, "sessions"), writer);
  writer->Key("avg_session_length_s");
  WriteNumber(Rounded(Number(sessions, "avg_length"), kSecondsScale), writer);
  writer->Key("crashed_sessions");
  WriteNumber(Number(sessions, "crashed"), writer);
  writer->Key("purchases");
  WriteNumber(Number(totals, "purchases"), writer);
  writer->Key("revenue");
  WriteNumber(Number(totals, "revenue").value_or(0), writer);
  MUA_RETURN_IF_ERROR(WriteUserBreakdowns(runner, user, writer));
  writer->EndObject();
  return absl::OkStatus();
}

absl::Status ServeDailyMetrics(const JsonParams& params, const QueryRunner& runner,
                               JsonWriter* writer) {
  static constexpr absl::string_view kKnown[] = {"from", "to"};
  MUA_RETURN_IF_ERROR(params.CheckKnown(kKnown));
  MUA_ASSIGN_OR_RETURN(std::optional<int32_t> from, DateParam(params, "from"));
  MUA_ASSIGN_OR_RETURN(std::optional<int32_t> to, DateParam(params, "to"));
  if (!to) {
    MUA_ASSIGN_OR_RETURN(int32_t last, LastDayWithEvents(runner));
    to = from && *from > last ? *from + kDefaultDays : last + 1;
  }
  if (!from) from = *to - kDefaultDays;
  MUA_RETURN_IF_ERROR(CheckDays(*from, *to));
  using DayMap = std::map<int32_t, DayMetrics>;
  MUA_ASSIGN_OR_RETURN(const DayMap days, DailyMetrics(runner, *from, *to));
  writer->StartObject();
  WriteString("from", writer);
  WriteString(FormatDay(*from), writer);
  WriteString("to", writer);
  WriteString(FormatDay(*to), writer);
  writer->Key("days");
  writer->StartArray();
  for (int32_t day = *from; day < *to; ++day) {
    auto it = days.find(day);
    WriteDay(day, it == days.end() ? DayMetrics{} : it->second, writer);
  }
  writer->EndArray();
  writer->EndObject();
  return absl::OkStatus();
}

absl::Status ServeRetention(const JsonParams& params, const QueryRunner& runner, JsonWriter* writer) {
  static constexpr absl::string_view kKnown[] = {
      "start_event", "return_event", "period",    "type",     "mode",
      "from",        "to",           "breakdown", "timezone",
  };
  MUA_RETURN_IF_ERROR(params.CheckKnown(kKnown));
  MUA_ASSIGN_OR_RETURN(std::string start_event, EventName(params, "start_event", "*"));
  MUA_ASSIGN_OR_RETURN(std::string return_event, EventName(params, "return_event", "*"));
  MUA_ASSIGN_OR_RETURN(std::string period,
                       params.Choice("period", {"day", "week", "month"}, "day"));
  MUA_ASSIGN_OR_RETURN(std::string type,
                       params.Choice("type", {"first_time", "recurring"}, "first_time"));
  MUA_ASSIGN_OR_RETURN(std::string mode, params.Choice("mode", {"on", "on_or_after"}, "on"));
  MUA_ASSIGN_OR_RETURN(Scope scope, ParseScope(params));
  MUA_ASSIGN_OR_RETURN(
      ResultSet rows,
      RunQuery(runner, absl::StrCat("SELECT * FROM retention_matrix(start_event => ",
                                    QuoteString(start_event), ", return_event => ",
                                    QuoteString(return_event), ", period => ", QuoteString(period),
                                    ", type => ", QuoteString(type), ", mode => ",
                                    QuoteString(mode), ScopeArguments(scope), ")")));
  writer->StartObject();
  writer->Key("parameters");
  writer->StartObject();
  for (const auto& [key, value] :
       {std::pair<const char*, const std::string&>{"start_event", start_event},
        {"return_event", return_event},
        {"period", period},
        {"type", type},
        {"mode", mode}}) {
    writer->Key(key);
    WriteString(value, writer);
  }
  WriteScope(scope, writer);
  writer->EndObject();
  writer->Key("rows");
  WriteRowObjects(rows, JsonTimeStyle::kText, writer);
  writer->EndObject();
  return absl::OkStatus();
}

absl::Status ServeFunnel(const JsonParams& params, const QueryRunner& runner, JsonWriter* writer) {
  static constexpr absl::string_view kKnown[] = {
      "steps", "window", "order", "exclude", "from", "to", "breakdown", "timezone",
  };
  MUA_RETURN_IF_ERROR(params.CheckKnown(kKnown));
  MUA_ASSIGN_OR_RETURN(std::vector<std::string> steps, EventList(params, "steps"));
  if (steps.size() < 2 || steps.size() > kMaxFunnelSteps) {
    return absl::InvalidArgumentError(
        absl::StrCat("steps must name 2 to ", kMaxFunnelSteps,
                     " events, e.g. steps=app_open,view_item,purchase; got ", steps.size()));
  }
  MUA_ASSIGN_OR_RETURN(std::vector<std::string> exclude, EventList(params, "exclude"));
  MUA_ASSIGN_OR_RETURN(std::string window_text,
                       params.String("window", absl::StrCat(kDefaultFunnelWindowSeconds)));
  // Seconds, or a duration such as 30m, 1h or 7d.
  absl::StatusOr<int64_t> window_ms = ParseDurationMillis(window_text);
  if (!window_ms.ok() || *window_ms % 1000 != 0 || *window_ms < 1000 ||
      *window_ms > kMaxFunnelWindowSeconds * 1000) {
    return absl::InvalidArgumentError(
        absl::StrCat("window must be whole seconds from 1 to ", kMaxFunnelWindowSeconds,
                     " (or a duration such as 30m, 1h, 7d), not '", window_text, "'"));
  }
  const int64_t window_s = *window_ms / 1000;
  MUA_ASSIGN_OR_RETURN(std::string order,
                       params.Choice("order", {"ordered", "strict", "unordered"}, "ordered"));
  MUA_ASSIGN_OR_RETURN(Scope scope, ParseScope(params));
  std::string sql = absl::StrCat("SELECT * FROM funnel(steps => ", EventArray(steps),
                                 ", window => ", window_s, ", order => ", QuoteString(order));
  if (!exclude.empty()) absl::StrAppend(&sql, ", exclude => ", EventArray(exclude));
  absl::StrAppend(&sql, ScopeArguments(scope), ")");
  MUA_ASSIGN_OR_RETURN(ResultSet rows, RunQuery(runner, sql));
  writer->StartObject();
  writer->Key("parameters");
  writer->StartObject();
  WriteStringList("steps", steps, writer);
  writer->Key("window");
  writer->Int64(window_s);
  writer->Key("order");
  WriteString(order, writer);
  WriteStringList("exclude", exclude, writer);
  WriteScope(scope, writer);
  writer->EndObject();
  writer->Key("rows");
  WriteRowObjects(rows, JsonTimeStyle::kText, writer);
  writer->EndObject();
  return absl::OkStatus();
}

absl::Status ServeExperiment(absl::string_view name, const JsonParams& params,
                             const QueryRunner& runner, JsonWriter* writer) {
  std::vector<absl::string_view> known(ExperimentParamNames().begin(),
                                       ExperimentParamNames().end());
  for (absl::string_view scope_param : {"from", "to", "breakdown", "timezone", "where"}) {
    known.push_back(scope_param);
  }
  MUA_RETURN_IF_ERROR(params.CheckKnown(known));
  MUA_RETURN_IF_ERROR(CheckExperimentName(name, "the experiment name"));
  MUA_ASSIGN_OR_RETURN(ExperimentParams experiment,
                       ParseExperimentParams(params, std::string(name), ""));
  MUA_ASSIGN_OR_RETURN(Scope scope, ParseScope(params));
  MUA_ASSIGN_OR_RETURN(std::string where, params.String("where", ""));
  if (where.size() > kMaxWhereBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat("where is longer than ", kMaxWhereBytes, " bytes"));
  }
  std::string sql = absl::StrCat("SELECT * FROM experiment(", ExperimentArgumentsSql(experiment),
                                 ScopeArguments(scope));
  if (!where.empty()) absl::StrAppend(&sql, ", where => ", QuoteString(where));
  sql += ")";
  // `where` is SQL the client wrote (a predicate, maybe with subqueries): it runs as the
  // client's own read-only statement would, which needs the analyst role.
  MUA_ASSIGN_OR_RETURN(
      ResultSet rows,
      RunQuery(runner, sql, where.empty() ? SqlOrigin::kBuiltIn : SqlOrigin::kUserReadOnly));
  if (rows.row_count == 0) {
    MUA_ASSIGN_OR_RETURN(const bool known_experiment, ExperimentIsKnown(runner, name));
    if (!known_experiment) {
      return absl::NotFoundError(absl::StrCat("no stored event assigns anyone to experiment '",
                                              name,
                                              "'; GET /api/v1/experiments lists the experiments"));
    }
  }
  writer->StartObject();
  writer->Key("experiment");
  WriteString(name, writer);
  writer->Key("parameters");
  writer->StartObject();
  WriteExperimentParams(experiment, writer);
  WriteScope(scope, writer);
  WriteOptionalString("where", where, writer);
  writer->EndObject();
  writer->Key("rows");
  WriteExperimentRows(rows, writer);
  writer->EndObject();
  return absl::OkStatus();
}

absl::Status ServeExperimentList(const JsonParams& params, const QueryRunner& runner,
                                 JsonWriter* writer) {
  MUA_RETURN_IF_ERROR(params.CheckKnown({}));
  MUA_ASSIGN_OR_RETURN(
      ResultSet rows,
      RunQuery(runner,
               "SELECT experiment, variants, users_per_variant, users, first_exposure, "
               "last_exposure, excluded_users FROM system.experiments ORDER BY experiment"));
  writer->StartObject();
  writer->Key("experiments");
  WriteRowObjects(rows, JsonTimeStyle::kText, writer);
  writer->EndObject();
  return absl::OkStatus();
}

}  // namespace mua::server_internal
