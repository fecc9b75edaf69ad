// groupArray(x), groupArray(N)(x): the values of a group in row order (the
// first N), as Array(T); groupUniqArray(x), groupUniqArray(N)(x): its distinct
// values in first-seen order. Values of every group live in one pool (no
// allocation per group); Finalize orders them by group, stably.
#include <algorithm>
#include <limits>

#include "query/aggregates/registry.h"
#include "query/aggregates/row_key.h"
#include "query/aggregates/state_io.h"
#include "query/aggregates/value_column.h"
#include "storage/base/hash_containers.h"

namespace mua::query_internal {
namespace {

class GroupArrayAggregate final : public AggregateFunction {
 public:
  GroupArrayAggregate(DataType element, uint64_t limit, bool unique)
      : AggregateFunction(DataType::ArrayOf(DataType::Time(element.id, element.time_zone))),
        element_(element), limit_(limit), unique_(unique) {
    pool_.physical = PhysicalOf(element);
  }
  void Resize(size_t groups) override { counts_.resize(std::max(groups, counts_.size())); }
  absl::Status Update(absl::Span<const Vector> args, absl::Span<const uint32_t> groups) override {
    const Vector& v = args[0];
    std::string scratch;
    for (size_t row = 0; row < groups.size(); ++row) {
      const uint32_t g = groups[row];
      if (counts_[g] >= limit_) continue;
      if (unique_ && !seen_.insert({g, RowFingerprint(args.subspan(0, 1), row, &scratch)}).second) continue;
      const size_t at = pool_groups_.size();
      pool_.Resize(at + 1);
      pool_.Set(at, v, row);
      pool_groups_.push_back(g);
      ++counts_[g];
    }
    return absl::OkStatus();
  }
  void Merge(AggregateFunction& other, absl::Span<const uint32_t> target) override {
    auto& o = static_cast<GroupArrayAggregate&>(other);
    for (size_t r = 0; r < o.pool_groups_.size(); ++r) AddStored(target[o.pool_groups_[r]], o.pool_, r);
  }
  void Finalize(Vector* out) override {
    out->type = result_type();
    out->size = counts_.size();
    std::vector<uint32_t> starts;
    const std::vector<uint32_t> order = OrderByGroup(&starts);
    ValueColumn sorted;
    sorted.physical = pool_.physical;
    sorted.Resize(order.size());
    for (size_t i = 0; i < order.size(); ++i) sorted.CopyFrom(i, pool_, order[i]);
    pool_ = std::move(sorted);
    pool_groups_.clear();
    Vector elements;
    pool_.Finalize(element_, &elements);
    out->ints = std::move(elements.ints);
    out->floats = std::move(elements.floats);
    out->strings = std::move(elements.strings);
    out->offsets = std::move(starts);
  }
  std::unique_ptr<AggregateFunction> CloneEmpty() const override {
    return std::make_unique<GroupArrayAggregate>(element_, limit_, unique_);
  }
  absl::Status SerializeState(size_t group, std::string* out) const override {
    if (index_size_ != pool_groups_.size()) {
      index_rows_ = OrderByGroup(&index_starts_);
      index_size_ = pool_groups_.size();
    }
    StateWriter writer(out);
    const uint32_t begin = index_starts_[group], end = index_starts_[group + 1];
    writer.UInt(end - begin);
    for (uint32_t i = begin; i < end; ++i) pool_.Write(index_rows_[i], writer);
    return absl::OkStatus();
  }
  absl::Status DeserializeState(size_t group, absl::string_view state) override {
    StateReader in(state);
    ValueColumn read;
    read.physical = pool_.physical;
    const uint64_t rows = in.Count();
    read.Resize(rows);
    for (uint64_t r = 0; r < rows && in.ok(); ++r) read.Read(r, in);
    MUA_RETURN_IF_ERROR(in.Finish(unique_ ? "groupUniqArray" : "groupArray"));
    for (size_t r = 0; r < rows; ++r) AddStored(static_cast<uint32_t>(group), read, r);
    return absl::OkStatus();
  }

 private:
  void AddStored(uint32_t group, const ValueColumn& from, size_t r) {
    if (counts_[group] >= limit_) return;
    if (unique_) {
      ValueColumn single;
      single.physical = from.physical;
      single.Resize(1);
      single.CopyFrom(0, from, r);
      Vector one;
      single.Finalize(element_, &one);
      std::string scratch;
      if (!seen_.insert({group, RowFingerprint(absl::MakeConstSpan(&one, 1), 0, &scratch)}).second) return;
    }
    const size_t at = pool_groups_.size();
    pool_.Resize(at + 1);
    pool_.CopyFrom(at, from, r);
    pool_groups_.push_back(group);
    ++counts_[group];
  }
  // Pool rows ordered by group, stably; (*starts)[g] is group g's first.
  std::vector<uint32_t> OrderByGroup(std::vector<uint32_t>* starts) const {
    starts->assign(counts_.size() + 1, 0);
    for (uint32_t g : pool_groups_) ++(*starts)[g + 1];
    for (size_t g = 1; g < starts->size(); ++g) (*starts)[g] += (*starts)[g - 1];
    std::vector<uint32_t> order(pool_groups_.size());
    std::vector<uint32_t> next(starts->begin(), starts->end() - 1);
    for (size_t r = 0; r < pool_groups_.size(); ++r) order[next[pool_groups_[r]]++] = static_cast<uint32_t>(r);
    return order;
  }

  const DataType element_;
  const uint64_t limit_;
  const bool unique_;
  ValueColumn pool_;
  std::vector<uint32_t> pool_groups_;
  std::vector<uint64_t> counts_;
  HashSet<std::pair<uint32_t, Fingerprint128>> seen_;
  mutable size_t index_size_ = SIZE_MAX;
  mutable std::vector<uint32_t> index_starts_;
  mutable std::vector<uint32_t> index_rows_;
};

AggregateBinder GroupArrayBinder(bool unique) {
  return [unique](const AggregateBindArgs& in) -> absl::StatusOr<std::unique_ptr<AggregateFunction>> {
    MUA_RETURN_IF_ERROR(RequireArgs(in, 1));
    uint64_t limit = std::numeric_limits<uint64_t>::max();
    if (in.parameters.size() > 1) {
      return absl::InvalidArgumentError(
          absl::StrCat("Incorrect number of parameters for aggregate function ", in.name,
                       ", should be 0 or 1"));
    }
    if (in.parameters.size() == 1) {
      const Vector& p = in.parameters[0];
      if (!p.type.is_integer() || p.int_at(0) <= 0) {
        return absl::InvalidArgumentError(
            absl::StrCat("Parameter for aggregate function ", in.name, " should be positive number"));
      }
      limit = static_cast<uint64_t>(p.int_at(0));
    }
    DataType element = in.args[0].type;
    if (!IsArrayElementType(element)) return IllegalArgType(in, 0);
    element.low_cardinality = false;
    return std::unique_ptr<AggregateFunction>(std::make_unique<GroupArrayAggregate>(element, limit, unique));
  };
}

}  // namespace

void RegisterGroupArray(AggregateRegistry* registry) {
  registry->Add("groupArray", GroupArrayBinder(false), {.default_on_only_null = true});
  registry->Add("array_agg", GroupArrayBinder(false), {.default_on_only_null = true}, true);
  registry->Add("groupUniqArray", GroupArrayBinder(true), {.default_on_only_null = true});
}

}  // namespace mua::query_internal
