#include "ingest/kafka_consumer.h"

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ingest/body_ingestor.h"
#include "ingest/control_log.h"
#include "ingest/kafka_producer.h"
#include "ingest/pii.h"
#include "ingest/rejected_event_log.h"
#include "storage/scan_block.h"
#include "storage/table.h"
#include "storage/table_snapshot.h"
#include "tests/testutil/event_builder.h"
#include "tests/testutil/status_matchers.h"
#include "tools/gen/event_generator.h"
#include "tools/gen/json_writer.h"

namespace mua {
namespace {

using test::MillisAt;

constexpr char kTopic[] = "mobile_app_events";
constexpr int kPartitions = 4;

struct KafkaDeleter {
  void operator()(rd_kafka_t* handle) const { rd_kafka_destroy(handle); }
};
struct MockClusterDeleter {
  void operator()(rd_kafka_mock_cluster_t* cluster) const {
    rd_kafka_mock_cluster_destroy(cluster);
  }
};

struct Message {
  std::string key;
  std::string value;
};

// Delivered messages per partition, filled by the producer's delivery reports.
struct Delivered {
  std::map<int32_t, int64_t> per_partition;
  int64_t failed = 0;
};

class KafkaConsumerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char error[512];
    mock_handle_.reset(rd_kafka_new(RD_KAFKA_PRODUCER, rd_kafka_conf_new(), error, sizeof(error)));
    ASSERT_NE(mock_handle_, nullptr) << error;
    cluster_.reset(rd_kafka_mock_cluster_new(mock_handle_.get(), 1));
    ASSERT_NE(cluster_, nullptr);
    ASSERT_EQ(rd_kafka_mock_topic_create(cluster_.get(), kTopic, kPartitions, 1),
              RD_KAFKA_RESP_ERR_NO_ERROR);
    bootstraps_ = rd_kafka_mock_cluster_bootstraps(cluster_.get());
  }

  void TearDown() override {
    cluster_.reset();  // before the handle it runs on
    mock_handle_.reset();
  }

