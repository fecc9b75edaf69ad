// Streamed request bodies (HttpAdmission::stream_body): the handler pulls the body in
// chunks while it arrives, whatever its size or framing; a client that stalls, hangs up
// or sends more than its limit ends the body with an error the handler sees.
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "gtest/gtest.h"
#include "server/http_server.h"
#include "tests/server/loopback_client.h"

namespace mua {
namespace {

bool Send(int fd, absl::string_view text) {
  while (!text.empty()) {
    const ssize_t sent = send(fd, text.data(), text.size(), MSG_NOSIGNAL);
    if (sent <= 0) return false;
    text.remove_prefix(static_cast<size_t>(sent));
  }
  return true;
}

// Everything the server sends until it closes the connection.
std::string ReadAll(int fd) {
  std::string received;
  char buffer[4096];
  while (true) {
    const ssize_t got = read(fd, buffer, sizeof(buffer));
    if (got <= 0) return received;
    received.append(buffer, static_cast<size_t>(got));
  }
}

// What the handler saw of its streamed body.
struct Seen {
  absl::Mutex mu;
  size_t bytes = 0;
  size_t chunks = 0;
  size_t largest_chunk = 0;
  absl::Status end;
  absl::Notification started;
  absl::Notification done;
};

class StreamedBodyTest : public ::testing::Test {
 protected:
  void Start(HttpServerOptions options, size_t max_body_bytes, bool read_body = true) {
    options.admit = [max_body_bytes](const HttpRequest& head) {
      return HttpAdmission{.max_body_bytes = max_body_bytes, .stream_body = head.path == "/stream"};
    };
    server_ = std::make_unique<HttpServer>(
        [this, read_body](HttpRequest& request) {
          if (request.body_stream == nullptr) return HttpResponse::Text(200, absl::StrCat("whole ", request.body.size(), "\n"));
          if (!seen_.started.HasBeenNotified()) seen_.started.Notify();
          absl::Status end;
          std::string chunk;
          while (read_body) {
            const absl::StatusOr<bool> more = request.body_stream->Next(&chunk);
            if (!more.ok()) {
              end = more.status();
              break;
            }
            if (!*more) break;
            absl::MutexLock lock(&seen_.mu);
            seen_.bytes += chunk.size();
            ++seen_.chunks;
            seen_.largest_chunk = std::max(seen_.largest_chunk, chunk.size());
          }
          size_t bytes = 0;
          {
            absl::MutexLock lock(&seen_.mu);
            seen_.end = end;
            bytes = seen_.bytes;
          }
          seen_.done.Notify();
          if (!end.ok()) return HttpResponse::Text(500, absl::StrCat(end.message(), "\n"));
          return HttpResponse::Text(200, absl::StrCat("streamed ", bytes, "\n"));
        },
        options);
    ASSERT_TRUE(server_->Start("127.0.0.1", 0).ok());
  }

