#include "storage/schema.h"

namespace mua {
namespace {

struct ColumnInfo {
  absl::string_view name;
  absl::string_view type_name;
  ColumnKind kind;
};

constexpr absl::string_view kLowCardinalityString = "LowCardinality(String)";

constexpr std::array<ColumnInfo, kNumColumns> kColumnInfo = {{
    {"event_time", "DateTime64(3)", ColumnKind::kTime},
    {"user_id", "String", ColumnKind::kUser},
    {"session_id", "String", ColumnKind::kString},
    {"event_id", "String", ColumnKind::kString},
    {"event_type", kLowCardinalityString, ColumnKind::kLowCardinality},
    {"platform", kLowCardinalityString, ColumnKind::kLowCardinality},
    {"os_version", kLowCardinalityString, ColumnKind::kLowCardinality},
    {"app_version", kLowCardinalityString, ColumnKind::kLowCardinality},
    {"device_model", kLowCardinalityString, ColumnKind::kLowCardinality},
    {"device_type", kLowCardinalityString, ColumnKind::kLowCardinality},
    {"country", kLowCardinalityString, ColumnKind::kLowCardinality},
    {"region", kLowCardinalityString, ColumnKind::kLowCardinality},
    {"city", kLowCardinalityString, ColumnKind::kLowCardinality},
    {"properties", "String", ColumnKind::kString},
    {"attributes", "String", ColumnKind::kString},
}};

}  // namespace

absl::string_view ColumnName(ColumnId id) { return kColumnInfo[ColumnIndex(id)].name; }
absl::string_view ColumnTypeName(ColumnId id) { return kColumnInfo[ColumnIndex(id)].type_name; }
ColumnKind KindOf(ColumnId id) { return kColumnInfo[ColumnIndex(id)].kind; }

std::optional<ColumnId> FindColumn(absl::string_view name) {
  for (ColumnId id : kAllColumns) {
    if (ColumnName(id) == name) return id;
  }
  return std::nullopt;
}

}  // namespace mua
