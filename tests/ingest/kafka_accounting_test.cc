#include "ingest/kafka_accounting.h"

#include <map>
#include <string>

#include "gtest/gtest.h"
#include "ingest/kafka_consumer.h"

namespace mua {
namespace {

TEST(ClassifyJumpTest, RetentionBeyondTheNeededOffsetIsLost) {
  // Needed 300, the broker's log starts at 1149, the first message there.
  OffsetJump jump = ClassifyJump(300, 1149, 1149);
  EXPECT_EQ(jump.lost, 849);
  EXPECT_EQ(jump.skipped, 0);
  // The log start moved on after the message arrived: only up to the message was lost.
  jump = ClassifyJump(300, 1149, 1500);
  EXPECT_EQ(jump.lost, 849);
  EXPECT_EQ(jump.skipped, 0);
}

TEST(ClassifyJumpTest, AJumpInsideTheLogIsSkippedNotLost) {
  // Transaction markers or compaction: the log still starts before the needed offset.
  OffsetJump jump = ClassifyJump(10, 12, 0);
  EXPECT_EQ(jump.lost, 0);
  EXPECT_EQ(jump.skipped, 2);
  // Partly removed, partly markers.
  jump = ClassifyJump(10, 20, 15);
  EXPECT_EQ(jump.lost, 5);
  EXPECT_EQ(jump.skipped, 5);
}

TEST(ClassifyJumpTest, AnUnknownLogStartCountsTheWholeJumpAsLost) {
  const OffsetJump jump = ClassifyJump(10, 20, -1);
  EXPECT_EQ(jump.lost, 10);
  EXPECT_EQ(jump.skipped, 0);
}

TEST(ClassifyJumpTest, NoJumpNoCount) {
  EXPECT_EQ(ClassifyJump(10, 10, 50).lost, 0);
  EXPECT_EQ(ClassifyJump(10, 9, 50).lost, 0);
  EXPECT_EQ(ClassifyJump(10, 9, 50).skipped, 0);
}

TEST(AccountingPositionsTest, RoundTripsWithTheAppliedOffset) {
  const TopicPartition a{"mobile_app_events", 3};
  const TopicPartition b{"other.topic-1", 12};
  PartitionIngestStats stats{.applied_offset = 5000, .start_offset = 100};
  stats.events = 3000;
  stats.duplicates = 7;
  stats.rejected_by_reason[static_cast<size_t>(RejectReason::kBadTimestamp)] = 2;
  stats.rejected_by_reason[static_cast<size_t>(RejectReason::kMalformedJson)] = 1;
  stats.rejected = 3;
  stats.gap_messages = 1880;
  stats.gaps = 2;
  stats.skipped_offsets = 10;
  std::map<std::string, int64_t> positions = AccountingPositions(a, stats);
  EXPECT_EQ(positions.at("kafka-gap/mobile_app_events/3"), 1880);
  EXPECT_EQ(positions.at("kafka-start/mobile_app_events/3"), 100);
  EXPECT_EQ(positions.count("kafka-rejected.too_large/mobile_app_events/3"), 0u);
  positions[KafkaSource(a)] = stats.applied_offset;
  PartitionIngestStats fresh{.applied_offset = 40, .start_offset = 40};
  for (const auto& [key, value] : AccountingPositions(b, fresh)) positions[key] = value;
  positions[KafkaSource(b)] = 40;
  positions["wal"] = 17;  // other sources are ignored
  positions["kafka-nonsense"] = 1;

  const std::map<TopicPartition, PartitionIngestStats> loaded = LoadAccounting(positions);
  ASSERT_EQ(loaded.size(), 2u);
  const PartitionIngestStats& got = loaded.at(a);
  EXPECT_EQ(got.applied_offset, 5000);
  EXPECT_EQ(got.start_offset, 100);
  EXPECT_EQ(got.events, 3000);
  EXPECT_EQ(got.duplicates, 7);
  EXPECT_EQ(got.rejected, 3);
  EXPECT_EQ(got.rejected_by_reason, stats.rejected_by_reason);
  EXPECT_EQ(got.gap_messages, 1880);
  EXPECT_EQ(got.gaps, 2);
  EXPECT_EQ(got.skipped_offsets, 10);
  EXPECT_EQ(got.messages, 3010);
  EXPECT_EQ(got.applied_offset - got.start_offset,
            got.events + got.rejected + got.duplicates + got.gap_messages + got.skipped_offsets);
  EXPECT_EQ(loaded.at(b).applied_offset, 40);
  EXPECT_EQ(loaded.at(b).start_offset, 40);
  EXPECT_EQ(loaded.at(b).messages, 0);
}

TEST(AccountingPositionsTest, OffsetsStoredBeforeTheAccountingStartItThere) {
  // A data directory of the previous release: only "kafka/TOPIC/PARTITION".
  const std::map<TopicPartition, PartitionIngestStats> loaded =
      LoadAccounting({{"kafka/mobile_app_events/0", 777}, {"wal", 3}});
  ASSERT_EQ(loaded.size(), 1u);
  const PartitionIngestStats& got = loaded.at({"mobile_app_events", 0});
  EXPECT_EQ(got.applied_offset, 777);
  EXPECT_EQ(got.start_offset, 777);
  EXPECT_EQ(got.events + got.gap_messages + got.rejected + got.duplicates, 0);
}

}  // namespace
}  // namespace mua
