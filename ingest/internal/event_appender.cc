#include "ingest/internal/event_appender.h"

#include "ingest/dedup.h"
#include "storage/table.h"

namespace mua::ingest_internal {

EventAppender::EventAppender(Table* table, const IngestOptions& options, Store::ApplyScope* scope)
    : table_(table), options_(options), scope_(scope), dedup_(options.dedup) {
  if (dedup_ == nullptr) {
    own_dedup_ = std::make_unique<Deduplicator>();
    dedup_ = own_dedup_.get();
  }
  rows_.reserve(options.batch_rows);
  arrival_ = dedup_->now();
}

void EventAppender::set_scope(Store::ApplyScope* scope) {
  scope_ = scope;
  arrival_ = dedup_->now();
}

EventAppender::~EventAppender() = default;

Verdict EventAppender::Offer(const EventRow& row) {
  if (scope_ != nullptr && scope_->store()->IsErased(row.user_id)) return Verdict::kErased;
  if (dedup_->SeenBefore(row.user_id, row.event_id, arrival_)) return Verdict::kDuplicate;
  rows_.push_back(row);
  if (rows_.size() >= options_.batch_rows) status_.Update(Flush());
  return Verdict::kAccepted;
}

absl::Status EventAppender::Flush() {
  if (!status_.ok() || rows_.empty()) return status_;
  if (scope_ != nullptr && options_.write_ahead) wal_seq_ = scope_->LogRows(rows_);
  status_ = table_->Append(rows_);
  if (status_.ok()) appended_ += static_cast<int64_t>(rows_.size());
  rows_.clear();
  return status_;
}

}  // namespace mua::ingest_internal
