// StreamedBody: a request body on its way from the I/O thread that reads it to the
// worker whose handler pulls it (HttpBodySource). A bounded queue of chunks: when it is
// full the reader pauses, and the handler's next pull resumes it, so a slow handler
// slows the client down (TCP backpressure) instead of buffering the body.
//
//   I/O thread:  if (!body->Push(std::move(chunk), resume)) { /* wait for resume */ }
//                body->End(absl::OkStatus());  // or the read's error
//   worker:      while (*body->Next(&chunk)) Use(chunk);
#pragma once

#include <cstddef>
#include <deque>
#include <functional>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "server/http_types.h"

namespace mua::server_internal {

class StreamedBody final : public HttpBodySource {
 public:
  explicit StreamedBody(size_t max_queued_chunks) : max_queued_chunks_(max_queued_chunks) {}

  absl::StatusOr<bool> Next(std::string* chunk) override {
    std::function<void()> resume;
    absl::StatusOr<bool> result = false;
    {
      absl::MutexLock lock(&mu_);
      mu_.Await(absl::Condition(this, &StreamedBody::Ready));
      if (!queue_.empty()) {
        *chunk = std::move(queue_.front());
        queue_.pop_front();
        if (resume_ && queue_.size() < max_queued_chunks_) resume = std::exchange(resume_, nullptr);
        result = true;
      } else if (!end_.ok()) {
        result = end_;
      }
    }
    if (resume) resume();  // outside the lock: it posts the next read to the I/O thread
    return result;
  }

  // Queues a chunk. False when the queue is full: the caller stops reading, and
  // `resume` is called (from the handler's thread) once the handler has taken a chunk.
  bool Push(std::string chunk, std::function<void()> resume) {
    absl::MutexLock lock(&mu_);
    if (ended_) return true;  // the handler is gone: nothing waits for it
    queue_.push_back(std::move(chunk));
    if (queue_.size() < max_queued_chunks_) return true;
    resume_ = std::move(resume);
    return false;
  }

  // The body ended: OK when it arrived whole, else why not. The first call counts;
  // chunks already queued are still handed out before it.
  void End(absl::Status status) {
    absl::MutexLock lock(&mu_);
    if (ended_) return;
    ended_ = true;
    end_ = std::move(status);
    resume_ = nullptr;
  }

 private:
  bool Ready() const ABSL_SHARED_LOCKS_REQUIRED(mu_) { return !queue_.empty() || ended_; }

  const size_t max_queued_chunks_;
  absl::Mutex mu_;
  std::deque<std::string> queue_ ABSL_GUARDED_BY(mu_);
  std::function<void()> resume_ ABSL_GUARDED_BY(mu_);  // set while the reader waits
  bool ended_ ABSL_GUARDED_BY(mu_) = false;
  absl::Status end_ ABSL_GUARDED_BY(mu_);
};

// Pulls the rest of `source` onto the end of *body, for handlers that need a body whole.
// Errors: ResourceExhausted once *body would exceed `limit` bytes; the source's own.
inline absl::Status ReadRestOfBody(HttpBodySource& source, size_t limit, std::string* body) {
  std::string chunk;
  while (true) {
    absl::StatusOr<bool> more = source.Next(&chunk);
    if (!more.ok()) return more.status();
    if (!*more) return absl::OkStatus();
    if (body->size() + chunk.size() > limit) {
      return absl::ResourceExhaustedError(
          absl::StrCat("Request body too large: the limit for this statement is ", limit, " bytes"));
    }
    *body += chunk;
  }
}

}  // namespace mua::server_internal
