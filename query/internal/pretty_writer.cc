#include "query/internal/pretty_writer.h"

#include <algorithm>
#include <vector>

#include "absl/strings/string_view.h"
#include "query/internal/value_writer.h"

namespace mua::query_internal {
namespace {

// Display width: code points (bytes that do not continue a UTF-8 sequence).
size_t DisplayWidth(absl::string_view text) {
  size_t width = 0;
  for (char c : text) width += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  return width;
}

void AppendRepeated(absl::string_view piece, size_t count, std::string* out) {
  for (size_t i = 0; i < count; ++i) out->append(piece.data(), piece.size());
}

// The shown rows' cells as text, with each column's width and alignment.
struct Grid {
  size_t rows = 0;
  std::vector<std::vector<std::string>> cells;  // [column][row]
  std::vector<size_t> widths;                   // max of name and cells
  std::vector<size_t> name_widths;
  std::vector<bool> align_right;
};

Grid BuildGrid(const ResultSet& result) {
  Grid grid;
  grid.rows = std::min<uint64_t>(result.row_count, kPrettyMaxRows);
  size_t columns = result.columns.size();
  grid.cells.resize(columns);
  for (size_t col = 0; col < columns; ++col) {
    const Column& column = result.columns[col];
    size_t name_width = DisplayWidth(result.names[col]);
    size_t width = name_width;
    grid.cells[col].resize(grid.rows);
    for (size_t row = 0; row < grid.rows; ++row) {
      std::string& cell = grid.cells[col][row];
      AppendTextCell(column, row, TextStyle::kPretty, &cell);
      width = std::max(width, DisplayWidth(cell));
    }
    grid.widths.push_back(width);
    grid.name_widths.push_back(name_width);
    grid.align_right.push_back(AlignsRight(column.type));
  }
  return grid;
}

// A border line: left + (bar x (width + 2)) joined by middle + right.
void AppendBorder(const Grid& grid, absl::string_view left, absl::string_view bar,
                  absl::string_view middle, absl::string_view right, std::string* out) {
  out->append(left.data(), left.size());
  for (size_t col = 0; col < grid.widths.size(); ++col) {
    if (col != 0) out->append(middle.data(), middle.size());
    AppendRepeated(bar, grid.widths[col] + 2, out);
  }
  out->append(right.data(), right.size());
  out->push_back('\n');
}

// "│ a │   1 │": each text padded to its column's width.
void AppendLine(const Grid& grid, absl::string_view bar,
                const std::vector<absl::string_view>& texts, std::string* out) {
  for (size_t col = 0; col < texts.size(); ++col) {
    out->append(bar.data(), bar.size());
    out->push_back(' ');
    size_t padding = grid.widths[col] - DisplayWidth(texts[col]);
    if (grid.align_right[col]) AppendRepeated(" ", padding, out);
    out->append(texts[col].data(), texts[col].size());
    if (!grid.align_right[col]) AppendRepeated(" ", padding, out);
    out->push_back(' ');
  }
  out->append(bar.data(), bar.size());
  out->push_back('\n');
}

void AppendRow(const Grid& grid, size_t row, std::string* out) {
  std::vector<absl::string_view> texts;
  texts.reserve(grid.cells.size());
  for (const auto& column : grid.cells) texts.emplace_back(column[row]);
  AppendLine(grid, "│", texts, out);
}

void AppendShowedFirst(const ResultSet& result, absl::string_view prefix, std::string* out) {
  if (result.row_count <= kPrettyMaxRows) return;
  out->append(prefix.data(), prefix.size());
  AppendUInt(kPrettyMaxRows, out);
  out->append(".\n");
}

// The rows, then ClickHouse's "\nTotals:\n" and the totals row as a table of its own.
void WriteWithTotals(const ResultSet& result, void (*write)(const ResultSet&, std::string*),
                     std::string* out) {
  write(result, out);
  if (!result.totals) return;
  ResultSet totals;
  totals.names = result.names;
  totals.columns = *result.totals;
  totals.row_count = 1;
  out->append("\nTotals:\n");
  write(totals, out);
}

}  // namespace

void WritePretty(const ResultSet& result, std::string* out) {
  WriteWithTotals(result, WritePrettyRows, out);
}

void WritePrettyCompact(const ResultSet& result, std::string* out) {
  WriteWithTotals(result, WritePrettyCompactRows, out);
}

void WritePrettyRows(const ResultSet& result, std::string* out) {
  if (result.row_count == 0 || result.columns.empty()) return;
  Grid grid = BuildGrid(result);
  AppendBorder(grid, "┏", "━", "┳", "┓", out);
  std::vector<absl::string_view> names(result.names.begin(), result.names.end());
  AppendLine(grid, "┃", names, out);
  AppendBorder(grid, "┡", "━", "╇", "┩", out);
  for (size_t row = 0; row < grid.rows; ++row) {
    if (row != 0) AppendBorder(grid, "├", "─", "┼", "┤", out);
    AppendRow(grid, row, out);
  }
  AppendBorder(grid, "└", "─", "┴", "┘", out);
  AppendShowedFirst(result, "  Showed first ", out);
}

void WritePrettyCompactRows(const ResultSet& result, std::string* out) {
  if (result.row_count == 0 || result.columns.empty()) return;
  Grid grid = BuildGrid(result);
  // The names sit in the top border: ┌─name─┬───num─┐.
  out->append("┌");
  for (size_t col = 0; col < grid.widths.size(); ++col) {
    if (col != 0) out->append("┬");
    size_t padding = grid.widths[col] - grid.name_widths[col];
    if (grid.align_right[col]) AppendRepeated("─", padding, out);
    out->append("─");
    out->append(result.names[col]);
    out->append("─");
    if (!grid.align_right[col]) AppendRepeated("─", padding, out);
  }
  out->append("┐\n");
  for (size_t row = 0; row < grid.rows; ++row) AppendRow(grid, row, out);
  AppendBorder(grid, "└", "─", "┴", "┘", out);
  AppendShowedFirst(result, "  Showed first ", out);
}

// "name: " padded to the widest name, then the cell.
static void AppendVerticalField(const ResultSet& result, const Column& column, size_t col, size_t row,
                                size_t name_width, std::string* out) {
  out->append(result.names[col]);
  out->append(": ");
  AppendRepeated(" ", name_width - DisplayWidth(result.names[col]), out);
  AppendTextCell(column, row, TextStyle::kPretty, out);
  out->push_back('\n');
}

static size_t NameWidth(const ResultSet& result) {
  size_t name_width = 0;
  for (const std::string& name : result.names) name_width = std::max(name_width, DisplayWidth(name));
  return name_width;
}

void WriteVertical(const ResultSet& result, std::string* out) {
  WriteVerticalRows(result, out);
  if (!result.totals || result.columns.empty()) return;
  // ClickHouse's VerticalRowOutputFormat: two line breaks, then the row titled "Totals".
  out->append("\n\nTotals:\n");
  AppendRepeated("─", 7, out);
  out->push_back('\n');
  const size_t name_width = NameWidth(result);
  for (size_t col = 0; col < result.columns.size(); ++col) {
    AppendVerticalField(result, (*result.totals)[col], col, 0, name_width, out);
  }
}

void WriteVerticalRows(const ResultSet& result, std::string* out) {
  if (result.row_count == 0 || result.columns.empty()) return;
  size_t columns = result.columns.size();
  const size_t name_width = NameWidth(result);
  size_t rows = std::min<uint64_t>(result.row_count, kPrettyMaxRows);
  for (size_t row = 0; row < rows; ++row) {
    if (row != 0) out->push_back('\n');
    size_t header_start = out->size();
    out->append("Row ");
    AppendUInt(row + 1, out);
    out->append(":\n");
    AppendRepeated("─", out->size() - header_start - 1, out);
    out->push_back('\n');
    for (size_t col = 0; col < columns; ++col) {
      AppendVerticalField(result, result.columns[col], col, row, name_width, out);
    }
  }
  AppendShowedFirst(result, "\nShowed first ", out);
}

}  // namespace mua::query_internal
