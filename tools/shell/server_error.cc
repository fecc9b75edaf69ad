#include "tools/shell/server_error.h"

#include <algorithm>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace mua::shell {
namespace {

// Consumes leading decimal digits of *text into *value; false when there are none.
bool ConsumeNumber(absl::string_view* text, int* value) {
  size_t digits = 0;
  while (digits < text->size() &&
         absl::ascii_isdigit(static_cast<unsigned char>((*text)[digits]))) {
    ++digits;
  }
  if (digits == 0 || !absl::SimpleAtoi(text->substr(0, digits), value)) return false;
  text->remove_prefix(digits);
  return true;
}

// Finds the first "line L, column C" in `message`.
void FindPosition(absl::string_view message, int* line, int* column) {
  for (size_t at = message.find("line "); at != absl::string_view::npos;
       at = message.find("line ", at + 1)) {
    absl::string_view rest = message.substr(at + 5);
    int found_line = 0, found_column = 0;
    if (ConsumeNumber(&rest, &found_line) && absl::ConsumePrefix(&rest, ", column ") &&
        ConsumeNumber(&rest, &found_column)) {
      *line = found_line;
      *column = found_column;
      return;
    }
  }
}

}  // namespace

ServerError ParseServerError(absl::string_view body) {
  ServerError error;
  absl::string_view text = absl::StripAsciiWhitespace(body);
  if (absl::ConsumePrefix(&text, "Code: ")) {
    int code = 0;
    if (ConsumeNumber(&text, &code) && absl::ConsumePrefix(&text, ". ")) {
      error.code = code;
    }
  }
  absl::ConsumePrefix(&text, "DB::Exception: ");
  // Trailing "(version MUA 0.1)" and "(ERROR_NAME)", in that order from the end.
  if (const size_t open = text.rfind("(version ");
      open != absl::string_view::npos && absl::EndsWith(text, ")")) {
    error.server_version = std::string(text.substr(open + 9, text.size() - open - 10));
    text = absl::StripTrailingAsciiWhitespace(text.substr(0, open));
  }
  if (const size_t open = text.rfind('(');
      open != absl::string_view::npos && absl::EndsWith(text, ")")) {
    const absl::string_view name = text.substr(open + 1, text.size() - open - 2);
    const bool is_name = !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
      return absl::ascii_isupper(static_cast<unsigned char>(c)) ||
             absl::ascii_isdigit(static_cast<unsigned char>(c)) || c == '_';
    });
    if (is_name) {
      error.name = std::string(name);
      text = absl::StripTrailingAsciiWhitespace(text.substr(0, open));
    }
  }
  absl::ConsumeSuffix(&text, ".");
  error.message = std::string(text);
  FindPosition(error.message, &error.line, &error.column);
  return error;
}

std::string DrawCaret(absl::string_view sql, int line, int column) {
  if (line < 1 || column < 1) return "";
  const std::vector<absl::string_view> lines = absl::StrSplit(sql, '\n');
  if (static_cast<size_t>(line) > lines.size()) return "";
  absl::string_view text = lines[line - 1];
  absl::ConsumeSuffix(&text, "\r");
  std::string caret;
  int code_point = 1;
  for (size_t i = 0; i < text.size() && code_point < column; ++i) {
    const unsigned char byte = static_cast<unsigned char>(text[i]);
    if ((byte & 0xC0) == 0x80) continue;  // a UTF-8 continuation byte
    caret.push_back(byte == '\t' ? '\t' : ' ');
    ++code_point;
  }
  // A position past the end (e.g. "unexpected end of input") still gets its caret.
  caret.append(static_cast<size_t>(column - code_point), ' ');
  return std::string(text) + "\n" + caret + "^\n";
}

}  // namespace mua::shell
