#include "storage/internal/user_profiles.h"

#include <algorithm>

namespace mua::storage_internal {

void UserProfileIndex::Add(uint32_t user, int64_t time_ms,
                           const std::array<uint32_t, kProfileColumns.size()>& codes) {
  absl::MutexLock lock(&mu_);
  AddLocked(user, time_ms, codes);
}

void UserProfileIndex::AddLocked(uint32_t user, int64_t time_ms,
                                 const std::array<uint32_t, kProfileColumns.size()>& codes) {
  if (user >= entries_.size()) entries_.resize(std::max<size_t>(user + 1, entries_.size() * 3 / 2));
  ProfileEntry& entry = entries_[user];
  if (entry.event_count == 0) {
    entry.first_seen_ms = time_ms;
    entry.last_seen_ms = time_ms;
    entry.latest_codes = codes;
  } else {
    entry.first_seen_ms = std::min(entry.first_seen_ms, time_ms);
    if (time_ms >= entry.last_seen_ms) {
      entry.last_seen_ms = time_ms;
      entry.latest_codes = codes;
    }
  }
  ++entry.event_count;
}

namespace {

// The slot in kCodeColumns of each profile column.
constexpr std::array<size_t, kProfileColumns.size()> kProfileSlots = [] {
  std::array<size_t, kProfileColumns.size()> slots{};
  for (size_t c = 0; c < kProfileColumns.size(); ++c) {
    slots[c] = kNumCodeColumns;  // not a code column: fails the check below
    for (size_t slot = 0; slot < kNumCodeColumns; ++slot) {
      if (kCodeColumns[slot] == kProfileColumns[c]) slots[c] = slot;
    }
  }
  return slots;
}();
static_assert(std::all_of(kProfileSlots.begin(), kProfileSlots.end(),
                          [](size_t slot) { return slot < kNumCodeColumns; }),
              "every profile column is a dictionary-coded column");

}  // namespace

void UserProfileIndex::AddRows(absl::Span<const EncodedRow> rows) {
  absl::MutexLock lock(&mu_);
  for (const EncodedRow& row : rows) {
    std::array<uint32_t, kProfileColumns.size()> codes;
    for (size_t c = 0; c < codes.size(); ++c) codes[c] = row.codes[kProfileSlots[c]];
    AddLocked(row.user, row.event_time_ms, codes);
  }
}

void UserProfileIndex::Erase(uint32_t user) {
  absl::MutexLock lock(&mu_);
  if (user < entries_.size()) entries_[user] = ProfileEntry{};
}

void UserProfileIndex::Clear() {
  absl::MutexLock lock(&mu_);
  entries_.clear();
  entries_.shrink_to_fit();
}

std::vector<std::pair<uint32_t, ProfileEntry>> UserProfileIndex::Copy() const {
  absl::MutexLock lock(&mu_);
  std::vector<std::pair<uint32_t, ProfileEntry>> out;
  for (uint32_t user = 0; user < entries_.size(); ++user) {
    if (entries_[user].event_count > 0) out.emplace_back(user, entries_[user]);
  }
  return out;
}

size_t UserProfileIndex::memory_bytes() const {
  absl::MutexLock lock(&mu_);
  return entries_.capacity() * sizeof(ProfileEntry);
}

}  // namespace mua::storage_internal
