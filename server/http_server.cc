#include "server/http_server.h"

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/version.hpp>

#include <optional>
#include <set>

#include "absl/strings/match.h"
#include "absl/synchronization/mutex.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "query/output_format.h"
#include "server/grafana_api.h"
#include "server/http_types.h"
#include "sql/sql_engine.h"
#include "sql/sql_error.h"

namespace mua {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
using tcp = boost::asio::ip::tcp;

constexpr size_t kMaxBodyBytes = 64 << 20;

// Decodes application/x-www-form-urlencoded text ("+" and %XX).
std::string UrlDecode(absl::string_view text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '+') {
      out.push_back(' ');
    } else if (c == '%' && i + 2 < text.size() && std::isxdigit(static_cast<unsigned char>(text[i + 1])) &&
               std::isxdigit(static_cast<unsigned char>(text[i + 2]))) {
      out.push_back(static_cast<char>(std::stoi(std::string(text.substr(i + 1, 2)), nullptr, 16)));
      i += 2;
    } else {
      out.push_back(c);
    }
  }
  return out;
}

// ClickHouse's error code, name and HTTP status for a status (spec/clickhouse.md §8).
struct ClickHouseError {
  int code;
  const char* name;
  http::status status;
};

ClickHouseError MapError(const absl::Status& status) {
  const absl::string_view message = status.message();
  if (absl::StrContains(message, "Unknown function")) return {46, "UNKNOWN_FUNCTION", http::status::not_found};
  if (absl::StrContains(message, "Missing columns")) return {47, "UNKNOWN_IDENTIFIER", http::status::not_found};
  if (absl::StrContains(message, "doesn't exist") && absl::StrContains(message, "Database")) {
    return {81, "UNKNOWN_DATABASE", http::status::not_found};
  }
  if (absl::StrContains(message, "doesn't exist")) return {60, "UNKNOWN_TABLE", http::status::not_found};
  if (absl::StrContains(message, "Unknown format")) return {73, "UNKNOWN_FORMAT", http::status::not_found};
  if (absl::StrContains(message, "Unknown aggregate function")) {
    return {63, "UNKNOWN_AGGREGATE_FUNCTION", http::status::not_found};
  }
  switch (status.code()) {
    case absl::StatusCode::kUnimplemented: return {48, "NOT_IMPLEMENTED", http::status::not_implemented};
    case absl::StatusCode::kResourceExhausted: return {62, "SYNTAX_ERROR", http::status::bad_request};
    case absl::StatusCode::kInvalidArgument:
      if (GetSqlError(status) && (absl::StrContains(message, "expected") || absl::StrContains(message, "unexpected") ||
                                  absl::StrContains(message, "unterminated"))) {
        return {62, "SYNTAX_ERROR", http::status::bad_request};
      }
      return {36, "BAD_ARGUMENTS", http::status::bad_request};
    case absl::StatusCode::kNotFound: return {47, "UNKNOWN_IDENTIFIER", http::status::not_found};
    default: return {1001, "STD_EXCEPTION", http::status::internal_server_error};
  }
}

http::response<http::string_body> Respond(http::status status, std::string body,
                                          absl::string_view content_type) {
  http::response<http::string_body> response{status, 11};
  response.set(http::field::server, "MUA");
  response.set(http::field::content_type, std::string(content_type));
  response.set(http::field::keep_alive, "timeout=10");
  response.body() = std::move(body);
  return response;
}

http::response<http::string_body> Handle(const SqlEngine& engine,
                                         const http::request<http::string_body>& request) {
  const std::string target(request.target());
  const size_t question = target.find('?');
  const std::string path = target.substr(0, question);
  std::string query_param, default_format = "TabSeparated";
  bool has_query_param = false;
  if (question != std::string::npos) {
    for (absl::string_view pair : absl::StrSplit(absl::string_view(target).substr(question + 1), '&')) {
      const size_t equals = pair.find('=');
      const std::string name = UrlDecode(pair.substr(0, equals));
      const std::string value = equals == absl::string_view::npos ? "" : UrlDecode(pair.substr(equals + 1));
      if (name == "query") {
        query_param = value;
        has_query_param = true;
      } else if (name == "default_format") {
        default_format = value;
      }
    }
  }
  if (path == "/ping" || (path == "/" && request.method() == http::verb::get && !has_query_param)) {
    return Respond(http::status::ok, "Ok.\n", "text/plain; charset=UTF-8");
  }
  if (path != "/") return Respond(http::status::not_found, "There is no handle " + path + "\n", "text/plain");
  std::string sql = query_param;
  if (request.method() == http::verb::post && !request.body().empty()) {
    sql = has_query_param ? absl::StrCat(query_param, "\n", request.body()) : request.body();
  }
  absl::StatusOr<StatementOutput> output = engine.Execute(sql);
  absl::Status status = output.status();
  if (status.ok() && output->kind == StatementOutput::Kind::kInsert) {
    status = absl::UnimplementedError("INSERT over HTTP arrives with the HTTP server issue");
  }
  OutputFormat format = OutputFormat::kTabSeparated;
  if (status.ok()) {
    absl::StatusOr<OutputFormat> parsed =
        ParseOutputFormat(output->format.empty() ? default_format : output->format);
    if (parsed.ok()) {
      format = *parsed;
    } else {
      status = parsed.status();
    }
  }
  if (!status.ok()) {
    const ClickHouseError error = MapError(status);
    auto response = Respond(error.status,
                            absl::StrCat("Code: ", error.code, ". DB::Exception: ", status.message(), ". (",
                                         error.name, ") (version MUA 0.1)\n"),
                            "text/plain; charset=UTF-8");
    response.set("X-ClickHouse-Exception-Code", std::to_string(error.code));
    return response;
  }
  std::string body;
  WriteResult(output->result, format, &body);
  return Respond(http::status::ok, std::move(body), ContentType(format));
}

