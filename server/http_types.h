// HttpRequest / HttpResponse: one HTTP exchange as the endpoint handlers see it,
// independent of Boost.Beast, so handlers (SQL, REST, Grafana, ops) are plain
// functions that unit tests call without a socket.
//
//   HttpResponse Hello(const HttpRequest& request) {
//     return HttpResponse::Text(200, absl::StrCat("hello ", request.Param("name"), "\n"));
//   }
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/match.h"
#include "absl/strings/string_view.h"

namespace mua {

// A request body read while its handler runs (a streaming INSERT), so a body of any
// size passes through a few chunks of memory. The server reads ahead at most a few
// chunks and stops reading while they wait (backpressure on the client).
class HttpBodySource {
 public:
  virtual ~HttpBodySource() = default;
  // Puts the next chunk of the body into *chunk (replacing what it held): true, or
  // false once the whole body has been read. Blocks until a chunk arrives.
  // Errors: DataLoss when the client hung up or sent a malformed body, DeadlineExceeded
  // when a chunk did not arrive within the request timeout, Cancelled when the server
  // stops; the rest of the body is then never read.
  virtual absl::StatusOr<bool> Next(std::string* chunk) = 0;
};

struct HttpRequest {
  std::string method;  // "GET", "POST", "OPTIONS", ...
  // Without the query string and still percent-encoded, e.g. "/api/v1/users/a%2Fb/summary":
  // decoding first would let an encoded '/' split a segment.
  std::string path;
  std::vector<std::pair<std::string, std::string>> params;   // URL-decoded query string
  std::vector<std::pair<std::string, std::string>> headers;  // names as received
  std::string body;
  // Set instead of `body` when admission asked for the body to be streamed
  // (HttpAdmission::stream_body): the handler reads it, or it is never read.
  std::shared_ptr<HttpBodySource> body_stream;
  std::string principal = "dev";  // who sent it (from the token; "dev" without tokens)
  std::string role = "admin";     // viewer | analyst | admin

  // The first value of query parameter `name`, or "" when absent.
  absl::string_view Param(absl::string_view name) const {
    for (const auto& [key, value] : params) {
      if (key == name) return value;
    }
    return {};
  }
  bool HasParam(absl::string_view name) const {
    for (const auto& param : params) {
      if (param.first == name) return true;
    }
    return false;
  }
  // The first value of header `name` (case-insensitive), or "" when absent.
  absl::string_view Header(absl::string_view name) const {
    for (const auto& [key, value] : headers) {
      if (absl::EqualsIgnoreCase(key, name)) return value;
    }
    return {};
  }
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "text/plain; charset=UTF-8";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // extra headers

  static HttpResponse Text(int status, std::string body) {
    HttpResponse response;
    response.status = status;
    response.body = std::move(body);
    return response;
  }
  static HttpResponse Json(int status, std::string body) {
    HttpResponse response;
    response.status = status;
    response.content_type = "application/json";
    response.body = std::move(body);
    return response;
  }
};

}  // namespace mua
