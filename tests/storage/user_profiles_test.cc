#include <filesystem>
#include <map>

#include "gtest/gtest.h"
#include "storage/base/time_util.h"
#include "storage/store.h"
#include "storage/table.h"
#include "tests/testutil/event_builder.h"
#include "tests/testutil/status_matchers.h"

namespace mua {
namespace {

using test::EventBuilder;
using test::MillisAt;

std::map<std::string, UserProfile> ByUser(const Table& table) {
  std::map<std::string, UserProfile> out;
  for (UserProfile& profile : table.UserProfiles()) out[profile.user_id] = std::move(profile);
  return out;
}

void AddEvents(EventBuilder* events) {
  EventRow* row = &events->Add(MillisAt("2026-10-05T10:00:00"), "alice", "app_open");
  row->platform = "ios";
  row->app_version = "1.0";
  row->country = "DE";
  row->device_type = "phone";
  // Arrives later but happened earlier: first_seen moves, the latest values do not.
  row = &events->Add(MillisAt("2026-10-07T09:00:00"), "alice", "purchase");
  row->platform = "android";
  row->app_version = "2.0";
  row->country = "FR";
  row->device_type = "tablet";
  row = &events->Add(MillisAt("2026-10-03T08:00:00"), "alice", "app_open");
  row->platform = "web";
  row = &events->Add(MillisAt("2026-10-04T12:00:00"), "bob", "app_open");
  row->platform = "ios";
}

void ExpectProfiles(const Table& table) {
  std::map<std::string, UserProfile> profiles = ByUser(table);
  ASSERT_EQ(profiles.size(), 2u);
  const UserProfile& alice = profiles["alice"];
  EXPECT_EQ(alice.first_seen_ms, MillisAt("2026-10-03T08:00:00"));
  EXPECT_EQ(alice.last_seen_ms, MillisAt("2026-10-07T09:00:00"));
  EXPECT_EQ(alice.event_count, 3u);
  EXPECT_EQ(alice.platform, "android");
  EXPECT_EQ(alice.app_version, "2.0");
  EXPECT_EQ(alice.country, "FR");
  EXPECT_EQ(alice.device_type, "tablet");
  EXPECT_EQ(profiles["bob"].event_count, 1u);
  EXPECT_EQ(profiles["bob"].platform, "ios");
}

TEST(UserProfilesTest, KeptAtAppend) {
  Table table;
  EventBuilder events;
  AddEvents(&events);
  for (const EventRow& row : events.rows()) ASSERT_OK(table.Append({&row, 1}));
  ExpectProfiles(table);
}

TEST(UserProfilesTest, ErasedWithTheUser) {
  Table table;
  EventBuilder events;
  AddEvents(&events);
  ASSERT_OK(table.Append(events.rows()));
  table.SealAll();
  ASSERT_OK(table.EraseUser("alice").status());
  std::map<std::string, UserProfile> profiles = ByUser(table);
  EXPECT_EQ(profiles.count("alice"), 0u);
  EXPECT_EQ(profiles.count("bob"), 1u);
}

TEST(UserProfilesTest, RetentionRebuildsFromTheRemainingRows) {
  Table table;
  EventBuilder events;
  AddEvents(&events);
  ASSERT_OK(table.Append(events.rows()));
  table.DropPartitionsBefore(DayOfMillis(MillisAt("2026-10-05T00:00:00")));
  std::map<std::string, UserProfile> profiles = ByUser(table);
  ASSERT_EQ(profiles.size(), 1u);
  EXPECT_EQ(profiles["alice"].event_count, 2u);
  EXPECT_EQ(profiles["alice"].first_seen_ms, MillisAt("2026-10-05T10:00:00"));
}

TEST(UserProfilesTest, CorrectAfterRestart) {
  std::string root = ::testing::TempDir();
  if (root.empty() || root.back() != '/') root += '/';
  root += "user_profiles_test.XXXXXX";
  ASSERT_NE(::mkdtemp(root.data()), nullptr);
  StoreOptions options{.dir = root + "/data", .retention_days = 0};
  options.log = [](const std::string&) {};
  EventBuilder events;
  AddEvents(&events);
  {
    Table table;
    auto store = Store::Open(options, &table, [&](absl::Span<const EventRow> rows) { return table.Append(rows); });
    ASSERT_OK(store);
    // Half checkpointed, half only in the WAL.
    {
      Store::ApplyScope scope = (*store)->BeginApply();
      ASSERT_OK(table.Append(events.rows().subspan(0, 2)));
    }
    ASSERT_OK((*store)->Checkpoint());
    uint64_t seq = 0;
    {
      Store::ApplyScope scope = (*store)->BeginApply();
      seq = scope.LogRows(events.rows().subspan(2));
      ASSERT_OK(table.Append(events.rows().subspan(2)));
    }
    ASSERT_OK((*store)->WaitDurable(seq));
  }
  Table table;
  auto store = Store::Open(options, &table, [&](absl::Span<const EventRow> rows) { return table.Append(rows); });
  ASSERT_OK(store);
  ExpectProfiles(table);
  store->reset();
  std::error_code error;
  std::filesystem::remove_all(root, error);
}

}  // namespace
}  // namespace mua
