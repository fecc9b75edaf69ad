#include "server/cluster_config.h"

#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "tests/testutil/status_matchers.h"

namespace mua {
namespace {

using ::testing::HasSubstr;

constexpr absl::string_view kThreeByTwo = R"({
  "kafka": {"brokers": "127.0.0.1:19092", "topics": ["mobile_app_events"], "partitions": 24},
  "shards": [{"replicas": ["127.0.0.1:8721", "127.0.0.1:8722"]},
             {"replicas": ["127.0.0.1:8723", "127.0.0.1:8724"]},
             {"replicas": ["127.0.0.1:8725", "127.0.0.1:8726"]}]})";

TEST(ClusterConfigTest, ParsesTheIssuesExampleAndPlacesEachNode) {
  ASSERT_OK_AND_ASSIGN(const ClusterConfig config, ClusterConfig::Parse(kThreeByTwo));
  EXPECT_EQ(config.brokers, "127.0.0.1:19092");
  EXPECT_EQ(config.topics, std::vector<std::string>{"mobile_app_events"});
  EXPECT_EQ(config.partitions, 24);
  EXPECT_EQ(config.control_topic, "mua_control");  // the default
  ASSERT_EQ(config.shards.size(), 3u);

  ASSERT_OK_AND_ASSIGN(const ClusterNode node, config.Locate("127.0.0.1:8724"));
  EXPECT_EQ(node.shard, 1);
  EXPECT_EQ(node.replica, 1);
  EXPECT_THAT(config.Locate("127.0.0.1:9999"), test::StatusIs(absl::StatusCode::kNotFound));

  // p mod 3 == shard: every partition owned by exactly one shard.
  EXPECT_EQ(config.OwnedPartitions(1), (std::vector<int32_t>{1, 4, 7, 10, 13, 16, 19, 22}));
  std::vector<int> owners(24, 0);
  for (int s = 0; s < 3; ++s) {
    for (int32_t p : config.OwnedPartitions(s)) {
      ++owners[p];
      EXPECT_EQ(config.ShardOf(p), s);
    }
  }
  EXPECT_EQ(owners, std::vector<int>(24, 1));
}

TEST(ClusterConfigTest, RefusesWhatWouldMisplaceData) {
  struct Case {
    std::string json;
    std::string error;
  };
  const std::string kafka = R"("kafka": {"brokers": "b:1", "topics": ["t"], "partitions": 4})";
  const std::vector<Case> cases = {
      {"", "JSON"},
      {"[]", "top level must be an object"},
      {R"({"shards": [{"replicas": ["h:1"]}]})", "\"kafka\" must be an object"},
      {"{" + kafka + R"(, "shard": []})", "unknown member \"shard\""},
      {"{" + kafka + "}", "\"shards\" must be a non-empty array"},
      {"{" + kafka + R"(, "shards": []})", "\"shards\" must be a non-empty array"},
      {"{" + kafka + R"(, "shards": [{"replica": ["h:1"]}]})", "unknown member \"replica\""},
      {"{" + kafka + R"(, "shards": [{"replicas": []}]})", "non-empty array of HOST:PORT"},
      {"{" + kafka + R"(, "shards": [{"replicas": ["h"]}]})", "is not HOST:PORT"},
      {"{" + kafka + R"(, "shards": [{"replicas": ["h:0"]}]})", "is not HOST:PORT"},
      {"{" + kafka + R"(, "shards": [{"replicas": ["h:70000"]}]})", "is not HOST:PORT"},
      {"{" + kafka + R"(, "shards": [{"replicas": ["h:1"]}, {"replicas": ["h:1"]}]})", "listed twice"},
      {"{" + kafka + R"(, "shards": [{"replicas": ["a:1"]}, {"replicas": ["b:1"]}, {"replicas": ["c:1"]},
                                     {"replicas": ["d:1"]}, {"replicas": ["e:1"]}]})",
       "a shard would own none"},
      {R"({"kafka": {"brokers": "", "topics": ["t"], "partitions": 4}, "shards": [{"replicas": ["h:1"]}]})",
       "kafka.brokers"},
      {R"({"kafka": {"brokers": "b:1", "topics": [], "partitions": 4}, "shards": [{"replicas": ["h:1"]}]})",
       "kafka.topics"},
      {R"({"kafka": {"brokers": "b:1", "topics": ["t"], "partitions": 0}, "shards": [{"replicas": ["h:1"]}]})",
       "kafka.partitions"},
      {R"({"kafka": {"brokers": "b:1", "topics": ["t"], "partitions": "24"}, "shards": [{"replicas": ["h:1"]}]})",
       "kafka.partitions"},
      {R"({"kafka": {"brokers": "b:1", "topics": ["t"], "partitions": 4, "control_topic": "t"},
           "shards": [{"replicas": ["h:1"]}]})",
       "must not be one of the event topics"},
      {R"({"kafka": {"brokers": "b:1", "topics": ["t"], "partitions": 4, "control_topic": 1},
           "shards": [{"replicas": ["h:1"]}]})",
       "kafka.control_topic"},
      {std::string(200, '[') + std::string(200, ']'), "deeper"},
  };
  for (const Case& c : cases) {
    const absl::StatusOr<ClusterConfig> config = ClusterConfig::Parse(c.json);
    ASSERT_FALSE(config.ok()) << c.json;
    EXPECT_EQ(config.status().code(), absl::StatusCode::kInvalidArgument) << c.json;
    EXPECT_THAT(std::string(config.status().message()), HasSubstr(c.error)) << c.json;
  }
}

TEST(ClusterConfigTest, NamesItsControlTopic) {
  ASSERT_OK_AND_ASSIGN(const ClusterConfig config,
                       ClusterConfig::Parse(R"({"kafka": {"brokers": "b:1", "topics": ["t"], "partitions": 4,
                                                          "control_topic": "changes"},
                                                "shards": [{"replicas": ["h:1"]}]})"));
  EXPECT_EQ(config.control_topic, "changes");
}

TEST(ClusterConfigTest, LoadNamesTheFile) {
  const absl::StatusOr<ClusterConfig> missing = ClusterConfig::Load("/nonexistent/cluster.json");
  EXPECT_THAT(missing, test::StatusIs(absl::StatusCode::kNotFound));
  EXPECT_THAT(std::string(missing.status().message()), HasSubstr("/nonexistent/cluster.json"));
}

}  // namespace
}  // namespace mua
