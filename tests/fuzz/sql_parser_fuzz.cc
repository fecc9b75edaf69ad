// libFuzzer target for the SQL front end: any input must parse or fail cleanly,
// and whatever parses must print (ToSql) to text that parses to an equal tree.
//
//   build/fuzz/fuzz/mua_sql_parser_fuzz -max_total_time=300 tests/fuzz/corpus/sql_parser
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "sql/parser.h"
#include "sql/printer.h"

namespace {

[[noreturn]] void Fail(const char* what, const std::string& printed, const std::string& detail) {
  std::fprintf(stderr, "%s\nprinted: %s\n%s\n", what, printed.c_str(), detail.c_str());
  std::abort();
}

void CheckRoundTrip(const mua::Statement& statement) {
  std::string printed = mua::ToSql(statement);
  absl::StatusOr<mua::Statement> reparsed = mua::ParseStatement(printed);
  if (!reparsed.ok())
    Fail("printed statement does not parse", printed, reparsed.status().ToString());
  if (!mua::AstEquals(statement, *reparsed)) {
    Fail("printed statement parses to a different tree", printed, mua::ToSql(*reparsed));
  }
  if (mua::ToSql(*reparsed) != printed)
    Fail("printing is not stable", printed, mua::ToSql(*reparsed));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  absl::string_view sql(reinterpret_cast<const char*>(data), size);
  absl::StatusOr<std::vector<mua::Statement>> script = mua::ParseScript(sql);
  if (script.ok()) {
    for (const mua::Statement& statement : *script) CheckRoundTrip(statement);
  }
  absl::StatusOr<mua::ExprPtr> expr = mua::ParseExpression(sql);
  if (expr.ok()) {
    std::string printed = mua::ToSql(**expr);
    absl::StatusOr<mua::ExprPtr> reparsed = mua::ParseExpression(printed);
    if (!reparsed.ok())
      Fail("printed expression does not parse", printed, reparsed.status().ToString());
    if (!mua::AstEquals(**expr, **reparsed)) {
      Fail("printed expression parses to a different tree", printed, mua::ToSql(**reparsed));
    }
  }
  return 0;
}
