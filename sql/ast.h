// The SQL abstract syntax tree that the parser (sql/parser.h) builds and a
// binder walks.
//
// Expressions: Expr plus one final struct per ExprKind, owned through ExprPtr;
// `expr.As<FunctionExpr>()` downcasts (checked in debug builds). Statements: one
// value type, Statement, whose `kind` says which fields are set. Every node has
// the SourcePos of the token that names it best (its first token; the operator
// for infix forms). Parsed trees are at most kMaxAstHeight deep, subqueries
// included, so recursive walks are safe. Not thread-safe to mutate; a finished
// tree may be read from many threads.
//
//   "SELECT quantile(0.9)(x) AS p FROM events WHERE t > now() - INTERVAL 7 DAY" is
//   Statement{kSelect, query: SelectQuery{cores: [SelectCore{
//     items: [{FunctionExpr{"quantile", parametric, parameters: [0.9], args: [x]}, "p"}],
//     from: TableRef{kTable, table: "events"},
//     where: BinaryExpr{kGreater, t, BinaryExpr{kSubtract, now(), IntervalExpr{7, kDay}}}}]}}
//
//   "FROM a AS x LEFT JOIN b USING (id) ARRAY JOIN tags AS tag" is
//   from: TableRef{kJoin, join_kind: kLeft, left: {kTable "a" alias "x"}, right: {kTable "b"},
//                  using_columns: [id]}, array_joins: [{items: [{tags, "tag"}]}]
//   "rank() OVER (PARTITION BY u ORDER BY t)" is FunctionExpr{"rank", over: WindowSpec{...}};
//   "arrayMap(x -> x * 2, arr)" has a LambdaExpr{params: [x], body: x * 2} as its first argument.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/string_view.h"
#include "sql/sql_error.h"
#include "storage/base/check.h"

namespace mua {

struct SelectQuery;

// Parsed trees never exceed this height (nodes on the longest root-to-leaf path).
inline constexpr uint32_t kMaxAstHeight = 1000;

enum class ExprKind : uint8_t {
  kLiteral,        // LiteralExpr
  kColumn,         // ColumnExpr: name or table.name
  kStar,           // StarExpr: * or table.*
  kFunction,       // FunctionExpr: f(args), f(params)(args), f(DISTINCT args)
  kNamedArgument,  // NamedArgumentExpr: name => value, only inside argument lists
  kUnary,          // UnaryExpr: -x, NOT x
  kBinary,         // BinaryExpr: arithmetic, comparison, AND, OR, ||, LIKE
  kIn,             // InExpr: x [NOT] IN set
  kBetween,        // BetweenExpr: x [NOT] BETWEEN low AND high
  kIsNull,         // IsNullExpr: x IS [NOT] NULL
  kCase,           // CaseExpr
  kInterval,       // IntervalExpr: INTERVAL n unit
  kArray,          // ArrayExpr: [a, b]
  kTuple,          // TupleExpr: (a, b), at least two elements
  kSubscript,      // SubscriptExpr: base[index]
  kCast,           // CastExpr: CAST(x AS T), x::T
  kSubquery,       // SubqueryExpr: (SELECT ...)
  kLambda,         // LambdaExpr: x -> body, (x, y) -> body; only as a function argument
};

struct Expr {
  virtual ~Expr() = default;
  Expr(const Expr&) = delete;
  Expr& operator=(const Expr&) = delete;

  // REQUIRES: kind == T::kKind.
  template <typename T>
  const T& As() const {
    MUA_DCHECK(kind == T::kKind, "Expr::As with the wrong kind");
    return static_cast<const T&>(*this);
  }
  template <typename T>
  T& As() {
    MUA_DCHECK(kind == T::kKind, "Expr::As with the wrong kind");
    return static_cast<T&>(*this);
  }

  const ExprKind kind;
  SourcePos pos;
  uint32_t height = 1;  // set by the parser; see kMaxAstHeight

