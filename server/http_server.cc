#include "server/http_server.h"

#include <boost/asio/bind_executor.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <exception>
#include <limits>
#include <optional>
#include <type_traits>
#include <thread>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/synchronization/mutex.h"
#include "server/internal/client_watch.h"
#include "server/internal/streamed_body.h"
#include "storage/base/hex_digit.h"

namespace mua {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;
namespace ssl = net::ssl;

// Decodes application/x-www-form-urlencoded text ("+" and %XX).
std::string UrlDecode(absl::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '+') {
      out.push_back(' ');
    } else if (c == '%' && i + 2 < text.size() && HexDigitValue(text[i + 1]) >= 0 && HexDigitValue(text[i + 2]) >= 0) {
      out.push_back(static_cast<char>(HexDigitValue(text[i + 1]) * 16 + HexDigitValue(text[i + 2])));
      i += 2;
    } else {
      out.push_back(c);
    }
  }
  return out;
}

// Once per worker thread. Linux keeps a niceness per thread, and threads it starts
// (a query's scan threads) inherit it.
void LowerWorkerPriority(int nice) {
  thread_local bool lowered = false;
  if (lowered || nice <= 0) return;
  lowered = true;
  setpriority(PRIO_PROCESS, static_cast<id_t>(syscall(SYS_gettid)), nice);
}

// The request line and headers (the body is read after admission).
HttpRequest HeadOf(const http::request<http::string_body>& request) {
  HttpRequest exchange;
  exchange.method = std::string(request.method_string());
  const absl::string_view target(request.target().data(), request.target().size());
  const size_t question = target.find('?');
  exchange.path = std::string(target.substr(0, question));  // handlers decode their segments
  if (question != absl::string_view::npos) {
    for (absl::string_view pair : absl::StrSplit(target.substr(question + 1), '&', absl::SkipEmpty())) {
      const size_t equals = pair.find('=');
      exchange.params.emplace_back(UrlDecode(pair.substr(0, equals)),
                                   equals == absl::string_view::npos ? "" : UrlDecode(pair.substr(equals + 1)));
    }
  }
  for (const auto& field : request) {
    exchange.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
  }
  return exchange;
}

// A session whose handler is running, as the server's watch ticker sees it (Session is a
// class template over the stream type).
class RunningRequestSession {
 public:
  virtual ~RunningRequestSession() = default;
  // Starts watching the client of `request`, if the session is still handling it.
  virtual void WatchClientOf(uint64_t request) = 0;
};

// How long a handler runs before its client is watched: a socket wait armed and cancelled
// per request cost the sub-millisecond queries a tenth of their time, and a client that
// hangs up on a fast query loses nothing by its finishing.
constexpr auto kClientWatchDelay = std::chrono::milliseconds(50);

}  // namespace

struct HttpServer::Impl {
  Impl(HttpHandler h, HttpServerOptions o)
      : handler(std::move(h)), options(o), workers(static_cast<size_t>(std::max(1, o.worker_threads))) {}

  // One listening socket: plain HTTP, or HTTPS when `tls` is set.
  struct Listener {
    explicit Listener(net::io_context& io) : acceptor(io), backoff_timer(io) {}
    tcp::acceptor acceptor;
    std::shared_ptr<ssl::context> tls;
    net::steady_timer backoff_timer;  // the wait after a failed accept()
    absl::Duration backoff = absl::ZeroDuration();  // on the acceptor's strand
  };

  absl::StatusOr<int> Listen(const std::string& host, int port, std::shared_ptr<ssl::context> tls);
  void Accept(Listener* listener);

  bool AnswersInline(const HttpRequest& request) const {
    return options.answer_inline && options.answer_inline(request);
  }

  HttpHandler handler;
  const HttpServerOptions options;
  std::atomic<int64_t> connections{0};
  std::atomic<int64_t> accept_errors{0};
  std::atomic<bool> stopping{false};
  bool stopped = false;
  // Live sessions, so Stop() can close the idle ones.
  absl::Mutex mu;
  absl::flat_hash_map<void*, std::function<void(bool busy_too)>> closers ABSL_GUARDED_BY(mu);

