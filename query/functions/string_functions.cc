#include "query/functions/string_functions.h"

#include <algorithm>
#include <cstring>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace mua::query_internal {
namespace {

bool IsContinuation(unsigned char c) { return (c & 0xC0) == 0x80; }

// Bytes of the UTF-8 character starting at text[pos] (at least 1; a truncated or
// invalid sequence counts as far as its continuation bytes go).
size_t CharLength(absl::string_view text, size_t pos) {
  const unsigned char lead = static_cast<unsigned char>(text[pos]);
  size_t want = 1;
  if (lead >= 0xF0 && lead < 0xF8) {
    want = 4;
  } else if (lead >= 0xE0) {
    want = lead < 0xF0 ? 3 : 1;
  } else if (lead >= 0xC0) {
    want = 2;
  }
  size_t length = 1;
  while (length < want && pos + length < text.size() &&
         IsContinuation(static_cast<unsigned char>(text[pos + length]))) {
    ++length;
  }
  return length;
}

}  // namespace

absl::StatusOr<LikeMatcher> LikeMatcher::Compile(absl::string_view pattern) {
  LikeMatcher matcher;
  matcher.segments_.emplace_back();
  bool any_underscore = false;
  for (size_t i = 0; i < pattern.size(); ++i) {
    const char c = pattern[i];
    Segment& segment = matcher.segments_.back();
    if (c == '%') {
      if (i == 0) matcher.leading_percent_ = true;
      // Consecutive '%' are one.
      if (!segment.literal.empty() || matcher.segments_.size() == 1) {
        matcher.segments_.emplace_back();
      }
      continue;
    }
    if (c == '_') {
      any_underscore = true;
      segment.any_char.resize(segment.literal.size(), false);
      segment.literal.push_back('\0');
      segment.any_char.push_back(true);
      continue;
    }
    char literal = c;
    if (c == '\\') {
      if (i + 1 == pattern.size()) {
        return absl::InvalidArgumentError(
            absl::StrCat("Invalid escape sequence at the end of LIKE pattern '", pattern, "'"));
      }
      literal = pattern[++i];
    }
    segment.literal.push_back(literal);
    if (!segment.any_char.empty()) segment.any_char.push_back(false);
  }
  matcher.trailing_percent_ =
      !pattern.empty() && matcher.segments_.size() > 1 && matcher.segments_.back().literal.empty();
  if (matcher.trailing_percent_) matcher.segments_.pop_back();
  // Normalize: segments_[0] is what must match at the start ("" after a leading %).
  const size_t literals = matcher.segments_.size();
  if (!any_underscore) {
    if (!matcher.leading_percent_ && !matcher.trailing_percent_ && literals == 1) {
      matcher.shape_ = Shape::kExact;
    } else if (!matcher.leading_percent_ && matcher.trailing_percent_ && literals == 1) {
      matcher.shape_ = Shape::kPrefix;
    } else if (matcher.leading_percent_ && !matcher.trailing_percent_ && literals == 2) {
      matcher.shape_ = Shape::kSuffix;
    } else if (matcher.leading_percent_ && matcher.trailing_percent_ && literals <= 2) {
      matcher.shape_ = Shape::kContains;
    }
  }
  return matcher;
}

bool LikeMatcher::MatchAt(const Segment& segment, absl::string_view text, size_t pos, size_t* end) {
  if (segment.any_char.empty()) {
    if (text.size() - pos < segment.literal.size() ||
        std::memcmp(text.data() + pos, segment.literal.data(), segment.literal.size()) != 0) {
      return false;
    }
    *end = pos + segment.literal.size();
    return true;
  }
  for (size_t i = 0; i < segment.literal.size(); ++i) {
    if (pos >= text.size()) return false;
    if (segment.any_char[i]) {
      pos += CharLength(text, pos);
    } else if (text[pos++] != segment.literal[i]) {
      return false;
    }
  }
  *end = pos;
  return true;
}

bool LikeMatcher::MatchGeneral(absl::string_view text) const {
  // segments_[0] is anchored at the start (empty after a leading '%'), the last
  // one at the end unless a '%' trails; the ones between match leftmost.
  size_t pos = 0;
  const size_t last = segments_.size() - 1;
  if (!MatchAt(segments_[0], text, 0, &pos)) return false;
  if (last == 0) return trailing_percent_ || pos == text.size();
  for (size_t s = 1; s <= last; ++s) {
    const Segment& segment = segments_[s];
    const bool anchored_end = s == last && !trailing_percent_;
    bool matched = false;
    for (size_t start = pos; start <= text.size(); ++start) {
      if (start < text.size() && IsContinuation(static_cast<unsigned char>(text[start])) &&
          !segment.any_char.empty() && segment.any_char[0]) {
        continue;
      }
      size_t end = 0;
      if (MatchAt(segment, text, start, &end) && (!anchored_end || end == text.size())) {
        pos = end;
        matched = true;
        break;
      }
    }
    if (!matched) return false;
  }
  return true;
}

bool LikeMatcher::Matches(absl::string_view haystack) const {
  switch (shape_) {
    case Shape::kExact:
      return haystack == segments_[0].literal;
    case Shape::kPrefix:
      return absl::StartsWith(haystack, segments_[0].literal);
    case Shape::kSuffix:
      return absl::EndsWith(haystack, segments_[1].literal);
    case Shape::kContains:
      return segments_.size() < 2 || absl::StrContains(haystack, segments_[1].literal);
    case Shape::kGeneral:
      break;
  }
  return MatchGeneral(haystack);
}

bool Like(absl::string_view haystack, absl::string_view pattern) {
  absl::StatusOr<LikeMatcher> matcher = LikeMatcher::Compile(pattern);
  return matcher.ok() && matcher->Matches(haystack);
}

int64_t Position(absl::string_view haystack, absl::string_view needle, int64_t start_pos) {
  const int64_t start = std::max<int64_t>(start_pos, 1);
  const int64_t size = static_cast<int64_t>(haystack.size());
  if (needle.empty()) return start <= size + 1 ? start : 0;
  if (start > size) return 0;
  const size_t found = haystack.find(needle, static_cast<size_t>(start - 1));
  return found == absl::string_view::npos ? 0 : static_cast<int64_t>(found) + 1;
}

std::pair<int64_t, int64_t> SubstringRange(int64_t size, int64_t offset, std::optional<int64_t> length) {
  if (offset == 0) return {0, 0};
  int64_t begin = offset > 0 ? offset - 1 : size + offset;
  int64_t end = size;
  if (length.has_value()) end = *length >= 0 ? begin + *length : size + *length;
  begin = std::max<int64_t>(begin, 0);
  end = std::min(end, size);
  if (end <= begin) return {0, 0};
  return {begin, end};
}

absl::string_view Substring(absl::string_view s, int64_t offset, std::optional<int64_t> length) {
  const auto [begin, end] = SubstringRange(static_cast<int64_t>(s.size()), offset, length);
  return s.substr(static_cast<size_t>(begin), static_cast<size_t>(end - begin));
}

std::string Lower(absl::string_view s) { return absl::AsciiStrToLower(s); }
std::string Upper(absl::string_view s) { return absl::AsciiStrToUpper(s); }

}  // namespace mua::query_internal
