// Rule: the bitmap paths. `uniqExact(user_id)` (and uniq, count(DISTINCT
// user_id)) grouped by nothing or by a day-granular key, filtered only by
// whole-day time ranges, one event_type condition and conditions on segment
// columns, are answered from the per-day user bitmaps; GROUP BY user_id with
// only retention(toDate(event_time) = D, ...) aggregates is answered from
// memberships in per-day bitmaps (the per-user form).
#include <algorithm>
#include <iterator>
#include <set>
#include <string>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/ascii.h"
#include "query/functions/time_functions.h"
#include "query/optimizer/rules.h"
#include "storage/base/time_util.h"
#include "storage/string_dictionary.h"

namespace mua::optimizer_internal {
namespace {

// Functions whose value depends on the day of their time argument only.
bool IsDayFunction(absl::string_view name) {
  static const auto* const kNames = new absl::flat_hash_set<std::string>{
      "toDate", "toStartOfDay", "toMonday", "toStartOfWeek", "toStartOfMonth", "toStartOfQuarter",
      "toStartOfYear", "toYYYYMMDD", "toYYYYMM", "toYear", "toMonth", "toQuarter", "toDayOfWeek",
      "toDayOfMonth", "toDayOfYear"};
  return kNames->contains(name);
}

// Whether `expr` depends on events only through the UTC day of event_time
// (`uses_day`: it does at all). Iterative: expressions nest as deep as the text.
bool IsDayGranular(const SelectPlan& plan, const BlockFacts& facts, const BoundExpr& root, bool* uses_day) {
  std::vector<const BoundExpr*> stack = {&root};
  while (!stack.empty()) {
    const BoundExpr& expr = *stack.back();
    stack.pop_back();
    if (IsKnownConstant(facts, expr)) continue;
    if (expr.kind != BoundExpr::Kind::kCall) return false;
    if (IsDayFunction(expr.function) && !expr.args.empty() &&
        EventsColumn(plan, *expr.args[0]) == ColumnId::kEventTime) {
      for (size_t i = 1; i < expr.args.size(); ++i) {
        if (!IsKnownConstant(facts, *expr.args[i])) return false;
        // A zone argument ('Asia/Tokyo'): local days do not follow UTC days, unless it
        // names UTC itself ('UTC', 'Etc/UTC').
        if (expr.args[i]->type.is_string() &&
            !(expr.args[i]->is_constant() &&
              query_internal::TimeZone::IsUtcName(expr.args[i]->constant.string_at(0)))) {
          return false;
        }
      }
      *uses_day = true;
      continue;
    }
    for (const BoundExprPtr& arg : expr.args) stack.push_back(arg.get());
  }
  return true;
}

// `expr` over a one-column batch whose column 0 is event_time; null when it reads
// any other column.
BoundExprPtr OverEventTimeOnly(const SelectPlan& plan, const BoundExprPtr& expr) {
  if (expr->kind == BoundExpr::Kind::kColumn) {
    if (EventsColumn(plan, *expr) != ColumnId::kEventTime) return nullptr;
    return MakeColumn(0, expr->type, expr->sql);
  }
  if (expr->args.empty()) return expr;
  auto copy = std::make_shared<BoundExpr>(*expr);
  for (BoundExprPtr& arg : copy->args) {
    arg = OverEventTimeOnly(plan, arg);
    if (arg == nullptr) return nullptr;
  }
  return copy;
}

// The UTC days the scan's time range covers, clipped to the stored days; false
// when the range starts or ends inside a day (or nothing is stored).
bool WholeDayRange(const SelectPlan& plan, const TableSnapshot& snapshot, int32_t* first_day, int32_t* last_day) {
  if (snapshot.partition_count() == 0) return false;
  const ScanOptions& scan = plan.source.scan;
  const int64_t min_ms = std::max(scan.min_time_ms, MillisOfDay(snapshot.day(0)));
  const int64_t max_ms =
      std::min(scan.max_time_ms, MillisOfDay(snapshot.day(snapshot.partition_count() - 1) + 1) - 1);
  if (min_ms % kDayMs != 0 || (max_ms + 1) % kDayMs != 0) return false;
  *first_day = DayOfMillis(min_ms);
  *last_day = DayOfMillis(max_ms);
  return true;
}

void AddEventTypes(const std::vector<std::string>& types, const TableSnapshot& snapshot, BitmapPlan* bitmap) {
  bitmap->any_event_type = false;
  const StringDictionary& dictionary = snapshot.dictionary(ColumnId::kEventType);
  for (const std::string& type : types) {
    // A type never seen has no users: it adds nothing.
    if (std::optional<uint32_t> code = dictionary.Find(type)) bitmap->event_types.push_back(*code);
  }
}

bool IsUserColumn(const SelectPlan& plan, const BoundExpr& expr) {
  return EventsColumn(plan, expr) == ColumnId::kUserId;
}

void TryBitmapPath(SelectPlan& plan, const BlockFacts& facts, const TableSnapshot& snapshot) {
  if (plan.aggregates.empty() || plan.group_keys.size() > 1) return;
  for (const AggregateCall& call : plan.aggregates) {
    const bool distinct_count = (call.distinct && absl::AsciiStrToLower(call.name) == "count") ||
                                (!call.distinct && (call.name == "uniqExact" || call.name == "uniq"));
    if (!distinct_count || call.parametric || call.args.size() != 1 || !IsUserColumn(plan, *call.args[0])) return;
  }
  BitmapPlan bitmap;
  bitmap.aggregates = plan.aggregates.size();
  if (plan.group_keys.size() == 1) {
    bool uses_day = false;
    if (!IsDayGranular(plan, facts, *plan.group_keys[0], &uses_day) || !uses_day) return;
  }
  // Every WHERE conjunct must be a time bound, one event_type condition or a
  // condition on a segment column (which has per-value user bitmaps).
  int event_type_conditions = 0;
  for (const BoundExpr* e : Conjuncts(plan.where.get())) {
    ColumnId column;
    std::vector<std::string> values;
    if (!ValueListCondition(plan, facts, *e, &column, &values)) {
      if (!facts.time_conjuncts.contains(e)) return;
      continue;
    }
    if (column == ColumnId::kEventType) {
      if (++event_type_conditions > 1) return;
      AddEventTypes(values, snapshot, &bitmap);
      continue;
    }
    if (SegmentSlot(column) < 0) return;
    BitmapPlan::ValueCondition condition{column, {}};
    const StringDictionary& dictionary = snapshot.dictionary(column);
    for (const std::string& value : values) {
      if (std::optional<uint32_t> code = dictionary.Find(value)) condition.codes.push_back(*code);
    }
    bitmap.value_conditions.push_back(std::move(condition));
  }
  if (!WholeDayRange(plan, snapshot, &bitmap.first_day, &bitmap.last_day)) return;
  if (plan.group_keys.size() == 1) {
    bitmap.day_key = OverEventTimeOnly(plan, plan.group_keys[0]);
    if (bitmap.day_key == nullptr) return;
  }
  plan.bitmap = std::move(bitmap);
}

void TryPerUserBitmapPath(SelectPlan& plan, const BlockFacts& facts, const TableSnapshot& snapshot) {
  if (plan.group_keys.size() != 1 || !IsUserColumn(plan, *plan.group_keys[0]) || plan.aggregates.empty()) return;
  BitmapPlan bitmap;
  bitmap.per_user = true;
  for (const AggregateCall& call : plan.aggregates) {
    if (call.name != "retention" || call.distinct || call.parametric) return;
    std::vector<int32_t> days;
    for (const BoundExprPtr& condition : call.args) {
      if (condition->kind != BoundExpr::Kind::kCall || condition->function != "equals" || condition->args.size() != 2) {
        return;
      }
      const BoundExpr& left = *condition->args[0];
      const BoundExpr& right = *condition->args[1];
      bool is_day = false;
      int64_t day = 0;
      if (TimeSide(plan, left, &is_day) && is_day && ConstantTime(facts, right, true, &day)) {
      } else if (TimeSide(plan, right, &is_day) && is_day && ConstantTime(facts, left, true, &day)) {
      } else {
        return;
      }
      days.push_back(static_cast<int32_t>(day));
    }
    bitmap.retention_days.push_back(std::move(days));
  }
  // Days allowed by the time range (which must be whole days) ...
  int32_t first_day = 0, last_day = 0;
  if (!WholeDayRange(plan, snapshot, &first_day, &last_day) || first_day > last_day) return;
  std::set<int32_t> allowed;
  for (int32_t day = first_day; day <= last_day; ++day) allowed.insert(day);
  // ... and by each WHERE conjunct.
  int event_type_conditions = 0;
  for (const BoundExpr* e : Conjuncts(plan.where.get())) {
    if (facts.time_conjuncts.contains(e)) continue;
    bool is_day = false;
    if (e->kind == BoundExpr::Kind::kIn && !e->negated && !e->args.empty() && e->set != nullptr &&
        TimeSide(plan, *e->args[0], &is_day) && is_day) {
      const InSet& set = *e->set;
      if (facts.prepared_sets.contains(&set) || set.has_floats || !set.strings.empty()) return;
      std::set<int32_t> both;
      for (int64_t day : set.ints) {
        if (allowed.contains(static_cast<int32_t>(day))) both.insert(static_cast<int32_t>(day));
      }
      allowed = std::move(both);
      continue;
    }
    ColumnId column;
    std::vector<std::string> types;
    if (!ValueListCondition(plan, facts, *e, &column, &types) || column != ColumnId::kEventType ||
        ++event_type_conditions > 1) {
      return;
    }
    AddEventTypes(types, snapshot, &bitmap);
  }
  bitmap.allowed_days.assign(allowed.begin(), allowed.end());
  bitmap.aggregates = plan.aggregates.size();
  plan.bitmap = std::move(bitmap);
}

}  // namespace

void ApplyBitmapPaths(SelectPlan& plan, const BlockFacts& facts, const TableSnapshot& snapshot) {
  // WITH TOTALS merges aggregate states, which the bitmap paths do not keep.
  if (plan.source.kind != SourcePlan::Kind::kEvents || !plan.aggregate || plan.with_totals) return;
  TryBitmapPath(plan, facts, snapshot);
  if (!plan.bitmap) TryPerUserBitmapPath(plan, facts, snapshot);
}

}  // namespace mua::optimizer_internal