  // Requests being handled, by session: a ticker on `io` watches the clients of those
  // running past kClientWatchDelay. It runs only while requests are noted.
  struct RunningRequest {
    std::weak_ptr<RunningRequestSession> session;
    uint64_t request = 0;
    std::chrono::steady_clock::time_point since;
    bool watched = false;
  };
  void NoteRunning(void* key, RunningRequest request);
  void NoteDone(void* key);
  void ScheduleWatchTick() ABSL_EXCLUSIVE_LOCKS_REQUIRED(watch_mu);
  void WatchTick(beast::error_code ec);
  absl::Mutex watch_mu;
  absl::flat_hash_map<void*, RunningRequest> running_requests ABSL_GUARDED_BY(watch_mu);
  bool watch_ticking ABSL_GUARDED_BY(watch_mu) = false;
  net::thread_pool workers;
  // Declared after what sessions touch: destroying `io` destroys leftover handlers,
  // and with them sessions, which unregister themselves above.
  net::io_context io;
  net::steady_timer watch_ticker{io};  // used under watch_mu
  std::vector<std::unique_ptr<Listener>> listeners;  // after `io`: they hold its sockets
  std::vector<std::thread> io_threads;
};

namespace {

// Plain HTTP: the TCP stream itself.
std::unique_ptr<beast::tcp_stream> MakeStream(tcp::socket&& socket, const std::shared_ptr<ssl::context>&,
                                              beast::tcp_stream*) {
  return std::make_unique<beast::tcp_stream>(std::move(socket));
}

// HTTPS: TLS over the TCP stream.
std::unique_ptr<beast::ssl_stream<beast::tcp_stream>> MakeStream(tcp::socket&& socket,
                                                                  const std::shared_ptr<ssl::context>& tls,
                                                                  beast::ssl_stream<beast::tcp_stream>*) {
  return std::make_unique<beast::ssl_stream<beast::tcp_stream>>(std::move(socket), *tls);
}

// One connection; Stream is beast::tcp_stream (HTTP) or ssl_stream over it (HTTPS).
template <class Stream>
class Session : public std::enable_shared_from_this<Session<Stream>>, public RunningRequestSession {
 public:
  using std::enable_shared_from_this<Session<Stream>>::shared_from_this;

  Session(tcp::socket&& socket, std::shared_ptr<ssl::context> tls, HttpServer::Impl* server)
      : tls_(std::move(tls)),
        stream_holder_(MakeStream(std::move(socket), tls_, static_cast<Stream*>(nullptr))),
        stream_(*stream_holder_),
        server_(server) {
    server_->connections.fetch_add(1);
  }
  ~Session() override {
    server_->NoteDone(this);
    {
      absl::MutexLock lock(&server_->mu);
      server_->closers.erase(this);
    }
    server_->connections.fetch_sub(1);
  }

  void Start() {
    {
      absl::MutexLock lock(&server_->mu);
      std::weak_ptr<Session> weak = shared_from_this();
      server_->closers[this] = [weak](bool busy_too) {
        if (auto self = weak.lock()) {
          net::dispatch(self->stream_.get_executor(), [self, busy_too] {
            beast::error_code ec;
            if (!self->busy_ || busy_too) self->tcp_layer().socket().close(ec);
            // A handler waiting for more of its body is not left waiting on a closed socket.
            if (busy_too && self->streamed_) self->streamed_->End(absl::CancelledError("the server is stopping"));
          });
        }
      };
    }
    net::dispatch(stream_.get_executor(), [self = shared_from_this()] { self->Handshake(); });
  }

  // Answers 503 and closes: too many connections.
  void Reject() {
    net::dispatch(stream_.get_executor(), [self = shared_from_this()] {
      self->Write(HttpResponse::Text(503, "Too many connections: the server's max_connections is reached\n"),
                  /*close=*/true);
    });
  }

 private:
  beast::tcp_stream& tcp_layer() { return beast::get_lowest_layer(stream_); }

