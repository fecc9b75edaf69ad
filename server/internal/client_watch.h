// ClientWatch: whether the client of a request being handled is still connected.
// The HTTP server watches the socket while a handler runs (a readable socket
// whose peek finds end-of-stream or a reset means the peer closed it) and calls
// Gone(); the statements the handler runs cancel themselves through it, as
// KILL QUERY does. The handler finds its request's watch through a thread-local
// scope, so the endpoint code between the two needs no parameter for it.
// Thread safety: Gone() on an I/O thread, Watch/Unwatch on the worker; locked.
//
//   // HttpServer, around the handler:
//   ClientWatchScope scope(watch.get());
//   // Service::RunStatement, while the statement runs:
//   const CancelOnClientGone cancel_on_gone(&running->cancelled);
#pragma once

#include <atomic>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"

namespace mua::server_internal {

class ClientWatch {
 public:
  // The peer closed the connection: sets every watched flag, and any watched later.
  void Gone();
  bool gone() const;

  // Sets *flag now if the client is gone, and when it goes until Unwatch(flag).
  void Watch(std::atomic<bool>* flag);
  void Unwatch(std::atomic<bool>* flag);

 private:
  mutable absl::Mutex mu_;
  bool gone_ ABSL_GUARDED_BY(mu_) = false;
  std::vector<std::atomic<bool>*> flags_ ABSL_GUARDED_BY(mu_);
};

// The watch of the request this thread is handling; null when none (a unit test
// calling Service::Handle directly, the shell's embedded engine).
ClientWatch* CurrentClientWatch();

// Makes `watch` (may be null) this thread's current watch until the scope ends.
class ClientWatchScope {
 public:
  explicit ClientWatchScope(ClientWatch* watch);
  ~ClientWatchScope();
  ClientWatchScope(const ClientWatchScope&) = delete;
  ClientWatchScope& operator=(const ClientWatchScope&) = delete;

 private:
  ClientWatch* previous_;
};

// While it lives, the current request's client going away sets *flag (the statement's
// cancellation flag); nothing without a current watch. REQUIRES: *flag outlives it.
class CancelOnClientGone {
 public:
  explicit CancelOnClientGone(std::atomic<bool>* flag);
  ~CancelOnClientGone();
  CancelOnClientGone(const CancelOnClientGone&) = delete;
  CancelOnClientGone& operator=(const CancelOnClientGone&) = delete;

 private:
  ClientWatch* const watch_;
  std::atomic<bool>* const flag_;
};

}  // namespace mua::server_internal
