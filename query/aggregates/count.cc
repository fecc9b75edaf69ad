// count(), count(x), count(*): rows per group (count(x) of a Nullable x
// counts non-NULL values: the NULL handling skips the others).
#include <algorithm>

#include "query/aggregates/registry.h"
#include "query/aggregates/state_io.h"

namespace mua::query_internal {
namespace {

class CountAggregate final : public AggregateFunction {
 public:
  CountAggregate() : AggregateFunction(DataType::Of(TypeId::kUInt64)) {}
  void Resize(size_t groups) override { counts_.resize(std::max(groups, counts_.size())); }
  absl::Status Update(absl::Span<const Vector>, absl::Span<const uint32_t> groups) override {
    for (uint32_t g : groups) ++counts_[g];
    return absl::OkStatus();
  }
  void Merge(AggregateFunction& other, absl::Span<const uint32_t> target) override {
    auto& o = static_cast<CountAggregate&>(other);
    for (size_t g = 0; g < target.size(); ++g) counts_[target[g]] += o.counts_[g];
  }
  void Finalize(Vector* out) override {
    out->type = result_type();
    out->size = counts_.size();
    out->ints.assign(counts_.begin(), counts_.end());
  }
  std::unique_ptr<AggregateFunction> CloneEmpty() const override {
    return std::make_unique<CountAggregate>();
  }
  absl::Status SerializeState(size_t group, std::string* out) const override {
    StateWriter(out).UInt(static_cast<uint64_t>(counts_[group]));
    return absl::OkStatus();
  }
  absl::Status DeserializeState(size_t group, absl::string_view state) override {
    StateReader in(state);
    const uint64_t count = in.UInt();
    MUA_RETURN_IF_ERROR(in.Finish("count"));
    counts_[group] += static_cast<int64_t>(count);
    return absl::OkStatus();
  }

 private:
  std::vector<int64_t> counts_;
};

}  // namespace

void RegisterCount(AggregateRegistry* registry) {
  registry->Add(
      "count",
      [](const AggregateBindArgs& in) -> absl::StatusOr<std::unique_ptr<AggregateFunction>> {
        if (in.args.size() > 1) return ArgCountError(in, "0 or 1");
        return std::unique_ptr<AggregateFunction>(std::make_unique<CountAggregate>());
      },
      {.default_on_only_null = true}, /*any_case=*/true);
}

}  // namespace mua::query_internal
