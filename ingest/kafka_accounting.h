// Per-partition accounting of the Kafka consumer (SPEC §7, issue 17): every offset from where
// MUA began reading a partition to where it stands is accounted for exactly once,
//
//   end_offset - start_offset = events + rejected + duplicates + gap_messages + skipped_offsets
//
// (end_offset is PartitionIngestStats::applied_offset). gap_messages are offsets the broker
// removed (retention) before MUA read them; skipped_offsets are offsets the broker never
// delivers although its log still covers them (transaction markers, compaction; 0 on a plain
// topic). The counters are persisted with the offsets, as store positions
// "kafka-NAME/TOPIC/PARTITION", so they survive restarts and kill -9 in step with the data.
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "ingest/kafka_consumer.h"

namespace mua {

// What an offset jump (a message at `got` while MUA needed `needed` < got) was made of.
struct OffsetJump {
  int64_t lost = 0;     // offsets the broker no longer holds: a gap
  int64_t skipped = 0;  // offsets within the broker's log that carry no message
};

// `log_start` is the broker's log start offset read after the jump, or -1 when it could not
// be read: then the whole jump counts as lost (loss must never pass unseen).
OffsetJump ClassifyJump(int64_t needed, int64_t got, int64_t log_start);

// The store positions that persist `stats`' accounting: its start offset and counters
// (not applied_offset: that is KafkaSource(partition), stored beside them). Zero counters
// are included, so a stored value is never stale.
std::map<std::string, int64_t> AccountingPositions(const TopicPartition& partition,
                                                   const PartitionIngestStats& stats);

// Reads back what AccountingPositions and KafkaSource stored, for every partition found in
// `positions` (other keys are ignored). A partition with an applied offset but no stored
// start (data written before the accounting existed) starts its accounting at that offset.
std::map<TopicPartition, PartitionIngestStats> LoadAccounting(
    const std::map<std::string, int64_t>& positions);

}  // namespace mua
