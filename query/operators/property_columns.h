// The property columns of an events block (SourcePlan::property_columns): values such as
// JSONExtractFloat(properties, 'price') filled per block as batch columns after the
// source columns. A sealed block's values are computed once from its JSON text and kept
// with the segment (storage/derived_block.h), so later scans neither decompress nor parse
// the text; a head's block is computed each time. Only rows whose text holds the path's
// first key (or an escape) are parsed: every other row has the extraction's not-found
// value, so the kept values are sparse — a row number and a value per row that differs.
//
// Thread safety: one filler per scanning thread.
//
//   PropertyColumnFiller filler(plan.source, snapshot);
//   ColumnSet decode = columns;
//   decode.AddAll(filler.Prepare(ref));        // JSON text still needed for this block
//   MUA_RETURN_IF_ERROR(snapshot.ReadBlock(ref, decode, &buffers, &block));
//   BatchFromBlock(block, plan.source.columns, snapshot, &batch);
//   MUA_RETURN_IF_ERROR(filler.Fill(ref, block, /*rows=*/nullptr, &batch));
#pragma once

#include <memory>
#include <vector>

#include "absl/status/status.h"
#include "query/logical_plan.h"
#include "storage/derived_block.h"
#include "storage/table_snapshot.h"

namespace mua {

class PropertyColumnFiller {
 public:
  // REQUIRES: `source` and `snapshot` outlive the filler.
  PropertyColumnFiller(const SourcePlan& source, const TableSnapshot& snapshot);

  // Looks up the kept values of block `ref`; returns the JSON columns it must decode to
  // compute the others (empty when all are kept).
  ColumnSet Prepare(const BlockRef& ref);
  // Appends the property columns of block `ref` (decoded in `block`) to `batch`, whose
  // rows are the block's `rows` (ascending; null: every row). A column not kept for the
  // block is computed for the whole block and kept — or, with `only_rows`, for `rows`
  // alone (a filtered block about to keep them: filtered_blocks.h).
  // Errors: evaluation's.
  absl::Status Fill(const BlockRef& ref, const ScanBlock& block, const std::vector<uint32_t>* rows, Batch* batch,
                    bool only_rows = false);

 private:
  const SourcePlan& source_;
  const TableSnapshot& snapshot_;
  std::vector<std::shared_ptr<const DerivedBlock>> values_;  // per property column; held while the batch is used
  std::vector<uint32_t> positions_;
};

// The JSON columns (as batch column indices' ColumnIds) that only property columns read,
// given whether the plan reads each batch column directly: a block whose values are all
// kept does not decode them.
ColumnSet JsonColumnsOnlyExtracted(const SourcePlan& source, const std::vector<bool>& read_directly);

}  // namespace mua
