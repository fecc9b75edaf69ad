#include "sql/printer.h"

#include <charconv>
#include <cmath>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "sql/internal/keywords.h"
#include "sql/internal/precedence.h"

namespace mua {
namespace {

using sql_internal::ExprPrecedence;

void AppendEscaped(absl::string_view text, char quote, std::string* out) {
  out->push_back(quote);
  for (char c : text) {
    unsigned char byte = static_cast<unsigned char>(c);
    switch (c) {
      case '\\':
        *out += "\\\\";
        break;
      case '\n':
        *out += "\\n";
        break;
      case '\t':
        *out += "\\t";
        break;
      case '\r':
        *out += "\\r";
        break;
      case '\0':
        *out += "\\0";
        break;
      default:
        if (c == quote) {
          out->push_back('\\');
          out->push_back(c);
        } else if (byte < 0x20 || byte == 0x7F) {
          absl::StrAppendFormat(out, "\\x%02X", byte);
        } else {
          out->push_back(c);
        }
    }
  }
  out->push_back(quote);
}

// Names a binder resolves (columns, tables, aliases): reserved words are quoted.
std::string Name(absl::string_view name) { return QuoteIdentifier(name); }

// Names whose position makes keywords harmless (function names, named
// arguments, settings, formats): only function-position keywords are quoted.
std::string LooseName(absl::string_view name, bool function_position) {
  if (sql_internal::IsPlainWord(name) &&
      !(function_position && sql_internal::IsFunctionKeyword(name))) {
    return std::string(name);
  }
  std::string out;
  AppendEscaped(name, '`', &out);
  return out;
}

std::string FloatSql(double value) {
  if (std::isnan(value)) return std::signbit(value) ? "-nan" : "nan";
  if (std::isinf(value)) return value < 0 ? "-inf" : "inf";
  char buffer[64];
  auto result = std::to_chars(buffer, buffer + sizeof(buffer), value);
  std::string text(buffer, result.ptr);
  if (text.find_first_of(".e") == std::string::npos) text += ".0";
  return text;
}

// The window a definition extends, first in its parentheses, where a bare
// PARTITION or ORDER would start the clause of that name.
std::string WindowBaseName(absl::string_view name) {
  if (name.empty()) return "";
  for (absl::string_view keyword : {"PARTITION", "ORDER", "ROWS", "RANGE", "GROUPS"}) {
    if (absl::EqualsIgnoreCase(name, keyword)) {
      std::string out;
      AppendEscaped(name, '`', &out);
      return out;
    }
  }
  return Name(name);
}

std::string TableNameSql(absl::string_view database, absl::string_view table) {
  return database.empty() ? Name(table) : absl::StrCat(Name(database), ".", Name(table));
}

class Printer {
 public:
  std::string Take() { return std::move(out_); }

  void Expr(const mua::Expr& expr);
  void Query(const SelectQuery& query);
  void Statement(const mua::Statement& statement);

 private:
  // Prints `expr`, parenthesized when it binds looser than `min_precedence`.
  void Child(const mua::Expr& expr, int min_precedence);
  void List(const std::vector<ExprPtr>& exprs);
  void Literal(const LiteralExpr& literal);
  void Function(const FunctionExpr& function);
  void Negate(const mua::Expr& operand);
  void Binary(const BinaryExpr& binary);
  void In(const InExpr& in);
  void Case(const CaseExpr& node);
  void Core(const SelectCore& core);
  void From(const TableRef& from);
  void TableFactor(const TableRef& ref);
  void Join(const TableRef& join);
  void ArrayJoins(const SelectCore& core);
  void OrderBy(const std::vector<OrderItem>& order_by);
  void Window(const WindowSpec& spec);
  void Frame(const WindowFrame& frame);
  void Bound(const FrameBound& bound);
  void Offset(const mua::Expr& offset);
  void Limit(const SelectCore& core);
  void Create(const mua::Statement& statement);
  void Settings(const std::vector<Setting>& settings);
  void OutputClauses(const mua::Statement& statement);

