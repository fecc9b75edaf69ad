// -OrNull and -OrDefault (ClickHouse's AggregateFunctionOrFill): a group that
// folded no row yields NULL, or the result type's default, instead of the
// inner function's answer for no rows (avg's nan, min's 0...).
#include <algorithm>
#include <string>
#include <utility>

#include "query/aggregates/combinators.h"
#include "query/aggregates/state_io.h"
#include "storage/base/status_macros.h"

namespace mua::query_internal {
namespace {

class OrFillAggregate final : public AggregateFunction {
 public:
  OrFillAggregate(std::unique_ptr<AggregateFunction> inner, bool or_null, bool if_condition_last,
                  DataType result)
      : AggregateFunction(result),
        inner_(std::move(inner)),
        or_null_(or_null),
        if_condition_last_(if_condition_last) {}
  void Resize(size_t groups) override {
    inner_->Resize(groups);
    seen_.resize(std::max(groups, seen_.size()));
  }
  absl::Status Update(absl::Span<const Vector> args, absl::Span<const uint32_t> groups) override {
    if (if_condition_last_) {
      // Rows the inner -If drops do not count as seen (sumIfOrNull(x, 0) is NULL).
      const Vector& cond = args.back();
      const bool floats = cond.type.id == TypeId::kFloat64;
      for (size_t row = 0; row < groups.size(); ++row) {
        if (cond.is_null(row)) continue;
        if (floats ? cond.float_at(row) != 0 : cond.int_at(row) != 0) seen_[groups[row]] = 1;
      }
    } else {
      for (uint32_t g : groups) seen_[g] = 1;
    }
    return inner_->Update(args, groups);
  }
  void Merge(AggregateFunction& other, absl::Span<const uint32_t> target) override {
    auto& o = static_cast<OrFillAggregate&>(other);
    inner_->Merge(*o.inner_, target);
    for (size_t g = 0; g < target.size(); ++g) seen_[target[g]] |= o.seen_[g];
  }
  void Finalize(Vector* out) override {
    inner_->Finalize(out);
    out->type = result_type();
    const DataType& type = result_type();
    if (type.nullable) {
      out->nulls.resize(seen_.size(), 0);
      for (size_t g = 0; g < seen_.size(); ++g) out->nulls[g] |= seen_[g] ? 0 : 1;
    }
    if (or_null_ || type.CannotBeNullable()) return;
    // -OrDefault over a scalar: the unseen groups hold the type's default.
    out->MaterializeStrings();
    for (size_t g = 0; g < seen_.size(); ++g) {
      if (seen_[g]) continue;
      if (g < out->ints.size()) out->ints[g] = 0;
      if (g < out->floats.size()) out->floats[g] = 0;
      if (g < out->strings.size()) out->strings[g] = absl::string_view();
    }
  }
  absl::Status finalize_status() const override { return inner_->finalize_status(); }
  std::unique_ptr<AggregateFunction> CloneEmpty() const override {
    return std::make_unique<OrFillAggregate>(inner_->CloneEmpty(), or_null_, if_condition_last_,
                                             result_type());
  }
  ShardMerge shard_merge() const override { return inner_->shard_merge(); }
  absl::Status SerializeState(size_t group, std::string* out) const override {
    StateWriter(out).UInt(seen_[group]);
    return inner_->SerializeState(group, out);
  }
  absl::Status DeserializeState(size_t group, absl::string_view state) override {
    if (state.empty()) return absl::DataLossError("Malformed state of an -OrNull/-OrDefault aggregate");
    MUA_RETURN_IF_ERROR(inner_->DeserializeState(group, state.substr(1)));
    if (state[0] != 0) seen_[group] = 1;
    return absl::OkStatus();
  }

 private:
  std::unique_ptr<AggregateFunction> inner_;
  const bool or_null_;
  const bool if_condition_last_;
  std::vector<uint8_t> seen_;
};

}  // namespace

std::unique_ptr<AggregateFunction> MakeOrFillAggregate(std::unique_ptr<AggregateFunction> inner,
                                                       bool or_null, bool if_condition_last) {
  DataType result = inner->result_type();
  // As ClickHouse: -OrNull makes the result Nullable where a type can be (an
  // array result stays an array: its "no rows" answer is already []).
  if (or_null && !result.CannotBeNullable()) {
    if (result.id == TypeId::kNothing) result = DataType::Null();
    result.nullable = true;
  }
  return std::make_unique<OrFillAggregate>(std::move(inner), or_null, if_condition_last, result);
}

}  // namespace mua::query_internal