  // Produces `messages` keyed (so a user's events share a partition), waits for delivery.
  void Produce(const std::vector<Message>& messages) {
    rd_kafka_conf_t* conf = rd_kafka_conf_new();
    char error[512];
    ASSERT_EQ(rd_kafka_conf_set(conf, "bootstrap.servers", bootstraps_.c_str(), error,
                                sizeof(error)),
              RD_KAFKA_CONF_OK);
    ASSERT_EQ(rd_kafka_conf_set(conf, "compression.codec", "lz4", error, sizeof(error)),
              RD_KAFKA_CONF_OK);
    rd_kafka_conf_set_opaque(conf, &delivered_);
    rd_kafka_conf_set_dr_msg_cb(conf, [](rd_kafka_t*, const rd_kafka_message_t* message,
                                         void* opaque) {
      auto* delivered = static_cast<Delivered*>(opaque);
      if (message->err) {
        ++delivered->failed;
      } else {
        ++delivered->per_partition[message->partition];
      }
    });
    std::unique_ptr<rd_kafka_t, KafkaDeleter> producer(
        rd_kafka_new(RD_KAFKA_PRODUCER, conf, error, sizeof(error)));
    ASSERT_NE(producer, nullptr) << error;
    for (const Message& message : messages) {
      while (true) {
        const rd_kafka_resp_err_t err = rd_kafka_producev(
            producer.get(), RD_KAFKA_V_TOPIC(kTopic),
            RD_KAFKA_V_KEY(message.key.data(), message.key.size()),
            RD_KAFKA_V_VALUE(const_cast<char*>(message.value.data()), message.value.size()),
            RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_END);
        if (err != RD_KAFKA_RESP_ERR__QUEUE_FULL) {
          ASSERT_EQ(err, RD_KAFKA_RESP_ERR_NO_ERROR) << rd_kafka_err2str(err);
          break;
        }
        rd_kafka_poll(producer.get(), 10);
      }
    }
    ASSERT_EQ(rd_kafka_flush(producer.get(), 60'000), RD_KAFKA_RESP_ERR_NO_ERROR);
    ASSERT_EQ(delivered_.failed, 0);
  }

  KafkaConsumerOptions ConsumerOptions() const {
    KafkaConsumerOptions options;
    options.brokers = bootstraps_;
    options.batch_max_events = 500;  // many batches
    // The mock broker may wait out a departed member's session before rebalancing.
    options.config = {{"session.timeout.ms", "6000"}, {"heartbeat.interval.ms", "500"}};
    options.ingest.now = absl::FromUnixMillis(MillisAt("2026-11-01T00:00:00"));
    options.ingest.batch_rows = 300;
    options.ingest.threads = 2;
    return options;
  }

  // Polls until every delivered message is applied or a generous deadline passes.
  static void PollUntilApplied(KafkaConsumer& consumer, const Delivered& delivered) {
    const absl::Time deadline = absl::Now() + absl::Seconds(90);
    while (absl::Now() < deadline) {
      ASSERT_OK(consumer.PollBatch().status());
      int64_t done = 0;
      for (const auto& [key, stats] : consumer.partitions()) {
        auto it = delivered.per_partition.find(key.partition);
        if (it != delivered.per_partition.end() && stats.applied_offset == it->second) ++done;
      }
      if (done == static_cast<int64_t>(delivered.per_partition.size())) return;
    }
    FAIL() << "not all messages applied before the deadline";
  }

  std::unique_ptr<rd_kafka_t, KafkaDeleter> mock_handle_;
  std::unique_ptr<rd_kafka_mock_cluster_t, MockClusterDeleter> cluster_;
  std::string bootstraps_;
  Delivered delivered_;
};

// Cluster replicas (SPEC §11): each consumes exactly the partitions it is given, with no
// group rebalancing, under a group of its own; two replicas of a shard hold the same
// events, and the shards together hold every event once. Run() (polling on its own thread
// beside the applying) drives them.
TEST_F(KafkaConsumerTest, ExplicitAssignmentConsumesExactlyTheShardsPartitions) {
  std::vector<Message> messages;
  for (int i = 0; i < 2000; ++i) {
    const std::string user = absl::StrCat("user_", i % 137);
    messages.push_back({.key = user,
                        .value = absl::StrCat(R"({"event_id":"e)", i, R"(","user_id":")", user,
                                              R"(","event_type":"app_open",)",
                                              R"("event_timestamp":"2026-10-05T14:03:07Z"})")});
  }
  ASSERT_NO_FATAL_FAILURE(Produce(messages));
  ASSERT_EQ(delivered_.per_partition.size(), static_cast<size_t>(kPartitions));

