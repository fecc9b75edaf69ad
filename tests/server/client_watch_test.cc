// A client that hangs up while its request is handled (server/internal/client_watch.h):
// the HTTP server sees the socket close and the handler's statements are cancelled;
// a client that waits gets its answer and keeps its connection.
#include "server/internal/client_watch.h"

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <string>

#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "gtest/gtest.h"
#include "server/http_server.h"
#include "tests/server/loopback_client.h"

namespace mua {
namespace {

using server_internal::CancelOnClientGone;
using server_internal::ClientWatch;
using server_internal::ClientWatchScope;

void Send(int fd, const std::string& text) {
  ASSERT_EQ(write(fd, text.data(), text.size()), static_cast<ssize_t>(text.size()));
}

// Reads until `count` responses whose bodies end in "\n" arrived (bodies here are one line).
std::string ReadResponses(int fd, int count) {
  std::string received;
  char buffer[4096];
  while (true) {
    int bodies = 0;
    for (size_t at = received.find("\r\n\r\n"); at != std::string::npos;
         at = received.find("\r\n\r\n", at + 4)) {
      if (received.find('\n', at + 4) != std::string::npos) ++bodies;
    }
    if (bodies >= count) return received;
    const ssize_t got = read(fd, buffer, sizeof(buffer));
    if (got <= 0) return received;
    received.append(buffer, static_cast<size_t>(got));
  }
}

TEST(ClientWatchTest, WatchedFlagsAreSetWhenTheClientGoes) {
  ClientWatch watch;
  std::atomic<bool> running{false}, finished{false};
  {
    const ClientWatchScope scope(&watch);
    const CancelOnClientGone cancel(&running);
    watch.Gone();
    EXPECT_TRUE(running.load());
  }
  {
    const ClientWatchScope scope(&watch);
    const CancelOnClientGone late(&finished);  // registered after the client went
    EXPECT_TRUE(finished.load());
  }
  std::atomic<bool> unwatched{false};
  {
    const CancelOnClientGone none(&unwatched);  // no current watch: nothing to do
  }
  EXPECT_FALSE(unwatched.load());
}

TEST(ClientWatchTest, HangingUpCancelsTheHandlersStatement) {
  std::atomic<bool> cancelled{false};
  absl::Notification entered, done;
  std::atomic<bool> saw_cancel{false};
  HttpServer server(
      [&](HttpRequest&) {
        const CancelOnClientGone cancel_on_gone(&cancelled);  // as Service::RunStatement does
        entered.Notify();
        // A statement checks its flag between chunks; bounded so a failure ends the test.
        const absl::Time give_up = absl::Now() + absl::Seconds(60);
        while (!cancelled.load() && absl::Now() < give_up) absl::SleepFor(absl::Milliseconds(2));
        saw_cancel = cancelled.load();
        done.Notify();
        return HttpResponse::Text(500, "cancelled\n");
      },
      {});
  ASSERT_TRUE(server.Start("127.0.0.1", 0).ok());
  const int fd = test::ConnectLoopback(server.port());
  Send(fd, "POST / HTTP/1.1\r\nHost: localhost\r\nContent-Length: 8\r\n\r\nSELECT 1");
  entered.WaitForNotification();
  close(fd);
  done.WaitForNotification();
  EXPECT_TRUE(saw_cancel.load());
  server.Stop();
}

TEST(ClientWatchTest, AClientThatWaitsKeepsItsConnection) {
  std::atomic<int> handled{0};
  HttpServer server(
      [&](HttpRequest& request) {
        ++handled;
        EXPECT_NE(server_internal::CurrentClientWatch(), nullptr);
        EXPECT_FALSE(server_internal::CurrentClientWatch()->gone());
        return HttpResponse::Text(200, request.body + "\n");
      },
      {});
  ASSERT_TRUE(server.Start("127.0.0.1", 0).ok());
  const int fd = test::ConnectLoopback(server.port());
  Send(fd, "POST / HTTP/1.1\r\nHost: localhost\r\nContent-Length: 5\r\n\r\nfirst");
  EXPECT_NE(ReadResponses(fd, 1).find("first\n"), std::string::npos);
  // The same connection answers again: the watch of the first request was stopped cleanly.
  Send(fd, "POST / HTTP/1.1\r\nHost: localhost\r\nContent-Length: 6\r\n\r\nsecond");
  EXPECT_NE(ReadResponses(fd, 1).find("second\n"), std::string::npos);
  // Two pipelined requests: both answered, in order.
  Send(fd,
       "POST / HTTP/1.1\r\nHost: localhost\r\nContent-Length: 5\r\n\r\nthird"
       "POST / HTTP/1.1\r\nHost: localhost\r\nContent-Length: 6\r\n\r\nfourth");
  const std::string both = ReadResponses(fd, 2);
  EXPECT_NE(both.find("third\n"), std::string::npos) << both;
  EXPECT_NE(both.find("fourth\n"), std::string::npos) << both;
  EXPECT_LT(both.find("third\n"), both.find("fourth\n"));
  close(fd);
  EXPECT_EQ(handled.load(), 4);
  server.Stop();
}

}  // namespace
}  // namespace mua
