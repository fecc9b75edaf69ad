#include "tools/shell/completer.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "tools/shell/shell_command.h"

namespace mua::shell {
namespace {

constexpr absl::string_view kKeywords =
    "SELECT FROM WHERE GROUP BY HAVING ORDER LIMIT OFFSET WITH AS AND OR NOT IN BETWEEN LIKE IS "
    "NULL CASE WHEN THEN ELSE END DISTINCT ASC DESC EXPLAIN SHOW TABLES DESCRIBE INSERT INTO "
    "FORMAT DELETE INTERVAL SECOND MINUTE HOUR DAY WEEK MONTH YEAR TRUE FALSE";

// Offered until the server's system.functions replaces them (an older server).
constexpr absl::string_view kFunctions =
    "toDate toDateTime toStartOfHour toStartOfDay toStartOfWeek toStartOfMonth toMonday "
    "toYYYYMMDD toHour toStartOfInterval now today dateDiff "
    "count countIf uniqExact uniq sum sumIf avg avgIf min max quantile quantileExact median any "
    "argMin argMax round abs floor lower upper length concat substring position toString toInt64 "
    "toFloat64 coalesce ifNull if multiIf JSONExtractString JSONExtractFloat JSONExtractInt "
    "JSONExtractBool JSONHas retention windowFunnel";

// The product-analytics table functions, offered after FROM as well, until the
// server's system.table_functions replaces them.
constexpr absl::string_view kTableFunctions =
    "active_users retention_matrix funnel stickiness lifecycle paths crash_health";

// Words after which a table name comes.
constexpr absl::string_view kTableContext = "FROM JOIN DESCRIBE DESC TABLE INTO";

std::vector<std::string> Words(absl::string_view text) {
  return absl::StrSplit(text, ' ', absl::SkipEmpty());
}

bool IsWordChar(char c) {
  return absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.';
}

bool StartsWithIgnoringCase(absl::string_view text, absl::string_view prefix) {
  return text.size() >= prefix.size() &&
         absl::EqualsIgnoreCase(text.substr(0, prefix.size()), prefix);
}

bool IsOneOf(absl::string_view word, absl::string_view choices) {
  for (const absl::string_view choice : absl::StrSplit(choices, ' ')) {
    if (absl::EqualsIgnoreCase(word, choice)) return true;
  }
  return false;
}

// A keyword in the case the user types in: lowercase if the word is lowercase.
std::string KeywordInCaseOf(absl::string_view keyword, absl::string_view word) {
  const bool has_lower =
      std::any_of(word.begin(), word.end(), [](char c) { return absl::ascii_islower(c); });
  const bool has_upper =
      std::any_of(word.begin(), word.end(), [](char c) { return absl::ascii_isupper(c); });
  return has_lower && !has_upper ? absl::AsciiStrToLower(keyword) : std::string(keyword);
}

// Where the cursor is: the partial word, the word before it, and the line's command.
struct WordContext {
  absl::string_view word;
  absl::string_view previous;  // the whitespace-separated word before `word`
  bool first_word = false;     // nothing but whitespace before `word`
  bool in_command = false;     // a later word of a backslash command line
  absl::string_view before;    // the line before `word`
};

WordContext ContextOf(absl::string_view line) {
  WordContext context;
  size_t word_start = line.size();
  while (word_start > 0 && IsWordChar(line[word_start - 1])) --word_start;
  if (word_start > 0 && line[word_start - 1] == '\\') --word_start;
  context.word = line.substr(word_start);
  context.before = absl::StripTrailingAsciiWhitespace(line.substr(0, word_start));
  size_t previous_start = context.before.size();
  while (previous_start > 0 &&
         !absl::ascii_isspace(static_cast<unsigned char>(context.before[previous_start - 1]))) {
    --previous_start;
  }
  context.previous = context.before.substr(previous_start);
  const absl::string_view trimmed = absl::StripLeadingAsciiWhitespace(context.before);
  context.first_word = trimmed.empty();
  context.in_command = absl::StartsWith(trimmed, "\\");
  return context;
}

class CandidateList {
 public:
  explicit CandidateList(absl::string_view word) : word_(word) {}
  void Add(absl::string_view candidate) {
    if (StartsWithIgnoringCase(candidate, word_)) candidates_.emplace_back(candidate);
  }
  void AddAll(const std::vector<std::string>& candidates) {
    for (const std::string& candidate : candidates) Add(candidate);
  }
  bool empty() const { return candidates_.empty(); }
  std::vector<std::string> Take() {
    std::sort(candidates_.begin(), candidates_.end(),
              [](const std::string& a, const std::string& b) {
                const std::string lower_a = absl::AsciiStrToLower(a);
                const std::string lower_b = absl::AsciiStrToLower(b);
                return lower_a != lower_b ? lower_a < lower_b : a < b;
              });
    candidates_.erase(std::unique(candidates_.begin(), candidates_.end()), candidates_.end());
    return std::move(candidates_);
  }

