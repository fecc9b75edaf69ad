// sql/ddl_executor.h against a recording TableManager: what reaches the manager, the
// SHOW CREATE text, and what is refused before it.
#include "sql/ddl_executor.h"

#include <map>

#include "gtest/gtest.h"
#include "sql/catalog.h"
#include "sql/sql_engine.h"
#include "storage/table.h"
#include "tests/testutil/status_matchers.h"

namespace mua {
namespace {

class RecordingManager : public TableManager {
 public:
  absl::Status Create(const TableSpec& spec, bool if_not_exists) override {
    if (specs_.contains(spec.name)) return if_not_exists ? absl::OkStatus() : absl::AlreadyExistsError("exists");
    specs_[spec.name] = spec;
    return absl::OkStatus();
  }
  absl::Status Drop(absl::string_view name, bool if_exists) override {
    if (specs_.erase(std::string(name)) == 0 && !if_exists) return absl::NotFoundError("Table doesn't exist");
    return absl::OkStatus();
  }
  absl::Status Truncate(absl::string_view, bool) override { return absl::OkStatus(); }
  absl::StatusOr<uint64_t> Insert(absl::string_view name, const ResultSet& rows) override {
    inserted_[std::string(name)].push_back(rows);
    return rows.row_count;
  }
  std::optional<TableSpec> Find(absl::string_view name) const override {
    auto it = specs_.find(std::string(name));
    if (it == specs_.end()) return std::nullopt;
    return it->second;
  }
  std::vector<TableSpec> List() const override {
    std::vector<TableSpec> out;
    for (const auto& [name, spec] : specs_) out.push_back(spec);
    return out;
  }
  std::shared_ptr<const ResultSet> Read(absl::string_view name) const override {
    return specs_.contains(std::string(name)) ? std::make_shared<ResultSet>() : nullptr;
  }

  std::map<std::string, TableSpec> specs_;
  std::map<std::string, std::vector<ResultSet>> inserted_;
};

class DdlExecutorTest : public ::testing::Test {
 protected:
  DdlExecutorTest() : catalog_(&events_), engine_(&events_, &catalog_) { catalog_.SetTableManager(&manager_); }

  absl::StatusOr<ResultSet> Run(const std::string& sql) {
    absl::StatusOr<StatementOutput> output = engine_.Execute(sql);
    if (!output.ok()) return output.status();
    return std::move(output->result);
  }

  Table events_;
  Catalog catalog_;
  SqlEngine engine_;
  RecordingManager manager_;
};

TEST_F(DdlExecutorTest, CreateRecordsTheDefinition) {
  ASSERT_OK(Run("CREATE TABLE IF NOT EXISTS default.c (id UInt64 COMMENT 'key', name String DEFAULT 'x' || 'y', "
                "at DateTime) ENGINE = MergeTree() PARTITION BY toYYYYMM(at) ORDER BY (id, at) "
                "SETTINGS index_granularity = 1024 COMMENT 'campaigns'")
                .status());
  const TableSpec& spec = manager_.specs_.at("c");
  EXPECT_EQ(spec.engine, "MergeTree");
  EXPECT_EQ(spec.order_by_columns, (std::vector<std::string>{"id", "at"}));
  EXPECT_EQ(ShowCreateText(spec),
            "CREATE TABLE default.c\n(\n    `id` UInt64 COMMENT 'key',\n    `name` String DEFAULT 'x' || 'y',\n"
            "    `at` DateTime\n)\nENGINE = MergeTree\nPARTITION BY toYYYYMM(at)\nORDER BY (id, at)\n"
            "SETTINGS index_granularity = 1024\nCOMMENT 'campaigns'");
  absl::StatusOr<ResultSet> shown = Run("SHOW CREATE TABLE c");
  ASSERT_OK(shown);
  EXPECT_EQ(shown->columns[0].strings[0], ShowCreateText(spec));
}

TEST_F(DdlExecutorTest, RefusesWhatMuaDoesNotHold) {
  EXPECT_FALSE(Run("CREATE TABLE t (x UInt8) ENGINE = MergeTree").ok());
  EXPECT_FALSE(Run("CREATE TABLE t (x UInt8) ENGINE = MergeTree ORDER BY x + 1").ok());
  EXPECT_FALSE(Run("CREATE TABLE t (x UInt8) ENGINE = MergeTree ORDER BY y").ok());
  EXPECT_FALSE(Run("CREATE TABLE t (x UInt8) ENGINE = Log ORDER BY x").ok());
  EXPECT_FALSE(Run("CREATE TABLE t (x UInt8 MATERIALIZED 1) ENGINE = Memory").ok());
  EXPECT_FALSE(Run("CREATE TABLE t (x UInt8 DEFAULT nosuchfunction()) ENGINE = Memory").ok());
  EXPECT_TRUE(absl::IsNotFound(Run("CREATE TABLE other.t (x UInt8) ENGINE = Memory").status()));
  EXPECT_TRUE(absl::IsAlreadyExists(Run("CREATE TABLE sessions (x UInt8) ENGINE = Memory").status()));
  EXPECT_TRUE(manager_.specs_.empty());
}

TEST_F(DdlExecutorTest, InsertValuesFillsLeftOutColumnsWithDefaults) {
  ASSERT_OK(Run("CREATE TABLE t (a UInt8, b String DEFAULT 'dflt', c Nullable(Int32)) ENGINE = Memory").status());
  ASSERT_OK(Run("INSERT INTO t (a) VALUES (1), (2)").status());
  ASSERT_OK(Run("INSERT INTO t (c, a) VALUES (1 + 2, -1)").status());
  const std::vector<ResultSet>& batches = manager_.inserted_.at("t");
  ASSERT_EQ(batches.size(), 3u);  // one per VALUES row
  const ResultSet& first = batches[0];
  ASSERT_EQ(first.columns.size(), 3u);
  EXPECT_EQ(first.columns[0].ints[0], 1);
  EXPECT_EQ(first.columns[1].strings[0], "dflt");
  EXPECT_TRUE(first.columns[2].is_null(0));
  const ResultSet& third = batches[2];
  EXPECT_EQ(third.columns[0].ints[0], -1);
  EXPECT_EQ(third.columns[2].ints[0], 3);  // evaluated through a SELECT
  EXPECT_FALSE(Run("INSERT INTO t (a) VALUES (1, 2)").ok());
  EXPECT_FALSE(Run("INSERT INTO t (zz) VALUES (1)").ok());
  EXPECT_TRUE(absl::IsNotFound(Run("INSERT INTO nope VALUES (1)").status()));
}

TEST_F(DdlExecutorTest, ExistsDropAndNoManager) {
  absl::StatusOr<ResultSet> exists = Run("EXISTS TABLE system.one");
  ASSERT_OK(exists);
  EXPECT_EQ(exists->names, (std::vector<std::string>{"result"}));
  EXPECT_EQ(exists->columns[0].ints[0], 1);
  EXPECT_FALSE(Run("DROP TABLE events").ok());
  EXPECT_FALSE(Run("TRUNCATE TABLE sessions").ok());
  EXPECT_OK(Run("DROP TABLE IF EXISTS nope").status());
  Catalog bare(&events_);
  SqlEngine engine(&events_, &bare);
  EXPECT_TRUE(absl::IsUnimplemented(engine.Execute("CREATE TABLE t (x UInt8) ENGINE = Memory").status()));
}

}  // namespace
}  // namespace mua
