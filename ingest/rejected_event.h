// RejectedEvent: one event that failed validation, as the `events_rejected` table
// (SPEC §2-3) stores it, so that nothing is silently lost. Under --hash-user-ids neither
// raw nor message holds a clear user id (see KeepRejectedPayload in ingest/pii.h).
//
//   RejectedEvent r{.raw = line, .reason = RejectReason::kBadTimestamp,
//                   .message = "event_timestamp: cannot parse \"yesterday\"",
//                   .source = "events.jsonl:17", .rejected_at = absl::Now()};
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/time/time.h"
#include "ingest/reject_reason.h"

namespace mua {

struct RejectedEvent {
  // Payloads longer than this are kept truncated (the message says how long they were).
  static constexpr size_t kMaxRawBytes = 4096;

  std::string raw;      // the payload as received (user ids hashed), at most kMaxRawBytes
  RejectReason reason = RejectReason::kMalformedJson;
  std::string message;  // names the field and the offending value
  std::string source;   // "FILE:LINE", "TOPIC/PARTITION/OFFSET" or "http"
  absl::Time rejected_at;
  // Where a Kafka message came from; topic "" and partition -1 for other sources,
  // whose offset is the line number within the file or request (from 1).
  std::string topic;
  int32_t partition = -1;
  int64_t offset = -1;
  // The payload's user id as `events` stores it (hashed under hashing), so a GDPR DELETE
  // finds the user's rejects; "" when none could be read.
  std::string user_id;
};

}  // namespace mua
