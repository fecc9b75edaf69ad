// Fuzzes SQL execution end to end: each input is one statement, run through
// SqlEngine::Prepare and Execute (parse, bind, optimize, execute) over a small events
// table and three created tables, with the server's limits (2 s, 10 000 result rows,
// 256 MB tracked per statement, one thread); a result is then written in every output
// format. Errors are fine; crashes, sanitizer reports, leaks and hangs are bugs, and so
// is a result whose columns do not have the shape query/result_set.h promises.
//
// Statements that read run as they are. DDL and INSERT on created tables run too, and
// the created tables are then rebuilt, so every input sees the same database. DELETE,
// SYSTEM, KILL and INSERT into events are skipped (mua_service_fuzz covers those paths).
//
// `{name:Type}` parameters get values from Params() (names in sql_execute.dict).
//
// An input whose first byte is 0x01 is not SQL: the rest drives SqlGenerator
// (sql_execute_generator.h), which writes a SELECT that parses, over every function
// system.functions lists; the seeds gen_*.bin are such inputs.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <iterator>
#include <map>
#include <memory>
#include <new>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "ingest/body_ingestor.h"
#include "ingest/dedup.h"
#include "ingest/rejected_event_log.h"
#include "query/output_format.h"
#include "query/result_set.h"
#include "server/audit_log.h"
#include "server/dimension_tables.h"
#include "server/ingest_tables.h"
#include "server/memory_table.h"
#include "server/query_log.h"
#include "server/storage_tables.h"
#include "sql/ast.h"
#include "sql/catalog.h"
#include "sql/sql_engine.h"
#include "storage/base/memory_tracker.h"
#include "storage/dimension_table.h"
#include "storage/table.h"
#include "tests/fuzz/sql_execute_generator.h"

