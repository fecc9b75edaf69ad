// Regular expressions with RE2 (linear time in the text, no backtracking):
// match, extract, extractAll, replaceRegexpOne, replaceRegexpAll, countMatches,
// regexpQuoteMeta, multiMatchAny. As in ClickHouse, `.` also matches a line
// break (prepend (?-s) to turn that off) and the replacement of replaceRegexp*
// takes \0-\9 for the whole match and its groups, `\x` for a literal x.
// A constant pattern is compiled once at bind time; other patterns compile per
// distinct value in a small per-batch cache.
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "query/internal/function_registry.h"
#include "query/internal/kernel_util.h"
#include "re2/re2.h"
#include "re2/set.h"
#include "storage/base/hash_containers.h"

namespace mua::query_internal {
namespace {

// ClickHouse substitutes at most \0..\9.
constexpr int kMaxCaptures = 10;
// Distinct non-constant patterns kept compiled while evaluating one batch.
constexpr size_t kPatternCacheSize = 64;

RE2::Options PatternOptions() {
  RE2::Options options;
  options.set_log_errors(false);
  options.set_dot_nl(true);
  return options;
}

// The error message starts with "Cannot compile regexp" (ClickHouse CANNOT_COMPILE_REGEXP, 427).
absl::StatusOr<std::shared_ptr<const RE2>> Compile(absl::string_view pattern) {
  auto re = std::make_shared<const RE2>(re2::StringPiece(pattern.data(), pattern.size()),
                                        PatternOptions());
  if (!re->ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("Cannot compile regexp: ", pattern, ", error: ", re->error()));
  }
  return re;
}

// The compiled pattern of each row: the bound constant, or a cached compilation.
class Patterns {
 public:
  explicit Patterns(std::shared_ptr<const RE2> constant) : constant_(std::move(constant)) {}

  absl::StatusOr<const RE2*> At(const Vector& patterns, size_t row) {
    if (constant_ != nullptr) return constant_.get();
    const absl::string_view text = patterns.string_at(row);
    if (auto it = cache_.find(text); it != cache_.end()) return it->second.get();
    absl::StatusOr<std::shared_ptr<const RE2>> re = Compile(text);
    if (!re.ok()) return re.status();
    if (cache_.size() >= kPatternCacheSize) cache_.clear();
    const RE2* result = re->get();
    cache_.emplace(std::string(text), *std::move(re));
    return result;
  }