 protected:
  Expr(ExprKind node_kind, SourcePos node_pos) : kind(node_kind), pos(node_pos) {}
};

using ExprPtr = std::unique_ptr<Expr>;

enum class NullsOrder : uint8_t { kDefault, kFirst, kLast };

// `expr [ASC|DESC] [NULLS FIRST|LAST] [WITH FILL [FROM a] [TO b] [STEP c]]`.
struct OrderItem {
  ExprPtr expr;
  bool descending = false;
  NullsOrder nulls = NullsOrder::kDefault;
  bool with_fill = false;
  ExprPtr fill_from;  // null when not written (also fill_to, fill_step)
  ExprPtr fill_to;
  ExprPtr fill_step;
};

enum class WindowFrameUnits : uint8_t { kRows, kRange };

enum class FrameBoundKind : uint8_t {
  kUnboundedPreceding,
  kPreceding,  // offset PRECEDING
  kCurrentRow,
  kFollowing,  // offset FOLLOWING
  kUnboundedFollowing,
};

struct FrameBound {
  FrameBoundKind kind = FrameBoundKind::kCurrentRow;
  ExprPtr offset;  // kPreceding and kFollowing only
};

// `ROWS BETWEEN start AND end`; `ROWS start` alone has end CURRENT ROW.
struct WindowFrame {
  SourcePos pos;
  WindowFrameUnits units = WindowFrameUnits::kRows;
  FrameBound start;
  FrameBound end;
};

// The window of `f(...) OVER w`, `OVER (PARTITION BY ... ORDER BY ... frame)` or
// `OVER (w ORDER BY ...)`, and of a `WINDOW w AS (...)` definition.
struct WindowSpec {
  SourcePos pos;
  std::string base;  // a named window this one extends (OVER w: only this); empty when none
  std::vector<ExprPtr> partition_by;
  std::vector<OrderItem> order_by;
  std::optional<WindowFrame> frame;  // nullopt: the default frame
};

enum class LiteralKind : uint8_t { kNull, kBool, kInt64, kUInt64, kFloat64, kString };

// A number literal is UInt64 when written without a sign; `-<number>` folds
// into an Int64 (negative), or Float64 beyond Int64; -0 stays UInt64 0.
// `inf` and `nan` are Float64 literals, as in ClickHouse.
struct LiteralExpr final : Expr {
  static constexpr ExprKind kKind = ExprKind::kLiteral;
  explicit LiteralExpr(SourcePos node_pos) : Expr(kKind, node_pos) {}
  LiteralKind literal_kind = LiteralKind::kNull;
  bool bool_value = false;
  int64_t int_value = 0;
  uint64_t uint_value = 0;
  double float_value = 0;
  std::string string_value;
};

struct ColumnExpr final : Expr {
  static constexpr ExprKind kKind = ExprKind::kColumn;
  explicit ColumnExpr(SourcePos node_pos) : Expr(kKind, node_pos) {}
  std::string table;  // empty when unqualified
  std::string name;
};

struct StarExpr final : Expr {
  static constexpr ExprKind kKind = ExprKind::kStar;
  explicit StarExpr(SourcePos node_pos) : Expr(kKind, node_pos) {}
  std::string table;  // empty for a bare *
};

// `quantile(0.9)(x)`: parametric, parameters [0.9], args [x]. Names keep their
// case; whether a name is a scalar, aggregate or table function is the binder's call.
struct FunctionExpr final : Expr {
  static constexpr ExprKind kKind = ExprKind::kFunction;
  explicit FunctionExpr(SourcePos node_pos) : Expr(kKind, node_pos) {}
  std::string name;
  bool parametric = false;  // written with two argument lists
  std::vector<ExprPtr> parameters;
  std::vector<ExprPtr> args;
  bool distinct = false;  // f(DISTINCT args)
  // Set for a window function call, `f(args) OVER ...`; null for a plain call.
  std::unique_ptr<WindowSpec> over;
};

struct NamedArgumentExpr final : Expr {
  static constexpr ExprKind kKind = ExprKind::kNamedArgument;
  explicit NamedArgumentExpr(SourcePos node_pos) : Expr(kKind, node_pos) {}
  std::string name;
  ExprPtr value;
};

enum class UnaryOp : uint8_t { kNegate, kNot };

struct UnaryExpr final : Expr {
  static constexpr ExprKind kKind = ExprKind::kUnary;
  explicit UnaryExpr(SourcePos node_pos) : Expr(kKind, node_pos) {}
  UnaryOp op = UnaryOp::kNegate;
  ExprPtr operand;
};

enum class BinaryOp : uint8_t {
  kOr,
  kAnd,
  kEquals,
  kNotEquals,
  kLess,
  kLessEquals,
  kGreater,
  kGreaterEquals,
  kLike,
  kNotLike,
  kILike,
  kNotILike,
  kConcat,
  kAdd,
  kSubtract,
  kMultiply,
  kDivide,
  kModulo,
};

// Returns the operator as SQL: "OR", "=", "NOT LIKE", "||", "+".
const char* BinaryOpSql(BinaryOp op);

struct BinaryExpr final : Expr {
  static constexpr ExprKind kKind = ExprKind::kBinary;
  explicit BinaryExpr(SourcePos node_pos) : Expr(kKind, node_pos) {}
  BinaryOp op = BinaryOp::kAnd;
  ExprPtr left;
  ExprPtr right;
};

// `set` is a TupleExpr for a list `IN (1, 2)` (of TupleExprs for `(a, b) IN
// ((1, 2), (3, 4))`), a SubqueryExpr for `IN (SELECT ...)`, a ColumnExpr for
// `IN name` (a CTE or table), and any other expression for a single value `IN (1)`.
struct InExpr final : Expr {
  static constexpr ExprKind kKind = ExprKind::kIn;
  explicit InExpr(SourcePos node_pos) : Expr(kKind, node_pos) {}
  ExprPtr operand;
  ExprPtr set;
  bool negated = false;
  bool global = false;  // GLOBAL IN / GLOBAL NOT IN (same result on one server)
};

struct BetweenExpr final : Expr {
  static constexpr ExprKind kKind = ExprKind::kBetween;
  explicit BetweenExpr(SourcePos node_pos) : Expr(kKind, node_pos) {}
  ExprPtr operand;
  ExprPtr low;
  ExprPtr high;
  bool negated = false;
};

struct IsNullExpr final : Expr {
  static constexpr ExprKind kKind = ExprKind::kIsNull;
  explicit IsNullExpr(SourcePos node_pos) : Expr(kKind, node_pos) {}
  ExprPtr operand;
  bool negated = false;  // IS NOT NULL
};

struct CaseBranch {
  ExprPtr when;
  ExprPtr then;
};

struct CaseExpr final : Expr {
  static constexpr ExprKind kKind = ExprKind::kCase;
  explicit CaseExpr(SourcePos node_pos) : Expr(kKind, node_pos) {}
  ExprPtr operand;                   // CASE x WHEN ...; null for CASE WHEN cond ...
  std::vector<CaseBranch> branches;  // at least one
  ExprPtr else_result;               // null without ELSE
};

enum class IntervalUnit : uint8_t { kSecond, kMinute, kHour, kDay, kWeek, kMonth, kQuarter, kYear };

// Returns "SECOND" ... "YEAR".
const char* IntervalUnitSql(IntervalUnit unit);
// Parses a unit name, singular or plural, any case ("day", "HOURS").
std::optional<IntervalUnit> ParseIntervalUnit(absl::string_view name);

// `INTERVAL '1 day'` is stored as value 1, unit kDay.
struct IntervalExpr final : Expr {
  static constexpr ExprKind kKind = ExprKind::kInterval;
  explicit IntervalExpr(SourcePos node_pos) : Expr(kKind, node_pos) {}
  ExprPtr value;
  IntervalUnit unit = IntervalUnit::kSecond;
};

struct ArrayExpr final : Expr {
  static constexpr ExprKind kKind = ExprKind::kArray;
  explicit ArrayExpr(SourcePos node_pos) : Expr(kKind, node_pos) {}
  std::vector<ExprPtr> elements;
};

struct TupleExpr final : Expr {
  static constexpr ExprKind kKind = ExprKind::kTuple;
  explicit TupleExpr(SourcePos node_pos) : Expr(kKind, node_pos) {}
  std::vector<ExprPtr> elements;
};

// `r[1]`: ClickHouse arrays are 1-based; that is the binder's concern.
struct SubscriptExpr final : Expr {
  static constexpr ExprKind kKind = ExprKind::kSubscript;
  explicit SubscriptExpr(SourcePos node_pos) : Expr(kKind, node_pos) {}
  ExprPtr base;
  ExprPtr index;
};

// `type` is the ClickHouse type name, normalized: "Nullable(String)",
// "DateTime64(3, 'UTC')", "Decimal(10, 2)". A query parameter `{name:Type}`
// becomes CAST('<value text>' AS Type): the value stays data, never SQL.
struct CastExpr final : Expr {
  static constexpr ExprKind kKind = ExprKind::kCast;
  explicit CastExpr(SourcePos node_pos) : Expr(kKind, node_pos) {}
  ExprPtr operand;
  std::string type;
};

struct SubqueryExpr final : Expr {
  static constexpr ExprKind kKind = ExprKind::kSubquery;
  explicit SubqueryExpr(SourcePos node_pos);
  ~SubqueryExpr() override;
  std::unique_ptr<SelectQuery> query;  // never null once parsed
};

// `x -> x * 2`, `(x, y) -> x + y`: a function argument (arrayMap, arrayFilter...).
struct LambdaExpr final : Expr {
  static constexpr ExprKind kKind = ExprKind::kLambda;
  explicit LambdaExpr(SourcePos node_pos) : Expr(kKind, node_pos) {}
  std::vector<std::string> params;  // at least one
  ExprPtr body;
};

// Calls `fn(const Expr&)` on each direct child expression of `expr`, in source
// order; a window function's PARTITION BY, ORDER BY and frame offsets come after
// its arguments. A SubqueryExpr has none: its query is a separate tree.
template <typename Fn>
void ForEachChild(const Expr& expr, Fn&& fn);

// `FROM events`, `FROM system.tables`, `FROM (SELECT ...) AS s`, `FROM funnel(...)`,
// and joins of them: `FROM a JOIN b ON ... LEFT JOIN c USING (k)` is the left-deep
// tree Join(Join(a, b), c).
enum class TableRefKind : uint8_t { kTable, kSubquery, kFunction, kJoin };

// `JOIN` and `INNER JOIN` are kInner; OUTER is implied by LEFT/RIGHT/FULL; a comma is kCross.
enum class JoinKind : uint8_t { kInner, kLeft, kRight, kFull, kCross };
// kDefault: none written (ALL unless a setting says otherwise).
enum class JoinStrictness : uint8_t { kDefault, kAll, kAny, kSemi, kAnti };

// Returns "INNER", "LEFT", "RIGHT", "FULL", "CROSS" / "", "ALL", "ANY", "SEMI", "ANTI".
const char* JoinKindSql(JoinKind kind);
const char* JoinStrictnessSql(JoinStrictness strictness);

struct TableRef {
  TableRefKind kind = TableRefKind::kTable;
  SourcePos pos;  // kJoin: the JOIN keyword (or the comma)
  std::string database;                   // kTable: empty when unqualified
  std::string table;                      // kTable
  std::unique_ptr<SelectQuery> subquery;  // kSubquery
  ExprPtr function;   // kFunction: a FunctionExpr, args may be NamedArgumentExprs
  std::string alias;  // kTable, kSubquery, kFunction: empty when none

