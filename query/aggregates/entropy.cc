// entropy(x, ...) -> Float64: the Shannon entropy in bits of the distribution
// of argument values in a group, -sum(p * log2(p)); 0 over no rows (as
// ClickHouse). Values are counted by their 128-bit fingerprints.
#include <algorithm>
#include <cmath>

#include "query/aggregates/registry.h"
#include "query/aggregates/row_key.h"
#include "query/aggregates/state_io.h"
#include "storage/base/hash_containers.h"
#include "storage/base/memory_tracker.h"

namespace mua::query_internal {
namespace {

class EntropyAggregate final : public AggregateFunction {
 public:
  EntropyAggregate() : AggregateFunction(DataType::Of(TypeId::kFloat64)) {}
  void Resize(size_t groups) override { counts_.resize(std::max(groups, counts_.size())); }
  absl::Status Update(absl::Span<const Vector> args, absl::Span<const uint32_t> groups) override {
    std::string scratch;
    for (size_t row = 0; row < groups.size(); ++row) {
      ++counts_[groups[row]][RowFingerprint(args, row, &scratch)];
    }
    return CheckMemory();
  }
  void Merge(AggregateFunction& other, absl::Span<const uint32_t> target) override {
    auto& o = static_cast<EntropyAggregate&>(other);
    for (size_t g = 0; g < target.size(); ++g) {
      for (const auto& [key, count] : o.counts_[g]) counts_[target[g]][key] += count;
    }
  }
  void Finalize(Vector* out) override {
    out->type = result_type();
    out->size = counts_.size();
    out->floats.resize(counts_.size());
    for (size_t g = 0; g < counts_.size(); ++g) {
      uint64_t total = 0;
      for (const auto& [key, count] : counts_[g]) total += count;
      double entropy = 0;
      for (const auto& [key, count] : counts_[g]) {
        const double p = static_cast<double>(count) / static_cast<double>(total);
        entropy -= p * std::log2(p);
      }
      out->floats[g] = entropy;
    }
  }
  std::unique_ptr<AggregateFunction> CloneEmpty() const override {
    return std::make_unique<EntropyAggregate>();
  }
  absl::Status SerializeState(size_t group, std::string* out) const override {
    StateWriter writer(out);
    writer.UInt(counts_[group].size());
    for (const auto& [key, count] : counts_[group]) writer.UInt(key.first).UInt(key.second).UInt(count);
    return absl::OkStatus();
  }
  absl::Status DeserializeState(size_t group, absl::string_view state) override {
    StateReader in(state);
    const uint64_t n = in.Count(3);
    std::vector<std::pair<Fingerprint128, uint64_t>> read;
    for (uint64_t i = 0; i < n && in.ok(); ++i) {
      const uint64_t hi = in.UInt();
      const uint64_t lo = in.UInt();
      read.push_back({{hi, lo}, in.UInt()});
    }
    MUA_RETURN_IF_ERROR(in.Finish("entropy"));
    for (const auto& [key, count] : read) counts_[group][key] += count;
    return absl::OkStatus();
  }

 private:
  std::vector<HashMap<Fingerprint128, uint64_t>> counts_;
};

}  // namespace

void RegisterEntropy(AggregateRegistry* registry) {
  registry->Add(
      "entropy",
      [](const AggregateBindArgs& in) -> absl::StatusOr<std::unique_ptr<AggregateFunction>> {
        if (in.args.empty()) return ArgCountError(in, "at least 1");
        MUA_RETURN_IF_ERROR(NoParameters(in));
        for (size_t i = 0; i < in.args.size(); ++i) {
          if (!IsArrayElementType(in.args[i].type)) return IllegalArgType(in, i);
        }
        return std::unique_ptr<AggregateFunction>(std::make_unique<EntropyAggregate>());
      });
}

}  // namespace mua::query_internal
