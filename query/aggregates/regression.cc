// avgWeighted(x, w) -> Float64: sum(x * w) / sum(w) (nan when the weights sum
// to 0, as ClickHouse). simpleLinearRegression(x, y) -> Tuple(k Float64,
// b Float64): the least-squares line y = k * x + b from the sums, with
// ClickHouse's formulas (k nan when all x are equal, both nan over no rows).
#include <algorithm>
#include <array>
#include <limits>

#include "query/aggregates/registry.h"
#include "query/aggregates/state_io.h"

namespace mua::query_internal {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// Per group: sums that both functions need. avgWeighted: {sum x*w, sum w};
// regression: {n, sum x, sum y, sum x*x, sum x*y}.
template <size_t N>
class SumsAggregate : public AggregateFunction {
 public:
  using AggregateFunction::AggregateFunction;
  void Resize(size_t groups) override { sums_.resize(std::max(groups, sums_.size())); }
  void Merge(AggregateFunction& other, absl::Span<const uint32_t> target) override {
    auto& o = static_cast<SumsAggregate&>(other);
    for (size_t g = 0; g < target.size(); ++g) Add(target[g], o.sums_[g]);
  }
  absl::Status SerializeState(size_t group, std::string* out) const override {
    StateWriter writer(out);
    for (double v : sums_[group]) writer.Float(v);
    return absl::OkStatus();
  }
  absl::Status DeserializeState(size_t group, absl::string_view state) override {
    StateReader in(state);
    std::array<double, N> sums;
    for (double& v : sums) v = in.Float();
    MUA_RETURN_IF_ERROR(in.Finish(N == 2 ? "avgWeighted" : "simpleLinearRegression"));
    Add(group, sums);
    return absl::OkStatus();
  }

 protected:
  void Add(size_t group, const std::array<double, N>& sums) {
    for (size_t i = 0; i < N; ++i) sums_[group][i] += sums[i];
  }
  std::vector<std::array<double, N>> sums_;
};

class AvgWeightedAggregate final : public SumsAggregate<2> {
 public:
  AvgWeightedAggregate() : SumsAggregate<2>(DataType::Of(TypeId::kFloat64)) {}
  absl::Status Update(absl::Span<const Vector> args, absl::Span<const uint32_t> groups) override {
    for (size_t row = 0; row < groups.size(); ++row) {
      const double w = args[1].number_at(row);
      Add(groups[row], {args[0].number_at(row) * w, w});
    }
    return absl::OkStatus();
  }
  void Finalize(Vector* out) override {
    out->type = result_type();
    out->size = sums_.size();
    out->floats.resize(sums_.size());
    for (size_t g = 0; g < sums_.size(); ++g) out->floats[g] = sums_[g][0] / sums_[g][1];
  }
  std::unique_ptr<AggregateFunction> CloneEmpty() const override {
    return std::make_unique<AvgWeightedAggregate>();
  }
};

class RegressionAggregate final : public SumsAggregate<5> {
 public:
  RegressionAggregate()
      : SumsAggregate<5>(DataType::Tuple({DataType::Of(TypeId::kFloat64), DataType::Of(TypeId::kFloat64)},
                                         {"k", "b"})) {}
  absl::Status Update(absl::Span<const Vector> args, absl::Span<const uint32_t> groups) override {
    for (size_t row = 0; row < groups.size(); ++row) {
      const double x = args[0].number_at(row), y = args[1].number_at(row);
      Add(groups[row], {1, x, y, x * x, x * y});
    }
    return absl::OkStatus();
  }
  void Finalize(Vector* out) override {
    out->type = result_type();
    out->size = sums_.size();
    out->children.assign(2, Vector());
    for (Vector& child : out->children) {
      child.type = DataType::Of(TypeId::kFloat64);
      child.size = sums_.size();
      child.floats.resize(sums_.size());
    }
    for (size_t g = 0; g < sums_.size(); ++g) {
      const auto& [n, sx, sy, sxx, sxy] = sums_[g];
      const double divisor = sxx * n - sx * sx;
      const double k = divisor == 0 ? kNaN : (sxy * n - sx * sy) / divisor;
      out->children[0].floats[g] = k;
      out->children[1].floats[g] = n == 0 ? kNaN : (sy - k * sx) / n;
    }
  }
  std::unique_ptr<AggregateFunction> CloneEmpty() const override {
    return std::make_unique<RegressionAggregate>();
  }
};

absl::Status TwoNumbers(const AggregateBindArgs& in) {
  MUA_RETURN_IF_ERROR(RequireArgs(in, 2));
  MUA_RETURN_IF_ERROR(NoParameters(in));
  for (size_t i = 0; i < 2; ++i) {
    if (!in.args[i].type.is_numeric()) return IllegalArgType(in, i);
  }
  return absl::OkStatus();
}

}  // namespace

void RegisterRegression(AggregateRegistry* registry) {
  registry->Add("avgWeighted",
                [](const AggregateBindArgs& in) -> absl::StatusOr<std::unique_ptr<AggregateFunction>> {
                  MUA_RETURN_IF_ERROR(TwoNumbers(in));
                  return std::unique_ptr<AggregateFunction>(std::make_unique<AvgWeightedAggregate>());
                });
  registry->Add("simpleLinearRegression",
                [](const AggregateBindArgs& in) -> absl::StatusOr<std::unique_ptr<AggregateFunction>> {
                  MUA_RETURN_IF_ERROR(TwoNumbers(in));
                  return std::unique_ptr<AggregateFunction>(std::make_unique<RegressionAggregate>());
                });
}

}  // namespace mua::query_internal
