// Hash functions, byte-exact with ClickHouse: sipHash64/128, cityHash64,
// xxHash32/64, murmurHash2_32/64, murmurHash3_32/64 over any number of
// arguments (each hashed alone, then combined as ClickHouse combines them), and
// MD5/SHA1/SHA224/SHA256/SHA512 of a string. ClickHouse returns FixedString(N) for the
// digests and sipHash128; MUA has no FixedString, so they are Strings of the
// same N bytes (hex(MD5(s)) equals ClickHouse's).
#include <openssl/evp.h>
#include <xxhash.h>

#include <array>
#include <cstring>
#include <string>

#include "query/internal/function_registry.h"
#include "query/internal/hash_algorithms.h"
#include "query/internal/kernel_util.h"
#include "query/internal/value_width.h"
#include "storage/base/status_macros.h"

namespace mua::query_internal {
namespace {

// How ClickHouse stores a value of `type` in memory: its width in bytes, 0 for
// a string (hashed as its bytes), -1 when the hash functions refuse it here.
int ValueWidth(const DataType& type) {
  if (type.id == TypeId::kString) return 0;
  const int width = type.id == TypeId::kInterval ? 0 : FixedByteWidth(type.id);
  return width == 0 ? -1 : width;
}

// The little-endian bytes of row `row` (for a number, its low `width` bytes).
absl::string_view ValueBytes(const Vector& v, size_t row, int width, uint64_t* scratch) {
  if (width == 0) return v.string_at(row);
  if (v.type.id == TypeId::kFloat64) {
    const double value = v.float_at(row);
    std::memcpy(scratch, &value, 8);
  } else {
    // The value's own bytes, zero-extended (Int8 -1 is 0xFF, as ClickHouse's bit_cast).
    *scratch = static_cast<uint64_t>(v.int_at(row));
    if (width < 8) *scratch &= (uint64_t{1} << (8 * width)) - 1;
  }
  return absl::string_view(reinterpret_cast<const char*>(scratch), static_cast<size_t>(width));
}

// A 32/64-bit hash: how a byte string hashes, how two hashes combine, and
// whether numbers go through intHash64 instead of their bytes (cityHash64).
struct HashSpec {
  uint64_t (*apply)(const char*, size_t);
  uint64_t (*combine)(uint64_t, uint64_t);
  bool int_hash_for_numbers;
  TypeId result;
};

uint64_t Sip64(const char* d, size_t n) { return SipHash64(d, n); }
uint64_t City64(const char* d, size_t n) { return CityHash64V102(d, n); }
uint64_t Xx32(const char* d, size_t n) { return XXH32(d, n, 0); }
uint64_t Xx64(const char* d, size_t n) { return XXH64(d, n, 0); }
uint64_t Murmur2_32(const char* d, size_t n) { return MurmurHash2_32(d, n); }
uint64_t Murmur2_64(const char* d, size_t n) { return MurmurHash2_64(d, n); }
uint64_t Murmur3_32(const char* d, size_t n) { return MurmurHash3_32(d, n); }
uint64_t Murmur3_64(const char* d, size_t n) { return MurmurHash3_64(d, n); }

// ClickHouse's combineHashes per function.
uint64_t CombineSip(uint64_t h1, uint64_t h2) {
  const uint64_t both[2] = {h1, h2};
  return SipHash64(reinterpret_cast<const char*>(both), sizeof(both));
}
uint64_t CombineCity(uint64_t h1, uint64_t h2) { return CityHash128To64(h1, h2); }
uint64_t CombineInt32(uint64_t h1, uint64_t h2) {
  return ClickHouseIntHash32(h1) ^ static_cast<uint32_t>(h2);
}
uint64_t CombineInt64(uint64_t h1, uint64_t h2) { return ClickHouseIntHash64(h1) ^ h2; }

absl::Status CheckHashArgs(absl::string_view name, absl::Span<const ScalarArg> args) {
  if (args.empty()) return ArityError(name, 0, "at least 1");
  for (size_t i = 0; i < args.size(); ++i) {
    if (ValueWidth(args[i].type) < 0)
      return IllegalType(name, args[i].type, static_cast<int>(i + 1));
  }
  return absl::OkStatus();
}

absl::StatusOr<ScalarBinding> BindHash(const HashSpec& spec, absl::string_view name,
                                       absl::Span<const ScalarArg> args) {
  MUA_RETURN_IF_ERROR(CheckHashArgs(name, args));
  return ScalarBinding{DataType::Of(spec.result),
                       [spec](absl::Span<Vector> v, size_t rows, StringPool*, Vector* out) {
                         ResizeInts(out, rows);
                         std::vector<int> widths;
                         for (const Vector& arg : v) widths.push_back(ValueWidth(arg.type));
                         for (size_t row = 0; row < rows; ++row) {
                           uint64_t result = 0;
                           for (size_t i = 0; i < v.size(); ++i) {
                             uint64_t scratch = 0;
                             const absl::string_view bytes =
                                 ValueBytes(v[i], row, widths[i], &scratch);
                             const uint64_t hash = spec.int_hash_for_numbers && widths[i] > 0
                                                       ? ClickHouseIntHash64(scratch)
                                                       : spec.apply(bytes.data(), bytes.size());
                             result = i == 0 ? hash : spec.combine(result, hash);
                           }
                           out->ints[row] = static_cast<int64_t>(result);
                         }
                         return absl::OkStatus();
                       }};
}

// sipHash128: 16 bytes; several arguments combine as sipHash128 of both 16-byte hashes.
absl::StatusOr<ScalarBinding> BindSipHash128(absl::string_view name,
                                             absl::Span<const ScalarArg> args) {
  MUA_RETURN_IF_ERROR(CheckHashArgs(name, args));
  return ScalarBinding{
      DataType::Of(TypeId::kString),
      [](absl::Span<Vector> v, size_t rows, StringPool* pool, Vector* out) {
        ResizeStrings(out, rows);
        for (size_t row = 0; row < rows; ++row) {
          std::array<char, 16> result{};
          for (size_t i = 0; i < v.size(); ++i) {
            uint64_t scratch = 0;
            const absl::string_view bytes = ValueBytes(v[i], row, ValueWidth(v[i].type), &scratch);
            const std::array<char, 16> hash = SipHash128(bytes.data(), bytes.size());
            if (i == 0) {
              result = hash;
            } else {
              char both[32];
              std::memcpy(both, result.data(), 16);
              std::memcpy(both + 16, hash.data(), 16);
              result = SipHash128(both, sizeof(both));
            }
          }
          out->strings[row] = pool->Add(std::string(result.data(), result.size()));
        }
        return absl::OkStatus();
      }};
}

// MD5, SHA1, SHA224, SHA256, SHA512 of one string, as its raw digest bytes.
absl::StatusOr<ScalarBinding> BindDigest(const EVP_MD* (*algorithm)(), absl::string_view name,
                                         absl::Span<const ScalarArg> args) {
  if (args.size() != 1) return ArityError(name, args.size(), "1");
  if (!args[0].type.is_string()) return IllegalType(name, args[0].type, 1);
  const std::string function(name);
  return ScalarBinding{
      DataType::Of(TypeId::kString),
      [algorithm, function](absl::Span<Vector> v, size_t rows, StringPool* pool, Vector* out) {
        ResizeStrings(out, rows);
        const EVP_MD* md = algorithm();
        for (size_t row = 0; row < rows; ++row) {
          const absl::string_view text = v[0].string_at(row);
          unsigned char digest[EVP_MAX_MD_SIZE];
          unsigned int size = 0;
          if (EVP_Digest(text.data(), text.size(), digest, &size, md, nullptr) != 1) {
            return absl::InternalError(absl::StrCat("OpenSSL failed to compute ", function));
          }
          out->strings[row] = pool->Add(std::string(reinterpret_cast<const char*>(digest), size));
        }
        return absl::OkStatus();
      }};
}

void AddHash(FunctionRegistry* registry, const std::string& name, HashSpec spec) {
  registry->Add(name, [spec](absl::string_view n, absl::Span<const ScalarArg> a) {
    return BindHash(spec, n, a);
  });
}

void AddDigest(FunctionRegistry* registry, const std::string& name, const EVP_MD* (*algorithm)()) {
  registry->Add(name, [algorithm](absl::string_view n, absl::Span<const ScalarArg> a) {
    return BindDigest(algorithm, n, a);
  });
}

}  // namespace

void RegisterHash(FunctionRegistry* registry) {
  AddHash(registry, "sipHash64", {Sip64, CombineSip, false, TypeId::kUInt64});
  AddHash(registry, "cityHash64", {City64, CombineCity, true, TypeId::kUInt64});
  AddHash(registry, "xxHash32", {Xx32, CombineInt32, false, TypeId::kUInt32});
  AddHash(registry, "xxHash64", {Xx64, CombineCity, false, TypeId::kUInt64});
  AddHash(registry, "murmurHash2_32", {Murmur2_32, CombineInt32, false, TypeId::kUInt32});
  AddHash(registry, "murmurHash2_64", {Murmur2_64, CombineInt64, false, TypeId::kUInt64});
  AddHash(registry, "murmurHash3_32", {Murmur3_32, CombineInt32, false, TypeId::kUInt32});
  AddHash(registry, "murmurHash3_64", {Murmur3_64, CombineInt64, false, TypeId::kUInt64});
  registry->Add("sipHash128", BindSipHash128);
  AddDigest(registry, "MD5", EVP_md5);
  AddDigest(registry, "SHA1", EVP_sha1);
  AddDigest(registry, "SHA224", EVP_sha224);
  AddDigest(registry, "SHA256", EVP_sha256);
  AddDigest(registry, "SHA512", EVP_sha512);
}

}  // namespace mua::query_internal
