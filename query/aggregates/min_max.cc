// min, max, any, anyLast, anyHeavy (one value per group) and argMin/argMax
// (the first argument at the row with the least/greatest second argument).
#include <algorithm>

#include "query/aggregates/registry.h"
#include "query/aggregates/state_io.h"
#include "query/aggregates/value_column.h"

namespace mua::query_internal {
namespace {

class ExtremeAggregate final : public AggregateFunction {
 public:
  enum class Kind { kMin, kMax, kAny, kAnyLast };
  ExtremeAggregate(DataType type, Kind kind) : AggregateFunction(type), kind_(kind) {
    values_.physical = PhysicalOf(type);
  }
  void Resize(size_t groups) override {
    groups = std::max(groups, seen_.size());
    values_.Resize(groups);
    seen_.resize(groups);
  }
  absl::Status Update(absl::Span<const Vector> args, absl::Span<const uint32_t> groups) override {
    const Vector& v = args[0];
    const bool is_unsigned = v.type.is_unsigned();
    if (kind_ == Kind::kAny) {
      for (size_t row = 0; row < groups.size(); ++row) {
        const uint32_t g = groups[row];
        if (!seen_[g]) {
          values_.Set(g, v, row);
          seen_[g] = 1;
        }
      }
      return absl::OkStatus();
    }
    for (size_t row = 0; row < groups.size(); ++row) {
      const uint32_t g = groups[row];
      if (!seen_[g] || Better(values_.Compare(g, v, row, is_unsigned))) {
        values_.Set(g, v, row);
        seen_[g] = 1;
      }
    }
    return absl::OkStatus();
  }
  void Merge(AggregateFunction& other, absl::Span<const uint32_t> target) override {
    auto& o = static_cast<ExtremeAggregate&>(other);
    for (size_t g = 0; g < target.size(); ++g) {
      if (o.seen_[g]) MergeOne(target[g], o.values_, g);
    }
  }
  void Finalize(Vector* out) override { values_.Finalize(result_type(), out); }
  std::unique_ptr<AggregateFunction> CloneEmpty() const override {
    return std::make_unique<ExtremeAggregate>(result_type(), kind_);
  }
  absl::Status SerializeState(size_t group, std::string* out) const override {
    StateWriter writer(out);
    writer.UInt(seen_[group]);
    if (seen_[group]) values_.Write(group, writer);
    return absl::OkStatus();
  }
  absl::Status DeserializeState(size_t group, absl::string_view state) override {
    StateReader in(state);
    ValueColumn one;
    one.physical = values_.physical;
    one.Resize(1);
    const bool seen = in.UInt() != 0;
    if (seen) one.Read(0, in);
    MUA_RETURN_IF_ERROR(in.Finish("min/max/any"));
    if (seen) MergeOne(group, one, 0);
    return absl::OkStatus();
  }

