#include "ingest/reject_reason.h"

#include <array>

namespace mua {
namespace {

constexpr std::array<absl::string_view, kNumRejectReasons> kNames = {
    "malformed_json",
    "not_an_object",
    "missing_event_id",
    "missing_user_id",
    "missing_event_type",
    "missing_event_timestamp",
    "wrong_type_event_id",
    "wrong_type_user_id",
    "wrong_type_event_type",
    "wrong_type_event_timestamp",
    "wrong_type",
    "bad_timestamp",
    "timestamp_in_future",
    "timestamp_too_old",
    "too_large",
    "erased_user",
};

}  // namespace

absl::string_view RejectReasonName(RejectReason reason) {
  return kNames[static_cast<size_t>(reason)];
}

std::optional<RejectReason> FindRejectReason(absl::string_view name) {
  for (size_t i = 0; i < kNames.size(); ++i) {
    if (kNames[i] == name) return static_cast<RejectReason>(i);
  }
  return std::nullopt;
}

}  // namespace mua
