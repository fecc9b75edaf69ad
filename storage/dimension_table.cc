#include "storage/dimension_table.h"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <filesystem>
#include <numeric>
#include <optional>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "storage/base/status_macros.h"
#include "storage/internal/dimension_files.h"
#include "storage/internal/file_format.h"

namespace mua {
namespace {

namespace fs = std::filesystem;
using storage_internal::DimensionManifest;
using storage_internal::DimensionPartEntry;
using storage_internal::FileKind;

constexpr const char* kManifestName = "TABLE";

struct ScalarName {
  const char* name;
  DimensionScalar scalar;
};
constexpr ScalarName kScalars[] = {
    {"UInt8", DimensionScalar::kUInt8},       {"UInt16", DimensionScalar::kUInt16},
    {"UInt32", DimensionScalar::kUInt32},     {"UInt64", DimensionScalar::kUInt64},
    {"Int8", DimensionScalar::kInt8},         {"Int16", DimensionScalar::kInt16},
    {"Int32", DimensionScalar::kInt32},       {"Int64", DimensionScalar::kInt64},
    {"Float64", DimensionScalar::kFloat64},   {"Float32", DimensionScalar::kFloat64},
    {"String", DimensionScalar::kString},     {"Date", DimensionScalar::kDate},
    {"DateTime", DimensionScalar::kDateTime}, {"DateTime64", DimensionScalar::kDateTime64},
    {"Bool", DimensionScalar::kUInt8},
};

const char* ScalarTypeName(DimensionScalar scalar) {
  switch (scalar) {
    case DimensionScalar::kDateTime64: return "DateTime64(3)";
    case DimensionScalar::kFloat64: return "Float64";
    default:
      for (const ScalarName& entry : kScalars) {
        if (entry.scalar == scalar) return entry.name;
      }
  }
  return "String";
}

// "Inner" of "Wrapper(Inner)", or nullopt when `name` is not of that shape.
std::optional<absl::string_view> Unwrap(absl::string_view name, absl::string_view wrapper) {
  if (!absl::StartsWith(name, wrapper) || !absl::EndsWith(name, ")")) return std::nullopt;
  absl::string_view rest = name.substr(wrapper.size());
  rest = absl::StripLeadingAsciiWhitespace(rest);
  if (!absl::ConsumePrefix(&rest, "(")) return std::nullopt;
  rest.remove_suffix(1);
  return absl::StripAsciiWhitespace(rest);
}

absl::StatusOr<DimensionScalar> ParseScalar(absl::string_view name) {
  // A time zone argument must be UTC: MUA stores and shows times in UTC.
  auto utc_only = [](absl::string_view args) {
    return args.empty() || args == "'UTC'" || args == "'Etc/UTC'";
  };
  if (auto args = Unwrap(name, "DateTime64")) {
    const size_t comma = args->find(',');
    const absl::string_view precision = absl::StripAsciiWhitespace(args->substr(0, comma));
    const absl::string_view zone =
        comma == absl::string_view::npos ? "" : absl::StripAsciiWhitespace(args->substr(comma + 1));
    if (precision == "3" && utc_only(zone)) return DimensionScalar::kDateTime64;
  } else if (auto zone = Unwrap(name, "DateTime")) {
    if (utc_only(*zone)) return DimensionScalar::kDateTime;
  } else if (name != "DateTime64") {
    for (const ScalarName& entry : kScalars) {
      if (name == entry.name) return entry.scalar;
    }
  }
  return absl::InvalidArgumentError(absl::StrCat(
      "Unsupported column type ", name,
      ": dimension tables take UInt8..UInt64, Int8..Int64, Float32/Float64, String, Date, DateTime, "
      "DateTime64(3), and Nullable(T), LowCardinality(String), Array(T) of them"));
}

int CompareValues(const DimensionType& type, const DimensionColumnData& a, uint64_t i,
                  const DimensionColumnData& b, uint64_t j) {
  if (type.nullable) {
    const bool null_a = a.nulls[i] != 0, null_b = b.nulls[j] != 0;
    if (null_a || null_b) return null_a == null_b ? 0 : (null_a ? 1 : -1);  // NULLs last
  }
  if (type.is_string()) return a.strings[i].compare(b.strings[j]) < 0 ? -1 : (a.strings[i] == b.strings[j] ? 0 : 1);
  if (type.is_float()) return a.floats[i] < b.floats[j] ? -1 : (b.floats[j] < a.floats[i] ? 1 : 0);
  if (type.is_unsigned()) {
    const uint64_t x = static_cast<uint64_t>(a.ints[i]), y = static_cast<uint64_t>(b.ints[j]);
    return x < y ? -1 : (y < x ? 1 : 0);
  }
  return a.ints[i] < b.ints[j] ? -1 : (b.ints[j] < a.ints[i] ? 1 : 0);
}

// The block sorted (stably) by the definition's ORDER BY columns.
DimensionBlock SortedByKey(const DimensionTableDef& def, const DimensionBlock& block) {
  std::vector<uint64_t> order(block.rows);
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](uint64_t x, uint64_t y) {
    for (int column : def.order_by_columns) {
      const int c = CompareValues(def.columns[column].type, block.columns[column], x, block.columns[column], y);
      if (c != 0) return c < 0;
    }
    return false;
  });
  DimensionBlock sorted = DimensionBlock::Empty(def);
  for (uint64_t row : order) sorted.AppendRow(def, block, row);
  return sorted;
}

