// sumMap(keys, values) -> Tuple(Array(K), Array(V)): per group, the values
// summed by key, keys ascending (ClickHouse's sumMap; V widens to UInt64,
// Int64 or Float64, and integer sums wrap). maxMap / minMap: the largest /
// smallest value by key, V the values' type. Rows whose arrays differ in
// length are an error, as in ClickHouse.
#include <algorithm>
#include <map>
#include <string>

#include "query/aggregates/registry.h"
#include "query/aggregates/state_io.h"
#include "query/aggregates/value_column.h"

namespace mua::query_internal {
namespace {

// A key in one of the three physical forms; ordered as the key type orders
// (unsigned integers by their unsigned value).
struct MapKey {
  int64_t i = 0;
  double f = 0;
  std::string s;
};

struct MapKeyLess {
  Physical physical;
  bool is_unsigned;
  bool operator()(const MapKey& a, const MapKey& b) const {
    switch (physical) {
      case Physical::kInt:
        return is_unsigned ? static_cast<uint64_t>(a.i) < static_cast<uint64_t>(b.i) : a.i < b.i;
      case Physical::kFloat: return a.f < b.f;
      case Physical::kString: return a.s < b.s;
    }
    return false;
  }
};

struct MapSum {
  int64_t i = 0;
  double f = 0;
};

enum class MapOp { kSum, kMax, kMin };

class SumMapAggregate final : public AggregateFunction {
 public:
  SumMapAggregate(DataType key, TypeId value, MapOp op)
      : AggregateFunction(DataType::Tuple({DataType::Array(key.id), DataType::Array(value)})),
        key_(key),
        value_(value),
        op_(op),
        less_{PhysicalOf(key), key.is_unsigned()} {}
  void Resize(size_t groups) override {
    while (maps_.size() < groups) maps_.emplace_back(less_);
  }
  absl::Status Update(absl::Span<const Vector> args, absl::Span<const uint32_t> groups) override {
    const Vector& keys = args[0];
    const Vector& values = args[1];
    for (size_t row = 0; row < groups.size(); ++row) {
      const size_t k = keys.index(row), v = values.index(row);
      const uint32_t key_begin = keys.offsets[k], key_end = keys.offsets[k + 1];
      const uint32_t value_begin = values.offsets[v], value_end = values.offsets[v + 1];
      if (key_end - key_begin != value_end - value_begin) {
        return absl::InvalidArgumentError("Sizes of keys and values arrays do not match");
      }
      auto& map = maps_[groups[row]];
      for (uint32_t e = 0; e < key_end - key_begin; ++e) {
        MapKey key;
        switch (less_.physical) {
          case Physical::kInt: key.i = keys.ints[key_begin + e]; break;
          case Physical::kFloat: key.f = keys.floats[key_begin + e]; break;
          case Physical::kString: key.s = std::string(keys.strings[key_begin + e]); break;
        }
        MapSum value;
        if (value_ == TypeId::kFloat64) {
          value.f = values.type.element == TypeId::kFloat64
                        ? values.floats[value_begin + e]
                        : static_cast<double>(values.ints[value_begin + e]);
        } else {
          value.i = values.ints[value_begin + e];
        }
        auto [it, inserted] = map.try_emplace(std::move(key));
        Combine(&it->second, value, inserted);
      }
    }
    return absl::OkStatus();
  }
  void Merge(AggregateFunction& other, absl::Span<const uint32_t> target) override {
    auto& o = static_cast<SumMapAggregate&>(other);
    for (size_t g = 0; g < target.size(); ++g) {
      for (const auto& [key, sum] : o.maps_[g]) Add(target[g], key, sum);
    }
  }
  void Finalize(Vector* out) override {
    out->type = result_type();
    out->size = maps_.size();
    out->children.resize(2);
    Vector& keys = out->children[0];
    Vector& values = out->children[1];
    keys.type = result_type().tuple_element(0);
    values.type = result_type().tuple_element(1);
    keys.size = values.size = maps_.size();
    keys.offsets.assign(1, 0);
    values.offsets.assign(1, 0);
    for (const auto& map : maps_) {
      for (const auto& [key, sum] : map) {
        switch (less_.physical) {
          case Physical::kInt: keys.ints.push_back(key.i); break;
          case Physical::kFloat: keys.floats.push_back(key.f); break;
          case Physical::kString: keys.strings.push_back(key.s); break;
        }
        if (value_ == TypeId::kFloat64) {
          values.floats.push_back(sum.f);
        } else {
          values.ints.push_back(sum.i);
        }
      }
      keys.offsets.push_back(keys.offsets.back() + static_cast<uint32_t>(map.size()));
      values.offsets.push_back(keys.offsets.back());
    }
  }
  std::unique_ptr<AggregateFunction> CloneEmpty() const override {
    return std::make_unique<SumMapAggregate>(key_, value_, op_);
  }
  absl::Status SerializeState(size_t group, std::string* out) const override {
    StateWriter writer(out);
    writer.UInt(maps_[group].size());
    for (const auto& [key, sum] : maps_[group]) {
      switch (less_.physical) {
        case Physical::kInt: writer.Int(key.i); break;
        case Physical::kFloat: writer.Float(key.f); break;
        case Physical::kString: writer.Str(key.s); break;
      }
      if (value_ == TypeId::kFloat64) {
        writer.Float(sum.f);
      } else {
        writer.Int(sum.i);
      }
    }
    return absl::OkStatus();
  }
  absl::Status DeserializeState(size_t group, absl::string_view state) override {
    StateReader in(state);
    std::vector<std::pair<MapKey, MapSum>> entries(in.Count(2));
    for (auto& [key, sum] : entries) {
      switch (less_.physical) {
        case Physical::kInt: key.i = in.Int(); break;
        case Physical::kFloat: key.f = in.Float(); break;
        case Physical::kString: key.s = std::string(in.Str()); break;
      }
      if (value_ == TypeId::kFloat64) {
        sum.f = in.Float();
      } else {
        sum.i = in.Int();
      }
    }
    MUA_RETURN_IF_ERROR(in.Finish(op_ == MapOp::kSum ? "sumMap" : op_ == MapOp::kMax ? "maxMap" : "minMap"));
    for (const auto& [key, sum] : entries) Add(group, key, sum);
    return absl::OkStatus();
  }

