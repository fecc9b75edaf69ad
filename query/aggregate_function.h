// AggregateFunction: ClickHouse aggregates (SPEC §5) as columnar per-group
// states. The executor hands each batch's argument vectors with the group of
// every row; partial states from parallel workers merge; Finalize yields one
// value per group; a group's state serializes so partial states can travel
// between nodes. The functions live one per file in query/aggregates/ and
// register by name there; the -If combinator (countIf, sumIf, ...), DISTINCT
// (count(DISTINCT x), sumDistinct) and NULL handling (ClickHouse's -Null:
// rows with a NULL argument are skipped) wrap them at bind time.
//
//   MUA_ASSIGN_OR_RETURN(auto sum, BindAggregateFunction("sum", {}, {{int_type}}, false));
//   sum->Resize(groups);
//   MUA_RETURN_IF_ERROR(sum->Update(args, group_of_row));
//   sum->Finalize(&values);
//
// Thread safety: one instance per thread; CloneEmpty makes the siblings.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "query/vector.h"

namespace mua {

class AggregateFunction {
 public:
  explicit AggregateFunction(DataType result_type) : result_type_(result_type) {}
  virtual ~AggregateFunction() = default;
  AggregateFunction(const AggregateFunction&) = delete;
  AggregateFunction& operator=(const AggregateFunction&) = delete;

  const DataType& result_type() const { return result_type_; }

  // Makes room for `groups` groups (never shrinks); new groups are empty.
  virtual void Resize(size_t groups) = 0;
  // Folds row i of `args` into group group_of_row[i].
  // REQUIRES: every group index < the last Resize; args sized like group_of_row.
  virtual absl::Status Update(absl::Span<const Vector> args,
                              absl::Span<const uint32_t> group_of_row) = 0;
  // Folds `other`'s group g into this group target[g]. REQUIRES: same binding.
  virtual void Merge(AggregateFunction& other, absl::Span<const uint32_t> target) = 0;
  // One value per group; string views point into this object.
  virtual void Finalize(Vector* out) = 0;
  // An error the last Finalize met (sequenceMatch past its iteration limit:
  // the groups concerned hold 0); callers check it after Finalize.
  virtual absl::Status finalize_status() const { return absl::OkStatus(); }
  // A new instance with the same binding and no groups.
  virtual std::unique_ptr<AggregateFunction> CloneEmpty() const = 0;

  // Appends group `group`'s partial state to *out, in a format private to the
  // binding (the same name, parameters and argument types on both ends).
  // REQUIRES: group < the last Resize.
  virtual absl::Status SerializeState(size_t group, std::string* out) const;
  // Folds a state written by SerializeState of the same binding into group
  // `group` (into an empty group: the group then equals the serialized one).
  // Errors: DataLoss when `state` is truncated or malformed.
  // REQUIRES: group < the last Resize.
  virtual absl::Status DeserializeState(size_t group, absl::string_view state);

  // How a cluster moves this function's partial states from shards to the
  // coordinator (query/distributed.h). kState: SerializeState. kAddFinalized: the
  // state holds numbers private to one node (dense user numbers), but the finalized
  // values of the shards add up to the whole answer because each user lives on one
  // shard (distinct counts of user_id): shards send values, the coordinator sums.
  enum class ShardMerge { kState, kAddFinalized };
  virtual ShardMerge shard_merge() const { return ShardMerge::kState; }

 private:
  DataType result_type_;
};

struct AggregateArg {
  DataType type;
  const Vector* constant = nullptr;
  // The argument is events.user_id itself (dense user numbers): distinct
  // counts use Roaring bitmaps of user numbers.
  bool is_user_column = false;
};

// Errors: NotFound "Unknown aggregate function NAME"; InvalidArgument for
// arity, parameters or types, in ClickHouse's words.
absl::StatusOr<std::unique_ptr<AggregateFunction>> BindAggregateFunction(
    absl::string_view name, absl::Span<const Vector> parameters,
    absl::Span<const AggregateArg> args, bool distinct);

// True for aggregate names (with or without the If suffix).
bool IsAggregateFunction(absl::string_view name);

}  // namespace mua
