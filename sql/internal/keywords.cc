#include "sql/internal/keywords.h"

#include "absl/strings/match.h"

namespace mua::sql_internal {
namespace {

// Clause starters, infix keywords, expression keywords, and the JOIN family
// (reserved so `FROM t JOIN u` reports JOIN instead of taking it as an alias).
constexpr absl::string_view kReserved[] = {
    "ALL",    "AND",   "ARRAY",    "AS",    "BETWEEN", "CASE",     "CAST",     "CROSS",  "DISTINCT",
    "ELSE",   "END",   "FALSE",    "FINAL", "FORMAT",  "FROM",     "FULL",     "GLOBAL", "GROUP",
    "HAVING", "ILIKE", "IN",       "INF",   "INNER",   "INTERVAL", "INTO",     "IS",     "JOIN",
    "LEFT",   "LIKE",  "LIMIT",    "NAN",   "NOT",     "NULL",     "OFFSET",   "ON",     "OR",
    "ORDER",  "OUTER", "PREWHERE", "RIGHT", "SAMPLE",  "SELECT",   "SETTINGS", "THEN",   "TRUE",
    "UNION",  "USING", "WHEN",     "WHERE", "WITH",
};

// Reserved words that are also ClickHouse function names: before '(' they
// call the function (`left(s, 2)`, `in(x, set)`).
constexpr absl::string_view kReservedFunctionNames[] = {
    "AND", "ARRAY", "ILIKE", "IN", "LEFT", "LIKE", "OR", "RIGHT",
};

bool IsWordStart(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }

}  // namespace

bool IsPlainWord(absl::string_view text) {
  if (text.empty() || !IsWordStart(text[0])) return false;
  for (char c : text) {
    if (!IsWordStart(c) && !(c >= '0' && c <= '9')) return false;
  }
  return true;
}

bool IsReservedWord(absl::string_view word) {
  for (absl::string_view reserved : kReserved) {
    if (absl::EqualsIgnoreCase(word, reserved)) return true;
  }
  return false;
}

bool IsFunctionKeyword(absl::string_view word) {
  if (!IsReservedWord(word)) return false;
  for (absl::string_view name : kReservedFunctionNames) {
    if (absl::EqualsIgnoreCase(word, name)) return false;
  }
  return true;
}

}  // namespace mua::sql_internal
