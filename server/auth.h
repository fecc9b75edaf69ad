// TokenStore: bearer tokens with roles (SPEC §6) from a file of `TOKEN ROLE PRINCIPAL`
// lines (`#` comments). A request's token comes from `Authorization: Bearer T`, or —
// for ClickHouse clients — as the password of Basic auth, `X-ClickHouse-Key`, or the
// `password` URL parameter. Without a file the server is in development mode: every
// request is the admin "dev" (allowed only on loopback; main refuses otherwise).
//
//   MUA_ASSIGN_OR_RETURN(TokenStore tokens, TokenStore::Load("/etc/mua/tokens"));
//   absl::StatusOr<Principal> who = tokens.Authenticate(request);  // Unauthenticated: 401
//   if (!Allows(who->role, Role::kAnalyst)) ...                      // 403
#pragma once

#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "server/http_types.h"

namespace mua {

enum class Role { kViewer, kAnalyst, kAdmin };  // each can do what the ones before it can

absl::string_view RoleName(Role role);  // "viewer", "analyst", "admin"

struct Principal {
  std::string name;
  Role role = Role::kAdmin;
};

inline bool Allows(Role have, Role need) { return static_cast<int>(have) >= static_cast<int>(need); }

class TokenStore {
 public:
  TokenStore() = default;  // development mode

  // Errors: NotFound when unreadable; InvalidArgument naming the line of a bad entry.
  static absl::StatusOr<TokenStore> Load(const std::string& path);
  static absl::StatusOr<TokenStore> Parse(absl::string_view text);

  bool development_mode() const { return tokens_.empty(); }

  // Errors: Unauthenticated when a token is required and missing, or is unknown.
  absl::StatusOr<Principal> Authenticate(const HttpRequest& request) const;

 private:
  absl::flat_hash_map<std::string, Principal> tokens_;
};

}  // namespace mua
