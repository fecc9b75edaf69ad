// -Array and -ForEach: the inner aggregate over the elements of array
// arguments. -Array folds every element into the row's group; -ForEach keeps
// one inner group per (group, element position) and yields an array of them.
#include <algorithm>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "query/aggregates/combinators.h"
#include "query/aggregates/state_io.h"
#include "storage/base/memory_tracker.h"
#include "storage/base/status_macros.h"

namespace mua::query_internal {
namespace {

// The elements of every physical row of `array` as one vector of the
// element type (the physical data, not copied when nested).
const Vector& ElementsOf(const Vector& array, Vector* scratch) {
  if (array.type.nested_elements()) return array.children[0];
  scratch->type = array.type.element_type();
  scratch->constant = false;
  scratch->size = array.offsets.empty() ? 0 : array.offsets.back();
  scratch->ints = array.ints;
  scratch->floats = array.floats;
  scratch->strings = array.strings;
  scratch->codes = array.codes;
  scratch->dictionary = array.dictionary;
  scratch->nulls.clear();
  return *scratch;
}

// Row `row`'s element range [begin, end) in the physical elements.
std::pair<uint32_t, uint32_t> RangeOf(const Vector& array, size_t row) {
  const size_t i = array.index(row);
  return {array.offsets[i], array.offsets[i + 1]};
}

absl::Status CheckSizes(absl::Span<const Vector> args, size_t row, absl::string_view name) {
  const auto [b0, e0] = RangeOf(args[0], row);
  for (size_t a = 1; a < args.size(); ++a) {
    const auto [b, e] = RangeOf(args[a], row);
    if (e - b != e0 - b0) {
      return absl::InvalidArgumentError(absl::StrCat(
          "Arrays passed to ", name, " aggregate function must have equal size"));
    }
  }
  return absl::OkStatus();
}

// Gathers, for every argument, the elements listed per argument in `picks`.
void GatherElements(absl::Span<const Vector> args, const std::vector<std::vector<uint32_t>>& picks,
                    std::vector<Vector>* scratch, std::vector<Vector>* out) {
  scratch->resize(args.size());
  out->resize(args.size());
  for (size_t a = 0; a < args.size(); ++a) {
    Gather(ElementsOf(args[a], &(*scratch)[a]), picks[a], &(*out)[a]);
  }
}

class ArrayAggregate final : public AggregateFunction {
 public:
  ArrayAggregate(std::unique_ptr<AggregateFunction> inner, std::string name)
      : AggregateFunction(inner->result_type()), inner_(std::move(inner)), name_(std::move(name)) {}
  void Resize(size_t groups) override { inner_->Resize(groups); }
  absl::Status Update(absl::Span<const Vector> args, absl::Span<const uint32_t> groups) override {
    picks_.assign(args.size(), {});
    element_groups_.clear();
    for (size_t row = 0; row < groups.size(); ++row) {
      MUA_RETURN_IF_ERROR(CheckSizes(args, row, name_));
      for (size_t a = 0; a < args.size(); ++a) {
        const auto [begin, end] = RangeOf(args[a], row);
        for (uint32_t e = begin; e < end; ++e) picks_[a].push_back(e);
      }
      const auto [begin, end] = RangeOf(args[0], row);
      element_groups_.insert(element_groups_.end(), end - begin, groups[row]);
    }
    if (element_groups_.empty()) return absl::OkStatus();
    MUA_RETURN_IF_ERROR(CheckMemory());
    GatherElements(args, picks_, &scratch_, &elements_);
    return inner_->Update(elements_, element_groups_);
  }
  void Merge(AggregateFunction& other, absl::Span<const uint32_t> target) override {
    inner_->Merge(*static_cast<ArrayAggregate&>(other).inner_, target);
  }
  void Finalize(Vector* out) override { inner_->Finalize(out); }
  absl::Status finalize_status() const override { return inner_->finalize_status(); }
  std::unique_ptr<AggregateFunction> CloneEmpty() const override {
    return std::make_unique<ArrayAggregate>(inner_->CloneEmpty(), name_);
  }
  absl::Status SerializeState(size_t group, std::string* out) const override {
    return inner_->SerializeState(group, out);
  }
  absl::Status DeserializeState(size_t group, absl::string_view state) override {
    return inner_->DeserializeState(group, state);
  }

