#include "ingest/dedup.h"

#include <algorithm>
#include <array>
#include <cstring>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "ingest/internal/siphash.h"
#include "storage/base/coding.h"
#include "storage/base/parallel_for.h"
#include "storage/base/status_macros.h"
#include "storage/base/time_util.h"
#include "storage/scan_block.h"
#include "storage/string_dictionary.h"

namespace mua {
namespace {

// Fixed key: fingerprints are stable across processes (the snapshot stores them).
constexpr uint64_t kDedupK0 = 0x2d61756d2d647570ULL;
constexpr uint64_t kDedupK1 = 0x6b2d6465642d7075ULL;

// Ticks are 16 bits: windows span at most kMaxWindowTicks of them, and no entry outlives
// kFutureAge ticks (see Shard::Guard), so ages compare exactly modulo 2^16; an age at or
// beyond kFutureAge is an arrival from a clock that has since stepped back.
constexpr int64_t kMaxWindowTicks = 32768;
constexpr uint32_t kFutureAge = 49152;
// A sweep pass lasts at most this many ticks (else the shard is swept whole): an entry is
// then checked at most 2 * kMaxPassTicks ticks ago, with an age under the window then.
constexpr int64_t kMaxPassTicks = 8192;
constexpr size_t kMinCapacity = 64;
constexpr int kSweepSlots = 4;  // per check: a pass takes capacity / 4 checks

constexpr char kSnapshotMagic[4] = {'M', 'D', 'U', 'P'};
constexpr uint32_t kSnapshotVersion = 1;
constexpr size_t kHeaderBytes = 4 + 4 + 5 * 8;

// 1.4x at 7/8 load: ~13.6 bytes an entry on average over sizes (10 bytes a slot).
size_t Grown(size_t capacity) { return std::max(kMinCapacity, capacity + capacity * 2 / 5); }

}  // namespace

// One lock's worth of the table: open addressing over two parallel arrays.
class Deduplicator::Shard {
 public:
  mutable absl::Mutex mu;
  int64_t checked ABSL_GUARDED_BY(mu) = 0;
  int64_t duplicates ABSL_GUARDED_BY(mu) = 0;
  int64_t aged_out ABSL_GUARDED_BY(mu) = 0;
  std::atomic<uint64_t> generation{0};

  void Init(int64_t window_ticks) { window_ticks_ = window_ticks; }

  // CheckAndRecord, counted in checked and duplicates. A repeat changes no key, so it leaves
  // the generation alone: a replay of duplicates does not rewrite the whole snapshot at
  // every checkpoint (its counts wait for a change).
  bool Check(uint64_t fingerprint, int64_t now) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu) {
    ++checked;
    const bool seen = CheckAndRecord(fingerprint, now);
    duplicates += seen ? 1 : 0;
    return seen;
  }

