// Parser: the recursive-descent parser behind sql/parser.h. Expressions use
// precedence climbing (expr_parser.cc), SELECT plain descent (select_parser.cc,
// from_parser.cc), statements likewise (statement_parser.cc, ddl_parser.cc).
// Query parameters {name:Type} are substituted while parsing, as values (never text).
//
// Two limits keep every input safe: recursion deeper than kMaxNesting and
// trees taller than kMaxAstHeight are ResourceExhausted errors, so neither the
// parser nor later recursive walks can overflow the stack.
//
//   Parser parser("SELECT 1; SELECT 2");
//   absl::StatusOr<Statement> first = parser.ParseStatement();  // stops at ';'
//   parser.tokens().Take();                                     // the ';'
#pragma once

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "sql/ast.h"
#include "sql/parser.h"
#include "sql/internal/token_stream.h"

namespace mua::sql_internal {

// Parenthesized expressions, function calls, subqueries, NOT and unary minus
// may nest this deep.
inline constexpr int kMaxNesting = 200;

// A bare or quoted name.
bool TokenIsName(const Token& token);
// A name usable without AS or quotes: a quoted identifier, or a word that is
// neither reserved nor one that continues a clause where an alias may stand
// (ANY/SEMI/ANTI/ASOF before JOIN, WINDOW, QUALIFY, OVER).
bool TokenIsFreeName(const Token& token);

class Parser {
 public:
  // REQUIRES: `sql` and `params` (when given) outlive the parser and everything it returns.
  explicit Parser(absl::string_view sql, const QueryParameters* params = nullptr);

  Parser(const Parser&) = delete;
  Parser& operator=(const Parser&) = delete;

  // Parses one statement and stops before whatever follows it (';', the end,
  // or for INSERT the data). Errors: InvalidArgument / ResourceExhausted with position.
  absl::StatusOr<Statement> ParseStatement();
  // Parses one expression and stops before whatever follows it.
  absl::StatusOr<ExprPtr> ParseExpr();
  // Resolves each bare UNION parsed so far by union_default_mode in `settings`
  // (null: none), as ClickHouse does; an error when it is not set.
  absl::Status ResolveBareUnions(const std::vector<Setting>* settings);

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

  // expr_forms.cc: lambdas, windows, query parameters, tuple access, unit arguments
  // Returns how many tokens a lambda's parameter list takes from the current one
  // (`x ->` 1, `(x, y) ->` 5 up to the arrow), or 0 when no lambda starts here.
  size_t LambdaStart();
  absl::StatusOr<ExprPtr> ParseLambda();
  absl::Status ParseOver(FunctionExpr* function);
  absl::Status ParseWindowSpec(WindowSpec* spec);
  absl::Status ParseFrame(WindowSpec* spec);
  absl::Status ParseFrameBound(FrameBound* bound);
  absl::StatusOr<ExprPtr> ParseQueryParameter();
  absl::StatusOr<ExprPtr> TupleElement(ExprPtr base);
  void UnitArgumentToString(FunctionExpr* function);

  // select_parser.cc
  absl::StatusOr<std::unique_ptr<SelectQuery>> ParseSelectQuery();
  // Continues `first UNION ... ` after an already parsed first operand.
  absl::StatusOr<std::unique_ptr<SelectQuery>> ParseUnionRest(std::unique_ptr<SelectQuery> first);
  absl::Status ParseUnionOperand(SelectQuery* query);
  void AddOperand(SelectQuery* query, std::unique_ptr<SelectQuery> operand);
  absl::Status FinishQuery(SelectQuery* query);
  absl::Status ParseSelectCore(SelectCore* core);
  absl::Status ParseWithItem(SelectCore* core);
  absl::Status ParseSelectItem(std::vector<SelectItem>* items);
  absl::Status ParseOptionalAlias(std::string* alias);
  absl::Status ParseOrderBy(std::vector<OrderItem>* order_by);
  absl::Status ParseWithFill(OrderItem* item);
  absl::Status ParseNamedWindows(SelectCore* core);
  absl::Status ParseLimit(SelectCore* core);
  absl::Status ParseExprList(std::vector<ExprPtr>* exprs);
  uint32_t QueryHeight(const SelectQuery& query) const;
  // A '(' at `ahead` opens a query: '('* then SELECT or WITH (bounded lookahead).
  bool QueryStartsAt(size_t ahead);

  // from_parser.cc
  absl::Status ParseFrom(SelectCore* core);
  absl::StatusOr<std::unique_ptr<TableRef>> ParseTableFactor();
  absl::Status ParseJoin(std::unique_ptr<TableRef>* tree);
  absl::Status ParseJoinCondition(TableRef* join);
  bool PeekJoin();
  absl::Status ParseArrayJoins(SelectCore* core);

  // statement_parser.cc
  absl::StatusOr<TableName> ParseTableName(absl::string_view what);
  absl::StatusOr<std::string> ParseName(absl::string_view what);
  absl::Status ParseOutputClauses(Statement* statement);
  absl::Status ParseSettings(std::vector<Setting>* settings);
  absl::Status ParseShow(Statement* statement);
  absl::Status ParseExplain(Statement* statement);
  absl::Status ParseInsert(Statement* statement);
  absl::Status ParseInsertValues(Statement* statement);
  absl::Status ParseDelete(Statement* statement);
  absl::Status ParseSystem(Statement* statement);
  absl::Status ParseKill(Statement* statement);
  absl::Status ParseAlter(Statement* statement);

  // ddl_parser.cc
  absl::Status ParseCreate(Statement* statement);
  absl::Status ParseColumnDefinition(CreateTable* create);
  absl::Status ParseStorageClauses(CreateTable* create);
  absl::Status ParseDrop(Statement* statement);
  absl::Status ParseTruncate(Statement* statement);
  absl::Status ParseExists(Statement* statement);

  absl::string_view sql_;
  TokenStream tokens_;
  const QueryParameters* params_;
  int depth_ = 0;
  // Bare UNIONs awaiting union_default_mode: each operator and where it was written.
  // The operators live in heap-allocated SelectQuery objects, so the pointers stay valid.
  std::vector<std::pair<SetOperator*, SourcePos>> bare_unions_;
};

}  // namespace mua::sql_internal
