// Block layout: tag byte, varint row count, payload. Integer tags are a base
// encoding (int_block_codec.h) | delta | lz4; string tags are numeric, dict and
// plain (| lz4 when the byte blob is LZ4-compressed). Nested integer bodies
// (run values, lengths, codes...) omit the row count: their parent knows it.
// docs/formats/column_block.md describes the bytes.
#include "storage/internal/column_codec.h"

#include <lz4.h>
#include <lz4hc.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <cstring>
#include <limits>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "storage/base/coding.h"
#include "storage/base/status_macros.h"
#include "storage/internal/int_block_codec.h"

namespace mua::storage_internal {
namespace {

// No string blob we decode may exceed this (bounds allocations on corrupt sizes).
constexpr uint64_t kMaxBlobBytes = uint64_t{1} << 31;
// String blobs are chosen with fast LZ4, then the winner's blob is recompressed
// with LZ4HC at this level. On a 16384-row JSON-property block (bench
// BM_CompressJson_*): LZ4 4.65 B/row at ~1 GB/s, HC4 2.93 at ~110 MB/s, HC6
// 2.66 at ~55 MB/s, HC9 2.45 at ~14 MB/s. Level 6 costs ~5 ms per 16k-row
// JSON block (~0.3 core-s per s at 1 M events/s); decode speed is unchanged.
constexpr int kLz4HcLevel = 6;
// int64 in decimal: at most 20 characters ("-9223372036854775808").
constexpr size_t kMaxDecimalChars = 20;
// "8-4-4-4-12" lowercase hex UUID text and its packed size.
constexpr size_t kUuidChars = 36;
constexpr size_t kUuidBytes = 16;

bool IsUuidDash(size_t i) { return i == 8 || i == 13 || i == 18 || i == 23; }

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;  // Uppercase is not canonical: it would not round-trip.
}

bool IsCanonicalUuid(absl::string_view text) {
  if (text.size() != kUuidChars) return false;
  for (size_t i = 0; i < kUuidChars; ++i) {
    if (IsUuidDash(i) ? text[i] != '-' : HexValue(text[i]) < 0) return false;
  }
  return true;
}

// Appends 16 bytes. REQUIRES: IsCanonicalUuid(text).
void PackUuid(absl::string_view text, std::string* out) {
  int high = -1;
  for (size_t i = 0; i < kUuidChars; ++i) {
    if (IsUuidDash(i)) continue;
    const int nibble = HexValue(text[i]);
    if (high < 0) {
      high = nibble;
    } else {
      out->push_back(static_cast<char>(high << 4 | nibble));
      high = -1;
    }
  }
}

// Writes the 36-character text of each 16-byte UUID in `packed` to `*text`.
void ExpandUuids(absl::string_view packed, std::string* text) {
  static constexpr char kHex[] = "0123456789abcdef";
  static constexpr int kGroupBytes[] = {4, 2, 2, 2, 6};
  const size_t count = packed.size() / kUuidBytes;
  text->resize(count * kUuidChars);
  char* out = text->data();
  const auto* in = reinterpret_cast<const uint8_t*>(packed.data());
  for (size_t u = 0; u < count; ++u) {
    for (int group = 0; group < 5; ++group) {
      if (group > 0) *out++ = '-';
      for (int i = 0; i < kGroupBytes[group]; ++i, ++in) {
        *out++ = kHex[*in >> 4];
        *out++ = kHex[*in & 0xf];
      }
    }
  }
}

// ---- fixed-width hex ids (kStringHexFlag) ----

// Shape bits of a hex-packed strings(k) (docs/formats/column_block.md).
constexpr uint8_t kHexUpper = 0x01;       // every packed id with letters is uppercase
constexpr uint8_t kHexDashed = 0x02;      // every packed id is an 8-4-4-4-12 UUID
constexpr uint8_t kHexCaseBitmap = 0x04;  // a bit per packed id: 1 = uppercase
constexpr uint8_t kHexDashBitmap = 0x08;  // a bit per packed id: 1 = dashed UUID
constexpr uint8_t kHexShapeMask = 0x0f;
// Longest id packed: 64 bytes (128 hex digits); longer strings are exceptions.
constexpr size_t kMaxHexWidth = 64;

enum class Packing { kText, kUuid, kHex };

// One string's hex form: its byte width, dashes, and letter case.
struct HexForm {
  uint8_t width = 0;  // 0: not a packable hex id
  bool dashed = false;
  bool lower = false;  // has a lowercase letter
  bool upper = false;  // has an uppercase letter
};

int AnyCaseHexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// An even-length run of hex digits, or a dashed UUID, in one letter case (a mixed-case
// id would not round-trip from a per-id case bit).
constexpr uint8_t kLowerHex = 1, kUpperHex = 2, kNotHex = 4;
constexpr std::array<uint8_t, 256> kHexClass = [] {
  std::array<uint8_t, 256> table{};
  for (int c = 0; c < 256; ++c) {
    table[c] = c >= '0' && c <= '9' ? 0 : c >= 'a' && c <= 'f' ? kLowerHex : c >= 'A' && c <= 'F' ? kUpperHex : kNotHex;
  }
  return table;
}();

HexForm ClassifyHex(absl::string_view text) {
  HexForm form;
  const bool dashed = text.size() == kUuidChars && text[8] == '-' && text[13] == '-' &&
                      text[18] == '-' && text[23] == '-';
  const size_t digits = dashed ? 32 : text.size();
  if (digits == 0 || digits % 2 != 0 || digits / 2 > kMaxHexWidth) return form;
  // One table lookup a character, OR-ed (a block of 32-hex ids is scanned at every seal).
  uint8_t seen = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    if (dashed && IsUuidDash(i)) continue;
    seen |= kHexClass[static_cast<uint8_t>(text[i])];
    if ((i & 15) == 15 && (seen & kNotHex)) return form;  // text, not an id: stop early
  }
  if (seen & kNotHex) return form;
  form.lower = (seen & kLowerHex) != 0;
  form.upper = (seen & kUpperHex) != 0;
  if (form.lower && form.upper) return form;
  form.width = static_cast<uint8_t>(digits / 2);
  form.dashed = dashed;
  return form;
}

