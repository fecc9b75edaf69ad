#include "server/internal/rest_request.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "server/internal/json_api.h"
#include "storage/base/hex_digit.h"
#include "storage/base/time_util.h"

namespace mua::server_internal {
namespace {

constexpr int kMinYear = 1900;
constexpr int kMaxYear = 2399;

rapidjson::Value::StringRefType Ref(absl::string_view text) {
  return rapidjson::StringRef(text.data(), text.size());
}

// Adds the query-string value `value` of `name` to `out`.
absl::Status AddQueryValue(absl::string_view name, absl::string_view value, bool is_list,
                           rapidjson::Document* out) {
  rapidjson::Document::AllocatorType& allocator = out->GetAllocator();
  rapidjson::Value text(value.data(), static_cast<rapidjson::SizeType>(value.size()), allocator);
  auto member = out->FindMember(rapidjson::Value(Ref(name)));
  if (member == out->MemberEnd()) {
    out->AddMember(
        rapidjson::Value(name.data(), static_cast<rapidjson::SizeType>(name.size()), allocator),
        text, allocator);
    return absl::OkStatus();
  }
  if (!is_list) {
    return absl::InvalidArgumentError(
        absl::StrCat("parameter '", name, "' is given more than once"));
  }
  if (!member->value.IsArray()) {
    rapidjson::Value list(rapidjson::kArrayType);
    list.PushBack(member->value, allocator);  // moves the first value
    member->value = list;
  }
  member->value.PushBack(text, allocator);
  return absl::OkStatus();
}

// Adds the members of the JSON object `json` (the `params` query parameter) to `out`.
absl::Status AddJsonParams(absl::string_view json, rapidjson::Document* out) {
  rapidjson::Document params;
  // Bounded depth: the members are deep-copied below, recursively.
  if (absl::Status parsed = ParseUntrustedJson(json, &params); !parsed.ok()) {
    return absl::InvalidArgumentError(absl::StrCat("parameter '", kJsonParamsName,
                                                   "' is not valid JSON (", parsed.message(), ")"));
  }
  if (!params.IsObject()) {
    return absl::InvalidArgumentError(absl::StrCat("parameter '", kJsonParamsName,
                                                   "' must be a JSON object, e.g. ",
                                                   kJsonParamsName, "={\"period\":\"week\"}"));
  }
  rapidjson::Document::AllocatorType& allocator = out->GetAllocator();
  for (const auto& member : params.GetObject()) {
    const absl::string_view name(member.name.GetString(), member.name.GetStringLength());
    if (out->HasMember(rapidjson::Value(Ref(name)))) {
      return absl::InvalidArgumentError(absl::StrCat("parameter '", name,
                                                     "' is given twice (in the query string or in ",
                                                     kJsonParamsName, ")"));
    }
    out->AddMember(rapidjson::Value(member.name, allocator),
                   rapidjson::Value(member.value, allocator), allocator);
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status GatherParams(const HttpRequest& request, absl::Span<const absl::string_view> lists,
                          rapidjson::Document* out) {
  out->SetObject();
  const std::string* json = nullptr;
  for (const auto& [name, value] : request.params) {
    if (name.empty()) continue;  // "?a=1&" leaves an empty pair
    if (name == kJsonParamsName) {
      if (json != nullptr) {
        return absl::InvalidArgumentError(
            absl::StrCat("parameter '", kJsonParamsName, "' is given more than once"));
      }
      json = &value;
      continue;
    }
    const bool is_list = std::find(lists.begin(), lists.end(), name) != lists.end();
    if (absl::Status status = AddQueryValue(name, value, is_list, out); !status.ok()) {
      return status;
    }
  }
  if (json != nullptr) return AddJsonParams(*json, out);
  return absl::OkStatus();
}

absl::StatusOr<int32_t> ParseRestDate(absl::string_view text, absl::string_view what) {
  auto invalid = [&](absl::string_view why) {
    return absl::InvalidArgumentError(
        absl::StrCat(what, " must be a date YYYY-MM-DD", why, ", not '", text, "'"));
  };
  bool shaped = text.size() == 10;
  for (size_t i = 0; shaped && i < text.size(); ++i) {
    shaped = (i == 4 || i == 7) ? text[i] == '-' : absl::ascii_isdigit(text[i]);
  }
  if (!shaped) return invalid("");
  absl::StatusOr<int32_t> day = ParseDay(text);
  // The round trip rejects dates a parser might normalize, such as 2026-02-30.
  if (!day.ok() || FormatDay(*day) != text) return invalid("");
  const int year =
      (text[0] - '0') * 1000 + (text[1] - '0') * 100 + (text[2] - '0') * 10 + (text[3] - '0');
  if (year < kMinYear || year > kMaxYear) {
    return invalid(absl::StrCat(" in the years ", kMinYear, "..", kMaxYear));
  }
  return *day;
}

absl::StatusOr<std::optional<int32_t>> DateParam(const JsonParams& params, absl::string_view name) {
  absl::StatusOr<std::string> text = params.String(name, "");
  if (!text.ok()) return text.status();
  if (text->empty()) return std::optional<int32_t>();
  absl::StatusOr<int32_t> day = ParseRestDate(*text, name);
  if (!day.ok()) return day.status();
  return std::optional<int32_t>(*day);
}

absl::StatusOr<std::string> DecodePathSegment(absl::string_view segment) {
  std::string decoded;
  decoded.reserve(segment.size());
  for (size_t i = 0; i < segment.size(); ++i) {
    if (segment[i] != '%') {
      decoded.push_back(segment[i]);
      continue;
    }
    const int high = i + 2 < segment.size() ? HexDigitValue(segment[i + 1]) : -1;
    const int low = i + 2 < segment.size() ? HexDigitValue(segment[i + 2]) : -1;
    if (high < 0 || low < 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("bad percent-escape at byte ", i, " of path segment '", segment, "'"));
    }
    decoded.push_back(static_cast<char>(high * 16 + low));
    i += 2;
  }
  return decoded;
}

}  // namespace mua::server_internal
