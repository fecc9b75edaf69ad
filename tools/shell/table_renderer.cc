#include "tools/shell/table_renderer.h"

#include <algorithm>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"
#include "tools/shell/result_table.h"

namespace mua::shell {
namespace {

// Columns are never cut narrower than this (unless their content is narrower);
// when even that does not fit, middle columns are hidden instead.
constexpr size_t kMinColumnWidth = 10;
// Stands for the hidden columns in VisibleColumns().
constexpr int kHiddenColumns = -1;
constexpr absl::string_view kEllipsis = "…";

bool IsContinuationByte(char c) { return (static_cast<unsigned char>(c) & 0xC0) == 0x80; }

// A cell as it may be printed on one terminal line.
std::string EscapeControlCharacters(absl::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    switch (c) {
      case '\n':
        out.append("\\n");
        break;
      case '\t':
        out.append("\\t");
        break;
      case '\r':
        out.append("\\r");
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
          absl::StrAppend(&out, "\\x", absl::Hex(static_cast<unsigned char>(c), absl::kZeroPad2));
        } else {
          out.push_back(c);
        }
    }
  }
  return out;
}

std::string Repeat(absl::string_view piece, size_t count) {
  std::string out;
  out.reserve(piece.size() * count);
  for (size_t i = 0; i < count; ++i) out.append(piece.data(), piece.size());
  return out;
}

// `text` padded with spaces to `width` display columns, on the left when `right_align`.
std::string Pad(absl::string_view text, size_t width, bool right_align) {
  const std::string cut = TruncateToWidth(text, width);
  const std::string padding(width - DisplayWidth(cut), ' ');
  return right_align ? padding + cut : cut + padding;
}

// Shrinks the widest columns until the table fits in `max_width` (or every
// column is at its minimum). The table takes sum(widths) + 3 * n + 1 columns.
void FitWidths(size_t max_width, std::vector<size_t>* widths) {
  if (max_width == 0 || widths->empty()) return;
  size_t total = 3 * widths->size() + 1;
  for (const size_t width : *widths) total += width;
  while (total > max_width) {
    const auto widest = std::max_element(widths->begin(), widths->end());
    if (*widest <= kMinColumnWidth) return;
    size_t second = 0;
    for (auto it = widths->begin(); it != widths->end(); ++it) {
      if (it != widest) second = std::max(second, *it);
    }
    const size_t excess = total - max_width;
    size_t target = std::max({second, kMinColumnWidth, *widest > excess ? *widest - excess : 0});
    if (target >= *widest) target = *widest - 1;  // a tie with another column: take one at a time
    total -= *widest - target;
    *widest = target;
  }
}

// The columns to show in `max_width`: all when they fit at their minimum
// widths, else the outer ones with kHiddenColumns where the middle ones were.
std::vector<int> VisibleColumns(const std::vector<size_t>& natural_widths, size_t max_width) {
  std::vector<int> visible;
  for (size_t c = 0; c < natural_widths.size(); ++c) visible.push_back(static_cast<int>(c));
  if (max_width == 0) return visible;
  auto minimum_total = [&](bool with_gap) {
    size_t total = 1 + (with_gap ? 4 : 0);  // a left border; the gap column is "…" plus " │ "
    for (const int c : visible) total += std::min(natural_widths[c], kMinColumnWidth) + 3;
    return total;
  };
  bool hidden_any = false;
  while (visible.size() > 1 && minimum_total(hidden_any) > max_width) {
    visible.erase(visible.begin() + static_cast<std::ptrdiff_t>(visible.size() / 2));
    hidden_any = true;
  }
  if (hidden_any) {
    // Removing from the middle leaves one gap: before the first column that is not the next one.
    size_t gap = 1;
    while (gap < visible.size() && visible[gap] == visible[gap - 1] + 1) ++gap;
    visible.insert(visible.begin() + static_cast<std::ptrdiff_t>(gap), kHiddenColumns);
  }
  return visible;
}

std::string Border(const std::vector<size_t>& widths, absl::string_view left,
                   absl::string_view middle, absl::string_view right) {
  std::string line(left);
  for (size_t c = 0; c < widths.size(); ++c) {
    if (c > 0) line.append(middle.data(), middle.size());
    line.append(Repeat("─", widths[c] + 2));
  }
  absl::StrAppend(&line, right, "\n");
  return line;
}

std::string Row(const std::vector<std::string>& cells, const std::vector<size_t>& widths,
                const std::vector<bool>& right_align) {
  std::string line = "│";
  for (size_t c = 0; c < widths.size(); ++c) {
    absl::StrAppend(&line, " ", Pad(cells[c], widths[c], right_align[c]), " │");
  }
  line.push_back('\n');
  return line;
}

}  // namespace

std::string RenderFooter(std::optional<size_t> rows, std::optional<double> elapsed_seconds,
                         std::optional<uint64_t> rows_read) {
  std::vector<std::string> parts;
  if (rows) {
    parts.push_back(
        absl::StrCat(WithThousandsSeparators(*rows), *rows == 1 ? " row" : " rows", " in set."));
  }
  if (elapsed_seconds) parts.push_back(absl::StrFormat("Elapsed: %.3f sec.", *elapsed_seconds));
  if (rows_read && *rows_read > 0) {
    parts.push_back(absl::StrCat("Processed ", WithThousandsSeparators(*rows_read), " rows."));
  }
  return parts.empty() ? "" : absl::StrCat(absl::StrJoin(parts, " "), "\n");
}

