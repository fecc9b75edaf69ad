#include "sql/binder.h"

#include <functional>
#include <iterator>
#include <map>
#include <set>
#include <optional>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "query/aggregate_function.h"
#include "query/analytics.h"
#include "query/analytics/funnel.h"
#include "query/analytics/lifecycle.h"
#include "query/analytics/paths.h"
#include "query/analytics/sessions.h"
#include "query/analytics/stickiness.h"
#include "query/functions/time_functions.h"
#include "query/scalar_functions.h"
#include "sql/catalog.h"
#include "sql/parser.h"
#include "sql/printer.h"
#include "storage/base/status_macros.h"
#include "storage/base/time_util.h"
#include "storage/string_dictionary.h"
#include "storage/table.h"

namespace mua {
namespace {

constexpr int64_t kDayMs = 86'400'000;

absl::Status ErrorAt(SourcePos pos, absl::StatusCode code, absl::string_view message) {
  return MakeSqlError(code, pos, message);
}

// Gives a status from query/ (which knows no positions) the node's position.
absl::Status AtNode(const absl::Status& status, SourcePos pos) {
  if (status.ok() || GetSqlError(status).has_value()) return status;
  return MakeSqlError(status.code(), pos, status.message());
}

BoundExprPtr StringConstant(std::string value, std::string sql) {
  auto expr = std::make_shared<BoundExpr>();
  expr->kind = BoundExpr::Kind::kConstant;
  expr->type = DataType::Of(TypeId::kString);
  auto owned = std::make_shared<std::string>(std::move(value));
  expr->constant = Vector::ConstantString(*owned, 1);
  expr->constant.size = 1;
  expr->sql = std::move(sql);
  expr->keep_alive = std::move(owned);
  return expr;
}

bool IsColumnNamed(const Expr& expr, absl::string_view name) {
  return expr.kind == ExprKind::kColumn && expr.As<ColumnExpr>().name == name;
}

// Functions whose value depends on the day of their time argument only.
bool IsDayFunction(absl::string_view name) {
  static const auto* const kNames = new absl::flat_hash_set<std::string>{
      "toDate", "toStartOfDay", "toMonday", "toStartOfWeek", "toStartOfMonth", "toStartOfQuarter",
      "toStartOfYear", "toYYYYMMDD", "toYYYYMM", "toYear", "toMonth", "toQuarter", "toDayOfWeek",
      "toDayOfMonth", "toDayOfYear"};
  return kNames->contains(name);
}

bool IsLiteral(const Expr& expr) { return expr.kind == ExprKind::kLiteral; }

// Whether `expr` depends on events only through the UTC day of event_time.
// `uses_day` is set when it depends on it at all.
bool IsDayGranular(const Expr& expr, bool* uses_day) {
  if (IsLiteral(expr)) return true;
  if (expr.kind != ExprKind::kFunction) return false;
  const auto& function = expr.As<FunctionExpr>();
  if (function.parametric || function.distinct || IsAggregateFunction(function.name)) return false;
  if (IsDayFunction(function.name) && !function.args.empty() && IsColumnNamed(*function.args[0], "event_time")) {
    for (size_t i = 1; i < function.args.size(); ++i) {
      if (!IsLiteral(*function.args[i])) return false;
    }
    *uses_day = true;
    return true;
  }
  for (const ExprPtr& arg : function.args) {
    if (!IsDayGranular(*arg, uses_day)) return false;
  }
  return true;
}

// The conjuncts of a WHERE clause (its top-level AND operands).
std::vector<const Expr*> Conjuncts(const Expr* where) {
  std::vector<const Expr*> conjuncts;
  std::vector<const Expr*> stack;
  if (where != nullptr) stack.push_back(where);
  while (!stack.empty()) {
    const Expr* e = stack.back();
    stack.pop_back();
    if (e->kind == ExprKind::kBinary && e->As<BinaryExpr>().op == BinaryOp::kAnd) {
      stack.push_back(e->As<BinaryExpr>().left.get());
      stack.push_back(e->As<BinaryExpr>().right.get());
    } else {
      conjuncts.push_back(e);
    }
  }
  return conjuncts;
}

// `column = 'x'` or `column IN ('x', ...)`: the column's name and the listed values.
bool ValueListCondition(const Expr& e, std::string* column, std::vector<std::string>* values) {
  auto literal_string = [](const Expr& x, std::string* out) {
    if (x.kind != ExprKind::kLiteral || x.As<LiteralExpr>().literal_kind != LiteralKind::kString) return false;
    *out = x.As<LiteralExpr>().string_value;
    return true;
  };
  std::string value;
  if (e.kind == ExprKind::kBinary && e.As<BinaryExpr>().op == BinaryOp::kEquals &&
      e.As<BinaryExpr>().left->kind == ExprKind::kColumn && literal_string(*e.As<BinaryExpr>().right, &value)) {
    *column = e.As<BinaryExpr>().left->As<ColumnExpr>().name;
    values->push_back(value);
    return true;
  }
  if (e.kind != ExprKind::kIn || e.As<InExpr>().negated || e.As<InExpr>().operand->kind != ExprKind::kColumn) {
    return false;
  }
  *column = e.As<InExpr>().operand->As<ColumnExpr>().name;
  const Expr& set = *e.As<InExpr>().set;
  if (set.kind == ExprKind::kTuple) {
    for (const ExprPtr& element : set.As<TupleExpr>().elements) {
      if (!literal_string(*element, &value)) return false;
      values->push_back(value);
    }
    return true;
  }
  if (!literal_string(set, &value)) return false;
  values->push_back(value);
  return true;
}

// `event_type = 'x'` or `event_type IN ('x', ...)`: the listed types.
bool EventTypeCondition(const Expr& e, std::vector<std::string>* types) {
  std::string column;
  return ValueListCondition(e, &column, types) && column == "event_type";
}

struct SourceColumn {
  std::string name;
  DataType type;
  bool is_user = false;
};

// A WITH item and the names visible inside it: the outer ones and the items before
// it, never itself or later ones (non-recursive WITH), so references form no cycle.
struct CteMap;
struct CteDefinition {
  const SelectQuery* query = nullptr;
  std::shared_ptr<const CteMap> scope;
};
struct CteMap : std::map<std::string, CteDefinition, std::less<>> {};

static bool HasWindowFunction(const Expr& expr) {
  if (expr.kind == ExprKind::kFunction && expr.As<FunctionExpr>().over != nullptr) return true;
  bool found = false;
  ForEachChild(expr, [&found](const Expr& child) { found = found || HasWindowFunction(child); });
  return found;
}

// Syntax the parser accepts before the planner implements it: refused, never ignored.
static absl::Status RejectUnsupportedSyntax(const SelectCore& core) {
  const char* what = !core.array_joins.empty()        ? "ARRAY JOIN"
                     : core.with_totals               ? "WITH TOTALS"
                     : !core.windows.empty()          ? "WINDOW"
                     : core.limit_by_limit != nullptr ? "LIMIT BY"
                     : core.nested != nullptr         ? "a parenthesized UNION"
                                                      : nullptr;
  for (const OrderItem& item : core.order_by) {
    if (item.with_fill && what == nullptr) what = "WITH FILL";
  }
  for (const SelectItem& item : core.items) {
    if (HasWindowFunction(*item.expr) && what == nullptr) what = "window functions (OVER)";
  }
  if (what == nullptr) return absl::OkStatus();
  return ErrorAt(core.pos, absl::StatusCode::kUnimplemented, absl::StrCat(what, " is not supported yet"));
}

absl::StatusOr<std::shared_ptr<const SelectPlan>> BindQuery(const SelectQuery& query,
                                                            const BindContext& context,
                                                            const CteMap& ctes);

class SelectBinder {
 public:
  SelectBinder(const SelectCore& core, const BindContext& context, const CteMap& ctes)
      : core_(core), context_(context), ctes_(ctes), plan_(std::make_shared<SelectPlan>()) {}

  absl::StatusOr<std::shared_ptr<const SelectPlan>> Bind();

 private:
  enum class Phase { kSource, kPost };

  absl::Status BindFrom();
  absl::StatusOr<std::shared_ptr<const ResultSet>> RunAnalytics(const FunctionExpr& function);
  // `scope`: the names visible inside a CTE's query (null: this query's).
  absl::Status BindSubquerySource(const SelectQuery& query, std::string name,
                                  const CteMap* scope = nullptr);
  absl::Status UseRows(std::shared_ptr<const ResultSet> rows, std::string name);
  absl::StatusOr<BoundExprPtr> BindExpr(const Expr& expr, Phase phase);
  absl::StatusOr<BoundExprPtr> BindColumn(const ColumnExpr& column, Phase phase);
  absl::StatusOr<BoundExprPtr> BindSourceColumn(const ColumnExpr& column);
  absl::StatusOr<BoundExprPtr> BindFunction(const FunctionExpr& function, Phase phase);
  absl::StatusOr<BoundExprPtr> BindAggregate(const FunctionExpr& function);
  absl::StatusOr<BoundExprPtr> BindCall(std::string name, std::vector<BoundExprPtr> args,
                                        SourcePos pos, std::string sql);
  absl::StatusOr<BoundExprPtr> BindIn(const InExpr& in, Phase phase);
  absl::StatusOr<BoundExprPtr> BindLiteral(const LiteralExpr& literal);
  absl::StatusOr<BoundExprPtr> BindConstantArray(const ArrayExpr& array, Phase phase);
  absl::StatusOr<BoundExprPtr> BindScalarSubquery(const SubqueryExpr& subquery);
  absl::StatusOr<std::shared_ptr<ResultSet>> RunSubquery(const SelectQuery& query, SourcePos pos);
  absl::StatusOr<int64_t> ConstantInteger(const Expr& expr, absl::string_view what);

