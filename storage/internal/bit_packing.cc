#include "storage/internal/bit_packing.h"

#include <algorithm>
#include <array>
#include <cstring>
#include <vector>

#include "storage/base/coding.h"

namespace mua::storage_internal {
namespace {

// One step decodes 8 values = `W` bytes and reads at most W + 9 bytes.
constexpr size_t kGroupReadBytes(int width) { return static_cast<size_t>(width) + 9; }

template <int W, typename T>
inline void UnpackGroup(const char* in, uint64_t base, T* out) {
  constexpr uint64_t kMask = W == 64 ? ~uint64_t{0} : (uint64_t{1} << W) - 1;
#pragma GCC unroll 8
  for (int j = 0; j < 8; ++j) {
    const int bit = j * W;
    const int shift = bit & 7;
    uint64_t word = LoadFixed64(in + (bit >> 3)) >> shift;
    if constexpr (W > 56) {
      // The value straddles a ninth byte; shift > 0 here, so 64 - shift < 64.
      if (shift + W > 64) {
        word |= static_cast<uint64_t>(static_cast<uint8_t>(in[(bit >> 3) + 8])) << (64 - shift);
      }
    }
    out[j] = static_cast<T>(base + (word & kMask));
  }
}

template <int W, typename T>
void UnpackFixed(const char* in, const char* limit, size_t count, uint64_t base, T* out) {
  if constexpr (W == 0) {
    std::fill(out, out + count, static_cast<T>(base));
    return;
  } else {
    size_t i = 0;
    const char* p = in;
    // Fast path: whole groups whose reads stay inside [in, limit).
    while (i + 8 <= count && static_cast<size_t>(limit - p) >= kGroupReadBytes(W)) {
      UnpackGroup<W>(p, base, out + i);
      p += W;
      i += 8;
    }
    if (i == count) return;
    // Tail: copy the remaining packed bytes into a zero-padded buffer. They are
    // fewer than W + 9 + W bytes (the loop stopped on either condition).
    std::array<char, 3 * 64 + 32> buf{};
    const size_t remaining_bytes = PackedBytes(count, W) - static_cast<size_t>(p - in);
    std::memcpy(buf.data(), p, remaining_bytes);
    const char* q = buf.data();
    while (i < count) {
      T group[8];
      UnpackGroup<W>(q, base, group);
      const size_t take = std::min<size_t>(8, count - i);
      std::copy(group, group + take, out + i);
      q += W;
      i += take;
    }
  }
}

template <typename T>
using UnpackFn = void (*)(const char*, const char*, size_t, uint64_t, T*);

template <typename T, int... Ws>
constexpr std::array<UnpackFn<T>, sizeof...(Ws)> MakeTable(std::integer_sequence<int, Ws...>) {
  return {&UnpackFixed<Ws, T>...};
}

template <typename T>
constexpr auto kUnpackTable = MakeTable<T>(std::make_integer_sequence<int, 65>{});

}  // namespace

void PackBits(absl::Span<const uint64_t> offsets, int width, std::string* out) {
  const size_t bytes = PackedBytes(offsets.size(), width);
  if (bytes == 0) return;
  std::vector<uint64_t> words((bytes + 7) / 8 + 1, 0);
  size_t bit = 0;
  for (const uint64_t value : offsets) {
    const size_t word = bit >> 6;
    const int shift = static_cast<int>(bit & 63);
    words[word] |= value << shift;
    if (shift + width > 64) words[word + 1] |= value >> (64 - shift);
    bit += static_cast<size_t>(width);
  }
  const size_t start = out->size();
  out->resize(start + bytes);
  // Little-endian host (x86-64, aarch64): the words' bytes are the stream.
  std::memcpy(out->data() + start, words.data(), bytes);
}

void UnpackBits(const char* in, const char* limit, size_t count, int width, uint64_t base,
                uint64_t* out) {
  kUnpackTable<uint64_t>[width](in, limit, count, base, out);
}

void UnpackBits(const char* in, const char* limit, size_t count, int width, uint64_t base,
                uint32_t* out) {
  kUnpackTable<uint32_t>[width](in, limit, count, base, out);
}

}  // namespace mua::storage_internal
