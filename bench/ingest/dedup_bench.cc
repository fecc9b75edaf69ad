// The de-duplication window (ingest/dedup.h) at scale: SeenBefore per new key and per
// repeat, one thread, with bytes per entry; and what a checkpoint costs (Capture under the
// store's lock, then serializing outside it) and a restart (Restore).
//   mua_dedup_bench --benchmark_filter=Dedup --benchmark_counters_tabular=true
// Keys as mua-gen's random-id events: 32-hex event ids, ~1 M user ids.
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "benchmark/benchmark.h"
#include "ingest/dedup.h"

namespace mua {
namespace {

struct Keys {
  std::vector<std::string> users;  // 2^20
  std::string ids;                 // n ids of 32 hex digits, back to back
  size_t n = 0;
  absl::string_view user(size_t i) const { return users[i & (users.size() - 1)]; }
  absl::string_view id(size_t i) const { return absl::string_view(ids).substr(i * 32, 32); }
};

const Keys& KeysOf(size_t n) {
  static auto* cache = new std::map<size_t, std::unique_ptr<Keys>>;
  std::unique_ptr<Keys>& keys = (*cache)[n];
  if (keys != nullptr) return *keys;
  keys = std::make_unique<Keys>();
  keys->n = n;
  keys->users.resize(size_t{1} << 20);
  for (size_t i = 0; i < keys->users.size(); ++i) keys->users[i] = absl::StrCat("user_", i * 2654435761u % 100000007u);
  keys->ids.resize(n * 32);
  uint64_t x = 88172645463325252ull;  // xorshift64
  for (size_t i = 0; i < n * 32; i += 16) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    for (int j = 0; j < 16; ++j) keys->ids[i + j] = "0123456789abcdef"[(x >> (4 * j)) & 15];
  }
  return *keys;
}

void BM_Dedup_SeenBefore_NewKeys(benchmark::State& state) {
  const Keys& keys = KeysOf(state.range(0));
  double bytes_per_entry = 0;
  for (auto _ : state) {
    auto dedup = std::make_unique<Deduplicator>();
    for (size_t i = 0; i < keys.n; ++i) benchmark::DoNotOptimize(dedup->SeenBefore(keys.user(i), keys.id(i)));
    bytes_per_entry = static_cast<double>(dedup->memory_bytes()) / keys.n;
    state.PauseTiming();  // not the destructor
    dedup.reset();
    state.ResumeTiming();
  }
  state.counters["bytes_per_entry"] = bytes_per_entry;
  state.counters["ns_per_key"] = benchmark::Counter(static_cast<double>(state.iterations() * keys.n),
                                                    benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}

void BM_Dedup_SeenBefore_Repeats(benchmark::State& state) {
  const Keys& keys = KeysOf(state.range(0));
  Deduplicator dedup;
  for (size_t i = 0; i < keys.n; ++i) dedup.SeenBefore(keys.user(i), keys.id(i));
  for (auto _ : state) {
    for (size_t i = 0; i < keys.n; ++i) benchmark::DoNotOptimize(dedup.SeenBefore(keys.user(i), keys.id(i)));
  }
  state.counters["bytes_per_entry"] = static_cast<double>(dedup.memory_bytes()) / keys.n;
  state.counters["ns_per_key"] = benchmark::Counter(static_cast<double>(state.iterations() * keys.n),
                                                    benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}

// What a checkpoint adds: Capture runs under the store's exclusive apply lock (ingest of
// every source waits); serializing runs outside it; Restore at the next start.
void BM_Dedup_Checkpoint(benchmark::State& state) {
  const Keys& keys = KeysOf(state.range(0));
  Deduplicator dedup;
  for (size_t i = 0; i < keys.n; ++i) dedup.SeenBefore(keys.user(i), keys.id(i));
  double capture_ms = 0, serialize_ms = 0, restore_ms = 0, bytes = 0;
  for (auto _ : state) {
    using Clock = std::chrono::steady_clock;
    const auto ms = [](Clock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); };
    const Clock::time_point start = Clock::now();
    std::function<std::string()> serialize = dedup.Capture();
    const Clock::time_point captured = Clock::now();
    const std::string snapshot = serialize();
    const Clock::time_point serialized = Clock::now();
    Deduplicator restored;
    benchmark::DoNotOptimize(restored.Restore(snapshot).ok());
    const Clock::time_point done = Clock::now();
    capture_ms += ms(captured - start);
    serialize_ms += ms(serialized - captured);
    restore_ms += ms(done - serialized);
    bytes = static_cast<double>(snapshot.size());
  }
  const double n = static_cast<double>(state.iterations());
  state.counters["capture_ms"] = capture_ms / n;
  state.counters["serialize_ms"] = serialize_ms / n;
  state.counters["restore_ms"] = restore_ms / n;
  state.counters["snapshot_bytes"] = bytes;
}

BENCHMARK(BM_Dedup_SeenBefore_NewKeys)->Arg(1'000'000)->Arg(10'000'000)->Iterations(2)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Dedup_SeenBefore_Repeats)->Arg(1'000'000)->Arg(10'000'000)->Iterations(2)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Dedup_Checkpoint)->Arg(10'000'000)->Iterations(2)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace mua

BENCHMARK_MAIN();