  struct Replica {
    std::vector<int32_t> partitions;
    std::string group;
    Table table;
    std::unique_ptr<KafkaConsumer> consumer;
    absl::Status status;
    std::thread loop;
  };
  Replica replicas[3];
  replicas[0].partitions = replicas[1].partitions = {0, 2};  // shard 0 of 2, two replicas
  replicas[2].partitions = {1, 3};                           // shard 1
  for (int r = 0; r < 3; ++r) {
    Replica& replica = replicas[r];
    replica.group = absl::StrCat("mua-replica-", r);
    KafkaConsumerOptions options = ConsumerOptions();
    options.group = replica.group;
    options.partitions = replica.partitions;
    ASSERT_OK_AND_ASSIGN(replica.consumer, KafkaConsumer::Open(options, &replica.table));
    replica.loop = std::thread([&replica] { replica.status = replica.consumer->Run(); });
  }
  auto expected = [&](const Replica& replica) {
    uint64_t count = 0;
    for (int32_t p : replica.partitions) count += delivered_.per_partition[p];
    return count;
  };
  const absl::Time deadline = absl::Now() + absl::Seconds(90);
  for (const Replica& replica : replicas) {
    while (replica.table.row_count() < expected(replica) && absl::Now() < deadline) {
      absl::SleepFor(absl::Milliseconds(20));
    }
  }
  for (Replica& replica : replicas) {
    replica.consumer->RequestStop();
    replica.loop.join();
    ASSERT_OK(replica.status);
    EXPECT_EQ(replica.table.row_count(), expected(replica)) << replica.group;
    EXPECT_EQ(replica.consumer->stats().assigned_partitions, 2);
    for (const auto& [key, stats] : replica.consumer->partitions()) {
      EXPECT_TRUE(key.partition == replica.partitions[0] || key.partition == replica.partitions[1])
          << replica.group << " consumed partition " << key.partition;
      EXPECT_EQ(stats.applied_offset, delivered_.per_partition[key.partition]);
    }
    ASSERT_OK(replica.consumer->Stop());
  }
  EXPECT_EQ(replicas[0].table.row_count() + replicas[2].table.row_count(), messages.size());
  // Keyed by user: a user's events are all on one shard.
  for (int r : {0, 2}) {
    const StringDictionary& users = replicas[r].table.user_index();
    for (uint32_t code = 0; code < users.size(); ++code) {
      EXPECT_FALSE(replicas[2 - r].table.user_index().Find(users.Get(code)).has_value()) << users.Get(code);
    }
  }
}

