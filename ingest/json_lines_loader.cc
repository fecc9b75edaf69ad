#include "ingest/json_lines_loader.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <memory>
#include <optional>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "ingest/dedup.h"
#include "ingest/event_arena.h"
#include "ingest/event_decoder.h"
#include "ingest/internal/batch_decoder.h"
#include "ingest/internal/event_appender.h"
#include "ingest/kafka_producer.h"
#include "ingest/pii.h"
#include "ingest/rejected_event_log.h"
#include "storage/base/status_macros.h"
#include "storage/store.h"
#include "storage/table.h"

namespace mua {
namespace {

using ingest_internal::BatchDecoder;
using ingest_internal::DecodedSlice;
using ingest_internal::Payload;
using ingest_internal::Rejection;

bool IsBlank(absl::string_view line) {
  for (char c : line) {
    if (c != ' ' && c != '\t' && c != '\r') return false;
  }
  return true;
}

class Loader {
 public:
  Loader(absl::string_view source_name, Table* table, const IngestOptions& options,
         LoadStats* stats)
      : source_name_(source_name),
        table_(table),
        options_(options),
        stats_(stats),
        pipeline_(options.decoder, options.threads, options.row_converter,
                  ingest_internal::EventAppender::Preparation(table, options)) {
    if (options.dedup == nullptr) {
      // One set for the whole load, shared by every chunk's appender.
      own_dedup_ = std::make_unique<Deduplicator>();
      options_.dedup = own_dedup_.get();
    }
    if (options.forward != nullptr) delivery_.emplace(options.forward);
  }

  absl::Status Run(std::istream& in);

  // Decodes the complete lines of (*text)[begin..] in the background and appends the lines
  // of the Feed before; *text gets a spent buffer back for reuse (its capacity kept).
  absl::Status Feed(std::string* text, size_t begin = 0);
  // Appends the last Feed's lines and logs what is left of the rejects.
  absl::Status Finish();
  // Appends the last Feed's lines (a later Feed starts the pipeline anew).
  absl::Status Drain();

 private:
  absl::Status Apply(BatchDecoder& decoded);
  absl::Status Forward(BatchDecoder& decoded);
  absl::Status Collect(DecodedSlice& slice, ingest_internal::EventAppender& appender);
  // Under the batch's scope, so a checkpoint holds the rejects with the rows beside them;
  // with the WAL (HTTP), logged too, and acknowledged with the rows.
  void FlushRejects(Store::ApplyScope* scope) {
    if (options_.rejected_log != nullptr && !pending_rejects_.empty()) {
      const uint64_t seq = options_.rejected_log->Append(std::move(pending_rejects_),
                                                         options_.write_ahead ? scope : nullptr);
      stats_->wal_seq = std::max(stats_->wal_seq, seq);
    }
    pending_rejects_.clear();
  }
  void FlushRejects() {
    std::optional<Store::ApplyScope> scope;
    if (options_.store != nullptr && !pending_rejects_.empty()) scope.emplace(options_.store->BeginApply());
    FlushRejects(scope ? &*scope : nullptr);
  }
  void Reject(int64_t line_number, DecodeError error, std::string raw, absl::Time at,
              std::string user_id = "");
  int64_t NowMillis() const { return absl::ToUnixMillis(options_.now.value_or(absl::Now())); }

