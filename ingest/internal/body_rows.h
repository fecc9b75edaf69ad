// Rows of a request body that arrives in chunks: RowSplitter cuts the stream at line
// ends (a row split across chunks is reassembled; a row longer than its bound is
// skipped as it arrives, never buffered), and ParseTsvRow / ParseCsvRow read one row of
// ClickHouse's TabSeparated and CSV input formats into its fields.
//
//   RowSplitter splitter(/*max_row_bytes=*/1 << 20, /*csv=*/false);
//   auto on_row = [&](const BodyRow& row) { ...; return absl::OkStatus(); };
//   for (chunk : chunks) MUA_RETURN_IF_ERROR(splitter.Feed(chunk, on_row));
//   MUA_RETURN_IF_ERROR(splitter.Finish(on_row));
#pragma once

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace mua::ingest_internal {

struct BodyRow {
  // Without its line end (LF, or CR LF); valid only during the callback. Empty for a
  // blank line and for an oversized row.
  absl::string_view text;
  size_t oversized_bytes = 0;  // > 0: the row had this many bytes (at least), over the bound
};

class RowSplitter {
 public:
  using OnRow = std::function<absl::Status(const BodyRow& row)>;

  // `csv`: a line end inside a double-quoted field does not end the row (CSV keeps
  // line feeds raw in quoted strings; TSV and JSON escape them).
  RowSplitter(size_t max_row_bytes, bool csv) : max_row_bytes_(max_row_bytes), csv_(csv) {}

  // Calls on_row for every row `chunk` completes, in order; stops at its first error.
  absl::Status Feed(absl::string_view chunk, const OnRow& on_row);
  // The body ended: a last row without its line end is a row too.
  absl::Status Finish(const OnRow& on_row);

  // Bytes held for a row not yet complete (at most max_row_bytes).
  size_t pending_bytes() const { return pending_.size(); }

 private:
  size_t FindRowEnd(absl::string_view chunk, size_t from);
  absl::Status Emit(absl::string_view text, const OnRow& on_row);

  const size_t max_row_bytes_;
  const bool csv_;
  bool in_quotes_ = false;  // CSV: inside a quoted field
  std::string pending_;     // the start of a row that continues in the next chunk
  bool skipping_ = false;   // the current row is over the bound: dropped until its end
  size_t skipped_bytes_ = 0;
};

// One TabSeparated row's fields, unescaped (\t \n \\ \N ...); std::nullopt for \N (NULL).
// Errors: InvalidArgument for a row ending in a lone backslash or \N inside a field.
absl::Status ParseTsvRow(absl::string_view row, std::vector<std::optional<std::string>>* fields);

// One CSV row's fields: "quoted" (with "" for a quote, line ends kept) or bare (spaces
// and tabs around it trimmed); std::nullopt for a bare \N and for an empty bare field
// (ClickHouse's input_format_csv_empty_as_default).
// Errors: InvalidArgument for an unterminated quote or text after a closing quote.
absl::Status ParseCsvRow(absl::string_view row, std::vector<std::optional<std::string>>* fields);

}  // namespace mua::ingest_internal
