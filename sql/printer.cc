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
  void Limit(const SelectCore& core);
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
    if (i > 0) out_ += " UNION ALL ";
    Core(query.cores[i]);
  }
}

void Printer::Core(const SelectCore& core) {
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
  if (core.where != nullptr) {
    out_ += " WHERE ";
    Expr(*core.where);
  }
  if (!core.group_by.empty()) {
    out_ += " GROUP BY ";
    List(core.group_by);
  }
  if (core.having != nullptr) {
    out_ += " HAVING ";
    Expr(*core.having);
  }
  for (size_t i = 0; i < core.order_by.size(); ++i) {
    const OrderItem& item = core.order_by[i];
    out_ += i == 0 ? " ORDER BY " : ", ";
    Expr(*item.expr);
    if (item.descending) out_ += " DESC";
    if (item.nulls != NullsOrder::kDefault) {
      out_ += item.nulls == NullsOrder::kFirst ? " NULLS FIRST" : " NULLS LAST";
    }
  }
  Limit(core);
}

void Printer::From(const TableRef& from) {
  out_ += " FROM ";
  switch (from.kind) {
    case TableRefKind::kTable:
      out_ += TableNameSql(from.database, from.table);
      break;
    case TableRefKind::kSubquery:
      out_ += '(';
      Query(*from.subquery);
      out_ += ')';
      break;
    case TableRefKind::kFunction:
      Expr(*from.function);
      break;
  }
  if (!from.alias.empty()) absl::StrAppend(&out_, " AS ", Name(from.alias));
}

void Printer::Limit(const SelectCore& core) {
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
        out_ += " LIKE ";
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
  }
  OutputClauses(statement);
}

void Printer::OutputClauses(const mua::Statement& statement) {
  for (size_t i = 0; i < statement.settings.size(); ++i) {
    const Setting& setting = statement.settings[i];
    absl::StrAppend(&out_, i == 0 ? " SETTINGS " : ", ", LooseName(setting.name, false), " = ");
    Expr(*setting.value);
  }
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
