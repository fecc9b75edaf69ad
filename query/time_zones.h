// The time zones DateTime and DateTime64 types name (DateTime('Asia/Tokyo')),
// interned as small ids so that a DataType stays a cheap value: id 0 is no
// explicit zone (the server's, UTC), every other id one IANA name as the query
// spelled it ("UTC" named explicitly is its own id: it prints DateTime('UTC')).
// At most kMaxTimeZones names are ever interned; each zone is loaded once from
// the zone database and lives as long as the process. Thread-safe.
//
//   MUA_ASSIGN_OR_RETURN(uint16_t tokyo, InternTimeZone("Asia/Tokyo"));
//   TimeZoneName(tokyo);   // "Asia/Tokyo"
//   TimeZoneName(0);       // ""
#pragma once

#include <cstddef>
#include <cstdint>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace mua {

inline constexpr uint16_t kNoTimeZone = 0;
// Bounds the table: the IANA database has about 600 names.
inline constexpr size_t kMaxTimeZones = 2048;

// The id of zone `name`, interning it on first use. Errors: InvalidArgument
// "Unknown time zone 'X'" (or an invalid name); ResourceExhausted when
// kMaxTimeZones names are already interned.
absl::StatusOr<uint16_t> InternTimeZone(absl::string_view name);

// The name of an interned id; "" for kNoTimeZone and ids never handed out.
absl::string_view TimeZoneName(uint16_t id);

}  // namespace mua
