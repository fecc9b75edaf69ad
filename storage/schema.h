// The fixed schema of the `events` table (SPEC §3): its columns, their logical
// types and how storage represents each. Column order is stable and serialized.
//
//   for (ColumnId id : kAllColumns) std::cout << ColumnName(id) << "\n";
#pragma once

#include <array>
#include <cstdint>
#include <optional>

#include "absl/strings/string_view.h"

namespace mua {

enum class ColumnId : uint8_t {
  kEventTime = 0,
  kUserId,
  kSessionId,
  kEventId,
  kEventType,
  kPlatform,
  kOsVersion,
  kAppVersion,
  kDeviceModel,
  kDeviceType,
  kCountry,
  kRegion,
  kCity,
  kProperties,
  kAttributes,  // every field the producer sent outside the others, as JSON text (SPEC §2)
};
inline constexpr int kNumColumns = 15;

// How a column's values are held in storage blocks.
enum class ColumnKind : uint8_t {
  kTime,            // int64 milliseconds since the epoch, UTC
  kUser,            // uint32 dense user number from the table's user index
  kLowCardinality,  // uint32 code into the table's per-column dictionary
  kString,          // arbitrary bytes, stored per block
};

inline constexpr std::array<ColumnId, kNumColumns> kAllColumns = {
    ColumnId::kEventTime,   ColumnId::kUserId,     ColumnId::kSessionId, ColumnId::kEventId,
    ColumnId::kEventType,   ColumnId::kPlatform,   ColumnId::kOsVersion, ColumnId::kAppVersion,
    ColumnId::kDeviceModel, ColumnId::kDeviceType, ColumnId::kCountry,   ColumnId::kRegion,
    ColumnId::kCity,        ColumnId::kProperties, ColumnId::kAttributes,
};

inline constexpr int ColumnIndex(ColumnId id) { return static_cast<int>(id); }

// Low-cardinality columns product teams segment users by: each partition keeps,
// per value, a bitmap of the users with an event of that value (SPEC §4 keeps
// them for event_type; these extend it), so `platform = 'ios' AND country =
// 'US'` audiences are bitmap algebra too.
inline constexpr std::array<ColumnId, 4> kSegmentColumns = {ColumnId::kPlatform, ColumnId::kAppVersion,
                                                            ColumnId::kDeviceType, ColumnId::kCountry};

// The position of `id` in kSegmentColumns, or -1.
inline constexpr int SegmentSlot(ColumnId id) {
  for (size_t i = 0; i < kSegmentColumns.size(); ++i) {
    if (kSegmentColumns[i] == id) return static_cast<int>(i);
  }
  return -1;
}

// The SQL name, e.g. "event_time".
absl::string_view ColumnName(ColumnId id);

// The ClickHouse type name shown by DESCRIBE, e.g. "LowCardinality(String)".
absl::string_view ColumnTypeName(ColumnId id);

ColumnKind KindOf(ColumnId id);

// The column named `name` (exact, case-sensitive as in ClickHouse), if any.
std::optional<ColumnId> FindColumn(absl::string_view name);

// Bit set of columns, e.g. the columns a scan should materialize.
class ColumnSet {
 public:
  constexpr ColumnSet() = default;
  constexpr ColumnSet(std::initializer_list<ColumnId> ids) {
    for (ColumnId id : ids) Add(id);
  }
  static constexpr ColumnSet All() {
    ColumnSet set;
    set.bits_ = (uint32_t{1} << kNumColumns) - 1;
    return set;
  }
  constexpr void Add(ColumnId id) { bits_ |= uint32_t{1} << ColumnIndex(id); }
  constexpr void Remove(ColumnId id) { bits_ &= ~(uint32_t{1} << ColumnIndex(id)); }
  constexpr void AddAll(ColumnSet other) { bits_ |= other.bits_; }
  constexpr bool Contains(ColumnId id) const { return (bits_ >> ColumnIndex(id)) & 1; }
  constexpr bool empty() const { return bits_ == 0; }

 private:
  uint32_t bits_ = 0;
};

}  // namespace mua