// How a set of strings packs: the common width, the shape, and which rows are exceptions.
struct HexPlan {
  uint8_t width = 0;
  uint8_t shape = 0;
  std::vector<HexForm> forms;  // per string; width != plan width marks an exception
  size_t exceptions = 0;
};

// False when fewer than half the strings share one packable width (text wins then).
bool PlanHex(absl::Span<const absl::string_view> strings, HexPlan* plan) {
  if (strings.empty()) return false;
  std::array<size_t, kMaxHexWidth + 1> by_width = {};
  plan->forms.resize(strings.size());
  for (size_t i = 0; i < strings.size(); ++i) {
    plan->forms[i] = ClassifyHex(strings[i]);
    ++by_width[plan->forms[i].width];
  }
  by_width[0] = 0;
  const auto widest = std::max_element(by_width.begin(), by_width.end());
  if (*widest * 2 < strings.size()) return false;
  plan->width = static_cast<uint8_t>(widest - by_width.begin());
  plan->exceptions = strings.size() - *widest;
  bool lower = false, upper = false, dashed = false, plain = false;
  for (const HexForm& form : plan->forms) {
    if (form.width != plan->width) continue;
    lower |= form.lower;
    upper |= form.upper;
    (form.dashed ? dashed : plain) = true;
  }
  plan->shape = 0;
  if (lower && upper) plan->shape |= kHexCaseBitmap;
  if (upper && !lower) plan->shape |= kHexUpper;
  if (dashed && plain) plan->shape |= kHexDashBitmap;
  if (dashed && !plain) plan->shape |= kHexDashed;
  return true;
}

void PackHex(absl::string_view text, bool dashed, std::string* out) {
  int high = -1;
  for (size_t i = 0; i < text.size(); ++i) {
    if (dashed && IsUuidDash(i)) continue;
    const int nibble = AnyCaseHexValue(text[i]);
    if (high < 0) {
      high = nibble;
    } else {
      out->push_back(static_cast<char>(high << 4 | nibble));
      high = -1;
    }
  }
}

void AppendBitmap(const std::vector<bool>& bits, std::string* out) {
  std::string bytes((bits.size() + 7) / 8, '\0');
  for (size_t i = 0; i < bits.size(); ++i) {
    if (bits[i]) bytes[i / 8] = static_cast<char>(bytes[i / 8] | (1 << (i % 8)));
  }
  out->append(bytes);
}