  // kJoin: `left [GLOBAL] [kind] [strictness] JOIN right (ON on | USING (columns))`.
  std::unique_ptr<TableRef> left;
  std::unique_ptr<TableRef> right;
  JoinKind join_kind = JoinKind::kInner;
  JoinStrictness strictness = JoinStrictness::kDefault;
  bool global = false;
  bool comma = false;                  // written `a, b` (kCross)
  ExprPtr on;                          // null without ON
  std::vector<ExprPtr> using_columns;  // USING (a, b): unqualified ColumnExprs; empty without USING
  uint32_t height = 1;                 // joins nested on the left count; see kMaxAstHeight
};

// `WITH expr AS name` (expr set) or `WITH name AS (SELECT ...)` (subquery set).
struct WithItem {
  SourcePos pos;
  std::string name;
  ExprPtr expr;
  std::unique_ptr<SelectQuery> subquery;
};

struct SelectItem {
  ExprPtr expr;
  std::string alias;  // empty when none
  SourcePos alias_pos;
};

// `[LEFT] ARRAY JOIN arr [AS a], [1, 2] AS b`.
struct ArrayJoinClause {
  SourcePos pos;
  bool left = false;
  std::vector<SelectItem> items;  // at least one
};

// `WINDOW w AS (PARTITION BY ...)`.
struct NamedWindow {
  SourcePos pos;
  std::string name;
  WindowSpec spec;
};

// One SELECT block with its own clauses, in ClickHouse's order. `LIMIT m, n` is
// stored as offset m, limit n (likewise for LIMIT ... BY).
struct SelectCore {
  SourcePos pos;
  std::vector<WithItem> with;
  bool distinct = false;
  std::vector<SelectItem> items;  // at least one
  std::optional<TableRef> from;
  std::vector<ArrayJoinClause> array_joins;  // after FROM and its joins, in order
  ExprPtr where;
  std::vector<ExprPtr> group_by;  // a number literal is a position
  bool with_totals = false;       // WITH TOTALS (after GROUP BY)
  ExprPtr having;
  std::vector<NamedWindow> windows;  // WINDOW w AS (...), ...
  std::vector<OrderItem> order_by;
  ExprPtr limit_by_limit;          // LIMIT n [OFFSET m] BY exprs: null when none
  ExprPtr limit_by_offset;         // null when none
  std::vector<ExprPtr> limit_by;   // the BY expressions; set with limit_by_limit
  ExprPtr limit;   // null when none
  ExprPtr offset;  // null when none; set only with limit