  std::string out_;
};

void Printer::Child(const mua::Expr& expr, int min_precedence) {
  if (ExprPrecedence(expr) >= min_precedence) return Expr(expr);
  out_ += '(';
  Expr(expr);
  out_ += ')';
}

void Printer::List(const std::vector<ExprPtr>& exprs) {
  for (size_t i = 0; i < exprs.size(); ++i) {
    if (i > 0) out_ += ", ";
    Expr(*exprs[i]);
  }
}

void Printer::Expr(const mua::Expr& expr) {
  using sql_internal::kPrecCompare;
  using sql_internal::kPrecConcat;
  using sql_internal::kPrecPostfix;
  using sql_internal::kPrecUnary;
  switch (expr.kind) {
    case ExprKind::kLiteral:
      return Literal(expr.As<LiteralExpr>());
    case ExprKind::kColumn: {
      const ColumnExpr& column = expr.As<ColumnExpr>();
      if (!column.table.empty()) absl::StrAppend(&out_, Name(column.table), ".");
      out_ += Name(column.name);
      return;
    }
    case ExprKind::kStar: {
      const StarExpr& star = expr.As<StarExpr>();
      if (!star.table.empty()) absl::StrAppend(&out_, Name(star.table), ".");
      out_ += '*';
      return;
    }
    case ExprKind::kFunction:
      return Function(expr.As<FunctionExpr>());
    case ExprKind::kNamedArgument: {
      const NamedArgumentExpr& named = expr.As<NamedArgumentExpr>();
      absl::StrAppend(&out_, LooseName(named.name, false), " => ");
      return Expr(*named.value);
    }
    case ExprKind::kUnary: {
      const UnaryExpr& unary = expr.As<UnaryExpr>();
      if (unary.op == UnaryOp::kNegate) return Negate(*unary.operand);
      out_ += "NOT ";
      return Child(*unary.operand, sql_internal::kPrecNot);
    }
    case ExprKind::kBinary:
      return Binary(expr.As<BinaryExpr>());
    case ExprKind::kIn:
      return In(expr.As<InExpr>());
    case ExprKind::kBetween: {
      const BetweenExpr& between = expr.As<BetweenExpr>();
      Child(*between.operand, kPrecCompare);
      out_ += between.negated ? " NOT BETWEEN " : " BETWEEN ";
      Child(*between.low, kPrecConcat);
      out_ += " AND ";
      return Child(*between.high, kPrecConcat);
    }
    case ExprKind::kIsNull: {
      const IsNullExpr& is_null = expr.As<IsNullExpr>();
      Child(*is_null.operand, kPrecCompare);
      out_ += is_null.negated ? " IS NOT NULL" : " IS NULL";
      return;
    }
    case ExprKind::kCase:
      return Case(expr.As<CaseExpr>());
    case ExprKind::kInterval: {
      const IntervalExpr& interval = expr.As<IntervalExpr>();
      out_ += "INTERVAL ";
      Child(*interval.value, kPrecUnary);
      absl::StrAppend(&out_, " ", IntervalUnitSql(interval.unit));
      return;
    }
    case ExprKind::kArray:
      out_ += '[';
      List(expr.As<ArrayExpr>().elements);
      out_ += ']';
      return;
    case ExprKind::kTuple:
      out_ += '(';
      List(expr.As<TupleExpr>().elements);
      out_ += ')';
      return;
    case ExprKind::kSubscript: {
      const SubscriptExpr& subscript = expr.As<SubscriptExpr>();
      Child(*subscript.base, kPrecPostfix);
      out_ += '[';
      Expr(*subscript.index);
      out_ += ']';
      return;
    }
    case ExprKind::kCast: {
      const CastExpr& cast = expr.As<CastExpr>();
      out_ += "CAST(";
      Expr(*cast.operand);
      absl::StrAppend(&out_, " AS ", cast.type, ")");
      return;
    }
    case ExprKind::kSubquery:
      out_ += '(';
      Query(*expr.As<SubqueryExpr>().query);
      out_ += ')';
      return;
    case ExprKind::kLambda: {
      const LambdaExpr& lambda = expr.As<LambdaExpr>();
      if (lambda.params.size() == 1) {
        out_ += Name(lambda.params[0]);
      } else {
        for (size_t i = 0; i < lambda.params.size(); ++i) {
          absl::StrAppend(&out_, i == 0 ? "(" : ", ", Name(lambda.params[i]));
        }
        out_ += ')';
      }
      out_ += " -> ";
      Expr(*lambda.body);
      return;
    }
  }
}

void Printer::Literal(const LiteralExpr& literal) {
  switch (literal.literal_kind) {
    case LiteralKind::kNull:
      out_ += "NULL";
      return;
    case LiteralKind::kBool:
      out_ += literal.bool_value ? "true" : "false";
      return;
    case LiteralKind::kInt64:
      absl::StrAppend(&out_, literal.int_value);
      return;
    case LiteralKind::kUInt64:
      absl::StrAppend(&out_, literal.uint_value);
      return;
    case LiteralKind::kFloat64:
      out_ += FloatSql(literal.float_value);
      return;
    case LiteralKind::kString:
      AppendEscaped(literal.string_value, '\'', &out_);
      return;
  }
}

void Printer::Function(const FunctionExpr& function) {
  // CAST(x, 'T') reads back as the function form; any other use of a
  // function-position keyword as a name needs quotes.
  bool bare_cast = absl::EqualsIgnoreCase(function.name, "CAST") && !function.parametric &&
                   !function.distinct && function.args.size() >= 2 &&
                   function.args[0]->kind != ExprKind::kNamedArgument;
  out_ += bare_cast ? function.name : LooseName(function.name, true);
  if (function.parametric) {
    out_ += '(';
    List(function.parameters);
    out_ += ')';
  }
  out_ += function.distinct ? "(DISTINCT " : "(";
  List(function.args);
  out_ += ')';
  if (function.over != nullptr) {
    out_ += " OVER ";
    Window(*function.over);
  }
}

void Printer::Window(const WindowSpec& spec) {
  bool only_base = !spec.base.empty() && spec.partition_by.empty() && spec.order_by.empty() &&
                   !spec.frame.has_value();
  if (only_base) {
    out_ += Name(spec.base);
    return;
  }
  out_ += '(';
  const size_t start = out_.size();
  if (!spec.base.empty()) out_ += WindowBaseName(spec.base);
  if (!spec.partition_by.empty()) {
    out_ += out_.size() > start ? " PARTITION BY " : "PARTITION BY ";
    List(spec.partition_by);
  }
  if (!spec.order_by.empty()) {
    if (out_.size() > start) out_ += ' ';
    OrderBy(spec.order_by);
  }
  if (spec.frame.has_value()) {
    if (out_.size() > start) out_ += ' ';
    Frame(*spec.frame);
  }
  out_ += ')';
}

// Only a literal goes bare: a column named `current` or `unbounded` would read back as the keyword.
void Printer::Offset(const mua::Expr& offset) {
  if (offset.kind == ExprKind::kLiteral) return Expr(offset);
  out_ += '(';
  Expr(offset);
  out_ += ')';
}

void Printer::Frame(const WindowFrame& frame) {
  out_ += frame.units == WindowFrameUnits::kRows ? "ROWS BETWEEN " : "RANGE BETWEEN ";
  Bound(frame.start);
  out_ += " AND ";
  Bound(frame.end);
}

void Printer::Bound(const FrameBound& bound) {
  switch (bound.kind) {
    case FrameBoundKind::kUnboundedPreceding:
      out_ += "UNBOUNDED PRECEDING";
      return;
    case FrameBoundKind::kPreceding:
      Offset(*bound.offset);
      out_ += " PRECEDING";
      return;
    case FrameBoundKind::kCurrentRow:
      out_ += "CURRENT ROW";
      return;
    case FrameBoundKind::kFollowing:
      Offset(*bound.offset);
      out_ += " FOLLOWING";
      return;
    case FrameBoundKind::kUnboundedFollowing:
      out_ += "UNBOUNDED FOLLOWING";
      return;
  }
}

void Printer::Negate(const mua::Expr& operand) {
  Printer inner;
  inner.Expr(operand);
  std::string text = inner.Take();
  // "-5", "-inf" and "-5[1]" would read back as negative literals, "--" as a comment.
  bool numeric_start = !text.empty() && (absl::ascii_isdigit(static_cast<unsigned char>(text[0])) ||
                                         text[0] == '.' || text[0] == '-');
  for (absl::string_view word : {"inf", "nan"}) {
    if (absl::StartsWithIgnoreCase(text, word) &&
        (text.size() == 3 ||
         !(absl::ascii_isalnum(static_cast<unsigned char>(text[3])) || text[3] == '_'))) {
      numeric_start = true;
    }
  }
  bool parens = numeric_start || ExprPrecedence(operand) < sql_internal::kPrecUnary;
  absl::StrAppend(&out_, parens ? "-(" : "-", text, parens ? ")" : "");
}

void Printer::Binary(const BinaryExpr& binary) {
  int precedence = sql_internal::BinaryOpPrecedence(binary.op);
  Child(*binary.left, precedence);
  absl::StrAppend(&out_, " ", BinaryOpSql(binary.op), " ");
  Child(*binary.right, precedence + 1);
}

void Printer::In(const InExpr& in) {
  Child(*in.operand, sql_internal::kPrecCompare);
  if (in.global) out_ += " GLOBAL";
  out_ += in.negated ? " NOT IN " : " IN ";
  if (in.set->kind == ExprKind::kTuple || in.set->kind == ExprKind::kSubquery) {
    return Expr(*in.set);
  }
  out_ += '(';
  Expr(*in.set);
  out_ += ')';
}

void Printer::Case(const CaseExpr& node) {
  out_ += "CASE";
  if (node.operand != nullptr) {
    out_ += ' ';
    Expr(*node.operand);
  }
  for (const CaseBranch& branch : node.branches) {
    out_ += " WHEN ";
    Expr(*branch.when);
    out_ += " THEN ";
    Expr(*branch.then);
  }
  if (node.else_result != nullptr) {
    out_ += " ELSE ";
    Expr(*node.else_result);
  }
  out_ += " END";
}

void Printer::Query(const SelectQuery& query) {
  for (size_t i = 0; i < query.cores.size(); ++i) {
    if (i > 0) absl::StrAppend(&out_, " ", SetOperatorSql(query.operators[i - 1]), " ");
    Core(query.cores[i]);
  }
}

void Printer::OrderBy(const std::vector<OrderItem>& order_by) {
  for (size_t i = 0; i < order_by.size(); ++i) {
    const OrderItem& item = order_by[i];
    out_ += i == 0 ? "ORDER BY " : ", ";
    Expr(*item.expr);
    if (item.descending) out_ += " DESC";
    if (item.nulls != NullsOrder::kDefault) {
      out_ += item.nulls == NullsOrder::kFirst ? " NULLS FIRST" : " NULLS LAST";
    }
    if (!item.with_fill) continue;
    out_ += " WITH FILL";
    const std::pair<const char*, const ExprPtr*> parts[] = {
        {" FROM ", &item.fill_from}, {" TO ", &item.fill_to}, {" STEP ", &item.fill_step}};
    for (const auto& [keyword, value] : parts) {
      if (*value == nullptr) continue;
      out_ += keyword;
      Expr(**value);
    }
  }
}

void Printer::Core(const SelectCore& core) {
  if (core.nested != nullptr) {
    out_ += '(';
    Query(*core.nested);
    out_ += ')';
    return;
  }
  for (size_t i = 0; i < core.with.size(); ++i) {
    const WithItem& item = core.with[i];
    out_ += i == 0 ? "WITH " : ", ";
    if (item.subquery != nullptr) {
      absl::StrAppend(&out_, Name(item.name), " AS (");
      Query(*item.subquery);
      out_ += ')';
    } else {
      Expr(*item.expr);
      absl::StrAppend(&out_, " AS ", Name(item.name));
    }
  }
  out_ += core.with.empty() ? "SELECT " : " SELECT ";
  if (core.distinct) out_ += "DISTINCT ";
  for (size_t i = 0; i < core.items.size(); ++i) {
    if (i > 0) out_ += ", ";
    Expr(*core.items[i].expr);
    if (!core.items[i].alias.empty()) absl::StrAppend(&out_, " AS ", Name(core.items[i].alias));
  }
  if (core.from.has_value()) From(*core.from);
  ArrayJoins(core);
  if (core.where != nullptr) {
    out_ += " WHERE ";
    Expr(*core.where);
  }
  if (!core.group_by.empty()) {
    out_ += " GROUP BY ";
    List(core.group_by);
  }
  if (core.with_totals) out_ += " WITH TOTALS";
  if (core.having != nullptr) {
    out_ += " HAVING ";
    Expr(*core.having);
  }
  for (size_t i = 0; i < core.windows.size(); ++i) {
    absl::StrAppend(&out_, i == 0 ? " WINDOW " : ", ", Name(core.windows[i].name), " AS ");
    // A definition is always parenthesized, even when it only names another window.
    if (core.windows[i].spec.partition_by.empty() && core.windows[i].spec.order_by.empty() &&
        !core.windows[i].spec.frame.has_value()) {
      absl::StrAppend(&out_, "(", WindowBaseName(core.windows[i].spec.base), ")");
    } else {
      Window(core.windows[i].spec);
    }
  }
  if (!core.order_by.empty()) {
    out_ += ' ';
    OrderBy(core.order_by);
  }
  Limit(core);
}

void Printer::From(const TableRef& from) {
  out_ += " FROM ";
  if (from.kind == TableRefKind::kJoin) return Join(from);
  TableFactor(from);
}

void Printer::TableFactor(const TableRef& ref) {
  switch (ref.kind) {
    case TableRefKind::kTable:
      out_ += TableNameSql(ref.database, ref.table);
      break;
    case TableRefKind::kSubquery:
      out_ += '(';
      Query(*ref.subquery);
      out_ += ')';
      break;
    case TableRefKind::kFunction:
      Expr(*ref.function);
      break;
    case TableRefKind::kJoin:
      // Joins nest only on the left (see Join); a right side is never a join.
      out_ += "(?)";
      return;
  }
  if (!ref.alias.empty()) absl::StrAppend(&out_, " AS ", Name(ref.alias));
}

// Left-deep chains print left to right without recursing on their length.
void Printer::Join(const TableRef& join) {
  std::vector<const TableRef*> chain;
  const TableRef* leftmost = &join;
  while (leftmost->kind == TableRefKind::kJoin) {
    chain.push_back(leftmost);
    leftmost = leftmost->left.get();
  }
  TableFactor(*leftmost);
  for (auto it = chain.rbegin(); it != chain.rend(); ++it) {
    const TableRef& node = **it;
    if (node.comma) {
      out_ += ", ";
    } else {
      out_ += ' ';
      // ClickHouse's own order: GLOBAL ANY LEFT JOIN.
      if (node.global) out_ += "GLOBAL ";
      if (node.strictness != JoinStrictness::kDefault) {
        absl::StrAppend(&out_, JoinStrictnessSql(node.strictness), " ");
      }
      absl::StrAppend(&out_, JoinKindSql(node.join_kind), " JOIN ");
    }
    TableFactor(*node.right);
    if (node.on != nullptr) {
      out_ += " ON ";
      Expr(*node.on);
    } else if (!node.using_columns.empty()) {
      out_ += " USING (";
      List(node.using_columns);
      out_ += ')';
    }
  }
}

void Printer::ArrayJoins(const SelectCore& core) {
  for (const ArrayJoinClause& clause : core.array_joins) {
    out_ += clause.left ? " LEFT ARRAY JOIN " : " ARRAY JOIN ";
    for (size_t i = 0; i < clause.items.size(); ++i) {
      if (i > 0) out_ += ", ";
      Expr(*clause.items[i].expr);
      if (!clause.items[i].alias.empty()) {
        absl::StrAppend(&out_, " AS ", Name(clause.items[i].alias));
      }
    }
  }
}

void Printer::Limit(const SelectCore& core) {
  if (core.limit_by_limit != nullptr) {
    out_ += " LIMIT ";
    Expr(*core.limit_by_limit);
    if (core.limit_by_offset != nullptr) {
      out_ += " OFFSET ";
      Expr(*core.limit_by_offset);
    }
    out_ += " BY ";
    List(core.limit_by);
  }
  if (core.limit == nullptr) return;
  out_ += " LIMIT ";
  Expr(*core.limit);
  if (core.offset != nullptr) {
    out_ += " OFFSET ";
    Expr(*core.offset);
  }
}

void Printer::Statement(const mua::Statement& statement) {
  switch (statement.kind) {
    case StatementKind::kSelect:
      Query(*statement.query);
      break;
    case StatementKind::kShowTables:
      out_ += "SHOW TABLES";
      if (!statement.show_database.empty()) {
        absl::StrAppend(&out_, " FROM ", Name(statement.show_database));
      }
      if (statement.show_like.has_value()) {
        out_ += statement.show_not_like ? " NOT " : " ";
        out_ += statement.show_ilike ? "ILIKE " : "LIKE ";
        AppendEscaped(*statement.show_like, '\'', &out_);
      }
      break;
    case StatementKind::kShowDatabases:
      out_ += "SHOW DATABASES";
      break;
    case StatementKind::kSystem:
      if (statement.system_command == "KILL QUERY") {
        out_ += "KILL QUERY WHERE query_id = ";
        AppendEscaped(statement.system_argument, '\'', &out_);
      } else {
        absl::StrAppend(&out_, "SYSTEM ", statement.system_command);
        if (!statement.system_argument.empty()) {
          out_ += ' ';
          AppendEscaped(statement.system_argument, '\'', &out_);
        }
        if (!statement.on_cluster.empty()) absl::StrAppend(&out_, " ON CLUSTER ", QuoteIdentifier(statement.on_cluster));
      }
      break;
    case StatementKind::kDescribe:
      absl::StrAppend(&out_, "DESCRIBE TABLE ",
                      TableNameSql(statement.table.database, statement.table.table));
      break;
    case StatementKind::kExplain:
      out_ += statement.explain == ExplainKind::kSyntax ? "EXPLAIN SYNTAX " : "EXPLAIN PLAN ";
      Query(*statement.query);
      break;
    case StatementKind::kInsert:
      absl::StrAppend(&out_, "INSERT INTO ",
                      TableNameSql(statement.table.database, statement.table.table));
      for (size_t i = 0; i < statement.columns.size(); ++i) {
        absl::StrAppend(&out_, i == 0 ? " (" : ", ", Name(statement.columns[i]));
      }
      if (!statement.columns.empty()) out_ += ')';
      break;
    case StatementKind::kDelete:
      absl::StrAppend(&out_, statement.alter_syntax ? "ALTER TABLE " : "DELETE FROM ",
                      TableNameSql(statement.table.database, statement.table.table),
                      statement.alter_syntax ? " DELETE WHERE " : " WHERE ");
      Expr(*statement.where);
      break;
    case StatementKind::kCreateTable:
      Create(statement);
      break;
    case StatementKind::kDropTable:
    case StatementKind::kTruncate:
      absl::StrAppend(&out_,
                      statement.kind == StatementKind::kDropTable ? "DROP TABLE " : "TRUNCATE TABLE ",
                      statement.if_exists ? "IF EXISTS " : "",
                      TableNameSql(statement.table.database, statement.table.table));
      break;
    case StatementKind::kShowCreateTable:
    case StatementKind::kExistsTable:
      absl::StrAppend(&out_,
                      statement.kind == StatementKind::kExistsTable ? "EXISTS TABLE "
                                                                    : "SHOW CREATE TABLE ",
                      TableNameSql(statement.table.database, statement.table.table));
      break;
    case StatementKind::kInsertValues:
    case StatementKind::kInsertSelect:
      absl::StrAppend(&out_, "INSERT INTO ",
                      TableNameSql(statement.table.database, statement.table.table));
      for (size_t i = 0; i < statement.columns.size(); ++i) {
        absl::StrAppend(&out_, i == 0 ? " (" : ", ", Name(statement.columns[i]));
      }
      if (!statement.columns.empty()) out_ += ')';
      if (statement.kind == StatementKind::kInsertSelect) {
        out_ += ' ';
        Query(*statement.query);
        break;
      }
      out_ += " VALUES";
      for (size_t i = 0; i < statement.values.size(); ++i) {
        out_ += i == 0 ? " (" : ", (";
        List(statement.values[i]);
        out_ += ')';
      }
      break;
  }
  OutputClauses(statement);
}

void Printer::Create(const mua::Statement& statement) {
  const CreateTable& create = *statement.create;
  absl::StrAppend(&out_, "CREATE TABLE ", create.if_not_exists ? "IF NOT EXISTS " : "",
                  TableNameSql(statement.table.database, statement.table.table), " (");
  for (size_t i = 0; i < create.columns.size(); ++i) {
    const ColumnDefinition& column = create.columns[i];
    absl::StrAppend(&out_, i == 0 ? "" : ", ", Name(column.name), column.type.empty() ? "" : " ",
                    column.type);
    static constexpr const char* kDefaultKeywords[] = {"", " DEFAULT ", " MATERIALIZED ",
                                                       " ALIAS "};
    if (column.default_kind != ColumnDefaultKind::kNone) {
      out_ += kDefaultKeywords[static_cast<int>(column.default_kind)];
      Expr(*column.default_expr);
    }
    if (!column.comment.empty()) {
      out_ += " COMMENT ";
      AppendEscaped(column.comment, '\'', &out_);
    }
  }
  out_ += ')';
  if (!create.engine.empty()) {
    absl::StrAppend(&out_, " ENGINE = ", LooseName(create.engine, false));
    if (!create.engine_args.empty()) {
      out_ += '(';
      List(create.engine_args);
      out_ += ')';
    }
  }
  const std::pair<const char*, const ExprPtr*> keys[] = {{" PARTITION BY ", &create.partition_by},
                                                         {" ORDER BY ", &create.order_by},
                                                         {" PRIMARY KEY ", &create.primary_key}};
  for (const auto& [keyword, value] : keys) {
    if (*value == nullptr) continue;
    out_ += keyword;
    Expr(**value);
  }
  Settings(create.settings);
  if (!create.comment.empty()) {
    out_ += " COMMENT ";
    AppendEscaped(create.comment, '\'', &out_);
  }
}

void Printer::Settings(const std::vector<Setting>& settings) {
  for (size_t i = 0; i < settings.size(); ++i) {
    const Setting& setting = settings[i];
    absl::StrAppend(&out_, i == 0 ? " SETTINGS " : ", ", LooseName(setting.name, false), " = ");
    Expr(*setting.value);
  }
}

void Printer::OutputClauses(const mua::Statement& statement) {
  Settings(statement.settings);
  if (!statement.format.empty()) {
    absl::StrAppend(&out_, " FORMAT ", LooseName(statement.format, false));
  }
}

}  // namespace

std::string ToSql(const Expr& expr) {
  Printer printer;
  printer.Expr(expr);
  return printer.Take();
}

std::string ToSql(const SelectQuery& query) {
  Printer printer;
  printer.Query(query);
  return printer.Take();
}

std::string ToSql(const Statement& statement) {
  Printer printer;
  printer.Statement(statement);
  return printer.Take();
}

std::string QuoteString(absl::string_view text) {
  std::string out;
  AppendEscaped(text, '\'', &out);
  return out;
}

std::string QuoteIdentifier(absl::string_view name) {
  if (sql_internal::IsPlainWord(name) && !sql_internal::IsReservedWord(name)) {
    return std::string(name);
  }
  std::string out;
  AppendEscaped(name, '`', &out);
  return out;
}

}  // namespace mua
