// DateTime and DateTime64 typed with a time zone (DateTime('Asia/Tokyo')): interning, type
// names, functions that carry or use the zone, and text output in the zone's wall clock.
// Expected values are modern ClickHouse's (24.x): the same instant, shown in the zone; DST
// transitions of America/New_York in 2026 (03-08 07:00 UTC and 11-01 06:00 UTC), the
// half-hour Asia/Kolkata (+5:30) and the 45-minute Asia/Kathmandu (+5:45).
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "query/data_type.h"
#include "query/output_format.h"
#include "query/time_zones.h"
#include "tests/query/scalar_call.h"
#include "tests/testutil/status_matchers.h"

namespace mua::test {
namespace {

using ::testing::HasSubstr;

#define CALL(result, ...) ASSERT_OK_AND_ASSIGN(CallResult result, CallFunction(__VA_ARGS__))

constexpr int64_t k20hUtc = 1791230400;           // 2026-10-05 20:00:00 UTC
constexpr int64_t kKolkataMidnight = 1791225000;  // 2026-10-06 00:00 IST = 10-05 18:30 UTC
constexpr int64_t kNyBeforeGap = 1772953199;      // 2026-03-08 06:59:59 UTC = 01:59:59 EST
constexpr int64_t kNyAfterGap = 1772953200;       // 2026-03-08 07:00:00 UTC = 03:00:00 EDT
constexpr int64_t kNyFirst0130 = 1793511000;      // 2026-11-01 05:30 UTC = 01:30 EDT
constexpr int64_t kNySecond0130 = 1793514600;     // 2026-11-01 06:30 UTC = 01:30 EST

uint16_t Zone(absl::string_view name) {
  absl::StatusOr<uint16_t> id = InternTimeZone(name);
  EXPECT_TRUE(id.ok()) << id.status();
  return id.ok() ? *id : kNoTimeZone;
}

CallArg ZonedDateTime(int64_t seconds, absl::string_view zone) {
  return {Vector::ConstantInt(DataType::Time(TypeId::kDateTime, Zone(zone)), seconds, 1)};
}
CallArg ZonedDateTime64(int64_t millis, absl::string_view zone) {
  return {Vector::ConstantInt(DataType::Time(TypeId::kDateTime64, Zone(zone)), millis, 1)};
}
CallArg DateTime(int64_t seconds) { return Time(TypeId::kDateTime, seconds); }
CallArg DateTime64(int64_t millis) { return Time(TypeId::kDateTime64, millis); }

// toString of a call's result, as ClickHouse prints it in the result type's zone.
std::string Text(const CallResult& result) {
  absl::StatusOr<CallResult> text = CallFunction("toString", {CallArg{result.value}});
  EXPECT_TRUE(text.ok()) << text.status();
  return text.ok() ? StrOf(*text) : "";
}

TEST(TimeZoneTest, ZonesAreInternedOncePerName) {
  const uint16_t tokyo = Zone("Asia/Tokyo");
  EXPECT_NE(tokyo, kNoTimeZone);
  EXPECT_EQ(Zone("Asia/Tokyo"), tokyo);
  EXPECT_NE(Zone("Europe/Berlin"), tokyo);
  EXPECT_EQ(TimeZoneName(tokyo), "Asia/Tokyo");
  EXPECT_EQ(TimeZoneName(kNoTimeZone), "");
  EXPECT_NE(Zone("UTC"), kNoTimeZone);  // named explicitly: prints DateTime('UTC')
  EXPECT_THAT(InternTimeZone("Not/AZone"), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(InternTimeZone("../../etc/passwd"), StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(TimeZoneTest, TypesNameAndParseTheirZone) {
  const DataType tokyo = DataType::Time(TypeId::kDateTime, Zone("Asia/Tokyo"));
  EXPECT_EQ(tokyo.Name(), "DateTime('Asia/Tokyo')");
  EXPECT_EQ(DataType::Time(TypeId::kDateTime64, Zone("Asia/Tokyo")).Name(),
            "DateTime64(3, 'Asia/Tokyo')");
  EXPECT_EQ(tokyo.WithNullable().Name(), "Nullable(DateTime('Asia/Tokyo'))");
  EXPECT_EQ(DataType::ArrayOf(tokyo).Name(), "Array(DateTime('Asia/Tokyo'))");
  EXPECT_EQ(DataType::ArrayOf(tokyo).element_type(), tokyo);
  EXPECT_FALSE(tokyo == DataType::Of(TypeId::kDateTime));
  EXPECT_FALSE(DataType::Time(TypeId::kDateTime, Zone("UTC")) == DataType::Of(TypeId::kDateTime));

  for (const char* name : {"DateTime('Asia/Tokyo')", "DateTime64(3, 'Europe/Berlin')",
                           "Nullable(DateTime('Asia/Kolkata'))", "Array(DateTime64(3, 'UTC'))",
                           "DateTime", "DateTime64(3)"}) {
    ASSERT_OK_AND_ASSIGN(DataType parsed, ParseDataType(name));
    EXPECT_EQ(parsed.Name(), name);
  }
  ASSERT_OK_AND_ASSIGN(DataType spaced, ParseDataType("DateTime64( 3 , 'Asia/Tokyo' )"));
  EXPECT_EQ(spaced.Name(), "DateTime64(3, 'Asia/Tokyo')");
  EXPECT_THAT(ParseDataType("DateTime('Not/AZone')"), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(ParseDataType("DateTime64('Asia/Tokyo')"),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(ParseDataType("DateTime(3)"), StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(TimeZoneTest, RoundingCarriesTheZoneIntoTheResultType) {
  CALL(day, "toStartOfDay", {DateTime(k20hUtc), Str("Asia/Kolkata")});
  EXPECT_EQ(day.value.type.Name(), "DateTime('Asia/Kolkata')");
  EXPECT_EQ(IntOf(day), kKolkataMidnight);
  EXPECT_EQ(Text(day), "2026-10-06 00:00:00");
  CALL(hour, "toStartOfHour", {DateTime64(k20hUtc * 1000), Str("Asia/Kolkata")});
  EXPECT_EQ(hour.value.type.Name(), "DateTime('Asia/Kolkata')");
  EXPECT_EQ(Text(hour), "2026-10-06 01:00:00");
  CALL(kathmandu, "toStartOfHour", {DateTime(k20hUtc), Str("Asia/Kathmandu")});
  EXPECT_EQ(IntOf(kathmandu), k20hUtc - 45 * 60);  // 01:00 NPT = 19:15 UTC
  EXPECT_EQ(Text(kathmandu), "2026-10-06 01:00:00");
  CALL(quarter, "toStartOfFifteenMinutes", {DateTime(k20hUtc + 200), Str("Asia/Kathmandu")});
  EXPECT_EQ(Text(quarter), "2026-10-06 01:45:00");
  CALL(second, "toStartOfSecond", {DateTime64(k20hUtc * 1000 + 250), Str("Asia/Tokyo")});
  EXPECT_EQ(second.value.type.Name(), "DateTime64(3, 'Asia/Tokyo')");
  EXPECT_EQ(Text(second), "2026-10-06 05:00:00.000");
  CALL(interval, "toStartOfInterval",
       {DateTime(k20hUtc), Interval(/*hour=*/2, 1), Str("Asia/Kolkata")});
  EXPECT_EQ(interval.value.type.Name(), "DateTime('Asia/Kolkata')");
  // Day-based results are calendar days: no zone.
  CALL(date, "toDate", {DateTime(k20hUtc), Str("Asia/Kolkata")});
  EXPECT_EQ(date.value.type.Name(), "Date");
  EXPECT_EQ(Text(date), "2026-10-06");
  CALL(month, "toStartOfMonth", {DateTime(k20hUtc), Str("Asia/Kolkata")});
  EXPECT_EQ(month.value.type.Name(), "Date");
  // Without a zone nothing changes: DateTime, UTC.
  CALL(utc_day, "toStartOfDay", {DateTime(k20hUtc)});
  EXPECT_EQ(utc_day.value.type.Name(), "DateTime");
  EXPECT_EQ(Text(utc_day), "2026-10-05 00:00:00");
}

TEST(TimeZoneTest, ToTimeZoneKeepsTheInstantAndLaterFunctionsUseTheZone) {
  CALL(tokyo, "toTimeZone", {DateTime64(k20hUtc * 1000 + 250), Str("Asia/Tokyo")});
  EXPECT_EQ(tokyo.value.type.Name(), "DateTime64(3, 'Asia/Tokyo')");
  EXPECT_EQ(IntOf(tokyo), k20hUtc * 1000 + 250);
  EXPECT_EQ(Text(tokyo), "2026-10-06 05:00:00.250");
  const CallArg zoned{tokyo.value};
  CALL(hour, "toHour", {zoned});
  EXPECT_EQ(IntOf(hour), 5);
  CALL(explicit_hour, "toHour", {zoned, Str("Europe/Berlin")});  // an explicit zone wins
  EXPECT_EQ(IntOf(explicit_hour), 22);
  CALL(date, "toDate", {zoned});
  EXPECT_EQ(Text(date), "2026-10-06");
  CALL(day, "toStartOfDay", {zoned});
  EXPECT_EQ(day.value.type.Name(), "DateTime('Asia/Tokyo')");
  EXPECT_EQ(Text(day), "2026-10-06 00:00:00");
  CALL(formatted, "formatDateTime", {zoned, Str("%F %T")});
  EXPECT_EQ(StrOf(formatted), "2026-10-06 05:00:00");
  CALL(unix, "toUnixTimestamp", {zoned});
  EXPECT_EQ(IntOf(unix), k20hUtc);
  CALL(as_datetime, "toDateTime", {zoned});
  EXPECT_EQ(as_datetime.value.type.Name(), "DateTime('Asia/Tokyo')");
  EXPECT_EQ(Text(as_datetime), "2026-10-06 05:00:00");
  CALL(in_berlin, "toString", {zoned, Str("Europe/Berlin")});
  EXPECT_EQ(StrOf(in_berlin), "2026-10-05 22:00:00.250");
  CALL(plain, "toDateTime", {zoned, Str("UTC")});
  EXPECT_EQ(plain.value.type.Name(), "DateTime('UTC')");
  EXPECT_EQ(Text(plain), "2026-10-05 20:00:00");
}

TEST(TimeZoneTest, ConstructorsTakeTheZone) {
  CALL(parsed, "toDateTime", {Str("2026-10-06 00:00:00"), Str("Asia/Kolkata")});
  EXPECT_EQ(parsed.value.type.Name(), "DateTime('Asia/Kolkata')");
  EXPECT_EQ(IntOf(parsed), kKolkataMidnight);
  EXPECT_EQ(Text(parsed), "2026-10-06 00:00:00");
  CALL(dt64, "toDateTime64",
       {Str("2026-10-06 00:00:00.5"), Int(3, TypeId::kUInt8), Str("Asia/Kolkata")});
  EXPECT_EQ(dt64.value.type.Name(), "DateTime64(3, 'Asia/Kolkata')");
  EXPECT_EQ(IntOf(dt64), kKolkataMidnight * 1000 + 500);
  CALL(from_unix, "fromUnixTimestamp", {Int(k20hUtc), Str("Asia/Kathmandu")});
  EXPECT_EQ(from_unix.value.type.Name(), "DateTime('Asia/Kathmandu')");
  EXPECT_EQ(Text(from_unix), "2026-10-06 01:45:00");
  CALL(best_effort, "parseDateTimeBestEffort", {Str("2026-10-06 00:00:00"), Str("Asia/Kolkata")});
  EXPECT_EQ(best_effort.value.type.Name(), "DateTime('Asia/Kolkata')");
  EXPECT_EQ(IntOf(best_effort), kKolkataMidnight);
  CALL(cast, "CAST", {Str("2026-10-06 00:00:00"), Str("DateTime('Asia/Kolkata')")});
  EXPECT_EQ(cast.value.type.Name(), "DateTime('Asia/Kolkata')");
  EXPECT_EQ(IntOf(cast), kKolkataMidnight);
  CALL(retyped, "CAST", {DateTime(k20hUtc), Str("DateTime('Asia/Kathmandu')")});
  EXPECT_EQ(IntOf(retyped), k20hUtc);
  EXPECT_EQ(Text(retyped), "2026-10-06 01:45:00");
  EXPECT_THAT(CallFunction("toDateTime", {Str("2026-10-06 00:00:00"), Str("Not/AZone")}),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(TimeZoneTest, NewYorkDaylightSavingTransitions) {
  // Spring forward: 01:59:59 EST is followed by 03:00:00 EDT.
  CALL(before, "toString", {ZonedDateTime(kNyBeforeGap, "America/New_York")});
  EXPECT_EQ(StrOf(before), "2026-03-08 01:59:59");
  CALL(after, "toString", {ZonedDateTime(kNyAfterGap, "America/New_York")});
  EXPECT_EQ(StrOf(after), "2026-03-08 03:00:00");
  CALL(spring_day, "toStartOfDay", {ZonedDateTime(kNyAfterGap, "America/New_York")});
  EXPECT_EQ(IntOf(spring_day), kNyAfterGap - 2 * 3600);  // 00:00 EST = 05:00 UTC
  CALL(spring_hour, "toStartOfHour", {ZonedDateTime(kNyAfterGap + 1800, "America/New_York")});
  EXPECT_EQ(IntOf(spring_hour), kNyAfterGap);
  EXPECT_EQ(Text(spring_hour), "2026-03-08 03:00:00");
  // A day later at the same wall-clock time, across the gap: 23 hours of elapsed time.
  CALL(next_day, "addDays",
       {ZonedDateTime(kNyBeforeGap - 14 * 3600, "America/New_York"), Int(1, TypeId::kUInt8)});
  EXPECT_EQ(next_day.value.type.Name(), "DateTime('America/New_York')");
  EXPECT_EQ(IntOf(next_day), kNyBeforeGap - 14 * 3600 + 23 * 3600);
  EXPECT_EQ(Text(next_day), "2026-03-08 11:59:59");

  // Fall back: 01:30 happens twice, EDT then EST; both print the same.
  CALL(first, "toString", {ZonedDateTime(kNyFirst0130, "America/New_York")});
  CALL(second, "toString", {ZonedDateTime(kNySecond0130, "America/New_York")});
  EXPECT_EQ(StrOf(first), "2026-11-01 01:30:00");
  EXPECT_EQ(StrOf(second), "2026-11-01 01:30:00");
  CALL(first_hour, "toStartOfHour", {ZonedDateTime(kNyFirst0130, "America/New_York")});
  EXPECT_EQ(IntOf(first_hour), kNyFirst0130 - 1800);
  CALL(second_hour, "toStartOfHour", {ZonedDateTime(kNySecond0130, "America/New_York")});
  EXPECT_EQ(IntOf(second_hour), kNySecond0130 - 1800);
  CALL(fall_day, "toStartOfDay", {ZonedDateTime(kNySecond0130 + 6 * 3600, "America/New_York")});
  EXPECT_EQ(IntOf(fall_day), kNyFirst0130 - 5400);  // 00:00 EDT = 04:00 UTC
  CALL(hours, "dateDiff",
       {Str("hour"), ZonedDateTime(kNyFirst0130, "America/New_York"),
        ZonedDateTime(kNySecond0130, "America/New_York")});
  EXPECT_EQ(IntOf(hours), 1);
}

TEST(TimeZoneTest, StringsComparedWithAZonedTimeAreItsWallClock) {
  const CallArg midnight = Column(ZonedDateTime(kKolkataMidnight, "Asia/Kolkata"));
  CALL(equal, "equals", {midnight, Str("2026-10-06 00:00:00")});
  EXPECT_EQ(IntOf(equal), 1);
  CALL(utc_equal, "equals", {Column(DateTime(kKolkataMidnight)), Str("2026-10-05 18:30:00")});
  EXPECT_EQ(IntOf(utc_equal), 1);
  // A Date against a zoned DateTime is the day's start in that zone: 10-06 starts at 18:30 UTC.
  CALL(date_equal, "equals", {midnight, Time(TypeId::kDate, 20732)});
  EXPECT_EQ(IntOf(date_equal), 1);
  const CallArg just_before = Column(ZonedDateTime64(kKolkataMidnight * 1000 - 1, "Asia/Kolkata"));
  CALL(date_less, "less", {Time(TypeId::kDate, 20732), just_before});
  EXPECT_EQ(IntOf(date_less), 0);
  // Instants compare, whatever the zones.
  CALL(same_instant, "equals",
       {ZonedDateTime(k20hUtc, "Asia/Tokyo"), ZonedDateTime(k20hUtc, "Europe/Berlin")});
  EXPECT_EQ(IntOf(same_instant), 1);
}

TEST(TimeZoneTest, BranchesTakeClickHousesSupertypeZone) {
  CALL(first, "if",
       {Int(1, TypeId::kUInt8), ZonedDateTime(k20hUtc, "Asia/Tokyo"),
        ZonedDateTime(k20hUtc, "Europe/Berlin")});
  EXPECT_EQ(first.value.type.Name(), "DateTime('Asia/Tokyo')");
  EXPECT_EQ(Text(first), "2026-10-06 05:00:00");
  // A Date branch becomes the day's start in the result's zone.
  CALL(
      date, "if",
      {Int(0, TypeId::kUInt8), ZonedDateTime(k20hUtc, "Asia/Kolkata"), Time(TypeId::kDate, 20732)});
  EXPECT_EQ(date.value.type.Name(), "DateTime('Asia/Kolkata')");
  EXPECT_EQ(IntOf(date), kKolkataMidnight);
  CALL(dt64, "if",
       {Int(1, TypeId::kUInt8), ZonedDateTime(k20hUtc, "Asia/Tokyo"),
        ZonedDateTime64(k20hUtc * 1000, "Europe/Berlin")});
  EXPECT_EQ(dt64.value.type.Name(), "DateTime64(3, 'Europe/Berlin')");
}

TEST(TimeZoneTest, OutputFormatsPrintTheZonesWallClock) {
  ResultSet result;
  result.row_count = 1;
  result.AddColumn("t", DataType::Time(TypeId::kDateTime, Zone("Asia/Kathmandu"))).ints = {k20hUtc};
  result.AddColumn("m", DataType::Time(TypeId::kDateTime64, Zone("Asia/Kolkata"))).ints = {
      k20hUtc * 1000 + 7};
  mua::Column& array = result.AddColumn(
      "a", DataType::ArrayOf(DataType::Time(TypeId::kDateTime, Zone("Asia/Tokyo"))));
  array.ints = {k20hUtc};
  array.array_offsets.push_back(1);
  std::string tsv;  // TabSeparated escapes the quotes of the type names, as ClickHouse's
  WriteResult(result, OutputFormat::kTabSeparatedWithNamesAndTypes, &tsv);
  EXPECT_EQ(tsv,
            "t\tm\ta\n"
            "DateTime(\\'Asia/Kathmandu\\')\tDateTime64(3, \\'Asia/Kolkata\\')\t"
            "Array(DateTime(\\'Asia/Tokyo\\'))\n"
            "2026-10-06 01:45:00\t2026-10-06 01:30:00.007\t['2026-10-06 05:00:00']\n");
  std::string json;
  WriteResult(result, OutputFormat::kJSONEachRow, &json);
  EXPECT_EQ(json,
            "{\"t\":\"2026-10-06 01:45:00\",\"m\":\"2026-10-06 01:30:00.007\","
            "\"a\":[\"2026-10-06 05:00:00\"]}\n");
  std::string csv;
  WriteResult(result, OutputFormat::kCSV, &csv);
  EXPECT_THAT(csv, HasSubstr("\"2026-10-06 01:45:00\",\"2026-10-06 01:30:00.007\""));
}

TEST(TimeZoneTest, FormatTimePrintsInTheTypesZone) {
  EXPECT_EQ(FormatTime(DataType::Time(TypeId::kDateTime, Zone("Asia/Kathmandu")), k20hUtc),
            "2026-10-06 01:45:00");
  EXPECT_EQ(FormatTime(DataType::Time(TypeId::kDateTime64, Zone("Asia/Kolkata")), k20hUtc * 1000),
            "2026-10-06 01:30:00.000");
  EXPECT_EQ(FormatTime(DataType::Of(TypeId::kDateTime), k20hUtc), "2026-10-05 20:00:00");
  EXPECT_EQ(FormatTime(DataType::Of(TypeId::kDate), 20732), "2026-10-06");
}

// Binary formats carry the instant, unchanged; the type name carries the zone.
TEST(TimeZoneTest, BinaryFormatsSendTheInstantAndTheZonedTypeName) {
  auto one_column = [](const DataType& type) {
    ResultSet result;
    result.row_count = 1;
    result.AddColumn("t", type).ints = {k20hUtc};
    return result;
  };
  const ResultSet zoned = one_column(DataType::Time(TypeId::kDateTime, Zone("Asia/Tokyo")));
  const ResultSet plain = one_column(DataType::Of(TypeId::kDateTime));
  for (OutputFormat format : {OutputFormat::kRowBinary, OutputFormat::kNative}) {
    std::string zoned_bytes, plain_bytes;
    WriteResult(zoned, format, &zoned_bytes);
    WriteResult(plain, format, &plain_bytes);
    if (format == OutputFormat::kRowBinary) {
      EXPECT_EQ(zoned_bytes, plain_bytes);
    } else {
      EXPECT_THAT(zoned_bytes, HasSubstr("DateTime('Asia/Tokyo')"));
      // The last four bytes are the UInt32 instant in both.
      EXPECT_EQ(zoned_bytes.substr(zoned_bytes.size() - 4),
                plain_bytes.substr(plain_bytes.size() - 4));
    }
  }
  std::string with_types;
  WriteResult(zoned, OutputFormat::kRowBinaryWithNamesAndTypes, &with_types);
  EXPECT_THAT(with_types, HasSubstr("DateTime('Asia/Tokyo')"));
}

}  // namespace
}  // namespace mua::test