bool SortsOnWrite(const DimensionTableDef& def) {
  return def.engine == DimensionEngine::kMergeTree && !def.order_by_columns.empty();
}

absl::Status IoError(absl::string_view what, const fs::path& path, const std::error_code& error) {
  return absl::InternalError(absl::StrCat(what, " ", path.string(), ": ", error.message()));
}

}  // namespace

// --- Types and definitions.

absl::StatusOr<DimensionType> DimensionType::Parse(absl::string_view name) {
  name = absl::StripAsciiWhitespace(name);
  DimensionType type;
  if (auto inner = Unwrap(name, "LowCardinality")) {
    type.low_cardinality = true;
    name = *inner;
    if (auto nullable = Unwrap(name, "Nullable")) {
      type.nullable = true;
      name = *nullable;
    }
    if (name != "String") {
      return absl::InvalidArgumentError("Unsupported column type: LowCardinality takes String or Nullable(String)");
    }
    type.scalar = DimensionScalar::kString;
    return type;
  }
  if (auto inner = Unwrap(name, "Array")) {
    type.array = true;
    name = *inner;
    if (absl::StartsWith(name, "Array") || absl::StartsWith(name, "Nullable") ||
        absl::StartsWith(name, "LowCardinality")) {
      return absl::InvalidArgumentError(absl::StrCat("Unsupported column type Array(", name,
                                                     "): arrays of plain scalar types only"));
    }
  } else if (auto nullable = Unwrap(name, "Nullable")) {
    type.nullable = true;
    name = *nullable;
  }
  MUA_ASSIGN_OR_RETURN(type.scalar, ParseScalar(name));
  return type;
}

std::string DimensionType::Name() const {
  std::string name = ScalarTypeName(scalar);
  if (nullable) name = absl::StrCat("Nullable(", name, ")");
  if (array) name = absl::StrCat("Array(", name, ")");
  if (low_cardinality) name = absl::StrCat("LowCardinality(", name, ")");
  return name;
}

const char* DimensionEngineName(DimensionEngine engine) {
  switch (engine) {
    case DimensionEngine::kMemory: return "Memory";
    case DimensionEngine::kLog: return "Log";
    case DimensionEngine::kTinyLog: return "TinyLog";
    case DimensionEngine::kStripeLog: return "StripeLog";
    case DimensionEngine::kMergeTree: return "MergeTree";
  }
  return "Memory";
}

absl::StatusOr<DimensionEngine> ParseDimensionEngine(absl::string_view name) {
  for (DimensionEngine engine : {DimensionEngine::kMemory, DimensionEngine::kLog, DimensionEngine::kTinyLog,
                                 DimensionEngine::kStripeLog, DimensionEngine::kMergeTree}) {
    if (absl::EqualsIgnoreCase(name, DimensionEngineName(engine))) return engine;
  }
  return absl::InvalidArgumentError(absl::StrCat(
      "Unknown table engine ", name, ": MUA's tables are MergeTree, Log (TinyLog, StripeLog) or Memory"));
}

