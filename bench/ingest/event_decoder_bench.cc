// Decode rate of EventDecoder on mua-gen lines, per shape (flat, nested, the generator's
// mix), plus dedup and the whole JSON-lines load path; and the decoder comparison of
// issue 17: EventDecoder (RapidJSON SAX in situ) against a simdjson On-Demand sketch of
// the same envelope walk, on a mua-gen file and on the same file with seed 003's extra
// fields added to every event.
//   build/asan/bin/mua-gen --users 20000 --days 7 --seed 1 --out /tmp/decoder-bench/events.jsonl
//   MUA_DECODER_BENCH_FILE=/tmp/decoder-bench/events.jsonl
//     /work/decoder-release/bench/mua_ingest_bench --benchmark_filter=Decode_
// Without the file the comparison runs on ~100 k generated lines.
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <memory>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/time.h"
#include "benchmark/benchmark.h"
#include "ingest/dedup.h"
#include "ingest/event_decoder.h"
#include "ingest/json_lines_loader.h"
#include "storage/table.h"
#include "tools/gen/event_generator.h"
#include "tools/gen/json_writer.h"
#if MUA_BENCH_SIMDJSON
#include "simdjson.h"
#endif

namespace mua {
namespace {

constexpr int64_t kNowMs = 1793491200000;  // 2026-11-01T00:00:00Z, after the generated days

enum class Shape { kFlat, kNested, kMixed };

// Generated lines, concatenated.
struct Corpus {
  std::string text;
  std::vector<absl::string_view> lines;

  void Index(const std::vector<size_t>& ends) {
    size_t begin = 0;
    for (size_t end : ends) {
      lines.push_back(absl::string_view(text).substr(begin, end - begin));
      begin = end;
    }
  }
};

// ~100 k generated lines of the requested shape.
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
  corpus.Index(ends);
  return corpus;
}

// Seed 003's fields beyond the mapped columns (docs: /work/shared/seeds/003), spliced
// before the event's closing brace. Groups the event already has are sent a second time
// with only the new members, which the decoder reads like one group.
void AddSeed003Fields(std::mt19937_64& random, std::string* line) {
  static const char* const kSegments[] = {"new", "casual", "power", "churn_risk"};
  static const char* const kBrowsers[] = {"Safari", "Chrome", "Firefox", "Samsung Internet"};
  static const char* const kSources[] = {"google", "newsletter", "facebook", "direct"};
  const uint64_t r = random();
  while (!line->empty() && line->back() == '\n') line->pop_back();
  if (!line->empty() && line->back() == '}') line->pop_back();  // the event's own
  absl::StrAppendFormat(
      line,
      R"(,"event_version":"2.%d","session":{"session_start":"2026-10-01T00:00:00Z",)"
      R"("event_index":%d},"user":{"is_authenticated":%s,"user_segment":"%s"},)"
      R"("device":{"device_id":"d-%016x","browser":"%s","browser_version":"%d.0",)"
      R"("screen_resolution":"1170x2532","is_mobile":true},)"
      R"("page":{"url":"https://shop.example.com/p/%d?ref=home","path":"/p/%d",)"
      R"("title":"Product \"%d\"","utm_source":"%s","utm_medium":"email","utm_campaign":"w%d"},)"
      R"("geo":{"timezone":"Europe/Berlin"},"ab_test_variants":{"checkout":"%c","banner":"control"})",
      r % 4, r % 97, (r & 1) ? "true" : "false", kSegments[(r >> 3) % 4], r,
      kBrowsers[(r >> 5) % 4], 10 + (r >> 7) % 8, (r >> 9) % 5000, (r >> 9) % 5000,
      (r >> 9) % 5000, kSources[(r >> 11) % 4], (r >> 13) % 52, 'A' + (r >> 17) % 3);
  if ((r >> 20) % 4 == 0) {
    absl::StrAppendFormat(line,
                          R"(,"transaction":{"order_id":"o-%d","revenue":%d.%02d,)"
                          R"("currency":"EUR","items":[{"sku":"s%d","qty":%d}]})",
                          (r >> 22) % 100000, (r >> 23) % 200, (r >> 30) % 100,
                          (r >> 32) % 900, 1 + (r >> 40) % 3);
  }
  line->append("}\n");
}

