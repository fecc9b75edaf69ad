// The human-readable formats (Pretty, PrettyCompact, Vertical) as ClickHouse's
// client prints them without colour: box-drawing tables, numbers right-aligned,
// widths in code points. At most kPrettyMaxRows rows are shown, like
// ClickHouse's output_format_pretty_max_rows. Stateless and thread-safe.
#pragma once

#include <cstddef>
#include <string>

#include "query/result_set.h"

namespace mua::query_internal {

inline constexpr size_t kPrettyMaxRows = 10'000;

// Each prints the result's totals row after its rows, as ClickHouse does (WITH TOTALS).
void WritePretty(const ResultSet& result, std::string* out);
void WritePrettyCompact(const ResultSet& result, std::string* out);
void WriteVertical(const ResultSet& result, std::string* out);

// The rows only.
void WritePrettyRows(const ResultSet& result, std::string* out);
void WritePrettyCompactRows(const ResultSet& result, std::string* out);
void WriteVerticalRows(const ResultSet& result, std::string* out);

}  // namespace mua::query_internal