int DimensionTableDef::FindColumn(absl::string_view column) const {
  for (size_t i = 0; i < columns.size(); ++i) {
    if (columns[i].name == column) return static_cast<int>(i);
  }
  return -1;
}

bool ValidDimensionTableName(absl::string_view name) {
  if (name.empty() || name.size() > 128) return false;
  if (!absl::ascii_isalpha(static_cast<unsigned char>(name[0])) && name[0] != '_') return false;
  return std::all_of(name.begin(), name.end(),
                     [](char c) { return absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '_'; });
}

// --- Blocks.

DimensionBlock DimensionBlock::Empty(const DimensionTableDef& def) {
  DimensionBlock block;
  block.columns.resize(def.columns.size());
  for (size_t c = 0; c < def.columns.size(); ++c) {
    if (def.columns[c].type.array) block.columns[c].offsets.push_back(0);
  }
  return block;
}

void DimensionBlock::AppendRow(const DimensionTableDef& def, const DimensionBlock& other, uint64_t row) {
  for (size_t c = 0; c < def.columns.size(); ++c) {
    const DimensionType& type = def.columns[c].type;
    const DimensionColumnData& from = other.columns[c];
    DimensionColumnData& to = columns[c];
    uint64_t begin = row, end = row + 1;
    if (type.array) {
      begin = from.offsets[row];
      end = from.offsets[row + 1];
      to.offsets.push_back(static_cast<uint32_t>(to.offsets.back() + (end - begin)));
    }
    for (uint64_t i = begin; i < end; ++i) {
      if (type.nullable) to.nulls.push_back(from.nulls[i]);
      if (type.is_string()) {
        to.strings.push_back(from.strings[i]);
      } else if (type.is_float()) {
        to.floats.push_back(from.floats[i]);
      } else {
        to.ints.push_back(from.ints[i]);
      }
    }
  }
  ++rows;
}

size_t DimensionBlock::memory_bytes() const {
  size_t bytes = sizeof(DimensionBlock);
  for (const DimensionColumnData& column : columns) {
    bytes += column.ints.capacity() * sizeof(int64_t) + column.floats.capacity() * sizeof(double) +
             column.strings.capacity() * sizeof(std::string) + column.offsets.capacity() * sizeof(uint32_t) +
             column.nulls.capacity();
    for (const std::string& value : column.strings) {
      if (value.capacity() > 15) bytes += value.capacity();  // beyond the inline buffer
    }
  }
  return bytes;
}

absl::Status DimensionBlock::Validate(const DimensionTableDef& def) const {
  if (columns.size() != def.columns.size()) {
    return absl::InvalidArgumentError(absl::StrCat("a block of ", columns.size(), " columns for table ", def.name,
                                                   " of ", def.columns.size()));
  }
  for (size_t c = 0; c < columns.size(); ++c) {
    const DimensionType& type = def.columns[c].type;
    const DimensionColumnData& data = columns[c];
    uint64_t values = rows;
    if (type.array) {
      if (data.offsets.size() != rows + 1 || data.offsets.front() != 0 ||
          !std::is_sorted(data.offsets.begin(), data.offsets.end())) {
        return absl::InvalidArgumentError(absl::StrCat("column ", def.columns[c].name, ": bad array offsets"));
      }
      values = data.offsets.back();
    }
    const size_t held = type.is_string() ? data.strings.size() : type.is_float() ? data.floats.size() : data.ints.size();
    const size_t others = data.ints.size() + data.floats.size() + data.strings.size() - held;
    if (held != values || others != 0 || data.nulls.size() != (type.nullable ? values : 0)) {
      return absl::InvalidArgumentError(
          absl::StrCat("column ", def.columns[c].name, ": values do not match its type ", type.Name()));
    }
  }
  return absl::OkStatus();
}

uint64_t DimensionSnapshot::rows() const {
  uint64_t total = 0;
  for (const auto& part : parts) total += part->rows;
  return total;
}