 private:
  void MergeOne(size_t target, const ValueColumn& from, size_t from_group) {
    const bool is_unsigned = result_type().is_unsigned();
    if (!seen_[target] || Better(values_.CompareStored(target, from, from_group, is_unsigned))) {
      values_.CopyFrom(target, from, from_group);
      seen_[target] = 1;
    }
  }
  // Whether a candidate replaces the stored value, given compare(stored, candidate).
  bool Better(int stored_vs_candidate) const {
    switch (kind_) {
      case Kind::kMin: return stored_vs_candidate > 0;
      case Kind::kMax: return stored_vs_candidate < 0;
      case Kind::kAny: return false;
      case Kind::kAnyLast: return true;
    }
    return false;
  }
  const Kind kind_;
  ValueColumn values_;
  std::vector<uint8_t> seen_;
};

// anyHeavy: the majority vote of ClickHouse (a value that occurs in more than
// half of the rows is found; otherwise some frequent value).
class AnyHeavyAggregate final : public AggregateFunction {
 public:
  explicit AnyHeavyAggregate(DataType type) : AggregateFunction(type) {
    values_.physical = PhysicalOf(type);
  }
  void Resize(size_t groups) override {
    groups = std::max(groups, counters_.size());
    values_.Resize(groups);
    counters_.resize(groups);
  }
  absl::Status Update(absl::Span<const Vector> args, absl::Span<const uint32_t> groups) override {
    const Vector& v = args[0];
    for (size_t row = 0; row < groups.size(); ++row) {
      const uint32_t g = groups[row];
      if (counters_[g] == 0) {
        values_.Set(g, v, row);
        counters_[g] = 1;
      } else if (values_.Compare(g, v, row, false) == 0) {
        ++counters_[g];
      } else {
        --counters_[g];
      }
    }
    return absl::OkStatus();
  }
  void Merge(AggregateFunction& other, absl::Span<const uint32_t> target) override {
    auto& o = static_cast<AnyHeavyAggregate&>(other);
    for (size_t g = 0; g < target.size(); ++g) MergeOne(target[g], o.values_, g, o.counters_[g]);
  }
  void Finalize(Vector* out) override { values_.Finalize(result_type(), out); }
  std::unique_ptr<AggregateFunction> CloneEmpty() const override {
    return std::make_unique<AnyHeavyAggregate>(result_type());
  }
  absl::Status SerializeState(size_t group, std::string* out) const override {
    StateWriter writer(out);
    writer.UInt(counters_[group]);
    values_.Write(group, writer);
    return absl::OkStatus();
  }
  absl::Status DeserializeState(size_t group, absl::string_view state) override {
    StateReader in(state);
    ValueColumn one;
    one.physical = values_.physical;
    one.Resize(1);
    const uint64_t counter = in.UInt();
    one.Read(0, in);
    MUA_RETURN_IF_ERROR(in.Finish("anyHeavy"));
    MergeOne(group, one, 0, counter);
    return absl::OkStatus();
  }

 private:
  void MergeOne(size_t target, const ValueColumn& from, size_t from_group, uint64_t counter) {
    if (counter == 0) return;
    if (counters_[target] == 0) {
      values_.CopyFrom(target, from, from_group);
      counters_[target] = counter;
    } else if (values_.CompareStored(target, from, from_group, false) == 0) {
      counters_[target] += counter;
    } else if (counter > counters_[target]) {
      values_.CopyFrom(target, from, from_group);
      counters_[target] = counter - counters_[target];
    } else {
      counters_[target] -= counter;
    }
  }
  ValueColumn values_;
  std::vector<uint64_t> counters_;
};

class ArgExtremeAggregate final : public AggregateFunction {
 public:
  ArgExtremeAggregate(DataType arg, DataType key, bool max)
      : AggregateFunction(arg), key_type_(key), max_(max) {
    args_.physical = PhysicalOf(arg);
    keys_.physical = PhysicalOf(key);
  }
  void Resize(size_t groups) override {
    groups = std::max(groups, seen_.size());
    args_.Resize(groups);
    keys_.Resize(groups);
    seen_.resize(groups);
  }
  absl::Status Update(absl::Span<const Vector> args, absl::Span<const uint32_t> groups) override {
    const bool is_unsigned = key_type_.is_unsigned();
    for (size_t row = 0; row < groups.size(); ++row) {
      const uint32_t g = groups[row];
      const int cmp = seen_[g] ? keys_.Compare(g, args[1], row, is_unsigned) : 0;
      if (!seen_[g] || (max_ ? cmp < 0 : cmp > 0)) {
        args_.Set(g, args[0], row);
        keys_.Set(g, args[1], row);
        seen_[g] = 1;
      }
    }
    return absl::OkStatus();
  }
  void Merge(AggregateFunction& other, absl::Span<const uint32_t> target) override {
    auto& o = static_cast<ArgExtremeAggregate&>(other);
    for (size_t g = 0; g < target.size(); ++g) {
      if (o.seen_[g]) MergeOne(target[g], o.args_, o.keys_, g);
    }
  }
  void Finalize(Vector* out) override { args_.Finalize(result_type(), out); }
  std::unique_ptr<AggregateFunction> CloneEmpty() const override {
    return std::make_unique<ArgExtremeAggregate>(result_type(), key_type_, max_);
  }
  absl::Status SerializeState(size_t group, std::string* out) const override {
    StateWriter writer(out);
    writer.UInt(seen_[group]);
    if (seen_[group]) {
      args_.Write(group, writer);
      keys_.Write(group, writer);
    }
    return absl::OkStatus();
  }
  absl::Status DeserializeState(size_t group, absl::string_view state) override {
    StateReader in(state);
    ValueColumn arg, key;
    arg.physical = args_.physical;
    key.physical = keys_.physical;
    arg.Resize(1);
    key.Resize(1);
    const bool seen = in.UInt() != 0;
    if (seen) {
      arg.Read(0, in);
      key.Read(0, in);
    }
    MUA_RETURN_IF_ERROR(in.Finish(max_ ? "argMax" : "argMin"));
    if (seen) MergeOne(group, arg, key, 0);
    return absl::OkStatus();
  }

