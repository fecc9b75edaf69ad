// uniqUpTo(N)(x, ...) -> UInt64: the number of distinct argument tuples when
// it is at most N, else N + 1 (ClickHouse's N <= 100). A group keeps at most
// N + 1 fingerprints, so its state is bounded whatever the input.
#include <algorithm>

#include "absl/algorithm/container.h"
#include "query/aggregates/registry.h"
#include "query/aggregates/row_key.h"
#include "query/aggregates/state_io.h"

namespace mua::query_internal {
namespace {

constexpr int64_t kMaxThreshold = 100;

class UniqUpToAggregate final : public AggregateFunction {
 public:
  explicit UniqUpToAggregate(size_t threshold)
      : AggregateFunction(DataType::Of(TypeId::kUInt64)), threshold_(threshold) {}
  void Resize(size_t groups) override { sets_.resize(std::max(groups, sets_.size())); }
  absl::Status Update(absl::Span<const Vector> args, absl::Span<const uint32_t> groups) override {
    std::string scratch;
    for (size_t row = 0; row < groups.size(); ++row) {
      if (sets_[groups[row]].size() > threshold_) continue;
      Insert(groups[row], RowFingerprint(args, row, &scratch));
    }
    return absl::OkStatus();
  }
  void Merge(AggregateFunction& other, absl::Span<const uint32_t> target) override {
    auto& o = static_cast<UniqUpToAggregate&>(other);
    for (size_t g = 0; g < target.size(); ++g) {
      for (const Fingerprint128& f : o.sets_[g]) Insert(target[g], f);
    }
  }
  void Finalize(Vector* out) override {
    out->type = result_type();
    out->size = sets_.size();
    out->ints.resize(sets_.size());
    for (size_t g = 0; g < sets_.size(); ++g) out->ints[g] = static_cast<int64_t>(sets_[g].size());
  }
  std::unique_ptr<AggregateFunction> CloneEmpty() const override {
    return std::make_unique<UniqUpToAggregate>(threshold_);
  }
  absl::Status SerializeState(size_t group, std::string* out) const override {
    StateWriter writer(out);
    writer.UInt(sets_[group].size());
    for (const Fingerprint128& f : sets_[group]) writer.UInt(f.first).UInt(f.second);
    return absl::OkStatus();
  }
  absl::Status DeserializeState(size_t group, absl::string_view state) override {
    StateReader in(state);
    const uint64_t count = in.Count(2);
    std::vector<Fingerprint128> read;
    for (uint64_t i = 0; i < count && in.ok() && i <= threshold_; ++i) {
      const uint64_t hi = in.UInt();
      read.emplace_back(hi, in.UInt());
    }
    MUA_RETURN_IF_ERROR(in.Finish("uniqUpTo"));
    for (const Fingerprint128& f : read) Insert(group, f);
    return absl::OkStatus();
  }

 private:
  // A linear scan: a set holds at most 101 fingerprints.
  void Insert(size_t group, const Fingerprint128& f) {
    std::vector<Fingerprint128>& set = sets_[group];
    if (set.size() > threshold_ || absl::c_linear_search(set, f)) return;
    set.push_back(f);
  }
  const size_t threshold_;
  std::vector<std::vector<Fingerprint128>> sets_;
};

}  // namespace

void RegisterUniqUpTo(AggregateRegistry* registry) {
  registry->Add(
      "uniqUpTo",
      [](const AggregateBindArgs& in) -> absl::StatusOr<std::unique_ptr<AggregateFunction>> {
        if (in.args.empty()) return ArgCountError(in, "at least 1");
        int64_t threshold = 5;  // ClickHouse's default when written without (N)
        if (in.parameters.size() > 1) {
          return absl::InvalidArgumentError(
              absl::StrCat("Aggregate function ", in.name, " requires one parameter or less"));
        }
        if (in.parameters.size() == 1) {
          const Vector& p = in.parameters[0];
          if (!p.type.is_integer()) {
            return absl::InvalidArgumentError(
                absl::StrCat("Parameter for aggregate function ", in.name, " must be UInt"));
          }
          threshold = p.int_at(0);
          if (threshold < 0 || threshold > kMaxThreshold) {
            return absl::InvalidArgumentError(absl::StrCat(
                "Too large parameter for aggregate function ", in.name, ". Maximum: ", kMaxThreshold));
          }
        }
        for (size_t i = 0; i < in.args.size(); ++i) {
          if (!IsArrayElementType(in.args[i].type)) return IllegalArgType(in, i);
        }
        return std::unique_ptr<AggregateFunction>(
            std::make_unique<UniqUpToAggregate>(static_cast<size_t>(threshold)));
      },
      {.default_on_only_null = true});
}

}  // namespace mua::query_internal
