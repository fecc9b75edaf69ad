// One HTTP/1.1 exchange with another node of the cluster (its /health for the monitor,
// a shard's part of a statement for a coordinator), bounded in time and size. The
// operations are asynchronous on a private io_context because Beast's synchronous ones
// ignore the stream's deadline.
//
//   absl::StatusOr<ClusterHttpResponse> answer = ClusterHttpCall(
//       {.address = "10.0.0.2:8123", .target = "/health", .timeout = absl::Seconds(1)});
#pragma once

#include <atomic>
#include <cstddef>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace mua::server_internal {

struct ClusterHttpRequest {
  std::string address;  // HOST:PORT ([v6]:PORT)
  std::string method = "GET";  // GET, POST or DELETE
  std::string target;   // path and query
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  absl::Duration timeout = absl::Seconds(1);  // connect, send and receive together
  size_t max_body_bytes = 64 << 10;
  const std::atomic<bool>* cancelled = nullptr;  // checked every 50 ms
};

struct ClusterHttpResponse {
  int status = 0;
  std::string body;
};

// Errors: Unavailable "<step>: <reason>" when the node cannot be reached, answers
// nothing in time, or answers more than max_body_bytes; Cancelled.
absl::StatusOr<ClusterHttpResponse> ClusterHttpCall(const ClusterHttpRequest& request);

}  // namespace mua::server_internal
