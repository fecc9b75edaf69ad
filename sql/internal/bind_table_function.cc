// The SPEC §5a table functions (active_users, retention_matrix, funnel, paths,
// sessions, crash_health, stickiness, lifecycle): named arguments validated
// with positions while binding; the analytics operator runs when the plan
// does, on the execution's snapshot. Their output schemas are static.
#include <cmath>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "query/analytics.h"
#include "query/analytics/experiment.h"
#include "query/analytics/funnel.h"
#include "query/analytics/lifecycle.h"
#include "query/analytics/paths.h"
#include "query/analytics/sessions.h"
#include "query/analytics/stickiness.h"
#include "query/executor.h"
#include "query/functions/time_functions.h"
#include "sql/internal/select_binder.h"
#include "sql/parser.h"
#include "storage/base/status_macros.h"
#include "storage/base/time_util.h"

namespace mua::sql_internal {
namespace {

using AnalyticsRun = std::function<absl::StatusOr<ResultSet>(const TableSnapshot&, const AnalyticsScope&)>;

// [from_ms, to_ms) and the local days it covers; InvalidArgument at `pos` when empty.
absl::Status SetAnalyticsRange(int64_t from_ms, int64_t to_ms, const query_internal::TimeZone& zone,
                               SourcePos pos, AnalyticsScope* scope) {
  const int32_t from = query_internal::ToDayNum(query_internal::FloorDiv(from_ms, 1000), zone);
  const int32_t to = query_internal::ToDayNum(query_internal::FloorDiv(to_ms - 1, 1000), zone) + 1;
  if (from_ms >= to_ms) {
    return ErrorAt(pos, absl::StatusCode::kInvalidArgument,
                   absl::StrCat("'from' must be before 'to' (", FormatDay(from), " >= ", FormatDay(to), ")"));
  }
  scope->from_ms = from_ms;
  scope->to_ms = to_ms;
  scope->from_day = from;
  scope->to_day = to;
  return absl::OkStatus();
}

// window => INTERVAL n unit, or a number of seconds; positive.
absl::StatusOr<int64_t> WindowSeconds(const std::map<std::string, BoundExprPtr>& values, SourcePos pos) {
  auto it = values.find("window");
  const char* kWhat = "window must be an INTERVAL (e.g. INTERVAL 1 DAY) or a number of seconds";
  if (it == values.end()) return ErrorAt(pos, absl::StatusCode::kInvalidArgument, kWhat);
  const Vector& window = it->second->constant;
  static constexpr int64_t kUnitSeconds[] = {1, 60, 3600, 86400, 604800, 2592000, 7776000, 31536000};
  int64_t seconds = 0;
  if (window.type.id == TypeId::kInterval) {
    if (__builtin_mul_overflow(window.ints[0], kUnitSeconds[window.type.interval_unit], &seconds)) seconds = -1;
  } else if (window.type.is_integer()) {
    seconds = window.ints[0];
  } else {
    return ErrorAt(pos, absl::StatusCode::kInvalidArgument, kWhat);
  }
  if (seconds <= 0 || seconds > int64_t{100} * 366 * 86400) {
    return ErrorAt(pos, absl::StatusCode::kInvalidArgument, "window must be positive and at most 100 years");
  }
  return seconds;
}

using NamedArguments = std::map<std::string, std::pair<std::string, SourcePos>>;

// experiment(...)'s own arguments (SPEC §5b).
absl::StatusOr<ExperimentOptions> ExperimentArguments(const FunctionExpr& function, const NamedArguments& args,
                                                      const std::map<std::string, BoundExprPtr>& values) {
  auto pos_of = [&](const std::string& name) {
    auto it = args.find(name);
    return it == args.end() ? function.pos : it->second.second;
  };
  auto text = [&](const std::string& name) {
    auto it = args.find(name);
    return it == args.end() ? std::string() : it->second.first;
  };
  ExperimentOptions options;
  options.exposure_event = DefaultExposureEvent();
  if (!args.contains("name") || text("name").empty()) {
    return ErrorAt(function.pos, absl::StatusCode::kInvalidArgument,
                   "experiment needs name => 'experiment name' (see system.experiments)");
  }
  options.name = text("name");
  const std::string metric = args.contains("metric") ? text("metric") : "conversion";
  if (metric == "conversion") {
    options.metric = ExperimentMetric::kConversion;
  } else if (metric == "count") {
    options.metric = ExperimentMetric::kCount;
  } else if (metric == "sum") {
    options.metric = ExperimentMetric::kSum;
  } else if (metric == "retention") {
    options.metric = ExperimentMetric::kRetention;
  } else {
    return ErrorAt(pos_of("metric"), absl::StatusCode::kInvalidArgument,
                   absl::StrCat("metric must be 'conversion', 'count', 'sum' or 'retention', not '", metric, "'"));
  }
  options.event = text("event");
  if (options.event == "*") options.event.clear();
  if (options.event.empty() && (options.metric == ExperimentMetric::kConversion || options.metric == ExperimentMetric::kSum)) {
    return ErrorAt(args.contains("event") ? pos_of("event") : function.pos, absl::StatusCode::kInvalidArgument,
                   absl::StrCat("metric '", metric, "' needs event => 'event name'"));
  }
  if (args.contains("window")) {
    absl::StatusOr<int64_t> window = WindowSeconds(values, pos_of("window"));
    if (!window.ok()) return window.status();
    options.window_ms = *window * 1000;
  }
  options.control = text("control");
  if (args.contains("exposure_event")) options.exposure_event = text("exposure_event");
  options.value_property = text("value_property");
  if (options.metric == ExperimentMetric::kSum && options.value_property.empty()) {
    return ErrorAt(function.pos, absl::StatusCode::kInvalidArgument,
                   "metric 'sum' needs value_property => 'property name' (a number in properties)");
  }
  auto number = [&](const std::string& name, double* out) -> absl::Status {
    auto it = values.find(name);
    if (it == values.end() || !it->second->type.is_numeric()) {
      if (!args.contains(name)) return absl::OkStatus();
      return ErrorAt(pos_of(name), absl::StatusCode::kInvalidArgument, absl::StrCat(name, " must be a number"));
    }
    const Vector& v = it->second->constant;
    *out = v.type.id == TypeId::kFloat64 ? v.floats[0]
                                                                           : static_cast<double>(v.ints[0]);
    return absl::OkStatus();
  };
  MUA_RETURN_IF_ERROR(number("alpha", &options.alpha));
  if (!(options.alpha > 0 && options.alpha < 1)) {
    return ErrorAt(pos_of("alpha"), absl::StatusCode::kInvalidArgument, "alpha must lie strictly between 0 and 1");
  }
  double cuped = 0;
  MUA_RETURN_IF_ERROR(number("cuped", &cuped));
  if (cuped != 0 && cuped != 1) {
    return ErrorAt(pos_of("cuped"), absl::StatusCode::kInvalidArgument, "cuped must be 0 or 1");
  }
  options.cuped = cuped == 1;
  if (options.cuped && options.metric == ExperimentMetric::kRetention) {
    return ErrorAt(pos_of("cuped"), absl::StatusCode::kInvalidArgument,
                   "cuped => 1 is not available for metric 'retention' (its covariate has no pre-period)");
  }
  double k = options.retention_day;
  MUA_RETURN_IF_ERROR(number("k", &k));
  if (k != std::floor(k) || k < 0 || k > 3660) {
    return ErrorAt(pos_of("k"), absl::StatusCode::kInvalidArgument, "k must be a whole number of days, 0 to 3660");
  }
  options.retention_day = static_cast<int>(k);
  if (args.contains("weights")) {
    auto it = values.find("weights");
    const bool is_array = it != values.end() && it->second->type.id == TypeId::kArray;
    const Vector* weights = is_array ? &it->second->constant : nullptr;
    if (weights != nullptr) {
      for (size_t i = 0; i < weights->floats.size(); ++i) options.weights.push_back(weights->floats[i]);
      for (size_t i = 0; weights->floats.empty() && i < weights->ints.size(); ++i) {
        options.weights.push_back(static_cast<double>(weights->ints[i]));
      }
    }
    bool valid = options.weights.size() >= 2;
    for (double w : options.weights) valid = valid && w > 0 && std::isfinite(w);
    if (!valid) {
      return ErrorAt(pos_of("weights"), absl::StatusCode::kInvalidArgument,
                     "weights must be an array of positive numbers, one per variant (control first), "
                     "e.g. [0.5, 0.5]");
    }
  }
  return options;
}

bool IsStringLiteral(const Expr& expr) {
  return expr.kind == ExprKind::kLiteral && expr.As<LiteralExpr>().literal_kind == LiteralKind::kString;
}

}  // namespace

absl::Status LoadAnalyticsZone(const std::string& name, SourcePos pos, query_internal::TimeZone* zone,
                               absl::TimeZone* absl_zone) {
  absl::StatusOr<query_internal::TimeZone> loaded = query_internal::TimeZone::Load(name);
  if (!loaded.ok() || !absl::LoadTimeZone(loaded->is_utc() ? "UTC" : name, absl_zone)) {
    return ErrorAt(pos, absl::StatusCode::kInvalidArgument, absl::StrCat("unknown time zone '", name, "'"));
  }
  *zone = *loaded;
  return absl::OkStatus();
}

absl::StatusOr<std::optional<int64_t>> ParseAnalyticsInstant(absl::string_view argument, const std::string* text,
                                                             SourcePos pos, const query_internal::TimeZone& zone) {
  if (text == nullptr) return std::optional<int64_t>();
  int64_t millis = 0;
  if (!query_internal::TryParseDateTime64(*text, zone, &millis)) {
    return ErrorAt(pos, absl::StatusCode::kInvalidArgument,
                   absl::StrCat("argument '", argument, "': cannot parse '", *text, "' as a date or date-time"));
  }
  return std::optional<int64_t>(millis);
}

std::shared_ptr<const ResultSet> AnalyticsSchema(absl::string_view name, std::optional<ColumnId> breakdown) {
  auto schema = std::make_shared<ResultSet>();
  const DataType uint64 = DataType::Of(TypeId::kUInt64);
  const DataType float64 = DataType::Of(TypeId::kFloat64);
  const DataType string = DataType::Of(TypeId::kString);
  const DataType date = DataType::Of(TypeId::kDate);
  auto add_breakdown = [&] {
    if (breakdown) schema->AddColumn(std::string(ColumnName(*breakdown)), string);
  };
  if (name == "active_users") {
    schema->AddColumn("bucket", date);
    add_breakdown();
    for (const char* column : {"dau", "wau", "mau"}) schema->AddColumn(column, uint64);
    schema->AddColumn("dau_mau", float64);
  } else if (name == "retention_matrix") {
    schema->AddColumn("cohort", date);
    add_breakdown();
    for (const char* column : {"cohort_size", "k", "retained"}) schema->AddColumn(column, uint64);
    schema->AddColumn("pct", float64);
  } else if (name == "funnel") {
    schema->AddColumn("step", uint64);
    add_breakdown();
    schema->AddColumn("event", string);
    schema->AddColumn("users", uint64);
    for (const char* column : {"pct_of_first", "pct_of_previous", "median_seconds_to_convert"}) {
      schema->AddColumn(column, float64);
    }
  } else if (name == "paths") {
    schema->AddColumn("step", uint64);
    schema->AddColumn("from_event", string);
    schema->AddColumn("to_event", string);
    schema->AddColumn("transitions", uint64);
    schema->AddColumn("users", uint64);
  } else if (name == "stickiness") {
    schema->AddColumn("periods_active", uint64);
    add_breakdown();
    schema->AddColumn("users", uint64);
    schema->AddColumn("pct", float64);
  } else if (name == "lifecycle") {
    schema->AddColumn("period", date);
    add_breakdown();
    schema->AddColumn("status", string);
    schema->AddColumn("users", DataType::Of(TypeId::kInt64));
  } else if (name == "sessions") {
    schema->AddColumn("session_id", string);
    schema->AddColumn("user_id", string);
    schema->AddColumn("start", DataType::Of(TypeId::kDateTime64));
    schema->AddColumn("end", DataType::Of(TypeId::kDateTime64));
    schema->AddColumn("duration_s", float64);
    schema->AddColumn("events", uint64);
    schema->AddColumn("platform", string);
    schema->AddColumn("app_version", string);
    schema->AddColumn("crashed", DataType::Of(TypeId::kUInt8));
    schema->AddColumn("revenue", float64);
  } else if (name == "experiment") {
    const DataType nullable_float = DataType::Nullable(TypeId::kFloat64);
    schema->AddColumn("variant", string);
    add_breakdown();
    schema->AddColumn("users", uint64);
    for (const char* column : {"value", "mean", "stddev"}) schema->AddColumn(column, float64);
    for (const char* column : {"lift", "lift_ci_low", "lift_ci_high", "p_value", "chance_to_beat_control"}) {
      schema->AddColumn(column, nullable_float);
    }
    schema->AddColumn("significant", DataType::Nullable(TypeId::kUInt8));
    schema->AddColumn("srm_p_value", nullable_float);
    schema->AddColumn("excluded_users", uint64);
    schema->AddColumn("note", string);
  } else if (name == "crash_health") {
    schema->AddColumn("app_version", string);
    schema->AddColumn("sessions", uint64);
    schema->AddColumn("crashed_sessions", uint64);
    schema->AddColumn("crash_free_sessions_pct", float64);
    schema->AddColumn("users", uint64);
    schema->AddColumn("crashed_users", uint64);
    schema->AddColumn("crash_free_users_pct", float64);
  }
  return schema;
}

absl::Status SelectBinder::BindAnalyticsWhere(const Expr& predicate, AnalyticsScope* scope) {
  // The checks of a WHERE over events: no aggregates, a numeric (UInt8) filter.
  if (const Expr* aggregate = FindAggregate(predicate)) {
    return ErrorAt(aggregate->pos, absl::StatusCode::kInvalidArgument,
                   absl::StrCat("Aggregate function ", ClickHouseColumnName(*aggregate),
                                " is found in WHERE in query"));
  }
  SelectBinder where_binder(core_, context_, ctes_);
  where_binder.plan_->source.kind = SourcePlan::Kind::kEvents;
  absl::StatusOr<BoundExprPtr> bound = where_binder.BindExpr(predicate, Phase::kSource);
  if (!bound.ok()) return bound.status();
  if (!(*bound)->type.is_numeric() && (*bound)->type.id != TypeId::kNothing) {
    return ErrorAt(predicate.pos, absl::StatusCode::kInvalidArgument,
                   absl::StrCat("Illegal type ", (*bound)->type.Name(), " of column for filter. Must be UInt8"));
  }
  scope->where = *bound;
  scope->where_columns = where_binder.plan_->source.columns;
  // The predicate's subqueries (IN sets, scalars) run before this block does, so before
  // the table function reads events.
  for (PreparedInput& input : where_binder.plan_->prepared) plan_->prepared.push_back(std::move(input));
  return absl::OkStatus();
}

absl::Status SelectBinder::BindAnalytics(const FunctionExpr& function) {
  const bool is_retention = function.name == "retention_matrix";
  const bool is_funnel = function.name == "funnel";
  const bool is_sessions = function.name == "sessions" || function.name == "crash_health";
  const bool is_experiment = function.name == "experiment";
  absl::flat_hash_set<std::string> allowed = {"from", "to", "where", "timezone"};
  if (!is_sessions) allowed.insert("breakdown");
  if (!is_funnel && !is_sessions && !is_experiment) allowed.insert("period");
  if (is_experiment) {
    for (const char* name : {"name", "metric", "event", "window", "control", "value_property", "k", "alpha",
                             "weights", "cuped", "exposure_event"}) {
      allowed.insert(name);
    }
  }
  if (is_retention) {
    for (const char* name : {"start_event", "return_event", "type", "mode"}) allowed.insert(name);
  }
  if (is_funnel) {
    for (const char* name : {"steps", "window", "order", "exclude"}) allowed.insert(name);
  }
  if (function.name == "stickiness" || function.name == "lifecycle") allowed.insert("event");
  if (function.name == "paths") {
    allowed.erase("breakdown");
    allowed.erase("period");
    allowed.insert("start_event");
    allowed.insert("steps");
  }
  std::map<std::string, std::pair<std::string, SourcePos>> args;  // name -> (text, position)
  std::map<std::string, BoundExprPtr> values;  // non-string constants: arrays, intervals, numbers
  const Expr* where_expr = nullptr;             // where => an expression (not a string)
  for (const ExprPtr& arg : function.args) {
    if (arg->kind != ExprKind::kNamedArgument) {
      return ErrorAt(arg->pos, absl::StatusCode::kInvalidArgument,
                     absl::StrCat(function.name, " takes named arguments (name => value)"));
    }
    const auto& named = arg->As<NamedArgumentExpr>();
    if (!allowed.contains(named.name)) {
      std::vector<std::string> names(allowed.begin(), allowed.end());
      std::sort(names.begin(), names.end());
      return ErrorAt(arg->pos, absl::StatusCode::kInvalidArgument,
                     absl::StrCat("unknown argument '", named.name, "' of ", function.name,
                                  "; expected one of: ", absl::StrJoin(names, ", ")));
    }
    if (args.contains(named.name)) {
      return ErrorAt(arg->pos, absl::StatusCode::kInvalidArgument,
                     absl::StrCat("argument '", named.name, "' is given twice"));
    }
    std::string text;
    if (named.name == "where" && !IsStringLiteral(*named.value)) {
      where_expr = named.value.get();  // where => platform = 'ios': bound over events below
      args[named.name] = {"", named.value->pos};
      continue;
    }
    if (named.value->kind == ExprKind::kColumn) {
      text = named.value->As<ColumnExpr>().name;  // breakdown => platform
    } else {
      absl::StatusOr<BoundExprPtr> value = BindExpr(*named.value, Phase::kSource);
      if (!value.ok()) return value.status();
      if ((*value)->is_constant() && !(*value)->type.is_string() &&
          (named.name == "steps" || named.name == "exclude" || named.name == "window" || named.name == "alpha" ||
           named.name == "weights" || named.name == "cuped" || named.name == "k")) {
        values[named.name] = *value;
        args[named.name] = {"", named.value->pos};
        continue;
      }
      if (!(*value)->is_constant() || !(*value)->type.is_string()) {
        return ErrorAt(named.value->pos, absl::StatusCode::kInvalidArgument,
                       absl::StrCat("argument '", named.name, "' must be a string, e.g. ", named.name,
                                    " => '...'"));
      }
      text = std::string((*value)->constant.string_at(0));
    }
    args[named.name] = {text, named.value->pos};
  }
  auto arg = [&](const std::string& name, const std::string& fallback) {
    auto it = args.find(name);
    return it == args.end() ? fallback : it->second.first;
  };
  auto pos_of = [&](const std::string& name) {
    auto it = args.find(name);
    return it == args.end() ? function.pos : it->second.second;
  };
  auto scope = std::make_shared<AnalyticsScope>();
  query_internal::TimeZone zone_value;
  MUA_RETURN_IF_ERROR(LoadAnalyticsZone(arg("timezone", "UTC"), pos_of("timezone"), &zone_value, &scope->time_zone));
  const query_internal::TimeZone* zone = &zone_value;
  scope->utc = zone->is_utc();
  // from/to: local dates or date-times; to is exclusive. A bound's instant; the local
  // day range follows from it. Unset bounds default to the stored days when the plan runs.
  auto instant = [&](const std::string& name) -> absl::StatusOr<std::optional<int64_t>> {
    auto it = args.find(name);
    return ParseAnalyticsInstant(name, it == args.end() ? nullptr : &it->second.first,
                                 it == args.end() ? function.pos : it->second.second, *zone);
  };
  absl::StatusOr<std::optional<int64_t>> from_ms = instant("from");
  if (!from_ms.ok()) return from_ms.status();
  absl::StatusOr<std::optional<int64_t>> to_ms = instant("to");
  if (!to_ms.ok()) return to_ms.status();
  const SourcePos range_pos = args.contains("to") ? pos_of("to") : function.pos;
  if (*from_ms && *to_ms) MUA_RETURN_IF_ERROR(SetAnalyticsRange(**from_ms, **to_ms, *zone, range_pos, scope.get()));
  if (args.contains("breakdown")) {
    std::optional<ColumnId> column = FindColumn(arg("breakdown", ""));
    if (!column || KindOf(*column) != ColumnKind::kLowCardinality) {
      return ErrorAt(pos_of("breakdown"), absl::StatusCode::kInvalidArgument,
                     absl::StrCat("breakdown must be a low-cardinality column of events (event_type, platform, "
                                  "os_version, app_version, device_model, device_type, country, region, city), "
                                  "not '", arg("breakdown", ""), "'"));
    }
    scope->breakdown = column;
  }
  if (args.contains("where")) {
    // The string form is parsed here; its errors name the argument, since positions
    // inside the string would not point into the statement.
    ExprPtr parsed;
    if (where_expr == nullptr) {
      absl::StatusOr<ExprPtr> predicate = ParseExpression(arg("where", ""));
      if (!predicate.ok()) {
        return ErrorAt(pos_of("where"), absl::StatusCode::kInvalidArgument,
                       absl::StrCat("in where => '...': ", predicate.status().message()));
      }
      parsed = *std::move(predicate);
    }
    absl::Status bound = BindAnalyticsWhere(where_expr != nullptr ? *where_expr : *parsed, scope.get());
    if (!bound.ok() && where_expr == nullptr) {
      const std::optional<SqlError> error = GetSqlError(bound);
      return ErrorAt(pos_of("where"), bound.code(),
                     absl::StrCat("in where => '...': ", error ? error->message : bound.message()));
    }
    MUA_RETURN_IF_ERROR(bound);
  }
  auto parse_period = [&]() -> absl::StatusOr<Period> {
    const std::string period = arg("period", "day");
    if (period == "day") return Period::kDay;
    if (period == "week") return Period::kWeek;
    if (period == "month") return Period::kMonth;
    return ErrorAt(pos_of("period"), absl::StatusCode::kInvalidArgument,
                   absl::StrCat("period must be 'day', 'week' or 'month', not '", period, "'"));
  };
  absl::StatusOr<Period> period = parse_period();
  if (!period.ok()) return period.status();
  AnalyticsRun run;
  AnalyticsRun partial_run;  // a cluster shard's rows, when they differ from the answer's
  std::shared_ptr<const RowsMerge> experiment_merge;
  if (function.name == "paths") {
    if (!args.contains("start_event")) {
      return ErrorAt(function.pos, absl::StatusCode::kInvalidArgument,
                     "paths needs start_event => 'event name'");
    }
    int64_t steps = 5;
    if (auto it = values.find("steps"); it != values.end() && it->second->type.is_integer()) {
      steps = it->second->constant.ints[0];
    } else if (args.contains("steps")) {
      return ErrorAt(pos_of("steps"), absl::StatusCode::kInvalidArgument, "steps must be an integer");
    }
    if (steps < 1 || steps > 20) {
      return ErrorAt(pos_of("steps"), absl::StatusCode::kInvalidArgument, "steps must be between 1 and 20");
    }
    run = [start = arg("start_event", ""), steps](const TableSnapshot& snapshot, const AnalyticsScope& run_scope) {
      return Paths(snapshot, run_scope, start, static_cast<int>(steps));
    };
  } else if (function.name == "stickiness") {
    run = [period = *period, event = arg("event", "*")](const TableSnapshot& snapshot, const AnalyticsScope& run_scope) {
      return Stickiness(snapshot, run_scope, period, event);
    };
  } else if (function.name == "lifecycle") {
    run = [period = *period, event = arg("event", "*")](const TableSnapshot& snapshot, const AnalyticsScope& run_scope) {
      return Lifecycle(snapshot, run_scope, period, event);
    };
  } else if (function.name == "sessions") {
    run = Sessions;
  } else if (function.name == "crash_health") {
    run = CrashHealth;
  } else if (is_experiment) {
    absl::StatusOr<ExperimentOptions> options = ExperimentArguments(function, args, values);
    if (!options.ok()) return options.status();
    run = [options = *options](const TableSnapshot& snapshot, const AnalyticsScope& run_scope) {
      return Experiment(snapshot, run_scope, options);
    };
    partial_run = [options = *options](const TableSnapshot& snapshot, const AnalyticsScope& run_scope) {
      return Experiment(snapshot, run_scope, options, /*with_parts=*/true);
    };
    experiment_merge = ExperimentRowsMerge(*options, scope->breakdown.has_value());
  } else if (is_funnel) {
    FunnelOptions options;
    auto string_list = [&](const std::string& name, std::vector<std::string>* out) -> absl::Status {
      auto it = values.find(name);
      if (it == values.end() || it->second->type.id != TypeId::kArray ||
          it->second->type.element != TypeId::kString) {
        if (!args.contains(name)) return absl::OkStatus();
        return ErrorAt(pos_of(name), absl::StatusCode::kInvalidArgument,
                       absl::StrCat("argument '", name, "' must be an array of event names, e.g. ['a', 'b']"));
      }
      for (absl::string_view item : it->second->constant.strings) out->emplace_back(item);
      return absl::OkStatus();
    };
    if (absl::Status s = string_list("steps", &options.steps); !s.ok()) return s;
    if (absl::Status s = string_list("exclude", &options.exclude); !s.ok()) return s;
    if (options.steps.size() < 2 || options.steps.size() > kMaxFunnelSteps) {
      return ErrorAt(args.contains("steps") ? pos_of("steps") : function.pos, absl::StatusCode::kInvalidArgument,
                     absl::StrCat("a funnel needs 2 to ", kMaxFunnelSteps, " steps (steps => ['a', 'b', ...]), got ",
                                  options.steps.size()));
    }
    if (args.contains("window")) {
      absl::StatusOr<int64_t> window = WindowSeconds(values, pos_of("window"));
      if (!window.ok()) return window.status();
      options.window_seconds = *window;
    }
    const std::string order = arg("order", "ordered");
    if (order == "ordered") {
      options.order = FunnelOptions::Order::kOrdered;
    } else if (order == "strict") {
      options.order = FunnelOptions::Order::kStrict;
    } else if (order == "unordered") {
      options.order = FunnelOptions::Order::kUnordered;
    } else {
      return ErrorAt(pos_of("order"), absl::StatusCode::kInvalidArgument,
                     absl::StrCat("order must be 'ordered', 'strict' or 'unordered', not '", order, "'"));
    }
    run = [options](const TableSnapshot& snapshot, const AnalyticsScope& run_scope) {
      return Funnel(snapshot, run_scope, options);
    };
    partial_run = [options](const TableSnapshot& snapshot, const AnalyticsScope& run_scope) {
      return Funnel(snapshot, run_scope, options, /*with_samples=*/true);
    };
  } else if (!is_retention) {
    run = [period = *period](const TableSnapshot& snapshot, const AnalyticsScope& run_scope) {
      return ActiveUsers(snapshot, run_scope, period);
    };
  } else {
    RetentionMatrixOptions options;
    options.start_event = arg("start_event", "*");
    options.return_event = arg("return_event", "*");
    options.period = *period;
    const std::string type = arg("type", "first_time");
    if (type != "first_time" && type != "recurring") {
      return ErrorAt(pos_of("type"), absl::StatusCode::kInvalidArgument,
                     absl::StrCat("type must be 'first_time' or 'recurring', not '", type, "'"));
    }
    options.first_time = type == "first_time";
    const std::string mode = arg("mode", "on");
    if (mode != "on" && mode != "on_or_after") {
      return ErrorAt(pos_of("mode"), absl::StatusCode::kInvalidArgument,
                     absl::StrCat("mode must be 'on' or 'on_or_after', not '", mode, "'"));
    }
    options.on_or_after = mode == "on_or_after";
    run = [options](const TableSnapshot& snapshot, const AnalyticsScope& run_scope) {
      return RetentionMatrix(snapshot, run_scope, options);
    };
  }
  DeferredRows deferred;
  deferred.description = ClickHouseColumnName(function);
  // The rows of `analytics` over the statement's range (defaults: every stored event).
  auto producer = [scope, from = *from_ms, to = *to_ms, zone = *zone, range_pos,
                   pos = function.pos](AnalyticsRun analytics) -> DeferredRows::Producer {
    return [scope, analytics = std::move(analytics), from, to, zone, range_pos,
            pos](const ExecutionContext& context,
                 const std::vector<bool>& columns_read) -> absl::StatusOr<std::shared_ptr<const ResultSet>> {
      const TableSnapshot& snapshot = *context.snapshot;
      AnalyticsScope run_scope = *scope;
      run_scope.execution = &context;
      run_scope.columns_read = columns_read;
      // Defaults: every stored event, whose UTC days may fall on other local days.
      const int64_t first_stored = snapshot.partition_count() ? MillisOfDay(snapshot.day(0)) : 0;
      const int64_t after_stored =
          snapshot.partition_count() ? MillisOfDay(snapshot.day(snapshot.partition_count() - 1) + 1) : 1;
      if (!from || !to) {
        MUA_RETURN_IF_ERROR(SetAnalyticsRange(from.value_or(first_stored), to.value_or(after_stored), zone,
                                              range_pos, &run_scope));
      }
      absl::StatusOr<ResultSet> rows = analytics(snapshot, run_scope);
      if (!rows.ok()) return AtNode(rows.status(), pos);
      return std::shared_ptr<const ResultSet>(std::make_shared<ResultSet>(*std::move(rows)));
    };
  };
  deferred.produce = producer(std::move(run));
  if (partial_run) deferred.produce_partial = producer(std::move(partial_run));
  std::shared_ptr<const ResultSet> schema = AnalyticsSchema(function.name, scope->breakdown);
  // In a cluster: sessions are one user's each; the other functions' numbers add up, but funnel's.
  if (function.name == "sessions") deferred.SetRowsPerUser(*schema);
  deferred.merge = experiment_merge != nullptr ? experiment_merge
                                               : AnalyticsRowsMerge(function.name, scope->breakdown.has_value());
  return UseDeferred(std::move(schema), function.name, std::move(deferred));
}


}  // namespace mua::sql_internal
