#include "sql/lexer.h"

#include <charconv>
#include <cstdlib>
#include <string>
#include <system_error>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "storage/base/status_macros.h"

namespace mua {
namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsHexDigit(char c) { return IsDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }
bool IsWordStart(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool IsWordChar(char c) { return IsWordStart(c) || IsDigit(c); }
bool IsSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}
int HexValue(char c) {
  if (IsDigit(c)) return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return c - 'A' + 10;
}

// Renders the character at the start of `text` for a message: itself when
// printable ASCII or valid UTF-8, \xHH otherwise.
std::string DescribeChar(absl::string_view text) {
  unsigned char c = static_cast<unsigned char>(text[0]);
  if (c >= 0x20 && c < 0x7F) return std::string(1, static_cast<char>(c));
  size_t length = c >= 0xF0 && c < 0xF5 ? 4 : c >= 0xE0 ? 3 : c >= 0xC2 && c < 0xE0 ? 2 : 0;
  if (c >= 0xF5) length = 0;
  if (length > 0 && length <= text.size()) {
    bool valid = true;
    for (size_t i = 1; i < length; ++i) {
      valid = valid && (static_cast<unsigned char>(text[i]) & 0xC0) == 0x80;
    }
    if (valid) return std::string(text.substr(0, length));
  }
  return absl::StrFormat("\\x%02X", c);
}

}  // namespace

Lexer::Lexer(absl::string_view sql) : sql_(sql) {}

char Lexer::At(size_t ahead) const {
  size_t index = pos_.offset + ahead;
  return index < sql_.size() ? sql_[index] : '\0';
}

void Lexer::Advance(size_t bytes) {
  for (size_t i = 0; i < bytes && pos_.offset < sql_.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(sql_[pos_.offset++]);
    if (c == '\n') {
      ++pos_.line;
      pos_.column = 1;
    } else if ((c & 0xC0) != 0x80) {
      ++pos_.column;
    }
  }
}

absl::Status Lexer::Error(SourcePos pos, absl::string_view message) const {
  return MakeSqlError(absl::StatusCode::kInvalidArgument, pos, message);
}

absl::StatusOr<Token> Lexer::Next() {
  MUA_RETURN_IF_ERROR(SkipSpaceAndComments());
  Token token;
  token.pos = pos_;
  if (pos_.offset >= sql_.size()) {
    token.pos = last_end_;
    return token;
  }
  char c = At(0);
  bool number_may_start_with_dot =
      last_kind_ != TokenKind::kWord && last_kind_ != TokenKind::kQuotedIdentifier &&
      last_kind_ != TokenKind::kRParen && last_kind_ != TokenKind::kRBracket &&
      last_kind_ != TokenKind::kInteger && last_kind_ != TokenKind::kFloat;
  if (IsDigit(c) || (c == '.' && IsDigit(At(1)) && number_may_start_with_dot)) {
    MUA_RETURN_IF_ERROR(LexNumber(&token));
  } else if (IsWordStart(c)) {
    while (IsWordChar(At(0))) Advance(1);
    token.kind = TokenKind::kWord;
  } else if (c == '\'' || c == '"' || c == '`') {
    MUA_RETURN_IF_ERROR(LexQuoted(c, &token));
  } else {
    MUA_RETURN_IF_ERROR(LexOperator(&token));
  }
  token.text = sql_.substr(token.pos.offset, pos_.offset - token.pos.offset);
  if (token.kind == TokenKind::kWord) token.value = std::string(token.text);
  last_end_ = pos_;
  last_kind_ = token.kind;
  return token;
}

absl::Status Lexer::SkipSpaceAndComments() {
  while (pos_.offset < sql_.size()) {
    char c = At(0);
    if (IsSpace(c)) {
      Advance(1);
    } else if (c == '-' && At(1) == '-') {
      while (pos_.offset < sql_.size() && At(0) != '\n') Advance(1);
    } else if (c == '/' && At(1) == '*') {
      MUA_RETURN_IF_ERROR(SkipBlockComment());
    } else {
      break;
    }
  }
  return absl::OkStatus();
}