// Builds tag, varint rows, payload from a body (tag + payload).
void AppendWithRows(const std::string& body, size_t rows, std::string* out) {
  out->push_back(body[0]);
  PutVarint64(out, rows);
  out->append(body, 1, std::string::npos);
}

absl::Status ReadHeader(absl::string_view encoded, size_t expected_rows, ByteReader* in,
                        uint8_t* tag) {
  *in = ByteReader{encoded.data(), encoded.data() + encoded.size()};
  if (in->remaining() == 0) return BlockCorrupt("empty block");
  *tag = static_cast<uint8_t>(*in->pos++);
  uint64_t rows;
  MUA_RETURN_IF_ERROR(ReadVarint(in, "row count", &rows));
  if (rows != expected_rows) {
    return BlockCorrupt(absl::StrCat("holds ", rows, " rows, expected ", expected_rows));
  }
  return absl::OkStatus();
}

absl::Status CheckFullyRead(const ByteReader& in) {
  if (in.remaining() != 0) {
    return BlockCorrupt(absl::StrCat(in.remaining(), " stray bytes after the payload"));
  }
  return absl::OkStatus();
}

template <typename T>
absl::Status DecodeIntBlock(absl::string_view encoded, absl::Span<T> out) {
  ByteReader in;
  uint8_t tag;
  MUA_RETURN_IF_ERROR(ReadHeader(encoded, out.size(), &in, &tag));
  MUA_RETURN_IF_ERROR(DecodeIntPayload(tag, &in, out));
  return CheckFullyRead(in);
}

// ---- strings ----

// True when `text` is exactly how std::to_chars prints some int64.
bool ParseCanonicalInt(absl::string_view text, int64_t* value) {
  if (text.empty() || text.size() > kMaxDecimalChars) return false;
  const char* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, *value);
  if (ec != std::errc() || ptr != end) return false;
  // Rejects "007", "-0", "+5" (from_chars refuses '+'), " 5".
  if (text[0] == '-') return text.size() > 1 && text[1] != '0';
  return text[0] != '0' || text.size() == 1;
}

// Appends varint raw size, then the bytes, or varint compressed size and an
// LZ4 block (LZ4HC when hc_level > 0) when that is smaller. Returns whether it compressed.
bool AppendBlob(absl::string_view bytes, int hc_level, std::string* out) {
  PutVarint64(out, bytes.size());
  if (bytes.size() >= 32 && bytes.size() <= static_cast<size_t>(LZ4_MAX_INPUT_SIZE)) {
    const int raw_size = static_cast<int>(bytes.size());
    std::string compressed(LZ4_compressBound(raw_size), '\0');
    const int capacity = static_cast<int>(compressed.size());
    const int size =
        hc_level > 0
            ? LZ4_compress_HC(bytes.data(), compressed.data(), raw_size, capacity, hc_level)
            : LZ4_compress_default(bytes.data(), compressed.data(), raw_size, capacity);
    const size_t framed = static_cast<size_t>(size) + 5;  // + the compressed-size varint
    if (size > 0 && framed < bytes.size()) {
      PutVarint64(out, static_cast<uint64_t>(size));
      out->append(compressed.data(), static_cast<size_t>(size));
      return true;
    }
  }
  out->append(bytes.data(), bytes.size());
  return false;
}

