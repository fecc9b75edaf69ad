// Store counters: persisted with the positions in the MANIFEST, atomically with the data.
#include <map>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "storage/store.h"
#include "storage/table.h"
#include "tests/storage/store_test_util.h"
#include "tests/testutil/event_builder.h"
#include "tests/testutil/status_matchers.h"

namespace mua::store_test {
namespace {

using test::EventBuilder;
using test::MillisAt;
using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::Pair;

TEST_F(StoreTest, CountersSurviveACheckpointAndReopen) {
  {
    Table table(kTableOptions);
    ASSERT_OK_AND_ASSIGN(auto store, Open(&table));
    EXPECT_THAT(store->counters(), IsEmpty());
    EXPECT_EQ(store->counter("rejected/evicted"), 0);
    EventBuilder events;
    events.Add(MillisAt("2026-10-01T00:00:00"), "a", "app_open");
    {
      Store::ApplyScope scope = store->BeginApply();
      ASSERT_OK(table.Append(events.rows()));
      scope.SetPosition("kafka/events/0", 1);
      scope.AddCounter("kafka/events/0/gap_messages", 5);
      scope.AddCounter("kafka/events/0/gap_messages", 2);
    }
    store->AddCounter("rejected/evicted", 3);
    store->AddCounter("rejected/evicted", -1);
    EXPECT_EQ(store->counter("kafka/events/0/gap_messages"), 7);
    ASSERT_OK(store->Checkpoint());
    // Not checkpointed: gone after the restart, like the batch it would belong to.
    store->AddCounter("rejected/evicted", 100);
  }
  Table table(kTableOptions);
  ASSERT_OK_AND_ASSIGN(auto store, Open(&table));
  EXPECT_THAT(store->counters(),
              ElementsAre(Pair("kafka/events/0/gap_messages", 7), Pair("rejected/evicted", 2)));
  EXPECT_EQ(store->position("kafka/events/0"), 1);
  EXPECT_EQ(ReadManifest(dir_).format, 4);
}

}  // namespace
}  // namespace mua::store_test
