// Created tables end to end: SQL (sql/ddl_executor.h) through the server's
// TableManager (server/dimension_tables.h) into storage, and back after a restart.
#include "server/dimension_tables.h"

#include <unistd.h>

#include <filesystem>

#include "gtest/gtest.h"
#include "query/output_format.h"
#include "sql/catalog.h"
#include "sql/sql_engine.h"
#include "storage/dimension_table.h"
#include "storage/table.h"
#include "tests/testutil/event_builder.h"
#include "tests/testutil/status_matchers.h"

namespace mua {
namespace {

namespace fs = std::filesystem;

class DimensionTablesSqlTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = ::testing::TempDir();
    if (pattern.empty() || pattern.back() != '/') pattern += '/';
    pattern += "dimension_sql_test.XXXXXX";
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    root_ = pattern;
    Open();
  }
  void TearDown() override {
    Close();
    std::error_code error;
    fs::remove_all(root_, error);
  }

  void Open() {
    DimensionTablesOptions options;
    options.dir = root_ + "/tables";
    options.log = [](const std::string&) {};
    auto tables = DimensionTables::Open(options);
    ASSERT_OK(tables);
    tables_ = *std::move(tables);
    manager_ = std::make_unique<DimensionTableManager>(tables_.get());
    catalog_ = std::make_unique<Catalog>(&events_);
    RegisterDimensionTables(catalog_.get(), manager_.get(), &events_);
    engine_ = std::make_unique<SqlEngine>(&events_, catalog_.get());
  }
  void Close() {
    engine_.reset();
    catalog_.reset();
    manager_.reset();
    tables_.reset();
  }

  std::string Run(const std::string& sql) {
    absl::StatusOr<StatementOutput> output = engine_->Execute(sql);
    EXPECT_OK(output.status()) << sql;
    if (!output.ok()) return "<error>";
    std::string text;
    WriteResult(output->result, OutputFormat::kTabSeparated, &text);
    return text;
  }
  absl::Status Error(const std::string& sql) { return engine_->Execute(sql).status(); }

  std::string root_;
  Table events_;
  std::unique_ptr<DimensionTables> tables_;
  std::unique_ptr<DimensionTableManager> manager_;
  std::unique_ptr<Catalog> catalog_;
  std::unique_ptr<SqlEngine> engine_;
};

constexpr char kCreateReleases[] =
    "CREATE TABLE releases (version String, released Date, build Nullable(UInt32), "
    "channel LowCardinality(String) DEFAULT 'stable', score Float64) "
    "ENGINE = MergeTree PARTITION BY toYYYYMM(released) ORDER BY version";

TEST_F(DimensionTablesSqlTest, CreateInsertSelectSurvivesRestart) {
  Run(kCreateReleases);
  Run("INSERT INTO releases VALUES ('2.0', '2026-01-02', NULL, 'beta', 1.5), ('1.0', '2025-05-01', 7, 'stable', -2)");
  Run("INSERT INTO releases (version, released) VALUES ('1.5', '2025-09-30')");
  const std::string expected =
      "1.0\t2025-05-01\t7\tstable\t-2\n"
      "1.5\t2025-09-30\t\\N\tstable\t0\n"
      "2.0\t2026-01-02\t\\N\tbeta\t1.5\n";
  EXPECT_EQ(Run("SELECT version, released, build, channel, score FROM releases"), expected);
  Close();
  Open();
  EXPECT_EQ(Run("SELECT version, released, build, channel, score FROM releases"), expected);
  EXPECT_EQ(Run("SELECT count() FROM releases WHERE build IS NULL"), "2\n");
}

TEST_F(DimensionTablesSqlTest, ShowCreateExistsAndSystemTables) {
  Run(kCreateReleases);
  absl::StatusOr<StatementOutput> show = engine_->Execute("SHOW CREATE TABLE releases");
  ASSERT_OK(show);
  ASSERT_EQ(show->result.names, (std::vector<std::string>{"statement"}));
  EXPECT_EQ(show->result.columns[0].strings[0],
            "CREATE TABLE default.releases\n(\n    `version` String,\n    `released` Date,\n"
            "    `build` Nullable(UInt32),\n    `channel` LowCardinality(String) DEFAULT 'stable',\n"
            "    `score` Float64\n)\nENGINE = MergeTree\nPARTITION BY toYYYYMM(released)\nORDER BY version\n"
            "SETTINGS index_granularity = 8192");
  EXPECT_EQ(Run("EXISTS TABLE releases"), "1\n");
  EXPECT_EQ(Run("EXISTS nope"), "0\n");
  EXPECT_EQ(Run("EXISTS TABLE default.events"), "1\n");
  EXPECT_EQ(Run("SELECT engine FROM system.tables WHERE name = 'releases'"), "MergeTree\n");
  EXPECT_EQ(Run("SELECT type FROM system.columns WHERE table = 'releases' AND name = 'build'"),
            "Nullable(UInt32)\n");
  EXPECT_EQ(Run("DESCRIBE releases").substr(0, 14), "version\tString");
  EXPECT_NE(Run("SHOW CREATE TABLE events").find("ENGINE = MergeTree"), std::string::npos);
}

