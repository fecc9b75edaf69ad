#include "ingest/rejected_event_log.h"

#include <utility>

namespace mua {

size_t RejectedEventLog::BytesOf(const RejectedEvent& event) {
  return sizeof(RejectedEvent) + event.raw.capacity() + event.message.capacity() +
         event.source.capacity() + event.topic.capacity() + event.user_id.capacity();
}

void RejectedEventLog::SetErasedCheck(ErasedCheck is_erased) {
  absl::MutexLock lock(&mu_);
  is_erased_ = std::move(is_erased);
}

int64_t RejectedEventLog::EraseUser(absl::string_view user_id) {
  if (user_id.empty()) return 0;  // rows without a readable id belong to nobody
  absl::MutexLock lock(&mu_);
  int64_t removed = 0;
  for (const RejectedEvent& event : rows_) removed += event.user_id == user_id ? 1 : 0;
  if (removed == 0) return 0;
  std::deque<RejectedEvent> kept;
  for (RejectedEvent& event : rows_) {
    if (event.user_id == user_id) {
      bytes_ -= BytesOf(event);
    } else {
      kept.push_back(std::move(event));  // a moved string keeps its capacity: bytes_ holds
    }
  }
  rows_.swap(kept);
  erased_ += removed;
  return removed;
}

void RejectedEventLog::Append(std::vector<RejectedEvent> events) {
  if (events.empty()) return;
  absl::MutexLock lock(&mu_);
  for (RejectedEvent& event : events) {
    if (is_erased_ && !event.user_id.empty() && is_erased_(event.user_id)) {
      event.reason = RejectReason::kErasedUser;
      event.message = "the user was erased (GDPR); the payload is not kept";
      event.raw = std::string();
      event.user_id = std::string();
    }
    ++total_;
    bytes_ += BytesOf(event);
    rows_.push_back(std::move(event));
  }
  while (!rows_.empty() && (rows_.size() > options_.max_rows || bytes_ > options_.max_bytes)) {
    bytes_ -= BytesOf(rows_.front());
    rows_.pop_front();
    ++evicted_;
  }
}

std::vector<RejectedEvent> RejectedEventLog::Rows() const {
  absl::MutexLock lock(&mu_);
  return std::vector<RejectedEvent>(rows_.begin(), rows_.end());
}

int64_t RejectedEventLog::total() const {
  absl::MutexLock lock(&mu_);
  return total_;
}

int64_t RejectedEventLog::evicted() const {
  absl::MutexLock lock(&mu_);
  return evicted_;
}

size_t RejectedEventLog::bytes() const {
  absl::MutexLock lock(&mu_);
  return bytes_;
}

int64_t RejectedEventLog::erased() const {
  absl::MutexLock lock(&mu_);
  return erased_;
}

}  // namespace mua
