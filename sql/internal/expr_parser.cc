// Expressions: precedence climbing over the levels of sql/internal/precedence.h.
#include <cmath>
#include <limits>
#include <optional>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "sql/internal/keywords.h"
#include "sql/internal/parser_impl.h"
#include "sql/internal/precedence.h"
#include "sql/printer.h"
#include "storage/base/status_macros.h"

namespace mua::sql_internal {
namespace {

bool IsWord(const Token& token, absl::string_view keyword) {
  return token.kind == TokenKind::kWord && absl::EqualsIgnoreCase(token.text, keyword);
}

bool IsName(const Token& token) {
  return token.kind == TokenKind::kWord || token.kind == TokenKind::kQuotedIdentifier;
}

// EXTRACT(unit FROM t) is the function ClickHouse's parser rewrites it to (toYear(t), ...);
// nullptr when `token` is no unit EXTRACT takes (WEEK is not one, as in ClickHouse).
const char* ExtractFunction(const Token& token) {
  static constexpr std::pair<const char*, const char*> kUnits[] = {
      {"YEAR", "toYear"},     {"YEARS", "toYear"},       {"QUARTER", "toQuarter"},
      {"QUARTERS", "toQuarter"}, {"MONTH", "toMonth"},   {"MONTHS", "toMonth"},
      {"DAY", "toDayOfMonth"}, {"DAYS", "toDayOfMonth"}, {"HOUR", "toHour"},
      {"HOURS", "toHour"},     {"MINUTE", "toMinute"},   {"MINUTES", "toMinute"},
      {"SECOND", "toSecond"},  {"SECONDS", "toSecond"}};
  for (const auto& [unit, function] : kUnits) {
    if (IsWord(token, unit)) return function;
  }
  return nullptr;
}

bool IsNumber(const Token& token) {
  return token.kind == TokenKind::kInteger || token.kind == TokenKind::kFloat ||
         IsWord(token, "inf") || IsWord(token, "nan");
}

// A number token as a literal; `negate` folds a leading minus (see LiteralExpr).
std::unique_ptr<LiteralExpr> NumberLiteral(const Token& token, bool negate, SourcePos pos) {
  auto literal = std::make_unique<LiteralExpr>(pos);
  if (token.kind == TokenKind::kInteger) {
    uint64_t value = token.uint_value;
    constexpr uint64_t kMinInt64Magnitude = uint64_t{1} << 63;
    if (!negate || value == 0) {
      literal->literal_kind = LiteralKind::kUInt64;
      literal->uint_value = value;
    } else if (value <= kMinInt64Magnitude) {
      literal->literal_kind = LiteralKind::kInt64;
      literal->int_value = value == kMinInt64Magnitude ? std::numeric_limits<int64_t>::min()
                                                       : -static_cast<int64_t>(value);
    } else {
      literal->literal_kind = LiteralKind::kFloat64;
      literal->float_value = -static_cast<double>(value);
    }
    return literal;
  }
  double value = token.kind == TokenKind::kFloat ? token.float_value
                 : IsWord(token, "inf")          ? std::numeric_limits<double>::infinity()
                                                 : std::numeric_limits<double>::quiet_NaN();
  literal->literal_kind = LiteralKind::kFloat64;
  literal->float_value = negate ? -value : value;
  return literal;
}

struct InfixOp {
  enum class Form { kBinary, kIn, kBetween, kIsNull };
  Form form = Form::kBinary;
  BinaryOp op = BinaryOp::kAnd;
  int precedence = kPrecCompare;
  bool negated = false;
  bool global = false;  // GLOBAL IN, GLOBAL NOT IN
  size_t tokens = 1;    // NOT LIKE, NOT IN, NOT BETWEEN, GLOBAL IN take two; GLOBAL NOT IN three
};

InfixOp Binary(BinaryOp op) {
  InfixOp infix;
  infix.op = op;
  infix.precedence = BinaryOpPrecedence(op);
  return infix;
}

InfixOp Special(InfixOp::Form form, bool negated) {
  InfixOp infix;
  infix.form = form;
  infix.negated = negated;
  infix.tokens = negated ? 2 : 1;
  return infix;
}

std::optional<InfixOp> PeekInfix(TokenStream& tokens) {
  const Token& token = tokens.Peek();
  switch (token.kind) {
    case TokenKind::kEquals:
      return Binary(BinaryOp::kEquals);
    case TokenKind::kNotEquals:
      return Binary(BinaryOp::kNotEquals);
    case TokenKind::kLess:
      return Binary(BinaryOp::kLess);
    case TokenKind::kLessEquals:
      return Binary(BinaryOp::kLessEquals);
    case TokenKind::kGreater:
      return Binary(BinaryOp::kGreater);
    case TokenKind::kGreaterEquals:
      return Binary(BinaryOp::kGreaterEquals);
    case TokenKind::kConcat:
      return Binary(BinaryOp::kConcat);
    case TokenKind::kPlus:
      return Binary(BinaryOp::kAdd);
    case TokenKind::kMinus:
      return Binary(BinaryOp::kSubtract);
    case TokenKind::kStar:
      return Binary(BinaryOp::kMultiply);
    case TokenKind::kSlash:
      return Binary(BinaryOp::kDivide);
    case TokenKind::kPercent:
      return Binary(BinaryOp::kModulo);
    case TokenKind::kWord:
      break;
    default:
      return std::nullopt;
  }
  if (IsWord(token, "OR")) return Binary(BinaryOp::kOr);
  if (IsWord(token, "AND")) return Binary(BinaryOp::kAnd);
  if (IsWord(token, "LIKE")) return Binary(BinaryOp::kLike);
  if (IsWord(token, "ILIKE")) return Binary(BinaryOp::kILike);
  if (IsWord(token, "IN")) return Special(InfixOp::Form::kIn, false);
  if (IsWord(token, "BETWEEN")) return Special(InfixOp::Form::kBetween, false);
  if (IsWord(token, "IS")) return Special(InfixOp::Form::kIsNull, false);
  if (IsWord(token, "GLOBAL")) {
    const bool negated = IsWord(tokens.Peek(1), "NOT");
    if (!IsWord(tokens.Peek(negated ? 2 : 1), "IN")) return std::nullopt;
    InfixOp infix = Special(InfixOp::Form::kIn, negated);
    infix.global = true;
    infix.tokens = negated ? 3 : 2;
    return infix;
  }
  if (!IsWord(token, "NOT")) return std::nullopt;
  const Token& next = tokens.Peek(1);
  std::optional<InfixOp> infix;
  if (IsWord(next, "LIKE")) infix = Binary(BinaryOp::kNotLike);
  if (IsWord(next, "ILIKE")) infix = Binary(BinaryOp::kNotILike);
  if (IsWord(next, "IN")) infix = Special(InfixOp::Form::kIn, true);
  if (IsWord(next, "BETWEEN")) infix = Special(InfixOp::Form::kBetween, true);
  if (infix.has_value()) infix->tokens = 2;
  return infix;
}

}  // namespace

absl::StatusOr<ExprPtr> Parser::ParseExpr() {
  Nesting nesting(this);
  MUA_RETURN_IF_ERROR(CheckNesting());
  return ParseBinary(kPrecOr);
}

absl::StatusOr<ExprPtr> Parser::ParseBinary(int min_precedence) {
  MUA_ASSIGN_OR_RETURN(ExprPtr left, ParseOperand());
  bool done = false;
  while (!done) {
    MUA_ASSIGN_OR_RETURN(left, ParseInfix(std::move(left), min_precedence, &done));
  }
  return left;
}

absl::StatusOr<ExprPtr> Parser::ParseInfix(ExprPtr left, int min_precedence, bool* done) {
  std::optional<InfixOp> infix = PeekInfix(tokens_);
  if (!infix.has_value() || infix->precedence < min_precedence) {
    *done = true;
    return left;
  }
  SourcePos pos = tokens_.Peek().pos;
  for (size_t i = 0; i < infix->tokens; ++i) tokens_.Take();
  ExprPtr node;
  switch (infix->form) {
    case InfixOp::Form::kBinary: {
      auto binary = std::make_unique<BinaryExpr>(pos);
      binary->op = infix->op;
      binary->left = std::move(left);
      MUA_ASSIGN_OR_RETURN(binary->right, ParseBinary(infix->precedence + 1));
      node = std::move(binary);
      break;
    }
    case InfixOp::Form::kIn: {
      auto in = std::make_unique<InExpr>(pos);
      in->operand = std::move(left);
      in->negated = infix->negated;
      in->global = infix->global;
      MUA_ASSIGN_OR_RETURN(in->set, ParseUnary());
      node = std::move(in);
      break;
    }
    case InfixOp::Form::kBetween: {
      auto between = std::make_unique<BetweenExpr>(pos);
      between->operand = std::move(left);
      between->negated = infix->negated;
      MUA_ASSIGN_OR_RETURN(between->low, ParseBinary(kPrecConcat));
      MUA_RETURN_IF_ERROR(ExpectWord("AND"));
      MUA_ASSIGN_OR_RETURN(between->high, ParseBinary(kPrecConcat));
      node = std::move(between);
      break;
    }
    case InfixOp::Form::kIsNull: {
      auto is_null = std::make_unique<IsNullExpr>(pos);
      is_null->operand = std::move(left);
      is_null->negated = TakeWord("NOT");
      if (!TakeWord("NULL")) return Expected(is_null->negated ? "NULL" : "NULL or NOT NULL");
      node = std::move(is_null);
      break;
    }
  }
  MUA_RETURN_IF_ERROR(Finish(*node));
  return node;
}

absl::StatusOr<ExprPtr> Parser::ParseOperand() {
  if (!PeekWord("NOT")) return ParseUnary();
  Nesting nesting(this);
  MUA_RETURN_IF_ERROR(CheckNesting());
  auto unary = std::make_unique<UnaryExpr>(tokens_.Take().pos);
  unary->op = UnaryOp::kNot;
  MUA_ASSIGN_OR_RETURN(unary->operand, ParseBinary(kPrecNot));
  MUA_RETURN_IF_ERROR(Finish(*unary));
  return unary;
}

absl::StatusOr<ExprPtr> Parser::ParseUnary() {
  if (tokens_.Peek().kind != TokenKind::kMinus) {
    MUA_ASSIGN_OR_RETURN(ExprPtr primary, ParsePrimary());
    return ParsePostfix(std::move(primary));
  }
  if (IsNumber(tokens_.Peek(1))) {
    SourcePos pos = tokens_.Take().pos;
    Token number = tokens_.Take();
    return ParsePostfix(NumberLiteral(number, /*negate=*/true, pos));
  }
  Nesting nesting(this);
  MUA_RETURN_IF_ERROR(CheckNesting());
  auto unary = std::make_unique<UnaryExpr>(tokens_.Take().pos);
  unary->op = UnaryOp::kNegate;
  MUA_ASSIGN_OR_RETURN(unary->operand, ParseUnary());
  MUA_RETURN_IF_ERROR(Finish(*unary));
  return unary;
}

absl::StatusOr<ExprPtr> Parser::ParsePostfix(ExprPtr base) {
  while (true) {
    TokenKind kind = tokens_.Peek().kind;
    if (kind == TokenKind::kLBracket) {
      auto subscript = std::make_unique<SubscriptExpr>(tokens_.Take().pos);
      subscript->base = std::move(base);
      MUA_ASSIGN_OR_RETURN(subscript->index, ParseExpr());
      MUA_RETURN_IF_ERROR(Expect(TokenKind::kRBracket));
      MUA_RETURN_IF_ERROR(Finish(*subscript));
      base = std::move(subscript);
    } else if (kind == TokenKind::kDoubleColon) {
      auto cast = std::make_unique<CastExpr>(tokens_.Take().pos);
      cast->operand = std::move(base);
      MUA_RETURN_IF_ERROR(ParseType(&cast->type));
      MUA_RETURN_IF_ERROR(Finish(*cast));
      base = std::move(cast);
    } else if (kind == TokenKind::kDot && tokens_.Peek(1).kind == TokenKind::kInteger) {
      MUA_ASSIGN_OR_RETURN(base, TupleElement(std::move(base)));
    } else {
      return base;
    }
  }
}

absl::StatusOr<ExprPtr> Parser::ParsePrimary() {
  const Token& token = tokens_.Peek();
  switch (token.kind) {
    case TokenKind::kInteger:
    case TokenKind::kFloat: {
      Token number = tokens_.Take();
      return NumberLiteral(number, /*negate=*/false, number.pos);
    }
    case TokenKind::kString: {
      Token text = tokens_.Take();
      auto literal = std::make_unique<LiteralExpr>(text.pos);
      literal->literal_kind = LiteralKind::kString;
      literal->string_value = std::move(text.value);
      return literal;
    }
    case TokenKind::kLParen:
      return ParseParenthesized();
    case TokenKind::kLBracket:
      return ParseArray();
    case TokenKind::kStar:
      return std::make_unique<StarExpr>(tokens_.Take().pos);
    case TokenKind::kLBrace:
      return ParseQueryParameter();
    case TokenKind::kWord:
    case TokenKind::kQuotedIdentifier:
      return ParseWordExpr();
    default:
      return Expected("expression");
  }
}

absl::StatusOr<ExprPtr> Parser::ParseParenthesized() {
  if (PeekWord("SELECT", 1) || PeekWord("WITH", 1)) return ParseSubqueryExpr();
  SourcePos pos = tokens_.Take().pos;
  MUA_ASSIGN_OR_RETURN(ExprPtr first, ParseExpr());
  if (first->kind == ExprKind::kSubquery && PeekWord("UNION")) {
    // ((SELECT ...) UNION ALL (SELECT ...)): the subquery was the first operand.
    Nesting nesting(this);
    MUA_RETURN_IF_ERROR(CheckNesting());
    auto subquery = std::make_unique<SubqueryExpr>(pos);
    MUA_ASSIGN_OR_RETURN(subquery->query,
                         ParseUnionRest(std::move(first->As<SubqueryExpr>().query)));
    MUA_RETURN_IF_ERROR(Expect(TokenKind::kRParen));
    MUA_RETURN_IF_ERROR(Finish(*subquery));
    return subquery;
  }
  if (tokens_.Peek().kind == TokenKind::kRParen) {
    tokens_.Take();
    return first;
  }
  if (tokens_.Peek().kind != TokenKind::kComma) return Expected("',' or ')'");
  auto tuple = std::make_unique<TupleExpr>(pos);
  tuple->elements.push_back(std::move(first));
  while (tokens_.Peek().kind == TokenKind::kComma) {
    tokens_.Take();
    MUA_ASSIGN_OR_RETURN(ExprPtr element, ParseExpr());
    tuple->elements.push_back(std::move(element));
  }
  if (tokens_.Peek().kind != TokenKind::kRParen) return Expected("',' or ')'");
  tokens_.Take();
  MUA_RETURN_IF_ERROR(Finish(*tuple));
  return tuple;
}

absl::StatusOr<ExprPtr> Parser::ParseSubqueryExpr() {
  auto subquery = std::make_unique<SubqueryExpr>(tokens_.Take().pos);
  MUA_ASSIGN_OR_RETURN(subquery->query, ParseSelectQuery());
  MUA_RETURN_IF_ERROR(Expect(TokenKind::kRParen));
  MUA_RETURN_IF_ERROR(Finish(*subquery));
  return subquery;
}

absl::StatusOr<ExprPtr> Parser::ParseArray() {
  auto array = std::make_unique<ArrayExpr>(tokens_.Take().pos);
  if (tokens_.Peek().kind == TokenKind::kRBracket) {
    tokens_.Take();
    return array;
  }
  while (true) {
    MUA_ASSIGN_OR_RETURN(ExprPtr element, ParseExpr());
    array->elements.push_back(std::move(element));
    TokenKind kind = tokens_.Peek().kind;
    if (kind != TokenKind::kComma && kind != TokenKind::kRBracket) return Expected("',' or ']'");
    tokens_.Take();
    if (kind == TokenKind::kRBracket) break;
  }
  MUA_RETURN_IF_ERROR(Finish(*array));
  return array;
}

absl::StatusOr<ExprPtr> Parser::ParseWordExpr() {
  const Token& token = tokens_.Peek();
  if (token.kind == TokenKind::kWord) {
    if (IsWord(token, "NULL") || IsWord(token, "TRUE") || IsWord(token, "FALSE")) {
      Token word = tokens_.Take();
      auto literal = std::make_unique<LiteralExpr>(word.pos);
      literal->literal_kind = IsWord(word, "NULL") ? LiteralKind::kNull : LiteralKind::kBool;
      literal->bool_value = IsWord(word, "TRUE");
      return literal;
    }
    if (IsWord(token, "INF") || IsWord(token, "NAN")) {
      Token word = tokens_.Take();
      return NumberLiteral(word, /*negate=*/false, word.pos);
    }
    if (IsWord(token, "CASE")) return ParseCase();
    if (IsWord(token, "INTERVAL")) return ParseInterval();
    if (IsWord(token, "CAST") && tokens_.Peek(1).kind == TokenKind::kLParen) return ParseCast();
    if (IsWord(token, "EXTRACT") && tokens_.Peek(1).kind == TokenKind::kLParen &&
        ExtractFunction(tokens_.Peek(2)) != nullptr && IsWord(tokens_.Peek(3), "FROM")) {
      auto function = std::make_unique<FunctionExpr>(tokens_.Take().pos);
      tokens_.Take();  // (
      function->name = ExtractFunction(tokens_.Take());
      tokens_.Take();  // FROM
      MUA_ASSIGN_OR_RETURN(ExprPtr operand, ParseExpr());
      function->args.push_back(std::move(operand));
      MUA_RETURN_IF_ERROR(Expect(TokenKind::kRParen));
      MUA_RETURN_IF_ERROR(Finish(*function));
      return function;
    }
    // EXISTS (SELECT ...) is exists((SELECT ...)), as ClickHouse's parser reads it.
    if (IsWord(token, "EXISTS") && tokens_.Peek(1).kind == TokenKind::kLParen &&
        (IsWord(tokens_.Peek(2), "SELECT") || IsWord(tokens_.Peek(2), "WITH"))) {
      auto function = std::make_unique<FunctionExpr>(tokens_.Take().pos);
      function->name = "exists";
      MUA_ASSIGN_OR_RETURN(ExprPtr subquery, ParseSubqueryExpr());
      function->args.push_back(std::move(subquery));
      MUA_RETURN_IF_ERROR(Finish(*function));
      return function;
    }
    bool call = tokens_.Peek(1).kind == TokenKind::kLParen;
    // OFFSET only ends a clause after LIMIT, so where an expression starts it is a
    // column (events_rejected.offset), as in ClickHouse.
    if ((IsFunctionKeyword(token.text) || (!call && IsReservedWord(token.text))) &&
        !IsWord(token, "OFFSET")) {
      return Expected("expression");
    }
  }
  Token name = tokens_.Take();
  if (tokens_.Peek().kind == TokenKind::kLParen) {
    return ParseFunctionCall(std::move(name.value), name.pos);
  }
  // `t.1` is a tuple element (ParsePostfix), not a table's column.
  if (tokens_.Peek().kind != TokenKind::kDot || tokens_.Peek(1).kind == TokenKind::kInteger) {
    auto column = std::make_unique<ColumnExpr>(name.pos);
    column->name = std::move(name.value);
    return column;
  }
  tokens_.Take();
  if (tokens_.Peek().kind == TokenKind::kStar) {
    tokens_.Take();
    auto star = std::make_unique<StarExpr>(name.pos);
    star->table = std::move(name.value);
    return star;
  }
  if (!IsName(tokens_.Peek())) return Expected("column name or '*'");
  auto column = std::make_unique<ColumnExpr>(name.pos);
  column->table = std::move(name.value);
  column->name = tokens_.Take().value;
  return column;
}

absl::StatusOr<ExprPtr> Parser::ParseFunctionCall(std::string name, SourcePos pos) {
  auto function = std::make_unique<FunctionExpr>(pos);
  function->name = std::move(name);
  MUA_RETURN_IF_ERROR(ParseArguments(&function->args, &function->distinct));
  if (tokens_.Peek().kind == TokenKind::kLParen) {
    if (function->distinct) {
      return ErrorAt(tokens_.Peek(), absl::StrCat("DISTINCT belongs in the arguments of '",
                                                  function->name, "', not its parameters"));
    }
    function->parametric = true;
    function->parameters = std::move(function->args);
    function->args.clear();
    MUA_RETURN_IF_ERROR(ParseArguments(&function->args, &function->distinct));
  }
  // f(x) FILTER (WHERE cond) is fIf(x, cond), as ClickHouse's parser rewrites it.
  if (PeekWord("FILTER") && tokens_.Peek(1).kind == TokenKind::kLParen &&
      IsWord(tokens_.Peek(2), "WHERE")) {
    tokens_.Take();
    tokens_.Take();
    tokens_.Take();
    MUA_ASSIGN_OR_RETURN(ExprPtr condition, ParseExpr());
    MUA_RETURN_IF_ERROR(Expect(TokenKind::kRParen));
    function->name += "If";
    function->args.push_back(std::move(condition));
  }
  if (PeekWord("OVER")) MUA_RETURN_IF_ERROR(ParseOver(function.get()));
  UnitArgumentToString(function.get());
  MUA_RETURN_IF_ERROR(Finish(*function));
  return function;
}

absl::Status Parser::ParseArguments(std::vector<ExprPtr>* args, bool* distinct) {
  MUA_RETURN_IF_ERROR(Expect(TokenKind::kLParen));
  if (tokens_.Peek().kind == TokenKind::kRParen) {
    tokens_.Take();
    return absl::OkStatus();
  }
  if (PeekWord("DISTINCT") && tokens_.Peek(1).kind != TokenKind::kFatArrow) {
    tokens_.Take();
    *distinct = true;
  }
  while (true) {
    MUA_ASSIGN_OR_RETURN(ExprPtr arg, ParseArgument());
    args->push_back(std::move(arg));
    TokenKind kind = tokens_.Peek().kind;
    if (kind == TokenKind::kArrow) {
      return ErrorAt(tokens_.Peek(),
                     "a lambda's parameters must be plain names: x -> ..., (x, y) -> ...");
    }
    if (kind != TokenKind::kComma && kind != TokenKind::kRParen) return Expected("',' or ')'");
    tokens_.Take();
    if (kind == TokenKind::kRParen) return absl::OkStatus();
  }
}

absl::StatusOr<ExprPtr> Parser::ParseArgument() {
  if (LambdaStart() > 0) return ParseLambda();
  if (!IsName(tokens_.Peek()) || tokens_.Peek(1).kind != TokenKind::kFatArrow) return ParseExpr();
  Token name = tokens_.Take();
  tokens_.Take();
  auto named = std::make_unique<NamedArgumentExpr>(name.pos);
  named->name = std::move(name.value);
  MUA_ASSIGN_OR_RETURN(named->value, ParseExpr());
  MUA_RETURN_IF_ERROR(Finish(*named));
  return named;
}

absl::StatusOr<ExprPtr> Parser::ParseCase() {
  auto node = std::make_unique<CaseExpr>(tokens_.Take().pos);
  if (!PeekWord("WHEN")) {
    MUA_ASSIGN_OR_RETURN(node->operand, ParseExpr());
  }
  while (TakeWord("WHEN")) {
    CaseBranch branch;
    MUA_ASSIGN_OR_RETURN(branch.when, ParseExpr());
    MUA_RETURN_IF_ERROR(ExpectWord("THEN"));
    MUA_ASSIGN_OR_RETURN(branch.then, ParseExpr());
    node->branches.push_back(std::move(branch));
  }
  if (node->branches.empty()) return Expected("WHEN");
  if (TakeWord("ELSE")) {
    MUA_ASSIGN_OR_RETURN(node->else_result, ParseExpr());
  }
  MUA_RETURN_IF_ERROR(ExpectWord("END"));
  MUA_RETURN_IF_ERROR(Finish(*node));
  return node;
}

absl::StatusOr<ExprPtr> Parser::ParseCast() {
  Token cast_word = tokens_.Take();
  tokens_.Take();  // (
  MUA_ASSIGN_OR_RETURN(ExprPtr operand, ParseExpr());
  if (TakeWord("AS")) {
    auto cast = std::make_unique<CastExpr>(cast_word.pos);
    cast->operand = std::move(operand);
    MUA_RETURN_IF_ERROR(ParseType(&cast->type));
    MUA_RETURN_IF_ERROR(Expect(TokenKind::kRParen));
    MUA_RETURN_IF_ERROR(Finish(*cast));
    return cast;
  }
  if (tokens_.Peek().kind != TokenKind::kComma) return Expected("AS or ','");
  // CAST(x, 'Type') is an ordinary function call.
  auto function = std::make_unique<FunctionExpr>(cast_word.pos);
  function->name = std::move(cast_word.value);
  function->args.push_back(std::move(operand));
  while (tokens_.Peek().kind == TokenKind::kComma) {
    tokens_.Take();
    MUA_ASSIGN_OR_RETURN(ExprPtr arg, ParseArgument());
    function->args.push_back(std::move(arg));
  }
  MUA_RETURN_IF_ERROR(tokens_.Peek().kind == TokenKind::kRParen ? absl::OkStatus()
                                                                : Expected("',' or ')'"));
  tokens_.Take();
  MUA_RETURN_IF_ERROR(Finish(*function));
  return function;
}

absl::StatusOr<ExprPtr> Parser::ParseInterval() {
  Nesting nesting(this);
  MUA_RETURN_IF_ERROR(CheckNesting());
  SourcePos pos = tokens_.Take().pos;
  const Token& next = tokens_.Peek();
  bool unit_follows = tokens_.Peek(1).kind == TokenKind::kWord &&
                      ParseIntervalUnit(tokens_.Peek(1).text).has_value();
  if (next.kind == TokenKind::kString && !unit_follows) {
    Token text = tokens_.Take();
    return ParseIntervalString(text, pos);
  }
  auto interval = std::make_unique<IntervalExpr>(pos);
  MUA_ASSIGN_OR_RETURN(interval->value, ParseUnary());
  const Token& unit = tokens_.Peek();
  std::optional<IntervalUnit> parsed =
      unit.kind == TokenKind::kWord ? ParseIntervalUnit(unit.text) : std::nullopt;
  if (!parsed.has_value()) {
    return Expected("interval unit (SECOND, MINUTE, HOUR, DAY, WEEK, MONTH, QUARTER or YEAR)");
  }
  tokens_.Take();
  interval->unit = *parsed;
  MUA_RETURN_IF_ERROR(Finish(*interval));
  return interval;
}

// INTERVAL '1 day', '-2 hours', '3 MONTH'.
absl::StatusOr<ExprPtr> Parser::ParseIntervalString(const Token& text, SourcePos pos) {
  absl::string_view rest = absl::StripAsciiWhitespace(text.value);
  bool negative = absl::ConsumePrefix(&rest, "-");
  size_t digits = 0;
  while (digits < rest.size() && absl::ascii_isdigit(static_cast<unsigned char>(rest[digits]))) {
    ++digits;
  }
  Token number;
  number.kind = TokenKind::kInteger;
  bool valid = digits > 0 && absl::SimpleAtoi(rest.substr(0, digits), &number.uint_value);
  std::optional<IntervalUnit> unit =
      valid ? ParseIntervalUnit(absl::StripAsciiWhitespace(rest.substr(digits))) : std::nullopt;
  if (!unit.has_value()) {
    return ErrorAt(text, absl::StrCat("invalid interval ", DescribeToken(text),
                                      ": expected '<number> <unit>' such as '1 day'"));
  }
  auto interval = std::make_unique<IntervalExpr>(pos);
  interval->value = NumberLiteral(number, negative, text.pos);
  interval->unit = *unit;
  MUA_RETURN_IF_ERROR(Finish(*interval));
  return interval;
}

// Type names are kept as normalized text: Nullable(String), Decimal(10, 2),
// DateTime('UTC'), Enum8('a' = 1), Tuple(a UInt8, b String).
absl::Status Parser::ParseType(std::string* out) {
  Nesting nesting(this);
  MUA_RETURN_IF_ERROR(CheckNesting());
  if (!IsName(tokens_.Peek())) return Expected("type name");
  Token name = tokens_.Take();
  *out += name.kind == TokenKind::kWord ? name.value : QuoteIdentifier(name.value);
  if (tokens_.Peek().kind != TokenKind::kLParen) return absl::OkStatus();
  tokens_.Take();
  *out += '(';
  if (tokens_.Peek().kind != TokenKind::kRParen) {
    while (true) {
      MUA_RETURN_IF_ERROR(ParseTypeArgument(out));
      if (tokens_.Peek().kind != TokenKind::kComma) break;
      tokens_.Take();
      *out += ", ";
    }
  }
  MUA_RETURN_IF_ERROR(tokens_.Peek().kind == TokenKind::kRParen ? absl::OkStatus()
                                                                : Expected("',' or ')'"));
  tokens_.Take();
  *out += ')';
  return absl::OkStatus();
}

absl::Status Parser::ParseTypeArgument(std::string* out) {
  const Token& token = tokens_.Peek();
  auto take_number = [this, out]() -> absl::Status {
    if (tokens_.Peek().kind == TokenKind::kMinus) absl::StrAppend(out, tokens_.Take().text);
    TokenKind kind = tokens_.Peek().kind;
    if (kind != TokenKind::kInteger && kind != TokenKind::kFloat) return Expected("number");
    absl::StrAppend(out, tokens_.Take().text);
    return absl::OkStatus();
  };
  if (token.kind == TokenKind::kMinus || token.kind == TokenKind::kInteger ||
      token.kind == TokenKind::kFloat) {
    return take_number();
  }
  if (token.kind == TokenKind::kString) {
    *out += QuoteString(tokens_.Take().value);
    if (tokens_.Peek().kind != TokenKind::kEquals) return absl::OkStatus();
    tokens_.Take();
    *out += " = ";
    return take_number();
  }
  if (!IsName(token)) return Expected("type argument");
  if (IsName(tokens_.Peek(1))) {  // a named element: Tuple(a UInt8)
    Token field = tokens_.Take();
    absl::StrAppend(
        out, field.kind == TokenKind::kWord ? field.value : QuoteIdentifier(field.value), " ");
  }
  return ParseType(out);
}

}  // namespace mua::sql_internal
