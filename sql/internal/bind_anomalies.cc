// anomalies(...) and anomalous_users(...) (SPEC §5c): the series or per-user rows come
// from a query composed here (or, for metric => 'sql', written by the user) and bound as
// this source's input block, so it is optimized, limited and split over a cluster's
// shards like any query; query/analytics/anomaly.h scores the rows when the plan runs.
#include <algorithm>
#include <cmath>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "query/analytics/anomaly.h"
#include "query/distributed.h"
#include "query/executor.h"
#include "query/functions/time_functions.h"
#include "query/optimizer/optimizer.h"
#include "sql/internal/select_binder.h"
#include "sql/parser.h"
#include "sql/printer.h"
#include "storage/base/status_macros.h"
#include "storage/base/time_util.h"

namespace mua::sql_internal {
namespace {

// One named argument: its text (a string, or a column's name) or number, and where it was.
struct NamedValue {
  std::string text;
  std::optional<double> number;
  SourcePos pos;
};
using NamedValues = std::map<std::string, NamedValue>;

// The crash event and the revenue event and property the built-in metrics read (SPEC §9).
constexpr char kCrashEvent[] = "app_crash";
constexpr char kPurchaseEvent[] = "purchase";
constexpr char kPriceProperty[] = "price";

absl::StatusOr<std::string> Choice(const NamedValues& args, const std::string& name, const std::string& fallback,
                                   std::initializer_list<const char*> choices, SourcePos function_pos) {
  auto it = args.find(name);
  const std::string value = it == args.end() ? fallback : it->second.text;
  for (const char* choice : choices) {
    if (value == choice) return value;
  }
  std::vector<std::string> quoted;
  for (const char* choice : choices) quoted.push_back(absl::StrCat("'", choice, "'"));
  return ErrorAt(it == args.end() ? function_pos : it->second.pos, absl::StatusCode::kInvalidArgument,
                 absl::StrCat(name, " must be one of ", absl::StrJoin(quoted, ", "), ", not '", value, "'"));
}

// A number argument within [low, high] (whole when `integer`).
absl::Status NumberArgument(const NamedValues& args, const std::string& name, double low, double high, bool integer,
                            double* out) {
  auto it = args.find(name);
  if (it == args.end()) return absl::OkStatus();
  const std::optional<double> number = it->second.number;
  if (!number || !(*number >= low && *number <= high) || (integer && *number != std::floor(*number))) {
    return ErrorAt(it->second.pos, absl::StatusCode::kInvalidArgument,
                   absl::StrCat(name, " must be a", integer ? " whole" : "", " number from ", low, " to ", high));
  }
  *out = *number;
  return absl::OkStatus();
}

absl::StatusOr<NamedValues> ReadNamedValues(
    const FunctionExpr& function, std::initializer_list<const char*> allowed_names,
    const std::function<absl::StatusOr<BoundExprPtr>(const Expr&)>& bind) {
  NamedValues args;
  std::vector<std::string> allowed(allowed_names.begin(), allowed_names.end());
  std::sort(allowed.begin(), allowed.end());
  for (const ExprPtr& arg : function.args) {
    if (arg->kind != ExprKind::kNamedArgument) {
      return ErrorAt(arg->pos, absl::StatusCode::kInvalidArgument,
                     absl::StrCat(function.name, " takes named arguments (name => value)"));
    }
    const auto& named = arg->As<NamedArgumentExpr>();
    if (!std::binary_search(allowed.begin(), allowed.end(), named.name)) {
      return ErrorAt(arg->pos, absl::StatusCode::kInvalidArgument,
                     absl::StrCat("unknown argument '", named.name, "' of ", function.name,
                                  "; expected one of: ", absl::StrJoin(allowed, ", ")));
    }
    if (args.contains(named.name)) {
      return ErrorAt(arg->pos, absl::StatusCode::kInvalidArgument,
                     absl::StrCat("argument '", named.name, "' is given twice"));
    }
    NamedValue value;
    value.pos = named.value->pos;
    if (named.value->kind == ExprKind::kColumn) {
      value.text = named.value->As<ColumnExpr>().name;  // breakdown => platform
    } else {
      absl::StatusOr<BoundExprPtr> bound = bind(*named.value);
      if (!bound.ok()) return bound.status();
      const Vector& constant = (*bound)->constant;
      if (!(*bound)->is_constant() || !((*bound)->type.is_string() || (*bound)->type.is_numeric())) {
        return ErrorAt(named.value->pos, absl::StatusCode::kInvalidArgument,
                       absl::StrCat("argument '", named.name, "' must be a constant string or number"));
      }
      if ((*bound)->type.is_string()) {
        value.text = std::string(constant.string_at(0));
      } else {
        value.number = constant.number_at(0);
        value.text = absl::StrCat(*value.number);
      }
    }
    args[named.name] = std::move(value);
  }
  return args;
}

}  // namespace

absl::Status SelectBinder::BindAnomalies(const FunctionExpr& function) {
  const bool users = function.name == "anomalous_users";
  auto bind = [this](const Expr& expr) { return BindExpr(expr, Phase::kSource); };
  absl::StatusOr<NamedValues> parsed =
      users ? ReadNamedValues(function, {"period", "sensitivity", "min_events", "from", "to", "timezone"}, bind)
            : ReadNamedValues(function,
                              {"metric", "event", "sql", "period", "method", "seasonality", "history", "min_history",
                               "sensitivity", "min_count", "alpha", "breakdown", "value_property", "from", "to",
                               "timezone"},
                              bind);
  if (!parsed.ok()) return parsed.status();
  const NamedValues& args = *parsed;
  auto text = [&](const std::string& name, const std::string& fallback) {
    auto it = args.find(name);
    return it == args.end() ? fallback : it->second.text;
  };
  auto pos_of = [&](const std::string& name) {
    auto it = args.find(name);
    return it == args.end() ? function.pos : it->second.pos;
  };
  const std::string zone_name = text("timezone", "UTC");
  query_internal::TimeZone zone_value;
  absl::TimeZone absl_zone;
  MUA_RETURN_IF_ERROR(LoadAnalyticsZone(zone_name, pos_of("timezone"), &zone_value, &absl_zone));
  const query_internal::TimeZone* zone = &zone_value;
  auto instant = [&](const std::string& name) -> absl::StatusOr<std::optional<int64_t>> {
    auto it = args.find(name);
    MUA_ASSIGN_OR_RETURN(const std::optional<int64_t> millis,
                         ParseAnalyticsInstant(name, it == args.end() ? nullptr : &it->second.text,
                                               it == args.end() ? function.pos : it->second.pos, *zone));
    if (!millis) return std::optional<int64_t>();
    return std::optional<int64_t>(query_internal::FloorDiv(*millis, 1000));
  };
  MUA_ASSIGN_OR_RETURN(const std::optional<int64_t> from_s, instant("from"));
  MUA_ASSIGN_OR_RETURN(const std::optional<int64_t> to_s, instant("to"));
  if (from_s && to_s && *from_s >= *to_s) {
    return ErrorAt(pos_of("to"), absl::StatusCode::kInvalidArgument, "'from' must be before 'to'");
  }
  MUA_ASSIGN_OR_RETURN(const std::string period, Choice(args, "period", "hour", {"hour", "day"},
                                                        function.pos));
  AnomalyOptions options;
  options.zone = absl_zone;
  options.period = period == "day" ? AnomalyPeriod::kDay : AnomalyPeriod::kHour;
  const std::string bucket_function = period == "day" ? "toStartOfDay" : "toStartOfHour";
  const std::string bucket_expr = absl::StrCat(bucket_function, "(event_time, ", QuoteString(zone_name), ")");

  std::string sql;
  std::optional<std::string> breakdown_name;
  AnomalousUsersOptions user_options;
  int64_t lookback_s = 0;
  bool fill = true;
  auto time_filter = [&](int64_t lookback) {
    std::vector<std::string> conditions;
    if (from_s) conditions.push_back(absl::StrCat("event_time >= toDateTime(", *from_s - lookback, ")"));
    if (to_s) conditions.push_back(absl::StrCat("event_time < toDateTime(", *to_s, ")"));
    return conditions;
  };
  if (users) {
    MUA_RETURN_IF_ERROR(NumberArgument(args, "sensitivity", 0, 1000, false, &user_options.sensitivity));
    double min_events = 0;
    MUA_RETURN_IF_ERROR(NumberArgument(args, "min_events", 0, 1e12, true, &min_events));
    user_options.min_events = static_cast<uint64_t>(min_events);
    std::vector<std::string> where = time_filter(0);
    sql = absl::StrCat("SELECT user_id, count() AS events, uniqExact(", bucket_expr,
                       ") AS periods, topK(3)(event_type) AS top_event_types FROM events",
                       where.empty() ? "" : absl::StrCat(" WHERE ", absl::StrJoin(where, " AND ")), " GROUP BY user_id");
  } else {
    MUA_ASSIGN_OR_RETURN(const std::string metric,
                         Choice(args, "metric", "events", {"events", "active_users", "crash_rate", "revenue", "sql"},
                                function.pos));
    MUA_ASSIGN_OR_RETURN(const std::string method,
                         Choice(args, "method", "seasonal_mad", {"seasonal_mad", "ewma"}, function.pos));
    MUA_ASSIGN_OR_RETURN(const std::string seasonality,
                         Choice(args, "seasonality", "week", {"week", "day", "none"}, function.pos));
    options.method = method == "ewma" ? AnomalyMethod::kEwma : AnomalyMethod::kSeasonalMad;
    options.seasonality = seasonality == "week"  ? AnomalySeasonality::kWeek
                          : seasonality == "day" ? AnomalySeasonality::kDay
                                                 : AnomalySeasonality::kNone;
    if (options.period == AnomalyPeriod::kDay && options.seasonality == AnomalySeasonality::kDay) {
      return ErrorAt(pos_of("seasonality"), absl::StatusCode::kInvalidArgument,
                     "seasonality 'day' needs period 'hour' (daily values have a weekly cycle or none)");
    }
    double history = options.history, min_history = options.min_history, min_count = options.min_count;
    MUA_RETURN_IF_ERROR(NumberArgument(args, "history", 1, 1000, true, &history));
    MUA_RETURN_IF_ERROR(NumberArgument(args, "min_history", 1, 1000, true, &min_history));
    MUA_RETURN_IF_ERROR(NumberArgument(args, "sensitivity", 0, 1000, false, &options.sensitivity));
    MUA_RETURN_IF_ERROR(NumberArgument(args, "min_count", 0, 1e15, true, &min_count));
    MUA_RETURN_IF_ERROR(NumberArgument(args, "alpha", 0.001, 1, false, &options.alpha));
    // Unless given, min_history is at most the history asked for (history => 3 alone works).
    if (!args.contains("min_history")) min_history = std::min(min_history, history);
    if (min_history > history) {
      return ErrorAt(pos_of("min_history"), absl::StatusCode::kInvalidArgument,
                     absl::StrCat("min_history (", min_history, ") must not exceed history (", history, ")"));
    }
    options.history = static_cast<int>(history);
    options.min_history = static_cast<int>(min_history);
    options.min_count = static_cast<uint64_t>(min_count);
    const int64_t period_s = options.period == AnomalyPeriod::kDay ? 86400 : 3600;
    const int64_t slot_s = options.seasonality == AnomalySeasonality::kWeek  ? 7 * 86400
                           : options.seasonality == AnomalySeasonality::kDay ? 86400
                                                                               : period_s;
    // One more day than the slots need: a daylight-saving shift moves local slots an hour.
    lookback_s = options.history * slot_s + 86400;
    if (metric == "sql") {
      for (const char* name : {"event", "breakdown", "value_property"}) {
        if (args.contains(name)) {
          return ErrorAt(pos_of(name), absl::StatusCode::kInvalidArgument,
                         absl::StrCat("argument '", name, "' does not apply to metric 'sql' (the query decides)"));
        }
      }
      if (!args.contains("sql")) {
        return ErrorAt(function.pos, absl::StatusCode::kInvalidArgument,
                       "metric 'sql' needs sql => 'SELECT <time> AS bucket, <number> AS value [, <number> AS "
                       "volume] ...'");
      }
      sql = text("sql", "");
      fill = false;
      options.relative_spread = true;
    } else {
      if (args.contains("sql")) {
        return ErrorAt(pos_of("sql"), absl::StatusCode::kInvalidArgument, "sql => '...' needs metric => 'sql'");
      }
      std::vector<std::string> where = time_filter(lookback_s);
      std::string aggregates;
      std::string event = text("event", "");
      if (metric == "events") {
        aggregates = "count() AS value, count() AS volume";
      } else if (metric == "active_users") {
        aggregates = "uniqExact(user_id) AS value, uniqExact(user_id) AS volume";
      } else if (metric == "crash_rate") {
        // Crashes per session (SPEC §9's crash_rate); its volume is the sessions.
        aggregates = absl::StrCat("countIf(event_type = ", QuoteString(event.empty() ? kCrashEvent : event),
                                  ") / greatest(uniqExact(session_id), 1) AS value, uniqExact(session_id) AS volume");
        where.push_back("session_id != ''");
        event.clear();
        options.rate = true;
      } else {  // revenue
        aggregates = absl::StrCat("sum(JSONExtractFloat(properties, ", QuoteString(text("value_property", kPriceProperty)),
                                  ")) AS value, count() AS volume");
        if (event.empty()) event = kPurchaseEvent;
      }
      if (args.contains("value_property") && metric != "revenue") {
        return ErrorAt(pos_of("value_property"), absl::StatusCode::kInvalidArgument,
                       "value_property applies to metric 'revenue' only");
      }
      if (!event.empty() && event != "*") where.push_back(absl::StrCat("event_type = ", QuoteString(event)));
      const std::string where_clause = where.empty() ? "" : absl::StrCat(" WHERE ", absl::StrJoin(where, " AND "));
      if (args.contains("breakdown")) {
        const std::string column = text("breakdown", "");
        std::optional<ColumnId> id = FindColumn(column);
        if (!id || KindOf(*id) != ColumnKind::kLowCardinality) {
          return ErrorAt(pos_of("breakdown"), absl::StatusCode::kInvalidArgument,
                         absl::StrCat("breakdown must be a low-cardinality column of events (event_type, platform, "
                                      "os_version, app_version, device_model, device_type, country, region, city), "
                                      "not '", column, "'"));
        }
        breakdown_name = std::string(ColumnName(*id));
        sql = absl::StrCat("SELECT ", bucket_expr, " AS bucket, '' AS breakdown, 1 AS is_total, ", aggregates,
                           " FROM events", where_clause, " GROUP BY bucket UNION ALL SELECT ", bucket_expr,
                           " AS bucket, toString(", *breakdown_name, ") AS breakdown, 0 AS is_total, ", aggregates,
                           " FROM events", where_clause, " GROUP BY bucket, breakdown");
      } else {
        sql = absl::StrCat("SELECT ", bucket_expr, " AS bucket, ", aggregates, " FROM events", where_clause,
                           " GROUP BY bucket");
      }
    }
  }
  // The input block: the composed query, or the user's (errors then name the argument).
  absl::StatusOr<Statement> statement = ParseStatement(sql);
  if (statement.ok() && (statement->kind != StatementKind::kSelect || statement->query == nullptr)) {
    statement = absl::InvalidArgumentError("sql must be one SELECT");
  }
  if (!statement.ok()) {
    const std::optional<SqlError> error = GetSqlError(statement.status());
    return ErrorAt(pos_of("sql"), absl::StatusCode::kInvalidArgument,
                   absl::StrCat("in sql => '...': ", error ? error->message : statement.status().message()));
  }
  owned_statements_.push_back(std::make_unique<Statement>(*std::move(statement)));
  absl::StatusOr<std::shared_ptr<const SelectPlan>> inner = BindQuery(*owned_statements_.back()->query, context_, ctes_);
  if (!inner.ok()) {
    if (!args.contains("sql")) return AtNode(inner.status(), function.pos);
    const std::optional<SqlError> error = GetSqlError(inner.status());
    return ErrorAt(pos_of("sql"), inner.status().code(),
                   absl::StrCat("in sql => '...': ", error ? error->message : inner.status().message()));
  }
  if (args.contains("sql")) {
    // The user's columns, checked before anything runs.
    auto column_type = [&](absl::string_view name) -> std::optional<DataType> {
      for (size_t i = 0; i < (*inner)->names.size(); ++i) {
        if ((*inner)->names[i] == name) return (*inner)->outputs[i]->type;
      }
      return std::nullopt;
    };
    const std::optional<DataType> bucket = column_type("bucket");
    const std::optional<DataType> value = column_type("value");
    const std::optional<DataType> volume = column_type("volume");
    if (!bucket || !bucket->is_time() || !value || !value->is_numeric() || (volume && !volume->is_numeric())) {
      return ErrorAt(pos_of("sql"), absl::StatusCode::kInvalidArgument,
                     "sql must return a column `bucket` (Date, DateTime or DateTime64) and a numeric column `value`, "
                     "optionally a numeric `volume`");
    }
  }
  // Without `to`, or with one past the bucket in progress, the answer ends at that bucket,
  // which depends on the clock.
  const bool ends_now = !to_s || *to_s > absl::ToUnixSeconds(absl::Now());
  if (ends_now && !users && context_.not_cacheable != nullptr) {
    *context_.not_cacheable = absl::StrCat(function.name, "() without a past 'to' (ends at the current bucket)");
  }

  std::shared_ptr<const SelectPlan> input = *inner;
  DeferredRows deferred;
  deferred.description = ClickHouseColumnName(function);
  deferred.reads_events = PlanReadsEvents(*input);
  deferred.input = input;
  deferred.produce = [input, options, user_options, users, breakdown_name, from_s, to_s, lookback_s, fill](
                         const ExecutionContext& context,
                         const std::vector<bool>& /*columns_read*/) -> absl::StatusOr<std::shared_ptr<const ResultSet>> {
    if (absl::Status s = OptimizePlan(input, *context.snapshot); !s.ok()) return s;
    ExecutionContext inner_context = context;
    inner_context.max_result_rows = 0;
    MUA_ASSIGN_OR_RETURN(ResultSet rows, ExecuteSelect(*input, inner_context));
    if (users) {
      MUA_ASSIGN_OR_RETURN(ResultSet flagged, AnomalousUsers(rows, user_options));
      return std::shared_ptr<const ResultSet>(std::make_shared<ResultSet>(std::move(flagged)));
    }
    // Defaults: the stored days, up to the bucket in progress. That bucket and later ones
    // are never scored: incomplete or future, they would read as drops to zero.
    const TableSnapshot& snapshot = *context.snapshot;
    AnomalyOptions run = options;
    const size_t partitions = snapshot.partition_count();
    const int64_t first_stored_s = partitions ? MillisOfDay(snapshot.day(0)) / 1000 : 0;
    const int64_t after_stored_s = partitions ? MillisOfDay(snapshot.day(partitions - 1) + 1) / 1000 : 0;
    const int64_t in_progress_s = AnomalyBucketStart(absl::ToUnixSeconds(absl::Now()), options.period, options.zone);
    run.to_s = std::min(to_s ? *to_s : after_stored_s, in_progress_s);
    run.from_s = from_s ? *from_s : first_stored_s;
    if (fill) run.series_from_s = std::max(run.from_s - lookback_s, AnomalyBucketStart(first_stored_s, options.period, options.zone));
    if (partitions == 0) run.series_from_s = -1;
    absl::StatusOr<ResultSet> scored = DetectAnomalies(rows, run, breakdown_name);
    if (!scored.ok()) return scored.status();
    return std::shared_ptr<const ResultSet>(std::make_shared<ResultSet>(*std::move(scored)));
  };
  // The schema: the scoring of no rows.
  auto schema = std::make_shared<ResultSet>();
  if (users) {
    ResultSet per_user;
    per_user.AddColumn("user_id", DataType::Of(TypeId::kString));
    per_user.AddColumn("events", DataType::Of(TypeId::kUInt64));
    per_user.AddColumn("periods", DataType::Of(TypeId::kUInt64));
    per_user.AddColumn("top_event_types", DataType::Array(TypeId::kString));
    MUA_ASSIGN_OR_RETURN(*schema, AnomalousUsers(per_user, user_options));
  } else {
    ResultSet series;
    series.AddColumn("bucket", DataType::Of(TypeId::kDateTime));
    series.AddColumn("value", DataType::Of(TypeId::kFloat64));
    series.AddColumn("breakdown", DataType::Of(TypeId::kString));
    series.AddColumn("is_total", DataType::Of(TypeId::kUInt8));
    AnomalyOptions none = options;
    none.series_from_s = -1;
    MUA_ASSIGN_OR_RETURN(*schema, DetectAnomalies(series, none, breakdown_name));
  }
  return UseDeferred(std::move(schema), function.name, std::move(deferred));
}

}  // namespace mua::sql_internal
