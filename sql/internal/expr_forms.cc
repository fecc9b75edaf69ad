// Expression forms beyond operators: lambdas, window functions (OVER), query
// parameters {name:Type}, tuple access t.1, and interval-unit arguments.
#include <optional>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "sql/internal/keywords.h"
#include "sql/internal/parser_impl.h"
#include "sql/internal/precedence.h"
#include "storage/base/status_macros.h"

namespace mua::sql_internal {
namespace {

// A lambda's parameter list longer than this is not looked for (nor plausible).
constexpr size_t kMaxLambdaParams = 64;

bool IsPlainName(const Token& token) {
  return token.kind == TokenKind::kQuotedIdentifier ||
         (token.kind == TokenKind::kWord && !IsReservedWord(token.text));
}

// ClickHouse's interval unit spellings (parseIntervalKind) to the unit names its
// date functions take as strings.
std::optional<absl::string_view> CanonicalUnit(absl::string_view word) {
  struct Unit {
    absl::string_view name;
    std::initializer_list<absl::string_view> spellings;
  };
  static const Unit kUnits[] = {
      {"nanosecond", {"NANOSECOND", "NANOSECONDS", "SQL_TSI_NANOSECOND", "NS"}},
      {"microsecond", {"MICROSECOND", "MICROSECONDS", "SQL_TSI_MICROSECOND", "MCS"}},
      {"millisecond", {"MILLISECOND", "MILLISECONDS", "SQL_TSI_MILLISECOND", "MS"}},
      {"second", {"SECOND", "SECONDS", "SQL_TSI_SECOND", "SS", "S"}},
      {"minute", {"MINUTE", "MINUTES", "SQL_TSI_MINUTE", "MI", "N"}},
      {"hour", {"HOUR", "HOURS", "SQL_TSI_HOUR", "HH", "H"}},
      {"day", {"DAY", "DAYS", "SQL_TSI_DAY", "DD", "D"}},
      {"week", {"WEEK", "WEEKS", "SQL_TSI_WEEK", "WK", "WW"}},
      {"month", {"MONTH", "MONTHS", "SQL_TSI_MONTH", "MM", "M"}},
      {"quarter", {"QUARTER", "QUARTERS", "SQL_TSI_QUARTER", "QQ", "Q"}},
      {"year", {"YEAR", "YEARS", "SQL_TSI_YEAR", "YYYY", "YY"}},
  };
  for (const Unit& unit : kUnits) {
    for (absl::string_view spelling : unit.spellings) {
      if (absl::EqualsIgnoreCase(word, spelling)) return unit.name;
    }
  }
  return std::nullopt;
}

// Functions whose first argument may be a bare unit, with their argument counts
// in that form: dateAdd(day, 1, d), dateDiff(day, a, b[, zone]).
bool TakesUnitArgument(absl::string_view name, size_t args) {
  for (absl::string_view function : {"dateAdd", "date_add", "dateSub", "date_sub", "timestampAdd",
                                     "timestamp_add", "timestampSub", "timestamp_sub"}) {
    if (absl::EqualsIgnoreCase(name, function)) return args == 3;
  }
  for (absl::string_view function :
       {"dateDiff", "date_diff", "timestampDiff", "timestamp_diff", "age"}) {
    if (absl::EqualsIgnoreCase(name, function)) return args == 3 || args == 4;
  }
  return false;
}

// Whether a parameter of `type` reads its value as escaped text (\t, \n, \\):
// ClickHouse reads every value in the escaped (TSV) format; for the string types that
// format is the unescaping, for the others CAST's own text parsing is the same.
bool IsStringType(absl::string_view type) {
  absl::ConsumePrefix(&type, "Nullable(");
  absl::ConsumePrefix(&type, "LowCardinality(");
  absl::ConsumePrefix(&type, "Nullable(");
  return absl::StartsWith(type, "String") || absl::StartsWith(type, "FixedString(");
}

std::string UnescapeText(absl::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '\\' || i + 1 == text.size()) {
      out.push_back(text[i]);
      continue;
    }
    char c = text[++i];
    switch (c) {
      case 'b': out.push_back('\b'); break;
      case 'f': out.push_back('\f'); break;
      case 'n': out.push_back('\n'); break;
      case 'r': out.push_back('\r'); break;
      case 't': out.push_back('\t'); break;
      case '0': out.push_back('\0'); break;
      default: out.push_back(c); break;
    }
  }
  return out;
}

}  // namespace

size_t Parser::LambdaStart() {
  if (IsPlainName(tokens_.Peek()) && tokens_.Peek(1).kind == TokenKind::kArrow) return 1;
  if (tokens_.Peek().kind != TokenKind::kLParen) return 0;
  // ( name [, name]* ) ->
  size_t at = 1;
  for (size_t params = 0; params < kMaxLambdaParams; ++params) {
    if (!IsPlainName(tokens_.Peek(at))) return 0;
    TokenKind next = tokens_.Peek(at + 1).kind;
    if (next == TokenKind::kRParen) {
      return tokens_.Peek(at + 2).kind == TokenKind::kArrow ? at + 2 : 0;
    }
    if (next != TokenKind::kComma) return 0;
    at += 2;
  }
  return 0;
}

