// mua_query_bench: the MUA side of the SPEC §9 benchmark (bench/queries/README.md).
// Loads a mua-gen JSON-lines file into an in-memory Table, then runs every
// bench/queries/*.sql in-process through SqlEngine: 1 warm-up + N timed runs,
// median ms, whether EXPLAIN shows the bitmap path, and the TabSeparated answer
// written to --out_dir/NAME.tsv for run_bench.sh's cross-engine comparison.
//
//   mua_query_bench --events events.jsonl --queries_dir bench/queries --out_dir out/mua
//
// Writes --out_dir/timings.tsv: name, median_ms, path (bitmap|scan|error), run ms...
// and --out_dir/load.tsv: events, load_seconds, events_per_s, resident_bytes, bytes_per_event.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "ingest/json_lines_loader.h"
#include "query/output_format.h"
#include "sql/catalog.h"
#include "sql/sql_engine.h"
#include "storage/memory_usage.h"
#include "storage/table.h"

ABSL_FLAG(std::string, events, "", "JSON-lines event file (mua-gen output) to load");
ABSL_FLAG(std::string, queries_dir, "", "directory of NAME.sql benchmark queries");
ABSL_FLAG(std::string, out_dir, "", "where NAME.tsv answers, timings.tsv and load.tsv go");
ABSL_FLAG(std::string, filter, "", "run only queries whose name contains this");
ABSL_FLAG(int, runs, 5, "timed runs per query (the median is reported)");
ABSL_FLAG(int, warmup, 1, "untimed runs per query before the timed ones");
ABSL_FLAG(int, threads, 0, "query threads (0: one per core)");

namespace mua {
namespace {

namespace fs = std::filesystem;

struct BenchQuery {
  std::string name;
  std::string sql;  // the MUA text: the file minus its full-line `--` comments
};

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

BenchQuery ParseQueryFile(const fs::path& path) {
  BenchQuery query{path.stem().string(), ""};
  for (absl::string_view line : absl::StrSplit(ReadFile(path), '\n')) {
    if (absl::StartsWith(absl::StripLeadingAsciiWhitespace(line), "--")) continue;
    absl::StrAppend(&query.sql, line, "\n");
  }
  absl::string_view trimmed = absl::StripAsciiWhitespace(query.sql);
  while (absl::ConsumeSuffix(&trimmed, ";")) trimmed = absl::StripTrailingAsciiWhitespace(trimmed);
  query.sql = std::string(trimmed);
  return query;
}

double Median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  const size_t n = values.size();
  return n % 2 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
}

std::string FormatMs(double ms) {
  char buffer[32];
  std::snprintf(buffer, sizeof(buffer), "%.3f", ms);
  return buffer;
}

double MillisSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
      .count();
}

// True when any cell of EXPLAIN's answer mentions the bitmap path, or the source is one of
// the SPEC §5a table functions computed from the per-day user bitmaps (query/analytics.h):
// their EXPLAIN shows `Source: retention_matrix (N rows)` rather than "bitmap path".
bool UsesBitmapPath(const SqlEngine& engine, const BenchQuery& query,
                    const ExecuteOptions& options) {
  absl::StatusOr<StatementOutput> plan = engine.Execute("EXPLAIN " + query.sql, options);
  if (!plan.ok()) return false;
  std::string text;
  WriteResult(plan->result, OutputFormat::kTabSeparated, &text);
  if (text.find("bitmap path") != std::string::npos) return true;
  for (const char* source : {"Source: retention_matrix", "Source: active_users"}) {
    if (text.find(source) != std::string::npos) return true;
  }
  return false;
}