DimensionBlock DimensionSnapshot::Merged() const {
  if (parts.size() == 1) return *parts[0];
  DimensionBlock merged = DimensionBlock::Empty(*def);
  for (const auto& part : parts) {
    for (uint64_t row = 0; row < part->rows; ++row) merged.AppendRow(*def, *part, row);
  }
  if (parts.size() > 1 && SortsOnWrite(*def)) return SortedByKey(*def, merged);
  return merged;
}

// --- One table.

struct DimensionTable::Disk {
  std::string dir;
  DimensionManifest manifest;
};

DimensionTable::DimensionTable(std::shared_ptr<const DimensionTableDef> def) : def_(std::move(def)) {}
DimensionTable::~DimensionTable() = default;

DimensionSnapshot DimensionTable::Snapshot() const {
  absl::MutexLock lock(&mu_);
  return DimensionSnapshot{def_, parts_, version_};
}

uint64_t DimensionTable::rows() const {
  absl::MutexLock lock(&mu_);
  return rows_;
}

uint64_t DimensionTable::bytes() const {
  absl::MutexLock lock(&mu_);
  return bytes_;
}

namespace {

// Writes `manifest` as dir/TABLE atomically and durably.
absl::Status WriteManifest(const std::string& dir, const DimensionManifest& manifest) {
  MUA_RETURN_IF_ERROR(storage_internal::WriteFramedFile(dir, "TABLE.tmp", FileKind::kDimensionManifest,
                                                        storage_internal::EncodeDimensionManifest(manifest))
                          .status());
  return storage_internal::RenameDurably(dir + "/TABLE.tmp", absl::StrCat(dir, "/", kManifestName), dir);
}

// Removes the files of `dir` the manifest does not name (superseded parts, a torn TABLE.tmp).
void RemoveUnreferenced(const std::string& dir, const DimensionManifest& manifest) {
  std::error_code error;
  for (const auto& entry : fs::directory_iterator(dir, error)) {
    const std::string name = entry.path().filename().string();
    if (name == kManifestName) continue;
    const bool referenced = std::any_of(manifest.parts.begin(), manifest.parts.end(),
                                        [&](const DimensionPartEntry& part) { return part.info.name == name; });
    if (!referenced) fs::remove(entry.path(), error);
  }
}

}  // namespace

// --- The set of tables.

DimensionTables::DimensionTables(DimensionTablesOptions options) : options_(std::move(options)) {}
DimensionTables::~DimensionTables() = default;

void DimensionTables::Log(const std::string& message) const {
  if (options_.log) {
    options_.log(message);
  } else {
    std::fprintf(stderr, "mua: %s\n", message.c_str());
  }
}

absl::StatusOr<std::unique_ptr<DimensionTables>> DimensionTables::Open(DimensionTablesOptions options) {
  std::unique_ptr<DimensionTables> tables(new DimensionTables(std::move(options)));
  if (!tables->options_.dir.empty()) MUA_RETURN_IF_ERROR(tables->Load());
  return tables;
}

