// Fingerprint128: a 128-bit XXH3 hash standing for a string where storing or
// comparing the string itself would cost more than it buys (distinct counts,
// group keys, erasure lists). Two different strings share one with probability
// about 2^-128 per pair: for any data MUA holds, never.
//
//   absl::flat_hash_set<Fingerprint128> seen;
//   seen.insert(Fingerprint(session_id));
#pragma once

#include <cstdint>
#include <utility>

#include <xxhash.h>

#include "absl/strings/string_view.h"

namespace mua {

using Fingerprint128 = std::pair<uint64_t, uint64_t>;

inline Fingerprint128 Fingerprint(absl::string_view value) {
  const XXH128_hash_t hash = XXH3_128bits(value.data(), value.size());
  return {hash.low64, hash.high64};
}

}  // namespace mua
