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

// A name: a quoted identifier or an unreserved word.
bool IsFreeName(const Token& token) {
  return token.kind == TokenKind::kQuotedIdentifier ||
         (token.kind == TokenKind::kWord && !IsReservedWord(token.text));
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
  bare_unions_.clear();
  if (tokens_.Peek().kind == TokenKind::kEnd) return ErrorAt(tokens_.Peek(), "empty query");
  if (PeekWord("SELECT") || PeekWord("WITH") || tokens_.Peek().kind == TokenKind::kLParen) {
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
    if (statement.kind == StatementKind::kInsert) return statement;  // the data follows
  } else if (PeekWord("DELETE")) {
    MUA_RETURN_IF_ERROR(ParseDelete(&statement));
  } else if (PeekWord("ALTER")) {
    MUA_RETURN_IF_ERROR(ParseAlter(&statement));
  } else if (PeekWord("SYSTEM")) {
    MUA_RETURN_IF_ERROR(ParseSystem(&statement));
  } else if (PeekWord("KILL")) {
    MUA_RETURN_IF_ERROR(ParseKill(&statement));
  } else if (PeekWord("CREATE")) {
    MUA_RETURN_IF_ERROR(ParseCreate(&statement));
  } else if (PeekWord("DROP")) {
    MUA_RETURN_IF_ERROR(ParseDrop(&statement));
  } else if (PeekWord("TRUNCATE")) {
    MUA_RETURN_IF_ERROR(ParseTruncate(&statement));
  } else if (PeekWord("EXISTS")) {
    MUA_RETURN_IF_ERROR(ParseExists(&statement));
  } else {
    return ErrorAt(tokens_.Peek(),
                   absl::StrCat("expected a statement (SELECT, WITH, SHOW, DESCRIBE, EXPLAIN, "
                                "INSERT, DELETE, ALTER, CREATE, DROP, TRUNCATE, EXISTS, SYSTEM "
                                "or KILL), found ",
                                DescribeToken(tokens_.Peek())));
  }
  MUA_RETURN_IF_ERROR(ParseOutputClauses(&statement));
  MUA_RETURN_IF_ERROR(ResolveBareUnions(&statement.settings));
  return statement;
}

absl::StatusOr<std::string> Parser::ParseName(absl::string_view what) {
  if (!IsFreeName(tokens_.Peek())) return Expected(what);
  return tokens_.Take().value;
}