  const std::string source_name_;
  Table* const table_;
  IngestOptions options_;
  LoadStats* const stats_;
  std::unique_ptr<Deduplicator> own_dedup_;
  // Two batches in flight: one being decoded, one being appended. Declared before the
  // pipeline, which waits for its decoding threads when destroyed first.
  std::string texts_[2];
  std::vector<Payload> lines_[2];
  ingest_internal::DecodePipeline pipeline_;
  int next_ = 0;  // the slot the next Feed fills
  absl::Status status_;  // the first append error: later Feeds do nothing
  std::vector<RejectedEvent> pending_rejects_;  // for options_.rejected_log
  std::vector<ingest_internal::Verdict> verdicts_;  // Collect's, per slice
  int64_t line_number_ = 0;
  // With IngestOptions::forward: this load's messages, acknowledged by Finish.
  std::optional<KafkaEventProducer::Delivery> delivery_;
};

void Loader::Reject(int64_t line_number, DecodeError error, std::string raw, absl::Time at,
                    std::string user_id) {
  ++stats_->rejected;
  ++stats_->rejected_by_reason[static_cast<size_t>(error.reason)];
  RejectedEvent event{.raw = std::move(raw),
                      .reason = error.reason,
                      .message = std::move(error.message),
                      .source = absl::StrCat(source_name_, ":", line_number),
                      .rejected_at = at,
                      .offset = line_number,
                      .user_id = std::move(user_id)};
  if (options_.rejected_log != nullptr) pending_rejects_.push_back(event);
  if (stats_->rejected_events.size() < options_.max_rejected_kept) {
    stats_->rejected_events.push_back(std::move(event));
  }
}

absl::Status Loader::Collect(DecodedSlice& slice, ingest_internal::EventAppender& appender) {
  for (Rejection& rejection : slice.rejections) {
    Reject(rejection.tag, std::move(rejection.error), std::move(rejection.raw),
           rejection.at, std::move(rejection.user_id));
  }
  appender.Offer(slice, &verdicts_);
  for (size_t i = 0; i < slice.rows.size(); ++i) {
    switch (verdicts_[i]) {
      case ingest_internal::Verdict::kAccepted:
        break;
      case ingest_internal::Verdict::kDuplicate:
        ++stats_->duplicates;
        break;
      case ingest_internal::Verdict::kErased:
        Reject(slice.row_tags[i], {RejectReason::kErasedUser, "the user was erased (GDPR)"}, "",
               absl::Now());
        break;
    }
  }
  return absl::OkStatus();
}

absl::Status Loader::Feed(std::string* text, size_t begin) {
  if (!status_.ok()) return status_;
  std::vector<Payload>& lines = lines_[next_];
  texts_[next_].swap(*text);
  text->clear();
  lines.clear();
  absl::string_view rest = absl::string_view(texts_[next_]).substr(begin);
  while (!rest.empty()) {
    const size_t end = rest.find('\n');
    const absl::string_view line = rest.substr(0, end);
    rest.remove_prefix(end == absl::string_view::npos ? rest.size() : end + 1);
    ++line_number_;
    if (line.empty() || (line.front() <= ' ' && IsBlank(line))) {
      ++stats_->blank_lines;
      continue;
    }
    lines.push_back({line, line_number_});
  }
  stats_->lines += static_cast<int64_t>(lines.size());
  next_ ^= 1;
  if (BatchDecoder* decoded = pipeline_.Submit(lines, NowMillis())) status_ = Apply(*decoded);
  pipeline_.Release();
  return status_;
}

absl::Status Loader::Drain() {
  if (BatchDecoder* decoded = pipeline_.Finish(); decoded != nullptr && status_.ok()) {
    status_ = Apply(*decoded);
  }
  pipeline_.Release();
  return status_;
}

absl::Status Loader::Finish() {
  Drain().IgnoreError();
  FlushRejects();
  if (delivery_) {
    // Answered only once Kafka holds every event (acks=all): then no node's loss loses one.
    const absl::Status delivered = delivery_->Wait();
    stats_->accepted = delivery_->acknowledged();
    if (status_.ok()) status_ = delivered;
  }
  return status_;
}

// Produces a decoded batch's events to Kafka in line order (the rows keep their clear user
// ids, the partitioning key), and keeps its rejects here.
absl::Status Loader::Forward(BatchDecoder& decoded) {
  absl::Status status;
  for (DecodedSlice& slice : decoded.slices()) {
    for (Rejection& rejection : slice.rejections) {
      Reject(rejection.tag, std::move(rejection.error), std::move(rejection.raw), rejection.at,
             std::move(rejection.user_id));
    }
    for (size_t i = 0; i < slice.rows.size() && status.ok(); ++i) {
      status = delivery_->Send(slice.rows[i].user_id, slice.texts[i], options_.decoder.table_rows);
    }
  }
  FlushRejects();
  return status;
}

// De-duplicates and appends a decoded batch, in line order, under one ApplyScope.
absl::Status Loader::Apply(BatchDecoder& decoded) {
  if (delivery_) return Forward(decoded);
  absl::Status status;
  std::optional<Store::ApplyScope> scope;
  if (options_.store != nullptr) scope.emplace(options_.store->BeginApply());
  ingest_internal::EventAppender appender(table_, options_, scope ? &*scope : nullptr);
  for (DecodedSlice& slice : decoded.slices()) {
    if (!status.ok()) break;
    status = Collect(slice, appender);
  }
  if (status.ok()) status = appender.Flush();
  stats_->accepted += appender.appended();
  if (appender.wal_seq() != 0) stats_->wal_seq = appender.wal_seq();
  FlushRejects(scope ? &*scope : nullptr);
  return status;
}

absl::Status Loader::Run(std::istream& in) {
  const absl::Time start = absl::Now();
  const size_t chunk_bytes = std::max<size_t>(options_.chunk_bytes, 4096);
  // A line this long is rejected as too large without being buffered whole.
  const size_t max_line = options_.decoder.max_payload_bytes + 2;
  std::string buffer;
  std::string tail;
  size_t carry = 0;            // bytes of an incomplete line at the front of buffer
  bool skipping_line = false;  // dropping the rest of an oversized line
  absl::Status status;
  while (status.ok()) {
    buffer.resize(carry + chunk_bytes);
    in.read(buffer.data() + carry, static_cast<std::streamsize>(chunk_bytes));
    const size_t got = static_cast<size_t>(in.gcount());
    stats_->bytes += static_cast<int64_t>(got);
    const bool eof = got < chunk_bytes;
    if (in.bad()) {
      status = absl::InternalError(absl::StrCat(source_name_, ": read error after line ",
                                                line_number_));
      break;
    }
    absl::string_view data(buffer.data(), carry + got);
    if (skipping_line) {
      const size_t newline = data.find('\n');
      if (newline == absl::string_view::npos) {
        carry = 0;
        if (eof) break;
        continue;
      }
      data.remove_prefix(newline + 1);
      skipping_line = false;
    }
    size_t complete = eof ? data.size() : data.rfind('\n');
    if (complete == absl::string_view::npos) {
      // No line end in the whole buffer: one long line.
      if (data.size() > max_line) {
        ++line_number_;
        ++stats_->lines;
        DecodeError error{RejectReason::kTooLarge,
                          absl::StrCat("line longer than ", options_.decoder.max_payload_bytes,
                                       " bytes (the payload limit)")};
        // Rejects stay in line order: the lines before this one are appended first.
        status = Drain();
        if (!status.ok()) break;
        // Only the line's start is at hand: what it shows is kept as any reject's would be.
        KeptPayload kept = KeepRejectedPayload(data.substr(0, RejectedEvent::kMaxRawBytes),
                                               options_.decoder.user_id_hasher,
                                               RejectedEvent::kMaxRawBytes, &error.message);
        Reject(line_number_, std::move(error), std::move(kept.raw), absl::Now(),
               std::move(kept.user_id));
        skipping_line = true;
        carry = 0;
        continue;
      }
      std::memmove(buffer.data(), data.data(), data.size());
      carry = data.size();
      continue;
    }
    if (!eof) ++complete;  // include the '\n'
    // The complete lines go to the pipeline whole; the incomplete rest starts a fresh buffer.
    const absl::string_view rest = data.substr(complete);
    tail.assign(rest.data(), rest.size());
    const size_t begin = static_cast<size_t>(data.data() - buffer.data());
    buffer.resize(begin + complete);
    status = Feed(&buffer, begin);
    buffer.assign(tail);
    carry = tail.size();
    if (eof) break;
  }
  // Rows of batches before an error stay appended, as they would have one at a time.
  const absl::Status finished = Finish();
  if (status.ok()) status = finished;
  stats_->seconds += absl::ToDoubleSeconds(absl::Now() - start);
  return status;
}

}  // namespace

class JsonLinesStream::Impl : public Loader {
 public:
  using Loader::Loader;
};

JsonLinesStream::JsonLinesStream(absl::string_view source_name, Table* table,
                                 const IngestOptions& options, LoadStats* stats)
    : impl_(std::make_unique<Impl>(source_name, table, options, stats)) {}

JsonLinesStream::~JsonLinesStream() = default;

absl::Status JsonLinesStream::Feed(std::string* lines) { return impl_->Feed(lines); }

absl::Status JsonLinesStream::Finish() { return impl_->Finish(); }

absl::Status LoadJsonLines(std::istream& in, absl::string_view source_name, Table* table,
                           const IngestOptions& options, LoadStats* stats) {
  Loader loader(source_name, table, options, stats);
  return loader.Run(in);
}

absl::Status LoadJsonLines(const std::string& path, Table* table, const IngestOptions& options,
                           LoadStats* stats) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    const int error = errno;
    const std::string what = absl::StrCat("cannot open '", path, "': ", std::strerror(error));
    return error == ENOENT ? absl::NotFoundError(what) : absl::InternalError(what);
  }
  return LoadJsonLines(in, path, table, options, stats);
}

}  // namespace mua