// Reads a blob of exactly `expected` bytes; `*bytes` points into the input or `*storage`.
// REQUIRES: `*storage` holds no views still in use.
absl::Status ReadBlob(ByteReader* in, bool lz4, uint64_t expected, std::string* storage,
                      absl::string_view* bytes) {
  uint64_t raw_size;
  MUA_RETURN_IF_ERROR(ReadVarint(in, "string bytes size", &raw_size));
  if (raw_size != expected) {
    return BlockCorrupt(
        absl::StrCat("string bytes size ", raw_size, ", lengths sum to ", expected));
  }
  if (!lz4) {
    if (raw_size > in->remaining()) {
      return BlockCorrupt(
          absl::StrCat("string bytes need ", raw_size, " bytes, ", in->remaining(), " left"));
    }
    *bytes = absl::string_view(in->pos, raw_size);
    in->pos += raw_size;
    return absl::OkStatus();
  }
  uint64_t compressed_size;
  MUA_RETURN_IF_ERROR(ReadVarint(in, "string lz4 size", &compressed_size));
  if (compressed_size > in->remaining()) {
    return BlockCorrupt(absl::StrCat("string lz4 payload of ", compressed_size, " bytes, ",
                                     in->remaining(), " left"));
  }
  if (raw_size > 255 * compressed_size + 16 || raw_size > kMaxBlobBytes) {
    return BlockCorrupt(absl::StrCat("string lz4 raw size ", raw_size, " impossible from ",
                                     compressed_size, " bytes"));
  }
  storage->resize(raw_size);
  const int got = LZ4_decompress_safe(in->pos, storage->data(), static_cast<int>(compressed_size),
                                      static_cast<int>(raw_size));
  if (got != static_cast<int>(raw_size)) {
    return BlockCorrupt(
        absl::StrCat("string lz4 payload does not decompress to ", raw_size, " bytes"));
  }
  in->pos += compressed_size;
  *bytes = *storage;
  return absl::OkStatus();
}

// Decodes `lengths.size()` lengths and returns their checked sum.
absl::Status ReadLengths(ByteReader* in, absl::Span<uint64_t> lengths, uint64_t* total) {
  MUA_RETURN_IF_ERROR(DecodeIntBody(in, 0, lengths));
  *total = 0;
  for (const uint64_t length : lengths) {
    if (length > kMaxBlobBytes || *total + length > kMaxBlobBytes) {
      return BlockCorrupt(absl::StrCat("string lengths exceed ", kMaxBlobBytes, " bytes"));
    }
    *total += length;
  }
  return absl::OkStatus();
}

void SplitBlob(absl::string_view bytes, absl::Span<const uint64_t> lengths,
               absl::Span<absl::string_view> out) {
  size_t offset = 0;
  for (size_t i = 0; i < lengths.size(); ++i) {
    out[i] = bytes.substr(offset, lengths[i]);
    offset += lengths[i];
  }
}

std::vector<int64_t> Lengths(absl::Span<const absl::string_view> values) {
  std::vector<int64_t> lengths(values.size());
  for (size_t i = 0; i < values.size(); ++i) lengths[i] = static_cast<int64_t>(values[i].size());
  return lengths;
}

// Appends shape, width, exceptions, bitmaps and the packed blob (docs/formats/column_block.md).
// Returns whether the blob is LZ4-compressed.
bool AppendHexStrings(absl::Span<const absl::string_view> strings, const HexPlan& plan,
                      int hc_level, std::string* out) {
  out->push_back(static_cast<char>(plan.shape));
  out->push_back(static_cast<char>(plan.width));
  PutVarint64(out, plan.exceptions);
  if (plan.exceptions > 0) {
    std::vector<int64_t> positions, lengths;
    std::string text;
    for (size_t i = 0; i < strings.size(); ++i) {
      if (plan.forms[i].width == plan.width) continue;
      positions.push_back(static_cast<int64_t>(i));
      lengths.push_back(static_cast<int64_t>(strings[i].size()));
      text.append(strings[i].data(), strings[i].size());
    }
    EncodeIntBody(positions, 0, out);
    EncodeIntBody(lengths, 0, out);
    PutVarint64(out, text.size());
    out->append(text);
  }
  std::vector<bool> upper, dashed;
  std::string bytes;
  bytes.reserve((strings.size() - plan.exceptions) * plan.width);
  for (size_t i = 0; i < strings.size(); ++i) {
    const HexForm& form = plan.forms[i];
    if (form.width != plan.width) continue;
    upper.push_back(form.upper);
    dashed.push_back(form.dashed);
    PackHex(strings[i], form.dashed, &bytes);
  }
  if (plan.shape & kHexCaseBitmap) AppendBitmap(upper, out);
  if (plan.shape & kHexDashBitmap) AppendBitmap(dashed, out);
  return AppendBlob(bytes, hc_level, out);
}

