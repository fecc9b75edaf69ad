#include "query/operators/filtered_blocks.h"

#include <algorithm>

#include "absl/strings/str_cat.h"

namespace mua {
namespace {

// Kept when the filter keeps at most this share of a block's rows: beyond, decoding and
// filtering the block again costs little more than copying the kept rows would.
constexpr uint32_t kKeepAtMostOneIn = 16;

bool Kept(size_t c, const std::vector<bool>& read_after_filter) {
  return c < read_after_filter.size() && read_after_filter[c];
}

}  // namespace

namespace {

// A batch column's name in a kept block: a source column's, or its property column's key.
std::string FilteredColumnName(const SourcePlan& source, size_t c) {
  if (c < source.columns.size()) return std::string(ColumnName(source.columns[c]));
  return absl::StrCat("p:", source.property_columns[c - source.columns.size()].key);
}

size_t BatchColumnCount(const SourcePlan& source) { return source.columns.size() + source.property_columns.size(); }

}  // namespace

bool KeepsFilteredBlock(size_t selected, uint32_t block_rows) {
  return selected * kKeepAtMostOneIn <= block_rows;
}

std::string FilteredBlockKey(const std::string& where_key, const SourcePlan& source,
                             const std::vector<bool>& read_after_filter) {
  if (where_key.empty()) return "";
  std::string key = absl::StrCat("filtered|", where_key, "|");
  // Sorted by name: the same columns make the same key whatever their order in the query.
  std::vector<std::string> names;
  for (size_t c = 0; c < BatchColumnCount(source); ++c) {
    if (Kept(c, read_after_filter)) names.push_back(FilteredColumnName(source, c));
  }
  std::sort(names.begin(), names.end());
  for (const std::string& name : names) absl::StrAppend(&key, name.size(), ":", name, ",");
  return key;
}

std::shared_ptr<const FilteredBlock> FindFilteredBlock(const TableSnapshot& snapshot, const BlockRef& ref,
                                                       const std::string& key) {
  if (key.empty() || ref.segment < 0) return nullptr;
  return std::static_pointer_cast<const FilteredBlock>(snapshot.FindDerived(ref, key));
}

void BatchFromFilteredBlock(const FilteredBlock& kept, const SourcePlan& source,
                            const std::vector<bool>& read_after_filter, const TableSnapshot& snapshot,
                            Batch* batch) {
  batch->rows = kept.rows.size();
  batch->columns.resize(BatchColumnCount(source));
  for (size_t c = 0; c < batch->columns.size(); ++c) {
    Vector& v = batch->columns[c];
    v = Vector();
    const bool stored = c < source.columns.size();
    v.type = stored ? StorageColumnType(source.columns[c]) : source.property_columns[c - source.columns.size()].expr->type;
    v.size = batch->rows;
    if (!Kept(c, read_after_filter)) continue;
    const std::string name = FilteredColumnName(source, c);
    for (const auto& [kept_name, values] : kept.columns) {
      if (kept_name == name) v = values;
    }
    if (!stored) continue;
    // Codes mean the same in every snapshot of the table; the dictionary is this one's.
    const ColumnId id = source.columns[c];
    if (KindOf(id) == ColumnKind::kUser) v.dictionary = &snapshot.user_index();
    if (KindOf(id) == ColumnKind::kLowCardinality) v.dictionary = &snapshot.dictionary(id);
  }
}

void KeepFilteredBlock(const TableSnapshot& snapshot, const BlockRef& ref, const std::string& key,
                       const Batch& batch, const std::vector<uint32_t>& selected, uint32_t block_rows,
                       const SourcePlan& source, const std::vector<bool>& read_after_filter) {
  if (key.empty() || ref.segment < 0 || !KeepsFilteredBlock(selected.size(), block_rows)) return;
  auto kept = std::make_shared<FilteredBlock>();
  kept->rows = selected;
  kept->bytes = sizeof(FilteredBlock) + selected.size() * 4;
  for (size_t c = 0; c < BatchColumnCount(source) && c < batch.columns.size(); ++c) {
    if (!Kept(c, read_after_filter)) continue;
    Vector values = batch.columns[c];
    if (c < source.columns.size()) values.dictionary = nullptr;  // reattached per snapshot
    OwnStrings(&kept->pool, &values);
    kept->bytes += VectorHeapBytes(values);
    kept->columns.emplace_back(FilteredColumnName(source, c), std::move(values));
  }
  snapshot.KeepDerived(ref, key, std::move(kept));
}

}  // namespace mua
