// The functions between strings and arrays: splitByChar, splitByString,
// splitByWhitespace, splitByNonAlpha (to Array(String)) and arrayStringConcat
// (back to a String). The parts are views of the argument strings.
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "query/internal/array_util.h"
#include "query/internal/function_registry.h"
#include "query/internal/kernel_util.h"
#include "storage/base/status_macros.h"

namespace mua::query_internal {
namespace {

// The optional max_substrings argument at `index` (0 = all parts): a constant integer.
absl::StatusOr<int64_t> MaxSubstrings(absl::string_view name, absl::Span<const ScalarArg> args, size_t index) {
  if (args.size() <= index) return 0;
  if (args[index].constant == nullptr || !args[index].type.is_integer()) {
    return absl::InvalidArgumentError(
        absl::StrCat("Argument ", index + 1, " of function ", name, " must be a constant integer"));
  }
  return args[index].constant->ints[0];
}

absl::StatusOr<ScalarBinding> BindSplit(absl::string_view name, bool by_char,
                                        absl::Span<const ScalarArg> args) {
  if (args.size() != 2 && args.size() != 3) return ArityError(name, args.size(), "2 or 3");
  if (!args[0].type.is_string() || args[0].constant == nullptr) {
    return absl::InvalidArgumentError(
        absl::StrCat("Argument 1 of function ", name, " (separator) must be a constant String"));
  }
  const std::string separator(args[0].constant->string_at(0));
  if (by_char && separator.size() != 1) {
    return absl::InvalidArgumentError(absl::StrCat(
        "Illegal separator for function ", name, ". Must be exactly one byte."));
  }
  if (!args[1].type.is_string()) return IllegalType(name, args[1].type, 2);
  MUA_ASSIGN_OR_RETURN(const int64_t max_parts, MaxSubstrings(name, args, 2));
  const DataType type = DataType::Array(TypeId::kString);
  return ScalarBinding{type, [type, separator, max_parts](absl::Span<Vector> v, size_t rows,
                                                          StringPool*, Vector* out) {
                         StartArray(type, rows, out);
                         for (size_t row = 0; row < rows; ++row) {
                           const absl::string_view text = v[1].string_at(row);
                           if (separator.empty()) {  // splitByString('', s): the bytes
                             for (size_t i = 0; i < text.size(); ++i) out->strings.push_back(text.substr(i, 1));
                           } else {
                             int64_t parts = 0;
                             size_t start = 0;
                             while (true) {
                               const size_t at = text.find(separator, start);
                               if (at == absl::string_view::npos ||
                                   (max_parts > 0 && parts + 1 == max_parts)) {
                                 // ClickHouse's max_substrings drops the rest of the string.
                                 const size_t end = at == absl::string_view::npos ? text.size() : at;
                                 out->strings.push_back(text.substr(start, end - start));
                                 break;
                               }
                               out->strings.push_back(text.substr(start, at - start));
                               ++parts;
                               start = at + separator.size();
                             }
                           }
                           EndRow(out);
                         }
                         return absl::OkStatus();
                       }};
}


// arrayStringConcat(arr[, separator]) over Array(String) or Array(Nullable(String)) (NULLs skipped).
absl::StatusOr<ScalarBinding> BindStringConcat(absl::string_view name,
                                               absl::Span<const ScalarArg> args) {
  if (args.empty() || args.size() > 2) return ArityError(name, args.size(), "1 or 2");
  if (args[0].type.id != TypeId::kArray || !args[0].type.element_type().WithoutNullable().is_string()) {
    return IllegalType(name, args[0].type, 1);
  }
  std::string separator;
  if (args.size() == 2) {
    if (!args[1].type.is_string() || args[1].constant == nullptr) {
      return absl::InvalidArgumentError(
          absl::StrCat("Argument 2 of function ", name, " (separator) must be a constant String"));
    }
    separator = std::string(args[1].constant->string_at(0));
  }
  return ScalarBinding{DataType::Of(TypeId::kString),
                       [separator](absl::Span<Vector> v, size_t rows, StringPool* pool, Vector* out) {
                         ResizeStrings(out, rows);
                         const Vector elements = ArrayElements(v[0]);
                         for (size_t row = 0; row < rows; ++row) {
                           const auto [begin, end] = ArrayBounds(v[0], row);
                           std::string text;
                           bool first = true;
                           for (uint32_t k = begin; k < end; ++k) {
                             if (elements.is_null(k)) continue;
                             if (!first) text.append(separator);
                             first = false;
                             absl::StrAppend(&text, elements.string_at(k));
                           }
                           out->strings[row] = pool->Add(std::move(text));
                         }
                         return absl::OkStatus();
                       }};
}

// splitByWhitespace(s[, max_substrings]) / splitByNonAlpha: the runs of
// non-whitespace (ASCII space, tab, newline, CR, VT, FF) / of letters and digits,
// as ClickHouse; max_substrings > 0 keeps that many.
absl::StatusOr<ScalarBinding> BindSplitByClass(absl::string_view name, bool (*separator)(unsigned char),
                                               absl::Span<const ScalarArg> args) {
  if (args.size() != 1 && args.size() != 2) return ArityError(name, args.size(), "1 or 2");
  if (!args[0].type.is_string()) return IllegalType(name, args[0].type, 1);
  MUA_ASSIGN_OR_RETURN(const int64_t max_parts, MaxSubstrings(name, args, 1));
  const DataType type = DataType::Array(TypeId::kString);
  return ScalarBinding{type, [type, separator, max_parts](absl::Span<Vector> v, size_t rows,
                                                          StringPool*, Vector* out) {
                         StartArray(type, rows, out);
                         for (size_t row = 0; row < rows; ++row) {
                           const absl::string_view text = v[0].string_at(row);
                           int64_t parts = 0;
                           size_t at = 0;
                           while (at < text.size() && (max_parts <= 0 || parts < max_parts)) {
                             while (at < text.size() && separator(static_cast<unsigned char>(text[at]))) ++at;
                             if (at == text.size()) break;
                             const size_t start = at;
                             while (at < text.size() && !separator(static_cast<unsigned char>(text[at]))) ++at;
                             out->strings.push_back(text.substr(start, at - start));
                             ++parts;
                           }
                           EndRow(out);
                         }
                         return absl::OkStatus();
                       }};
}

bool IsWhitespace(unsigned char c) { return absl::ascii_isspace(c); }
bool IsNotAlphanumeric(unsigned char c) { return !absl::ascii_isalnum(c); }

}  // namespace

void RegisterStringArray(FunctionRegistry* registry) {
  registry->Add("splitByChar", [](absl::string_view n, absl::Span<const ScalarArg> a) {
    return BindSplit(n, true, a);
  });
  registry->Add("splitByString", [](absl::string_view n, absl::Span<const ScalarArg> a) {
    return BindSplit(n, false, a);
  });
  registry->Add("splitByWhitespace", [](absl::string_view n, absl::Span<const ScalarArg> a) {
    return BindSplitByClass(n, IsWhitespace, a);
  });
  registry->Add("splitByNonAlpha", [](absl::string_view n, absl::Span<const ScalarArg> a) {
    return BindSplitByClass(n, IsNotAlphanumeric, a);
  });
  registry->Add("arrayStringConcat", BindStringConcat);
}

}  // namespace mua::query_internal