// Appends lengths + text blob, or the packed UUIDs or hex ids. Returns the tag flags.
// `known_plan`, when given, is PlanHex's plan of `strings` (computed once by the caller).
uint8_t AppendStrings(absl::Span<const absl::string_view> strings, Packing packing, int hc_level,
                      std::string* out, const HexPlan* known_plan = nullptr) {
  if (packing == Packing::kHex) {
    HexPlan own_plan;
    const HexPlan* plan_of = known_plan;
    if (plan_of == nullptr && PlanHex(strings, &own_plan)) plan_of = &own_plan;
    if (plan_of != nullptr) {
      const HexPlan& plan = *plan_of;
      const bool lz4 = AppendHexStrings(strings, plan, hc_level, out);
      return static_cast<uint8_t>(kStringHexFlag | (lz4 ? kLz4Flag : 0));
    }
    packing = Packing::kText;
  }
  const bool uuid = packing == Packing::kUuid;
  std::string bytes;
  if (uuid) {
    bytes.reserve(strings.size() * kUuidBytes);
    for (const absl::string_view value : strings) PackUuid(value, &bytes);
  } else {
    EncodeIntBody(Lengths(strings), 0, out);
    for (const absl::string_view value : strings) bytes.append(value.data(), value.size());
  }
  const bool lz4 = AppendBlob(bytes, hc_level, out);
  return static_cast<uint8_t>((uuid ? kStringUuidFlag : 0) | (lz4 ? kLz4Flag : 0));
}

// Body for the dictionary candidate, or empty when there are too many distinct values.
std::string DictBody(absl::Span<const absl::string_view> values, Packing packing, int hc_level) {
  absl::flat_hash_map<absl::string_view, int64_t> codes_by_value;
  std::vector<absl::string_view> dict;
  std::vector<int64_t> codes(values.size());
  for (size_t i = 0; i < values.size(); ++i) {
    const auto [it, inserted] = codes_by_value.try_emplace(values[i], dict.size());
    if (inserted) {
      dict.push_back(values[i]);
      if (dict.size() * 2 > values.size()) return "";
      // Ids (event ids, most session ids) are all distinct: 1024 rows of which over 15/16
      // are new say so, before half the block is hashed only to give up.
      if (i + 1 == 1024 && dict.size() * 16 > 1024 * 15) return "";
    }
    codes[i] = it->second;
  }
  std::string body(1, '\0');
  PutVarint64(&body, dict.size());
  const uint8_t flags = AppendStrings(dict, packing, hc_level, &body);
  EncodeIntBody(codes, 0, &body);
  body[0] = static_cast<char>(kStringDict | flags);
  return body;
}

std::string PlainBody(absl::Span<const absl::string_view> values, Packing packing, int hc_level,
                      const HexPlan* plan = nullptr) {
  std::string body(1, '\0');
  body[0] = static_cast<char>(kStringPlain | AppendStrings(values, packing, hc_level, &body, plan));
  return body;
}

// Reads a bitmap of `count` bits.
absl::Status ReadBitmap(ByteReader* in, size_t count, std::vector<bool>* bits) {
  const size_t bytes = (count + 7) / 8;
  if (bytes > in->remaining()) return BlockCorrupt("hex id bitmap is truncated");
  bits->resize(count);
  for (size_t i = 0; i < count; ++i) {
    (*bits)[i] = (static_cast<uint8_t>(in->pos[i / 8]) >> (i % 8)) & 1;
  }
  in->pos += bytes;
  return absl::OkStatus();
}

