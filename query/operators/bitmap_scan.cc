#include "query/operators/bitmap_scan.h"

#include <algorithm>
#include <deque>
#include <utility>
#include <vector>

#include "query/operators/hash_aggregate.h"
#include "storage/base/hash_containers.h"
#include "storage/base/status_macros.h"
#include "storage/base/time_util.h"

namespace mua {
namespace {

// Bitmaps a path computes, at stable addresses. The snapshot's own bitmaps are read in
// place: copying a day's users to count them cost a DAU question most of its time.
class ComputedBitmaps {
 public:
  const UserBitmap* Keep(UserBitmap bitmap) { return &kept_.emplace_back(std::move(bitmap)); }

  // The union of `bitmaps`: the one itself when there is one.
  const UserBitmap* Union(std::vector<const UserBitmap*> bitmaps) {
    if (bitmaps.size() == 1) return bitmaps[0];
    if (bitmaps.empty()) return &kEmpty;
    return Keep(UserBitmap::fastunion(bitmaps.size(), bitmaps.data()));
  }

  // The intersection of `bitmaps`, smallest first (each step is bounded by the smaller side).
  const UserBitmap* Intersection(std::vector<const UserBitmap*> bitmaps) {
    if (bitmaps.size() == 1) return bitmaps[0];
    if (bitmaps.empty()) return &kEmpty;
    std::vector<std::pair<uint64_t, const UserBitmap*>> by_size;
    for (const UserBitmap* bitmap : bitmaps) by_size.emplace_back(bitmap->cardinality(), bitmap);
    std::sort(by_size.begin(), by_size.end(),
              [](const auto& a, const auto& b) { return a.first < b.first; });
    UserBitmap result = *by_size[0].second & *by_size[1].second;
    for (size_t i = 2; i < by_size.size() && !result.isEmpty(); ++i) result &= *by_size[i].second;
    return Keep(std::move(result));
  }