 private:
  std::shared_ptr<const RE2> constant_;
  HashMap<std::string, std::shared_ptr<const RE2>> cache_;
};

// Checks haystack/pattern types and compiles a constant pattern (argument 2).
absl::StatusOr<std::shared_ptr<const RE2>> BindPattern(absl::string_view name,
                                                       absl::Span<const ScalarArg> args) {
  if (!args[0].type.is_string()) return IllegalType(name, args[0].type, 1);
  if (!args[1].type.is_string()) return IllegalType(name, args[1].type, 2);
  if (args[1].constant == nullptr) return std::shared_ptr<const RE2>();
  return Compile(args[1].constant->string_at(0));
}

re2::StringPiece Piece(absl::string_view text) { return {text.data(), text.size()}; }
absl::string_view View(re2::StringPiece piece) { return {piece.data(), piece.size()}; }

// The group extract() returns: the first capturing group, else the whole match.
int ExtractGroup(const RE2& re) { return re.NumberOfCapturingGroups() > 0 ? 1 : 0; }

absl::StatusOr<ScalarBinding> BindMatch(absl::string_view name, absl::Span<const ScalarArg> args) {
  if (args.size() != 2) return ArityError(name, args.size(), "2");
  absl::StatusOr<std::shared_ptr<const RE2>> constant = BindPattern(name, args);
  if (!constant.ok()) return constant.status();
  return ScalarBinding{DataType::Of(TypeId::kUInt8),
                       [constant = *constant](absl::Span<Vector> v, size_t rows, StringPool*,
                                              Vector* out) -> absl::Status {
                         ResizeInts(out, rows);
                         Patterns patterns(constant);
                         for (size_t row = 0; row < rows; ++row) {
                           absl::StatusOr<const RE2*> re = patterns.At(v[1], row);
                           if (!re.ok()) return re.status();
                           out->ints[row] = RE2::PartialMatch(Piece(v[0].string_at(row)), **re);
                         }
                         return absl::OkStatus();
                       }};
}

absl::StatusOr<ScalarBinding> BindExtract(absl::string_view name,
                                          absl::Span<const ScalarArg> args) {
  if (args.size() != 2) return ArityError(name, args.size(), "2");
  absl::StatusOr<std::shared_ptr<const RE2>> constant = BindPattern(name, args);
  if (!constant.ok()) return constant.status();
  return ScalarBinding{
      DataType::Of(TypeId::kString),
      [constant = *constant](absl::Span<Vector> v, size_t rows, StringPool*,
                             Vector* out) -> absl::Status {
        ResizeStrings(out, rows);
        Patterns patterns(constant);
        re2::StringPiece groups[2];
        for (size_t row = 0; row < rows; ++row) {
          absl::StatusOr<const RE2*> re = patterns.At(v[1], row);
          if (!re.ok()) return re.status();
          const absl::string_view text = v[0].string_at(row);
          const int group = ExtractGroup(**re);
          // Views into the haystack, which outlives the batch's results like any input.
          out->strings[row] = (*re)->Match(Piece(text), 0, text.size(), RE2::UNANCHORED, groups,
                                           group + 1)
                                  ? View(groups[group])
                                  : absl::string_view();
        }
        return absl::OkStatus();
      }};
}

// extractAll: every non-overlapping match (its first group if it has one), up to
// the first empty match, as ClickHouse.
absl::StatusOr<ScalarBinding> BindExtractAll(absl::string_view name,
                                             absl::Span<const ScalarArg> args) {
  if (args.size() != 2) return ArityError(name, args.size(), "2");
  absl::StatusOr<std::shared_ptr<const RE2>> constant = BindPattern(name, args);
  if (!constant.ok()) return constant.status();
  return ScalarBinding{
      DataType::Array(TypeId::kString),
      [constant = *constant](absl::Span<Vector> v, size_t rows, StringPool*,
                             Vector* out) -> absl::Status {
        out->constant = false;
        out->size = rows;
        out->strings.clear();
        out->offsets.assign(1, 0);
        Patterns patterns(constant);
        re2::StringPiece groups[2];
        for (size_t row = 0; row < rows; ++row) {
          absl::StatusOr<const RE2*> re = patterns.At(v[1], row);
          if (!re.ok()) return re.status();
          const absl::string_view text = v[0].string_at(row);
          const int group = ExtractGroup(**re);
          size_t pos = 0;
          while (pos <= text.size() &&
                 (*re)->Match(Piece(text), pos, text.size(), RE2::UNANCHORED, groups, group + 1) &&
                 !groups[0].empty()) {
            out->strings.push_back(View(groups[group]));
            pos = static_cast<size_t>(groups[0].data() - text.data()) + groups[0].size();
          }
          out->offsets.push_back(static_cast<uint32_t>(out->strings.size()));
        }
        return absl::OkStatus();
      }};
}

// countMatches(haystack, pattern): non-overlapping matches, an empty match stops the count.
absl::StatusOr<ScalarBinding> BindCountMatches(absl::string_view name,
                                               absl::Span<const ScalarArg> args) {
  if (args.size() != 2) return ArityError(name, args.size(), "2");
  absl::StatusOr<std::shared_ptr<const RE2>> constant = BindPattern(name, args);
  if (!constant.ok()) return constant.status();
  return ScalarBinding{
      DataType::Of(TypeId::kUInt64),
      [constant = *constant](absl::Span<Vector> v, size_t rows, StringPool*,
                             Vector* out) -> absl::Status {
        ResizeInts(out, rows);
        Patterns patterns(constant);
        re2::StringPiece match;
        for (size_t row = 0; row < rows; ++row) {
          absl::StatusOr<const RE2*> re = patterns.At(v[1], row);
          if (!re.ok()) return re.status();
          const absl::string_view text = v[0].string_at(row);
          int64_t count = 0;
          size_t pos = 0;
          while (pos <= text.size() &&
                 (*re)->Match(Piece(text), pos, text.size(), RE2::UNANCHORED, &match, 1) &&
                 !match.empty()) {
            ++count;
            pos = static_cast<size_t>(match.data() - text.data()) + match.size();
          }
          out->ints[row] = count;
        }
        return absl::OkStatus();
      }};
}

// A replacement as literals and group substitutions ("a\1b" -> "a", \1, "b").
struct ReplacementPart {
  int group = -1;  // >= 0: substitute this group
  std::string literal;
};
using Replacement = std::vector<ReplacementPart>;

absl::StatusOr<Replacement> ParseReplacement(absl::string_view text, int captures) {
  Replacement parts;
  std::string literal;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '\\' || i + 1 == text.size()) {
      literal.push_back(text[i]);
      continue;
    }
    const char next = text[++i];
    if (next < '0' || next > '9') {
      literal.push_back(next);
      continue;
    }
    const int group = next - '0';
    if (group >= captures) {
      return absl::InvalidArgumentError(absl::StrCat(
          "Substitution '\\", group, "' in replacement argument is invalid, regexp has only ",
          captures - 1, " capturing groups"));
    }
    if (!literal.empty()) parts.push_back({-1, std::move(literal)});
    literal.clear();
    parts.push_back({group, ""});
  }
  if (!literal.empty()) parts.push_back({-1, std::move(literal)});
  return parts;
}

