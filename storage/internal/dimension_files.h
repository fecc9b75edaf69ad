// The files of a persisted dimension table (docs/formats/dimension_tables.md):
// its manifest (JSON: definition and the list of parts with their sizes and
// checksums) and its parts (a block's columns, Zstd-compressed). Both are framed
// by internal/file_format.h. Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "storage/dimension_table.h"
#include "storage/internal/file_format.h"

namespace mua::storage_internal {

struct DimensionPartEntry {
  FileInfo info;
  uint64_t rows = 0;
};

struct DimensionManifest {
  DimensionTableDef def;
  uint64_t next_part = 1;
  std::vector<DimensionPartEntry> parts;
};

std::string EncodeDimensionManifest(const DimensionManifest& manifest);
// Errors: DataLoss naming what is malformed.
absl::StatusOr<DimensionManifest> ParseDimensionManifest(absl::string_view text);

// The payload of a part file (Zstd inside).
std::string EncodeDimensionPart(const DimensionTableDef& def, const DimensionBlock& block);
// Errors: DataLoss when the bytes do not decode to a block of `def`.
absl::StatusOr<DimensionBlock> DecodeDimensionPart(const DimensionTableDef& def, absl::string_view payload);

// "00000012.part"
std::string DimensionPartName(uint64_t number);

}  // namespace mua::storage_internal
