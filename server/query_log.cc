#include "server/query_log.h"

#include <memory>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/time/time.h"
#include "server/audit_log.h"
#include "server/internal/system_rows.h"
#include "sql/catalog.h"
#include "storage/base/calendar.h"

namespace mua {
namespace {

using server_internal::ColumnList;

const ColumnList& QueryLogColumns() {
  static const ColumnList* const columns = new ColumnList{
      {"type", "String"},
      {"event_date", "Date"},
      {"event_time", "DateTime"},
      {"event_time_microseconds", "DateTime64(3)"},
      {"query_start_time", "DateTime"},
      {"query_start_time_microseconds", "DateTime64(3)"},
      {"query_duration_ms", "UInt64"},
      {"read_rows", "UInt64"},
      {"read_bytes", "UInt64"},
      {"written_rows", "UInt64"},
      {"written_bytes", "UInt64"},
      {"result_rows", "UInt64"},
      {"result_bytes", "UInt64"},
      {"memory_usage", "UInt64"},
      {"current_database", "String"},
      {"query", "String"},
      {"normalized_query_hash", "UInt64"},
      {"query_kind", "String"},
      {"exception_code", "Int32"},
      {"exception", "String"},
      {"is_initial_query", "UInt8"},
      {"user", "String"},
      {"query_id", "String"},
      {"initial_user", "String"},
      {"initial_query_id", "String"},
      {"interface", "UInt8"},
      {"http_method", "UInt8"},
  };
  return *columns;
}

// ClickHouse's query_kind from the statement's first keyword.
std::string QueryKind(absl::string_view keyword) {
  static const std::pair<const char*, const char*> kKinds[] = {
      {"SELECT", "Select"}, {"WITH", "Select"},   {"EXPLAIN", "Explain"},   {"INSERT", "Insert"},
      {"CREATE", "Create"}, {"DROP", "Drop"},     {"TRUNCATE", "Drop"},     {"SHOW", "Show"},
      {"DESCRIBE", "Describe"}, {"DESC", "Describe"}, {"EXISTS", "Exists"}, {"SYSTEM", "System"},
      {"KILL", "KillQuery"}, {"DELETE", "Delete"}, {"ALTER", "Alter"},
  };
  for (const auto& [word, kind] : kKinds) {
    if (keyword == word) return kind;
  }
  return "";
}

// Errors ClickHouse raises before a statement starts: parsing, analysis, access, admission.
bool BeforeStart(int code) {
  switch (code) {
    case 46: case 47: case 60: case 62: case 63: case 73: case 81: case 36: case 43: case 50:
    case 164: case 202: case 216: case 306: case 497: case 516:
      return true;
    default:
      return false;
  }
}

}  // namespace

void RegisterQueryLog(Catalog* catalog, const AuditLog* audit) {
  catalog->RegisterSystemTable("query_log", QueryLogColumns(), [audit] {
    auto rows = std::make_shared<ResultSet>(server_internal::EmptyRows(QueryLogColumns()));
    if (audit == nullptr) return std::shared_ptr<const ResultSet>(rows);
    const QueryCaller& caller = CurrentQueryCaller();
    std::vector<Column>& c = rows->columns;
    auto add = [&](const AuditRecord& record, const char* type, absl::Time at, bool finished) {
      const int64_t at_ms = absl::ToUnixMillis(at);
      const int64_t start_ms = absl::ToUnixMillis(record.time);
      const bool insert = record.statement_kind == "INSERT";
      c[0].strings.push_back(type);
      c[1].ints.push_back(DayOfUnixMillis(at_ms));
      c[2].ints.push_back(absl::ToUnixSeconds(at));
      c[3].ints.push_back(at_ms);
      c[4].ints.push_back(absl::ToUnixSeconds(record.time));
      c[5].ints.push_back(start_ms);
      c[6].ints.push_back(finished ? absl::ToInt64Milliseconds(record.duration) : 0);
      c[7].ints.push_back(finished ? record.read_rows : 0);
      c[8].ints.push_back(finished ? record.read_bytes : 0);
      c[9].ints.push_back(finished && insert ? record.rows : 0);
      c[10].ints.push_back(0);
      c[11].ints.push_back(finished && !insert ? record.rows : 0);
      c[12].ints.push_back(finished ? record.result_bytes : 0);
      c[13].ints.push_back(finished ? record.memory_usage : 0);
      c[14].strings.push_back("default");
      c[15].strings.push_back(record.statement);
      c[16].ints.push_back(static_cast<int64_t>(record.statement_hash));
      c[17].strings.push_back(QueryKind(record.statement_kind));
      c[18].ints.push_back(finished ? record.exception_code : 0);
      c[19].strings.push_back(finished ? record.error : "");
      c[20].ints.push_back(1);
      c[21].strings.push_back(record.principal);
      c[22].strings.push_back(record.query_id);
      c[23].strings.push_back(record.principal);
      c[24].strings.push_back(record.query_id);
      c[25].ints.push_back(2);  // HTTP
      c[26].ints.push_back(absl::StartsWith(record.endpoint, "GET") ? 1 : 2);
      ++rows->row_count;
    };
    for (const AuditRecord& record : audit->Records()) {
      // SQL requests only (the SQL endpoint gives each a query id).
      if (record.query_id.empty() || record.statement.empty()) continue;
      if (!caller.admin && record.principal != caller.principal) continue;
      const absl::Time end = record.time + record.duration;
      const bool failed = !record.error.empty() || record.status >= 400;
      if (failed && BeforeStart(record.exception_code)) {
        add(record, "ExceptionBeforeStart", end, true);
        continue;
      }
      add(record, "QueryStart", record.time, false);
      add(record, failed ? "ExceptionWhileProcessing" : "QueryFinish", end, true);
    }
    return std::shared_ptr<const ResultSet>(rows);
  });
}

}  // namespace mua
