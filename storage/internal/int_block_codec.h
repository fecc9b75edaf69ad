// The integer block body shared by the public column codecs: a tag byte, then
// a payload whose row count the caller knows (the public blocks store it; a
// nested body inherits it from its parent: run count, exception count...).
// Tag = base encoding | kDeltaFlag | kLz4Flag; see docs in column_codec.cc.
//
//   EncodeIntBody(values, /*depth=*/0, &out);
//   ByteReader in{out.data(), out.data() + out.size()};
//   MUA_RETURN_IF_ERROR(DecodeIntBody(&in, 0, absl::MakeSpan(back)));
//
// Thread safety: all functions are pure.
#pragma once

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"

namespace mua::storage_internal {

enum class IntEncoding : uint8_t {
  kConstant = 1,        // zigzag varint value
  kBitpack = 2,         // zigzag varint base, u8 width, packed offsets
  kPatchedBitpack = 3,  // bitpack + varint count + positions body + values body
  kRle = 4,             // varint runs + run values body + run lengths body
  kVarint = 5,          // zigzag varints
};
inline constexpr uint8_t kIntBaseMask = 0x0f;
// Payload starts with the first value (zigzag varint); the base encoding holds
// the n-1 wrapping differences.
inline constexpr uint8_t kDeltaFlag = 0x40;
// Payload is varint raw size, varint compressed size, LZ4 block of the payload.
inline constexpr uint8_t kLz4Flag = 0x80;

// String block tags (column_codec.cc); kLz4Flag marks an LZ4-compressed blob.
inline constexpr uint8_t kStringNumeric = 0x10;
inline constexpr uint8_t kStringDict = 0x11;
inline constexpr uint8_t kStringPlain = 0x12;
// Every string is a canonical lowercase UUID, stored as 16 bytes (no lengths).
inline constexpr uint8_t kStringUuidFlag = 0x20;
// Fixed-width hex ids (plain or dashed UUIDs, either case) stored as their bytes,
// other strings kept as exceptions (docs/formats/column_block.md). Never with kStringUuidFlag.
inline constexpr uint8_t kStringHexFlag = 0x40;

// Nested bodies deeper than this are corrupt (bounds decoder recursion).
inline constexpr int kMaxIntDepth = 2;

// A bounded read cursor over encoded bytes.
struct ByteReader {
  const char* pos;
  const char* limit;
  size_t remaining() const { return static_cast<size_t>(limit - pos); }
};

// DataLoss "column block: <what>".
absl::Status BlockCorrupt(absl::string_view what);
absl::Status ReadVarint(ByteReader* in, absl::string_view what, uint64_t* value);

// Appends tag + payload for `values`. Depth 0 may use RLE and LZ4.
void EncodeIntBody(absl::Span<const int64_t> values, int depth, std::string* out);

// Reads one body holding exactly out.size() values.
absl::Status DecodeIntBody(ByteReader* in, int depth, absl::Span<uint64_t> out);
absl::Status DecodeIntBody(ByteReader* in, int depth, absl::Span<uint32_t> out);
// The same, after the caller has read the tag.
absl::Status DecodeIntPayload(uint8_t tag, ByteReader* in, absl::Span<uint64_t> out);
absl::Status DecodeIntPayload(uint8_t tag, ByteReader* in, absl::Span<uint32_t> out);

// Name of an integer tag ("delta-bitpack+lz4"), or "invalid".
absl::string_view IntEncodingName(uint8_t tag);

}  // namespace mua::storage_internal
