#include "query/time_zones.h"

#include <array>
#include <atomic>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "query/data_type.h"
#include "query/functions/time_functions.h"
#include "storage/base/memory_tracker.h"

namespace mua {
namespace {

struct ZoneEntry {
  std::string name;
  query_internal::TimeZone zone;
};

// Interned zones, never freed: ids stay valid in every DataType for the process's life.
// Readers index `entries` without the lock; an entry is published after it is complete.
struct ZoneTable {
  absl::Mutex mu;
  absl::flat_hash_map<std::string, uint16_t> ids ABSL_GUARDED_BY(mu);
  std::array<std::atomic<const ZoneEntry*>, kMaxTimeZones> entries{};
};

ZoneTable& Table() {
  static ZoneTable* const table = new ZoneTable();
  return *table;
}

const ZoneEntry* EntryOf(uint16_t id) {
  if (id == kNoTimeZone || id >= kMaxTimeZones) return nullptr;
  return Table().entries[id].load(std::memory_order_acquire);
}

}  // namespace

absl::StatusOr<uint16_t> InternTimeZone(absl::string_view name) {
  if (name.empty()) return kNoTimeZone;  // DateTime(''): the server's zone
  ZoneTable& table = Table();
  // The table belongs to the process, not to the query that happens to name a zone first.
  const MemoryTrackerScope untracked(nullptr);
  {
    absl::ReaderMutexLock lock(&table.mu);
    if (auto it = table.ids.find(name); it != table.ids.end()) return it->second;
  }
  absl::StatusOr<query_internal::TimeZone> zone = query_internal::TimeZone::Load(name);
  if (!zone.ok()) return zone.status();
  absl::MutexLock lock(&table.mu);
  if (auto it = table.ids.find(name); it != table.ids.end()) return it->second;
  const size_t id = table.ids.size() + 1;
  if (id >= kMaxTimeZones) {
    return absl::ResourceExhaustedError(
        absl::StrCat("Too many distinct time zones (at most ", kMaxTimeZones - 1, ")"));
  }
  auto* entry = new ZoneEntry{std::string(name), *zone};
  table.entries[id].store(entry, std::memory_order_release);
  table.ids.emplace(entry->name, static_cast<uint16_t>(id));
  return static_cast<uint16_t>(id);
}

absl::string_view TimeZoneName(uint16_t id) {
  const ZoneEntry* entry = EntryOf(id);
  return entry == nullptr ? absl::string_view() : absl::string_view(entry->name);
}

namespace query_internal {

const TimeZone& TimeZoneById(uint16_t id) {
  static const TimeZone* const utc = new TimeZone();
  const ZoneEntry* entry = EntryOf(id);
  return entry == nullptr ? *utc : entry->zone;
}

TimeZone ZoneOfType(const DataType& type) { return TimeZoneById(type.time_zone); }

}  // namespace query_internal
}  // namespace mua
