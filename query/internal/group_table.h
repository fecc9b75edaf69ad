// GroupTable: maps GROUP BY key tuples to dense group numbers (0, 1, ...) and
// keeps each group's key values. Up to two keys hash as a pair of int64:
// integers, dictionary codes, float bits, or strings interned to dense ids;
// more keys (or Nullable, array and tuple keys) as serialized bytes. NULL is
// a key value of its own: all NULL rows form one group, as in ClickHouse.
// Not thread-safe: one per worker; Absorb merges a worker's table into another.
#pragma once

#include <cstdint>
#include <deque>
#include <string>
#include <utility>
#include <vector>

#include "storage/base/hash_containers.h"
#include "absl/container/flat_hash_map.h"
#include "query/result_set.h"
#include "query/vector.h"
#include "storage/base/fingerprint.h"

namespace mua::query_internal {

class GroupTable {
 public:
  GroupTable() = default;
  GroupTable(const GroupTable&) = delete;
  GroupTable& operator=(const GroupTable&) = delete;

  // Sets groups[i] to the group of row i of `keys`, adding new groups.
  // REQUIRES: the same number of keys, each of the same representation, on every call.
  void Map(absl::Span<const Vector> keys, size_t rows, std::vector<uint32_t>* groups);

  // Adds the single group of a query without GROUP BY (if absent).
  void EnsureOneGroup();

  size_t size() const { return size_; }

  // Bytes the hash tables may newly allocate while `rows` more rows are mapped (a
  // table about to double): asked of the memory tracker before, since a table cannot
  // fail halfway through growing.
  int64_t GrowthBytes(size_t rows) const;

  // The key values of every group, one vector per key; strings view this table.
  std::vector<Vector> KeyVectors() const;

  // Maps every group of `other` into this table; returns their numbers here.
  std::vector<uint32_t> Absorb(const GroupTable& other);

 private:
  struct KeyColumn {
    DataType type;
    const StringDictionary* dictionary = nullptr;
    bool floats = false;
    bool strings = false;
    std::vector<int64_t> ints;  // ints, codes
    std::vector<double> float_values;
    std::deque<std::string> string_values;
    // Nullable, array and tuple keys: the values as a result column.
    bool generic = false;
    Column values;
  };
  // Up to two keys, not both strings, as three words: an integer key (value,
  // code, float bits) takes one, a string its 128-bit fingerprint (two).
  struct FastKey {
    uint64_t words[3] = {0, 0, 0};
    bool operator==(const FastKey& other) const {
      return words[0] == other.words[0] && words[1] == other.words[1] && words[2] == other.words[2];
    }
    template <typename H>
    friend H AbslHashValue(H h, const FastKey& key) {
      return H::combine(std::move(h), key.words[0], key.words[1], key.words[2]);
    }
  };
  FastKey MakeFastKey(absl::Span<const Vector> keys, size_t row) const;
  HashMap<FastKey, uint32_t>& FastMap(const FastKey& key);
  void InitKeys(absl::Span<const Vector> keys);
  void AddKeyValues(absl::Span<const Vector> keys, size_t row);
  int64_t IntKey(const Vector& key, size_t row) const;

  bool initialized_ = false;
  bool fast_ = false;
  size_t size_ = 0;
  std::vector<KeyColumn> columns_;
  // The fast path's groups, sharded by the first key when it is a dictionary
  // code (user_id): rows come sorted by user, so consecutive lookups stay in one
  // small, cached shard instead of missing all over one big table.
  std::vector<HashMap<FastKey, uint32_t>> fast_maps_;
  int shard_shift_ = 0;
  // One dictionary-coded key (user_id, a low-cardinality column): group by code
  // through a direct array instead of hashing; -1 = no group yet.
  bool dense_ = false;
  std::vector<int32_t> dense_groups_;
  HashMap<std::string, uint32_t> map_;
};

}  // namespace mua::query_internal