TEST_F(KafkaConsumerTest, AppliesGeneratedStreamAndRestartsWithoutDuplicates) {
  // A few thousand mua-gen events with re-sends, plus invalid lines and one empty message.
  gen::EventGenerator generator(
      {.users = 150, .days = 5, .seed = 11, .duplicate_share = 0.05});
  std::vector<gen::GeneratedEvent> day;
  std::vector<Message> messages;
  int64_t valid = 0;
  int64_t duplicates = 0;
  int64_t invalid = 0;
  uint64_t counter = 0;
  while (generator.NextDay(&day)) {
    for (const gen::GeneratedEvent& event : day) {
      Message message{.key = event.user_id};
      gen::AppendJsonLine(event, &message.value);
      message.value.pop_back();  // the '\n'
      messages.push_back(std::move(message));
      ++valid;
      duplicates += event.duplicate ? 1 : 0;
      if (++counter % 29 == 0) {
        Message bad{.key = event.user_id};
        gen::AppendInvalidJsonLine(event, counter * 0x9E3779B97F4A7C15ull, &bad.value);
        bad.value.pop_back();
        messages.push_back(std::move(bad));
        ++invalid;
      }
    }
  }
  messages.push_back({.key = "empty", .value = ""});
  ++invalid;
  ASSERT_GT(valid, 2000);
  ASSERT_GT(duplicates, 50);
  ASSERT_NO_FATAL_FAILURE(Produce(messages));
  ASSERT_EQ(delivered_.per_partition.size(), static_cast<size_t>(kPartitions));

  Table table;
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<KafkaConsumer> consumer,
                       KafkaConsumer::Open(ConsumerOptions(), &table));
  ASSERT_NO_FATAL_FAILURE(PollUntilApplied(*consumer, delivered_));

  const KafkaConsumerStats stats = consumer->stats();
  EXPECT_EQ(stats.messages, static_cast<int64_t>(messages.size()));
  EXPECT_EQ(stats.events, valid - duplicates);
  EXPECT_EQ(stats.duplicates, duplicates);
  EXPECT_EQ(stats.rejected, invalid);
  EXPECT_EQ(static_cast<int64_t>(table.row_count()), valid - duplicates);
  EXPECT_EQ(static_cast<int64_t>(consumer->rejected_events().size()), invalid);
  for (const RejectedEvent& rejected : consumer->rejected_events()) {
    EXPECT_EQ(rejected.source.rfind(absl::StrCat(kTopic, "/"), 0), 0u) << rejected.source;
    EXPECT_FALSE(rejected.message.empty());
  }
  int64_t events = 0;
  for (const auto& [key, partition] : consumer->partitions()) {
    EXPECT_EQ(key.topic, kTopic);
    EXPECT_EQ(partition.applied_offset, delivered_.per_partition[key.partition]);
    EXPECT_EQ(partition.messages, partition.applied_offset);  // one producer, offsets from 0
    EXPECT_EQ(partition.messages, partition.events + partition.duplicates + partition.rejected);
    int64_t by_reason = 0;
    for (int64_t count : partition.rejected_by_reason) by_reason += count;
    EXPECT_EQ(by_reason, partition.rejected);
    EXPECT_GE(partition.high_watermark, partition.applied_offset);
    EXPECT_GT(partition.last_event_time_ms, 0);
    events += partition.events;
  }
  EXPECT_EQ(events, valid - duplicates);
  ASSERT_OK(consumer->Stop());

  // Produced while no consumer runs: the restarted member must get exactly these.
  std::vector<Message> more;
  for (int i = 0; i < 20; ++i) {
    const std::string user = absl::StrCat("restart_user_", i);
    more.push_back({.key = user,
                    .value = absl::StrCat(R"({"event_id":"r)", i, R"(","user_id":")", user,
                                          R"(","event_type":"app_open",)",
                                          R"("event_timestamp":"2026-10-05T14:03:07Z"})")});
  }
  ASSERT_NO_FATAL_FAILURE(Produce(more));

  // The offsets were committed to Kafka: a member that resumes from the group's
  // offsets (as lag tools see them) gets exactly the new messages.
  Table restarted_table;
  KafkaConsumerOptions group_offsets = ConsumerOptions();
  group_offsets.ignore_group_offsets = false;
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<KafkaConsumer> restarted,
                       KafkaConsumer::Open(group_offsets, &restarted_table));
  ASSERT_NO_FATAL_FAILURE(PollUntilApplied(*restarted, delivered_));
  for (int i = 0; i < 5; ++i) ASSERT_OK(restarted->PollBatch().status());  // nothing more
  EXPECT_EQ(restarted->stats().messages, 20);
  EXPECT_EQ(restarted_table.row_count(), 20u);
  ASSERT_OK(restarted->Stop());

  // MUA's own restart (the default): an empty in-memory table owns no offsets,
  // so it reads every retained message again — nothing lost, nothing twice.
  Table rebuilt_table;
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<KafkaConsumer> rebuilt,
                       KafkaConsumer::Open(ConsumerOptions(), &rebuilt_table));
  ASSERT_NO_FATAL_FAILURE(PollUntilApplied(*rebuilt, delivered_));
  EXPECT_EQ(rebuilt_table.row_count(), static_cast<uint64_t>(valid - duplicates + 20));
  ASSERT_OK(rebuilt->Stop());
}

