#include "tools/shell/server_error.h"

#include "gtest/gtest.h"

namespace mua::shell {
namespace {

TEST(ServerErrorTest, ParsesClickHouseErrorBody) {
  const ServerError error = ParseServerError(
      "Code: 62. DB::Exception: line 1, column 8: expected expression, found 'FROM'. "
      "(SYNTAX_ERROR) "
      "(version MUA 0.1)\n");
  EXPECT_EQ(error.code, 62);
  EXPECT_EQ(error.name, "SYNTAX_ERROR");
  EXPECT_EQ(error.message, "line 1, column 8: expected expression, found 'FROM'");
  EXPECT_EQ(error.line, 1);
  EXPECT_EQ(error.column, 8);
  EXPECT_EQ(error.server_version, "MUA 0.1");
}

TEST(ServerErrorTest, MessageWithoutPositionHasNoLine) {
  const ServerError error = ParseServerError(
      "Code: 60. DB::Exception: Table default.evnts doesn't exist. (UNKNOWN_TABLE)");
  EXPECT_EQ(error.code, 60);
  EXPECT_EQ(error.name, "UNKNOWN_TABLE");
  EXPECT_EQ(error.message, "Table default.evnts doesn't exist");
  EXPECT_EQ(error.line, 0);
  EXPECT_EQ(error.server_version, "");
}

TEST(ServerErrorTest, PositionLaterInTheMessageIsFound) {
  const ServerError error = ParseServerError(
      "Code: 47. DB::Exception: in subquery: line 3, column 12: unknown column (X)");
  EXPECT_EQ(error.line, 3);
  EXPECT_EQ(error.column, 12);
}

TEST(ServerErrorTest, OtherTextBecomesTheMessage) {
  const ServerError error = ParseServerError("Unauthorized: bad token (see docs)\n");
  EXPECT_EQ(error.code, 0);
  EXPECT_EQ(error.name, "");
  EXPECT_EQ(error.message, "Unauthorized: bad token (see docs)");
}

TEST(DrawCaretTest, CaretUnderTheColumn) {
  EXPECT_EQ(DrawCaret("SELECT count( FROM events", 1, 14),
            "SELECT count( FROM events\n             ^\n");
}

TEST(DrawCaretTest, PicksTheNamedLineOfAMultiLineStatement) {
  EXPECT_EQ(DrawCaret("SELECT x\nFROM evnts", 2, 6), "FROM evnts\n     ^\n");
}

TEST(DrawCaretTest, CountsCodePointsAndKeepsTabs) {
  EXPECT_EQ(DrawCaret("\tSELECT 'äö' x", 1, 13), "\tSELECT 'äö' x\n\t           ^\n");
}

TEST(DrawCaretTest, PositionPastTheEndAndMissingLines) {
  EXPECT_EQ(DrawCaret("SELECT", 1, 7), "SELECT\n      ^\n");
  EXPECT_EQ(DrawCaret("SELECT", 2, 1), "");
  EXPECT_EQ(DrawCaret("SELECT", 0, 0), "");
}

}  // namespace
}  // namespace mua::shell
