// UserKeyGroups: dense group numbers for (user, key) pairs met in runs of rows sorted
// by (user, time), as sealed segments hold them: the per-user sequence path's GROUP BY
// user_id, session_id and the sessions() view. SameString: the inlined equality that
// finds where such a run ends.
#pragma once

#include <cstdint>
#include <cstring>
#include <limits>
#include <utility>
#include <vector>

#include "absl/strings/string_view.h"
#include "storage/base/fingerprint.h"
#include "storage/base/hash_containers.h"

namespace mua::query_internal {

// a == b for the short strings group keys mostly are (session ids), inlined: the rows of
// a run compare equal to its first row, and a libc memcmp call per row cost more than
// the comparison itself.
inline bool SameString(absl::string_view a, absl::string_view b) {
  const size_t size = a.size();
  if (size != b.size()) return false;
  if (size < 8) return a == b;
  const char* x = a.data();
  const char* y = b.data();
  uint64_t u, v, differ = 0;
  size_t i = 0;
  for (; i + 8 <= size; i += 8) {
    std::memcpy(&u, x + i, 8);
    std::memcpy(&v, y + i, 8);
    differ |= u ^ v;
  }
  std::memcpy(&u, x + size - 8, 8);  // the tail, overlapping the last whole word
  std::memcpy(&v, y + size - 8, 8);
  return (differ | (u ^ v)) == 0;
}

// The (user, key) groups of one worker's range of users — (user, session) above all —
// found without a hash table for nearly every run of rows: a user's rows arrive in time
// order, so a run is the group the user used last, or a new group, or — rarely, sessions
// interleaved across devices or runs — one of the user's few older groups. Per user, dense arrays hold the group used
// last, the newest group (head of a chain through the user's groups) and a 256-bit Bloom
// filter of the user's keys (two bits a key); a key missing a bit is new without walking
// the chain.
// A user with more than kChainLimit groups has them all in a hash map instead, so no
// user's lookups grow with their group count.
class UserKeyGroups {
 public:
  static constexpr uint32_t kNone = std::numeric_limits<uint32_t>::max();

  explicit UserKeyGroups(uint32_t users)
      : last_used_(users, kNone),
        newest_(users, kNone),
        last_keys_(users),
        blooms_(users),
        chain_lengths_(users, 0) {}

  // The group of (user, key), a range-relative user; *created when it is new.
  uint32_t Find(uint32_t user, const Fingerprint128& key, bool* created) {
    *created = false;
    // The last key is kept with the user: a user's first run of a day compares within
    // the dense arrays instead of missing the cache on an old group.
    uint32_t group = last_used_[user];
    if (group != kNone && last_keys_[user] == key) return group;
    if (chain_lengths_[user] > kChainLimit) {
      auto [it, inserted] = heavy_.try_emplace(std::make_pair(user, key), static_cast<uint32_t>(keys_.size()));
      if (inserted) Append(user, key, created);
      last_keys_[user] = key;
      return last_used_[user] = it->second;
    }
    Bloom& bloom = blooms_[user];
    const uint32_t bit1 = key.first & 255, bit2 = (key.first >> 8) & 255;
    if (bloom.Has(bit1) && bloom.Has(bit2)) {
      for (group = newest_[user]; group != kNone; group = older_[group]) {
        if (keys_[group] == key) {
          last_keys_[user] = key;
          return last_used_[user] = group;
        }
      }
    }
    bloom.Set(bit1);
    bloom.Set(bit2);
    group = Append(user, key, created);
    if (++chain_lengths_[user] > kChainLimit) {
      for (uint32_t g = group; g != kNone; g = older_[g]) heavy_.try_emplace(std::make_pair(user, keys_[g]), g);
    }
    return group;
  }

  size_t size() const { return keys_.size(); }

 private:
  static constexpr uint8_t kChainLimit = 64;

  struct Bloom {
    uint64_t words[4] = {0, 0, 0, 0};
    bool Has(uint32_t bit) const { return (words[bit >> 6] >> (bit & 63)) & 1; }
    void Set(uint32_t bit) { words[bit >> 6] |= uint64_t{1} << (bit & 63); }
  };

  uint32_t Append(uint32_t user, const Fingerprint128& key, bool* created) {
    const uint32_t group = static_cast<uint32_t>(keys_.size());
    keys_.push_back(key);
    older_.push_back(newest_[user]);
    newest_[user] = group;
    last_used_[user] = group;
    last_keys_[user] = key;
    *created = true;
    return group;
  }

  std::vector<uint32_t> last_used_, newest_;
  std::vector<Fingerprint128> last_keys_;
  std::vector<Bloom> blooms_;
  std::vector<uint8_t> chain_lengths_;
  std::vector<Fingerprint128> keys_;  // per group
  std::vector<uint32_t> older_;       // per group: the user's next older group
  HashMap<std::pair<uint32_t, Fingerprint128>, uint32_t> heavy_;
};

}  // namespace mua::query_internal
