// groupBitAnd, groupBitOr, groupBitXor (aliases BIT_AND, BIT_OR, BIT_XOR)
// over integers, of the argument's type. As ClickHouse's state, groupBitAnd
// starts from all ones: over no rows it is the type's all-ones value (255
// for UInt8, -1 for Int8).
#include <algorithm>

#include "query/aggregates/registry.h"
#include "query/aggregates/state_io.h"

namespace mua::query_internal {
namespace {

enum class BitOp { kAnd, kOr, kXor };

// The all-ones value of `type` as our int64 holds it (unsigned below 64 bits
// zero-extended).
int64_t AllOnes(const DataType& type) {
  if (!type.is_unsigned()) return -1;
  switch (type.id) {
    case TypeId::kUInt8: return 0xff;
    case TypeId::kUInt16: return 0xffff;
    case TypeId::kUInt32: return 0xffffffff;
    default: return -1;
  }
}

class GroupBitAggregate final : public AggregateFunction {
 public:
  GroupBitAggregate(DataType type, BitOp op)
      : AggregateFunction(type), op_(op), initial_(op == BitOp::kAnd ? AllOnes(type) : 0) {}
  void Resize(size_t groups) override {
    values_.resize(std::max(groups, values_.size()), initial_);
  }
  absl::Status Update(absl::Span<const Vector> args, absl::Span<const uint32_t> groups) override {
    for (size_t row = 0; row < groups.size(); ++row) Apply(groups[row], args[0].int_at(row));
    return absl::OkStatus();
  }
  void Merge(AggregateFunction& other, absl::Span<const uint32_t> target) override {
    auto& o = static_cast<GroupBitAggregate&>(other);
    for (size_t g = 0; g < target.size(); ++g) Apply(target[g], o.values_[g]);
  }
  void Finalize(Vector* out) override {
    out->type = result_type();
    out->size = values_.size();
    out->ints = values_;
  }
  std::unique_ptr<AggregateFunction> CloneEmpty() const override {
    return std::make_unique<GroupBitAggregate>(result_type(), op_);
  }
  absl::Status SerializeState(size_t group, std::string* out) const override {
    StateWriter(out).Int(values_[group]);
    return absl::OkStatus();
  }
  absl::Status DeserializeState(size_t group, absl::string_view state) override {
    StateReader in(state);
    const int64_t value = in.Int();
    MUA_RETURN_IF_ERROR(in.Finish("groupBitAnd"));
    Apply(group, value);
    return absl::OkStatus();
  }

 private:
  void Apply(size_t group, int64_t value) {
    switch (op_) {
      case BitOp::kAnd: values_[group] &= value; break;
      case BitOp::kOr: values_[group] |= value; break;
      case BitOp::kXor: values_[group] ^= value; break;
    }
  }
  const BitOp op_;
  const int64_t initial_;
  std::vector<int64_t> values_;
};

AggregateBinder GroupBitBinder(BitOp op) {
  return [=](const AggregateBindArgs& in) -> absl::StatusOr<std::unique_ptr<AggregateFunction>> {
    MUA_RETURN_IF_ERROR(RequireArgs(in, 1));
    MUA_RETURN_IF_ERROR(NoParameters(in));
    const DataType& type = in.args[0].type;
    if (!type.is_integer()) return IllegalArgType(in, 0);
    return std::unique_ptr<AggregateFunction>(std::make_unique<GroupBitAggregate>(type, op));
  };
}

}  // namespace

void RegisterGroupBit(AggregateRegistry* registry) {
  registry->Add("groupBitAnd", GroupBitBinder(BitOp::kAnd));
  registry->Add("groupBitOr", GroupBitBinder(BitOp::kOr));
  registry->Add("groupBitXor", GroupBitBinder(BitOp::kXor));
  registry->Add("BIT_AND", GroupBitBinder(BitOp::kAnd), {}, true);
  registry->Add("BIT_OR", GroupBitBinder(BitOp::kOr), {}, true);
  registry->Add("BIT_XOR", GroupBitBinder(BitOp::kXor), {}, true);
}

}  // namespace mua::query_internal
