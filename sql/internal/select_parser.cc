// SELECT queries: set operations, the clauses of one SELECT, ORDER BY, LIMIT.
#include <algorithm>

#include "absl/strings/str_cat.h"
#include "sql/internal/keywords.h"
#include "sql/internal/parser_impl.h"
#include "storage/base/status_macros.h"

namespace mua::sql_internal {
namespace {

uint32_t HeightOf(const ExprPtr& expr) { return expr == nullptr ? 0 : expr->height; }
uint32_t HeightOf(const std::unique_ptr<SelectQuery>& query) {
  return query == nullptr ? 0 : query->height;
}

// Beyond this many '(' a parenthesized query is too deep anyway (kMaxNesting).
constexpr size_t kMaxQueryLookahead = kMaxNesting + 2;

}  // namespace

bool Parser::QueryStartsAt(size_t ahead) {
  for (size_t i = ahead; i < ahead + kMaxQueryLookahead; ++i) {
    if (tokens_.Peek(i).kind == TokenKind::kLParen) continue;
    return i > ahead && (PeekWord("SELECT", i) || PeekWord("WITH", i));
  }
  return false;
}

absl::StatusOr<std::unique_ptr<SelectQuery>> Parser::ParseSelectQuery() {
  Nesting nesting(this);
  MUA_RETURN_IF_ERROR(CheckNesting());
  auto query = std::make_unique<SelectQuery>();
  query->pos = tokens_.Peek().pos;
  MUA_RETURN_IF_ERROR(ParseUnionOperand(query.get()));
  return ParseUnionRest(std::move(query));
}

absl::StatusOr<std::unique_ptr<SelectQuery>> Parser::ParseUnionRest(
    std::unique_ptr<SelectQuery> first) {
  std::unique_ptr<SelectQuery> query = std::move(first);
  if (PeekWord("UNION") && query->cores.size() > 1) {
    // `(A UNION B) UNION C` where the parenthesized part came in whole: it is one operand.
    auto outer = std::make_unique<SelectQuery>();
    outer->pos = query->pos;
    AddOperand(outer.get(), std::move(query));
    query = std::move(outer);
  }
  std::vector<std::pair<size_t, SourcePos>> bare;
  while (PeekWord("UNION")) {
    SourcePos pos = tokens_.Take().pos;
    if (TakeWord("ALL")) {
      query->operators.push_back(SetOperator::kUnionAll);
    } else if (TakeWord("DISTINCT")) {
      query->operators.push_back(SetOperator::kUnionDistinct);
    } else {
      bare.emplace_back(query->operators.size(), pos);
      query->operators.push_back(SetOperator::kUnionAll);
    }
    MUA_RETURN_IF_ERROR(ParseUnionOperand(query.get()));
  }
  // The operators vector is complete: pointers into it stay valid.
  for (const auto& [index, pos] : bare) bare_unions_.emplace_back(&query->operators[index], pos);
  MUA_RETURN_IF_ERROR(FinishQuery(query.get()));
  return query;
}

absl::Status Parser::ParseUnionOperand(SelectQuery* query) {
  if (tokens_.Peek().kind != TokenKind::kLParen) {
    if (!PeekWord("SELECT") && !PeekWord("WITH")) return Expected("SELECT");
    return ParseSelectCore(&query->cores.emplace_back());
  }
  tokens_.Take();
  MUA_ASSIGN_OR_RETURN(std::unique_ptr<SelectQuery> operand, ParseSelectQuery());
  MUA_RETURN_IF_ERROR(Expect(TokenKind::kRParen));
  AddOperand(query, std::move(operand));
  return absl::OkStatus();
}

// A single SELECT in parentheses is an ordinary operand (its ORDER BY and LIMIT
// are its own either way); a set operation stays whole.
void Parser::AddOperand(SelectQuery* query, std::unique_ptr<SelectQuery> operand) {
  if (operand->cores.size() == 1) {
    query->cores.push_back(std::move(operand->cores[0]));
    return;
  }
  SelectCore& core = query->cores.emplace_back();
  core.pos = operand->pos;
  core.nested = std::move(operand);
}

absl::Status Parser::FinishQuery(SelectQuery* query) {
  query->height = QueryHeight(*query);
  return CheckHeight(query->height, query->pos);
}

uint32_t Parser::QueryHeight(const SelectQuery& query) const {
  uint32_t height = 0;
  auto add = [&height](uint32_t child) { height = std::max(height, child); };
  auto add_order = [&add](const std::vector<OrderItem>& items) {
    for (const OrderItem& item : items) {
      add(HeightOf(item.expr));
      add(HeightOf(item.fill_from));
      add(HeightOf(item.fill_to));
      add(HeightOf(item.fill_step));
    }
  };
  for (const SelectCore& core : query.cores) {
    add(HeightOf(core.nested));
    for (const WithItem& item : core.with) {
      add(HeightOf(item.expr));
      add(HeightOf(item.subquery));
    }
    for (const SelectItem& item : core.items) add(HeightOf(item.expr));
    if (core.from.has_value()) add(core.from->height);
    for (const ArrayJoinClause& clause : core.array_joins) {
      for (const SelectItem& item : clause.items) add(HeightOf(item.expr));
    }
    add(HeightOf(core.where));
    for (const ExprPtr& expr : core.group_by) add(HeightOf(expr));
    add(HeightOf(core.having));
    for (const NamedWindow& window : core.windows) {
      for (const ExprPtr& expr : window.spec.partition_by) add(HeightOf(expr));
      add_order(window.spec.order_by);
      if (window.spec.frame.has_value()) {
        add(HeightOf(window.spec.frame->start.offset));
        add(HeightOf(window.spec.frame->end.offset));
      }
    }
    add_order(core.order_by);
    add(HeightOf(core.limit_by_limit));
    add(HeightOf(core.limit_by_offset));
    for (const ExprPtr& expr : core.limit_by) add(HeightOf(expr));
    add(HeightOf(core.limit));
    add(HeightOf(core.offset));
  }
  return height + 1;
}

absl::Status Parser::ParseSelectCore(SelectCore* core) {
  core->pos = tokens_.Peek().pos;
  if (TakeWord("WITH")) {
    do {
      MUA_RETURN_IF_ERROR(ParseWithItem(core));
    } while (tokens_.Peek().kind == TokenKind::kComma && (tokens_.Take(), true));
  }
  MUA_RETURN_IF_ERROR(ExpectWord("SELECT"));
  core->distinct = TakeWord("DISTINCT");
  if (!core->distinct) TakeWord("ALL");
  do {
    MUA_RETURN_IF_ERROR(ParseSelectItem(&core->items));
  } while (tokens_.Peek().kind == TokenKind::kComma && (tokens_.Take(), true));
  if (TakeWord("FROM")) MUA_RETURN_IF_ERROR(ParseFrom(core));
  MUA_RETURN_IF_ERROR(ParseArrayJoins(core));
  if (TakeWord("PREWHERE")) {
    // PREWHERE only tells ClickHouse which columns to read first; the rows are WHERE's.
    MUA_ASSIGN_OR_RETURN(core->where, ParseExpr());
  }
  if (PeekWord("WHERE")) {
    SourcePos pos = tokens_.Take().pos;
    MUA_ASSIGN_OR_RETURN(ExprPtr where, ParseExpr());
    if (core->where == nullptr) {
      core->where = std::move(where);
    } else {
      auto both = std::make_unique<BinaryExpr>(pos);
      both->op = BinaryOp::kAnd;
      both->left = std::move(core->where);
      both->right = std::move(where);
      MUA_RETURN_IF_ERROR(Finish(*both));
      core->where = std::move(both);
    }
  }
  if (TakeWord("GROUP")) {
    MUA_RETURN_IF_ERROR(ExpectWord("BY"));
    MUA_RETURN_IF_ERROR(ParseExprList(&core->group_by));
  }
  if (PeekWord("WITH") && (PeekWord("ROLLUP", 1) || PeekWord("CUBE", 1))) {
    return ErrorAt(tokens_.Peek(1), absl::StrCat("WITH ", tokens_.Peek(1).text,
                                                 " is not supported (WITH TOTALS is)"));
  }
  if (PeekWord("WITH") && PeekWord("TOTALS", 1)) {
    tokens_.Take();
    tokens_.Take();
    core->with_totals = true;
  }
  if (TakeWord("HAVING")) {
    MUA_ASSIGN_OR_RETURN(core->having, ParseExpr());
  }
  if (TakeWord("WINDOW")) MUA_RETURN_IF_ERROR(ParseNamedWindows(core));
  if (PeekWord("QUALIFY")) return ErrorAt(tokens_.Peek(), "QUALIFY is not supported");
  if (TakeWord("ORDER")) {
    MUA_RETURN_IF_ERROR(ExpectWord("BY"));
    MUA_RETURN_IF_ERROR(ParseOrderBy(&core->order_by));
  }
  if (TakeWord("LIMIT")) MUA_RETURN_IF_ERROR(ParseLimit(core));
  return absl::OkStatus();
}

// `WITH name AS (SELECT ...)` or `WITH expr AS name`.
absl::Status Parser::ParseWithItem(SelectCore* core) {
  WithItem item;
  item.pos = tokens_.Peek().pos;
  const Token& first = tokens_.Peek();
  bool name_first = first.kind == TokenKind::kQuotedIdentifier ||
                    (first.kind == TokenKind::kWord && !IsReservedWord(first.text));
  if (name_first && PeekWord("AS", 1) && QueryStartsAt(2)) {
    item.name = tokens_.Take().value;
    tokens_.Take();  // AS
    tokens_.Take();  // (
    MUA_ASSIGN_OR_RETURN(item.subquery, ParseSelectQuery());
    MUA_RETURN_IF_ERROR(Expect(TokenKind::kRParen));
  } else {
    MUA_ASSIGN_OR_RETURN(item.expr, ParseExpr());
    MUA_RETURN_IF_ERROR(ExpectWord("AS"));
    MUA_ASSIGN_OR_RETURN(item.name, ParseName("name"));
  }
  core->with.push_back(std::move(item));
  return absl::OkStatus();
}

absl::Status Parser::ParseSelectItem(std::vector<SelectItem>* items) {
  SelectItem item;
  MUA_ASSIGN_OR_RETURN(item.expr, ParseExpr());
  item.alias_pos = tokens_.Peek().pos;
  if (TakeWord("AS")) {
    item.alias_pos = tokens_.Peek().pos;
    MUA_ASSIGN_OR_RETURN(item.alias, ParseName("alias"));
  } else if (TokenIsFreeName(tokens_.Peek())) {
    item.alias = tokens_.Take().value;
  }
  items->push_back(std::move(item));
  return absl::OkStatus();
}

absl::Status Parser::ParseOptionalAlias(std::string* alias) {
  if (TakeWord("AS")) {
    MUA_ASSIGN_OR_RETURN(*alias, ParseName("alias"));
  } else if (TokenIsFreeName(tokens_.Peek())) {
    *alias = tokens_.Take().value;
  }
  return absl::OkStatus();
}

absl::Status Parser::ParseOrderBy(std::vector<OrderItem>* order_by) {
  while (true) {
    OrderItem item;
    MUA_ASSIGN_OR_RETURN(item.expr, ParseExpr());
    if (TakeWord("DESC") || TakeWord("DESCENDING")) {
      item.descending = true;
    } else if (!TakeWord("ASC")) {
      TakeWord("ASCENDING");
    }
    if (TakeWord("NULLS")) {
      if (TakeWord("FIRST")) {
        item.nulls = NullsOrder::kFirst;
      } else if (TakeWord("LAST")) {
        item.nulls = NullsOrder::kLast;
      } else {
        return Expected("FIRST or LAST");
      }
    }
    if (PeekWord("COLLATE")) return ErrorAt(tokens_.Peek(), "COLLATE is not supported");
    if (PeekWord("WITH") && PeekWord("FILL", 1)) MUA_RETURN_IF_ERROR(ParseWithFill(&item));
    order_by->push_back(std::move(item));
    if (tokens_.Peek().kind != TokenKind::kComma) return absl::OkStatus();
    tokens_.Take();
  }
}

// WITH FILL [FROM x] [TO y] [STEP z], each at most once, in this order.
absl::Status Parser::ParseWithFill(OrderItem* item) {
  tokens_.Take();
  tokens_.Take();
  item->with_fill = true;
  if (TakeWord("FROM")) {
    MUA_ASSIGN_OR_RETURN(item->fill_from, ParseExpr());
  }
  if (TakeWord("TO")) {
    MUA_ASSIGN_OR_RETURN(item->fill_to, ParseExpr());
  }
  if (TakeWord("STEP")) {
    MUA_ASSIGN_OR_RETURN(item->fill_step, ParseExpr());
  }
  if (PeekWord("STALENESS") || PeekWord("INTERPOLATE")) {
    return ErrorAt(tokens_.Peek(), absl::StrCat(tokens_.Peek().text, " is not supported"));
  }
  return absl::OkStatus();
}

// WINDOW w AS (spec) [, w2 AS (spec)]
absl::Status Parser::ParseNamedWindows(SelectCore* core) {
  while (true) {
    NamedWindow window;
    window.pos = tokens_.Peek().pos;
    MUA_ASSIGN_OR_RETURN(window.name, ParseName("window name"));
    MUA_RETURN_IF_ERROR(ExpectWord("AS"));
    if (tokens_.Peek().kind != TokenKind::kLParen) return Expected("'(' (the window definition)");
    MUA_RETURN_IF_ERROR(ParseWindowSpec(&window.spec));
    for (const NamedWindow& other : core->windows) {
      if (other.name == window.name) {
        return MakeSqlError(absl::StatusCode::kInvalidArgument, window.pos,
                            absl::StrCat("Window '", window.name, "' is defined twice"));
      }
    }
    core->windows.push_back(std::move(window));
    if (tokens_.Peek().kind != TokenKind::kComma) return absl::OkStatus();
    tokens_.Take();
  }
}

// LIMIT n [OFFSET m] | LIMIT m, n; either may be a LIMIT ... BY exprs followed
// by the ordinary LIMIT.
absl::Status Parser::ParseLimit(SelectCore* core) {
  bool by_seen = false;
  while (true) {
    ExprPtr limit;
    ExprPtr offset;
    MUA_ASSIGN_OR_RETURN(limit, ParseExpr());
    if (tokens_.Peek().kind == TokenKind::kComma) {
      tokens_.Take();
      offset = std::move(limit);
      MUA_ASSIGN_OR_RETURN(limit, ParseExpr());
    } else if (TakeWord("OFFSET")) {
      MUA_ASSIGN_OR_RETURN(offset, ParseExpr());
    }
    if (PeekWord("WITH") && PeekWord("TIES", 1)) {
      return ErrorAt(tokens_.Peek(), "LIMIT ... WITH TIES is not supported");
    }
    if (!by_seen && TakeWord("BY")) {
      by_seen = true;
      core->limit_by_limit = std::move(limit);
      core->limit_by_offset = std::move(offset);
      MUA_RETURN_IF_ERROR(ParseExprList(&core->limit_by));
      if (TakeWord("LIMIT")) continue;
      return absl::OkStatus();
    }
    core->limit = std::move(limit);
    core->offset = std::move(offset);
    return absl::OkStatus();
  }
}

absl::Status Parser::ParseExprList(std::vector<ExprPtr>* exprs) {
  while (true) {
    MUA_ASSIGN_OR_RETURN(ExprPtr expr, ParseExpr());
    exprs->push_back(std::move(expr));
    if (tokens_.Peek().kind != TokenKind::kComma) return absl::OkStatus();
    tokens_.Take();
  }
}

}  // namespace mua::sql_internal
