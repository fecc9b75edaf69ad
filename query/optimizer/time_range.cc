// Rule: time range → partition and block pruning. WHERE conjuncts comparing
// event_time (or toDate(event_time)) with constants narrow the scan's time
// range, which skips partitions and, by zone maps, blocks. The filter still
// runs on partitions the range cuts; on partitions wholly inside it, the
// filter is the other conjuncts only (where_inside_time_range, often none).
#include <algorithm>
#include <climits>

#include "query/optimizer/rules.h"

namespace mua::optimizer_internal {
namespace {

enum class Op { kEquals, kLess, kLessEquals, kGreater, kGreaterEquals, kOther };

Op OpOf(const std::string& function) {
  if (function == "equals") return Op::kEquals;
  if (function == "less") return Op::kLess;
  if (function == "lessOrEquals") return Op::kLessEquals;
  if (function == "greater") return Op::kGreater;
  if (function == "greaterOrEquals") return Op::kGreaterEquals;
  return Op::kOther;
}

Op Flip(Op op) {
  switch (op) {
    case Op::kLess: return Op::kGreater;
    case Op::kGreater: return Op::kLess;
    case Op::kLessEquals: return Op::kGreaterEquals;
    case Op::kGreaterEquals: return Op::kLessEquals;
    default: return op;
  }
}

// Applies `time op value`, where time is event_time (ms) or its day (Date).
void Apply(Op op, bool is_day, int64_t value, ScanOptions* scan) {
  const int64_t lo = is_day ? value * kDayMs : value;            // first ms of the value
  const int64_t hi = is_day ? (value + 1) * kDayMs - 1 : value;  // last ms of the value
  switch (op) {
    case Op::kEquals:
      scan->min_time_ms = std::max(scan->min_time_ms, lo);
      scan->max_time_ms = std::min(scan->max_time_ms, hi);
      break;
    case Op::kGreater: scan->min_time_ms = std::max(scan->min_time_ms, hi + 1); break;
    case Op::kGreaterEquals: scan->min_time_ms = std::max(scan->min_time_ms, lo); break;
    case Op::kLess: scan->max_time_ms = std::min(scan->max_time_ms, lo - 1); break;
    case Op::kLessEquals: scan->max_time_ms = std::min(scan->max_time_ms, hi); break;
    case Op::kOther: break;
  }
}

}  // namespace

absl::Status ApplyTimeRange(SelectPlan& plan, BlockFacts* facts) {
  if (plan.source.kind != SourcePlan::Kind::kEvents || plan.where == nullptr) return absl::OkStatus();
  ScanOptions& scan = plan.source.scan;
  const std::vector<BoundExprPtr> conjuncts = ConjunctPtrs(plan.where);
  for (const BoundExprPtr& conjunct : conjuncts) {
    const BoundExpr& e = *conjunct;
    bool is_day = false;
    int64_t value = 0;
    if (e.kind == BoundExpr::Kind::kCall && e.args.size() == 2 && OpOf(e.function) != Op::kOther) {
      const Op op = OpOf(e.function);
      if (TimeSide(plan, *e.args[0], &is_day) && ConstantTime(*facts, *e.args[1], is_day, &value)) {
        Apply(op, is_day, value, &scan);
        facts->time_conjuncts.insert(&e);
      } else if (TimeSide(plan, *e.args[1], &is_day) && ConstantTime(*facts, *e.args[0], is_day, &value)) {
        Apply(Flip(op), is_day, value, &scan);
        facts->time_conjuncts.insert(&e);
      }
    } else if (e.kind == BoundExpr::Kind::kIn && !e.negated && !e.args.empty() && e.set != nullptr &&
               !facts->prepared_sets.contains(e.set.get()) && TimeSide(plan, *e.args[0], &is_day)) {
      // x IN (v1, v2, ...): the scan needs [min v, max v] only. The range is wider
      // than the set, so this conjunct stays a filter (not a time conjunct).
      const InSet& set = *e.set;
      if (set.ints.empty() || set.has_floats || !set.strings.empty()) continue;
      int64_t low = INT64_MAX, high = INT64_MIN;
      for (int64_t v : set.ints) {
        low = std::min(low, v);
        high = std::max(high, v);
      }
      Apply(Op::kGreaterEquals, is_day, low, &scan);
      Apply(Op::kLessEquals, is_day, high, &scan);
    }
  }
  if (facts->time_conjuncts.empty()) return absl::OkStatus();
  std::vector<BoundExprPtr> rest;
  for (const BoundExprPtr& conjunct : conjuncts) {
    if (!facts->time_conjuncts.contains(conjunct.get())) rest.push_back(conjunct);
  }
  absl::StatusOr<BoundExprPtr> inside = AndOf(rest);
  if (!inside.ok()) return inside.status();
  plan.where_inside_time_range = *std::move(inside);
  return absl::OkStatus();
}

}  // namespace mua::optimizer_internal