int Run() {
  const std::string events = absl::GetFlag(FLAGS_events);
  const fs::path queries_dir = absl::GetFlag(FLAGS_queries_dir);
  const fs::path out_dir = absl::GetFlag(FLAGS_out_dir);
  if (events.empty() || queries_dir.empty() || out_dir.empty()) {
    std::fprintf(stderr, "mua_query_bench: --events, --queries_dir and --out_dir are required\n");
    return 2;
  }
  fs::create_directories(out_dir);
  std::vector<BenchQuery> queries;
  for (const fs::directory_entry& entry : fs::directory_iterator(queries_dir)) {
    if (entry.path().extension() != ".sql") continue;
    BenchQuery query = ParseQueryFile(entry.path());
    if (query.name.find(absl::GetFlag(FLAGS_filter)) != std::string::npos)
      queries.push_back(std::move(query));
  }
  std::sort(queries.begin(), queries.end(),
            [](const BenchQuery& a, const BenchQuery& b) { return a.name < b.name; });

  Table table;
  Catalog catalog(&table);
  SqlEngine engine(&table, &catalog);
  LoadStats stats;
  const auto load_start = std::chrono::steady_clock::now();
  if (absl::Status status = LoadJsonLines(events, &table, IngestOptions{}, &stats); !status.ok()) {
    std::fprintf(stderr, "mua_query_bench: load %s: %s\n", events.c_str(),
                 std::string(status.message()).c_str());
    return 1;
  }
  table.SealAll();
  const double load_s = MillisSince(load_start) / 1000;
  const uint64_t rows = table.row_count();
  const size_t resident = table.Memory().total_bytes();
  const double per_event = rows ? static_cast<double>(resident) / rows : 0;
  std::printf(
      "MUA load: %llu events (%lld lines, %lld duplicates, %lld rejected) in %.2f s = "
      "%.0f events/s; resident %.1f MB = %.2f bytes/event\n",
      static_cast<unsigned long long>(rows), static_cast<long long>(stats.lines),
      static_cast<long long>(stats.duplicates), static_cast<long long>(stats.rejected), load_s,
      rows / load_s, resident / 1e6, per_event);
  std::ofstream(out_dir / "load.tsv") << rows << "\t" << load_s << "\t" << rows / load_s << "\t"
                                      << resident << "\t" << per_event << "\n";

  ExecuteOptions options;
  options.threads = absl::GetFlag(FLAGS_threads);
  const int runs = std::max(1, absl::GetFlag(FLAGS_runs));
  const int warmup = std::max(0, absl::GetFlag(FLAGS_warmup));
  std::ofstream timings(out_dir / "timings.tsv");
  int failures = 0;
  for (const BenchQuery& query : queries) {
    const bool bitmap = UsesBitmapPath(engine, query, options);
    std::vector<double> times;
    std::string answer;
    std::string error;
    for (int i = 0; i < warmup + runs && error.empty(); ++i) {
      const auto start = std::chrono::steady_clock::now();
      absl::StatusOr<StatementOutput> output = engine.Execute(query.sql, options);
      if (!output.ok()) {
        error = std::string(output.status().message());
        break;
      }
      answer.clear();
      WriteResult(output->result, OutputFormat::kTabSeparated, &answer);
      const double ms = MillisSince(start);
      if (i >= warmup) times.push_back(ms);
    }
    if (!error.empty()) {
      ++failures;
      std::printf("%-16s ERROR %s\n", query.name.c_str(), error.c_str());
      std::ofstream(out_dir / (query.name + ".err")) << error << "\n";
      timings << query.name << "\t\terror\n";
      continue;
    }
    std::ofstream(out_dir / (query.name + ".tsv"), std::ios::binary) << answer;
    const double median = Median(times);
    std::vector<std::string> each;
    for (double ms : times) each.push_back(FormatMs(ms));
    std::printf("%-16s %10.3f ms  %-6s (runs: %s)\n", query.name.c_str(), median,
                bitmap ? "bitmap" : "scan", absl::StrJoin(each, " ").c_str());
    timings << query.name << "\t" << FormatMs(median) << "\t" << (bitmap ? "bitmap" : "scan")
            << "\t" << absl::StrJoin(each, "\t") << "\n";
  }
  return failures ? 1 : 0;
}

}  // namespace
}  // namespace mua

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  return mua::Run();
}