  // GROUP BY key ASTs after alias/position expansion.
  absl::StatusOr<const Expr*> ExpandKey(const Expr& expr);
  const Expr* AliasTarget(const Expr& expr) const;
  bool ContainsAggregate(const Expr& expr) const;
  // The first aggregate call in `expr` (through aliases: the alias reference), or null.
  const Expr* FindAggregate(const Expr& expr) const;

  static bool TimeSide(const Expr& e, bool* is_day);
  bool ConstantTime(const Expr& e, bool is_day, int64_t* value);
  void ExtractTimeRange();
  absl::Status BindWhereInsideTimeRange();
  void TryBitmapPath();
  void TryPerUserBitmapPath();
  void TryRetentionTotals();
  void AddEventTypes(const std::vector<std::string>& types, BitmapPlan* bitmap) const;
  bool WholeDayRange(int32_t* first_day, int32_t* last_day) const;
  void PruneSubqueryOutputs();

  const SelectCore& core_;
  const BindContext& context_;
  const CteMap& ctes_;
  std::shared_ptr<SelectPlan> plan_;

  std::vector<SourceColumn> columns_;  // batch columns of the source (events: lazily added)
  std::string source_alias_;
  std::map<std::string, const Expr*, std::less<>> aliases_;
  std::map<std::string, const Expr*, std::less<>> with_exprs_;
  absl::flat_hash_set<std::string> expanding_;
  std::vector<const Expr*> keys_;
  std::vector<const FunctionExpr*> aggregate_asts_;
  std::vector<ExprPtr> owned_asts_;  // ASTs made while binding (views, expansions)
  std::vector<std::unique_ptr<Statement>> owned_statements_;
  absl::flat_hash_set<const Expr*> time_conjuncts_;  // WHERE conjuncts fully expressed by the time range
};

absl::Status SelectBinder::UseRows(std::shared_ptr<const ResultSet> rows, std::string name) {
  plan_->source.kind = SourcePlan::Kind::kRows;
  plan_->source.name = std::move(name);
  for (size_t i = 0; i < rows->names.size(); ++i) {
    columns_.push_back({rows->names[i], rows->columns[i].type, false});
  }
  plan_->source.rows = std::move(rows);
  return absl::OkStatus();
}

absl::Status SelectBinder::BindSubquerySource(const SelectQuery& query, std::string name,
                                              const CteMap* scope) {
  absl::StatusOr<std::shared_ptr<const SelectPlan>> inner =
      BindQuery(query, context_, scope != nullptr ? *scope : ctes_);
  if (!inner.ok()) return inner.status();
  plan_->source.kind = SourcePlan::Kind::kSubquery;
  plan_->source.name = std::move(name);
  for (size_t i = 0; i < (*inner)->outputs.size(); ++i) {
    columns_.push_back({(*inner)->names[i], (*inner)->outputs[i]->type, false});
  }
  plan_->source.subquery = *std::move(inner);
  return absl::OkStatus();
}

absl::Status SelectBinder::BindFrom() {
  if (!core_.from.has_value()) {
    plan_->source.kind = SourcePlan::Kind::kOneRow;
    return absl::OkStatus();
  }
  const TableRef& from = *core_.from;
  source_alias_ = from.alias;
  switch (from.kind) {
    case TableRefKind::kSubquery: return BindSubquerySource(*from.subquery, "(subquery)");
    case TableRefKind::kFunction: {
      const auto& function = from.function->As<FunctionExpr>();
      if (function.name == "numbers" && function.args.size() == 1) {
        absl::StatusOr<int64_t> count = ConstantInteger(*function.args[0], "numbers(N)");
        if (!count.ok()) return count.status();
        if (*count < 0 || *count > 100'000'000) {
          return ErrorAt(function.pos, absl::StatusCode::kInvalidArgument, "numbers(N) needs 0 <= N <= 100000000");
        }
        // Only the schema: the executor generates the numbers chunk by chunk.
        auto rows = std::make_shared<ResultSet>();
        rows->AddColumn("number", DataType::Of(TypeId::kUInt64));
        MUA_RETURN_IF_ERROR(UseRows(std::move(rows), "numbers"));
        plan_->source.numbers = static_cast<uint64_t>(*count);
        return absl::OkStatus();
      }
      if (function.name == "active_users" || function.name == "retention_matrix" ||
          function.name == "funnel" || function.name == "crash_health" || function.name == "sessions" ||
          function.name == "stickiness" || function.name == "lifecycle" || function.name == "paths") {
        absl::StatusOr<std::shared_ptr<const ResultSet>> rows = RunAnalytics(function);
        if (!rows.ok()) return rows.status();
        return UseRows(*std::move(rows), function.name);
      }
      return ErrorAt(function.pos, absl::StatusCode::kNotFound,
                     absl::StrCat("Unknown table function ", function.name));
    }
    case TableRefKind::kTable: break;
    case TableRefKind::kJoin:
      return ErrorAt(from.pos, absl::StatusCode::kUnimplemented, "JOIN is not supported yet");
  }
  const std::string& database = from.database;
  const std::string& table = from.table;
  if (database == "system") {
    absl::StatusOr<std::shared_ptr<const ResultSet>> rows =
        context_.catalog->SystemTable(table, *context_.execution->snapshot);
    if (!rows.ok()) return AtNode(rows.status(), from.pos);
    return UseRows(*std::move(rows), absl::StrCat("system.", table));
  }
  if (!database.empty() && database != "default") {
    return ErrorAt(from.pos, absl::StatusCode::kNotFound, absl::StrCat("Database ", database, " doesn't exist"));
  }
  if (database.empty()) {
    if (auto it = ctes_.find(table); it != ctes_.end()) {
      return BindSubquerySource(*it->second.query, table, it->second.scope.get());
    }
  }
  if (auto rows = context_.catalog->ProvidedTable("default", table)) return UseRows(*std::move(rows), table);
  if (table == "sessions") {
    // The sessions view: SDK sessions plus sessionized events without one.
    const TableSnapshot& snapshot = *context_.execution->snapshot;
    AnalyticsScope scope;
    scope.execution = context_.execution;
    scope.from_day = snapshot.partition_count() ? snapshot.day(0) - 1 : 0;
    scope.to_day = snapshot.partition_count() ? snapshot.day(snapshot.partition_count() - 1) + 2 : 0;
    absl::StatusOr<ResultSet> rows = Sessions(snapshot, scope);
    if (!rows.ok()) return AtNode(rows.status(), from.pos);
    return UseRows(std::make_shared<ResultSet>(*std::move(rows)), "sessions");
  }
  if (table == "events") {
    plan_->source.kind = SourcePlan::Kind::kEvents;
    plan_->source.name = "events";
    if (source_alias_.empty()) source_alias_ = "events";
    return absl::OkStatus();
  }
  if (std::optional<std::string> view = context_.catalog->FindView(table)) {
    absl::StatusOr<Statement> statement = ParseStatement(*view);
    if (!statement.ok()) return statement.status();
    owned_statements_.push_back(std::make_unique<Statement>(*std::move(statement)));
    return BindSubquerySource(*owned_statements_.back()->query, table);
  }
  return ErrorAt(from.pos, absl::StatusCode::kNotFound,
                 absl::StrCat("Table default.", table, " doesn't exist"));
}

// SPEC §5a table functions: named arguments, validated with positions, then
// the analytics operator runs on the statement's snapshot.
absl::StatusOr<std::shared_ptr<const ResultSet>> SelectBinder::RunAnalytics(const FunctionExpr& function) {
  const bool is_retention = function.name == "retention_matrix";
  const bool is_funnel = function.name == "funnel";
  const bool is_sessions = function.name == "sessions" || function.name == "crash_health";
  absl::flat_hash_set<std::string> allowed = {"from", "to", "where", "timezone"};
  if (!is_sessions) allowed.insert("breakdown");
  if (!is_funnel && !is_sessions) allowed.insert("period");
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
    if (named.value->kind == ExprKind::kColumn) {
      text = named.value->As<ColumnExpr>().name;  // breakdown => platform
    } else {
      absl::StatusOr<BoundExprPtr> value = BindExpr(*named.value, Phase::kSource);
      if (!value.ok()) return value.status();
      if ((*value)->is_constant() && !(*value)->type.is_string() &&
          (named.name == "steps" || named.name == "exclude" || named.name == "window")) {
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
  const TableSnapshot& snapshot = *context_.execution->snapshot;
  AnalyticsScope scope;
  scope.execution = context_.execution;
  const std::string zone_name = arg("timezone", "UTC");
  absl::StatusOr<query_internal::TimeZone> zone = query_internal::TimeZone::Load(zone_name);
  if (!zone.ok()) {
    return ErrorAt(pos_of("timezone"), absl::StatusCode::kInvalidArgument,
                   absl::StrCat("unknown time zone '", zone_name, "'"));
  }
  scope.utc = zone->is_utc();
  if (!scope.utc && !absl::LoadTimeZone(zone_name, &scope.time_zone)) {
    return ErrorAt(pos_of("timezone"), absl::StatusCode::kInvalidArgument,
                   absl::StrCat("unknown time zone '", zone_name, "'"));
  }
  // from/to: local dates or date-times; to is exclusive. Defaults: the stored days.
  // A bound's instant; the local day range follows from it.
  auto instant = [&](const std::string& name, int64_t fallback) -> absl::StatusOr<int64_t> {
    auto it = args.find(name);
    if (it == args.end()) return fallback;
    int64_t millis = 0;
    if (!query_internal::TryParseDateTime64(it->second.first, *zone, &millis)) {
      return ErrorAt(it->second.second, absl::StatusCode::kInvalidArgument,
                     absl::StrCat("argument '", name, "': cannot parse '", it->second.first,
                                  "' as a date or date-time"));
    }
    return millis;
  };
  // Defaults: every stored event, whose UTC days may fall on other local days.
  const int64_t first_stored = snapshot.partition_count() ? MillisOfDay(snapshot.day(0)) : 0;
  const int64_t after_stored =
      snapshot.partition_count() ? MillisOfDay(snapshot.day(snapshot.partition_count() - 1) + 1) : 1;
  absl::StatusOr<int64_t> from_ms = instant("from", first_stored);
  if (!from_ms.ok()) return from_ms.status();
  absl::StatusOr<int64_t> to_ms = instant("to", after_stored);
  if (!to_ms.ok()) return to_ms.status();
  scope.from_ms = *from_ms;
  scope.to_ms = *to_ms;
  absl::StatusOr<int32_t> from =
      query_internal::ToDayNum(query_internal::FloorDiv(*from_ms, 1000), *zone);
  absl::StatusOr<int32_t> to =
      query_internal::ToDayNum(query_internal::FloorDiv(*to_ms - 1, 1000), *zone) + 1;
  if (*from_ms >= *to_ms) {
    return ErrorAt(args.contains("to") ? pos_of("to") : function.pos, absl::StatusCode::kInvalidArgument,
                   absl::StrCat("'from' must be before 'to' (", FormatDay(*from), " >= ", FormatDay(*to), ")"));
  }
  scope.from_day = *from;
  scope.to_day = *to;
  if (args.contains("breakdown")) {
    std::optional<ColumnId> column = FindColumn(arg("breakdown", ""));
    if (!column || KindOf(*column) != ColumnKind::kLowCardinality) {
      return ErrorAt(pos_of("breakdown"), absl::StatusCode::kInvalidArgument,
                     absl::StrCat("breakdown must be a low-cardinality column of events (event_type, platform, "
                                  "os_version, app_version, device_model, device_type, country, region, city), "
                                  "not '", arg("breakdown", ""), "'"));
    }
    scope.breakdown = column;
  }
  if (args.contains("where")) {
    absl::StatusOr<ExprPtr> predicate = ParseExpression(arg("where", ""));
    if (!predicate.ok()) {
      return ErrorAt(pos_of("where"), absl::StatusCode::kInvalidArgument,
                     absl::StrCat("in where => '...': ", predicate.status().message()));
    }
    SelectBinder where_binder(core_, context_, ctes_);
    where_binder.plan_->source.kind = SourcePlan::Kind::kEvents;
    absl::StatusOr<BoundExprPtr> bound = where_binder.BindExpr(**predicate, Phase::kSource);
    if (!bound.ok()) {
      return ErrorAt(pos_of("where"), bound.status().code(),
                     absl::StrCat("in where => '...': ", bound.status().message()));
    }
    scope.where = *bound;
    scope.where_columns = where_binder.plan_->source.columns;
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
  absl::StatusOr<ResultSet> rows;
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
    rows = Paths(snapshot, scope, arg("start_event", ""), static_cast<int>(steps));
  } else if (function.name == "stickiness") {
    rows = Stickiness(snapshot, scope, *period, arg("event", "*"));
  } else if (function.name == "lifecycle") {
    rows = Lifecycle(snapshot, scope, *period, arg("event", "*"));
  } else if (function.name == "sessions") {
    rows = Sessions(snapshot, scope);
  } else if (function.name == "crash_health") {
    rows = CrashHealth(snapshot, scope);
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
    if (options.steps.size() < 2 || options.steps.size() > 32) {
      return ErrorAt(args.contains("steps") ? pos_of("steps") : function.pos, absl::StatusCode::kInvalidArgument,
                     absl::StrCat("a funnel needs 2 to 32 steps (steps => ['a', 'b', ...]), got ",
                                  options.steps.size()));
    }
    if (auto it = values.find("window"); it != values.end()) {
      const Vector& window = it->second->constant;
      static constexpr int64_t kUnitSeconds[] = {1, 60, 3600, 86400, 604800, 2592000, 7776000, 31536000};
      if (window.type.id == TypeId::kInterval) {
        options.window_seconds = window.ints[0] * kUnitSeconds[window.type.interval_unit];
      } else if (window.type.is_integer()) {
        options.window_seconds = window.ints[0];
      } else {
        return ErrorAt(pos_of("window"), absl::StatusCode::kInvalidArgument,
                       "window must be an INTERVAL (e.g. INTERVAL 1 DAY) or a number of seconds");
      }
      if (options.window_seconds <= 0) {
        return ErrorAt(pos_of("window"), absl::StatusCode::kInvalidArgument, "window must be positive");
      }
    } else if (args.contains("window")) {
      return ErrorAt(pos_of("window"), absl::StatusCode::kInvalidArgument,
                     "window must be an INTERVAL (e.g. INTERVAL 1 DAY) or a number of seconds");
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
    rows = Funnel(snapshot, scope, options);
  } else if (!is_retention) {
    rows = ActiveUsers(snapshot, scope, *period);
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
    rows = RetentionMatrix(snapshot, scope, options);
  }
  if (!rows.ok()) return AtNode(rows.status(), function.pos);
  return std::shared_ptr<const ResultSet>(std::make_shared<ResultSet>(*std::move(rows)));
}

absl::StatusOr<int64_t> SelectBinder::ConstantInteger(const Expr& expr, absl::string_view what) {
  absl::StatusOr<BoundExprPtr> bound = BindExpr(expr, Phase::kSource);
  if (!bound.ok()) return bound.status();
  if (!(*bound)->is_constant() || !(*bound)->type.is_integer()) {
    return ErrorAt(expr.pos, absl::StatusCode::kInvalidArgument,
                   absl::StrCat(what, " must be a constant integer"));
  }
  return (*bound)->constant.ints[0];
}

const Expr* SelectBinder::AliasTarget(const Expr& expr) const {
  if (expr.kind != ExprKind::kColumn) return nullptr;
  const auto& column = expr.As<ColumnExpr>();
  if (!column.table.empty() || expanding_.contains(column.name)) return nullptr;
  if (auto it = aliases_.find(column.name); it != aliases_.end()) return it->second;
  if (auto it = with_exprs_.find(column.name); it != with_exprs_.end()) return it->second;
  return nullptr;
}

const Expr* SelectBinder::FindAggregate(const Expr& expr) const {
  if (expr.kind == ExprKind::kFunction) {
    const auto& function = expr.As<FunctionExpr>();
    if (IsAggregateFunction(function.name) && !IsScalarFunction(function.name)) return &expr;
  }
  const Expr* found = nullptr;
  ForEachChild(expr, [&](const Expr& child) {
    if (found == nullptr) found = FindAggregate(child);
  });
  if (found == nullptr && AliasTarget(expr) != nullptr && ContainsAggregate(expr)) found = &expr;
  return found;
}

bool SelectBinder::ContainsAggregate(const Expr& expr) const {
  if (expr.kind == ExprKind::kFunction) {
    const auto& function = expr.As<FunctionExpr>();
    if (IsAggregateFunction(function.name) && !IsScalarFunction(function.name)) return true;
  }
  if (const Expr* target = AliasTarget(expr)) {
    auto* self = const_cast<SelectBinder*>(this);
    const std::string name = expr.As<ColumnExpr>().name;
    self->expanding_.insert(name);
    const bool result = ContainsAggregate(*target);
    self->expanding_.erase(name);
    return result;
  }
  bool found = false;
  ForEachChild(expr, [&](const Expr& child) { found = found || ContainsAggregate(child); });
  return found;
}

absl::StatusOr<const Expr*> SelectBinder::ExpandKey(const Expr& expr) {
  if (expr.kind == ExprKind::kLiteral) {
    const auto& literal = expr.As<LiteralExpr>();
    if (literal.literal_kind == LiteralKind::kUInt64) {
      if (literal.uint_value < 1 || literal.uint_value > core_.items.size()) {
        return ErrorAt(expr.pos, absl::StatusCode::kInvalidArgument,
                       absl::StrCat("positional argument ", literal.uint_value, " is out of bounds [1, ",
                                    core_.items.size(), "]"));
      }
      return core_.items[literal.uint_value - 1].expr.get();
    }
  }
  if (const Expr* target = AliasTarget(expr)) return target;
  return &expr;
}

absl::StatusOr<BoundExprPtr> SelectBinder::BindLiteral(const LiteralExpr& literal) {
  const std::string sql = ClickHouseColumnName(literal);
  switch (literal.literal_kind) {
    case LiteralKind::kNull: {
      Vector value;
      value.type = DataType::Of(TypeId::kNothing);
      value.ints.push_back(0);
      value.floats.push_back(0);
      value.strings.push_back(absl::string_view());
      return MakeConstant(std::move(value), sql);
    }
    case LiteralKind::kBool:
      return MakeConstant(Vector::ConstantInt(DataType::Of(TypeId::kUInt8), literal.bool_value, 1), sql);
    case LiteralKind::kInt64:
      return MakeConstant(Vector::ConstantInt(IntegerLiteralType(literal.int_value, false), literal.int_value, 1), sql);
    case LiteralKind::kUInt64: {
      const auto value = static_cast<int64_t>(literal.uint_value);
      return MakeConstant(Vector::ConstantInt(IntegerLiteralType(value, true), value, 1), sql);
    }
    case LiteralKind::kFloat64: return MakeConstant(Vector::ConstantFloat(literal.float_value, 1), sql);
    case LiteralKind::kString: return StringConstant(literal.string_value, sql);
  }
  return absl::InternalError("unknown literal");
}

absl::StatusOr<BoundExprPtr> SelectBinder::BindSourceColumn(const ColumnExpr& column) {
  const std::string& name = column.name;
  if (!column.table.empty() && column.table != source_alias_ &&
      !(plan_->source.kind == SourcePlan::Kind::kEvents && column.table == "events")) {
    return ErrorAt(column.pos, absl::StatusCode::kNotFound,
                   absl::StrCat("Unknown identifier: ", column.table, ".", name));
  }
  for (size_t i = 0; i < columns_.size(); ++i) {
    if (columns_[i].name == name) {
      auto expr = MakeColumn(static_cast<int>(i), columns_[i].type, name);
      return expr;
    }
  }
  if (plan_->source.kind == SourcePlan::Kind::kEvents) {
    if (std::optional<ColumnId> id = FindColumn(name)) {
      plan_->source.columns.push_back(*id);
      columns_.push_back({name, StorageColumnType(*id), *id == ColumnId::kUserId});
      return MakeColumn(static_cast<int>(columns_.size() - 1), columns_.back().type, name);
    }
  }
  return ErrorAt(column.pos, absl::StatusCode::kNotFound,
                 absl::StrCat("Missing columns: '", name, "' while processing query"));
}

absl::StatusOr<BoundExprPtr> SelectBinder::BindColumn(const ColumnExpr& column, Phase phase) {
  if (const Expr* target = AliasTarget(column)) {
    expanding_.insert(column.name);
    absl::StatusOr<BoundExprPtr> bound = BindExpr(*target, phase);
    expanding_.erase(column.name);
    return bound;
  }
  if (phase == Phase::kPost && plan_->aggregate) {
    return ErrorAt(column.pos, absl::StatusCode::kInvalidArgument,
                   absl::StrCat("Column `", column.name,
                                "` is not under aggregate function and not in GROUP BY keys"));
  }
  return BindSourceColumn(column);
}

absl::StatusOr<BoundExprPtr> SelectBinder::BindCall(std::string name, std::vector<BoundExprPtr> args,
                                                    SourcePos pos, std::string sql) {
  std::vector<ScalarArg> scalar_args;
  bool all_constant = true;
  for (const BoundExprPtr& arg : args) {
    scalar_args.push_back({arg->type, arg->is_constant() ? &arg->constant : nullptr});
    all_constant = all_constant && arg->is_constant();
  }
  absl::StatusOr<ScalarBinding> binding = BindScalarFunction(name, scalar_args);
  if (!binding.ok()) return AtNode(binding.status(), pos);
  for (auto& [index, value] : binding->converted_constants) {
    args[index] = MakeConstant(std::move(value), args[index]->sql);
  }
  BoundExprPtr call = MakeCall(name, binding->kernel, binding->type, std::move(args), std::move(sql));
  if (!all_constant) return call;
  // Constant folding: evaluate once, keep the value (strings owned by the pool).
  auto pool = std::make_shared<StringPool>();
  Batch batch;
  batch.rows = 1;
  batch.pool = pool.get();
  Vector value;
  absl::Status status = Evaluate(*call, batch, &value);
  if (!status.ok()) return AtNode(status, pos);
  value.Flatten();
  value.MaterializeStrings();
  // Own every string: the arguments' storage dies with the unfolded call.
  for (absl::string_view& text : value.strings) text = pool->Add(std::string(text));
  auto folded = std::make_shared<BoundExpr>();
  folded->kind = BoundExpr::Kind::kConstant;
  folded->type = call->type;
  folded->constant = std::move(value);
  folded->constant.constant = true;
  folded->constant.size = 1;
  folded->sql = call->sql;
  folded->keep_alive = std::move(pool);
  return BoundExprPtr(folded);
}

absl::StatusOr<std::shared_ptr<ResultSet>> SelectBinder::RunSubquery(const SelectQuery& query, SourcePos pos) {
  absl::StatusOr<std::shared_ptr<const SelectPlan>> plan = BindQuery(query, context_, ctes_);
  if (!plan.ok()) return plan.status();
  absl::StatusOr<ResultSet> rows = ExecuteSelect(**plan, *context_.execution);
  if (!rows.ok()) return AtNode(rows.status(), pos);
  return std::make_shared<ResultSet>(*std::move(rows));
}

absl::StatusOr<BoundExprPtr> SelectBinder::BindIn(const InExpr& in, Phase phase) {
  absl::StatusOr<BoundExprPtr> operand = BindExpr(*in.operand, phase);
  if (!operand.ok()) return operand.status();
  auto set = std::make_shared<InSet>();
  const bool by_user = (*operand)->kind == BoundExpr::Kind::kColumn &&
                       plan_->source.kind == SourcePlan::Kind::kEvents &&
                       columns_[(*operand)->column].is_user;
  set->by_user = by_user;
  auto add_value = [&](const Vector& v, size_t row) -> absl::Status {
    if (v.type.id == TypeId::kNothing) return absl::OkStatus();
    if ((*operand)->type.is_string()) {
      if (!v.type.is_string()) {
        return ErrorAt(in.pos, absl::StatusCode::kInvalidArgument,
                       absl::StrCat("Types of IN set (", v.type.Name(), ") and operand (String) differ"));
      }
      const absl::string_view value = v.string_at(row);
      if (by_user) {
        if (std::optional<uint32_t> user = context_.execution->snapshot->user_index().Find(value)) {
          set->users.add(*user);
        }
      } else {
        set->strings.emplace(value);
      }
    } else if ((*operand)->type.is_time() && v.type.is_string()) {
      absl::StatusOr<int64_t> time = ParseTimeLiteral(v.string_at(row), (*operand)->type.id);
      if (!time.ok()) return AtNode(time.status(), in.pos);
      set->ints.insert(*time);
    } else if (v.type.id == TypeId::kFloat64 || (*operand)->type.id == TypeId::kFloat64) {
      set->has_floats = true;
      set->floats.insert(v.number_at(row));
    } else if (v.type.is_integer() || v.type.is_time()) {
      set->ints.insert(v.int_at(row));
    } else {
      return ErrorAt(in.pos, absl::StatusCode::kInvalidArgument,
                     absl::StrCat("Types of IN set (", v.type.Name(), ") and operand (",
                                  (*operand)->type.Name(), ") differ"));
    }
    return absl::OkStatus();
  };
  if (in.set->kind == ExprKind::kSubquery) {
    absl::StatusOr<std::shared_ptr<ResultSet>> rows =
        RunSubquery(*in.set->As<SubqueryExpr>().query, in.set->pos);
    if (!rows.ok()) return rows.status();
    if ((*rows)->columns.size() != 1) {
      return ErrorAt(in.set->pos, absl::StatusCode::kInvalidArgument,
                     "Number of columns in section IN doesn't match: the subquery must return one column");
    }
    const Vector values = VectorFromColumn((*rows)->columns[0], 0, (*rows)->row_count);
    for (size_t row = 0; row < (*rows)->row_count; ++row) {
      if (absl::Status s = add_value(values, row); !s.ok()) return s;
    }
  } else {
    std::vector<const Expr*> elements;
    if (in.set->kind == ExprKind::kTuple) {
      for (const ExprPtr& e : in.set->As<TupleExpr>().elements) elements.push_back(e.get());
    } else if (in.set->kind == ExprKind::kArray) {
      for (const ExprPtr& e : in.set->As<ArrayExpr>().elements) elements.push_back(e.get());
    } else {
      elements.push_back(in.set.get());
    }
    for (const Expr* element : elements) {
      absl::StatusOr<BoundExprPtr> value = BindExpr(*element, Phase::kSource);
      if (!value.ok()) return value.status();
      if (!(*value)->is_constant()) {
        return ErrorAt(element->pos, absl::StatusCode::kInvalidArgument,
                       "IN list elements must be constants");
      }
      if (absl::Status s = add_value((*value)->constant, 0); !s.ok()) return s;
    }
  }
  auto expr = std::make_shared<BoundExpr>();
  expr->kind = BoundExpr::Kind::kIn;
  expr->type = DataType::Of(TypeId::kUInt8);
  expr->args.push_back(*operand);
  expr->set = std::move(set);
  expr->negated = in.negated;
  expr->sql = ClickHouseColumnName(in);
  return BoundExprPtr(expr);
}

absl::StatusOr<BoundExprPtr> SelectBinder::BindConstantArray(const ArrayExpr& array, Phase phase) {
  Vector value;
  value.constant = true;
  value.size = 1;
  value.offsets = {0};
  TypeId element = TypeId::kNothing;
  auto owned = std::make_shared<std::deque<std::string>>();
  for (const ExprPtr& e : array.elements) {
    absl::StatusOr<BoundExprPtr> bound = BindExpr(*e, phase);
    if (!bound.ok()) return bound.status();
    if (!(*bound)->is_constant()) {
      return ErrorAt(e->pos, absl::StatusCode::kUnimplemented, "array elements must be constants");
    }
    const Vector& v = (*bound)->constant;
    const TypeId id = v.type.is_string() ? TypeId::kString : v.type.is_integer() ? TypeId::kInt64 : v.type.id;
    if (element == TypeId::kNothing) element = id;
    if (id != element || (id != TypeId::kString && id != TypeId::kInt64)) {
      return ErrorAt(e->pos, absl::StatusCode::kInvalidArgument,
                     "array literals hold integers or strings of one type");
    }
    if (id == TypeId::kString) {
      value.strings.push_back(owned->emplace_back(v.string_at(0)));
    } else {
      value.ints.push_back(v.int_at(0));
    }
  }
  value.offsets.push_back(static_cast<uint32_t>(array.elements.size()));
  value.type = DataType::Array(element == TypeId::kNothing ? TypeId::kUInt8 : element);
  auto expr = std::make_shared<BoundExpr>();
  expr->kind = BoundExpr::Kind::kConstant;
  expr->type = value.type;
  expr->constant = std::move(value);
  expr->sql = ClickHouseColumnName(array);
  expr->keep_alive = std::move(owned);
  return BoundExprPtr(expr);
}

absl::StatusOr<BoundExprPtr> SelectBinder::BindScalarSubquery(const SubqueryExpr& subquery) {
  absl::StatusOr<std::shared_ptr<ResultSet>> rows = RunSubquery(*subquery.query, subquery.pos);
  if (!rows.ok()) return rows.status();
  if ((*rows)->columns.size() != 1) {
    return ErrorAt(subquery.pos, absl::StatusCode::kInvalidArgument,
                   "Scalar subquery must return exactly one column");
  }
  const Column& column = (*rows)->columns[0];
  Vector value = VectorFromColumn(column, 0, (*rows)->row_count);
  if ((*rows)->row_count == 0) {
    value.ints.assign(1, 0);
    value.floats.assign(1, 0);
    value.strings.assign(1, absl::string_view());
  }
  value.constant = true;
  value.size = 1;
  auto expr = std::make_shared<BoundExpr>();
  expr->kind = BoundExpr::Kind::kConstant;
  expr->type = column.type;
  expr->constant = std::move(value);
  expr->sql = "_subquery";
  expr->keep_alive = *rows;
  return BoundExprPtr(expr);
}

absl::StatusOr<BoundExprPtr> SelectBinder::BindAggregate(const FunctionExpr& function) {
  for (size_t i = 0; i < aggregate_asts_.size(); ++i) {
    if (AstEquals(*aggregate_asts_[i], function)) {
      return MakeColumn(static_cast<int>(plan_->group_keys.size() + i),
                        plan_->aggregates[i].prototype->result_type(), plan_->aggregates[i].sql);
    }
  }
  std::vector<Vector> parameters;
  std::vector<BoundExprPtr> bound_parameters;  // own the storage `parameters` view
  for (const ExprPtr& parameter : function.parameters) {
    absl::StatusOr<BoundExprPtr> bound = BindExpr(*parameter, Phase::kSource);
    if (!bound.ok()) return bound.status();
    if (!(*bound)->is_constant()) {
      return ErrorAt(parameter->pos, absl::StatusCode::kInvalidArgument,
                     absl::StrCat("Parameters of aggregate function ", function.name, " must be constants"));
    }
    parameters.push_back((*bound)->constant);
    bound_parameters.push_back(*std::move(bound));
  }
  AggregateCall call;
  std::vector<AggregateArg> args;
  for (const ExprPtr& arg : function.args) {
    if (arg->kind == ExprKind::kStar) continue;  // count(*)
    if (ContainsAggregate(*arg)) {
      return ErrorAt(arg->pos, absl::StatusCode::kInvalidArgument,
                     absl::StrCat("Aggregate function ", function.name,
                                  " is found inside another aggregate function in query"));
    }
    absl::StatusOr<BoundExprPtr> bound = BindExpr(*arg, Phase::kSource);
    if (!bound.ok()) return bound.status();
    const bool is_user = (*bound)->kind == BoundExpr::Kind::kColumn &&
                         plan_->source.kind == SourcePlan::Kind::kEvents &&
                         columns_[(*bound)->column].is_user;
    args.push_back({(*bound)->type, (*bound)->is_constant() ? &(*bound)->constant : nullptr, is_user});
    call.args.push_back(*std::move(bound));
  }
  absl::StatusOr<std::unique_ptr<AggregateFunction>> aggregate =
      BindAggregateFunction(function.name, parameters, args, function.distinct);
  if (!aggregate.ok()) return AtNode(aggregate.status(), function.pos);
  call.prototype = *std::move(aggregate);
  call.sql = ClickHouseColumnName(function);
  const DataType type = call.prototype->result_type();
  plan_->aggregates.push_back(std::move(call));
  aggregate_asts_.push_back(&function);
  return MakeColumn(static_cast<int>(plan_->group_keys.size() + plan_->aggregates.size() - 1), type,
                    plan_->aggregates.back().sql);
}

absl::StatusOr<BoundExprPtr> SelectBinder::BindFunction(const FunctionExpr& function, Phase phase) {
  const std::string sql = ClickHouseColumnName(function);
  if (IsAggregateFunction(function.name) && !IsScalarFunction(function.name)) {
    if (phase == Phase::kSource) {
      return ErrorAt(function.pos, absl::StatusCode::kInvalidArgument,
                     absl::StrCat("Aggregate function ", sql,
                                  " is found in WHERE or GROUP BY or inside another aggregate function"));
    }
    return BindAggregate(function);
  }
  if (function.parametric || function.distinct) {
    return ErrorAt(function.pos, absl::StatusCode::kNotFound,
                   absl::StrCat("Unknown aggregate function ", function.name));
  }
  std::vector<BoundExprPtr> args;
  for (const ExprPtr& arg : function.args) {
    absl::StatusOr<BoundExprPtr> bound = BindExpr(*arg, phase);
    if (!bound.ok()) return bound.status();
    args.push_back(*std::move(bound));
  }
  return BindCall(function.name, std::move(args), function.pos, sql);
}

absl::StatusOr<BoundExprPtr> SelectBinder::BindExpr(const Expr& expr, Phase phase) {
  if (phase == Phase::kPost && plan_->aggregate) {
    // A GROUP BY key (as written, or through an alias) is a key column.
    const Expr* expanded = AliasTarget(expr);
    for (size_t k = 0; k < keys_.size(); ++k) {
      if (AstEquals(expr, *keys_[k]) || (expanded != nullptr && AstEquals(*expanded, *keys_[k]))) {
        return MakeColumn(static_cast<int>(k), plan_->group_keys[k]->type, plan_->group_keys[k]->sql);
      }
    }
  }
  switch (expr.kind) {
    case ExprKind::kLiteral: return BindLiteral(expr.As<LiteralExpr>());
    case ExprKind::kColumn: return BindColumn(expr.As<ColumnExpr>(), phase);
    case ExprKind::kStar:
      return ErrorAt(expr.pos, absl::StatusCode::kInvalidArgument, "* is allowed only in the select list");
    case ExprKind::kFunction: return BindFunction(expr.As<FunctionExpr>(), phase);
    case ExprKind::kNamedArgument:
      return ErrorAt(expr.pos, absl::StatusCode::kInvalidArgument,
                     "named arguments (name => value) are allowed only in table functions");
    case ExprKind::kUnary: {
      const auto& unary = expr.As<UnaryExpr>();
      absl::StatusOr<BoundExprPtr> operand = BindExpr(*unary.operand, phase);
      if (!operand.ok()) return operand.status();
      return BindCall(unary.op == UnaryOp::kNegate ? "negate" : "not", {*operand}, expr.pos,
                      ClickHouseColumnName(expr));
    }
    case ExprKind::kBinary: {
      const auto& binary = expr.As<BinaryExpr>();
      absl::StatusOr<BoundExprPtr> left = BindExpr(*binary.left, phase);
      if (!left.ok()) return left.status();
      absl::StatusOr<BoundExprPtr> right = BindExpr(*binary.right, phase);
      if (!right.ok()) return right.status();
      std::string name = ClickHouseColumnName(expr);
      name = name.substr(0, name.find('('));
      if ((binary.op == BinaryOp::kAdd || binary.op == BinaryOp::kSubtract)) {
        const bool left_interval = (*left)->type.id == TypeId::kInterval;
        const bool right_interval = (*right)->type.id == TypeId::kInterval;
        if (right_interval || left_interval) {
          if (left_interval && binary.op == BinaryOp::kSubtract) {
            return ErrorAt(expr.pos, absl::StatusCode::kInvalidArgument, "cannot subtract a time from an INTERVAL");
          }
          std::vector<BoundExprPtr> args = right_interval ? std::vector<BoundExprPtr>{*left, *right}
                                                          : std::vector<BoundExprPtr>{*right, *left};
          return BindCall(binary.op == BinaryOp::kAdd ? "addInterval" : "subtractInterval", std::move(args),
                          expr.pos, ClickHouseColumnName(expr));
        }
      }
      return BindCall(name, {*left, *right}, expr.pos, ClickHouseColumnName(expr));
    }
    case ExprKind::kIn: return BindIn(expr.As<InExpr>(), phase);
    case ExprKind::kBetween: {
      const auto& between = expr.As<BetweenExpr>();
      absl::StatusOr<BoundExprPtr> operand = BindExpr(*between.operand, phase);
      if (!operand.ok()) return operand.status();
      absl::StatusOr<BoundExprPtr> low = BindExpr(*between.low, phase);
      if (!low.ok()) return low.status();
      absl::StatusOr<BoundExprPtr> high = BindExpr(*between.high, phase);
      if (!high.ok()) return high.status();
      absl::StatusOr<BoundExprPtr> lower =
          BindCall(between.negated ? "less" : "greaterOrEquals", {*operand, *low}, expr.pos, "");
      if (!lower.ok()) return lower.status();
      absl::StatusOr<BoundExprPtr> upper =
          BindCall(between.negated ? "greater" : "lessOrEquals", {*operand, *high}, expr.pos, "");
      if (!upper.ok()) return upper.status();
      return BindCall(between.negated ? "or" : "and", {*lower, *upper}, expr.pos, ClickHouseColumnName(expr));
    }
    case ExprKind::kIsNull: {
      const auto& is_null = expr.As<IsNullExpr>();
      absl::StatusOr<BoundExprPtr> operand = BindExpr(*is_null.operand, phase);
      if (!operand.ok()) return operand.status();
      return BindCall(is_null.negated ? "isNotNull" : "isNull", {*operand}, expr.pos, ClickHouseColumnName(expr));
    }
    case ExprKind::kCase: {
      const auto& node = expr.As<CaseExpr>();
      std::vector<BoundExprPtr> args;
      BoundExprPtr operand;
      if (node.operand) {
        absl::StatusOr<BoundExprPtr> bound = BindExpr(*node.operand, phase);
        if (!bound.ok()) return bound.status();
        operand = *bound;
      }
      for (const CaseBranch& branch : node.branches) {
        absl::StatusOr<BoundExprPtr> when = BindExpr(*branch.when, phase);
        if (!when.ok()) return when.status();
        if (operand) {
          when = BindCall("equals", {operand, *when}, branch.when->pos, "");
          if (!when.ok()) return when.status();
        }
        absl::StatusOr<BoundExprPtr> then = BindExpr(*branch.then, phase);
        if (!then.ok()) return then.status();
        args.push_back(*when);
        args.push_back(*then);
      }
      if (node.else_result) {
        absl::StatusOr<BoundExprPtr> otherwise = BindExpr(*node.else_result, phase);
        if (!otherwise.ok()) return otherwise.status();
        args.push_back(*otherwise);
      } else {
        LiteralExpr null_literal(expr.pos);
        absl::StatusOr<BoundExprPtr> null_value = BindLiteral(null_literal);
        if (!null_value.ok()) return null_value.status();
        args.push_back(*null_value);
      }
      return BindCall("multiIf", std::move(args), expr.pos, ClickHouseColumnName(expr));
    }
    case ExprKind::kInterval: {
      const auto& interval = expr.As<IntervalExpr>();
      absl::StatusOr<int64_t> count = ConstantInteger(*interval.value, "INTERVAL value");
      if (!count.ok()) return count.status();
      Vector value = Vector::ConstantInt(DataType::Of(TypeId::kInterval), *count, 1);
      value.type.interval_unit = static_cast<uint8_t>(interval.unit);
      return MakeConstant(std::move(value), ClickHouseColumnName(expr));
    }
    case ExprKind::kArray: return BindConstantArray(expr.As<ArrayExpr>(), phase);
    case ExprKind::kTuple:
      return ErrorAt(expr.pos, absl::StatusCode::kUnimplemented, "tuples are supported only as IN lists");
    case ExprKind::kSubscript: {
      const auto& subscript = expr.As<SubscriptExpr>();
      absl::StatusOr<BoundExprPtr> base = BindExpr(*subscript.base, phase);
      if (!base.ok()) return base.status();
      absl::StatusOr<BoundExprPtr> index = BindExpr(*subscript.index, phase);
      if (!index.ok()) return index.status();
      return BindCall("arrayElement", {*base, *index}, expr.pos, ClickHouseColumnName(expr));
    }
    case ExprKind::kCast: {
      const auto& cast = expr.As<CastExpr>();
      absl::StatusOr<BoundExprPtr> operand = BindExpr(*cast.operand, phase);
      if (!operand.ok()) return operand.status();
      std::string type = cast.type;
      if (type.rfind("LowCardinality(", 0) == 0) type = type.substr(15, type.size() - 16);
      if (type.rfind("DateTime64", 0) == 0) type = "DateTime64";
      if (type.rfind("DateTime", 0) == 0 && type != "DateTime64") type = "DateTime";
      static const auto* const kTargets = new absl::flat_hash_set<std::string>{
          "String", "Date", "DateTime", "DateTime64", "UInt8", "UInt16", "UInt32", "UInt64",
          "Int8", "Int16", "Int32", "Int64", "Float32", "Float64"};
      if (!kTargets->contains(type)) {
        return ErrorAt(expr.pos, absl::StatusCode::kUnimplemented,
                       absl::StrCat("CAST to ", cast.type, " is not supported"));
      }
      return BindCall(absl::StrCat("to", type), {*operand}, expr.pos, ClickHouseColumnName(expr));
    }
    case ExprKind::kSubquery: return BindScalarSubquery(expr.As<SubqueryExpr>());
    case ExprKind::kLambda:
      return ErrorAt(expr.pos, absl::StatusCode::kUnimplemented, "lambda functions are not supported yet");
  }
  return absl::InternalError("unknown expression kind");
}

// Whether `e` is event_time (ms) or toDate(event_time) (a day: *is_day).
bool SelectBinder::TimeSide(const Expr& e, bool* is_day) {
  if (IsColumnNamed(e, "event_time")) {
    *is_day = false;
    return true;
  }
  if (e.kind == ExprKind::kFunction) {
    const auto& f = e.As<FunctionExpr>();
    if (f.name == "toDate" && f.args.size() == 1 && IsColumnNamed(*f.args[0], "event_time")) {
      *is_day = true;
      return true;
    }
  }
  return false;
}
// A constant time in ms (or a day number when is_day), from a literal or a time constant.
bool SelectBinder::ConstantTime(const Expr& e, bool is_day, int64_t* value) {
  absl::StatusOr<BoundExprPtr> bound = BindExpr(e, Phase::kSource);
  if (!bound.ok() || !(*bound)->is_constant()) return false;
  const Vector& v = (*bound)->constant;
  const TypeId target = is_day ? TypeId::kDate : TypeId::kDateTime64;
  if (v.type.is_string()) {
    absl::StatusOr<int64_t> parsed = ParseTimeLiteral(v.string_at(0), target);
    if (!parsed.ok()) return false;
    *value = *parsed;
    return true;
  }
  if (!v.type.is_time()) return false;
  if (is_day) {
    if (v.type.id != TypeId::kDate) return false;  // comparing a day with a time: leave it
    *value = v.int_at(0);
  } else {
    *value = v.type.id == TypeId::kDate ? v.int_at(0) * kDayMs
             : v.type.id == TypeId::kDateTime ? v.int_at(0) * 1000
                                              : v.int_at(0);
  }
  return true;
}

// Rows of a partition wholly inside the scan's time range pass its time bounds:
// there the filter is the other conjuncts only (often none).
absl::Status SelectBinder::BindWhereInsideTimeRange() {
  if (time_conjuncts_.empty() || plan_->where == nullptr) return absl::OkStatus();
  BoundExprPtr rest;
  for (const Expr* conjunct : Conjuncts(core_.where.get())) {
    if (time_conjuncts_.contains(conjunct)) continue;
    absl::StatusOr<BoundExprPtr> bound = BindExpr(*conjunct, Phase::kSource);
    if (!bound.ok()) return bound.status();
    if (rest == nullptr) {
      rest = *std::move(bound);
      continue;
    }
    const std::string sql = absl::StrCat(rest->sql, " AND ", (*bound)->sql);
    absl::StatusOr<BoundExprPtr> both = BindCall("and", {rest, *bound}, conjunct->pos, sql);
    if (!both.ok()) return both.status();
    rest = *std::move(both);
  }
  plan_->where_inside_time_range = std::move(rest);
  return absl::OkStatus();
}

// Pruning from the WHERE clause: conjuncts comparing event_time (or
// toDate(event_time)) with constants narrow the scan's time range, skipping
// partitions and blocks. The filter still runs on partitions the range cuts
// (BindWhereInsideTimeRange drops the bounds elsewhere).
void SelectBinder::ExtractTimeRange() {
  if (plan_->source.kind != SourcePlan::Kind::kEvents || core_.where == nullptr) return;
  const std::vector<const Expr*> conjuncts = Conjuncts(core_.where.get());
  ScanOptions& scan = plan_->source.scan;
  // Applies `time op value`, where time is event_time (ms) or its day (Date).
  auto apply = [&](BinaryOp op, bool is_day, int64_t value) {
    const int64_t lo = is_day ? value * kDayMs : value;            // first ms of the value
    const int64_t hi = is_day ? (value + 1) * kDayMs - 1 : value;  // last ms of the value
    switch (op) {
      case BinaryOp::kEquals:
        scan.min_time_ms = std::max(scan.min_time_ms, lo);
        scan.max_time_ms = std::min(scan.max_time_ms, hi);
        break;
      case BinaryOp::kGreater: scan.min_time_ms = std::max(scan.min_time_ms, hi + 1); break;
      case BinaryOp::kGreaterEquals: scan.min_time_ms = std::max(scan.min_time_ms, lo); break;
      case BinaryOp::kLess: scan.max_time_ms = std::min(scan.max_time_ms, lo - 1); break;
      case BinaryOp::kLessEquals: scan.max_time_ms = std::min(scan.max_time_ms, hi); break;
      default: break;
    }
  };
  auto flip = [](BinaryOp op) {
    switch (op) {
      case BinaryOp::kLess: return BinaryOp::kGreater;
      case BinaryOp::kGreater: return BinaryOp::kLess;
      case BinaryOp::kLessEquals: return BinaryOp::kGreaterEquals;
      case BinaryOp::kGreaterEquals: return BinaryOp::kLessEquals;
      default: return op;
    }
  };
  for (const Expr* conjunct : conjuncts) {
    bool is_day = false;
    int64_t value = 0;
    if (conjunct->kind == ExprKind::kBinary) {
      const auto& b = conjunct->As<BinaryExpr>();
      const bool comparison = b.op == BinaryOp::kEquals || b.op == BinaryOp::kLess ||
                              b.op == BinaryOp::kLessEquals || b.op == BinaryOp::kGreater ||
                              b.op == BinaryOp::kGreaterEquals;
      if (!comparison) continue;
      if (TimeSide(*b.left, &is_day) && ConstantTime(*b.right, is_day, &value)) {
        apply(b.op, is_day, value);
        time_conjuncts_.insert(conjunct);
      } else if (TimeSide(*b.right, &is_day) && ConstantTime(*b.left, is_day, &value)) {
        apply(flip(b.op), is_day, value);
        time_conjuncts_.insert(conjunct);
      }
    } else if (conjunct->kind == ExprKind::kIn && !conjunct->As<InExpr>().negated &&
               TimeSide(*conjunct->As<InExpr>().operand, &is_day)) {
      // x IN (v1, v2, ...): the scan needs [min v, max v] only. The range is
      // wider than the set, so this conjunct stays a filter (not in time_conjuncts_).
      const Expr& set = *conjunct->As<InExpr>().set;
      std::vector<const Expr*> elements;
      if (set.kind == ExprKind::kTuple) {
        for (const ExprPtr& element : set.As<TupleExpr>().elements) elements.push_back(element.get());
      } else if (set.kind != ExprKind::kSubquery) {
        elements.push_back(&set);
      }
      int64_t low = INT64_MAX, high = INT64_MIN;
      bool all_constant = !elements.empty();
      for (const Expr* element : elements) {
        if (!ConstantTime(*element, is_day, &value)) {
          all_constant = false;
          break;
        }
        low = std::min(low, value);
        high = std::max(high, value);
      }
      if (all_constant) {
        apply(BinaryOp::kGreaterEquals, is_day, low);
        apply(BinaryOp::kLessEquals, is_day, high);
      }
    } else if (conjunct->kind == ExprKind::kBetween) {
      const auto& b = conjunct->As<BetweenExpr>();
      int64_t high = 0;
      if (!b.negated && TimeSide(*b.operand, &is_day) && ConstantTime(*b.low, is_day, &value) &&
          ConstantTime(*b.high, is_day, &high)) {
        apply(BinaryOp::kGreaterEquals, is_day, value);
        apply(BinaryOp::kLessEquals, is_day, high);
        time_conjuncts_.insert(conjunct);
      }
    }
  }
}

// Routes `uniqExact(user_id)` (and uniq, count(DISTINCT user_id)) grouped by
// nothing or by a day-granular key, filtered only by whole-day time ranges
// and event_type, to the per-day bitmaps.
// The UTC days the scan's time range covers, clipped to the stored days; false
// when the range starts or ends inside a day (or nothing is stored).
bool SelectBinder::WholeDayRange(int32_t* first_day, int32_t* last_day) const {
  const TableSnapshot& snapshot = *context_.execution->snapshot;
  if (snapshot.partition_count() == 0) return false;
  const ScanOptions& scan = plan_->source.scan;
  const int64_t min_ms = std::max(scan.min_time_ms, MillisOfDay(snapshot.day(0)));
  const int64_t max_ms =
      std::min(scan.max_time_ms, MillisOfDay(snapshot.day(snapshot.partition_count() - 1) + 1) - 1);
  if (min_ms % kDayMs != 0 || (max_ms + 1) % kDayMs != 0) return false;
  *first_day = DayOfMillis(min_ms);
  *last_day = DayOfMillis(max_ms);
  return true;
}

void SelectBinder::AddEventTypes(const std::vector<std::string>& types, BitmapPlan* bitmap) const {
  bitmap->any_event_type = false;
  const StringDictionary& dictionary = context_.execution->snapshot->dictionary(ColumnId::kEventType);
  for (const std::string& type : types) {
    // A type never seen has no users: it adds nothing.
    if (std::optional<uint32_t> code = dictionary.Find(type)) bitmap->event_types.push_back(*code);
  }
}

void SelectBinder::TryBitmapPath() {
  if (plan_->source.kind != SourcePlan::Kind::kEvents || !plan_->aggregate) return;
  if (plan_->aggregates.empty() || keys_.size() > 1) return;
  for (const FunctionExpr* aggregate : aggregate_asts_) {
    const std::string& name = aggregate->name;
    const bool distinct_count = (aggregate->distinct && absl::AsciiStrToLower(name) == "count") ||
                                (!aggregate->distinct && (name == "uniqExact" || name == "uniq"));
    if (!distinct_count || aggregate->parametric || aggregate->args.size() != 1 ||
        !IsColumnNamed(*aggregate->args[0], "user_id")) {
      return;
    }
  }
  BitmapPlan bitmap;
  bitmap.aggregates = plan_->aggregates.size();
  if (keys_.size() == 1) {
    bool uses_day = false;
    if (!IsDayGranular(*keys_[0], &uses_day) || !uses_day) return;
  }
  // Every WHERE conjunct must be a time bound, one event_type condition or a
  // condition on a segment column (which has per-value user bitmaps).
  int event_type_conditions = 0;
  for (const Expr* e : Conjuncts(core_.where.get())) {
    std::string column;
    std::vector<std::string> values;
    if (!ValueListCondition(*e, &column, &values) || aliases_.contains(column)) {
      // Otherwise it must be a time bound that ExtractTimeRange turned into the range.
      if (!time_conjuncts_.contains(e)) return;
      continue;
    }
    if (column == "event_type") {
      if (++event_type_conditions > 1) return;
      AddEventTypes(values, &bitmap);
      continue;
    }
    const std::optional<ColumnId> id = FindColumn(column);
    if (!id || SegmentSlot(*id) < 0) return;
    BitmapPlan::ValueCondition condition{*id, {}};
    const StringDictionary& dictionary = context_.execution->snapshot->dictionary(*id);
    for (const std::string& value : values) {
      if (std::optional<uint32_t> code = dictionary.Find(value)) condition.codes.push_back(*code);
    }
    bitmap.value_conditions.push_back(std::move(condition));
  }
  if (!WholeDayRange(&bitmap.first_day, &bitmap.last_day)) return;
  if (keys_.size() == 1) {
    // The key over a batch whose only column (0) is event_time.
    SelectBinder key_binder(core_, context_, ctes_);
    key_binder.plan_->source.kind = SourcePlan::Kind::kEvents;
    absl::StatusOr<BoundExprPtr> key = key_binder.BindExpr(*keys_[0], Phase::kSource);
    if (!key.ok() || key_binder.plan_->source.columns.size() != 1 ||
        key_binder.plan_->source.columns[0] != ColumnId::kEventTime) {
      return;
    }
    bitmap.day_key = *key;
  }
  plan_->bitmap = std::move(bitmap);
}

// GROUP BY user_id with only retention(toDate(event_time) = D, ...) aggregates,
// under a WHERE of whole-day time bounds, day lists and one event_type
// condition: per-user retention bits are memberships in per-day bitmaps.
void SelectBinder::TryPerUserBitmapPath() {
  if (plan_->source.kind != SourcePlan::Kind::kEvents || !plan_->aggregate) return;
  if (keys_.size() != 1 || !IsColumnNamed(*keys_[0], "user_id") || aggregate_asts_.empty()) return;
  BitmapPlan bitmap;
  bitmap.per_user = true;
  for (const FunctionExpr* aggregate : aggregate_asts_) {
    if (aggregate->name != "retention" || aggregate->distinct || aggregate->parametric) return;
    std::vector<int32_t> days;
    for (const ExprPtr& condition : aggregate->args) {
      if (condition->kind != ExprKind::kBinary || condition->As<BinaryExpr>().op != BinaryOp::kEquals) return;
      const auto& equals = condition->As<BinaryExpr>();
      bool is_day = false;
      int64_t day = 0;
      if (TimeSide(*equals.left, &is_day) && is_day && ConstantTime(*equals.right, true, &day)) {
      } else if (TimeSide(*equals.right, &is_day) && is_day && ConstantTime(*equals.left, true, &day)) {
      } else {
        return;
      }
      days.push_back(static_cast<int32_t>(day));
    }
    bitmap.retention_days.push_back(std::move(days));
  }
  // Days allowed by the time range (which must be whole days) ...
  int32_t first_day = 0, last_day = 0;
  if (!WholeDayRange(&first_day, &last_day) || first_day > last_day) return;
  std::set<int32_t> allowed;
  for (int32_t day = first_day; day <= last_day; ++day) allowed.insert(day);
  // ... and by each WHERE conjunct.
  int event_type_conditions = 0;
  for (const Expr* e : Conjuncts(core_.where.get())) {
    if (time_conjuncts_.contains(e)) continue;
    bool is_day = false;
    if (e->kind == ExprKind::kIn && !e->As<InExpr>().negated && TimeSide(*e->As<InExpr>().operand, &is_day) &&
        is_day) {
      const Expr& set = *e->As<InExpr>().set;
      std::vector<const Expr*> elements;
      if (set.kind == ExprKind::kTuple) {
        for (const ExprPtr& element : set.As<TupleExpr>().elements) elements.push_back(element.get());
      } else if (set.kind != ExprKind::kSubquery) {
        elements.push_back(&set);
      }
      std::set<int32_t> listed;
      for (const Expr* element : elements) {
        int64_t day = 0;
        if (!ConstantTime(*element, true, &day)) return;
        listed.insert(static_cast<int32_t>(day));
      }
      std::set<int32_t> both;
      std::set_intersection(allowed.begin(), allowed.end(), listed.begin(), listed.end(),
                            std::inserter(both, both.begin()));
      allowed = std::move(both);
      continue;
    }
    std::vector<std::string> types;
    if (!EventTypeCondition(*e, &types) || ++event_type_conditions > 1) return;
    AddEventTypes(types, &bitmap);
  }
  bitmap.allowed_days.assign(allowed.begin(), allowed.end());
  bitmap.aggregates = plan_->aggregates.size();
  plan_->bitmap = std::move(bitmap);
}

// `SELECT sum(r[1]), sum(r[2]), count() FROM (<per-user retention subquery>)`:
// every total is the cardinality of an intersection of day bitmaps, so the
// per-user rows are never built.
void SelectBinder::TryRetentionTotals() {
  if (plan_->source.kind != SourcePlan::Kind::kSubquery || !plan_->aggregate || !plan_->group_keys.empty() ||
      plan_->where != nullptr || plan_->aggregates.empty()) {
    return;
  }
  const SelectPlan& inner = *plan_->source.subquery;
  if (!inner.bitmap || !inner.bitmap->per_user || inner.having != nullptr || inner.limit || inner.offset != 0 ||
      inner.distinct) {
    return;
  }
  BitmapPlan totals;
  for (size_t a = 0; a < plan_->aggregates.size(); ++a) {
    const FunctionExpr& ast = *aggregate_asts_[a];
    const AggregateCall& call = plan_->aggregates[a];
    if (ast.distinct || ast.parametric || call.prototype->result_type().id != TypeId::kUInt64) return;
    const std::string name = absl::AsciiStrToLower(ast.name);
    if (name == "count" && call.args.empty()) {
      totals.retention_totals.push_back({-1, 0});
      continue;
    }
    if (name != "sum" || call.args.size() != 1) return;
    const BoundExpr& element = *call.args[0];
    if (element.kind != BoundExpr::Kind::kCall || element.function != "arrayElement" || element.args.size() != 2 ||
        element.args[0]->kind != BoundExpr::Kind::kColumn || !element.args[1]->is_constant() ||
        !element.args[1]->type.is_integer()) {
      return;
    }
    // The subquery's output must be one of its retention aggregates as they are
    // (its post batch is [user_id, aggregates...]).
    const BoundExpr& output = *inner.outputs[element.args[0]->column];
    if (output.kind != BoundExpr::Kind::kColumn || output.column < 1 ||
        output.column > static_cast<int>(inner.bitmap->retention_days.size())) {
      return;
    }
    totals.retention_totals.push_back({output.column - 1, element.args[1]->constant.ints[0]});
  }
  totals.aggregates = plan_->aggregates.size();
  plan_->bitmap = std::move(totals);
}

// A subquery's outputs that this query never reads are not computed (their
// columns stay empty): `SELECT day, ... FROM (SELECT user_id, session_id, ...)`
// groups by user and session without materializing either as text.
void SelectBinder::PruneSubqueryOutputs() {
  if (plan_->source.kind != SourcePlan::Kind::kSubquery) return;
  std::vector<bool> used(columns_.size(), false);
  std::function<void(const BoundExprPtr&)> mark = [&](const BoundExprPtr& expr) {
    if (expr == nullptr) return;
    if (expr->kind == BoundExpr::Kind::kColumn && expr->column < static_cast<int>(used.size())) {
      used[expr->column] = true;
    }
    for (const BoundExprPtr& arg : expr->args) mark(arg);
  };
  mark(plan_->where);
  for (const BoundExprPtr& key : plan_->group_keys) mark(key);
  for (const AggregateCall& call : plan_->aggregates) {
    for (const BoundExprPtr& arg : call.args) mark(arg);
  }
  if (!plan_->aggregate) {
    // Outputs, HAVING and ORDER BY read the source batch directly.
    for (const BoundExprPtr& output : plan_->outputs) mark(output);
    mark(plan_->having);
    for (const SortKey& key : plan_->order_by) mark(key.expr);
  }
  auto subquery = std::const_pointer_cast<SelectPlan>(plan_->source.subquery);
  if (subquery->distinct) return;  // DISTINCT compares every output
  subquery->output_used = std::move(used);
}

absl::StatusOr<std::shared_ptr<const SelectPlan>> SelectBinder::Bind() {
  for (const WithItem& item : core_.with) {
    if (item.expr != nullptr) with_exprs_[item.name] = item.expr.get();
  }
  if (absl::Status s = BindFrom(); !s.ok()) return s;
  for (const SelectItem& item : core_.items) {
    if (!item.alias.empty()) aliases_[item.alias] = item.expr.get();
  }
  // Expand * into the source's columns.
  std::vector<std::pair<const Expr*, std::string>> items;
  for (const SelectItem& item : core_.items) {
    if (item.expr->kind == ExprKind::kStar) {
      if (plan_->source.kind == SourcePlan::Kind::kEvents) {
        for (ColumnId id : kAllColumns) {
          auto column = std::make_unique<ColumnExpr>(item.expr->pos);
          column->name = std::string(ColumnName(id));
          items.emplace_back(column.get(), column->name);
          owned_asts_.push_back(std::move(column));
        }
      } else {
        for (const SourceColumn& source : std::vector<SourceColumn>(columns_)) {
          auto column = std::make_unique<ColumnExpr>(item.expr->pos);
          column->name = source.name;
          items.emplace_back(column.get(), column->name);
          owned_asts_.push_back(std::move(column));
        }
      }
      continue;
    }
    items.emplace_back(item.expr.get(), item.alias.empty() ? ClickHouseColumnName(*item.expr) : item.alias);
  }

  if (core_.where != nullptr) {
    if (const Expr* aggregate = FindAggregate(*core_.where)) {
      return ErrorAt(aggregate->pos, absl::StatusCode::kInvalidArgument,
                     absl::StrCat("Aggregate function ", ClickHouseColumnName(*aggregate),
                                  " is found in WHERE in query"));
    }
    absl::StatusOr<BoundExprPtr> where = BindExpr(*core_.where, Phase::kSource);
    if (!where.ok()) return where.status();
    if (!(*where)->type.is_numeric() && (*where)->type.id != TypeId::kNothing) {
      return ErrorAt(core_.where->pos, absl::StatusCode::kInvalidArgument,
                     absl::StrCat("Illegal type ", (*where)->type.Name(), " of column for filter. Must be UInt8"));
    }
    plan_->where = *where;
  }

  bool aggregate = !core_.group_by.empty() || (core_.having != nullptr);
  for (const auto& [expr, name] : items) aggregate = aggregate || ContainsAggregate(*expr);
  for (const OrderItem& item : core_.order_by) aggregate = aggregate || ContainsAggregate(*item.expr);
  plan_->aggregate = aggregate;

  for (const ExprPtr& key : core_.group_by) {
    absl::StatusOr<const Expr*> expanded = ExpandKey(*key);
    if (!expanded.ok()) return expanded.status();
    if (ContainsAggregate(**expanded)) {
      return ErrorAt(key->pos, absl::StatusCode::kInvalidArgument, "Aggregate function is found in GROUP BY");
    }
    absl::StatusOr<BoundExprPtr> bound = BindExpr(**expanded, Phase::kSource);
    if (!bound.ok()) return bound.status();
    keys_.push_back(*expanded);
    plan_->group_keys.push_back(*bound);
  }

  const Phase post = Phase::kPost;
  for (const auto& [expr, name] : items) {
    // Inside its own definition an alias names the column (`any(platform) AS platform`).
    const bool own_alias = aliases_.contains(name) && aliases_.at(name) == expr;
    if (own_alias) expanding_.insert(name);
    absl::StatusOr<BoundExprPtr> output = BindExpr(*expr, post);
    if (own_alias) expanding_.erase(name);
    if (!output.ok()) return output.status();
    if ((*output)->type.id == TypeId::kInterval) {
      return ErrorAt(expr->pos, absl::StatusCode::kUnimplemented, "INTERVAL values cannot be selected");
    }
    plan_->outputs.push_back(*output);
    plan_->names.push_back(name);
  }
  if (core_.having != nullptr) {
    absl::StatusOr<BoundExprPtr> having = BindExpr(*core_.having, post);
    if (!having.ok()) return having.status();
    plan_->having = *having;
  }
  for (const OrderItem& item : core_.order_by) {
    const Expr* expr = item.expr.get();
    if (expr->kind == ExprKind::kLiteral && expr->As<LiteralExpr>().literal_kind == LiteralKind::kUInt64) {
      absl::StatusOr<const Expr*> positional = ExpandKey(*expr);
      if (!positional.ok()) return positional.status();
      expr = *positional;
    }
    absl::StatusOr<BoundExprPtr> key = BindExpr(*expr, post);
    if (!key.ok()) return key.status();
    plan_->order_by.push_back({*key, item.descending});
  }
  if (core_.limit != nullptr) {
    absl::StatusOr<int64_t> limit = ConstantInteger(*core_.limit, "LIMIT");
    if (!limit.ok()) return limit.status();
    if (*limit < 0) return ErrorAt(core_.limit->pos, absl::StatusCode::kInvalidArgument, "LIMIT must not be negative");
    plan_->limit = static_cast<uint64_t>(*limit);
  }
  if (core_.offset != nullptr) {
    absl::StatusOr<int64_t> offset = ConstantInteger(*core_.offset, "OFFSET");
    if (!offset.ok()) return offset.status();
    if (*offset < 0) return ErrorAt(core_.offset->pos, absl::StatusCode::kInvalidArgument, "OFFSET must not be negative");
    plan_->offset = static_cast<uint64_t>(*offset);
  }
  plan_->distinct = core_.distinct;
  ExtractTimeRange();
  if (absl::Status s = BindWhereInsideTimeRange(); !s.ok()) return s;
  TryBitmapPath();
  if (!plan_->bitmap) TryPerUserBitmapPath();
  TryRetentionTotals();
  PruneSubqueryOutputs();
  return std::shared_ptr<const SelectPlan>(plan_);
}

absl::StatusOr<std::shared_ptr<const SelectPlan>> BindQuery(const SelectQuery& query,
                                                            const BindContext& context,
                                                            const CteMap& outer_ctes) {
  if (query.cores.size() != 1) {
    return ErrorAt(query.cores[1].pos, absl::StatusCode::kUnimplemented, "UNION ALL is not supported yet");
  }
  // Each CTE reference binds (and later runs) its query again, so a chain of CTEs that
  // each use the previous one twice would grow exponentially: bound the total.
  if (context.expansions != nullptr && ++*context.expansions > kMaxQueryExpansions) {
    return absl::ResourceExhaustedError(
        absl::StrCat("Query is too complex: more than ", kMaxQueryExpansions,
                     " subqueries and CTE references to bind"));
  }
  if (context.execution != nullptr) MUA_RETURN_IF_ERROR(CheckInterrupted(*context.execution));
  const SelectCore& core = query.cores[0];
  MUA_RETURN_IF_ERROR(RejectUnsupportedSyntax(core));
  auto scope = std::make_shared<const CteMap>(outer_ctes);
  for (const WithItem& item : core.with) {
    if (item.subquery == nullptr) continue;
    auto next = std::make_shared<CteMap>(*scope);
    (*next)[item.name] = CteDefinition{item.subquery.get(), scope};
    scope = std::move(next);
  }
  SelectBinder binder(core, context, *scope);
  return binder.Bind();
}

}  // namespace

absl::StatusOr<std::shared_ptr<const SelectPlan>> BindSelect(const SelectQuery& query,
                                                             const BindContext& context) {
  return BindQuery(query, context, CteMap());
}

}  // namespace mua
