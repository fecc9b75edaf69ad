#include "sql/parser.h"

#include "sql/internal/parser_impl.h"
#include "storage/base/status_macros.h"

namespace mua {

using sql_internal::Parser;

namespace {

absl::StatusOr<Statement> ParseOne(absl::string_view sql, const QueryParameters* params) {
  Parser parser(sql, params);
  MUA_ASSIGN_OR_RETURN(Statement statement, parser.ParseStatement());
  if (statement.kind == StatementKind::kInsert) return statement;
  if (parser.tokens().Peek().kind == TokenKind::kSemicolon) parser.tokens().Take();
  if (parser.tokens().Peek().kind != TokenKind::kEnd) return parser.Unexpected();
  return statement;
}

absl::StatusOr<std::vector<Statement>> ParseMany(absl::string_view sql,
                                                 const QueryParameters* params) {
  Parser parser(sql, params);
  std::vector<Statement> statements;
  while (true) {
    while (parser.tokens().Peek().kind == TokenKind::kSemicolon) parser.tokens().Take();
    if (parser.tokens().Peek().kind == TokenKind::kEnd) return statements;
    MUA_ASSIGN_OR_RETURN(Statement statement, parser.ParseStatement());
    bool insert = statement.kind == StatementKind::kInsert;
    statements.push_back(std::move(statement));
    if (insert) return statements;
    TokenKind next = parser.tokens().Peek().kind;
    if (next != TokenKind::kSemicolon && next != TokenKind::kEnd) return parser.Unexpected();
  }
}

}  // namespace

absl::StatusOr<Statement> ParseStatement(absl::string_view sql) { return ParseOne(sql, nullptr); }

absl::StatusOr<Statement> ParseStatement(absl::string_view sql, const QueryParameters& params) {
  return ParseOne(sql, &params);
}

absl::StatusOr<std::vector<Statement>> ParseScript(absl::string_view sql) {
  return ParseMany(sql, nullptr);
}

absl::StatusOr<std::vector<Statement>> ParseScript(absl::string_view sql,
                                                   const QueryParameters& params) {
  return ParseMany(sql, &params);
}

absl::StatusOr<ExprPtr> ParseExpression(absl::string_view text) {
  Parser parser(text);
  if (parser.tokens().Peek().kind == TokenKind::kEnd) return parser.Expected("expression");
  MUA_ASSIGN_OR_RETURN(ExprPtr expr, parser.ParseExpr());
  if (parser.tokens().Peek().kind != TokenKind::kEnd) return parser.Unexpected();
  MUA_RETURN_IF_ERROR(parser.ResolveBareUnions(nullptr));
  return expr;
}

}  // namespace mua
