// FROM: tables, subqueries and table functions joined into a left-deep tree,
// then ARRAY JOIN clauses.
#include <algorithm>
#include <optional>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "sql/internal/keywords.h"
#include "sql/internal/parser_impl.h"
#include "storage/base/status_macros.h"

namespace mua::sql_internal {
namespace {

uint32_t HeightOf(const ExprPtr& expr) { return expr == nullptr ? 0 : expr->height; }

std::optional<JoinStrictness> StrictnessWord(const Token& token) {
  if (token.kind != TokenKind::kWord) return std::nullopt;
  if (absl::EqualsIgnoreCase(token.text, "ALL")) return JoinStrictness::kAll;
  if (absl::EqualsIgnoreCase(token.text, "ANY")) return JoinStrictness::kAny;
  if (absl::EqualsIgnoreCase(token.text, "SEMI")) return JoinStrictness::kSemi;
  if (absl::EqualsIgnoreCase(token.text, "ANTI")) return JoinStrictness::kAnti;
  return std::nullopt;
}

std::optional<JoinKind> KindWord(const Token& token) {
  if (token.kind != TokenKind::kWord) return std::nullopt;
  if (absl::EqualsIgnoreCase(token.text, "INNER")) return JoinKind::kInner;
  if (absl::EqualsIgnoreCase(token.text, "LEFT")) return JoinKind::kLeft;
  if (absl::EqualsIgnoreCase(token.text, "RIGHT")) return JoinKind::kRight;
  if (absl::EqualsIgnoreCase(token.text, "FULL")) return JoinKind::kFull;
  if (absl::EqualsIgnoreCase(token.text, "CROSS")) return JoinKind::kCross;
  return std::nullopt;
}

}  // namespace

absl::Status Parser::ParseFrom(SelectCore* core) {
  MUA_ASSIGN_OR_RETURN(std::unique_ptr<TableRef> tree, ParseTableFactor());
  while (PeekJoin()) MUA_RETURN_IF_ERROR(ParseJoin(&tree));
  core->from.emplace(std::move(*tree));
  return absl::OkStatus();
}

// Whether a join continues the FROM clause here (LEFT ARRAY JOIN does not).
bool Parser::PeekJoin() {
  const Token& token = tokens_.Peek();
  if (token.kind == TokenKind::kComma) return true;
  if (token.kind != TokenKind::kWord) return false;
  if (PeekWord("LEFT") && PeekWord("ARRAY", 1)) return false;
  for (absl::string_view word : {"JOIN", "GLOBAL", "ASOF", "PASTE"}) {
    if (PeekWord(word)) return true;
  }
  return StrictnessWord(token).has_value() || KindWord(token).has_value();
}

absl::StatusOr<std::unique_ptr<TableRef>> Parser::ParseTableFactor() {
  auto ref = std::make_unique<TableRef>();
  ref->pos = tokens_.Peek().pos;
  const Token& token = tokens_.Peek();
  if (token.kind == TokenKind::kLParen) {
    if (!QueryStartsAt(0)) {
      tokens_.Take();
      return Expected("SELECT");
    }
    tokens_.Take();
    ref->kind = TableRefKind::kSubquery;
    MUA_ASSIGN_OR_RETURN(ref->subquery, ParseSelectQuery());
    MUA_RETURN_IF_ERROR(Expect(TokenKind::kRParen));
    ref->height = ref->subquery->height + 1;
  } else if (TokenIsName(token) && tokens_.Peek(1).kind == TokenKind::kLParen) {
    if (token.kind == TokenKind::kWord && IsFunctionKeyword(token.text)) {
      return Expected("table name");
    }
    Token name = tokens_.Take();
    ref->kind = TableRefKind::kFunction;
    MUA_ASSIGN_OR_RETURN(ref->function, ParseFunctionCall(std::move(name.value), name.pos));
    ref->height = ref->function->height + 1;
  } else {
    MUA_ASSIGN_OR_RETURN(TableName name, ParseTableName("table name"));
    ref->database = std::move(name.database);
    ref->table = std::move(name.table);
  }
  MUA_RETURN_IF_ERROR(CheckHeight(ref->height, ref->pos));
  for (absl::string_view word : {"FINAL", "SAMPLE"}) {
    if (PeekWord(word)) {
      return ErrorAt(tokens_.Peek(),
                     absl::StrCat(absl::AsciiStrToUpper(word),
                                  " is not supported (MUA tables are not MergeTree tables)"));
    }
  }
  MUA_RETURN_IF_ERROR(ParseOptionalAlias(&ref->alias));
  return ref;
}

// `, right` | `[GLOBAL] [strictness] [kind [OUTER]] [strictness] JOIN right condition`.
absl::Status Parser::ParseJoin(std::unique_ptr<TableRef>* tree) {
  auto join = std::make_unique<TableRef>();
  join->kind = TableRefKind::kJoin;
  join->pos = tokens_.Peek().pos;
  if (tokens_.Peek().kind == TokenKind::kComma) {
    tokens_.Take();
    join->join_kind = JoinKind::kCross;
    join->comma = true;
  } else {
    join->global = TakeWord("GLOBAL");
    if (PeekWord("ASOF") || PeekWord("PASTE")) {
      return ErrorAt(tokens_.Peek(),
                     absl::StrCat(absl::AsciiStrToUpper(tokens_.Peek().text), " JOIN is not supported"));
    }
    std::optional<JoinStrictness> strictness = StrictnessWord(tokens_.Peek());
    if (strictness.has_value()) tokens_.Take();
    if (std::optional<JoinKind> kind = KindWord(tokens_.Peek()); kind.has_value()) {
      tokens_.Take();
      join->join_kind = *kind;
      if (*kind == JoinKind::kLeft || *kind == JoinKind::kRight || *kind == JoinKind::kFull) {
        TakeWord("OUTER");
      }
    }
    if (!strictness.has_value()) {
      if (PeekWord("ASOF")) return ErrorAt(tokens_.Peek(), "ASOF JOIN is not supported");
      strictness = StrictnessWord(tokens_.Peek());
      if (strictness.has_value()) tokens_.Take();
    }
    join->strictness = strictness.value_or(JoinStrictness::kDefault);
    if (!PeekWord("JOIN")) return Expected("JOIN");
    join->pos = tokens_.Take().pos;
    if (join->join_kind == JoinKind::kCross && join->strictness != JoinStrictness::kDefault) {
      return MakeSqlError(absl::StatusCode::kInvalidArgument, join->pos,
                          absl::StrCat("CROSS JOIN takes no strictness (",
                                       JoinStrictnessSql(join->strictness), ")"));
    }
  }
  if (PeekWord("ARRAY")) return ErrorAt(tokens_.Peek(), "expected a table, found ARRAY");
  MUA_ASSIGN_OR_RETURN(join->right, ParseTableFactor());
  if (join->join_kind != JoinKind::kCross) MUA_RETURN_IF_ERROR(ParseJoinCondition(join.get()));
  join->left = std::move(*tree);
  uint32_t height = std::max(join->left->height, join->right->height);
  height = std::max(height, HeightOf(join->on));
  for (const ExprPtr& column : join->using_columns) height = std::max(height, HeightOf(column));
  join->height = height + 1;
  MUA_RETURN_IF_ERROR(CheckHeight(join->height, join->pos));
  *tree = std::move(join);
  return absl::OkStatus();
}

// ON expr | USING (a, b) | USING a, b
absl::Status Parser::ParseJoinCondition(TableRef* join) {
  if (TakeWord("ON")) {
    MUA_ASSIGN_OR_RETURN(join->on, ParseExpr());
    return absl::OkStatus();
  }
  if (!TakeWord("USING")) return Expected("ON or USING");
  bool parenthesized = tokens_.Peek().kind == TokenKind::kLParen;
  if (parenthesized) tokens_.Take();
  while (true) {
    const Token& token = tokens_.Peek();
    auto column = std::make_unique<ColumnExpr>(token.pos);
    MUA_ASSIGN_OR_RETURN(column->name, ParseName("column name"));
    join->using_columns.push_back(std::move(column));
    // ClickHouse reads a list after USING with or without parentheses: USING a, b is two keys
    // (so no comma join can follow an unparenthesized USING).
    if (tokens_.Peek().kind != TokenKind::kComma) break;
    tokens_.Take();
  }
  if (parenthesized) MUA_RETURN_IF_ERROR(Expect(TokenKind::kRParen));
  return absl::OkStatus();
}

// [LEFT] ARRAY JOIN expr [AS alias], ... ; repeated.
absl::Status Parser::ParseArrayJoins(SelectCore* core) {
  while (PeekWord("ARRAY") || (PeekWord("LEFT") && PeekWord("ARRAY", 1))) {
    ArrayJoinClause clause;
    clause.pos = tokens_.Peek().pos;
    clause.left = TakeWord("LEFT");
    tokens_.Take();  // ARRAY
    MUA_RETURN_IF_ERROR(ExpectWord("JOIN"));
    do {
      MUA_RETURN_IF_ERROR(ParseSelectItem(&clause.items));
    } while (tokens_.Peek().kind == TokenKind::kComma && (tokens_.Take(), true));
    core->array_joins.push_back(std::move(clause));
  }
  if (!core->array_joins.empty() && tokens_.Peek().kind != TokenKind::kComma && PeekJoin()) {
    return ErrorAt(tokens_.Peek(), absl::StrCat("unexpected ", DescribeToken(tokens_.Peek()),
                                                ": a JOIN cannot follow ARRAY JOIN (write the "
                                                "joins first)"));
  }
  return absl::OkStatus();
}

}  // namespace mua::sql_internal
