#include "tools/gen/internal/json_text.h"

#include <cstdlib>

#include "storage/base/calendar.h"

namespace mua::gen_internal {
namespace {

char* PutDigits(int64_t value, int width, char* out) {
  for (int i = width - 1; i >= 0; --i) {
    out[i] = static_cast<char>('0' + value % 10);
    value /= 10;
  }
  return out + width;
}

}  // namespace

int FormatIsoTimestamp(int64_t millis, int offset_minutes, bool zulu, char* buf) {
  const int64_t local = millis + int64_t{offset_minutes} * 60'000;
  const int64_t in_day = FloorMod(local, kMillisPerDay);
  const CivilDate date = CivilFromDays(static_cast<int32_t>(FloorDiv(local, kMillisPerDay)));
  char* p = buf;
  p = PutDigits(date.year, 4, p);
  *p++ = '-';
  p = PutDigits(date.month, 2, p);
  *p++ = '-';
  p = PutDigits(date.day, 2, p);
  *p++ = 'T';
  p = PutDigits(in_day / 3'600'000, 2, p);
  *p++ = ':';
  p = PutDigits(in_day / 60'000 % 60, 2, p);
  *p++ = ':';
  p = PutDigits(in_day / 1000 % 60, 2, p);
  *p++ = '.';
  p = PutDigits(in_day % 1000, 3, p);
  if (zulu && offset_minutes == 0) {
    *p++ = 'Z';
  } else {
    *p++ = offset_minutes < 0 ? '-' : '+';
    const int magnitude = std::abs(offset_minutes);
    p = PutDigits(magnitude / 60, 2, p);
    *p++ = ':';
    p = PutDigits(magnitude % 60, 2, p);
  }
  return static_cast<int>(p - buf);
}

namespace {

void AppendHex128(uint64_t high, uint64_t low, bool dashes, std::string* out) {
  static constexpr char kHex[] = "0123456789abcdef";
  char buf[36];
  int pos = 0;
  for (int i = 0; i < 32; ++i) {
    if (dashes && (i == 8 || i == 12 || i == 16 || i == 20)) buf[pos++] = '-';
    const uint64_t word = i < 16 ? high : low;
    buf[pos++] = kHex[(word >> (60 - 4 * (i % 16))) & 0xF];
  }
  out->append(buf, pos);
}

}  // namespace

void AppendUuid(uint64_t high, uint64_t low, std::string* out) {
  high = (high & ~0xF000ULL) | 0x4000ULL;          // version 4
  low = (low & ~(0xCULL << 60)) | (0x8ULL << 60);  // RFC 4122 variant
  AppendHex128(high, low, /*dashes=*/true, out);
}

void AppendHex32(uint64_t high, uint64_t low, std::string* out) { AppendHex128(high, low, /*dashes=*/false, out); }

}  // namespace mua::gen_internal
