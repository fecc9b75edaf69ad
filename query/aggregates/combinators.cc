#include "query/aggregates/combinators.h"

#include <algorithm>
#include <string>
#include <utility>

#include "query/aggregates/row_key.h"
#include "query/expression.h"
#include "query/vector.h"
#include "query/aggregates/state_io.h"
#include "query/aggregates/value_column.h"
#include "storage/base/hash_containers.h"
#include "storage/base/status_macros.h"

namespace mua::query_internal {
namespace {

// NULL at `row`; a NULL literal (type Nothing) is NULL everywhere.
bool IsNullAt(const Vector& v, size_t row) { return v.type.id == TypeId::kNothing || v.is_null(row); }
bool MayHaveNulls(const Vector& v) { return v.type.id == TypeId::kNothing || !v.nulls.empty(); }

// Rows of `args` kept by `selected`, with their groups.
void GatherRows(absl::Span<const Vector> args, absl::Span<const uint32_t> groups,
                absl::Span<const uint32_t> selected, std::vector<Vector>* gathered,
                std::vector<uint32_t>* gathered_groups) {
  gathered->resize(args.size());
  for (size_t i = 0; i < args.size(); ++i) Gather(args[i], selected, &(*gathered)[i]);
  gathered_groups->resize(selected.size());
  for (size_t i = 0; i < selected.size(); ++i) (*gathered_groups)[i] = groups[selected[i]];
}

class IfAggregate final : public AggregateFunction {
 public:
  explicit IfAggregate(std::unique_ptr<AggregateFunction> inner)
      : AggregateFunction(inner->result_type()), inner_(std::move(inner)) {}
  void Resize(size_t groups) override { inner_->Resize(groups); }
  absl::Status Update(absl::Span<const Vector> args, absl::Span<const uint32_t> groups) override {
    const Vector& cond = args.back();
    selected_.clear();
    const bool floats = cond.type.id == TypeId::kFloat64;
    if (MayHaveNulls(cond)) {
      for (uint32_t row = 0; row < groups.size(); ++row) {
        if (IsNullAt(cond, row)) continue;
        if (floats ? cond.float_at(row) != 0 : cond.int_at(row) != 0) selected_.push_back(row);
      }
    } else {
      for (uint32_t row = 0; row < groups.size(); ++row) {
        if (floats ? cond.float_at(row) != 0 : cond.int_at(row) != 0) selected_.push_back(row);
      }
    }
    const absl::Span<const Vector> values = args.subspan(0, args.size() - 1);
    if (selected_.size() == groups.size()) return inner_->Update(values, groups);
    if (selected_.empty()) return absl::OkStatus();
    GatherRows(values, groups, selected_, &gathered_, &selected_groups_);
    return inner_->Update(gathered_, selected_groups_);
  }
  void Merge(AggregateFunction& other, absl::Span<const uint32_t> target) override {
    inner_->Merge(*static_cast<IfAggregate&>(other).inner_, target);
  }
  void Finalize(Vector* out) override { inner_->Finalize(out); }
  absl::Status finalize_status() const override { return inner_->finalize_status(); }
  std::unique_ptr<AggregateFunction> CloneEmpty() const override {
    return std::make_unique<IfAggregate>(inner_->CloneEmpty());
  }
  ShardMerge shard_merge() const override { return inner_->shard_merge(); }
  absl::Status SerializeState(size_t group, std::string* out) const override {
    return inner_->SerializeState(group, out);
  }
  absl::Status DeserializeState(size_t group, absl::string_view state) override {
    return inner_->DeserializeState(group, state);
  }

