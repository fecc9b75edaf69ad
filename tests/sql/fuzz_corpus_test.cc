// Replays the fuzz corpus and every saved crasher through the same checks as
// tests/fuzz/sql_parser_fuzz.cc: parse, print, re-parse to an equal tree.
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "gtest/gtest.h"
#include "sql/parser.h"
#include "sql/printer.h"
#include "tests/sql/sql_test_util.h"

namespace mua {
namespace {

std::string ReadFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

void Replay(const std::filesystem::path& dir, bool must_parse) {
  ASSERT_TRUE(std::filesystem::is_directory(dir)) << dir;
  int files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (!entry.is_regular_file() || entry.path().filename() == "README.md") continue;
    ++files;
    std::string sql = ReadFile(entry.path());
    SCOPED_TRACE(entry.path().string());
    absl::StatusOr<std::vector<Statement>> script = ParseScript(sql);
    if (must_parse) {
      EXPECT_TRUE(script.ok()) << script.status();
    }
    if (script.ok()) {
      for (const Statement& statement : *script) test::RoundTrip(statement);
    }
    absl::StatusOr<ExprPtr> expr = ParseExpression(sql);
    if (expr.ok()) {
      absl::StatusOr<ExprPtr> reparsed = ParseExpression(ToSql(**expr));
      ASSERT_TRUE(reparsed.ok()) << ToSql(**expr);
      EXPECT_TRUE(AstEquals(**expr, **reparsed)) << ToSql(**expr);
    }
  }
  EXPECT_GT(files, 0);
}

TEST(FuzzCorpusTest, SeedsParseAndRoundTrip) {
  Replay(std::filesystem::path(MUA_SQL_FUZZ_DIR) / "corpus" / "sql_parser", /*must_parse=*/true);
}

TEST(FuzzCorpusTest, RegressionsDoNotCrash) {
  Replay(std::filesystem::path(MUA_SQL_FUZZ_DIR) / "regressions", /*must_parse=*/false);
}

}  // namespace
}  // namespace mua
