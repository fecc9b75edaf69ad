#include "ingest/internal/timestamp_parser.h"

#include <cstdint>
#include <string>

#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "tools/gen/internal/json_text.h"

namespace mua::ingest_internal {
namespace {

int64_t Iso(const std::string& text) {
  int64_t ms = 0;
  EXPECT_TRUE(TryParseIsoTimestamp(text, &ms)) << text;
  return ms;
}

bool Rejects(const std::string& text) {
  int64_t ms = 0;
  return !TryParseIsoTimestamp(text, &ms);
}

int64_t Utc(int year, int month, int day, int hour, int minute, int second, int ms = 0) {
  const absl::Time time =
      absl::FromCivil(absl::CivilSecond(year, month, day, hour, minute, second), absl::UTCTimeZone());
  return absl::ToUnixMillis(time) + ms;
}

TEST(TimestampParserTest, DaysFromCivilMatchesAbseil) {
  for (int year : {1900, 1969, 1970, 2000, 2024, 2026, 2100, 2399}) {
    for (int month = 1; month <= 12; ++month) {
      const int64_t expected = absl::CivilDay(year, month, 1) - absl::CivilDay(1970, 1, 1);
      EXPECT_EQ(DaysFromCivil(year, month, 1), expected) << year << "-" << month;
    }
  }
}

TEST(TimestampParserTest, ZuluWithMilliseconds) {
  EXPECT_EQ(Iso("2025-10-05T14:03:07.123Z"), 1759672987123);
  EXPECT_EQ(Iso("2026-10-05T14:03:07.123Z"), Utc(2026, 10, 5, 14, 3, 7, 123));
  EXPECT_EQ(Iso("2026-10-05t14:03:07.123z"), Utc(2026, 10, 5, 14, 3, 7, 123));
  EXPECT_EQ(Iso("1970-01-01T00:00:00Z"), 0);
  EXPECT_EQ(Iso("1969-12-31T23:59:59.999Z"), -1);
}

TEST(TimestampParserTest, SpaceSeparatorAndNoZoneMeansUtc) {
  EXPECT_EQ(Iso("2026-10-05 14:03:07"), Utc(2026, 10, 5, 14, 3, 7));
  EXPECT_EQ(Iso("2026-10-05T14:03:07"), Utc(2026, 10, 5, 14, 3, 7));
}

TEST(TimestampParserTest, FractionDigits) {
  EXPECT_EQ(Iso("2026-10-05T14:03:07Z"), Utc(2026, 10, 5, 14, 3, 7));
  EXPECT_EQ(Iso("2026-10-05T14:03:07.1Z"), Utc(2026, 10, 5, 14, 3, 7, 100));
  EXPECT_EQ(Iso("2026-10-05T14:03:07.12Z"), Utc(2026, 10, 5, 14, 3, 7, 120));
  EXPECT_EQ(Iso("2026-10-05T14:03:07.1234Z"), Utc(2026, 10, 5, 14, 3, 7, 123));
  EXPECT_EQ(Iso("2026-10-05T14:03:07.123456789Z"), Utc(2026, 10, 5, 14, 3, 7, 123));
  EXPECT_EQ(Iso("2026-10-05T14:03:07,5Z"), Utc(2026, 10, 5, 14, 3, 7, 500));
  EXPECT_TRUE(Rejects("2026-10-05T14:03:07.Z"));
  EXPECT_TRUE(Rejects("2026-10-05T14:03:07.1234567890Z"));
}

TEST(TimestampParserTest, Offsets) {
  const int64_t utc = Utc(2026, 10, 5, 14, 3, 7, 123);
  EXPECT_EQ(Iso("2026-10-05T19:33:07.123+05:30"), utc);
  EXPECT_EQ(Iso("2026-10-05T19:33:07.123+0530"), utc);
  EXPECT_EQ(Iso("2026-10-05T16:03:07.123+02"), utc);
  EXPECT_EQ(Iso("2026-10-05T14:03:07.123+00:00"), utc);
  EXPECT_EQ(Iso("2026-10-05T14:03:07.123-00:00"), utc);
  EXPECT_EQ(Iso("2026-10-05T10:33:07.123-03:30"), utc);
}

TEST(TimestampParserTest, NegativeOffsetCrossesMidnightAndYear) {
  EXPECT_EQ(Iso("2026-10-05T20:00:00-08:00"), Utc(2026, 10, 6, 4, 0, 0));
  EXPECT_EQ(Iso("2026-12-31T23:30:00-01:00"), Utc(2027, 1, 1, 0, 30, 0));
  EXPECT_EQ(Iso("2027-01-01T00:30:00+01:00"), Utc(2026, 12, 31, 23, 30, 0));
}

TEST(TimestampParserTest, LeapDays) {
  EXPECT_EQ(Iso("2028-02-29T12:00:00Z"), Utc(2028, 2, 29, 12, 0, 0));
  EXPECT_EQ(Iso("2000-02-29T00:00:00Z"), Utc(2000, 2, 29, 0, 0, 0));
  EXPECT_EQ(Iso("2028-02-29T23:00:00-02:00"), Utc(2028, 3, 1, 1, 0, 0));
  EXPECT_TRUE(Rejects("2026-02-29T12:00:00Z"));
  EXPECT_TRUE(Rejects("2100-02-29T12:00:00Z"));
}

TEST(TimestampParserTest, RejectsMalformed) {
  for (const char* text :
       {"", "yesterday", "not-a-time", "T12:00:00Z", "10/05/2026 14:03", "2026-13-45T25:61:00Z",
        "2026-10-05", "2026-10-05T14:03Z", "2026-10-05T14:03", "2026-10-05T24:00:00Z",
        "2026-10-05T23:60:00Z", "2026-10-05T23:59:60Z", "2026-00-05T14:03:07Z",
        "2026-10-00T14:03:07Z", "2026-04-31T14:03:07Z", "2026-10-05X14:03:07Z",
        "2026-10-05T14:03:07+24:00", "2026-10-05T14:03:07+05:60", "2026-10-05T14:03:07+5",
        "2026-10-05T14:03:07+05:3", "2026-10-05T14:03:07ZZ", "2026-10-05T14:03:07Z ",
        " 2026-10-05T14:03:07Z", "+2026-10-05T14:03:07Z", "2026-1-05T14:03:07Z",
        "2026-10-05T14:03:07.12a", "１２３４-10-05T14:03:07Z"}) {
    EXPECT_TRUE(Rejects(text)) << text;
  }
}

TEST(TimestampParserTest, RoundTripsGeneratorFormat) {
  // Every instant and offset mua-gen writes parses back to the same instant.
  char buf[32];
  uint64_t state = 12345;
  for (int i = 0; i < 20000; ++i) {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    const int64_t ms = static_cast<int64_t>(state >> 20) % (int64_t{200} * 365 * 86'400'000) -
                       int64_t{60} * 365 * 86'400'000;
    const int offset = static_cast<int>((state >> 8) % (2 * 14 * 60 + 1)) - 14 * 60;
    const bool zulu = (state & 1) != 0;
    const int length = gen_internal::FormatIsoTimestamp(ms, offset, zulu, buf);
    int64_t parsed = 0;
    ASSERT_TRUE(TryParseIsoTimestamp(std::string(buf, length), &parsed))
        << std::string(buf, length);
    ASSERT_EQ(parsed, ms) << std::string(buf, length);
  }
}

TEST(TimestampParserTest, EpochMillis) {
  int64_t ms = 0;
  EXPECT_TRUE(TryParseEpochMillis("1759672987123", &ms));
  EXPECT_EQ(ms, 1759672987123);
  EXPECT_TRUE(TryParseEpochMillis("-86400000", &ms));
  EXPECT_EQ(ms, -86400000);
  EXPECT_TRUE(TryParseEpochMillis("0", &ms));
  EXPECT_EQ(ms, 0);
  for (const char* text : {"", "-", "1.5", "1e12", "12a", " 1", "+1", "1234567890123456789"}) {
    EXPECT_FALSE(TryParseEpochMillis(text, &ms)) << text;
  }
}

}  // namespace
}  // namespace mua::ingest_internal