absl::Status DimensionTables::Load() {
  MUA_RETURN_IF_ERROR(storage_internal::MakePrivateDirectories(options_.dir));
  std::error_code error;
  std::vector<fs::path> dirs;
  for (const auto& entry : fs::directory_iterator(options_.dir, error)) {
    if (entry.is_directory(error)) dirs.push_back(entry.path());
  }
  if (error) return IoError("cannot list", options_.dir, error);
  std::sort(dirs.begin(), dirs.end());
  absl::MutexLock lock(&mu_);
  for (const fs::path& dir : dirs) {
    const std::string name = dir.filename().string();
    const std::string manifest_path = (dir / kManifestName).string();
    if (!fs::exists(manifest_path, error)) {
      // A CREATE or DROP the crash interrupted: the table never was, or is gone.
      fs::remove_all(dir, error);
      recovery_.notes.push_back(absl::StrCat("removed ", dir.string(), " (no ", kManifestName, ")"));
      continue;
    }
    auto load = [&]() -> absl::StatusOr<std::shared_ptr<DimensionTable>> {
      MUA_ASSIGN_OR_RETURN(const std::string bytes,
                           storage_internal::ReadFramedFile(manifest_path, FileKind::kDimensionManifest));
      absl::StatusOr<DimensionManifest> manifest = storage_internal::ParseDimensionManifest(bytes);
      if (!manifest.ok()) return absl::DataLossError(absl::StrCat(manifest_path, ": ", manifest.status().message()));
      if (manifest->def.name != name) {
        return absl::DataLossError(absl::StrCat(manifest_path, ": names table ", manifest->def.name));
      }
      auto table = std::shared_ptr<DimensionTable>(
          new DimensionTable(std::make_shared<const DimensionTableDef>(manifest->def)));
      for (const DimensionPartEntry& part : manifest->parts) {
        const std::string path = (dir / part.info.name).string();
        MUA_ASSIGN_OR_RETURN(const std::string payload,
                             storage_internal::ReadFramedFile(path, FileKind::kDimensionPart, &part.info));
        absl::StatusOr<DimensionBlock> block = storage_internal::DecodeDimensionPart(table->def(), payload);
        if (!block.ok() || block->rows != part.rows) {
          return absl::DataLossError(absl::StrCat(path, ": ", block.ok() ? "row count differs" : block.status().message()));
        }
        auto shared = std::make_shared<const DimensionBlock>(*std::move(block));
        table->rows_ += shared->rows;
        table->bytes_ += shared->memory_bytes();
        table->parts_.push_back(std::move(shared));
      }
      RemoveUnreferenced(dir.string(), *manifest);
      absl::MutexLock write_lock(&table->write_mu_);
      table->disk_ = std::make_unique<DimensionTable::Disk>(DimensionTable::Disk{dir.string(), *std::move(manifest)});
      return table;
    };
    absl::StatusOr<std::shared_ptr<DimensionTable>> table = load();
    if (!table.ok()) {
      if (!absl::IsDataLoss(table.status()) || !options_.skip_damaged) return table.status();
      const fs::path quarantine = fs::path(options_.dir).parent_path() / "quarantine";
      MUA_RETURN_IF_ERROR(storage_internal::MakePrivateDirectories(quarantine.string()));
      const fs::path aside = quarantine / absl::StrCat("table-", name, "-", absl::ToUnixSeconds(absl::Now()));
      fs::rename(dir, aside, error);
      if (error) return IoError("cannot move a damaged table to", aside, error);
      recovery_.degraded = true;
      recovery_.notes.push_back(absl::StrCat("table ", name, " is damaged (", table.status().message(),
                                             "): set aside in ", aside.string()));
      Log(recovery_.notes.back());
      continue;
    }
    ++recovery_.tables;
    recovery_.rows += (*table)->rows_;
    tables_[name] = *std::move(table);
  }
  return storage_internal::SyncDirectory(options_.dir);
}

absl::Status DimensionTables::Create(DimensionTableDef def, bool if_not_exists) {
  if (!ValidDimensionTableName(def.name)) {
    return absl::InvalidArgumentError(absl::StrCat("Bad table name '", def.name,
                                                   "': use letters, digits and '_' (at most 128), not starting "
                                                   "with a digit"));
  }
  if (def.columns.empty()) return absl::InvalidArgumentError("A table needs at least one column");
  for (size_t i = 0; i < def.columns.size(); ++i) {
    if (def.FindColumn(def.columns[i].name) != static_cast<int>(i)) {
      return absl::InvalidArgumentError(absl::StrCat("Column ", def.columns[i].name, " is declared twice"));
    }
  }
  for (int column : def.order_by_columns) {
    if (column < 0 || column >= static_cast<int>(def.columns.size()) || def.columns[column].type.array) {
      return absl::InvalidArgumentError("ORDER BY takes columns of scalar types");
    }
  }
  if (def.created_ms == 0) def.created_ms = absl::ToUnixMillis(absl::Now());
  absl::MutexLock lock(&mu_);
  if (tables_.contains(def.name)) {
    if (if_not_exists) return absl::OkStatus();
    return absl::AlreadyExistsError(absl::StrCat("Table default.", def.name, " already exists"));
  }
  auto table = std::shared_ptr<DimensionTable>(new DimensionTable(std::make_shared<const DimensionTableDef>(def)));
  // A Memory table's definition is kept too (it comes back empty, as in ClickHouse).
  if (!options_.dir.empty()) {
    const std::string dir = absl::StrCat(options_.dir, "/", def.name);
    std::error_code error;
    fs::remove_all(dir, error);
    MUA_RETURN_IF_ERROR(storage_internal::MakePrivateDirectories(dir));
    DimensionManifest manifest{.def = def};
    MUA_RETURN_IF_ERROR(WriteManifest(dir, manifest));
    MUA_RETURN_IF_ERROR(storage_internal::SyncDirectory(options_.dir));
    absl::MutexLock write_lock(&table->write_mu_);
    table->disk_ = std::make_unique<DimensionTable::Disk>(DimensionTable::Disk{dir, std::move(manifest)});
  }
  tables_[def.name] = std::move(table);
  return absl::OkStatus();
}

