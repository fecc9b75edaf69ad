// lower, upper, length, empty, notEmpty, concat, substring, position,
// startsWith, endsWith, like/notLike/ilike/notILike. Byte semantics, as in
// ClickHouse (lower/upper change ASCII letters only).
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "query/functions/string_functions.h"
#include "query/internal/function_registry.h"
#include "query/internal/kernel_util.h"
#include "storage/string_dictionary.h"

namespace mua::query_internal {
namespace {

absl::Status RequireStrings(absl::string_view name, absl::Span<const ScalarArg> args) {
  for (size_t i = 0; i < args.size(); ++i) {
    if (!args[i].type.is_string()) return IllegalType(name, args[i].type, static_cast<int>(i + 1));
  }
  return absl::OkStatus();
}

absl::StatusOr<ScalarBinding> BindCase(absl::string_view name, bool upper,
                                       absl::Span<const ScalarArg> args) {
  if (args.size() != 1) return ArityError(name, args.size(), "1");
  if (absl::Status s = RequireStrings(name, args); !s.ok()) return s;
  return ScalarBinding{DataType::Of(TypeId::kString),
                       [upper](absl::Span<Vector> v, size_t rows, StringPool* pool, Vector* out) {
                         ResizeStrings(out, rows);
                         for (size_t row = 0; row < rows; ++row) {
                           std::string text(v[0].string_at(row));
                           upper ? absl::AsciiStrToUpper(&text) : absl::AsciiStrToLower(&text);
                           out->strings[row] = pool->Add(std::move(text));
                         }
                         return absl::OkStatus();
                       }};
}

absl::StatusOr<ScalarBinding> BindLength(absl::string_view name, absl::Span<const ScalarArg> args) {
  if (args.size() != 1) return ArityError(name, args.size(), "1");
  if (args[0].type.id == TypeId::kArray) {
    return ScalarBinding{DataType::Of(TypeId::kUInt64),
                         [](absl::Span<Vector> v, size_t rows, StringPool*, Vector* out) {
                           ResizeInts(out, rows);
                           for (size_t row = 0; row < rows; ++row) {
                             const size_t i = v[0].index(row);
                             out->ints[row] = v[0].offsets[i + 1] - v[0].offsets[i];
                           }
                           return absl::OkStatus();
                         }};
  }
  if (absl::Status s = RequireStrings(name, args); !s.ok()) return s;
  return ScalarBinding{DataType::Of(TypeId::kUInt64),
                       [](absl::Span<Vector> v, size_t rows, StringPool*, Vector* out) {
                         ResizeInts(out, rows);
                         for (size_t row = 0; row < rows; ++row) {
                           out->ints[row] = static_cast<int64_t>(v[0].string_at(row).size());
                         }
                         return absl::OkStatus();
                       }};
}

absl::StatusOr<ScalarBinding> BindEmpty(absl::string_view name, bool want_empty,
                                        absl::Span<const ScalarArg> args) {
  if (args.size() != 1) return ArityError(name, args.size(), "1");
  if (args[0].type.id == TypeId::kArray) {  // empty([]) / notEmpty([1])
    return ScalarBinding{DataType::Of(TypeId::kUInt8),
                         [want_empty](absl::Span<Vector> v, size_t rows, StringPool*, Vector* out) {
                           ResizeInts(out, rows);
                           for (size_t row = 0; row < rows; ++row) {
                             const size_t i = v[0].index(row);
                             out->ints[row] = (v[0].offsets[i + 1] == v[0].offsets[i]) == want_empty;
                           }
                           return absl::OkStatus();
                         }};
  }
  if (absl::Status s = RequireStrings(name, args); !s.ok()) return s;
  return ScalarBinding{DataType::Of(TypeId::kUInt8),
                       [want_empty](absl::Span<Vector> v, size_t rows, StringPool*, Vector* out) {
                         ResizeInts(out, rows);
                         for (size_t row = 0; row < rows; ++row) {
                           out->ints[row] = v[0].string_at(row).empty() == want_empty;
                         }
                         return absl::OkStatus();
                       }};
}

absl::StatusOr<ScalarBinding> BindConcat(absl::string_view name, absl::Span<const ScalarArg> args) {
  if (args.size() < 2) return ArityError(name, args.size(), "at least 2");
  if (absl::Status s = RequireStrings(name, args); !s.ok()) return s;
  return ScalarBinding{DataType::Of(TypeId::kString),
                       [](absl::Span<Vector> v, size_t rows, StringPool* pool, Vector* out) {
                         ResizeStrings(out, rows);
                         for (size_t row = 0; row < rows; ++row) {
                           std::string text;
                           for (const Vector& arg : v) absl::StrAppend(&text, arg.string_at(row));
                           out->strings[row] = pool->Add(std::move(text));
                         }
                         return absl::OkStatus();
                       }};
}

absl::StatusOr<ScalarBinding> BindSubstring(absl::string_view name,
                                            absl::Span<const ScalarArg> args) {
  if (args.size() != 2 && args.size() != 3) return ArityError(name, args.size(), "2 or 3");
  if (!args[0].type.is_string()) return IllegalType(name, args[0].type, 1);
  for (size_t i = 1; i < args.size(); ++i) {
    if (!args[i].type.is_integer()) return IllegalType(name, args[i].type, static_cast<int>(i + 1));
  }
  const bool has_length = args.size() == 3;
  return ScalarBinding{DataType::Of(TypeId::kString),
                       [has_length](absl::Span<Vector> v, size_t rows, StringPool*, Vector* out) {
                         ResizeStrings(out, rows);
                         for (size_t row = 0; row < rows; ++row) {
                           out->strings[row] = Substring(
                               v[0].string_at(row), v[1].int_at(row),
                               has_length ? std::optional<int64_t>(v[2].int_at(row)) : std::nullopt);
                         }
                         return absl::OkStatus();
                       }};
}

absl::StatusOr<ScalarBinding> BindPosition(absl::string_view name,
                                           absl::Span<const ScalarArg> args) {
  if (args.size() != 2) return ArityError(name, args.size(), "2");
  if (absl::Status s = RequireStrings(name, args); !s.ok()) return s;
  return ScalarBinding{DataType::Of(TypeId::kUInt64),
                       [](absl::Span<Vector> v, size_t rows, StringPool*, Vector* out) {
                         ResizeInts(out, rows);
                         for (size_t row = 0; row < rows; ++row) {
                           out->ints[row] = Position(v[0].string_at(row), v[1].string_at(row));
                         }
                         return absl::OkStatus();
                       }};
}

absl::StatusOr<ScalarBinding> BindAffix(absl::string_view name, bool prefix,
                                        absl::Span<const ScalarArg> args) {
  if (args.size() != 2) return ArityError(name, args.size(), "2");
  if (absl::Status s = RequireStrings(name, args); !s.ok()) return s;
  return ScalarBinding{DataType::Of(TypeId::kUInt8),
                       [prefix](absl::Span<Vector> v, size_t rows, StringPool*, Vector* out) {
                         ResizeInts(out, rows);
                         for (size_t row = 0; row < rows; ++row) {
                           out->ints[row] = prefix
                                                ? absl::StartsWith(v[0].string_at(row), v[1].string_at(row))
                                                : absl::EndsWith(v[0].string_at(row), v[1].string_at(row));
                         }
                         return absl::OkStatus();
                       }};
}

absl::StatusOr<ScalarBinding> BindLike(absl::string_view name, bool negated, bool case_insensitive,
                                       absl::Span<const ScalarArg> args) {
  if (args.size() != 2) return ArityError(name, args.size(), "2");
  if (absl::Status s = RequireStrings(name, args); !s.ok()) return s;
  if (args[1].constant == nullptr) {
    return absl::InvalidArgumentError(
        absl::StrCat("Argument 2 of function ", name, " must be a constant string pattern"));
  }
  std::string pattern(args[1].constant->string_at(0));
  if (case_insensitive) pattern = Lower(pattern);
  absl::StatusOr<LikeMatcher> compiled = LikeMatcher::Compile(pattern);
  if (!compiled.ok()) return compiled.status();
  auto matcher = std::make_shared<const LikeMatcher>(*std::move(compiled));
  return ScalarBinding{DataType::Of(TypeId::kUInt8),
                       [matcher, negated, case_insensitive](absl::Span<Vector> v, size_t rows,
                                                            StringPool*, Vector* out) {
                         ResizeInts(out, rows);
                         const Vector& text = v[0];
                         auto matches = [&](absl::string_view value) {
                           return case_insensitive ? matcher->Matches(Lower(value))
                                                   : matcher->Matches(value);
                         };
                         if (text.is_dictionary()) {
                           // Match each distinct code once.
                           std::vector<int8_t> decided(text.dictionary->size(), -1);
                           for (size_t row = 0; row < rows; ++row) {
                             const uint32_t code = text.codes[text.index(row)];
                             if (code >= decided.size()) decided.resize(code + 1, -1);
                             if (decided[code] < 0) decided[code] = matches(text.string_at(row));
                             out->ints[row] = (decided[code] == 1) != negated;
                           }
                           return absl::OkStatus();
                         }
                         for (size_t row = 0; row < rows; ++row) {
                           out->ints[row] = matches(text.string_at(row)) != negated;
                         }
                         return absl::OkStatus();
                       }};
}

}  // namespace

void RegisterString(FunctionRegistry* registry) {
  registry->Add("lower", [](absl::string_view n, absl::Span<const ScalarArg> a) {
    return BindCase(n, false, a);
  }, true);
  registry->Add("upper", [](absl::string_view n, absl::Span<const ScalarArg> a) {
    return BindCase(n, true, a);
  }, true);
  registry->Add("lcase", [](absl::string_view n, absl::Span<const ScalarArg> a) {
    return BindCase(n, false, a);
  }, true);
  registry->Add("ucase", [](absl::string_view n, absl::Span<const ScalarArg> a) {
    return BindCase(n, true, a);
  }, true);
  registry->Add("length", BindLength, true);
  registry->Add("empty", [](absl::string_view n, absl::Span<const ScalarArg> a) {
    return BindEmpty(n, true, a);
  });
  registry->Add("notEmpty", [](absl::string_view n, absl::Span<const ScalarArg> a) {
    return BindEmpty(n, false, a);
  });
  registry->Add("concat", BindConcat, true);
  registry->Add("substring", BindSubstring, true);
  registry->Add("substr", BindSubstring, true);
  registry->Add("mid", BindSubstring, true);
  registry->Add("position", BindPosition, true);
  registry->Add("locate", BindPosition, true);
  registry->Add("startsWith", [](absl::string_view n, absl::Span<const ScalarArg> a) {
    return BindAffix(n, true, a);
  });
  registry->Add("endsWith", [](absl::string_view n, absl::Span<const ScalarArg> a) {
    return BindAffix(n, false, a);
  });
  registry->Add("like", [](absl::string_view n, absl::Span<const ScalarArg> a) {
    return BindLike(n, false, false, a);
  });
  registry->Add("notLike", [](absl::string_view n, absl::Span<const ScalarArg> a) {
    return BindLike(n, true, false, a);
  });
  registry->Add("ilike", [](absl::string_view n, absl::Span<const ScalarArg> a) {
    return BindLike(n, false, true, a);
  });
  registry->Add("notILike", [](absl::string_view n, absl::Span<const ScalarArg> a) {
    return BindLike(n, true, true, a);
  });
}

}  // namespace mua::query_internal