// MUA_DECODER_BENCH_FILE's lines (a mua-gen file) or, without it, the mixed corpus;
// with_seed003: each line gains AddSeed003Fields.
const Corpus& ComparisonLines(bool with_seed003) {
  static Corpus corpora[2];
  Corpus& corpus = corpora[with_seed003 ? 1 : 0];
  if (!corpus.lines.empty()) return corpus;
  std::vector<std::string> source;
  if (const char* path = std::getenv("MUA_DECODER_BENCH_FILE"); path != nullptr) {
    std::ifstream in(path);
    for (std::string line; std::getline(in, line);) source.push_back(line + "\n");
  }
  if (source.empty()) {
    for (absl::string_view line : LinesOf(Shape::kMixed).lines) source.emplace_back(line);
  }
  std::mt19937_64 random(3);
  std::vector<size_t> ends;
  for (std::string& line : source) {
    if (with_seed003) AddSeed003Fields(random, &line);
    corpus.text += line;
    ends.push_back(corpus.text.size());
  }
  corpus.Index(ends);
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

#if MUA_BENCH_SIMDJSON
// The simdjson On-Demand side of the comparison: the same envelope walk as EventDecoder
// (padded copy, keys looked up, groups entered, mapped strings unescaped and copied into
// the arena, every other member kept for attributes), but none of its validation
// (required fields, timestamp parsing, types, depth): a lower bound of what a simdjson
// EventDecoder would cost. Unknown members are kept as their raw JSON text (not
// re-escaped compactly as EventDecoder does), which also favours simdjson.
class SimdjsonSketch {
 public:
  bool Decode(absl::string_view payload, EventArena* arena, EventRow* row) {
    const size_t needed = payload.size() + simdjson::SIMDJSON_PADDING;
    if (needed > capacity_) {
      capacity_ = std::max(needed, capacity_ * 2);
      buffer_ = std::make_unique<char[]>(capacity_);
    }
    std::memcpy(buffer_.get(), payload.data(), payload.size());
    std::memset(buffer_.get() + payload.size(), 0, simdjson::SIMDJSON_PADDING);
    attributes_.clear();
    simdjson::ondemand::document doc;
    if (parser_.iterate(buffer_.get(), payload.size(), capacity_).get(doc)) return false;
    simdjson::ondemand::object object;
    if (doc.get_object().get(object)) return false;
    if (!Walk(object, arena, row, /*group=*/false)) return false;
    row->attributes = Copy(arena, attributes_);
    return true;
  }

 private:
  static absl::string_view Copy(EventArena* arena, absl::string_view text) {
    char* out = arena->Allocate(text.size());
    if (!text.empty()) std::memcpy(out, text.data(), text.size());
    return absl::string_view(out, text.size());
  }
  absl::string_view* Column(std::string_view key, EventRow* row, bool group) {
    // Compared as std::string_view (Debian's Abseil has its own string_view).
    if (key == "event_id") return &row->event_id;
    if (key == "user_id") return &row->user_id;
    if (key == "session_id") return &row->session_id;
    if (key == "event_type") return &row->event_type;
    if (key == "event_timestamp" || key == "event_time") return &timestamp_;
    if (key == "platform" || (group && key == "os")) return &row->platform;
    if (key == "os_version") return &row->os_version;
    if (key == "app_version") return &row->app_version;
    if (key == "device_model") return &row->device_model;
    if (key == "device_type") return &row->device_type;
    if (key == "country") return &row->country;
    if (key == "region") return &row->region;
    if (key == "city") return &row->city;
    return nullptr;
  }
  // The value's JSON text; true on error.
  static bool RawJson(simdjson::ondemand::value& value, simdjson::ondemand::json_type type,
                      std::string_view* raw) {
    if (type == simdjson::ondemand::json_type::object) {
      simdjson::ondemand::object object;
      return value.get_object().get(object) || object.raw_json().get(*raw);
    }
    if (type == simdjson::ondemand::json_type::array) {
      simdjson::ondemand::array array;
      return value.get_array().get(array) || array.raw_json().get(*raw);
    }
    *raw = value.raw_json_token();
    return false;
  }
  bool Walk(simdjson::ondemand::object& object, EventArena* arena, EventRow* row, bool group) {
    for (auto field : object) {
      std::string_view key;
      if (field.unescaped_key().get(key)) return false;
      simdjson::ondemand::value value = field.value();
      simdjson::ondemand::json_type type;
      if (value.type().get(type)) return false;
      const bool is_group = !group && (key == "session" || key == "user" || key == "device" ||
                                       key == "context" || key == "geo");
      if (type == simdjson::ondemand::json_type::object && is_group) {
        simdjson::ondemand::object inner;
        if (value.get_object().get(inner) || !Walk(inner, arena, row, true)) return false;
        continue;
      }
      if (!group && (key == "properties" || key == "event_properties")) {
        std::string_view raw;
        if (RawJson(value, type, &raw)) return false;
        row->properties = Copy(arena, absl::string_view(raw.data(), raw.size()));
        continue;
      }
      absl::string_view* column = Column(key, row, group);
      if (column != nullptr && type == simdjson::ondemand::json_type::string) {
        std::string_view text;
        if (value.get_string().get(text)) return false;
        *column = Copy(arena, absl::string_view(text.data(), text.size()));
      } else if (column != nullptr && type == simdjson::ondemand::json_type::number) {
        const std::string_view token = value.raw_json_token();
        *column = Copy(arena, absl::string_view(token.data(), token.size()));
      } else {
        std::string_view raw;
        if (RawJson(value, type, &raw)) return false;
        absl::StrAppend(&attributes_, attributes_.empty() ? "{" : ",", "\"",
                        absl::string_view(key.data(), key.size()), "\":",
                        absl::string_view(raw.data(), raw.size()));
      }
    }
    if (!group && !attributes_.empty()) attributes_ += '}';
    return true;
  }

  simdjson::ondemand::parser parser_;
  std::unique_ptr<char[]> buffer_;
  size_t capacity_ = 0;
  std::string attributes_;
  absl::string_view timestamp_;
};

#endif  // MUA_BENCH_SIMDJSON

enum class Decoder { kRapidJson, kSimdjson };

// ns/event and events/s of one core decoding the comparison lines, events cycled in order;
// the arena is recycled every 4096 events as a batch would be.
void BM_Decode(benchmark::State& state, Decoder which, bool with_seed003) {
  const Corpus& corpus = ComparisonLines(with_seed003);
  EventDecoder decoder;
#if MUA_BENCH_SIMDJSON
  SimdjsonSketch sketch;
#endif
  EventArena arena;
  EventRow row;
  DecodeError error;
  size_t next = 0;
  int64_t bytes = 0;
  int64_t rejected = 0;
  for (auto _ : state) {
    const absl::string_view line = corpus.lines[next];
#if MUA_BENCH_SIMDJSON
    const bool ok = which == Decoder::kRapidJson
                        ? decoder.TryDecode(line, kNowMs, &arena, &row, &error)
                        : sketch.Decode(line, &arena, &row);
#else
    static_cast<void>(which);
    const bool ok = decoder.TryDecode(line, kNowMs, &arena, &row, &error);
#endif
    rejected += ok ? 0 : 1;
    benchmark::DoNotOptimize(row);
    bytes += static_cast<int64_t>(line.size());
    if (++next == corpus.lines.size()) next = 0;
    if ((next & 4095) == 0) arena.Clear();
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(bytes);
  state.counters["rejected"] = static_cast<double>(rejected);
  state.counters["lines"] = static_cast<double>(corpus.lines.size());
  state.counters["bytes_per_line"] =
      static_cast<double>(corpus.text.size()) / static_cast<double>(corpus.lines.size());
#if MUA_BENCH_SIMDJSON
  state.SetLabel(absl::StrCat("simdjson ", simdjson::get_active_implementation()->name()));
#endif
}
BENCHMARK_CAPTURE(BM_Decode, RapidJson_MuaGen, Decoder::kRapidJson, false);
BENCHMARK_CAPTURE(BM_Decode, RapidJson_Seed003, Decoder::kRapidJson, true);
#if MUA_BENCH_SIMDJSON
BENCHMARK_CAPTURE(BM_Decode, Simdjson_MuaGen, Decoder::kSimdjson, false);
BENCHMARK_CAPTURE(BM_Decode, Simdjson_Seed003, Decoder::kSimdjson, true);
#endif

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
    benchmark::DoNotOptimize(dedup.SeenBefore(row.user_id, row.event_id));
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
