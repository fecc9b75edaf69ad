// topK(N[, load_factor])(x) and topKWeighted(N)(x, weight) -> Array(T): the
// most frequent values, most frequent first, by ClickHouse's Filtered
// Space-Saving: N * load_factor (default 3) counters per group; a value that
// is not monitored replaces the least counter only when its filtered count
// (an "alpha" cell of its hash) says it could be more frequent. Exact while a
// group has no more distinct values than counters. Merging follows the
// mergeable-summaries rule (Agarwal et al.), as ClickHouse's.
#include <algorithm>
#include <cstring>
#include <numeric>

#include "absl/hash/hash.h"
#include "query/aggregates/registry.h"
#include "query/aggregates/state_io.h"
#include "query/aggregates/value_column.h"
#include "storage/base/hash_containers.h"

namespace mua::query_internal {
namespace {

constexpr uint64_t kMaxTopK = 0xFFFFFF;

class SpaceSaving {
 public:
  struct Counter {
    std::string key;
    uint64_t count = 0;
    uint64_t error = 0;
    uint64_t slot = 0;  // insertion order: ties rank the earlier value first
  };

  explicit SpaceSaving(size_t capacity) : capacity_(capacity) {}

  void Insert(absl::string_view key, uint64_t weight) {
    if (auto it = index_.find(key); it != index_.end()) {
      counters_[it->second].count += weight;
      return;
    }
    if (counters_.size() < capacity_) {
      Push(std::string(key), weight, 0);
      return;
    }
    if (alpha_.empty()) alpha_.assign(AlphaSize(), 0);
    const size_t min = MinCounter();
    uint64_t& alpha = alpha_[absl::Hash<absl::string_view>()(key) & (alpha_.size() - 1)];
    if (alpha + weight < counters_[min].count) {
      alpha += weight;
      return;
    }
    alpha_[absl::Hash<absl::string_view>()(counters_[min].key) & (alpha_.size() - 1)] = counters_[min].count;
    Replace(min, std::string(key), alpha + weight, alpha);
  }

  void Merge(const SpaceSaving& rhs) {
    if (rhs.counters_.empty()) return;
    const uint64_t m1 = counters_.size() == capacity_ ? counters_[MinCounter()].count : 0;
    const uint64_t m2 = rhs.counters_.size() == rhs.capacity_ ? rhs.counters_[rhs.MinCounter()].count : 0;
    for (Counter& c : counters_) {
      c.count += m2;
      c.error += m2;
    }
    for (const Counter& c : rhs.counters_) {
      if (auto it = index_.find(c.key); it != index_.end()) {
        counters_[it->second].count += c.count - m2;
        counters_[it->second].error += c.error - m2;
      } else {
        Push(c.key, c.count + m1, c.error + m1);
      }
    }
    if (!rhs.alpha_.empty()) {
      if (alpha_.empty()) alpha_.assign(rhs.alpha_.size(), 0);
      for (size_t i = 0; i < alpha_.size() && i < rhs.alpha_.size(); ++i) alpha_[i] += rhs.alpha_[i];
    }
    if (counters_.size() > capacity_) {
      SortCounters();
      counters_.resize(capacity_);
      Reindex();
    }
  }

  // The counters, most frequent first.
  std::vector<const Counter*> Top(size_t n) {
    SortCounters();
    Reindex();
    std::vector<const Counter*> top;
    for (size_t i = 0; i < counters_.size() && i < n; ++i) top.push_back(&counters_[i]);
    return top;
  }

  void Write(StateWriter& out) const {
    out.UInt(counters_.size());
    for (const Counter& c : counters_) out.Str(c.key).UInt(c.count).UInt(c.error);
  }
  void ReadInto(StateReader& in) {
    SpaceSaving read(capacity_);
    const uint64_t n = in.Count(3);
    for (uint64_t i = 0; i < n && in.ok(); ++i) {
      std::string key(in.Str());
      const uint64_t count = in.UInt();
      const uint64_t error = in.UInt();
      if (read.index_.contains(key)) in.Invalidate();
      if (in.ok()) read.Push(std::move(key), count, error);
    }
    if (read.counters_.size() > capacity_) in.Invalidate();
    if (in.ok()) Merge(read);
  }

 private:
  size_t AlphaSize() const {
    size_t size = 1;
    while (size < capacity_ * 6) size <<= 1;
    return size;
  }
  size_t MinCounter() const {
    size_t min = 0;
    for (size_t i = 1; i < counters_.size(); ++i) {
      if (Less(counters_[i], counters_[min])) min = i;
    }
    return min;
  }
  // Rank order: less frequent, then larger error, then later.
  static bool Less(const Counter& a, const Counter& b) {
    if (a.count != b.count) return a.count < b.count;
    if (a.error != b.error) return a.error > b.error;
    return a.slot > b.slot;
  }
  void Push(std::string key, uint64_t count, uint64_t error) {
    index_.emplace(key, counters_.size());
    counters_.push_back({std::move(key), count, error, next_slot_++});
  }
  void Replace(size_t i, std::string key, uint64_t count, uint64_t error) {
    index_.erase(counters_[i].key);
    index_.emplace(key, i);
    counters_[i] = {std::move(key), count, error, next_slot_++};
  }
  void SortCounters() {
    std::sort(counters_.begin(), counters_.end(), [](const Counter& a, const Counter& b) { return Less(b, a); });
  }
  void Reindex() {
    index_.clear();
    for (size_t i = 0; i < counters_.size(); ++i) index_.emplace(counters_[i].key, i);
  }

