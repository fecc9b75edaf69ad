// retention(cond1, ..., condN) -> Array(UInt8) (kernel: query/functions/retention.h).
#include <algorithm>

#include "query/aggregates/registry.h"
#include "query/aggregates/state_io.h"
#include "query/functions/retention.h"

namespace mua::query_internal {
namespace {

class RetentionAggregate final : public AggregateFunction {
 public:
  explicit RetentionAggregate(int conditions)
      : AggregateFunction(DataType::Array(TypeId::kUInt8)), conditions_(conditions) {}
  void Resize(size_t groups) override { states_.resize(std::max(groups, states_.size())); }
  absl::Status Update(absl::Span<const Vector> args, absl::Span<const uint32_t> groups) override {
    for (size_t row = 0; row < groups.size(); ++row) {
      uint32_t mask = 0;
      for (int k = 0; k < conditions_; ++k) {
        if (args[k].int_at(row) != 0) mask |= 1u << k;
      }
      states_[groups[row]].Add(mask);
    }
    return absl::OkStatus();
  }
  void Merge(AggregateFunction& other, absl::Span<const uint32_t> target) override {
    auto& o = static_cast<RetentionAggregate&>(other);
    for (size_t g = 0; g < target.size(); ++g) states_[target[g]].Merge(o.states_[g]);
  }
  void Finalize(Vector* out) override {
    out->type = result_type();
    out->size = states_.size();
    out->offsets.assign(1, 0);
    uint8_t values[kMaxRetentionConditions];
    for (const auto& state : states_) {
      state.Result(conditions_, values);
      for (int k = 0; k < conditions_; ++k) out->ints.push_back(values[k]);
      out->offsets.push_back(static_cast<uint32_t>(out->ints.size()));
    }
  }
  std::unique_ptr<AggregateFunction> CloneEmpty() const override {
    return std::make_unique<RetentionAggregate>(conditions_);
  }
  absl::Status SerializeState(size_t group, std::string* out) const override {
    StateWriter(out).UInt(states_[group].conditions);
    return absl::OkStatus();
  }
  absl::Status DeserializeState(size_t group, absl::string_view state) override {
    StateReader in(state);
    const uint64_t mask = in.UInt();
    MUA_RETURN_IF_ERROR(in.Finish("retention"));
    states_[group].Add(static_cast<uint32_t>(mask));
    return absl::OkStatus();
  }

 private:
  const int conditions_;
  std::vector<RetentionState> states_;
};

}  // namespace

void RegisterRetention(AggregateRegistry* registry) {
  registry->Add(
      "retention",
      [](const AggregateBindArgs& in) -> absl::StatusOr<std::unique_ptr<AggregateFunction>> {
        MUA_RETURN_IF_ERROR(ValidateRetentionArity(in.args.size()));
        for (size_t i = 0; i < in.args.size(); ++i) {
          if (!in.args[i].type.is_integer()) return IllegalArgType(in, i);
        }
        return std::unique_ptr<AggregateFunction>(
            std::make_unique<RetentionAggregate>(static_cast<int>(in.args.size())));
      },
      {.default_on_only_null = true});
}

}  // namespace mua::query_internal