  // True when `fingerprint` is held and within the window at `now`; else records it.
  bool CheckAndRecord(uint64_t fingerprint, int64_t now) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu) {
    Guard(now);
    last_tick_ = now;
    size_t i = Home(fingerprint);
    // The tick sits in the other array: its cache miss overlaps the fingerprint's.
    __builtin_prefetch(&ticks_[i], 1);
    __builtin_prefetch(&fingerprints_[i], 1);
    Sweep(now);  // on every check, so repeats alone also age the table out
    i = Home(fingerprint);  // the sweep may have rebuilt the shard
    while (fingerprints_[i] != 0) {
      if (fingerprints_[i] == fingerprint) {
        if (Fresh(ticks_[i], now)) return true;
        // Left the window but not yet swept: this arrival starts a new one.
        ticks_[i] = static_cast<uint16_t>(now);
        ++aged_out;
        generation.fetch_add(1, std::memory_order_relaxed);
        return false;
      }
      i = Next(i);
    }
    if ((size_ + 1) * 8 > capacity_ * 7) {
      Rebuild(Grown(capacity_), now);
      i = FreeSlot(fingerprint);
    }
    fingerprints_[i] = fingerprint;
    ticks_[i] = static_cast<uint16_t>(now);
    ++size_;
    generation.fetch_add(1, std::memory_order_relaxed);
    return false;
  }

  // Brings the cache lines CheckAndRecord(fingerprint) starts at in ahead of it.
  void Prefetch(uint64_t fingerprint) const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu) {
    if (capacity_ == 0) return;  // not allocated before the first check
    const size_t i = Home(fingerprint);
    __builtin_prefetch(&ticks_[i], 1);
    __builtin_prefetch(&fingerprints_[i], 1);
  }

  // For Restore: adds an entry known to be absent, with its tick (no sweeping).
  void Insert(uint64_t fingerprint, uint16_t tick, int64_t now) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu) {
    Guard(now);
    last_tick_ = now;
    if ((size_ + 1) * 8 > capacity_ * 7) Rebuild(Grown(capacity_), now);
    const size_t i = FreeSlot(fingerprint);
    fingerprints_[i] = fingerprint;
    ticks_[i] = tick;
    ++size_;
  }

  void Reset(size_t expected, int64_t now) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu) {
    size_ = 0;
    capacity_ = 0;
    last_tick_ = now;
    Rebuild(std::max(kMinCapacity, expected * 8 / 6), now);
    generation.fetch_add(1, std::memory_order_relaxed);
  }

  size_t size() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu) { return size_; }
  size_t capacity() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu) { return capacity_; }
  const uint64_t* fingerprints() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu) { return fingerprints_.get(); }
  const uint16_t* ticks() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu) { return ticks_.get(); }

 private:
  size_t Home(uint64_t fingerprint) const {
    // fastrange: the high bits pick the slot, with no power-of-two capacity.
    return static_cast<size_t>((static_cast<unsigned __int128>(fingerprint) * capacity_) >> 64);
  }
  size_t Next(size_t i) const { return i + 1 == capacity_ ? 0 : i + 1; }
  bool Fresh(uint16_t tick, int64_t now) const {
    const uint32_t age = static_cast<uint16_t>(static_cast<uint64_t>(now) - tick);
    return age < window_ticks_ || age >= kFutureAge;
  }
  size_t FreeSlot(uint64_t fingerprint) const {
    size_t i = Home(fingerprint);
    while (fingerprints_[i] != 0) i = Next(i);
    return i;
  }

  // Keeps 16-bit ages exact: a shard no check swept through lately is swept whole now.
  void Guard(int64_t now) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu) {
    if (capacity_ == 0) {
      last_tick_ = now;
      Rebuild(kMinCapacity, now);
    } else if (now - pass_start_ > kMaxPassTicks || now < pass_start_ - kMaxPassTicks) {
      Rebuild(capacity_, now);
    }
  }

  // Advances the sweep cursor by kSweepSlots slots, erasing entries that left the window.
  void Sweep(int64_t now) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu) {
    for (int k = 0; k < kSweepSlots; ++k) {
      if (cursor_ >= capacity_) {
        cursor_ = 0;
        pass_start_ = now;
        // After a burst aged out, give the memory back (to 60% load).
        if (capacity_ > kMinCapacity && size_ * 10 < capacity_ * 3) {
          Rebuild(std::max(kMinCapacity, size_ * 5 / 3), now);
          return;
        }
      }
      if (fingerprints_[cursor_] != 0 && !Fresh(ticks_[cursor_], now)) {
        EraseAt(cursor_);  // shifts a later entry here: look at this slot again
        ++aged_out;
        generation.fetch_add(1, std::memory_order_relaxed);
      } else {
        ++cursor_;
      }
    }
  }

  // Backward-shift deletion: entries after the hole move back unless that would put
  // them before their home slot, so no tombstones slow the probes.
  void EraseAt(size_t hole) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu) {
    for (size_t j = Next(hole); fingerprints_[j] != 0; j = Next(j)) {
      const size_t home = Home(fingerprints_[j]);
      const bool stays = hole < j ? (hole < home && home <= j) : (hole < home || home <= j);
      if (stays) continue;
      fingerprints_[hole] = fingerprints_[j];
      ticks_[hole] = ticks_[j];
      hole = j;
    }
    fingerprints_[hole] = 0;
    --size_;
  }

  // Re-inserts the entries still in the window at `now` into `capacity` slots (a full
  // sweep). Ages are taken against the shard's last use, when they were all exact (now
  // may be far later after an idle spell); an arrival far in the future becomes `now`.
  void Rebuild(size_t capacity, int64_t now) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu) {
    std::unique_ptr<uint64_t[]> old_fingerprints = std::move(fingerprints_);
    std::unique_ptr<uint16_t[]> old_ticks = std::move(ticks_);
    const size_t old_capacity = capacity_;
    capacity = std::max(capacity, size_ * 8 / 7 + 1);
    fingerprints_ = std::make_unique<uint64_t[]>(capacity);  // zeroed: empty
    ticks_ = std::make_unique_for_overwrite<uint16_t[]>(capacity);
    capacity_ = capacity;
    size_ = 0;
    for (size_t i = 0; i < old_capacity; ++i) {
      if (old_fingerprints[i] == 0) continue;
      const uint32_t age = static_cast<uint16_t>(static_cast<uint64_t>(last_tick_) - old_ticks[i]);
      int64_t arrival = age >= kFutureAge ? last_tick_ + (65536 - age) : last_tick_ - age;
      if (arrival > now + kMaxPassTicks) arrival = now;
      if (now - arrival >= window_ticks_) {
        ++aged_out;
        continue;
      }
      const size_t slot = FreeSlot(old_fingerprints[i]);
      fingerprints_[slot] = old_fingerprints[i];
      ticks_[slot] = static_cast<uint16_t>(arrival);
      ++size_;
    }
    cursor_ = 0;
    pass_start_ = now;
    last_tick_ = now;
    generation.fetch_add(1, std::memory_order_relaxed);
  }

  int64_t window_ticks_ = 0;
  std::unique_ptr<uint64_t[]> fingerprints_ ABSL_GUARDED_BY(mu);
  std::unique_ptr<uint16_t[]> ticks_ ABSL_GUARDED_BY(mu);
  size_t capacity_ ABSL_GUARDED_BY(mu) = 0;
  size_t size_ ABSL_GUARDED_BY(mu) = 0;
  size_t cursor_ ABSL_GUARDED_BY(mu) = 0;      // the sweep's next slot
  int64_t pass_start_ ABSL_GUARDED_BY(mu) = 0;  // tick the sweep's pass began
  int64_t last_tick_ ABSL_GUARDED_BY(mu) = 0;   // of the last check: ages are exact against it
};