absl::Status Lexer::SkipBlockComment() {
  SourcePos start = pos_;
  Advance(2);
  size_t depth = 1;  // ClickHouse (and the SQL standard) nest /* */ comments.
  while (depth > 0) {
    if (pos_.offset >= sql_.size()) return Error(start, "unterminated comment");
    if (At(0) == '*' && At(1) == '/') {
      --depth;
      Advance(2);
    } else if (At(0) == '/' && At(1) == '*') {
      ++depth;
      Advance(2);
    } else {
      Advance(1);
    }
  }
  return absl::OkStatus();
}

absl::Status Lexer::LexNumber(Token* token) {
  SourcePos start = pos_;
  bool is_float = false;
  bool valid = true;
  int base = 10;
  if (At(0) == '0' && (At(1) == 'x' || At(1) == 'X')) {
    base = 16;
    Advance(2);
    valid = IsHexDigit(At(0));
    while (IsHexDigit(At(0))) Advance(1);
  } else if (At(0) == '0' && (At(1) == 'b' || At(1) == 'B')) {
    base = 2;
    Advance(2);
    valid = At(0) == '0' || At(0) == '1';
    while (At(0) == '0' || At(0) == '1') Advance(1);
  } else {
    while (IsDigit(At(0))) Advance(1);
    // After a dot a number is a tuple index: t.1.2 is t . 1 . 2, as in ClickHouse.
    if (At(0) == '.' && last_kind_ != TokenKind::kDot) {
      is_float = true;
      Advance(1);
      while (IsDigit(At(0))) Advance(1);
    }
    if ((At(0) == 'e' || At(0) == 'E') && last_kind_ != TokenKind::kDot) {
      is_float = true;
      Advance(1);
      if (At(0) == '+' || At(0) == '-') Advance(1);
      valid = IsDigit(At(0));
      while (IsDigit(At(0))) Advance(1);
    }
  }
  if (!valid || IsWordChar(At(0))) {
    while (IsWordChar(At(0))) Advance(1);
    absl::string_view text = sql_.substr(start.offset, pos_.offset - start.offset);
    return Error(start, absl::StrCat("invalid number '", text, "'"));
  }
  absl::string_view text = sql_.substr(start.offset, pos_.offset - start.offset);
  if (!is_float) {
    absl::string_view digits = base == 10 ? text : text.substr(2);
    uint64_t value = 0;
    auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), value, base);
    if (error == std::errc()) {
      token->kind = TokenKind::kInteger;
      token->uint_value = value;
      return absl::OkStatus();
    }
    if (base != 10) return Error(start, absl::StrCat("integer '", text, "' is too large"));
  }
  token->kind = TokenKind::kFloat;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), token->float_value);
  if (error != std::errc()) {
    // Out of range: strtod gives inf or 0 as ClickHouse does.
    std::string copy(text);
    token->float_value = std::strtod(copy.c_str(), nullptr);
  }
  return absl::OkStatus();
}

absl::Status Lexer::LexQuoted(char quote, Token* token) {
  SourcePos start = pos_;
  bool is_string = quote == '\'';
  Advance(1);
  std::string value;
  while (true) {
    if (pos_.offset >= sql_.size()) {
      return Error(start,
                   is_string ? "unterminated string literal" : "unterminated quoted identifier");
    }
    char c = At(0);
    if (c == quote) {
      Advance(1);
      if (At(0) != quote) break;
      value += quote;
      Advance(1);
    } else if (c == '\\') {
      MUA_RETURN_IF_ERROR(LexEscape(&value));
    } else {
      value += c;
      Advance(1);
    }
  }
  if (!is_string && value.empty()) return Error(start, "empty quoted identifier");
  token->kind = is_string ? TokenKind::kString : TokenKind::kQuotedIdentifier;
  token->value = std::move(value);
  return absl::OkStatus();
}

