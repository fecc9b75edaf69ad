#include "storage/event_row.h"

#include "storage/base/check.h"

namespace mua {

absl::string_view* EventRow::MutableStringValue(ColumnId id) {
  switch (id) {
    case ColumnId::kUserId: return &user_id;
    case ColumnId::kSessionId: return &session_id;
    case ColumnId::kEventId: return &event_id;
    case ColumnId::kEventType: return &event_type;
    case ColumnId::kPlatform: return &platform;
    case ColumnId::kOsVersion: return &os_version;
    case ColumnId::kAppVersion: return &app_version;
    case ColumnId::kDeviceModel: return &device_model;
    case ColumnId::kDeviceType: return &device_type;
    case ColumnId::kCountry: return &country;
    case ColumnId::kRegion: return &region;
    case ColumnId::kCity: return &city;
    case ColumnId::kProperties: return &properties;
    case ColumnId::kAttributes: return &attributes;
    case ColumnId::kEventTime: break;
  }
  MUA_CHECK(false, "event_time is not a string column");
}

absl::string_view EventRow::StringValue(ColumnId id) const {
  return *const_cast<EventRow*>(this)->MutableStringValue(id);
}

}  // namespace mua
