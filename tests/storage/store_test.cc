// Store: the directory lock, GDPR erasure, retention, backup, file modes and orphan files.
#include "storage/store.h"

#include <sys/stat.h>

#include <algorithm>
#include <filesystem>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "storage/base/time_util.h"
#include "storage/table.h"
#include "storage/table_snapshot.h"
#include "tests/storage/store_test_util.h"
#include "tests/testutil/event_builder.h"
#include "tests/testutil/status_matchers.h"

namespace mua::store_test {
namespace {

namespace fs = std::filesystem;
using test::EventBuilder;
using test::MillisAt;
using test::StatusIs;
using ::testing::Contains;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

// --- 5. The lock.

TEST_F(StoreTest, SecondOpenOfADirectoryInUseFails) {
  Table first_table(kTableOptions);
  ASSERT_OK_AND_ASSIGN(auto first, Open(&first_table));
  Table second_table(kTableOptions);
  const auto second = Open(&second_table);
  EXPECT_THAT(second, StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_THAT(std::string(second.status().message()), HasSubstr("LOCK"));
  first.reset();
  Table third_table(kTableOptions);
  const auto third = Open(&third_table);
  EXPECT_OK(third);
}

TEST_F(StoreTest, OpenRequiresAnEmptyTable) {
  Table table(kTableOptions);
  EventBuilder events;
  events.Add(MillisAt("2026-10-01T00:00:00"), "a", "app_open");
  ASSERT_OK(table.Append(events.rows()));
  EXPECT_THAT(Open(&table), StatusIs(absl::StatusCode::kFailedPrecondition));
}

// --- 6. Erasure.

TEST_F(StoreTest, EraseUserRemovesRowsDurably) {
  EventBuilder events;
  AddStandardDays(&events);
  const std::vector<Row> rows = RowsOf(events.rows());
  const std::string victim = rows[0].values[ColumnIndex(ColumnId::kUserId)];
  const std::string bystander = rows[1].values[ColumnIndex(ColumnId::kUserId)];
  ASSERT_NE(victim, bystander);
  // Also WAL-logged rows of the victim after the checkpoint: they must not come back.
  EventBuilder logged;
  logged.Add(MillisAt("2026-10-03T05:00:00"), victim, "purchase");
  logged.Add(MillisAt("2026-10-03T05:00:01"), "someone-else", "purchase");
  logged.Add(MillisAt("2026-10-20T05:00:00"), victim, "app_open");  // a day only the victim has
  const std::vector<Row> all = Concat(rows, RowsOf(logged.rows()));
  const auto is_victim = [&](const Row& row) {
    return row.values[ColumnIndex(ColumnId::kUserId)] == victim;
  };
  const std::vector<Row> kept = Without(all, is_victim);
  const uint64_t victim_rows = all.size() - kept.size();
  ASSERT_GT(victim_rows, 3u);

  auto check = [&](const Table& table, const Store& store) {
    EXPECT_EQ(table.row_count(), kept.size());
    const std::vector<Row> scanned = ScanRows(table);
    EXPECT_EQ(std::count_if(scanned.begin(), scanned.end(), is_victim), 0);
    EXPECT_EQ(DigestOf(scanned), DigestOf(kept));
    EXPECT_EQ(DigestOf(scanned, victim), DigestOf(all, victim));
    const std::optional<uint32_t> code = table.user_index().Find(victim);
    ASSERT_TRUE(code.has_value());
    const TableSnapshot snapshot = table.Snapshot();
    for (size_t p = 0; p < snapshot.partition_count(); ++p) {
      EXPECT_FALSE(snapshot.users(p).contains(*code)) << FormatDay(snapshot.day(p));
      for (uint32_t type = 0; type < table.dictionary(ColumnId::kEventType).size(); ++type) {
        EXPECT_FALSE(snapshot.users_with_event_type(p, type).contains(*code));
      }
    }
    Users users = UsersOf(table);
    std::erase_if(users.all, [](const auto& entry) { return entry.second.empty(); });
    EXPECT_EQ(users, UsersOf(kept));
    EXPECT_TRUE(store.IsErased(victim));
    EXPECT_FALSE(store.IsErased(bystander));
    EXPECT_FALSE(store.IsErased("never-seen"));
  };
  {
    Table table(kTableOptions);
    ASSERT_OK_AND_ASSIGN(auto store, Open(&table));
    EXPECT_FALSE(store->IsErased(victim));
    AppendInBatches(store.get(), &table, Shuffled(events.rows()));
    ASSERT_OK(store->Checkpoint());
    LogAndAppend(store.get(), &table, logged.rows());
    ASSERT_OK_AND_ASSIGN(const uint64_t erased, store->EraseUser(victim));
    EXPECT_EQ(erased, victim_rows);
    check(table, *store);
    EXPECT_EQ(store->stats().erased_users, 1);
    ExpectFilesMatchManifest();
    // Erasing again finds nothing.
    ASSERT_OK_AND_ASSIGN(const uint64_t again, store->EraseUser(victim));
    EXPECT_EQ(again, 0u);
  }
  // EraseUser made the erasure durable itself: no Checkpoint call here.
  Table table(kTableOptions);
  ASSERT_OK_AND_ASSIGN(auto store, Open(&table));
  EXPECT_THAT(replayed_, IsEmpty());
  check(table, *store);
  EXPECT_EQ(store->stats().erased_users, 1);
}

TEST_F(StoreTest, ErasureOfAnUnknownUserIsRemembered) {
  {
    Table table(kTableOptions);
    ASSERT_OK_AND_ASSIGN(auto store, Open(&table));
    ASSERT_OK_AND_ASSIGN(const uint64_t erased, store->EraseUser("ghost"));
    EXPECT_EQ(erased, 0u);
    EXPECT_TRUE(store->IsErased("ghost"));
  }
  Table table(kTableOptions);
  ASSERT_OK_AND_ASSIGN(auto store, Open(&table));
  EXPECT_TRUE(store->IsErased("ghost"));
  EXPECT_FALSE(store->IsErased("ghost2"));
}

// --- 7. Retention.

TEST_F(StoreTest, RetentionDropsOldPartitionsDurably) {
  EventBuilder events;
  AddStandardDays(&events);
  const std::vector<Row> rows = RowsOf(events.rows());
  const auto old = [](const Row& row) { return DayOfMillis(row.time) < kFirstDay + 2; };
  {
    StoreOptions options = Options();
    options.now = absl::FromUnixMillis(MillisAt("2026-10-12T12:00:00"));
    options.retention_days = 9;  // keeps 2026-10-03 onwards
    Table table(kTableOptions);
    ASSERT_OK_AND_ASSIGN(auto store, Open(&table, options));
    AppendInBatches(store.get(), &table, Shuffled(events.rows()));
    ASSERT_OK(store->Checkpoint());
    EXPECT_EQ(store->ApplyRetention(), (std::vector<int32_t>{kFirstDay, kFirstDay + 1}));
    EXPECT_EQ(store->stats().partitions_dropped, 2);
    ExpectTableHolds(table, Without(rows, old));
    EXPECT_THAT(store->ApplyRetention(), IsEmpty());
    ASSERT_OK(store->Checkpoint());
    ExpectFilesMatchManifest();
  }
  EXPECT_EQ(ReadManifest(dir_).bitmaps.count(kFirstDay), 0u);
  Table table(kTableOptions);
  ASSERT_OK_AND_ASSIGN(auto store, Open(&table));  // keeps everything: nothing old is left
  ExpectTableHolds(table, Without(rows, old));
}

TEST_F(StoreTest, PartitionsPastRetentionAreNotLoaded) {
  const std::vector<Row> rows = CheckpointStandardDays();
  const auto old = [](const Row& row) { return DayOfMillis(row.time) < kFirstDay + 2; };
  StoreOptions options = Options();
  options.now = absl::FromUnixMillis(MillisAt("2026-10-12T12:00:00"));
  options.retention_days = 9;
  {
    Table table(kTableOptions);
    ASSERT_OK_AND_ASSIGN(auto store, Open(&table, options));
    ExpectTableHolds(table, Without(rows, old));
    EXPECT_EQ(store->recovery().partitions, 4);
  }
  {
    // Until a checkpoint drops them, the checkpoint on disk still holds them.
    Table table(kTableOptions);
    ASSERT_OK_AND_ASSIGN(auto store, Open(&table));
    ExpectTableHolds(table, rows);
  }
  {
    Table table(kTableOptions);
    ASSERT_OK_AND_ASSIGN(auto store, Open(&table, options));
    ASSERT_OK(store->Checkpoint());
    ExpectFilesMatchManifest();
  }
  Table table(kTableOptions);
  ASSERT_OK_AND_ASSIGN(auto store, Open(&table));
  ExpectTableHolds(table, Without(rows, old));
}

// --- 8. Backup.

TEST_F(StoreTest, BackupOpensWithEqualContent) {
  EventBuilder events, later;
  AddStandardDays(&events);
  std::mt19937 random(3);
  AddDay(&later, 6, 333, 50, &random);
  const std::string target = root_ + "/backup";
  Table table(kTableOptions);
  StoreOptions source_options = Options();
  source_options.backup_root = root_;  // the targets are siblings of the data directory
  ASSERT_OK_AND_ASSIGN(auto store, Open(&table, source_options));
  AppendInBatches(store.get(), &table, Shuffled(events.rows()));
  ASSERT_OK(store->Checkpoint());
  {
    // Rows and positions since the last checkpoint are in the backup too.
    Store::ApplyScope scope = store->BeginApply();
    ASSERT_OK(table.Append(later.rows()));
    scope.SetPosition("kafka/t/0", 1234);
  }
  ASSERT_OK_AND_ASSIGN(const uint64_t bytes, store->Backup(target));
  EXPECT_GT(bytes, 0u);
  const std::vector<Row> expected = Concat(RowsOf(events.rows()), RowsOf(later.rows()));
  {
    StoreOptions options = Options();
    options.dir = target;
    Table copy(kTableOptions);
    ASSERT_OK_AND_ASSIGN(auto copy_store, Open(&copy, options));
    EXPECT_FALSE(copy_store->recovery().degraded);
    ExpectTableHolds(copy, expected);
    EXPECT_EQ(DigestOf(copy), DigestOf(table));
    EXPECT_EQ(UsersOf(copy), UsersOf(table));
    EXPECT_EQ(copy_store->position("kafka/t/0"), 1234);
  }
  // The source goes on working, and a second backup needs an empty target.
  EXPECT_THAT(store->Backup(target), StatusIs(absl::StatusCode::kFailedPrecondition));
  fs::create_directories(root_ + "/other");
  WriteFile(root_ + "/other/stray", "x");
  EXPECT_THAT(store->Backup(root_ + "/other"), StatusIs(absl::StatusCode::kFailedPrecondition));
  fs::create_directories(root_ + "/empty");
  const absl::StatusOr<uint64_t> into_empty = store->Backup(root_ + "/empty");
  ASSERT_OK(into_empty);
  ASSERT_OK(store->Checkpoint());
  ExpectFilesMatchManifest();
}

TEST_F(StoreTest, BackupIsRefusedWithoutABackupRoot) {
  Table table(kTableOptions);
  ASSERT_OK_AND_ASSIGN(auto store, Open(&table));
  const absl::StatusOr<uint64_t> backup = store->Backup(root_ + "/backup");
  EXPECT_THAT(backup, StatusIs(absl::StatusCode::kPermissionDenied));
  EXPECT_THAT(std::string(backup.status().message()), HasSubstr("--backup_root"));
  EXPECT_FALSE(fs::exists(root_ + "/backup"));
}

TEST_F(StoreTest, BackupTargetsStayUnderTheRootAndOutsideTheData) {
  const std::string backups = root_ + "/backups";
  const std::string outside = root_ + "/outside";
  fs::create_directories(backups);
  fs::create_directories(outside);
  fs::create_directory_symlink(outside, backups + "/to-outside");
  Table table(kTableOptions);
  StoreOptions options = Options();
  options.backup_root = backups;
  {
    ASSERT_OK_AND_ASSIGN(auto store, Open(&table, options));
    fs::create_directory_symlink(dir_, backups + "/to-data");
    ASSERT_OK(store->Backup(backups + "/one"));
    EXPECT_TRUE(fs::exists(backups + "/one/MANIFEST"));
    ASSERT_OK(store->Backup(backups + "/nested/./two/"));
    EXPECT_TRUE(fs::exists(backups + "/nested/two/MANIFEST"));
    auto refused = [&](const std::string& target, absl::StatusCode code) {
      const absl::StatusOr<uint64_t> backup = store->Backup(target);
      EXPECT_THAT(backup, StatusIs(code)) << target;
      if (code == absl::StatusCode::kPermissionDenied) {
        EXPECT_THAT(std::string(backup.status().message()), HasSubstr(target)) << target;
      }
    };
    refused("relative/path", absl::StatusCode::kInvalidArgument);
    refused("", absl::StatusCode::kInvalidArgument);
    refused(backups + "/../outside/x", absl::StatusCode::kInvalidArgument);
    refused(backups + "/one/../../outside/y", absl::StatusCode::kInvalidArgument);
    refused(outside + "/x", absl::StatusCode::kPermissionDenied);
    refused(backups, absl::StatusCode::kPermissionDenied);  // the root itself
    refused(backups + "/to-outside/x", absl::StatusCode::kPermissionDenied);  // a symlink out
    refused(backups + "/to-outside", absl::StatusCode::kPermissionDenied);
    refused(backups + "/to-data/x", absl::StatusCode::kPermissionDenied);  // into the data
    EXPECT_TRUE(fs::is_empty(outside));
    EXPECT_EQ(ListDir(dir_), (std::set<std::string>{"LOCK", "MANIFEST", "files", "wal"}));
  }
  {
    // A root that holds the data directory: targets inside it, equal to it or above it are refused.
    options.backup_root = "/";
    ASSERT_OK_AND_ASSIGN(auto store, Open(&table, options));
    for (const std::string& target : {dir_ + "/files/x", dir_ + "/x", dir_, root_, root_ + "/data/"}) {
      EXPECT_THAT(store->Backup(target), StatusIs(absl::StatusCode::kPermissionDenied)) << target;
    }
    EXPECT_EQ(ListDir(dir_), (std::set<std::string>{"LOCK", "MANIFEST", "files", "wal"}));
  }
  // A root inside the data directory is refused at start.
  fs::create_directories(dir_ + "/inside");
  options.backup_root = dir_ + "/inside";
  EXPECT_THAT(Open(&table, options), StatusIs(absl::StatusCode::kInvalidArgument));
}

// --- Modes: whatever the umask, what the store creates is its user's only.

TEST_F(StoreTest, FilesAreCreated0600AndDirectories0700) {
  const mode_t saved_umask = ::umask(0);
  struct RestoreUmask {
    mode_t mask;
    ~RestoreUmask() { ::umask(mask); }
  } restore{saved_umask};
  EventBuilder events;
  AddStandardDays(&events);
  std::mt19937 random(13);
  EventBuilder logged;
  AddDay(&logged, 5, 20, 10, &random, "m");
  {
    Table table(kTableOptions);
    StoreOptions options = Options();
    options.backup_root = root_;
    ASSERT_OK_AND_ASSIGN(auto store, Open(&table, options));
    AppendInBatches(store.get(), &table, events.rows());
    ASSERT_OK(store->Checkpoint());
    LogAndAppend(store.get(), &table, logged.rows());
    ASSERT_OK(store->Backup(root_ + "/backup"));
    LogAndAppend(store.get(), &table, logged.rows());
  }
  // A torn tail is kept in quarantine/ when it is cut.
  const std::string wal = WalFiles().back();
  WriteFile(wal, ReadFile(wal) + std::string(30, '\x33'));
  {
    Table table(kTableOptions);
    ASSERT_OK_AND_ASSIGN(auto store, Open(&table));
    EXPECT_TRUE(fs::exists(dir_ + "/quarantine"));
  }
  int files = 0;
  for (const std::string& top : {dir_, root_ + "/backup"}) {
    EXPECT_EQ(fs::status(top).permissions() & fs::perms::mask, fs::perms(0700)) << top;
    for (const auto& entry : fs::recursive_directory_iterator(top)) {
      const fs::perms expected = entry.is_directory() ? fs::perms(0700) : fs::perms(0600);
      EXPECT_EQ(fs::status(entry.path()).permissions() & fs::perms::mask, expected) << entry.path();
      files += entry.is_regular_file();
    }
  }
  EXPECT_GT(files, 10);
}

// --- 9. Orphans.

TEST_F(StoreTest, FilesNoManifestNamesAreRemovedAtOpen) {
  const std::vector<Row> rows = CheckpointStandardDays();
  const std::set<std::string> named = ReadManifest(dir_).names();
  WriteFile(dir_ + "/files/99999999.seg", "left by a crash");
  WriteFile(dir_ + "/files/99999998.head", "");
  WriteFile(dir_ + "/files/stray.tmp", "junk");
  Table table(kTableOptions);
  ASSERT_OK_AND_ASSIGN(auto store, Open(&table));
  EXPECT_EQ(ListDir(dir_ + "/files"), named);
  EXPECT_THAT(store->recovery().notes, Contains(HasSubstr("removed 3 files")));
  EXPECT_FALSE(store->recovery().degraded);
  ExpectTableHolds(table, rows);
}

}  // namespace
}  // namespace mua::store_test
