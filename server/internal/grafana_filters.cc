#include "server/internal/grafana_filters.h"

#include <algorithm>
#include <array>
#include <optional>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "server/internal/json_params.h"
#include "sql/printer.h"

namespace mua::server_internal {
namespace {

constexpr std::array<absl::string_view, 11> kFilterableColumns = {
    "event_type", "platform", "os_version", "app_version", "device_model", "device_type",
    "country",    "region",   "city",       "user_id",     "session_id",
};

// One alternative of a regex: a LIKE pattern, or a plain literal when it has no wildcard.
struct RegexBranch {
  std::string like_pattern;
  std::string literal;
  bool has_wildcard = false;
};

absl::Status UnsupportedRegex(absl::string_view regex, absl::string_view why) {
  return absl::InvalidArgumentError(absl::StrCat(
      "regex '", regex, "' ", why,
      "; supported: literals, \\-escaped symbols, '.', '.*', '.+', a|b alternatives, ^ and $"));
}

// True when the character at `pos` is preceded by an odd number of backslashes.
bool IsEscaped(absl::string_view text, size_t pos) {
  size_t backslashes = 0;
  while (pos > backslashes && text[pos - 1 - backslashes] == '\\') ++backslashes;
  return backslashes % 2 == 1;
}

// Strips ^...$ anchors (matching is whole-value anyway) and one group around everything.
absl::string_view StripAnchorsAndGroup(absl::string_view body) {
  if (absl::StartsWith(body, "^")) body.remove_prefix(1);
  if (absl::EndsWith(body, "$") && !IsEscaped(body, body.size() - 1)) body.remove_suffix(1);
  if (body.size() >= 2 && body.front() == '(' && body.back() == ')' &&
      !IsEscaped(body, body.size() - 1)) {
    absl::string_view inner = body.substr(1, body.size() - 2);
    if (absl::StartsWith(inner, "?:")) inner.remove_prefix(2);
    // Only when that '(' closes at the end: "(a)|(b)" must stay whole (and is rejected).
    if (inner.find_first_of("()") == absl::string_view::npos) return inner;
  }
  return body;
}

void AppendLikeLiteral(char c, RegexBranch* branch) {
  if (c == '%' || c == '_' || c == '\\') branch->like_pattern.push_back('\\');
  branch->like_pattern.push_back(c);
  branch->literal.push_back(c);
}

absl::StatusOr<RegexBranch> ParseBranch(absl::string_view regex, absl::string_view branch_text) {
  RegexBranch branch;
  for (size_t i = 0; i < branch_text.size(); ++i) {
    const char c = branch_text[i];
    if (c == '\\') {
      if (i + 1 == branch_text.size()) return UnsupportedRegex(regex, "ends with a lone backslash");
      const char escaped = branch_text[++i];
      if (absl::ascii_isalnum(static_cast<unsigned char>(escaped))) {
        return UnsupportedRegex(regex, absl::StrCat("uses the class \\", std::string(1, escaped)));
      }
      AppendLikeLiteral(escaped, &branch);
    } else if (c == '.') {
      branch.has_wildcard = true;
      const char next = i + 1 < branch_text.size() ? branch_text[i + 1] : '\0';
      if (next == '*' || next == '+') ++i;
      branch.like_pattern += next == '*' ? "%" : next == '+' ? "_%" : "_";
    } else if (absl::string_view("[](){}?+*^$|").find(c) != absl::string_view::npos) {
      return UnsupportedRegex(regex, absl::StrCat("uses '", std::string(1, c), "'"));
    } else {
      AppendLikeLiteral(c, &branch);
    }
  }
  return branch;
}

absl::StatusOr<std::string> InListToSql(const rapidjson::Value& filter, absl::string_view column,
                                        bool negated, absl::string_view where) {
  std::vector<std::string> quoted;
  if (filter.HasMember("values") && filter["values"].IsArray()) {
    for (const rapidjson::Value& value : filter["values"].GetArray()) {
      std::optional<std::string> text = JsonScalarText(value);
      if (!text)
        return absl::InvalidArgumentError(absl::StrCat(where, ".values must hold strings"));
      quoted.push_back(QuoteString(*text));
    }
  } else if (filter.HasMember("value")) {
    std::optional<std::string> text = JsonScalarText(filter["value"]);
    if (!text) return absl::InvalidArgumentError(absl::StrCat(where, ".value must be a string"));
    quoted.push_back(QuoteString(*text));
  }
  if (quoted.empty()) return absl::InvalidArgumentError(absl::StrCat(where, " needs values"));
  return absl::StrCat(column, negated ? " NOT IN (" : " IN (", absl::StrJoin(quoted, ", "), ")");
}

absl::StatusOr<std::string> FilterToSql(const rapidjson::Value& filter, absl::string_view where) {
  if (!filter.IsObject() || !filter.HasMember("key") || !filter["key"].IsString() ||
      !filter.HasMember("operator") || !filter["operator"].IsString()) {
    return absl::InvalidArgumentError(
        absl::StrCat(where, " must be an object with string 'key' and 'operator'"));
  }
  const std::string key(filter["key"].GetString(), filter["key"].GetStringLength());
  const std::string op(filter["operator"].GetString(), filter["operator"].GetStringLength());
  if (!IsFilterableColumn(key)) {
    return absl::InvalidArgumentError(
        absl::StrCat(where, ": unknown key '", key,
                     "'; filterable columns: ", absl::StrJoin(FilterableColumns(), ", ")));
  }
  if (op == "=|" || op == "!=|") return InListToSql(filter, key, op == "!=|", where);
  static constexpr std::array<absl::string_view, 8> kOperators = {"=",  "!=", "<",  ">",
                                                                  "<=", ">=", "=~", "!~"};
  if (std::find(kOperators.begin(), kOperators.end(), op) == kOperators.end()) {
    return absl::InvalidArgumentError(absl::StrCat(where, ": unknown operator '", op,
                                                   "'; supported: = != < > <= >= =~ !~ =| !=|"));
  }
  std::optional<std::string> value =
      filter.HasMember("value") ? JsonScalarText(filter["value"]) : std::nullopt;
  if (!value) return absl::InvalidArgumentError(absl::StrCat(where, ".value must be a string"));
  if (op == "=~" || op == "!~") {
    absl::StatusOr<std::string> match = RegexMatchToSql(key, *value);
    if (!match.ok() || op == "=~") return match;
    return absl::StrCat("NOT ", *match);
  }
  return absl::StrCat(key, " ", op, " ", QuoteString(*value));
}

}  // namespace

absl::Span<const absl::string_view> FilterableColumns() { return kFilterableColumns; }

bool IsFilterableColumn(absl::string_view name) {
  return std::find(kFilterableColumns.begin(), kFilterableColumns.end(), name) !=
         kFilterableColumns.end();
}

absl::StatusOr<std::string> RegexMatchToSql(absl::string_view column, absl::string_view regex) {
  const absl::string_view body = StripAnchorsAndGroup(regex);
  std::vector<std::string> literals;
  std::vector<std::string> alternatives;
  size_t start = 0;
  for (size_t i = 0; i <= body.size(); ++i) {
    if (i < body.size() && (body[i] != '|' || IsEscaped(body, i))) continue;
    absl::StatusOr<RegexBranch> branch = ParseBranch(regex, body.substr(start, i - start));
    if (!branch.ok()) return branch.status();
    if (branch->has_wildcard) {
      alternatives.push_back(absl::StrCat(column, " LIKE ", QuoteString(branch->like_pattern)));
    } else {
      literals.push_back(QuoteString(branch->literal));
    }
    start = i + 1;
  }
  if (literals.size() == 1) {
    alternatives.insert(alternatives.begin(), absl::StrCat(column, " = ", literals[0]));
  } else if (!literals.empty()) {
    alternatives.insert(alternatives.begin(),
                        absl::StrCat(column, " IN (", absl::StrJoin(literals, ", "), ")"));
  }
  return absl::StrCat("(", absl::StrJoin(alternatives, " OR "), ")");
}

absl::StatusOr<std::string> AdhocFiltersToSql(const rapidjson::Value& request,
                                              absl::string_view skip_key) {
  const char* name = request.HasMember("filters") ? "filters" : "adhocFilters";
  if (!request.HasMember(name) || request[name].IsNull()) return std::string();
  const rapidjson::Value& filters = request[name];
  if (!filters.IsArray())
    return absl::InvalidArgumentError(absl::StrCat(name, " must be an array"));
  std::vector<std::string> conditions;
  for (rapidjson::SizeType i = 0; i < filters.Size(); ++i) {
    const rapidjson::Value& filter = filters[i];
    if (!skip_key.empty() && filter.IsObject() && filter.HasMember("key") &&
        filter["key"].IsString() && skip_key == filter["key"].GetString()) {
      continue;
    }
    absl::StatusOr<std::string> condition = FilterToSql(filter, absl::StrCat(name, "[", i, "]"));
    if (!condition.ok()) return condition.status();
    conditions.push_back(*std::move(condition));
  }
  return JoinConditions(conditions);
}

std::string JoinConditions(absl::Span<const std::string> conditions) {
  std::vector<std::string> parts;
  for (const std::string& condition : conditions) {
    if (!condition.empty()) parts.push_back(absl::StrCat("(", condition, ")"));
  }
  return absl::StrJoin(parts, " AND ");
}

}  // namespace mua::server_internal