absl::StatusOr<TableName> Parser::ParseTableName(absl::string_view what) {
  TableName name;
  name.pos = tokens_.Peek().pos;
  if (tokens_.Peek().kind == TokenKind::kLBrace) {
    // {name:Identifier}: the value names the table ("db.table" or "table").
    SourcePos pos = tokens_.Peek().pos;
    MUA_ASSIGN_OR_RETURN(ExprPtr parameter, ParseQueryParameter());
    if (parameter->kind != ExprKind::kColumn) {
      return MakeSqlError(absl::StatusCode::kInvalidArgument, pos,
                          "a query parameter in place of a table name must be of type Identifier");
    }
    name.database = std::move(parameter->As<ColumnExpr>().table);
    name.table = std::move(parameter->As<ColumnExpr>().name);
    return name;
  }
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
      MUA_RETURN_IF_ERROR(ParseSettings(&statement->settings));
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

absl::Status Parser::ParseSettings(std::vector<Setting>* settings) {
  while (true) {
    Setting setting;
    setting.pos = tokens_.Peek().pos;
    if (!IsName(tokens_.Peek())) return Expected("setting name");
    setting.name = tokens_.Take().value;
    MUA_RETURN_IF_ERROR(Expect(TokenKind::kEquals));
    MUA_ASSIGN_OR_RETURN(setting.value, ParseExpr());
    settings->push_back(std::move(setting));
    if (tokens_.Peek().kind != TokenKind::kComma) return absl::OkStatus();
    tokens_.Take();
  }
}

// SHOW TABLES [FROM|IN db] [[NOT] [I]LIKE 'pattern'] | SHOW DATABASES | SHOW CREATE [TABLE] name
absl::Status Parser::ParseShow(Statement* statement) {
  tokens_.Take();
  if (TakeWord("CREATE")) {
    statement->kind = StatementKind::kShowCreateTable;
    if (PeekWord("DATABASE") || PeekWord("VIEW") || PeekWord("DICTIONARY") || PeekWord("USER")) {
      return ErrorAt(tokens_.Peek(), absl::StrCat("SHOW CREATE ", tokens_.Peek().text,
                                                  " is not supported (SHOW CREATE TABLE is)"));
    }
    TakeWord("TABLE");
    MUA_ASSIGN_OR_RETURN(statement->table, ParseTableName("table name"));
    return absl::OkStatus();
  }
  if (TakeWord("DATABASES")) {
    statement->kind = StatementKind::kShowDatabases;
    return absl::OkStatus();
  }
  if (!TakeWord("TABLES")) return Expected("TABLES, DATABASES or CREATE");
  statement->kind = StatementKind::kShowTables;
  if (TakeWord("FROM") || TakeWord("IN")) {
    MUA_ASSIGN_OR_RETURN(statement->show_database, ParseName("database name"));
  }
  statement->show_not_like = TakeWord("NOT");
  if (TakeWord("ILIKE")) {
    statement->show_ilike = true;
  } else if (!TakeWord("LIKE")) {
    return statement->show_not_like ? Expected("LIKE or ILIKE") : absl::OkStatus();
  }
  if (tokens_.Peek().kind != TokenKind::kString) return Expected("pattern string");
  statement->show_like = tokens_.Take().value;
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
  if (!PeekWord("SELECT") && !PeekWord("WITH") && tokens_.Peek().kind != TokenKind::kLParen) {
    return Expected("SELECT");
  }
  MUA_ASSIGN_OR_RETURN(statement->query, ParseSelectQuery());
  return absl::OkStatus();
}

// INSERT INTO [TABLE] name [(columns)] [SETTINGS ...] FORMAT name <data>
//   | ... VALUES (row), (row) | ... VALUES <data> | ... [WITH ...] SELECT ...
absl::Status Parser::ParseInsert(Statement* statement) {
  tokens_.Take();
  statement->kind = StatementKind::kInsert;
  MUA_RETURN_IF_ERROR(ExpectWord("INTO"));
  if (PeekWord("FUNCTION")) return ErrorAt(tokens_.Peek(), "INSERT INTO FUNCTION is not supported");
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
  if (TakeWord("SETTINGS")) MUA_RETURN_IF_ERROR(ParseSettings(&statement->settings));
  if (PeekWord("SELECT") || PeekWord("WITH") ||
      (tokens_.Peek().kind == TokenKind::kLParen && QueryStartsAt(0))) {
    statement->kind = StatementKind::kInsertSelect;
    MUA_ASSIGN_OR_RETURN(statement->query, ParseSelectQuery());
    return absl::OkStatus();
  }
  if (PeekWord("VALUES")) {
    Token values = tokens_.Take();
    // Rows in the text are parsed here; `VALUES` alone leaves them to the data
    // that follows (ClickHouse's Values format), as FORMAT Values would.
    if (tokens_.Peek().kind == TokenKind::kLParen) return ParseInsertValues(statement);
    statement->format = "Values";
    statement->data_offset = DataOffset(sql_, values.pos.offset + values.text.size());
    return absl::OkStatus();
  }
  MUA_RETURN_IF_ERROR(ExpectWord("FORMAT"));
  // Only the format name is read: lexing further would read the data.
  if (!IsName(tokens_.Peek())) return Expected("format name");
  Token format = tokens_.Take();
  statement->format = std::move(format.value);
  statement->data_offset = DataOffset(sql_, format.pos.offset + format.text.size());
  return absl::OkStatus();
}

// (expr, ...) [,] (expr, ...) ...: commas between rows are optional, as in ClickHouse.
absl::Status Parser::ParseInsertValues(Statement* statement) {
  statement->kind = StatementKind::kInsertValues;
  while (tokens_.Peek().kind == TokenKind::kLParen) {
    tokens_.Take();
    std::vector<ExprPtr>& row = statement->values.emplace_back();
    if (tokens_.Peek().kind != TokenKind::kRParen) MUA_RETURN_IF_ERROR(ParseExprList(&row));
    MUA_RETURN_IF_ERROR(Expect(TokenKind::kRParen));
    if (tokens_.Peek().kind == TokenKind::kComma) {
      tokens_.Take();
      if (tokens_.Peek().kind != TokenKind::kLParen) return Expected("'(' (the next row)");
    }
  }
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

// SYSTEM word [word ...] ['argument'] [ON CLUSTER name]: an operator command; which ones
// exist is the catalog's business.
absl::Status Parser::ParseSystem(Statement* statement) {
  tokens_.Take();
  statement->kind = StatementKind::kSystem;
  while (IsName(tokens_.Peek()) && !PeekWord("FORMAT") && !PeekWord("SETTINGS") && !PeekWord("ON")) {
    if (!statement->system_command.empty()) statement->system_command += ' ';
    statement->system_command += absl::AsciiStrToUpper(tokens_.Take().text);
  }
  if (statement->system_command.empty()) return Expected("a SYSTEM command (e.g. STOP INGEST)");
  // A command may take one string: SYSTEM BACKUP TO '/path'.
  if (tokens_.Peek().kind == TokenKind::kString) statement->system_argument = tokens_.Take().value;
  if (TakeWord("ON")) {
    MUA_RETURN_IF_ERROR(ExpectWord("CLUSTER"));
    if (!IsName(tokens_.Peek()) && tokens_.Peek().kind != TokenKind::kString) return Expected("a cluster name");
    statement->on_cluster = tokens_.Take().value;
  }
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
