#include "server/internal/cluster_http.h"

#include <chrono>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "boost/asio/connect.hpp"
#include "boost/asio/io_context.hpp"
#include "boost/asio/ip/tcp.hpp"
#include "boost/beast/core.hpp"
#include "boost/beast/http.hpp"

namespace mua::server_internal {

namespace beast = boost::beast;
namespace http = beast::http;
using tcp = boost::asio::ip::tcp;

absl::StatusOr<ClusterHttpResponse> ClusterHttpCall(const ClusterHttpRequest& call) {
  const size_t colon = call.address.rfind(':');
  if (colon == std::string::npos) return absl::InvalidArgumentError("not HOST:PORT");
  std::string host = call.address.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  const std::string port = call.address.substr(colon + 1);

  boost::asio::io_context io;
  tcp::resolver resolver(io);
  beast::tcp_stream stream(io);
  beast::flat_buffer buffer;
  const http::verb verb = beast::http::string_to_verb(call.method);
  if (verb != http::verb::get && verb != http::verb::post && verb != http::verb::delete_) {
    return absl::InvalidArgumentError(absl::StrCat("HTTP method ", call.method, " is not one nodes send"));
  }
  http::request<http::string_body> request(verb, call.target, 11);
  request.set(http::field::host, call.address);
  request.set(http::field::user_agent, "mua-cluster");
  for (const auto& [name, value] : call.headers) request.set(name, value);
  if (verb == http::verb::post) {
    request.body() = call.body;
    request.prepare_payload();
  }
  http::response_parser<http::string_body> parser;
  parser.body_limit(call.max_body_bytes);
  beast::error_code failure;
  const char* step = "resolve";
  stream.expires_after(absl::ToChronoMilliseconds(call.timeout));
  resolver.async_resolve(host, port, [&](beast::error_code ec, tcp::resolver::results_type results) {
    if (ec) return void(failure = ec);
    step = "connect";
    stream.async_connect(results, [&](beast::error_code ec2, const tcp::endpoint&) {
      if (ec2) return void(failure = ec2);
      step = "send";
      http::async_write(stream, request, [&](beast::error_code ec3, size_t) {
        if (ec3) return void(failure = ec3);
        step = "read";
        http::async_read(stream, buffer, parser, [&](beast::error_code ec4, size_t) {
          if (ec4) failure = ec4;
        });
      });
    });
  });
  bool cancelled = false;
  while (!io.stopped()) {
    io.run_for(std::chrono::milliseconds(50));
    if (!cancelled && call.cancelled != nullptr && call.cancelled->load(std::memory_order_relaxed)) {
      cancelled = true;
      resolver.cancel();
      stream.cancel();
    }
  }
  beast::error_code ignored;
  stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
  if (cancelled) return absl::CancelledError("Query was cancelled");
  if (failure) return absl::UnavailableError(absl::StrCat(step, ": ", failure.message()));
  if (!parser.is_done()) return absl::UnavailableError("no answer");
  ClusterHttpResponse response;
  response.status = parser.get().result_int();
  response.body = std::move(parser.get().body());
  return response;
}

}  // namespace mua::server_internal
