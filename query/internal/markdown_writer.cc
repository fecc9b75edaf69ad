#include "query/internal/markdown_writer.h"

#include "query/internal/value_writer.h"

namespace mua::query_internal {

void WriteMarkdown(const ResultSet& result, std::string* out) {
  const size_t columns = result.columns.size();
  out->append("| ");
  for (size_t col = 0; col < columns; ++col) {
    if (col != 0) out->append(" | ");
    AppendTsvEscaped(result.names[col], out);
  }
  out->append(" |\n|");
  for (const Column& column : result.columns) {
    out->append(AlignsRight(column.type) ? "-:|" : ":-|");
  }
  out->push_back('\n');
  for (uint64_t row = 0; row < result.row_count; ++row) {
    out->append("| ");
    for (size_t col = 0; col < columns; ++col) {
      if (col != 0) out->append(" | ");
      AppendTextCell(result.columns[col], row, TextStyle::kTabSeparated, out);
    }
    out->append(" |\n");
  }
}

}  // namespace mua::query_internal
