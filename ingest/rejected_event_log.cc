#include "ingest/rejected_event_log.h"

#include <memory>
#include <utility>

#include "absl/strings/str_cat.h"
#include "storage/base/coding.h"

namespace mua {
namespace {

// docs/formats/rejected.md.
constexpr char kSnapshotMagic[] = "MUAR";
constexpr uint32_t kSnapshotVersion = 1;

void PutString(std::string* out, absl::string_view value) {
  PutVarint64(out, value.size());
  out->append(value.data(), value.size());
}

void PutEvent(std::string* out, const RejectedEvent& event) {
  PutString(out, RejectReasonName(event.reason));
  PutVarint64(out, ZigZagEncode(absl::ToUnixMicros(event.rejected_at)));
  PutString(out, event.raw);
  PutString(out, event.message);
  PutString(out, event.source);
  PutString(out, event.topic);
  PutVarint64(out, ZigZagEncode(event.partition));
  PutVarint64(out, ZigZagEncode(event.offset));
  PutString(out, event.user_id);
}

void PutEvents(std::string* out, absl::Span<const RejectedEvent> events) {
  PutVarint64(out, events.size());
  for (const RejectedEvent& event : events) PutEvent(out, event);
}

// Reads what PutEvents wrote; `*p` advances. Errors: DataLoss.
class Reader {
 public:
  explicit Reader(absl::string_view bytes) : p_(bytes.data()), limit_(bytes.data() + bytes.size()) {}

  bool Varint(uint64_t* value) {
    p_ = p_ == nullptr ? nullptr : GetVarint64(p_, limit_, value);
    return p_ != nullptr;
  }
  bool Signed(int64_t* value) {
    uint64_t raw = 0;
    if (!Varint(&raw)) return false;
    *value = ZigZagDecode(raw);
    return true;
  }
  bool String(std::string* value) {
    uint64_t length = 0;
    if (!Varint(&length) || length > static_cast<uint64_t>(limit_ - p_)) return false;
    value->assign(p_, length);
    p_ += length;
    return true;
  }
  bool Event(RejectedEvent* event) {
    std::string reason;
    int64_t micros = 0, partition = 0;
    if (!String(&reason) || !Signed(&micros) || !String(&event->raw) || !String(&event->message) ||
        !String(&event->source) || !String(&event->topic) || !Signed(&partition) ||
        !Signed(&event->offset) || !String(&event->user_id)) {
      return false;
    }
    const std::optional<RejectReason> found = FindRejectReason(reason);
    if (!found.has_value()) return false;
    event->reason = *found;
    event->rejected_at = absl::FromUnixMicros(micros);
    event->partition = static_cast<int32_t>(partition);
    return true;
  }
  absl::Status Events(std::vector<RejectedEvent>* events) {
    uint64_t count = 0;
    if (!Varint(&count) || count > static_cast<uint64_t>(limit_ - p_)) return Bad();
    events->resize(count);
    for (RejectedEvent& event : *events) {
      if (!Event(&event)) return Bad();
    }
    return absl::OkStatus();
  }
  bool done() const { return p_ == limit_; }
  static absl::Status Bad() { return absl::DataLossError("events_rejected: truncated or malformed"); }

 private:
  const char* p_;
  const char* const limit_;
};

}  // namespace

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
  ++generation_;
  return removed;
}

void RejectedEventLog::MarkErasedLocked(std::vector<RejectedEvent>& events) {
  for (RejectedEvent& event : events) {
    if (is_erased_ && !event.user_id.empty() && is_erased_(event.user_id)) {
      event.reason = RejectReason::kErasedUser;
      event.message = "the user was erased (GDPR); the payload is not kept";
      event.raw = std::string();
      event.user_id = std::string();
    }
  }
}

void RejectedEventLog::AddLocked(std::vector<RejectedEvent> events) {
  for (RejectedEvent& event : events) {
    ++total_;
    bytes_ += BytesOf(event);
    rows_.push_back(std::move(event));
  }
  EnforceBoundsLocked();
}

void RejectedEventLog::EnforceBoundsLocked() {
  while (!rows_.empty() && (rows_.size() > options_.max_rows || bytes_ > options_.max_bytes)) {
    bytes_ -= BytesOf(rows_.front());
    rows_.pop_front();
    ++evicted_;
  }
  ExpireLocked();
  ++generation_;
}

