// BatchDecoder: decodes a batch of payloads (JSON lines, Kafka messages) with one
// EventDecoder and EventArena per thread, splitting the batch into contiguous slices so
// that results come back in payload order. Shared by LoadJsonLines and KafkaConsumer.
//
//   BatchDecoder decoder(options.decoder, options.threads);
//   decoder.Start(payloads, now_ms);  // worker threads
//   decoder.Wait();
//   for (const DecodedSlice& slice : decoder.slices()) { ... slice.rows, slice.rejections }
//   decoder.Clear();  // rows borrow from the arenas: drop them first
//
// DecodePipeline overlaps the two halves of ingest: while worker threads decode batch N,
// the caller de-duplicates and appends batch N-1 (SPEC §7: fetch, decode and append
// overlap), so the serial append no longer waits for decoding nor decoding for it.
//
//   DecodePipeline pipeline(options.decoder, options.threads);
//   for (each batch) {
//     BatchDecoder* done = pipeline.Submit(batch_payloads, now_ms);  // the batch before
//     if (done != nullptr) Apply(done->slices());
//     pipeline.Release();  // once the rows are appended
//   }
//   if (BatchDecoder* done = pipeline.Finish()) Apply(done->slices());
//
// Thread safety: none; Start's threads run until Wait.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "ingest/event_decoder.h"
#include "ingest/ingest_options.h"
#include "storage/event_row.h"
#include "storage/table.h"

namespace mua::ingest_internal {

struct Payload {
  absl::string_view text;
  int64_t tag;  // the caller's id for it (a line number, a message index)
  // A row of the events table (EventDecoderOptions::table_rows), not an SDK event: a
  // message another node produced from an INSERT (kafka_producer.h's format header).
  bool table_row = false;
};

struct Rejection {
  int64_t tag;
  DecodeError error;
  std::string raw;  // at most RejectedEvent::kMaxRawBytes of the payload (KeepRejectedPayload)
  absl::Time at;
  std::string user_id;  // as stored, "" when unreadable (KeepRejectedPayload)
};

// What the workers compute beyond decoding, so that the one thread that appends does less
// per event: the rows' dictionary codes and their de-duplication keys.
struct RowPreparation {
  const Table* table = nullptr;  // Table::Encode into DecodedSlice::encoded; null: none
  bool fingerprints = false;     // Deduplicator::Fingerprint into DecodedSlice::fingerprints
  // The rows are forwarded to Kafka, not appended (IngestOptions::forward): each keeps the
  // text it was decoded from (DecodedSlice::texts) and its clear user id, since the
  // consumers hash ids themselves; only rejects are hashed here.
  bool forward = false;
};

// One thread's share of a batch, in payload order.
struct DecodedSlice {
  std::vector<EventRow> rows;      // borrow from the slice's arena until Clear()
  std::vector<int64_t> row_tags;   // row_tags[i] is rows[i]'s payload tag
  std::vector<Rejection> rejections;
  EncodedRows encoded;             // rows' codes, with RowPreparation::table
  std::vector<uint64_t> fingerprints;  // rows' (user_id, event_id) keys, with RowPreparation::fingerprints
  std::vector<std::string> texts;      // what each row was decoded from, with RowPreparation::forward
};

class BatchDecoder {
 public:
  // REQUIRES: threads >= 1 (smaller values mean 1). With `converter` (not owned, outliving
  // the decoder), each payload is converted before it is decoded; `preparation`'s table
  // must outlive the decoder too.
  BatchDecoder(const EventDecoderOptions& options, int threads,
               const RowConverter* converter = nullptr, RowPreparation preparation = {});
  ~BatchDecoder();
  BatchDecoder(const BatchDecoder&) = delete;
  BatchDecoder& operator=(const BatchDecoder&) = delete;

  // Decodes `payloads` as of `now_ms` on worker threads (one for a small batch), returning
  // at once; Wait() joins them. Nothing else may be called in between. The payloads must
  // stay alive until Wait returns.
  void Start(absl::Span<const Payload> payloads, int64_t now_ms);
  void Wait();

  // The last batch's results (after Wait), in payload order across slices.
  absl::Span<DecodedSlice> slices();

  // Frees the rows' storage; rows from slices() are invalid afterwards.
  void Clear();

 private:
  struct Worker;
  std::vector<std::unique_ptr<Worker>> workers_;
  std::vector<DecodedSlice> slices_;
  size_t used_ = 0;
  std::vector<std::thread> running_;  // Start's threads
};

class DecodePipeline {
 public:
  DecodePipeline(const EventDecoderOptions& options, int threads,
                 const RowConverter* converter = nullptr, RowPreparation preparation = {});
  ~DecodePipeline();  // waits for a batch in flight

  // Starts decoding `payloads` in the background and returns the decoder of the batch
  // submitted before it, decoded (nullptr for the first). Its rows stay valid until
  // Release(), so a caller may append several batches' rows at once; `payloads` must stay
  // alive until the batch is returned.
  BatchDecoder* Submit(absl::Span<const Payload> payloads, int64_t now_ms);

  // Waits for the batch in flight and returns its decoder (nullptr when none).
  BatchDecoder* Finish();

  // Recycles every decoder returned so far: their rows are invalid afterwards.
  void Release();

 private:
  const EventDecoderOptions options_;
  const int threads_;
  const RowConverter* const converter_;
  const RowPreparation preparation_;
  std::vector<std::unique_ptr<BatchDecoder>> decoders_;
  std::vector<BatchDecoder*> free_;
  std::vector<BatchDecoder*> returned_;  // holding rows the caller may still read
  BatchDecoder* in_flight_ = nullptr;
};

}  // namespace mua::ingest_internal
