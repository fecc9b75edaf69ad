// EventDecoder: one JSON event (a Kafka message or one line) → a validated, normalized
// EventRow (SPEC §2), or a RejectReason with a message naming the field and value.
//
// Accepted shapes, mixable key by key:
//   flat:   event_id user_id session_id event_type event_timestamp platform os_version
//           app_version device_model device_type country region city properties{}
//   nested: session.session_id user.user_id device.{os|platform,os_version,device_model,
//           device_type} context.{app_version,platform} geo.{country,region,city}
//           event_properties{}|properties{}
// `event_time` is an alias of `event_timestamp`. When a field occurs twice the last
// non-empty value wins; null or "" is "absent".
// Every other member goes into `attributes` (SPEC §2): a compact JSON object of what the
// producer sent minus what the columns hold, in the order sent; a group keeps only its
// unmapped members (`"device":{"os":"ios","browser":"x"}` → `{"device":{"browser":"x"}}`)
// and is left out when all of them are mapped (kept as `{}` when sent empty). Of a field
// sent twice (`device.os` and `platform`, `event_time` and `event_timestamp`, ...) the
// occurrence the column holds is mapped and the others are kept. Duplicate unknown keys
// are all kept, in order (JSONExtract, like ClickHouse's, reads the first). Under
// user_id_hasher a user_id kept in attributes is hashed as the column is.
// Types: event_id, user_id and event_type must be non-empty strings. event_timestamp is
// an ISO-8601 string (see TryParseIsoTimestamp: 'T' or ' ', 0-9 fraction digits, Z or
// ±hh[:mm]; no zone = UTC), an integer of epoch milliseconds, or a string of digits
// (epoch ms, as SDKs that quote 64-bit ints send it); it must lie in 1900..2400.
// Optional string fields take numbers and booleans as their JSON text (17 → "17",
// true → "true"); objects and arrays there are rejected (wrong_type). properties must
// be an object (or null/absent → ""); it is stored re-serialized compactly (strings
// escaped as rapidjson::Writer does, numbers kept exactly as written), and attributes
// the same way. Invalid UTF-8 is
// passed through unvalidated. Nesting deeper than 64 levels is malformed_json.
//
//   EventDecoder decoder;
//   EventArena arena;
//   EventRow row;
//   DecodeError error;
//   if (!decoder.TryDecode(line, NowMillis(), &arena, &row, &error)) Reject(error);
//
// Cost (RapidJSON SAX in situ, with attributes; bench/ingest BM_Decode, Release, busy
// 2-core machine): ~0.9 µs of CPU per mua-gen event (378 B; 1.1 M events/s per core),
// ~2.4 µs per event with seed 003's fields (948 B; 0.42 M/s), most of it writing
// attributes; no heap allocation once warm, except on reject.
// Thread safety: an EventDecoder is not thread-safe; use one per thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "absl/strings/string_view.h"
#include "ingest/event_arena.h"
#include "ingest/reject_reason.h"
#include "storage/event_row.h"

namespace mua {

class UserIdHasher;

struct EventDecoderOptions {
  // Events in a UTC day older than today - retention_days are rejected; 0 keeps all.
  int retention_days = 730;
  // Events later than now + max_future_ms are rejected.
  int64_t max_future_ms = int64_t{24} * 3600 * 1000;
  // Larger payloads are rejected (too_large) without being parsed.
  size_t max_payload_bytes = size_t{1} << 20;
  // When set, user ids are replaced by their keyed hash (--hash-user-ids). Not owned;
  // must outlive the decoder.
  const UserIdHasher* user_id_hasher = nullptr;
  // The payloads are rows of the events table (INSERT ... FORMAT JSONEachRow and the other
  // row formats), not SDK events: a top-level `attributes` member is that column (an object,
  // or '' for none), its members kept in `attributes` as sent, after any other unknown field.
  bool table_rows = false;
};

struct DecodeError {
  RejectReason reason = RejectReason::kMalformedJson;
  std::string message;  // e.g. "user_id: expected a string, got number 123456"
};

class EventDecoder {
 public:
  explicit EventDecoder(EventDecoderOptions options = {});
  ~EventDecoder();
  EventDecoder(const EventDecoder&) = delete;
  EventDecoder& operator=(const EventDecoder&) = delete;

  // Decodes `payload` (trailing whitespace such as '\n' allowed) as of wall time `now_ms`
  // (epoch ms; the reference for the future and retention bounds). On success fills *row,
  // whose strings point into *arena (valid until arena->Clear()), and returns true; else
  // fills *error, leaves *arena as it was and returns false.
  bool TryDecode(absl::string_view payload, int64_t now_ms, EventArena* arena, EventRow* row,
                 DecodeError* error);

  const EventDecoderOptions& options() const { return options_; }

 private:
  class Impl;
  const EventDecoderOptions options_;
  std::unique_ptr<Impl> impl_;
};

}  // namespace mua
