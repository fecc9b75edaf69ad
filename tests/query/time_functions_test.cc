// Golden tests for the time kernels: month/year ends, leap days, DST zones,
// times before 1970, toStartOfInterval alignment and dateDiff boundaries.
#include "query/functions/time_functions.h"

#include <random>
#include <string>

#include "absl/time/civil_time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testutil/status_matchers.h"

namespace mua::query_internal {
namespace {

using ::mua::test::StatusIs;

const TimeZone kUtc;

TimeZone Zone(const char* name) {
  absl::StatusOr<TimeZone> zone = TimeZone::Load(name);
  EXPECT_TRUE(zone.ok()) << zone.status();
  return *zone;
}

int32_t Day(const char* text) {
  int32_t day = 0;
  EXPECT_TRUE(TryParseDate(text, kUtc, &day)) << text;
  return day;
}

int64_t Seconds(const char* text, const TimeZone& tz = kUtc) {
  int64_t seconds = 0;
  EXPECT_TRUE(TryParseDateTime(text, tz, &seconds)) << text;
  return seconds;
}

// 2026-10-05 14:03:07 UTC (a Monday).
constexpr int64_t kT = 1791208987;
constexpr int32_t kDay = 20731;

TEST(TimeFunctionsTest, CivilDayArithmetic) {
  EXPECT_EQ(DaysFromCivil(1970, 1, 1), 0);
  EXPECT_EQ(DaysFromCivil(2026, 10, 5), kDay);
  EXPECT_EQ(DaysFromCivil(1900, 1, 1), -25567);  // ClickHouse's DAYNUM_OFFSET_EPOCH
  EXPECT_EQ(DaysFromCivil(2024, 2, 29), 19782);
  EXPECT_EQ(DayOfWeek(0), 4);  // Thursday
  EXPECT_EQ(DayOfWeek(kDay), 1);
  EXPECT_EQ(DayOfWeek(-25567), 1);  // 1900-01-01 was a Monday
  EXPECT_EQ(DayOfWeek(-1), 3);
  EXPECT_EQ(DaysInMonth(2024, 2), 29);
  EXPECT_EQ(DaysInMonth(2100, 2), 28);
  EXPECT_EQ(DaysInMonth(2000, 2), 29);
  // Agrees with absl::CivilDay over a wide range.
  std::mt19937 rng(7);
  for (int i = 0; i < 20000; ++i) {
    const int32_t day = static_cast<int32_t>(rng() % 2000000) - 1000000;
    const absl::CivilDay civil = absl::CivilDay(1970, 1, 1) + day;
    const CivilDate mine = CivilFromDays(day);
    ASSERT_EQ(mine.year, civil.year());
    ASSERT_EQ(mine.month, civil.month());
    ASSERT_EQ(mine.day, civil.day());
    ASSERT_EQ(DaysFromCivil(mine.year, mine.month, mine.day), day);
    ASSERT_EQ(DayOfWeek(day) % 7, (static_cast<int>(absl::GetWeekday(civil)) + 1) % 7);
  }
}

TEST(TimeFunctionsTest, ConversionsAndComponents) {
  EXPECT_EQ(ToDate(kT * 1000 + 123), kDay);
  EXPECT_EQ(ToDateTime(kT * 1000 + 999), kT);
  EXPECT_EQ(ToDate(-1), -1);  // 1969-12-31 23:59:59.999
  EXPECT_EQ(ToDateTime(-1), -1);
  EXPECT_EQ(ToHour(kT, kUtc), 14);
  EXPECT_EQ(ToMinute(kT, kUtc), 3);
  EXPECT_EQ(ToSecond(kT, kUtc), 7);
  EXPECT_EQ(ToYear(kDay), 2026);
  EXPECT_EQ(ToMonth(kDay), 10);
  EXPECT_EQ(ToQuarter(kDay), 4);
  EXPECT_EQ(ToDayOfMonth(kDay), 5);
  EXPECT_EQ(ToDayOfWeek(kDay), 1);
  EXPECT_EQ(ToDayOfYear(kDay), 278);
  EXPECT_EQ(ToYYYYMMDD(kDay), 20261005u);
  EXPECT_EQ(ToYYYYMM(kDay), 202610u);
  EXPECT_EQ(ToYYYYMMDD(Day("2024-02-29")), 20240229u);
  EXPECT_EQ(ToDayOfYear(Day("2024-12-31")), 366);
  // Before 1970.
  EXPECT_EQ(ToHour(-1, kUtc), 23);
  EXPECT_EQ(ToMinute(-1, kUtc), 59);
  EXPECT_EQ(ToDayNum(-1, kUtc), -1);
  EXPECT_EQ(ToYYYYMMDD(-1), 19691231u);
  EXPECT_EQ(FormatDateTime(-1, kUtc), "1969-12-31 23:59:59");
  EXPECT_EQ(FormatDateTime64(-1, kUtc), "1969-12-31 23:59:59.999");
}

TEST(TimeFunctionsTest, StartOfUnits) {
  EXPECT_EQ(ToStartOfMinute(kT, kUtc), kT - 7);
  EXPECT_EQ(ToStartOfHour(kT, kUtc), kT - 187);
  EXPECT_EQ(ToStartOfDay(kT, kUtc), int64_t{kDay} * 86400);
  EXPECT_EQ(ToStartOfHour(-1, kUtc), -3600);
  EXPECT_EQ(ToStartOfDay(-1, kUtc), -86400);
  // Week modes: even = Sunday start, odd = Monday start.
  EXPECT_EQ(ToStartOfWeek(kDay, 0), Day("2026-10-04"));
  EXPECT_EQ(ToStartOfWeek(kDay, 1), kDay);
  EXPECT_EQ(ToStartOfWeek(kDay, 3), kDay);
  EXPECT_EQ(ToStartOfWeek(Day("2026-10-04"), 0), Day("2026-10-04"));  // a Sunday
  EXPECT_EQ(ToStartOfWeek(Day("2026-10-04"), 1), Day("2026-09-28"));
  EXPECT_EQ(ToMonday(Day("2026-10-04")), Day("2026-09-28"));
  EXPECT_EQ(ToMonday(0), -3);  // 1969-12-29
  EXPECT_TRUE(ValidateWeekMode(9).ok());
  EXPECT_THAT(ValidateWeekMode(10), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_EQ(ToStartOfMonth(kDay), Day("2026-10-01"));
  EXPECT_EQ(ToStartOfMonth(Day("2024-02-29")), Day("2024-02-01"));
  EXPECT_EQ(ToStartOfQuarter(kDay), Day("2026-10-01"));
  EXPECT_EQ(ToStartOfQuarter(Day("2026-06-30")), Day("2026-04-01"));
  EXPECT_EQ(ToStartOfYear(kDay), Day("2026-01-01"));
  EXPECT_EQ(ToStartOfYear(-1), Day("1969-01-01"));
}

TEST(TimeFunctionsTest, StartOfIntervalAlignment) {
  auto at = [](IntervalUnit unit, int64_t n) { return ToStartOfInterval(kT, {unit, n}, kUtc); };
  EXPECT_EQ(at(IntervalUnit::kSecond, 1), kT);
  EXPECT_EQ(at(IntervalUnit::kSecond, 10), kT - 7);
  EXPECT_EQ(at(IntervalUnit::kMinute, 15), Seconds("2026-10-05 14:00:00"));
  EXPECT_EQ(at(IntervalUnit::kMinute, 7), Seconds("2026-10-05 14:01:00"));  // from the epoch
  EXPECT_EQ(at(IntervalUnit::kHour, 1), Seconds("2026-10-05 14:00:00"));
  EXPECT_EQ(at(IntervalUnit::kHour, 5), Seconds("2026-10-05 10:00:00"));  // from midnight
  EXPECT_EQ(at(IntervalUnit::kHour, 24), Seconds("2026-10-05 00:00:00"));
  EXPECT_EQ(at(IntervalUnit::kDay, 1), Seconds("2026-10-05 00:00:00"));
  EXPECT_EQ(at(IntervalUnit::kDay, 2), Seconds("2026-10-04 00:00:00"));  // even day numbers
  EXPECT_EQ(at(IntervalUnit::kDay, 7), Seconds("2026-10-01 00:00:00"));  // Thursdays
  EXPECT_EQ(at(IntervalUnit::kWeek, 1), Day("2026-10-05"));
  EXPECT_EQ(at(IntervalUnit::kWeek, 2), Day("2026-09-28"));  // Mondays from 1970-01-05
  EXPECT_EQ(at(IntervalUnit::kMonth, 1), Day("2026-10-01"));
  EXPECT_EQ(at(IntervalUnit::kMonth, 5), Day("2026-09-01"));  // months from 1900-01
  EXPECT_EQ(at(IntervalUnit::kQuarter, 1), Day("2026-10-01"));
  EXPECT_EQ(at(IntervalUnit::kQuarter, 2), Day("2026-07-01"));
  EXPECT_EQ(at(IntervalUnit::kYear, 1), Day("2026-01-01"));
  EXPECT_EQ(at(IntervalUnit::kYear, 5), Day("2025-01-01"));
  EXPECT_EQ(at(IntervalUnit::kYear, 1000), Day("2000-01-01"));
  EXPECT_EQ(at(IntervalUnit::kYear, 5000), Day("1900-01-01"));  // ClickHouse's clamp
  EXPECT_TRUE(IntervalReturnsDate(IntervalUnit::kWeek));
  EXPECT_FALSE(IntervalReturnsDate(IntervalUnit::kDay));
  // On Dates.
  EXPECT_EQ(ToStartOfIntervalDate(kDay, {IntervalUnit::kDay, 2}), Day("2026-10-04"));
  EXPECT_EQ(ToStartOfIntervalDate(kDay, {IntervalUnit::kMonth, 3}), Day("2026-10-01"));
  EXPECT_EQ(ToStartOfIntervalDate(Day("1970-01-04"), {IntervalUnit::kWeek, 2}),
            Day("1969-12-22"));  // floor before the first aligned Monday
  // Before 1970: floors, never rounds up.
  EXPECT_EQ(ToStartOfInterval(-1, {IntervalUnit::kMinute, 15}, kUtc), -900);
  EXPECT_EQ(ToStartOfInterval(-1, {IntervalUnit::kDay, 2}, kUtc), -2 * 86400);
  EXPECT_EQ(ToStartOfInterval(-1, {IntervalUnit::kHour, 5}, kUtc), -86400 + 20 * 3600);
  // Validation.
  EXPECT_TRUE(ValidateStartOfInterval({IntervalUnit::kHour, 3}, false).ok());
  EXPECT_THAT(ValidateStartOfInterval({IntervalUnit::kHour, 0}, false),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(ValidateStartOfInterval({IntervalUnit::kHour, 1}, true),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(TimeFunctionsTest, DateDiffCountsBoundaries) {
  auto diff = [](const char* unit, const char* a, const char* b) {
    return DateDiff(*ParseIntervalUnit(unit), Seconds(a), Seconds(b), kUtc);
  };
  EXPECT_EQ(diff("month", "2026-01-31", "2026-02-01"), 1);
  EXPECT_EQ(diff("month", "2026-01-01", "2026-01-31"), 0);
  EXPECT_EQ(diff("month", "2026-02-01", "2026-01-31"), -1);
  EXPECT_EQ(diff("year", "2025-12-31 23:59:59", "2026-01-01 00:00:00"), 1);
  EXPECT_EQ(diff("quarter", "2026-03-31", "2026-04-01"), 1);
  EXPECT_EQ(diff("quarter", "2025-12-31", "2026-01-01"), 1);
  EXPECT_EQ(diff("day", "2026-10-05 23:59:59", "2026-10-06 00:00:00"), 1);
  EXPECT_EQ(diff("day", "2026-10-05 00:00:00", "2026-10-05 23:59:59"), 0);
  EXPECT_EQ(diff("week", "2026-10-04", "2026-10-05"), 1);  // Sunday -> Monday
  EXPECT_EQ(diff("week", "2026-10-05", "2026-10-11"), 0);  // Monday -> Sunday
  EXPECT_EQ(diff("week", "1969-12-28", "1969-12-29"), 1);  // before the epoch too
  EXPECT_EQ(diff("hour", "2026-10-05 10:59:59", "2026-10-05 11:00:00"), 1);
  EXPECT_EQ(diff("minute", "2026-10-05 10:59:59", "2026-10-05 11:00:00"), 1);
  EXPECT_EQ(diff("second", "2026-10-05 10:59:59", "2026-10-05 11:00:00"), 1);
  EXPECT_EQ(diff("MINUTE", "1969-12-31 23:59:59", "1970-01-01 00:00:00"), 1);
  EXPECT_EQ(diff("hh", "1969-12-31 22:30:00", "1970-01-01 00:30:00"), 2);
  EXPECT_EQ(diff("year", "2024-02-29", "2025-02-28"), 1);
  EXPECT_EQ(DateDiffDates(IntervalUnit::kMonth, Day("2026-01-31"), Day("2026-02-01")), 1);
  EXPECT_EQ(DateDiffDates(IntervalUnit::kHour, Day("2026-01-31"), Day("2026-02-01")), 24);
  EXPECT_THAT(ParseIntervalUnit("fortnight"), StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(TimeFunctionsTest, IntervalArithmeticClampsMonthEnds) {
  EXPECT_EQ(AddMonths(Day("2026-01-31"), 1), Day("2026-02-28"));
  EXPECT_EQ(AddMonths(Day("2024-01-31"), 1), Day("2024-02-29"));
  EXPECT_EQ(AddMonths(Day("2026-03-31"), -1), Day("2026-02-28"));
  EXPECT_EQ(AddMonths(Day("2026-12-15"), 1), Day("2027-01-15"));
  EXPECT_EQ(AddMonths(Day("2026-01-15"), -13), Day("2024-12-15"));
  EXPECT_EQ(AddIntervalToDate(Day("2024-02-29"), {IntervalUnit::kYear, 1}), Day("2025-02-28"));
  EXPECT_EQ(AddIntervalToDate(Day("2024-02-29"), {IntervalUnit::kYear, 4}), Day("2028-02-29"));
  EXPECT_EQ(AddIntervalToDate(Day("2026-11-30"), {IntervalUnit::kQuarter, 1}), Day("2027-02-28"));
  EXPECT_EQ(AddIntervalToDate(Day("2026-12-31"), {IntervalUnit::kDay, 1}), Day("2027-01-01"));
  EXPECT_EQ(AddIntervalToDate(Day("2026-12-31"), {IntervalUnit::kWeek, -1}), Day("2026-12-24"));
  EXPECT_EQ(AddInterval(Seconds("2026-01-31 10:20:30"), {IntervalUnit::kMonth, 1}, kUtc),
            Seconds("2026-02-28 10:20:30"));
  EXPECT_EQ(AddInterval(Seconds("2025-12-31 23:59:59"), {IntervalUnit::kSecond, 1}, kUtc),
            Seconds("2026-01-01 00:00:00"));
  EXPECT_EQ(AddInterval(Seconds("2026-10-05 23:00:00"), {IntervalUnit::kHour, 2}, kUtc),
            Seconds("2026-10-06 01:00:00"));
  EXPECT_EQ(AddInterval(Seconds("2026-10-05 23:00:00"), {IntervalUnit::kDay, -1}, kUtc),
            Seconds("2026-10-04 23:00:00"));
  EXPECT_EQ(AddInterval(0, {IntervalUnit::kMonth, -1}, kUtc), Seconds("1969-12-01 00:00:00"));
}

TEST(TimeFunctionsTest, DaylightSavingZones) {
  const TimeZone berlin = Zone("Europe/Berlin");
  EXPECT_FALSE(berlin.is_utc());
  // 2026-03-29 02:00 CET -> 03:00 CEST at 01:00 UTC (1774746000).
  const int64_t spring = 1774746000;
  EXPECT_EQ(ToHour(spring - 1, berlin), 1);
  EXPECT_EQ(ToHour(spring, berlin), 3);
  EXPECT_EQ(FormatDateTime(spring, berlin), "2026-03-29 03:00:00");
  EXPECT_EQ(ToStartOfDay(spring + 11 * 3600, berlin), 1774738800);  // 2026-03-28 23:00 UTC
  EXPECT_EQ(ToDayNum(1774738800 - 1, berlin), Day("2026-03-28"));
  EXPECT_EQ(ToDayNum(1774738800, berlin), Day("2026-03-29"));
  // +1 day keeps the wall-clock time: 12:00 CET -> 12:00 CEST is 23 hours.
  EXPECT_EQ(AddInterval(1774695600, {IntervalUnit::kDay, 1}, berlin), 1774778400);
  EXPECT_EQ(DateDiff(IntervalUnit::kDay, 1774695600, 1774778400, berlin), 1);
  // Wall-clock text in the gap maps to the transition; a repeated hour to its first instant.
  EXPECT_EQ(Seconds("2026-03-29 02:30:00", berlin), spring);
  EXPECT_EQ(Seconds("2026-10-25 02:30:00", berlin), 1792890000 - 1800);
  EXPECT_EQ(Seconds("2026-10-25 02:30:00Z", berlin), Seconds("2026-10-25 02:30:00"));
  // Hour intervals count from local midnight; the repeated hour stays distinct.
  EXPECT_EQ(ToStartOfHour(1792890000 + 1800, berlin), 1792890000);
  EXPECT_EQ(ToStartOfInterval(1792890000 + 1800, {IntervalUnit::kHour, 1}, berlin), 1792890000);
  EXPECT_EQ(
      ToStartOfInterval(Seconds("2026-10-05 14:03:07", berlin), {IntervalUnit::kHour, 5}, berlin),
      Seconds("2026-10-05 10:00:00", berlin));
  EXPECT_EQ(ToStartOfInterval(kT, {IntervalUnit::kMonth, 1}, berlin), Day("2026-10-01"));

  const TimeZone new_york = Zone("America/New_York");
  EXPECT_EQ(FormatDateTime(1772953200, new_york), "2026-03-08 03:00:00");  // EDT starts
  EXPECT_EQ(FormatDateTime(1772953199, new_york), "2026-03-08 01:59:59");
  EXPECT_EQ(ToDayNum(Seconds("2026-03-08 23:30:00", new_york), new_york), Day("2026-03-08"));

  const TimeZone kolkata = Zone("Asia/Kolkata");  // +05:30
  EXPECT_EQ(ToStartOfHour(1791189187, kolkata), 1791189000);
  EXPECT_EQ(ToHour(1791189187, kolkata), 14);
  EXPECT_EQ(DateDiff(IntervalUnit::kHour, 1791189000 - 1, 1791189000, kolkata), 1);
  EXPECT_THAT(TimeZone::Load("Mars/Olympus"), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_TRUE(Zone("UTC").is_utc());
}

TEST(TimeFunctionsTest, IanaZoneNamesLoad) {
  for (const char* name : {"Europe/Berlin", "America/Argentina/Buenos_Aires", "Etc/GMT+3",
                           "Etc/GMT-14", "Asia/Kolkata", "America/Port-au-Prince"}) {
    absl::StatusOr<TimeZone> zone = TimeZone::Load(name);
    ASSERT_TRUE(zone.ok()) << name << ": " << zone.status();
    EXPECT_FALSE(zone->is_utc()) << name;
  }
  // Etc/GMT+3 is three hours *behind* UTC (POSIX sign).
  EXPECT_EQ(Zone("Etc/GMT+3").OffsetAt(kT), -3 * 3600);
  for (const char* name : {"", "UTC", "Etc/UTC", "GMT"}) EXPECT_TRUE(Zone(name).is_utc()) << name;
}

TEST(TimeFunctionsTest, UnknownZonesAreErrorsNamingTheZone) {
  absl::StatusOr<TimeZone> zone = TimeZone::Load("Foo/Bar");
  ASSERT_THAT(zone, StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_EQ(zone.status().message(), "Unknown time zone 'Foo/Bar'");
  // Files in the zone directory that are not zones, and directories, are unknown too.
  for (const char* name : {"Europe", "leapseconds", "utc", "Europe/Berlin2"}) {
    EXPECT_THAT(TimeZone::Load(name), StatusIs(absl::StatusCode::kInvalidArgument)) << name;
  }
}

TEST(TimeFunctionsTest, ZoneNamesThatArePathsAreRejectedBeforeAnyLookup) {
  for (const char* name :
       {"../../../../etc/passwd", "/etc/passwd", "/usr/share/zoneinfo/Europe/Berlin",
        "Europe/../Europe/Berlin", "./UTC", "Europe//Berlin", "Europe/Berlin/", "Europe/Ber lin",
        "file:/etc/localtime", "Fixed/UTC+03:00:00", "Europe/Berlin\n", "Europe\\Berlin",
        "Europe/Berlin%00"}) {
    absl::StatusOr<TimeZone> zone = TimeZone::Load(name);
    ASSERT_THAT(zone, StatusIs(absl::StatusCode::kInvalidArgument)) << name;
    EXPECT_THAT(std::string(zone.status().message()),
                ::testing::StartsWith("Invalid time zone name '"))
        << name;
  }
  EXPECT_THAT(ValidateTimeZoneName(std::string(65, 'A')),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_TRUE(ValidateTimeZoneName(std::string(64, 'A')).ok());
  // Names in messages are escaped and cut: they come from requests.
  const std::string long_name = "Europe/" + std::string(10'000, 'x');
  absl::StatusOr<TimeZone> zone = TimeZone::Load(long_name);
  ASSERT_FALSE(zone.ok());
  EXPECT_LT(zone.status().message().size(), 200u);
  EXPECT_EQ(TimeZone::Load("a\nb").status().message(),
            "Invalid time zone name 'a\\nb': an IANA name has only letters, digits, '_', '+', "
            "'-' and '/'");
}

TEST(TimeFunctionsTest, ParseAndFormatText) {
  int64_t ms = 0;
  EXPECT_TRUE(TryParseDateTime64("2026-10-05 14:03:07.123", kUtc, &ms));
  EXPECT_EQ(ms, kT * 1000 + 123);
  EXPECT_EQ(FormatDateTime64(ms, kUtc), "2026-10-05 14:03:07.123");
  EXPECT_TRUE(TryParseDateTime64("2026-10-05T14:03:07.123456Z", kUtc, &ms));
  EXPECT_EQ(ms, kT * 1000 + 123);  // extra digits truncate
  EXPECT_TRUE(TryParseDateTime64("2026-10-05T14:03:07.1", kUtc, &ms));
  EXPECT_EQ(ms, kT * 1000 + 100);
  EXPECT_EQ(Seconds("2026-10-05 14:03:07"), kT);
  EXPECT_EQ(Seconds("2026-10-05T14:03:07Z"), kT);
  EXPECT_EQ(Seconds("2026-10-05T16:03:07+02:00"), kT);
  EXPECT_EQ(Seconds("2026-10-05T09:03:07-0500"), kT);
  EXPECT_EQ(Seconds("2026-10-05 14:03"), kT - 7);
  EXPECT_EQ(Seconds("  2026-10-05  "), int64_t{kDay} * 86400);
  EXPECT_EQ(Seconds("1969-12-31 23:59:59"), -1);
  EXPECT_EQ(Day("2026-10-05 23:59:59"), kDay);
  int32_t day = 0;
  EXPECT_TRUE(TryParseDate("2026-10-05T23:30:00-02:00", kUtc, &day));
  EXPECT_EQ(day, kDay + 1);  // 01:30 UTC the next day
  EXPECT_EQ(FormatDate(kDay), "2026-10-05");
  EXPECT_EQ(FormatDate(-25567), "1900-01-01");
  EXPECT_EQ(FormatDateTime(kT, kUtc), "2026-10-05 14:03:07");
  for (const char* bad : {"", "2026", "2026-10", "2026-02-29", "2026-13-01", "2026-00-10",
                          "2026-10-05 24:00:00", "2026-10-05 12:60:00", "2026-10-05 12:00:61",
                          "2026-10-05X12:00:00", "2026-10-05 12:00:00 junk", "05/10/2026",
                          "2026-10-05 12", "2026-10-05 12:00:00+25:00", "abcd-ef-gh"}) {
    int64_t seconds = 0;
    EXPECT_FALSE(TryParseDateTime(bad, kUtc, &seconds)) << bad;
  }
  EXPECT_TRUE(TryParseDate("2024-02-29", kUtc, &day));
}

}  // namespace
}  // namespace mua::query_internal
