// MUA's REST JSON writes a DateTime('Zone') cell as the zone's wall clock, as ClickHouse's
// text formats do (its "meta" names the zoned type); epoch milliseconds stay the instant.
#include <string>

#include "gtest/gtest.h"
#include "query/result_set.h"
#include "query/time_zones.h"
#include "server/internal/json_api.h"

namespace mua::server_internal {
namespace {

std::string CellJson(const Column& column, JsonTimeStyle style) {
  rapidjson::StringBuffer buffer;
  JsonWriter writer(buffer);
  WriteCell(column, 0, style, &writer);
  return buffer.GetString();
}

TEST(JsonApiTimeZoneTest, ZonedTimesAreWrittenInTheirZone) {
  absl::StatusOr<uint16_t> tokyo = InternTimeZone("Asia/Tokyo");
  ASSERT_TRUE(tokyo.ok()) << tokyo.status();
  ResultSet result;
  result.row_count = 1;
  Column& zoned = result.AddColumn("t", DataType::Time(TypeId::kDateTime, *tokyo));
  zoned.ints = {1791230400};  // 2026-10-05 20:00:00 UTC
  EXPECT_EQ(CellJson(zoned, JsonTimeStyle::kText), "\"2026-10-06 05:00:00\"");
  EXPECT_EQ(CellJson(zoned, JsonTimeStyle::kEpochMillis), "1791230400000");
  Column& millis = result.AddColumn("m", DataType::Time(TypeId::kDateTime64, *tokyo));
  millis.ints = {1791230400250};
  EXPECT_EQ(CellJson(millis, JsonTimeStyle::kText), "\"2026-10-06 05:00:00.250\"");
  Column& plain = result.AddColumn("p", DataType::Of(TypeId::kDateTime));
  plain.ints = {1791230400};
  EXPECT_EQ(CellJson(plain, JsonTimeStyle::kText), "\"2026-10-05 20:00:00\"");
}

}  // namespace
}  // namespace mua::server_internal
