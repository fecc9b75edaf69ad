// Encode/decode throughput and compressed size of the block column codecs on
// the column shapes a sealed segment holds (rows sorted by user, then time).
// Counters: bytes_per_value = encoded block bytes / rows; the label names the
// encoding chosen. Items = rows, bytes = uncompressed bytes.
//
//   build/codec-release/bench/mua_column_codec_bench --benchmark_filter=Decode
#include <lz4.h>
#include <lz4hc.h>

#include <algorithm>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "benchmark/benchmark.h"
#include "storage/internal/column_codec.h"

namespace mua::storage_internal {
namespace {

constexpr size_t kRows = 16384;
constexpr int64_t kDayStartMs = 1790000000000;

std::vector<size_t> UserRuns(std::mt19937_64& rng) {
  std::vector<size_t> runs;
  std::uniform_int_distribution<size_t> length(1, 40);
  for (size_t total = 0; total < kRows;) {
    const size_t run = std::min(kRows - total, length(rng) + (rng() % 4 == 0 ? 20 : 0));
    runs.push_back(run);
    total += run;
  }
  return runs;
}

std::vector<int64_t> SortedTimestamps() {
  std::mt19937_64 rng(1);
  std::exponential_distribution<double> gap(1.0 / 20000);
  std::vector<int64_t> times;
  for (const size_t run : UserRuns(rng)) {
    int64_t t = kDayStartMs + static_cast<int64_t>(rng() % 80'000'000);
    for (size_t i = 0; i < run; ++i, t += 1000 + static_cast<int64_t>(gap(rng))) times.push_back(t);
  }
  return times;
}

std::vector<uint32_t> RandomUInt32() {
  std::mt19937_64 rng(2);
  std::vector<uint32_t> values(kRows);
  for (uint32_t& value : values) value = static_cast<uint32_t>(rng());
  return values;
}

std::vector<uint32_t> RunHeavyCodes() {
  std::mt19937_64 rng(3);
  std::vector<uint32_t> codes;
  for (const size_t run : UserRuns(rng)) codes.insert(codes.end(), run, rng() % 40);
  return codes;
}

std::vector<uint32_t> PerRowCodes() {
  std::mt19937_64 rng(4);
  std::vector<uint32_t> codes(kRows);
  for (uint32_t& code : codes) code = static_cast<uint32_t>(rng() % 20);
  return codes;
}

std::vector<uint32_t> UserNumbers() {
  std::mt19937_64 rng(5);
  std::vector<uint32_t> users;
  uint32_t user = 100'000;
  for (const size_t run : UserRuns(rng)) users.insert(users.end(), run, user += 1 + rng() % 3);
  return users;
}

// session_id as epoch-ms strings, constant over runs of 5-30 rows.
std::vector<std::string> SessionIdStrings() {
  std::mt19937_64 rng(6);
  std::vector<std::string> ids;
  while (ids.size() < kRows) {
    const std::string id = absl::StrCat(kDayStartMs + static_cast<int64_t>(rng() % 80'000'000));
    ids.insert(ids.end(), std::min<size_t>(kRows - ids.size(), 5 + rng() % 26), id);
  }
  return ids;
}

// event_id as per-user counters increasing by 1 along a user's run.
std::vector<std::string> CounterStrings() {
  std::mt19937_64 rng(7);
  std::vector<std::string> ids;
  for (const size_t run : UserRuns(rng)) {
    uint64_t counter = rng() % 5000;
    for (size_t i = 0; i < run; ++i) ids.push_back(absl::StrCat(counter++));
  }
  return ids;
}

std::vector<std::string> UuidStrings() {
  std::mt19937_64 rng(8);
  std::vector<std::string> ids;
  for (size_t i = 0; i < kRows; ++i) {
    const uint64_t a = rng(), b = rng();
    ids.push_back(absl::StrFormat("%08x-%04x-4%03x-%04x-%012x", a >> 32, (a >> 16) & 0xffff,
                                  a & 0xfff, ((b >> 48) & 0x3fff) | 0x8000, b & 0xffffffffffff));
  }
  return ids;
}

std::vector<std::string> JsonStrings() {
  static const char* const kScreens[] = {"home", "search", "cart", "profile", "settings"};
  std::mt19937_64 rng(9);
  std::vector<std::string> props;
  for (size_t i = 0; i < kRows; ++i) {
    switch (rng() % 4) {
      case 0:
      case 1:
        props.push_back(absl::StrCat(R"({"screen":")", kScreens[rng() % 5], R"("})"));
        break;
      case 2:
        props.push_back(
            absl::StrFormat(R"({"item_id":"sku_%d","price":%d.99})", rng() % 2000, rng() % 100));
        break;
      default:
        props.push_back("{}");
    }
  }
  return props;
}

void Report(benchmark::State& state, const std::string& encoded, size_t raw_bytes) {
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * kRows));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * raw_bytes));
  state.counters["bytes_per_value"] = static_cast<double>(encoded.size()) / kRows;
  state.SetLabel(std::string(EncodingName(encoded)));
}

