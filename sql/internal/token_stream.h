// TokenStream: the parser's view of the Lexer, with lookahead, a token limit
// and the last consumed token (for "after 'X'" in messages).
//
// Lexer errors become a sticky kError token, so the parser only notices them
// when it must act on that token; error() then holds the lexer's status. Tokens
// past the last one peeked are never lexed (INSERT data stays unread).
//
//   TokenStream tokens("SELECT 1");
//   tokens.Peek().kind == TokenKind::kWord;  tokens.Peek(1).kind == TokenKind::kInteger
//   Token select = tokens.Take();            tokens.previous().text == "SELECT"
#pragma once

#include <cstddef>
#include <deque>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "sql/lexer.h"
#include "sql/token.h"

namespace mua::sql_internal {

// More tokens than this in one parse is a ResourceExhausted error.
inline constexpr size_t kMaxTokens = 1'000'000;

class TokenStream {
 public:
  // REQUIRES: `sql` outlives the stream.
  explicit TokenStream(absl::string_view sql);

  TokenStream(const TokenStream&) = delete;
  TokenStream& operator=(const TokenStream&) = delete;

  // The token `ahead` places past the current one (kEnd or kError repeat at the
  // end). The reference is valid until the next Take().
  const Token& Peek(size_t ahead = 0);

  // Consumes and returns the current token.
  Token Take();

  // The last consumed token (kind and text only); kEnd before the first Take().
  const Token& previous() const { return previous_; }

  // Why the stream yields kError (OK until then).
  const absl::Status& error() const { return error_; }

 private:
  void Fill(size_t count);

  Lexer lexer_;
  std::deque<Token> ahead_;
  Token previous_;
  absl::Status error_;
  size_t lexed_ = 0;
};

}  // namespace mua::sql_internal
