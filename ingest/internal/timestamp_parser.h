// Strict, allocation-free parsers for `event_timestamp` values (SPEC §2): ISO-8601 text
// and epoch milliseconds. About 20 ns per timestamp; absl::ParseTime is slower and lenient.
//
//   int64_t ms;
//   TryParseIsoTimestamp("2025-10-05T14:03:07.123Z", &ms);  // ms == 1759672987123
//
// Thread safety: pure functions.
#pragma once

#include <cstdint>

#include "absl/strings/string_view.h"
#include "storage/base/calendar.h"

namespace mua::ingest_internal {

// Days since 1970-01-01 of a proleptic Gregorian date: the one calendar of MUA.
using ::mua::DaysFromCivil;

// Parses `YYYY-MM-DD(T|t| )hh:mm:ss[(.|,)f{1,9}][Z|z|(+|-)hh[[:]mm]]` into UTC milliseconds
// since the epoch. Fractions beyond milliseconds are truncated; no zone means UTC. Rejects
// anything else: missing seconds, leap seconds, impossible dates (2026-02-29), hour 24,
// offsets beyond 23:59, leading/trailing bytes.
bool TryParseIsoTimestamp(absl::string_view text, int64_t* millis);

// Parses an optional '-' and 1 to 18 ASCII digits as milliseconds since the epoch.
bool TryParseEpochMillis(absl::string_view text, int64_t* millis);

}  // namespace mua::ingest_internal