absl::StatusOr<ExprPtr> Parser::ParseLambda() {
  Nesting nesting(this);
  MUA_RETURN_IF_ERROR(CheckNesting());
  auto lambda = std::make_unique<LambdaExpr>(tokens_.Peek().pos);
  bool parenthesized = tokens_.Peek().kind == TokenKind::kLParen;
  if (parenthesized) tokens_.Take();
  while (true) {
    Token name = tokens_.Take();
    for (const std::string& param : lambda->params) {
      if (param == name.value) {
        return ErrorAt(name, absl::StrCat("lambda parameter '", name.value, "' is repeated"));
      }
    }
    lambda->params.push_back(std::move(name.value));
    if (!parenthesized || tokens_.Take().kind == TokenKind::kRParen) break;
  }
  tokens_.Take();  // ->
  MUA_ASSIGN_OR_RETURN(lambda->body, ParseExpr());
  MUA_RETURN_IF_ERROR(Finish(*lambda));
  return lambda;
}

// OVER w | OVER (spec)
absl::Status Parser::ParseOver(FunctionExpr* function) {
  tokens_.Take();
  auto spec = std::make_unique<WindowSpec>();
  spec->pos = tokens_.Peek().pos;
  if (tokens_.Peek().kind == TokenKind::kLParen) {
    MUA_RETURN_IF_ERROR(ParseWindowSpec(spec.get()));
  } else {
    MUA_ASSIGN_OR_RETURN(spec->base, ParseName("window name or '('"));
  }
  function->over = std::move(spec);
  return absl::OkStatus();
}

// ( [base] [PARTITION BY exprs] [ORDER BY items] [frame] )
absl::Status Parser::ParseWindowSpec(WindowSpec* spec) {
  Nesting nesting(this);
  MUA_RETURN_IF_ERROR(CheckNesting());
  spec->pos = tokens_.Take().pos;
  const Token& first = tokens_.Peek();
  if (IsPlainName(first) && !PeekWord("PARTITION") && !PeekWord("ORDER") && !PeekWord("ROWS") &&
      !PeekWord("RANGE") && !PeekWord("GROUPS")) {
    spec->base = tokens_.Take().value;
  }
  if (TakeWord("PARTITION")) {
    MUA_RETURN_IF_ERROR(ExpectWord("BY"));
    MUA_RETURN_IF_ERROR(ParseExprList(&spec->partition_by));
  }
  if (TakeWord("ORDER")) {
    MUA_RETURN_IF_ERROR(ExpectWord("BY"));
    MUA_RETURN_IF_ERROR(ParseOrderBy(&spec->order_by));
  }
  if (PeekWord("ROWS") || PeekWord("RANGE") || PeekWord("GROUPS")) {
    MUA_RETURN_IF_ERROR(ParseFrame(spec));
  }
  if (tokens_.Peek().kind != TokenKind::kRParen) {
    return Expected(spec->frame.has_value() ? "')'" : "PARTITION BY, ORDER BY, ROWS, RANGE or ')'");
  }
  tokens_.Take();
  return absl::OkStatus();
}

// ROWS|RANGE BETWEEN bound AND bound | ROWS|RANGE bound (to CURRENT ROW)
absl::Status Parser::ParseFrame(WindowSpec* spec) {
  if (PeekWord("GROUPS")) return ErrorAt(tokens_.Peek(), "GROUPS frames are not supported");
  WindowFrame& frame = spec->frame.emplace();
  frame.pos = tokens_.Peek().pos;
  frame.units = TakeWord("ROWS") ? WindowFrameUnits::kRows : (tokens_.Take(), WindowFrameUnits::kRange);
  if (TakeWord("BETWEEN")) {
    MUA_RETURN_IF_ERROR(ParseFrameBound(&frame.start));
    MUA_RETURN_IF_ERROR(ExpectWord("AND"));
    SourcePos end_pos = tokens_.Peek().pos;
    MUA_RETURN_IF_ERROR(ParseFrameBound(&frame.end));
    if (frame.end.kind == FrameBoundKind::kUnboundedPreceding) {
      return MakeSqlError(absl::StatusCode::kInvalidArgument, end_pos,
                          "a frame cannot end at UNBOUNDED PRECEDING");
    }
  } else {
    MUA_RETURN_IF_ERROR(ParseFrameBound(&frame.start));
    frame.end.kind = FrameBoundKind::kCurrentRow;
  }
  if (frame.start.kind == FrameBoundKind::kUnboundedFollowing) {
    return MakeSqlError(absl::StatusCode::kInvalidArgument, frame.pos,
                        "a frame cannot start at UNBOUNDED FOLLOWING");
  }
  return absl::OkStatus();
}

