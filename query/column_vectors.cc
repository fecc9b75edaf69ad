// Conversions between storage blocks, result columns and vectors.
#include "query/executor.h"
#include "storage/string_dictionary.h"

namespace mua {

void BatchFromBlock(const ScanBlock& block, absl::Span<const ColumnId> columns,
                    const TableSnapshot& snapshot, Batch* batch) {
  batch->rows = block.row_count;
  batch->columns.resize(columns.size());
  for (size_t i = 0; i < columns.size(); ++i) {
    const ColumnId id = columns[i];
    Vector& v = batch->columns[i];
    v = Vector();
    v.type = StorageColumnType(id);
    v.size = block.row_count;
    switch (KindOf(id)) {
      case ColumnKind::kTime: v.ints.assign(block.event_time.begin(), block.event_time.end()); break;
      case ColumnKind::kUser:
        v.codes.assign(block.users.begin(), block.users.end());
        v.dictionary = &snapshot.user_index();
        break;
      case ColumnKind::kLowCardinality: {
        const auto codes = block.codes[ColumnIndex(id)];
        v.codes.assign(codes.begin(), codes.end());
        v.dictionary = &snapshot.dictionary(id);
        break;
      }
      case ColumnKind::kString: {
        const auto strings = block.strings[ColumnIndex(id)];
        v.strings.assign(strings.begin(), strings.end());
        break;
      }
    }
  }
}

// Both directions handle every type (NULL flags, arrays, tuples): query/result_set.h.
void AppendVectorToColumn(const Vector& vector, Column* column) { AppendVectorRows(vector, column); }

Vector VectorFromColumn(const Column& column, size_t begin, size_t end) {
  return ColumnRows(column, begin, end);
}

}  // namespace mua
