#include "storage/base/json_limits.h"

#include "absl/strings/cord.h"
#include "absl/strings/str_cat.h"
#include "rapidjson/error/en.h"

namespace mua {
namespace {

// Marks the error of JsonTooDeepError: callers treat too deep apart from malformed
// (the ingestor hands a too-deep property blob to the decoder, which rejects it).
constexpr absl::string_view kTooDeepPayload = "mua/json_too_deep";

}  // namespace

std::string JsonTooDeepMessage(int max_depth, size_t offset) {
  return absl::StrCat("JSON nested deeper than ", max_depth, " levels at offset ", offset);
}

absl::Status JsonTooDeepError(int max_depth, size_t offset) {
  absl::Status status = absl::InvalidArgumentError(JsonTooDeepMessage(max_depth, offset));
  status.SetPayload(kTooDeepPayload, absl::Cord());
  return status;
}

bool IsJsonTooDeep(const absl::Status& status) {
  return status.GetPayload(kTooDeepPayload).has_value();
}

absl::Status JsonSyntaxError(rapidjson::ParseErrorCode code, size_t offset) {
  return absl::InvalidArgumentError(
      absl::StrCat("malformed JSON at offset ", offset, ": ", rapidjson::GetParseError_En(code)));
}

}  // namespace mua
