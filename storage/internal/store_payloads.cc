#include "storage/internal/store_payloads.h"

#include <algorithm>
#include <array>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "storage/base/coding.h"
#include "storage/base/status_macros.h"
#include "storage/scan_block.h"
#include "storage/string_dictionary.h"

namespace mua::storage_internal {

// The dictionaries a checkpoint persists: the user index and every low-cardinality column.
std::vector<ColumnId> DictionaryColumns() {
  std::vector<ColumnId> columns = {ColumnId::kUserId};
  for (ColumnId id : kAllColumns) {
    if (KindOf(id) == ColumnKind::kLowCardinality) columns.push_back(id);
  }
  return columns;
}

// --- WAL payloads.
//
// Before the `attributes` column a payload was the rows alone: a varint row count (never
// 0), then per row the event time and the 13 string columns. Since, it starts with a 0
// byte (such a row count) and a kind byte: kRowsPayload, then the rows with every string
// column of kAllColumns; or kAttachmentPayload, then the attachment's name
// (length-prefixed) and its record.

namespace {

constexpr char kVersionedPayload = 0;
constexpr char kRowsPayload = 1;
constexpr char kAttachmentPayload = 2;

absl::Status DecodeRowsBody(const char* p, const char* limit, bool with_attributes,
                            std::vector<EventRow>* rows) {
  uint64_t count = 0;
  p = GetVarint64(p, limit, &count);
  if (p == nullptr || count > static_cast<uint64_t>(limit - p)) {
    return absl::DataLossError("WAL record: bad row count");
  }
  rows->resize(count);
  for (EventRow& row : *rows) {
    uint64_t value = 0;
    p = GetVarint64(p, limit, &value);
    if (p == nullptr) return absl::DataLossError("WAL record: truncated");
    row.event_time_ms = ZigZagDecode(value);
    for (ColumnId id : kAllColumns) {
      if (id == ColumnId::kEventTime || (id == ColumnId::kAttributes && !with_attributes)) continue;
      p = GetVarint64(p, limit, &value);
      if (p == nullptr || value > static_cast<uint64_t>(limit - p)) {
        return absl::DataLossError("WAL record: truncated");
      }
      *row.MutableStringValue(id) = absl::string_view(p, value);
      p += value;
    }
  }
  if (with_attributes && p != limit) return absl::DataLossError("WAL record: trailing bytes");
  return absl::OkStatus();
}

}  // namespace

std::string EncodeRows(absl::Span<const EventRow> rows) {
  std::string out;
  out.push_back(kVersionedPayload);
  out.push_back(kRowsPayload);
  PutVarint64(&out, rows.size());
  for (const EventRow& row : rows) {
    PutVarint64(&out, ZigZagEncode(row.event_time_ms));
    for (ColumnId id : kAllColumns) {
      if (id == ColumnId::kEventTime) continue;
      const absl::string_view value = row.StringValue(id);
      PutVarint64(&out, value.size());
      out.append(value.data(), value.size());
    }
  }
  return out;
}

std::string EncodeAttachmentRecord(absl::string_view name, absl::string_view record) {
  std::string out;
  out.push_back(kVersionedPayload);
  out.push_back(kAttachmentPayload);
  PutVarint64(&out, name.size());
  out.append(name.data(), name.size());
  out.append(record.data(), record.size());
  return out;
}

absl::Status DecodeWalPayload(absl::string_view payload, WalPayload* out) {
  out->rows.clear();
  out->attachment = {};
  out->record = {};
  const char* p = payload.data();
  const char* const limit = p + payload.size();
  if (payload.size() < 2 || payload[0] != kVersionedPayload) {
    return DecodeRowsBody(p, limit, /*with_attributes=*/false, &out->rows);  // the first format
  }
  p += 2;
  switch (payload[1]) {
    case kRowsPayload: return DecodeRowsBody(p, limit, /*with_attributes=*/true, &out->rows);
    case kAttachmentPayload: {
      uint64_t length = 0;
      p = GetVarint64(p, limit, &length);
      if (p == nullptr || length == 0 || length > static_cast<uint64_t>(limit - p)) {
        return absl::DataLossError("WAL record: bad attachment name");
      }
      out->attachment = absl::string_view(p, length);
      p += length;
      out->record = absl::string_view(p, limit - p);
      return absl::OkStatus();
    }
    default:
      return absl::DataLossError(absl::StrCat("WAL record: unknown payload kind ", int{payload[1]}));
  }
}

// --- Bitmap and dictionary payloads.

namespace {

void AppendBitmap(const UserBitmap& bitmap, std::string* out) {
  const size_t size = bitmap.getSizeInBytes(/*portable=*/true);
  PutFixed64(out, size);
  const size_t at = out->size();
  out->resize(at + size);
  bitmap.write(out->data() + at, /*portable=*/true);
}

absl::StatusOr<std::shared_ptr<const UserBitmap>> ReadBitmap(const char** p, const char* limit) {
  if (limit - *p < 8) return absl::DataLossError("bitmaps: truncated");
  const uint64_t size = LoadFixed64(*p);
  *p += 8;
  if (size > static_cast<uint64_t>(limit - *p)) return absl::DataLossError("bitmaps: truncated");
  auto bitmap = std::make_shared<UserBitmap>(UserBitmap::readSafe(*p, size));
  *p += size;
  return std::shared_ptr<const UserBitmap>(std::move(bitmap));
}

// A count, then (code, bitmap) pairs in code order.
void AppendBitmapsByCode(const BitmapsByCode& bitmaps, std::string* out) {
  std::vector<uint32_t> codes;
  for (const auto& [code, bitmap] : bitmaps) codes.push_back(code);
  std::sort(codes.begin(), codes.end());
  PutFixed32(out, static_cast<uint32_t>(codes.size()));
  for (uint32_t code : codes) {
    PutFixed32(out, code);
    AppendBitmap(*bitmaps.at(code), out);
  }
}

absl::Status ReadBitmapsByCode(const char** p, const char* limit, BitmapsByCode* bitmaps) {
  if (limit - *p < 4) return absl::DataLossError("bitmaps: truncated");
  const uint32_t count = LoadFixed32(*p);
  *p += 4;
  for (uint32_t i = 0; i < count; ++i) {
    if (limit - *p < 4) return absl::DataLossError("bitmaps: truncated");
    const uint32_t code = LoadFixed32(*p);
    *p += 4;
    MUA_ASSIGN_OR_RETURN((*bitmaps)[code], ReadBitmap(p, limit));
  }
  return absl::OkStatus();
}

}  // namespace

std::string SerializeBitmaps(const UserBitmaps& bitmaps) {
  std::string out;
  AppendBitmap(bitmaps.all ? *bitmaps.all : UserBitmap(), &out);
  AppendBitmapsByCode(bitmaps.by_event_type, &out);
  // Segment columns (absent in files written before they existed): per column,
  // its users per value, then its multi-valued users.
  if (!bitmaps.has_segments) return out;
  for (const ValueBitmaps& segment : bitmaps.segments) {
    AppendBitmapsByCode(segment.by_value, &out);
    AppendBitmap(segment.multi_valued ? *segment.multi_valued : UserBitmap(), &out);
  }
  return out;
}

absl::StatusOr<std::shared_ptr<const UserBitmaps>> ParseBitmaps(absl::string_view bytes) {
  const char* p = bytes.data();
  const char* const limit = p + bytes.size();
  auto bitmaps = std::make_shared<UserBitmaps>();
  MUA_ASSIGN_OR_RETURN(bitmaps->all, ReadBitmap(&p, limit));
  MUA_RETURN_IF_ERROR(ReadBitmapsByCode(&p, limit, &bitmaps->by_event_type));
  bitmaps->has_segments = p != limit;
  if (bitmaps->has_segments) {
    for (ValueBitmaps& segment : bitmaps->segments) {
      MUA_RETURN_IF_ERROR(ReadBitmapsByCode(&p, limit, &segment.by_value));
      MUA_ASSIGN_OR_RETURN(segment.multi_valued, ReadBitmap(&p, limit));
    }
  }
  if (p != limit) return absl::DataLossError("bitmaps: trailing bytes");
  return std::shared_ptr<const UserBitmaps>(std::move(bitmaps));
}

// Recomputes a partition's bitmaps from its rows (after a file had to be skipped).
absl::StatusOr<std::shared_ptr<const UserBitmaps>> BitmapsFromRows(
    absl::Span<const std::shared_ptr<const SealedSegment>> segments,
    absl::Span<const EncodedRow> head_rows) {
  auto bitmaps = std::make_shared<UserBitmaps>();
  UserBitmap all;
  absl::flat_hash_map<uint32_t, UserBitmap> by_type;
  std::array<absl::flat_hash_map<uint32_t, UserBitmap>, kSegmentColumns.size()> by_value;
  std::array<absl::flat_hash_map<uint32_t, uint32_t>, kSegmentColumns.size()> value_of_user;
  std::array<UserBitmap, kSegmentColumns.size()> multi_valued;
  auto add = [&](uint32_t user, uint32_t type, const std::array<uint32_t, kSegmentColumns.size()>& values) {
    all.add(user);
    by_type[type].add(user);
    for (size_t s = 0; s < kSegmentColumns.size(); ++s) {
      by_value[s][values[s]].add(user);
      auto [it, inserted] = value_of_user[s].try_emplace(user, values[s]);
      if (!inserted && it->second != values[s]) multi_valued[s].add(user);
    }
  };
  ColumnSet columns{ColumnId::kUserId, ColumnId::kEventType};
  for (ColumnId id : kSegmentColumns) columns.Add(id);
  std::array<uint32_t, kSegmentColumns.size()> values;
  ScanBuffers buffers;
  ScanBlock block;
  for (const auto& segment : segments) {
    for (uint32_t b = 0; b < segment->block_count(); ++b) {
      MUA_RETURN_IF_ERROR(segment->ReadBlock(b, columns, &buffers, &block));
      const auto& types = block.codes[ColumnIndex(ColumnId::kEventType)];
      for (uint32_t r = 0; r < block.row_count; ++r) {
        for (size_t s = 0; s < kSegmentColumns.size(); ++s) values[s] = block.codes[ColumnIndex(kSegmentColumns[s])][r];
        add(block.users[r], types[r], values);
      }
    }
  }
  std::array<int, kSegmentColumns.size()> slots;
  for (size_t s = 0; s < kSegmentColumns.size(); ++s) slots[s] = CodeSlot(kSegmentColumns[s]);
  const int type_slot = CodeSlot(ColumnId::kEventType);
  for (const EncodedRow& row : head_rows) {
    for (size_t s = 0; s < kSegmentColumns.size(); ++s) values[s] = row.codes[slots[s]];
    add(row.user, row.codes[type_slot], values);
  }
  bitmaps->all = std::make_shared<UserBitmap>(std::move(all));
  for (auto& [type, bitmap] : by_type) {
    bitmaps->by_event_type[type] = std::make_shared<UserBitmap>(std::move(bitmap));
  }
  for (size_t s = 0; s < kSegmentColumns.size(); ++s) {
    for (auto& [code, bitmap] : by_value[s]) {
      bitmaps->segments[s].by_value[code] = std::make_shared<UserBitmap>(std::move(bitmap));
    }
    bitmaps->segments[s].multi_valued = std::make_shared<UserBitmap>(std::move(multi_valued[s]));
  }
  return std::shared_ptr<const UserBitmaps>(std::move(bitmaps));
}

std::string SerializeDictionary(const StringDictionary& dictionary, uint32_t begin, uint32_t end) {
  std::string out;
  PutFixed32(&out, begin);
  PutFixed32(&out, end - begin);
  for (uint32_t code = begin; code < end; ++code) {
    const absl::string_view value = dictionary.Get(code);
    PutVarint64(&out, value.size());
    out.append(value.data(), value.size());
  }
  return out;
}

}  // namespace mua::storage_internal
