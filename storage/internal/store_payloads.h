// The payloads the Store writes, before compression and framing: WAL records (the rows of
// one request; docs/formats/wal.md), partition bitmaps (a bitmap is a u64 size, then
// portable Roaring: all users; per event type a u32 count, then (u32 code, bitmap) in code
// order; then per segment column its per-value bitmaps likewise and its multi-valued users)
// and dictionary chunks (u32 first code, u32 count, the strings varint-length-prefixed).
//
//   std::string record = EncodeRows(rows);
//   WalPayload back;
//   MUA_RETURN_IF_ERROR(DecodeWalPayload(record, &back));  // back.rows: views into `record`
//
// Thread safety: pure functions.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "storage/event_row.h"
#include "storage/internal/head_segment.h"
#include "storage/internal/partition.h"
#include "storage/internal/sealed_segment.h"
#include "storage/schema.h"

namespace mua {
class StringDictionary;
}  // namespace mua

namespace mua::storage_internal {

// The dictionaries a checkpoint persists: the user index and every low-cardinality column.
std::vector<ColumnId> DictionaryColumns();

// WAL payloads (docs/formats/wal.md): the accepted rows of one request, or a record of an
// attachment (Store::Attachment: the events_rejected rows). DecodeWalPayload's views point
// into `payload`; it reads every format ever written. Errors: DataLoss.
std::string EncodeRows(absl::Span<const EventRow> rows);
std::string EncodeAttachmentRecord(absl::string_view name, absl::string_view record);
struct WalPayload {
  std::vector<EventRow> rows;      // a rows payload
  absl::string_view attachment;    // an attachment record: its name ("" for rows)
  absl::string_view record;        // and its bytes
};
absl::Status DecodeWalPayload(absl::string_view payload, WalPayload* out);

// A partition's bitmaps file. ParseBitmaps errors: DataLoss.
std::string SerializeBitmaps(const UserBitmaps& bitmaps);
absl::StatusOr<std::shared_ptr<const UserBitmaps>> ParseBitmaps(absl::string_view bytes);

// Recomputes a partition's bitmaps from its rows (after a file had to be skipped).
absl::StatusOr<std::shared_ptr<const UserBitmaps>> BitmapsFromRows(
    absl::Span<const std::shared_ptr<const SealedSegment>> segments,
    absl::Span<const EncodedRow> head_rows);

// Codes [begin, end) of `dictionary`: begin, count, then each string length-prefixed.
std::string SerializeDictionary(const StringDictionary& dictionary, uint32_t begin, uint32_t end);

}  // namespace mua::storage_internal
