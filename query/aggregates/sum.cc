// sum(x) and avg(x): integer sums wrap in 64 bits (ClickHouse's UInt64/Int64
// result), Float64 sums and averages in double; avg of no rows is nan.
#include <algorithm>
#include <limits>

#include "query/aggregates/registry.h"
#include "query/aggregates/state_io.h"

namespace mua::query_internal {
namespace {

class SumAggregate final : public AggregateFunction {
 public:
  SumAggregate(DataType result, bool average)
      : AggregateFunction(result),
        floats_(result.id == TypeId::kFloat64 || average),
        average_(average) {}
  void Resize(size_t groups) override {
    groups = std::max(groups, counts_.size());
    ints_.resize(groups);
    floats_sum_.resize(groups);
    counts_.resize(groups);
  }
  absl::Status Update(absl::Span<const Vector> args, absl::Span<const uint32_t> groups) override {
    const Vector& v = args[0];
    for (size_t row = 0; row < groups.size(); ++row) {
      const uint32_t g = groups[row];
      if (floats_) {
        floats_sum_[g] += v.number_at(row);
      } else {
        ints_[g] = static_cast<int64_t>(static_cast<uint64_t>(ints_[g]) +
                                        static_cast<uint64_t>(v.int_at(row)));
      }
      ++counts_[g];
    }
    return absl::OkStatus();
  }
  void Merge(AggregateFunction& other, absl::Span<const uint32_t> target) override {
    auto& o = static_cast<SumAggregate&>(other);
    for (size_t g = 0; g < target.size(); ++g) {
      Add(target[g], o.ints_[g], o.floats_sum_[g], o.counts_[g]);
    }
  }
  void Finalize(Vector* out) override {
    out->type = result_type();
    out->size = counts_.size();
    if (average_) {
      out->floats.resize(counts_.size());
      for (size_t g = 0; g < counts_.size(); ++g) {
        out->floats[g] = counts_[g] == 0 ? std::numeric_limits<double>::quiet_NaN()
                                         : floats_sum_[g] / static_cast<double>(counts_[g]);
      }
    } else if (floats_) {
      out->floats = floats_sum_;
    } else {
      out->ints = ints_;
    }
  }
  std::unique_ptr<AggregateFunction> CloneEmpty() const override {
    return std::make_unique<SumAggregate>(result_type(), average_);
  }
  absl::Status SerializeState(size_t group, std::string* out) const override {
    StateWriter(out).Int(ints_[group]).Float(floats_sum_[group]).UInt(counts_[group]);
    return absl::OkStatus();
  }
  absl::Status DeserializeState(size_t group, absl::string_view state) override {
    StateReader in(state);
    const int64_t ints = in.Int();
    const double floats = in.Float();
    const uint64_t count = in.UInt();
    MUA_RETURN_IF_ERROR(in.Finish(average_ ? "avg" : "sum"));
    Add(group, ints, floats, count);
    return absl::OkStatus();
  }

 private:
  void Add(size_t group, int64_t ints, double floats, uint64_t count) {
    ints_[group] = static_cast<int64_t>(static_cast<uint64_t>(ints_[group]) + static_cast<uint64_t>(ints));
    floats_sum_[group] += floats;
    counts_[group] += count;
  }
  const bool floats_;
  const bool average_;
  std::vector<int64_t> ints_;
  std::vector<double> floats_sum_;
  std::vector<uint64_t> counts_;
};

absl::StatusOr<std::unique_ptr<AggregateFunction>> BindSum(const AggregateBindArgs& in,
                                                           bool average) {
  MUA_RETURN_IF_ERROR(RequireArgs(in, 1));
  MUA_RETURN_IF_ERROR(NoParameters(in));
  const DataType& type = in.args[0].type;
  if (!type.is_numeric()) return IllegalArgType(in, 0);
  const DataType result = average || type.id == TypeId::kFloat64
                              ? DataType::Of(TypeId::kFloat64)
                              : DataType::Of(type.is_unsigned() ? TypeId::kUInt64 : TypeId::kInt64);
  return std::unique_ptr<AggregateFunction>(std::make_unique<SumAggregate>(result, average));
}

}  // namespace

void RegisterSum(AggregateRegistry* registry) {
  registry->Add("sum", [](const AggregateBindArgs& in) { return BindSum(in, false); }, {}, true);
  registry->Add("avg", [](const AggregateBindArgs& in) { return BindSum(in, true); }, {}, true);
}

}  // namespace mua::query_internal
