// RejectReason: why an event failed validation (SPEC §2 data quality). The snake_case
// names are stable: they label `events_rejected.reason`, system.ingest and /metrics.
//
//   RejectReasonName(RejectReason::kBadTimestamp)  // "bad_timestamp"
#pragma once

#include <cstdint>
#include <optional>

#include "absl/strings/string_view.h"

namespace mua {

enum class RejectReason : uint8_t {
  kMalformedJson,           // not JSON, trailing bytes, NUL bytes, nesting too deep
  kNotAnObject,             // valid JSON whose root is not an object
  kMissingEventId,          // absent, null or ""
  kMissingUserId,
  kMissingEventType,
  kMissingEventTimestamp,
  kWrongTypeEventId,        // a required field that is not a string
  kWrongTypeUserId,
  kWrongTypeEventType,
  kWrongTypeEventTimestamp,  // neither a string nor an integer
  kWrongType,                // an optional field: object/array for a string, non-object properties
  kBadTimestamp,             // unparsable, or outside 1900..2400
  kTimestampInFuture,        // later than now + 24 h
  kTimestampTooOld,          // in a UTC day older than the retention period
  kTooLarge,                 // payload larger than the configured maximum
  kErasedUser,               // the user was erased (GDPR DELETE); the payload is not kept
};
inline constexpr int kNumRejectReasons = 16;

// The stable snake_case name, e.g. "wrong_type_user_id".
absl::string_view RejectReasonName(RejectReason reason);

// The reason named `name`, if any (inverse of RejectReasonName).
std::optional<RejectReason> FindRejectReason(absl::string_view name);

}  // namespace mua
