// Filtered blocks: the rows of a sealed block that a keyed WHERE keeps (SourcePlan::
// where_key), with the columns read after the filter gathered at those rows, kept with the
// segment (storage/derived_block.h) when the filter is selective — a block where it keeps
// no row costs nothing the next time, one where it keeps 1 % of rows costs that 1 % — so a
// dashboard's repeated `WHERE event_type = 'purchase'` neither decodes nor filters a sealed
// block twice (as ClickHouse's query condition cache skips granules, with the rows kept too).
// A sealed block never changes; a rewritten segment (erasure) starts with none.
//
//   const std::string key = FilteredBlockKey(plan.source.where_key, plan.source, read_after_filter);
//   if (auto kept = FindFilteredBlock(snapshot, ref, key)) BatchFromFilteredBlock(*kept, ..., &batch);
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "query/executor.h"
#include "storage/derived_block.h"
#include "storage/table_snapshot.h"

namespace mua {

class FilteredBlock : public DerivedBlock {
 public:
  std::vector<uint32_t> rows;  // ascending
  std::vector<std::pair<std::string, Vector>> columns;  // by FilteredColumnName
  StringPool pool;
  size_t bytes = 0;
  size_t memory_bytes() const override { return bytes; }
};

// The key of the rows `where_key` keeps with the batch columns read after the filter (source
// and property columns); empty when `where_key` is.
std::string FilteredBlockKey(const std::string& where_key, const SourcePlan& source,
                             const std::vector<bool>& read_after_filter);

// The kept block `ref` under `key` (null: none, or a head's block).
std::shared_ptr<const FilteredBlock> FindFilteredBlock(const TableSnapshot& snapshot, const BlockRef& ref,
                                                       const std::string& key);

// The batch of a kept block: source and property columns in plan order (unread ones empty).
void BatchFromFilteredBlock(const FilteredBlock& kept, const SourcePlan& source,
                            const std::vector<bool>& read_after_filter, const TableSnapshot& snapshot,
                            Batch* batch);

// Keeps the filtered `batch` of the sealed block `ref` (`selected`: the rows the filter kept
// of its `block_rows`) when the filter kept few enough rows.
void KeepFilteredBlock(const TableSnapshot& snapshot, const BlockRef& ref, const std::string& key,
                       const Batch& batch, const std::vector<uint32_t>& selected, uint32_t block_rows,
                       const SourcePlan& source, const std::vector<bool>& read_after_filter);

// Whether a block whose filter kept `selected` of `block_rows` rows is kept (selective enough).
bool KeepsFilteredBlock(size_t selected, uint32_t block_rows);

}  // namespace mua
