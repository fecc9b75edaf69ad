#include "storage/dimension_table.h"

#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "gtest/gtest.h"
#include "tests/testutil/status_matchers.h"

namespace mua {
namespace {

namespace fs = std::filesystem;

class DimensionTablesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = ::testing::TempDir();
    if (pattern.empty() || pattern.back() != '/') pattern += '/';
    pattern += "dimension_test.XXXXXX";
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    root_ = pattern;
  }
  void TearDown() override {
    std::error_code error;
    fs::remove_all(root_, error);
  }

  DimensionTablesOptions Options() {
    DimensionTablesOptions options;
    options.dir = root_ + "/tables";
    options.log = [](const std::string&) {};
    return options;
  }

  static DimensionTableDef Releases(DimensionEngine engine = DimensionEngine::kMergeTree) {
    DimensionTableDef def;
    def.name = "releases";
    def.engine = engine;
    def.columns = {{"version", *DimensionType::Parse("String")},
                   {"released", *DimensionType::Parse("Date")},
                   {"build", *DimensionType::Parse("Nullable(UInt32)")},
                   {"tags", *DimensionType::Parse("Array(String)")}};
    def.order_by = "version";
    def.order_by_columns = {0};
    return def;
  }

  static DimensionBlock Rows(const DimensionTableDef& def, std::vector<std::string> versions) {
    DimensionBlock block = DimensionBlock::Empty(def);
    for (const std::string& version : versions) {
      block.columns[0].strings.push_back(version);
      block.columns[1].ints.push_back(20000 + static_cast<int64_t>(version.size()));
      block.columns[2].ints.push_back(7);
      block.columns[2].nulls.push_back(version == "2.0" ? 1 : 0);
      block.columns[3].strings.push_back("t-" + version);
      block.columns[3].strings.push_back("beta");
      block.columns[3].offsets.push_back(block.columns[3].offsets.back() + 2);
      ++block.rows;
    }
    return block;
  }

  static std::vector<std::string> Versions(const DimensionTables& tables, absl::string_view name) {
    const auto table = tables.Find(name);
    if (table == nullptr) return {"<missing>"};
    return table->Snapshot().Merged().columns[0].strings;
  }

  std::string root_;
};

TEST(DimensionTypeTest, ParsesAndNamesClickHouseTypes) {
  for (const char* name : {"UInt8", "Int64", "Float64", "String", "Date", "DateTime", "DateTime64(3)",
                           "Nullable(String)", "Array(UInt64)", "LowCardinality(String)",
                           "LowCardinality(Nullable(String))"}) {
    absl::StatusOr<DimensionType> type = DimensionType::Parse(name);
    ASSERT_OK(type);
    EXPECT_EQ(type->Name(), name);
  }
  EXPECT_EQ(DimensionType::Parse("Float32")->Name(), "Float64");
  EXPECT_EQ(DimensionType::Parse("DateTime64(3, 'UTC')")->Name(), "DateTime64(3)");
  EXPECT_FALSE(DimensionType::Parse("Decimal(10, 2)").ok());
  EXPECT_FALSE(DimensionType::Parse("DateTime64(6)").ok());
  EXPECT_FALSE(DimensionType::Parse("Array(Array(UInt8))").ok());
  EXPECT_FALSE(DimensionType::Parse("LowCardinality(UInt8)").ok());
}

TEST_F(DimensionTablesTest, InsertsSurviveReopenSortedByOrderBy) {
  {
    auto tables = DimensionTables::Open(Options());
    ASSERT_OK(tables);
    ASSERT_OK((*tables)->Create(Releases(), false));
    ASSERT_OK((*tables)->Insert("releases", Rows(Releases(), {"3.0", "1.0"})).status());
    ASSERT_OK((*tables)->Insert("releases", Rows(Releases(), {"2.0"})).status());
    EXPECT_EQ(Versions(**tables, "releases"), (std::vector<std::string>{"1.0", "2.0", "3.0"}));
  }
  auto tables = DimensionTables::Open(Options());
  ASSERT_OK(tables);
  EXPECT_EQ((*tables)->recovery().tables, 1);
  EXPECT_EQ((*tables)->recovery().rows, 3u);
  const DimensionBlock rows = (*tables)->Find("releases")->Snapshot().Merged();
  EXPECT_EQ(rows.columns[0].strings, (std::vector<std::string>{"1.0", "2.0", "3.0"}));
  EXPECT_EQ(rows.columns[2].nulls, (std::vector<uint8_t>{0, 1, 0}));
  EXPECT_EQ(rows.columns[3].offsets, (std::vector<uint32_t>{0, 2, 4, 6}));
  EXPECT_EQ(rows.columns[3].strings[2], "t-2.0");
  EXPECT_EQ((*tables)->Find("releases")->def().order_by, "version");
}

