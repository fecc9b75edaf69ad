// The payloads the Store writes, before compression and framing: WAL records (the rows of
// one request; docs/formats/wal.md), partition bitmaps (a bitmap is a u64 size, then
// portable Roaring: all users; per event type a u32 count, then (u32 code, bitmap) in code
// order; then per segment column its per-value bitmaps likewise and its multi-valued users)
// and dictionary chunks (u32 first code, u32 count, the strings varint-length-prefixed).
//
//   std::string record = EncodeRows(rows);
//   std::vector<EventRow> back;
//   MUA_RETURN_IF_ERROR(DecodeRows(record, &back));  // views into `record`
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

// WAL payloads: the accepted rows of one request. DecodeRows' views point into `payload`;
// errors: DataLoss.
std::string EncodeRows(absl::Span<const EventRow> rows);
absl::Status DecodeRows(absl::string_view payload, std::vector<EventRow>* rows);

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