absl::Status DimensionTables::Drop(absl::string_view name, bool if_exists) {
  absl::MutexLock lock(&mu_);
  auto it = tables_.find(name);
  if (it == tables_.end()) {
    if (if_exists) return absl::OkStatus();
    return absl::NotFoundError(absl::StrCat("Table default.", name, " doesn't exist"));
  }
  DimensionTable& table = *it->second;
  absl::MutexLock write_lock(&table.write_mu_);
  if (table.disk_ != nullptr) {
    // Without its manifest the table is gone, whatever a crash leaves of the rest.
    const std::string manifest = absl::StrCat(table.disk_->dir, "/", kManifestName);
    if (std::remove(manifest.c_str()) != 0 && errno != ENOENT) {
      return absl::InternalError(absl::StrCat("cannot remove ", manifest));
    }
    MUA_RETURN_IF_ERROR(storage_internal::SyncDirectory(table.disk_->dir));
    std::error_code error;
    fs::remove_all(table.disk_->dir, error);
    MUA_RETURN_IF_ERROR(storage_internal::SyncDirectory(options_.dir));
    table.disk_.reset();
  }
  table.dropped_ = true;
  tables_.erase(it);
  return absl::OkStatus();
}

absl::Status DimensionTables::Truncate(absl::string_view name, bool if_exists) {
  std::shared_ptr<DimensionTable> table;
  {
    absl::MutexLock lock(&mu_);
    auto it = tables_.find(name);
    if (it != tables_.end()) table = it->second;
  }
  if (table == nullptr) {
    if (if_exists) return absl::OkStatus();
    return absl::NotFoundError(absl::StrCat("Table default.", name, " doesn't exist"));
  }
  absl::MutexLock write_lock(&table->write_mu_);
  if (table->dropped_) return absl::NotFoundError(absl::StrCat("Table default.", name, " doesn't exist"));
  if (table->disk_ != nullptr) {
    DimensionManifest manifest = table->disk_->manifest;
    manifest.parts.clear();
    MUA_RETURN_IF_ERROR(WriteManifest(table->disk_->dir, manifest));
    table->disk_->manifest = std::move(manifest);
    RemoveUnreferenced(table->disk_->dir, table->disk_->manifest);
  }
  absl::MutexLock lock(&table->mu_);
  table->parts_.clear();
  table->rows_ = 0;
  table->bytes_ = 0;
  ++table->version_;
  return absl::OkStatus();
}

