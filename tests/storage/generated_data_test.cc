// Storage on mua-gen data: bitmaps and scans agree with brute force over the
// generated events, across heads, seals and late (next-day) events.
#include <map>
#include <set>
#include <string>

#include "gtest/gtest.h"
#include "storage/base/time_util.h"
#include "storage/table.h"
#include "tests/testutil/status_matchers.h"
#include "tools/gen/event_generator.h"

namespace mua {
namespace {

TEST(GeneratedDataTest, BitmapsAndScansMatchBruteForce) {
  gen::EventGenerator generator({.users = 1500, .days = 6, .seed = 7});
  Table table(TableOptions{.segment_rows = 9000});
  std::map<int32_t, std::set<std::string>> users_by_day;
  std::map<std::pair<int32_t, std::string>, std::set<std::string>> users_by_day_type;
  std::map<int32_t, uint64_t> rows_by_day;
  std::map<std::string, uint64_t> rows_by_country;
  std::vector<gen::GeneratedEvent> day;
  uint64_t total = 0;
  int day_number = 0;
  while (generator.NextDay(&day)) {
    std::vector<EventRow> rows;
    for (const gen::GeneratedEvent& event : day) {
      if (event.duplicate) continue;
      rows.push_back(gen::ToEventRow(event));
      const int32_t d = DayOfMillis(event.event_time_ms);
      users_by_day[d].insert(event.user_id);
      users_by_day_type[{d, event.event_type}].insert(event.user_id);
      ++rows_by_day[d];
      ++rows_by_country[event.country];
    }
    ASSERT_OK(table.Append(rows));
    total += rows.size();
    if (++day_number % 2 == 0) table.SealAll();  // a mix of sealed segments and heads
  }
  ASSERT_GT(total, 10000u);

  const TableSnapshot snapshot = table.Snapshot();
  EXPECT_EQ(snapshot.row_count(), total);
  ASSERT_EQ(snapshot.partition_count(), users_by_day.size());
  for (size_t p = 0; p < snapshot.partition_count(); ++p) {
    const int32_t d = snapshot.day(p);
    EXPECT_EQ(snapshot.row_count(p), rows_by_day[d]) << FormatDay(d);
    EXPECT_EQ(snapshot.users(p).cardinality(), users_by_day[d].size()) << FormatDay(d);
  }
  for (const auto& [key, users] : users_by_day_type) {
    const int p = snapshot.FindPartition(key.first);
    ASSERT_GE(p, 0);
    const uint32_t type = *snapshot.dictionary(ColumnId::kEventType).Find(key.second);
    EXPECT_EQ(snapshot.users_with_event_type(p, type).cardinality(), users.size())
        << FormatDay(key.first) << " " << key.second;
  }

  // A scan of one low-cardinality column counts rows per value like the generator did.
  std::map<std::string, uint64_t> scanned_by_country;
  ScanBuffers buffers;
  const ScanOptions options{.columns = {ColumnId::kCountry}};
  for (const BlockRef& ref : snapshot.ListBlocks(options).blocks) {
    ScanBlock block;
    ASSERT_OK(snapshot.ReadBlock(ref, options.columns, &buffers, &block));
    for (uint32_t code : block.codes[ColumnIndex(ColumnId::kCountry)]) {
      ++scanned_by_country[std::string(snapshot.dictionary(ColumnId::kCountry).Get(code))];
    }
  }
  EXPECT_EQ(scanned_by_country, rows_by_country);
}

}  // namespace
}  // namespace mua