 private:
  std::unique_ptr<AggregateFunction> inner_;
  std::vector<uint32_t> selected_;
  std::vector<uint32_t> selected_groups_;
  std::vector<Vector> gathered_;
};

class NullAggregate final : public AggregateFunction {
 public:
  NullAggregate(std::unique_ptr<AggregateFunction> inner, size_t checked_args, bool nullable_result,
                DataType result)
      : AggregateFunction(result),
        inner_(std::move(inner)),
        checked_args_(checked_args),
        nullable_result_(nullable_result) {}
  void Resize(size_t groups) override {
    inner_->Resize(groups);
    if (nullable_result_) seen_.resize(std::max(groups, seen_.size()));
  }
  absl::Status Update(absl::Span<const Vector> args, absl::Span<const uint32_t> groups) override {
    bool any_null = false;
    for (size_t i = 0; i < checked_args_; ++i) any_null |= MayHaveNulls(args[i]);
    if (!any_null) {
      for (uint32_t g : groups) MarkSeen(g);
      return inner_->Update(args, groups);
    }
    selected_.clear();
    for (uint32_t row = 0; row < groups.size(); ++row) {
      bool null = false;
      for (size_t i = 0; i < checked_args_ && !null; ++i) null = IsNullAt(args[i], row);
      if (!null) selected_.push_back(row);
    }
    if (selected_.empty()) return absl::OkStatus();
    GatherRows(args, groups, selected_, &gathered_, &selected_groups_);
    for (uint32_t g : selected_groups_) MarkSeen(g);
    return inner_->Update(gathered_, selected_groups_);
  }
  void Merge(AggregateFunction& other, absl::Span<const uint32_t> target) override {
    auto& o = static_cast<NullAggregate&>(other);
    inner_->Merge(*o.inner_, target);
    if (!nullable_result_) return;
    for (size_t g = 0; g < target.size(); ++g) seen_[target[g]] |= o.seen_[g];
  }
  void Finalize(Vector* out) override {
    inner_->Finalize(out);
    out->type = result_type();
    if (!nullable_result_) return;
    out->nulls.resize(seen_.size());
    for (size_t g = 0; g < seen_.size(); ++g) out->nulls[g] = seen_[g] ? 0 : 1;
  }
  absl::Status finalize_status() const override { return inner_->finalize_status(); }
  std::unique_ptr<AggregateFunction> CloneEmpty() const override {
    return std::make_unique<NullAggregate>(inner_->CloneEmpty(), checked_args_, nullable_result_,
                                           result_type());
  }
  ShardMerge shard_merge() const override { return inner_->shard_merge(); }
  absl::Status SerializeState(size_t group, std::string* out) const override {
    StateWriter(out).UInt(nullable_result_ ? seen_[group] : 1);
    return inner_->SerializeState(group, out);
  }
  absl::Status DeserializeState(size_t group, absl::string_view state) override {
    if (state.empty()) return absl::DataLossError("Malformed state of a Nullable aggregate");
    const bool seen = state[0] != 0;
    MUA_RETURN_IF_ERROR(inner_->DeserializeState(group, state.substr(1)));
    if (nullable_result_ && seen) seen_[group] = 1;
    return absl::OkStatus();
  }

 private:
  void MarkSeen(uint32_t group) {
    if (nullable_result_) seen_[group] = 1;
  }
  std::unique_ptr<AggregateFunction> inner_;
  const size_t checked_args_;
  const bool nullable_result_;
  std::vector<uint8_t> seen_;
  std::vector<uint32_t> selected_;
  std::vector<uint32_t> selected_groups_;
  std::vector<Vector> gathered_;
};

class DistinctAggregate final : public AggregateFunction {
 public:
  DistinctAggregate(std::unique_ptr<AggregateFunction> inner, std::vector<DataType> arg_types)
      : AggregateFunction(inner->result_type()),
        inner_(std::move(inner)),
        arg_types_(std::move(arg_types)),
        columns_(arg_types_.size()) {
    for (size_t i = 0; i < arg_types_.size(); ++i) columns_[i].physical = PhysicalOf(arg_types_[i]);
  }
  void Resize(size_t groups) override {
    groups_ = std::max(groups, groups_);
    inner_->Resize(groups);
  }
  absl::Status Update(absl::Span<const Vector> args, absl::Span<const uint32_t> groups) override {
    std::string scratch;
    for (size_t row = 0; row < groups.size(); ++row) {
      if (!seen_.insert({groups[row], RowFingerprint(args, row, &scratch)}).second) continue;
      const size_t at = row_groups_.size();
      row_groups_.push_back(groups[row]);
      for (size_t i = 0; i < columns_.size(); ++i) {
        columns_[i].Resize(at + 1);
        columns_[i].Set(at, args[i], row);
      }
    }
    return absl::OkStatus();
  }
  void Merge(AggregateFunction& other, absl::Span<const uint32_t> target) override {
    auto& o = static_cast<DistinctAggregate&>(other);
    std::string scratch;
    for (size_t r = 0; r < o.row_groups_.size(); ++r) {
      AddStored(target[o.row_groups_[r]], o.columns_, r, &scratch);
    }
  }
  void Finalize(Vector* out) override {
    std::vector<Vector> args(columns_.size());
    for (size_t i = 0; i < columns_.size(); ++i) columns_[i].Finalize(arg_types_[i], &args[i]);
    inner_->Resize(groups_);
    if (!row_groups_.empty()) {
      // Cannot fail: the inner function accepted these types at bind time.
      inner_->Update(args, row_groups_).IgnoreError();
    }
    inner_->Finalize(out);
  }
  absl::Status finalize_status() const override { return inner_->finalize_status(); }
  std::unique_ptr<AggregateFunction> CloneEmpty() const override {
    return std::make_unique<DistinctAggregate>(inner_->CloneEmpty(), arg_types_);
  }
  absl::Status SerializeState(size_t group, std::string* out) const override {
    if (index_size_ != row_groups_.size()) BuildIndex();
    StateWriter writer(out);
    const uint32_t begin = index_starts_[group], end = index_starts_[group + 1];
    writer.UInt(end - begin);
    for (uint32_t i = begin; i < end; ++i) {
      for (const ValueColumn& column : columns_) column.Write(index_rows_[i], writer);
    }
    return absl::OkStatus();
  }
  absl::Status DeserializeState(size_t group, absl::string_view state) override {
    StateReader in(state);
    const uint64_t rows = in.Count(columns_.size());
    std::vector<ValueColumn> read(columns_.size());
    for (size_t i = 0; i < columns_.size(); ++i) {
      read[i].physical = columns_[i].physical;
      read[i].Resize(rows);
    }
    for (uint64_t r = 0; r < rows && in.ok(); ++r) {
      for (ValueColumn& column : read) column.Read(r, in);
    }
    MUA_RETURN_IF_ERROR(in.Finish("Distinct"));
    std::string scratch;
    for (uint64_t r = 0; r < rows; ++r) AddStored(static_cast<uint32_t>(group), read, r, &scratch);
    return absl::OkStatus();
  }

