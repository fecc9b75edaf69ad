// windowFunnel(window[, mode...])(timestamp, cond1, ..., condN) -> UInt8
// (kernel: query/functions/window_funnel.h). Over DateTime64(3) the events of
// a group are ordered by their milliseconds, then by condition index, and the
// window (in seconds) is compared at millisecond resolution:
// ts_last - ts_first <= 1000 * window.
#include <algorithm>
#include <limits>

#include "query/aggregates/registry.h"
#include "query/aggregates/state_io.h"
#include "query/functions/window_funnel.h"

namespace mua::query_internal {
namespace {

// Entries of every group in one pool, in insertion order (no allocation per
// group: a funnel over a million users would otherwise grow a million
// vectors); Finalize orders them by group (a stable counting sort) and
// computes each group's level over its span.
class WindowFunnelAggregate final : public AggregateFunction {
 public:
  explicit WindowFunnelAggregate(WindowFunnelOptions options)
      : AggregateFunction(DataType::Of(TypeId::kUInt8)), options_(options) {}
  void Resize(size_t groups) override { groups_ = std::max(groups, groups_); }
  absl::Status Update(absl::Span<const Vector> args, absl::Span<const uint32_t> groups) override {
    const int n = options_.num_conditions;
    // Rows matching no condition change nothing unless strict_order must see them.
    const bool keep_unmatched = options_.Has(FunnelMode::kStrictOrder);
    for (size_t row = 0; row < groups.size(); ++row) {
      uint32_t mask = 0;
      for (int k = 0; k < n; ++k) {
        if (args[k + 1].int_at(row) != 0) mask |= 1u << k;
      }
      if (mask == 0 && !keep_unmatched) continue;
      ForEachFunnelEntry(args[0].int_at(row), next_row_++, mask, options_,
                         [&](const FunnelEntry& entry) { Push(groups[row], entry); });
    }
    return absl::OkStatus();
  }
  void Merge(AggregateFunction& other, absl::Span<const uint32_t> target) override {
    // `other`'s rows come after this state's rows (as ClickHouse merges states).
    auto& o = static_cast<WindowFunnelAggregate&>(other);
    for (size_t i = 0; i < o.entries_.size(); ++i) {
      FunnelEntry entry = o.entries_[i];
      entry.row += next_row_;
      Push(target[o.entry_groups_[i]], entry);
    }
    next_row_ += o.next_row_;
  }
  void Finalize(Vector* out) override {
    out->type = result_type();
    out->size = groups_;
    out->ints.assign(groups_, 0);
    std::vector<uint32_t> starts;
    std::vector<FunnelEntry> ordered = OrderByGroup(&starts);
    entries_ = {};
    entry_groups_ = {};
    for (size_t g = 0; g < groups_; ++g) {
      const absl::Span<FunnelEntry> span(ordered.data() + starts[g], starts[g + 1] - starts[g]);
      out->ints[g] = WindowFunnelOfEntries(span, false, options_);
    }
  }
  std::unique_ptr<AggregateFunction> CloneEmpty() const override {
    return std::make_unique<WindowFunnelAggregate>(options_);
  }
  const WindowFunnelOptions& options() const { return options_; }
  absl::Status SerializeState(size_t group, std::string* out) const override {
    if (index_size_ != entries_.size()) BuildIndex();
    StateWriter writer(out);
    const uint32_t begin = index_starts_[group], end = index_starts_[group + 1];
    writer.UInt(end - begin);
    for (uint32_t i = begin; i < end; ++i) {
      const FunnelEntry& entry = index_entries_[i];
      writer.Int(entry.timestamp).UInt(entry.row).UInt(entry.cond);
    }
    return absl::OkStatus();
  }
  absl::Status DeserializeState(size_t group, absl::string_view state) override {
    StateReader in(state);
    std::vector<FunnelEntry> entries(in.Count(3));
    uint32_t rows = 0;
    for (FunnelEntry& entry : entries) {
      entry.timestamp = in.Int();
      const uint64_t row = in.UInt();
      const uint64_t cond = in.UInt();
      if (row >= std::numeric_limits<uint32_t>::max() ||
          cond > static_cast<uint64_t>(options_.num_conditions)) {
        in.Invalidate();
        break;
      }
      entry.row = static_cast<uint32_t>(row);
      entry.cond = static_cast<uint8_t>(cond);
      rows = std::max(rows, entry.row + 1);
    }
    MUA_RETURN_IF_ERROR(in.Finish("windowFunnel"));
    for (FunnelEntry entry : entries) {
      entry.row += next_row_;
      Push(static_cast<uint32_t>(group), entry);
    }
    next_row_ += rows;
    return absl::OkStatus();
  }

