// Decode rate of EventDecoder on mua-gen lines, per shape (flat, nested, the generator's
// mix), plus dedup and the whole JSON-lines load path.
//   build/ingest-rel/bench/mua_ingest_bench
#include <sstream>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "benchmark/benchmark.h"
#include "ingest/dedup.h"
#include "ingest/event_decoder.h"
#include "ingest/json_lines_loader.h"
#include "storage/table.h"
#include "tools/gen/event_generator.h"
#include "tools/gen/json_writer.h"

namespace mua {
namespace {

constexpr int64_t kNowMs = 1793491200000;  // 2026-11-01T00:00:00Z, after the generated days

enum class Shape { kFlat, kNested, kMixed };

// ~100 k generated lines of the requested shape, concatenated.
struct Corpus {
  std::string text;
  std::vector<absl::string_view> lines;
};

const Corpus& LinesOf(Shape shape) {
  static Corpus corpora[3];
  Corpus& corpus = corpora[static_cast<int>(shape)];
  if (!corpus.lines.empty()) return corpus;
  gen::EventGenerator generator({.users = 3000, .days = 10, .seed = 1});
  std::vector<gen::GeneratedEvent> day;
  std::string line;
  std::vector<size_t> ends;
  while (generator.NextDay(&day) && ends.size() < 100'000) {
    for (const gen::GeneratedEvent& event : day) {
      line.clear();
      gen::AppendJsonLine(event, &line);
      const bool nested = line.find("\"geo\":{") != std::string::npos;
      if ((shape == Shape::kFlat && nested) || (shape == Shape::kNested && !nested)) continue;
      corpus.text += line;
      ends.push_back(corpus.text.size());
    }
  }
  size_t begin = 0;
  for (size_t end : ends) {
    corpus.lines.push_back(absl::string_view(corpus.text).substr(begin, end - begin));
    begin = end;
  }
  return corpus;
}

void BM_EventDecoder(benchmark::State& state, Shape shape) {
  const Corpus& corpus = LinesOf(shape);
  EventDecoder decoder;
  EventArena arena;
  EventRow row;
  DecodeError error;
  size_t next = 0;
  int64_t bytes = 0;
  for (auto _ : state) {
    const absl::string_view line = corpus.lines[next];
    if (!decoder.TryDecode(line, kNowMs, &arena, &row, &error)) {
      state.SkipWithError(error.message.c_str());
      break;
    }
    benchmark::DoNotOptimize(row);
    bytes += static_cast<int64_t>(line.size());
    if (++next == corpus.lines.size()) {
      next = 0;
      arena.Clear();
    }
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(bytes);
  state.counters["bytes_per_line"] =
      static_cast<double>(corpus.text.size()) / static_cast<double>(corpus.lines.size());
}
BENCHMARK_CAPTURE(BM_EventDecoder, Flat, Shape::kFlat);
BENCHMARK_CAPTURE(BM_EventDecoder, Nested, Shape::kNested);
BENCHMARK_CAPTURE(BM_EventDecoder, Mixed, Shape::kMixed);

void BM_Dedup_SeenBefore(benchmark::State& state) {
  const Corpus& corpus = LinesOf(Shape::kMixed);
  EventDecoder decoder;
  EventArena arena;
  std::vector<EventRow> rows(corpus.lines.size());
  DecodeError error;
  for (size_t i = 0; i < rows.size(); ++i) {
    decoder.TryDecode(corpus.lines[i], kNowMs, &arena, &rows[i], &error);
  }
  Deduplicator dedup;
  size_t next = 0;
  for (auto _ : state) {
    const EventRow& row = rows[next];
    benchmark::DoNotOptimize(dedup.SeenBefore(row.user_id, row.event_id, row.event_time_ms));
    if (++next == rows.size()) next = 0;
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Dedup_SeenBefore);

// The whole path: read, decode on `threads` threads, dedup, append to a Table.
void BM_LoadJsonLines(benchmark::State& state) {
  const Corpus& corpus = LinesOf(Shape::kMixed);
  IngestOptions options;
  options.threads = static_cast<int>(state.range(0));
  options.now = absl::FromUnixMillis(kNowMs);
  for (auto _ : state) {
    Table table;
    LoadStats stats;
    std::istringstream in(corpus.text);
    if (!LoadJsonLines(in, "bench", &table, options, &stats).ok()) {
      state.SkipWithError("load failed");
      break;
    }
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(corpus.lines.size()));
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(corpus.text.size()));
}
BENCHMARK(BM_LoadJsonLines)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
}  // namespace mua

BENCHMARK_MAIN();
