// sequenceMatch(pattern)(timestamp, cond1, ..., condN) -> UInt8 and
// sequenceCount(pattern)(...) -> UInt64 (pattern language and event order:
// sequence_pattern.h). Over DateTime64(3) the (?t...) seconds are compared at
// millisecond resolution. Events of every group live in one pool.
#include <algorithm>
#include <limits>

#include "query/aggregates/registry.h"
#include "query/aggregates/sequence_pattern.h"
#include "query/aggregates/state_io.h"

namespace mua::query_internal {
namespace {

constexpr int kMaxSequenceConditions = 32;

class SequenceMatchAggregate final : public AggregateFunction {
 public:
  SequenceMatchAggregate(std::shared_ptr<const SequencePattern> pattern, int conditions, bool count)
      : AggregateFunction(DataType::Of(count ? TypeId::kUInt64 : TypeId::kUInt8)),
        pattern_(std::move(pattern)),
        conditions_(conditions),
        count_(count) {}
  void Resize(size_t groups) override { groups_ = std::max(groups, groups_); }
  absl::Status Update(absl::Span<const Vector> args, absl::Span<const uint32_t> groups) override {
    for (size_t row = 0; row < groups.size(); ++row) {
      uint32_t mask = 0;
      for (int k = 0; k < conditions_; ++k) {
        if (args[k + 1].int_at(row) != 0) mask |= 1u << k;
      }
      if (mask == 0) continue;  // only rows where some condition holds are events
      events_.push_back({args[0].int_at(row), mask});
      event_groups_.push_back(groups[row]);
    }
    return absl::OkStatus();
  }
  void Merge(AggregateFunction& other, absl::Span<const uint32_t> target) override {
    auto& o = static_cast<SequenceMatchAggregate&>(other);
    for (size_t i = 0; i < o.events_.size(); ++i) {
      events_.push_back(o.events_[i]);
      event_groups_.push_back(target[o.event_groups_[i]]);
    }
  }
  void Finalize(Vector* out) override {
    out->type = result_type();
    out->size = groups_;
    out->ints.assign(groups_, 0);
    std::vector<uint32_t> starts;
    std::vector<SequenceEvent> ordered = OrderByGroup(&starts);
    std::vector<SequenceEvent> group_events;
    for (size_t g = 0; g < groups_; ++g) {
      group_events.assign(ordered.begin() + starts[g], ordered.begin() + starts[g + 1]);
      SortSequenceEvents(&group_events);
      if (count_) {
        absl::StatusOr<uint64_t> n = pattern_->Count(group_events);
        if (n.ok()) out->ints[g] = static_cast<int64_t>(*n);
        if (!n.ok() && status_.ok()) status_ = n.status();
      } else {
        absl::StatusOr<bool> matched = pattern_->Match(group_events);
        if (matched.ok()) out->ints[g] = *matched ? 1 : 0;
        if (!matched.ok() && status_.ok()) status_ = matched.status();
      }
    }
  }
  absl::Status finalize_status() const override { return status_; }
  std::unique_ptr<AggregateFunction> CloneEmpty() const override {
    return std::make_unique<SequenceMatchAggregate>(pattern_, conditions_, count_);
  }
  absl::Status SerializeState(size_t group, std::string* out) const override {
    if (index_size_ != events_.size()) {
      index_events_ = OrderByGroup(&index_starts_);
      index_size_ = events_.size();
    }
    StateWriter writer(out);
    const uint32_t begin = index_starts_[group], end = index_starts_[group + 1];
    writer.UInt(end - begin);
    for (uint32_t i = begin; i < end; ++i) writer.Int(index_events_[i].timestamp).UInt(index_events_[i].mask);
    return absl::OkStatus();
  }
  absl::Status DeserializeState(size_t group, absl::string_view state) override {
    StateReader in(state);
    std::vector<SequenceEvent> events(in.Count(2));
    for (SequenceEvent& event : events) {
      event.timestamp = in.Int();
      const uint64_t mask = in.UInt();
      if (mask == 0 || mask > std::numeric_limits<uint32_t>::max()) in.Invalidate();
      event.mask = static_cast<uint32_t>(mask);
    }
    MUA_RETURN_IF_ERROR(in.Finish(count_ ? "sequenceCount" : "sequenceMatch"));
    for (const SequenceEvent& event : events) {
      events_.push_back(event);
      event_groups_.push_back(static_cast<uint32_t>(group));
    }
    return absl::OkStatus();
  }

 private:
  std::vector<SequenceEvent> OrderByGroup(std::vector<uint32_t>* starts) const {
    starts->assign(groups_ + 1, 0);
    for (uint32_t g : event_groups_) ++(*starts)[g + 1];
    for (size_t g = 1; g < starts->size(); ++g) (*starts)[g] += (*starts)[g - 1];
    std::vector<SequenceEvent> ordered(events_.size());
    std::vector<uint32_t> next(starts->begin(), starts->end() - 1);
    for (size_t i = 0; i < events_.size(); ++i) ordered[next[event_groups_[i]]++] = events_[i];
    return ordered;
  }

  const std::shared_ptr<const SequencePattern> pattern_;
  const int conditions_;
  const bool count_;
  size_t groups_ = 0;
  std::vector<SequenceEvent> events_;
  std::vector<uint32_t> event_groups_;  // parallel to events_
  absl::Status status_;
  mutable size_t index_size_ = SIZE_MAX;
  mutable std::vector<SequenceEvent> index_events_;
  mutable std::vector<uint32_t> index_starts_;
};

AggregateBinder SequenceBinder(bool count) {
  return [count](const AggregateBindArgs& in) -> absl::StatusOr<std::unique_ptr<AggregateFunction>> {
    if (in.parameters.size() != 1 || !in.parameters[0].type.is_string()) {
      return absl::InvalidArgumentError(
          absl::StrCat("Aggregate function ", in.name, " requires exactly one parameter (the pattern)"));
    }
    if (in.args.size() < 3) {
      return absl::InvalidArgumentError(
          absl::StrCat("Aggregate function ", in.name, " requires at least 3 arguments"));
    }
    if (in.args.size() - 1 > static_cast<size_t>(kMaxSequenceConditions)) {
      return absl::InvalidArgumentError(absl::StrCat("Aggregate function ", in.name,
                                                     " supports up to ", kMaxSequenceConditions,
                                                     " event arguments"));
    }
    const DataType& time = in.args[0].type;
    if (!time.is_time() && !time.is_unsigned()) return IllegalArgType(in, 0);
    for (size_t i = 1; i < in.args.size(); ++i) {
      if (!in.args[i].type.is_integer()) return IllegalArgType(in, i);
    }
    const int conditions = static_cast<int>(in.args.size() - 1);
    MUA_ASSIGN_OR_RETURN(
        SequencePattern pattern,
        SequencePattern::Parse(in.parameters[0].string_at(0), conditions,
                               time.id == TypeId::kDateTime64 ? 1000 : 1));
    return std::unique_ptr<AggregateFunction>(std::make_unique<SequenceMatchAggregate>(
        std::make_shared<const SequencePattern>(std::move(pattern)), conditions, count));
  };
}

}  // namespace

void RegisterSequenceMatch(AggregateRegistry* registry) {
  registry->Add("sequenceMatch", SequenceBinder(false), {.default_on_only_null = true});
  registry->Add("sequenceCount", SequenceBinder(true), {.default_on_only_null = true});
}

}  // namespace mua::query_internal
