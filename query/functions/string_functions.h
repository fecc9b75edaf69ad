// ClickHouse string functions whose semantics are subtle: LIKE matching,
// position, substring, lower/upper, length. All byte-based like ClickHouse's
// non-UTF8 variants, except that LIKE's `_` matches one UTF-8 character (as
// ClickHouse documents; invalid UTF-8 counts one byte per character).
//
//   MUA_ASSIGN_OR_RETURN(LikeMatcher m, LikeMatcher::Compile("app\\_%"));
//   bool hit = m.Matches("app_open");  // true
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace mua::query_internal {

// A compiled LIKE pattern: `%` any bytes, `_` one character, `\` escapes the
// next character. Immutable after Compile, so safe to share across threads.
class LikeMatcher {
 public:
  // InvalidArgument for a pattern ending in a lone backslash.
  static absl::StatusOr<LikeMatcher> Compile(absl::string_view pattern);

  bool Matches(absl::string_view haystack) const;

 private:
  // A run of literal bytes and `_` wildcards between `%`s.
  struct Segment {
    std::string literal;         // with '\0' placeholders where any_char[i]
    std::vector<bool> any_char;  // empty when the segment has no `_`
  };
  enum class Shape { kExact, kPrefix, kSuffix, kContains, kGeneral };

  static bool MatchAt(const Segment& segment, absl::string_view text, size_t pos, size_t* end);
  bool MatchGeneral(absl::string_view text) const;

  Shape shape_ = Shape::kGeneral;
  std::vector<Segment> segments_;
  bool leading_percent_ = false;
  bool trailing_percent_ = false;
};

// like(haystack, pattern) for a one-off pattern (compiles each call).
bool Like(absl::string_view haystack, absl::string_view pattern);

// position(haystack, needle[, start_pos]): 1-based byte offset of the first
// occurrence at or after start_pos, 0 if none. An empty needle matches at
// start_pos while start_pos <= length + 1 (start_pos 0 counts as 1).
int64_t Position(absl::string_view haystack, absl::string_view needle, int64_t start_pos = 1);

// substring(s, offset[, length]), bytes: offset 1-based, negative from the end,
// 0 gives ''; a negative length drops that many bytes from the end.
absl::string_view Substring(absl::string_view s, int64_t offset,
                            std::optional<int64_t> length = std::nullopt);
// The [begin, end) that substring() takes of `size` units (bytes, or code
// points for substringUTF8); {0, 0} when it takes nothing.
std::pair<int64_t, int64_t> SubstringRange(int64_t size, int64_t offset, std::optional<int64_t> length);

// ASCII-only case mapping (other bytes unchanged), as ClickHouse's lower/upper.
std::string Lower(absl::string_view s);
std::string Upper(absl::string_view s);
inline uint64_t Length(absl::string_view s) { return s.size(); }  // bytes

}  // namespace mua::query_internal