  void Handshake() {
    if constexpr (std::is_same_v<Stream, beast::tcp_stream>) {
      Read();
    } else {
      tcp_layer().expires_after(std::chrono::milliseconds(absl::ToInt64Milliseconds(server_->options.request_timeout)));
      stream_.async_handshake(ssl::stream_base::server, [self = shared_from_this()](beast::error_code ec) {
        if (ec) return self->Close();  // not TLS, or a failed handshake: nothing to answer
        self->Read();
      });
    }
  }

  void Read() {
    if (server_->stopping.load()) return Close();
    parser_.emplace();
    stream_parser_.reset();
    streamed_.reset();
    stream_body_ = false;
    // Checked once the head is admitted (OnHeader): a streamed body has its own limit,
    // and Beast would check a Content-Length against this one while parsing the head.
    parser_->body_limit(std::numeric_limits<std::uint64_t>::max());
    parser_->header_limit(static_cast<std::uint32_t>(server_->options.max_header_bytes));
    const absl::Duration timeout =
        buffer_.size() > 0 || first_ ? server_->options.request_timeout : server_->options.keep_alive_timeout;
    first_ = false;
    tcp_layer().expires_after(std::chrono::milliseconds(absl::ToInt64Milliseconds(timeout)));
    http::async_read_header(stream_, buffer_, *parser_,
                            [self = shared_from_this()](beast::error_code ec, size_t) { self->OnHeader(ec); });
  }

  // Answers a failed read; false when there was no failure.
  bool Failed(beast::error_code ec) {
    if (!ec) return false;
    if (ec == http::error::end_of_stream || ec == net::error::eof || ec == net::error::connection_reset ||
        ec == net::error::operation_aborted || ec == net::error::bad_descriptor) {
      Close();
    } else if (ec == beast::error::timeout) {
      if (parser_->got_some()) {
        Write(HttpResponse::Text(408, "Request timeout: the request did not arrive in time\n"), true);
      } else {
        Close();
      }
    } else if (ec == http::error::body_limit) {
      Write(HttpResponse::Text(413, absl::StrCat("Request body too large: the limit for this endpoint and role is ",
                                                 body_limit_, " bytes\n")),
            true);
    } else if (ec == http::error::header_limit) {
      Write(HttpResponse::Text(431, absl::StrCat("Request headers too large: the limit is ",
                                                 server_->options.max_header_bytes, " bytes\n")),
            true);
    } else {
      Write(HttpResponse::Text(400, absl::StrCat("Bad request: ", ec.message(), "\n")), true);
    }
    return true;
  }

  void OnHeader(beast::error_code ec) {
    body_limit_ = server_->options.max_body_bytes;
    if (Failed(ec)) return;
    head_ = HeadOf(parser_->get());
    if (server_->options.admit) {
      HttpAdmission admission = server_->options.admit(head_);
      // Refused unread: the connection closes, as its body (if any) is still coming.
      if (admission.refusal) return Write(*std::move(admission.refusal), /*close=*/true);
      stream_body_ = admission.stream_body;
      body_limit_ = stream_body_ ? admission.max_body_bytes : std::min(body_limit_, admission.max_body_bytes);
    }
    // Beast checks a Content-Length against its limit while parsing the head, which was
    // read under the largest limit: the admitted one is checked here (chunked bodies
    // count against body_limit as they arrive).
    if (const auto announced = parser_->content_length(); announced && *announced > body_limit_) {
      Failed(http::error::body_limit);
      return;
    }
    parser_->body_limit(body_limit_);
    const auto expect = parser_->get().find(http::field::expect);
    if (expect != parser_->get().end() && beast::iequals(expect->value(), "100-continue") && !parser_->is_done()) {
      // The client waits for this before sending the body (curl does for large ones).
      auto go_on = std::make_shared<http::response<http::empty_body>>(http::status::continue_, 11);
      return http::async_write(stream_, *go_on, [self = shared_from_this(), go_on](beast::error_code write_ec, size_t) {
        if (write_ec) return self->Close();
        self->ReadBody();
      });
    }
    ReadBody();
  }

