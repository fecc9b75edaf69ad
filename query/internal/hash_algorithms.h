// The non-cryptographic hashes ClickHouse exposes, bit-exact with its contrib
// libraries: SipHash-2-4 (zero key; ClickHouse's 128-bit variant), CityHash64
// v1.0.2 (not later CityHash versions, whose output differs), MurmurHash2
// (32-bit and 64A), MurmurHash3 (x86_32 and x64_128), and ClickHouse's
// intHash32/intHash64 mixers used to combine several arguments' hashes.
// Pure functions of their bytes; thread-safe.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

namespace mua::query_internal {

uint64_t SipHash64(const char* data, size_t size);
// ClickHouse's sipHash128 (not the reference SipHash-128): v0^v1 then v2^v3, little-endian.
std::array<char, 16> SipHash128(const char* data, size_t size);
uint64_t CityHash64V102(const char* data, size_t size);
// CityHash v1.0.2's Hash128to64(uint128(low, high)).
uint64_t CityHash128To64(uint64_t low, uint64_t high);
uint32_t MurmurHash2_32(const char* data, size_t size);
uint64_t MurmurHash2_64(const char* data, size_t size);
uint32_t MurmurHash3_32(const char* data, size_t size);
// MurmurHash3_x64_128's two halves xor-ed (ClickHouse's murmurHash3_64).
uint64_t MurmurHash3_64(const char* data, size_t size);
// ClickHouse's IntHash64Impl::apply and IntHash32Impl::apply (salted mixers).
uint64_t ClickHouseIntHash64(uint64_t x);
uint32_t ClickHouseIntHash32(uint64_t x);

}  // namespace mua::query_internal
