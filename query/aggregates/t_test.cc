// welchTTest([confidence_level])(sample_data, sample_index) and studentTTest(...) ->
// Tuple(t_statistic Float64, p_value Float64) or, with the parameter,
// Tuple(t_statistic, p_value, confidence_interval_low, confidence_interval_high), as
// ClickHouse's AggregateFunctionTTest: a row whose sample_index is 0 belongs to the first
// sample, any other to the second (ClickHouse reads the index as UInt8, so 256 counts as 0);
// t is mean(first) - mean(second) over its standard error, the p-value two-sided, and the
// interval is around that difference. Too few values (Welch: fewer than 2 a side; Student:
// an empty side or fewer than 3 in all) or an essentially constant pair (standard error
// below 10 ε times the larger |mean|) give NaN in every element.
// Two deliberate departures, both on degenerate input: where ClickHouse clamps an undefined
// p-value to 0 (every value 0, or NaN in the data) and where it throws on Welch degrees of
// freedom that overflow, the result here is NaN.
#include <algorithm>
#include <array>
#include <cfloat>
#include <cmath>
#include <limits>
#include <optional>

#include "query/aggregates/registry.h"
#include "query/aggregates/state_io.h"
#include "query/internal/statistics.h"

namespace mua::query_internal {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

enum class TTestKind { kWelch, kStudent };

struct TTestState {
  SampleMoments first, second;
};

// ClickHouse: `UInt8 is_second = columns[1]->getUInt(row)`. A Float64 index is truncated
// toward zero first; beyond 2^63 in magnitude (or NaN) its low byte is 0.
bool IsSecondSample(const Vector& index, size_t row) {
  if (index.type.id != TypeId::kFloat64) return static_cast<uint8_t>(index.int_at(row)) != 0;
  const double value = index.float_at(row);
  if (!(std::fabs(value) < 0x1p63)) return false;
  return static_cast<uint8_t>(static_cast<int64_t>(value)) != 0;
}

DataType ResultType(bool interval) {
  const DataType f64 = DataType::Of(TypeId::kFloat64);
  if (!interval) return DataType::Tuple({f64, f64}, {"t_statistic", "p_value"});
  return DataType::Tuple({f64, f64, f64, f64}, {"t_statistic", "p_value", "confidence_interval_low",
                                                "confidence_interval_high"});
}

class TTestAggregate final : public AggregateFunction {
 public:
  TTestAggregate(TTestKind kind, std::optional<double> confidence_level)
      : AggregateFunction(ResultType(confidence_level.has_value())),
        kind_(kind),
        confidence_level_(confidence_level) {}
  void Resize(size_t groups) override { states_.resize(std::max(groups, states_.size())); }
  absl::Status Update(absl::Span<const Vector> args, absl::Span<const uint32_t> groups) override {
    for (size_t row = 0; row < groups.size(); ++row) {
      TTestState& state = states_[groups[row]];
      (IsSecondSample(args[1], row) ? state.second : state.first).Add(args[0].number_at(row));
    }
    return absl::OkStatus();
  }
  void Merge(AggregateFunction& other, absl::Span<const uint32_t> target) override {
    auto& o = static_cast<TTestAggregate&>(other);
    for (size_t g = 0; g < target.size(); ++g) {
      states_[target[g]].first.Merge(o.states_[g].first);
      states_[target[g]].second.Merge(o.states_[g].second);
    }
  }
  void Finalize(Vector* out) override {
    const size_t elements = confidence_level_.has_value() ? 4 : 2;
    out->type = result_type();
    out->size = states_.size();
    out->children.assign(elements, Vector());
    for (Vector& child : out->children) {
      child.type = DataType::Of(TypeId::kFloat64);
      child.size = states_.size();
      child.floats.resize(states_.size());
    }
    for (size_t g = 0; g < states_.size(); ++g) {
      const std::array<double, 4> values = Result(states_[g]);
      for (size_t i = 0; i < elements; ++i) out->children[i].floats[g] = values[i];
    }
  }
  std::unique_ptr<AggregateFunction> CloneEmpty() const override {
    return std::make_unique<TTestAggregate>(kind_, confidence_level_);
  }
  absl::Status SerializeState(size_t group, std::string* out) const override {
    const TTestState& s = states_[group];
    StateWriter(out)
        .Float(s.first.count)
        .Float(s.first.mean)
        .Float(s.first.squared_deviations)
        .Float(s.second.count)
        .Float(s.second.mean)
        .Float(s.second.squared_deviations);
    return absl::OkStatus();
  }
  absl::Status DeserializeState(size_t group, absl::string_view state) override {
    StateReader in(state);
    TTestState s;
    for (SampleMoments* m : {&s.first, &s.second}) {
      m->count = in.Float();
      m->mean = in.Float();
      m->squared_deviations = in.Float();
    }
    const char* name = kind_ == TTestKind::kWelch ? "welchTTest" : "studentTTest";
    MUA_RETURN_IF_ERROR(in.Finish(name));
    if (!(s.first.count >= 0) || !(s.second.count >= 0)) {
      return absl::DataLossError(absl::StrCat("Malformed state of aggregate function ", name));
    }
    states_[group].first.Merge(s.first);
    states_[group].second.Merge(s.second);
    return absl::OkStatus();
  }

