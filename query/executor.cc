#include "query/executor.h"

#include <algorithm>
#include <map>
#include <numeric>
#include <thread>

#include "storage/base/hash_containers.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "query/internal/group_table.h"
#include "query/internal/plan_execution.h"
#include "storage/base/parallel_for.h"
#include "storage/base/status_macros.h"
#include "storage/base/time_util.h"
#include "storage/string_dictionary.h"

namespace mua {
namespace {

using query_internal::ExecuteUnion;
using query_internal::GroupTable;
using query_internal::RunPreparedInputs;

}  // namespace

namespace {

// Marks the batch columns `expr` reads (growing `used` as needed).
void MarkColumns(const BoundExpr* expr, std::vector<bool>* used) {
  if (expr == nullptr) return;
  if (expr->kind == BoundExpr::Kind::kColumn && expr->column >= 0) {
    if (static_cast<size_t>(expr->column) >= used->size()) used->resize(expr->column + 1, false);
    (*used)[expr->column] = true;
  }
  for (const BoundExprPtr& arg : expr->args) MarkColumns(arg.get(), used);
}

uint64_t DecodedBytes(const Batch& batch) {
  uint64_t bytes = 0;
  for (const Vector& v : batch.columns) {
    bytes += v.ints.size() * 8 + v.codes.size() * 4 + v.floats.size() * 8;
    for (absl::string_view s : v.strings) bytes += s.size();
  }
  return bytes;
}

// Per-thread execution state.
struct Worker {
  GroupTable groups;
  std::vector<std::unique_ptr<AggregateFunction>> aggregates;
  std::vector<Column> collected;  // outputs, then order keys (non-aggregating plans)
  uint64_t collected_rows = 0;
  StringPool pool;
  std::vector<uint32_t> selected;
  std::vector<uint32_t> group_of_row;
};

class SelectRunner {
 public:
  SelectRunner(const SelectPlan& plan, const ExecutionContext& context) : plan_(plan), context_(context) {
    for (const BoundExprPtr& key : plan_.group_keys) MarkColumns(key.get(), &read_after_filter_);
    for (const AggregateCall& call : plan_.aggregates) {
      for (const BoundExprPtr& arg : call.args) MarkColumns(arg.get(), &read_after_filter_);
    }
    if (!plan_.aggregate) {
      for (const BoundExprPtr& output : plan_.outputs) MarkColumns(output.get(), &read_after_filter_);
      for (const SortKey& key : plan_.order_by) MarkColumns(key.expr.get(), &read_after_filter_);
    }
  }

  absl::StatusOr<ResultSet> Run();
  // The partial/final split of a hash aggregation (ExecutePartialAggregate).
  absl::StatusOr<std::unique_ptr<Worker>> RunPartial(std::shared_ptr<const void>* keep_alive);
  absl::StatusOr<ResultSet> RunFinal(std::vector<std::unique_ptr<Worker>> partials);

 private:
  bool Aggregating() const { return plan_.aggregate; }
  // Rows a non-aggregating plan may stop after (no ORDER BY, no DISTINCT).
  std::optional<uint64_t> EarlyStop() const {
    if (Aggregating() || !plan_.order_by.empty() || plan_.distinct || !plan_.limit) return std::nullopt;
    return *plan_.limit + plan_.offset;
  }
  // ResourceExhausted once the rows collected so far prove the result will exceed
  // max_result_rows (every collected row past OFFSET is a result row up to LIMIT).
  absl::Status CheckResultRows() const {
    const uint64_t max_rows = context_.max_result_rows;
    if (max_rows == 0 || Aggregating() || plan_.distinct || (plan_.limit && *plan_.limit <= max_rows)) {
      return absl::OkStatus();
    }
    const uint64_t collected = total_collected_.load(std::memory_order_relaxed);
    if (collected <= max_rows + plan_.offset) return absl::OkStatus();
    return absl::ResourceExhaustedError(absl::StrCat("Limit for result exceeded: more than ", max_rows,
                                                     " rows, max_result_rows is ", max_rows));
  }
  void InitWorker(Worker* worker) const;
  absl::Status ProcessBatch(Worker* worker, Batch* batch, const BoundExpr* where) const;
  absl::Status Collect(Worker* worker, const Batch& batch) const;
  absl::Status ScanEvents(std::vector<std::unique_ptr<Worker>>* workers);
  absl::Status ScanRows(const ResultSet& rows, Worker* worker);
  // False (nothing done) when the bitmaps cannot answer exactly on this data.
  absl::StatusOr<bool> RunBitmapPath(Worker* worker);
  absl::Status RunPerUserBitmapPath();
  absl::Status RunRetentionTotals(Worker* worker);
  absl::StatusOr<ResultSet> Finish(std::vector<std::unique_ptr<Worker>>* workers);
  // Reads the source into per-worker states (rows a materialized source holds stay in keep_alive).
  absl::Status RunSource(std::vector<std::unique_ptr<Worker>>* workers, std::shared_ptr<const void>* keep_alive);
  // Folds `other`'s groups and aggregate states into `main`'s.
  void MergeWorker(Worker* main, Worker* other) const;

