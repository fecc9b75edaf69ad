// JsonParams: typed, validated reads of named parameters held in a JSON object — a
// Grafana target's `payload`, or a REST request's query string merged with its
// `params` JSON. Values arrive as strings or, from JSON typed by people, numbers;
// a list is an array of strings or one comma-separated string. Empty strings and
// nulls read as absent. Errors name the parameter with the caller's prefix
// ("payload.period must be one of day, week, month, not 'year'"). Borrows the JSON
// value; thread-compatible.
//
//   JsonParams payload(&target["payload"], "payload.");
//   MUA_ASSIGN_OR_RETURN(std::string period, payload.Choice("period", {"day", "week"}, "day"));
//   MUA_ASSIGN_OR_RETURN(std::vector<std::string> steps, payload.List("steps"));
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "rapidjson/document.h"

namespace mua::server_internal {

// A JSON string, or a number as decimal text; nullopt for other types.
std::optional<std::string> JsonScalarText(const rapidjson::Value& value);

class JsonParams {
 public:
  // `object` may be null (no parameters). `prefix` starts every parameter name in
  // errors. REQUIRES: `object` is null or a JSON object that outlives this JsonParams.
  JsonParams(const rapidjson::Value* object, std::string prefix)
      : object_(object), prefix_(std::move(prefix)) {}

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
  // OK when every member's name is in `known`; else InvalidArgument naming the first
  // unknown one and listing `known`.
  absl::Status CheckKnown(absl::Span<const absl::string_view> known) const;

 private:
  // The member `name`, or null when absent, null or "".
  const rapidjson::Value* Find(absl::string_view name) const;

  const rapidjson::Value* object_;
  std::string prefix_;
};

}  // namespace mua::server_internal
