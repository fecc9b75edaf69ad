#include "tools/shell/http_client.h"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "gtest/gtest.h"
#include "tests/testutil/status_matchers.h"

namespace mua::shell {
namespace {

using ::mua::test::StatusIs;

// A port on which nothing listens: bound by a socket that is then closed.
int UnusedPort() {
  boost::asio::io_context io;
  boost::asio::ip::tcp::acceptor acceptor(io, {boost::asio::ip::make_address("127.0.0.1"), 0});
  return acceptor.local_endpoint().port();
}

TEST(HttpClientTest, NothingListeningIsUnavailable) {
  HttpClient client({.host = "127.0.0.1", .port = UnusedPort()});
  const absl::StatusOr<HttpReply> reply = client.Get("/ping", absl::Seconds(5));
  EXPECT_THAT(reply, StatusIs(absl::StatusCode::kUnavailable));
  EXPECT_NE(reply.status().message().find("cannot connect to 127.0.0.1:"), absl::string_view::npos)
      << reply.status();
}

TEST(HttpClientTest, UrlEncodeKeepsUnreservedCharacters) {
  EXPECT_EQ(UrlEncode("JSONCompact"), "JSONCompact");
  EXPECT_EQ(UrlEncode("a b&c=d/é"), "a%20b%26c%3Dd%2F%C3%A9");
}

TEST(HttpReplyTest, HeadersAreCaseInsensitive) {
  HttpReply reply;
  reply.headers = {{"X-ClickHouse-Exception-Code", "62"}};
  EXPECT_EQ(reply.Header("x-clickhouse-exception-code"), "62");
  EXPECT_EQ(reply.Header("Server"), "");
}

}  // namespace
}  // namespace mua::shell