namespace mua {
namespace {

void Check(bool condition, absl::string_view what) {
  if (!condition) {
    std::fprintf(stderr, "sql_execute_fuzz: %.*s\n", static_cast<int>(what.size()), what.data());
    std::abort();
  }
}

constexpr uint64_t kMaxResultRows = 10'000;
constexpr int64_t kMaxQueryMemory = int64_t{256} << 20;
constexpr size_t kMaxWrittenCells = 4'000;  // results larger than this are written in one format

// An events table of a few hundred rows: 12 users over 10 days, every event type the
// differential queries ask for, both JSON shapes, timestamps as ISO text, with
// milliseconds, with an offset and as epoch milliseconds, several events in one second,
// and properties of every JSON type (some missing, some of an unexpected type).
std::string EventLines() {
  const char* const types[] = {"app_open",  "screen_view", "view_item", "add_to_cart",   "begin_checkout",
                               "purchase",  "search",      "share",     "login",         "sign_up",
                               "app_crash", "click",       "app_background"};
  const char* const platforms[] = {"ios", "android", "web"};
  const char* const countries[] = {"US", "SE", "DE", "FR", "CL", "TH", "GB", ""};
  const char* const versions[] = {"1.0", "1.1", "2.0", "2.1"};
  const char* const devices[] = {"phone", "tablet", "desktop"};
  std::string lines;
  uint64_t state = 0x9e3779b97f4a7c15;
  auto next = [&state](uint64_t bound) {  // a fixed pseudo-random sequence
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    return (state >> 33) % bound;
  };
  int64_t last_ms = 0;
  for (int i = 0; i < 320; ++i) {
    const uint64_t user = next(12);
    const char* type = types[next(std::size(types))];
    const int64_t day_ms = (int64_t{1790812800} + static_cast<int64_t>(next(10)) * 86400) * 1000;  // 2026-10-01 +
    int64_t ms = day_ms + static_cast<int64_t>(next(86400)) * 1000;
    if (i % 5 == 1) ms = last_ms;                                 // the same second, even millisecond
    if (i % 5 == 2) ms = last_ms - last_ms % 1000 + next(1000);  // the same second
    last_ms = ms;
    const absl::Time time = absl::FromUnixMillis(ms);
    std::string timestamp;
    switch (i % 4) {
      case 0:
        timestamp = absl::StrCat("\"", absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", time, absl::UTCTimeZone()), "\"");
        break;
      case 1:
        timestamp = absl::StrCat("\"", absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", time, absl::UTCTimeZone()), "\"");
        break;
      case 2:
        timestamp = absl::StrCat(ms);
        break;
      default:
        timestamp = absl::StrCat(
            "\"", absl::FormatTime("%Y-%m-%dT%H:%M:%E3S+02:00", time + absl::Hours(2), absl::UTCTimeZone()), "\"");
        break;
    }
    std::string properties;
    const absl::string_view t = type;
    if (t == "purchase") {
      properties = absl::StrFormat(R"({"price":%d.%02d,"qty":%d,"paid":%s,"currency":"%s","item_id":"sku%d"})",
                                   next(200), next(100), 1 + next(4), next(3) == 0 ? "false" : "true",
                                   next(2) == 0 ? "EUR" : "USD", next(20));
    } else if (t == "view_item" || t == "add_to_cart") {
      properties = absl::StrFormat(R"({"item":"sku%d","price":%s,"quantity":%d})", next(20),
                                   next(6) == 0 ? "\"9.99\"" : absl::StrCat(next(50)), next(3));
    } else if (t == "search") {
      properties = absl::StrFormat(R"({"query":"q%d","results":%d,"filters":["a","b"]})", next(9), next(40));
    } else if (t == "screen_view" || t == "app_open") {
      properties = next(4) == 0 ? "{}" : absl::StrFormat(R"({"screen":"%s"})", next(2) == 0 ? "home" : "Cart");
    } else if (t == "click") {
      properties = absl::StrFormat(R"({"button_id":"b%d","pos":{"x":%d,"y":null}})", next(5), next(300));
    }
    // A/B assignments (experiment()): by user, with a user now and then in both variants.
    const std::string variant = (user + (next(50) == 0 ? 1 : 0)) % 2 == 0 ? "control" : "treatment";
    const std::string variants = i % 3 == 0 ? absl::StrCat(R"(,"ab_test_variants":{"exp1":")", variant, R"(","n":2})") : "";
    const char* country = countries[next(std::size(countries))];
    const char* platform = platforms[user % 3];
    const char* version = versions[(user + static_cast<uint64_t>(i) / 80) % 4];
    if (i % 6 == 5) {  // the nested shape
      lines += absl::StrFormat(
          R"({"event_id":"%d","user":{"user_id":"u%d"%s},"session":{"session_id":"s%d_%d"},"event_type":"%s",)"
          R"("event_timestamp":%s,"device":{"platform":"%s","device_type":"%s"},"geo":{"country":"%s"},)"
          R"("context":{"app_version":"%s"}%s%s})",
          i + 1, user, variants, user, ms / 86'400'000, type, timestamp, platform, devices[user % 3], country,
          version, properties.empty() ? "" : ",\"event_properties\":", properties);
    } else {
      lines += absl::StrFormat(
          R"({"event_id":"%d","user_id":"u%d","session_id":"s%d_%d","event_type":"%s","event_timestamp":%s,)"
          R"("platform":"%s","device_type":"%s","os_version":"%d.%d","country":"%s","app_version":"%s"%s%s%s})",
          i + 1, user, user, ms / 86'400'000, type, timestamp, platform, devices[user % 3], 14 + user % 4, i % 3,
          country, version, properties.empty() ? "" : ",\"properties\":", properties, variants);
    }
    lines += "\n";
  }
  return lines;
}

// The created tables every input sees (Memory, MergeTree and Log engines; Nullable,
// LowCardinality, Array, DEFAULT), written through SQL as a user would.
constexpr const char* kSetup[] = {
    "CREATE TABLE releases (app_version String, platform LowCardinality(String), released Date, "
    "notes Nullable(String), tags Array(String)) ENGINE = Memory",
    "INSERT INTO releases VALUES ('1.0', 'ios', '2026-09-01', NULL, ['first']), "
    "('1.1', 'android', '2026-09-20', 'hotfix', []), ('2.0', 'ios', '2026-10-03', 'redesign', ['big', 'ui']), "
    "('2.1', 'web', '2026-10-06', NULL, ['fix']), ('3.0', 'web', '2026-12-01', 'future', [])",
    "CREATE TABLE user_attrs (user_id String, tier String DEFAULT 'free', score Nullable(Float64), "
    "signup DateTime, cohort UInt16, logins Array(UInt32)) ENGINE = MergeTree ORDER BY user_id",
    "INSERT INTO user_attrs VALUES ('u0', 'gold', 9.5, '2026-09-01 10:00:00', 1, [1, 2]), "
    "('u1', 'free', NULL, '2026-09-15 00:00:00', 1, []), ('u2', 'silver', 3.25, '2026-10-01 23:59:59', 2, [5]), "
    "('u3', 'free', 0, '2026-10-02 12:00:00', 2, [0, 0, 7]), ('u5', 'gold', -1.5, '2026-10-04 08:30:00', 3, []), "
    "('u7', 'free', NULL, '2026-10-05 00:00:01', 3, [3]), ('u11', 'silver', 100, '2026-10-09 18:00:00', 4, [])",
    "CREATE TABLE campaigns (campaign_id UInt64, name String, country Nullable(String), start DateTime64(3), "
    "budget Float64, active UInt8) ENGINE = Log",
    "INSERT INTO campaigns VALUES (1, 'fall', 'US', '2026-10-01 00:00:00.000', 1000, 1), "
    "(2, 'launch', NULL, '2026-10-04 12:00:00.500', 250.5, 0), (3, 'nordic', 'SE', '2026-10-06 09:00:00.250', 0, 1)",
};

// Values for `{name:Type}` parameters (each parsed as its Type by the parser).
const std::map<std::string, std::string, std::less<>>& Params() {
  static const auto* params = new std::map<std::string, std::string, std::less<>>{
      {"day", "2026-10-05"},         {"from", "2026-10-03 00:00:00"}, {"to", "2026-10-08 00:00:00"},
      {"user", "u1"},                {"type", "purchase"},            {"n", "3"},
      {"f", "0.5"},                  {"s", "it's"},                   {"ids", "[1,2,3]"},
      {"types", "['purchase','view_item']"}, {"t", "(1,'a')"},       {"null", "\\N"}};
  return *params;
}

// The parts of the database that DDL may change, rebuilt after every write.
struct Database {
  Database(const Table* events, const RejectedEventLog* rejected, const AuditLog* audit) {
    absl::StatusOr<std::unique_ptr<DimensionTables>> opened = DimensionTables::Open(
        {.dir = "", .max_table_bytes = uint64_t{16} << 20, .log = [](const std::string&) {}});
    Check(opened.ok(), opened.status().ToString());
    tables = *std::move(opened);
    manager = std::make_unique<DimensionTableManager>(tables.get());
    catalog = std::make_unique<Catalog>(events);
    RegisterIngestTables(catalog.get(), rejected, nullptr);
    RegisterStorageTables(catalog.get(), nullptr, tables.get());
    RegisterMemoryTable(catalog.get(), events, nullptr);
    RegisterQueryLog(catalog.get(), audit);
    RegisterDimensionTables(catalog.get(), manager.get(), events);
    engine = std::make_unique<SqlEngine>(events, catalog.get());
    for (const char* sql : kSetup) {
      absl::StatusOr<StatementOutput> done = engine->Execute(sql);
      Check(done.ok(), absl::StrCat(sql, ": ", done.status().ToString()));
    }
  }