TEST_F(DimensionTablesTest, MemoryTablesComeBackEmpty) {
  {
    auto tables = DimensionTables::Open(Options());
    ASSERT_OK(tables);
    ASSERT_OK((*tables)->Create(Releases(DimensionEngine::kMemory), false));
    ASSERT_OK((*tables)->Insert("releases", Rows(Releases(), {"1.0"})).status());
    EXPECT_EQ((*tables)->Find("releases")->rows(), 1u);
  }
  auto tables = DimensionTables::Open(Options());
  ASSERT_OK(tables);
  ASSERT_NE((*tables)->Find("releases"), nullptr);  // the definition stays, the rows do not
  EXPECT_EQ((*tables)->Find("releases")->rows(), 0u);
  EXPECT_EQ((*tables)->Find("releases")->def().engine, DimensionEngine::kMemory);
}

TEST_F(DimensionTablesTest, TruncateAndDropAreDurable) {
  {
    auto tables = DimensionTables::Open(Options());
    ASSERT_OK(tables);
    DimensionTableDef log = Releases(DimensionEngine::kLog);
    log.name = "campaigns";
    ASSERT_OK((*tables)->Create(Releases(), false));
    ASSERT_OK((*tables)->Create(log, false));
    ASSERT_OK((*tables)->Insert("releases", Rows(Releases(), {"1.0"})).status());
    ASSERT_OK((*tables)->Insert("campaigns", Rows(log, {"b", "a"})).status());
    EXPECT_EQ(Versions(**tables, "campaigns"), (std::vector<std::string>{"b", "a"}));  // Log keeps order
    ASSERT_OK((*tables)->Truncate("campaigns", false));
    ASSERT_OK((*tables)->Drop("releases", false));
    EXPECT_TRUE(absl::IsNotFound((*tables)->Drop("releases", false)));
    EXPECT_OK((*tables)->Drop("releases", true));
    EXPECT_TRUE(absl::IsAlreadyExists((*tables)->Create(log, false)));
    EXPECT_OK((*tables)->Create(log, true));
  }
  auto tables = DimensionTables::Open(Options());
  ASSERT_OK(tables);
  EXPECT_EQ((*tables)->Find("releases"), nullptr);
  ASSERT_NE((*tables)->Find("campaigns"), nullptr);
  EXPECT_EQ((*tables)->Find("campaigns")->rows(), 0u);
  EXPECT_FALSE(fs::exists(root_ + "/tables/releases"));
}

TEST_F(DimensionTablesTest, ManyInsertsFoldIntoOnePart) {
  DimensionTablesOptions options = Options();
  options.max_parts = 3;
  {
    auto tables = DimensionTables::Open(options);
    ASSERT_OK(tables);
    ASSERT_OK((*tables)->Create(Releases(), false));
    for (int i = 9; i >= 0; --i) {
      ASSERT_OK((*tables)->Insert("releases", Rows(Releases(), {std::to_string(i)})).status());
    }
    EXPECT_LE((*tables)->Find("releases")->Snapshot().parts.size(), 3u);
  }
  auto tables = DimensionTables::Open(options);
  ASSERT_OK(tables);
  EXPECT_EQ(Versions(**tables, "releases"),
            (std::vector<std::string>{"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"}));
  int files = 0;
  for (const auto& entry : fs::directory_iterator(root_ + "/tables/releases")) files += entry.path().extension() == ".part";
  EXPECT_LE(files, 3);
}