int Captures(const RE2& re) { return std::min(re.NumberOfCapturingGroups() + 1, kMaxCaptures); }

// Replaces the first (or every) match in `text`. An empty match is replaced once
// and the scan steps one byte on, as ClickHouse's ReplaceRegexpImpl does.
void ReplaceMatches(const RE2& re, const Replacement& replacement, bool all,
                    absl::string_view text, std::string* out) {
  const int captures = Captures(re);
  re2::StringPiece groups[kMaxCaptures];
  size_t copied = 0, pos = 0;
  while (pos <= text.size()) {
    if (!re.Match(Piece(text), pos, text.size(), RE2::UNANCHORED, groups, captures)) break;
    const size_t begin = static_cast<size_t>(groups[0].data() - text.data());
    out->append(text.data() + copied, begin - copied);
    for (const ReplacementPart& part : replacement) {
      if (part.group >= 0) {
        out->append(groups[part.group].data(), groups[part.group].size());
      } else {
        out->append(part.literal);
      }
    }
    copied = begin + groups[0].size();
    pos = copied;
    if (!all) break;
    if (groups[0].empty()) ++pos;
  }
  out->append(text.data() + copied, text.size() - copied);
}

absl::StatusOr<ScalarBinding> BindReplaceRegexp(absl::string_view name, bool all,
                                                absl::Span<const ScalarArg> args) {
  if (args.size() != 3) return ArityError(name, args.size(), "3");
  absl::StatusOr<std::shared_ptr<const RE2>> constant = BindPattern(name, args);
  if (!constant.ok()) return constant.status();
  if (!args[2].type.is_string()) return IllegalType(name, args[2].type, 3);
  std::shared_ptr<const Replacement> constant_replacement;
  if (*constant != nullptr && args[2].constant != nullptr) {
    absl::StatusOr<Replacement> parsed =
        ParseReplacement(args[2].constant->string_at(0), Captures(**constant));
    if (!parsed.ok()) return parsed.status();
    constant_replacement = std::make_shared<const Replacement>(*std::move(parsed));
  }
  return ScalarBinding{
      DataType::Of(TypeId::kString),
      [constant = *constant, constant_replacement, all](
          absl::Span<Vector> v, size_t rows, StringPool* pool, Vector* out) -> absl::Status {
        ResizeStrings(out, rows);
        Patterns patterns(constant);
        for (size_t row = 0; row < rows; ++row) {
          absl::StatusOr<const RE2*> re = patterns.At(v[1], row);
          if (!re.ok()) return re.status();
          Replacement parsed;
          if (constant_replacement == nullptr) {
            absl::StatusOr<Replacement> row_replacement =
                ParseReplacement(v[2].string_at(row), Captures(**re));
            if (!row_replacement.ok()) return row_replacement.status();
            parsed = *std::move(row_replacement);
          }
          std::string text;
          ReplaceMatches(**re, constant_replacement != nullptr ? *constant_replacement : parsed,
                         all, v[0].string_at(row), &text);
          out->strings[row] = pool->Add(std::move(text));
        }
        return absl::OkStatus();
      }};
}