  size_t capacity_;
  std::vector<Counter> counters_;
  HashMap<std::string, size_t> index_;
  std::vector<uint64_t> alpha_;
  uint64_t next_slot_ = 0;
};

class TopKAggregate final : public AggregateFunction {
 public:
  TopKAggregate(DataType element, size_t k, size_t capacity, bool weighted)
      : AggregateFunction(DataType::ArrayOf(DataType::Time(element.id, element.time_zone))),
        element_(element),
        k_(k),
        capacity_(capacity),
        weighted_(weighted) {}
  void Resize(size_t groups) override {
    while (states_.size() < groups) states_.emplace_back(capacity_);
  }
  absl::Status Update(absl::Span<const Vector> args, absl::Span<const uint32_t> groups) override {
    const Vector& v = args[0];
    const Physical physical = PhysicalOf(element_);
    for (size_t row = 0; row < groups.size(); ++row) {
      const uint64_t weight = weighted_ ? static_cast<uint64_t>(args[1].int_at(row)) : 1;
      if (weight == 0) continue;
      char bytes[8];
      absl::string_view key;
      if (physical == Physical::kString) {
        key = v.string_at(row);
      } else {
        if (physical == Physical::kFloat) {
          const double x = v.number_at(row);
          std::memcpy(bytes, &x, 8);
        } else {
          const int64_t x = v.int_at(row);
          std::memcpy(bytes, &x, 8);
        }
        key = absl::string_view(bytes, 8);
      }
      states_[groups[row]].Insert(key, weight);
    }
    return absl::OkStatus();
  }
  void Merge(AggregateFunction& other, absl::Span<const uint32_t> target) override {
    auto& o = static_cast<TopKAggregate&>(other);
    for (size_t g = 0; g < target.size(); ++g) states_[target[g]].Merge(o.states_[g]);
  }
  void Finalize(Vector* out) override {
    out->type = result_type();
    out->size = states_.size();
    out->offsets.assign(1, 0);
    const Physical physical = PhysicalOf(element_);
    for (SpaceSaving& state : states_) {
      for (const SpaceSaving::Counter* c : state.Top(k_)) {
        if (physical == Physical::kString) {
          out->strings.push_back(c->key);
        } else if (physical == Physical::kFloat) {
          double x;
          std::memcpy(&x, c->key.data(), 8);
          out->floats.push_back(x);
        } else {
          int64_t x;
          std::memcpy(&x, c->key.data(), 8);
          out->ints.push_back(x);
        }
      }
      out->offsets.push_back(static_cast<uint32_t>(out->strings.size() + out->floats.size() + out->ints.size()));
    }
  }
  std::unique_ptr<AggregateFunction> CloneEmpty() const override {
    return std::make_unique<TopKAggregate>(element_, k_, capacity_, weighted_);
  }
  absl::Status SerializeState(size_t group, std::string* out) const override {
    StateWriter writer(out);
    states_[group].Write(writer);
    return absl::OkStatus();
  }
  absl::Status DeserializeState(size_t group, absl::string_view state) override {
    StateReader in(state);
    SpaceSaving read(capacity_);
    read.ReadInto(in);
    MUA_RETURN_IF_ERROR(in.Finish("topK"));
    states_[group].Merge(read);
    return absl::OkStatus();
  }

 private:
  const DataType element_;
  const size_t k_;
  const size_t capacity_;
  const bool weighted_;
  std::vector<SpaceSaving> states_;
};

AggregateBinder TopKBinder(bool weighted) {
  return [weighted](const AggregateBindArgs& in) -> absl::StatusOr<std::unique_ptr<AggregateFunction>> {
    MUA_RETURN_IF_ERROR(RequireArgs(in, weighted ? 2 : 1));
    uint64_t k = 10, load_factor = 3;
    if (in.parameters.size() > 2) {
      return absl::InvalidArgumentError(
          absl::StrCat("Aggregate function ", in.name, " requires two parameters or less"));
    }
    for (size_t i = 0; i < in.parameters.size(); ++i) {
      const Vector& p = in.parameters[i];
      if (!p.type.is_integer() || p.int_at(0) <= 0) {
        return absl::InvalidArgumentError(
            absl::StrCat("Parameter ", i, " for aggregate function ", in.name, " should be a positive number"));
      }
      (i == 0 ? k : load_factor) = static_cast<uint64_t>(p.int_at(0));
    }
    if (k > kMaxTopK || load_factor > kMaxTopK || k * load_factor > kMaxTopK) {
      return absl::InvalidArgumentError(absl::StrCat(
          "Too large parameter(s) for aggregate function ", in.name, " (maximum is ", kMaxTopK, ")"));
    }
    DataType element = in.args[0].type;
    if (!IsArrayElementType(element)) return IllegalArgType(in, 0);
    element.low_cardinality = false;
    if (weighted && !in.args[1].type.is_integer()) return IllegalArgType(in, 1);
    return std::unique_ptr<AggregateFunction>(
        std::make_unique<TopKAggregate>(element, k, k * load_factor, weighted));
  };
}

}  // namespace

void RegisterTopK(AggregateRegistry* registry) {
  registry->Add("topK", TopKBinder(false), {.default_on_only_null = true});
  registry->Add("topKWeighted", TopKBinder(true), {.default_on_only_null = true});
}

}  // namespace mua::query_internal
