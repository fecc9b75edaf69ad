#include "sql/binder.h"

#include <map>
#include <optional>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"
#include "query/analytics.h"
#include "query/analytics/sessions.h"
#include "query/executor.h"
#include "sql/catalog.h"
#include "sql/internal/select_binder.h"
#include "sql/parser.h"
#include "sql/printer.h"
#include "storage/base/status_macros.h"
#include "storage/base/time_util.h"

namespace mua {
namespace sql_internal {
namespace {

// A column type as the catalog spells it ("UInt64", "DateTime64(3)",
// "LowCardinality(String)", "Array(String)", "Nullable(Int64)").
std::optional<DataType> ParseTypeName(absl::string_view name) {
  absl::StatusOr<DataType> type = ParseDataType(name);  // nested types too: Array(Nullable(String))
  if (!type.ok()) return std::nullopt;
  type->low_cardinality = false;  // values behave as String
  return *type;
}

// How a type's values are held in a Column (ints, floats, strings, arrays).
int StorageClass(const DataType& type) {
  if (type.id == TypeId::kArray) return 3;
  if (type.id == TypeId::kString) return 2;
  if (type.id == TypeId::kFloat64) return 1;
  return 0;
}

// A deferred table's produced rows, held to the schema the plan was bound with.
absl::StatusOr<std::shared_ptr<const ResultSet>> ConformToSchema(std::shared_ptr<const ResultSet> rows,
                                                                 const ResultSet& schema,
                                                                 absl::string_view table) {
  if (rows->columns.empty() && rows->row_count == 0) {
    auto empty = std::make_shared<ResultSet>(schema);
    return std::shared_ptr<const ResultSet>(empty);
  }
  if (rows->columns.size() != schema.columns.size()) {
    return absl::InternalError(absl::StrCat(table, " produced ", rows->columns.size(), " columns, its schema has ",
                                            schema.columns.size()));
  }
  bool same = true;
  for (size_t c = 0; c < schema.columns.size(); ++c) {
    const DataType& want = schema.columns[c].type;
    const DataType& got = rows->columns[c].type;
    if (StorageClass(want) != StorageClass(got) || (want.id == TypeId::kArray && want.element != got.element)) {
      return absl::InternalError(absl::StrCat(table, ".", schema.names[c], " is ", got.Name(),
                                              ", its schema says ", want.Name()));
    }
    same = same && want.id == got.id && want.nullable == got.nullable && rows->names[c] == schema.names[c];
  }
  if (same) return rows;
  auto conformed = std::make_shared<ResultSet>(*rows);
  for (size_t c = 0; c < schema.columns.size(); ++c) {
    conformed->names[c] = schema.names[c];
    conformed->columns[c].type.id = schema.columns[c].type.id;
    if (schema.columns[c].type.nullable && conformed->columns[c].nulls.empty()) {
      conformed->columns[c].nulls.assign(conformed->row_count, 0);
    }
    conformed->columns[c].type.nullable = !conformed->columns[c].nulls.empty();
  }
  return std::shared_ptr<const ResultSet>(conformed);
}

}  // namespace

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

absl::Status SelectBinder::UseDeferred(std::shared_ptr<const ResultSet> schema, std::string name,
                                       DeferredRows deferred) {
  plan_->source.kind = SourcePlan::Kind::kDeferred;
  plan_->source.name = std::move(name);
  for (size_t i = 0; i < schema->names.size(); ++i) {
    columns_.push_back({schema->names[i], schema->columns[i].type, false});
  }
  plan_->source.rows = std::move(schema);
  plan_->source.deferred = std::move(deferred);
  return absl::OkStatus();
}

// The rows of a catalog table (system.*, tables other modules provide), produced
// when the plan runs with the schema the catalog declares.
absl::Status SelectBinder::BindCatalogTable(const TableRef& from, const std::string& database,
                                            const std::string& table) {
  const TableInfo* info = nullptr;
  const std::vector<TableInfo> tables = context_.catalog->Tables();
  for (const TableInfo& candidate : tables) {
    // Only system tables and tables provided by other modules (not events or views).
    if (candidate.database == database && candidate.name == table && candidate.engine != "MUA" &&
        candidate.engine != "View") {
      info = &candidate;
    }
  }
  if (info == nullptr) return absl::NotFoundError("no such table");
  auto schema = std::make_shared<ResultSet>();
  for (const auto& [name, type_name] : info->columns) {
    std::optional<DataType> type = ParseTypeName(type_name);
    if (!type) {
      return ErrorAt(from.pos, absl::StatusCode::kUnimplemented,
                     absl::StrCat("column ", name, " of ", database, ".", table, " has type ", type_name,
                                  ", which queries cannot read"));
    }
    schema->AddColumn(name, *type);
  }
  const std::string qualified = database == "system" ? absl::StrCat("system.", table) : table;
  // Its rows change without a partition of events changing.
  if (context_.not_cacheable != nullptr) *context_.not_cacheable = absl::StrCat("reads ", qualified);
  DeferredRows deferred;
  deferred.description = qualified;
  // user_profiles is kept per user from the events (server/dimension_tables.h); the
  // others (system tables, dimension tables, events_rejected) are each node's own.
  if (database == "default" && table == "user_profiles") {
    deferred.SetRowsPerUser(*schema);
  } else {
    deferred.reads_events = false;
  }
  const Catalog* catalog = context_.catalog;
  deferred.produce = [catalog, database, table, schema, qualified, pos = from.pos](
                         const ExecutionContext& context, const std::vector<bool>& /*columns_read*/)
      -> absl::StatusOr<std::shared_ptr<const ResultSet>> {
    std::shared_ptr<const ResultSet> rows;
    if (std::optional<std::shared_ptr<const ResultSet>> provided = catalog->ProvidedTable(database, table)) {
      rows = *std::move(provided);
    } else {
      absl::StatusOr<std::shared_ptr<const ResultSet>> built = catalog->SystemTable(table, *context.snapshot);
      if (!built.ok()) return AtNode(built.status(), pos);
      rows = *std::move(built);
    }
    if (rows == nullptr) return std::shared_ptr<const ResultSet>(std::make_shared<ResultSet>(*schema));
    return ConformToSchema(std::move(rows), *schema, qualified);
  };
  return UseDeferred(std::move(schema), qualified, std::move(deferred));
}

absl::Status SelectBinder::BindFrom() {
  if (!core_.from.has_value()) {
    plan_->source.kind = SourcePlan::Kind::kOneRow;
    return absl::OkStatus();
  }
  return BindTableRef(*core_.from);
}

absl::Status SelectBinder::BindTableRef(const TableRef& from) {
  source_alias_ = from.alias;
  switch (from.kind) {
    case TableRefKind::kSubquery: return BindSubquerySource(*from.subquery, "(subquery)");
    case TableRefKind::kFunction: {
      const auto& function = from.function->As<FunctionExpr>();
      if (IsNumbersSource(function.name)) return BindNumbers(&function, function.name);
      if (function.name == "active_users" || function.name == "retention_matrix" ||
          function.name == "funnel" || function.name == "crash_health" || function.name == "sessions" ||
          function.name == "stickiness" || function.name == "lifecycle" || function.name == "paths" ||
          function.name == "experiment") {
        return BindAnalytics(function);
      }
      if (function.name == "anomalies" || function.name == "anomalous_users") return BindAnomalies(function);
      return ErrorAt(function.pos, absl::StatusCode::kNotFound,
                     absl::StrCat("Unknown table function ", function.name));
    }
    case TableRefKind::kTable: break;
    case TableRefKind::kJoin: return BindJoin(from);
  }
  const std::string& database = from.database;
  const std::string& table = from.table;
  if (database == "system") {
    if (IsNumbersSource(table)) return BindNumbers(nullptr, table);
    absl::Status bound = BindCatalogTable(from, database, table);
    if (absl::IsNotFound(bound) && !GetSqlError(bound).has_value()) {
      return ErrorAt(from.pos, absl::StatusCode::kNotFound,
                     absl::StrCat("Table system.", table, " doesn't exist"));
    }
    return bound;
  }
  if (!database.empty() && database != "default") {
    return ErrorAt(from.pos, absl::StatusCode::kNotFound, absl::StrCat("Database ", database, " doesn't exist"));
  }
  if (database.empty()) {
    if (auto it = ctes_.find(table); it != ctes_.end()) {
      return BindSubquerySource(*it->second.query, table, it->second.scope.get());
    }
  }
  // A table another module provides: its rows are produced only when the plan runs.
  // The built-in tables and views are none (their names cannot be created), so the
  // catalog's table list is not built for the common FROM events.
  const bool built_in = table == "events" || table == "sessions" || table == "daily_user_metrics";
  if (absl::Status bound = built_in ? absl::NotFoundError("") : BindCatalogTable(from, "default", table);
      !absl::IsNotFound(bound) || GetSqlError(bound).has_value()) {
    return bound;
  }
  if (table == "sessions") {
    // The sessions view: SDK sessions plus sessionized events without one.
    DeferredRows deferred;
    deferred.description = "sessions view";
    deferred.produce = [pos = from.pos](const ExecutionContext& context, const std::vector<bool>& columns_read)
        -> absl::StatusOr<std::shared_ptr<const ResultSet>> {
      const TableSnapshot& snapshot = *context.snapshot;
      AnalyticsScope scope;
      scope.execution = &context;
      scope.columns_read = columns_read;
      scope.from_day = snapshot.partition_count() ? snapshot.day(0) - 1 : 0;
      scope.to_day = snapshot.partition_count() ? snapshot.day(snapshot.partition_count() - 1) + 2 : 0;
      absl::StatusOr<ResultSet> rows = Sessions(snapshot, scope);
      if (!rows.ok()) return AtNode(rows.status(), pos);
      return std::shared_ptr<const ResultSet>(std::make_shared<ResultSet>(*std::move(rows)));
    };
    std::shared_ptr<const ResultSet> schema = AnalyticsSchema("sessions", std::nullopt);
    deferred.SetRowsPerUser(*schema);  // a session is one user's
    return UseDeferred(std::move(schema), "sessions", std::move(deferred));
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


absl::StatusOr<std::shared_ptr<const SelectPlan>> SelectBinder::Bind() {
  for (const WithItem& item : core_.with) {
    if (item.expr != nullptr) with_exprs_[item.name] = item.expr.get();
  }
  if (absl::Status s = BindFrom(); !s.ok()) return s;
  MUA_RETURN_IF_ERROR(BindArrayJoin());  // ARRAY JOIN clauses and arrayJoin() calls
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
        absl::flat_hash_set<std::string> seen;
        for (const SourceColumn& source : std::vector<SourceColumn>(columns_)) {
          if (source.hidden) continue;
          auto column = std::make_unique<ColumnExpr>(item.expr->pos);
          column->name = source.name;
          std::string name = source.name;
          // A JOIN's right column named like an earlier one: `b.x`, as ClickHouse names it.
          if (!seen.insert(source.name).second && !source.qualifier.empty()) {
            column->table = source.qualifier;
            name = absl::StrCat(source.qualifier, ".", source.name);
          }
          items.emplace_back(column.get(), name);
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
  const bool windows_over_groups = WindowsOverGroups();
  if (!windows_over_groups) MUA_RETURN_IF_ERROR(BindWindows());

  bool aggregate = windows_over_groups || !core_.group_by.empty() || (core_.having != nullptr);
  for (const auto& [expr, name] : items) aggregate = aggregate || ContainsAggregate(*expr);
  for (const OrderItem& item : core_.order_by) aggregate = aggregate || ContainsAggregate(*item.expr);
  plan_->aggregate = aggregate;
  if (core_.with_totals) {  // ClickHouse's error (NOT_IMPLEMENTED) for a block that does not aggregate
    if (!aggregate) {
      return ErrorAt(core_.pos, absl::StatusCode::kUnimplemented,
                     "WITH TOTALS, ROLLUP, CUBE or GROUPING SETS are not supported without aggregation");
    }
    if (windows_over_groups) {
      return ErrorAt(core_.pos, absl::StatusCode::kUnimplemented,
                     "WITH TOTALS with window functions is not supported yet");
    }
    plan_->with_totals = true;
  }

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
  if (windows_over_groups) MUA_RETURN_IF_ERROR(BindWindowsOverGroups());  // HAVING binds there

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
  if (core_.having != nullptr && !windows_over_groups) {
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
    plan_->order_by.push_back({*key, item.descending, item.nulls == NullsOrder::kFirst});
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
  absl::StatusOr<std::shared_ptr<const SelectPlan>> bound = std::shared_ptr<const SelectPlan>(plan_);
  if (core_.limit_by_limit != nullptr) {
    bound = BindLimitBy();
  } else {
    for (const OrderItem& item : core_.order_by) {
      if (item.with_fill) {
        bound = BindWithFill(items);
        break;
      }
    }
  }
  // LIMIT BY keys bind like the select list: over the groups, before the block stops aggregating.
  if (bound.ok() && windows_over_groups) MUA_RETURN_IF_ERROR(FinishWindowsOverGroups());
  return bound;
}

// Syntax the parser accepts before the planner implements it: refused, never ignored.
static absl::Status RejectUnsupportedSyntax(const SelectCore& core) {
  const char* what = nullptr;
  for (const OrderItem& item : core.order_by) {
    if (item.with_fill && what == nullptr && core.limit_by_limit != nullptr) what = "WITH FILL with LIMIT BY";
  }
  if (what == nullptr) return absl::OkStatus();
  return ErrorAt(core.pos, absl::StatusCode::kUnimplemented, absl::StrCat(what, " is not supported yet"));
}

// One operand of a set operation: a SELECT core, or a parenthesized set operation.
static absl::StatusOr<std::shared_ptr<const SelectPlan>> BindCore(const SelectCore& core,
                                                                  const BindContext& context,
                                                                  const CteMap& outer_ctes) {
  if (core.nested != nullptr) return BindQuery(*core.nested, context, outer_ctes);
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

absl::StatusOr<std::shared_ptr<const SelectPlan>> BindQuery(const SelectQuery& query,
                                                            const BindContext& context,
                                                            const CteMap& outer_ctes) {
  // Each CTE reference binds (and later runs) its query again, so a chain of CTEs that
  // each use the previous one twice would grow exponentially: bound the total.
  if (context.expansions != nullptr && ++*context.expansions > kMaxQueryExpansions) {
    return absl::ResourceExhaustedError(
        absl::StrCat("Query is too complex: more than ", kMaxQueryExpansions,
                     " subqueries and CTE references to bind"));
  }
  // Binding runs nothing, but a statement of many thousand subqueries takes a while.
  if (context.execution != nullptr) MUA_RETURN_IF_ERROR(CheckInterrupted(*context.execution));
  if (query.cores.size() == 1) return BindCore(query.cores[0], context, outer_ctes);
  std::vector<std::shared_ptr<const SelectPlan>> plans;
  for (const SelectCore& core : query.cores) {
    absl::StatusOr<std::shared_ptr<const SelectPlan>> plan = BindCore(core, context, outer_ctes);
    if (!plan.ok()) return plan.status();
    plans.push_back(*std::move(plan));
  }
  return BindUnion(query, std::move(plans));
}

}  // namespace sql_internal

absl::StatusOr<std::shared_ptr<const SelectPlan>> BindSelect(const SelectQuery& query,
                                                             const BindContext& context) {
  return sql_internal::BindQuery(query, context, sql_internal::CteMap());
}

}  // namespace mua
