// The string functions that rewrite text: replaceAll/replaceOne, trim*, *Pad,
// reverse, repeat, left/right, initcap, concatWithSeparator, and the counting
// ones (countSubstrings, positionCaseInsensitive) and the UTF-8 variants
// (lengthUTF8, substringUTF8, leftUTF8, rightUTF8, leftPadUTF8, reverseUTF8).
// Byte semantics unless the name says UTF8, as in ClickHouse; the UTF-8
// variants count code points as ClickHouse does, by the bytes that are not
// continuation bytes (10xxxxxx), so invalid UTF-8 never reads out of bounds.
#include <algorithm>
#include <functional>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "query/functions/string_functions.h"
#include "query/internal/function_registry.h"
#include "query/internal/kernel_util.h"
#include "storage/base/memory_tracker.h"
#include "storage/base/status_macros.h"
#include "storage/string_dictionary.h"

namespace mua::query_internal {
namespace {

// A result string longer than this is refused before it is built (ClickHouse:
// TOO_LARGE_STRING_SIZE); one row must not take the server's memory.
constexpr int64_t kMaxResultStringBytes = int64_t{1} << 30;

bool IsContinuationByte(char c) { return (static_cast<unsigned char>(c) & 0xC0) == 0x80; }

uint64_t CodePoints(absl::string_view s) {
  return static_cast<uint64_t>(std::count_if(s.begin(), s.end(), [](char c) { return !IsContinuationByte(c); }));
}

// The byte offset where code point `n` (0-based) starts; s.size() past the end.
size_t CodePointOffset(absl::string_view s, uint64_t n) {
  size_t at = 0;
  while (at < s.size() && n > 0) {
    ++at;
    while (at < s.size() && IsContinuationByte(s[at])) ++at;
    --n;
  }
  return at;
}

absl::string_view SubstringUtf8(absl::string_view s, int64_t offset, std::optional<int64_t> length) {
  const auto [begin, end] = SubstringRange(static_cast<int64_t>(CodePoints(s)), offset, length);
  const size_t from = CodePointOffset(s, static_cast<uint64_t>(begin));
  return s.substr(from, CodePointOffset(s, static_cast<uint64_t>(end)) - from);
}

absl::Status RequireStringArgs(absl::string_view name, absl::Span<const ScalarArg> args,
                               size_t first, size_t count) {
  for (size_t i = first; i < first + count && i < args.size(); ++i) {
    if (!args[i].type.is_string()) return IllegalType(name, args[i].type, static_cast<int>(i + 1));
  }
  return absl::OkStatus();
}

absl::Status RequireIntegerArg(absl::string_view name, absl::Span<const ScalarArg> args, size_t i) {
  if (!args[i].type.is_integer()) return IllegalType(name, args[i].type, static_cast<int>(i + 1));
  return absl::OkStatus();
}

// A String-valued function of a row's arguments; `fn` appends the row's result to `out`.
using StringRowFn = std::function<absl::Status(absl::Span<Vector> args, size_t row, std::string* out)>;

ScalarBinding StringResult(StringRowFn fn) {
  return ScalarBinding{DataType::Of(TypeId::kString),
                       [fn = std::move(fn)](absl::Span<Vector> v, size_t rows, StringPool* pool, Vector* out) {
                         ResizeStrings(out, rows);
                         std::string text;
                         for (size_t row = 0; row < rows; ++row) {
                           text.clear();
                           MUA_RETURN_IF_ERROR(fn(v, row, &text));
                           out->strings[row] = pool->Add(text);
                         }
                         return absl::OkStatus();
                       }};
}

// A UInt64-valued function of a row's arguments.
using CountRowFn = std::function<uint64_t(absl::Span<Vector> args, size_t row)>;

ScalarBinding CountResult(CountRowFn fn) {
  return ScalarBinding{DataType::Of(TypeId::kUInt64),
                       [fn = std::move(fn)](absl::Span<Vector> v, size_t rows, StringPool*, Vector* out) {
                         ResizeInts(out, rows);
                         for (size_t row = 0; row < rows; ++row) out->ints[row] = static_cast<int64_t>(fn(v, row));
                         return absl::OkStatus();
                       }};
}

absl::Status CheckResultSize(absl::string_view name, int64_t bytes) {
  if (bytes > kMaxResultStringBytes) {
    return absl::ResourceExhaustedError(absl::StrCat("Too large string size: function ", name, " would produce ",
                                                     bytes, " bytes, the limit is ", kMaxResultStringBytes));
  }
  return CheckMemory(bytes);
}

absl::StatusOr<ScalarBinding> BindReplace(absl::string_view name, bool all, absl::Span<const ScalarArg> args) {
  if (args.size() != 3) return ArityError(name, args.size(), "3");
  MUA_RETURN_IF_ERROR(RequireStringArgs(name, args, 0, 3));
  return StringResult([all](absl::Span<Vector> v, size_t row, std::string* out) {
    const absl::string_view text = v[0].string_at(row);
    const absl::string_view pattern = v[1].string_at(row);
    const absl::string_view replacement = v[2].string_at(row);
    if (pattern.empty()) {  // ClickHouse leaves the text as it is
      absl::StrAppend(out, text);
    } else if (all) {
      *out = absl::StrReplaceAll(text, {{pattern, replacement}});
    } else if (const size_t at = text.find(pattern); at == absl::string_view::npos) {
      absl::StrAppend(out, text);
    } else {
      absl::StrAppend(out, text.substr(0, at), replacement, text.substr(at + pattern.size()));
    }
    return absl::OkStatus();
  });
}

// trimLeft/trimRight/trimBoth remove spaces (byte 32 only, as ClickHouse).
absl::StatusOr<ScalarBinding> BindTrim(absl::string_view name, bool left, bool right,
                                       absl::Span<const ScalarArg> args) {
  if (args.size() != 1) return ArityError(name, args.size(), "1");
  MUA_RETURN_IF_ERROR(RequireStringArgs(name, args, 0, 1));
  return ScalarBinding{DataType::Of(TypeId::kString),
                       [left, right](absl::Span<Vector> v, size_t rows, StringPool*, Vector* out) {
                         ResizeStrings(out, rows);
                         for (size_t row = 0; row < rows; ++row) {
                           absl::string_view text = v[0].string_at(row);
                           if (left) text.remove_prefix(std::min(text.size(), text.find_first_not_of(' ')));
                           if (right) {
                             const size_t last = text.find_last_not_of(' ');
                             text = last == absl::string_view::npos ? absl::string_view() : text.substr(0, last + 1);
                           }
                           out->strings[row] = text;  // a view of the argument, which outlives the result
                         }
                         return absl::OkStatus();
                       }};
}

// leftPad(s, length[, pad]) / rightPad: pads to `length` with `pad` repeated
// (default ' '), or cuts s to `length`; the UTF8 variants count code points.
absl::StatusOr<ScalarBinding> BindPad(absl::string_view name, bool left, bool utf8,
                                      absl::Span<const ScalarArg> args) {
  if (args.size() != 2 && args.size() != 3) return ArityError(name, args.size(), "2 or 3");
  MUA_RETURN_IF_ERROR(RequireStringArgs(name, args, 0, 1));
  if (!args[1].type.is_unsigned() && !args[1].type.is_integer()) return IllegalType(name, args[1].type, 2);
  if (args.size() == 3) MUA_RETURN_IF_ERROR(RequireStringArgs(name, args, 2, 1));
  const std::string function(name);
  return StringResult([left, utf8, function](absl::Span<Vector> v, size_t row, std::string* out) {
    const absl::string_view text = v[0].string_at(row);
    const int64_t length = v[1].int_at(row);
    if (length < 0) {
      return absl::InvalidArgumentError(absl::StrCat("Argument 2 of function ", function, " must not be negative"));
    }
    MUA_RETURN_IF_ERROR(CheckResultSize(function, utf8 ? length * 4 : length));
    const absl::string_view pad = v.size() == 3 ? v[2].string_at(row) : absl::string_view(" ");
    const uint64_t have = utf8 ? CodePoints(text) : text.size();
    const uint64_t want = static_cast<uint64_t>(length);
    if (have >= want) {
      absl::StrAppend(out, text.substr(0, utf8 ? CodePointOffset(text, want) : want));
      return absl::OkStatus();
    }
    std::string padding;
    const uint64_t pad_points = utf8 ? CodePoints(pad) : pad.size();
    if (pad_points > 0) {
      for (uint64_t missing = want - have; missing > 0;) {
        const uint64_t take = std::min(missing, pad_points);
        absl::StrAppend(&padding, pad.substr(0, utf8 ? CodePointOffset(pad, take) : take));
        missing -= take;
      }
    }
    left ? absl::StrAppend(out, padding, text) : absl::StrAppend(out, text, padding);
    return absl::OkStatus();
  });
}

absl::StatusOr<ScalarBinding> BindReverse(absl::string_view name, bool utf8, absl::Span<const ScalarArg> args) {
  if (args.size() != 1) return ArityError(name, args.size(), "1");
  MUA_RETURN_IF_ERROR(RequireStringArgs(name, args, 0, 1));
  return StringResult([utf8](absl::Span<Vector> v, size_t row, std::string* out) {
    const absl::string_view text = v[0].string_at(row);
    if (!utf8) {
      out->assign(text.rbegin(), text.rend());
      return absl::OkStatus();
    }
    size_t end = text.size();
    while (end > 0) {  // code points from the last, each kept in order
      size_t start = end - 1;
      while (start > 0 && IsContinuationByte(text[start])) --start;
      absl::StrAppend(out, text.substr(start, end - start));
      end = start;
    }
    return absl::OkStatus();
  });
}

absl::StatusOr<ScalarBinding> BindRepeat(absl::string_view name, absl::Span<const ScalarArg> args) {
  if (args.size() != 2) return ArityError(name, args.size(), "2");
  MUA_RETURN_IF_ERROR(RequireStringArgs(name, args, 0, 1));
  MUA_RETURN_IF_ERROR(RequireIntegerArg(name, args, 1));
  const std::string function(name);
  return StringResult([function](absl::Span<Vector> v, size_t row, std::string* out) {
    const absl::string_view text = v[0].string_at(row);
    const int64_t times = v[1].int_at(row);
    if (times <= 0 || text.empty()) return absl::OkStatus();  // ClickHouse: '' for n <= 0
    if (times > kMaxResultStringBytes / static_cast<int64_t>(text.size())) {
      return CheckResultSize(function, kMaxResultStringBytes + 1);
    }
    MUA_RETURN_IF_ERROR(CheckResultSize(function, times * static_cast<int64_t>(text.size())));
    out->reserve(static_cast<size_t>(times) * text.size());
    for (int64_t i = 0; i < times; ++i) absl::StrAppend(out, text);
    return absl::OkStatus();
  });
}

// left(s, n) / right(s, n): the first / last n bytes (code points for the UTF8
// variants); a negative n takes all but the last / first -n.
absl::StatusOr<ScalarBinding> BindLeftRight(absl::string_view name, bool left, bool utf8,
                                            absl::Span<const ScalarArg> args) {
  if (args.size() != 2) return ArityError(name, args.size(), "2");
  MUA_RETURN_IF_ERROR(RequireStringArgs(name, args, 0, 1));
  MUA_RETURN_IF_ERROR(RequireIntegerArg(name, args, 1));
  return ScalarBinding{DataType::Of(TypeId::kString),
                       [left, utf8](absl::Span<Vector> v, size_t rows, StringPool*, Vector* out) {
                         ResizeStrings(out, rows);
                         for (size_t row = 0; row < rows; ++row) {
                           const absl::string_view text = v[0].string_at(row);
                           const int64_t n = v[1].int_at(row);
                           const int64_t size = utf8 ? static_cast<int64_t>(CodePoints(text))
                                                     : static_cast<int64_t>(text.size());
                           // [from, to) in units (bytes or code points).
                           int64_t from = 0, to = size;
                           if (left) {
                             to = n >= 0 ? std::min(n, size) : std::max<int64_t>(size + n, 0);
                           } else {
                             from = n >= 0 ? std::max<int64_t>(size - n, 0) : std::min(-n, size);
                           }
                           const size_t begin = utf8 ? CodePointOffset(text, from) : static_cast<size_t>(from);
                           const size_t end = utf8 ? CodePointOffset(text, to) : static_cast<size_t>(to);
                           out->strings[row] = text.substr(begin, end - begin);
                         }
                         return absl::OkStatus();
                       }};
}

absl::StatusOr<ScalarBinding> BindLengthUtf8(absl::string_view name, absl::Span<const ScalarArg> args) {
  if (args.size() != 1) return ArityError(name, args.size(), "1");
  MUA_RETURN_IF_ERROR(RequireStringArgs(name, args, 0, 1));
  return CountResult([](absl::Span<Vector> v, size_t row) { return CodePoints(v[0].string_at(row)); });
}

absl::StatusOr<ScalarBinding> BindSubstringUtf8(absl::string_view name, absl::Span<const ScalarArg> args) {
  if (args.size() != 2 && args.size() != 3) return ArityError(name, args.size(), "2 or 3");
  MUA_RETURN_IF_ERROR(RequireStringArgs(name, args, 0, 1));
  for (size_t i = 1; i < args.size(); ++i) MUA_RETURN_IF_ERROR(RequireIntegerArg(name, args, i));
  return ScalarBinding{DataType::Of(TypeId::kString),
                       [](absl::Span<Vector> v, size_t rows, StringPool*, Vector* out) {
                         ResizeStrings(out, rows);
                         for (size_t row = 0; row < rows; ++row) {
                           out->strings[row] = SubstringUtf8(
                               v[0].string_at(row), v[1].int_at(row),
                               v.size() == 3 ? std::optional<int64_t>(v[2].int_at(row)) : std::nullopt);
                         }
                         return absl::OkStatus();
                       }};
}

// concatWithSeparator(sep, s1, s2, ...): the strings joined by sep.
absl::StatusOr<ScalarBinding> BindConcatWithSeparator(absl::string_view name, absl::Span<const ScalarArg> args) {
  if (args.empty()) return ArityError(name, args.size(), "at least 1");
  MUA_RETURN_IF_ERROR(RequireStringArgs(name, args, 0, args.size()));
  return StringResult([](absl::Span<Vector> v, size_t row, std::string* out) {
    for (size_t i = 1; i < v.size(); ++i) {
      if (i > 1) absl::StrAppend(out, v[0].string_at(row));
      absl::StrAppend(out, v[i].string_at(row));
    }
    return absl::OkStatus();
  });
}

// initcap: each word's first letter upper case, the rest lower (ASCII; a word
// is a run of letters and digits).
absl::StatusOr<ScalarBinding> BindInitcap(absl::string_view name, absl::Span<const ScalarArg> args) {
  if (args.size() != 1) return ArityError(name, args.size(), "1");
  MUA_RETURN_IF_ERROR(RequireStringArgs(name, args, 0, 1));
  return StringResult([](absl::Span<Vector> v, size_t row, std::string* out) {
    absl::StrAppend(out, v[0].string_at(row));
    bool in_word = false;
    for (char& c : *out) {
      const unsigned char u = static_cast<unsigned char>(c);
      c = in_word ? absl::ascii_tolower(u) : absl::ascii_toupper(u);
      in_word = absl::ascii_isalnum(u);
    }
    return absl::OkStatus();
  });
}

// countSubstrings(haystack, needle): non-overlapping occurrences; 0 for an empty needle.
absl::StatusOr<ScalarBinding> BindCountSubstrings(absl::string_view name, bool case_insensitive,
                                                  absl::Span<const ScalarArg> args) {
  if (args.size() != 2) return ArityError(name, args.size(), "2");
  MUA_RETURN_IF_ERROR(RequireStringArgs(name, args, 0, 2));
  return CountResult([case_insensitive](absl::Span<Vector> v, size_t row) -> uint64_t {
    std::string haystack(v[0].string_at(row)), needle(v[1].string_at(row));
    if (needle.empty()) return 0;
    if (case_insensitive) {
      absl::AsciiStrToLower(&haystack);
      absl::AsciiStrToLower(&needle);
    }
    uint64_t count = 0;
    for (size_t at = haystack.find(needle); at != std::string::npos; at = haystack.find(needle, at + needle.size())) {
      ++count;
    }
    return count;
  });
}

// positionCaseInsensitive(haystack, needle[, start]): position() ignoring ASCII case.
absl::StatusOr<ScalarBinding> BindPositionCaseInsensitive(absl::string_view name, absl::Span<const ScalarArg> args) {
  if (args.size() != 2 && args.size() != 3) return ArityError(name, args.size(), "2 or 3");
  MUA_RETURN_IF_ERROR(RequireStringArgs(name, args, 0, 2));
  if (args.size() == 3) MUA_RETURN_IF_ERROR(RequireIntegerArg(name, args, 2));
  return CountResult([](absl::Span<Vector> v, size_t row) -> uint64_t {
    return static_cast<uint64_t>(Position(Lower(v[0].string_at(row)), Lower(v[1].string_at(row)),
                                          v.size() == 3 ? v[2].int_at(row) : 1));
  });
}

// positionUTF8(haystack, needle): the 1-based code point where needle starts.
absl::StatusOr<ScalarBinding> BindPositionUtf8(absl::string_view name, absl::Span<const ScalarArg> args) {
  if (args.size() != 2) return ArityError(name, args.size(), "2");
  MUA_RETURN_IF_ERROR(RequireStringArgs(name, args, 0, 2));
  return CountResult([](absl::Span<Vector> v, size_t row) -> uint64_t {
    const absl::string_view haystack = v[0].string_at(row);
    const int64_t byte_position = Position(haystack, v[1].string_at(row));
    if (byte_position == 0) return 0;
    return CodePoints(haystack.substr(0, static_cast<size_t>(byte_position - 1))) + 1;
  });
}

}  // namespace

void RegisterStringEdit(FunctionRegistry* registry) {
  auto with = [](auto bind, auto... flags) {
    return [bind, flags...](absl::string_view n, absl::Span<const ScalarArg> a) { return bind(n, flags..., a); };
  };
  registry->Add("replaceAll", with(BindReplace, true));
  registry->Add("replace", with(BindReplace, true));
  registry->Add("replaceOne", with(BindReplace, false));
  registry->Add("trimLeft", with(BindTrim, true, false));
  registry->Add("ltrim", with(BindTrim, true, false), true);
  registry->Add("trimRight", with(BindTrim, false, true));
  registry->Add("rtrim", with(BindTrim, false, true), true);
  registry->Add("trimBoth", with(BindTrim, true, true));
  registry->Add("trim", with(BindTrim, true, true), true);
  registry->Add("leftPad", with(BindPad, true, false));
  registry->Add("lpad", with(BindPad, true, false), true);
  registry->Add("rightPad", with(BindPad, false, false));
  registry->Add("rpad", with(BindPad, false, false), true);
  registry->Add("leftPadUTF8", with(BindPad, true, true));
  registry->Add("rightPadUTF8", with(BindPad, false, true));
  registry->Add("reverse", with(BindReverse, false), true);
  registry->Add("reverseUTF8", with(BindReverse, true));
  registry->Add("repeat", BindRepeat, true);
  registry->Add("left", with(BindLeftRight, true, false), true);
  registry->Add("right", with(BindLeftRight, false, false), true);
  registry->Add("leftUTF8", with(BindLeftRight, true, true));
  registry->Add("rightUTF8", with(BindLeftRight, false, true));
  registry->Add("lengthUTF8", BindLengthUtf8);
  registry->Add("char_length", BindLengthUtf8, true);
  registry->Add("character_length", BindLengthUtf8, true);
  registry->Add("substringUTF8", BindSubstringUtf8);
  registry->Add("concatWithSeparator", BindConcatWithSeparator);
  registry->Add("concat_ws", BindConcatWithSeparator, true);
  registry->Add("initcap", BindInitcap);
  registry->Add("countSubstrings", with(BindCountSubstrings, false));
  registry->Add("countSubstringsCaseInsensitive", with(BindCountSubstrings, true));
  registry->Add("positionCaseInsensitive", BindPositionCaseInsensitive);
  registry->Add("positionUTF8", BindPositionUtf8);
}

}  // namespace mua::query_internal
