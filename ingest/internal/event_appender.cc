#include "ingest/internal/event_appender.h"

#include "ingest/dedup.h"
#include "storage/base/check.h"
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

RowPreparation EventAppender::Preparation(const Table* table, const IngestOptions& options) {
  if (options.forward != nullptr) return {.forward = true};  // nothing is appended here
  return {.table = table, .fingerprints = options.dedup == nullptr || options.dedup->enabled()};
}

void EventAppender::Offer(const DecodedSlice& slice, std::vector<Verdict>* verdicts) {
  const size_t rows = slice.rows.size();
  verdicts->assign(rows, Verdict::kAccepted);
  checked_.clear();
  keys_.clear();
  const bool deduplicating = dedup_->enabled();
  MUA_CHECK(slice.encoded.size() == rows && (!deduplicating || slice.fingerprints.size() == rows),
            "EventAppender::Offer needs slices decoded with EventAppender::Preparation");
  for (uint32_t i = 0; i < rows; ++i) {
    const EventRow& row = slice.rows[i];
    if (scope_ != nullptr && scope_->store()->IsErased(row.user_id)) {
      (*verdicts)[i] = Verdict::kErased;
      continue;
    }
    checked_.push_back(i);
    if (!deduplicating) continue;
    keys_.push_back(slice.fingerprints[i]);
  }
  seen_.assign(checked_.size(), 0);
  if (deduplicating) dedup_->SeenBefore(keys_, arrival_, absl::MakeSpan(seen_));

  const bool logged = scope_ != nullptr && options_.write_ahead;
  for (size_t k = 0; k < checked_.size(); ++k) {
    const uint32_t i = checked_[k];
    if (seen_[k] != 0) {
      (*verdicts)[i] = Verdict::kDuplicate;
      continue;
    }
    if (logged) rows_.push_back(slice.rows[i]);
    encoded_.AddFrom(slice.encoded, i);
    if (encoded_.size() >= options_.batch_rows) status_.Update(Flush());
  }
}

absl::Status EventAppender::Flush() {
  if (!status_.ok() || encoded_.size() == 0) return status_;
  if (scope_ != nullptr && options_.write_ahead) wal_seq_ = scope_->LogRows(rows_);
  status_ = table_->AppendEncoded(encoded_);
  if (status_.ok()) appended_ += static_cast<int64_t>(encoded_.size());
  rows_.clear();
  encoded_.clear();
  return status_;
}

}  // namespace mua::ingest_internal
