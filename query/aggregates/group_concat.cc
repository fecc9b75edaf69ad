// groupConcat[(delimiter[, limit])](x) -> String (ClickHouse 24.8+): the
// group's values joined in the order they arrive, at most `limit` of them.
// The text is charged to the memory tracker as it grows (CheckMemory per
// batch), so max_memory_usage bounds it.
#include <algorithm>

#include "absl/strings/str_cat.h"
#include "query/aggregates/registry.h"
#include "query/aggregates/state_io.h"
#include "storage/base/memory_tracker.h"

namespace mua::query_internal {
namespace {

// The values joined by the delimiter; ends[i] is where value i ends in text.
struct ConcatState {
  std::string text;
  std::vector<uint64_t> ends;
};

class GroupConcatAggregate final : public AggregateFunction {
 public:
  GroupConcatAggregate(std::string delimiter, uint64_t limit)
      : AggregateFunction(DataType::Of(TypeId::kString)),
        delimiter_(std::move(delimiter)),
        limit_(limit) {}
  void Resize(size_t groups) override { states_.resize(std::max(groups, states_.size())); }
  absl::Status Update(absl::Span<const Vector> args, absl::Span<const uint32_t> groups) override {
    const Vector& v = args[0];
    for (size_t row = 0; row < groups.size(); ++row) {
      if (v.type.is_string()) {
        Append(&states_[groups[row]], v.string_at(row));
      } else if (v.type.is_unsigned()) {
        Append(&states_[groups[row]], absl::StrCat(static_cast<uint64_t>(v.int_at(row))));
      } else {
        Append(&states_[groups[row]], absl::StrCat(v.int_at(row)));
      }
    }
    return CheckMemory();
  }
  void Merge(AggregateFunction& other, absl::Span<const uint32_t> target) override {
    auto& o = static_cast<GroupConcatAggregate&>(other);
    for (size_t g = 0; g < target.size(); ++g) MergeState(&states_[target[g]], o.states_[g]);
  }
  void Finalize(Vector* out) override {
    out->type = result_type();
    out->size = states_.size();
    out->strings.resize(states_.size());
    for (size_t g = 0; g < states_.size(); ++g) out->strings[g] = states_[g].text;
  }
  std::unique_ptr<AggregateFunction> CloneEmpty() const override {
    return std::make_unique<GroupConcatAggregate>(delimiter_, limit_);
  }
  absl::Status SerializeState(size_t group, std::string* out) const override {
    StateWriter writer(out);
    writer.UInt(states_[group].ends.size());
    for (uint64_t end : states_[group].ends) writer.UInt(end);
    writer.Str(states_[group].text);
    return absl::OkStatus();
  }
  absl::Status DeserializeState(size_t group, absl::string_view state) override {
    StateReader in(state);
    ConcatState read;
    const uint64_t count = in.Count();
    for (uint64_t i = 0; i < count && in.ok(); ++i) read.ends.push_back(in.UInt());
    read.text = std::string(in.Str());
    MUA_RETURN_IF_ERROR(in.Finish("groupConcat"));
    for (size_t i = 0; i < read.ends.size(); ++i) {
      if (read.ends[i] > read.text.size() || (i > 0 && read.ends[i] < read.ends[i - 1])) {
        return absl::DataLossError("Malformed state of aggregate function groupConcat");
      }
    }
    MergeState(&states_[group], read);
    return absl::OkStatus();
  }

 private:
  void Append(ConcatState* s, absl::string_view value) {
    if (s->ends.size() >= limit_) return;
    if (!s->ends.empty()) s->text.append(delimiter_);
    s->text.append(value.data(), value.size());
    s->ends.push_back(s->text.size());
  }
  // `from`'s values after `to`'s, up to the limit.
  void MergeState(ConcatState* to, const ConcatState& from) {
    const uint64_t room = limit_ - std::min<uint64_t>(limit_, to->ends.size());
    const size_t n = static_cast<size_t>(std::min<uint64_t>(room, from.ends.size()));
    if (n == 0) return;
    if (!to->ends.empty()) to->text.append(delimiter_);
    const uint64_t base = to->text.size();
    to->text.append(from.text, 0, from.ends[n - 1]);
    for (size_t i = 0; i < n; ++i) to->ends.push_back(base + from.ends[i]);
  }
  const std::string delimiter_;
  const uint64_t limit_;
  std::vector<ConcatState> states_;
};

}  // namespace

void RegisterGroupConcat(AggregateRegistry* registry) {
  registry->Add(
      "groupConcat",
      [](const AggregateBindArgs& in) -> absl::StatusOr<std::unique_ptr<AggregateFunction>> {
        MUA_RETURN_IF_ERROR(RequireArgs(in, 1));
        std::string delimiter;
        uint64_t limit = UINT64_MAX;
        if (in.parameters.size() > 2) {
          return absl::InvalidArgumentError(
              absl::StrCat("Aggregate function ", in.name, " requires two parameters or less"));
        }
        if (!in.parameters.empty()) {
          if (!in.parameters[0].type.is_string()) {
            return absl::InvalidArgumentError(
                absl::StrCat("First parameter for aggregate function ", in.name, " should be string"));
          }
          delimiter = std::string(in.parameters[0].string_at(0));
        }
        if (in.parameters.size() == 2) {
          const Vector& p = in.parameters[1];
          if (!p.type.is_integer() || p.int_at(0) <= 0) {
            return absl::InvalidArgumentError(absl::StrCat(
                "Second parameter for aggregate function ", in.name, " should be a positive number"));
          }
          limit = static_cast<uint64_t>(p.int_at(0));
        }
        const DataType& type = in.args[0].type;
        if (!type.is_string() && !type.is_integer()) return IllegalArgType(in, 0);
        return std::unique_ptr<AggregateFunction>(
            std::make_unique<GroupConcatAggregate>(std::move(delimiter), limit));
      },
      {.default_on_only_null = true});
  registry->Add("group_concat", registry->exact.at("groupConcat").bind,
                {.default_on_only_null = true}, true);
}

}  // namespace mua::query_internal