 private:
  absl::string_view word_;
  std::vector<std::string> candidates_;
};

}  // namespace

Completer::Completer()
    : keywords_(Words(kKeywords)),
      functions_(Words(kFunctions)),
      table_functions_(Words(kTableFunctions)) {}

void Completer::SetFunctions(std::vector<std::string> functions,
                             std::vector<std::string> table_functions) {
  if (!functions.empty()) functions_ = std::move(functions);
  if (!table_functions.empty()) table_functions_ = std::move(table_functions);
}

void Completer::SetSchema(const std::vector<SchemaColumn>& columns) {
  columns_ = columns;
  tables_.clear();
  for (const SchemaColumn& column : columns) {
    std::string table = column.database == "default" || column.database.empty()
                            ? column.table
                            : absl::StrCat(column.database, ".", column.table);
    if (std::find(tables_.begin(), tables_.end(), table) == tables_.end()) {
      tables_.push_back(std::move(table));
    }
  }
}

Completion Completer::Complete(absl::string_view line_before_cursor) const {
  const WordContext context = ContextOf(line_before_cursor);
  CandidateList candidates(context.word);
  if (context.first_word && absl::StartsWith(context.word, "\\")) {
    for (const ShellCommandInfo& command : ShellCommands()) candidates.Add(command.name);
  } else if (context.in_command) {
    const CommandKind kind = ParseShellCommand(context.before).kind;
    if (kind == CommandKind::kDescribe) candidates.AddAll(tables_);
    if (kind == CommandKind::kFormat) candidates.AddAll(KnownFormats());
  } else if (absl::StrContains(context.word, '.')) {
    candidates.AddAll(QualifiedNames(context.word));
  } else if (IsOneOf(context.previous, kTableContext)) {
    candidates.AddAll(tables_);
    if (absl::EqualsIgnoreCase(context.previous, "FROM")) candidates.AddAll(table_functions_);
  } else if (absl::EqualsIgnoreCase(context.previous, "FORMAT")) {
    candidates.AddAll(KnownFormats());
  } else {
    for (const std::string& keyword : keywords_) {
      candidates.Add(KeywordInCaseOf(keyword, context.word));
    }
    candidates.AddAll(functions_);
    for (const SchemaColumn& column : columns_) candidates.Add(column.column);
    // In an expression a table name is only a qualifier ("events.user_id"),
    // so it must not make a column ambiguous ("user_" → user_id, not
    // user_profiles); it is offered when nothing else fits.
    if (candidates.empty()) candidates.AddAll(tables_);
  }
  return Completion{std::string(context.word), candidates.Take()};
}

// "db.ta" completes the tables of db; "table.co" the columns of that table, or
// of every table when the qualifier is no table (an alias, say).
std::vector<std::string> Completer::QualifiedNames(absl::string_view word) const {
  const absl::string_view qualifier = word.substr(0, word.rfind('.'));
  auto names_table = [&](const SchemaColumn& column) {
    return column.table == qualifier ||
           absl::StrCat(column.database, ".", column.table) == qualifier;
  };
  const bool is_database =
      std::any_of(columns_.begin(), columns_.end(),
                  [&](const SchemaColumn& column) { return column.database == qualifier; });
  const bool is_table = std::any_of(columns_.begin(), columns_.end(), names_table);
  std::vector<std::string> names;
  for (const SchemaColumn& column : columns_) {
    if (is_database && column.database == qualifier) {
      names.push_back(absl::StrCat(qualifier, ".", column.table));
    } else if (!is_database && (!is_table || names_table(column))) {
      names.push_back(absl::StrCat(qualifier, ".", column.column));
    }
  }
  return names;
}

CompletionEdit PlanCompletion(const Completion& completion) {
  CompletionEdit edit;
  const std::vector<std::string>& candidates = completion.candidates;
  if (candidates.empty()) return edit;
  if (candidates.size() == 1) {
    edit.replacement = candidates[0];
    if (!absl::EndsWith(edit.replacement, ".")) edit.replacement.push_back(' ');
    return edit;
  }
  size_t common = candidates[0].size();
  for (const std::string& candidate : candidates) {
    size_t same = 0;
    while (same < common && same < candidate.size() &&
           absl::ascii_tolower(candidate[same]) == absl::ascii_tolower(candidates[0][same])) {
      ++same;
    }
    common = same;
  }
  if (common > completion.word.size()) {
    edit.replacement = candidates[0].substr(0, common);
  } else {
    edit.list_candidates = true;
  }
  return edit;
}

}  // namespace mua::shell