// Routes the endpoints that take an HttpRequest; nullopt for the SQL endpoint.
std::optional<http::response<http::string_body>> HandleRouted(const SqlEngine& engine,
                                                             const http::request<http::string_body>& request) {
  const std::string target(request.target());
  const size_t question = target.find('?');
  HttpRequest exchange;
  exchange.path = target.substr(0, question);
  if (exchange.path != kGrafanaPathPrefix && !absl::StartsWith(exchange.path, "/grafana/")) return std::nullopt;
  exchange.method = std::string(request.method_string());
  if (question != std::string::npos) {
    for (absl::string_view pair : absl::StrSplit(absl::string_view(target).substr(question + 1), '&')) {
      const size_t equals = pair.find('=');
      exchange.params.emplace_back(UrlDecode(pair.substr(0, equals)),
                                   equals == absl::string_view::npos ? "" : UrlDecode(pair.substr(equals + 1)));
    }
  }
  for (const auto& field : request) {
    exchange.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
  }
  exchange.body = request.body();
  const HttpResponse answer = HandleGrafana(exchange, engine);
  auto response = Respond(static_cast<http::status>(answer.status), answer.body, answer.content_type);
  for (const auto& [name, value] : answer.headers) response.set(name, value);
  return response;
}

void Serve(const SqlEngine* engine, tcp::socket& socket) {
  beast::error_code ec;
  beast::flat_buffer buffer;
  for (;;) {
    http::request_parser<http::string_body> parser;
    parser.body_limit(kMaxBodyBytes);
    http::read(socket, buffer, parser, ec);
    if (ec) break;  // end of stream, or a malformed request: close the connection
    const http::request<http::string_body> request = parser.release();
    http::response<http::string_body> response;
    try {
      std::optional<http::response<http::string_body>> routed = HandleRouted(*engine, request);
      response = routed ? *std::move(routed) : Handle(*engine, request);
    } catch (const std::exception& e) {  // the one catch-all per request
      response = Respond(http::status::internal_server_error,
                         absl::StrCat("Code: 1001. DB::Exception: ", e.what(), ". (STD_EXCEPTION)\n"),
                         "text/plain; charset=UTF-8");
    }
    response.keep_alive(request.keep_alive());
    response.prepare_payload();
    http::write(socket, response, ec);
    if (ec || !response.keep_alive()) break;
  }
  socket.shutdown(tcp::socket::shutdown_send, ec);
}

}  // namespace

struct HttpServer::Impl {
  const SqlEngine* engine;
  boost::asio::io_context io;
  std::unique_ptr<tcp::acceptor> acceptor;
  std::thread accept_thread;
  std::atomic<bool> stopping{false};
  // Open connections, so Stop() can end them and wait: their sockets use `io`.
  absl::Mutex mu;
  std::set<tcp::socket*> open ABSL_GUARDED_BY(mu);
};

HttpServer::HttpServer(const SqlEngine* engine) : impl_(std::make_unique<Impl>()) { impl_->engine = engine; }

HttpServer::~HttpServer() { Stop(); }

absl::Status HttpServer::Start(const std::string& host, int port) {
  beast::error_code ec;
  const auto address = boost::asio::ip::make_address(host, ec);
  if (ec) return absl::InvalidArgumentError(absl::StrCat("bad listen address '", host, "'"));
  impl_->acceptor = std::make_unique<tcp::acceptor>(impl_->io);
  const tcp::endpoint endpoint(address, static_cast<unsigned short>(port));
  impl_->acceptor->open(endpoint.protocol(), ec);
  if (!ec) impl_->acceptor->set_option(boost::asio::socket_base::reuse_address(true), ec);
  if (!ec) impl_->acceptor->bind(endpoint, ec);
  if (!ec) impl_->acceptor->listen(boost::asio::socket_base::max_listen_connections, ec);
  if (ec) {
    return absl::UnavailableError(absl::StrCat("cannot listen on ", host, ":", port, ": ", ec.message()));
  }
  port_ = impl_->acceptor->local_endpoint().port();
  impl_->accept_thread = std::thread([impl = impl_.get()] {
    while (!impl->stopping.load()) {
      beast::error_code accept_error;
      tcp::socket socket(impl->io);
      impl->acceptor->accept(socket, accept_error);
      if (accept_error) continue;
      std::thread([impl, connection = std::move(socket)]() mutable {
        {
          absl::MutexLock lock(&impl->mu);
          if (impl->stopping.load()) return;
          impl->open.insert(&connection);
        }
        Serve(impl->engine, connection);
        absl::MutexLock lock(&impl->mu);
        impl->open.erase(&connection);
      }).detach();
    }
  });
  return absl::OkStatus();
}

void HttpServer::Stop() {
  if (!impl_->acceptor || impl_->stopping.exchange(true)) return;
  // Wake the blocking accept with a connection of our own, then close.
  beast::error_code ec;
  tcp::socket wake(impl_->io);
  wake.connect(impl_->acceptor->local_endpoint(ec), ec);
  if (impl_->accept_thread.joinable()) impl_->accept_thread.join();
  impl_->acceptor->close(ec);
  // End idle keep-alive connections (a request in flight finishes first) and
  // wait for every connection thread before `io` goes away.
  absl::MutexLock lock(&impl_->mu);
  for (tcp::socket* socket : impl_->open) socket->shutdown(tcp::socket::shutdown_receive, ec);
  auto drained = [impl = impl_.get()]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(impl->mu) { return impl->open.empty(); };
  impl_->mu.Await(absl::Condition(&drained));
}

}  // namespace mua