// ---- integers ----

template <typename T>
std::string Encode(const std::vector<T>& values) {
  std::string encoded;
  if constexpr (sizeof(T) == 8) {
    EncodeInt64Block(values, &encoded);
  } else {
    EncodeUInt32Block(values, &encoded);
  }
  return encoded;
}

template <typename T>
void EncodeInts(benchmark::State& state, const std::vector<T>& values) {
  std::string encoded;
  for (auto _ : state) {
    encoded.clear();
    if constexpr (sizeof(T) == 8) {
      EncodeInt64Block(values, &encoded);
    } else {
      EncodeUInt32Block(values, &encoded);
    }
    benchmark::DoNotOptimize(encoded.data());
  }
  Report(state, encoded, values.size() * sizeof(T));
}

template <typename T>
void DecodeInts(benchmark::State& state, const std::vector<T>& values) {
  const std::string encoded = Encode(values);
  std::vector<T> out(values.size());
  for (auto _ : state) {
    absl::Status status;
    if constexpr (sizeof(T) == 8) {
      status = DecodeInt64Block(encoded, absl::MakeSpan(out));
    } else {
      status = DecodeUInt32Block(encoded, absl::MakeSpan(out));
    }
    if (!status.ok()) state.SkipWithError(status.ToString().c_str());
    benchmark::DoNotOptimize(out.data());
  }
  if (out != values) state.SkipWithError("round trip mismatch");
  Report(state, encoded, values.size() * sizeof(T));
}

void BM_Encode_SortedTimestamps(benchmark::State& state) { EncodeInts(state, SortedTimestamps()); }
void BM_Decode_SortedTimestamps(benchmark::State& state) { DecodeInts(state, SortedTimestamps()); }
void BM_Encode_RandomUInt32(benchmark::State& state) { EncodeInts(state, RandomUInt32()); }
void BM_Decode_RandomUInt32(benchmark::State& state) { DecodeInts(state, RandomUInt32()); }
void BM_Encode_RunHeavyCodes(benchmark::State& state) { EncodeInts(state, RunHeavyCodes()); }
void BM_Decode_RunHeavyCodes(benchmark::State& state) { DecodeInts(state, RunHeavyCodes()); }
void BM_Encode_PerRowCodes(benchmark::State& state) { EncodeInts(state, PerRowCodes()); }
void BM_Decode_PerRowCodes(benchmark::State& state) { DecodeInts(state, PerRowCodes()); }
void BM_Encode_UserNumbers(benchmark::State& state) { EncodeInts(state, UserNumbers()); }
void BM_Decode_UserNumbers(benchmark::State& state) { DecodeInts(state, UserNumbers()); }
BENCHMARK(BM_Encode_SortedTimestamps);
BENCHMARK(BM_Decode_SortedTimestamps);
BENCHMARK(BM_Encode_RandomUInt32);
BENCHMARK(BM_Decode_RandomUInt32);
BENCHMARK(BM_Encode_RunHeavyCodes);
BENCHMARK(BM_Decode_RunHeavyCodes);
BENCHMARK(BM_Encode_PerRowCodes);
BENCHMARK(BM_Decode_PerRowCodes);
BENCHMARK(BM_Encode_UserNumbers);
BENCHMARK(BM_Decode_UserNumbers);