// --hash_user_ids: a Kafka reject keeps no clear user id (either shape, unparsable too),
// and records the hashed id that `events` uses, so a GDPR erasure finds it.
TEST_F(KafkaConsumerTest, RejectsKeepNoClearUserIdUnderHashing) {
  ASSERT_OK_AND_ASSIGN(const UserIdHasher hasher, UserIdHasher::FromSalt("kafka-salt"));
  const std::string hash = hasher.Hash("ursula-55");
  ASSERT_NO_FATAL_FAILURE(Produce({
      {.key = "u",
       .value = R"({"event_id":"1","user_id":"ursula-55","event_type":"t","event_timestamp":"no"})"},
      {.key = "u",
       .value = R"({"event_id":"2","user":{"user_id":"ursula-55"},"event_type":"t",)"
                R"("event_timestamp":"ursula-55"})"},
      {.key = "u", .value = R"({"event_id":"3","user_id":"ursula-55","event_timestamp)"},
      {.key = "u",
       .value = R"({"event_id":"4","user_id":"ursula-55","event_type":"t",)"
                R"("event_timestamp":"2026-10-05T14:03:07Z"})"},
  }));
  RejectedEventLog log;
  KafkaConsumerOptions options = ConsumerOptions();
  options.ingest.decoder.user_id_hasher = &hasher;
  options.ingest.rejected_log = &log;
  Table table;
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<KafkaConsumer> consumer,
                       KafkaConsumer::Open(options, &table));
  ASSERT_NO_FATAL_FAILURE(PollUntilApplied(*consumer, delivered_));
  EXPECT_EQ(table.row_count(), 1u);
  EXPECT_TRUE(table.user_index().Find(hash).has_value());
  const std::vector<RejectedEvent> rows = log.Rows();
  ASSERT_EQ(rows.size(), 3u);
  for (const RejectedEvent& row : rows) {
    EXPECT_EQ(row.user_id, hash);
    EXPECT_EQ(row.raw.find("ursula"), std::string::npos) << row.raw;
    EXPECT_EQ(row.message.find("ursula"), std::string::npos) << row.message;
  }
  EXPECT_NE(rows[0].raw.find(hash), std::string::npos);
  EXPECT_EQ(rows[2].raw.rfind("unparsable: ", 0), 0u) << rows[2].raw;
  EXPECT_EQ(log.EraseUser(hash), 3);
  ASSERT_OK(consumer->Stop());
}

// Issue 17: a partition assigned but not yet read when the broker's retention (~5 MB per
// partition in the mock) drops its first messages. It starts at the broker's log start when
// first assigned, so the loss is counted exactly, and every partition keeps
// end - start = events + rejected + duplicates + gap_messages + skipped_offsets.
TEST_F(KafkaConsumerTest, CountsWhatRetentionDropsFromAPartitionNotYetRead) {
  Table table;
  std::vector<std::string> logged;
  KafkaConsumerOptions options = ConsumerOptions();
  options.log = [&logged](const std::string& line) { logged.push_back(line); };
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<KafkaConsumer> consumer, KafkaConsumer::Open(options, &table));
  const absl::Time deadline = absl::Now() + absl::Seconds(60);
  while (consumer->stats().assigned_partitions < kPartitions && absl::Now() < deadline) {
    ASSERT_OK(consumer->PollBatch().status());
  }
  ASSERT_EQ(consumer->stats().assigned_partitions, kPartitions);
  for (const auto& [key, partition] : consumer->partitions()) {
    EXPECT_EQ(partition.start_offset, 0) << key.partition;
    EXPECT_EQ(partition.applied_offset, 0) << key.partition;
  }
  // Paused, so that nothing is fetched before retention drops it.
  consumer->PauseIngest();
  ASSERT_OK(consumer->PollBatch().status());
  std::vector<Message> messages;
  uint64_t random = 0x9E3779B97F4A7C15ull;
  for (int i = 0; i < 2000; ++i) {
    std::string pad;
    while (pad.size() < 4000) {  // incompressible, so the log fills
      random = random * 6364136223846793005ull + 1442695040888963407ull;
      absl::StrAppend(&pad, absl::Hex(random >> 1, absl::kZeroPad16));
    }
    messages.push_back({.key = "one-partition",
                        .value = absl::StrCat(R"({"event_id":"big)", i,
                                              R"(","user_id":"u1","event_type":"t",)",
                                              R"("event_timestamp":"2026-10-05T14:03:07Z",)",
                                              R"("properties":{"pad":")", pad, R"("}})")});
  }
  ASSERT_NO_FATAL_FAILURE(Produce(messages));
  ASSERT_EQ(delivered_.per_partition.size(), 1u);
  consumer->ResumeIngest();
  ASSERT_NO_FATAL_FAILURE(PollUntilApplied(*consumer, delivered_));

  const int64_t lost = 2000 - static_cast<int64_t>(table.row_count());
  EXPECT_GT(lost, 0);
  EXPECT_EQ(consumer->stats().gap_messages, lost);
  for (const auto& [key, p] : consumer->partitions()) {
    EXPECT_EQ(p.applied_offset - p.start_offset,
              p.events + p.rejected + p.duplicates + p.gap_messages + p.skipped_offsets)
        << key.partition;
    if (p.events > 0) {
      EXPECT_EQ(p.gap_messages, lost);
      EXPECT_EQ(p.gaps, 1);
      EXPECT_EQ(p.applied_offset, 2000);
      const std::string want = absl::StrCat("LOST ", lost, " messages of ", kTopic, "/", key.partition,
                                            " (offsets 0..", lost - 1, ")");
      EXPECT_TRUE(std::any_of(logged.begin(), logged.end(),
                              [&](const std::string& line) { return line.rfind(want, 0) == 0; }))
          << want;
    } else {
      EXPECT_EQ(p.gap_messages, 0);
    }
  }
  ASSERT_OK(consumer->Stop());
}

