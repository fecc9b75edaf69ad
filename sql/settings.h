// ClickHouse's setting names: what a statement's `SETTINGS name = value` and an HTTP
// URL parameter may name. MUA applies a few (max_execution_time, max_result_rows,
// max_memory_usage, max_threads, join_use_nulls, union_default_mode) and accepts the
// others unused, as dashboards and clients send them; any other name is ClickHouse's
// error 115 UNKNOWN_SETTING, so a misspelt setting never passes silently.
//
//   if (!IsClickHouseSetting(name)) return UnknownSettingError(name);
#pragma once

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace mua {

// True for a builtin ClickHouse setting (the names of ClickHouse 23.x-25.x's Settings and
// format settings) or a user-defined one (prefix `SQL_`, ClickHouse's default prefix).
bool IsClickHouseSetting(absl::string_view name);

// InvalidArgument with ClickHouse's message for an unknown setting (server/ maps it to 115).
absl::Status UnknownSettingError(absl::string_view name);

}  // namespace mua