  void ReadBody() {
    if (stream_body_) return StartStream();
    http::async_read(stream_, buffer_, *parser_,
                     [self = shared_from_this()](beast::error_code ec, size_t) { self->OnRead(ec); });
  }

  void OnRead(beast::error_code ec) {
    if (Failed(ec)) return;
    keep_alive_ = parser_->keep_alive();
    busy_ = true;
    tcp_layer().expires_never();  // a long query is not a slow client
    HttpRequest request = std::move(head_);
    request.body = std::move(parser_->release().body());
    if (server_->AnswersInline(request)) {
      return Write(Handle(server_, request), /*close=*/false);
    }
    auto watch = std::make_shared<server_internal::ClientWatch>();
    watch_ = watch;
    handling_ = ++request_generation_;
    server_->NoteRunning(this, {.session = this->weak_from_this(),
                                .request = handling_,
                                .since = std::chrono::steady_clock::now()});
    net::post(server_->workers, [self = shared_from_this(), request = std::move(request), watch]() mutable {
      LowerWorkerPriority(self->server_->options.worker_nice);
      HttpResponse response;
      {
        const server_internal::ClientWatchScope scope(watch.get());
        response = Handle(self->server_, request);
      }
      net::dispatch(self->stream_.get_executor(), [self, response = std::move(response)]() mutable {
        self->server_->NoteDone(self.get());
        self->handling_ = 0;
        self->watch_.reset();
        self->StopWatching();
        self->Write(std::move(response), /*close=*/false);
      });
    });
  }

  // A streamed body: the handler starts now, on a worker, and pulls the body from
  // streamed_ while this I/O thread reads it a chunk at a time into a fixed buffer
  // (request_parser<buffer_body>). Chosen over reading the socket synchronously from the
  // worker: the socket stays on the I/O thread with every other async operation (TLS
  // included), timeouts stay tcp_stream's, and a full queue simply stops the reads.
  // The client's connection is not watched while the body arrives: a hang-up shows as
  // a read error, which ends the body with an error.
  void StartStream() {
    stream_parser_.emplace(std::move(*parser_));
    stream_parser_->body_limit(body_limit_);
    streamed_ = std::make_shared<server_internal::StreamedBody>(std::max<size_t>(1, server_->options.stream_queue_chunks));
    busy_ = true;
    streaming_ = true;
    HttpRequest request = std::move(head_);
    request.body_stream = streamed_;
    handling_ = ++request_generation_;
    net::post(server_->workers, [self = shared_from_this(), request = std::move(request)]() mutable {
      LowerWorkerPriority(self->server_->options.worker_nice);
      HttpResponse response = Handle(self->server_, request);
      request.body_stream.reset();
      net::dispatch(self->stream_.get_executor(), [self, response = std::move(response)]() mutable {
        self->handling_ = 0;
        self->streaming_ = false;
        const bool whole = self->stream_parser_ && self->stream_parser_->is_done();
        // A body the handler did not read to its end cannot be skipped safely: the
        // connection closes after the answer.
        if (!whole) self->streamed_->End(absl::CancelledError("the request was answered"));
        self->Write(std::move(response), /*close=*/!whole);
      });
    });
    if (stream_parser_->is_done()) return EndStream();
    chunk_deadline_set_ = false;
    ReadChunk();
  }

  void ReadChunk() {
    if (!streaming_) return;
    if (chunk_.empty()) chunk_.resize(std::max<size_t>(4096, server_->options.stream_chunk_bytes));
    if (!chunk_deadline_set_) {
      // Per chunk, not per read: a client trickling a byte at a time still runs out.
      tcp_layer().expires_after(std::chrono::milliseconds(absl::ToInt64Milliseconds(server_->options.request_timeout)));
      chunk_deadline_set_ = true;
    }
    auto& body = stream_parser_->get().body();
    body.data = chunk_.data() + chunk_filled_;
    body.size = chunk_.size() - chunk_filled_;
    body.more = true;
    chunk_read_pending_ = true;
    http::async_read_some(stream_, buffer_, *stream_parser_,
                          [self = shared_from_this()](beast::error_code ec, size_t) { self->OnChunk(ec); });
  }