std::string WithThousandsSeparators(uint64_t value) {
  std::string digits = std::to_string(value);
  for (size_t at = digits.size(); at > 3; at -= 3) digits.insert(at - 3, ",");
  return digits;
}

bool IsNumericType(absl::string_view type) {
  for (const absl::string_view wrapper : {"Nullable(", "LowCardinality("}) {
    if (absl::ConsumePrefix(&type, wrapper)) absl::ConsumeSuffix(&type, ")");
  }
  return absl::StartsWith(type, "Int") || absl::StartsWith(type, "UInt") ||
         absl::StartsWith(type, "Float") || absl::StartsWith(type, "Decimal");
}

size_t DisplayWidth(absl::string_view text) {
  size_t width = 0;
  for (const char c : text) width += IsContinuationByte(c) ? 0 : 1;
  return width;
}

std::string TruncateToWidth(absl::string_view text, size_t width) {
  if (DisplayWidth(text) <= width) return std::string(text);
  if (width == 0) return "";
  // Keep width - 1 code points, then the ellipsis.
  size_t kept = 0, end = 0;
  while (end < text.size()) {
    if (!IsContinuationByte(text[end])) {
      if (kept == width - 1) break;
      ++kept;
    }
    ++end;
  }
  return absl::StrCat(text.substr(0, end), kEllipsis);
}

std::string RenderTable(const ResultTable& table, const RenderOptions& options) {
  const size_t column_count = table.columns.size();
  if (column_count == 0) return "";
  std::vector<size_t> natural_widths;
  for (const ResultColumn& column : table.columns) {
    natural_widths.push_back(std::max(DisplayWidth(EscapeControlCharacters(column.name)),
                                      DisplayWidth(EscapeControlCharacters(column.type))));
  }
  for (const std::vector<std::string>& row : table.rows) {
    for (size_t c = 0; c < column_count; ++c) {
      natural_widths[c] =
          std::max(natural_widths[c], DisplayWidth(EscapeControlCharacters(row[c])));
    }
  }
  const std::vector<int> visible = VisibleColumns(natural_widths, options.max_width);

  // The displayed columns, with "…" standing for the hidden ones.
  std::vector<std::string> names, types;
  std::vector<bool> right_align;
  std::vector<size_t> widths;
  for (const int source : visible) {
    const bool hidden = source == kHiddenColumns;
    names.push_back(hidden ? std::string(kEllipsis)
                           : EscapeControlCharacters(table.columns[source].name));
    types.push_back(hidden ? "" : EscapeControlCharacters(table.columns[source].type));
    right_align.push_back(!hidden && IsNumericType(table.columns[source].type));
    widths.push_back(hidden ? 1 : natural_widths[source]);
  }
  FitWidths(options.max_width, &widths);

  std::string out = Border(widths, "┌", "┬", "┐");
  out.append(Row(names, widths, right_align));
  out.append(Row(types, widths, right_align));
  out.append(Border(widths, "├", "┼", "┤"));
  std::vector<std::string> cells;
  for (const std::vector<std::string>& row : table.rows) {
    cells.clear();
    for (const int source : visible) {
      cells.push_back(source == kHiddenColumns ? std::string(kEllipsis)
                                               : EscapeControlCharacters(row[source]));
    }
    out.append(Row(cells, widths, right_align));
  }
  out.append(Border(widths, "└", "┴", "┘"));
  if (std::find(visible.begin(), visible.end(), kHiddenColumns) != visible.end()) {
    absl::StrAppend(&out, "(", visible.size() - 1, " of ", column_count,
                    " columns shown; \\x shows one field per line)\n");
  }
  return out;
}

std::string RenderVertical(const ResultTable& table, const RenderOptions& options) {
  size_t name_width = 0;
  std::vector<std::string> names;
  for (const ResultColumn& column : table.columns) {
    names.push_back(EscapeControlCharacters(column.name) + ":");
    name_width = std::max(name_width, DisplayWidth(names.back()));
  }
  // Values keep at least a little room even in a very narrow terminal.
  const size_t value_width =
      options.max_width == 0
          ? 0
          : std::max(kMinColumnWidth,
                     options.max_width - std::min(options.max_width, name_width + 1));
  std::string out;
  for (size_t r = 0; r < table.rows.size(); ++r) {
    const std::string title = absl::StrCat("Row ", r + 1, ":");
    absl::StrAppend(&out, r > 0 ? "\n" : "", title, "\n", Repeat("─", DisplayWidth(title)), "\n");
    for (size_t c = 0; c < names.size(); ++c) {
      const std::string value = EscapeControlCharacters(table.rows[r][c]);
      absl::StrAppend(&out, Pad(names[c], name_width, /*right_align=*/false), " ",
                      value_width == 0 ? value : TruncateToWidth(value, value_width), "\n");
    }
  }
  return out;
}

std::string RenderTotals(const ResultTable& table, const RenderOptions& options, bool vertical) {
  if (!table.totals.has_value()) return "";
  ResultTable totals;
  totals.columns = table.columns;
  totals.rows.push_back(*table.totals);
  if (!vertical) return absl::StrCat("\nTotals:\n", RenderTable(totals, options));
  // ClickHouse's Vertical titles the row "Totals:" where a result row has "Row N:".
  std::string rows = RenderVertical(totals, options);
  const size_t body = rows.find('\n', rows.find('\n') + 1) + 1;
  return absl::StrCat("\nTotals:\n", Repeat("─", DisplayWidth("Totals:")), "\n", rows.substr(body));
}

}  // namespace mua::shell