// ---- strings ----

size_t RawBytes(const std::vector<std::string>& values) {
  size_t bytes = 0;
  for (const std::string& value : values) bytes += value.size();
  return bytes;
}

void EncodeStrings(benchmark::State& state, const std::vector<std::string>& values) {
  const std::vector<absl::string_view> views(values.begin(), values.end());
  std::string encoded;
  for (auto _ : state) {
    encoded.clear();
    EncodeStringBlock(views, &encoded);
    benchmark::DoNotOptimize(encoded.data());
  }
  Report(state, encoded, RawBytes(values));
}

void DecodeStrings(benchmark::State& state, const std::vector<std::string>& values) {
  const std::vector<absl::string_view> views(values.begin(), values.end());
  std::string encoded;
  EncodeStringBlock(views, &encoded);
  std::string storage;
  std::vector<absl::string_view> out(values.size());
  for (auto _ : state) {
    const absl::Status status = DecodeStringBlock(encoded, &storage, absl::MakeSpan(out));
    if (!status.ok()) state.SkipWithError(status.ToString().c_str());
    benchmark::DoNotOptimize(out.data());
  }
  if (out != views) state.SkipWithError("round trip mismatch");
  Report(state, encoded, RawBytes(values));
}

void BM_Encode_SessionIdStrings(benchmark::State& state) {
  EncodeStrings(state, SessionIdStrings());
}
void BM_Decode_SessionIdStrings(benchmark::State& state) {
  DecodeStrings(state, SessionIdStrings());
}
void BM_Encode_CounterStrings(benchmark::State& state) { EncodeStrings(state, CounterStrings()); }
void BM_Decode_CounterStrings(benchmark::State& state) { DecodeStrings(state, CounterStrings()); }
void BM_Encode_UuidStrings(benchmark::State& state) { EncodeStrings(state, UuidStrings()); }
void BM_Decode_UuidStrings(benchmark::State& state) { DecodeStrings(state, UuidStrings()); }
void BM_Encode_JsonStrings(benchmark::State& state) { EncodeStrings(state, JsonStrings()); }
void BM_Decode_JsonStrings(benchmark::State& state) { DecodeStrings(state, JsonStrings()); }
BENCHMARK(BM_Encode_SessionIdStrings);
BENCHMARK(BM_Decode_SessionIdStrings);
BENCHMARK(BM_Encode_CounterStrings);
BENCHMARK(BM_Decode_CounterStrings);
BENCHMARK(BM_Encode_UuidStrings);
BENCHMARK(BM_Decode_UuidStrings);
BENCHMARK(BM_Encode_JsonStrings);
BENCHMARK(BM_Decode_JsonStrings);

// ---- why LZ4HC for string blobs: compress the concatenated JSON block ----

void CompressJson(benchmark::State& state, int hc_level) {
  std::string raw;
  for (const std::string& value : JsonStrings()) raw += value;
  std::string compressed(LZ4_compressBound(static_cast<int>(raw.size())), '\0');
  int size = 0;
  for (auto _ : state) {
    size = hc_level == 0
               ? LZ4_compress_default(raw.data(), compressed.data(), static_cast<int>(raw.size()),
                                      static_cast<int>(compressed.size()))
               : LZ4_compress_HC(raw.data(), compressed.data(), static_cast<int>(raw.size()),
                                 static_cast<int>(compressed.size()), hc_level);
    benchmark::DoNotOptimize(compressed.data());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * raw.size()));
  state.counters["bytes_per_value"] = static_cast<double>(size) / kRows;
}

void BM_CompressJson_Lz4(benchmark::State& state) { CompressJson(state, 0); }
void BM_CompressJson_Lz4Hc(benchmark::State& state) { CompressJson(state, state.range(0)); }
BENCHMARK(BM_CompressJson_Lz4);
BENCHMARK(BM_CompressJson_Lz4Hc)->Arg(4)->Arg(6)->Arg(9);

}  // namespace
}  // namespace mua::storage_internal

BENCHMARK_MAIN();
