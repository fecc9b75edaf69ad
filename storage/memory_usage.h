// MemoryUsage: bytes held by a partition or a table, split the way
// system.tables reports them. Figures are the sizes of the buffers storage
// allocates (capacities, not lengths), so they add up across levels exactly.
#pragma once

#include <array>
#include <cstddef>

#include "storage/schema.h"

namespace mua {

struct MemoryUsage {
  // Sealed, encoded column blocks plus zone maps, per column.
  std::array<size_t, kNumColumns> sealed_column_bytes = {};
  // The uncompressed mutable head, per column (string bytes included).
  std::array<size_t, kNumColumns> head_column_bytes = {};
  // Encoded blocks of cold columns kept only in checkpoint files (StoreOptions::cold_columns),
  // read back on demand: on disk, not resident, so not in total_bytes().
  std::array<size_t, kNumColumns> cold_column_bytes = {};
  size_t bitmap_bytes = 0;      // per-partition user bitmaps
  // Values derived from sealed blocks and kept for later scans (storage/derived_block.h).
  size_t derived_bytes = 0;
  size_t dictionary_bytes = 0;  // table level: low-cardinality dictionaries
  size_t user_index_bytes = 0;  // table level: user_id <-> user number
  size_t rows = 0;
  size_t sealed_rows = 0;
  size_t segments = 0;

  size_t column_bytes(ColumnId id) const {
    return sealed_column_bytes[ColumnIndex(id)] + head_column_bytes[ColumnIndex(id)];
  }
  size_t cold_bytes() const {
    size_t total = 0;
    for (const size_t bytes : cold_column_bytes) total += bytes;
    return total;
  }
  size_t total_bytes() const {
    size_t total = bitmap_bytes + derived_bytes + dictionary_bytes + user_index_bytes;
    for (int i = 0; i < kNumColumns; ++i) total += sealed_column_bytes[i] + head_column_bytes[i];
    return total;
  }
  MemoryUsage& operator+=(const MemoryUsage& other) {
    for (int i = 0; i < kNumColumns; ++i) {
      sealed_column_bytes[i] += other.sealed_column_bytes[i];
      head_column_bytes[i] += other.head_column_bytes[i];
      cold_column_bytes[i] += other.cold_column_bytes[i];
    }
    bitmap_bytes += other.bitmap_bytes;
    derived_bytes += other.derived_bytes;
    dictionary_bytes += other.dictionary_bytes;
    user_index_bytes += other.user_index_bytes;
    rows += other.rows;
    sealed_rows += other.sealed_rows;
    segments += other.segments;
    return *this;
  }
};

}  // namespace mua
