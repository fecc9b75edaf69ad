// Time ranges, durations and bucket choice for Grafana requests.
#include "server/internal/grafana_scope.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "rapidjson/document.h"
#include "tests/testutil/event_builder.h"
#include "tests/testutil/status_matchers.h"

namespace mua::server_internal {
namespace {

using test::MillisAt;
using test::StatusIs;

absl::StatusOr<std::optional<TimeRange>> RangeOf(const char* request_json) {
  rapidjson::Document request;
  request.Parse(request_json);
  return ParseOptionalRange(request);
}

// The value, or -1 for an error.
int64_t MillisOr(const absl::StatusOr<int64_t>& millis) { return millis.ok() ? *millis : -1; }

TEST(GrafanaScopeTest, RangeAcceptsIsoWithOffsetsAndEpochMillis) {
  ASSERT_OK_AND_ASSIGN(
      std::optional<TimeRange> range,
      RangeOf(
          R"({"range": {"from": "2024-05-01T10:00:00.000Z", "to": "2024-05-01T13:00:00+02:00"}})"));
  ASSERT_TRUE(range.has_value());
  EXPECT_EQ(range->from_ms, MillisAt("2024-05-01T10:00:00"));
  EXPECT_EQ(range->to_ms, MillisAt("2024-05-01T11:00:00"));
  ASSERT_OK_AND_ASSIGN(range,
                       RangeOf(R"({"timeRange": {"from": 1714557600123, "to": 1714561200000}})"));
  EXPECT_EQ(range->from_ms, 1714557600123);
  ASSERT_OK_AND_ASSIGN(range, RangeOf("{}"));
  EXPECT_FALSE(range.has_value());
}

TEST(GrafanaScopeTest, BadRangesAreInvalidArgument) {
  EXPECT_THAT(RangeOf(R"({"range": {"from": "now-6h", "to": "now"}})"),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(
      RangeOf(R"({"range": {"from": "2024-05-02T00:00:00Z", "to": "2024-05-01T00:00:00Z"}})"),
      StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(RangeOf(R"({"range": {"from": "2024-05-02T00:00:00Z"}})"),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(RangeOf(R"({"range": "today"})"), StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(GrafanaScopeTest, DurationsInGrafanaUnits) {
  EXPECT_EQ(MillisOr(ParseDurationMillis("500ms")), 500);
  EXPECT_EQ(MillisOr(ParseDurationMillis("30s")), 30'000);
  EXPECT_EQ(MillisOr(ParseDurationMillis("5m")), 300'000);
  EXPECT_EQ(MillisOr(ParseDurationMillis("2h")), 7'200'000);
  EXPECT_EQ(MillisOr(ParseDurationMillis("1d")), 86'400'000);
  EXPECT_EQ(MillisOr(ParseDurationMillis(" 3600 ")), 3'600'000);
  EXPECT_THAT(ParseDurationMillis("1y"), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(ParseDurationMillis("h"), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(ParseDurationMillis("99999999999999s"), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(ParseDurationMillis("999999999999w"), StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(GrafanaScopeTest, BucketIsTheSmallestNiceWidthCoveringTheHint) {
  const TimeRange hour{0, 3'600'000};
  EXPECT_EQ(ChooseBucket(hour, 5'000, 720).millis, 5'000);  // 1 h / 720 = 5 s
  EXPECT_EQ(ChooseBucket(hour, 0, 100).millis, 60'000);     // 36 s -> 1 m
  EXPECT_EQ(ChooseBucket(hour, 0, 0).millis, 1'000);        // no hint
  const TimeRange month{0, 30 * kMillisPerDayInScope};
  EXPECT_EQ(ChooseBucket(month, 3'600'000, 1000).millis,
            kMillisPerHour);  // 43.2 min < the 1 h hint
  EXPECT_EQ(ChooseBucket(month, 0, 10).millis,
            kMillisPerDayInScope);  // 3 days wanted: capped at 1 day
}

TEST(GrafanaScopeTest, BucketSpellsItsIntervalAndEnumeratesStarts) {
  EXPECT_EQ(Bucket{kMillisPerDayInScope}.SqlInterval(), "INTERVAL 1 DAY");
  EXPECT_EQ(Bucket{6 * kMillisPerHour}.SqlInterval(), "INTERVAL 6 HOUR");
  EXPECT_EQ(Bucket{15 * kMillisPerMinute}.SqlInterval(), "INTERVAL 15 MINUTE");
  EXPECT_EQ(Bucket{30'000}.SqlInterval(), "INTERVAL 30 SECOND");
  const Bucket hour{kMillisPerHour};
  const TimeRange range{MillisAt("2024-05-01T10:30:00"), MillisAt("2024-05-01T12:00:00")};
  EXPECT_THAT(hour.Starts(range), ::testing::ElementsAre(MillisAt("2024-05-01T10:00:00"),
                                                         MillisAt("2024-05-01T11:00:00")));
  EXPECT_EQ(hour.BucketCount(range), 2);
  EXPECT_EQ(hour.Floor(-1), -kMillisPerHour);
}

TEST(GrafanaScopeTest, BucketOverrideMustDivideADay) {
  ASSERT_OK_AND_ASSIGN(std::optional<Bucket> bucket, ParseBucketOverride("auto"));
  EXPECT_FALSE(bucket.has_value());
  ASSERT_OK_AND_ASSIGN(bucket, ParseBucketOverride("1h"));
  EXPECT_EQ(bucket->millis, kMillisPerHour);
  EXPECT_THAT(ParseBucketOverride("7m"), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(ParseBucketOverride("2d"), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(ParseBucketOverride("500ms"), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(CheckBucketCount(TimeRange{0, 365 * kMillisPerDayInScope}, Bucket{1'000}),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(GrafanaScopeTest, TimeLiteralIsUtcWithMillis) {
  EXPECT_EQ(SqlTimeLiteral(MillisAt("2024-05-01T10:00:00") + 7), "'2024-05-01 10:00:00.007'");
}

}  // namespace
}  // namespace mua::server_internal
