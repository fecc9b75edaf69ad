// SipHash-2-4 with 128-bit output (Aumasson and Bernstein, "SipHash: a fast short-input
// PRF", 2012; the 128-bit variant of the reference implementation). A keyed PRF: used
// for PII hashing of user ids and, with a fixed key, as the dedup fingerprint.
//
//   SipHash128 hash(k0, k1);
//   hash.Update("user_42");
//   Hash128 h = hash.Finish();
//
// Thread safety: an instance is not; distinct instances are independent.
#pragma once

#include <cstddef>
#include <cstdint>

#include "absl/strings/string_view.h"

namespace mua::ingest_internal {

struct Hash128 {
  uint64_t low = 0;   // the first 8 output bytes, little-endian
  uint64_t high = 0;  // the last 8 output bytes, little-endian
};

class SipHash128 {
 public:
  // The key's bytes are k0 then k1, each little-endian (the reference's 16-byte key).
  SipHash128(uint64_t k0, uint64_t k1);

  void Update(absl::string_view bytes);
  void UpdateU64(uint64_t value);  // 8 bytes, little-endian

  // REQUIRES: called once.
  Hash128 Finish();

 private:
  void Compress(uint64_t block);

  uint64_t v0_, v1_, v2_, v3_;
  uint64_t tail_ = 0;       // pending bytes, little-endian
  size_t tail_bytes_ = 0;   // 0..7
  uint64_t total_bytes_ = 0;
};

// One-shot convenience.
Hash128 SipHash128Of(uint64_t k0, uint64_t k1, absl::string_view bytes);

// The 16 output bytes as 32 lowercase hex chars. REQUIRES: out holds 32 chars.
void HexEncode(Hash128 hash, char* out);

}  // namespace mua::ingest_internal
