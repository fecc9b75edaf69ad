#include "sql/internal/parser_impl.h"

#include <algorithm>
#include <optional>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "sql/internal/keywords.h"

namespace mua::sql_internal {

bool TokenIsName(const Token& token) {
  return token.kind == TokenKind::kWord || token.kind == TokenKind::kQuotedIdentifier;
}

bool TokenIsFreeName(const Token& token) {
  if (token.kind == TokenKind::kQuotedIdentifier) return true;
  if (token.kind != TokenKind::kWord || IsReservedWord(token.text)) return false;
  for (absl::string_view word : {"ANY", "SEMI", "ANTI", "ASOF", "PASTE", "WINDOW", "QUALIFY", "OVER"}) {
    if (absl::EqualsIgnoreCase(token.text, word)) return false;
  }
  return true;
}

Parser::Parser(absl::string_view sql, const QueryParameters* params)
    : sql_(sql), tokens_(sql), params_(params) {}

absl::Status Parser::ErrorAt(const Token& token, absl::string_view message) {
  if (token.kind == TokenKind::kError) return tokens_.error();
  return MakeSqlError(absl::StatusCode::kInvalidArgument, token.pos, message);
}

absl::Status Parser::Expected(absl::string_view what) {
  const Token& token = tokens_.Peek();
  std::string message = absl::StrCat("expected ", what);
  if (tokens_.previous().kind != TokenKind::kEnd) {
    absl::StrAppend(&message, " after ", DescribeToken(tokens_.previous()));
  }
  absl::StrAppend(&message, ", found ", DescribeToken(token));
  return ErrorAt(token, message);
}

absl::Status Parser::Unexpected() {
  const Token& token = tokens_.Peek();
  return ErrorAt(token, absl::StrCat("unexpected ", DescribeToken(token)));
}

absl::Status Parser::ResolveBareUnions(const std::vector<Setting>* settings) {
  if (bare_unions_.empty()) return absl::OkStatus();
  std::optional<SetOperator> mode;
  if (settings != nullptr) {
    for (const Setting& setting : *settings) {
      if (!absl::EqualsIgnoreCase(setting.name, "union_default_mode")) continue;
      const Expr& value = *setting.value;
      if (value.kind != ExprKind::kLiteral ||
          value.As<LiteralExpr>().literal_kind != LiteralKind::kString) {
        continue;
      }
      const std::string& text = value.As<LiteralExpr>().string_value;
      if (absl::EqualsIgnoreCase(text, "ALL")) mode = SetOperator::kUnionAll;
      if (absl::EqualsIgnoreCase(text, "DISTINCT")) mode = SetOperator::kUnionDistinct;
      if (!text.empty() && !mode.has_value()) {
        return MakeSqlError(absl::StatusCode::kInvalidArgument, setting.pos,
                            absl::StrCat("Unknown union_default_mode '", text,
                                         "': expected 'ALL', 'DISTINCT' or ''"));
      }
    }
  }
  if (!mode.has_value()) {
    return MakeSqlError(absl::StatusCode::kInvalidArgument, bare_unions_.front().second,
                        "Expected ALL or DISTINCT in SelectWithUnion query, because setting "
                        "(union_default_mode) is empty");
  }
  for (const auto& [op, pos] : bare_unions_) *op = *mode;
  bare_unions_.clear();
  return absl::OkStatus();
}

absl::Status Parser::CheckNesting() {
  if (depth_ <= kMaxNesting) return absl::OkStatus();
  const Token& token = tokens_.Peek();
  if (token.kind == TokenKind::kError) return tokens_.error();
  return MakeSqlError(
      absl::StatusCode::kResourceExhausted, token.pos,
      absl::StrCat("query is nested too deeply (more than ", kMaxNesting, " levels)"));
}

bool Parser::PeekWord(absl::string_view keyword, size_t ahead) {
  const Token& token = tokens_.Peek(ahead);
  return token.kind == TokenKind::kWord && absl::EqualsIgnoreCase(token.text, keyword);
}

bool Parser::TakeWord(absl::string_view keyword) {
  if (!PeekWord(keyword)) return false;
  tokens_.Take();
  return true;
}

absl::Status Parser::ExpectWord(absl::string_view keyword) {
  if (TakeWord(keyword)) return absl::OkStatus();
  return Expected(keyword);
}

absl::Status Parser::Expect(TokenKind kind) {
  if (tokens_.Peek().kind == kind) {
    tokens_.Take();
    return absl::OkStatus();
  }
  return Expected(TokenKindName(kind));
}

absl::Status Parser::Finish(Expr& expr) {
  uint32_t child_height = 0;
  if (expr.kind == ExprKind::kSubquery) {
    child_height = expr.As<SubqueryExpr>().query->height;
  } else {
    ForEachChild(expr, [&child_height](const Expr& child) {
      child_height = std::max(child_height, child.height);
    });
  }
  expr.height = child_height + 1;
  return CheckHeight(expr.height, expr.pos);
}

absl::Status Parser::CheckHeight(uint32_t height, SourcePos pos) {
  if (height <= kMaxAstHeight) return absl::OkStatus();
  return MakeSqlError(
      absl::StatusCode::kResourceExhausted, pos,
      absl::StrCat("expression is nested too deeply (more than ", kMaxAstHeight, " levels)"));
}

}  // namespace mua::sql_internal
