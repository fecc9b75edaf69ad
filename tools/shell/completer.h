// Completer: tab-completion candidates for the word before the cursor, from SQL
// keywords, the dialect's functions (SPEC §5, §5a), the server's tables and
// columns (fetched once at connect) and the shell's backslash commands. The
// context narrows the choice: after FROM/JOIN/DESCRIBE or `\d` only tables;
// after `events.` only that table's columns; a typed-lowercase keyword
// completes in lowercase.
//
//   Completer completer;
//   completer.SetSchema({{"default", "events", "event_type"}, ...});
//   Completion completion = completer.Complete("SELECT count() FROM ev");
//   // completion.word == "ev", completion.candidates == {"events", "events_rejected"}
//   CompletionEdit edit = PlanCompletion(completion);  // replace "ev" with "events"
#pragma once

#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace mua::shell {

struct SchemaColumn {
  std::string database;
  std::string table;
  std::string column;
};

struct Completion {
  std::string word;  // the partial word being completed
  std::vector<std::string>
      candidates;  // sorted, distinct, each starting with `word` (ignoring case)
};

// What the line editor does with a completion.
struct CompletionEdit {
  std::string replacement;       // replaces `word`; empty when nothing can be added
  bool list_candidates = false;  // show all candidates (they share no longer prefix)
};

class Completer {
 public:
  Completer();
  // Replaces the known tables and columns. Tables of database "default" are
  // offered bare, others as "database.table".
  void SetSchema(const std::vector<SchemaColumn>& columns);
  // Replaces the built-in function and table-function names with the
  // server's; an empty list keeps the built-in one.
  void SetFunctions(std::vector<std::string> functions, std::vector<std::string> table_functions);
  // Candidates for the word that ends at the end of `line_before_cursor`.
  Completion Complete(absl::string_view line_before_cursor) const;

 private:
  std::vector<std::string> QualifiedNames(absl::string_view word) const;

  std::vector<std::string> keywords_;
  std::vector<std::string> functions_;
  std::vector<std::string> table_functions_;
  std::vector<std::string> tables_;
  std::vector<SchemaColumn> columns_;
};

// The edit for `completion`: a single candidate is taken whole (with a
// trailing space), several are completed to their longest common prefix, or
// listed when that adds nothing.
CompletionEdit PlanCompletion(const Completion& completion);

}  // namespace mua::shell