// Reads what AppendHexStrings wrote; the strings point into `*storage`.
absl::Status ReadHexStrings(ByteReader* in, bool lz4, std::string* storage,
                            absl::Span<absl::string_view> strings) {
  if (in->remaining() < 2) return BlockCorrupt("hex id header is truncated");
  const auto shape = static_cast<uint8_t>(in->pos[0]);
  const auto width = static_cast<uint8_t>(in->pos[1]);
  in->pos += 2;
  const bool dash_bits = shape & kHexDashBitmap, case_bits = shape & kHexCaseBitmap;
  if ((shape & ~kHexShapeMask) != 0 || ((shape & kHexUpper) && case_bits) ||
      ((shape & kHexDashed) && dash_bits) || width == 0 || width > kMaxHexWidth ||
      ((shape & (kHexDashed | kHexDashBitmap)) && width != kUuidBytes)) {
    return BlockCorrupt(absl::StrCat("hex ids of shape ", shape, " and width ", width));
  }
  const size_t count = strings.size();
  uint64_t exceptions;
  MUA_RETURN_IF_ERROR(ReadVarint(in, "hex exception count", &exceptions));
  if (exceptions > count) {
    return BlockCorrupt(absl::StrCat(exceptions, " hex exceptions for ", count, " strings"));
  }
  std::vector<uint64_t> positions(exceptions), lengths(exceptions);
  absl::string_view exception_text;
  if (exceptions > 0) {
    MUA_RETURN_IF_ERROR(DecodeIntBody(in, 0, absl::MakeSpan(positions)));
    for (size_t e = 0; e < exceptions; ++e) {
      if (positions[e] >= count || (e > 0 && positions[e] <= positions[e - 1])) {
        return BlockCorrupt("hex exception positions out of order or range");
      }
    }
    uint64_t total;
    MUA_RETURN_IF_ERROR(ReadLengths(in, absl::MakeSpan(lengths), &total));
    MUA_RETURN_IF_ERROR(ReadBlob(in, /*lz4=*/false, total, nullptr, &exception_text));
  }
  const size_t packed_count = count - exceptions;
  std::vector<bool> upper, dashed;
  if (case_bits) MUA_RETURN_IF_ERROR(ReadBitmap(in, packed_count, &upper));
  if (dash_bits) MUA_RETURN_IF_ERROR(ReadBitmap(in, packed_count, &dashed));
  std::string packed_storage;
  absl::string_view packed;
  MUA_RETURN_IF_ERROR(ReadBlob(in, lz4, packed_count * width, &packed_storage, &packed));

  // Text size: every exception, two digits a byte, four dashes a UUID.
  size_t text_size = exception_text.size() + packed_count * 2 * width;
  for (size_t i = 0; i < packed_count; ++i) {
    if ((shape & kHexDashed) || (dash_bits && dashed[i])) text_size += 4;
  }
  storage->resize(text_size);
  char* const begin = storage->data();
  char* out = begin;
  std::vector<std::pair<size_t, size_t>> spans(count);  // (offset, length) in *storage
  size_t next_exception = 0, exception_offset = 0, packed_index = 0;
  const auto* bytes = reinterpret_cast<const uint8_t*>(packed.data());
  for (size_t row = 0; row < count; ++row) {
    const size_t start = static_cast<size_t>(out - begin);
    if (next_exception < exceptions && positions[next_exception] == row) {
      const size_t length = lengths[next_exception++];
      std::memcpy(out, exception_text.data() + exception_offset, length);
      exception_offset += length;
      out += length;
    } else {
      const bool is_upper = (shape & kHexUpper) || (case_bits && upper[packed_index]);
      const bool is_dashed = (shape & kHexDashed) || (dash_bits && dashed[packed_index]);
      const char* digits = is_upper ? "0123456789ABCDEF" : "0123456789abcdef";
      for (size_t b = 0; b < width; ++b) {
        if (is_dashed && (b == 4 || b == 6 || b == 8 || b == 10)) *out++ = '-';
        const uint8_t byte = bytes[packed_index * width + b];
        *out++ = digits[byte >> 4];
        *out++ = digits[byte & 0xf];
      }
      ++packed_index;
    }
    spans[row] = {start, static_cast<size_t>(out - begin) - start};
  }
  for (size_t row = 0; row < count; ++row) {
    strings[row] = absl::string_view(begin + spans[row].first, spans[row].second);
  }
  return absl::OkStatus();
}

// Reads what AppendStrings wrote for `count` strings into `strings`, which point
// into the input or `*storage`.
absl::Status ReadStrings(ByteReader* in, uint8_t tag, std::string* storage,
                         absl::Span<absl::string_view> strings) {
  const bool lz4 = tag & kLz4Flag;
  if (tag & kStringHexFlag) return ReadHexStrings(in, lz4, storage, strings);
  if (tag & kStringUuidFlag) {
    std::string packed_storage;
    absl::string_view packed;
    MUA_RETURN_IF_ERROR(ReadBlob(in, lz4, strings.size() * kUuidBytes, &packed_storage, &packed));
    ExpandUuids(packed, storage);
    for (size_t i = 0; i < strings.size(); ++i) {
      strings[i] = absl::string_view(storage->data() + i * kUuidChars, kUuidChars);
    }
    return absl::OkStatus();
  }
  std::vector<uint64_t> lengths(strings.size());
  uint64_t total;
  MUA_RETURN_IF_ERROR(ReadLengths(in, absl::MakeSpan(lengths), &total));
  absl::string_view bytes;
  MUA_RETURN_IF_ERROR(ReadBlob(in, lz4, total, storage, &bytes));
  SplitBlob(bytes, lengths, strings);
  return absl::OkStatus();
}

