// HttpClient: requests to mua-server's ClickHouse-compatible HTTP endpoint
// (SPEC §6) over Boost.Beast, one connection per request. While it waits it
// calls back about every 100 ms, so the caller can draw a progress line or give
// up; giving up closes the connection, which abandons the request.
// Not thread-safe; one request at a time.
//
//   HttpClient client({.host = "127.0.0.1", .port = 8720});
//   absl::StatusOr<HttpReply> reply = client.PostSql(
//       "SELECT 1", {{"default_format", "JSONCompact"}},
//       [](absl::Duration elapsed) { return !interrupted; });
#pragma once

#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "storage/base/url_encoding.h"

namespace mua::shell {

struct ServerAddress {
  std::string host = "127.0.0.1";
  int port = 8720;
  std::string token;  // sent as "Authorization: Bearer <token>" when not empty
};

struct HttpReply {
  int status = 0;
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;

  bool ok() const { return status >= 200 && status < 300; }
  // The first value of header `name` (case-insensitive), or "" when absent.
  absl::string_view Header(absl::string_view name) const;
};

struct QueryParam {
  std::string name;
  std::string value;
};

// Called while waiting for an answer, with the time since the request began;
// returning false abandons the request.
using WaitCallback = std::function<bool(absl::Duration elapsed)>;

class HttpClient {
 public:
  explicit HttpClient(ServerAddress address);
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  const ServerAddress& address() const { return address_; }

  // GET `target` (e.g. "/ping"). Errors: Unavailable when the server cannot
  // be reached or does not answer within `timeout`.
  absl::StatusOr<HttpReply> Get(absl::string_view target, absl::Duration timeout);

  // POST / with `sql` as the body and `params` in the query string. A non-2xx
  // answer is a reply, not an error. Errors: Unavailable (cannot connect,
  // connection lost, or no answer within `timeout`); Cancelled when
  // `keep_waiting` returned false.
  absl::StatusOr<HttpReply> PostSql(absl::string_view sql, const std::vector<QueryParam>& params,
                                    const WaitCallback& keep_waiting,
                                    absl::Duration timeout = absl::InfiniteDuration());

 private:
  struct Request;
  struct Exchange;
  absl::StatusOr<HttpReply> Send(const Request& request, const WaitCallback& keep_waiting,
                                 absl::Duration timeout);

  ServerAddress address_;
};

using ::mua::UrlEncode;

}  // namespace mua::shell