absl::StatusOr<uint64_t> DimensionTables::Insert(absl::string_view name, DimensionBlock block) {
  std::shared_ptr<DimensionTable> table;
  {
    absl::MutexLock lock(&mu_);
    auto it = tables_.find(name);
    if (it != tables_.end()) table = it->second;
  }
  if (table == nullptr) return absl::NotFoundError(absl::StrCat("Table default.", name, " doesn't exist"));
  const DimensionTableDef& def = table->def();
  MUA_RETURN_IF_ERROR(block.Validate(def));
  if (block.rows == 0) return 0;
  if (SortsOnWrite(def)) block = SortedByKey(def, block);
  auto part = std::make_shared<const DimensionBlock>(std::move(block));
  const uint64_t part_bytes = part->memory_bytes();

  absl::MutexLock write_lock(&table->write_mu_);
  if (table->dropped_) return absl::NotFoundError(absl::StrCat("Table default.", name, " doesn't exist"));
  DimensionSnapshot current = table->Snapshot();
  const uint64_t held = table->bytes();
  if (held + part_bytes > options_.max_table_bytes) {
    return absl::ResourceExhaustedError(absl::StrCat(
        "Table default.", name, " would hold ", held + part_bytes, " bytes, over the limit of ",
        options_.max_table_bytes, " bytes per dimension table (--max_dimension_table_mb)"));
  }
  std::vector<std::shared_ptr<const DimensionBlock>> parts = current.parts;
  parts.push_back(part);
  // Many small INSERTs: fold the parts into one, so reads and restarts stay cheap.
  if (static_cast<int>(parts.size()) > options_.max_parts) {
    current.parts = parts;
    parts = {std::make_shared<const DimensionBlock>(current.Merged())};
  }
  if (table->disk_ != nullptr && def.persisted()) {
    DimensionManifest manifest = table->disk_->manifest;
    if (parts.size() == 1 && parts[0] != part) manifest.parts.clear();
    const std::string file = storage_internal::DimensionPartName(manifest.next_part++);
    MUA_ASSIGN_OR_RETURN(storage_internal::FileInfo info,
                         storage_internal::WriteFramedFile(table->disk_->dir, file, FileKind::kDimensionPart,
                                                           storage_internal::EncodeDimensionPart(def, *parts.back())));
    manifest.parts.push_back({std::move(info), parts.back()->rows});
    MUA_RETURN_IF_ERROR(WriteManifest(table->disk_->dir, manifest));
    table->disk_->manifest = std::move(manifest);
    RemoveUnreferenced(table->disk_->dir, table->disk_->manifest);
  }
  const uint64_t inserted = part->rows;
  absl::MutexLock lock(&table->mu_);
  table->parts_ = std::move(parts);
  table->rows_ += inserted;
  table->bytes_ = 0;
  for (const auto& each : table->parts_) table->bytes_ += each->memory_bytes();
  ++table->version_;
  return inserted;
}

std::shared_ptr<const DimensionTable> DimensionTables::Find(absl::string_view name) const {
  absl::MutexLock lock(&mu_);
  auto it = tables_.find(name);
  return it == tables_.end() ? nullptr : it->second;
}

std::vector<std::shared_ptr<const DimensionTable>> DimensionTables::List() const {
  absl::MutexLock lock(&mu_);
  std::vector<std::shared_ptr<const DimensionTable>> out;
  for (const auto& [name, table] : tables_) out.push_back(table);
  return out;
}

absl::StatusOr<uint64_t> DimensionTables::Backup(const std::string& target) const {
  std::vector<std::shared_ptr<DimensionTable>> tables;
  {
    absl::MutexLock lock(&mu_);
    for (const auto& [name, table] : tables_) tables.push_back(table);
  }
  uint64_t bytes = 0;
  for (const auto& table : tables) {
    absl::MutexLock write_lock(&table->write_mu_);
    if (table->disk_ == nullptr) continue;
    const std::string to_dir = absl::StrCat(target, "/", table->def().name);
    MUA_RETURN_IF_ERROR(storage_internal::MakePrivateDirectories(to_dir));
    std::vector<std::string> names = {kManifestName};
    for (const DimensionPartEntry& part : table->disk_->manifest.parts) names.push_back(part.info.name);
    for (const std::string& file : names) {
      const fs::path from = fs::path(table->disk_->dir) / file;
      const fs::path to = fs::path(to_dir) / file;
      std::error_code error;
      fs::create_hard_link(from, to, error);
      if (error) {
        error.clear();
        fs::copy_file(from, to, error);
        if (error) return IoError("cannot copy to", to, error);
      }
      bytes += fs::file_size(from, error);
    }
    MUA_RETURN_IF_ERROR(storage_internal::SyncDirectory(to_dir));
  }
  if (!tables.empty() && fs::exists(target)) MUA_RETURN_IF_ERROR(storage_internal::SyncDirectory(target));
  return bytes;
}

}  // namespace mua
