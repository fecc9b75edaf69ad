#include "query/internal/hash_algorithms.h"

#include <cstring>
#include <utility>

namespace mua::query_internal {
namespace {

// Unaligned little-endian loads (every target MUA builds for is little-endian).
uint64_t Load64(const char* p) {
  uint64_t value;
  std::memcpy(&value, p, sizeof(value));
  return value;
}
uint32_t Load32(const char* p) {
  uint32_t value;
  std::memcpy(&value, p, sizeof(value));
  return value;
}

uint64_t Rotl64(uint64_t x, int r) { return (x << r) | (x >> (64 - r)); }
uint32_t Rotl32(uint32_t x, int r) { return (x << r) | (x >> (32 - r)); }

// ---- SipHash-2-4 as ClickHouse's Common/SipHash.h runs it (key 0, 0).
class SipState {
 public:
  void Update(const char* data, size_t size) {
    for (size_t i = 0; i < size; ++i) {
      word_ |= static_cast<uint64_t>(static_cast<unsigned char>(data[i])) << (8 * (count_ % 8));
      ++count_;
      if (count_ % 8 == 0) {
        Compress(word_);
        word_ = 0;
      }
    }
  }
  // The last block carries the length mod 256 in its top byte.
  void Finalize() {
    const uint64_t last = word_ | (static_cast<uint64_t>(count_ & 0xff) << 56);
    Compress(last);
    v2_ ^= 0xff;
    for (int i = 0; i < 4; ++i) Round();
  }
  uint64_t v0() const { return v0_; }
  uint64_t v1() const { return v1_; }
  uint64_t v2() const { return v2_; }
  uint64_t v3() const { return v3_; }

 private:
  void Compress(uint64_t m) {
    v3_ ^= m;
    Round();
    Round();
    v0_ ^= m;
  }
  void Round() {
    v0_ += v1_;
    v1_ = Rotl64(v1_, 13);
    v1_ ^= v0_;
    v0_ = Rotl64(v0_, 32);
    v2_ += v3_;
    v3_ = Rotl64(v3_, 16);
    v3_ ^= v2_;
    v0_ += v3_;
    v3_ = Rotl64(v3_, 21);
    v3_ ^= v0_;
    v2_ += v1_;
    v1_ = Rotl64(v1_, 17);
    v1_ ^= v2_;
    v2_ = Rotl64(v2_, 32);
  }

