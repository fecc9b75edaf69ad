// Payload: typed reads of a Grafana target's `payload` object. Builder mode sends
// strings and arrays of strings; code mode sends any JSON the user typed, so a
// value may also be a number, and a list may be a comma-separated string. Empty
// strings and nulls read as absent. Unknown keys are ignored (old dashboards carry
// junk). Borrows the JSON value; thread-compatible.
//
//   Payload payload(&target["payload"]);
//   MUA_ASSIGN_OR_RETURN(std::string period, payload.Choice("period", {"day", "week"}, "day"));
//   MUA_ASSIGN_OR_RETURN(std::vector<std::string> steps, payload.List("steps"));
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "rapidjson/document.h"

namespace mua::server_internal {

// A JSON string, or a number as decimal text; nullopt for other types.
std::optional<std::string> JsonScalarText(const rapidjson::Value& value);

class Payload {
 public:
  // `object` may be null (no payload). REQUIRES: `object` is null or a JSON object
  // that outlives this Payload.
  explicit Payload(const rapidjson::Value* object) : object_(object) {}

  bool Has(absl::string_view name) const;
  // The string (or number, as text) at `name`, or `fallback` when absent.
  // Errors: InvalidArgument for another JSON type.
  absl::StatusOr<std::string> String(absl::string_view name, absl::string_view fallback) const;
  // An array of strings, or one comma-separated string, trimmed, empty items dropped;
  // empty when absent. Errors: InvalidArgument.
  absl::StatusOr<std::vector<std::string>> List(absl::string_view name) const;
  // String(name, fallback), which must be one of `allowed`. Errors: InvalidArgument
  // listing the allowed values.
  absl::StatusOr<std::string> Choice(absl::string_view name,
                                     absl::Span<const absl::string_view> allowed,
                                     absl::string_view fallback) const;

 private:
  // The member `name`, or null when absent, null or "".
  const rapidjson::Value* Find(absl::string_view name) const;

  const rapidjson::Value* object_;
};

}  // namespace mua::server_internal
