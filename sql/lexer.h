// Lexer: splits SQL text into Tokens on demand, ClickHouse's lexical rules.
//
// Identifiers: bare (letters, digits, '_'), "double-quoted" or `backquoted`
// (escapes as in strings, or a doubled quote). Strings: '...' with \' '' \n \t
// \r \b \f \a \v \0 \\ \xHH escapes; any other \c means c. Numbers: 42, 0x1F,
// 0b101, 1.5, 1e3, .5; an integer beyond UInt64 becomes a float. Comments:
// -- to end of line, /* */ (nestable). Lexing is lazy so INSERT ... FORMAT
// bodies after the statement are never read.
//
//   Lexer lexer("SELECT 'it\\'s' -- comment");
//   lexer.Next() -> kWord "SELECT" at line 1, column 1
//   lexer.Next() -> kString value "it's" at line 1, column 8
//   lexer.Next() -> kEnd (at line 1, column 15: just past the last token)
#pragma once

#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "sql/token.h"

namespace mua {

class Lexer {
 public:
  // REQUIRES: `sql` outlives the lexer and every token it returns.
  explicit Lexer(absl::string_view sql);

  Lexer(const Lexer&) = delete;
  Lexer& operator=(const Lexer&) = delete;

  // Returns the next token; kEnd (positioned just past the last token) at the
  // end, again on every later call. Errors: InvalidArgument made by
  // MakeSqlError for an unterminated string, identifier or comment, a bad
  // escape or number, or an unknown character; the lexer must not be used after.
  absl::StatusOr<Token> Next();

 private:
  char At(size_t ahead) const;
  void Advance(size_t bytes);
  absl::Status SkipSpaceAndComments();
  absl::Status SkipBlockComment();
  absl::Status LexNumber(Token* token);
  absl::Status LexQuoted(char quote, Token* token);
  absl::Status LexEscape(std::string* out);
  absl::Status LexOperator(Token* token);
  absl::Status Error(SourcePos pos, absl::string_view message) const;

  absl::string_view sql_;
  SourcePos pos_;
  SourcePos last_end_;  // just past the last token
  TokenKind last_kind_ = TokenKind::kEnd;
};

// Returns every token of `sql` before kEnd. Errors: as Lexer::Next.
absl::StatusOr<std::vector<Token>> Tokenize(absl::string_view sql);

}  // namespace mua