int64_t RejectedEventLog::ExpireLocked() {
  if (options_.max_age <= absl::ZeroDuration() || rows_.empty()) return 0;
  const absl::Time cutoff = (options_.now ? options_.now() : absl::Now()) - options_.max_age;
  // Rows arrive roughly in rejection order; one rejected earlier behind a newer one waits
  // for it (the bound is by age, not exact to the row).
  int64_t dropped = 0;
  while (!rows_.empty() && rows_.front().rejected_at < cutoff) {
    bytes_ -= BytesOf(rows_.front());
    rows_.pop_front();
    ++dropped;
  }
  expired_ += dropped;
  if (dropped > 0) ++generation_;
  return dropped;
}

uint64_t RejectedEventLog::Append(std::vector<RejectedEvent> events, Store::ApplyScope* scope) {
  if (events.empty()) return 0;
  absl::MutexLock lock(&mu_);
  MarkErasedLocked(events);
  uint64_t seq = 0;
  if (scope != nullptr) {
    std::string record;
    PutEvents(&record, events);
    seq = scope->LogAttachment(kRejectedAttachment, record);
  }
  AddLocked(std::move(events));
  return seq;
}

int64_t RejectedEventLog::ExpireOld() {
  absl::MutexLock lock(&mu_);
  return ExpireLocked();
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

int64_t RejectedEventLog::expired() const {
  absl::MutexLock lock(&mu_);
  return expired_;
}

size_t RejectedEventLog::bytes() const {
  absl::MutexLock lock(&mu_);
  return bytes_;
}

int64_t RejectedEventLog::erased() const {
  absl::MutexLock lock(&mu_);
  return erased_;
}

uint64_t RejectedEventLog::generation() const {
  absl::MutexLock lock(&mu_);
  return generation_;
}

std::function<std::string()> RejectedEventLog::Capture() {
  // A copy under the checkpoint's capture (bounded by max_bytes); encoded outside it.
  struct Captured {
    std::vector<RejectedEvent> rows;
    int64_t total, evicted, expired, erased;
  };
  auto captured = std::make_shared<Captured>();
  {
    absl::MutexLock lock(&mu_);
    captured->rows.assign(rows_.begin(), rows_.end());
    captured->total = total_;
    captured->evicted = evicted_;
    captured->expired = expired_;
    captured->erased = erased_;
  }
  return [captured] {
    std::string out(kSnapshotMagic, 4);
    PutFixed32(&out, kSnapshotVersion);
    for (int64_t counter : {captured->total, captured->evicted, captured->expired, captured->erased}) {
      PutVarint64(&out, ZigZagEncode(counter));
    }
    PutEvents(&out, captured->rows);
    return out;
  };
}

absl::Status RejectedEventLog::Restore(absl::string_view snapshot) {
  if (snapshot.size() < 8 || snapshot.substr(0, 4) != absl::string_view(kSnapshotMagic, 4)) {
    return absl::DataLossError("events_rejected snapshot: bad header");
  }
  if (const uint32_t version = LoadFixed32(snapshot.data() + 4); version != kSnapshotVersion) {
    return absl::DataLossError(absl::StrCat("events_rejected snapshot: unknown version ", version));
  }
  Reader reader(snapshot.substr(8));
  int64_t counters[4] = {};
  for (int64_t& counter : counters) {
    if (!reader.Signed(&counter)) return Reader::Bad();
  }
  std::vector<RejectedEvent> rows;
  if (absl::Status status = reader.Events(&rows); !status.ok()) return status;
  if (!reader.done()) return Reader::Bad();
  absl::MutexLock lock(&mu_);
  rows_.clear();
  bytes_ = 0;
  for (RejectedEvent& event : rows) {
    bytes_ += BytesOf(event);
    rows_.push_back(std::move(event));
  }
  total_ = counters[0];
  evicted_ = counters[1];
  expired_ = counters[2];
  erased_ = counters[3];
  // Bounds may have shrunk since (a smaller --rejected_retention_days, say).
  EnforceBoundsLocked();
  return absl::OkStatus();
}

absl::Status RejectedEventLog::Replay(absl::string_view record) {
  Reader reader(record);
  std::vector<RejectedEvent> events;
  if (absl::Status status = reader.Events(&events); !status.ok()) return status;
  if (!reader.done()) return Reader::Bad();
  absl::MutexLock lock(&mu_);
  MarkErasedLocked(events);  // erased since it was logged
  AddLocked(std::move(events));
  return absl::OkStatus();
}

}  // namespace mua
