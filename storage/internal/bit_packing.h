// Little-endian bit packing for the integer block codec: value i occupies bits
// [i*width, (i+1)*width) of the packed bytes, width 0..64. Unpacking adds a
// frame-of-reference base and is specialised per width (8 values per step).
//
//   PackBits(offsets, 13, &out);                       // appends PackedBytes(n, 13) bytes
//   UnpackBits(p, limit, n, 13, base, values.data());  // values[i] = base + offsets[i]
//
// Thread safety: all functions are pure.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/types/span.h"

namespace mua::storage_internal {

// Bytes holding `count` values of `width` bits.
inline size_t PackedBytes(size_t count, int width) {
  return (count * static_cast<size_t>(width) + 7) / 8;
}

// Appends PackedBytes(offsets.size(), width) bytes.
// REQUIRES: 0 <= width <= 64 and every offset < 2^width.
void PackBits(absl::Span<const uint64_t> offsets, int width, std::string* out);

// Writes out[i] = base + packed value i (wrapping) for i < count.
// REQUIRES: [in, in + PackedBytes(count, width)) is readable and lies within
// [in, limit); bytes up to `limit` may be read but never past it.
void UnpackBits(const char* in, const char* limit, size_t count, int width, uint64_t base,
                uint64_t* out);
void UnpackBits(const char* in, const char* limit, size_t count, int width, uint64_t base,
                uint32_t* out);

}  // namespace mua::storage_internal
