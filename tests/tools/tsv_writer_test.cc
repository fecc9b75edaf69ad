#include "tools/gen/tsv_writer.h"

#include <algorithm>
#include <string>
#include <vector>

#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testutil/status_matchers.h"
#include "tests/tools/collect_output.h"
#include "tools/gen/json_writer.h"

namespace mua::gen {
namespace {

GeneratedEvent Purchase() {
  GeneratedEvent event;
  event.event_time_ms = 1'790'863'387'123;  // 2026-10-01 14:03:07.123 UTC
  event.user_id = "u42";
  event.session_id = "1790863000000";
  event.event_id = "17";
  event.event_type = "purchase";
  event.platform = "ios";
  event.os_version = "18.1";
  event.app_version = "5.2.0";
  event.device_model = "iPhone 15";
  event.device_type = "phone";
  event.country = "BR";
  event.region = "São Paulo";
  event.city = "São Paulo";
  event.properties = R"({"item_id":"sku_7","price":9.99,"currency":"USD"})";
  return event;
}

std::string Row(const GeneratedEvent& event) {
  std::string out;
  AppendClickHouseTsvRow(event, &out);
  return out;
}

std::string Rows(const GeneratorOptions& options, JsonLinesStats* stats) {
  return CollectOutput(WriteClickHouseTsv, options, stats);
}

TEST(TsvWriterTest, RowHasTheFifteenColumnsInOrder) {
  EXPECT_EQ(Row(Purchase()),
            "2026-10-01 14:03:07\t1790863387123\tu42\t1790863000000\t17\tpurchase\tios\t18.1\t"
            "5.2.0\tiPhone 15\tphone\tBR\tSão Paulo\tSão Paulo\t"
            "{\"item_id\":\"sku_7\",\"price\":9.99,\"currency\":\"USD\"}\n");
}

TEST(TsvWriterTest, EventTimeIsUtcWithMillisecondsFloored) {
  GeneratedEvent event = Purchase();
  event.event_time_ms = 1'790'899'199'999;  // the last millisecond of 2026-10-01
  EXPECT_THAT(Row(event), ::testing::StartsWith("2026-10-01 23:59:59\t1790899199999\t"));
  event.event_time_ms = -1;  // floored, as Python's ms // 1000
  EXPECT_THAT(Row(event), ::testing::StartsWith("1969-12-31 23:59:59\t-1\t"));
}

TEST(TsvWriterTest, AbsentStringsAreEmptyAndAbsentPropertiesAnEmptyObject) {
  GeneratedEvent event = Purchase();
  event.session_id.clear();
  event.properties.clear();
  const std::vector<std::string> fields = absl::StrSplit(Row(event), '\t');
  ASSERT_EQ(fields.size(), 15u);
  EXPECT_EQ(fields[3], "");
  EXPECT_EQ(fields[14], "{}\n");
}

TEST(TsvWriterTest, EscapesTabSeparatedSpecialCharacters) {
  GeneratedEvent event = Purchase();
  event.city = std::string("a\\b\tc\nd\re\0f\bg\fh", 15);
  event.properties = R"({"query":"x\"y\\z"})";
  const std::vector<std::string> fields = absl::StrSplit(Row(event), '\t');
  ASSERT_EQ(fields.size(), 15u);
  EXPECT_EQ(fields[13], "a\\\\b\\tc\\nd\\re\\0f\\bg\\fh");
  EXPECT_EQ(fields[14], "{\"query\":\"x\\\\\"y\\\\\\\\z\"}\n");
}

TEST(TsvWriterTest, OneRowPerValidJsonLine) {
  GeneratorOptions options;
  options.users = 200;
  options.days = 7;
  options.duplicate_share = 0.05;
  JsonLinesStats tsv_stats;
  const std::string rows = Rows(options, &tsv_stats);
  std::string lines;
  auto json_stats = WriteJsonLines(options, [&lines](std::string& chunk) {
    lines.append(chunk);
    return absl::OkStatus();
  });
  ASSERT_OK(json_stats);
  EXPECT_GT(tsv_stats.events, 1000);
  EXPECT_GT(tsv_stats.duplicates, 0);
  EXPECT_EQ(tsv_stats.events, json_stats->events);
  EXPECT_EQ(tsv_stats.duplicates, json_stats->duplicates);
  EXPECT_EQ(tsv_stats.invalid, 0);
  EXPECT_EQ(tsv_stats.users, json_stats->users);
  EXPECT_EQ(std::count(rows.begin(), rows.end(), '\n'), tsv_stats.events);
}

TEST(TsvWriterTest, InvalidShareIsRejected) {
  GeneratorOptions options;
  options.users = 10;
  options.invalid_share = 0.01;
  auto result = WriteClickHouseTsv(options, [](std::string&) { return absl::OkStatus(); });
  EXPECT_THAT(result, test::StatusIs(absl::StatusCode::kInvalidArgument));
}

}  // namespace
}  // namespace mua::gen
