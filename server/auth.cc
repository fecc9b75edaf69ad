#include "server/auth.h"

#include <fstream>
#include <sstream>
#include <utility>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace mua {

absl::string_view RoleName(Role role) {
  switch (role) {
    case Role::kViewer: return "viewer";
    case Role::kAnalyst: return "analyst";
    case Role::kAdmin: return "admin";
  }
  return "viewer";
}

absl::StatusOr<TokenStore> TokenStore::Load(const std::string& path) {
  std::ifstream in(path);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read the tokens file ", path));
  std::stringstream text;
  text << in.rdbuf();
  return Parse(text.str());
}

absl::StatusOr<TokenStore> TokenStore::Parse(absl::string_view text) {
  TokenStore store;
  int number = 0;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    ++number;
    line = absl::StripAsciiWhitespace(line.substr(0, line.find('#')));
    if (line.empty()) continue;
    const std::vector<absl::string_view> fields = absl::StrSplit(line, absl::ByAnyChar(" \t"), absl::SkipEmpty());
    if (fields.size() != 3) {
      return absl::InvalidArgumentError(absl::StrCat("tokens line ", number, ": expected TOKEN ROLE PRINCIPAL"));
    }
    Role role;
    if (fields[1] == "viewer") {
      role = Role::kViewer;
    } else if (fields[1] == "analyst") {
      role = Role::kAnalyst;
    } else if (fields[1] == "admin") {
      role = Role::kAdmin;
    } else {
      return absl::InvalidArgumentError(
          absl::StrCat("tokens line ", number, ": role must be viewer, analyst or admin, not '", fields[1], "'"));
    }
    if (!store.tokens_.emplace(std::string(fields[0]), Principal{std::string(fields[2]), role}).second) {
      return absl::InvalidArgumentError(absl::StrCat("tokens line ", number, ": the token is listed twice"));
    }
  }
  return store;
}

absl::StatusOr<Principal> TokenStore::Authenticate(const HttpRequest& request) const {
  std::string token;
  const absl::string_view authorization = request.Header("Authorization");
  if (absl::StartsWithIgnoreCase(authorization, "Bearer ")) {
    token = std::string(absl::StripAsciiWhitespace(authorization.substr(7)));
  } else if (absl::StartsWithIgnoreCase(authorization, "Basic ")) {
    std::string decoded;
    if (absl::Base64Unescape(absl::StripAsciiWhitespace(authorization.substr(6)), &decoded)) {
      const size_t colon = decoded.find(':');
      token = colon == std::string::npos ? "" : decoded.substr(colon + 1);
    }
  } else if (!request.Header("X-ClickHouse-Key").empty()) {
    token = std::string(request.Header("X-ClickHouse-Key"));
  } else if (request.HasParam("password")) {
    token = std::string(request.Param("password"));
  }
  if (development_mode()) return Principal{"dev", Role::kAdmin};
  if (token.empty()) {
    return absl::UnauthenticatedError("Authentication required: send Authorization: Bearer TOKEN");
  }
  auto it = tokens_.find(token);
  if (it == tokens_.end()) return absl::UnauthenticatedError("Authentication failed: unknown token");
  return it->second;
}

}  // namespace mua
