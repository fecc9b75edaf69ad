// Time functions with time zones, DateTime64(3) conversions, formatDateTime,
// parseDateTimeBestEffort, dateAdd/dateDiff units and JSONExtract's typed form,
// with ClickHouse's results.
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "storage/base/calendar.h"
#include "tests/query/scalar_call.h"
#include "tests/testutil/status_matchers.h"

namespace mua::test {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

#define CALL(result, ...) ASSERT_OK_AND_ASSIGN(CallResult result, CallFunction(__VA_ARGS__))

constexpr int64_t kDay = 20731;                        // 2026-10-05, a Monday
constexpr int64_t kSeconds = kDay * 86400 + 50587;    // 2026-10-05 14:03:07 UTC
constexpr int64_t kMillis = kSeconds * 1000 + 123;    // ... .123

CallArg DateTime(int64_t seconds) { return Time(TypeId::kDateTime, seconds); }
CallArg DateTime64(int64_t millis) { return Time(TypeId::kDateTime64, millis); }
CallArg Date(int64_t day) { return Time(TypeId::kDate, day); }

TEST(TimeZoneFunctionsTest, ZoneArgumentsAreHonoured) {
  CALL(hour, "toHour", {DateTime(kSeconds), Str("Asia/Tokyo")});
  EXPECT_EQ(IntOf(hour), 23);
  CALL(utc_hour, "toHour", {DateTime(kSeconds)});
  EXPECT_EQ(IntOf(utc_hour), 14);
  CALL(minute, "toMinute", {DateTime(kSeconds), Str("Asia/Kolkata")});
  EXPECT_EQ(IntOf(minute), 33);
  // 20:00 UTC is the next day in Tokyo.
  CALL(date, "toDate", {DateTime(kDay * 86400 + 20 * 3600), Str("Asia/Tokyo")});
  EXPECT_EQ(IntOf(date), kDay + 1);
  CALL(day_of_week, "toDayOfWeek", {DateTime(kDay * 86400 + 20 * 3600), Str("Asia/Tokyo")});
  EXPECT_EQ(IntOf(day_of_week), 2);
  CALL(start_of_day, "toStartOfDay", {DateTime(kSeconds), Str("Asia/Tokyo")});
  EXPECT_EQ(IntOf(start_of_day), kDay * 86400 - 9 * 3600);  // 2026-10-05 00:00 JST
  CALL(start_of_hour, "toStartOfHour", {DateTime(kSeconds), Str("Asia/Kolkata")});
  EXPECT_EQ(IntOf(start_of_hour), kSeconds - 3 * 60 - 7 + 30 * 60 - 3600);  // 19:00 IST
  CALL(month, "toStartOfMonth", {DateTime(kDay * 86400 - 3600), Str("Asia/Tokyo")});
  EXPECT_EQ(IntOf(month), kDay - 4);  // 2026-10-04 23:00 UTC is October 5 in Tokyo
  CALL(yyyymmdd, "toYYYYMMDD", {DateTime64(kMillis), Str("America/New_York")});
  EXPECT_EQ(IntOf(yyyymmdd), 20261005);
  CALL(to_date_time, "toDateTime", {Str("2026-10-05 23:03:07"), Str("Asia/Tokyo")});
  EXPECT_EQ(IntOf(to_date_time), kSeconds);
  CALL(week, "toStartOfWeek", {DateTime(kDay * 86400 - 3600), Int(1, TypeId::kUInt8), Str("Asia/Tokyo")});
  EXPECT_EQ(IntOf(week), kDay);  // Monday in Tokyo
}

TEST(TimeZoneFunctionsTest, UnknownZonesAreErrors) {
  absl::StatusOr<CallResult> bad = CallFunction("toDate", {DateTime(kSeconds), Str("Not/AZone")});
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(bad.status().message()), HasSubstr("Not/AZone"));
  EXPECT_THAT(CallFunction("toHour", {DateTime(kSeconds), Str("../etc/passwd")}),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(CallFunction("toTimeZone", {DateTime(kSeconds), Str("Mars/Base")}),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(CallFunction("formatDateTime", {DateTime(kSeconds), Str("%F"), Str("Nowhere")}),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(TimeZoneFunctionsTest, DateTime64ConvertsLikeADecimalOfSeconds) {
  CALL(int64, "toInt64", {DateTime64(kMillis)});
  EXPECT_EQ(IntOf(int64), kSeconds);
  CALL(uint32, "toUInt32", {DateTime64(kMillis)});
  EXPECT_EQ(IntOf(uint32), kSeconds);
  CALL(float64, "toFloat64", {DateTime64(kMillis)});
  EXPECT_DOUBLE_EQ(FloatOf(float64), kSeconds + 0.123);
  CALL(before_epoch, "toInt64", {DateTime64(-1500)});
  EXPECT_EQ(IntOf(before_epoch), -1);  // truncated toward zero
  CALL(date_time, "toDateTime", {DateTime64(kMillis)});
  EXPECT_EQ(IntOf(date_time), kSeconds);
  CALL(date, "toDate", {DateTime64(kMillis)});
  EXPECT_EQ(IntOf(date), kDay);
  CALL(from_seconds, "toDateTime64", {Float(1.5), Int(3, TypeId::kUInt8)});
  EXPECT_EQ(IntOf(from_seconds), 1500);
  CALL(text, "toString", {DateTime64(kMillis)});
  EXPECT_EQ(StrOf(text), "2026-10-05 14:03:07.123");
}

TEST(TimeZoneFunctionsTest, UnixTimestamps) {
  CALL(seconds, "toUnixTimestamp", {DateTime(kSeconds)});
  EXPECT_EQ(seconds.value.type, DataType::Of(TypeId::kUInt32));
  EXPECT_EQ(IntOf(seconds), kSeconds);
  CALL(of_dt64, "toUnixTimestamp", {DateTime64(kMillis)});
  EXPECT_EQ(IntOf(of_dt64), kSeconds);
  // ClickHouse's documented example.
  CALL(text, "toUnixTimestamp", {Str("2017-11-05 08:07:47"), Str("Asia/Tokyo")});
  EXPECT_EQ(IntOf(text), 1509836867);
  CALL(millis, "toUnixTimestamp64Milli", {DateTime64(kMillis)});
  EXPECT_EQ(IntOf(millis), kMillis);
  EXPECT_THAT(CallFunction("toUnixTimestamp64Milli", {DateTime(kSeconds)}),
              StatusIs(absl::StatusCode::kInvalidArgument));
  CALL(from_millis, "fromUnixTimestamp64Milli", {Int(kMillis)});
  EXPECT_EQ(from_millis.value.type, DataType::Of(TypeId::kDateTime64));
  EXPECT_EQ(IntOf(from_millis), kMillis);
  CALL(from_seconds, "fromUnixTimestamp", {Int(423543535)});
  EXPECT_EQ(IntOf(from_seconds), 423543535);
  CALL(formatted, "fromUnixTimestamp", {Int(1234334543), Str("%Y-%m-%d %R:%S")});
  EXPECT_EQ(StrOf(formatted), "2009-02-11 06:42:23");
}

TEST(TimeZoneFunctionsTest, FormatDateTime) {
  const int64_t t = 17533 * 86400 + 22 * 3600 + 33 * 60 + 44;  // 2018-01-02 22:33:44, a Tuesday
  CALL(all, "formatDateTime",
       {DateTime(t), Str("%a %b %c %C %d %D %e %F %g %G %h %H %i %I %j %k %l %m %M %p %Q %r %R %s %S "
                         "%T %u %V %w %W %y %Y %z %% %f")});
  EXPECT_EQ(StrOf(all),
            "Tue Jan 01 20 02 01/02/18  2 2018-01-02 18 2018 10 22 33 10 002 22 10 01 January PM 1 "
            "10:33 PM 22:33 44 44 22:33:44 2 01 2 Tuesday 18 2018 +0000 % 000000");
  CALL(fraction, "formatDateTime", {DateTime64(kMillis), Str("%T.%f")});
  EXPECT_EQ(StrOf(fraction), "14:03:07.123");
  CALL(zoned, "formatDateTime", {DateTime(t), Str("%F %R %z"), Str("Asia/Kolkata")});
  EXPECT_EQ(StrOf(zoned), "2018-01-03 04:03 +0530");
  CALL(date, "formatDateTime", {Date(17533), Str("%F %T")});
  EXPECT_EQ(StrOf(date), "2018-01-02 00:00:00");
  CALL(iso_week, "formatDateTime", {Date(DaysFromCivil(2010, 1, 3)), Str("%G-W%V-%u %g")});
  EXPECT_EQ(StrOf(iso_week), "2009-W53-7 09");
  EXPECT_THAT(CallFunction("formatDateTime", {DateTime(t), Str("%A")}),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(CallFunction("formatDateTime", {DateTime(t), Column(Str("%F"))}),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(TimeZoneFunctionsTest, ParseDateTimeBestEffort) {
  for (absl::string_view text :
       {"2026-10-05T14:03:07Z", "2026-10-05 14:03:07", "05/10/2026 14:03:07",
        "Mon, 05 Oct 2026 14:03:07 GMT", "1791208987", "20261005140307", "Oct 5 2026 2:03:07 PM",
        "5 October 2026 14:03:07", "2026-10-05 16:03:07+02:00", "2026-10-05T09:03:07-0500",
        "2026/10/05 14:03:07.999"}) {
    ASSERT_OK_AND_ASSIGN(CallResult r, CallFunction("parseDateTimeBestEffort", {Str(text)}));
    EXPECT_EQ(IntOf(r), kSeconds) << text;
  }
  CALL(date_only, "parseDateTimeBestEffort", {Str("2026-10-05")});
  EXPECT_EQ(IntOf(date_only), kDay * 86400);
  CALL(zoned, "parseDateTimeBestEffort", {Str("2026-10-05 23:03:07"), Str("Asia/Tokyo")});
  EXPECT_EQ(IntOf(zoned), kSeconds);
  CALL(dt64, "parseDateTime64BestEffort", {Str("2026-10-05 14:03:07.123")});
  EXPECT_EQ(IntOf(dt64), kMillis);
  CALL(null, "parseDateTimeBestEffortOrNull", {Str("not a date")});
  EXPECT_TRUE(IsNullOf(null));
  CALL(not_null, "parseDateTimeBestEffortOrNull", {Str("2026-10-05 14:03:07")});
  EXPECT_FALSE(IsNullOf(not_null));
  EXPECT_EQ(IntOf(not_null), kSeconds);
  CALL(zero, "parseDateTimeBestEffortOrZero", {Str("2026-02-30")});
  EXPECT_EQ(IntOf(zero), 0);
  EXPECT_THAT(CallFunction("parseDateTimeBestEffort", {Str("garbage")}),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(TimeZoneFunctionsTest, StartOfMinutesAndSecond) {
  const int64_t t = kDay * 86400 + 14 * 3600 + 17 * 60 + 59;  // 14:17:59
  CALL(fifteen, "toStartOfFifteenMinutes", {DateTime(t)});
  EXPECT_EQ(IntOf(fifteen), t - 2 * 60 - 59);
  CALL(ten, "toStartOfTenMinutes", {DateTime(t)});
  EXPECT_EQ(IntOf(ten), t - 7 * 60 - 59);
  CALL(five, "toStartOfFiveMinutes", {DateTime64(t * 1000 + 5)});
  EXPECT_EQ(five.value.type, DataType::Of(TypeId::kDateTime));
  EXPECT_EQ(IntOf(five), t - 2 * 60 - 59);
  CALL(second, "toStartOfSecond", {DateTime64(kMillis)});
  EXPECT_EQ(second.value.type, DataType::Of(TypeId::kDateTime64));
  EXPECT_EQ(IntOf(second), kSeconds * 1000);
  EXPECT_THAT(CallFunction("toStartOfSecond", {DateTime(kSeconds)}),
              StatusIs(absl::StatusCode::kInvalidArgument));
  CALL(ms_interval, "toStartOfInterval", {DateTime64(kMillis), Interval(8, 100)});
  EXPECT_EQ(IntOf(ms_interval), kSeconds * 1000 + 100);
}

TEST(TimeZoneFunctionsTest, DateAddWithUnits) {
  CALL(day, "dateAdd", {Str("day"), Int(1), Date(kDay)});
  EXPECT_EQ(day.value.type, DataType::Of(TypeId::kDate));
  EXPECT_EQ(IntOf(day), kDay + 1);
  CALL(upper, "DATE_ADD", {Str("DAYS"), Int(2), Date(kDay)});
  EXPECT_EQ(IntOf(upper), kDay + 2);
  CALL(hour, "dateAdd", {Str("hour"), Int(2), DateTime(kSeconds)});
  EXPECT_EQ(IntOf(hour), kSeconds + 7200);
  CALL(month, "dateSub", {Str("month"), Int(1), Date(DaysFromCivil(2026, 3, 31))});
  EXPECT_EQ(IntOf(month), DaysFromCivil(2026, 2, 28));
  CALL(interval_form, "date_add", {Date(kDay), Interval(4, 1)});  // INTERVAL 1 WEEK
  EXPECT_EQ(IntOf(interval_form), kDay + 7);
  CALL(timestamp, "timestamp_sub", {DateTime(kSeconds), Interval(1, 3)});  // INTERVAL 3 MINUTE
  EXPECT_EQ(IntOf(timestamp), kSeconds - 180);
  CALL(millis, "dateAdd", {Str("millisecond"), Int(5), DateTime64(kMillis)});
  EXPECT_EQ(IntOf(millis), kMillis + 5);
  CALL(millis_on_seconds, "addMilliseconds", {DateTime(kSeconds), Int(1500)});
  EXPECT_EQ(millis_on_seconds.value.type, DataType::Of(TypeId::kDateTime64));
  EXPECT_EQ(IntOf(millis_on_seconds), kSeconds * 1000 + 1500);
  CALL(dt64_day, "addDays", {DateTime64(kMillis), Int(1)});
  EXPECT_EQ(IntOf(dt64_day), kMillis + 86'400'000);
  CALL(yesterday, "yesterday", {});
  CALL(today, "today", {});
  EXPECT_EQ(IntOf(yesterday), IntOf(today) - 1);
  EXPECT_THAT(CallFunction("dateAdd", {Str("fortnight"), Int(1), Date(kDay)}),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(TimeZoneFunctionsTest, DateDiffUnits) {
  CALL(ms, "dateDiff", {Str("millisecond"), DateTime64(kMillis), DateTime64(kMillis + 1877)});
  EXPECT_EQ(IntOf(ms), 1877);
  CALL(ms_seconds, "dateDiff", {Str("ms"), DateTime(kSeconds), DateTime(kSeconds + 2)});
  EXPECT_EQ(IntOf(ms_seconds), 2000);
  CALL(us, "dateDiff", {Str("microsecond"), DateTime64(kMillis), DateTime64(kMillis + 2)});
  EXPECT_EQ(IntOf(us), 2000);
  // Second boundaries crossed: .900 to the next second's .100 is 1.
  CALL(second, "dateDiff", {Str("second"), DateTime64(kSeconds * 1000 + 900),
                             DateTime64(kSeconds * 1000 + 1100)});
  EXPECT_EQ(IntOf(second), 1);
  CALL(mixed, "dateDiff", {Str("ms"), Date(kDay), DateTime64(kDay * 86'400'000 + 5)});
  EXPECT_EQ(IntOf(mixed), 5);
  // Days in Tokyo: 2026-10-05 14:03 UTC (23:03 JST) to 16:00 UTC (01:00 JST next day).
  CALL(zoned, "dateDiff", {Str("day"), DateTime(kSeconds), DateTime(kDay * 86400 + 16 * 3600),
                           Str("Asia/Tokyo")});
  EXPECT_EQ(IntOf(zoned), 1);
}

TEST(TimeZoneFunctionsTest, ToTimeZoneAndServerZone) {
  CALL(same, "toTimeZone", {DateTime(kSeconds), Str("Asia/Tokyo")});
  EXPECT_EQ(IntOf(same), kSeconds);
  CALL(zone, "timeZone", {});
  EXPECT_EQ(StrOf(zone), "UTC");
  CALL(iso, "toISOWeek", {Date(kDay)});
  EXPECT_EQ(IntOf(iso), 41);
  CALL(sunday_mode, "toDayOfWeek", {Date(kDay), Int(2, TypeId::kUInt8)});
  EXPECT_EQ(IntOf(sunday_mode), 1);
  CALL(monday_zero, "toDayOfWeek", {Date(kDay), Int(1, TypeId::kUInt8)});
  EXPECT_EQ(IntOf(monday_zero), 0);
}

TEST(JsonExtractTypedTest, ScalarsNullablesAndArrays) {
  const char* json = R"({"a": 42, "b": "text", "c": [1, 2, 3], "d": {"x": 1, "y": [true]},
                        "e": ["p", "q"], "f": 1.5, "n": null})";
  CALL(uint, "JSONExtract", {Str(json), Str("a"), Str("UInt64")});
  EXPECT_EQ(uint.value.type, DataType::Of(TypeId::kUInt64));
  EXPECT_EQ(IntOf(uint), 42);
  CALL(text, "JSONExtract", {Str(json), Str("b"), Str("String")});
  EXPECT_EQ(StrOf(text), "text");
  CALL(real, "JSONExtract", {Str(json), Str("f"), Str("Float64")});
  EXPECT_EQ(FloatOf(real), 1.5);
  CALL(int8, "JSONExtract", {Str(R"({"a": 300})"), Str("a"), Str("Int8")});
  EXPECT_EQ(IntOf(int8), 0);  // out of range: the default
  CALL(missing, "JSONExtract", {Str(json), Str("zz"), Str("Nullable(Int64)")});
  EXPECT_EQ(missing.value.type, DataType::Nullable(TypeId::kInt64));
  EXPECT_TRUE(IsNullOf(missing));
  CALL(null_value, "JSONExtract", {Str(json), Str("n"), Str("Nullable(String)")});
  EXPECT_TRUE(IsNullOf(null_value));
  CALL(present, "JSONExtract", {Str(json), Str("a"), Str("Nullable(Int64)")});
  EXPECT_FALSE(IsNullOf(present));
  EXPECT_EQ(IntOf(present), 42);
  CALL(strings, "JSONExtract", {Str(json), Str("e"), Str("Array(String)")});
  EXPECT_EQ(strings.value.type, DataType::Array(TypeId::kString));
  EXPECT_THAT(StrArrayOf(strings), ElementsAre("p", "q"));
  CALL(ints, "JSONExtract", {Str(json), Str("c"), Str("Array(Int64)")});
  EXPECT_THAT(std::vector<int64_t>(ints.value.ints.begin(), ints.value.ints.end()), ElementsAre(1, 2, 3));
  CALL(nested, "JSONExtract", {Str(json), Str("d"), Str("x"), Str("Int32")});
  EXPECT_EQ(IntOf(nested), 1);
  EXPECT_THAT(CallFunction("JSONExtract", {Str(json), Str("a"), Str("Decimal(9, 2)")}),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(JsonExtractTypedTest, KeysRawLengthType) {
  const char* json = R"({"a": "hello", "b": [-100, 200.0, "hello"], "c": {"x": 1, "y": 2}})";
  CALL(keys, "JSONExtractKeys", {Str(json)});
  EXPECT_THAT(StrArrayOf(keys), ElementsAre("a", "b", "c"));
  CALL(inner_keys, "JSONExtractKeys", {Str(json), Str("c")});
  EXPECT_THAT(StrArrayOf(inner_keys), ElementsAre("x", "y"));
  CALL(raw_array, "JSONExtractArrayRaw", {Str(json), Str("b")});
  EXPECT_THAT(StrArrayOf(raw_array), ElementsAre("-100", "200", "\"hello\""));
  CALL(raw, "JSONExtractRaw", {Str(json), Str("c")});
  EXPECT_EQ(StrOf(raw), R"({"x":1,"y":2})");
  CALL(length, "JSONLength", {Str(json), Str("b")});
  EXPECT_EQ(IntOf(length), 3);
  CALL(object_length, "JSONLength", {Str(json)});
  EXPECT_EQ(IntOf(object_length), 3);
  CALL(scalar_length, "JSONLength", {Str(json), Str("a")});
  EXPECT_EQ(IntOf(scalar_length), 0);
  CALL(type_object, "JSONType", {Str(json)});
  EXPECT_EQ(StrOf(type_object), "Object");
  CALL(type_string, "JSONType", {Str(json), Str("a")});
  EXPECT_EQ(StrOf(type_string), "String");
  CALL(type_array, "JSONType", {Str(json), Str("b")});
  EXPECT_EQ(StrOf(type_array), "Array");
  CALL(type_int, "JSONType", {Str(json), Str("b"), Int(1)});
  EXPECT_EQ(StrOf(type_int), "Int64");
}

}  // namespace
}  // namespace mua::test
