// LoadJsonLines: bulk-loads a JSON-lines file of events (SPEC §2; what mua-gen writes)
// into a Table: reads big chunks, decodes each chunk's lines on IngestOptions::threads
// threads, then in line order de-duplicates and appends batches of ~batch_rows rows.
// Blank lines are skipped; every other line is accepted, a duplicate, or rejected, and
// rejected lines are kept (up to a bound) as RejectedEvents with source "FILE:LINE".
//
//   LoadStats stats;
//   MUA_RETURN_IF_ERROR(LoadJsonLines("events.jsonl", &table, IngestOptions{}, &stats));
//   // stats.lines == stats.accepted + stats.duplicates + stats.rejected
//
// Decoding and appending overlap (ingest_internal::DecodePipeline): while worker threads
// decode one chunk, the calling thread de-duplicates and appends the chunk before it.
//
// Thread safety: concurrent loads into one Table are safe (Table serializes appends) as
// long as they do not share IngestOptions::dedup.
#pragma once

#include <array>
#include <cstdint>
#include <istream>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "ingest/ingest_options.h"
#include "ingest/reject_reason.h"
#include "ingest/rejected_event.h"

namespace mua {

class Table;

struct LoadStats {
  int64_t lines = 0;        // non-blank lines
  int64_t blank_lines = 0;  // empty or whitespace-only, skipped
  int64_t accepted = 0;     // rows appended
  int64_t duplicates = 0;   // repeats of (user_id, event_id), dropped
  int64_t rejected = 0;
  std::array<int64_t, kNumRejectReasons> rejected_by_reason{};
  int64_t bytes = 0;  // bytes read
  // With IngestOptions::write_ahead: the newest WAL record written, to wait for.
  uint64_t wal_seq = 0;
  double seconds = 0;
  std::vector<RejectedEvent> rejected_events;  // the first IngestOptions::max_rejected_kept

  int64_t rejected_for(RejectReason reason) const {
    return rejected_by_reason[static_cast<size_t>(reason)];
  }
};

// Loads the file at `path`, adding to *stats (which may hold earlier loads' counts).
// Errors: NotFound / Internal when the file cannot be opened or read (rows of earlier
// chunks stay appended); Table::Append's errors.
absl::Status LoadJsonLines(const std::string& path, Table* table, const IngestOptions& options,
                           LoadStats* stats);

// LoadJsonLines for lines that arrive in pieces (an HTTP body, block by block): lines are
// numbered across the whole stream, and each Feed's lines are decoded while the calling
// thread appends those of the Feed before, so they are appended (and, with
// IngestOptions::write_ahead, logged: stats->wal_seq) by the next Feed or by Finish.
// Rejected lines go to options.rejected_log (source "NAME:LINE") and to stats.
class JsonLinesStream {
 public:
  JsonLinesStream(absl::string_view source_name, Table* table, const IngestOptions& options,
                  LoadStats* stats);
  ~JsonLinesStream();
  JsonLinesStream(const JsonLinesStream&) = delete;
  JsonLinesStream& operator=(const JsonLinesStream&) = delete;

  // Takes the complete lines in `*lines` (the last one may lack its '\n'), leaving a spent
  // buffer there to reuse. Errors: Table::Append's (of this or an earlier Feed); after an
  // error nothing more is appended.
  absl::Status Feed(std::string* lines);
  // Appends what is left. Errors: as Feed.
  absl::Status Finish();

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

// Loads from `in`; `source_name` prefixes rejected lines' source ("NAME:LINE").
absl::Status LoadJsonLines(std::istream& in, absl::string_view source_name, Table* table,
                           const IngestOptions& options, LoadStats* stats);

}  // namespace mua
