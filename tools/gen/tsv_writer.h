// ClickHouse TabSeparated rows of generated events, byte for byte what
// tests/differential/jsonl_to_tsv.py (the reference) makes of the same events' JSON lines:
// event_time ('YYYY-MM-DD hh:mm:ss', UTC, ms floored), event_time_ms, user_id, session_id,
// event_id, event_type, platform, os_version, app_version, device_model, device_type,
// country, region, city, properties (compact JSON). Absent strings are ''; fields carry
// ClickHouse's TSV escapes (\\ \t \n \r \0 \b \f). Functions are thread-safe.
//
//   std::string out;
//   AppendClickHouseTsvRow(event, &out);  // 2026-10-05 14:03:07\t1790863387123\tu42\t...\n
#pragma once

#include <cstddef>
#include <string>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "tools/gen/event_generator.h"
#include "tools/gen/json_writer.h"

namespace mua::gen {

// Appends one row (ending in '\n') with the 15 columns above.
void AppendClickHouseTsvRow(const GeneratedEvent& event, std::string* out);

// Runs an EventGenerator over all days of `options` and passes the rows to `sink` in chunks
// of whole rows, as WriteJsonLines does with lines (duplicates included, as re-sent).
// Errors: InvalidArgument when options.invalid_share > 0 (an invalid event has no row);
// else the first error of `sink`. Returns the counts (invalid is 0).
absl::StatusOr<JsonLinesStats> WriteClickHouseTsv(
    const GeneratorOptions& options, absl::FunctionRef<absl::Status(std::string& chunk)> sink,
    size_t chunk_bytes = size_t{1} << 22);

}  // namespace mua::gen
