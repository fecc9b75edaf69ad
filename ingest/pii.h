// UserIdHasher: `--hash-user-ids SALT_FILE` (SPEC §2 PII). User ids are stored as
// keyed hashes: SipHash-2-4-128 under a 128-bit key derived from the salt, written as
// 32 lowercase hex chars. SipHash is a keyed PRF (a MAC for short inputs): without the
// salt nobody can compute or invert the mapping, short of guessing the salt. The same
// salt gives the same ids across restarts; lookups by user id hash the key the same way.
//
//   MUA_ASSIGN_OR_RETURN(UserIdHasher hasher, UserIdHasher::FromSaltFile("/etc/mua/salt"));
//   std::string stored = hasher.Hash("user_42");  // "3f0c...", 32 hex chars
//
// Thread safety: immutable after construction; every method may be called concurrently.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace mua {

class UserIdHasher {
 public:
  static constexpr size_t kHashedLength = 32;

  // The salt is the file's bytes without leading and trailing ASCII whitespace (so
  // `echo secret > salt` works). Use 16+ random bytes, e.g. `openssl rand -hex 32`.
  // Errors: NotFound (no such file), PermissionDenied/Internal (unreadable),
  // InvalidArgument (empty salt).
  static absl::StatusOr<UserIdHasher> FromSaltFile(const std::string& path);

  // Errors: InvalidArgument when `salt` is empty.
  static absl::StatusOr<UserIdHasher> FromSalt(absl::string_view salt);

  // The 32-char hex text stored in place of `user_id`.
  std::string Hash(absl::string_view user_id) const;

  // Writes the same 32 chars to out. REQUIRES: out holds kHashedLength chars.
  void HashTo(absl::string_view user_id, char* out) const;

 private:
  UserIdHasher(uint64_t k0, uint64_t k1) : k0_(k0), k1_(k1) {}

  uint64_t k0_;
  uint64_t k1_;
};

}  // namespace mua
