// JsonTextWriter: writes SAX-style events back as compact JSON text into a reusable
// buffer, escaping strings as rapidjson::Writer does (which we avoid: its lazily
// allocated level stack does pointer arithmetic on null, which UBSan reports). Numbers,
// true, false and null go through RawValue exactly as written. No allocation once warm.
//
//   JsonTextWriter writer;
//   writer.Start('{'); writer.Key("a"); writer.RawValue("1"); writer.End('}');
//   writer.text();  // {"a":1}
//
// At depth 0 members are written without separators (the caller frames them).
// Thread safety: none.
#pragma once

#include <array>
#include <cstddef>
#include <cstring>
#include <memory>
#include <utility>

#include "absl/strings/string_view.h"

namespace mua::ingest_internal {

class JsonTextWriter {
 public:
  // Containers open at once; the decoder refuses deeper input first.
  static constexpr int kMaxDepth = 64;  // kMaxJsonDepth (static_assert in the .cc)

  void Clear() {
    size_ = 0;
    depth_ = 0;
    after_key_ = false;
  }
  // REQUIRES: fewer than kMaxDepth containers open.
  void Start(char open) {
    Separate();
    Put(open);
    first_[++depth_] = true;
  }
  void End(char close) {
    Put(close);
    --depth_;
  }
  void Key(absl::string_view key) {
    Separate();
    String(key);
    Put(':');
    after_key_ = true;
  }
  void StringValue(absl::string_view value) {
    Separate();
    String(value);
  }
  // Numbers as written, true, false, null; also a member already written as text.
  void RawValue(absl::string_view text) {
    Separate();
    char* out = Reserve(text.size());
    if (!text.empty()) std::memcpy(out, text.data(), text.size());
    size_ += text.size();
  }

  size_t size() const { return size_; }
  absl::string_view text() const { return absl::string_view(data_.get(), size_); }
  absl::string_view text(size_t begin, size_t end) const {
    return absl::string_view(data_.get() + begin, end - begin);
  }

 private:
  void Separate() {
    if (after_key_) {
      after_key_ = false;
    } else if (depth_ > 0 && !std::exchange(first_[depth_], false)) {
      Put(',');
    }
  }
  void Put(char c) {
    *Reserve(1) = c;
    ++size_;
  }
  void String(absl::string_view value);
  // Room for `count` more bytes at data_ + size_.
  char* Reserve(size_t count) {
    if (capacity_ - size_ < count) Grow(count);
    return data_.get() + size_;
  }
  void Grow(size_t count);

  std::unique_ptr<char[]> data_;
  size_t size_ = 0;
  size_t capacity_ = 0;
  int depth_ = 0;
  bool after_key_ = false;
  std::array<bool, kMaxDepth + 2> first_{};  // per open container: no member written yet
};

}  // namespace mua::ingest_internal
