#include "tools/shell/http_client.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <cstdint>
#include <limits>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"

namespace mua::shell {

namespace beast = boost::beast;
namespace http = beast::http;
using tcp = boost::asio::ip::tcp;

namespace {

// How long connecting may take before the server counts as not answering.
constexpr absl::Duration kConnectTimeout = absl::Seconds(5);
// How often a waiting request calls back.
constexpr auto kPollInterval = std::chrono::milliseconds(100);

}  // namespace

struct HttpClient::Request {
  http::verb method;
  std::string target;
  std::string body;
};

absl::string_view HttpReply::Header(absl::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (absl::EqualsIgnoreCase(key, name)) return value;
  }
  return {};
}

HttpClient::HttpClient(ServerAddress address) : address_(std::move(address)) {}

absl::StatusOr<HttpReply> HttpClient::Get(absl::string_view target, absl::Duration timeout) {
  return Send({http::verb::get, std::string(target), ""}, nullptr, timeout);
}

absl::StatusOr<HttpReply> HttpClient::PostSql(absl::string_view sql,
                                              const std::vector<QueryParam>& params,
                                              const WaitCallback& keep_waiting,
                                              absl::Duration timeout) {
  std::string target = "/";
  for (size_t i = 0; i < params.size(); ++i) {
    absl::StrAppend(&target, i == 0 ? "?" : "&", UrlEncode(params[i].name), "=",
                    UrlEncode(params[i].value));
  }
  return Send({http::verb::post, std::move(target), std::string(sql)}, keep_waiting, timeout);
}

// One request's connect, write and read as asynchronous operations on a
// private io_context, which Send() runs in slices between its checks.
struct HttpClient::Exchange {
  Exchange(boost::asio::io_context* io, const ServerAddress& address, const Request& request)
      : socket(*io) {
    message = {request.method, request.target, 11};
    message.set(http::field::host, address.host);
    message.set(http::field::user_agent, "mua-shell");
    if (!address.token.empty()) message.set(http::field::authorization, "Bearer " + address.token);
    if (request.method == http::verb::post) {
      message.set(http::field::content_type, "text/plain; charset=UTF-8");
    }
    message.keep_alive(false);  // one request per connection: closing it abandons a query
    message.body() = request.body;
    message.prepare_payload();
    parser.body_limit(std::numeric_limits<std::uint64_t>::max());  // exports may be large
  }

  void Start(const tcp::resolver::results_type& endpoints) {
    boost::asio::async_connect(
        socket, endpoints, [this](beast::error_code error, const tcp::endpoint&) {
          if (error) return Fail(error, "cannot connect to");
          connected = true;
          http::async_write(socket, message, [this](beast::error_code write_error, size_t) {
            if (write_error) return Fail(write_error, "lost the connection to");
            http::async_read(socket, buffer, parser, [this](beast::error_code read_error, size_t) {
              if (read_error) return Fail(read_error, "lost the connection to");
              done = true;
            });
          });
        });
  }

  void Fail(beast::error_code error, const char* step) {
    failure = error;
    failed_step = step;
    done = true;
  }

  HttpReply TakeReply() {
    http::response<http::string_body> response = parser.release();
    HttpReply reply;
    reply.status = static_cast<int>(response.result_int());
    for (const auto& field : response) {
      reply.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
    }
    reply.body = std::move(response.body());
    return reply;
  }

  http::request<http::string_body> message;
  tcp::socket socket;
  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  bool connected = false;
  bool done = false;
  beast::error_code failure;
  const char* failed_step = "";
};

absl::StatusOr<HttpReply> HttpClient::Send(const Request& request, const WaitCallback& keep_waiting,
                                           absl::Duration timeout) {
  const std::string where = absl::StrCat(address_.host, ":", address_.port);
  boost::asio::io_context io;
  beast::error_code ec;
  tcp::resolver resolver(io);
  const tcp::resolver::results_type endpoints =
      resolver.resolve(address_.host, std::to_string(address_.port), ec);
  if (ec) {
    return absl::UnavailableError(
        absl::StrCat("cannot resolve ", address_.host, ": ", ec.message()));
  }
  Exchange exchange(&io, address_, request);
  exchange.Start(endpoints);

  const absl::Time start = absl::Now();
  while (!exchange.done) {
    io.run_for(kPollInterval);
    if (exchange.done) break;
    if (io.stopped()) io.restart();
    const absl::Duration elapsed = absl::Now() - start;
    absl::Status abandoned;
    if (!exchange.connected && elapsed > kConnectTimeout) {
      abandoned =
          absl::UnavailableError(absl::StrCat("cannot connect to ", where, ": no answer within ",
                                              absl::FormatDuration(kConnectTimeout)));
    } else if (elapsed > timeout) {
      abandoned = absl::UnavailableError(
          absl::StrCat(where, " did not answer within ", absl::FormatDuration(timeout)));
    } else if (keep_waiting && !keep_waiting(elapsed)) {
      abandoned = absl::CancelledError("query cancelled");
    }
    if (!abandoned.ok()) {
      // Closing the socket abandons the request; the server sees the connection end.
      exchange.socket.close(ec);
      io.restart();
      io.run();  // let the aborted handlers finish before `exchange` goes away
      return abandoned;
    }
  }
  if (exchange.failure) {
    return absl::UnavailableError(
        absl::StrCat(exchange.failed_step, " ", where, ": ", exchange.failure.message()));
  }
  exchange.socket.shutdown(tcp::socket::shutdown_both, ec);
  return exchange.TakeReply();
}

}  // namespace mua::shell
