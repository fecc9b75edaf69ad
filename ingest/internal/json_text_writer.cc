#include "ingest/internal/json_text_writer.h"

#include <algorithm>

#include "storage/base/json_limits.h"

namespace mua::ingest_internal {

static_assert(JsonTextWriter::kMaxDepth == kMaxJsonDepth);

void JsonTextWriter::String(absl::string_view value) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  char* out = Reserve(2 + 6 * value.size());
  char* const begin = out;
  *out++ = '"';
  for (const char c : value) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte >= 0x20 && c != '"' && c != '\\') {
      *out++ = c;
      continue;
    }
    *out++ = '\\';
    switch (c) {
      case '"':
        *out++ = '"';
        break;
      case '\\':
        *out++ = '\\';
        break;
      case '\b':
        *out++ = 'b';
        break;
      case '\f':
        *out++ = 'f';
        break;
      case '\n':
        *out++ = 'n';
        break;
      case '\r':
        *out++ = 'r';
        break;
      case '\t':
        *out++ = 't';
        break;
      default:
        *out++ = 'u';
        *out++ = '0';
        *out++ = '0';
        *out++ = kHex[byte >> 4];
        *out++ = kHex[byte & 0xf];
    }
  }
  *out++ = '"';
  size_ += static_cast<size_t>(out - begin);
}

void JsonTextWriter::Grow(size_t count) {
  const size_t capacity = std::max({capacity_ * 2, size_ + count, size_t{4096}});
  auto data = std::make_unique<char[]>(capacity);
  if (size_ != 0) std::memcpy(data.get(), data_.get(), size_);
  data_ = std::move(data);
  capacity_ = capacity;
}

}  // namespace mua::ingest_internal
