// uniqExact, uniq, uniqCombined, uniqCombined64, uniqHLL12 and count(DISTINCT):
// exact distinct counts (ClickHouse's approximate ones are exact up to tens of
// thousands of values; MUA's are always exact, which is within their error).
// User numbers go to Roaring bitmaps; one numeric argument to a set of
// integers (floats by their bits); anything else to a set of 128-bit
// fingerprints of the values, as ClickHouse's uniqExact keeps for strings.
#include <algorithm>
#include <array>
#include <cstring>

#include "query/aggregates/bitmap_io.h"
#include "query/aggregates/registry.h"
#include "query/aggregates/row_key.h"
#include "query/aggregates/state_io.h"
#include "query/internal/user_key_groups.h"
#include "storage/base/fingerprint.h"
#include "storage/base/hash_containers.h"
#include "storage/user_bitmap.h"

namespace mua::query_internal {
namespace {

// A set of fingerprints that stays cache-friendly when large: past kSplitAt
// entries it splits into 256 parts by the fingerprint's top byte. Inserting a
// batch in part order (DistinctAggregate does) then touches one small part
// after another instead of missing all over one table of millions of entries.
class FingerprintSet {
 public:
  static int Part(const Fingerprint128& fingerprint) {
    return static_cast<int>(fingerprint.second >> 56);
  }

  void Insert(const Fingerprint128& fingerprint) {
    if (parts_.empty()) {
      small_.insert(fingerprint);
      if (small_.size() >= kSplitAt) Split();
    } else {
      InsertIntoPart(parts_[Part(fingerprint)], fingerprint);
    }
  }
  size_t size() const {
    size_t total = small_.size();
    for (const auto& part : parts_) total += part.size();
    return total;
  }
  void Merge(const FingerprintSet& other) {
    if (other.parts_.empty()) {
      for (const Fingerprint128& fingerprint : other.small_) Insert(fingerprint);
      return;
    }
    if (parts_.empty()) Split();
    for (size_t p = 0; p < parts_.size(); ++p) {
      parts_[p].reserve(parts_[p].size() + other.parts_[p].size());
      parts_[p].insert(other.parts_[p].begin(), other.parts_[p].end());
    }
  }
  template <typename F>
  void ForEach(F f) const {
    for (const Fingerprint128& fingerprint : small_) f(fingerprint);
    for (const auto& part : parts_) {
      for (const Fingerprint128& fingerprint : part) f(fingerprint);
    }
  }

 private:
  static constexpr size_t kSplitAt = size_t{1} << 16;
  // A part about to be full grows four times over, not twice (Abseil's step): a set
  // that split keeps growing, and each growth rehashes the whole part (12 % of the
  // crash_rate query with doubling).
  static void InsertIntoPart(HashSet<Fingerprint128>& part, const Fingerprint128& fingerprint) {
    if (part.size() + 1 >= part.capacity() / 8 * 7) part.reserve(std::max<size_t>(64, part.size() * 4));
    part.insert(fingerprint);
  }
  void Split() {
    parts_.resize(256);
    for (auto& part : parts_) part.reserve(2 * kSplitAt / 256);
    for (const Fingerprint128& fingerprint : small_) parts_[Part(fingerprint)].insert(fingerprint);
    small_ = {};
  }
  HashSet<Fingerprint128> small_;
  std::vector<HashSet<Fingerprint128>> parts_;
};

class DistinctAggregate final : public AggregateFunction {
 public:
  enum class Mode { kUsers, kInts, kText };
  explicit DistinctAggregate(Mode mode)
      : AggregateFunction(DataType::Of(TypeId::kUInt64)), mode_(mode) {}
  void Resize(size_t groups) override {
    groups = std::max(groups, size_);
    size_ = groups;
    switch (mode_) {
      case Mode::kUsers: users_.resize(groups); break;
      case Mode::kInts: ints_.resize(groups); break;
      case Mode::kText: texts_.resize(groups); break;
    }
  }
  absl::Status Update(absl::Span<const Vector> args, absl::Span<const uint32_t> groups) override {
    switch (mode_) {
      case Mode::kUsers: UpdateUsers(args[0], groups); break;
      case Mode::kInts: {
        const Vector& v = args[0];
        for (size_t row = 0; row < groups.size(); ++row) ints_[groups[row]].insert(IntKey(v, row));
        break;
      }
      case Mode::kText: UpdateText(args, groups); break;
    }
    return absl::OkStatus();
  }
  void Merge(AggregateFunction& other, absl::Span<const uint32_t> target) override {
    auto& o = static_cast<DistinctAggregate&>(other);
    for (size_t g = 0; g < target.size(); ++g) {
      switch (mode_) {
        case Mode::kUsers: users_[target[g]] |= o.users_[g]; break;
        case Mode::kInts: ints_[target[g]].insert(o.ints_[g].begin(), o.ints_[g].end()); break;
        case Mode::kText: texts_[target[g]].Merge(o.texts_[g]); break;
      }
    }
  }
  void Finalize(Vector* out) override {
    out->type = result_type();
    out->size = size_;
    out->ints.resize(size_);
    for (size_t g = 0; g < size_; ++g) {
      switch (mode_) {
        case Mode::kUsers: out->ints[g] = static_cast<int64_t>(users_[g].cardinality()); break;
        case Mode::kInts: out->ints[g] = static_cast<int64_t>(ints_[g].size()); break;
        case Mode::kText: out->ints[g] = static_cast<int64_t>(texts_[g].size()); break;
      }
    }
  }
  std::unique_ptr<AggregateFunction> CloneEmpty() const override {
    return std::make_unique<DistinctAggregate>(mode_);
  }
  ShardMerge shard_merge() const override {
    return mode_ == Mode::kUsers ? ShardMerge::kAddFinalized : ShardMerge::kState;
  }
  absl::Status SerializeState(size_t group, std::string* out) const override {
    StateWriter writer(out);
    switch (mode_) {
      case Mode::kUsers: WriteBitmap(users_[group], writer); break;
      case Mode::kInts:
        writer.UInt(ints_[group].size());
        for (int64_t key : ints_[group]) writer.Int(key);
        break;
      case Mode::kText:
        writer.UInt(texts_[group].size());
        texts_[group].ForEach([&](const Fingerprint128& f) {
          writer.Bytes(&f.first, 8).Bytes(&f.second, 8);
        });
        break;
    }
    return absl::OkStatus();
  }
  absl::Status DeserializeState(size_t group, absl::string_view state) override {
    StateReader in(state);
    switch (mode_) {
      case Mode::kUsers: {
        UserBitmap bitmap;
        ReadBitmapInto(in, &bitmap);
        MUA_RETURN_IF_ERROR(in.Finish("uniqExact"));
        users_[group] |= bitmap;
        return absl::OkStatus();
      }
      case Mode::kInts: {
        std::vector<int64_t> keys(in.Count());
        for (int64_t& key : keys) key = in.Int();
        MUA_RETURN_IF_ERROR(in.Finish("uniqExact"));
        ints_[group].insert(keys.begin(), keys.end());
        return absl::OkStatus();
      }
      case Mode::kText: {
        std::vector<Fingerprint128> keys(in.Count(16));
        for (Fingerprint128& key : keys) {
          const absl::string_view bytes = in.Bytes(16);
          if (!in.ok()) break;
          std::memcpy(&key.first, bytes.data(), 8);
          std::memcpy(&key.second, bytes.data() + 8, 8);
        }
        MUA_RETURN_IF_ERROR(in.Finish("uniqExact"));
        for (const Fingerprint128& key : keys) texts_[group].Insert(key);
        return absl::OkStatus();
      }
    }
    return absl::OkStatus();
  }

