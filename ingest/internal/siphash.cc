#include "ingest/internal/siphash.h"

#include <bit>
#include <cstring>

namespace mua::ingest_internal {
namespace {

static_assert(std::endian::native == std::endian::little, "SipHash loads assume little-endian");

inline uint64_t Load64(const char* p) {
  uint64_t value;
  std::memcpy(&value, p, sizeof(value));
  return value;
}

inline uint64_t Rotl(uint64_t x, int bits) { return (x << bits) | (x >> (64 - bits)); }

inline void SipRound(uint64_t& v0, uint64_t& v1, uint64_t& v2, uint64_t& v3) {
  v0 += v1;
  v1 = Rotl(v1, 13);
  v1 ^= v0;
  v0 = Rotl(v0, 32);
  v2 += v3;
  v3 = Rotl(v3, 16);
  v3 ^= v2;
  v0 += v3;
  v3 = Rotl(v3, 21);
  v3 ^= v0;
  v2 += v1;
  v1 = Rotl(v1, 17);
  v1 ^= v2;
  v2 = Rotl(v2, 32);
}

}  // namespace

SipHash128::SipHash128(uint64_t k0, uint64_t k1)
    : v0_(0x736f6d6570736575ULL ^ k0),
      v1_(0x646f72616e646f6dULL ^ k1 ^ 0xee),  // 0xee: the 128-bit output variant
      v2_(0x6c7967656e657261ULL ^ k0),
      v3_(0x7465646279746573ULL ^ k1) {}

void SipHash128::Compress(uint64_t block) {
  v3_ ^= block;
  SipRound(v0_, v1_, v2_, v3_);
  SipRound(v0_, v1_, v2_, v3_);
  v0_ ^= block;
}

void SipHash128::Update(absl::string_view bytes) {
  total_bytes_ += bytes.size();
  const char* p = bytes.data();
  size_t left = bytes.size();
  while (tail_bytes_ != 0 && left != 0) {
    tail_ |= uint64_t{static_cast<unsigned char>(*p++)} << (8 * tail_bytes_);
    --left;
    if (++tail_bytes_ == 8) {
      Compress(tail_);
      tail_ = 0;
      tail_bytes_ = 0;
    }
  }
  for (; left >= 8; left -= 8, p += 8) Compress(Load64(p));
  for (size_t i = 0; i < left; ++i) {
    tail_ |= uint64_t{static_cast<unsigned char>(p[i])} << (8 * i);
  }
  tail_bytes_ = left == 0 ? tail_bytes_ : left;
}

void SipHash128::UpdateU64(uint64_t value) {
  char bytes[8];
  std::memcpy(bytes, &value, sizeof(bytes));
  Update(absl::string_view(bytes, sizeof(bytes)));
}

Hash128 SipHash128::Finish() {
  Compress(tail_ | (total_bytes_ << 56));
  v2_ ^= 0xee;
  for (int i = 0; i < 4; ++i) SipRound(v0_, v1_, v2_, v3_);
  Hash128 hash;
  hash.low = v0_ ^ v1_ ^ v2_ ^ v3_;
  v1_ ^= 0xdd;
  for (int i = 0; i < 4; ++i) SipRound(v0_, v1_, v2_, v3_);
  hash.high = v0_ ^ v1_ ^ v2_ ^ v3_;
  return hash;
}

Hash128 SipHash128Of(uint64_t k0, uint64_t k1, absl::string_view bytes) {
  SipHash128 hash(k0, k1);
  hash.Update(bytes);
  return hash.Finish();
}

void HexEncode(Hash128 hash, char* out) {
  static constexpr char kHex[] = "0123456789abcdef";
  for (int i = 0; i < 16; ++i) {
    const uint64_t word = i < 8 ? hash.low : hash.high;
    const unsigned byte = static_cast<unsigned>(word >> (8 * (i % 8))) & 0xff;
    out[2 * i] = kHex[byte >> 4];
    out[2 * i + 1] = kHex[byte & 0xf];
  }
}

}  // namespace mua::ingest_internal
