#include "sql/token.h"

#include "absl/strings/str_cat.h"

namespace mua {
namespace {

constexpr size_t kMaxDescribedBytes = 32;

// Cuts `text` to about kMaxDescribedBytes on a UTF-8 code point boundary.
std::string Shorten(absl::string_view text) {
  if (text.size() <= kMaxDescribedBytes) return std::string(text);
  size_t cut = kMaxDescribedBytes;
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
  return absl::StrCat(text.substr(0, cut), "...");
}

}  // namespace

absl::string_view TokenKindName(TokenKind kind) {
  switch (kind) {
    case TokenKind::kEnd:
      return "end of input";
    case TokenKind::kError:
      return "error";
    case TokenKind::kWord:
      return "word";
    case TokenKind::kQuotedIdentifier:
      return "quoted identifier";
    case TokenKind::kInteger:
      return "integer";
    case TokenKind::kFloat:
      return "float";
    case TokenKind::kString:
      return "string";
    case TokenKind::kPlus:
      return "'+'";
    case TokenKind::kMinus:
      return "'-'";
    case TokenKind::kStar:
      return "'*'";
    case TokenKind::kSlash:
      return "'/'";
    case TokenKind::kPercent:
      return "'%'";
    case TokenKind::kEquals:
      return "'='";
    case TokenKind::kNotEquals:
      return "'!='";
    case TokenKind::kLess:
      return "'<'";
    case TokenKind::kLessEquals:
      return "'<='";
    case TokenKind::kGreater:
      return "'>'";
    case TokenKind::kGreaterEquals:
      return "'>='";
    case TokenKind::kConcat:
      return "'||'";
    case TokenKind::kFatArrow:
      return "'=>'";
    case TokenKind::kArrow:
      return "'->'";
    case TokenKind::kLParen:
      return "'('";
    case TokenKind::kRParen:
      return "')'";
    case TokenKind::kLBracket:
      return "'['";
    case TokenKind::kRBracket:
      return "']'";
    case TokenKind::kComma:
      return "','";
    case TokenKind::kDot:
      return "'.'";
    case TokenKind::kSemicolon:
      return "';'";
    case TokenKind::kDoubleColon:
      return "'::'";
    case TokenKind::kQuestion:
      return "'?'";
    case TokenKind::kLBrace:
      return "'{'";
    case TokenKind::kRBrace:
      return "'}'";
    case TokenKind::kColon:
      return "':'";
  }
  return "token";
}

std::string DescribeToken(const Token& token) {
  switch (token.kind) {
    case TokenKind::kEnd:
      return "end of input";
    case TokenKind::kError:
      return "invalid token";
    case TokenKind::kString:
      return absl::StrCat("string ", Shorten(token.text));
    default:
      return absl::StrCat("'", Shorten(token.text), "'");
  }
}

}  // namespace mua
