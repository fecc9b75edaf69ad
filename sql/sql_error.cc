#include "sql/sql_error.h"

#include <algorithm>
#include <vector>

#include "absl/strings/cord.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"

namespace mua {
namespace {

constexpr absl::string_view kPayloadUrl = "type.mua/sql.SqlError";

}  // namespace

absl::Status MakeSqlError(absl::StatusCode code, SourcePos pos, absl::string_view message) {
  absl::Status status(code,
                      absl::StrFormat("line %d, column %d: %s", pos.line, pos.column, message));
  status.SetPayload(kPayloadUrl,
                    absl::Cord(absl::StrFormat("%d:%d:%d", pos.offset, pos.line, pos.column)));
  return status;
}

std::optional<SqlError> GetSqlError(const absl::Status& status) {
  auto payload = status.GetPayload(kPayloadUrl);  // absl::optional in this Abseil
  if (!payload.has_value()) return std::nullopt;
  std::string text(*payload);
  std::vector<absl::string_view> parts = absl::StrSplit(text, ':');
  SqlError error;
  if (parts.size() != 3 || !absl::SimpleAtoi(parts[0], &error.offset) ||
      !absl::SimpleAtoi(parts[1], &error.line) || !absl::SimpleAtoi(parts[2], &error.column)) {
    return std::nullopt;
  }
  absl::string_view message = status.message();
  std::string prefix = absl::StrFormat("line %d, column %d: ", error.line, error.column);
  if (absl::StartsWith(message, prefix)) message.remove_prefix(prefix.size());
  error.message = std::string(message);
  return error;
}

std::string DrawCaret(absl::string_view sql, const SqlError& error) {
  size_t offset = std::min(error.offset, sql.size());
  size_t begin = 0;
  if (offset > 0) {
    size_t newline = sql.rfind('\n', offset - 1);
    if (newline != absl::string_view::npos) begin = newline + 1;
  }
  size_t end = sql.find('\n', offset);
  if (end == absl::string_view::npos) end = sql.size();
  std::string out(sql.substr(begin, end - begin));
  out += '\n';
  // Tabs before the caret are copied so the caret lines up in a terminal.
  for (size_t i = begin; i < offset; ++i) {
    if (sql[i] == '\t') {
      out += '\t';
    } else if ((static_cast<unsigned char>(sql[i]) & 0xC0) != 0x80) {
      out += ' ';
    }
  }
  out += "^\n";
  return out;
}

}  // namespace mua