 private:
  std::unique_ptr<AggregateFunction> inner_;
  const std::string name_;
  std::vector<std::vector<uint32_t>> picks_;
  std::vector<uint32_t> element_groups_;
  std::vector<Vector> scratch_;
  std::vector<Vector> elements_;
};

class ForEachAggregate final : public AggregateFunction {
 public:
  ForEachAggregate(std::unique_ptr<AggregateFunction> inner, std::string name)
      : AggregateFunction(DataType::ArrayOf(inner->result_type())),
        inner_(std::move(inner)),
        name_(std::move(name)) {}
  void Resize(size_t groups) override { slots_.resize(std::max(groups, slots_.size())); }
  absl::Status Update(absl::Span<const Vector> args, absl::Span<const uint32_t> groups) override {
    picks_.assign(args.size(), {});
    element_groups_.clear();
    for (size_t row = 0; row < groups.size(); ++row) {
      MUA_RETURN_IF_ERROR(CheckSizes(args, row, name_));
      const auto [begin, end] = RangeOf(args[0], row);
      std::vector<uint32_t>& slots = Slots(groups[row], end - begin);
      for (uint32_t j = 0; j < end - begin; ++j) element_groups_.push_back(slots[j]);
      for (size_t a = 0; a < args.size(); ++a) {
        const auto [b, e] = RangeOf(args[a], row);
        for (uint32_t i = b; i < e; ++i) picks_[a].push_back(i);
      }
    }
    if (element_groups_.empty()) return absl::OkStatus();
    MUA_RETURN_IF_ERROR(CheckMemory());
    GatherElements(args, picks_, &scratch_, &elements_);
    return inner_->Update(elements_, element_groups_);
  }
  void Merge(AggregateFunction& other, absl::Span<const uint32_t> target) override {
    auto& o = static_cast<ForEachAggregate&>(other);
    std::vector<uint32_t> map(o.next_slot_, 0);
    for (size_t g = 0; g < target.size() && g < o.slots_.size(); ++g) {
      const std::vector<uint32_t>& from = o.slots_[g];
      std::vector<uint32_t>& to = Slots(target[g], from.size());
      for (size_t j = 0; j < from.size(); ++j) map[from[j]] = to[j];
    }
    inner_->Merge(*o.inner_, map);
  }
  void Finalize(Vector* out) override {
    Vector values;
    inner_->Resize(next_slot_);
    inner_->Finalize(&values);
    std::vector<uint32_t> order;
    out->type = result_type();
    out->size = slots_.size();
    out->constant = false;
    out->offsets.assign(1, 0);
    for (const std::vector<uint32_t>& slots : slots_) {
      order.insert(order.end(), slots.begin(), slots.end());
      out->offsets.push_back(static_cast<uint32_t>(order.size()));
    }
    Vector elements;
    Gather(values, order, &elements);
    if (result_type().nested_elements()) {
      out->children.assign(1, std::move(elements));
      return;
    }
    elements.MaterializeStrings();
    out->ints = std::move(elements.ints);
    out->floats = std::move(elements.floats);
    out->strings = std::move(elements.strings);
  }
  absl::Status finalize_status() const override { return inner_->finalize_status(); }
  std::unique_ptr<AggregateFunction> CloneEmpty() const override {
    return std::make_unique<ForEachAggregate>(inner_->CloneEmpty(), name_);
  }
  absl::Status SerializeState(size_t group, std::string* out) const override {
    StateWriter writer(out);
    writer.UInt(slots_[group].size());
    std::string state;
    for (uint32_t slot : slots_[group]) {
      state.clear();
      MUA_RETURN_IF_ERROR(inner_->SerializeState(slot, &state));
      writer.Str(state);
    }
    return absl::OkStatus();
  }
  absl::Status DeserializeState(size_t group, absl::string_view state) override {
    StateReader in(state);
    const uint64_t count = in.Count();
    std::vector<absl::string_view> states;
    for (uint64_t j = 0; j < count && in.ok(); ++j) states.push_back(in.Str());
    MUA_RETURN_IF_ERROR(in.Finish(name_));
    const std::vector<uint32_t>& slots = Slots(static_cast<uint32_t>(group), count);
    for (size_t j = 0; j < states.size(); ++j) {
      MUA_RETURN_IF_ERROR(inner_->DeserializeState(slots[j], states[j]));
    }
    return absl::OkStatus();
  }

 private:
  // The inner groups of `group`'s first `size` positions, made as needed.
  std::vector<uint32_t>& Slots(uint32_t group, size_t size) {
    std::vector<uint32_t>& slots = slots_[group];
    if (slots.size() < size) {
      while (slots.size() < size) slots.push_back(next_slot_++);
      inner_->Resize(next_slot_);
    }
    return slots;
  }

  std::unique_ptr<AggregateFunction> inner_;
  const std::string name_;
  std::vector<std::vector<uint32_t>> slots_;  // per group: its inner group per position
  uint32_t next_slot_ = 0;
  std::vector<std::vector<uint32_t>> picks_;
  std::vector<uint32_t> element_groups_;
  std::vector<Vector> scratch_;
  std::vector<Vector> elements_;
};

}  // namespace

std::unique_ptr<AggregateFunction> MakeArrayAggregate(std::unique_ptr<AggregateFunction> inner,
                                                      absl::string_view name) {
  return std::make_unique<ArrayAggregate>(std::move(inner), std::string(name));
}

std::unique_ptr<AggregateFunction> MakeForEachAggregate(std::unique_ptr<AggregateFunction> inner,
                                                        absl::string_view name) {
  return std::make_unique<ForEachAggregate>(std::move(inner), std::string(name));
}

}  // namespace mua::query_internal
