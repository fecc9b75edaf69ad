// JSON-lines encoding of generated events in the two shapes of SPEC §2 (flat, and the
// nested SDK shape), with ISO-8601 ('Z' or '+hh:mm') or epoch-millisecond timestamps, plus
// deliberately invalid lines for exercising validation. The shape and timestamp form are a
// function of (event_id, user_id, platform), so a duplicate is byte-identical to its
// original. Functions are thread-safe (per-thread scratch state).
//
//   std::string out;
//   AppendJsonLine(event, &out);  // {"event_id":"17","user_id":"u42",...}\n
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "tools/gen/event_generator.h"

namespace mua::gen {

// Appends one valid JSON line (ending in '\n') carrying every field of `event`.
void AppendJsonLine(const GeneratedEvent& event, std::string* out);

// Appends one invalid line (ending in '\n') derived from `basis`, of a kind chosen by `random`:
// malformed JSON, a missing required field, a required field of the wrong type, an
// unparsable timestamp, a timestamp years in the future, an empty required string, or a
// JSON value that is not an object. Every kind must be rejected by event validation.
void AppendInvalidJsonLine(const GeneratedEvent& basis, uint64_t random, std::string* out);

struct JsonLinesStats {
  int64_t events = 0;      // valid lines, duplicates included
  int64_t duplicates = 0;  // valid lines that re-send an earlier event
  int64_t invalid = 0;     // invalid lines
  int64_t users = 0;       // users who signed up
};

// Runs the generator over `options` and hands `sink` chunks of about
// `chunk_bytes` of whole records; `append` writes each event's record(s) and
// may count records of its own (invalid lines). WriteJsonLines and
// WriteClickHouseTsv are this with their record formats.
absl::StatusOr<JsonLinesStats> WriteEventChunks(
    const GeneratorOptions& options, absl::FunctionRef<absl::Status(std::string& chunk)> sink,
    size_t chunk_bytes, absl::FunctionRef<void(const GeneratedEvent&, std::string*, JsonLinesStats*)> append);

// Runs an EventGenerator over all days of `options` and passes the JSON lines to `sink` in
// chunks of whole lines, each about `chunk_bytes` long, inserting invalid lines so they make
// up options.invalid_share of all lines. The sink may take the chunk's contents (swap in
// another buffer to recycle its capacity); the chunk is cleared after each call.
// Returns the first error of `sink`, else the counts.
absl::StatusOr<JsonLinesStats> WriteJsonLines(
    const GeneratorOptions& options, absl::FunctionRef<absl::Status(std::string& chunk)> sink,
    size_t chunk_bytes = size_t{1} << 22);

}  // namespace mua::gen
