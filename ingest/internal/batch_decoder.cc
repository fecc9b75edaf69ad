#include "ingest/internal/batch_decoder.h"

#include <algorithm>
#include <thread>
#include <utility>

#include "absl/time/clock.h"
#include "ingest/dedup.h"
#include "ingest/event_arena.h"
#include "ingest/pii.h"
#include "ingest/rejected_event.h"

namespace mua::ingest_internal {
namespace {

// Below this many payloads per thread a batch is decoded by fewer threads (one at least).
constexpr size_t kMinPayloadsPerThread = 1000;

EventDecoderOptions Variant(EventDecoderOptions options, bool clear_user_ids, bool table_rows) {
  if (clear_user_ids) options.user_id_hasher = nullptr;
  options.table_rows = options.table_rows || table_rows;
  return options;
}

}  // namespace

struct BatchDecoder::Worker {
  Worker(const EventDecoderOptions& options, const RowConverter* row_converter,
         RowPreparation row_preparation)
      : decoder(Variant(options, row_preparation.forward, false)),
        row_decoder(Variant(options, row_preparation.forward, true)),
        reject_hasher(options.user_id_hasher),
        converter(row_converter),
        preparation(row_preparation) {}
  EventDecoder decoder;
  EventDecoder row_decoder;  // for Payload::table_row
  const UserIdHasher* const reject_hasher;
  EventArena arena;
  const RowConverter* converter;
  const RowPreparation preparation;
  std::string converted;  // the event the converter wrote for the current payload

  void Decode(absl::Span<const Payload> payloads, int64_t now_ms, DecodedSlice* out) {
    out->rows.clear();
    out->row_tags.clear();
    out->rejections.clear();
    out->encoded.clear();
    out->fingerprints.clear();
    out->texts.clear();
    EventRow row;
    DecodeError error;
    for (const Payload& payload : payloads) {
      absl::string_view text = payload.text;
      if (converter != nullptr) {
        converted.clear();
        if (const absl::Status status = (*converter)(text, &converted); !status.ok()) {
          out->rejections.push_back({payload.tag,
                                     DecodeError{RejectReason::kMalformedJson, std::string(status.message())},
                                     std::string(text.substr(0, RejectedEvent::kMaxRawBytes)), absl::Now(),
                                     ""});
          continue;
        }
        text = converted;
      }
      if ((payload.table_row ? row_decoder : decoder).TryDecode(text, now_ms, &arena, &row, &error)) {
        out->rows.push_back(row);
        out->row_tags.push_back(payload.tag);
        if (preparation.forward) out->texts.emplace_back(text);
      } else {
        // No clear user id is kept under hashing; the id lets a GDPR erasure find it.
        KeptPayload kept = KeepRejectedPayload(text, reject_hasher,
                                               RejectedEvent::kMaxRawBytes, &error.message);
        out->rejections.push_back({payload.tag, std::move(error), std::move(kept.raw),
                                   absl::Now(), std::move(kept.user_id)});
        error = DecodeError();
      }
    }
    if (preparation.table != nullptr) preparation.table->Encode(out->rows, &out->encoded);
    if (preparation.fingerprints) {
      out->fingerprints.reserve(out->rows.size());
      for (const EventRow& decoded : out->rows) {
        out->fingerprints.push_back(Deduplicator::Fingerprint(decoded.user_id, decoded.event_id));
      }
    }
  }
};

BatchDecoder::BatchDecoder(const EventDecoderOptions& options, int threads,
                           const RowConverter* converter, RowPreparation preparation) {
  const int count = std::max(1, threads);
  for (int i = 0; i < count; ++i) {
    workers_.push_back(std::make_unique<Worker>(options, converter, preparation));
  }
  slices_.resize(workers_.size());
}

BatchDecoder::~BatchDecoder() = default;

void BatchDecoder::Start(absl::Span<const Payload> payloads, int64_t now_ms) {
  used_ = std::clamp<size_t>(payloads.size() / kMinPayloadsPerThread, 1, workers_.size());
  const size_t per_slice = (payloads.size() + used_ - 1) / used_;
  for (size_t i = 0; i < used_; ++i) {
    const size_t begin = std::min(payloads.size(), i * per_slice);
    running_.emplace_back([this, i, now_ms, slice = payloads.subspan(begin, std::min(per_slice, payloads.size() - begin))] {
      workers_[i]->Decode(slice, now_ms, &slices_[i]);
    });
  }
}

void BatchDecoder::Wait() {
  for (std::thread& thread : running_) thread.join();
  running_.clear();
}

absl::Span<DecodedSlice> BatchDecoder::slices() {
  return absl::MakeSpan(slices_).subspan(0, used_);
}

void BatchDecoder::Clear() {
  for (size_t i = 0; i < used_; ++i) {
    slices_[i].rows.clear();
    slices_[i].row_tags.clear();
    slices_[i].rejections.clear();
    slices_[i].encoded.clear();
    slices_[i].fingerprints.clear();
    slices_[i].texts.clear();
    workers_[i]->arena.Clear();
  }
  used_ = 0;
}

DecodePipeline::DecodePipeline(const EventDecoderOptions& options, int threads,
                               const RowConverter* converter, RowPreparation preparation)
    : options_(options), threads_(threads), converter_(converter), preparation_(preparation) {}

DecodePipeline::~DecodePipeline() { Finish(); }

BatchDecoder* DecodePipeline::Submit(absl::Span<const Payload> payloads, int64_t now_ms) {
  if (free_.empty()) {
    decoders_.push_back(std::make_unique<BatchDecoder>(options_, threads_, converter_, preparation_));
    free_.push_back(decoders_.back().get());
  }
  BatchDecoder* next = free_.back();
  free_.pop_back();
  next->Start(payloads, now_ms);
  BatchDecoder* done = std::exchange(in_flight_, next);
  if (done == nullptr) return nullptr;
  done->Wait();
  returned_.push_back(done);
  return done;
}

BatchDecoder* DecodePipeline::Finish() {
  BatchDecoder* done = std::exchange(in_flight_, nullptr);
  if (done == nullptr) return nullptr;
  done->Wait();
  returned_.push_back(done);
  return done;
}

void DecodePipeline::Release() {
  for (BatchDecoder* decoder : returned_) {
    decoder->Clear();
    free_.push_back(decoder);
  }
  returned_.clear();
}

}  // namespace mua::ingest_internal
