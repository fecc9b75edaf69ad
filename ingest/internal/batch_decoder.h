// BatchDecoder: decodes a batch of payloads (JSON lines, Kafka messages) with one
// EventDecoder and EventArena per thread, splitting the batch into contiguous slices so
// that results come back in payload order. Shared by LoadJsonLines and KafkaConsumer.
//
//   BatchDecoder decoder(options.decoder, options.threads);
//   decoder.Decode(payloads, now_ms);
//   for (const DecodedSlice& slice : decoder.slices()) { ... slice.rows, slice.rejections }
//   decoder.Clear();  // rows borrow from the arenas: drop them first
//
// Thread safety: none; Decode runs its own worker threads and joins them before returning.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "ingest/event_decoder.h"
#include "storage/event_row.h"

namespace mua::ingest_internal {

struct Payload {
  absl::string_view text;
  int64_t tag;  // the caller's id for it (a line number, a message index)
};

struct Rejection {
  int64_t tag;
  DecodeError error;
  std::string raw;  // at most RejectedEvent::kMaxRawBytes of the payload (KeepRejectedPayload)
  absl::Time at;
  std::string user_id;  // as stored, "" when unreadable (KeepRejectedPayload)
};

// One thread's share of a batch, in payload order.
struct DecodedSlice {
  std::vector<EventRow> rows;      // borrow from the slice's arena until Clear()
  std::vector<int64_t> row_tags;   // row_tags[i] is rows[i]'s payload tag
  std::vector<Rejection> rejections;
};

class BatchDecoder {
 public:
  // REQUIRES: threads >= 1 (smaller values mean 1).
  BatchDecoder(const EventDecoderOptions& options, int threads);
  ~BatchDecoder();
  BatchDecoder(const BatchDecoder&) = delete;
  BatchDecoder& operator=(const BatchDecoder&) = delete;

  // Decodes `payloads` as of `now_ms`; small batches stay on the calling thread.
  // The payloads must stay alive while slices() is used.
  void Decode(absl::Span<const Payload> payloads, int64_t now_ms);

  // The last Decode's results, in payload order across slices.
  absl::Span<DecodedSlice> slices();

  // Frees the rows' storage; rows from slices() are invalid afterwards.
  void Clear();

 private:
  struct Worker;
  std::vector<std::unique_ptr<Worker>> workers_;
  std::vector<DecodedSlice> slices_;
  size_t used_ = 0;
};

}  // namespace mua::ingest_internal
