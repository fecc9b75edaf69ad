// HttpServer: HTTP/1.1 on Boost.Beast over Asio — keep-alive, chunked request
// bodies, a few I/O threads multiplexing every connection, and the handlers (the
// queries) run on a separate worker pool so a long query never blocks I/O.
// A request's head is admitted (authentication, a body limit for its endpoint and
// role) before its body is read, so an unauthenticated client cannot make the server
// buffer a body. Admission may ask for the body to be streamed: the handler then starts
// at once and pulls the body in chunks while the I/O thread reads ahead (bounded). Limits answer with a clear error and keep the server serving: a body
// over the limit gets 413, headers over max_header_bytes 431, junk 400; a client
// that does not send a whole request within request_timeout is disconnected;
// connections beyond max_connections get 503.
//
//   HttpServer server([&](HttpRequest& request) { return service.Handle(request); }, {});
//   MUA_RETURN_IF_ERROR(server.Start("127.0.0.1", 8720));
//   ...
//   server.Stop();  // stops accepting, finishes requests in flight, closes idle ones
#pragma once

#include <atomic>
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "server/http_types.h"

namespace mua {

// What the server does with a request once its head (method, target, headers) has
// arrived and before any of its body is read.
struct HttpAdmission {
  std::optional<HttpResponse> refusal;  // answered at once; the body is never read
  size_t max_body_bytes = 0;            // 413 beyond
  // The handler starts at once and reads the body from HttpRequest::body_stream as it
  // arrives (a streaming INSERT); max_body_bytes then bounds it alone, not
  // HttpServerOptions::max_body_bytes.
  bool stream_body = false;
};

struct HttpServerOptions {
  int io_threads = 2;
  int worker_threads = 16;  // handlers running at once; more wait in a queue
  size_t max_body_bytes = size_t{256} << 20;
  size_t max_header_bytes = size_t{64} << 10;
  size_t max_connections = 10'000;
  // To receive one whole request; a streamed body gets it per chunk
  // (stream_chunk_bytes), so a slow client cannot hold a worker for ever either.
  absl::Duration request_timeout = absl::Seconds(60);
  absl::Duration keep_alive_timeout = absl::Seconds(300);  // idle between requests
  // A streamed body is handed to its handler in chunks of this size, at most
  // stream_queue_chunks of them read ahead: reading stops while they wait.
  size_t stream_chunk_bytes = size_t{256} << 10;
  size_t stream_queue_chunks = 4;
  // Stop() waits this long for requests in flight, then closes every connection.
  absl::Duration shutdown_grace = absl::Seconds(2);
  // Decides on each request from its head (on an I/O thread, so it must be quick):
  // authentication before the body, body limits per endpoint and role. Unset: every
  // request is admitted with max_body_bytes.
  std::function<HttpAdmission(const HttpRequest& head)> admit;
  // Requests answered on the I/O threads instead of the worker pool, so probes never
  // queue behind queries. Their handlers must be quick. Unset: none.
  std::function<bool(const HttpRequest& request)> answer_inline;
  // Niceness added to the worker threads (and the query threads they start): under a
  // full query load the I/O threads, and with them probes, still get the CPU at once.
  int worker_nice = 5;
};

// Runs on a worker thread; fills request.principal/role as it authenticates.
using HttpHandler = std::function<HttpResponse(HttpRequest& request)>;

class HttpServer {
 public:
  HttpServer(HttpHandler handler, HttpServerOptions options);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds and starts serving. Errors: InvalidArgument for a bad address; Unavailable
  // when it cannot listen there.
  absl::Status Start(const std::string& host, int port);
  int port() const { return port_; }  // the bound port (useful with port 0)

  // Also serves HTTPS on host:port with a PEM certificate chain and key (TLS 1.2+),
  // the same handlers behind it. Call before or after Start. Errors: InvalidArgument for
  // an unreadable certificate or key, or a bad address; Unavailable when it cannot listen.
  absl::Status StartHttps(const std::string& host, int port, const std::string& cert_file,
                          const std::string& key_file);
  int https_port() const { return https_port_; }
  int64_t open_connections() const;
  int64_t accept_errors() const;  // accept() failures (e.g. EMFILE), each followed by a backoff

  // Stops accepting; requests in flight finish and are answered; idle connections close.
  // Idempotent.
  void Stop();

  struct Impl;  // the implementation's; shared with its connections

 private:
  std::unique_ptr<Impl> impl_;
  int port_ = 0;
  int https_port_ = 0;
};

}  // namespace mua
