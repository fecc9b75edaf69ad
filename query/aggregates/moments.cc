// varPop, varSamp, stddevPop, stddevSamp (VAR_POP ... case-insensitive),
// covarPop, covarSamp, corr -> Float64. Accumulated with Welford's updates
// and Chan's merge (numerically stable: no catastrophic cancellation of
// sum(x^2) - sum(x)^2/n); results follow modern ClickHouse: nan over no
// rows, the sample forms nan over one row, variances clamped at 0.
#include <algorithm>
#include <cmath>
#include <limits>

#include "query/aggregates/registry.h"
#include "query/aggregates/state_io.h"
#include "query/internal/statistics.h"

namespace mua::query_internal {
namespace {

enum class Statistic { kVarPop, kVarSamp, kStddevPop, kStddevSamp, kCovarPop, kCovarSamp, kCorr };

// Count, means and co-moments of one group (statistics.h), and the statistic they give.
struct Moments : BivariateMoments {
  double Result(Statistic statistic) const {
    constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
    switch (statistic) {
      case Statistic::kVarPop: return n == 0 ? kNaN : std::max(0.0, m2x / n);
      case Statistic::kVarSamp: return n <= 1 ? kNaN : std::max(0.0, m2x / (n - 1));
      case Statistic::kStddevPop: return std::sqrt(Result(Statistic::kVarPop));
      case Statistic::kStddevSamp: return std::sqrt(Result(Statistic::kVarSamp));
      case Statistic::kCovarPop: return n == 0 ? kNaN : cxy / n;
      case Statistic::kCovarSamp: return n <= 1 ? kNaN : cxy / (n - 1);
      case Statistic::kCorr: return n == 0 ? kNaN : cxy / std::sqrt(m2x * m2y);
    }
    return kNaN;
  }
};

class MomentsAggregate final : public AggregateFunction {
 public:
  MomentsAggregate(Statistic statistic, bool two_args)
      : AggregateFunction(DataType::Of(TypeId::kFloat64)), statistic_(statistic), two_args_(two_args) {}
  void Resize(size_t groups) override { states_.resize(std::max(groups, states_.size())); }
  absl::Status Update(absl::Span<const Vector> args, absl::Span<const uint32_t> groups) override {
    const Vector& x = args[0];
    const Vector& y = two_args_ ? args[1] : args[0];
    for (size_t row = 0; row < groups.size(); ++row) {
      states_[groups[row]].Add(x.number_at(row), y.number_at(row));
    }
    return absl::OkStatus();
  }
  void Merge(AggregateFunction& other, absl::Span<const uint32_t> target) override {
    auto& o = static_cast<MomentsAggregate&>(other);
    for (size_t g = 0; g < target.size(); ++g) states_[target[g]].Merge(o.states_[g]);
  }
  void Finalize(Vector* out) override {
    out->type = result_type();
    out->size = states_.size();
    out->floats.resize(states_.size());
    for (size_t g = 0; g < states_.size(); ++g) out->floats[g] = states_[g].Result(statistic_);
  }
  std::unique_ptr<AggregateFunction> CloneEmpty() const override {
    return std::make_unique<MomentsAggregate>(statistic_, two_args_);
  }
  absl::Status SerializeState(size_t group, std::string* out) const override {
    const Moments& m = states_[group];
    StateWriter(out).Float(m.n).Float(m.mean_x).Float(m.mean_y).Float(m.m2x).Float(m.m2y).Float(m.cxy);
    return absl::OkStatus();
  }
  absl::Status DeserializeState(size_t group, absl::string_view state) override {
    StateReader in(state);
    Moments m;
    m.n = in.Float();
    m.mean_x = in.Float();
    m.mean_y = in.Float();
    m.m2x = in.Float();
    m.m2y = in.Float();
    m.cxy = in.Float();
    MUA_RETURN_IF_ERROR(in.Finish("varPop"));
    if (!(m.n >= 0)) return absl::DataLossError("Malformed state of aggregate function varPop");
    states_[group].Merge(m);
    return absl::OkStatus();
  }

 private:
  const Statistic statistic_;
  const bool two_args_;
  std::vector<Moments> states_;
};

AggregateBinder MomentsBinder(Statistic statistic, size_t arity) {
  return [=](const AggregateBindArgs& in) -> absl::StatusOr<std::unique_ptr<AggregateFunction>> {
    MUA_RETURN_IF_ERROR(RequireArgs(in, arity));
    MUA_RETURN_IF_ERROR(NoParameters(in));
    for (size_t i = 0; i < arity; ++i) {
      if (!in.args[i].type.is_numeric()) return IllegalArgType(in, i);
    }
    return std::unique_ptr<AggregateFunction>(std::make_unique<MomentsAggregate>(statistic, arity == 2));
  };
}

}  // namespace

void RegisterMoments(AggregateRegistry* registry) {
  const struct {
    const char* name;
    const char* alias;  // ClickHouse's case-insensitive SQL spelling
    Statistic statistic;
    size_t arity;
  } kFunctions[] = {
      {"varPop", "VAR_POP", Statistic::kVarPop, 1},
      {"varSamp", "VAR_SAMP", Statistic::kVarSamp, 1},
      {"stddevPop", "STDDEV_POP", Statistic::kStddevPop, 1},
      {"stddevSamp", "STDDEV_SAMP", Statistic::kStddevSamp, 1},
      {"covarPop", "COVAR_POP", Statistic::kCovarPop, 2},
      {"covarSamp", "COVAR_SAMP", Statistic::kCovarSamp, 2},
      {"corr", nullptr, Statistic::kCorr, 2},
  };
  for (const auto& f : kFunctions) {
    registry->Add(f.name, MomentsBinder(f.statistic, f.arity), {}, f.alias == nullptr);
    if (f.alias != nullptr) registry->Add(f.alias, MomentsBinder(f.statistic, f.arity), {}, true);
    // ClickHouse's *Stable variants: the same (these are the stable formulas).
    registry->Add(absl::StrCat(f.name, "Stable"), MomentsBinder(f.statistic, f.arity));
  }
}

}  // namespace mua::query_internal
