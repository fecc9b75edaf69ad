// Golden tests for LIKE, position, substring, lower/upper and length.
#include "query/functions/string_functions.h"

#include <random>
#include <string>

#include "gtest/gtest.h"
#include "tests/testutil/status_matchers.h"

namespace mua::query_internal {
namespace {

using ::mua::test::StatusIs;

TEST(StringFunctionsTest, LikeShapes) {
  EXPECT_TRUE(Like("hello", "hello"));
  EXPECT_FALSE(Like("hello", "hell"));
  EXPECT_TRUE(Like("hello", "h%"));
  EXPECT_TRUE(Like("hello", "%llo"));
  EXPECT_TRUE(Like("hello", "%ell%"));
  EXPECT_TRUE(Like("hello", "%"));
  EXPECT_TRUE(Like("", "%"));
  EXPECT_TRUE(Like("", ""));
  EXPECT_FALSE(Like("a", ""));
  EXPECT_TRUE(Like("hello", "h_llo"));
  EXPECT_FALSE(Like("hllo", "h_llo"));
  EXPECT_TRUE(Like("abcabc", "a%c%c"));
  EXPECT_TRUE(Like("abcab", "%ab"));
  EXPECT_TRUE(Like("ab", "%a%b%"));
  EXPECT_FALSE(Like("ba", "%a%b%"));
  EXPECT_TRUE(Like("aXbXc", "a%b%c"));
  EXPECT_FALSE(Like("aXbXcX", "a%b%c"));
  EXPECT_TRUE(Like("view_item", "view%item"));
  EXPECT_TRUE(Like("ab", "a%%b"));
  EXPECT_TRUE(Like("abc", "%_c"));
  EXPECT_FALSE(Like("c", "%_c"));
  EXPECT_TRUE(Like("abc", "___"));
  EXPECT_FALSE(Like("abcd", "___"));
}

TEST(StringFunctionsTest, LikeEscapesAndUtf8) {
  EXPECT_TRUE(Like("a%b", "a\\%b"));
  EXPECT_FALSE(Like("axb", "a\\%b"));
  EXPECT_TRUE(Like("app_open", "app\\_%"));
  EXPECT_FALSE(Like("appXopen", "app\\_%"));
  EXPECT_TRUE(Like("a\\b", "a\\\\b"));
  EXPECT_THAT(LikeMatcher::Compile("abc\\"), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_TRUE(Like("\xC3\xA9", "_"));  // é is one character
  EXPECT_TRUE(Like("caf\xC3\xA9!", "caf_!"));
  EXPECT_TRUE(Like("\xE2\x82\xAC", "_"));        // €
  EXPECT_TRUE(Like("\xF0\x9F\x98\x80x", "_x"));  // an emoji
  EXPECT_FALSE(Like("ab", "_"));
  EXPECT_TRUE(Like("x\xC3\xA9y\xC3\xA9", "%y_"));
}

// Reference LIKE for ASCII text by recursion.
bool SlowLike(const std::string& s, size_t i, const std::string& p, size_t j) {
  if (j == p.size()) return i == s.size();
  if (p[j] == '%') return SlowLike(s, i, p, j + 1) || (i < s.size() && SlowLike(s, i + 1, p, j));
  if (i == s.size()) return false;
  if (p[j] == '_' || p[j] == s[i]) return SlowLike(s, i + 1, p, j + 1);
  return false;
}

TEST(StringFunctionsTest, LikeMatchesBruteForceOnRandomAscii) {
  std::mt19937 rng(5);
  const char kPatternChars[] = "ab%_";
  for (int iteration = 0; iteration < 20000; ++iteration) {
    std::string text, pattern;
    for (int i = static_cast<int>(rng() % 8); i > 0; --i)
      text += static_cast<char>('a' + rng() % 2);
    for (int i = static_cast<int>(rng() % 7); i > 0; --i) pattern += kPatternChars[rng() % 4];
    ASSERT_EQ(Like(text, pattern), SlowLike(text, 0, pattern, 0)) << text << " LIKE " << pattern;
  }
}

TEST(StringFunctionsTest, PositionIsOneBased) {
  EXPECT_EQ(Position("hello", "l"), 3);
  EXPECT_EQ(Position("hello", "lo"), 4);
  EXPECT_EQ(Position("hello", "z"), 0);
  EXPECT_EQ(Position("hello", ""), 1);
  EXPECT_EQ(Position("", ""), 1);
  EXPECT_EQ(Position("", "a"), 0);
  EXPECT_EQ(Position("hello", "l", 4), 4);
  EXPECT_EQ(Position("hello", "l", 6), 0);
  const int64_t expected[] = {1, 1, 2, 3, 4, 0};  // position('abc', '', 0..5)
  for (int start = 0; start <= 5; ++start) EXPECT_EQ(Position("abc", "", start), expected[start]);
  EXPECT_EQ(Position("caf\xC3\xA9 ok", "ok"), 7);  // bytes, not characters
}

TEST(StringFunctionsTest, SubstringIsByteBased) {
  EXPECT_EQ(Substring("Hello", 1, 3), "Hel");
  EXPECT_EQ(Substring("Hello", 2), "ello");
  EXPECT_EQ(Substring("Hello", -3), "llo");
  EXPECT_EQ(Substring("Hello", -3, 2), "ll");
  EXPECT_EQ(Substring("Hello", 0), "");
  EXPECT_EQ(Substring("Hello", 0, 3), "");
  EXPECT_EQ(Substring("Hello", 10), "");
  EXPECT_EQ(Substring("Hello", 5, 10), "o");
  EXPECT_EQ(Substring("Hello", 2, 0), "");
  EXPECT_EQ(Substring("Hello", 1, -1), "Hell");
  EXPECT_EQ(Substring("abcdef", -3, -1), "de");
  EXPECT_EQ(Substring("abc", -5, 3), "a");
  EXPECT_EQ(Substring("abc", -5), "abc");
  EXPECT_EQ(Substring("abc", 2, -5), "");
  EXPECT_EQ(Substring("\xC3\xA9t\xC3\xA9", 1, 1), "\xC3");
}

TEST(StringFunctionsTest, CaseAndLengthAreAscii) {
  EXPECT_EQ(Lower("AbC-\xC3\x89"), "abc-\xC3\x89");  // É unchanged
  EXPECT_EQ(Upper("abc-\xC3\xA9"), "ABC-\xC3\xA9");
  EXPECT_EQ(Length("\xC3\xA9"), 2u);
  EXPECT_EQ(Length(""), 0u);
}

}  // namespace
}  // namespace mua::query_internal