  void OnChunk(beast::error_code ec) {
    chunk_read_pending_ = false;
    if (lingering_) return Linger();  // Close waited for this read to end
    if (!streaming_) return;  // answered already; the connection is closing
    if (ec == http::error::need_buffer) ec = {};
    chunk_filled_ = chunk_.size() - stream_parser_->get().body().size;
    if (ec) {
      tcp_layer().expires_never();
      return streamed_->End(BodyReadError(ec));
    }
    const bool done = stream_parser_->is_done();
    if (!done && chunk_filled_ < chunk_.size()) return ReadChunk();
    std::string full = std::move(chunk_);
    full.resize(chunk_filled_);
    chunk_.clear();
    chunk_filled_ = 0;
    chunk_deadline_set_ = false;
    bool room = true;
    if (!full.empty()) {
      room = streamed_->Push(std::move(full), [weak = this->weak_from_this()] {
        if (auto self = weak.lock()) {
          net::dispatch(self->stream_.get_executor(), [self] { self->ReadChunk(); });
        }
      });
    }
    if (done) return EndStream();
    if (room) return ReadChunk();
    tcp_layer().expires_never();  // waiting for the handler, not for the client
  }

  void EndStream() {
    keep_alive_ = stream_parser_->keep_alive();
    tcp_layer().expires_never();
    streamed_->End(absl::OkStatus());
  }

  absl::Status BodyReadError(beast::error_code ec) const {
    if (ec == beast::error::timeout) {
      return absl::DeadlineExceededError(
          absl::StrCat("the request body stalled: no ", server_->options.stream_chunk_bytes,
                       "-byte chunk of it arrived within ", absl::FormatDuration(server_->options.request_timeout)));
    }
    if (ec == http::error::body_limit) {
      return absl::ResourceExhaustedError(
          absl::StrCat("Request body too large: the limit for this endpoint and role is ", body_limit_, " bytes"));
    }
    if (ec == http::error::partial_message || ec == http::error::end_of_stream || ec == net::error::eof ||
        ec == net::error::connection_reset || ec == net::error::operation_aborted ||
        ec == net::error::bad_descriptor) {
      return absl::DataLossError(absl::StrCat("the client closed the connection before the body ended (",
                                              ec.message(), ")"));
    }
    return absl::DataLossError(absl::StrCat("bad request body: ", ec.message()));
  }

  void WatchClientOf(uint64_t request) override {
    net::dispatch(stream_.get_executor(), [self = shared_from_this(), request] {
      if (self->handling_ == request && self->watch_ != nullptr && !self->watching_) self->WatchClient(self->watch_);
    });
  }