TEST_F(KafkaConsumerTest, OpenRejectsMissingBrokers) {
  Table table;
  KafkaConsumerOptions options;
  EXPECT_THAT(KafkaConsumer::Open(options, &table),
              test::StatusIs(absl::StatusCode::kInvalidArgument));
}

// An unknown librdkafka property (mua-server --kafka_property) is an error naming it, and
// the half-built consumer goes away cleanly (it once crashed in Stop with no handle).
TEST_F(KafkaConsumerTest, OpenRejectsUnknownProperties) {
  Table table;
  KafkaConsumerOptions options = ConsumerOptions();
  options.config["no.such.property"] = "1";
  const auto opened = KafkaConsumer::Open(options, &table);
  ASSERT_THAT(opened, test::StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_NE(opened.status().message().find("no.such.property"), absl::string_view::npos);
}

// Each row's (user, event id, time, properties, attributes), sorted: what must be equal
// between two tables holding the same events.
std::vector<std::string> RowDigests(const Table& table) {
  std::vector<std::string> rows;
  const TableSnapshot snapshot = table.Snapshot();
  const ScanOptions options{.columns = {ColumnId::kEventTime, ColumnId::kUserId, ColumnId::kEventId,
                                        ColumnId::kProperties, ColumnId::kAttributes}};
  ScanBuffers buffers;
  for (const BlockRef& ref : snapshot.ListBlocks(options).blocks) {
    ScanBlock block;
    EXPECT_OK(snapshot.ReadBlock(ref, options.columns, &buffers, &block));
    for (uint32_t i = 0; i < block.row_count; ++i) {
      rows.push_back(absl::StrCat(table.user_index().Get(block.users[i]), "|",
                                  block.strings[ColumnIndex(ColumnId::kEventId)][i], "|", block.event_time[i], "|",
                                  block.strings[ColumnIndex(ColumnId::kProperties)][i], "|",
                                  block.strings[ColumnIndex(ColumnId::kAttributes)][i]));
    }
  }
  std::sort(rows.begin(), rows.end());
  return rows;
}

// Ingest through the log (cluster mode): an HTTP body forwarded to Kafka and consumed lands
// exactly as the same body ingested on the node — SDK events and INSERT rows (whose
// `attributes` is the column) alike, keyed by the clear user id under hashing too; rejects
// stay with the node that took the body, and a body sent twice is stored once.
TEST_F(KafkaConsumerTest, HttpBodiesForwardedThroughTheLogLandAsIngestedLocally) {
  std::string events;
  for (int i = 0; i < 600; ++i) {
    absl::StrAppend(&events, R"({"event_id":"e)", i, R"(","user":{"user_id":"user_)", i % 41,
                    R"(","tier":"gold"},"event_type":"app_open","event_timestamp":"2026-10-05T14:03:)",
                    absl::Dec(i % 60, absl::kZeroPad2), R"(Z","properties":{"n":)", i,
                    R"(,"big":12345678901234567890},"platform":"ios","device":{"os":"android","browser":"x"}})",
                    "\n");
  }
  absl::StrAppend(&events, "{not json\n", R"({"event_id":"x","user_id":"u","event_type":"a"})", "\n");
  std::string rows;
  for (int i = 0; i < 300; ++i) {
    absl::StrAppend(&rows, R"({"event_time":"2026-10-06 10:00:0)", i % 10, R"(.000","user_id":"row_user_)", i % 17,
                    R"(","event_id":"r)", i, R"(","event_type":"purchase","properties":"{\"price\":9.99}",)",
                    R"("attributes":"{\"platform\":\"web\",\"page\":{\"utm\":\"g\"}}"})", "\n");
  }
  ASSERT_OK_AND_ASSIGN(const UserIdHasher hasher, UserIdHasher::FromSalt("0123456789abcdef0123456789abcdef"));
  IngestOptions options = ConsumerOptions().ingest;
  options.decoder.user_id_hasher = &hasher;

  Table local;
  BodyIngestor direct(&local, options);
  ASSERT_OK_AND_ASSIGN(const BodyIngestStats direct_events, direct.Ingest(events, BodyFormat::kEventLines, "http"));
  ASSERT_OK_AND_ASSIGN(const BodyIngestStats direct_rows, direct.Ingest(rows, BodyFormat::kJsonEachRow, "http"));
  ASSERT_EQ(direct_events.accepted, 600);
  ASSERT_EQ(direct_rows.accepted, 300);

  ASSERT_OK_AND_ASSIGN(std::unique_ptr<KafkaEventProducer> producer,
                       KafkaEventProducer::Open({.brokers = bootstraps_, .topic = kTopic}));
  Table untouched;
  RejectedEventLog rejected_here;
  IngestOptions forwarding = options;
  forwarding.forward = producer.get();
  forwarding.rejected_log = &rejected_here;
  BodyIngestor through_log(&untouched, forwarding);
  for (int sent = 0; sent < 2; ++sent) {  // a client's retry: the shard de-duplicates
    ASSERT_OK_AND_ASSIGN(const BodyIngestStats stats, through_log.Ingest(events, BodyFormat::kEventLines, "http"));
    EXPECT_EQ(stats.accepted, 600);
    EXPECT_EQ(stats.rejected, 2);
    ASSERT_OK_AND_ASSIGN(const BodyIngestStats row_stats, through_log.Ingest(rows, BodyFormat::kJsonEachRow, "http"));
    EXPECT_EQ(row_stats.accepted, 300);
  }
  EXPECT_EQ(untouched.row_count(), 0u);
  const std::vector<RejectedEvent> kept_here = rejected_here.Rows();
  EXPECT_EQ(kept_here.size(), 4u);
  for (const RejectedEvent& rejected : kept_here) {
    EXPECT_EQ(rejected.raw.find("\"u\""), std::string::npos) << "a clear user id in " << rejected.raw;
  }
  EXPECT_EQ(producer->produced(), 1800);

  // Consumed as any producer's events: keyed by the clear id, so each user on one partition.
  Table consumed;
  KafkaConsumerOptions consumer_options = ConsumerOptions();
  consumer_options.ingest = options;
  consumer_options.cluster_shards = kPartitions;
  consumer_options.cluster_topic_partitions = kPartitions;
  consumer_options.partitions = {0, 1, 2, 3};
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<KafkaConsumer> consumer, KafkaConsumer::Open(consumer_options, &consumed));
  const absl::Time deadline = absl::Now() + absl::Seconds(90);
  while (consumer->stats().messages < 1800 && absl::Now() < deadline) ASSERT_OK(consumer->PollBatch().status());
  const KafkaConsumerStats stats = consumer->stats();
  EXPECT_EQ(stats.messages, 1800);
  EXPECT_EQ(stats.events, 900);
  EXPECT_EQ(stats.duplicates, 900);
  EXPECT_EQ(stats.rejected, 0);
  EXPECT_EQ(stats.misplaced_events, 0);
  EXPECT_EQ(RowDigests(consumed), RowDigests(local));
  ASSERT_OK(consumer->Stop());
}

