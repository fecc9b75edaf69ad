// Fuzzes the column block decoders (storage/internal/column_codec.h), which read checkpoint
// files and cold-column blocks from disk: arbitrary bytes must decode to an error or to
// values, never crash or read out of bounds. A second mode checks the string encoder's
// round trip (hex ids in every case and form, exceptions, dictionaries): the strings cut
// from the input must decode back byte for byte.
//
// Input: byte 0 picks the mode (low 2 bits: int64, uint32, string decode, string round
// trip), bytes 1-2 the row count (little-endian, at most 16384), the rest the payload.
// Seeds: corpus/column_codec/ (hex id lines in both cases and forms for the round trip, and
// hand-written hex, uuid, dict and plain string blocks for the decoder).
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "storage/internal/column_codec.h"

namespace {

using mua::storage_internal::DecodeInt64Block;
using mua::storage_internal::DecodeStringBlock;
using mua::storage_internal::DecodeUInt32Block;
using mua::storage_internal::EncodeStringBlock;
using mua::storage_internal::EncodingName;

constexpr size_t kMaxRows = 16384;

void Check(bool condition) {
  if (!condition) std::abort();
}

// Strings cut from `payload` at each '\n' (at most kMaxRows).
std::vector<std::string> Split(absl::string_view payload) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= payload.size() && out.size() < kMaxRows) {
    size_t end = payload.find('\n', start);
    if (end == absl::string_view::npos) end = payload.size();
    out.emplace_back(payload.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

}  // namespace

int MuaColumnCodecFuzz(const uint8_t* data, size_t size) {
  if (size < 3) return 0;
  const int mode = data[0] & 3;
  const size_t rows = std::min<size_t>(kMaxRows, data[1] | (size_t{data[2]} << 8));
  const absl::string_view payload(reinterpret_cast<const char*>(data + 3), size - 3);
  (void)EncodingName(payload);
  switch (mode) {
    case 0: {
      std::vector<int64_t> out(rows);
      (void)DecodeInt64Block(payload, absl::MakeSpan(out));
      break;
    }
    case 1: {
      std::vector<uint32_t> out(rows);
      (void)DecodeUInt32Block(payload, absl::MakeSpan(out));
      break;
    }
    case 2: {
      std::string storage;
      std::vector<absl::string_view> out(rows);
      if (DecodeStringBlock(payload, &storage, absl::MakeSpan(out)).ok()) {
        size_t sum = 0;  // every view must be readable (ASan)
        for (const absl::string_view value : out) {
          for (const char c : value) sum += static_cast<unsigned char>(c);
        }
        Check(sum != SIZE_MAX);
      }
      break;
    }
    default: {
      const std::vector<std::string> values = Split(payload);
      const std::vector<absl::string_view> views(values.begin(), values.end());
      std::string encoded;
      EncodeStringBlock(views, &encoded);
      std::string storage;
      std::vector<absl::string_view> back(values.size());
      Check(DecodeStringBlock(encoded, &storage, absl::MakeSpan(back)).ok());
      for (size_t i = 0; i < values.size(); ++i) Check(back[i] == values[i]);
      break;
    }
  }
  return 0;
}

#ifndef MUA_FUZZ_NO_MAIN
extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return MuaColumnCodecFuzz(data, size);
}
#endif
