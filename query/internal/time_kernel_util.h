// Helpers the time kernels share (time_kernels.cc, time_zone_kernels.cc,
// conversion_kernels.cc): the optional time-zone argument and the instant or
// local day of any time value.
#pragma once

#include <cstdint>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "query/functions/time_functions.h"
#include "query/scalar_functions.h"

namespace mua::query_internal {

// The zone a time function computes in: argument `index` (0-based) when present, else the
// zone of the DateTime/DateTime64 argument `time_index`'s type (toHour(toTimeZone(t, 'Z'))),
// else the server's zone (UTC). InvalidArgument unless argument `index` is a constant String
// naming a known zone.
absl::StatusOr<TimeZone> OptionalZone(absl::string_view name, absl::Span<const ScalarArg> args,
                                      size_t index, size_t time_index = 0);
// The same zone as an id of query/time_zones.h, for the function's DateTime result type.
absl::StatusOr<uint16_t> OptionalZoneId(absl::string_view name, absl::Span<const ScalarArg> args,
                                        size_t index, size_t time_index = 0);
// The zone id of a DateTime/DateTime64 type (0 for other types).
uint16_t TimeZoneIdOf(const DataType& type);

// Unix seconds of a time value (a Date: the start of that day in `tz`).
int64_t ToSeconds(TypeId id, int64_t value, const TimeZone& tz);
// The day a time value falls on in `tz` (a Date is its own day).
int32_t LocalDay(TypeId id, int64_t value, const TimeZone& tz);

// ISO 8601 week number (1..53) and week-based year of a day.
int32_t ToIsoWeek(int32_t day);
int32_t ToIsoYear(int32_t day);

}  // namespace mua::query_internal
