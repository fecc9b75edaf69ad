#include "ingest/pii.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "ingest/internal/siphash.h"

namespace mua {
namespace {

// Key for deriving the hashing key from a salt of any length ("mua-pii-salt-key").
constexpr uint64_t kDeriveK0 = 0x6c61732d6969702dULL;
constexpr uint64_t kDeriveK1 = 0x79656b2d746c6173ULL;

}  // namespace

absl::StatusOr<UserIdHasher> UserIdHasher::FromSaltFile(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  if (!file) {
    const int error = errno;
    const std::string what = absl::StrCat("--hash-user-ids: cannot open salt file '", path,
                                          "': ", std::strerror(error));
    if (error == ENOENT) return absl::NotFoundError(what);
    if (error == EACCES) return absl::PermissionDeniedError(what);
    return absl::InternalError(what);
  }
  std::ostringstream contents;
  contents << file.rdbuf();
  if (file.bad()) {
    return absl::InternalError(absl::StrCat("--hash-user-ids: cannot read salt file '", path, "'"));
  }
  const std::string salt = contents.str();
  if (absl::StripAsciiWhitespace(salt).empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("--hash-user-ids: salt file '", path, "' is empty"));
  }
  return FromSalt(absl::StripAsciiWhitespace(salt));
}

absl::StatusOr<UserIdHasher> UserIdHasher::FromSalt(absl::string_view salt) {
  if (salt.empty()) return absl::InvalidArgumentError("--hash-user-ids: the salt is empty");
  const ingest_internal::Hash128 key = ingest_internal::SipHash128Of(kDeriveK0, kDeriveK1, salt);
  return UserIdHasher(key.low, key.high);
}

std::string UserIdHasher::Hash(absl::string_view user_id) const {
  std::string out(kHashedLength, '\0');
  HashTo(user_id, out.data());
  return out;
}

void UserIdHasher::HashTo(absl::string_view user_id, char* out) const {
  ingest_internal::HexEncode(ingest_internal::SipHash128Of(k0_, k1_, user_id), out);
}

}  // namespace mua