 private:
  // Adds row `r` of stored columns `from` to `group` unless already there.
  void AddStored(uint32_t group, const std::vector<ValueColumn>& from, size_t r,
                 std::string* scratch) {
    std::vector<Vector> one(from.size());
    std::vector<ValueColumn> singles(from.size());  // `one` views their strings
    for (size_t i = 0; i < from.size(); ++i) {
      singles[i].physical = from[i].physical;
      singles[i].Resize(1);
      singles[i].CopyFrom(0, from[i], r);
      singles[i].Finalize(arg_types_[i], &one[i]);
    }
    if (!seen_.insert({group, RowFingerprint(one, 0, scratch)}).second) return;
    const size_t at = row_groups_.size();
    row_groups_.push_back(group);
    for (size_t i = 0; i < columns_.size(); ++i) {
      columns_[i].Resize(at + 1);
      columns_[i].CopyFrom(at, from[i], r);
    }
  }
  void BuildIndex() const {
    index_starts_.assign(groups_ + 1, 0);
    for (uint32_t g : row_groups_) ++index_starts_[g + 1];
    for (size_t g = 1; g < index_starts_.size(); ++g) index_starts_[g] += index_starts_[g - 1];
    index_rows_.resize(row_groups_.size());
    std::vector<uint32_t> next(index_starts_.begin(), index_starts_.end() - 1);
    for (size_t r = 0; r < row_groups_.size(); ++r) index_rows_[next[row_groups_[r]]++] = static_cast<uint32_t>(r);
    index_size_ = row_groups_.size();
  }

  std::unique_ptr<AggregateFunction> inner_;
  const std::vector<DataType> arg_types_;
  size_t groups_ = 0;
  std::vector<ValueColumn> columns_;  // the distinct rows, one column per argument
  std::vector<uint32_t> row_groups_;  // parallel to the columns' rows
  HashSet<std::pair<uint32_t, Fingerprint128>> seen_;
  mutable size_t index_size_ = SIZE_MAX;
  mutable std::vector<uint32_t> index_starts_;
  mutable std::vector<uint32_t> index_rows_;
};

}  // namespace

std::unique_ptr<AggregateFunction> MakeIfAggregate(std::unique_ptr<AggregateFunction> inner) {
  return std::make_unique<IfAggregate>(std::move(inner));
}

std::unique_ptr<AggregateFunction> MakeDistinctAggregate(std::unique_ptr<AggregateFunction> inner,
                                                         std::vector<DataType> arg_types) {
  return std::make_unique<DistinctAggregate>(std::move(inner), std::move(arg_types));
}

std::unique_ptr<AggregateFunction> MakeNullAggregate(std::unique_ptr<AggregateFunction> inner,
                                                     size_t checked_args, bool nullable_result,
                                                     DataType result) {
  return std::make_unique<NullAggregate>(std::move(inner), checked_args, nullable_result, result);
}

}  // namespace mua::query_internal