 private:
  // t, p and (with a confidence level) the interval; NaN where ClickHouse gives NaN.
  std::array<double, 4> Result(const TTestState& s) const {
    std::array<double, 4> values = {kNaN, kNaN, kNaN, kNaN};
    const std::optional<TTest> test = kind_ == TTestKind::kWelch ? WelchTTest(s.first, s.second)
                                                                 : StudentTTest(s.first, s.second);
    if (!test.has_value()) return values;
    // ClickHouse's isEssentiallyConstant and its interval take the unpooled (Welch)
    // standard error for both tests; for Student's it equals the pooled one only when the
    // samples have equal sizes. NaN when a side has one value: not "constant".
    const double unpooled_se = std::sqrt(s.first.SampleVariance() / s.first.count +
                                         s.second.SampleVariance() / s.second.count);
    if (unpooled_se <
        10 * DBL_EPSILON * std::max(std::fabs(s.first.mean), std::fabs(s.second.mean))) {
      return values;
    }
    const double df = test->degrees_of_freedom;
    if (!std::isfinite(test->t) || !(df > 0) || std::isinf(df)) return values;
    values[0] = test->t;
    values[1] = std::clamp(test->p_value, 0.0, 1.0);
    if (confidence_level_.has_value()) {
      // Boost's quantile(complement(t(df), (1 - level) / 2)), by symmetry.
      const double q = -StudentTQuantile((1 - *confidence_level_) / 2, df);
      const double difference = s.first.mean - s.second.mean;
      values[2] = difference - q * unpooled_se;
      values[3] = difference + q * unpooled_se;
    }
    return values;
  }

  const TTestKind kind_;
  const std::optional<double> confidence_level_;
  std::vector<TTestState> states_;
};

AggregateBinder TTestBinder(TTestKind kind) {
  return [kind](const AggregateBindArgs& in) -> absl::StatusOr<std::unique_ptr<AggregateFunction>> {
    MUA_RETURN_IF_ERROR(RequireArgs(in, 2));
    if (in.parameters.size() > 1) {
      return absl::InvalidArgumentError(
          absl::StrCat("Aggregate function ", in.name, " requires zero or one parameter."));
    }
    for (size_t i = 0; i < 2; ++i) {
      if (!in.args[i].type.is_numeric()) {
        return absl::InvalidArgumentError(
            absl::StrCat("Aggregate function ", in.name, " only supports numerical types"));
      }
    }
    std::optional<double> confidence_level;
    if (!in.parameters.empty()) {
      const Vector& parameter = in.parameters[0];
      if (!parameter.type.is_numeric() || parameter.is_null(0)) {
        return absl::InvalidArgumentError(
            absl::StrCat("Parameter of aggregate function ", in.name, " must be a number"));
      }
      const double level = parameter.number_at(0);
      if (!std::isfinite(level)) {
        return absl::InvalidArgumentError(
            absl::StrCat("Aggregate function ", in.name, " requires finite parameter values."));
      }
      if (level <= 0 || level >= 1 || level < DBL_EPSILON || std::fabs(level - 1) < DBL_EPSILON) {
        return absl::InvalidArgumentError(absl::StrCat(
            "Confidence level parameter must be between 0 and 1 in aggregate function ", in.name,
            "."));
      }
      confidence_level = level;
    }
    return std::unique_ptr<AggregateFunction>(
        std::make_unique<TTestAggregate>(kind, confidence_level));
  };
}

}  // namespace

void RegisterTTest(AggregateRegistry* registry) {
  registry->Add("welchTTest", TTestBinder(TTestKind::kWelch));
  registry->Add("studentTTest", TTestBinder(TTestKind::kStudent));
}

}  // namespace mua::query_internal