// UNBOUNDED PRECEDING | UNBOUNDED FOLLOWING | CURRENT ROW | n PRECEDING | n FOLLOWING
absl::Status Parser::ParseFrameBound(FrameBound* bound) {
  if (TakeWord("UNBOUNDED")) {
    if (TakeWord("PRECEDING")) {
      bound->kind = FrameBoundKind::kUnboundedPreceding;
    } else if (TakeWord("FOLLOWING")) {
      bound->kind = FrameBoundKind::kUnboundedFollowing;
    } else {
      return Expected("PRECEDING or FOLLOWING");
    }
    return absl::OkStatus();
  }
  if (TakeWord("CURRENT")) {
    bound->kind = FrameBoundKind::kCurrentRow;
    return ExpectWord("ROW");
  }
  MUA_ASSIGN_OR_RETURN(bound->offset, ParseBinary(kPrecAdd));
  if (TakeWord("PRECEDING")) {
    bound->kind = FrameBoundKind::kPreceding;
  } else if (TakeWord("FOLLOWING")) {
    bound->kind = FrameBoundKind::kFollowing;
  } else {
    return Expected("PRECEDING or FOLLOWING");
  }
  return absl::OkStatus();
}

// {name:Type}: the value given for `name`, as CAST('<value>' AS Type); a name for
// Identifier. The value is never lexed as SQL.
absl::StatusOr<ExprPtr> Parser::ParseQueryParameter() {
  Token open = tokens_.Take();
  if (!TokenIsName(tokens_.Peek())) return Expected("parameter name");
  Token name = tokens_.Take();
  MUA_RETURN_IF_ERROR(Expect(TokenKind::kColon));
  std::string type;
  MUA_RETURN_IF_ERROR(ParseType(&type));
  MUA_RETURN_IF_ERROR(Expect(TokenKind::kRBrace));
  const std::string* value = nullptr;
  if (params_ != nullptr) {
    auto it = params_->find(name.value);
    if (it != params_->end()) value = &it->second;
  }
  if (value == nullptr) {
    return MakeSqlError(absl::StatusCode::kInvalidArgument, open.pos,
                        absl::StrCat("Substitution `", name.value, "` is not set"));
  }
  if (type == "Identifier") {
    auto column = std::make_unique<ColumnExpr>(open.pos);
    std::vector<std::string> parts = absl::StrSplit(*value, absl::MaxSplits('.', 1));
    if (parts.size() == 2) column->table = std::move(parts[0]);
    column->name = std::move(parts.back());
    if (column->name.empty()) {
      return MakeSqlError(absl::StatusCode::kInvalidArgument, open.pos,
                          absl::StrCat("Substitution `", name.value, "` is an empty identifier"));
    }
    return column;
  }
  auto literal = std::make_unique<LiteralExpr>(open.pos);
  if (absl::StartsWith(type, "Nullable(") && *value == "\\N") {
    literal->literal_kind = LiteralKind::kNull;  // \N is NULL in the escaped format
  } else {
    literal->literal_kind = LiteralKind::kString;
    literal->string_value = IsStringType(type) ? UnescapeText(*value) : *value;
  }
  auto cast = std::make_unique<CastExpr>(open.pos);
  cast->operand = std::move(literal);
  cast->type = std::move(type);
  MUA_RETURN_IF_ERROR(Finish(*cast));
  return cast;
}

// base.N is tupleElement(base, N).
absl::StatusOr<ExprPtr> Parser::TupleElement(ExprPtr base) {
  SourcePos pos = tokens_.Take().pos;
  Token index = tokens_.Take();
  auto function = std::make_unique<FunctionExpr>(pos);
  function->name = "tupleElement";
  auto literal = std::make_unique<LiteralExpr>(index.pos);
  literal->literal_kind = LiteralKind::kUInt64;
  literal->uint_value = index.uint_value;
  function->args.push_back(std::move(base));
  function->args.push_back(std::move(literal));
  MUA_RETURN_IF_ERROR(Finish(*function));
  return function;
}

// dateAdd(day, 1, d) -> dateAdd('day', 1, d), as ClickHouse reads the unit keyword.
void Parser::UnitArgumentToString(FunctionExpr* function) {
  if (function->parametric || !TakesUnitArgument(function->name, function->args.size())) {
    return;
  }
  const Expr& first = *function->args[0];
  if (first.kind != ExprKind::kColumn || !first.As<ColumnExpr>().table.empty()) return;
  std::optional<absl::string_view> unit = CanonicalUnit(first.As<ColumnExpr>().name);
  if (!unit.has_value()) return;
  auto literal = std::make_unique<LiteralExpr>(first.pos);
  literal->literal_kind = LiteralKind::kString;
  literal->string_value = std::string(*unit);
  function->args[0] = std::move(literal);
}

}  // namespace mua::sql_internal