Deduplicator::Deduplicator(DedupOptions options)
    : now_(options.now ? std::move(options.now) : [] { return absl::Now(); }),
      shards_(std::make_unique<Shard[]>(kShards)) {
  if (options.window > absl::ZeroDuration()) {
    window_seconds_ = absl::ToInt64Seconds(absl::Ceil(options.window, absl::Seconds(1)));
    tick_seconds_ = std::max<int64_t>(1, (window_seconds_ + kMaxWindowTicks - 1) / kMaxWindowTicks);
    window_ticks_ = (window_seconds_ + tick_seconds_ - 1) / tick_seconds_;
  }
  for (int s = 0; s < kShards; ++s) shards_[s].Init(window_ticks_);
}

Deduplicator::~Deduplicator() = default;

int64_t Deduplicator::NowTick() const { return FloorDiv(absl::ToUnixSeconds(now_()), tick_seconds_); }

Deduplicator::Shard& Deduplicator::ShardOf(uint64_t fingerprint) const {
  return shards_[fingerprint % kShards];  // the low bits; slots use the high ones
}

uint64_t Deduplicator::Fingerprint(absl::string_view user_id, absl::string_view event_id) {
  // Length-prefixed, so ("a\0b", "c") and ("a", "b\0c") differ.
  ingest_internal::SipHash128 hash(kDedupK0, kDedupK1);
  hash.UpdateU64(user_id.size());
  hash.Update(user_id);
  hash.Update(event_id);
  const uint64_t fingerprint = hash.Finish().low;
  return fingerprint != 0 ? fingerprint : 1;  // 0 marks an empty slot
}

