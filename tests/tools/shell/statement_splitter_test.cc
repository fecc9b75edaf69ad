#include "tools/shell/statement_splitter.h"

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace mua::shell {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

TEST(StatementSplitterTest, StatementSpanningLinesEndsAtSemicolon) {
  StatementSplitter splitter;
  splitter.AddLine("SELECT count()");
  EXPECT_THAT(splitter.TakeStatements(), IsEmpty());
  EXPECT_TRUE(splitter.HasPendingStatement());
  splitter.AddLine("  FROM events;");
  EXPECT_THAT(splitter.TakeStatements(), ElementsAre("SELECT count()\n  FROM events"));
  EXPECT_FALSE(splitter.HasPendingStatement());
  EXPECT_EQ(splitter.pending(), "");
}

TEST(StatementSplitterTest, SeveralStatementsOnOneLineLeaveTheRestPending) {
  StatementSplitter splitter;
  splitter.AddLine("SELECT 1; SELECT 2;SELECT");
  EXPECT_THAT(splitter.TakeStatements(), ElementsAre("SELECT 1", "SELECT 2"));
  EXPECT_EQ(splitter.pending(), "SELECT");
}

TEST(StatementSplitterTest, SemicolonsInStringsQuotedNamesAndCommentsDoNotSplit) {
  StatementSplitter splitter;
  splitter.AddLine("SELECT 'a;b', \"x;y\", `z;w` -- not here;");
  EXPECT_THAT(splitter.TakeStatements(), IsEmpty());
  splitter.AddLine("/* nor; here */ FROM events;");
  EXPECT_THAT(
      splitter.TakeStatements(),
      ElementsAre("SELECT 'a;b', \"x;y\", `z;w` -- not here;\n/* nor; here */ FROM events"));
}

TEST(StatementSplitterTest, EscapedQuoteStaysInsideTheString) {
  StatementSplitter splitter;
  splitter.AddLine(R"(SELECT 'it\'s; fine';)");
  EXPECT_THAT(splitter.TakeStatements(), ElementsAre(R"(SELECT 'it\'s; fine')"));
}

TEST(StatementSplitterTest, UnterminatedStringContinuesOnTheNextLine) {
  StatementSplitter splitter;
  splitter.AddLine("SELECT 'first;");
  EXPECT_THAT(splitter.TakeStatements(), IsEmpty());
  splitter.AddLine("second';");
  EXPECT_THAT(splitter.TakeStatements(), ElementsAre("SELECT 'first;\nsecond'"));
}

TEST(StatementSplitterTest, UnterminatedBlockCommentIsPending) {
  StatementSplitter splitter;
  splitter.AddLine("/* a comment;");
  EXPECT_THAT(splitter.TakeStatements(), IsEmpty());
  EXPECT_TRUE(splitter.HasPendingStatement());
  splitter.AddLine("still */");
  EXPECT_THAT(splitter.TakeStatements(), IsEmpty());
  EXPECT_FALSE(splitter.HasPendingStatement());
}

TEST(StatementSplitterTest, EmptyAndCommentOnlyStatementsAreDropped) {
  StatementSplitter splitter;
  splitter.AddLine(";; -- just a comment");
  splitter.AddLine(";  ;");
  EXPECT_THAT(splitter.TakeStatements(), IsEmpty());
  EXPECT_EQ(splitter.pending(), "");
}

TEST(StatementSplitterTest, ClearForgetsPendingText) {
  StatementSplitter splitter;
  splitter.AddLine("SELECT");
  splitter.Clear();
  EXPECT_FALSE(splitter.HasPendingStatement());
  splitter.AddLine("SELECT 1;");
  EXPECT_THAT(splitter.TakeStatements(), ElementsAre("SELECT 1"));
}

TEST(IsBlankSqlTest, WhitespaceAndCompleteCommentsAreBlank) {
  EXPECT_TRUE(IsBlankSql(""));
  EXPECT_TRUE(IsBlankSql("  \n -- x\n /* y */ "));
  EXPECT_FALSE(IsBlankSql("/* open"));
  EXPECT_FALSE(IsBlankSql("SELECT 1"));
}

TEST(TrailingFormatClauseTest, FindsTheFormatName) {
  EXPECT_EQ(TrailingFormatClause("SELECT 1 FORMAT JSON"), "JSON");
  EXPECT_EQ(TrailingFormatClause("select 1 format CSVWithNames -- trailing comment"),
            "CSVWithNames");
  EXPECT_EQ(TrailingFormatClause("SELECT 1"), std::nullopt);
  EXPECT_EQ(TrailingFormatClause("SELECT 'FORMAT JSON'"), std::nullopt);
  EXPECT_EQ(TrailingFormatClause("SELECT formatRow FROM t"), std::nullopt);
  EXPECT_EQ(TrailingFormatClause("SELECT format"), std::nullopt);
}

TEST(JoinLinesForHistoryTest, JoinsLinesWithSpaces) {
  EXPECT_EQ(JoinLinesForHistory("SELECT count()\n    FROM events\n  WHERE 1;"),
            "SELECT count() FROM events WHERE 1;");
}

TEST(JoinLinesForHistoryTest, KeepsLineCommentsAndMultiLineStringsIntact) {
  EXPECT_EQ(JoinLinesForHistory("SELECT 1 -- one\nFROM t;"), "SELECT 1 -- one\nFROM t;");
  EXPECT_EQ(JoinLinesForHistory("SELECT 'a\nb';"), "SELECT 'a\nb';");
}

}  // namespace
}  // namespace mua::shell
