// groupBitmap(x) -> UInt64: the cardinality of a Roaring bitmap of the
// group's integers (ClickHouse's bitmap aggregate). events.user_id goes in as
// its dense user numbers, like uniqExact's bitmap path; integers outside
// [0, 2^32) are kept in a hash set beside the bitmap.
#include <algorithm>

#include "query/aggregates/bitmap_io.h"
#include "query/aggregates/registry.h"
#include "query/aggregates/state_io.h"
#include "storage/base/hash_containers.h"
#include "storage/user_bitmap.h"

namespace mua::query_internal {
namespace {

class GroupBitmapAggregate final : public AggregateFunction {
 public:
  explicit GroupBitmapAggregate(bool users)
      : AggregateFunction(DataType::Of(TypeId::kUInt64)), users_(users) {}
  void Resize(size_t groups) override {
    groups = std::max(groups, bitmaps_.size());
    bitmaps_.resize(groups);
    wide_.resize(groups);
  }
  absl::Status Update(absl::Span<const Vector> args, absl::Span<const uint32_t> groups) override {
    const Vector& v = args[0];
    for (size_t row = 0; row < groups.size(); ++row) {
      if (users_) {
        bitmaps_[groups[row]].add(v.codes[v.index(row)]);
        continue;
      }
      const uint64_t x = static_cast<uint64_t>(v.int_at(row));
      if (x <= UINT32_MAX) {
        bitmaps_[groups[row]].add(static_cast<uint32_t>(x));
      } else {
        wide_[groups[row]].insert(static_cast<int64_t>(x));
      }
    }
    return absl::OkStatus();
  }
  void Merge(AggregateFunction& other, absl::Span<const uint32_t> target) override {
    auto& o = static_cast<GroupBitmapAggregate&>(other);
    for (size_t g = 0; g < target.size(); ++g) {
      bitmaps_[target[g]] |= o.bitmaps_[g];
      wide_[target[g]].insert(o.wide_[g].begin(), o.wide_[g].end());
    }
  }
  void Finalize(Vector* out) override {
    out->type = result_type();
    out->size = bitmaps_.size();
    out->ints.resize(bitmaps_.size());
    for (size_t g = 0; g < bitmaps_.size(); ++g) {
      out->ints[g] = static_cast<int64_t>(bitmaps_[g].cardinality() + wide_[g].size());
    }
  }
  std::unique_ptr<AggregateFunction> CloneEmpty() const override {
    return std::make_unique<GroupBitmapAggregate>(users_);
  }
  ShardMerge shard_merge() const override { return users_ ? ShardMerge::kAddFinalized : ShardMerge::kState; }
  absl::Status SerializeState(size_t group, std::string* out) const override {
    StateWriter writer(out);
    WriteBitmap(bitmaps_[group], writer);
    writer.UInt(wide_[group].size());
    for (int64_t x : wide_[group]) writer.Int(x);
    return absl::OkStatus();
  }
  absl::Status DeserializeState(size_t group, absl::string_view state) override {
    StateReader in(state);
    UserBitmap bitmap;
    ReadBitmapInto(in, &bitmap);
    std::vector<int64_t> wide(in.Count());
    for (int64_t& x : wide) x = in.Int();
    MUA_RETURN_IF_ERROR(in.Finish("groupBitmap"));
    bitmaps_[group] |= bitmap;
    wide_[group].insert(wide.begin(), wide.end());
    return absl::OkStatus();
  }

 private:
  const bool users_;
  std::vector<UserBitmap> bitmaps_;
  std::vector<HashSet<int64_t>> wide_;
};

}  // namespace

void RegisterGroupBitmap(AggregateRegistry* registry) {
  registry->Add(
      "groupBitmap",
      [](const AggregateBindArgs& in) -> absl::StatusOr<std::unique_ptr<AggregateFunction>> {
        MUA_RETURN_IF_ERROR(RequireArgs(in, 1));
        MUA_RETURN_IF_ERROR(NoParameters(in));
        const bool users = in.args[0].is_user_column;
        if (!users && !in.args[0].type.is_integer()) return IllegalArgType(in, 0);
        return std::unique_ptr<AggregateFunction>(std::make_unique<GroupBitmapAggregate>(users));
      },
      {.default_on_only_null = true});
}

}  // namespace mua::query_internal
