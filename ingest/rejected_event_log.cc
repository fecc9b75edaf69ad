#include "ingest/rejected_event_log.h"

#include <utility>

namespace mua {

size_t RejectedEventLog::BytesOf(const RejectedEvent& event) {
  return sizeof(RejectedEvent) + event.raw.capacity() + event.message.capacity() +
         event.source.capacity() + event.topic.capacity();
}

void RejectedEventLog::Append(std::vector<RejectedEvent> events) {
  if (events.empty()) return;
  absl::MutexLock lock(&mu_);
  for (RejectedEvent& event : events) {
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

}  // namespace mua
