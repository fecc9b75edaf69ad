// UserIdHasher: `--hash-user-ids SALT_FILE` (SPEC §2 PII). User ids are stored as
// keyed hashes: SipHash-2-4-128 under a 128-bit key derived from the salt, written as
// 32 lowercase hex chars. SipHash is a keyed PRF (a MAC for short inputs): without the
// salt nobody can compute or invert the mapping, short of guessing the salt. The same
// salt gives the same ids across restarts; lookups by user id hash the key the same way.
//
//   MUA_ASSIGN_OR_RETURN(UserIdHasher hasher, UserIdHasher::FromSaltFile("/etc/mua/salt"));
//   std::string stored = hasher.Hash("user_42");  // "3f0c...", 32 hex chars
//
// KeepRejectedPayload: what `events_rejected` may keep of a payload that failed validation:
// under hashing the clear user id never reaches it (the same hash as `events` replaces it, so
// an operator can correlate), and the id it records lets a GDPR DELETE find the user's rejects.
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

struct KeptPayload {
  std::string raw;      // what events_rejected.payload shows
  std::string user_id;  // as `events` stores it (hashed under hashing); "" when none was read
};

// Reads the user id(s) of a rejected `payload` (SPEC §2: flat `user_id`, nested
// `user.user_id`, and a scalar `user` an SDK may send; strings and numbers; the last
// non-empty `user_id` is the one recorded, as the decoder's rule) and says what may be kept.
// Without a hasher: the first max_raw_bytes of the payload as received, *message untouched.
// With one: the payload re-serialized with every occurrence of a read id (as a value, a key,
// inside a string, or a number equal to it) replaced by its hash, cut to max_raw_bytes; a
// payload that is not one JSON document (or nests deeper than 256 levels) becomes
// "unparsable: N bytes, hash H" (H: the keyed hash of its bytes), as does one naming more
// than 8 distinct ids (whose *message is then withheld); and *message (may be null) has the
// read ids replaced too (also as the decoder quotes them: escaped, cut at 80 bytes).
// The payload is parsed iteratively: no recursion on its depth.
KeptPayload KeepRejectedPayload(absl::string_view payload, const UserIdHasher* hasher,
                                size_t max_raw_bytes, std::string* message);

}  // namespace mua