 private:
  static inline const UserBitmap kEmpty;
  std::deque<UserBitmap> kept_;
};

// The users of partition `p` with one of the plan's event types (any: all of them).
const UserBitmap* EventTypeUsers(const TableSnapshot& snapshot, const BitmapPlan& bitmap, size_t p,
                                 ComputedBitmaps* computed) {
  if (bitmap.any_event_type) return &snapshot.users(p);
  std::vector<const UserBitmap*> types;
  for (uint32_t type : bitmap.event_types) types.push_back(&snapshot.users_with_event_type(p, type));
  return computed->Union(std::move(types));
}

// The users of one allowed day of a per-user bitmap plan (restricted to its
// event types, when given); empty for a day the plan does not allow.
const UserBitmap* AllowedDayUsers(const TableSnapshot& snapshot, const BitmapPlan& bitmap, int32_t day,
                                  ComputedBitmaps* computed) {
  const int p = snapshot.FindPartition(day);
  if (p < 0 || !std::binary_search(bitmap.allowed_days.begin(), bitmap.allowed_days.end(), day)) {
    return computed->Union({});
  }
  return EventTypeUsers(snapshot, bitmap, static_cast<size_t>(p), computed);
}

// GROUP BY user_id with retention() arrays: one row per user active on the allowed days.
std::vector<Vector> PerUserPost(const BitmapPlan& bitmap, const TableSnapshot& snapshot) {
  ComputedBitmaps computed;
  auto day_users = [&](int32_t day) { return AllowedDayUsers(snapshot, bitmap, day, &computed); };
  std::vector<const UserBitmap*> days;
  for (int32_t day : bitmap.allowed_days) days.push_back(day_users(day));
  const UserBitmap& groups = *computed.Union(std::move(days));
  Vector keys;
  keys.type = DataType::Of(TypeId::kString);
  keys.dictionary = &snapshot.user_index();
  keys.size = groups.cardinality();
  keys.codes.resize(keys.size);
  groups.toUint32Array(keys.codes.data());
  std::vector<Vector> post;
  post.push_back(std::move(keys));
  for (const std::vector<int32_t>& days_of_retention : bitmap.retention_days) {
    std::vector<const UserBitmap*> conditions;
    for (int32_t day : days_of_retention) conditions.push_back(day_users(day));
    Vector arrays;
    arrays.type = DataType::Array(TypeId::kUInt8);
    arrays.size = post[0].size;
    arrays.offsets.assign(1, 0);
    for (uint32_t user : post[0].codes) {
      // retention(): r[1] = c1; r[k] = c1 AND ck.
      const bool first = !conditions.empty() && conditions[0]->contains(user);
      for (size_t k = 0; k < conditions.size(); ++k) {
        arrays.ints.push_back(first && (k == 0 || conditions[k]->contains(user)) ? 1 : 0);
      }
      arrays.offsets.push_back(static_cast<uint32_t>(arrays.ints.size()));
    }
    post.push_back(std::move(arrays));
  }
  return post;
}

// Whether `users`, the intersection of a bitmap plan's conditions on partition
// `p`, is exactly the users with one row matching all of them. A user's rows may
// match different conditions unless, of the conditions, at most one is on a
// column where the user had several values that day (event_type: everyone).
bool ExactIntersection(const TableSnapshot& snapshot, size_t p, const BitmapPlan& bitmap, const UserBitmap& users) {
  const auto& conditions = bitmap.value_conditions;
  if (conditions.empty()) return true;
  if (!snapshot.has_segment_bitmaps(p)) return false;
  if (conditions.size() + (bitmap.any_event_type ? 0 : 1) < 2 || users.isEmpty()) return true;
  for (size_t i = 0; i < conditions.size(); ++i) {
    const UserBitmap several = users & snapshot.multi_valued_users(p, conditions[i].column);
    if (several.isEmpty()) continue;
    if (!bitmap.any_event_type) return false;
    for (size_t j = i + 1; j < conditions.size(); ++j) {
      if (several.intersect(snapshot.multi_valued_users(p, conditions[j].column))) return false;
    }
  }
  return true;
}

}  // namespace

Batch RunRetentionTotals(const SelectPlan& plan, const TableSnapshot& snapshot, BlockWorker* worker) {
  const BitmapPlan& inner = *plan.source.subquery->bitmap;
  ComputedBitmaps computed;
  // Each day's users once, however many totals read them.
  HashMap<int32_t, const UserBitmap*> users_of_day;
  auto day_users = [&](int32_t day) -> const UserBitmap& {
    auto [it, inserted] = users_of_day.try_emplace(day, nullptr);
    if (inserted) it->second = AllowedDayUsers(snapshot, inner, day, &computed);
    return *it->second;
  };
  std::vector<Vector> totals;
  for (const BitmapPlan::RetentionTotal& total : plan.bitmap->retention_totals) {
    uint64_t count = 0;
    if (total.retention < 0) {
      std::vector<const UserBitmap*> days;
      for (int32_t day : inner.allowed_days) days.push_back(&day_users(day));
      count = computed.Union(std::move(days))->cardinality();
    } else {
      // retention(): r[1] = c1; r[k] = c1 AND ck; an index out of range reads 0.
      const std::vector<int32_t>& days = inner.retention_days[total.retention];
      const int64_t n = static_cast<int64_t>(days.size());
      const int64_t k = total.index < 0 ? n + 1 + total.index : total.index;
      if (k >= 1 && k <= n) {
        const UserBitmap& first = day_users(days[0]);
        count = k == 1 ? first.cardinality() : first.and_cardinality(day_users(days[k - 1]));
      }
    }
    totals.push_back(Vector::ConstantInt(DataType::Of(TypeId::kUInt64), static_cast<int64_t>(count), 1));
    totals.back().constant = false;
  }
  worker->groups.EnsureOneGroup();
  Batch post;
  post.columns = GroupKeyVectors(plan, worker->groups);
  for (Vector& total : totals) post.columns.push_back(std::move(total));
  post.rows = worker->groups.size();
  post.pool = &worker->pool;
  return post;
}

absl::StatusOr<std::optional<Batch>> RunBitmapScan(const SelectPlan& plan, const TableSnapshot& snapshot,
                                                   BlockWorker* worker) {
  const BitmapPlan& bitmap = *plan.bitmap;
  if (bitmap.per_user) {
    Batch post;
    post.columns = PerUserPost(bitmap, snapshot);
    post.rows = post.columns[0].size;
    post.pool = &worker->pool;
    return post;
  }
  ComputedBitmaps computed;
  std::vector<std::pair<int32_t, const UserBitmap*>> day_users;
  const auto [first, last] = snapshot.PartitionRange(bitmap.first_day, bitmap.last_day);
  for (size_t p = first; p < last; ++p) {
    const int32_t day = snapshot.day(p);
    std::vector<const UserBitmap*> operands = {EventTypeUsers(snapshot, bitmap, p, &computed)};
    for (const BitmapPlan::ValueCondition& condition : bitmap.value_conditions) {
      std::vector<const UserBitmap*> values;
      for (uint32_t code : condition.codes) values.push_back(&snapshot.users_with_value(p, condition.column, code));
      operands.push_back(computed.Union(std::move(values)));
    }
    const UserBitmap* users = computed.Intersection(std::move(operands));
    if (!ExactIntersection(snapshot, p, bitmap, *users)) return std::nullopt;
    day_users.emplace_back(day, users);
  }
  std::vector<std::vector<const UserBitmap*>> group_users;
  StringPool pool;
  for (auto& [day, users] : day_users) {
    // A day without a matching user has no row to form a group (as a scan).
    if (bitmap.day_key != nullptr && users->isEmpty()) continue;
    std::vector<uint32_t> group(1, 0);
    if (bitmap.day_key != nullptr) {
      Batch batch;
      batch.rows = 1;
      batch.pool = &pool;
      batch.columns.push_back(Vector::ConstantInt(DataType::Of(TypeId::kDateTime64), MillisOfDay(day), 1));
      batch.columns[0].constant = false;
      Vector key;
      MUA_RETURN_IF_ERROR(Evaluate(*bitmap.day_key, batch, &key));
      worker->groups.Map(absl::MakeConstSpan(&key, 1), 1, &group);
    } else {
      worker->groups.EnsureOneGroup();
    }
    if (group_users.size() < worker->groups.size()) group_users.resize(worker->groups.size());
    group_users[group[0]].push_back(users);
  }
  if (bitmap.day_key == nullptr) worker->groups.EnsureOneGroup();
  group_users.resize(worker->groups.size());
  Vector counts;
  counts.type = DataType::Of(TypeId::kUInt64);
  counts.size = group_users.size();
  for (std::vector<const UserBitmap*>& users : group_users) {
    counts.ints.push_back(static_cast<int64_t>(computed.Union(std::move(users))->cardinality()));
  }
  Batch post;
  post.columns = GroupKeyVectors(plan, worker->groups);
  for (size_t a = 0; a < bitmap.aggregates; ++a) post.columns.push_back(counts);
  post.rows = worker->groups.size();
  post.pool = &worker->pool;
  return post;
}

}  // namespace mua
