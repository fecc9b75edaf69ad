// Parser: the recursive-descent parser behind sql/parser.h. Expressions use
// precedence climbing (expr_parser.cc), statements plain descent
// (statement_parser.cc).
//
// Two limits keep every input safe: recursion deeper than kMaxNesting and
// trees taller than kMaxAstHeight are ResourceExhausted errors, so neither the
// parser nor later recursive walks can overflow the stack.
//
//   Parser parser("SELECT 1; SELECT 2");
//   absl::StatusOr<Statement> first = parser.ParseStatement();  // stops at ';'
//   parser.tokens().Take();                                     // the ';'
#pragma once

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "sql/ast.h"
#include "sql/internal/token_stream.h"

namespace mua::sql_internal {

// Parenthesized expressions, function calls, subqueries, NOT and unary minus
// may nest this deep.
inline constexpr int kMaxNesting = 200;

class Parser {
 public:
  // REQUIRES: `sql` outlives the parser and everything it returns.
  explicit Parser(absl::string_view sql);

  Parser(const Parser&) = delete;
  Parser& operator=(const Parser&) = delete;

  // Parses one statement and stops before whatever follows it (';', the end,
  // or for INSERT the data). Errors: InvalidArgument / ResourceExhausted with position.
  absl::StatusOr<Statement> ParseStatement();
  // Parses one expression and stops before whatever follows it.
  absl::StatusOr<ExprPtr> ParseExpr();

  TokenStream& tokens() { return tokens_; }

  // An error at `token` (the lexer's error when token is kError).
  absl::Status ErrorAt(const Token& token, absl::string_view message);
  // "expected <what> after '<previous>', found <current>" at the current token.
  absl::Status Expected(absl::string_view what);
  // "unexpected <current>" at the current token.
  absl::Status Unexpected();

 private:
  // Counts one level of nesting while alive.
  class Nesting {
   public:
    explicit Nesting(Parser* parser) : parser_(parser) { ++parser_->depth_; }
    ~Nesting() { --parser_->depth_; }
    Nesting(const Nesting&) = delete;
    Nesting& operator=(const Nesting&) = delete;

   private:
    Parser* parser_;
  };
  absl::Status CheckNesting();

  bool PeekWord(absl::string_view keyword, size_t ahead = 0);
  bool TakeWord(absl::string_view keyword);
  absl::Status ExpectWord(absl::string_view keyword);
  absl::Status Expect(TokenKind kind);
  // Sets expr.height from its children; errors when it exceeds kMaxAstHeight.
  absl::Status Finish(Expr& expr);
  absl::Status CheckHeight(uint32_t height, SourcePos pos);

  // expr_parser.cc
  absl::StatusOr<ExprPtr> ParseBinary(int min_precedence);
  absl::StatusOr<ExprPtr> ParseOperand();
  absl::StatusOr<ExprPtr> ParseUnary();
  absl::StatusOr<ExprPtr> ParsePostfix(ExprPtr base);
  absl::StatusOr<ExprPtr> ParsePrimary();
  absl::StatusOr<ExprPtr> ParseInfix(ExprPtr left, int min_precedence, bool* done);
  absl::StatusOr<ExprPtr> ParseParenthesized();
  absl::StatusOr<ExprPtr> ParseArray();
  absl::StatusOr<ExprPtr> ParseWordExpr();
  absl::StatusOr<ExprPtr> ParseFunctionCall(std::string name, SourcePos pos);
  absl::Status ParseArguments(std::vector<ExprPtr>* args, bool* distinct);
  absl::StatusOr<ExprPtr> ParseArgument();
  absl::StatusOr<ExprPtr> ParseCase();
  absl::StatusOr<ExprPtr> ParseCast();
  absl::StatusOr<ExprPtr> ParseInterval();
  absl::StatusOr<ExprPtr> ParseIntervalString(const Token& text, SourcePos pos);
  absl::Status ParseType(std::string* out);
  absl::Status ParseTypeArgument(std::string* out);
  absl::StatusOr<ExprPtr> ParseSubqueryExpr();

  // statement_parser.cc
  absl::StatusOr<std::unique_ptr<SelectQuery>> ParseSelectQuery();
  absl::Status ParseSelectCore(SelectCore* core);
  absl::Status ParseWithItem(SelectCore* core);
  absl::Status ParseSelectItem(SelectCore* core);
  absl::Status ParseTableRef(SelectCore* core);
  absl::Status ParseOptionalAlias(std::string* alias);
  absl::Status ParseOrderBy(SelectCore* core);
  absl::Status ParseLimit(SelectCore* core);
  absl::Status ParseExprList(std::vector<ExprPtr>* exprs);
  absl::StatusOr<TableName> ParseTableName(absl::string_view what);
  absl::StatusOr<std::string> ParseName(absl::string_view what);
  absl::Status ParseOutputClauses(Statement* statement);
  absl::Status ParseSettings(Statement* statement);
  absl::Status ParseShow(Statement* statement);
  absl::Status ParseExplain(Statement* statement);
  absl::Status ParseInsert(Statement* statement);
  absl::Status ParseDelete(Statement* statement);
  absl::Status ParseSystem(Statement* statement);
  absl::Status ParseKill(Statement* statement);
  absl::Status ParseAlter(Statement* statement);
  uint32_t QueryHeight(const SelectQuery& query) const;

  absl::string_view sql_;
  TokenStream tokens_;
  int depth_ = 0;
};

}  // namespace mua::sql_internal