  const SelectPlan& plan_;
  const ExecutionContext& context_;
  std::atomic<uint64_t> total_collected_{0};
  // Batch columns read after the filter (others are not gathered).
  std::vector<bool> read_after_filter_;
  bool bitmap_answered_ = false;
  std::vector<std::vector<Vector>> bitmap_results_;
  std::optional<std::vector<Vector>> bitmap_post_;  // the per-user bitmap path's post batch
};

void SelectRunner::InitWorker(Worker* worker) const {
  for (const AggregateCall& call : plan_.aggregates) {
    worker->aggregates.push_back(call.prototype->CloneEmpty());
  }
  const size_t columns = plan_.outputs.size() + plan_.order_by.size();
  worker->collected.resize(columns);
  for (size_t i = 0; i < plan_.outputs.size(); ++i) worker->collected[i].type = plan_.outputs[i]->type;
  for (size_t i = 0; i < plan_.order_by.size(); ++i) {
    worker->collected[plan_.outputs.size() + i].type = plan_.order_by[i].expr->type;
  }
  for (Column& column : worker->collected) {
    if (column.type.id == TypeId::kArray) column.array_offsets.assign(1, 0);
  }
}

absl::Status SelectRunner::Collect(Worker* worker, const Batch& batch) const {
  const size_t outputs = plan_.outputs.size();
  for (size_t i = 0; i < outputs + plan_.order_by.size(); ++i) {
    if (i < outputs && !plan_.output_used.empty() && !plan_.output_used[i]) continue;
    const BoundExpr& expr = i < outputs ? *plan_.outputs[i] : *plan_.order_by[i - outputs].expr;
    Vector value;
    absl::Status status = Evaluate(expr, batch, &value);
    if (!status.ok()) return status;
    AppendVectorToColumn(value, &worker->collected[i]);
  }
  worker->collected_rows += batch.rows;
  return absl::OkStatus();
}

absl::Status SelectRunner::ProcessBatch(Worker* worker, Batch* batch, const BoundExpr* where) const {
  batch->pool = &worker->pool;
  if (where != nullptr) {
    absl::Status status = EvaluateFilter(*where, *batch, &worker->selected);
    if (!status.ok()) return status;
    if (worker->selected.size() != batch->rows) {
      for (size_t c = 0; c < batch->columns.size(); ++c) {
        if (c >= read_after_filter_.size() || !read_after_filter_[c]) continue;
        Vector kept;
        Gather(batch->columns[c], worker->selected, &kept);
        batch->columns[c] = std::move(kept);
      }
      batch->rows = worker->selected.size();
    }
  }
  if (batch->rows == 0 && !(Aggregating() && plan_.group_keys.empty())) return absl::OkStatus();
  if (!Aggregating()) return Collect(worker, *batch);

  std::vector<Vector> keys(plan_.group_keys.size());
  for (size_t k = 0; k < keys.size(); ++k) {
    absl::Status status = Evaluate(*plan_.group_keys[k], *batch, &keys[k]);
    if (!status.ok()) return status;
  }
  MUA_RETURN_IF_ERROR(CheckMemory(worker->groups.GrowthBytes(batch->rows)));
  worker->groups.Map(keys, batch->rows, &worker->group_of_row);
  for (size_t a = 0; a < plan_.aggregates.size(); ++a) {
    const AggregateCall& call = plan_.aggregates[a];
    std::vector<Vector> args(call.args.size());
    for (size_t i = 0; i < args.size(); ++i) {
      absl::Status status = Evaluate(*call.args[i], *batch, &args[i]);
      if (!status.ok()) return status;
    }
    worker->aggregates[a]->Resize(worker->groups.size());
    absl::Status status = worker->aggregates[a]->Update(args, worker->group_of_row);
    if (!status.ok()) return status;
  }
  return absl::OkStatus();
}

absl::Status SelectRunner::ScanEvents(std::vector<std::unique_ptr<Worker>>* workers) {
  MUA_RETURN_IF_ERROR(CheckInterrupted(context_));
  const TableSnapshot& snapshot = *context_.snapshot;
  const BlockList list = snapshot.ListBlocks(plan_.source.scan);
  ColumnSet all_columns;
  for (ColumnId id : plan_.source.columns) all_columns.Add(id);
  const std::optional<uint64_t> early_stop = EarlyStop();
  // Per partition, the filter and the columns to decode: inside the time range,
  // the filter without the time bounds, and only the columns something else reads
  // (often not event_time).
  struct PartitionScan {
    const BoundExpr* filter;
    ColumnSet columns;
  };
  std::vector<PartitionScan> scans(snapshot.partition_count(), {plan_.where.get(), all_columns});
  if (plan_.where_inside_time_range) {
    const BoundExpr* inside_filter = plan_.where_inside_time_range->get();
    std::vector<bool> used = read_after_filter_;
    MarkColumns(inside_filter, &used);
    ColumnSet inside_columns;
    for (size_t i = 0; i < used.size() && i < plan_.source.columns.size(); ++i) {
      if (used[i]) inside_columns.Add(plan_.source.columns[i]);
    }
    const ScanOptions& scan = plan_.source.scan;
    for (size_t p = 0; p < scans.size(); ++p) {
      const int32_t day = snapshot.day(p);
      if (MillisOfDay(day) >= scan.min_time_ms && MillisOfDay(day + 1) - 1 <= scan.max_time_ms) {
        scans[p] = {inside_filter, inside_columns};
      }
    }
  }

  std::atomic<size_t> next{0};
  absl::Mutex mu;
  absl::Status first_error;
  auto work = [&](Worker* worker) {
    ScanBuffers buffers;
    Batch batch;
    uint64_t rows_read = 0, bytes_read = 0;
    while (true) {
      if (early_stop && total_collected_.load(std::memory_order_relaxed) >= *early_stop) break;
      const size_t index = next.fetch_add(1);
      if (index >= list.blocks.size()) break;
      ScanBlock block;
      absl::Status status = CheckInterrupted(context_);
      const PartitionScan& scan = scans[list.blocks[index].partition];
      if (status.ok()) status = snapshot.ReadBlock(list.blocks[index], scan.columns, &buffers, &block);
      if (status.ok()) {
        BatchFromBlock(block, plan_.source.columns, snapshot, &batch);
        rows_read += batch.rows;
        bytes_read += DecodedBytes(batch);
        const uint64_t before = worker->collected_rows;
        status = ProcessBatch(worker, &batch, scan.filter);
        total_collected_.fetch_add(worker->collected_rows - before, std::memory_order_relaxed);
        worker->pool.Clear();
        if (status.ok()) status = CheckResultRows();
      }
      if (!status.ok()) {
        absl::MutexLock lock(&mu);
        if (first_error.ok()) first_error = status;
        next.store(list.blocks.size());
        break;
      }
    }
    if (context_.rows_read) context_.rows_read->fetch_add(rows_read);
    if (context_.bytes_read) context_.bytes_read->fetch_add(bytes_read);
  };
  ParallelFor(workers->size(), static_cast<int>(workers->size()),
              [&](int, size_t w) { work((*workers)[w].get()); });
  return first_error;
}

// Rows of a materialized or generated source per batch.
constexpr uint64_t kRowsChunk = 65536;

absl::Status SelectRunner::ScanRows(const ResultSet& rows, Worker* worker) {
  // In chunks, as a scan reads blocks: the batch's copies and the expressions'
  // intermediates stay small whatever the row count, and a kill or the time limit
  // stops it between chunks.
  const bool generated = plan_.source.numbers.has_value();
  const uint64_t total = generated ? *plan_.source.numbers : rows.row_count;
  // system.numbers is endless: a LIMIT without ORDER BY stops the generation.
  const std::optional<uint64_t> early_stop = EarlyStop();
  uint64_t begin = 0;
  do {
    MUA_RETURN_IF_ERROR(CheckInterrupted(context_));
    const uint64_t end = std::min(total, begin + kRowsChunk);
    Batch batch;
    batch.rows = end - begin;
    if (generated) {
      Vector& number = batch.columns.emplace_back();
      number.type = rows.columns[0].type;
      number.size = batch.rows;
      number.ints.resize(batch.rows);
      const uint64_t start = plan_.source.numbers_start, step = plan_.source.numbers_step;
      for (uint64_t i = 0; i < batch.rows; ++i) number.ints[i] = static_cast<int64_t>(start + (begin + i) * step);
    } else {
      for (const Column& column : rows.columns) batch.columns.push_back(VectorFromColumn(column, begin, end));
    }
    if (context_.rows_read) context_.rows_read->fetch_add(batch.rows);
    const uint64_t before = worker->collected_rows;
    MUA_RETURN_IF_ERROR(ProcessBatch(worker, &batch, plan_.where.get()));
    total_collected_.fetch_add(worker->collected_rows - before, std::memory_order_relaxed);
    worker->pool.Clear();
    MUA_RETURN_IF_ERROR(CheckResultRows());
    begin = end;
    if (early_stop && total_collected_.load(std::memory_order_relaxed) >= *early_stop) break;
  } while (begin < total);
  return absl::OkStatus();
}

// The users of one allowed day of a per-user bitmap plan (restricted to its
// event types, when given); empty for a day the plan does not allow.
UserBitmap AllowedDayUsers(const TableSnapshot& snapshot, const BitmapPlan& bitmap, int32_t day) {
  UserBitmap users;
  const int p = snapshot.FindPartition(day);
  if (p < 0 || !std::binary_search(bitmap.allowed_days.begin(), bitmap.allowed_days.end(), day)) return users;
  if (bitmap.any_event_type) return snapshot.users(p);
  for (uint32_t type : bitmap.event_types) users |= snapshot.users_with_event_type(p, type);
  return users;
}

absl::Status SelectRunner::RunPerUserBitmapPath() {
  const BitmapPlan& bitmap = *plan_.bitmap;
  const TableSnapshot& snapshot = *context_.snapshot;
  auto day_users = [&](int32_t day) { return AllowedDayUsers(snapshot, bitmap, day); };
  UserBitmap groups;
  for (int32_t day : bitmap.allowed_days) groups |= day_users(day);
  Vector keys;
  keys.type = DataType::Of(TypeId::kString);
  keys.dictionary = &snapshot.user_index();
  keys.size = groups.cardinality();
  keys.codes.resize(keys.size);
  groups.toUint32Array(keys.codes.data());
  std::vector<Vector> post;
  post.push_back(std::move(keys));
  for (const std::vector<int32_t>& days : bitmap.retention_days) {
    std::vector<UserBitmap> conditions;
    for (int32_t day : days) conditions.push_back(day_users(day));
    Vector arrays;
    arrays.type = DataType::Array(TypeId::kUInt8);
    arrays.size = post[0].size;
    arrays.offsets.assign(1, 0);
    for (uint32_t user : post[0].codes) {
      // retention(): r[1] = c1; r[k] = c1 AND ck.
      const bool first = !conditions.empty() && conditions[0].contains(user);
      for (size_t k = 0; k < conditions.size(); ++k) {
        arrays.ints.push_back(first && (k == 0 || conditions[k].contains(user)) ? 1 : 0);
      }
      arrays.offsets.push_back(static_cast<uint32_t>(arrays.ints.size()));
    }
    post.push_back(std::move(arrays));
  }
  bitmap_post_ = std::move(post);
  return absl::OkStatus();
}

absl::Status SelectRunner::RunRetentionTotals(Worker* worker) {
  const BitmapPlan& inner = *plan_.source.subquery->bitmap;
  const TableSnapshot& snapshot = *context_.snapshot;
  // Each day's users once, however many totals read them (std::map: references stay valid).
  std::map<int32_t, UserBitmap> users_of_day;
  auto day_users = [&](int32_t day) -> const UserBitmap& {
    auto [it, inserted] = users_of_day.try_emplace(day);
    if (inserted) it->second = AllowedDayUsers(snapshot, inner, day);
    return it->second;
  };
  std::vector<Vector> totals;
  for (const BitmapPlan::RetentionTotal& total : plan_.bitmap->retention_totals) {
    uint64_t count = 0;
    if (total.retention < 0) {
      UserBitmap users;
      for (int32_t day : inner.allowed_days) users |= day_users(day);
      count = users.cardinality();
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
  bitmap_results_.assign(1, std::move(totals));
  return absl::OkStatus();
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

absl::StatusOr<bool> SelectRunner::RunBitmapPath(Worker* worker) {
  const BitmapPlan& bitmap = *plan_.bitmap;
  if (bitmap.per_user) {
    MUA_RETURN_IF_ERROR(RunPerUserBitmapPath());
    return true;
  }
  const TableSnapshot& snapshot = *context_.snapshot;
  std::vector<std::pair<int32_t, UserBitmap>> day_users;
  for (size_t p = 0; p < snapshot.partition_count(); ++p) {
    const int32_t day = snapshot.day(p);
    if (day < bitmap.first_day || day > bitmap.last_day) continue;
    UserBitmap users;
    if (bitmap.any_event_type) {
      users = snapshot.users(p);
    } else {
      for (uint32_t type : bitmap.event_types) users |= snapshot.users_with_event_type(p, type);
    }
    for (const BitmapPlan::ValueCondition& condition : bitmap.value_conditions) {
      UserBitmap with_value;
      for (uint32_t code : condition.codes) with_value |= snapshot.users_with_value(p, condition.column, code);
      users &= with_value;
    }
    if (!ExactIntersection(snapshot, p, bitmap, users)) return false;
    day_users.emplace_back(day, std::move(users));
  }
  std::vector<UserBitmap> group_users;
  StringPool pool;
  for (auto& [day, users] : day_users) {
    // A day without a matching user has no row to form a group (as a scan).
    if (bitmap.day_key != nullptr && users.isEmpty()) continue;
    std::vector<uint32_t> group(1, 0);
    if (bitmap.day_key != nullptr) {
      Batch batch;
      batch.rows = 1;
      batch.pool = &pool;
      batch.columns.push_back(Vector::ConstantInt(DataType::Of(TypeId::kDateTime64), MillisOfDay(day), 1));
      batch.columns[0].constant = false;
      Vector key;
      absl::Status status = Evaluate(*bitmap.day_key, batch, &key);
      if (!status.ok()) return status;
      worker->groups.Map(absl::MakeConstSpan(&key, 1), 1, &group);
    } else {
      worker->groups.EnsureOneGroup();
    }
    if (group_users.size() < worker->groups.size()) group_users.resize(worker->groups.size());
    group_users[group[0]] |= users;
  }
  if (bitmap.day_key == nullptr) worker->groups.EnsureOneGroup();
  group_users.resize(worker->groups.size());
  Vector counts;
  counts.type = DataType::Of(TypeId::kUInt64);
  counts.size = group_users.size();
  for (const UserBitmap& users : group_users) counts.ints.push_back(static_cast<int64_t>(users.cardinality()));
  bitmap_results_.assign(1, std::vector<Vector>(bitmap.aggregates, counts));
  return true;
}

// Orders row indices by the order-key columns.
// With top_n (0 < top_n < rows), only the first top_n rows of the order are kept,
// in the order a stable sort gives them (ties keep their row order).
void SortRows(const std::vector<Column>& columns, size_t first_key, const std::vector<SortKey>& keys,
              uint64_t top_n, std::vector<uint32_t>* order) {
  auto compare = [&](uint32_t a, uint32_t b) {
    for (size_t k = 0; k < keys.size(); ++k) {
      const Column& column = columns[first_key + k];
      int cmp = 0;
      if (column.type.may_be_null() || !column.children.empty()) {
        // NULLS LAST (the default) in both directions, or NULLS FIRST.
        cmp = CompareColumnValues(column, a, column, b,
                                  /*nulls_greater=*/keys[k].descending == keys[k].nulls_first);
      } else if (column.type.is_string()) {
        cmp = column.strings[a].compare(column.strings[b]);
      } else if (column.type.id == TypeId::kFloat64) {
        const double x = column.floats[a], y = column.floats[b];
        // NaN sorts last in either direction, as ClickHouse does by default.
        if (std::isnan(x) || std::isnan(y)) {
          if (std::isnan(x) && std::isnan(y)) continue;
          return std::isnan(y);
        }
        cmp = x < y ? -1 : x > y;
      } else if (column.type.id == TypeId::kArray) {
        // Any element type (strings, floats, nested): the ints-only compare read past them.
        cmp = CompareColumnValues(column, a, column, b, true);
      } else if (column.type.is_unsigned()) {
        const uint64_t x = column.ints[a], y = column.ints[b];
        cmp = x < y ? -1 : x > y;
      } else {
        const int64_t x = column.ints[a], y = column.ints[b];
        cmp = x < y ? -1 : x > y;
      }
      if (cmp != 0) return keys[k].descending ? cmp > 0 : cmp < 0;
    }
    return false;
  };
  if (top_n > 0 && top_n < order->size()) {
    std::partial_sort(order->begin(), order->begin() + static_cast<ptrdiff_t>(top_n), order->end(),
                      [&](uint32_t a, uint32_t b) { return compare(a, b) || (!compare(b, a) && a < b); });
    order->resize(top_n);
    return;
  }
  std::stable_sort(order->begin(), order->end(), compare);
}

// Rows `order` of `column`, as a new column.
Column TakeRows(const Column& column, absl::Span<const uint32_t> order) {
  // Arrays of any element (Float64 too) through the generic path.
  if (!column.nulls.empty() || !column.children.empty() || column.type.id == TypeId::kArray) {
    return TakeColumnRows(column, order);
  }
  Column out;
  out.type = column.type;
  if (column.type.id == TypeId::kArray) {
    out.array_offsets.push_back(0);
    for (uint32_t row : order) {
      for (uint32_t k = column.array_offsets[row]; k < column.array_offsets[row + 1]; ++k) {
        if (!column.ints.empty()) out.ints.push_back(column.ints[k]);
        if (!column.strings.empty()) out.strings.push_back(column.strings[k]);
      }
      out.array_offsets.push_back(static_cast<uint32_t>(std::max(out.ints.size(), out.strings.size())));
    }
    return out;
  }
  for (uint32_t row : order) {
    if (!column.ints.empty()) out.ints.push_back(column.ints[row]);
    if (!column.floats.empty()) out.floats.push_back(column.floats[row]);
    if (!column.strings.empty()) out.strings.push_back(column.strings[row]);
    if (!column.nulls.empty()) out.nulls.push_back(column.nulls[row]);
  }
  return out;
}

std::string RowKey(const std::vector<Column>& columns, size_t count, uint32_t row) {
  std::string key;
  // NULL equals NULL for DISTINCT, as for GROUP BY; arrays and tuples compare whole.
  for (size_t c = 0; c < count; ++c) AppendColumnKey(columns[c], row, &key);
  return key;
}

void SelectRunner::MergeWorker(Worker* main, Worker* other) const {
  const std::vector<uint32_t> targets = main->groups.Absorb(other->groups);
  for (size_t a = 0; a < main->aggregates.size(); ++a) {
    main->aggregates[a]->Resize(main->groups.size());
    other->aggregates[a]->Resize(other->groups.size());
    main->aggregates[a]->Merge(*other->aggregates[a], targets);
  }
}

absl::StatusOr<ResultSet> SelectRunner::Finish(std::vector<std::unique_ptr<Worker>>* workers) {
  Worker& main = *(*workers)[0];
  std::vector<Column> collected;
  uint64_t rows = 0;
  if (Aggregating()) {
    std::vector<Vector> post;
    size_t groups = 0;
    if (bitmap_post_) {
      post = std::move(*bitmap_post_);
      groups = post[0].size;
    } else if (bitmap_answered_) {
      post = main.groups.KeyVectors();
      for (size_t k = post.size(); k < plan_.group_keys.size(); ++k) {
        Vector& empty = post.emplace_back();
        empty.type = plan_.group_keys[k]->type;
      }
      for (Vector& v : bitmap_results_[0]) post.push_back(std::move(v));
    } else {
      for (size_t w = 1; w < workers->size(); ++w) MergeWorker(&main, (*workers)[w].get());
      if (plan_.group_keys.empty()) main.groups.EnsureOneGroup();
      post = main.groups.KeyVectors();
      // No row reached the group table: its keys are empty columns of the keys' types.
      for (size_t k = post.size(); k < plan_.group_keys.size(); ++k) {
        Vector& empty = post.emplace_back();
        empty.type = plan_.group_keys[k]->type;
      }
      for (auto& aggregate : main.aggregates) {
        aggregate->Resize(main.groups.size());
        Vector value;
        aggregate->Finalize(&value);
        post.push_back(std::move(value));
      }
    }
    if (!bitmap_post_) groups = main.groups.size();
    Batch batch;
    batch.rows = groups;
    batch.columns = std::move(post);
    batch.pool = &main.pool;
    if (plan_.having != nullptr) {
      std::vector<uint32_t> selected;
      absl::Status status = EvaluateFilter(*plan_.having, batch, &selected);
      if (!status.ok()) return status;
      for (Vector& column : batch.columns) {
        Vector kept;
        Gather(column, selected, &kept);
        column = std::move(kept);
      }
      batch.rows = selected.size();
    }
    Worker collector;
    InitWorker(&collector);
    absl::Status status = Collect(&collector, batch);
    if (!status.ok()) return status;
    collected = std::move(collector.collected);
    rows = collector.collected_rows;
  } else {
    collected = std::move(main.collected);
    rows = main.collected_rows;
    for (size_t w = 1; w < workers->size(); ++w) {
      Worker& other = *(*workers)[w];
      for (size_t c = 0; c < collected.size(); ++c) {
        AppendColumn(std::move(other.collected[c]), &collected[c]);  // NULL flags, arrays, tuples
      }
      rows += other.collected_rows;
    }
  }

  std::vector<uint32_t> order(rows);
  std::iota(order.begin(), order.end(), 0);
  const size_t outputs = plan_.outputs.size();
  if (plan_.distinct) {
    HashSet<std::string> seen;
    std::vector<uint32_t> unique;
    for (uint32_t row : order) {
      if (seen.insert(RowKey(collected, outputs, row)).second) unique.push_back(row);
    }
    order = std::move(unique);
  }
  if (!plan_.order_by.empty()) SortRows(collected, outputs, plan_.order_by, plan_.top_n, &order);
  const uint64_t begin = std::min<uint64_t>(plan_.offset, order.size());
  uint64_t end = order.size();
  if (plan_.limit) end = std::min<uint64_t>(end, begin + *plan_.limit);
  const absl::Span<const uint32_t> kept(order.data() + begin, end - begin);

  ResultSet result;
  result.names = plan_.names;
  result.row_count = kept.size();
  for (size_t c = 0; c < outputs; ++c) {
    const bool identity = kept.size() == rows && std::is_sorted(kept.begin(), kept.end());
    result.columns.push_back(identity ? std::move(collected[c]) : TakeRows(collected[c], kept));
    result.columns.back().type.low_cardinality = false;
  }
  return result;
}

absl::Status SelectRunner::RunSource(std::vector<std::unique_ptr<Worker>>* out, std::shared_ptr<const void>* keep_alive) {
  std::vector<std::unique_ptr<Worker>>& workers = *out;
  workers.push_back(std::make_unique<Worker>());
  InitWorker(workers[0].get());
  absl::Status status;
  switch (plan_.source.kind) {
    case SourcePlan::Kind::kEvents: {
      if (plan_.bitmap) {
        absl::StatusOr<bool> answered = RunBitmapPath(workers[0].get());
        if (!answered.ok()) return answered.status();
        bitmap_answered_ = *answered;
        if (bitmap_answered_) break;
        // Users with several values of a filtered column: the rows decide.
      }
      int threads = context_.threads > 0 ? context_.threads
                                         : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
      while (static_cast<int>(workers.size()) < threads) {
        workers.push_back(std::make_unique<Worker>());
        InitWorker(workers.back().get());
      }
      status = ScanEvents(&workers);
      break;
    }
    case SourcePlan::Kind::kSubquery: {
      if (plan_.bitmap) {
        status = RunRetentionTotals(workers[0].get());
        bitmap_answered_ = true;
        break;
      }
      ExecutionContext inner = context_;
      inner.max_result_rows = 0;  // the limit is on this statement's result, not its source's
      absl::StatusOr<ResultSet> rows = ExecuteSelect(*plan_.source.subquery, inner);
      if (!rows.ok()) return rows.status();
      auto held = std::make_shared<const ResultSet>(*std::move(rows));
      status = ScanRows(*held, workers[0].get());
      *keep_alive = std::move(held);  // must outlive Finish: the states view its rows
      break;
    }
    case SourcePlan::Kind::kRows: status = ScanRows(*plan_.source.rows, workers[0].get()); break;
    case SourcePlan::Kind::kDeferred: {
      MUA_RETURN_IF_ERROR(CheckInterrupted(context_));
      absl::StatusOr<std::shared_ptr<const ResultSet>> rows = plan_.source.deferred.produce(context_);
      if (!rows.ok()) return rows.status();
      status = ScanRows(**rows, workers[0].get());
      *keep_alive = *std::move(rows);  // must outlive Finish: the states view its rows
      break;
    }
    case SourcePlan::Kind::kUnion: {
      absl::StatusOr<ResultSet> rows = ExecuteUnion(plan_.source, context_);
      if (!rows.ok()) return rows.status();
      auto held = std::make_shared<const ResultSet>(*std::move(rows));
      status = ScanRows(*held, workers[0].get());
      *keep_alive = std::move(held);
      break;
    }
    case SourcePlan::Kind::kOneRow: {
      Batch batch;
      batch.rows = 1;
      status = ProcessBatch(workers[0].get(), &batch, plan_.where.get());
      break;
    }
  }
  return status;
}

absl::StatusOr<ResultSet> SelectRunner::Run() {
  std::vector<std::unique_ptr<Worker>> workers;
  std::shared_ptr<const void> keep_alive;
  MUA_RETURN_IF_ERROR(RunSource(&workers, &keep_alive));
  return Finish(&workers);
}

absl::StatusOr<std::unique_ptr<Worker>> SelectRunner::RunPartial(std::shared_ptr<const void>* keep_alive) {
  if (!Aggregating() || plan_.bitmap) {
    return absl::FailedPreconditionError("only a hash aggregation has a partial/final split");
  }
  std::vector<std::unique_ptr<Worker>> workers;
  MUA_RETURN_IF_ERROR(RunSource(&workers, keep_alive));
  for (size_t w = 1; w < workers.size(); ++w) MergeWorker(workers[0].get(), workers[w].get());
  return std::move(workers[0]);
}

absl::StatusOr<ResultSet> SelectRunner::RunFinal(std::vector<std::unique_ptr<Worker>> partials) {
  if (partials.empty()) {
    return absl::InvalidArgumentError("a final aggregation needs at least one partial");
  }
  return Finish(&partials);
}


}  // namespace

absl::Status CheckInterrupted(const ExecutionContext& context) {
  if (context.cancelled != nullptr && context.cancelled->load(std::memory_order_relaxed)) {
    return absl::CancelledError("Query was cancelled");
  }
  if (context.deadline != absl::InfiniteFuture() && absl::Now() > context.deadline) {
    return absl::DeadlineExceededError("Timeout exceeded: the query ran longer than max_execution_time");
  }
  return CheckMemory();
}

class PartialAggregate {
 public:
  std::unique_ptr<Worker> state;
  std::shared_ptr<const void> keep_alive;  // rows the state's strings may view
};

void PartialAggregateDeleter::operator()(PartialAggregate* partial) const { delete partial; }

absl::StatusOr<PartialAggregatePtr> ExecutePartialAggregate(const SelectPlan& plan,
                                                            const ExecutionContext& context) {
  MUA_RETURN_IF_ERROR(RunPreparedInputs(plan, context));
  SelectRunner runner(plan, context);
  PartialAggregatePtr partial(new PartialAggregate);
  absl::StatusOr<std::unique_ptr<Worker>> state = runner.RunPartial(&partial->keep_alive);
  if (!state.ok()) return state.status();
  partial->state = *std::move(state);
  MUA_RETURN_IF_ERROR(CheckMemory());
  return partial;
}

absl::StatusOr<ResultSet> ExecuteFinalAggregate(const SelectPlan& plan, std::vector<PartialAggregatePtr> partials,
                                                const ExecutionContext& context) {
  std::vector<std::unique_ptr<Worker>> states;
  std::vector<std::shared_ptr<const void>> held;
  for (PartialAggregatePtr& partial : partials) {
    if (partial == nullptr || partial->state == nullptr) return absl::InvalidArgumentError("empty partial aggregate");
    states.push_back(std::move(partial->state));
    held.push_back(std::move(partial->keep_alive));
  }
  MUA_RETURN_IF_ERROR(CheckInterrupted(context));
  SelectRunner runner(plan, context);
  absl::StatusOr<ResultSet> result = runner.RunFinal(std::move(states));
  if (absl::Status memory = CheckMemory(); !memory.ok()) return memory;
  return result;
}

absl::StatusOr<ResultSet> ExecuteSelect(const SelectPlan& plan, const ExecutionContext& context) {
  MUA_RETURN_IF_ERROR(RunPreparedInputs(plan, context));
  SelectRunner runner(plan, context);
  absl::StatusOr<ResultSet> result = runner.Run();
  // A table that grew past the memory limit while merging or finishing.
  if (absl::Status memory = CheckMemory(); !memory.ok()) return memory;
  return result;
}

}  // namespace mua
