// What a REST request (server/rest_api.h) says besides its body: its parameters —
// the query string merged with the JSON object in its `params` query parameter, so
// `?period=week` and `?params={"period":"week"}` mean the same — dates, and
// percent-encoded path segments. Everything here validates strictly; nothing
// reaches SQL unchecked. Pure functions; thread-safe.
//
//   rapidjson::Document document;
//   MUA_RETURN_IF_ERROR(GatherParams(request, /*lists=*/{"steps"}, &document));
//   JsonParams params(&document, "");
//   MUA_ASSIGN_OR_RETURN(std::optional<int32_t> from, DateParam(params, "from"));
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "rapidjson/document.h"
#include "server/http_types.h"
#include "server/internal/json_params.h"

namespace mua::server_internal {

// The query parameter holding a JSON object of parameters.
inline constexpr absl::string_view kJsonParamsName = "params";

// The request's parameters as one JSON object in `*out`: query-string values as
// strings (a name repeated in the query string becomes an array of strings when it
// is in `lists`), plus the members of the JSON object in `params`.
// Errors: InvalidArgument when `params` is not a JSON object, a name outside `lists`
// is repeated, or a name is given both in the query string and in `params`.
absl::Status GatherParams(const HttpRequest& request, absl::Span<const absl::string_view> lists,
                          rapidjson::Document* out);

// The day number of `text`, which must be exactly YYYY-MM-DD, a real calendar date
// in the years 1900..2399. Errors: InvalidArgument naming `what`.
absl::StatusOr<int32_t> ParseRestDate(absl::string_view text, absl::string_view what);

// The date parameter `name` (ParseRestDate), or nullopt when absent.
absl::StatusOr<std::optional<int32_t>> DateParam(const JsonParams& params, absl::string_view name);

// A path segment with %XX escapes decoded ('+' stays '+', as in paths).
// Errors: InvalidArgument for '%' not followed by two hex digits.
absl::StatusOr<std::string> DecodePathSegment(absl::string_view segment);

}  // namespace mua::server_internal
