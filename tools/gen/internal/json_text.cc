#include "tools/gen/internal/json_text.h"

#include <cstdlib>

namespace mua::gen_internal {
namespace {

// Howard Hinnant's civil_from_days: proleptic Gregorian date of a day since 1970-01-01.
void CivilFromDays(int64_t days, int* year, int* month, int* day) {
  days += 719468;
  const int64_t era = (days >= 0 ? days : days - 146096) / 146097;
  const int64_t doe = days - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  *day = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  *month = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  *year = static_cast<int>(yoe + era * 400 + (*month <= 2 ? 1 : 0));
}

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
  int64_t days = local / 86'400'000;
  int64_t in_day = local % 86'400'000;
  if (in_day < 0) {
    in_day += 86'400'000;
    --days;
  }
  int year = 0, month = 0, day = 0;
  CivilFromDays(days, &year, &month, &day);
  char* p = buf;
  p = PutDigits(year, 4, p);
  *p++ = '-';
  p = PutDigits(month, 2, p);
  *p++ = '-';
  p = PutDigits(day, 2, p);
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

void AppendUuid(uint64_t high, uint64_t low, std::string* out) {
  high = (high & ~0xF000ULL) | 0x4000ULL;          // version 4
  low = (low & ~(0xCULL << 60)) | (0x8ULL << 60);  // RFC 4122 variant
  static constexpr char kHex[] = "0123456789abcdef";
  char buf[36];
  int pos = 0;
  for (int i = 0; i < 32; ++i) {
    if (i == 8 || i == 12 || i == 16 || i == 20) buf[pos++] = '-';
    const uint64_t word = i < 16 ? high : low;
    buf[pos++] = kHex[(word >> (60 - 4 * (i % 16))) & 0xF];
  }
  out->append(buf, sizeof(buf));
}

}  // namespace mua::gen_internal
