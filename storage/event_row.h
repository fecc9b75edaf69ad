// EventRow: one validated, normalized event as the storage engine appends it
// (SPEC §3). It borrows its strings: they must outlive the Append call only.
//
//   EventRow row;
//   row.event_time_ms = 1759672987123;
//   row.user_id = "user_42";
//   row.event_type = "app_open";
//   table.Append(absl::MakeConstSpan(&row, 1));
#pragma once

#include <cstdint>

#include "absl/strings/string_view.h"
#include "storage/schema.h"

namespace mua {

struct EventRow {
  int64_t event_time_ms = 0;
  absl::string_view user_id;
  absl::string_view session_id;
  absl::string_view event_id;
  absl::string_view event_type;
  absl::string_view platform;
  absl::string_view os_version;
  absl::string_view app_version;
  absl::string_view device_model;
  absl::string_view device_type;
  absl::string_view country;
  absl::string_view region;
  absl::string_view city;
  absl::string_view properties;  // a JSON object's text, "" when absent
  // Every other field the producer sent, as a JSON object's text (nested objects kept,
  // numbers as written, keys in their order); "" when there is none (SPEC §2).
  absl::string_view attributes;

  // The value of any string column (not kEventTime).
  absl::string_view StringValue(ColumnId id) const;
  absl::string_view* MutableStringValue(ColumnId id);
};

}  // namespace mua
