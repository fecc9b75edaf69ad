// Block codecs for sealed column segments (SPEC §4). Each Encode* tries the
// encodings that fit the data and keeps the smallest; the first byte of the
// output names the encoding, so decoders need only the bytes and the row count.
//
//   std::string bytes;
//   EncodeInt64Block(times, &bytes);
//   std::vector<int64_t> back(times.size());
//   MUA_RETURN_IF_ERROR(DecodeInt64Block(bytes, absl::MakeSpan(back)));
//
// Thread safety: all functions are pure.
#pragma once

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"

namespace mua::storage_internal {

// Appends an encoding of `values` to `*out`.
// Candidates: constant, frame-of-reference bit-packing, run-length, and zigzag
// delta varints; the byte stream is LZ4-compressed when that is smaller.
void EncodeInt64Block(absl::Span<const int64_t> values, std::string* out);
void EncodeUInt32Block(absl::Span<const uint32_t> values, std::string* out);

// Decodes exactly out.size() values from `encoded`.
// Errors: DataLoss when `encoded` is truncated, corrupt, or holds another row count.
absl::Status DecodeInt64Block(absl::string_view encoded, absl::Span<int64_t> out);
absl::Status DecodeUInt32Block(absl::string_view encoded, absl::Span<uint32_t> out);

// Appends an encoding of `values` to `*out`.
// Candidates: canonical decimal integers (stored with the integer codec), a
// block-local dictionary, and lengths + LZ4-compressed bytes.
void EncodeStringBlock(absl::Span<const absl::string_view> values, std::string* out);

// Decodes exactly out.size() strings. The views point into `*storage` (cleared
// and refilled) or into `encoded`; both must outlive them.
// Errors: DataLoss as for the integer decoders.
absl::Status DecodeStringBlock(absl::string_view encoded, std::string* storage,
                               absl::Span<absl::string_view> out);

// The encoding's name ("bitpack", "rle", "dict+lz4", ...), for EXPLAIN and tests.
absl::string_view EncodingName(absl::string_view encoded);

}  // namespace mua::storage_internal
