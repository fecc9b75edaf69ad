// Storage benchmarks on mua-gen data (issue "Foundation"): append rate of
// pre-parsed events (sealing inline and in the background, with the latency of
// each 10 k-event Append), scan rate per column, and resident bytes per event.
//
//   build/release/bench/mua_storage_bench                       # 10 M events
//   MUA_BENCH_USERS=10000 build/release/bench/mua_storage_bench  # ~1 M events, quick
//
// The table is loaded once, day by day (so generated events never pile up in
// memory), and then every scan benchmark reads it.
#include <malloc.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_format.h"
#include "benchmark/benchmark.h"
#include "storage/table.h"
#include "tools/gen/event_generator.h"

namespace mua {
namespace {

struct LoadedTable {
  std::unique_ptr<Table> table;
  uint64_t events = 0;
  double append_seconds = 0;
  double seal_seconds = 0;
  double p99_batch_ms = 0;  // one Append call of 10 k events: what an ingest source waits
  double max_batch_ms = 0;
  int64_t rss_delta_bytes = 0;
};

int64_t ResidentBytes() {
  malloc_trim(0);
  std::ifstream statm("/proc/self/statm");
  int64_t pages = 0, resident = 0;
  statm >> pages >> resident;
  return resident * 4096;
}

// Generates every day of mua-gen data and appends it in batches of 10 k, as
// the Kafka consumer's micro-batches will be; then seals what is left.
std::unique_ptr<LoadedTable> Load(const TableOptions& table_options) {
  auto result = std::make_unique<LoadedTable>();
  gen::GeneratorOptions options;
  const char* users = std::getenv("MUA_BENCH_USERS");
  options.users = users ? std::atoll(users) : 100'000;
  const char* ids = std::getenv("MUA_BENCH_EVENT_IDS");
  if (ids != nullptr && std::string(ids) == "uuid") options.event_ids = gen::EventIdStyle::kUuid;
  gen::EventGenerator generator(options);
  std::vector<gen::GeneratedEvent> day;
  std::vector<EventRow> rows;
  std::vector<double> batch_ms;
  const int64_t rss_before = ResidentBytes();
  result->table = std::make_unique<Table>(table_options);
  while (generator.NextDay(&day)) {
    rows.clear();
    for (const gen::GeneratedEvent& event : day) {
      if (!event.duplicate) rows.push_back(gen::ToEventRow(event));
    }
    for (size_t begin = 0; begin < rows.size(); begin += 10'000) {
      const size_t count = std::min<size_t>(10'000, rows.size() - begin);
      const auto start = std::chrono::steady_clock::now();
      if (!result->table->Append(absl::MakeConstSpan(rows.data() + begin, count)).ok()) {
        std::abort();
      }
      const double seconds =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      result->append_seconds += seconds;
      batch_ms.push_back(seconds * 1e3);
    }
    result->events += rows.size();
  }
  const auto seal_start = std::chrono::steady_clock::now();
  result->table->SealAll();
  result->seal_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - seal_start).count();
  std::sort(batch_ms.begin(), batch_ms.end());
  if (!batch_ms.empty()) {
    result->p99_batch_ms = batch_ms[batch_ms.size() * 99 / 100];
    result->max_batch_ms = batch_ms.back();
  }
  day.clear();
  day.shrink_to_fit();
  rows.clear();
  rows.shrink_to_fit();
  result->rss_delta_bytes = ResidentBytes() - rss_before;
  return result;
}

void SetAppendCounters(const LoadedTable& loaded, benchmark::State& state) {
  state.SetItemsProcessed(static_cast<int64_t>(loaded.events) * state.iterations());
  state.counters["append_s"] = loaded.append_seconds;
  state.counters["seal_s"] = loaded.seal_seconds;
  state.counters["batch_p99_ms"] = loaded.p99_batch_ms;
  state.counters["batch_max_ms"] = loaded.max_batch_ms;
}

// The table every scan benchmark reads (inline sealing, the default options).
LoadedTable& Loaded() {
  static LoadedTable* const loaded = [] {
    LoadedTable* result = Load(TableOptions{}).release();
    const MemoryUsage memory = result->table->Memory();
    const double events = static_cast<double>(result->events);
    std::fprintf(stderr, "loaded %llu events: accounted %.2f bytes/event, RSS delta %.2f bytes/event\n",
                 static_cast<unsigned long long>(result->events), memory.total_bytes() / events,
                 result->rss_delta_bytes / events);
    for (ColumnId id : kAllColumns) {
      std::fprintf(stderr, "  %-13s %6.2f bytes/event\n", std::string(ColumnName(id)).c_str(),
                   memory.column_bytes(id) / events);
    }
    std::fprintf(stderr, "  %-13s %6.2f\n  %-13s %6.2f\n  %-13s %6.2f\n", "bitmaps",
                 memory.bitmap_bytes / events, "dictionaries", memory.dictionary_bytes / events,
                 "user index", memory.user_index_bytes / events);
    return result;
  }();
  return *loaded;
}

// Append of pre-parsed events, including sealing every head into segments.
void BM_Append_PreParsed(benchmark::State& state) {
  LoadedTable& loaded = Loaded();
  for (auto _ : state) {
    state.SetIterationTime(loaded.append_seconds + loaded.seal_seconds);
  }
  SetAppendCounters(loaded, state);
}
BENCHMARK(BM_Append_PreParsed)->UseManualTime()->Iterations(1)->Unit(benchmark::kMillisecond);

// The same with TableOptions::background_sealing (as mua-server runs): full
// heads are sealed by the table's sealer thread, off the append path; seal_s is
// the final SealAll (what the sealer had not done yet, and the partial heads).
void BM_Append_PreParsed_BackgroundSealing(benchmark::State& state) {
  std::unique_ptr<LoadedTable> loaded = Load(TableOptions{.background_sealing = true});
  for (auto _ : state) {
    state.SetIterationTime(loaded->append_seconds + loaded->seal_seconds);
  }
  SetAppendCounters(*loaded, state);
}
BENCHMARK(BM_Append_PreParsed_BackgroundSealing)
    ->UseManualTime()
    ->Iterations(1)
    ->Unit(benchmark::kMillisecond);

void BM_Memory_ResidentBytesPerEvent(benchmark::State& state) {
  LoadedTable& loaded = Loaded();
  for (auto _ : state) benchmark::DoNotOptimize(loaded.table->Memory());
  const double events = static_cast<double>(loaded.events);
  state.counters["accounted_B_per_event"] = loaded.table->Memory().total_bytes() / events;
  state.counters["rss_B_per_event"] = loaded.rss_delta_bytes / events;
  state.counters["events"] = events;
}
BENCHMARK(BM_Memory_ResidentBytesPerEvent)->Iterations(1);

// Decodes one column of every block of the table; bytes are decoded value bytes.
void BM_Scan_Column(benchmark::State& state) {
  const ColumnId column = static_cast<ColumnId>(state.range(0));
  state.SetLabel(std::string(ColumnName(column)));
  const TableSnapshot snapshot = Loaded().table->Snapshot();
  const ScanOptions options{.columns = {column}};
  const BlockList list = snapshot.ListBlocks(options);
  ScanBuffers buffers;
  uint64_t rows = 0, bytes = 0;
  for (auto _ : state) {
    for (const BlockRef& ref : list.blocks) {
      ScanBlock block;
      if (!snapshot.ReadBlock(ref, options.columns, &buffers, &block).ok()) std::abort();
      rows += block.row_count;
      switch (KindOf(column)) {
        case ColumnKind::kTime: bytes += block.row_count * sizeof(int64_t); break;
        case ColumnKind::kUser:
        case ColumnKind::kLowCardinality: bytes += block.row_count * sizeof(uint32_t); break;
        case ColumnKind::kString:
          for (absl::string_view value : block.strings[ColumnIndex(column)]) bytes += value.size();
          break;
      }
    }
  }
  state.SetItemsProcessed(static_cast<int64_t>(rows));
  state.SetBytesProcessed(static_cast<int64_t>(bytes));
}
BENCHMARK(BM_Scan_Column)->DenseRange(0, kNumColumns - 1)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace mua

BENCHMARK_MAIN();