 private:
  void Add(size_t group, const MapKey& key, const MapSum& sum) {
    auto [it, inserted] = maps_[group].try_emplace(key);
    Combine(&it->second, sum, inserted);
  }
  // Folds `value` into `into` (a new key's entry takes it as is).
  void Combine(MapSum* into, const MapSum& value, bool fresh) const {
    if (op_ == MapOp::kSum) {
      into->f += value.f;
      into->i = static_cast<int64_t>(static_cast<uint64_t>(into->i) + static_cast<uint64_t>(value.i));
      return;
    }
    auto below = [this](const MapSum& x, const MapSum& y) {  // x < y in the value type
      if (value_ == TypeId::kFloat64) return x.f < y.f;
      if (DataType::Of(value_).is_unsigned()) {
        return static_cast<uint64_t>(x.i) < static_cast<uint64_t>(y.i);
      }
      return x.i < y.i;
    };
    if (fresh || (op_ == MapOp::kMax ? below(*into, value) : below(value, *into))) *into = value;
  }
  const DataType key_;
  const TypeId value_;
  const MapOp op_;
  const MapKeyLess less_;
  std::vector<std::map<MapKey, MapSum, MapKeyLess>> maps_;
};

absl::StatusOr<std::unique_ptr<AggregateFunction>> BindMap(const AggregateBindArgs& in, MapOp op) {
  MUA_RETURN_IF_ERROR(RequireArgs(in, 2));
  MUA_RETURN_IF_ERROR(NoParameters(in));
  const DataType& keys = in.args[0].type;
  const DataType& values = in.args[1].type;
  if (keys.id != TypeId::kArray || keys.nested_elements() ||
      !IsArrayElementType(DataType::Of(keys.element))) {
    return IllegalArgType(in, 0);
  }
  if (values.id != TypeId::kArray || values.nested_elements() ||
      !DataType::Of(values.element).is_numeric()) {
    return IllegalArgType(in, 1);
  }
  const DataType element = DataType::Of(values.element);
  const TypeId value = op != MapOp::kSum                  ? element.id
                       : element.id == TypeId::kFloat64 ? TypeId::kFloat64
                       : element.is_unsigned()         ? TypeId::kUInt64
                                                       : TypeId::kInt64;
  return std::unique_ptr<AggregateFunction>(
      std::make_unique<SumMapAggregate>(DataType::Of(keys.element), value, op));
}

}  // namespace

void RegisterSumMap(AggregateRegistry* registry) {
  registry->Add("sumMap", [](const AggregateBindArgs& in) { return BindMap(in, MapOp::kSum); },
                {.default_on_only_null = true});
  registry->Add("maxMap", [](const AggregateBindArgs& in) { return BindMap(in, MapOp::kMax); },
                {.default_on_only_null = true});
  registry->Add("minMap", [](const AggregateBindArgs& in) { return BindMap(in, MapOp::kMin); },
                {.default_on_only_null = true});
}

}  // namespace mua::query_internal
