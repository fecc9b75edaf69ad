#include "server/dimension_tables.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "ingest/table_rows.h"
#include "server/internal/system_rows.h"
#include "sql/catalog.h"
#include "sql/ddl_executor.h"
#include "sql/sql_engine.h"
#include "storage/base/status_macros.h"
#include "storage/base/time_util.h"
#include "storage/dimension_table.h"
#include "storage/table.h"

namespace mua {
namespace {

TypeId ScalarTypeId(DimensionScalar scalar) {
  switch (scalar) {
    case DimensionScalar::kUInt8: return TypeId::kUInt8;
    case DimensionScalar::kUInt16: return TypeId::kUInt16;
    case DimensionScalar::kUInt32: return TypeId::kUInt32;
    case DimensionScalar::kUInt64: return TypeId::kUInt64;
    case DimensionScalar::kInt8: return TypeId::kInt8;
    case DimensionScalar::kInt16: return TypeId::kInt16;
    case DimensionScalar::kInt32: return TypeId::kInt32;
    case DimensionScalar::kInt64: return TypeId::kInt64;
    case DimensionScalar::kFloat64: return TypeId::kFloat64;
    case DimensionScalar::kString: return TypeId::kString;
    case DimensionScalar::kDate: return TypeId::kDate;
    case DimensionScalar::kDateTime: return TypeId::kDateTime;
    case DimensionScalar::kDateTime64: return TypeId::kDateTime64;
  }
  return TypeId::kString;
}

DataType QueryType(const DimensionType& type) {
  DataType out = type.array ? DataType::Array(ScalarTypeId(type.scalar)) : DataType::Of(ScalarTypeId(type.scalar));
  out.nullable = type.nullable && !type.array;
  out.low_cardinality = type.low_cardinality;
  return out;
}

TableSpec SpecOf(const DimensionTable& table) {
  const DimensionTableDef& def = table.def();
  TableSpec spec;
  spec.name = def.name;
  spec.engine = DimensionEngineName(def.engine);
  for (const DimensionColumnDef& column : def.columns) {
    spec.columns.push_back({column.name, column.type.Name(), column.default_expression, column.comment});
  }
  spec.order_by = def.order_by;
  for (int column : def.order_by_columns) spec.order_by_columns.push_back(def.columns[column].name);
  spec.partition_by = def.partition_by;
  spec.primary_key = def.primary_key;
  spec.settings = def.settings;
  spec.comment = def.comment;
  spec.total_rows = table.rows();
  spec.total_bytes = table.bytes();
  return spec;
}

std::string FloatText(double value) { return absl::StrFormat("%.17g", value); }

// The value at `index` of a source column's scalar storage as text, for conversions
// the fast paths below do not cover.
std::string CellText(TypeId id, const Column& column, size_t index) {
  switch (id) {
    case TypeId::kString: return column.strings[index];
    case TypeId::kFloat64: return FloatText(column.floats[index]);
    case TypeId::kDate: return FormatDay(static_cast<int32_t>(column.ints[index]));
    case TypeId::kDateTime: return FormatMillis(column.ints[index] * 1000).substr(0, 19);
    case TypeId::kDateTime64: return FormatMillis(column.ints[index]);
    case TypeId::kUInt64: return absl::StrCat(static_cast<uint64_t>(column.ints[index]));
    default: return absl::StrCat(column.ints[index]);
  }
}

// Appends one scalar of source type `from` (stored at `index`) to a column of `to`.
absl::Status AppendConverted(TypeId from, const Column& column, size_t index, const DimensionType& to,
                             DimensionColumnData* out) {
  const DataType source = DataType::Of(from);
  if (to.is_string() && from == TypeId::kString) {
    out->strings.push_back(column.strings[index]);
  } else if (to.is_float() && (from == TypeId::kFloat64 || source.is_integer())) {
    out->floats.push_back(from == TypeId::kFloat64 ? column.floats[index]
                          : source.is_unsigned()   ? static_cast<double>(static_cast<uint64_t>(column.ints[index]))
                                                   : static_cast<double>(column.ints[index]));
  } else if (from == ScalarTypeId(to.scalar) && !to.is_string() && !to.is_float()) {
    out->ints.push_back(column.ints[index]);
  } else {
    return AppendTextValue(to, CellText(from, column, index), out);
  }
  if (to.nullable) out->nulls.push_back(0);
  return absl::OkStatus();
}

absl::Status ConvertColumn(const Column& column, uint64_t rows, const DimensionType& to, DimensionColumnData* out) {
  const DataType& type = column.type;
  if (type.id == TypeId::kTuple || type.nested_elements()) {
    return absl::InvalidArgumentError(absl::StrCat("cannot store a value of type ", type.Name(), " as ", to.Name()));
  }
  for (uint64_t row = 0; row < rows; ++row) {
    if (column.is_null(row)) {
      MUA_RETURN_IF_ERROR(AppendNullValue(to, out));
      continue;
    }
    if (type.id == TypeId::kArray) {
      if (!to.array) {
        return absl::InvalidArgumentError(absl::StrCat("cannot store an array (", type.Name(), ") as ", to.Name()));
      }
      DimensionType element = to;
      element.array = false;
      element.nullable = false;
      const uint32_t begin = column.array_offsets[row], end = column.array_offsets[row + 1];
      for (uint32_t i = begin; i < end; ++i) MUA_RETURN_IF_ERROR(AppendConverted(type.element, column, i, element, out));
      out->offsets.push_back(out->offsets.back() + (end - begin));
      continue;
    }
    if (to.array) {
      if (type.id != TypeId::kString) {
        return absl::InvalidArgumentError(absl::StrCat("cannot store a value of type ", type.Name(), " as ", to.Name()));
      }
      MUA_RETURN_IF_ERROR(AppendTextValue(to, column.strings[row], out));
      continue;
    }
    MUA_RETURN_IF_ERROR(AppendConverted(type.id, column, row, to, out));
  }
  return absl::OkStatus();
}

absl::StatusOr<DimensionBlock> BlockOf(const DimensionTableDef& def, const ResultSet& rows) {
  if (rows.columns.size() != def.columns.size()) {
    return absl::InvalidArgumentError(absl::StrCat("Number of columns doesn't match: ", rows.columns.size(),
                                                   " given, table ", def.name, " has ", def.columns.size()));
  }
  DimensionBlock block = DimensionBlock::Empty(def);
  block.rows = rows.row_count;
  for (size_t c = 0; c < def.columns.size(); ++c) {
    absl::Status status = ConvertColumn(rows.columns[c], rows.row_count, def.columns[c].type, &block.columns[c]);
    if (!status.ok()) {
      return absl::InvalidArgumentError(absl::StrCat("column ", def.columns[c].name, ": ", status.message()));
    }
  }
  return block;
}

std::shared_ptr<const ResultSet> RowsOf(const DimensionSnapshot& snapshot) {
  auto result = std::make_shared<ResultSet>();
  DimensionBlock merged = snapshot.Merged();
  const DimensionTableDef& def = *snapshot.def;
  for (size_t c = 0; c < def.columns.size(); ++c) {
    Column& column = result->AddColumn(def.columns[c].name, QueryType(def.columns[c].type));
    DimensionColumnData& data = merged.columns[c];
    column.ints = std::move(data.ints);
    column.floats = std::move(data.floats);
    column.strings = std::move(data.strings);
    if (def.columns[c].type.array) column.array_offsets = std::move(data.offsets);
    column.nulls = std::move(data.nulls);
  }
  result->row_count = merged.rows;
  return result;
}

}  // namespace

absl::Status DimensionTableManager::Create(const TableSpec& spec, bool if_not_exists) {
  DimensionTableDef def;
  def.name = spec.name;
  MUA_ASSIGN_OR_RETURN(def.engine, ParseDimensionEngine(spec.engine));
  for (const TableColumnSpec& column : spec.columns) {
    absl::StatusOr<DimensionType> type = DimensionType::Parse(column.type);
    if (!type.ok()) {
      return absl::InvalidArgumentError(absl::StrCat("column ", column.name, ": ", type.status().message()));
    }
    def.columns.push_back({column.name, *type, column.default_expression, column.comment});
  }
  def.order_by = spec.order_by;
  for (const std::string& name : spec.order_by_columns) {
    const int index = def.FindColumn(name);
    if (index < 0) return absl::NotFoundError(absl::StrCat("Missing columns: '", name, "' while processing ORDER BY"));
    def.order_by_columns.push_back(index);
  }
  def.partition_by = spec.partition_by;
  def.primary_key = spec.primary_key;
  def.settings = spec.settings;
  def.comment = spec.comment;
  return tables_->Create(std::move(def), if_not_exists);
}

absl::Status DimensionTableManager::Drop(absl::string_view name, bool if_exists) {
  return tables_->Drop(name, if_exists);
}

absl::Status DimensionTableManager::Truncate(absl::string_view name, bool if_exists) {
  return tables_->Truncate(name, if_exists);
}

absl::StatusOr<uint64_t> DimensionTableManager::Insert(absl::string_view name, const ResultSet& rows) {
  const std::shared_ptr<const DimensionTable> table = tables_->Find(name);
  if (table == nullptr) return absl::NotFoundError(absl::StrCat("Table default.", name, " doesn't exist"));
  MUA_ASSIGN_OR_RETURN(DimensionBlock block, BlockOf(table->def(), rows));
  return tables_->Insert(name, std::move(block));
}

absl::StatusOr<uint64_t> DimensionTableManager::InsertText(absl::string_view name, absl::string_view data,
                                                           absl::string_view format,
                                                           const std::vector<std::string>& columns,
                                                           const ResultSet& defaults) {
  const std::shared_ptr<const DimensionTable> table = tables_->Find(name);
  if (table == nullptr) return absl::NotFoundError(absl::StrCat("Table default.", name, " doesn't exist"));
  MUA_ASSIGN_OR_RETURN(const TableRowsFormat rows_format, ParseTableRowsFormat(format.empty() ? "TabSeparated" : format));
  MUA_ASSIGN_OR_RETURN(const DimensionBlock default_row, BlockOf(table->def(), defaults));
  MUA_ASSIGN_OR_RETURN(DimensionBlock block,
                       ParseTableRows(data, rows_format, table->def(), {.columns = columns, .defaults = &default_row}));
  return tables_->Insert(name, std::move(block));
}

std::optional<TableSpec> DimensionTableManager::Find(absl::string_view name) const {
  const std::shared_ptr<const DimensionTable> table = tables_->Find(name);
  if (table == nullptr) return std::nullopt;
  return SpecOf(*table);
}

std::vector<TableSpec> DimensionTableManager::List() const {
  std::vector<TableSpec> specs;
  for (const auto& table : tables_->List()) specs.push_back(SpecOf(*table));
  return specs;
}

std::shared_ptr<const ResultSet> DimensionTableManager::Read(absl::string_view name) const {
  const std::shared_ptr<const DimensionTable> table = tables_->Find(name);
  if (table == nullptr) return nullptr;
  const DimensionSnapshot snapshot = table->Snapshot();
  {
    absl::MutexLock lock(&cache_mu_);
    auto it = cache_.find(name);
    if (it != cache_.end() && it->second.table == snapshot.def && it->second.version == snapshot.version) {
      return it->second.rows;
    }
  }
  std::shared_ptr<const ResultSet> rows = RowsOf(snapshot);
  absl::MutexLock lock(&cache_mu_);
  cache_[std::string(name)] = Cached{snapshot.def, snapshot.version, rows};
  return rows;
}

absl::StatusOr<uint64_t> InsertTableRows(const Catalog& catalog, const SqlEngine& engine, absl::string_view table,
                                         absl::string_view data, absl::string_view format,
                                         const std::vector<std::string>& columns) {
  auto* manager = dynamic_cast<DimensionTableManager*>(catalog.table_manager());
  std::optional<TableSpec> spec = manager != nullptr ? manager->Find(table) : std::nullopt;
  if (!spec.has_value()) {
    return absl::NotFoundError(absl::StrCat("Table default.", table,
                                            " doesn't exist (INSERT ... FORMAT goes into events or a created table)"));
  }
  const DdlContext context{&catalog, [&engine](absl::string_view select) -> absl::StatusOr<ResultSet> {
                             MUA_ASSIGN_OR_RETURN(StatementOutput output, engine.Execute(select));
                             return std::move(output.result);
                           }};
  MUA_ASSIGN_OR_RETURN(const ResultSet defaults, EvaluateDefaults(*spec, context));
  return manager->InsertText(table, data, format, columns, defaults);
}

void RegisterDimensionTables(Catalog* catalog, DimensionTableManager* manager, const Table* events) {
  catalog->SetTableManager(manager);
  static const server_internal::ColumnList* const kProfileColumns = new server_internal::ColumnList{
      {"user_id", "String"},          {"first_seen", "DateTime64(3)"}, {"last_seen", "DateTime64(3)"},
      {"event_count", "UInt64"},      {"platform", "String"},          {"app_version", "String"},
      {"country", "String"},          {"device_type", "String"}};
  catalog->RegisterTable("default", "user_profiles", *kProfileColumns, [events] {
    auto rows = std::make_shared<ResultSet>(server_internal::EmptyRows(*kProfileColumns));
    std::vector<Column>& c = rows->columns;
    for (UserProfile& profile : events->UserProfiles()) {
      c[0].strings.push_back(std::move(profile.user_id));
      c[1].ints.push_back(profile.first_seen_ms);
      c[2].ints.push_back(profile.last_seen_ms);
      c[3].ints.push_back(static_cast<int64_t>(profile.event_count));
      c[4].strings.push_back(std::move(profile.platform));
      c[5].strings.push_back(std::move(profile.app_version));
      c[6].strings.push_back(std::move(profile.country));
      c[7].strings.push_back(std::move(profile.device_type));
      ++rows->row_count;
    }
    return std::shared_ptr<const ResultSet>(rows);
  });
}

}  // namespace mua
