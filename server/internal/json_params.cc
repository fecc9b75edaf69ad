#include "server/internal/json_params.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"

namespace mua::server_internal {

std::optional<std::string> JsonScalarText(const rapidjson::Value& value) {
  if (value.IsString()) return std::string(value.GetString(), value.GetStringLength());
  if (value.IsInt64()) return absl::StrCat(value.GetInt64());
  if (value.IsUint64()) return absl::StrCat(value.GetUint64());
  if (value.IsDouble()) return absl::StrCat(value.GetDouble());
  return std::nullopt;
}

const rapidjson::Value* JsonParams::Find(absl::string_view name) const {
  if (object_ == nullptr || !object_->IsObject()) return nullptr;
  const rapidjson::Value key(rapidjson::StringRef(name.data(), name.size()));
  auto member = object_->FindMember(key);
  if (member == object_->MemberEnd() || member->value.IsNull()) return nullptr;
  if (member->value.IsString() && member->value.GetStringLength() == 0) return nullptr;
  return &member->value;
}

bool JsonParams::Has(absl::string_view name) const { return Find(name) != nullptr; }

absl::StatusOr<std::string> JsonParams::String(absl::string_view name,
                                               absl::string_view fallback) const {
  const rapidjson::Value* value = Find(name);
  if (value == nullptr) return std::string(fallback);
  std::optional<std::string> text = JsonScalarText(*value);
  if (!text) return absl::InvalidArgumentError(absl::StrCat(prefix_, name, " must be a string"));
  return *std::move(text);
}

absl::StatusOr<std::vector<std::string>> JsonParams::List(absl::string_view name) const {
  std::vector<std::string> items;
  const rapidjson::Value* value = Find(name);
  if (value == nullptr) return items;
  auto add = [&items](absl::string_view item) {
    item = absl::StripAsciiWhitespace(item);
    if (!item.empty()) items.emplace_back(item);
  };
  if (value->IsArray()) {
    for (const rapidjson::Value& element : value->GetArray()) {
      std::optional<std::string> text = JsonScalarText(element);
      if (!text) {
        return absl::InvalidArgumentError(absl::StrCat(prefix_, name, " must hold strings"));
      }
      add(*text);
    }
    return items;
  }
  std::optional<std::string> text = JsonScalarText(*value);
  if (!text) {
    return absl::InvalidArgumentError(
        absl::StrCat(prefix_, name, " must be an array of strings or a comma-separated string"));
  }
  for (absl::string_view item : absl::StrSplit(*text, ',')) add(item);
  return items;
}

absl::StatusOr<std::string> JsonParams::Choice(absl::string_view name,
                                               absl::Span<const absl::string_view> allowed,
                                               absl::string_view fallback) const {
  absl::StatusOr<std::string> value = String(name, fallback);
  if (!value.ok()) return value.status();
  for (absl::string_view option : allowed) {
    if (*value == option) return value;
  }
  return absl::InvalidArgumentError(absl::StrCat(
      prefix_, name, " must be one of ", absl::StrJoin(allowed, ", "), ", not '", *value, "'"));
}

absl::Status JsonParams::CheckKnown(absl::Span<const absl::string_view> known) const {
  if (object_ == nullptr || !object_->IsObject()) return absl::OkStatus();
  for (const auto& member : object_->GetObject()) {
    const absl::string_view name(member.name.GetString(), member.name.GetStringLength());
    if (std::find(known.begin(), known.end(), name) != known.end()) continue;
    return absl::InvalidArgumentError(
        absl::StrCat("unknown parameter '", prefix_, name, "'",
                     known.empty() ? "; there are none"
                                   : absl::StrCat("; known: ", absl::StrJoin(known, ", "))));
  }
  return absl::OkStatus();
}

}  // namespace mua::server_internal