  Seen seen_;
  std::unique_ptr<HttpServer> server_;
};

HttpServerOptions SmallChunks() {
  HttpServerOptions options;
  options.stream_chunk_bytes = 64 << 10;
  options.stream_queue_chunks = 2;
  return options;
}

TEST_F(StreamedBodyTest, ContentLengthBodyLargerThanTheServerLimit) {
  HttpServerOptions options = SmallChunks();
  options.max_body_bytes = 1 << 20;  // applies to bodies that are not streamed
  Start(options, /*max_body_bytes=*/size_t{1} << 40);
  const std::string body(5 << 20, 'x');
  const int fd = test::ConnectLoopback(server_->port());
  ASSERT_TRUE(Send(fd, absl::StrCat("POST /stream HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: ",
                                    body.size(), "\r\n\r\n", body)));
  const std::string response = ReadAll(fd);
  close(fd);
  EXPECT_NE(response.find("200 OK"), std::string::npos) << response;
  EXPECT_NE(response.find(absl::StrCat("streamed ", body.size())), std::string::npos) << response;
  absl::MutexLock lock(&seen_.mu);
  EXPECT_LE(seen_.largest_chunk, size_t{64} << 10);
  EXPECT_GE(seen_.chunks, 80u);
}

TEST_F(StreamedBodyTest, ChunkedBodyAndKeepAlive) {
  Start(SmallChunks(), size_t{1} << 40);
  std::string request = "POST /stream HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n";
  size_t total = 0;
  for (int i = 0; i < 300; ++i) {
    const std::string piece(1000 + i, 'a' + i % 26);
    absl::StrAppend(&request, absl::Hex(piece.size()), "\r\n", piece, "\r\n");
    total += piece.size();
  }
  request += "0\r\n\r\n";
  // The same connection then carries an ordinary request.
  request += "POST /whole HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: 3\r\n\r\nabc";
  const int fd = test::ConnectLoopback(server_->port());
  ASSERT_TRUE(Send(fd, request));
  const std::string response = ReadAll(fd);
  close(fd);
  EXPECT_NE(response.find(absl::StrCat("streamed ", total, "\n")), std::string::npos) << response;
  EXPECT_NE(response.find("whole 3\n"), std::string::npos) << response;
}

TEST_F(StreamedBodyTest, StalledClientTimesOutPerChunk) {
  HttpServerOptions options = SmallChunks();
  options.request_timeout = absl::Milliseconds(300);
  Start(options, size_t{1} << 40);
  const int fd = test::ConnectLoopback(server_->port());
  ASSERT_TRUE(Send(fd, "POST /stream HTTP/1.1\r\nHost: x\r\nContent-Length: 1000000\r\n\r\nsome bytes"));
  seen_.done.WaitForNotification();  // the stall ends the body: the worker is free again
  {
    absl::MutexLock lock(&seen_.mu);
    EXPECT_EQ(seen_.end.code(), absl::StatusCode::kDeadlineExceeded) << seen_.end;
  }
  close(fd);
}

TEST_F(StreamedBodyTest, ClientHangingUpMidBodyEndsItWithDataLoss) {
  Start(SmallChunks(), size_t{1} << 40);
  const int fd = test::ConnectLoopback(server_->port());
  ASSERT_TRUE(Send(fd, absl::StrCat("POST /stream HTTP/1.1\r\nHost: x\r\nContent-Length: 10000000\r\n\r\n",
                                    std::string(300 << 10, 'z'))));
  close(fd);
  seen_.done.WaitForNotification();
  absl::MutexLock lock(&seen_.mu);
  EXPECT_EQ(seen_.end.code(), absl::StatusCode::kDataLoss) << seen_.end;
  EXPECT_LE(seen_.bytes, size_t{300} << 10);
}

TEST_F(StreamedBodyTest, AdmittedLimitEndsAChunkedBody) {
  Start(SmallChunks(), /*max_body_bytes=*/100'000);
  std::string request = "POST /stream HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n";
  for (int i = 0; i < 50; ++i) absl::StrAppend(&request, absl::Hex(10'000), "\r\n", std::string(10'000, 'q'), "\r\n");
  request += "0\r\n\r\n";
  const int fd = test::ConnectLoopback(server_->port());
  Send(fd, request);  // the server may close before all of it is sent
  const std::string response = ReadAll(fd);
  close(fd);
  seen_.done.WaitForNotification();
  absl::MutexLock lock(&seen_.mu);
  EXPECT_EQ(seen_.end.code(), absl::StatusCode::kResourceExhausted) << seen_.end;
  EXPECT_LE(seen_.bytes, 100'000u);
}

TEST_F(StreamedBodyTest, AnswerBeforeTheBodyClosesTheConnection) {
  Start(SmallChunks(), size_t{1} << 40, /*read_body=*/false);
  const int fd = test::ConnectLoopback(server_->port());
  ASSERT_TRUE(Send(fd, "POST /stream HTTP/1.1\r\nHost: x\r\nContent-Length: 100000000\r\n\r\nstart"));
  const std::string response = ReadAll(fd);  // ends: the server closed the connection
  close(fd);
  EXPECT_NE(response.find("streamed 0"), std::string::npos) << response;
  EXPECT_NE(response.find("Connection: close"), std::string::npos) << response;
}

TEST_F(StreamedBodyTest, StopEndsABodyStillArriving) {
  HttpServerOptions options = SmallChunks();
  options.shutdown_grace = absl::Milliseconds(100);
  Start(options, size_t{1} << 40);
  const int fd = test::ConnectLoopback(server_->port());
  ASSERT_TRUE(Send(fd, "POST /stream HTTP/1.1\r\nHost: x\r\nContent-Length: 100000000\r\n\r\nstart"));
  seen_.started.WaitForNotification();
  server_->Stop();  // returns: the waiting handler is not left waiting
  seen_.done.WaitForNotification();
  {
    absl::MutexLock lock(&seen_.mu);
    EXPECT_FALSE(seen_.end.ok());
  }
  close(fd);
}

}  // namespace
}  // namespace mua
