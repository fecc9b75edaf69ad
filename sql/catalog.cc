#include "sql/catalog.h"

#include "absl/strings/str_cat.h"
#include "query/analytics/experiment.h"
#include "sql/internal/function_tables.h"
#include "storage/base/status_macros.h"
#include "sql/table_manager.h"
#include "storage/base/time_util.h"
#include "storage/table.h"

namespace mua {
namespace {

thread_local const QueryCaller* current_caller = nullptr;

}  // namespace

const QueryCaller& CurrentQueryCaller() {
  static const QueryCaller* const kNobody = new QueryCaller{};
  return current_caller != nullptr ? *current_caller : *kNobody;
}

QueryCallerScope::QueryCallerScope(const QueryCaller* caller) : previous_(current_caller) {
  current_caller = caller;
}

QueryCallerScope::~QueryCallerScope() { current_caller = previous_; }
namespace {

// Seed 002's gold table: one row per user and day, from the sessions view.
constexpr absl::string_view kDailyUserMetricsView = R"sql(
SELECT toDate(start) AS date, user_id, count() AS session_count, sum(events) AS total_events,
       sum(duration_s) AS total_time_spent_s, avg(duration_s) AS avg_session_duration_s,
       sum(revenue) AS revenue
FROM sessions GROUP BY date, user_id)sql";

ResultSet MakeRows(std::vector<std::pair<std::string, TypeId>> columns) {
  ResultSet rows;
  for (auto& [name, type] : columns) rows.AddColumn(name, DataType::Of(type));
  return rows;
}

}  // namespace

Catalog::Catalog(const Table* events) : events_(events) { sql_internal::RegisterFunctionTables(this); }

std::optional<std::string> Catalog::FindView(absl::string_view name) const {
  if (name == "daily_user_metrics") return std::string(kDailyUserMetricsView);
  return std::nullopt;
}

void Catalog::RegisterTable(std::string database, std::string name,
                            std::vector<std::pair<std::string, std::string>> columns,
                            TableProvider provider) {
  provided_[{std::move(database), std::move(name)}] = Provided{std::move(columns), std::move(provider)};
}

std::optional<std::shared_ptr<const ResultSet>> Catalog::ProvidedTable(absl::string_view database,
                                                                       absl::string_view name) const {
  auto it = provided_.find(std::make_pair(std::string(database), std::string(name)));
  if (it == provided_.end()) {
    if (table_manager_ != nullptr && database == "default") {
      if (std::shared_ptr<const ResultSet> rows = table_manager_->Read(name)) return rows;
    }
    return std::nullopt;
  }
  return it->second.provider();
}

void Catalog::RegisterSystemCommand(std::string command, SystemCommand handler) {
  commands_[std::move(command)] = std::move(handler);
}

absl::StatusOr<std::string> Catalog::RunSystemCommand(absl::string_view command,
                                                      absl::string_view argument) const {
  auto it = commands_.find(command);
  if (it == commands_.end()) {
    std::string known;
    for (const auto& [name, handler] : commands_) absl::StrAppend(&known, known.empty() ? "" : ", ", name);
    return absl::NotFoundError(absl::StrCat("Unknown SYSTEM command ", command, " (this server has: ",
                                            known.empty() ? "none" : known, ")"));
  }
  return it->second(argument);
}

absl::StatusOr<uint64_t> Catalog::EraseUser(absl::string_view user_id) const {
  if (!eraser_) return absl::UnimplementedError("DELETE (GDPR erasure) is not available here");
  return eraser_(user_id);
}

