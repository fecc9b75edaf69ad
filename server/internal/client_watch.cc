#include "server/internal/client_watch.h"

#include <algorithm>

namespace mua::server_internal {
namespace {

thread_local ClientWatch* current_watch = nullptr;

}  // namespace

void ClientWatch::Gone() {
  absl::MutexLock lock(&mu_);
  gone_ = true;
  for (std::atomic<bool>* flag : flags_) flag->store(true);
}

bool ClientWatch::gone() const {
  absl::MutexLock lock(&mu_);
  return gone_;
}

void ClientWatch::Watch(std::atomic<bool>* flag) {
  absl::MutexLock lock(&mu_);
  if (gone_) flag->store(true);
  flags_.push_back(flag);
}

void ClientWatch::Unwatch(std::atomic<bool>* flag) {
  absl::MutexLock lock(&mu_);
  flags_.erase(std::remove(flags_.begin(), flags_.end(), flag), flags_.end());
}

ClientWatch* CurrentClientWatch() { return current_watch; }

ClientWatchScope::ClientWatchScope(ClientWatch* watch) : previous_(current_watch) { current_watch = watch; }

ClientWatchScope::~ClientWatchScope() { current_watch = previous_; }

CancelOnClientGone::CancelOnClientGone(std::atomic<bool>* flag) : watch_(current_watch), flag_(flag) {
  if (watch_ != nullptr) watch_->Watch(flag_);
}

CancelOnClientGone::~CancelOnClientGone() {
  if (watch_ != nullptr) watch_->Unwatch(flag_);
}

}  // namespace mua::server_internal
