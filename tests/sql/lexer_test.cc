#include "sql/lexer.h"

#include <cmath>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testutil/status_matchers.h"

namespace mua {
namespace {

std::vector<TokenKind> Kinds(absl::string_view sql) {
  absl::StatusOr<std::vector<Token>> tokens = Tokenize(sql);
  EXPECT_TRUE(tokens.ok()) << tokens.status();
  std::vector<TokenKind> kinds;
  if (tokens.ok()) {
    for (const Token& token : *tokens) kinds.push_back(token.kind);
  }
  return kinds;
}

Token Single(absl::string_view sql) {
  absl::StatusOr<std::vector<Token>> tokens = Tokenize(sql);
  EXPECT_TRUE(tokens.ok()) << tokens.status();
  if (!tokens.ok() || tokens->size() != 1) {
    ADD_FAILURE() << "expected one token in " << sql;
    return Token();
  }
  return (*tokens)[0];
}

std::string ErrorOf(absl::string_view sql) {
  absl::StatusOr<std::vector<Token>> tokens = Tokenize(sql);
  EXPECT_FALSE(tokens.ok()) << sql;
  return tokens.ok() ? "" : std::string(tokens.status().message());
}

TEST(LexerTest, WordsKeepTheirCase) {
  Token token = Single("uniqExact");
  EXPECT_EQ(token.kind, TokenKind::kWord);
  EXPECT_EQ(token.value, "uniqExact");
  EXPECT_EQ(token.text, "uniqExact");
}

TEST(LexerTest, QuotedIdentifiers) {
  EXPECT_EQ(Single("\"my col\"").value, "my col");
  EXPECT_EQ(Single("`select`").value, "select");
  EXPECT_EQ(Single("`a``b`").value, "a`b");
  EXPECT_EQ(Single("\"a\\\"b\"").value, "a\"b");
  EXPECT_EQ(Single("`x`").kind, TokenKind::kQuotedIdentifier);
}

TEST(LexerTest, StringEscapes) {
  EXPECT_EQ(Single("'it\\'s'").value, "it's");
  EXPECT_EQ(Single("'it''s'").value, "it's");
  EXPECT_EQ(Single("''").value, "");
  EXPECT_EQ(Single("'a\\nb\\tc\\\\d'").value, "a\nb\tc\\d");
  EXPECT_EQ(Single("'\\0'").value, std::string(1, '\0'));
  EXPECT_EQ(Single("'\\x41\\x7a'").value, "Az");
  EXPECT_EQ(Single("'\\q'").value, "q");
  EXPECT_EQ(Single("'multi\nline'").value, "multi\nline");
  EXPECT_EQ(Single("'héllo'").value, "héllo");
}

TEST(LexerTest, Numbers) {
  Token integer = Single("42");
  EXPECT_EQ(integer.kind, TokenKind::kInteger);
  EXPECT_EQ(integer.uint_value, 42u);
  EXPECT_EQ(Single("0x1F").uint_value, 31u);
  EXPECT_EQ(Single("0b101").uint_value, 5u);
  EXPECT_EQ(Single("18446744073709551615").uint_value, 18446744073709551615u);
  Token huge = Single("18446744073709551616");
  EXPECT_EQ(huge.kind, TokenKind::kFloat);
  EXPECT_DOUBLE_EQ(huge.float_value, 18446744073709551616.0);
  EXPECT_DOUBLE_EQ(Single("1.5").float_value, 1.5);
  EXPECT_DOUBLE_EQ(Single("1e3").float_value, 1000.0);
  EXPECT_DOUBLE_EQ(Single("2.5E-1").float_value, 0.25);
  EXPECT_DOUBLE_EQ(Single(".5").float_value, 0.5);
  EXPECT_DOUBLE_EQ(Single("1.").float_value, 1.0);
  EXPECT_TRUE(std::isinf(Single("1e999").float_value));
}

TEST(LexerTest, DotAfterNameIsAnOperator) {
  EXPECT_THAT(Kinds("t.col"),
              testing::ElementsAre(TokenKind::kWord, TokenKind::kDot, TokenKind::kWord));
  EXPECT_THAT(Kinds("t.5"),
              testing::ElementsAre(TokenKind::kWord, TokenKind::kDot, TokenKind::kInteger));
}

TEST(LexerTest, Operators) {
  EXPECT_THAT(
      Kinds("+ - * / % = == != <> < <= > >= || => ( ) [ ] , . ; :: ? ->"),
      testing::ElementsAre(TokenKind::kPlus, TokenKind::kMinus, TokenKind::kStar, TokenKind::kSlash,
                           TokenKind::kPercent, TokenKind::kEquals, TokenKind::kEquals,
                           TokenKind::kNotEquals, TokenKind::kNotEquals, TokenKind::kLess,
                           TokenKind::kLessEquals, TokenKind::kGreater, TokenKind::kGreaterEquals,
                           TokenKind::kConcat, TokenKind::kFatArrow, TokenKind::kLParen,
                           TokenKind::kRParen, TokenKind::kLBracket, TokenKind::kRBracket,
                           TokenKind::kComma, TokenKind::kDot, TokenKind::kSemicolon,
                           TokenKind::kDoubleColon, TokenKind::kQuestion, TokenKind::kArrow));
  EXPECT_THAT(Kinds("a<=>b"), testing::ElementsAre(TokenKind::kWord, TokenKind::kLessEquals,
                                                   TokenKind::kGreater, TokenKind::kWord));
}

TEST(LexerTest, CommentsAreSkipped) {
  EXPECT_THAT(Kinds("a -- comment\nb /* c /* nested */ d */ e"),
              testing::ElementsAre(TokenKind::kWord, TokenKind::kWord, TokenKind::kWord));
  EXPECT_THAT(Kinds("1--2"), testing::ElementsAre(TokenKind::kInteger));
  EXPECT_THAT(Kinds("-- only a comment"), testing::IsEmpty());
}

TEST(LexerTest, PositionsCountLinesAndCodePoints) {
  ASSERT_OK_AND_ASSIGN(std::vector<Token> tokens, Tokenize("SELECT 'é', x\n  FROM\tt"));
  ASSERT_EQ(tokens.size(), 6u);
  EXPECT_EQ(tokens[0].pos.line, 1u);
  EXPECT_EQ(tokens[0].pos.column, 1u);
  EXPECT_EQ(tokens[1].pos.column, 8u);
  EXPECT_EQ(tokens[2].pos.column, 11u);  // after 'é' (one code point, two bytes)
  EXPECT_EQ(tokens[3].pos.column, 13u);
  EXPECT_EQ(tokens[3].pos.offset, 13u);
  EXPECT_EQ(tokens[4].pos.line, 2u);
  EXPECT_EQ(tokens[4].pos.column, 3u);
  EXPECT_EQ(tokens[5].pos.column, 8u);
}

TEST(LexerTest, EndIsJustPastTheLastToken) {
  Lexer lexer("SELECT 1  \n\n -- trailing\n");
  ASSERT_OK(lexer.Next());
  ASSERT_OK(lexer.Next());
  ASSERT_OK_AND_ASSIGN(Token end, lexer.Next());
  EXPECT_EQ(end.kind, TokenKind::kEnd);
  EXPECT_EQ(end.pos.line, 1u);
  EXPECT_EQ(end.pos.column, 9u);
  ASSERT_OK_AND_ASSIGN(Token again, lexer.Next());
  EXPECT_EQ(again.kind, TokenKind::kEnd);
}

TEST(LexerTest, Errors) {
  EXPECT_EQ(ErrorOf("SELECT 'abc"), "line 1, column 8: unterminated string literal");
  EXPECT_EQ(ErrorOf("SELECT 'abc\\'"), "line 1, column 8: unterminated string literal");
  EXPECT_EQ(ErrorOf("x\n  `abc"), "line 2, column 3: unterminated quoted identifier");
  EXPECT_EQ(ErrorOf("a /* b"), "line 1, column 3: unterminated comment");
  EXPECT_EQ(ErrorOf("a /* /* b */"), "line 1, column 3: unterminated comment");
  EXPECT_EQ(ErrorOf("a $ b"), "line 1, column 3: unknown character '$'");
  EXPECT_EQ(ErrorOf("a ! b"), "line 1, column 3: unknown character '!'");
  EXPECT_EQ(ErrorOf("a & b"), "line 1, column 3: unknown character '&'");
  EXPECT_EQ(ErrorOf("é €"), "line 1, column 1: unknown character 'é'");
  EXPECT_EQ(ErrorOf(std::string("a \x01", 3)), "line 1, column 3: unknown character '\\x01'");
  EXPECT_EQ(ErrorOf("12abc"), "line 1, column 1: invalid number '12abc'");
  EXPECT_EQ(ErrorOf("1e+"), "line 1, column 1: invalid number '1e+'");
  EXPECT_EQ(ErrorOf("0x"), "line 1, column 1: invalid number '0x'");
  EXPECT_EQ(ErrorOf("0x1FFFFFFFFFFFFFFFF"),
            "line 1, column 1: integer '0x1FFFFFFFFFFFFFFFF' is too large");
  EXPECT_EQ(ErrorOf("'\\xZZ'"),
            "line 1, column 2: invalid escape sequence: \\x must be followed by two hex digits");
  EXPECT_EQ(ErrorOf("``"), "line 1, column 1: empty quoted identifier");
}

TEST(LexerTest, ErrorsCarryTheirPosition) {
  absl::StatusOr<std::vector<Token>> tokens = Tokenize("SELECT\n  'abc");
  ASSERT_FALSE(tokens.ok());
  std::optional<SqlError> error = GetSqlError(tokens.status());
  ASSERT_TRUE(error.has_value());
  EXPECT_EQ(error->line, 2u);
  EXPECT_EQ(error->column, 3u);
  EXPECT_EQ(error->offset, 9u);
  EXPECT_EQ(error->message, "unterminated string literal");
  EXPECT_EQ(DrawCaret("SELECT\n  'abc", *error), "  'abc\n  ^\n");
  EXPECT_FALSE(GetSqlError(absl::InvalidArgumentError("other")).has_value());
}

}  // namespace
}  // namespace mua