 private:
  void MergeOne(size_t target, const ValueColumn& args, const ValueColumn& keys, size_t from) {
    const int cmp = seen_[target] ? keys_.CompareStored(target, keys, from, key_type_.is_unsigned()) : 0;
    if (!seen_[target] || (max_ ? cmp < 0 : cmp > 0)) {
      args_.CopyFrom(target, args, from);
      keys_.CopyFrom(target, keys, from);
      seen_[target] = 1;
    }
  }
  const DataType key_type_;
  const bool max_;
  ValueColumn args_;
  ValueColumn keys_;
  std::vector<uint8_t> seen_;
};

AggregateBinder ExtremeBinder(ExtremeAggregate::Kind kind) {
  return [kind](const AggregateBindArgs& in) -> absl::StatusOr<std::unique_ptr<AggregateFunction>> {
    MUA_RETURN_IF_ERROR(RequireArgs(in, 1));
    if (in.args[0].type.id == TypeId::kArray) return IllegalArgType(in, 0);
    DataType type = in.args[0].type;
    type.low_cardinality = false;
    return std::unique_ptr<AggregateFunction>(std::make_unique<ExtremeAggregate>(type, kind));
  };
}

AggregateBinder ArgExtremeBinder(bool max) {
  return [max](const AggregateBindArgs& in) -> absl::StatusOr<std::unique_ptr<AggregateFunction>> {
    MUA_RETURN_IF_ERROR(RequireArgs(in, 2));
    for (size_t i = 0; i < 2; ++i) {
      if (in.args[i].type.id == TypeId::kArray) return IllegalArgType(in, i);
    }
    return std::unique_ptr<AggregateFunction>(
        std::make_unique<ArgExtremeAggregate>(in.args[0].type, in.args[1].type, max));
  };
}

}  // namespace

void RegisterMinMax(AggregateRegistry* registry) {
  using Kind = ExtremeAggregate::Kind;
  registry->Add("min", ExtremeBinder(Kind::kMin), {}, true);
  registry->Add("max", ExtremeBinder(Kind::kMax), {}, true);
  registry->Add("any", ExtremeBinder(Kind::kAny));
  registry->Add("any_value", ExtremeBinder(Kind::kAny), {}, true);
  registry->Add("first_value", ExtremeBinder(Kind::kAny));
  registry->Add("anyLast", ExtremeBinder(Kind::kAnyLast));
  registry->Add("last_value", ExtremeBinder(Kind::kAnyLast));
  registry->Add("anyHeavy", [](const AggregateBindArgs& in) -> absl::StatusOr<std::unique_ptr<AggregateFunction>> {
    MUA_RETURN_IF_ERROR(RequireArgs(in, 1));
    if (in.args[0].type.id == TypeId::kArray) return IllegalArgType(in, 0);
    DataType type = in.args[0].type;
    type.low_cardinality = false;
    return std::unique_ptr<AggregateFunction>(std::make_unique<AnyHeavyAggregate>(type));
  });
  registry->Add("argMin", ArgExtremeBinder(false));
  registry->Add("argMax", ArgExtremeBinder(true));
}

}  // namespace mua::query_internal