std::vector<TableInfo> Catalog::Tables() const {
  std::vector<TableInfo> tables;
  TableInfo events{"default", "events", "MUA", {}};
  for (ColumnId id : kAllColumns) {
    events.columns.emplace_back(std::string(ColumnName(id)), std::string(ColumnTypeName(id)));
  }
  tables.push_back(std::move(events));
  tables.push_back({"default", "sessions", "View",
                    {{"session_id", "String"}, {"user_id", "String"}, {"start", "DateTime64(3)"},
                     {"end", "DateTime64(3)"}, {"duration_s", "Float64"}, {"events", "UInt64"},
                     {"platform", "String"}, {"app_version", "String"}, {"crashed", "UInt8"},
                     {"revenue", "Float64"}}});
  tables.push_back({"default", "daily_user_metrics", "View",
                    {{"date", "Date"}, {"user_id", "String"}, {"session_count", "UInt64"},
                     {"total_events", "UInt64"}, {"total_time_spent_s", "Float64"},
                     {"avg_session_duration_s", "Float64"}, {"revenue", "Float64"}}});
  tables.push_back({"system", "tables", "SystemTable",
                    {{"database", "String"}, {"name", "String"}, {"engine", "String"},
                     {"total_rows", "UInt64"}, {"total_bytes", "UInt64"}}});
  tables.push_back({"system", "columns", "SystemTable",
                    {{"database", "String"}, {"table", "String"}, {"name", "String"},
                     {"type", "String"}, {"position", "UInt64"}, {"data_compressed_bytes", "UInt64"}}});
  tables.push_back({"system", "partitions", "SystemTable",
                    {{"partition", "Date"}, {"rows", "UInt64"}, {"sealed_rows", "UInt64"},
                     {"segments", "UInt64"}, {"bytes", "UInt64"}, {"bitmap_bytes", "UInt64"},
                     {"users", "UInt64"}}});
  tables.push_back({"system", "experiments", "SystemTable",
                    {{"experiment", "String"}, {"variants", "Array(String)"},
                     {"users_per_variant", "Array(UInt64)"}, {"users", "UInt64"},
                     {"first_exposure", "DateTime64(3)"}, {"last_exposure", "DateTime64(3)"},
                     {"excluded_users", "UInt64"}}});
  tables.push_back({"system", "databases", "SystemTable", {{"name", "String"}}});
  tables.push_back({"system", "one", "SystemTable", {{"dummy", "UInt8"}}});
  // Generated when read (sql/internal/bind_numbers.cc): endless, read up to the LIMIT.
  for (const char* name : {"numbers", "numbers_mt"}) {
    tables.push_back({"system", name, "SystemNumbers", {{"number", "UInt64"}}});
  }
  for (const char* name : {"zeros", "zeros_mt"}) {
    tables.push_back({"system", name, "SystemZeros", {{"zero", "UInt8"}}});
  }
  for (const auto& [key, provided] : provided_) {
    tables.push_back({key.first, key.second, key.first == "system" ? "SystemTable" : "Memory",
                      provided.columns});
  }
  if (table_manager_ != nullptr) {
    for (const TableSpec& spec : table_manager_->List()) {
      TableInfo& info = tables.emplace_back(TableInfo{"default", spec.name, spec.engine, {}});
      for (const TableColumnSpec& column : spec.columns) info.columns.emplace_back(column.name, column.type);
    }
  }
  return tables;
}