  uint64_t v0_ = 0x736f6d6570736575ULL;
  uint64_t v1_ = 0x646f72616e646f6dULL;
  uint64_t v2_ = 0x6c7967656e657261ULL;
  uint64_t v3_ = 0x7465646279746573ULL;
  uint64_t word_ = 0;
  uint64_t count_ = 0;
};

// ---- CityHash v1.0.2.
constexpr uint64_t kCity0 = 0xc3a5c85c97cb3127ULL;
constexpr uint64_t kCity1 = 0xb492b66fbe98f273ULL;
constexpr uint64_t kCity2 = 0x9ae16a3b2f90404fULL;
constexpr uint64_t kCity3 = 0xc949d7c7509e6557ULL;

uint64_t Rotate(uint64_t v, int shift) {
  return shift == 0 ? v : ((v >> shift) | (v << (64 - shift)));
}
uint64_t RotateByAtLeast1(uint64_t v, int shift) { return (v >> shift) | (v << (64 - shift)); }
uint64_t ShiftMix(uint64_t v) { return v ^ (v >> 47); }
uint64_t HashLen16(uint64_t u, uint64_t v) { return CityHash128To64(u, v); }

uint64_t HashLen0to16(const char* s, size_t len) {
  if (len > 8) {
    const uint64_t a = Load64(s);
    const uint64_t b = Load64(s + len - 8);
    return HashLen16(a, RotateByAtLeast1(b + len, static_cast<int>(len))) ^ b;
  }
  if (len >= 4) {
    const uint64_t a = Load32(s);
    return HashLen16(len + (a << 3), Load32(s + len - 4));
  }
  if (len > 0) {
    const uint8_t a = static_cast<uint8_t>(s[0]);
    const uint8_t b = static_cast<uint8_t>(s[len >> 1]);
    const uint8_t c = static_cast<uint8_t>(s[len - 1]);
    const uint32_t y = static_cast<uint32_t>(a) + (static_cast<uint32_t>(b) << 8);
    const uint32_t z = static_cast<uint32_t>(len) + (static_cast<uint32_t>(c) << 2);
    return ShiftMix(y * kCity2 ^ z * kCity3) * kCity2;
  }
  return kCity2;
}

uint64_t HashLen17to32(const char* s, size_t len) {
  const uint64_t a = Load64(s) * kCity1;
  const uint64_t b = Load64(s + 8);
  const uint64_t c = Load64(s + len - 8) * kCity2;
  const uint64_t d = Load64(s + len - 16) * kCity0;
  return HashLen16(Rotate(a - b, 43) + Rotate(c, 30) + d, a + Rotate(b ^ kCity3, 20) - c + len);
}

std::pair<uint64_t, uint64_t> WeakHashLen32WithSeeds(const char* s, uint64_t a, uint64_t b) {
  const uint64_t w = Load64(s), x = Load64(s + 8), y = Load64(s + 16), z = Load64(s + 24);
  a += w;
  b = Rotate(b + a + z, 21);
  const uint64_t c = a;
  a += x;
  a += y;
  b += Rotate(a, 44);
  return {a + z, b + c};
}

uint64_t HashLen33to64(const char* s, size_t len) {
  uint64_t z = Load64(s + 24);
  uint64_t a = Load64(s) + (len + Load64(s + len - 16)) * kCity0;
  uint64_t b = Rotate(a + z, 52);
  uint64_t c = Rotate(a, 37);
  a += Load64(s + 8);
  c += Rotate(a, 7);
  a += Load64(s + 16);
  const uint64_t vf = a + z;
  const uint64_t vs = b + Rotate(a, 31) + c;
  a = Load64(s + 16) + Load64(s + len - 32);
  z = Load64(s + len - 8);
  b = Rotate(a + z, 52);
  c = Rotate(a, 37);
  a += Load64(s + len - 24);
  c += Rotate(a, 7);
  a += Load64(s + len - 16);
  const uint64_t wf = a + z;
  const uint64_t ws = b + Rotate(a, 31) + c;
  const uint64_t r = ShiftMix((vf + ws) * kCity2 + (wf + vs) * kCity0);
  return ShiftMix(r * kCity0 + vs) * kCity2;
}

uint64_t Fmix64(uint64_t k) {
  k ^= k >> 33;
  k *= 0xff51afd7ed558ccdULL;
  k ^= k >> 33;
  k *= 0xc4ceb9fe1a85ec53ULL;
  k ^= k >> 33;
  return k;
}

}  // namespace

uint64_t SipHash64(const char* data, size_t size) {
  SipState state;
  state.Update(data, size);
  state.Finalize();
  return state.v0() ^ state.v1() ^ state.v2() ^ state.v3();
}

std::array<char, 16> SipHash128(const char* data, size_t size) {
  SipState state;
  state.Update(data, size);
  state.Finalize();
  const uint64_t low = state.v0() ^ state.v1();
  const uint64_t high = state.v2() ^ state.v3();
  std::array<char, 16> out;
  std::memcpy(out.data(), &low, 8);
  std::memcpy(out.data() + 8, &high, 8);
  return out;
}

uint64_t CityHash128To64(uint64_t low, uint64_t high) {
  constexpr uint64_t kMul = 0x9ddfea08eb382d69ULL;
  uint64_t a = (low ^ high) * kMul;
  a ^= (a >> 47);
  uint64_t b = (high ^ a) * kMul;
  b ^= (b >> 47);
  b *= kMul;
  return b;
}

uint64_t CityHash64V102(const char* s, size_t len) {
  if (len <= 16) return HashLen0to16(s, len);
  if (len <= 32) return HashLen17to32(s, len);
  if (len <= 64) return HashLen33to64(s, len);
  // Over 64 bytes: hash the end first, then 64-byte chunks with 56 bytes of state.
  uint64_t x = Load64(s);
  uint64_t y = Load64(s + len - 16) ^ kCity1;
  uint64_t z = Load64(s + len - 56) ^ kCity0;
  std::pair<uint64_t, uint64_t> v = WeakHashLen32WithSeeds(s + len - 64, len, y);
  std::pair<uint64_t, uint64_t> w = WeakHashLen32WithSeeds(s + len - 32, len * kCity1, kCity0);
  z += ShiftMix(v.second) * kCity1;
  x = Rotate(z + x, 39) * kCity1;
  y = Rotate(y, 33) * kCity1;
  len = (len - 1) & ~static_cast<size_t>(63);
  do {
    x = Rotate(x + y + v.first + Load64(s + 16), 37) * kCity1;
    y = Rotate(y + v.second + Load64(s + 48), 42) * kCity1;
    x ^= w.second;
    y ^= v.first;
    z = Rotate(z ^ w.first, 33);
    v = WeakHashLen32WithSeeds(s, v.second * kCity1, x + w.first);
    w = WeakHashLen32WithSeeds(s + 32, z + w.second, y);
    std::swap(z, x);
    s += 64;
    len -= 64;
  } while (len != 0);
  return HashLen16(HashLen16(v.first, w.first) + ShiftMix(y) * kCity1 + z,
                   HashLen16(v.second, w.second) + x);
}

uint32_t MurmurHash2_32(const char* data, size_t size) {
  constexpr uint32_t m = 0x5bd1e995;
  const auto* bytes = reinterpret_cast<const unsigned char*>(data);
  uint32_t h = static_cast<uint32_t>(size);  // seed 0 ^ len
  size_t len = size;
  while (len >= 4) {
    uint32_t k = Load32(reinterpret_cast<const char*>(bytes));
    k *= m;
    k ^= k >> 24;
    k *= m;
    h *= m;
    h ^= k;
    bytes += 4;
    len -= 4;
  }
  switch (len) {
    case 3:
      h ^= static_cast<uint32_t>(bytes[2]) << 16;
      [[fallthrough]];
    case 2:
      h ^= static_cast<uint32_t>(bytes[1]) << 8;
      [[fallthrough]];
    case 1:
      h ^= bytes[0];
      h *= m;
  }
  h ^= h >> 13;
  h *= m;
  h ^= h >> 15;
  return h;
}

uint64_t MurmurHash2_64(const char* data, size_t size) {
  constexpr uint64_t m = 0xc6a4a7935bd1e995ULL;
  constexpr int r = 47;
  uint64_t h = size * m;  // seed 0
  const size_t blocks = size / 8;
  for (size_t i = 0; i < blocks; ++i) {
    uint64_t k = Load64(data + 8 * i);
    k *= m;
    k ^= k >> r;
    k *= m;
    h ^= k;
    h *= m;
  }
  const auto* tail = reinterpret_cast<const unsigned char*>(data + 8 * blocks);
  switch (size & 7) {
    case 7:
      h ^= static_cast<uint64_t>(tail[6]) << 48;
      [[fallthrough]];
    case 6:
      h ^= static_cast<uint64_t>(tail[5]) << 40;
      [[fallthrough]];
    case 5:
      h ^= static_cast<uint64_t>(tail[4]) << 32;
      [[fallthrough]];
    case 4:
      h ^= static_cast<uint64_t>(tail[3]) << 24;
      [[fallthrough]];
    case 3:
      h ^= static_cast<uint64_t>(tail[2]) << 16;
      [[fallthrough]];
    case 2:
      h ^= static_cast<uint64_t>(tail[1]) << 8;
      [[fallthrough]];
    case 1:
      h ^= static_cast<uint64_t>(tail[0]);
      h *= m;
  }
  h ^= h >> r;
  h *= m;
  h ^= h >> r;
  return h;
}

uint32_t MurmurHash3_32(const char* data, size_t size) {
  constexpr uint32_t c1 = 0xcc9e2d51;
  constexpr uint32_t c2 = 0x1b873593;
  uint32_t h1 = 0;
  const size_t blocks = size / 4;
  for (size_t i = 0; i < blocks; ++i) {
    uint32_t k1 = Load32(data + 4 * i);
    k1 *= c1;
    k1 = Rotl32(k1, 15);
    k1 *= c2;
    h1 ^= k1;
    h1 = Rotl32(h1, 13);
    h1 = h1 * 5 + 0xe6546b64;
  }
  const auto* tail = reinterpret_cast<const unsigned char*>(data + 4 * blocks);
  uint32_t k1 = 0;
  switch (size & 3) {
    case 3:
      k1 ^= static_cast<uint32_t>(tail[2]) << 16;
      [[fallthrough]];
    case 2:
      k1 ^= static_cast<uint32_t>(tail[1]) << 8;
      [[fallthrough]];
    case 1:
      k1 ^= tail[0];
      k1 *= c1;
      k1 = Rotl32(k1, 15);
      k1 *= c2;
      h1 ^= k1;
  }
  h1 ^= static_cast<uint32_t>(size);
  h1 ^= h1 >> 16;
  h1 *= 0x85ebca6b;
  h1 ^= h1 >> 13;
  h1 *= 0xc2b2ae35;
  h1 ^= h1 >> 16;
  return h1;
}

uint64_t MurmurHash3_64(const char* data, size_t size) {
  constexpr uint64_t c1 = 0x87c37b91114253d5ULL;
  constexpr uint64_t c2 = 0x4cf5ad432745937fULL;
  uint64_t h1 = 0;
  uint64_t h2 = 0;
  const size_t blocks = size / 16;
  for (size_t i = 0; i < blocks; ++i) {
    uint64_t k1 = Load64(data + 16 * i);
    uint64_t k2 = Load64(data + 16 * i + 8);
    k1 *= c1;
    k1 = Rotl64(k1, 31);
    k1 *= c2;
    h1 ^= k1;
    h1 = Rotl64(h1, 27);
    h1 += h2;
    h1 = h1 * 5 + 0x52dce729;
    k2 *= c2;
    k2 = Rotl64(k2, 33);
    k2 *= c1;
    h2 ^= k2;
    h2 = Rotl64(h2, 31);
    h2 += h1;
    h2 = h2 * 5 + 0x38495ab5;
  }
  const auto* tail = reinterpret_cast<const unsigned char*>(data + 16 * blocks);
  uint64_t k1 = 0;
  uint64_t k2 = 0;
  const size_t rest = size & 15;
  for (size_t i = rest; i > 8; --i) k2 ^= static_cast<uint64_t>(tail[i - 1]) << (8 * (i - 9));
  if (rest > 8) {
    k2 *= c2;
    k2 = Rotl64(k2, 33);
    k2 *= c1;
    h2 ^= k2;
  }
  for (size_t i = rest < 8 ? rest : 8; i > 0; --i)
    k1 ^= static_cast<uint64_t>(tail[i - 1]) << (8 * (i - 1));
  if (rest > 0) {
    k1 *= c1;
    k1 = Rotl64(k1, 31);
    k1 *= c2;
    h1 ^= k1;
  }
  h1 ^= size;
  h2 ^= size;
  h1 += h2;
  h2 += h1;
  h1 = Fmix64(h1);
  h2 = Fmix64(h2);
  h1 += h2;
  h2 += h1;
  return h1 ^ h2;
}

uint64_t ClickHouseIntHash64(uint64_t x) { return Fmix64(x ^ 0x4CF2D2BAAE6DA887ULL); }

uint32_t ClickHouseIntHash32(uint64_t key) {
  key ^= 0x75D9543DE018BF45ULL;
  key = (~key) + (key << 18);
  key = key ^ ((key >> 31) | (key << 33));
  key = key * 21;
  key = key ^ ((key >> 11) | (key << 53));
  key = key + (key << 6);
  key = key ^ ((key >> 22) | (key << 42));
  return static_cast<uint32_t>(key);
}

}  // namespace mua::query_internal
