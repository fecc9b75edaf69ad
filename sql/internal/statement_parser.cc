// Statements and SELECT clauses: plain recursive descent.
#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "sql/internal/keywords.h"
#include "sql/internal/parser_impl.h"
#include "storage/base/status_macros.h"

namespace mua::sql_internal {
namespace {

bool IsName(const Token& token) {
  return token.kind == TokenKind::kWord || token.kind == TokenKind::kQuotedIdentifier;
}

// A name usable without AS or quotes: a quoted identifier or an unreserved word.
bool IsFreeName(const Token& token) {
  return token.kind == TokenKind::kQuotedIdentifier ||
         (token.kind == TokenKind::kWord && !IsReservedWord(token.text));
}

uint32_t HeightOf(const ExprPtr& expr) { return expr == nullptr ? 0 : expr->height; }
uint32_t HeightOf(const std::unique_ptr<SelectQuery>& query) {
  return query == nullptr ? 0 : query->height;
}

// Where INSERT data begins after the FORMAT name ending at `offset`, as in
// ClickHouse: after the first newline if only blanks precede it, else after the blanks.
size_t DataOffset(absl::string_view sql, size_t offset) {
  while (offset < sql.size() &&
         (sql[offset] == ' ' || sql[offset] == '\t' || sql[offset] == '\f')) {
    ++offset;
  }
  if (offset < sql.size() && sql[offset] == '\r') ++offset;
  if (offset < sql.size() && sql[offset] == '\n') ++offset;
  return offset;
}

}  // namespace

absl::StatusOr<Statement> Parser::ParseStatement() {
  Statement statement;
  statement.pos = tokens_.Peek().pos;
  if (tokens_.Peek().kind == TokenKind::kEnd) return ErrorAt(tokens_.Peek(), "empty query");
  if (PeekWord("SELECT") || PeekWord("WITH")) {
    statement.kind = StatementKind::kSelect;
    MUA_ASSIGN_OR_RETURN(statement.query, ParseSelectQuery());
  } else if (PeekWord("SHOW")) {
    MUA_RETURN_IF_ERROR(ParseShow(&statement));
  } else if (PeekWord("DESCRIBE") || PeekWord("DESC")) {
    tokens_.Take();
    TakeWord("TABLE");
    statement.kind = StatementKind::kDescribe;
    MUA_ASSIGN_OR_RETURN(statement.table, ParseTableName("table name"));
  } else if (PeekWord("EXPLAIN")) {
    MUA_RETURN_IF_ERROR(ParseExplain(&statement));
  } else if (PeekWord("INSERT")) {
    MUA_RETURN_IF_ERROR(ParseInsert(&statement));
    return statement;  // the data follows; nothing more to parse
  } else if (PeekWord("DELETE")) {
    MUA_RETURN_IF_ERROR(ParseDelete(&statement));
  } else if (PeekWord("ALTER")) {
    MUA_RETURN_IF_ERROR(ParseAlter(&statement));
  } else if (PeekWord("SYSTEM")) {
    MUA_RETURN_IF_ERROR(ParseSystem(&statement));
  } else if (PeekWord("KILL")) {
    MUA_RETURN_IF_ERROR(ParseKill(&statement));
  } else {
    return ErrorAt(tokens_.Peek(),
                   absl::StrCat("expected a statement (SELECT, WITH, SHOW, DESCRIBE, EXPLAIN, "
                                "INSERT, DELETE, ALTER, SYSTEM or KILL), found ",
                                DescribeToken(tokens_.Peek())));
  }
  MUA_RETURN_IF_ERROR(ParseOutputClauses(&statement));
  return statement;
}

absl::StatusOr<std::unique_ptr<SelectQuery>> Parser::ParseSelectQuery() {
  Nesting nesting(this);
  MUA_RETURN_IF_ERROR(CheckNesting());
  auto query = std::make_unique<SelectQuery>();
  query->pos = tokens_.Peek().pos;
  while (true) {
    MUA_RETURN_IF_ERROR(ParseSelectCore(&query->cores.emplace_back()));
    if (!TakeWord("UNION")) break;
    if (!TakeWord("ALL")) return Expected("ALL (only UNION ALL is supported)");
  }
  query->height = QueryHeight(*query);
  MUA_RETURN_IF_ERROR(CheckHeight(query->height, query->pos));
  return query;
}

uint32_t Parser::QueryHeight(const SelectQuery& query) const {
  uint32_t height = 0;
  auto add = [&height](uint32_t child) { height = std::max(height, child); };
  for (const SelectCore& core : query.cores) {
    for (const WithItem& item : core.with) {
      add(HeightOf(item.expr));
      add(HeightOf(item.subquery));
    }
    for (const SelectItem& item : core.items) add(HeightOf(item.expr));
    if (core.from.has_value()) {
      add(HeightOf(core.from->subquery));
      add(HeightOf(core.from->function));
    }
    add(HeightOf(core.where));
    for (const ExprPtr& expr : core.group_by) add(HeightOf(expr));
    add(HeightOf(core.having));
    for (const OrderItem& item : core.order_by) add(HeightOf(item.expr));
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
  do {
    MUA_RETURN_IF_ERROR(ParseSelectItem(core));
  } while (tokens_.Peek().kind == TokenKind::kComma && (tokens_.Take(), true));
  if (TakeWord("FROM")) MUA_RETURN_IF_ERROR(ParseTableRef(core));
  if (TakeWord("WHERE")) {
    MUA_ASSIGN_OR_RETURN(core->where, ParseExpr());
  }
  if (TakeWord("GROUP")) {
    MUA_RETURN_IF_ERROR(ExpectWord("BY"));
    MUA_RETURN_IF_ERROR(ParseExprList(&core->group_by));
  }
  if (TakeWord("HAVING")) {
    MUA_ASSIGN_OR_RETURN(core->having, ParseExpr());
  }
  if (TakeWord("ORDER")) {
    MUA_RETURN_IF_ERROR(ExpectWord("BY"));
    MUA_RETURN_IF_ERROR(ParseOrderBy(core));
  }
  if (TakeWord("LIMIT")) MUA_RETURN_IF_ERROR(ParseLimit(core));
  return absl::OkStatus();
}

// `WITH name AS (SELECT ...)` or `WITH expr AS name`.
absl::Status Parser::ParseWithItem(SelectCore* core) {
  WithItem item;
  item.pos = tokens_.Peek().pos;
  bool subquery = IsFreeName(tokens_.Peek()) && PeekWord("AS", 1) &&
                  tokens_.Peek(2).kind == TokenKind::kLParen &&
                  (PeekWord("SELECT", 3) || PeekWord("WITH", 3));
  if (subquery) {
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

absl::Status Parser::ParseSelectItem(SelectCore* core) {
  SelectItem item;
  MUA_ASSIGN_OR_RETURN(item.expr, ParseExpr());
  item.alias_pos = tokens_.Peek().pos;
  if (TakeWord("AS")) {
    item.alias_pos = tokens_.Peek().pos;
    MUA_ASSIGN_OR_RETURN(item.alias, ParseName("alias"));
  } else if (IsFreeName(tokens_.Peek())) {
    item.alias = tokens_.Take().value;
  }
  core->items.push_back(std::move(item));
  return absl::OkStatus();
}

absl::Status Parser::ParseTableRef(SelectCore* core) {
  TableRef& ref = core->from.emplace();
  ref.pos = tokens_.Peek().pos;
  const Token& token = tokens_.Peek();
  if (token.kind == TokenKind::kLParen) {
    tokens_.Take();
    if (!PeekWord("SELECT") && !PeekWord("WITH")) return Expected("SELECT");
    ref.kind = TableRefKind::kSubquery;
    MUA_ASSIGN_OR_RETURN(ref.subquery, ParseSelectQuery());
    MUA_RETURN_IF_ERROR(Expect(TokenKind::kRParen));
  } else if (IsName(token) && tokens_.Peek(1).kind == TokenKind::kLParen) {
    if (token.kind == TokenKind::kWord && IsFunctionKeyword(token.text)) {
      return Expected("table name");
    }
    Token name = tokens_.Take();
    ref.kind = TableRefKind::kFunction;
    MUA_ASSIGN_OR_RETURN(ref.function, ParseFunctionCall(std::move(name.value), name.pos));
  } else {
    MUA_ASSIGN_OR_RETURN(TableName name, ParseTableName("table name"));
    ref.database = std::move(name.database);
    ref.table = std::move(name.table);
  }
  return ParseOptionalAlias(&ref.alias);
}

absl::Status Parser::ParseOptionalAlias(std::string* alias) {
  if (TakeWord("AS")) {
    MUA_ASSIGN_OR_RETURN(*alias, ParseName("alias"));
  } else if (IsFreeName(tokens_.Peek())) {
    *alias = tokens_.Take().value;
  }
  return absl::OkStatus();
}

absl::Status Parser::ParseOrderBy(SelectCore* core) {
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
    core->order_by.push_back(std::move(item));
    if (tokens_.Peek().kind != TokenKind::kComma) return absl::OkStatus();
    tokens_.Take();
  }
}

// LIMIT n [OFFSET m] | LIMIT m, n
absl::Status Parser::ParseLimit(SelectCore* core) {
  MUA_ASSIGN_OR_RETURN(core->limit, ParseExpr());
  if (tokens_.Peek().kind == TokenKind::kComma) {
    tokens_.Take();
    core->offset = std::move(core->limit);
    MUA_ASSIGN_OR_RETURN(core->limit, ParseExpr());
    return absl::OkStatus();
  }
  if (TakeWord("OFFSET")) {
    MUA_ASSIGN_OR_RETURN(core->offset, ParseExpr());
  }
  return absl::OkStatus();
}

absl::Status Parser::ParseExprList(std::vector<ExprPtr>* exprs) {
  while (true) {
    MUA_ASSIGN_OR_RETURN(ExprPtr expr, ParseExpr());
    exprs->push_back(std::move(expr));
    if (tokens_.Peek().kind != TokenKind::kComma) return absl::OkStatus();
    tokens_.Take();
  }
}

absl::StatusOr<std::string> Parser::ParseName(absl::string_view what) {
  if (!IsFreeName(tokens_.Peek())) return Expected(what);
  return tokens_.Take().value;
}

absl::StatusOr<TableName> Parser::ParseTableName(absl::string_view what) {
  TableName name;
  name.pos = tokens_.Peek().pos;
  MUA_ASSIGN_OR_RETURN(name.table, ParseName(what));
  if (tokens_.Peek().kind == TokenKind::kDot) {
    tokens_.Take();
    name.database = std::move(name.table);
    MUA_ASSIGN_OR_RETURN(name.table, ParseName("table name"));
  }
  return name;
}

// [SETTINGS k = v, ...] [FORMAT name], in either order.
absl::Status Parser::ParseOutputClauses(Statement* statement) {
  bool settings = false;
  bool format = false;
  while (true) {
    if (!settings && PeekWord("SETTINGS")) {
      tokens_.Take();
      MUA_RETURN_IF_ERROR(ParseSettings(statement));
      settings = true;
    } else if (!format && PeekWord("FORMAT")) {
      tokens_.Take();
      if (!IsName(tokens_.Peek())) return Expected("format name");
      statement->format = tokens_.Take().value;
      format = true;
    } else {
      return absl::OkStatus();
    }
  }
}

absl::Status Parser::ParseSettings(Statement* statement) {
  while (true) {
    Setting setting;
    setting.pos = tokens_.Peek().pos;
    if (!IsName(tokens_.Peek())) return Expected("setting name");
    setting.name = tokens_.Take().value;
    MUA_RETURN_IF_ERROR(Expect(TokenKind::kEquals));
    MUA_ASSIGN_OR_RETURN(setting.value, ParseExpr());
    statement->settings.push_back(std::move(setting));
    if (tokens_.Peek().kind != TokenKind::kComma) return absl::OkStatus();
    tokens_.Take();
  }
}

// SHOW TABLES [FROM|IN db] [LIKE 'pattern'] | SHOW DATABASES
absl::Status Parser::ParseShow(Statement* statement) {
  tokens_.Take();
  if (TakeWord("DATABASES")) {
    statement->kind = StatementKind::kShowDatabases;
    return absl::OkStatus();
  }
  if (!TakeWord("TABLES")) return Expected("TABLES or DATABASES");
  statement->kind = StatementKind::kShowTables;
  if (TakeWord("FROM") || TakeWord("IN")) {
    MUA_ASSIGN_OR_RETURN(statement->show_database, ParseName("database name"));
  }
  if (TakeWord("LIKE")) {
    if (tokens_.Peek().kind != TokenKind::kString) return Expected("pattern string");
    statement->show_like = tokens_.Take().value;
  }
  return absl::OkStatus();
}

// EXPLAIN [PLAN|SYNTAX] SELECT ...
absl::Status Parser::ParseExplain(Statement* statement) {
  tokens_.Take();
  statement->kind = StatementKind::kExplain;
  if (TakeWord("SYNTAX")) {
    statement->explain = ExplainKind::kSyntax;
  } else {
    TakeWord("PLAN");
  }
  if (!PeekWord("SELECT") && !PeekWord("WITH")) return Expected("SELECT");
  MUA_ASSIGN_OR_RETURN(statement->query, ParseSelectQuery());
  return absl::OkStatus();
}

// INSERT INTO [TABLE] name [(columns)] [SETTINGS ...] FORMAT name <data>
absl::Status Parser::ParseInsert(Statement* statement) {
  tokens_.Take();
  statement->kind = StatementKind::kInsert;
  MUA_RETURN_IF_ERROR(ExpectWord("INTO"));
  TakeWord("TABLE");
  MUA_ASSIGN_OR_RETURN(statement->table, ParseTableName("table name"));
  if (tokens_.Peek().kind == TokenKind::kLParen) {
    tokens_.Take();
    while (true) {
      MUA_ASSIGN_OR_RETURN(std::string column, ParseName("column name"));
      statement->columns.push_back(std::move(column));
      TokenKind kind = tokens_.Peek().kind;
      if (kind != TokenKind::kComma && kind != TokenKind::kRParen) return Expected("',' or ')'");
      tokens_.Take();
      if (kind == TokenKind::kRParen) break;
    }
  }
  if (TakeWord("SETTINGS")) MUA_RETURN_IF_ERROR(ParseSettings(statement));
  if (PeekWord("VALUES") || PeekWord("SELECT") || PeekWord("WITH")) {
    return ErrorAt(tokens_.Peek(), absl::StrCat("INSERT ... ", tokens_.Peek().text,
                                                " is not supported; use INSERT ... FORMAT "
                                                "JSONEachRow followed by the rows"));
  }
  MUA_RETURN_IF_ERROR(ExpectWord("FORMAT"));
  // Only the format name is read: lexing further would read the data.
  if (!IsName(tokens_.Peek())) return Expected("format name");
  Token format = tokens_.Take();
  statement->format = std::move(format.value);
  statement->data_offset = DataOffset(sql_, format.pos.offset + format.text.size());
  return absl::OkStatus();
}

// DELETE FROM name WHERE expr
absl::Status Parser::ParseDelete(Statement* statement) {
  tokens_.Take();
  statement->kind = StatementKind::kDelete;
  MUA_RETURN_IF_ERROR(ExpectWord("FROM"));
  MUA_ASSIGN_OR_RETURN(statement->table, ParseTableName("table name"));
  MUA_RETURN_IF_ERROR(ExpectWord("WHERE"));
  MUA_ASSIGN_OR_RETURN(statement->where, ParseExpr());
  return absl::OkStatus();
}

// SYSTEM word [word ...] ['argument']: an operator command; which ones exist is the catalog's business.
absl::Status Parser::ParseSystem(Statement* statement) {
  tokens_.Take();
  statement->kind = StatementKind::kSystem;
  while (IsName(tokens_.Peek()) && !PeekWord("FORMAT") && !PeekWord("SETTINGS")) {
    if (!statement->system_command.empty()) statement->system_command += ' ';
    statement->system_command += absl::AsciiStrToUpper(tokens_.Take().text);
  }
  if (statement->system_command.empty()) return Expected("a SYSTEM command (e.g. STOP INGEST)");
  // A command may take one string: SYSTEM BACKUP TO '/path'.
  if (tokens_.Peek().kind == TokenKind::kString) statement->system_argument = tokens_.Take().value;
  return absl::OkStatus();
}

// KILL QUERY WHERE query_id = 'ID' [SYNC | ASYNC]: the one form clients send.
absl::Status Parser::ParseKill(Statement* statement) {
  tokens_.Take();
  statement->kind = StatementKind::kSystem;
  statement->system_command = "KILL QUERY";
  MUA_RETURN_IF_ERROR(ExpectWord("QUERY"));
  MUA_RETURN_IF_ERROR(ExpectWord("WHERE"));
  if (!PeekWord("QUERY_ID")) return Expected("query_id (KILL QUERY WHERE query_id = 'ID')");
  tokens_.Take();
  MUA_RETURN_IF_ERROR(Expect(TokenKind::kEquals));
  if (tokens_.Peek().kind != TokenKind::kString) return Expected("the query id as a string");
  statement->system_argument = tokens_.Take().value;
  if (!TakeWord("SYNC")) TakeWord("ASYNC");
  return absl::OkStatus();
}

// ALTER TABLE name DELETE WHERE expr
absl::Status Parser::ParseAlter(Statement* statement) {
  tokens_.Take();
  statement->kind = StatementKind::kDelete;
  statement->alter_syntax = true;
  MUA_RETURN_IF_ERROR(ExpectWord("TABLE"));
  MUA_ASSIGN_OR_RETURN(statement->table, ParseTableName("table name"));
  if (!TakeWord("DELETE")) return Expected("DELETE (the only supported ALTER is DELETE WHERE)");
  MUA_RETURN_IF_ERROR(ExpectWord("WHERE"));
  MUA_ASSIGN_OR_RETURN(statement->where, ParseExpr());
  return absl::OkStatus();
}

}  // namespace mua::sql_internal
