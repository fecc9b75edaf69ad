#include "sql/ddl_executor.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "sql/catalog.h"
#include "sql/printer.h"
#include "sql/sql_error.h"
#include "storage/base/status_macros.h"

namespace mua {
namespace {

absl::Status Error(absl::StatusCode code, SourcePos pos, absl::string_view message) {
  return MakeSqlError(code, pos, message);
}

// Keeps a storage or executor error's code and message, adding the statement's position.
absl::Status Positioned(const absl::Status& status, SourcePos pos) {
  if (status.ok() || GetSqlError(status).has_value()) return status;
  return MakeSqlError(status.code(), pos, status.message());
}

bool IsDefaultDatabase(const TableName& name) { return name.database.empty() || name.database == "default"; }

absl::Status CheckDatabase(const TableName& name) {
  if (IsDefaultDatabase(name)) return absl::OkStatus();
  if (name.database == "system") {
    return Error(absl::StatusCode::kInvalidArgument, name.pos, "Tables of database system are built in");
  }
  return Error(absl::StatusCode::kNotFound, name.pos, absl::StrCat("Database ", name.database, " doesn't exist"));
}

TableManager* Manager(const DdlContext& context, SourcePos pos, absl::Status* error) {
  TableManager* manager = context.catalog != nullptr ? context.catalog->table_manager() : nullptr;
  if (manager == nullptr) {
    *error = Error(absl::StatusCode::kUnimplemented, pos, "this server has no user-created tables");
  }
  return manager;
}

// The built-in tables of `database` with `name` (events, views, system tables...).
const TableInfo* FindBuiltIn(const std::vector<TableInfo>& tables, absl::string_view database,
                             absl::string_view name, const TableManager* manager) {
  for (const TableInfo& table : tables) {
    if (table.database != database || table.name != name) continue;
    if (manager != nullptr && database == "default" && manager->Find(name).has_value()) continue;
    return &table;
  }
  return nullptr;
}

// ClickHouse's SHOW CREATE always backquotes names.
std::string BackQuoted(absl::string_view name) {
  std::string out = "`";
  for (char c : name) {
    if (c == '`' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  out.push_back('`');
  return out;
}

std::string Sql(const Expr* expr) { return expr == nullptr ? "" : ToSql(*expr); }

// The column names an ORDER BY / PRIMARY KEY names: `a`, `(a, b)`, `tuple(a, b)`, `tuple()`.
absl::StatusOr<std::vector<std::string>> KeyColumns(const Expr& key, const std::vector<TableColumnSpec>& columns) {
  std::vector<const Expr*> parts;
  if (key.kind == ExprKind::kTuple) {
    for (const ExprPtr& element : key.As<TupleExpr>().elements) parts.push_back(element.get());
  } else if (key.kind == ExprKind::kFunction && absl::EqualsIgnoreCase(key.As<FunctionExpr>().name, "tuple") &&
             !key.As<FunctionExpr>().parametric) {
    for (const ExprPtr& arg : key.As<FunctionExpr>().args) parts.push_back(arg.get());
  } else {
    parts.push_back(&key);
  }
  std::vector<std::string> names;
  for (const Expr* part : parts) {
    if (part->kind != ExprKind::kColumn || !part->As<ColumnExpr>().table.empty()) {
      return Error(absl::StatusCode::kInvalidArgument, part->pos,
                   absl::StrCat("ORDER BY of a MUA table takes column names, not ", ToSql(*part)));
    }
    const std::string& name = part->As<ColumnExpr>().name;
    if (std::none_of(columns.begin(), columns.end(), [&](const TableColumnSpec& c) { return c.name == name; })) {
      return Error(absl::StatusCode::kNotFound, part->pos,
                   absl::StrCat("Missing columns: '", name, "' while processing ORDER BY"));
    }
    names.push_back(name);
  }
  return names;
}

std::string SettingText(const Setting& setting) { return Sql(setting.value.get()); }

absl::StatusOr<ResultSet> Create(const Statement& statement, const DdlContext& context, TableManager* manager) {
  const CreateTable& create = *statement.create;
  MUA_RETURN_IF_ERROR(CheckDatabase(statement.table));
  const std::string& name = statement.table.table;
  if (FindBuiltIn(context.catalog->Tables(), "default", name, manager) != nullptr || name == "user_profiles") {
    if (create.if_not_exists) return ResultSet{};
    return Error(absl::StatusCode::kAlreadyExists, statement.table.pos,
                 absl::StrCat("Table default.", name, " already exists (a built-in table)"));
  }
  TableSpec spec;
  spec.name = name;
  spec.engine = create.engine;
  if (spec.engine.empty()) spec.engine = "MergeTree";  // ClickHouse's default_table_engine
  if (!create.engine_args.empty()) {
    return Error(absl::StatusCode::kInvalidArgument, create.engine_pos,
                 absl::StrCat("ENGINE = ", create.engine, " takes no arguments here: write ENGINE = ",
                              create.engine, " ORDER BY ..."));
  }
  for (const ColumnDefinition& column : create.columns) {
    if (column.default_kind == ColumnDefaultKind::kMaterialized || column.default_kind == ColumnDefaultKind::kAlias) {
      return Error(absl::StatusCode::kInvalidArgument, column.pos,
                   "MATERIALIZED and ALIAS columns are not supported: use DEFAULT");
    }
    spec.columns.push_back({column.name, column.type, Sql(column.default_expr.get()), column.comment});
  }
  const bool merge_tree = absl::EqualsIgnoreCase(spec.engine, "MergeTree");
  if (!merge_tree && (create.order_by != nullptr || create.partition_by != nullptr || create.primary_key != nullptr)) {
    return Error(absl::StatusCode::kInvalidArgument, create.engine_pos,
                 absl::StrCat("Engine ", spec.engine, " doesn't support PARTITION BY, PRIMARY KEY or ORDER BY"));
  }
  const Expr* order_by = create.order_by != nullptr ? create.order_by.get() : create.primary_key.get();
  if (merge_tree && order_by == nullptr) {
    return Error(absl::StatusCode::kInvalidArgument, create.engine_pos,
                 "Table engine MergeTree requires ORDER BY or PRIMARY KEY (ORDER BY tuple() for none)");
  }
  if (order_by != nullptr) {
    spec.order_by = Sql(order_by);
    absl::StatusOr<std::vector<std::string>> keys = KeyColumns(*order_by, spec.columns);
    if (!keys.ok()) return keys.status();
    spec.order_by_columns = *std::move(keys);
  }
  spec.partition_by = Sql(create.partition_by.get());
  spec.primary_key = Sql(create.primary_key.get());
  for (const Setting& setting : create.settings) spec.settings.emplace_back(setting.name, SettingText(setting));
  spec.comment = create.comment;
  // A DEFAULT must evaluate now, as it will at every INSERT.
  if (absl::StatusOr<ResultSet> defaults = EvaluateDefaults(spec, context); !defaults.ok()) {
    return Positioned(defaults.status(), statement.pos);
  }
  MUA_RETURN_IF_ERROR(Positioned(manager->Create(spec, create.if_not_exists), statement.table.pos));
  return ResultSet{};
}

// The caller's column list as indexes into the table's columns (all of them when empty).
absl::StatusOr<std::vector<int>> InsertColumns(const Statement& statement, const TableSpec& spec) {
  std::vector<int> indexes;
  if (statement.columns.empty()) {
    for (size_t i = 0; i < spec.columns.size(); ++i) indexes.push_back(static_cast<int>(i));
    return indexes;
  }
  for (const std::string& name : statement.columns) {
    auto it = std::find_if(spec.columns.begin(), spec.columns.end(),
                           [&](const TableColumnSpec& column) { return column.name == name; });
    if (it == spec.columns.end()) {
      return Error(absl::StatusCode::kNotFound, statement.table.pos,
                   absl::StrCat("No such column ", name, " in table default.", spec.name));
    }
    const int index = static_cast<int>(it - spec.columns.begin());
    if (std::find(indexes.begin(), indexes.end(), index) != indexes.end()) {
      return Error(absl::StatusCode::kInvalidArgument, statement.table.pos,
                   absl::StrCat("Column ", name, " is listed twice"));
    }
    indexes.push_back(index);
  }
  return indexes;
}

// A one-row column for a literal, or nullopt when `expr` is not a plain literal.
std::optional<Column> LiteralColumn(const Expr& expr) {
  if (expr.kind != ExprKind::kLiteral) return std::nullopt;
  const LiteralExpr& literal = expr.As<LiteralExpr>();
  Column column;
  switch (literal.literal_kind) {
    case LiteralKind::kNull:
      column.type = DataType::Null();
      column.nulls.push_back(1);
      break;
    case LiteralKind::kBool:
      column.type = DataType::Of(TypeId::kUInt8);
      column.ints.push_back(literal.bool_value ? 1 : 0);
      break;
    case LiteralKind::kInt64:
      column.type = DataType::Of(TypeId::kInt64);
      column.ints.push_back(literal.int_value);
      break;
    case LiteralKind::kUInt64:
      column.type = DataType::Of(TypeId::kUInt64);
      column.ints.push_back(static_cast<int64_t>(literal.uint_value));
      break;
    case LiteralKind::kFloat64:
      column.type = DataType::Of(TypeId::kFloat64);
      column.floats.push_back(literal.float_value);
      break;
    case LiteralKind::kString:
      column.type = DataType::Of(TypeId::kString);
      column.strings.push_back(literal.string_value);
      break;
  }
  return column;
}

// Rows with every table column: `given` holds the listed columns (by `indexes`), the
// others repeat the defaults' row.
ResultSet FullRows(const TableSpec& spec, const std::vector<int>& indexes, ResultSet given, const ResultSet& defaults) {
  ResultSet rows;
  rows.row_count = given.row_count;
  for (size_t c = 0; c < spec.columns.size(); ++c) {
    const auto it = std::find(indexes.begin(), indexes.end(), static_cast<int>(c));
    rows.names.push_back(spec.columns[c].name);
    if (it != indexes.end()) {
      rows.columns.push_back(std::move(given.columns[it - indexes.begin()]));
      continue;
    }
    // The default's single value, repeated.
    const Column& one = defaults.columns[c];
    Column& column = rows.columns.emplace_back();
    column.type = one.type;
    for (uint64_t row = 0; row < given.row_count; ++row) {
      if (one.is_null(0)) {
        column.nulls.resize(row + 1, 0);
        column.nulls[row] = 1;
        if (!one.ints.empty()) column.ints.push_back(0);
        if (!one.floats.empty()) column.floats.push_back(0);
        if (!one.strings.empty()) column.strings.emplace_back();
        continue;
      }
      if (!column.nulls.empty() || !one.nulls.empty()) column.nulls.resize(row + 1, 0);
      if (one.type.id == TypeId::kArray) {
        if (column.array_offsets.empty()) column.array_offsets.push_back(0);
        column.array_offsets.push_back(column.array_offsets.back() + (one.array_offsets[1] - one.array_offsets[0]));
        column.ints.insert(column.ints.end(), one.ints.begin(), one.ints.end());
        column.floats.insert(column.floats.end(), one.floats.begin(), one.floats.end());
        column.strings.insert(column.strings.end(), one.strings.begin(), one.strings.end());
        continue;
      }
      if (!one.ints.empty()) column.ints.push_back(one.ints[0]);
      if (!one.floats.empty()) column.floats.push_back(one.floats[0]);
      if (!one.strings.empty()) column.strings.push_back(one.strings[0]);
    }
  }
  return rows;
}

absl::StatusOr<ResultSet> Insert(const Statement& statement, const DdlContext& context, TableManager* manager) {
  MUA_RETURN_IF_ERROR(CheckDatabase(statement.table));
  const std::string& name = statement.table.table;
  std::optional<TableSpec> spec = manager->Find(name);
  if (!spec.has_value()) {
    if (name == "events") {
      return Error(absl::StatusCode::kInvalidArgument, statement.table.pos,
                   "INSERT INTO events takes data: INSERT INTO events FORMAT JSONEachRow, then the rows");
    }
    return Error(absl::StatusCode::kNotFound, statement.table.pos,
                 absl::StrCat("Table default.", name, " doesn't exist"));
  }
  absl::StatusOr<std::vector<int>> indexes = InsertColumns(statement, *spec);
  if (!indexes.ok()) return indexes.status();
  absl::StatusOr<ResultSet> defaults = EvaluateDefaults(*spec, context);
  if (!defaults.ok()) return Positioned(defaults.status(), statement.pos);

  std::vector<ResultSet> batches;
  if (statement.kind == StatementKind::kInsertSelect) {
    absl::StatusOr<ResultSet> selected = context.run_select(ToSql(*statement.query));
    if (!selected.ok()) return selected.status();
    if (selected->columns.size() != indexes->size()) {
      return Error(absl::StatusCode::kInvalidArgument, statement.query->pos,
                   absl::StrCat("Number of columns doesn't match: the SELECT gives ", selected->columns.size(),
                                ", the INSERT takes ", indexes->size()));
    }
    batches.push_back(*std::move(selected));
  } else {
    for (const std::vector<ExprPtr>& row : statement.values) {
      if (row.size() != indexes->size()) {
        return Error(absl::StatusCode::kInvalidArgument, row.empty() ? statement.pos : row.front()->pos,
                     absl::StrCat("Number of values doesn't match: a row has ", row.size(), ", the INSERT takes ",
                                  indexes->size()));
      }
      ResultSet one;
      one.row_count = 1;
      bool literals = true;
      for (const ExprPtr& value : row) {
        std::optional<Column> column = LiteralColumn(*value);
        if (!column.has_value()) {
          literals = false;
          break;
        }
        one.names.emplace_back();
        one.columns.push_back(*std::move(column));
      }
      if (!literals) {
        std::vector<std::string> items;
        for (const ExprPtr& value : row) items.push_back(ToSql(*value));
        absl::StatusOr<ResultSet> evaluated = context.run_select(absl::StrCat("SELECT ", absl::StrJoin(items, ", ")));
        if (!evaluated.ok()) return Positioned(evaluated.status(), row.front()->pos);
        one = *std::move(evaluated);
      }
      batches.push_back(std::move(one));
    }
  }
  uint64_t inserted = 0;
  // One manager call per batch of equally typed rows; VALUES rows of literals of one
  // shape are common, but each row may type differently, so rows go one by one.
  for (ResultSet& batch : batches) {
    ResultSet rows = FullRows(*spec, *indexes, std::move(batch), *defaults);
    absl::StatusOr<uint64_t> count = manager->Insert(name, rows);
    if (!count.ok()) return Positioned(count.status(), statement.table.pos);
    inserted += *count;
  }
  ResultSet result;
  result.statistics.rows_read = inserted;
  return result;
}

ResultSet StringResult(const char* column, std::string value) {
  ResultSet result;
  result.AddColumn(column, DataType::Of(TypeId::kString)).strings.push_back(std::move(value));
  result.row_count = 1;
  return result;
}

std::string BuiltInCreateText(const TableInfo& table) {
  std::vector<std::string> columns;
  for (const auto& [name, type] : table.columns) columns.push_back(absl::StrCat("    ", BackQuoted(name), " ", type));
  const bool view = table.engine == "View";
  std::string text = absl::StrCat("CREATE ", view ? "VIEW " : "TABLE ", table.database, ".",
                                  QuoteIdentifier(table.name), "\n(\n", absl::StrJoin(columns, ",\n"), "\n)");
  if (table.database == "default" && table.name == "events") {
    // MUA's own layout, spelled as the MergeTree table that would hold the same rows.
    absl::StrAppend(&text,
                    "\nENGINE = MergeTree\nPARTITION BY toDate(event_time)\nORDER BY (user_id, event_time)\n"
                    "SETTINGS index_granularity = 16384");
  } else if (!view) {
    absl::StrAppend(&text, "\nENGINE = ", table.engine);
  }
  return text;
}

}  // namespace

bool IsDdlStatement(StatementKind kind) {
  switch (kind) {
    case StatementKind::kCreateTable:
    case StatementKind::kDropTable:
    case StatementKind::kTruncate:
    case StatementKind::kShowCreateTable:
    case StatementKind::kExistsTable:
    case StatementKind::kInsertValues:
    case StatementKind::kInsertSelect:
      return true;
    default:
      return false;
  }
}

std::string ShowCreateText(const TableSpec& spec) {
  std::vector<std::string> columns;
  for (const TableColumnSpec& column : spec.columns) {
    std::string line = absl::StrCat("    ", BackQuoted(column.name), " ", column.type);
    if (!column.default_expression.empty()) absl::StrAppend(&line, " DEFAULT ", column.default_expression);
    if (!column.comment.empty()) absl::StrAppend(&line, " COMMENT ", QuoteString(column.comment));
    columns.push_back(std::move(line));
  }
  std::string text = absl::StrCat("CREATE TABLE default.", QuoteIdentifier(spec.name), "\n(\n",
                                  absl::StrJoin(columns, ",\n"), "\n)\nENGINE = ", spec.engine);
  const bool merge_tree = spec.engine == "MergeTree";
  if (!spec.partition_by.empty()) absl::StrAppend(&text, "\nPARTITION BY ", spec.partition_by);
  if (!spec.primary_key.empty()) absl::StrAppend(&text, "\nPRIMARY KEY ", spec.primary_key);
  if (merge_tree) absl::StrAppend(&text, "\nORDER BY ", spec.order_by.empty() ? "tuple()" : spec.order_by);
  std::vector<std::string> settings;
  bool granularity = false;
  for (const auto& [name, value] : spec.settings) {
    settings.push_back(absl::StrCat(name, " = ", value));
    granularity = granularity || name == "index_granularity";
  }
  if (merge_tree && !granularity) settings.push_back("index_granularity = 8192");
  if (!settings.empty()) absl::StrAppend(&text, "\nSETTINGS ", absl::StrJoin(settings, ", "));
  if (!spec.comment.empty()) absl::StrAppend(&text, "\nCOMMENT ", QuoteString(spec.comment));
  return text;
}

absl::StatusOr<ResultSet> EvaluateDefaults(const TableSpec& spec, const DdlContext& context) {
  ResultSet row;
  row.row_count = 1;
  std::vector<std::string> items;
  for (const TableColumnSpec& column : spec.columns) {
    row.names.push_back(column.name);
    Column& null = row.columns.emplace_back();
    null.type = DataType::Null();
    null.nulls.push_back(1);
    if (!column.default_expression.empty()) items.push_back(column.default_expression);
  }
  if (items.empty()) return row;
  if (!context.run_select) return absl::UnimplementedError("DEFAULT expressions cannot be evaluated here");
  absl::StatusOr<ResultSet> values = context.run_select(absl::StrCat("SELECT ", absl::StrJoin(items, ", ")));
  if (!values.ok()) {
    return absl::Status(values.status().code(),
                        absl::StrCat("DEFAULT of table ", spec.name, ": ", values.status().message()));
  }
  if (values->row_count != 1 || values->columns.size() != items.size()) {
    return absl::InvalidArgumentError(absl::StrCat("DEFAULT of table ", spec.name, " is not one value per column"));
  }
  size_t next = 0;
  for (size_t c = 0; c < spec.columns.size(); ++c) {
    if (!spec.columns[c].default_expression.empty()) row.columns[c] = std::move(values->columns[next++]);
  }
  return row;
}

absl::StatusOr<ResultSet> ExecuteDdl(const Statement& statement, const DdlContext& context) {
  absl::Status no_manager;
  const TableName& table = statement.table;
  switch (statement.kind) {
    case StatementKind::kExistsTable: {
      ResultSet result;
      result.AddColumn("result", DataType::Of(TypeId::kUInt8));
      const std::string database = table.database.empty() ? "default" : table.database;
      bool exists = false;
      if (context.catalog != nullptr) {
        for (const TableInfo& info : context.catalog->Tables()) exists |= info.database == database && info.name == table.table;
      }
      result.columns[0].ints.push_back(exists ? 1 : 0);
      result.row_count = 1;
      return result;
    }
    case StatementKind::kShowCreateTable: {
      const std::string database = table.database.empty() ? "default" : table.database;
      TableManager* manager = context.catalog != nullptr ? context.catalog->table_manager() : nullptr;
      if (manager != nullptr && database == "default") {
        if (std::optional<TableSpec> spec = manager->Find(table.table)) {
          return StringResult("statement", ShowCreateText(*spec));
        }
      }
      if (context.catalog != nullptr) {
        const std::vector<TableInfo> tables = context.catalog->Tables();
        if (const TableInfo* info = FindBuiltIn(tables, database, table.table, nullptr)) {
          return StringResult("statement", BuiltInCreateText(*info));
        }
      }
      return Error(absl::StatusCode::kNotFound, table.pos,
                   absl::StrCat("Table ", database, ".", table.table, " doesn't exist"));
    }
    default:
      break;
  }
  TableManager* manager = Manager(context, statement.pos, &no_manager);
  if (manager == nullptr) return no_manager;
  switch (statement.kind) {
    case StatementKind::kCreateTable:
      return Create(statement, context, manager);
    case StatementKind::kDropTable:
    case StatementKind::kTruncate: {
      MUA_RETURN_IF_ERROR(CheckDatabase(table));
      if (!manager->Find(table.table).has_value() &&
          FindBuiltIn(context.catalog->Tables(), "default", table.table, manager) != nullptr) {
        return Error(absl::StatusCode::kInvalidArgument, table.pos,
                     absl::StrCat("Table default.", table.table, " is built in: it cannot be dropped or truncated",
                                  table.table == "events" ? " (DELETE FROM events WHERE user_id = ... erases users)"
                                                          : ""));
      }
      const absl::Status status = statement.kind == StatementKind::kDropTable
                                      ? manager->Drop(table.table, statement.if_exists)
                                      : manager->Truncate(table.table, statement.if_exists);
      MUA_RETURN_IF_ERROR(Positioned(status, table.pos));
      return ResultSet{};
    }
    case StatementKind::kInsertValues:
    case StatementKind::kInsertSelect:
      return Insert(statement, context, manager);
    default:
      return Error(absl::StatusCode::kInternal, statement.pos, "not a DDL statement");
  }
}

}  // namespace mua
