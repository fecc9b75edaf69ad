// Byte-level encoding helpers shared by the column codecs and on-disk formats:
// LEB128 varints, zigzag, and little-endian fixed-width loads and stores.
// All functions are pure; decoders report truncation by returning nullptr/false.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>

namespace mua {

inline uint64_t ZigZagEncode(int64_t value) {
  return (static_cast<uint64_t>(value) << 1) ^ static_cast<uint64_t>(value >> 63);
}
inline int64_t ZigZagDecode(uint64_t value) {
  return static_cast<int64_t>((value >> 1) ^ (~(value & 1) + 1));
}

inline void PutVarint64(std::string* out, uint64_t value) {
  while (value >= 0x80) {
    out->push_back(static_cast<char>(value | 0x80));
    value >>= 7;
  }
  out->push_back(static_cast<char>(value));
}

// Decodes one varint from [p, limit); returns the byte after it, or nullptr if truncated.
inline const char* GetVarint64(const char* p, const char* limit, uint64_t* value) {
  uint64_t result = 0;
  for (int shift = 0; shift <= 63 && p < limit; shift += 7) {
    const uint64_t byte = static_cast<uint8_t>(*p++);
    result |= (byte & 0x7f) << shift;
    if ((byte & 0x80) == 0) {
      *value = result;
      return p;
    }
  }
  return nullptr;
}

inline void PutFixed32(std::string* out, uint32_t value) {
  char buf[4];
  std::memcpy(buf, &value, 4);
  out->append(buf, 4);
}
inline void PutFixed64(std::string* out, uint64_t value) {
  char buf[8];
  std::memcpy(buf, &value, 8);
  out->append(buf, 8);
}
inline uint32_t LoadFixed32(const char* p) {
  uint32_t value;
  std::memcpy(&value, p, 4);
  return value;
}
inline uint64_t LoadFixed64(const char* p) {
  uint64_t value;
  std::memcpy(&value, p, 8);
  return value;
}

}  // namespace mua
