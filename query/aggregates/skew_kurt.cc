// skewPop, skewSamp, kurtPop, kurtSamp -> Float64, from the power sums
// n, sum x, sum x^2, sum x^3, sum x^4 as ClickHouse's VarMoments computes
// them (so results agree to the last bits): skew = m3 / var^1.5, kurt =
// m4 / var^2 with the population or sample variance; nan over no rows, the
// central moments 0 over one row.
#include <algorithm>
#include <array>
#include <cmath>
#include <limits>

#include "query/aggregates/registry.h"
#include "query/aggregates/state_io.h"

namespace mua::query_internal {
namespace {

enum class Shape { kSkewPop, kSkewSamp, kKurtPop, kKurtSamp };

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

double Result(const std::array<double, 5>& m, Shape shape) {
  if (m[0] == 0) return kNaN;
  const bool sample = shape == Shape::kSkewSamp || shape == Shape::kKurtSamp;
  double var;
  if (sample) {
    var = m[0] <= 1 ? kNaN : std::max(0.0, (m[2] - m[1] * m[1] / m[0]) / (m[0] - 1));
  } else {
    var = std::max(0.0, (m[2] - m[1] * m[1] / m[0]) / m[0]);
  }
  if (shape == Shape::kSkewPop || shape == Shape::kSkewSamp) {
    const double m3 =
        m[0] == 1 ? 0 : (m[3] - (3 * m[2] - 2 * m[1] * m[1] / m[0]) * m[1] / m[0]) / m[0];
    return m3 / std::pow(var, 1.5);
  }
  const double m4 =
      m[0] == 1
          ? 0
          : (m[4] - (4 * m[3] - (6 * m[2] - 3 * m[1] * m[1] / m[0]) * m[1] / m[0]) * m[1] / m[0]) /
                m[0];
  return m4 / (var * var);
}

class SkewKurtAggregate final : public AggregateFunction {
 public:
  explicit SkewKurtAggregate(Shape shape)
      : AggregateFunction(DataType::Of(TypeId::kFloat64)), shape_(shape) {}
  void Resize(size_t groups) override { sums_.resize(std::max(groups, sums_.size())); }
  absl::Status Update(absl::Span<const Vector> args, absl::Span<const uint32_t> groups) override {
    for (size_t row = 0; row < groups.size(); ++row) {
      const double x = args[0].number_at(row);
      std::array<double, 5>& m = sums_[groups[row]];
      m[0] += 1;
      m[1] += x;
      m[2] += x * x;
      m[3] += x * x * x;
      m[4] += x * x * x * x;
    }
    return absl::OkStatus();
  }
  void Merge(AggregateFunction& other, absl::Span<const uint32_t> target) override {
    auto& o = static_cast<SkewKurtAggregate&>(other);
    for (size_t g = 0; g < target.size(); ++g) Add(target[g], o.sums_[g]);
  }
  void Finalize(Vector* out) override {
    out->type = result_type();
    out->size = sums_.size();
    out->floats.resize(sums_.size());
    for (size_t g = 0; g < sums_.size(); ++g) out->floats[g] = Result(sums_[g], shape_);
  }
  std::unique_ptr<AggregateFunction> CloneEmpty() const override {
    return std::make_unique<SkewKurtAggregate>(shape_);
  }
  absl::Status SerializeState(size_t group, std::string* out) const override {
    StateWriter writer(out);
    for (double v : sums_[group]) writer.Float(v);
    return absl::OkStatus();
  }
  absl::Status DeserializeState(size_t group, absl::string_view state) override {
    StateReader in(state);
    std::array<double, 5> m;
    for (double& v : m) v = in.Float();
    MUA_RETURN_IF_ERROR(in.Finish("skewPop"));
    if (!(m[0] >= 0)) return absl::DataLossError("Malformed state of aggregate function skewPop");
    Add(group, m);
    return absl::OkStatus();
  }

 private:
  void Add(size_t group, const std::array<double, 5>& m) {
    for (size_t i = 0; i < m.size(); ++i) sums_[group][i] += m[i];
  }
  const Shape shape_;
  std::vector<std::array<double, 5>> sums_;
};

AggregateBinder SkewKurtBinder(Shape shape) {
  return [=](const AggregateBindArgs& in) -> absl::StatusOr<std::unique_ptr<AggregateFunction>> {
    MUA_RETURN_IF_ERROR(RequireArgs(in, 1));
    MUA_RETURN_IF_ERROR(NoParameters(in));
    if (!in.args[0].type.is_numeric()) return IllegalArgType(in, 0);
    return std::unique_ptr<AggregateFunction>(std::make_unique<SkewKurtAggregate>(shape));
  };
}

}  // namespace

void RegisterSkewKurt(AggregateRegistry* registry) {
  registry->Add("skewPop", SkewKurtBinder(Shape::kSkewPop));
  registry->Add("skewSamp", SkewKurtBinder(Shape::kSkewSamp));
  registry->Add("kurtPop", SkewKurtBinder(Shape::kKurtPop));
  registry->Add("kurtSamp", SkewKurtBinder(Shape::kKurtSamp));
}

}  // namespace mua::query_internal
