#include "server/internal/grafana_sql.h"

#include <optional>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "sql/ast.h"
#include "sql/parser.h"
#include "server/query_runner.h"

namespace mua::server_internal {
namespace {

constexpr absl::string_view kMacroPrefix = "$__";

// The end (exclusive) of the parenthesized argument list starting at text[open] == '(',
// skipping quoted strings; npos when unbalanced.
size_t MatchingParenthesis(absl::string_view text, size_t open) {
  int depth = 0;
  char quote = 0;
  for (size_t i = open; i < text.size(); ++i) {
    const char c = text[i];
    if (quote != 0) {
      if (c == '\\') {
        ++i;
      } else if (c == quote) {
        quote = 0;
      }
    } else if (c == '\'' || c == '"' || c == '`') {
      quote = c;
    } else if (c == '(') {
      ++depth;
    } else if (c == ')' && --depth == 0) {
      return i + 1;
    }
  }
  return absl::string_view::npos;
}

absl::Status NeedsRange(absl::string_view macro) {
  return absl::InvalidArgumentError(
      absl::StrCat("$__", macro, " needs a time range, and this request has none"));
}

// Expands the macro whose name starts at sql[name_start]; appends to *out and returns
// the position after the macro.
absl::StatusOr<size_t> ExpandOne(absl::string_view sql, size_t name_start, const QueryScope* scope,
                                 std::string* out) {
  size_t name_end = name_start;
  while (name_end < sql.size() && (absl::ascii_isalnum(sql[name_end]) || sql[name_end] == '_'))
    ++name_end;
  const absl::string_view name = sql.substr(name_start, name_end - name_start);
  if (name == "timeFilter" || name == "timeGroup") {
    if (name_end >= sql.size() || sql[name_end] != '(') {
      return absl::InvalidArgumentError(
          absl::StrCat("$__", name, " needs an argument: $__", name, "(column)"));
    }
    const size_t end = MatchingParenthesis(sql, name_end);
    if (end == absl::string_view::npos) {
      return absl::InvalidArgumentError(absl::StrCat("$__", name, "(: unbalanced parentheses"));
    }
    if (scope == nullptr) return NeedsRange(name);
    const absl::string_view argument = sql.substr(name_end + 1, end - name_end - 2);
    if (name == "timeFilter") {
      absl::StrAppend(out, "(", argument, " >= ", SqlTimeLiteral(scope->range.from_ms), " AND ",
                      argument, " < ", SqlTimeLiteral(scope->range.to_ms), ")");
    } else {
      absl::StrAppend(out, "toStartOfInterval(", argument, ", ", scope->bucket.SqlInterval(), ")");
    }
    return end;
  }
  if (name == "fromTime" || name == "toTime") {
    if (scope == nullptr) return NeedsRange(name);
    absl::StrAppend(out,
                    SqlTimeLiteral(name == "fromTime" ? scope->range.from_ms : scope->range.to_ms));
    return name_end;
  }
  if (name == "adhocFilters") {
    const bool none = scope == nullptr || scope->filter_sql.empty();
    absl::StrAppend(out, none ? "1" : absl::StrCat("(", scope->filter_sql, ")"));
    return name_end;
  }
  return absl::InvalidArgumentError(
      absl::StrCat("unknown macro $__", name,
                   "; MUA knows $__timeFilter(column), $__timeGroup(column), $__fromTime, "
                   "$__toTime and $__adhocFilters"));
}

}  // namespace

absl::StatusOr<std::string> ExpandMacros(absl::string_view sql, const QueryScope* scope) {
  std::string out;
  size_t pos = 0;
  while (true) {
    const size_t found = sql.find(kMacroPrefix, pos);
    if (found == absl::string_view::npos) break;
    absl::StrAppend(&out, sql.substr(pos, found - pos));
    absl::StatusOr<size_t> next = ExpandOne(sql, found + kMacroPrefix.size(), scope, &out);
    if (!next.ok()) return next.status();
    pos = *next;
  }
  absl::StrAppend(&out, sql.substr(pos));
  return out;
}

absl::StatusOr<ResultSet> RunSelect(const QueryRunner& runner, absl::string_view sql, SqlOrigin origin) {
  // What a panel can show; who may run it is the runner's check, on the statement it runs.
  absl::StatusOr<PreparedStatement> statement = SqlEngine::Prepare(sql);
  if (!statement.ok()) return statement.status();
  if (statement->kind != StatementKind::kSelect) {
    return absl::InvalidArgumentError("only SELECT statements can run through Grafana");
  }
  absl::StatusOr<StatementOutput> output = runner.Run(*statement, origin);
  if (!output.ok()) return output.status();
  if (output->kind != StatementOutput::Kind::kRows || output->result.columns.empty()) {
    return absl::InvalidArgumentError("only SELECT statements can run through Grafana");
  }
  return std::move(output->result);
}

absl::StatusOr<std::vector<GrafanaFrame>> SqlResultToFrames(ResultSet result,
                                                            SqlResultFormat format) {
  std::vector<GrafanaFrame> frames;
  const std::optional<size_t> time_column = FirstTimeColumn(result);
  SeriesLayout layout;
  if (time_column) {
    layout.time_column = *time_column;
    for (size_t i = 0; i < result.columns.size(); ++i) {
      if (i == *time_column) continue;
      if (result.columns[i].type.is_numeric()) layout.value_columns.push_back(i);
      if (result.columns[i].type.is_string()) layout.label_columns.push_back(i);
    }
  }
  const bool can_be_series = time_column && !layout.value_columns.empty();
  if (format == SqlResultFormat::kTimeSeries && !can_be_series) {
    return absl::InvalidArgumentError(
        "a time series needs a Date or DateTime column and at least one number column");
  }
  if (format == SqlResultFormat::kTable || !can_be_series) {
    frames.push_back(GrafanaFrame{std::move(result)});
    return frames;
  }
  for (TimeSeries& series : ToTimeSeries(result, layout))
    frames.push_back(GrafanaFrame{std::move(series)});
  return frames;
}

}  // namespace mua::server_internal
