#include "query/operators/filtered_blocks.h"

#include "absl/strings/str_cat.h"

namespace mua {
namespace {

// Kept when the filter keeps at most this share of a block's rows: beyond, decoding and
// filtering the block again costs little more than copying the kept rows would.
constexpr uint32_t kKeepAtMostOneIn = 16;

bool Kept(size_t c, const std::vector<bool>& read_after_filter) {
  return c < read_after_filter.size() && read_after_filter[c];
}

size_t VectorBytes(const Vector& v) {
  size_t bytes = v.ints.capacity() * 8 + v.floats.capacity() * 8 + v.codes.capacity() * 4 +
                 v.strings.capacity() * sizeof(absl::string_view) + v.offsets.capacity() * 4 + v.nulls.capacity();
  for (absl::string_view s : v.strings) bytes += s.size() + 32;
  return bytes;
}

}  // namespace

std::string FilteredBlockKey(const std::string& where_key, const std::vector<ColumnId>& columns,
                             const std::vector<bool>& read_after_filter) {
  if (where_key.empty()) return "";
  std::string key = absl::StrCat("filtered|", where_key, "|");
  // By column id: the same columns make the same key whatever their order in the query.
  for (ColumnId id : kAllColumns) {
    for (size_t c = 0; c < columns.size(); ++c) {
      if (columns[c] == id && Kept(c, read_after_filter)) {
        absl::StrAppend(&key, ColumnName(id), ",");
        break;
      }
    }
  }
  return key;
}

std::shared_ptr<const FilteredBlock> FindFilteredBlock(const TableSnapshot& snapshot, const BlockRef& ref,
                                                       const std::string& key) {
  if (key.empty() || ref.segment < 0) return nullptr;
  return std::static_pointer_cast<const FilteredBlock>(snapshot.FindDerived(ref, key));
}

void BatchFromFilteredBlock(const FilteredBlock& kept, const std::vector<ColumnId>& columns,
                            const std::vector<bool>& read_after_filter, const TableSnapshot& snapshot,
                            Batch* batch) {
  batch->rows = kept.rows.size();
  batch->columns.resize(columns.size());
  for (size_t c = 0; c < columns.size(); ++c) {
    const ColumnId id = columns[c];
    Vector& v = batch->columns[c];
    v = Vector();
    v.type = StorageColumnType(id);
    v.size = batch->rows;
    if (!Kept(c, read_after_filter)) continue;
    for (const auto& [kept_id, values] : kept.columns) {
      if (kept_id == id) v = values;
    }
    // Codes mean the same in every snapshot of the table; the dictionary is this one's.
    if (KindOf(id) == ColumnKind::kUser) v.dictionary = &snapshot.user_index();
    if (KindOf(id) == ColumnKind::kLowCardinality) v.dictionary = &snapshot.dictionary(id);
  }
}

void KeepFilteredBlock(const TableSnapshot& snapshot, const BlockRef& ref, const std::string& key,
                       const Batch& batch, const std::vector<uint32_t>& selected, uint32_t block_rows,
                       const std::vector<ColumnId>& columns, const std::vector<bool>& read_after_filter) {
  if (key.empty() || ref.segment < 0 || selected.size() * kKeepAtMostOneIn > block_rows) return;
  auto kept = std::make_shared<FilteredBlock>();
  kept->rows = selected;
  kept->bytes = sizeof(FilteredBlock) + selected.size() * 4;
  for (size_t c = 0; c < columns.size() && c < batch.columns.size(); ++c) {
    if (!Kept(c, read_after_filter)) continue;
    Vector values = batch.columns[c];
    values.dictionary = nullptr;  // reattached per snapshot
    if (!values.strings.empty()) OwnStrings(&kept->pool, &values);
    kept->bytes += VectorBytes(values);
    kept->columns.emplace_back(columns[c], std::move(values));
  }
  snapshot.KeepDerived(ref, key, std::move(kept));
}

}  // namespace mua