absl::StatusOr<ScalarBinding> BindQuoteMeta(absl::string_view name,
                                            absl::Span<const ScalarArg> args) {
  if (args.size() != 1) return ArityError(name, args.size(), "1");
  if (!args[0].type.is_string()) return IllegalType(name, args[0].type, 1);
  return ScalarBinding{DataType::Of(TypeId::kString),
                       [](absl::Span<Vector> v, size_t rows, StringPool* pool, Vector* out) {
                         ResizeStrings(out, rows);
                         for (size_t row = 0; row < rows; ++row) {
                           // ClickHouse escapes the same set as RE2, but leaves NUL bytes as \0.
                           std::string quoted;
                           for (const char c : v[0].string_at(row)) {
                             if (c == '\0') {
                               quoted.append("\\0");
                             } else if (absl::ascii_isalnum(static_cast<unsigned char>(c)) ||
                                        c == '_' || (static_cast<unsigned char>(c) & 0x80) != 0) {
                               quoted.push_back(c);
                             } else {
                               quoted.push_back('\\');
                               quoted.push_back(c);
                             }
                           }
                           out->strings[row] = pool->Add(std::move(quoted));
                         }
                         return absl::OkStatus();
                       }};
}

// multiMatchAny(haystack, ['re1', 're2', ...]) with a constant array: one RE2::Set pass.
absl::StatusOr<ScalarBinding> BindMultiMatchAny(absl::string_view name,
                                                absl::Span<const ScalarArg> args) {
  if (args.size() != 2) return ArityError(name, args.size(), "2");
  if (!args[0].type.is_string()) return IllegalType(name, args[0].type, 1);
  if (args[1].type != DataType::Array(TypeId::kString) || args[1].constant == nullptr) {
    return absl::InvalidArgumentError(absl::StrCat(
        "Argument 2 of function ", name, " must be a constant Array(String) of patterns"));
  }
  const Vector& list = *args[1].constant;
  auto set = std::make_shared<RE2::Set>(PatternOptions(), RE2::UNANCHORED);
  for (uint32_t k = list.offsets[0]; k < list.offsets[1]; ++k) {
    std::string error;
    if (set->Add(Piece(list.strings[k]), &error) < 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("Cannot compile regexp: ", list.strings[k], ", error: ", error));
    }
  }
  const bool empty = list.offsets[1] == list.offsets[0];
  if (!empty && !set->Compile()) {
    return absl::ResourceExhaustedError(
        absl::StrCat("Cannot compile regexp: the patterns of ", name, " need too much memory"));
  }
  return ScalarBinding{DataType::Of(TypeId::kUInt8),
                       [set, empty](absl::Span<Vector> v, size_t rows, StringPool*, Vector* out) {
                         ResizeInts(out, rows);
                         for (size_t row = 0; row < rows; ++row) {
                           out->ints[row] = !empty && set->Match(Piece(v[0].string_at(row)), nullptr);
                         }
                         return absl::OkStatus();
                       }};
}

}  // namespace

void RegisterRegexp(FunctionRegistry* registry) {
  registry->Add("match", BindMatch);
  registry->Add("extract", BindExtract);
  registry->Add("extractAll", BindExtractAll);
  registry->Add("countMatches", BindCountMatches);
  registry->Add("replaceRegexpOne", [](absl::string_view n, absl::Span<const ScalarArg> a) {
    return BindReplaceRegexp(n, false, a);
  });
  registry->Add("replaceRegexpAll", [](absl::string_view n, absl::Span<const ScalarArg> a) {
    return BindReplaceRegexp(n, true, a);
  });
  registry->Add("REGEXP_REPLACE", [](absl::string_view n, absl::Span<const ScalarArg> a) {
    return BindReplaceRegexp(n, true, a);
  }, true);
  registry->Add("regexpQuoteMeta", BindQuoteMeta);
  registry->Add("multiMatchAny", BindMultiMatchAny);
}

}  // namespace mua::query_internal
