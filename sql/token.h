// Tokens of MUA's SQL dialect (ClickHouse's lexical syntax), as made by Lexer.
//
// A token views the input (`text` is exactly what was written) and carries its
// SourcePos. Keywords are not a separate kind: a keyword is a kWord that the
// parser matches case-insensitively, so `select`, `SELECT` and `Select` agree
// while a function name keeps its case in `value`.
//
//   "count(*) >= 0x1F" -> kWord "count", kLParen, kStar, kRParen,
//                         kGreaterEquals, kInteger (uint_value 31), kEnd
#pragma once

#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"
#include "sql/sql_error.h"

namespace mua {

enum class TokenKind : uint8_t {
  kEnd,               // end of input (repeats)
  kError,             // only from the parser's token stream, after a lexer error
  kWord,              // bare identifier or keyword; value = text
  kQuotedIdentifier,  // "name" or `name`; value = the unescaped name
  kInteger,           // decimal, 0x.. or 0b..; uint_value
  kFloat,             // 1.5, 1e3, .5, or an integer too large for UInt64; float_value
  kString,            // 'text'; value = the unescaped contents
  kPlus,              // +
  kMinus,             // -
  kStar,              // *
  kSlash,             // /
  kPercent,           // %
  kEquals,            // = or ==
  kNotEquals,         // != or <>
  kLess,              // <
  kLessEquals,        // <=
  kGreater,           // >
  kGreaterEquals,     // >=
  kConcat,            // ||
  kFatArrow,          // =>
  kArrow,             // ->
  kLParen,            // (
  kRParen,            // )
  kLBracket,          // [
  kRBracket,          // ]
  kComma,             // ,
  kDot,               // .
  kSemicolon,         // ;
  kDoubleColon,       // ::
  kQuestion,          // ?
  kLBrace,            // {  (query parameters: {name:Type})
  kRBrace,            // }
  kColon,             // :
};

struct Token {
  TokenKind kind = TokenKind::kEnd;
  SourcePos pos;
  absl::string_view text;   // the token as written; empty for kEnd
  std::string value;        // kWord, kQuotedIdentifier, kString
  uint64_t uint_value = 0;  // kInteger
  double float_value = 0;   // kFloat
};

// Returns a short name of the kind for tests and messages ("integer", "')'").
absl::string_view TokenKindName(TokenKind kind);

// Describes a token for an error message: "end of input", "'FROM'",
// "string 'abc'", "')'". Long tokens are shortened with "...".
std::string DescribeToken(const Token& token);

}  // namespace mua