 private:
  void Push(uint32_t group, const FunnelEntry& entry) {
    entries_.push_back(entry);
    entry_groups_.push_back(group);
  }
  // The entries ordered by group, stably; (*starts)[g] is group g's first.
  std::vector<FunnelEntry> OrderByGroup(std::vector<uint32_t>* starts) const {
    starts->assign(groups_ + 1, 0);
    for (uint32_t g : entry_groups_) ++(*starts)[g + 1];
    for (size_t g = 1; g < starts->size(); ++g) (*starts)[g] += (*starts)[g - 1];
    std::vector<FunnelEntry> ordered(entries_.size());
    std::vector<uint32_t> next(starts->begin(), starts->end() - 1);
    for (size_t i = 0; i < entries_.size(); ++i) ordered[next[entry_groups_[i]]++] = entries_[i];
    return ordered;
  }
  // Serializing every group one by one must not rescan the pool per group.
  void BuildIndex() const {
    index_entries_ = OrderByGroup(&index_starts_);
    index_size_ = entries_.size();
  }

  const WindowFunnelOptions options_;
  size_t groups_ = 0;
  uint32_t next_row_ = 0;
  std::vector<FunnelEntry> entries_;
  std::vector<uint32_t> entry_groups_;  // parallel to entries_
  mutable size_t index_size_ = SIZE_MAX;
  mutable std::vector<FunnelEntry> index_entries_;
  mutable std::vector<uint32_t> index_starts_;
};

absl::StatusOr<std::unique_ptr<AggregateFunction>> BindWindowFunnel(const AggregateBindArgs& in) {
  if (in.parameters.empty()) {
    return absl::InvalidArgumentError(
        "Aggregate function windowFunnel requires at least one parameter (the window)");
  }
  if (!in.parameters[0].type.is_integer()) {
    return absl::InvalidArgumentError("windowFunnel's window must be an integer");
  }
  std::vector<absl::string_view> modes;
  for (size_t i = 1; i < in.parameters.size(); ++i) {
    if (!in.parameters[i].type.is_string()) {
      return absl::InvalidArgumentError("windowFunnel's modes must be strings");
    }
    modes.push_back(in.parameters[i].string_at(0));
  }
  if (in.args.size() < 2) return ArgCountError(in, "at least 2");
  const DataType& time = in.args[0].type;
  if (!time.is_time() && !time.is_integer()) return IllegalArgType(in, 0);
  for (size_t i = 1; i < in.args.size(); ++i) {
    if (!in.args[i].type.is_integer()) return IllegalArgType(in, i);
  }
  MUA_ASSIGN_OR_RETURN(WindowFunnelOptions options,
                       WindowFunnelOptions::Create(in.parameters[0].ints[0], modes,
                                                   static_cast<int>(in.args.size() - 1)));
  if (time.id == TypeId::kDateTime64) {
    // Milliseconds against a window in seconds (saturating: a window past
    // 2^64 ms is unbounded anyway).
    options.window = options.window > std::numeric_limits<uint64_t>::max() / 1000
                         ? std::numeric_limits<uint64_t>::max()
                         : options.window * 1000;
  }
  return std::unique_ptr<AggregateFunction>(std::make_unique<WindowFunnelAggregate>(options));
}

}  // namespace

std::optional<WindowFunnelOptions> WindowFunnelOptionsOf(const AggregateFunction& function) {
  const auto* funnel = dynamic_cast<const WindowFunnelAggregate*>(&function);
  if (funnel == nullptr) return std::nullopt;
  return funnel->options();
}

void RegisterWindowFunnel(AggregateRegistry* registry) {
  registry->Add("windowFunnel", BindWindowFunnel, {.default_on_only_null = true});
}

}  // namespace mua::query_internal