  // A parenthesized set operation used as one operand of another, e.g. the
  // right side of `A UNION ALL (B UNION DISTINCT C)`. When set, no other field
  // is. A parenthesized single SELECT is stored as a plain core.
  std::unique_ptr<SelectQuery> nested;
};

enum class SetOperator : uint8_t { kUnionAll, kUnionDistinct };

// Returns "UNION ALL" or "UNION DISTINCT".
const char* SetOperatorSql(SetOperator op);

// SELECT ... [UNION ALL|DISTINCT SELECT ...], left-associative:
// cores [A, B, C] with operators [ALL, DISTINCT] is (A UNION ALL B) UNION DISTINCT C.
// A bare UNION takes the union_default_mode setting of the statement's SETTINGS
// (an error without it, as in ClickHouse), so the tree always says which.
struct SelectQuery {
  SourcePos pos;
  std::vector<SelectCore> cores;       // at least one
  std::vector<SetOperator> operators;  // cores.size() - 1 of them
  uint32_t height = 1;                 // as Expr::height
};

enum class StatementKind : uint8_t {
  kSelect,         // query
  kShowTables,     // show_database, show_like
  kShowDatabases,  //
  kDescribe,       // table
  kExplain,        // explain, query
  kInsert,         // table, columns, format (the input format), data_offset
  kDelete,         // table, where, alter_syntax
  kSystem,         // system_command, system_argument (SYSTEM ..., KILL QUERY)
  kCreateTable,    // table, create
  kDropTable,      // table, if_exists
  kTruncate,       // table, if_exists
  kShowCreateTable,  // table
  kExistsTable,    // table
  kInsertValues,   // table, columns, values (INSERT ... VALUES (...), (...))
  kInsertSelect,   // table, columns, query (INSERT ... SELECT ...)
};

enum class ExplainKind : uint8_t { kPlan, kSyntax };

struct TableName {
  SourcePos pos;
  std::string database;  // empty when unqualified
  std::string table;
};

struct Setting {
  SourcePos pos;
  std::string name;
  ExprPtr value;
};

// A column of CREATE TABLE: `name Type [DEFAULT|MATERIALIZED|ALIAS expr] [COMMENT 's']`.
enum class ColumnDefaultKind : uint8_t { kNone, kDefault, kMaterialized, kAlias };

struct ColumnDefinition {
  SourcePos pos;
  std::string name;
  std::string type;  // normalized as CastExpr::type: "Nullable(String)", "Decimal(10, 2)"
  SourcePos type_pos;
  ColumnDefaultKind default_kind = ColumnDefaultKind::kNone;
  ExprPtr default_expr;  // set unless kNone
  std::string comment;
};

// `CREATE TABLE [IF NOT EXISTS] t (columns) ENGINE = E[(args)] [PARTITION BY x]
// [ORDER BY x] [PRIMARY KEY x] [SETTINGS k = v, ...] [COMMENT 's']`. Whether
// the engine, types and keys are acceptable is the executor's call.
struct CreateTable {
  bool if_not_exists = false;
  std::vector<ColumnDefinition> columns;  // at least one
  SourcePos engine_pos;
  std::string engine;                // as written ("MergeTree"); empty without ENGINE
  std::vector<ExprPtr> engine_args;  // ENGINE = MergeTree() has none
  ExprPtr partition_by;              // null when none (also order_by, primary_key)
  ExprPtr order_by;                  // ORDER BY (a, b) is a TupleExpr, tuple() a FunctionExpr
  ExprPtr primary_key;
  std::vector<Setting> settings;  // the table's SETTINGS (not the statement's)
  std::string comment;
};

struct Statement {
  StatementKind kind = StatementKind::kSelect;
  SourcePos pos;
  std::unique_ptr<SelectQuery> query;
  ExplainKind explain = ExplainKind::kPlan;  // EXPLAIN without a kind means PLAN
  TableName table;
  std::string show_database;             // SHOW TABLES FROM db
  std::optional<std::string> show_like;  // SHOW TABLES LIKE 'pattern'
  bool show_not_like = false;            // SHOW TABLES NOT LIKE 'pattern'
  bool show_ilike = false;               // SHOW TABLES ILIKE 'pattern' (case-insensitive)
  std::vector<std::string> columns;      // INSERT INTO t (a, b); empty = all
  ExprPtr where;
  bool alter_syntax = false;  // written ALTER TABLE t DELETE WHERE ...
  std::vector<Setting> settings;
  std::string system_command;  // SYSTEM STOP INGEST -> "STOP INGEST" (upper case); "KILL QUERY"
  std::string system_argument;  // KILL QUERY WHERE query_id = 'ID' -> ID
  std::string on_cluster;       // SYSTEM ... ON CLUSTER name: on every node of the cluster
  std::string format;      // FORMAT name; empty when none
  size_t data_offset = 0;  // kInsert: where the data begins in the parsed text
  bool if_exists = false;  // DROP TABLE / TRUNCATE ... IF EXISTS
  std::unique_ptr<CreateTable> create;       // kCreateTable
  std::vector<std::vector<ExprPtr>> values;  // kInsertValues: the rows, each one expression a column
};

// Structural equality that ignores positions, heights and data_offset
// (what a round trip through ToSql must preserve). NaN equals NaN of the same sign.
bool AstEquals(const Expr& a, const Expr& b);
bool AstEquals(const SelectQuery& a, const SelectQuery& b);
bool AstEquals(const Statement& a, const Statement& b);

template <typename Fn>
void ForEachChild(const Expr& expr, Fn&& fn) {
  auto visit = [&fn](const ExprPtr& child) {
    if (child != nullptr) fn(*child);
  };
  switch (expr.kind) {
    case ExprKind::kLiteral:
    case ExprKind::kColumn:
    case ExprKind::kStar:
    case ExprKind::kSubquery:
      break;
    case ExprKind::kFunction: {
      const FunctionExpr& function = expr.As<FunctionExpr>();
      for (const ExprPtr& child : function.parameters) visit(child);
      for (const ExprPtr& child : function.args) visit(child);
      if (function.over != nullptr) {
        for (const ExprPtr& child : function.over->partition_by) visit(child);
        for (const OrderItem& item : function.over->order_by) {
          visit(item.expr);
          visit(item.fill_from);
          visit(item.fill_to);
          visit(item.fill_step);
        }
        if (function.over->frame.has_value()) {
          visit(function.over->frame->start.offset);
          visit(function.over->frame->end.offset);
        }
      }
      break;
    }
    case ExprKind::kNamedArgument:
      visit(expr.As<NamedArgumentExpr>().value);
      break;
    case ExprKind::kUnary:
      visit(expr.As<UnaryExpr>().operand);
      break;
    case ExprKind::kBinary:
      visit(expr.As<BinaryExpr>().left);
      visit(expr.As<BinaryExpr>().right);
      break;
    case ExprKind::kIn:
      visit(expr.As<InExpr>().operand);
      visit(expr.As<InExpr>().set);
      break;
    case ExprKind::kBetween:
      visit(expr.As<BetweenExpr>().operand);
      visit(expr.As<BetweenExpr>().low);
      visit(expr.As<BetweenExpr>().high);
      break;
    case ExprKind::kIsNull:
      visit(expr.As<IsNullExpr>().operand);
      break;
    case ExprKind::kCase: {
      const CaseExpr& node = expr.As<CaseExpr>();
      visit(node.operand);
      for (const CaseBranch& branch : node.branches) {
        visit(branch.when);
        visit(branch.then);
      }
      visit(node.else_result);
      break;
    }
    case ExprKind::kInterval:
      visit(expr.As<IntervalExpr>().value);
      break;
    case ExprKind::kArray:
      for (const ExprPtr& child : expr.As<ArrayExpr>().elements) visit(child);
      break;
    case ExprKind::kTuple:
      for (const ExprPtr& child : expr.As<TupleExpr>().elements) visit(child);
      break;
    case ExprKind::kSubscript:
      visit(expr.As<SubscriptExpr>().base);
      visit(expr.As<SubscriptExpr>().index);
      break;
    case ExprKind::kCast:
      visit(expr.As<CastExpr>().operand);
      break;
    case ExprKind::kLambda:
      visit(expr.As<LambdaExpr>().body);
      break;
  }
}

}  // namespace mua
