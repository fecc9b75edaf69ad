#include "storage/internal/int_block_codec.h"

#include <lz4.h>

#include <algorithm>
#include <bit>
#include <limits>
#include <vector>

#include "absl/strings/str_cat.h"
#include "storage/base/coding.h"
#include "storage/base/status_macros.h"
#include "storage/internal/bit_packing.h"

namespace mua::storage_internal {
namespace {

constexpr uint8_t Tag(IntEncoding encoding) { return static_cast<uint8_t>(encoding); }

// Below this a body is not worth an LZ4 attempt (the frame alone costs ~3 bytes).
constexpr size_t kMinLz4Bytes = 48;
// A payload we write never exceeds this many bytes per value plus a fixed
// overhead (worst: RLE whose run values are patched: 10 + 8 + 10 + 10), so it
// bounds the raw size an LZ4 frame may declare.
constexpr size_t kMaxPayloadBytesPerValue = 40;
constexpr size_t kMaxPayloadOverhead = 1024;
// A patched body is tried only when its estimate beats plain bitpack by this.
constexpr double kPatchedMinGain = 0.97;

uint64_t Offset(int64_t value, int64_t base) {
  return static_cast<uint64_t>(value) - static_cast<uint64_t>(base);
}

// Wrapping differences v[i] - v[i-1], i >= 1.
std::vector<int64_t> Deltas(absl::Span<const int64_t> values) {
  std::vector<int64_t> deltas(values.size() - 1);
  for (size_t i = 1; i < values.size(); ++i) {
    deltas[i - 1] = static_cast<int64_t>(Offset(values[i], values[i - 1]));
  }
  return deltas;
}

void AppendBitpack(absl::Span<const int64_t> values, std::string* out) {
  const auto [min_it, max_it] = std::minmax_element(values.begin(), values.end());
  const int64_t base = values.empty() ? 0 : *min_it;
  const int width = values.empty() ? 0 : std::bit_width(Offset(*max_it, base));
  std::vector<uint64_t> offsets(values.size());
  for (size_t i = 0; i < values.size(); ++i) offsets[i] = Offset(values[i], base);
  PutVarint64(out, ZigZagEncode(base));
  out->push_back(static_cast<char>(width));
  PackBits(offsets, width, out);
}

void AppendVarints(absl::Span<const int64_t> values, std::string* out) {
  for (const int64_t value : values) PutVarint64(out, ZigZagEncode(value));
}

// Patched frame of reference (PFOR): values in [base, base + 2^width) are
// packed; the rest ("exceptions", e.g. time jumps at user boundaries) hold 0 in
// the packed array and are listed as positions + full values.
struct PatchPlan {
  int64_t base = 0;
  int width = 0;
  double estimated_bytes = 0;
};

// Picks the window [base, base + 2^width) holding the most values of a sorted
// sample, for the width minimising packed bytes + estimated exception bytes.
PatchPlan PlanPatched(absl::Span<const int64_t> values) {
  // 256 samples keep planning ~10x cheaper than 1024 at the same chosen sizes
  // on the bench shapes; the caller compares real sizes anyway.
  constexpr size_t kSample = 256;
  const size_t step = std::max<size_t>(1, values.size() / kSample);
  std::vector<uint64_t> sample;  // order-preserving int64 -> uint64
  sample.reserve(values.size() / step + 1);
  for (size_t i = 0; i < values.size(); i += step) {
    sample.push_back(static_cast<uint64_t>(values[i]) ^ (uint64_t{1} << 63));
  }
  std::sort(sample.begin(), sample.end());
  const size_t m = sample.size();
  const int full_width = std::bit_width(sample.back() - sample.front());
  // An exception costs its value (about the full range) plus a position gap.
  const double exception_bytes = (full_width + 10) / 8.0;
  const double n = static_cast<double>(values.size());
  PatchPlan best{static_cast<int64_t>(sample.front() ^ (uint64_t{1} << 63)), full_width,
                 n * full_width / 8};
  for (int width = 0; width < full_width; ++width) {
    size_t end = 0, best_count = 0, best_start = 0;
    for (size_t start = 0; start < m; ++start) {
      end = std::max(end, start);
      while (end < m && (sample[end] - sample[start]) >> width == 0) ++end;
      if (end - start > best_count) {
        best_count = end - start;
        best_start = start;
      }
    }
    const double exceptions = static_cast<double>(m - best_count) * n / static_cast<double>(m);
    const double bytes = n * width / 8 + exceptions * exception_bytes;
    if (bytes < best.estimated_bytes) {
      best = {static_cast<int64_t>(sample[best_start] ^ (uint64_t{1} << 63)), width, bytes};
    }
  }
  return best;
}

void AppendPatched(absl::Span<const int64_t> values, const PatchPlan& plan, int depth,
                   std::string* out) {
  std::vector<uint64_t> offsets(values.size());
  std::vector<int64_t> positions, exceptions;
  for (size_t i = 0; i < values.size(); ++i) {
    const uint64_t offset = Offset(values[i], plan.base);
    if (plan.width < 64 && offset >> plan.width != 0) {
      positions.push_back(static_cast<int64_t>(i));
      exceptions.push_back(values[i]);
    } else {
      offsets[i] = offset;
    }
  }
  PutVarint64(out, ZigZagEncode(plan.base));
  out->push_back(static_cast<char>(plan.width));
  PackBits(offsets, plan.width, out);
  PutVarint64(out, positions.size());
  if (!positions.empty()) {
    EncodeIntBody(positions, depth + 1, out);
    EncodeIntBody(exceptions, depth + 1, out);
  }
}

void AppendRle(absl::Span<const int64_t> values, int depth, std::string* out) {
  std::vector<int64_t> run_values, run_lengths;
  for (size_t i = 0; i < values.size();) {
    size_t end = i + 1;
    while (end < values.size() && values[end] == values[i]) ++end;
    run_values.push_back(values[i]);
    run_lengths.push_back(static_cast<int64_t>(end - i));
    i = end;
  }
  PutVarint64(out, run_values.size());
  EncodeIntBody(run_values, depth + 1, out);
  EncodeIntBody(run_lengths, depth + 1, out);
}

// tag | kLz4Flag, raw size, compressed size, LZ4 block of body[1..].
std::string Lz4Body(const std::string& body) {
  const char* raw = body.data() + 1;
  const int raw_size = static_cast<int>(body.size() - 1);
  std::string compressed(LZ4_compressBound(raw_size), '\0');
  const int size =
      LZ4_compress_default(raw, compressed.data(), raw_size, static_cast<int>(compressed.size()));
  if (size <= 0) return body;  // Not smaller, so never chosen.
  std::string out(1, static_cast<char>(static_cast<uint8_t>(body[0]) | kLz4Flag));
  PutVarint64(&out, static_cast<uint64_t>(raw_size));
  PutVarint64(&out, static_cast<uint64_t>(size));
  out.append(compressed.data(), static_cast<size_t>(std::max(size, 0)));
  return out;
}

// Appends tag + payload for the non-constant candidates, keeping the smallest.
std::string SmallestBody(absl::Span<const int64_t> values, int depth) {
  std::string best(1, static_cast<char>(Tag(IntEncoding::kBitpack)));
  AppendBitpack(values, &best);
  const auto consider = [&best](std::string candidate) {
    if (candidate.size() < best.size()) best = std::move(candidate);
  };
  const auto try_patched = [&](absl::Span<const int64_t> data, uint8_t tag, const int64_t* first) {
    if (data.size() < 16 || depth > 1) return;
    const PatchPlan plan = PlanPatched(data);
    if (plan.estimated_bytes > kPatchedMinGain * static_cast<double>(best.size())) return;
    std::string candidate(1, static_cast<char>(tag));
    if (first != nullptr) PutVarint64(&candidate, ZigZagEncode(*first));
    AppendPatched(data, plan, depth, &candidate);
    consider(std::move(candidate));
  };
  try_patched(values, Tag(IntEncoding::kPatchedBitpack), nullptr);

  std::string delta_varint;
  if (values.size() >= 2) {
    const std::vector<int64_t> deltas = Deltas(values);
    std::string candidate(1, static_cast<char>(Tag(IntEncoding::kBitpack) | kDeltaFlag));
    PutVarint64(&candidate, ZigZagEncode(values[0]));
    AppendBitpack(deltas, &candidate);
    consider(std::move(candidate));
    try_patched(deltas, Tag(IntEncoding::kPatchedBitpack) | kDeltaFlag, &values[0]);
    delta_varint.push_back(static_cast<char>(Tag(IntEncoding::kVarint) | kDeltaFlag));
    PutVarint64(&delta_varint, ZigZagEncode(values[0]));
    AppendVarints(deltas, &delta_varint);
    if (delta_varint.size() < best.size()) best = delta_varint;
  }
  if (depth == 0) {
    size_t runs = 1;
    for (size_t i = 1; i < values.size(); ++i) runs += values[i] != values[i - 1];
    // Each run costs at least a few bits of value and length: RLE cannot win otherwise.
    if (runs * 4 <= values.size()) {
      std::string candidate(1, static_cast<char>(Tag(IntEncoding::kRle)));
      AppendRle(values, depth, &candidate);
      consider(std::move(candidate));
    }
    if (best.size() >= kMinLz4Bytes) consider(Lz4Body(best));
    // Delta varints are byte-aligned, so they are the stream LZ4 finds repeats in.
    if (delta_varint.size() >= kMinLz4Bytes && delta_varint.size() < 4 * best.size()) {
      consider(Lz4Body(delta_varint));
    }
  }
  return best;
}

// ---- decoding ----

absl::Status ReadZigZag(ByteReader* in, absl::string_view what, uint64_t* value) {
  uint64_t raw;
  MUA_RETURN_IF_ERROR(ReadVarint(in, what, &raw));
  *value = static_cast<uint64_t>(ZigZagDecode(raw));
  return absl::OkStatus();
}

template <typename T>
absl::Status DecodePayload(uint8_t tag, ByteReader* in, int depth, T* out, size_t count);

template <typename T>
absl::Status DecodeBody(ByteReader* in, int depth, T* out, size_t count) {
  if (depth > kMaxIntDepth) return BlockCorrupt("integer bodies nested too deep");
  if (in->remaining() == 0) return BlockCorrupt("integer body truncated before its tag");
  const uint8_t tag = static_cast<uint8_t>(*in->pos++);
  return DecodePayload(tag, in, depth, out, count);
}

template <typename T>
absl::Status DecodeBitpack(ByteReader* in, T* out, size_t count) {
  uint64_t base;
  MUA_RETURN_IF_ERROR(ReadZigZag(in, "bitpack base", &base));
  if (in->remaining() == 0) return BlockCorrupt("bitpack width truncated");
  const int width = static_cast<uint8_t>(*in->pos++);
  if (width > 64) return BlockCorrupt(absl::StrCat("bitpack width ", width, " > 64"));
  const size_t bytes = PackedBytes(count, width);
  if (bytes > in->remaining()) {
    return BlockCorrupt(absl::StrCat("bitpack of ", count, " values x ", width, " bits needs ",
                                     bytes, " bytes, ", in->remaining(), " left"));
  }
  UnpackBits(in->pos, in->limit, count, width, base, out);
  in->pos += bytes;
  return absl::OkStatus();
}

template <typename T>
absl::Status DecodePatched(ByteReader* in, int depth, T* out, size_t count) {
  MUA_RETURN_IF_ERROR(DecodeBitpack(in, out, count));
  uint64_t exceptions;
  MUA_RETURN_IF_ERROR(ReadVarint(in, "patch count", &exceptions));
  if (exceptions == 0) return absl::OkStatus();
  if (exceptions > count) {
    return BlockCorrupt(absl::StrCat("patch count ", exceptions, " > ", count, " values"));
  }
  std::vector<uint64_t> positions(exceptions);
  std::vector<T> values(exceptions);
  MUA_RETURN_IF_ERROR(DecodeBody(in, depth + 1, positions.data(), positions.size()));
  MUA_RETURN_IF_ERROR(DecodeBody(in, depth + 1, values.data(), values.size()));
  for (size_t i = 0; i < exceptions; ++i) {
    if (positions[i] >= count) {
      return BlockCorrupt(absl::StrCat("patch position ", positions[i], " >= ", count));
    }
    out[positions[i]] = values[i];
  }
  return absl::OkStatus();
}

template <typename T>
absl::Status DecodeRle(ByteReader* in, int depth, T* out, size_t count) {
  uint64_t runs;
  MUA_RETURN_IF_ERROR(ReadVarint(in, "rle run count", &runs));
  if (runs > count || (runs == 0 && count > 0)) {
    return BlockCorrupt(absl::StrCat("rle run count ", runs, " for ", count, " values"));
  }
  std::vector<T> values(runs);
  std::vector<uint64_t> lengths(runs);
  MUA_RETURN_IF_ERROR(DecodeBody(in, depth + 1, values.data(), values.size()));
  MUA_RETURN_IF_ERROR(DecodeBody(in, depth + 1, lengths.data(), lengths.size()));
  uint64_t total = 0;
  for (const uint64_t length : lengths) {
    // Each length <= count, so the sum cannot overflow before the check fires.
    if (length == 0 || length > count) {
      return BlockCorrupt(absl::StrCat("rle run length ", length, " for ", count, " values"));
    }
    total += length;
    if (total > count) {
      return BlockCorrupt(absl::StrCat("rle run lengths exceed ", count, " values"));
    }
  }
  if (total != count) {
    return BlockCorrupt(absl::StrCat("rle run lengths sum to ", total, ", expected ", count));
  }
  T* p = out;
  for (size_t i = 0; i < runs; ++i) {
    std::fill(p, p + lengths[i], values[i]);
    p += lengths[i];
  }
  return absl::OkStatus();
}

template <typename T>
absl::Status DecodeVarints(ByteReader* in, T* out, size_t count) {
  for (size_t i = 0; i < count; ++i) {
    uint64_t value;
    MUA_RETURN_IF_ERROR(ReadZigZag(in, "varint value", &value));
    out[i] = static_cast<T>(value);
  }
  return absl::OkStatus();
}

template <typename T>
absl::Status DecodeLz4(uint8_t tag, ByteReader* in, int depth, T* out, size_t count) {
  if (depth > 0) return BlockCorrupt("lz4 inside a nested integer body");
  uint64_t raw_size, compressed_size;
  MUA_RETURN_IF_ERROR(ReadVarint(in, "lz4 raw size", &raw_size));
  MUA_RETURN_IF_ERROR(ReadVarint(in, "lz4 compressed size", &compressed_size));
  if (compressed_size > in->remaining()) {
    return BlockCorrupt(
        absl::StrCat("lz4 payload of ", compressed_size, " bytes, ", in->remaining(), " left"));
  }
  // LZ4 expands at most ~255x, and we never write a larger payload than this.
  const uint64_t limit = std::min<uint64_t>(kMaxPayloadBytesPerValue * count + kMaxPayloadOverhead,
                                            255 * compressed_size + 16);
  if (raw_size > limit || raw_size > std::numeric_limits<int>::max()) {
    return BlockCorrupt(absl::StrCat("lz4 raw size ", raw_size, " exceeds bound ", limit));
  }
  std::string raw(raw_size, '\0');
  const int got = LZ4_decompress_safe(in->pos, raw.data(), static_cast<int>(compressed_size),
                                      static_cast<int>(raw_size));
  if (got != static_cast<int>(raw_size)) {
    return BlockCorrupt(absl::StrCat("lz4 payload does not decompress to ", raw_size, " bytes"));
  }
  in->pos += compressed_size;
  ByteReader inner{raw.data(), raw.data() + raw.size()};
  MUA_RETURN_IF_ERROR(
      DecodePayload(static_cast<uint8_t>(tag & ~kLz4Flag), &inner, depth, out, count));
  if (inner.remaining() != 0) {
    return BlockCorrupt(absl::StrCat(inner.remaining(), " stray bytes after lz4 payload"));
  }
  return absl::OkStatus();
}

template <typename T>
absl::Status DecodePayload(uint8_t tag, ByteReader* in, int depth, T* out, size_t count) {
  if (tag & kLz4Flag) return DecodeLz4(tag, in, depth, out, count);
  const auto base = static_cast<IntEncoding>(tag & kIntBaseMask);
  if (tag & kDeltaFlag) {
    if ((tag & ~(kDeltaFlag | kIntBaseMask)) != 0 ||
        (base != IntEncoding::kBitpack && base != IntEncoding::kPatchedBitpack &&
         base != IntEncoding::kVarint)) {
      return BlockCorrupt(absl::StrCat("unknown integer encoding tag ", tag));
    }
    if (count == 0) return BlockCorrupt("delta encoding of zero values");
    uint64_t first;
    MUA_RETURN_IF_ERROR(ReadZigZag(in, "delta first value", &first));
    out[0] = static_cast<T>(first);
    MUA_RETURN_IF_ERROR(DecodePayload(static_cast<uint8_t>(base), in, depth, out + 1, count - 1));
    T sum = out[0];
    for (size_t i = 1; i < count; ++i) {
      sum = static_cast<T>(sum + out[i]);
      out[i] = sum;
    }
    return absl::OkStatus();
  }
  switch (tag) {
    case Tag(IntEncoding::kConstant): {
      uint64_t value;
      MUA_RETURN_IF_ERROR(ReadZigZag(in, "constant value", &value));
      std::fill(out, out + count, static_cast<T>(value));
      return absl::OkStatus();
    }
    case Tag(IntEncoding::kBitpack):
      return DecodeBitpack(in, out, count);
    case Tag(IntEncoding::kPatchedBitpack):
      return DecodePatched(in, depth, out, count);
    case Tag(IntEncoding::kRle):
      return DecodeRle(in, depth, out, count);
    case Tag(IntEncoding::kVarint):
      return DecodeVarints(in, out, count);
    default:
      return BlockCorrupt(absl::StrCat("unknown integer encoding tag ", tag));
  }
}

}  // namespace

absl::Status BlockCorrupt(absl::string_view what) {
  return absl::DataLossError(absl::StrCat("column block: ", what));
}

absl::Status ReadVarint(ByteReader* in, absl::string_view what, uint64_t* value) {
  const char* next = GetVarint64(in->pos, in->limit, value);
  if (next == nullptr) return BlockCorrupt(absl::StrCat(what, " truncated"));
  in->pos = next;
  return absl::OkStatus();
}

void EncodeIntBody(absl::Span<const int64_t> values, int depth, std::string* out) {
  if (values.empty() || std::all_of(values.begin(), values.end(),
                                    [&](int64_t value) { return value == values[0]; })) {
    out->push_back(static_cast<char>(Tag(IntEncoding::kConstant)));
    PutVarint64(out, ZigZagEncode(values.empty() ? 0 : values[0]));
    return;
  }
  out->append(SmallestBody(values, depth));
}

absl::Status DecodeIntBody(ByteReader* in, int depth, absl::Span<uint64_t> out) {
  return DecodeBody(in, depth, out.data(), out.size());
}

absl::Status DecodeIntBody(ByteReader* in, int depth, absl::Span<uint32_t> out) {
  return DecodeBody(in, depth, out.data(), out.size());
}

absl::Status DecodeIntPayload(uint8_t tag, ByteReader* in, absl::Span<uint64_t> out) {
  return DecodePayload(tag, in, 0, out.data(), out.size());
}

absl::Status DecodeIntPayload(uint8_t tag, ByteReader* in, absl::Span<uint32_t> out) {
  return DecodePayload(tag, in, 0, out.data(), out.size());
}

absl::string_view IntEncodingName(uint8_t tag) {
  static constexpr absl::string_view kNames[] = {
      "invalid", "constant", "bitpack", "pfor", "rle", "varint",
  };
  static constexpr absl::string_view kDeltaNames[] = {
      "invalid", "invalid", "delta-bitpack", "delta-pfor", "invalid", "delta-varint",
  };
  static constexpr absl::string_view kLz4Names[] = {
      "invalid", "constant+lz4", "bitpack+lz4", "pfor+lz4", "rle+lz4", "varint+lz4",
  };
  static constexpr absl::string_view kDeltaLz4Names[] = {
      "invalid", "invalid", "delta-bitpack+lz4", "delta-pfor+lz4", "invalid", "delta-varint+lz4",
  };
  const uint8_t base = tag & kIntBaseMask;
  if ((tag & ~(kLz4Flag | kDeltaFlag | kIntBaseMask)) != 0 || base > 5) return "invalid";
  const bool delta = tag & kDeltaFlag;
  if (tag & kLz4Flag) return delta ? kDeltaLz4Names[base] : kLz4Names[base];
  return delta ? kDeltaNames[base] : kNames[base];
}

}  // namespace mua::storage_internal
