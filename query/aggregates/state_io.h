// StateWriter / StateReader: the byte format of serialized aggregate states
// (AggregateFunction::SerializeState): varints, zigzag integers, little-endian
// doubles and length-prefixed strings, concatenated without framing. A reader
// fails sticky on truncation, so a state is checked once at the end.
//
//   std::string out;
//   StateWriter(&out).Int(-5).Str("x");
//   StateReader in(out);
//   int64_t v = in.Int(); absl::string_view s = in.Str();
//   MUA_RETURN_IF_ERROR(in.Finish("sum"));
#pragma once

#include <cstdint>
#include <cstring>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "storage/base/coding.h"

namespace mua::query_internal {

class StateWriter {
 public:
  explicit StateWriter(std::string* out) : out_(out) {}
  StateWriter& UInt(uint64_t value) {
    PutVarint64(out_, value);
    return *this;
  }
  StateWriter& Int(int64_t value) { return UInt(ZigZagEncode(value)); }
  StateWriter& Float(double value) {
    uint64_t bits;
    std::memcpy(&bits, &value, sizeof(bits));
    PutFixed64(out_, bits);
    return *this;
  }
  StateWriter& Str(absl::string_view value) {
    UInt(value.size());
    out_->append(value.data(), value.size());
    return *this;
  }
  StateWriter& Bytes(const void* data, size_t size) {
    out_->append(static_cast<const char*>(data), size);
    return *this;
  }

 private:
  std::string* out_;
};

class StateReader {
 public:
  explicit StateReader(absl::string_view in) : p_(in.data()), limit_(in.data() + in.size()) {}

  uint64_t UInt() {
    uint64_t value = 0;
    if (!ok_) return 0;
    const char* next = GetVarint64(p_, limit_, &value);
    if (next == nullptr) return Fail();
    p_ = next;
    return value;
  }
  int64_t Int() { return ZigZagDecode(UInt()); }
  double Float() {
    if (!ok_ || limit_ - p_ < 8) return Fail();
    const uint64_t bits = LoadFixed64(p_);
    p_ += 8;
    double value;
    std::memcpy(&value, &bits, sizeof(value));
    return value;
  }
  absl::string_view Str() { return Bytes(UInt()); }
  absl::string_view Bytes(uint64_t size) {
    if (!ok_ || static_cast<uint64_t>(limit_ - p_) < size) {
      Fail();
      return {};
    }
    const absl::string_view value(p_, size);
    p_ += size;
    return value;
  }
  // A count of items that each take at least `min_bytes`: a corrupt count
  // cannot make the caller reserve more than the state could hold.
  uint64_t Count(size_t min_bytes = 1) {
    const uint64_t count = UInt();
    if (ok_ && count > static_cast<uint64_t>(limit_ - p_) / (min_bytes == 0 ? 1 : min_bytes)) return Fail();
    return count;
  }
  bool ok() const { return ok_; }
  size_t remaining() const { return static_cast<size_t>(limit_ - p_); }
  void Invalidate() { ok_ = false; }
  // OK iff everything read was there and nothing is left over.
  absl::Status Finish(absl::string_view function) const {
    if (ok_ && p_ == limit_) return absl::OkStatus();
    return absl::DataLossError(absl::StrCat("Malformed state of aggregate function ", function));
  }

 private:
  uint64_t Fail() {
    ok_ = false;
    return 0;
  }
  const char* p_;
  const char* limit_;
  bool ok_ = true;
};

}  // namespace mua::query_internal