  std::unique_ptr<DimensionTables> tables;
  std::unique_ptr<DimensionTableManager> manager;
  std::unique_ptr<Catalog> catalog;
  std::unique_ptr<SqlEngine> engine;
};

struct Fixture {
  Fixture() {
    events = std::make_unique<Table>(TableOptions{});
    rejected = std::make_unique<RejectedEventLog>(RejectedEventLogOptions{.max_rows = 100, .max_bytes = 1 << 16});
    IngestOptions ingest;
    ingest.decoder.retention_days = 0;
    ingest.rejected_log = rejected.get();
    ingest.threads = 1;
    BodyIngestor ingestor(events.get(), ingest);
    Check(ingestor.Ingest(EventLines(), BodyFormat::kEventLines, "seed").ok(), "the events load");
    Check(events->Snapshot().row_count() == 320, "every event is accepted");
    // A rejected event and a few query-log records, so their system tables have rows.
    (void)ingestor.Ingest("{\"event_id\":\"bad\"}\n", BodyFormat::kEventLines, "seed");
    audit = *AuditLog::Open({.max_records = 100, .max_memory_bytes = 1 << 20});
    const char* const statements[] = {"SELECT 1", "SELECT count() FROM events", "SELEC nothing"};
    for (int i = 0; i < 3; ++i) {
      audit->Record({.time = absl::FromUnixSeconds(1791200000 + i),
                     .principal = i == 0 ? "ada" : "ann",
                     .role = i == 0 ? "admin" : "analyst",
                     .endpoint = "POST /",
                     .statement = statements[i],
                     .query_id = absl::StrCat("q", i),
                     .status = i == 2 ? 400 : 200,
                     .rows = 1,
                     .duration = absl::Milliseconds(3),
                     .error = i == 2 ? "Syntax error" : "",
                     .read_rows = 320,
                     .exception_code = i == 2 ? 62 : 0});
    }
    database = std::make_unique<Database>(events.get(), rejected.get(), audit.get());
    absl::StatusOr<StatementOutput> functions =
        database->engine->Execute("SELECT name, is_aggregate FROM system.functions ORDER BY name");
    Check(functions.ok(), functions.status().ToString());
    std::vector<std::string> scalars, aggregates;
    for (size_t row = 0; row < functions->result.row_count; ++row) {
      const std::string& name = functions->result.columns[0].strings[row];
      (functions->result.columns[1].ints[row] != 0 ? aggregates : scalars).push_back(name);
    }
    generator = std::make_unique<SqlGenerator>(std::move(scalars), std::move(aggregates));
  }