  // While the handler runs, waits for the socket to become readable: a peek that finds
  // end-of-stream or an error means the client hung up, and its statements are
  // cancelled (ClientWatch). Bytes of a pipelined request end the watch (the client is
  // there); nothing is consumed, so the next request reads them as usual.
  void WatchClient(std::shared_ptr<server_internal::ClientWatch> watch) {
    const uint64_t generation = ++watch_generation_;
    watching_ = true;
    tcp_layer().socket().async_wait(
        tcp::socket::wait_read, [self = shared_from_this(), watch, generation](beast::error_code ec) {
          if (generation != self->watch_generation_ || !self->watching_) return;  // stopped
          self->watching_ = false;
          if (ec == net::error::operation_aborted) return;
          if (!ec) {
            char byte = 0;
            const ssize_t peeked =
                ::recv(self->tcp_layer().socket().native_handle(), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
            if (peeked > 0) return;
            if (peeked < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) {
              return self->WatchClient(watch);
            }
          }
          watch->Gone();
        });
  }

  // The answer is ready: the watch's wait is cancelled before the socket is written.
  void StopWatching() {
    if (!watching_) return;
    watching_ = false;
    ++watch_generation_;
    beast::error_code ec;
    tcp_layer().socket().cancel(ec);
  }

  static HttpResponse Handle(HttpServer::Impl* server, HttpRequest& request) {
    try {
      return server->handler(request);
    } catch (const std::exception& e) {  // the one catch-all per request
      return HttpResponse::Text(500, absl::StrCat("Code: 1001. DB::Exception: ", e.what(), ". (STD_EXCEPTION)\n"));
    }
  }

  void Write(HttpResponse response, bool close) {
    busy_ = true;
    auto message = std::make_shared<http::response<http::string_body>>(static_cast<http::status>(response.status), 11);
    message->set(http::field::server, "MUA");
    message->set(http::field::content_type, response.content_type);
    for (const auto& [name, value] : response.headers) message->set(name, value);
    message->body() = std::move(response.body);
    message->keep_alive(keep_alive_ && !close && !server_->stopping.load());
    if (message->keep_alive()) message->set(http::field::keep_alive, "timeout=300");
    message->prepare_payload();
    tcp_layer().expires_after(std::chrono::milliseconds(absl::ToInt64Milliseconds(server_->options.request_timeout)));
    http::async_write(stream_, *message, [self = shared_from_this(), message](beast::error_code ec, size_t) {
      self->busy_ = false;
      if (ec || !message->keep_alive()) return self->Close();
      self->Read();
    });
  }

  // A lingering close, as nginx's lingering_close: the answer may be sent while the
  // client still sends a body the server refused (413, 403, a timeout), and closing a
  // socket with unread bytes makes the kernel send a reset that can discard the answer in
  // the client's receive buffer before it is read. So the write side is shut first, and
  // what the client still sends is read and dropped until it closes, for at most
  // kLingerTime and kLingerBytes.
  void Close() {
    beast::error_code ec;
    tcp_layer().socket().shutdown(tcp::socket::shutdown_send, ec);
    if (ec || server_->stopping.load()) {
      tcp_layer().socket().close(ec);
      return;
    }
    lingering_ = true;
    tcp_layer().expires_after(kLingerTime);
    // A streamed body's read may still be pending (the answer came before the body's
    // end): one read at a time, so it is cancelled and its handler starts the linger.
    if (chunk_read_pending_) {
      tcp_layer().socket().cancel(ec);
      return;
    }
    Linger();
  }

  void Linger() {
    linger_buffer_.resize(64 << 10);
    tcp_layer().async_read_some(net::buffer(linger_buffer_), [self = shared_from_this()](beast::error_code ec,
                                                                                         size_t bytes) {
      self->lingered_bytes_ += bytes;
      if (!ec && self->lingered_bytes_ < kLingerBytes) return self->Linger();
      beast::error_code ignored;
      self->tcp_layer().socket().close(ignored);
    });
  }
  static constexpr std::chrono::seconds kLingerTime{2};
  static constexpr size_t kLingerBytes = 16 << 20;

  std::shared_ptr<ssl::context> tls_;  // kept alive as long as its stream
  std::unique_ptr<Stream> stream_holder_;
  Stream& stream_;
  HttpServer::Impl* server_;
  beast::flat_buffer buffer_;
  std::string linger_buffer_;  // what a closing client still sends, dropped
  size_t lingered_bytes_ = 0;
  bool lingering_ = false;
  bool chunk_read_pending_ = false;  // ReadChunk's read, until OnChunk
  std::optional<http::request_parser<http::string_body>> parser_;
  // A streamed body (HttpAdmission::stream_body): its parser, the chunk being filled and
  // the queue to the handler.
  bool stream_body_ = false;
  bool streaming_ = false;  // the handler runs and the body is read
  std::optional<http::request_parser<http::buffer_body>> stream_parser_;
  std::shared_ptr<server_internal::StreamedBody> streamed_;
  std::string chunk_;
  size_t chunk_filled_ = 0;
  bool chunk_deadline_set_ = false;
  HttpRequest head_;        // the request being read, once its head has arrived
  size_t body_limit_ = 0;   // of that request
  bool keep_alive_ = false;
  bool busy_ = false;  // a request is being handled or answered
  bool first_ = true;
  uint64_t request_generation_ = 0;  // requests handed to a worker so far
  uint64_t handling_ = 0;            // the one being handled, 0 when none
  std::shared_ptr<server_internal::ClientWatch> watch_;  // its watch
  bool watching_ = false;           // WatchClient's wait is pending
  uint64_t watch_generation_ = 0;   // of that wait; a stale completion does nothing
};

template <class Stream>
void StartSession(tcp::socket&& socket, const std::shared_ptr<ssl::context>& tls, HttpServer::Impl* server) {
  auto session = std::make_shared<Session<Stream>>(std::move(socket), tls, server);
  if (server->connections.load() > static_cast<int64_t>(server->options.max_connections)) {
    session->Reject();
  } else {
    session->Start();
  }
}

}  // namespace

void HttpServer::Impl::NoteRunning(void* key, RunningRequest request) {
  absl::MutexLock lock(&watch_mu);
  running_requests[key] = std::move(request);
  if (!watch_ticking && !stopping.load()) {
    watch_ticking = true;
    ScheduleWatchTick();
  }
}

void HttpServer::Impl::NoteDone(void* key) {
  absl::MutexLock lock(&watch_mu);
  running_requests.erase(key);
}

void HttpServer::Impl::ScheduleWatchTick() {
  watch_ticker.expires_after(kClientWatchDelay);
  watch_ticker.async_wait([this](beast::error_code ec) { WatchTick(ec); });
}

void HttpServer::Impl::WatchTick(beast::error_code ec) {
  std::vector<std::pair<std::weak_ptr<RunningRequestSession>, uint64_t>> due;
  {
    absl::MutexLock lock(&watch_mu);
    if (ec || stopping.load() || running_requests.empty()) {
      watch_ticking = false;
      return;
    }
    const auto now = std::chrono::steady_clock::now();
    for (auto& [key, running] : running_requests) {
      if (running.watched || now - running.since < kClientWatchDelay) continue;
      running.watched = true;
      due.emplace_back(running.session, running.request);
    }
    ScheduleWatchTick();
  }
  for (auto& [weak, request] : due) {
    if (auto session = weak.lock()) session->WatchClientOf(request);
  }
}

void HttpServer::Impl::Accept(Listener* listener) {
  listener->acceptor.async_accept(net::make_strand(io), [self = this, listener](beast::error_code ec,
                                                                                 tcp::socket socket) {
    if (self->stopping.load()) return;
    if (ec) {
      if (ec == net::error::operation_aborted) return;
      // Out of descriptors (EMFILE) or memory: accepting again at once would spin the
      // cores; back off, doubling up to a second, until a connection closes.
      self->accept_errors.fetch_add(1);
      listener->backoff = std::clamp(listener->backoff * 2, absl::Milliseconds(10), absl::Seconds(1));
      if (self->accept_errors.load() % 100 == 1) {
        std::fprintf(stderr, "mua-server: accept failed (%s); retrying in %lld ms\n", ec.message().c_str(),
                     static_cast<long long>(absl::ToInt64Milliseconds(listener->backoff)));
      }
      listener->backoff_timer.expires_after(std::chrono::milliseconds(absl::ToInt64Milliseconds(listener->backoff)));
      listener->backoff_timer.async_wait([self, listener](beast::error_code wait_ec) {
        if (!wait_ec && !self->stopping.load()) self->Accept(listener);
      });
      return;
    }
    listener->backoff = absl::ZeroDuration();
    if (listener->tls) {
      StartSession<beast::ssl_stream<beast::tcp_stream>>(std::move(socket), listener->tls, self);
    } else {
      StartSession<beast::tcp_stream>(std::move(socket), nullptr, self);
    }
    self->Accept(listener);
  });
}

absl::StatusOr<int> HttpServer::Impl::Listen(const std::string& host, int port, std::shared_ptr<ssl::context> tls) {
  beast::error_code ec;
  const auto address = net::ip::make_address(host, ec);
  if (ec) return absl::InvalidArgumentError(absl::StrCat("bad listen address '", host, "'"));
  auto listener = std::make_unique<Listener>(io);
  listener->tls = std::move(tls);
  const tcp::endpoint endpoint(address, static_cast<unsigned short>(port));
  listener->acceptor.open(endpoint.protocol(), ec);
  if (!ec) listener->acceptor.set_option(net::socket_base::reuse_address(true), ec);
  if (!ec) listener->acceptor.bind(endpoint, ec);
  if (!ec) listener->acceptor.listen(net::socket_base::max_listen_connections, ec);
  if (ec) return absl::UnavailableError(absl::StrCat("cannot listen on ", host, ":", port, ": ", ec.message()));
  const int bound = listener->acceptor.local_endpoint().port();
  listeners.push_back(std::move(listener));
  Accept(listeners.back().get());
  if (io_threads.empty()) {
    for (int i = 0; i < std::max(1, options.io_threads); ++i) io_threads.emplace_back([this] { io.run(); });
  }
  return bound;
}

HttpServer::HttpServer(HttpHandler handler, HttpServerOptions options)
    : impl_(std::make_unique<Impl>(std::move(handler), options)) {}

HttpServer::~HttpServer() { Stop(); }

absl::Status HttpServer::Start(const std::string& host, int port) {
  absl::StatusOr<int> bound = impl_->Listen(host, port, nullptr);
  if (!bound.ok()) return bound.status();
  port_ = *bound;
  return absl::OkStatus();
}

absl::Status HttpServer::StartHttps(const std::string& host, int port, const std::string& cert_file,
                                    const std::string& key_file) {
  auto tls = std::make_shared<ssl::context>(ssl::context::tls_server);
  // TLS 1.2 and newer only.
  tls->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3 |
                   ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1 | ssl::context::single_dh_use);
  beast::error_code ec;
  tls->use_certificate_chain_file(cert_file, ec);
  if (ec) return absl::InvalidArgumentError(absl::StrCat("cannot load the TLS certificate ", cert_file, ": ", ec.message()));
  tls->use_private_key_file(key_file, ssl::context::pem, ec);
  if (ec) return absl::InvalidArgumentError(absl::StrCat("cannot load the TLS key ", key_file, ": ", ec.message()));
  absl::StatusOr<int> bound = impl_->Listen(host, port, std::move(tls));
  if (!bound.ok()) return bound.status();
  https_port_ = *bound;
  return absl::OkStatus();
}