bool Deduplicator::SeenBefore(absl::string_view user_id, absl::string_view event_id) {
  return SeenBefore(user_id, event_id, now_());
}

bool Deduplicator::SeenBefore(absl::string_view user_id, absl::string_view event_id,
                              absl::Time arrival) {
  if (!enabled()) return false;
  const uint64_t fingerprint = Fingerprint(user_id, event_id);
  const int64_t now = FloorDiv(absl::ToUnixSeconds(arrival), tick_seconds_);
  Shard& shard = ShardOf(fingerprint);
  absl::MutexLock lock(&shard.mu);
  return shard.Check(fingerprint, now);
}

void Deduplicator::SeenBefore(absl::Span<const uint64_t> fingerprints, absl::Time arrival,
                              absl::Span<uint8_t> seen) {
  if (!enabled()) {
    std::fill(seen.begin(), seen.end(), 0);
    return;
  }
  const int64_t now = FloorDiv(absl::ToUnixSeconds(arrival), tick_seconds_);
  // Keys by shard, in batch order within each (a repeat inside the batch lands in the
  // same shard after its first): one lock per shard per batch, not per key.
  std::array<std::vector<uint32_t>, kShards> by_shard;
  for (uint32_t i = 0; i < fingerprints.size(); ++i) by_shard[fingerprints[i] % kShards].push_back(i);
  // The table is far larger than the caches: start the next keys' misses early.
  constexpr size_t kAhead = 8;
  for (int s = 0; s < kShards; ++s) {
    const std::vector<uint32_t>& keys = by_shard[s];
    if (keys.empty()) continue;
    Shard& shard = shards_[s];
    absl::MutexLock lock(&shard.mu);
    for (size_t j = 0; j < std::min(kAhead, keys.size()); ++j) shard.Prefetch(fingerprints[keys[j]]);
    for (size_t j = 0; j < keys.size(); ++j) {
      if (j + kAhead < keys.size()) shard.Prefetch(fingerprints[keys[j + kAhead]]);
      seen[keys[j]] = shard.Check(fingerprints[keys[j]], now);
    }
  }
}

absl::Status Deduplicator::RecordStored(const TableSnapshot& snapshot) {
  if (!enabled()) return absl::OkStatus();
  const StringDictionary& users = snapshot.user_index();
  const int threads = DefaultThreads();
  std::vector<ScanBuffers> buffers(threads);
  const int64_t now = NowTick();
  for (size_t p = 0; p < snapshot.partition_count(); ++p) {
    ScanOptions scan;
    scan.min_time_ms = MillisOfDay(snapshot.day(p));
    scan.max_time_ms = MillisOfDay(snapshot.day(p) + 1) - 1;
    const BlockList blocks = snapshot.ListBlocks(scan);
    // Decoding event ids and hashing dominate: spread the blocks over the cores.
    std::vector<std::vector<uint64_t>> fingerprints(blocks.blocks.size());
    std::vector<absl::Status> errors(blocks.blocks.size());
    ParallelFor(blocks.blocks.size(), threads, [&](int thread, size_t b) {
      ScanBlock block;
      errors[b] = snapshot.ReadBlock(blocks.blocks[b], {ColumnId::kUserId, ColumnId::kEventId},
                                     &buffers[thread], &block);
      if (!errors[b].ok()) return;
      const auto& event_ids = block.strings[ColumnIndex(ColumnId::kEventId)];
      fingerprints[b].reserve(block.row_count);
      for (uint32_t r = 0; r < block.row_count; ++r) {
        fingerprints[b].push_back(Fingerprint(users.Get(block.users[r]), event_ids[r]));
      }
    });
    for (const absl::Status& error : errors) MUA_RETURN_IF_ERROR(error);
    for (const std::vector<uint64_t>& block_fingerprints : fingerprints) {
      for (uint64_t fingerprint : block_fingerprints) {
        Shard& shard = ShardOf(fingerprint);
        absl::MutexLock lock(&shard.mu);
        shard.CheckAndRecord(fingerprint, now);
      }
    }
  }
  return absl::OkStatus();
}

