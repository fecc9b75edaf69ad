// HandleRest: MUA's REST API (SPEC §6, seed 001) under /api/v1/, JSON in and out:
//   GET  /api/v1/users/{user_id}/summary        one user's activity (404 without events)
//   GET  /api/v1/metrics/daily?from=&to=        DAU, events, sessions, session length,
//                                               crash rate per UTC day
//   GET  /api/v1/retention?start_event=&...     the retention_matrix table function
//   GET  /api/v1/funnel?steps=a,b,c&window=...  the funnel table function
//   GET  /api/v1/experiments                    system.experiments
//   GET  /api/v1/experiments/{name}?metric=&... the experiment table function (404 when
//                                               no stored event assigns anyone to it)
//   POST /api/v1/query  {"sql": ..., "format": ...}   one read-only statement
//   POST /api/v1/events                         events as JSON lines or a JSON array
// GET parameters come from the query string, from a JSON object in the `params` query
// parameter, or both. Request values reach SQL only as escaped literals, numbers
// parsed here, or names from fixed lists; an experiment's `where` (a predicate the
// client wrote) runs only for the analyst role, checked by the QueryRunner. Errors are
// {"error": message} with 400 (bad input), 404 (unknown path, user without events,
// unknown experiment, unknown table), 405 (+ Allow), 415 (body not JSON), 429, 5xx.
// Roles are the router's business (RestRequiredRole), not checked here.
// docs/REST.md documents every endpoint with examples.
//
//   if (absl::StartsWith(request.path, kRestPathPrefix)) {
//     if (!Allows(principal.role, RestRequiredRole(request))) return Forbidden(...);
//     return HandleRest(request, RestContext{&runner, &ingestor});
//   }
//
// Thread safety: stateless; runs concurrently as far as the runner and ingestor do.
#pragma once

#include "absl/strings/string_view.h"
#include "server/auth.h"
#include "server/http_types.h"

namespace mua {

class BodyIngestor;
class QueryRunner;
class UserIdHasher;

inline constexpr absl::string_view kRestPathPrefix = "/api/v1/";

struct RestContext {
  const QueryRunner* runner = nullptr;  // null: every endpoint but /events answers 503
  BodyIngestor* ingestor = nullptr;   // null: POST /api/v1/events answers 503
  // With --hash-user-ids: user ids in paths are hashed as stored. May be null.
  const UserIdHasher* user_id_hasher = nullptr;
  // A streamed POST /api/v1/events body that is a JSON array is read whole, up to this.
  size_t max_array_body_bytes = size_t{256} << 20;
};

// Answers one request whose path starts with kRestPathPrefix (a request for
// "/api/v1" itself gets the 404 listing). Never fails: errors are JSON responses.
// REQUIRES: the context's pointers (when not null) outlive the call.
HttpResponse HandleRest(const HttpRequest& request, const RestContext& context);

// The least role `request` needs, matching paths exactly as HandleRest does (so
// "/api/v1/events/" is no way around a check): kAdmin for POST /api/v1/events,
// kAnalyst for POST /api/v1/query, kViewer for everything else (reads, and requests
// HandleRest answers with 404 or 405 anyway).
Role RestRequiredRole(const HttpRequest& request);

}  // namespace mua