 private:
  void UpdateUsers(const Vector& v, absl::Span<const uint32_t> groups) {
    // Rows of one group usually come in runs (sealed blocks are sorted by
    // user); add runs of one group with addMany.
    size_t row = 0;
    while (row < groups.size()) {
      const uint32_t g = groups[row];
      run_.clear();
      while (row < groups.size() && groups[row] == g) run_.push_back(v.codes[v.index(row++)]);
      users_[g].addMany(run_.size(), run_.data());
    }
  }
  void UpdateText(absl::Span<const Vector> args, absl::Span<const uint32_t> groups) {
    pending_.clear();
    if (args.size() == 1 && args[0].type.is_string()) {
      // Runs of one value in one group (sorted blocks) are fingerprinted once.
      const Vector& v = args[0];
      absl::string_view previous;
      uint32_t previous_group = UINT32_MAX;
      for (size_t row = 0; row < groups.size(); ++row) {
        const absl::string_view value = v.string_at(row);
        if (groups[row] == previous_group && SameString(value, previous)) continue;
        pending_.push_back({groups[row], Fingerprint(value)});
        previous = value;
        previous_group = groups[row];
      }
      InsertInPartOrder();
      return;
    }
    std::string key;
    for (size_t row = 0; row < groups.size(); ++row) {
      texts_[groups[row]].Insert(RowFingerprint(args, row, &key));
    }
  }
  // A batch's (group, fingerprint) pairs, inserted ordered by part (a
  // counting sort on the top byte).
  struct Pending {
    uint32_t group;
    Fingerprint128 fingerprint;
  };
  void InsertInPartOrder() {
    std::array<uint32_t, 257> starts{};
    for (const Pending& p : pending_) ++starts[FingerprintSet::Part(p.fingerprint) + 1];
    for (size_t b = 1; b < starts.size(); ++b) starts[b] += starts[b - 1];
    ordered_.resize(pending_.size());
    for (const Pending& p : pending_) ordered_[starts[FingerprintSet::Part(p.fingerprint)]++] = p;
    for (const Pending& p : ordered_) texts_[p.group].Insert(p.fingerprint);
  }

  const Mode mode_;
  size_t size_ = 0;
  std::vector<UserBitmap> users_;
  std::vector<HashSet<int64_t>> ints_;
  std::vector<FingerprintSet> texts_;
  std::vector<Pending> pending_, ordered_;
  std::vector<uint32_t> run_;
};

absl::StatusOr<std::unique_ptr<AggregateFunction>> BindUniq(const AggregateBindArgs& in) {
  if (in.args.empty()) return ArgCountError(in, "at least 1");
  DistinctAggregate::Mode mode = DistinctAggregate::Mode::kText;
  if (in.args.size() == 1 && in.args[0].is_user_column) {
    mode = DistinctAggregate::Mode::kUsers;
  } else if (in.args.size() == 1 && (in.args[0].type.is_numeric() || in.args[0].type.is_time())) {
    // IntKey's types only: a tuple, an array or NULL keys as text.
    mode = DistinctAggregate::Mode::kInts;
  }
  return std::unique_ptr<AggregateFunction>(std::make_unique<DistinctAggregate>(mode));
}

}  // namespace

void RegisterUniq(AggregateRegistry* registry) {
  for (const char* name :
       {"uniqExact", "uniq", "uniqCombined", "uniqCombined64", "uniqHLL12", "uniqTheta"}) {
    registry->Add(name, BindUniq, {.default_on_only_null = true});
  }
}

}  // namespace mua::query_internal
