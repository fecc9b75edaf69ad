// Fuzzes Deduplicator::Restore (the `dedup` snapshot read from the data directory,
// docs/formats/dedup.md) on arbitrary bytes: it must never crash, and a snapshot it
// accepts must survive Capture and Restore again with the same keys and counts (the
// clock is fixed). Seeds: corpus/dedup_snapshot/ (snapshots of a few keys).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "ingest/dedup.h"

namespace {

void Check(bool condition) {
  if (!condition) std::abort();
}

mua::DedupOptions Options() {
  // A 1-hour window (1-second ticks) at a fixed instant, so stamps restore the same way.
  return {.window = absl::Hours(1), .now = [] { return absl::FromUnixSeconds(1'790'000'000); }};
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const absl::string_view input(reinterpret_cast<const char*>(data), size);
  mua::Deduplicator dedup(Options());
  if (!dedup.Restore(input).ok()) return 0;
  const mua::DedupStats stats = dedup.stats();
  const std::string again = dedup.Capture()();
  mua::Deduplicator restored(Options());
  Check(restored.Restore(again).ok());
  const mua::DedupStats restored_stats = restored.stats();
  Check(restored_stats.entries == stats.entries);
  Check(restored_stats.checked == stats.checked);
  Check(restored_stats.duplicates == stats.duplicates);
  Check(restored_stats.aged_out == stats.aged_out);
  // Still usable: a new key is new, then a repeat.
  Check(!restored.SeenBefore("fuzz-user", "fuzz-event") || restored_stats.entries > 0);
  Check(restored.SeenBefore("fuzz-user", "fuzz-event"));
  return 0;
}
