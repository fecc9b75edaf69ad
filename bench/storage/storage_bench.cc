// Storage benchmarks on mua-gen data (issue "Foundation"): append rate of
// pre-parsed events, scan rate per column, and resident bytes per event.
//
//   build/release/bench/mua_storage_bench                       # 10 M events
//   MUA_BENCH_USERS=10000 build/release/bench/mua_storage_bench  # ~1 M events, quick
//
// The table is loaded once, day by day (so generated events never pile up in
// memory), and then every scan benchmark reads it.
#include <malloc.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <string>

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
  int64_t rss_delta_bytes = 0;
};

int64_t ResidentBytes() {
  malloc_trim(0);
  std::ifstream statm("/proc/self/statm");
  int64_t pages = 0, resident = 0;
  statm >> pages >> resident;
  return resident * 4096;
}

LoadedTable& Loaded() {
  static LoadedTable* const loaded = [] {
    auto* result = new LoadedTable();
    gen::GeneratorOptions options;
    const char* users = std::getenv("MUA_BENCH_USERS");
    options.users = users ? std::atoll(users) : 100'000;
    const char* ids = std::getenv("MUA_BENCH_EVENT_IDS");
    if (ids != nullptr && std::string(ids) == "uuid") options.event_ids = gen::EventIdStyle::kUuid;
    gen::EventGenerator generator(options);
    std::vector<gen::GeneratedEvent> day;
    std::vector<EventRow> rows;
    const int64_t rss_before = ResidentBytes();
    result->table = std::make_unique<Table>();
    while (generator.NextDay(&day)) {
      rows.clear();
      for (const gen::GeneratedEvent& event : day) {
        if (!event.duplicate) rows.push_back(gen::ToEventRow(event));
      }
      // Batches of 10 k, as the Kafka consumer's micro-batches will be.
      const auto start = std::chrono::steady_clock::now();
      for (size_t begin = 0; begin < rows.size(); begin += 10'000) {
        const size_t count = std::min<size_t>(10'000, rows.size() - begin);
        if (!result->table->Append(absl::MakeConstSpan(rows.data() + begin, count)).ok()) {
          std::abort();
        }
      }
      result->append_seconds +=
          std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      result->events += rows.size();
    }
    const auto seal_start = std::chrono::steady_clock::now();
    result->table->SealAll();
    result->seal_seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - seal_start).count();
    day.clear();
    day.shrink_to_fit();
    rows.clear();
    rows.shrink_to_fit();
    result->rss_delta_bytes = ResidentBytes() - rss_before;

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
  state.SetItemsProcessed(static_cast<int64_t>(loaded.events) * state.iterations());
  state.counters["seal_s"] = loaded.seal_seconds;
}
BENCHMARK(BM_Append_PreParsed)->UseManualTime()->Iterations(1)->Unit(benchmark::kMillisecond);

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