absl::Status DecodeNumeric(ByteReader* in, std::string* storage,
                           absl::Span<absl::string_view> out) {
  std::vector<uint64_t> values(out.size());
  MUA_RETURN_IF_ERROR(DecodeIntBody(in, 0, absl::MakeSpan(values)));
  storage->resize(values.size() * kMaxDecimalChars);
  // (start, length) per row; a run of equal values (session ids) shares one text.
  std::vector<std::pair<size_t, uint8_t>> spans(values.size());
  char* const begin = storage->data();
  char* p = begin;
  for (size_t i = 0; i < values.size(); ++i) {
    if (i > 0 && values[i] == values[i - 1]) {
      spans[i] = spans[i - 1];
      continue;
    }
    const auto result = std::to_chars(p, p + kMaxDecimalChars, static_cast<int64_t>(values[i]));
    spans[i] = {static_cast<size_t>(p - begin), static_cast<uint8_t>(result.ptr - p)};
    p = result.ptr;
  }
  storage->resize(static_cast<size_t>(p - begin));
  for (size_t i = 0; i < values.size(); ++i) {
    out[i] = absl::string_view(storage->data() + spans[i].first, spans[i].second);
  }
  return absl::OkStatus();
}

absl::Status DecodeDict(ByteReader* in, uint8_t tag, std::string* storage,
                        absl::Span<absl::string_view> out) {
  uint64_t dict_size;
  MUA_RETURN_IF_ERROR(ReadVarint(in, "dict size", &dict_size));
  if (dict_size > out.size() || (dict_size == 0 && !out.empty())) {
    return BlockCorrupt(absl::StrCat("dict of ", dict_size, " strings for ", out.size(), " rows"));
  }
  std::vector<absl::string_view> dict(dict_size);
  MUA_RETURN_IF_ERROR(ReadStrings(in, tag, storage, absl::MakeSpan(dict)));
  std::vector<uint32_t> codes(out.size());
  MUA_RETURN_IF_ERROR(DecodeIntBody(in, 0, absl::MakeSpan(codes)));
  for (size_t i = 0; i < codes.size(); ++i) {
    if (codes[i] >= dict_size) {
      return BlockCorrupt(absl::StrCat("dict code ", codes[i], " >= dict size ", dict_size));
    }
    out[i] = dict[codes[i]];
  }
  return absl::OkStatus();
}

}  // namespace

void EncodeInt64Block(absl::Span<const int64_t> values, std::string* out) {
  std::string body;
  EncodeIntBody(values, 0, &body);
  AppendWithRows(body, values.size(), out);
}

void EncodeUInt32Block(absl::Span<const uint32_t> values, std::string* out) {
  const std::vector<int64_t> wide(values.begin(), values.end());
  EncodeInt64Block(wide, out);
}

absl::Status DecodeInt64Block(absl::string_view encoded, absl::Span<int64_t> out) {
  // int64 and uint64 may alias; the codec works in wrapping unsigned arithmetic.
  return DecodeIntBlock(encoded,
                        absl::MakeSpan(reinterpret_cast<uint64_t*>(out.data()), out.size()));
}

absl::Status DecodeUInt32Block(absl::string_view encoded, absl::Span<uint32_t> out) {
  return DecodeIntBlock(encoded, out);
}

