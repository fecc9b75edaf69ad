// HttpServer: HTTP/1.1 on Boost.Beast (keep-alive; one thread per connection,
// queries run on it) serving the ClickHouse-compatible SQL endpoint of SPEC §6:
// GET /ping and GET / -> "Ok.\n"; POST / (SQL in the body, or ?query= + body)
// and GET /?query=; `default_format`; errors as non-2xx with
// X-ClickHouse-Exception-Code and "Code: N. DB::Exception: msg. (NAME)".
// Results are buffered whole, so an error never hides inside a 200.
//
//   HttpServer server(&engine);
//   MUA_RETURN_IF_ERROR(server.Start("127.0.0.1", 8720));
//   ...
//   server.Stop();
#pragma once

#include <atomic>
#include <memory>
#include <string>
#include <thread>

#include "absl/status/status.h"

namespace mua {

class SqlEngine;

class HttpServer {
 public:
  explicit HttpServer(const SqlEngine* engine);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds and starts accepting. Errors: Unavailable when the address is taken.
  absl::Status Start(const std::string& host, int port);
  // The bound port (after Start; useful with port 0).
  int port() const { return port_; }
  // Stops accepting; open connections finish their current request.
  void Stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  int port_ = 0;
};

}  // namespace mua
