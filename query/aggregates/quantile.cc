// quantile / median / quantileInterpolated, quantileExact / medianExact,
// quantiles / quantilesExact (several levels, Array result) and
// quantileTDigest / medianTDigest / quantilesTDigest, quantileTiming /
// medianTiming / quantilesTiming (milliseconds capped at 30 000, the value at
// position level * n as ClickHouse's, which is exact up to ~5 670 values and
// above them rounds times from 1 024 ms to 16 ms buckets: MUA stays exact,
// within 16 ms of ClickHouse there). The exact family keeps
// every value of a group (ClickHouse's `quantile` samples 8192 values and is
// inexact beyond that; MUA's interpolates over all of them).
#include <algorithm>
#include <cmath>
#include <limits>

#include "query/aggregates/registry.h"
#include "query/aggregates/state_io.h"
#include "query/aggregates/tdigest.h"
#include "query/functions/quantile.h"

namespace mua::query_internal {
namespace {

enum class QuantileKind { kInterpolated, kExact, kTDigest, kTiming };

// quantileTiming's cap: ClickHouse counts a time above 30 s as 30 s.
constexpr double kTimingMax = 30000;

// Writes one quantile value as the result's element type. Integer values went through a
// double: one near the type's end may round past it (9223372036854775807 becomes 2^63),
// which a cast may not convert, so it is clamped (UInt64 keeps its bits above 2^63).
void PushValue(double q, bool floats, bool is_unsigned, Vector* out) {
  if (floats) {
    out->floats.push_back(q);
    return;
  }
  constexpr double kTwo63 = 9223372036854775808.0;
  int64_t value = 0;
  if (!std::isfinite(q)) {
    value = 0;
  } else if (q >= kTwo63) {
    value = !is_unsigned           ? std::numeric_limits<int64_t>::max()
            : q < 2 * kTwo63 ? static_cast<int64_t>(static_cast<uint64_t>(q))
                             : int64_t{-1};  // UInt64's largest value
  } else if (q < -kTwo63) {
    value = std::numeric_limits<int64_t>::min();
  } else {
    value = static_cast<int64_t>(q);
  }
  out->ints.push_back(value);
}

class QuantileAggregate final : public AggregateFunction {
 public:
  QuantileAggregate(DataType result, std::vector<double> levels, QuantileKind kind, bool array)
      : AggregateFunction(result), levels_(std::move(levels)), kind_(kind), array_(array) {}
  void Resize(size_t groups) override {
    if (kind_ == QuantileKind::kTDigest) {
      digests_.resize(std::max(groups, digests_.size()));
    } else {
      values_.resize(std::max(groups, values_.size()));
    }
  }
  absl::Status Update(absl::Span<const Vector> args, absl::Span<const uint32_t> groups) override {
    const Vector& v = args[0];
    if (kind_ == QuantileKind::kTDigest) {
      for (size_t row = 0; row < groups.size(); ++row) digests_[groups[row]].Add(v.number_at(row));
      return absl::OkStatus();
    }
    const bool floats = v.type.id == TypeId::kFloat64;
    for (size_t row = 0; row < groups.size(); ++row) {
      const double x = v.number_at(row);
      if (floats && std::isnan(x)) continue;  // ClickHouse skips NaN samples
      if (kind_ == QuantileKind::kTiming) {
        // Milliseconds as ClickHouse's UInt64 of them: truncated, negatives
        // skipped (undefined there), capped at 30 s.
        if (x < 0) continue;
        values_[groups[row]].push_back(std::min(std::trunc(x), kTimingMax));
        continue;
      }
      values_[groups[row]].push_back(x);
    }
    return absl::OkStatus();
  }
  void Merge(AggregateFunction& other, absl::Span<const uint32_t> target) override {
    auto& o = static_cast<QuantileAggregate&>(other);
    for (size_t g = 0; g < target.size(); ++g) {
      if (kind_ == QuantileKind::kTDigest) {
        digests_[target[g]].Merge(o.digests_[g]);
      } else {
        auto& into = values_[target[g]];
        into.insert(into.end(), o.values_[g].begin(), o.values_[g].end());
      }
    }
  }
  void Finalize(Vector* out) override {
    out->type = result_type();
    const size_t groups = kind_ == QuantileKind::kTDigest ? digests_.size() : values_.size();
    out->size = groups;
    const bool floats = (array_ ? result_type().element : result_type().id) == TypeId::kFloat64;
    const bool is_unsigned = (array_ ? DataType::Of(result_type().element) : result_type()).is_unsigned();
    if (array_) out->offsets.assign(1, 0);
    for (size_t g = 0; g < groups; ++g) {
      for (double level : levels_) PushValue(Quantile(g, level), floats, is_unsigned, out);
      if (array_) out->offsets.push_back(static_cast<uint32_t>(floats ? out->floats.size() : out->ints.size()));
    }
  }
  std::unique_ptr<AggregateFunction> CloneEmpty() const override {
    return std::make_unique<QuantileAggregate>(result_type(), levels_, kind_, array_);
  }
  absl::Status SerializeState(size_t group, std::string* out) const override {
    StateWriter writer(out);
    if (kind_ == QuantileKind::kTDigest) {
      // Write compresses; the digest's answers do not change by it.
      const_cast<TDigest&>(digests_[group]).Write(writer);
      return absl::OkStatus();
    }
    writer.UInt(values_[group].size());
    for (double x : values_[group]) writer.Float(x);
    return absl::OkStatus();
  }
  absl::Status DeserializeState(size_t group, absl::string_view state) override {
    StateReader in(state);
    if (kind_ == QuantileKind::kTDigest) {
      TDigest digest;
      digest.ReadInto(in);
      MUA_RETURN_IF_ERROR(in.Finish("quantileTDigest"));
      digests_[group].Merge(digest);
      return absl::OkStatus();
    }
    std::vector<double> values(in.Count(8));
    for (double& x : values) x = in.Float();
    MUA_RETURN_IF_ERROR(in.Finish("quantile"));
    values_[group].insert(values_[group].end(), values.begin(), values.end());
    return absl::OkStatus();
  }

