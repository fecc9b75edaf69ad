// StatementSplitter: collects input lines until they hold whole SQL statements,
// which end at a ';' outside string literals, quoted names and comments. The
// interactive shell shows a continuation prompt while pending() is non-empty;
// scripts go through the same splitter, so both behave alike.
//
//   StatementSplitter splitter;
//   splitter.AddLine("SELECT count()");      // pending: "SELECT count()"
//   splitter.AddLine("FROM events; SELECT");  // one statement done, "SELECT" pending
//   for (const std::string& sql : splitter.TakeStatements()) Run(sql);  // "SELECT count()\nFROM
//   events"
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace mua::shell {

class StatementSplitter {
 public:
  // Appends one line of input (without its newline).
  void AddLine(absl::string_view line);
  // Removes and returns the complete statements so far, in order: each without
  // its ';' and surrounding whitespace; statements holding only comments are dropped.
  std::vector<std::string> TakeStatements();
  // The text after the last complete statement (may hold only whitespace).
  const std::string& pending() const { return pending_; }
  // True when pending() holds something other than whitespace and comments.
  bool HasPendingStatement() const;
  // Forgets the pending text (Ctrl-C at a continuation prompt).
  void Clear() { pending_.clear(); }

 private:
  std::string pending_;
};

// True when `sql` holds nothing but whitespace and complete comments.
bool IsBlankSql(absl::string_view sql);

// The format named by a trailing `FORMAT name` clause of `sql` (outside
// quotes and comments), or nullopt when the statement has none.
std::optional<std::string> TrailingFormatClause(absl::string_view sql);

// `text` on one line for the history: line breaks outside string literals and
// comments become single spaces (a line comment keeps its line break, so the
// entry still means the same).
std::string JoinLinesForHistory(absl::string_view text);

}  // namespace mua::shell
