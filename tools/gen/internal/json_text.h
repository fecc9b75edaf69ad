// Text helpers shared by the generator and the JSON writer: a RapidJSON output stream
// appending to std::string, ISO-8601 timestamps, UUID text and decimal integers.
// All functions are pure; thread-safe.
#pragma once

#include <algorithm>
#include <charconv>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>

#include "rapidjson/writer.h"

namespace mua::gen_internal {

// RapidJSON output stream appending to a std::string it does not own, writing straight into
// the string's buffer (std::string::push_back per character is the generator's hot spot).
//   sink.Begin(&out); writer.Reset(sink); ...write...; sink.Finish();
// Between Begin and Finish the string holds scratch bytes past the written text.
class StringSink {
 public:
  using Ch = char;
  void Begin(std::string* out) {
    out_ = out;
    const size_t written = out->size();
    out->resize(written + kSlack);
    cursor_ = out->data() + written;
    end_ = out->data() + out->size();
  }
  void Finish() { out_->resize(static_cast<size_t>(cursor_ - out_->data())); }
  void Reserve(size_t count) {
    if (static_cast<size_t>(end_ - cursor_) < count) Grow(count);
  }
  void Put(char c) {
    if (cursor_ == end_) Grow(1);
    *cursor_++ = c;
  }
  void PutUnchecked(char c) { *cursor_++ = c; }
  // REQUIRES: room reserved for count bytes.
  void AppendUnchecked(const char* bytes, size_t count) {
    std::memcpy(cursor_, bytes, count);
    cursor_ += count;
  }
  void Flush() {}

 private:
  static constexpr size_t kSlack = 512;
  void Grow(size_t count) {
    const size_t written = static_cast<size_t>(cursor_ - out_->data());
    out_->resize(written + count + std::max(kSlack, out_->size() - written));
    cursor_ = out_->data() + written;
    end_ = out_->data() + out_->size();
  }
  std::string* out_ = nullptr;
  char* cursor_ = nullptr;
  char* end_ = nullptr;
};
// Found by argument-dependent lookup from rapidjson::Writer, preferred over its generic
// templates: reserve once per string, then copy bytes without bounds checks.
inline void PutReserve(StringSink& sink, size_t count) { sink.Reserve(count); }
inline void PutUnsafe(StringSink& sink, char c) { sink.PutUnchecked(c); }

// Writes "2026-10-05T14:03:07.123Z" (offset_minutes == 0 and zulu) or
// "2026-10-05T19:33:07.123+05:30" (the same instant in local time) into buf; returns the length.
// REQUIRES: buf holds at least 32 chars.
int FormatIsoTimestamp(int64_t millis, int offset_minutes, bool zulu, char* buf);

// Appends a version-4 UUID built from 128 random bits, e.g. "3b241101-e2bb-4255-8caf-4136c566a962".
void AppendUuid(uint64_t high, uint64_t low, std::string* out);
// Appends the 128 bits as 32 lowercase hex digits, e.g. "3b241101e2bb42558caf4136c566a962"
// (the event ids many SDKs send).
void AppendHex32(uint64_t high, uint64_t low, std::string* out);

inline void AppendDecimal(int64_t value, std::string* out) {
  char buf[24];
  const auto result = std::to_chars(buf, buf + sizeof(buf), value);
  out->append(buf, result.ptr);
}

}  // namespace mua::gen_internal

namespace rapidjson {
// Copies the run of characters that need no escaping in one go instead of byte by byte
// (RapidJSON's own fast path exists only for StringBuffer and strings of 16+ bytes).
// WriteString has reserved room for the whole string; unicode passes through as UTF-8.
template <>
inline bool Writer<mua::gen_internal::StringSink>::ScanWriteUnescapedString(StringStream& is,
                                                                            size_t length) {
  const char* const begin = is.src_;
  const char* const end = is.head_ + length;
  const char* p = begin;
  while (p < end && static_cast<unsigned char>(*p) >= 0x20 && *p != '"' && *p != '\\') ++p;
  os_->AppendUnchecked(begin, static_cast<size_t>(p - begin));
  is.src_ = p;
  return p < end;
}
}  // namespace rapidjson