  std::unique_ptr<Table> events;
  std::unique_ptr<RejectedEventLog> rejected;
  std::unique_ptr<AuditLog> audit;
  std::unique_ptr<Database> database;
  std::unique_ptr<SqlGenerator> generator;
};

// Statements that change only the created tables (rebuilt afterwards).
bool WritesCreatedTables(StatementKind kind) {
  switch (kind) {
    case StatementKind::kCreateTable:
    case StatementKind::kDropTable:
    case StatementKind::kTruncate:
    case StatementKind::kInsertValues:
    case StatementKind::kInsertSelect:
    case StatementKind::kInsert:  // into a created table only (checked by the caller)
      return true;
    default:
      return false;
  }
}

// The values a column of `type` must hold for `rows` rows (query/result_set.h); an
// explicit stack, as nesting depth comes from the input.
void CheckShape(const Column& top, size_t top_rows) {
  std::vector<std::pair<const Column*, size_t>> pending = {{&top, top_rows}};
  while (!pending.empty()) {
    // Not a structured binding: clang 14 cannot capture one in the lambda below.
    const Column* column = pending.back().first;
    const size_t rows = pending.back().second;
    pending.pop_back();
    const DataType& type = column->type;
    Check(column->nulls.empty() || column->nulls.size() == rows, "NULL flags: one per row or none");
    auto check_values = [&](TypeId id, size_t count) {
      if (id == TypeId::kFloat64) {
        Check(column->floats.size() == count, absl::StrCat("Float64 values: ", column->floats.size(), " for ", count));
      } else if (id == TypeId::kString) {
        Check(column->strings.size() == count, absl::StrCat("String values: ", column->strings.size(), " for ", count));
      } else if (id != TypeId::kNothing && id != TypeId::kTuple && id != TypeId::kArray &&
                 id != TypeId::kInterval) {
        Check(column->ints.size() == count, absl::StrCat("integer values: ", column->ints.size(), " for ", count));
      }
    };
    if (type.id == TypeId::kArray) {
      Check(column->array_offsets.size() == rows + 1, "array offsets: rows + 1");
      Check(column->array_offsets.front() == 0, "array offsets start at 0");
      for (size_t i = 1; i < column->array_offsets.size(); ++i) {
        Check(column->array_offsets[i - 1] <= column->array_offsets[i], "array offsets ascend");
      }
      const size_t elements = column->array_offsets.back();
      if (type.nested_elements()) {
        Check(column->children.size() == 1, "nested array elements: one child column");
        pending.emplace_back(&column->children[0], elements);
      } else {
        check_values(type.element, elements);
      }
    } else if (type.id == TypeId::kTuple) {
      Check(column->children.size() == type.tuple_size(), "tuple: one child per element");
      for (const Column& child : column->children) pending.emplace_back(&child, rows);
    } else {
      check_values(type.id, rows);
    }
  }
}

void CheckAndWrite(const StatementOutput& output) {
  const ResultSet& result = output.result;
  Check(result.names.size() == result.columns.size(), "one name per column");
  Check(result.row_count <= kMaxResultRows, "max_result_rows holds");
  for (const Column& column : result.columns) CheckShape(column, result.row_count);
  if (result.totals) {  // WITH TOTALS: one row of every result column's type
    Check(result.totals->size() == result.columns.size(), "totals: one column per result column");
    for (size_t c = 0; c < result.totals->size(); ++c) {
      // LowCardinality aside (a flag of the result's type, not of the values' layout).
      DataType type = (*result.totals)[c].type, expected = result.columns[c].type;
      type.low_cardinality = expected.low_cardinality = false;
      Check(type == expected, absl::StrCat("totals: ", type.Name(), " for a column of ", expected.Name()));
      CheckShape((*result.totals)[c], 1);
    }
  }
  std::string body;
  if (absl::StatusOr<OutputFormat> format = ParseOutputFormat(output.format); format.ok()) {
    WriteResult(result, *format, &body);
  }
  if (result.row_count * std::max<size_t>(1, result.columns.size()) > kMaxWrittenCells) return;
  for (int f = 0; f <= static_cast<int>(OutputFormat::kNull); ++f) {
    body.clear();
    WriteResult(result, static_cast<OutputFormat>(f), &body);
  }
}

}  // namespace
}  // namespace mua