DedupStats Deduplicator::stats() const {
  DedupStats stats;
  for (int s = 0; s < kShards; ++s) {
    absl::MutexLock lock(&shards_[s].mu);
    stats.checked += shards_[s].checked;
    stats.duplicates += shards_[s].duplicates;
    stats.aged_out += shards_[s].aged_out;
    stats.entries += static_cast<int64_t>(shards_[s].size());
  }
  return stats;
}

size_t Deduplicator::memory_bytes() const {
  size_t bytes = sizeof(Shard) * kShards;
  for (int s = 0; s < kShards; ++s) {
    absl::MutexLock lock(&shards_[s].mu);
    bytes += shards_[s].capacity() * (sizeof(uint64_t) + sizeof(uint16_t));
  }
  return bytes;
}

uint64_t Deduplicator::generation() const {
  // Each shard's only grows, so the sum changes whenever any shard does.
  uint64_t sum = 0;
  for (int s = 0; s < kShards; ++s) sum += shards_[s].generation.load(std::memory_order_relaxed);
  return sum;
}

std::function<std::string()> Deduplicator::Capture() {
  // Under the checkpoint's capture a copy of the slot arrays (a memcpy); encoded outside.
  struct Captured {
    std::vector<uint64_t> fingerprints;
    std::vector<uint16_t> ticks;
    int64_t checked = 0, duplicates = 0, aged_out = 0;
    int64_t now = 0;
  };
  auto captured = std::make_shared<Captured>();
  captured->now = NowTick();
  size_t slots = 0;  // no batch is applied now, so the shards keep these sizes
  for (int s = 0; s < kShards; ++s) {
    absl::MutexLock lock(&shards_[s].mu);
    slots += shards_[s].capacity();
  }
  captured->fingerprints.reserve(slots);
  captured->ticks.reserve(slots);
  for (int s = 0; s < kShards; ++s) {
    Shard& shard = shards_[s];
    absl::MutexLock lock(&shard.mu);
    captured->fingerprints.insert(captured->fingerprints.end(), shard.fingerprints(),
                                  shard.fingerprints() + shard.capacity());
    captured->ticks.insert(captured->ticks.end(), shard.ticks(), shard.ticks() + shard.capacity());
    captured->checked += shard.checked;
    captured->duplicates += shard.duplicates;
    captured->aged_out += shard.aged_out;
  }
  return [captured, tick_seconds = tick_seconds_, window_seconds = window_seconds_] {
    const std::vector<uint64_t>& fingerprints = captured->fingerprints;
    uint64_t count = 0;
    for (uint64_t fingerprint : fingerprints) count += fingerprint != 0 ? 1 : 0;
    std::string out(kSnapshotMagic, 4);
    out.reserve(kHeaderBytes + count * 12);
    PutFixed32(&out, kSnapshotVersion);
    for (int64_t value : {captured->checked, captured->duplicates, captured->aged_out, window_seconds}) {
      PutFixed64(&out, static_cast<uint64_t>(value));
    }
    PutFixed64(&out, count);
    for (uint64_t fingerprint : fingerprints) {
      if (fingerprint != 0) PutFixed64(&out, fingerprint);
    }
    // Arrival as the unix second its tick began: independent of the tick width, which
    // follows the window (it may differ at the next start).
    for (size_t i = 0; i < fingerprints.size(); ++i) {
      if (fingerprints[i] == 0) continue;
      const uint32_t age = static_cast<uint16_t>(static_cast<uint64_t>(captured->now) - captured->ticks[i]);
      const int64_t tick = age >= kFutureAge ? captured->now + (65536 - age) : captured->now - age;
      PutFixed32(&out, static_cast<uint32_t>(std::clamp<int64_t>(tick * tick_seconds, 0, UINT32_MAX)));
    }
    // The copy is as large as the table: free it before the store compresses `out`.
    std::vector<uint64_t>().swap(captured->fingerprints);
    std::vector<uint16_t>().swap(captured->ticks);
    return out;
  };
}