 private:
  double Quantile(size_t group, double level) {
    switch (kind_) {
      case QuantileKind::kExact:
      case QuantileKind::kTiming: return QuantileExact(absl::MakeSpan(values_[group]), level);
      case QuantileKind::kInterpolated:
        return QuantileInterpolated(absl::MakeSpan(values_[group]), level);
      case QuantileKind::kTDigest: return digests_[group].Quantile(level);
    }
    return 0;
  }
  const std::vector<double> levels_;
  const QuantileKind kind_;
  const bool array_;
  std::vector<std::vector<double>> values_;
  std::vector<TDigest> digests_;
};

absl::StatusOr<std::vector<double>> Levels(const AggregateBindArgs& in, bool many) {
  std::vector<double> levels;
  if (in.parameters.empty()) {
    if (many) {
      return absl::InvalidArgumentError(
          absl::StrCat("Aggregate function ", in.name, " requires at least one parameter"));
    }
    return std::vector<double>{0.5};
  }
  if (!many && in.parameters.size() != 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("Aggregate function ", in.name, " requires one parameter"));
  }
  for (const Vector& parameter : in.parameters) {
    if (!parameter.type.is_numeric()) {
      return absl::InvalidArgumentError(
          absl::StrCat("Parameters of aggregate function ", in.name, " must be numbers"));
    }
    const double level = parameter.number_at(0);
    MUA_RETURN_IF_ERROR(ValidateQuantileLevel(level));
    levels.push_back(level);
  }
  return levels;
}

AggregateBinder QuantileBinder(QuantileKind kind, bool many) {
  return [=](const AggregateBindArgs& in) -> absl::StatusOr<std::unique_ptr<AggregateFunction>> {
    MUA_RETURN_IF_ERROR(RequireArgs(in, 1));
    const DataType& type = in.args[0].type;
    if (!type.is_numeric() && !type.is_time()) return IllegalArgType(in, 0);
    MUA_ASSIGN_OR_RETURN(std::vector<double> levels, Levels(in, many));
    // quantileExact keeps the argument's type; the others give Float64
    // (times keep their type, as ClickHouse does for Date/DateTime).
    const TypeId element = kind == QuantileKind::kTiming ? TypeId::kFloat64
                           : kind == QuantileKind::kExact || type.is_time() ? type.id
                                                                             : TypeId::kFloat64;
    const DataType result = many ? DataType::Array(element) : DataType::Of(element);
    return std::unique_ptr<AggregateFunction>(
        std::make_unique<QuantileAggregate>(result, std::move(levels), kind, many));
  };
}

}  // namespace

void RegisterQuantile(AggregateRegistry* registry) {
  const auto kInterpolated = QuantileKind::kInterpolated;
  const auto kExact = QuantileKind::kExact;
  const auto kTDigest = QuantileKind::kTDigest;
  registry->Add("quantile", QuantileBinder(kInterpolated, false));
  registry->Add("quantileInterpolated", QuantileBinder(kInterpolated, false));
  registry->Add("median", QuantileBinder(kInterpolated, false));
  registry->Add("quantiles", QuantileBinder(kInterpolated, true));
  registry->Add("quantileExact", QuantileBinder(kExact, false));
  registry->Add("medianExact", QuantileBinder(kExact, false));
  registry->Add("quantilesExact", QuantileBinder(kExact, true));
  registry->Add("quantileTDigest", QuantileBinder(kTDigest, false));
  registry->Add("medianTDigest", QuantileBinder(kTDigest, false));
  registry->Add("quantilesTDigest", QuantileBinder(kTDigest, true));
  // ClickHouse's Float32 result is Float64 here (MUA has no Float32; the
  // values are whole milliseconds, so the text is the same).
  registry->Add("quantileTiming", QuantileBinder(QuantileKind::kTiming, false));
  registry->Add("medianTiming", QuantileBinder(QuantileKind::kTiming, false));
  registry->Add("quantilesTiming", QuantileBinder(QuantileKind::kTiming, true));
}

}  // namespace mua::query_internal
