#include "tools/gen/anomaly_spec.h"

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "storage/base/time_util.h"
#include "tests/testutil/status_matchers.h"

namespace mua::gen {
namespace {

using ::mua::test::StatusIs;
using ::testing::HasSubstr;

constexpr int32_t kStartDay = 20727;  // 2026-10-01, GeneratorOptions' default

AnomalySpec Spec(const std::string& text) {
  absl::StatusOr<AnomalySpec> spec = ParseAnomalySpec(text);
  EXPECT_OK(spec);
  return spec.ok() ? *spec : AnomalySpec{};
}

TEST(AnomalySpecTest, EventsWithAnAbsoluteStart) {
  ASSERT_OK_AND_ASSIGN(const AnomalySpec spec, ParseAnomalySpec("events:2026-10-03T14:6:1.5"));
  EXPECT_EQ(spec.kind, AnomalyKind::kEvents);
  EXPECT_FALSE(spec.start_is_offset);
  EXPECT_EQ(spec.start_hour, int64_t{kStartDay + 2} * 24 + 14);
  EXPECT_EQ(AnomalyStartOffset(spec, kStartDay), 2 * 24 + 14);
  EXPECT_EQ(spec.hours, 6);
  EXPECT_DOUBLE_EQ(spec.factor, 1.5);
  EXPECT_EQ(spec.bots, 0);
  EXPECT_EQ(spec.crash_version, "");
}

TEST(AnomalySpecTest, OffsetStartsAndEveryKind) {
  const AnomalySpec users = Spec("users:0:1:0.5");
  EXPECT_EQ(users.kind, AnomalyKind::kUsers);
  EXPECT_TRUE(users.start_is_offset);
  EXPECT_EQ(AnomalyStartOffset(users, kStartDay), 0);
  EXPECT_DOUBLE_EQ(users.factor, 0.5);
  const AnomalySpec crash = Spec("crash:1500:24:3");
  EXPECT_EQ(crash.kind, AnomalyKind::kCrash);
  EXPECT_EQ(crash.crash_version, "");
  EXPECT_EQ(AnomalyStartOffset(crash, kStartDay), 1500);
  EXPECT_EQ(AnomalyStartOffset(crash, kStartDay + 1), 1500);  // an offset follows --start
  const AnomalySpec version = Spec("crash=4.3.1:2026-10-20T00:48:2");
  EXPECT_EQ(version.kind, AnomalyKind::kCrash);
  EXPECT_EQ(version.crash_version, "4.3.1");
  const AnomalySpec bots = Spec("bot:5:100:48:20");
  EXPECT_EQ(bots.kind, AnomalyKind::kBot);
  EXPECT_EQ(bots.bots, 5);
  EXPECT_EQ(AnomalyStartOffset(bots, kStartDay), 100);
  EXPECT_EQ(bots.hours, 48);
  EXPECT_DOUBLE_EQ(bots.factor, 20);
}

TEST(AnomalySpecTest, ToStringGivesAnAbsoluteStart) {
  EXPECT_EQ(AnomalyToString(Spec("events:26:6:1.5"), kStartDay), "events:2026-10-02T02:6:1.5");
  EXPECT_EQ(AnomalyToString(Spec("crash=4.3.1:2026-10-20T00:48:2"), kStartDay),
            "crash=4.3.1:2026-10-20T00:48:2");
  EXPECT_EQ(AnomalyToString(Spec("bot:5:0:48:20"), kStartDay), "bot:5:2026-10-01T00:48:20");
  EXPECT_EQ(AnomalyToString(Spec("users:2026-09-30T23:1:0.7"), kStartDay),
            "users:2026-09-30T23:1:0.7");
}

TEST(AnomalySpecTest, MalformedSpecsAreInvalidArguments) {
  const std::vector<std::string> bad = {
      "",
      "events",
      "events:1:1",
      "events:1:1:1.5:extra",
      "spike:1:1:1.5",  // unknown kind
      "Events:1:1:1.5",
      "crash=:1:1:2",       // empty version
      "crash=9.9.9:1:1:2",  // unknown version
      "bot:1:1:1",          // no count
      "bot:0:1:1:20",
      "bot:-1:1:1:20",
      "bot:x:1:1:20",
      "bot:10001:1:1:20",
      "events::1:1.5",  // start
      "events:-1:1:1.5",
      "events:+1:1:1.5",
      "events:1h:1:1.5",
      "events:2026-10-03:1:1.5",  // day without an hour
      "events:2026-10-03T24:1:1.5",
      "events:2026-10-03T7:1:1.5",
      "events:2026-10-03 07:1:1.5",
      "events:2026-13-03T07:1:1.5",
      "events:99999999999999999999:1:1.5",
      "events:1:0:1.5",  // hours
      "events:1:-2:1.5",
      "events:1:x:1.5",
      "events:1:1.5:1.5",
      "events:1:1:0",  // factor
      "events:1:1:-1",
      "events:1:1:nan",
      "events:1:1:inf",
      "events:1:1:100.5",
      "events:1:1:x",
      "events:1:1:",
  };
  for (const std::string& text : bad) {
    EXPECT_THAT(ParseAnomalySpec(text), StatusIs(absl::StatusCode::kInvalidArgument)) << text;
  }
}

TEST(AnomalySpecTest, ErrorsNameTheSpecAndThePart) {
  const std::string factor(ParseAnomalySpec("events:10:2:zero").status().message());
  EXPECT_THAT(factor, HasSubstr("anomaly 'events:10:2:zero'"));
  EXPECT_THAT(factor, HasSubstr("factor 'zero'"));
  const std::string version(ParseAnomalySpec("crash=5.0:1:1:2").status().message());
  EXPECT_THAT(version, HasSubstr("crash version '5.0' must be one of 4.2.0, 4.2.1"));
  EXPECT_THAT(std::string(ParseAnomalySpec("events:2026-10-03T7:1:2").status().message()),
              HasSubstr("YYYY-MM-DDTHH"));
}

TEST(AnomalySpecTest, ValidateChecksTheWindowsTogether) {
  // A 7-day period has hours [0, 168).
  EXPECT_OK(ValidateAnomalies({}, kStartDay, 7));
  EXPECT_OK(ValidateAnomalies({Spec("events:0:168:1.5")}, kStartDay, 7));
  EXPECT_THAT(ValidateAnomalies({Spec("events:0:169:1.5")}, kStartDay, 7),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(ValidateAnomalies({Spec("events:2026-09-30T23:2:1.5")}, kStartDay, 7),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_OK(ValidateAnomalies({Spec("events:2026-10-07T23:1:1.5")}, kStartDay, 7));
  EXPECT_THAT(ValidateAnomalies({Spec("events:2026-10-08T00:1:1.5")}, kStartDay, 7),
              StatusIs(absl::StatusCode::kInvalidArgument));
  // Same kind: no overlap (touching is fine); different kinds and bots may overlap.
  EXPECT_OK(ValidateAnomalies({Spec("events:10:5:1.5"), Spec("events:15:5:0.5")}, kStartDay, 7));
  const absl::Status overlap =
      ValidateAnomalies({Spec("events:10:5:1.5"), Spec("events:14:5:0.5")}, kStartDay, 7);
  EXPECT_THAT(overlap, StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(std::string(overlap.message()), HasSubstr("overlap"));
  EXPECT_OK(ValidateAnomalies({Spec("events:10:5:1.5"), Spec("users:10:5:0.5"),
                               Spec("crash:10:5:2"), Spec("bot:2:10:5:20"), Spec("bot:3:10:5:10")},
                              kStartDay, 7));
  EXPECT_THAT(ValidateAnomalies({Spec("crash:10:5:2"), Spec("crash=4.2.0:12:5:2")}, kStartDay, 7),
              StatusIs(absl::StatusCode::kInvalidArgument));
  // 4.4.0 comes out on day floor(0.85 * 10) = 8 of a 10-day period.
  EXPECT_OK(ValidateAnomalies({Spec("crash=4.4.0:192:1:2")}, kStartDay, 10));
  const absl::Status early = ValidateAnomalies({Spec("crash=4.4.0:190:2:2")}, kStartDay, 10);
  EXPECT_THAT(early, StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(std::string(early.message()), HasSubstr("released on day 8 (2026-10-09)"));
  EXPECT_THAT(ValidateAnomalies({Spec("bot:6000:0:1:20"), Spec("bot:4001:0:1:20")}, kStartDay, 7),
              StatusIs(absl::StatusCode::kInvalidArgument));
  std::vector<AnomalySpec> many(kMaxAnomalies + 1, Spec("bot:1:0:1:20"));
  EXPECT_THAT(ValidateAnomalies(many, kStartDay, 7), StatusIs(absl::StatusCode::kInvalidArgument));
  many.pop_back();
  EXPECT_OK(ValidateAnomalies(many, kStartDay, 7));
}

}  // namespace
}  // namespace mua::gen