absl::Status Deduplicator::Restore(absl::string_view snapshot) {
  if (snapshot.size() < kHeaderBytes || snapshot.substr(0, 4) != absl::string_view(kSnapshotMagic, 4)) {
    return absl::DataLossError("dedup snapshot: bad header");
  }
  if (const uint32_t version = LoadFixed32(snapshot.data() + 4); version != kSnapshotVersion) {
    return absl::DataLossError(absl::StrCat("dedup snapshot: unknown version ", version));
  }
  const char* p = snapshot.data() + 8;
  const int64_t checked = static_cast<int64_t>(LoadFixed64(p));
  const int64_t duplicates = static_cast<int64_t>(LoadFixed64(p + 8));
  int64_t aged_out = static_cast<int64_t>(LoadFixed64(p + 16));
  const uint64_t count = LoadFixed64(p + 32);
  if (count > (snapshot.size() - kHeaderBytes) / 12 || count * 12 != snapshot.size() - kHeaderBytes) {
    return absl::DataLossError("dedup snapshot: size does not match its entry count");
  }
  const char* fingerprints = snapshot.data() + kHeaderBytes;
  const char* arrivals = fingerprints + count * 8;
  const int64_t now = NowTick();
  // Presize each shard for what it will hold, so the load does not grow it step by step.
  std::vector<size_t> per_shard(kShards, 0);
  for (uint64_t i = 0; i < count; ++i) ++per_shard[LoadFixed64(fingerprints + i * 8) % kShards];
  for (int s = 0; s < kShards; ++s) {
    absl::MutexLock lock(&shards_[s].mu);
    shards_[s].Reset(enabled() ? per_shard[s] : 0, now);
    shards_[s].checked = s == 0 ? checked : 0;
    shards_[s].duplicates = s == 0 ? duplicates : 0;
    shards_[s].aged_out = 0;
  }
  for (uint64_t i = 0; i < count; ++i) {
    const uint64_t fingerprint = LoadFixed64(fingerprints + i * 8);
    if (fingerprint == 0) return absl::DataLossError("dedup snapshot: an empty fingerprint");
    if (!enabled()) {
      ++aged_out;  // de-duplication is off: nothing is remembered
      continue;
    }
    int64_t tick = FloorDiv(int64_t{LoadFixed32(arrivals + i * 4)}, tick_seconds_);
    if (tick > now + kMaxPassTicks) tick = now;  // far in the future: the clock stepped back
    if (now - tick >= window_ticks_) {
      ++aged_out;
      continue;
    }
    Shard& shard = ShardOf(fingerprint);
    absl::MutexLock lock(&shard.mu);
    shard.Insert(fingerprint, static_cast<uint16_t>(tick), now);
  }
  {
    absl::MutexLock lock(&shards_[0].mu);
    shards_[0].aged_out += aged_out;
  }
  restored_.store(true, std::memory_order_release);
  return absl::OkStatus();
}

absl::Status Deduplicator::Replay(absl::string_view) {
  return absl::DataLossError("dedup: unexpected WAL record (this attachment logs none)");
}

}  // namespace mua
