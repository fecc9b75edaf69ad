// RejectedEvent: one event that failed validation, as the `events_rejected` table
// (SPEC §2-3) will store it, so that nothing is silently lost.
//
//   RejectedEvent r{.raw = line, .reason = RejectReason::kBadTimestamp,
//                   .message = "event_timestamp: cannot parse \"yesterday\"",
//                   .source = "events.jsonl:17", .rejected_at = absl::Now()};
#pragma once

#include <cstddef>
#include <string>

#include "absl/time/time.h"
#include "ingest/reject_reason.h"

namespace mua {

struct RejectedEvent {
  // Payloads longer than this are kept truncated (the message says how long they were).
  static constexpr size_t kMaxRawBytes = 4096;

  std::string raw;      // the payload as received, at most kMaxRawBytes
  RejectReason reason = RejectReason::kMalformedJson;
  std::string message;  // names the field and the offending value
  std::string source;   // "FILE:LINE" or "TOPIC/PARTITION/OFFSET"
  absl::Time rejected_at;
};

}  // namespace mua
