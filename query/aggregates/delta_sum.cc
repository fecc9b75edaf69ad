// deltaSum(x): the sum of the rises between consecutive values (a fall is a
// counter reset and adds nothing), of the argument's type (integers wrap in
// its width, as ClickHouse's T arithmetic). Partial states merge as
// ClickHouse's: a later state whose first value is above the earlier's last
// adds that gap too. Order-dependent like ClickHouse's: rows count in the
// order the scan reads them.
#include <algorithm>

#include "query/aggregates/registry.h"
#include "query/aggregates/state_io.h"

namespace mua::query_internal {
namespace {

struct DeltaState {
  double sum = 0, first = 0, last = 0;  // Float64
  int64_t isum = 0, ifirst = 0, ilast = 0;  // integers
  bool seen = false;
};

class DeltaSumAggregate final : public AggregateFunction {
 public:
  explicit DeltaSumAggregate(DataType type)
      : AggregateFunction(type), floats_(type.id == TypeId::kFloat64), unsigned_(type.is_unsigned()) {}
  void Resize(size_t groups) override { states_.resize(std::max(groups, states_.size())); }
  absl::Status Update(absl::Span<const Vector> args, absl::Span<const uint32_t> groups) override {
    for (size_t row = 0; row < groups.size(); ++row) {
      DeltaState& s = states_[groups[row]];
      if (floats_) {
        const double v = args[0].float_at(row);
        if (s.seen && s.last < v) s.sum += v - s.last;
        s.last = v;
        if (!s.seen) s.first = v;
      } else {
        const int64_t v = args[0].int_at(row);
        if (s.seen && Less(s.ilast, v)) s.isum = Wrap(s.isum + (v - s.ilast));
        s.ilast = v;
        if (!s.seen) s.ifirst = v;
      }
      s.seen = true;
    }
    return absl::OkStatus();
  }
  void Merge(AggregateFunction& other, absl::Span<const uint32_t> target) override {
    auto& o = static_cast<DeltaSumAggregate&>(other);
    for (size_t g = 0; g < target.size(); ++g) MergeState(&states_[target[g]], o.states_[g]);
  }
  void Finalize(Vector* out) override {
    out->type = result_type();
    out->size = states_.size();
    if (floats_) {
      out->floats.resize(states_.size());
      for (size_t g = 0; g < states_.size(); ++g) out->floats[g] = states_[g].sum;
    } else {
      out->ints.resize(states_.size());
      for (size_t g = 0; g < states_.size(); ++g) out->ints[g] = states_[g].isum;
    }
  }
  std::unique_ptr<AggregateFunction> CloneEmpty() const override {
    return std::make_unique<DeltaSumAggregate>(result_type());
  }
  absl::Status SerializeState(size_t group, std::string* out) const override {
    const DeltaState& s = states_[group];
    StateWriter(out).UInt(s.seen).Float(s.sum).Float(s.first).Float(s.last).Int(s.isum).Int(s.ifirst).Int(s.ilast);
    return absl::OkStatus();
  }
  absl::Status DeserializeState(size_t group, absl::string_view state) override {
    StateReader in(state);
    DeltaState s;
    s.seen = in.UInt() != 0;
    s.sum = in.Float();
    s.first = in.Float();
    s.last = in.Float();
    s.isum = in.Int();
    s.ifirst = in.Int();
    s.ilast = in.Int();
    MUA_RETURN_IF_ERROR(in.Finish("deltaSum"));
    MergeState(&states_[group], s);
    return absl::OkStatus();
  }

 private:
  bool Less(int64_t a, int64_t b) const {
    return unsigned_ ? static_cast<uint64_t>(a) < static_cast<uint64_t>(b) : a < b;
  }
  // The value in the result type's width (UInt8 300 -> 44, Int8 200 -> -56).
  int64_t Wrap(int64_t v) const {
    switch (result_type().id) {
      case TypeId::kUInt8: return static_cast<uint8_t>(v);
      case TypeId::kUInt16: return static_cast<uint16_t>(v);
      case TypeId::kUInt32: return static_cast<uint32_t>(v);
      case TypeId::kInt8: return static_cast<int8_t>(v);
      case TypeId::kInt16: return static_cast<int16_t>(v);
      case TypeId::kInt32: return static_cast<int32_t>(v);
      default: return v;
    }
  }
  void MergeState(DeltaState* to, const DeltaState& from) const {
    if (!from.seen) return;
    if (!to->seen) {
      *to = from;
      return;
    }
    if (floats_) {
      if (to->last < from.first) {
        to->sum += from.sum + (from.first - to->last);
        to->last = from.last;
      } else if (from.first < to->last) {
        to->sum += from.sum;
        to->last = from.last;
      }
    } else {
      // Unsigned wrap-around through uint64 keeps the two's complement sum.
      auto add = [&](int64_t a, int64_t b) {
        return Wrap(static_cast<int64_t>(static_cast<uint64_t>(a) + static_cast<uint64_t>(b)));
      };
      if (Less(to->ilast, from.ifirst)) {
        to->isum = add(add(to->isum, from.isum), from.ifirst - to->ilast);
        to->ilast = from.ilast;
      } else if (Less(from.ifirst, to->ilast)) {
        to->isum = add(to->isum, from.isum);
        to->ilast = from.ilast;
      }
    }
  }
  const bool floats_;
  const bool unsigned_;
  std::vector<DeltaState> states_;
};

}  // namespace

void RegisterDeltaSum(AggregateRegistry* registry) {
  registry->Add(
      "deltaSum",
      [](const AggregateBindArgs& in) -> absl::StatusOr<std::unique_ptr<AggregateFunction>> {
        MUA_RETURN_IF_ERROR(RequireArgs(in, 1));
        MUA_RETURN_IF_ERROR(NoParameters(in));
        if (!in.args[0].type.is_numeric()) return IllegalArgType(in, 0);
        return std::unique_ptr<AggregateFunction>(std::make_unique<DeltaSumAggregate>(in.args[0].type));
      },
      {.default_on_only_null = true});
}

}  // namespace mua::query_internal