// The fuzz entry without libFuzzer's main, so tests/fuzz/fuzz_replay_test.cc can replay
// the corpus and the regressions in the unit-test build.
int MuaSqlExecuteFuzz(const uint8_t* data, size_t size) {
  using namespace mua;  // NOLINT: the harness's own names
  static Fixture* fixture = new Fixture();
  const bool generate = size > 0 && data[0] == 0x01;
  const std::string generated = generate ? fixture->generator->Generate(data + 1, size - 1) : "";
  const absl::string_view sql =
      generate ? absl::string_view(generated) : absl::string_view(reinterpret_cast<const char*>(data), size);
  absl::StatusOr<PreparedStatement> prepared = SqlEngine::Prepare(sql, PrepareOptions{.params = Params()});
  if (!prepared.ok()) return 0;
  const StatementKind kind = prepared->kind;
  const bool writes = WritesCreatedTables(kind);
  if (prepared->access != StatementAccess::kRead && !writes) return 0;
  Database& database = *fixture->database;
  // To check what a seed reaches, and which input of a replay crashed.
  const bool verbose = std::getenv("MUA_FUZZ_VERBOSE") != nullptr;
  if (verbose) std::fprintf(stderr, "%s\n", std::string(sql).c_str());

  ExecuteOptions options;
  options.caller = QueryCaller{"fuzz", /*admin=*/true};
  options.threads = 1;
  options.max_execution_time = absl::Seconds(2);
  options.max_result_rows = kMaxResultRows;
  absl::Status status;
  {
    MemoryTracker memory(kMaxQueryMemory, nullptr, "for query");
    MemoryTrackerScope scope(&memory);
    try {
      absl::StatusOr<StatementOutput> output = database.engine->Execute(*prepared, options);
      if (output.ok() && output->kind == StatementOutput::Kind::kInsert) {
        if (output->insert_table != "events") {
          status = InsertTableRows(*database.catalog, *database.engine, output->insert_table,
                                   sql.substr(std::min(output->data_offset, sql.size())), output->format,
                                   output->insert_columns)
                       .status();
        }
      } else if (output.ok()) {
        CheckAndWrite(*output);
      } else {
        status = output.status();
      }
    } catch (const std::bad_alloc&) {
      status = absl::ResourceExhaustedError("Memory limit (for query) exceeded");
    }
  }
  if (verbose) std::fprintf(stderr, "  -> %s\n", status.ToString().c_str());
  if (writes) {
    // Every input sees the same created tables.
    fixture->database.reset();
    fixture->database = std::make_unique<Database>(fixture->events.get(), fixture->rejected.get(),
                                                   fixture->audit.get());
  }
  return 0;
}

#ifndef MUA_FUZZ_NO_MAIN
extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return MuaSqlExecuteFuzz(data, size);
}
#endif
