#include "query/operators/scan.h"

#include <algorithm>
#include <atomic>

#include "absl/synchronization/mutex.h"
#include "query/operators/filtered_blocks.h"
#include "query/operators/property_columns.h"
#include "storage/base/parallel_for.h"
#include "storage/base/status_macros.h"
#include "storage/base/time_util.h"

namespace mua {
namespace {

uint64_t DecodedBytes(const Batch& batch) {
  uint64_t bytes = 0;
  for (const Vector& v : batch.columns) {
    bytes += v.ints.size() * 8 + v.codes.size() * 4 + v.floats.size() * 8;
    for (absl::string_view s : v.strings) bytes += s.size();
  }
  return bytes;
}

}  // namespace

absl::Status ScanEvents(FilterProject* step, std::vector<std::unique_ptr<BlockWorker>>* workers) {
  const SelectPlan& plan = step->plan();
  const ExecutionContext& context = step->context();
  MUA_RETURN_IF_ERROR(CheckInterrupted(context));
  const TableSnapshot& snapshot = *context.snapshot;
  const BlockList list = snapshot.ListBlocks(plan.source.scan);
  ColumnSet all_columns;
  for (ColumnId id : plan.source.columns) all_columns.Add(id);
  // JSON text read only through property columns is decoded only for blocks whose values
  // are not kept yet (PropertyColumnFiller::Prepare).
  std::vector<bool> read_directly = step->read_after_filter();
  MarkColumns(plan.where.get(), &read_directly);
  if (plan.where_inside_time_range) MarkColumns(plan.where_inside_time_range->get(), &read_directly);
  const ColumnSet extracted_only = JsonColumnsOnlyExtracted(plan.source, read_directly);
  for (ColumnId id : plan.source.columns) {
    if (extracted_only.Contains(id)) all_columns.Remove(id);
  }
  // Per partition, the filter and the columns to decode: inside the time range,
  // the filter without the time bounds, and only the columns something else reads
  // (often not event_time).
  // Property columns the filter does not read are filled for the rows it keeps only.
  const auto ReadsPropertyColumns = [&](const BoundExpr* filter) {
    std::vector<bool> used;
    MarkColumns(filter, &used);
    return used.size() > plan.source.columns.size();
  };
  struct PartitionScan {
    const BoundExpr* filter;
    ColumnSet columns;
    bool properties_before_filter;
    std::string filtered_key;  // a sealed block's kept rows under `filter` (filtered_blocks.h)
  };
  const std::vector<bool>& read_after_filter = step->read_after_filter();
  std::vector<PartitionScan> scans(
      snapshot.partition_count(),
      {plan.where.get(), all_columns, ReadsPropertyColumns(plan.where.get()),
       FilteredBlockKey(plan.source.where_key, plan.source, read_after_filter)});
  if (plan.where_inside_time_range) {
    const BoundExpr* inside_filter = plan.where_inside_time_range->get();
    std::vector<bool> used = step->read_after_filter();
    MarkColumns(inside_filter, &used);
    ColumnSet inside_columns;
    for (size_t i = 0; i < used.size() && i < plan.source.columns.size(); ++i) {
      if (used[i] && !extracted_only.Contains(plan.source.columns[i])) inside_columns.Add(plan.source.columns[i]);
    }
    // The same for every partition inside the range: built once.
    const PartitionScan inside = {inside_filter, inside_columns, ReadsPropertyColumns(inside_filter),
                                  FilteredBlockKey(plan.source.where_inside_key, plan.source, read_after_filter)};
    const ScanOptions& scan = plan.source.scan;
    // Only the partitions listed: asking another one's day would count as reading it
    // (SnapshotReads), and a cached result would then wait on rows it never read.
    for (size_t i = 0; i < list.blocks.size(); ++i) {
      const size_t p = list.blocks[i].partition;
      if (i > 0 && list.blocks[i - 1].partition == p) continue;
      const int32_t day = snapshot.day(p);
      if (MillisOfDay(day) >= scan.min_time_ms && MillisOfDay(day + 1) - 1 <= scan.max_time_ms) {
        scans[p] = inside;
      }
    }
  }

  std::atomic<size_t> next{0};
  absl::Mutex mu;
  absl::Status first_error;
  auto work = [&](BlockWorker* worker) {
    ScanBuffers buffers;
    Batch batch;
    PropertyColumnFiller properties(plan.source, snapshot);
    uint64_t rows_read = 0, bytes_read = 0;
    while (true) {
      if (step->Stopped()) break;
      const size_t index = next.fetch_add(1);
      if (index >= list.blocks.size()) break;
      ScanBlock block;
      absl::Status status = CheckInterrupted(context);
      const PartitionScan& scan = scans[list.blocks[index].partition];
      const BlockRef& ref = list.blocks[index];
      if (status.ok()) {
        if (std::shared_ptr<const FilteredBlock> kept = FindFilteredBlock(snapshot, ref, scan.filtered_key)) {
          // Neither decoded nor filtered again: the kept rows with their columns.
          BatchFromFilteredBlock(*kept, plan.source, read_after_filter, snapshot, &batch);
          batch.pool = &worker->pool;
          rows_read += ref.row_count;
          status = step->ConsumeBatch(worker, &batch);
          worker->pool.Clear();
          if (status.ok()) status = step->CheckResultRows();
          if (status.ok()) continue;
        }
      }
      ColumnSet columns = scan.columns;
      if (!plan.source.property_columns.empty()) columns.AddAll(properties.Prepare(ref));
      if (status.ok()) status = snapshot.ReadBlock(ref, columns, &buffers, &block);
      if (status.ok()) {
        BatchFromBlock(block, plan.source.columns, snapshot, &batch);
        rows_read += batch.rows;
        bytes_read += DecodedBytes(batch);
        const bool fill_first = !plan.source.property_columns.empty() && scan.properties_before_filter;
        if (fill_first) status = properties.Fill(ref, block, nullptr, &batch);
        absl::StatusOr<bool> dropped = status.ok() ? step->FilterBatch(worker, &batch, scan.filter) : status;
        status = dropped.status();
        // A block about to be kept filtered keeps its property columns inside: they are
        // computed for the kept rows only, as a first query without kept values would.
        const bool keeps = status.ok() && *dropped && !scan.filtered_key.empty() && ref.segment >= 0 &&
                           KeepsFilteredBlock(worker->selected.size(), block.row_count);
        if (status.ok() && !fill_first && !plan.source.property_columns.empty()) {
          status = properties.Fill(ref, block, *dropped ? &worker->selected : nullptr, &batch, /*only_rows=*/keeps);
        }
        if (status.ok() && keeps) {
          KeepFilteredBlock(snapshot, ref, scan.filtered_key, batch, worker->selected, block.row_count, plan.source,
                            read_after_filter);
        }
        if (status.ok()) status = step->ConsumeBatch(worker, &batch);
        worker->pool.Clear();
        if (status.ok()) status = step->CheckResultRows();
      }
      if (!status.ok()) {
        absl::MutexLock lock(&mu);
        if (first_error.ok()) first_error = status;
        next.store(list.blocks.size());
        break;
      }
    }
    if (context.rows_read) context.rows_read->fetch_add(rows_read);
    if (context.bytes_read) context.bytes_read->fetch_add(bytes_read);
  };
  ParallelFor(workers->size(), static_cast<int>(workers->size()),
              [&](int, size_t w) { work((*workers)[w].get()); });
  return first_error;
}

absl::Status ScanRows(FilterProject* step, const ResultSet& rows, BlockWorker* worker) {
  // In chunks, as a scan reads blocks: the batch's copies and the expressions'
  // intermediates stay small whatever the row count, and a kill or the time limit
  // stops it between chunks.
  const SelectPlan& plan = step->plan();
  const ExecutionContext& context = step->context();
  const bool generated = plan.source.numbers.has_value();
  const uint64_t total = generated ? *plan.source.numbers : rows.row_count;
  uint64_t begin = 0;
  do {
    MUA_RETURN_IF_ERROR(CheckInterrupted(context));
    const uint64_t end = std::min(total, begin + kRowsChunk);
    Batch batch;
    batch.rows = end - begin;
    if (generated) {
      Vector& number = batch.columns.emplace_back();
      number.type = rows.columns[0].type;
      number.size = batch.rows;
      number.ints.resize(batch.rows);
      const uint64_t start = plan.source.numbers_start, step_size = plan.source.numbers_step;
      for (uint64_t i = 0; i < batch.rows; ++i) number.ints[i] = static_cast<int64_t>(start + (begin + i) * step_size);
    } else {
      for (size_t c = 0; c < rows.columns.size(); ++c) {
        const Column& column = rows.columns[c];
        batch.columns.push_back(step->ReadsColumn(c) ? VectorFromColumn(column, begin, end)
                                                     : Vector::Defaults(column.type, batch.rows));
      }
    }
    if (context.rows_read) context.rows_read->fetch_add(batch.rows);
    MUA_RETURN_IF_ERROR(step->ProcessBatch(worker, &batch, plan.where.get()));
    worker->pool.Clear();
    MUA_RETURN_IF_ERROR(step->CheckResultRows());
    begin = end;
    // system.numbers is endless: a LIMIT without ORDER BY stops the generation.
    if (step->Stopped()) break;
  } while (begin < total);
  return absl::OkStatus();
}

}  // namespace mua
