#include "sql/internal/token_stream.h"

#include <utility>

#include "absl/strings/str_cat.h"

namespace mua::sql_internal {

TokenStream::TokenStream(absl::string_view sql) : lexer_(sql) {}

void TokenStream::Fill(size_t count) {
  while (ahead_.size() < count) {
    if (!error_.ok()) {
      Token error;
      error.kind = TokenKind::kError;
      ahead_.push_back(std::move(error));
      continue;
    }
    if (!ahead_.empty() &&
        (ahead_.back().kind == TokenKind::kEnd || ahead_.back().kind == TokenKind::kError)) {
      ahead_.push_back(ahead_.back());
      continue;
    }
    absl::StatusOr<Token> token = lexer_.Next();
    if (token.ok() && ++lexed_ > kMaxTokens) {
      token = MakeSqlError(absl::StatusCode::kResourceExhausted, token->pos,
                           absl::StrCat("query is too long: more than ", kMaxTokens, " tokens"));
    }
    if (!token.ok()) {
      error_ = token.status();
      Token error;
      error.kind = TokenKind::kError;
      ahead_.push_back(std::move(error));
      continue;
    }
    ahead_.push_back(*std::move(token));
  }
}

const Token& TokenStream::Peek(size_t ahead) {
  Fill(ahead + 1);
  return ahead_[ahead];
}

Token TokenStream::Take() {
  Fill(1);
  Token token = std::move(ahead_.front());
  ahead_.pop_front();
  if (token.kind != TokenKind::kEnd && token.kind != TokenKind::kError) {
    previous_.kind = token.kind;
    previous_.pos = token.pos;
    previous_.text = token.text;
  }
  return token;
}

}  // namespace mua::sql_internal
