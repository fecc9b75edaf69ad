#include "tools/shell/statement_splitter.h"

#include <cctype>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"

namespace mua::shell {
namespace {

bool IsWordChar(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

// When text[start] opens a string literal, a quoted name or a comment, returns
// the index just past its end (text.size() when unterminated, with
// *unterminated set); otherwise returns `start`.
size_t SkipQuotedOrComment(absl::string_view text, size_t start, bool* unterminated) {
  *unterminated = false;
  const char c = text[start];
  if (c == '\'' || c == '"' || c == '`') {
    for (size_t i = start + 1; i < text.size(); ++i) {
      if (text[i] == '\\') {
        ++i;  // a backslash escapes the next character, as in ClickHouse
      } else if (text[i] == c) {
        return i + 1;
      }
    }
    *unterminated = true;
    return text.size();
  }
  if (absl::StartsWith(text.substr(start), "--")) {
    const size_t newline = text.find('\n', start);
    // A line comment without its newline yet ends with the text: not pending.
    return newline == absl::string_view::npos ? text.size() : newline + 1;
  }
  if (absl::StartsWith(text.substr(start), "/*")) {
    const size_t end = text.find("*/", start + 2);
    if (end == absl::string_view::npos) {
      *unterminated = true;
      return text.size();
    }
    return end + 2;
  }
  return start;
}

// The top-level tokens of `sql`: words, quoted items whole, and single
// punctuation characters; comments and whitespace are dropped.
std::vector<absl::string_view> Tokens(absl::string_view sql) {
  std::vector<absl::string_view> tokens;
  size_t i = 0;
  while (i < sql.size()) {
    bool unterminated = false;
    const size_t skipped = SkipQuotedOrComment(sql, i, &unterminated);
    if (skipped != i) {
      const bool is_comment = sql[i] == '-' || sql[i] == '/';
      if (!is_comment) tokens.push_back(sql.substr(i, skipped - i));
      i = skipped;
    } else if (absl::ascii_isspace(static_cast<unsigned char>(sql[i]))) {
      ++i;
    } else if (IsWordChar(sql[i])) {
      const size_t start = i;
      while (i < sql.size() && IsWordChar(sql[i])) ++i;
      tokens.push_back(sql.substr(start, i - start));
    } else {
      tokens.push_back(sql.substr(i++, 1));
    }
  }
  return tokens;
}

}  // namespace

bool IsBlankSql(absl::string_view sql) {
  for (size_t i = 0; i < sql.size();) {
    bool unterminated = false;
    const size_t skipped = SkipQuotedOrComment(sql, i, &unterminated);
    if (skipped != i && (sql[i] == '-' || sql[i] == '/') && !unterminated) {
      i = skipped;
    } else if (absl::ascii_isspace(static_cast<unsigned char>(sql[i]))) {
      ++i;
    } else {
      return false;
    }
  }
  return true;
}

void StatementSplitter::AddLine(absl::string_view line) {
  if (!pending_.empty()) pending_.push_back('\n');
  pending_.append(line.data(), line.size());
}

bool StatementSplitter::HasPendingStatement() const { return !IsBlankSql(pending_); }

std::vector<std::string> StatementSplitter::TakeStatements() {
  std::vector<std::string> statements;
  size_t statement_start = 0;
  size_t i = 0;
  while (i < pending_.size()) {
    bool unterminated = false;
    const size_t skipped = SkipQuotedOrComment(pending_, i, &unterminated);
    if (unterminated) break;  // the rest waits for more lines
    if (skipped != i) {
      i = skipped;
      continue;
    }
    if (pending_[i] == ';') {
      const absl::string_view statement = absl::StripAsciiWhitespace(
          absl::string_view(pending_).substr(statement_start, i - statement_start));
      if (!IsBlankSql(statement)) statements.emplace_back(statement);
      statement_start = i + 1;
    }
    ++i;
  }
  pending_.erase(0, statement_start);
  if (IsBlankSql(pending_)) pending_.clear();
  return statements;
}

std::string JoinLinesForHistory(absl::string_view text) {
  std::string joined;
  size_t i = 0;
  while (i < text.size()) {
    bool unterminated = false;
    const size_t skipped = SkipQuotedOrComment(text, i, &unterminated);
    if (skipped != i) {
      joined.append(text.data() + i, skipped - i);
      i = skipped;
    } else if (text[i] == '\n') {
      // The break and the next line's indentation become one space.
      while (!joined.empty() && (joined.back() == ' ' || joined.back() == '\t')) joined.pop_back();
      if (!joined.empty() && joined.back() != '\n') joined.push_back(' ');
      ++i;
      while (i < text.size() && (text[i] == ' ' || text[i] == '\t')) ++i;
    } else {
      joined.push_back(text[i++]);
    }
  }
  return joined;
}

std::optional<std::string> TrailingFormatClause(absl::string_view sql) {
  const std::vector<absl::string_view> tokens = Tokens(sql);
  if (tokens.size() < 2) return std::nullopt;
  const absl::string_view keyword = tokens[tokens.size() - 2];
  const absl::string_view name = tokens.back();
  if (!absl::EqualsIgnoreCase(keyword, "FORMAT") || !IsWordChar(name.front())) return std::nullopt;
  return std::string(name);
}

}  // namespace mua::shell