int64_t HttpServer::open_connections() const { return impl_->connections.load(); }

int64_t HttpServer::accept_errors() const { return impl_->accept_errors.load(); }

void HttpServer::Stop() {
  if (impl_->stopped || impl_->listeners.empty()) return;
  impl_->stopped = true;
  impl_->stopping.store(true);
  net::post(impl_->io, [impl = impl_.get()] {
    beast::error_code ec;
    for (auto& listener : impl->listeners) {
      listener->acceptor.close(ec);
      listener->backoff_timer.cancel();
    }
    absl::MutexLock lock(&impl->watch_mu);
    impl->watch_ticker.cancel();
  });
  // Idle connections close now; busy ones after answering their request, or when the
  // grace period ends (a client that stopped reading must not hold the shutdown).
  auto close_all = [this](bool busy_too) {
    std::vector<std::function<void(bool)>> closers;
    {
      absl::MutexLock lock(&impl_->mu);
      for (auto& [session, close] : impl_->closers) closers.push_back(close);
    }
    for (auto& close : closers) close(busy_too);
  };
  close_all(false);
  const absl::Time grace_ends = absl::Now() + impl_->options.shutdown_grace;
  while (impl_->connections.load() > 0 && absl::Now() < grace_ends) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  close_all(true);
  const absl::Time give_up = absl::Now() + absl::Seconds(1);
  while (impl_->connections.load() > 0 && absl::Now() < give_up) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  impl_->io.stop();
  for (std::thread& thread : impl_->io_threads) thread.join();
  impl_->workers.join();
}

}  // namespace mua
