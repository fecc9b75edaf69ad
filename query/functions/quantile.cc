#include "query/functions/quantile.h"

#include "absl/strings/str_cat.h"

namespace mua::query_internal {

absl::Status ValidateQuantileLevel(double level) {
  if (!(level >= 0 && level <= 1)) {
    return absl::InvalidArgumentError(
        absl::StrCat("Quantile level is out of range [0..1]: ", level));
  }
  return absl::OkStatus();
}

}  // namespace mua::query_internal