// The control topic: every node applies every message once, in order; one that restarts
// resumes after what it applied, and one that died while applying a message asks whether
// it took effect instead of applying it twice.
TEST_F(KafkaConsumerTest, ControlLogAppliesEachMessageOnceInOrderAcrossRestarts) {
  ASSERT_EQ(rd_kafka_mock_topic_create(cluster_.get(), "mua_control", 1, 1), RD_KAFKA_RESP_ERR_NO_ERROR);
  const std::string state = ::testing::TempDir() + "/control_state_" + std::to_string(::getpid());
  std::remove(state.c_str());
  struct Node {
    absl::Mutex mu;
    std::vector<std::string> applied;
  };
  auto open = [&](Node* node, const std::string& state_file, bool took_effect) {
    return ControlLog::Open({.brokers = bootstraps_,
                             .topic = "mua_control",
                             .state_file = state_file,
                             .apply = [node](int64_t, absl::string_view message) {
                               absl::MutexLock lock(&node->mu);
                               node->applied.emplace_back(message);
                             },
                             .prepare = [](absl::string_view message) { return absl::StrCat("note-", message); },
                             .took_effect = [took_effect](absl::string_view, absl::string_view note) {
                               EXPECT_EQ(note, "note-m2");
                               return took_effect;
                             }});
  };
  auto applied = [](Node& node) {
    absl::MutexLock lock(&node.mu);
    return node.applied;
  };
  Node first;
  Node replayed;  // no state file: replays the whole topic
  {
    ASSERT_OK_AND_ASSIGN(std::unique_ptr<ControlLog> log, open(&first, state, false));
    ASSERT_OK_AND_ASSIGN(std::unique_ptr<ControlLog> other, open(&replayed, "", false));
    for (const char* message : {"m0", "m1"}) {
      ASSERT_OK_AND_ASSIGN(const int64_t offset, other->Append(message));
      ASSERT_OK(log->WaitApplied(offset, absl::Now() + absl::Seconds(60)));
      ASSERT_OK(other->WaitApplied(offset, absl::Now() + absl::Seconds(60)));
    }
    EXPECT_EQ(log->next_offset(), 2);
  }
  EXPECT_THAT(applied(first), ::testing::ElementsAre("m0", "m1"));
  EXPECT_THAT(applied(replayed), ::testing::ElementsAre("m0", "m1"));
  // Restarted from its state: only what it has not applied.
  Node restarted;
  {
    ASSERT_OK_AND_ASSIGN(std::unique_ptr<ControlLog> log, open(&restarted, state, false));
    ASSERT_OK_AND_ASSIGN(const int64_t offset, log->Append("m2"));
    EXPECT_EQ(offset, 2);
    ASSERT_OK(log->WaitApplied(offset, absl::Now() + absl::Seconds(60)));
  }
  EXPECT_THAT(applied(restarted), ::testing::ElementsAre("m2"));
  // Died while applying m2 (its note kept): at restart it is asked, and applied only if it
  // had not taken effect.
  for (const bool took_effect : {true, false}) {
    {
      std::ofstream(state, std::ios::trunc) << "pending 2 note-m2\n";
    }
    Node after_crash;
    ASSERT_OK_AND_ASSIGN(std::unique_ptr<ControlLog> log, open(&after_crash, state, took_effect));
    ASSERT_OK(log->WaitApplied(2, absl::Now() + absl::Seconds(60)));
    EXPECT_EQ(applied(after_crash), took_effect ? std::vector<std::string>{} : std::vector<std::string>{"m2"});
  }
  std::ofstream(state, std::ios::trunc) << "garbage\n";
  Node damaged;
  EXPECT_THAT(open(&damaged, state, false).status(), test::StatusIs(absl::StatusCode::kDataLoss));
  std::remove(state.c_str());
}

}  // namespace
}  // namespace mua
