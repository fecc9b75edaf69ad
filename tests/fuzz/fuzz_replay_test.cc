// Replays the seed corpus and every saved regression of mua_json_body_fuzz, mua_service_fuzz,
// mua_sql_execute_fuzz, mua_column_codec_fuzz, mua_shard_part_fuzz, mua_cluster_messages_fuzz and mua_alert_rules_fuzz
// through the harnesses themselves (built here without libFuzzer's main): a crash, a sanitizer
// report or a broken invariant fails the test.
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "gtest/gtest.h"

int MuaJsonBodyFuzz(const uint8_t* data, size_t size);
int MuaServiceFuzz(const uint8_t* data, size_t size);
int MuaSqlExecuteFuzz(const uint8_t* data, size_t size);
int MuaColumnCodecFuzz(const uint8_t* data, size_t size);
int MuaShardPartFuzz(const uint8_t* data, size_t size);
int MuaClusterMessagesFuzz(const uint8_t* data, size_t size);
int MuaAlertRulesFuzz(const uint8_t* data, size_t size);

namespace mua {
namespace {

using FuzzFunction = int (*)(const uint8_t*, size_t);

// Runs every file of `dir` (absent: none) through `fuzz`; returns how many.
int Replay(const std::filesystem::path& dir, FuzzFunction fuzz) {
  if (!std::filesystem::is_directory(dir)) return 0;
  int files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (!entry.is_regular_file() || entry.path().filename() == "README.md") continue;
    std::ifstream in(entry.path(), std::ios::binary);
    std::stringstream buffer;
    buffer << in.rdbuf();
    const std::string input = buffer.str();
    SCOPED_TRACE(entry.path().string());
    EXPECT_EQ(fuzz(reinterpret_cast<const uint8_t*>(input.data()), input.size()), 0);
    ++files;
  }
  return files;
}

const std::filesystem::path kFuzzDir = MUA_FUZZ_DIR;

TEST(FuzzReplayTest, JsonBodyCorpusAndRegressions) {
  EXPECT_GT(Replay(kFuzzDir / "corpus" / "json_body", MuaJsonBodyFuzz), 0);
  Replay(kFuzzDir / "regressions" / "json_body", MuaJsonBodyFuzz);
}

TEST(FuzzReplayTest, ServiceCorpusAndRegressions) {
  EXPECT_GT(Replay(kFuzzDir / "corpus" / "service", MuaServiceFuzz), 0);
  Replay(kFuzzDir / "regressions" / "service", MuaServiceFuzz);
}

TEST(FuzzReplayTest, SqlExecuteCorpusAndRegressions) {
  EXPECT_GT(Replay(kFuzzDir / "corpus" / "sql_execute", MuaSqlExecuteFuzz), 0);
  Replay(kFuzzDir / "regressions" / "sql_execute", MuaSqlExecuteFuzz);
}

TEST(FuzzReplayTest, ColumnCodecCorpusAndRegressions) {
  EXPECT_GT(Replay(kFuzzDir / "corpus" / "column_codec", MuaColumnCodecFuzz), 0);
  Replay(kFuzzDir / "regressions" / "column_codec", MuaColumnCodecFuzz);
}

TEST(FuzzReplayTest, ShardPartCorpusAndRegressions) {
  EXPECT_GT(Replay(kFuzzDir / "corpus" / "shard_part", MuaShardPartFuzz), 0);
  Replay(kFuzzDir / "regressions" / "shard_part", MuaShardPartFuzz);
}

TEST(FuzzReplayTest, ClusterMessagesCorpusAndRegressions) {
  EXPECT_GT(Replay(kFuzzDir / "corpus" / "cluster_messages", MuaClusterMessagesFuzz), 0);
  Replay(kFuzzDir / "regressions" / "cluster_messages", MuaClusterMessagesFuzz);
}

TEST(FuzzReplayTest, AlertRulesCorpusAndRegressions) {
  EXPECT_GT(Replay(kFuzzDir / "corpus" / "alert_rules", MuaAlertRulesFuzz), 0);
  Replay(kFuzzDir / "regressions" / "alert_rules", MuaAlertRulesFuzz);
}

}  // namespace
}  // namespace mua