TEST_F(DimensionTablesSqlTest, TruncateDropAndErrors) {
  Run(kCreateReleases);
  Run("INSERT INTO releases (version) VALUES ('1')");
  Run("TRUNCATE TABLE releases");
  EXPECT_EQ(Run("SELECT count() FROM releases"), "0\n");
  EXPECT_TRUE(absl::IsAlreadyExists(Error(kCreateReleases)));
  Run("CREATE TABLE IF NOT EXISTS releases (x UInt8) ENGINE = Memory");
  Run("DROP TABLE releases");
  EXPECT_TRUE(absl::IsNotFound(Error("SELECT * FROM releases")));
  Run("DROP TABLE IF EXISTS releases");
  EXPECT_TRUE(absl::IsNotFound(Error("DROP TABLE releases")));
  EXPECT_TRUE(absl::IsAlreadyExists(Error("CREATE TABLE events (x UInt8) ENGINE = Memory")));
  EXPECT_TRUE(absl::IsAlreadyExists(Error("CREATE TABLE user_profiles (x UInt8) ENGINE = Memory")));
  EXPECT_FALSE(Error("CREATE TABLE t (x UInt8) ENGINE = MergeTree").ok());  // no ORDER BY
  EXPECT_FALSE(Error("CREATE TABLE t (x Decimal(10, 2)) ENGINE = Memory").ok());
  EXPECT_FALSE(Error("CREATE TABLE t (x UInt8) ENGINE = Kafka").ok());
  EXPECT_FALSE(Error("DROP TABLE events").ok());
  Run("CREATE TABLE t (x UInt8, s String) ENGINE = Log");
  absl::Status range = Error("INSERT INTO t VALUES (300, 'a')");
  EXPECT_TRUE(absl::IsInvalidArgument(range)) << range;
  EXPECT_NE(range.message().find("column x"), std::string::npos) << range;
  EXPECT_FALSE(Error("INSERT INTO t VALUES (1)").ok());
  EXPECT_FALSE(Error("INSERT INTO t (nope) VALUES (1)").ok());
  EXPECT_EQ(Run("SELECT count() FROM t"), "0\n");
}

TEST_F(DimensionTablesSqlTest, InsertSelectAndFormatBodies) {
  Run("CREATE TABLE a (id UInt64, name String, tags Array(String), at DateTime DEFAULT '2026-01-01 00:00:00') "
      "ENGINE = Memory");
  ASSERT_OK(InsertTableRows(*catalog_, *engine_, "a",
                            "{\"id\": 2, \"name\": \"two\", \"tags\": [\"x\", \"y\"], \"unknown\": 1}\n"
                            "{\"id\": 1, \"name\": \"one\"}\n",
                            "JSONEachRow", {})
                .status());
  ASSERT_OK(InsertTableRows(*catalog_, *engine_, "a", "3\tth\\tree\t['z']\n", "TabSeparated", {"id", "name", "tags"})
                .status());
  ASSERT_OK(InsertTableRows(*catalog_, *engine_, "a", "id,name\n4,\"fo,ur\"\n", "CSVWithNames", {}).status());
  absl::StatusOr<uint64_t> bad = InsertTableRows(*catalog_, *engine_, "a", "{\"id\": -1}\n", "JSONEachRow", {});
  EXPECT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("row 1, column id"), std::string::npos) << bad.status();
  EXPECT_EQ(Run("SELECT id, name, length(tags), at FROM a ORDER BY id"),
            "1\tone\t0\t2026-01-01 00:00:00\n2\ttwo\t2\t2026-01-01 00:00:00\n"
            "3\tth\\tree\t1\t2026-01-01 00:00:00\n4\tfo,ur\t0\t2026-01-01 00:00:00\n");
  Run("CREATE TABLE b (id UInt64, label String) ENGINE = MergeTree ORDER BY id");
  Run("INSERT INTO b SELECT id * 10, name FROM a WHERE id > 2");
  EXPECT_EQ(Run("SELECT id, label FROM b"), "30\tth\\tree\n40\tfo,ur\n");
  EXPECT_TRUE(absl::IsNotFound(InsertTableRows(*catalog_, *engine_, "nope", "", "JSONEachRow", {}).status()));
}

TEST_F(DimensionTablesSqlTest, UserProfilesFollowTheEvents) {
  test::EventBuilder events;
  events.Add(test::MillisAt("2026-10-05T10:00:00"), "alice", "app_open").platform = "ios";
  events.Add(test::MillisAt("2026-10-06T10:00:00"), "alice", "app_open").platform = "android";
  events.Add(test::MillisAt("2026-10-06T11:00:00"), "bob", "app_open").platform = "web";
  ASSERT_OK(events_.Append(events.rows()));
  EXPECT_EQ(Run("SELECT user_id, event_count, platform, first_seen FROM user_profiles ORDER BY user_id"),
            "alice\t2\tandroid\t2026-10-05 10:00:00.000\nbob\t1\tweb\t2026-10-06 11:00:00.000\n");
  ASSERT_OK(events_.EraseUser("alice").status());
  EXPECT_EQ(Run("SELECT user_id FROM user_profiles"), "bob\n");
}

}  // namespace
}  // namespace mua