void EncodeStringBlock(absl::Span<const absl::string_view> values, std::string* out) {
  std::string best;
  std::vector<int64_t> numbers(values.size());
  bool numeric = true;
  for (size_t i = 0; i < values.size() && numeric; ++i) {
    numeric = ParseCanonicalInt(values[i], &numbers[i]);
  }
  const auto consider = [&best](std::string candidate) {
    if (!candidate.empty() && (best.empty() || candidate.size() < best.size())) {
      best = std::move(candidate);
    }
  };
  if (numeric) {
    std::string body(1, static_cast<char>(kStringNumeric));
    EncodeIntBody(numbers, 0, &body);
    consider(std::move(body));
  }
  // Packed UUIDs are always smaller than their text, compressed or not; so are packed
  // hex ids, unless other strings (exceptions) make text + LZ4 the better choice.
  Packing packing = Packing::kText;
  bool try_text = true;
  HexPlan plan;
  if (!values.empty() && std::all_of(values.begin(), values.end(), IsCanonicalUuid)) {
    packing = Packing::kUuid;  // the version-1 encoding: older servers read it
    try_text = false;
  } else if (PlanHex(values, &plan)) {
    packing = Packing::kHex;
    try_text = plan.exceptions > 0;
  }
  consider(DictBody(values, packing, 0));
  consider(PlainBody(values, packing, 0, packing == Packing::kHex ? &plan : nullptr));
  if (packing != Packing::kText && try_text) {
    consider(DictBody(values, Packing::kText, 0));
    consider(PlainBody(values, Packing::kText, 0));
  }
  // Only the winner pays for LZ4HC.
  const auto best_tag = static_cast<uint8_t>(best[0]);
  if (best_tag & kLz4Flag) {
    const bool dict = (best_tag & ~(kLz4Flag | kStringUuidFlag | kStringHexFlag)) == kStringDict;
    const Packing winner = (best_tag & kStringHexFlag)    ? Packing::kHex
                           : (best_tag & kStringUuidFlag) ? Packing::kUuid
                                                          : Packing::kText;
    consider(dict ? DictBody(values, winner, kLz4HcLevel)
                  : PlainBody(values, winner, kLz4HcLevel, winner == Packing::kHex ? &plan : nullptr));
  }
  AppendWithRows(best, values.size(), out);
}

absl::Status DecodeStringBlock(absl::string_view encoded, std::string* storage,
                               absl::Span<absl::string_view> out) {
  storage->clear();
  ByteReader in;
  uint8_t tag;
  MUA_RETURN_IF_ERROR(ReadHeader(encoded, out.size(), &in, &tag));
  if ((tag & kStringUuidFlag) && (tag & kStringHexFlag)) {
    return BlockCorrupt(absl::StrCat("unknown string encoding tag ", tag));
  }
  switch (tag & ~(kLz4Flag | kStringUuidFlag | kStringHexFlag)) {
    case kStringNumeric:
      if (tag != kStringNumeric) break;
      MUA_RETURN_IF_ERROR(DecodeNumeric(&in, storage, out));
      return CheckFullyRead(in);
    case kStringDict:
      MUA_RETURN_IF_ERROR(DecodeDict(&in, tag, storage, out));
      return CheckFullyRead(in);
    case kStringPlain:
      MUA_RETURN_IF_ERROR(ReadStrings(&in, tag, storage, out));
      return CheckFullyRead(in);
    default:
      break;
  }
  return BlockCorrupt(absl::StrCat("unknown string encoding tag ", tag));
}

absl::string_view EncodingName(absl::string_view encoded) {
  if (encoded.empty()) return "invalid";
  const auto tag = static_cast<uint8_t>(encoded[0]);
  switch (tag) {
    case kStringNumeric:
      return "numeric";
    case kStringDict:
      return "dict";
    case kStringDict | kLz4Flag:
      return "dict+lz4";
    case kStringPlain:
      return "plain";
    case kStringPlain | kLz4Flag:
      return "plain+lz4";
    case kStringDict | kStringUuidFlag:
      return "dict+uuid";
    case kStringDict | kStringUuidFlag | kLz4Flag:
      return "dict+uuid+lz4";
    case kStringPlain | kStringUuidFlag:
      return "plain+uuid";
    case kStringPlain | kStringUuidFlag | kLz4Flag:
      return "plain+uuid+lz4";
    case kStringDict | kStringHexFlag:
      return "dict+hex";
    case kStringDict | kStringHexFlag | kLz4Flag:
      return "dict+hex+lz4";
    case kStringPlain | kStringHexFlag:
      return "plain+hex";
    case kStringPlain | kStringHexFlag | kLz4Flag:
      return "plain+hex+lz4";
    default:
      return IntEncodingName(tag);
  }
}

}  // namespace mua::storage_internal
