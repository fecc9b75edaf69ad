// MUA's REST JSON (and Grafana's text cells) write a DateTime('Zone') cell as the zone's wall
// clock, as ClickHouse's text formats do (its "meta" names the zoned type); epoch milliseconds stay
// the instant.
#include <string>

#include "gtest/gtest.h"
#include "query/result_set.h"
#include "query/time_zones.h"
#include "server/internal/json_api.h"
#include "server/internal/result_cells.h"

namespace mua::server_internal {
namespace {

Column OneTime(const DataType& type, int64_t value) {
  Column column;
  column.type = type;
  column.ints = {value};
  return column;
}

std::string CellJson(const Column& column, JsonTimeStyle style) {
  rapidjson::StringBuffer buffer;
  JsonWriter writer(buffer);
  WriteCell(column, 0, style, &writer);
  return buffer.GetString();
}

TEST(JsonApiTimeZoneTest, ZonedTimesAreWrittenInTheirZone) {
  absl::StatusOr<uint16_t> tokyo = InternTimeZone("Asia/Tokyo");
  ASSERT_TRUE(tokyo.ok()) << tokyo.status();
  const Column zoned = OneTime(DataType::Time(TypeId::kDateTime, *tokyo), 1791230400);  // 20:00 UTC
  EXPECT_EQ(CellJson(zoned, JsonTimeStyle::kText), "\"2026-10-06 05:00:00\"");
  EXPECT_EQ(CellJson(zoned, JsonTimeStyle::kEpochMillis), "1791230400000");
  const Column millis = OneTime(DataType::Time(TypeId::kDateTime64, *tokyo), 1791230400250);
  EXPECT_EQ(CellJson(millis, JsonTimeStyle::kText), "\"2026-10-06 05:00:00.250\"");
  const Column plain = OneTime(DataType::Of(TypeId::kDateTime), 1791230400);
  EXPECT_EQ(CellJson(plain, JsonTimeStyle::kText), "\"2026-10-05 20:00:00\"");
  // Grafana's text cells (variables, annotation titles) likewise.
  EXPECT_EQ(CellText(zoned, 0), "2026-10-06 05:00:00.000");
  EXPECT_EQ(CellText(plain, 0), "2026-10-05 20:00:00.000");
}

}  // namespace
}  // namespace mua::server_internal