TEST_F(DimensionTablesTest, LimitAndValidation) {
  DimensionTablesOptions options = Options();
  options.max_table_bytes = 4096;
  auto tables = DimensionTables::Open(options);
  ASSERT_OK(tables);
  ASSERT_OK((*tables)->Create(Releases(), false));
  std::vector<std::string> many(200, "x");
  EXPECT_TRUE(absl::IsResourceExhausted((*tables)->Insert("releases", Rows(Releases(), many)).status()));
  DimensionBlock bad = Rows(Releases(), {"1"});
  bad.columns[2].nulls.clear();
  EXPECT_TRUE(absl::IsInvalidArgument((*tables)->Insert("releases", bad).status()));
  EXPECT_TRUE(absl::IsNotFound((*tables)->Insert("nope", Rows(Releases(), {"1"})).status()));
  DimensionTableDef evil = Releases();
  evil.name = "../evil";
  EXPECT_TRUE(absl::IsInvalidArgument((*tables)->Create(evil, false)));
}

TEST_F(DimensionTablesTest, DamageIsDetected) {
  {
    auto tables = DimensionTables::Open(Options());
    ASSERT_OK(tables);
    ASSERT_OK((*tables)->Create(Releases(), false));
    ASSERT_OK((*tables)->Insert("releases", Rows(Releases(), {"1.0", "2.0"})).status());
  }
  std::string part;
  for (const auto& entry : fs::directory_iterator(root_ + "/tables/releases")) {
    if (entry.path().extension() == ".part") part = entry.path().string();
  }
  ASSERT_FALSE(part.empty());
  {
    std::fstream file(part, std::ios::in | std::ios::out | std::ios::binary);
    file.seekp(30);
    file.put('\x5a');
  }
  absl::StatusOr<std::unique_ptr<DimensionTables>> stopped = DimensionTables::Open(Options());
  ASSERT_FALSE(stopped.ok());
  EXPECT_TRUE(absl::IsDataLoss(stopped.status()));
  EXPECT_NE(stopped.status().message().find(part), std::string::npos);

  DimensionTablesOptions skip = Options();
  skip.skip_damaged = true;
  auto tables = DimensionTables::Open(skip);
  ASSERT_OK(tables);
  EXPECT_TRUE((*tables)->recovery().degraded);
  EXPECT_EQ((*tables)->Find("releases"), nullptr);
  EXPECT_TRUE(fs::exists(root_ + "/quarantine"));
}

TEST_F(DimensionTablesTest, CrashLeftoversAreCleanedUp) {
  fs::create_directories(root_ + "/tables/half_created");
  {
    auto tables = DimensionTables::Open(Options());
    ASSERT_OK(tables);
    ASSERT_OK((*tables)->Create(Releases(), false));
  }
  std::ofstream(root_ + "/tables/releases/00000099.part") << "junk";
  std::ofstream(root_ + "/tables/releases/TABLE.tmp") << "junk";
  auto tables = DimensionTables::Open(Options());
  ASSERT_OK(tables);
  EXPECT_FALSE(fs::exists(root_ + "/tables/half_created"));
  EXPECT_FALSE(fs::exists(root_ + "/tables/releases/00000099.part"));
  EXPECT_FALSE(fs::exists(root_ + "/tables/releases/TABLE.tmp"));
  EXPECT_NE((*tables)->Find("releases"), nullptr);
}

TEST_F(DimensionTablesTest, BackupCopiesPersistedTables) {
  auto tables = DimensionTables::Open(Options());
  ASSERT_OK(tables);
  ASSERT_OK((*tables)->Create(Releases(), false));
  ASSERT_OK((*tables)->Insert("releases", Rows(Releases(), {"1.0"})).status());
  ASSERT_OK((*tables)->Backup(root_ + "/backup/tables").status());
  DimensionTablesOptions restored = Options();
  restored.dir = root_ + "/backup/tables";
  auto copy = DimensionTables::Open(restored);
  ASSERT_OK(copy);
  EXPECT_EQ(Versions(**copy, "releases"), (std::vector<std::string>{"1.0"}));
}

}  // namespace
}  // namespace mua