absl::Status Lexer::LexEscape(std::string* out) {
  SourcePos start = pos_;
  if (pos_.offset + 1 >= sql_.size()) {
    Advance(1);
    return absl::OkStatus();  // the caller reports the missing closing quote
  }
  char c = At(1);
  Advance(2);
  switch (c) {
    case 'n':
      *out += '\n';
      break;
    case 't':
      *out += '\t';
      break;
    case 'r':
      *out += '\r';
      break;
    case 'b':
      *out += '\b';
      break;
    case 'f':
      *out += '\f';
      break;
    case 'a':
      *out += '\a';
      break;
    case 'v':
      *out += '\v';
      break;
    case '0':
      *out += '\0';
      break;
    case 'x':
      if (!IsHexDigit(At(0)) || !IsHexDigit(At(1))) {
        return Error(start, "invalid escape sequence: \\x must be followed by two hex digits");
      }
      *out += static_cast<char>(HexValue(At(0)) * 16 + HexValue(At(1)));
      Advance(2);
      break;
    default:
      *out += c;
      break;
  }
  return absl::OkStatus();
}

absl::Status Lexer::LexOperator(Token* token) {
  char c = At(0);
  char next = At(1);
  size_t length = 1;
  TokenKind kind = TokenKind::kEnd;
  switch (c) {
    case '+':
      kind = TokenKind::kPlus;
      break;
    case '*':
      kind = TokenKind::kStar;
      break;
    case '/':
      kind = TokenKind::kSlash;
      break;
    case '%':
      kind = TokenKind::kPercent;
      break;
    case '(':
      kind = TokenKind::kLParen;
      break;
    case ')':
      kind = TokenKind::kRParen;
      break;
    case '[':
      kind = TokenKind::kLBracket;
      break;
    case ']':
      kind = TokenKind::kRBracket;
      break;
    case ',':
      kind = TokenKind::kComma;
      break;
    case '.':
      kind = TokenKind::kDot;
      break;
    case ';':
      kind = TokenKind::kSemicolon;
      break;
    case '?':
      kind = TokenKind::kQuestion;
      break;
    case '{':
      kind = TokenKind::kLBrace;
      break;
    case '}':
      kind = TokenKind::kRBrace;
      break;
    case '-':
      kind = next == '>' ? TokenKind::kArrow : TokenKind::kMinus;
      length = next == '>' ? 2 : 1;
      break;
    case '=':
      kind = next == '>' ? TokenKind::kFatArrow : TokenKind::kEquals;
      length = next == '>' || next == '=' ? 2 : 1;
      break;
    case '<':
      kind = next == '='   ? TokenKind::kLessEquals
             : next == '>' ? TokenKind::kNotEquals
                           : TokenKind::kLess;
      length = next == '=' || next == '>' ? 2 : 1;
      break;
    case '>':
      kind = next == '=' ? TokenKind::kGreaterEquals : TokenKind::kGreater;
      length = next == '=' ? 2 : 1;
      break;
    case '!':
      if (next == '=') {
        kind = TokenKind::kNotEquals;
        length = 2;
      }
      break;
    case '|':
      if (next == '|') {
        kind = TokenKind::kConcat;
        length = 2;
      }
      break;
    case ':':
      kind = next == ':' ? TokenKind::kDoubleColon : TokenKind::kColon;
      length = next == ':' ? 2 : 1;
      break;
    default:
      break;
  }
  if (kind == TokenKind::kEnd) {
    return Error(pos_,
                 absl::StrCat("unknown character '", DescribeChar(sql_.substr(pos_.offset)), "'"));
  }
  token->kind = kind;
  Advance(length);
  return absl::OkStatus();
}

absl::StatusOr<std::vector<Token>> Tokenize(absl::string_view sql) {
  Lexer lexer(sql);
  std::vector<Token> tokens;
  while (true) {
    MUA_ASSIGN_OR_RETURN(Token token, lexer.Next());
    if (token.kind == TokenKind::kEnd) break;
    tokens.push_back(std::move(token));
  }
  return tokens;
}

}  // namespace mua
