// HandleGrafana: MUA as a Grafana JSON datasource (simpod-json-datasource; the
// contract is shared/spec/grafana-json*.{md,yaml}) under /grafana: GET / (test
// connection), POST /metrics, /metric-payload-options, /query, /variable,
// /tag-keys, /tag-values, and the legacy SimpleJSON /search and /annotations.
// Responses grant CORS to the allowed origins and OPTIONS answers CORS preflights,
// so Grafana's "Browser" access works from an allowed origin. Errors are non-2xx with
// {"error": msg, "message": msg}: 400 bad JSON or parameters, 404 unknown path,
// 405 wrong method, 415 a body that is not JSON. Metrics become SQL run through
// the QueryRunner; docs/GRAFANA.md lists them with their payload options.
//
//   if (request.path == kGrafanaPathPrefix || absl::StartsWith(request.path, "/grafana/")) {
//     return HandleGrafana(request, runner);
//   }
//
// Thread safety: stateless; runs concurrently as far as the runner does.
#pragma once

#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/string_view.h"
#include "server/http_types.h"

namespace mua {

class QueryRunner;

inline constexpr absl::string_view kGrafanaPathPrefix = "/grafana";

// Answers one request whose path is kGrafanaPathPrefix or below it ("/grafana/query";
// repeated and trailing slashes are ignored, as Grafana makes "//query" from a
// datasource URL ending in '/'). Never fails: errors are responses.
// `cors_origins`: the browser origins (e.g. "https://grafana.example.com") allowed to
// read answers with credentials; others get no CORS grant.
HttpResponse HandleGrafana(const HttpRequest& request, const QueryRunner& runner,
                           const std::vector<std::string>& cors_origins = {});

// Whether `origin` is one of `allowed_origins` (ASCII case-insensitive, exact).
bool OriginAllowed(absl::string_view origin, const std::vector<std::string>& allowed_origins);

}  // namespace mua
