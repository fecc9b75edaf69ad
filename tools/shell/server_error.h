// ServerError: a ClickHouse-style error body from mua-server, taken apart so the
// shell can print the message and draw a caret under the place it names.
// Server bodies look like
//   Code: 62. DB::Exception: line 1, column 8: expected expression. (SYNTAX_ERROR) (version MUA
//   0.1)
//
//   ServerError error = ParseServerError(body);
//   std::cerr << error.message << "\n";
//   if (error.line > 0) std::cerr << DrawCaret(sql, error.line, error.column);
#pragma once

#include <string>

#include "absl/strings/string_view.h"

namespace mua::shell {

struct ServerError {
  int code = 0;                // ClickHouse error code; 0 when the body names none
  std::string name;            // e.g. "SYNTAX_ERROR"; empty when absent
  std::string message;         // e.g. "line 1, column 8: expected expression"
  int line = 0;                // 1-based position named in the message; 0 when none
  int column = 0;              // 1-based, in UTF-8 code points
  std::string server_version;  // e.g. "MUA 0.1"; empty when absent
};

// Takes apart an error body; text in another shape becomes the whole message.
ServerError ParseServerError(absl::string_view body);

// The `line`-th line of `sql` and a line with a caret under its `column`-th
// code point, both newline-terminated; tabs are kept so the caret lines up.
// Returns "" when the line does not exist.
std::string DrawCaret(absl::string_view sql, int line, int column);

}  // namespace mua::shell
