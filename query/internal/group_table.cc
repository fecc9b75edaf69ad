#include "query/internal/group_table.h"

#include <algorithm>
#include <cstring>

#include "storage/base/hash_containers.h"
#include "absl/strings/str_cat.h"
#include "storage/base/check.h"
#include "storage/string_dictionary.h"

namespace mua::query_internal {

// Largest dictionary grouped through a direct array (4 bytes per code).
constexpr size_t kMaxDenseCodes = size_t{1} << 24;

void GroupTable::InitKeys(absl::Span<const Vector> keys) {
  initialized_ = true;
  fast_ = keys.size() <= 2;
  dense_ = keys.size() == 1 && keys[0].is_dictionary() && !keys[0].constant &&
           keys[0].dictionary->size() <= kMaxDenseCodes;
  int strings = 0;
  for (const Vector& key : keys) {
    KeyColumn& column = columns_.emplace_back();
    column.type = key.type;
    column.dictionary = key.dictionary;
    column.floats = key.type.id == TypeId::kFloat64;
    column.generic = key.type.may_be_null() || key.type.id == TypeId::kArray || key.type.is_tuple();
    column.strings = key.type.is_string() && !key.is_dictionary() && !column.generic;
    column.floats = column.floats && !column.generic;
    strings += column.strings;
    if (column.generic) {
      column.values = EmptyColumn(key.type);
      fast_ = false;
      dense_ = false;
    }
  }
  if (strings > 1) fast_ = false;
  // About 1024 codes per shard.
  size_t shards = 1;
  if (fast_ && keys.size() == 2 && keys[0].is_dictionary()) {
    const size_t codes = std::max<size_t>(keys[0].dictionary->size(), 1);
    int bits = 0;
    while ((size_t{1} << bits) < codes) ++bits;
    shard_shift_ = std::min(bits, 10);
    shards = size_t{1} << (bits - shard_shift_);
  }
  fast_maps_.resize(shards);
}

GroupTable::FastKey GroupTable::MakeFastKey(absl::Span<const Vector> keys, size_t row) const {
  FastKey key;
  size_t word = 0;
  for (size_t k = 0; k < keys.size(); ++k) {
    if (columns_[k].strings) {
      const Fingerprint128 fingerprint = Fingerprint(keys[k].string_at(row));
      key.words[word++] = fingerprint.first;
      key.words[word++] = fingerprint.second;
    } else {
      key.words[word++] = static_cast<uint64_t>(IntKey(keys[k], row));
    }
  }
  return key;
}

HashMap<GroupTable::FastKey, uint32_t>& GroupTable::FastMap(const FastKey& key) {
  if (fast_maps_.size() == 1) return fast_maps_[0];
  return fast_maps_[std::min<size_t>(key.words[0] >> shard_shift_, fast_maps_.size() - 1)];
}

int64_t GroupTable::IntKey(const Vector& key, size_t row) const {
  if (key.is_dictionary()) return key.codes[key.index(row)];
  if (key.type.id == TypeId::kFloat64) {
    int64_t bits;
    const double value = key.float_at(row);
    std::memcpy(&bits, &value, sizeof(bits));
    return bits;
  }
  return key.int_at(row);
}

void GroupTable::AddKeyValues(absl::Span<const Vector> keys, size_t row) {
  for (size_t k = 0; k < keys.size(); ++k) {
    KeyColumn& column = columns_[k];
    const Vector& key = keys[k];
    if (column.generic) {
      Vector value;
      const uint32_t index = static_cast<uint32_t>(row);
      Gather(key, absl::MakeConstSpan(&index, 1), &value);
      AppendVectorRows(value, &column.values);
    } else if (column.strings) {
      column.string_values.emplace_back(key.string_at(row));
    } else if (column.floats) {
      column.float_values.push_back(key.float_at(row));
    } else {
      column.ints.push_back(IntKey(key, row));
    }
  }
  ++size_;
}

namespace {

// Abseil grows a table of capacity c once it holds c - c/8 entries, to 2c + 1 slots.
template <class Map>
int64_t TableGrowthBytes(const Map& map, size_t rows) {
  const size_t capacity = map.capacity();
  if (map.size() + rows <= capacity - capacity / 8) return 0;
  const size_t grown = std::max<size_t>(2 * capacity + 1, 16);
  return static_cast<int64_t>(grown * (sizeof(typename Map::slot_type) + 1));
}

}  // namespace

int64_t GroupTable::GrowthBytes(size_t rows) const {
  int64_t most = TableGrowthBytes(map_, rows);
  // Rows come sorted by the sharding key, so a batch's new groups fill one shard.
  for (const auto& shard : fast_maps_) most = std::max(most, TableGrowthBytes(shard, rows));
  return most;
}

void GroupTable::Map(absl::Span<const Vector> keys, size_t rows, std::vector<uint32_t>* groups) {
  if (!initialized_) InitKeys(keys);
  MUA_CHECK(keys.size() == columns_.size(), "GroupTable: key count changed");
  groups->resize(rows);
  if (keys.empty()) {
    EnsureOneGroup();
    std::fill(groups->begin(), groups->end(), 0);
    return;
  }
  if (dense_ && keys[0].is_dictionary() && !keys[0].constant) {
    const std::vector<uint32_t>& codes = keys[0].codes;
    for (size_t row = 0; row < rows; ++row) {
      const uint32_t code = codes[row];
      if (code >= dense_groups_.size()) {
        dense_groups_.resize(std::max<size_t>(code + 1, keys[0].dictionary->size()), -1);
      }
      int32_t& group = dense_groups_[code];
      if (group < 0) {
        group = static_cast<int32_t>(size_);
        AddKeyValues(keys, row);
      }
      (*groups)[row] = static_cast<uint32_t>(group);
    }
    return;
  }
  if (dense_) {
    // A key that is not a code column after all: move the groups to the hash map.
    for (size_t code = 0; code < dense_groups_.size(); ++code) {
      if (dense_groups_[code] < 0) continue;
      FastKey key;
      key.words[0] = code;
      FastMap(key)[key] = dense_groups_[code];
    }
    dense_groups_.clear();
    dense_ = false;
  }
  // Sealed blocks are sorted by (user, time), so equal keys come in runs: a
  // row whose key equals the previous row's reuses its group without hashing.
  if (fast_) {
    // Equal to the previous row's key values: compared, not fingerprinted.
    auto same_as_previous = [&](size_t row) {
      for (size_t k = 0; k < keys.size(); ++k) {
        const bool same = columns_[k].strings ? keys[k].string_at(row) == keys[k].string_at(row - 1)
                                              : IntKey(keys[k], row) == IntKey(keys[k], row - 1);
        if (!same) return false;
      }
      return true;
    };
    uint32_t previous_group = 0;
    for (size_t row = 0; row < rows; ++row) {
      if (row > 0 && same_as_previous(row)) {
        (*groups)[row] = previous_group;
        continue;
      }
      const FastKey key = MakeFastKey(keys, row);
      auto [it, inserted] = FastMap(key).try_emplace(key, static_cast<uint32_t>(size_));
      if (inserted) AddKeyValues(keys, row);
      (*groups)[row] = previous_group = it->second;
    }
    return;
  }
  std::string serialized;
  std::string previous;
  uint32_t previous_group = 0;
  for (size_t row = 0; row < rows; ++row) {
    serialized.clear();
    for (const Vector& key : keys) {
      if (key.type.may_be_null() || key.type.id == TypeId::kArray || key.type.is_tuple()) {
        AppendValueKey(key, row, &serialized);
      } else if (key.type.is_string() && !key.is_dictionary()) {
        const absl::string_view value = key.string_at(row);
        absl::StrAppend(&serialized, value.size(), ":", value);
      } else {
        const int64_t value = IntKey(key, row);
        serialized.append(reinterpret_cast<const char*>(&value), sizeof(value));
      }
    }
    if (row > 0 && serialized == previous) {
      (*groups)[row] = previous_group;
      continue;
    }
    auto [it, inserted] = map_.try_emplace(serialized, static_cast<uint32_t>(size_));
    if (inserted) AddKeyValues(keys, row);
    (*groups)[row] = previous_group = it->second;
    previous.swap(serialized);
  }
}

void GroupTable::EnsureOneGroup() {
  initialized_ = true;
  if (size_ == 0) size_ = 1;
}

std::vector<Vector> GroupTable::KeyVectors() const {
  std::vector<Vector> vectors;
  for (const KeyColumn& column : columns_) {
    Vector& v = vectors.emplace_back();
    v.type = column.type;
    v.size = size_;
    if (column.generic) {
      v = ColumnRows(column.values, 0, size_);
      v.type = column.type;
    } else if (column.strings) {
      v.strings.assign(column.string_values.begin(), column.string_values.end());
    } else if (column.floats) {
      v.floats = column.float_values;
    } else if (column.dictionary != nullptr) {
      v.dictionary = column.dictionary;
      v.codes.assign(column.ints.begin(), column.ints.end());
    } else {
      v.ints = column.ints;
    }
  }
  return vectors;
}

std::vector<uint32_t> GroupTable::Absorb(const GroupTable& other) {
  std::vector<uint32_t> targets;
  if (other.columns_.empty()) {
    if (other.size_ > 0) EnsureOneGroup();
    targets.assign(other.size_, 0);
    return targets;
  }
  const std::vector<Vector> keys = other.KeyVectors();
  Map(keys, other.size_, &targets);
  return targets;
}

}  // namespace mua::query_internal