absl::StatusOr<std::shared_ptr<const ResultSet>> Catalog::SystemTable(
    absl::string_view name, const TableSnapshot& snapshot) const {
  auto rows = std::make_shared<ResultSet>();
  if (name == "tables") {
    *rows = MakeRows({{"database", TypeId::kString}, {"name", TypeId::kString}, {"engine", TypeId::kString},
                      {"total_rows", TypeId::kUInt64}, {"total_bytes", TypeId::kUInt64}});
    const MemoryUsage memory = events_->Memory();
    for (const TableInfo& table : Tables()) {
      rows->columns[0].strings.push_back(table.database);
      rows->columns[1].strings.push_back(table.name);
      rows->columns[2].strings.push_back(table.engine);
      const bool is_events = table.name == "events" && table.database == "default";
      std::optional<TableSpec> created;
      if (!is_events && table_manager_ != nullptr && table.database == "default") {
        created = table_manager_->Find(table.name);
      }
      rows->columns[3].ints.push_back(is_events ? static_cast<int64_t>(snapshot.row_count())
                                      : created ? static_cast<int64_t>(created->total_rows)
                                                : 0);
      rows->columns[4].ints.push_back(is_events ? static_cast<int64_t>(memory.total_bytes())
                                      : created ? static_cast<int64_t>(created->total_bytes)
                                                : 0);
      ++rows->row_count;
    }
    return std::shared_ptr<const ResultSet>(rows);
  }
  if (name == "columns") {
    *rows = MakeRows({{"database", TypeId::kString}, {"table", TypeId::kString}, {"name", TypeId::kString},
                      {"type", TypeId::kString}, {"position", TypeId::kUInt64},
                      {"data_compressed_bytes", TypeId::kUInt64}});
    const MemoryUsage memory = events_->Memory();
    for (const TableInfo& table : Tables()) {
      for (size_t i = 0; i < table.columns.size(); ++i) {
        rows->columns[0].strings.push_back(table.database);
        rows->columns[1].strings.push_back(table.name);
        rows->columns[2].strings.push_back(table.columns[i].first);
        rows->columns[3].strings.push_back(table.columns[i].second);
        rows->columns[4].ints.push_back(static_cast<int64_t>(i + 1));
        int64_t bytes = 0;
        if (table.name == "events" && table.database == "default") {
          bytes = static_cast<int64_t>(memory.column_bytes(kAllColumns[i]));
        }
        rows->columns[5].ints.push_back(bytes);
        ++rows->row_count;
      }
    }
    return std::shared_ptr<const ResultSet>(rows);
  }
  if (name == "partitions") {
    *rows = MakeRows({{"partition", TypeId::kDate}, {"rows", TypeId::kUInt64}, {"sealed_rows", TypeId::kUInt64},
                      {"segments", TypeId::kUInt64}, {"bytes", TypeId::kUInt64},
                      {"bitmap_bytes", TypeId::kUInt64}, {"users", TypeId::kUInt64}});
    for (size_t p = 0; p < snapshot.partition_count(); ++p) {
      const MemoryUsage memory = snapshot.partition_memory(p);
      rows->columns[0].ints.push_back(snapshot.day(p));
      rows->columns[1].ints.push_back(static_cast<int64_t>(snapshot.row_count(p)));
      rows->columns[2].ints.push_back(static_cast<int64_t>(memory.sealed_rows));
      rows->columns[3].ints.push_back(static_cast<int64_t>(memory.segments));
      rows->columns[4].ints.push_back(static_cast<int64_t>(memory.total_bytes()));
      rows->columns[5].ints.push_back(static_cast<int64_t>(memory.bitmap_bytes));
      rows->columns[6].ints.push_back(static_cast<int64_t>(snapshot.users(p).cardinality()));
      ++rows->row_count;
    }
    return std::shared_ptr<const ResultSet>(rows);
  }
  if (name == "experiments") {
    // Read from the stored events' assignments (query/analytics/experiment.h).
    MUA_ASSIGN_OR_RETURN(std::vector<ExperimentSummary> experiments,
                         ExperimentSummaries(snapshot, DefaultExposureEvent()));
    rows->AddColumn("experiment", DataType::Of(TypeId::kString));
    rows->AddColumn("variants", DataType::Array(TypeId::kString));
    rows->AddColumn("users_per_variant", DataType::Array(TypeId::kUInt64));
    rows->AddColumn("users", DataType::Of(TypeId::kUInt64));
    rows->AddColumn("first_exposure", DataType::Of(TypeId::kDateTime64));
    rows->AddColumn("last_exposure", DataType::Of(TypeId::kDateTime64));
    rows->AddColumn("excluded_users", DataType::Of(TypeId::kUInt64));
    for (const ExperimentSummary& experiment : experiments) {
      rows->columns[0].strings.push_back(experiment.name);
      Column& variants = rows->columns[1];
      variants.strings.insert(variants.strings.end(), experiment.variants.begin(), experiment.variants.end());
      variants.array_offsets.push_back(static_cast<uint32_t>(variants.strings.size()));
      Column& users = rows->columns[2];
      uint64_t total = 0;
      for (uint64_t n : experiment.users_per_variant) {
        users.ints.push_back(static_cast<int64_t>(n));
        total += n;
      }
      users.array_offsets.push_back(static_cast<uint32_t>(users.ints.size()));
      rows->columns[3].ints.push_back(static_cast<int64_t>(total));
      rows->columns[4].ints.push_back(experiment.first_exposure_ms);
      rows->columns[5].ints.push_back(experiment.last_exposure_ms);
      rows->columns[6].ints.push_back(static_cast<int64_t>(experiment.excluded_users));
      ++rows->row_count;
    }
    return std::shared_ptr<const ResultSet>(rows);
  }
  if (name == "databases") {
    *rows = MakeRows({{"name", TypeId::kString}});
    rows->columns[0].strings = {"default", "system"};
    rows->row_count = 2;
    return std::shared_ptr<const ResultSet>(rows);
  }
  if (name == "one") {
    *rows = MakeRows({{"dummy", TypeId::kUInt8}});
    rows->columns[0].ints = {0};
    rows->row_count = 1;
    return std::shared_ptr<const ResultSet>(rows);
  }
  if (auto provided = ProvidedTable("system", name)) return *std::move(provided);
  return absl::NotFoundError(absl::StrCat("Table system.", name, " doesn't exist"));
}

}  // namespace mua
