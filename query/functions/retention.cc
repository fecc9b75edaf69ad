#include "query/functions/retention.h"

namespace mua::query_internal {

absl::Status ValidateRetentionArity(size_t num_conditions) {
  if (num_conditions < 2) {
    return absl::InvalidArgumentError(
        "Not enough event arguments for aggregate function retention");
  }
  if (num_conditions > static_cast<size_t>(kMaxRetentionConditions)) {
    return absl::InvalidArgumentError("Too many event arguments for aggregate function retention");
  }
  return absl::OkStatus();
}

}  // namespace mua::query_internal
