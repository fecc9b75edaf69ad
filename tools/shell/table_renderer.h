// Rendering a ResultTable for a terminal: a box-drawn table with each column's
// type under its name and numbers right-aligned (the shell's "Pretty"), or one
// field per line (`\x`, like ClickHouse's Vertical). Cells wider than the room
// left are cut with "…"; control characters are shown escaped ("\n", "\t").
//
//   ┌────────────┬────────┐
//   │ event_type │      c │
//   │ String     │ UInt64 │
//   ├────────────┼────────┤
//   │ app_open   │    557 │
//   └────────────┴────────┘
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "absl/strings/string_view.h"

namespace mua::shell {

struct ResultTable;

struct RenderOptions {
  size_t max_width = 0;  // terminal columns to fit in; 0 for no limit
};

// Returns the table (header, rows, closing border), newline-terminated.
std::string RenderTable(const ResultTable& table, const RenderOptions& options);

// Returns every row as "Row N:" followed by one "name: value" line per column.
std::string RenderVertical(const ResultTable& table, const RenderOptions& options);

// The WITH TOTALS row as clickhouse-client prints it after the result: a blank
// line, "Totals:", and the row as a table (or as one field per line when
// `vertical`). Empty when the result has no totals.
std::string RenderTotals(const ResultTable& table, const RenderOptions& options, bool vertical);

// The line under a result: "3 rows in set. Elapsed: 0.012 sec. Processed 6,173 rows."
// Parts whose value is absent are left out; `rows` absent gives just the timing.
std::string RenderFooter(std::optional<size_t> rows, std::optional<double> elapsed_seconds,
                         std::optional<uint64_t> rows_read);

// 1234567 -> "1,234,567".
std::string WithThousandsSeparators(uint64_t value);

// True for ClickHouse numeric types, also inside Nullable(...)/LowCardinality(...).
bool IsNumericType(absl::string_view type);

// The number of terminal columns `text` (UTF-8) occupies, counting one per code point.
size_t DisplayWidth(absl::string_view text);

// `text` cut to at most `width` display columns, ending in "…" when cut.
std::string TruncateToWidth(absl::string_view text, size_t width);

}  // namespace mua::shell
