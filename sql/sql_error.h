// Positions in SQL text, and the errors that carry them.
//
// A SourcePos is a byte offset plus a 1-based line and column; columns count
// UTF-8 code points (a tab counts as one). Every lexer/parser error is an
// absl::Status whose message starts with "line L, column C: " and whose payload
// holds the position structurally, so a shell can draw a caret:
//
//   absl::Status status = MakeSqlError(absl::StatusCode::kInvalidArgument, pos, "unexpected ')'");
//   // status.message() == "line 1, column 9: unexpected ')'"
//   if (std::optional<SqlError> error = GetSqlError(status)) {
//     std::cerr << error->message << "\n" << DrawCaret(sql, *error);
//   }
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace mua {

struct SourcePos {
  size_t offset = 0;  // bytes from the start of the text
  uint32_t line = 1;
  uint32_t column = 1;
};

// The structured form of an error made by MakeSqlError.
struct SqlError {
  size_t offset = 0;
  uint32_t line = 1;
  uint32_t column = 1;
  std::string message;  // without the "line L, column C: " prefix
};

// Returns a status with `code`, the message "line L, column C: <message>" and
// the position as a payload.
absl::Status MakeSqlError(absl::StatusCode code, SourcePos pos, absl::string_view message);

// Returns the position and bare message of a status made by MakeSqlError;
// nullopt for any other status (including OK).
std::optional<SqlError> GetSqlError(const absl::Status& status);

// Returns the source line of `error` followed by a line with a caret under its
// column, both newline-terminated ("SELECT 1)\n        ^\n").
std::string DrawCaret(absl::string_view sql, const SqlError& error);

}  // namespace mua
