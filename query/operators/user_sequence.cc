#include "query/operators/user_sequence.h"

#include <algorithm>
#include <atomic>
#include <limits>
#include <thread>
#include <utility>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "query/internal/user_key_groups.h"
#include "storage/base/fingerprint.h"
#include "storage/base/parallel_for.h"
#include "storage/base/status_macros.h"
#include "storage/base/time_util.h"

namespace mua {
namespace {

using Aggregate = UserSequencePlan::Aggregate;

// Batch columns an expression reads.
void CollectColumns(const BoundExpr& expr, std::vector<int>* columns) {
  if (expr.kind == BoundExpr::Kind::kColumn) {
    if (std::find(columns->begin(), columns->end(), expr.column) == columns->end()) columns->push_back(expr.column);
    return;
  }
  for (const BoundExprPtr& arg : expr.args) CollectColumns(*arg, columns);
}

// An expression of at most one low-cardinality column, evaluated once per dictionary
// value: value_of[code] (one entry when it reads no column: the same for every row).
struct Lookup {
  int column = -1;  // batch column, or -1: constant
  std::vector<int64_t> value_of;
};

// The lookup of `expr` when it reads no column or one low-cardinality column; nullopt
// when rows must evaluate it.
absl::StatusOr<std::optional<Lookup>> MakeLookup(const SelectPlan& plan, const TableSnapshot& snapshot,
                                                 const BoundExpr& expr) {
  std::vector<int> columns;
  CollectColumns(expr, &columns);
  if (columns.size() > 1) return std::optional<Lookup>();
  Lookup lookup;
  StringPool pool;
  Batch batch;
  batch.pool = &pool;
  batch.rows = 1;
  if (columns.size() == 1) {
    const ColumnId id = plan.source.columns[columns[0]];
    if (KindOf(id) != ColumnKind::kLowCardinality) return std::optional<Lookup>();
    lookup.column = columns[0];
    batch.rows = snapshot.dictionary(id).size();  // one row per code
  }
  for (size_t c = 0; c < plan.source.columns.size(); ++c) {
    batch.columns.push_back(Vector::Defaults(StorageColumnType(plan.source.columns[c]), batch.rows));
  }
  if (lookup.column >= 0) {
    const ColumnId id = plan.source.columns[lookup.column];
    Vector& codes = batch.columns[lookup.column];
    codes = Vector();
    codes.type = StorageColumnType(id);
    codes.size = batch.rows;
    codes.dictionary = &snapshot.dictionary(id);
    codes.codes.resize(batch.rows);
    for (uint32_t code = 0; code < batch.rows; ++code) codes.codes[code] = code;
  }
  Vector out;
  MUA_RETURN_IF_ERROR(Evaluate(expr, batch, &out));
  lookup.value_of.resize(batch.rows);
  for (size_t row = 0; row < batch.rows; ++row) lookup.value_of[row] = out.is_null(row) ? 0 : out.int_at(row);
  return std::optional<Lookup>(std::move(lookup));
}

// `column = 'text'` or `column != 'text'` over an events string column (session_id != ''),
// tested on the block's values without building a batch.
struct StringTest {
  int column = -1;  // batch column
  std::string value;
  bool equal = true;
};

std::optional<StringTest> MakeStringTest(const SelectPlan& plan, const BoundExpr& expr) {
  if (expr.kind != BoundExpr::Kind::kCall || (expr.function != "equals" && expr.function != "notEquals") ||
      expr.args.size() != 2) {
    return std::nullopt;
  }
  const BoundExpr& column = *expr.args[0];
  const BoundExpr& constant = *expr.args[1];
  if (column.kind != BoundExpr::Kind::kColumn || column.column < 0 ||
      static_cast<size_t>(column.column) >= plan.source.columns.size() ||
      KindOf(plan.source.columns[column.column]) != ColumnKind::kString || !constant.is_constant() ||
      !constant.type.is_string() || constant.constant.is_null(0)) {
    return std::nullopt;
  }
  return StringTest{column.column, std::string(constant.constant.string_at(0)), expr.function == "equals"};
}

// A filter (WHERE) as a lookup, a string test, or evaluated per block.
struct Filter {
  const BoundExpr* expr = nullptr;  // null: every row
  std::optional<Lookup> lookup;
  std::optional<StringTest> string_test;
  bool evaluated() const { return expr != nullptr && !lookup && !string_test; }
};

// One windowFunnel's conditions: bits from lookups (OR'ed per column), the rest per block.
struct FunnelConditions {
  uint64_t window = 0;
  bool seconds = false;
  int steps = 0;
  uint32_t constant_mask = 0;
  std::vector<std::pair<int, std::vector<uint32_t>>> masks_by_column;  // batch column, mask per code
  std::vector<std::pair<int, const BoundExpr*>> evaluated;              // bit, condition
};

// A condition hit in a user's time order; `user` relative to the worker's range.
struct StepEvent {
  uint32_t user;
  uint32_t mask;
  int64_t ts;
};

bool EventBefore(const StepEvent& a, const StepEvent& b) {
  return a.user != b.user ? a.user < b.user : a.ts < b.ts;
}

// Sorts runs [bounds[i], bounds[i+1]) that are not sorted yet (heads), then merges all
// runs pairwise: each user's events in time order.
void MergeRuns(std::vector<StepEvent>* events, std::vector<size_t>* bounds, std::vector<StepEvent>* scratch) {
  for (size_t r = 0; r + 1 < bounds->size(); ++r) {
    auto begin = events->begin() + (*bounds)[r], end = events->begin() + (*bounds)[r + 1];
    if (!std::is_sorted(begin, end, EventBefore)) std::sort(begin, end, EventBefore);
  }
  while (bounds->size() > 2) {
    scratch->resize(events->size());
    std::vector<size_t> merged = {0};
    for (size_t r = 0; r + 1 < bounds->size(); r += 2) {
      const size_t begin = (*bounds)[r], middle = (*bounds)[r + 1];
      const size_t end = r + 2 < bounds->size() ? (*bounds)[r + 2] : middle;
      std::merge(events->begin() + begin, events->begin() + middle, events->begin() + middle,
                 events->begin() + end, scratch->begin() + begin, EventBefore);
      merged.push_back(end);
    }
    events->swap(*scratch);
    *bounds = std::move(merged);
  }
}

// ClickHouse's greedy windowFunnel (default mode) for one user's rows in time order:
// first[k] is the chain start of the latest chain that reached step k + 1.
class FunnelStates {
 public:
  FunnelStates(int steps, uint64_t window, size_t users)
      : steps_(steps), window_(window), first_(users * steps), level_(users) {}

  // The condition bits of one timestamp of user `u`, ascending (ClickHouse orders equal
  // timestamps by condition).
  void Apply(uint32_t u, int64_t ts, uint32_t mask) {
    int level = level_[u];
    if (level == steps_) return;
    int64_t* first = &first_[static_cast<size_t>(u) * steps_];
    while (mask != 0) {
      const int k = __builtin_ctz(mask);
      mask &= mask - 1;
      if (k == 0) {
        first[0] = ts;
        level = std::max(level, 1);
      } else if (k - 1 < level && static_cast<uint64_t>(ts) - static_cast<uint64_t>(first[k - 1]) <= window_) {
        first[k] = first[k - 1];
        level = std::max(level, k + 1);
        if (level == steps_) break;
      }
    }
    level_[u] = static_cast<uint8_t>(level);
  }
  uint8_t level(uint32_t u) const { return level_[u]; }

 private:
  const int steps_;
  const uint64_t window_;
  std::vector<int64_t> first_;
  std::vector<uint8_t> level_;
};

// One worker's answer for a range of users: one row per group.
struct RangeResult {
  std::vector<uint32_t> users;               // user codes (ascending by user alone)
  std::vector<std::vector<int64_t>> values;  // per aggregate, per group
  // The second key: a low-cardinality column's codes, or a string column's values as
  // [offset, size) spans of `arena`.
  std::vector<uint32_t> key_codes;
  std::vector<std::pair<uint32_t, uint32_t>> key_spans;
  std::string arena;
};

// count(), min(event_time), max(event_time): one int64 per group.
int64_t InitialValue(Aggregate::Kind kind) {
  switch (kind) {
    case Aggregate::Kind::kMin: return std::numeric_limits<int64_t>::max();
    case Aggregate::Kind::kMax: return std::numeric_limits<int64_t>::min();
    default: return 0;
  }
}
// Adds `count` rows whose times span [min_time, max_time] to a group's value.
void UpdateValue(Aggregate::Kind kind, int64_t count, int64_t min_time, int64_t max_time, int64_t* value) {
  switch (kind) {
    case Aggregate::Kind::kCount: *value += count; break;
    case Aggregate::Kind::kMin: *value = std::min(*value, min_time); break;
    case Aggregate::Kind::kMax: *value = std::max(*value, max_time); break;
    case Aggregate::Kind::kWindowFunnel: break;
  }
}

int64_t FloorSeconds(int64_t ms) { return ms >= 0 ? ms / 1000 : -((-ms + 999) / 1000); }

}  // namespace

absl::StatusOr<Batch> RunUserSequence(const SelectPlan& plan, const ExecutionContext& context, StringPool* pool) {
  MUA_RETURN_IF_ERROR(CheckInterrupted(context));
  const TableSnapshot& snapshot = *context.snapshot;
  const UserSequencePlan& sequence = *plan.user_sequence;
  const std::vector<ColumnId>& source_columns = plan.source.columns;
  const BlockList list = snapshot.ListBlocks(plan.source.scan);
  const uint32_t users = snapshot.user_index().size();

  int time_column = -1, user_column = -1;
  for (size_t c = 0; c < source_columns.size(); ++c) {
    if (source_columns[c] == ColumnId::kEventTime) time_column = static_cast<int>(c);
    if (source_columns[c] == ColumnId::kUserId) user_column = static_cast<int>(c);
  }
  if (user_column < 0) return absl::InternalError("user sequence path without a user_id column");

  // The filters: for partitions wholly inside the time range, WHERE without its time bounds.
  Filter where{plan.where.get(), std::nullopt};
  Filter inside = where;
  if (plan.where_inside_time_range) inside = {plan.where_inside_time_range->get(), std::nullopt};
  for (Filter* filter : {&where, &inside}) {
    if (filter->expr == nullptr) continue;
    MUA_ASSIGN_OR_RETURN(filter->lookup, MakeLookup(plan, snapshot, *filter->expr));
    if (!filter->lookup) filter->string_test = MakeStringTest(plan, *filter->expr);
  }
  std::vector<FunnelConditions> funnels;
  bool needs_batch = where.evaluated() || inside.evaluated();
  for (const Aggregate& aggregate : sequence.aggregates) {
    if (aggregate.kind != Aggregate::Kind::kWindowFunnel) continue;
    FunnelConditions& funnel = funnels.emplace_back();
    funnel.window = aggregate.window;
    funnel.seconds = aggregate.seconds;
    funnel.steps = static_cast<int>(aggregate.conditions.size());
    if (time_column < 0) return absl::InternalError("windowFunnel without event_time");
    for (int k = 0; k < funnel.steps; ++k) {
      MUA_ASSIGN_OR_RETURN(std::optional<Lookup> lookup, MakeLookup(plan, snapshot, *aggregate.conditions[k]));
      if (!lookup) {
        funnel.evaluated.emplace_back(k, aggregate.conditions[k].get());
        needs_batch = true;
        continue;
      }
      if (lookup->column < 0) {
        if (!lookup->value_of.empty() && lookup->value_of[0] != 0) funnel.constant_mask |= 1u << k;
        continue;
      }
      auto it = std::find_if(funnel.masks_by_column.begin(), funnel.masks_by_column.end(),
                             [&](const auto& entry) { return entry.first == lookup->column; });
      if (it == funnel.masks_by_column.end()) {
        it = funnel.masks_by_column.insert(funnel.masks_by_column.end(),
                                           {lookup->column, std::vector<uint32_t>(lookup->value_of.size())});
      }
      for (size_t code = 0; code < lookup->value_of.size(); ++code) {
        if (lookup->value_of[code] != 0) it->second[code] |= 1u << k;
      }
    }
  }
  // What each block decodes.
  ColumnSet decode;
  decode.Add(ColumnId::kUserId);
  // The aggregates kept as one value per group (count, min, max), by aggregate index.
  std::vector<size_t> simple;
  for (size_t a = 0; a < sequence.aggregates.size(); ++a) {
    if (sequence.aggregates[a].kind != Aggregate::Kind::kWindowFunnel) simple.push_back(a);
  }
  if (!funnels.empty() || !simple.empty()) decode.Add(ColumnId::kEventTime);
  const bool keyed = sequence.second_key >= 0;
  const ColumnId second_key = keyed ? source_columns[sequence.second_key] : ColumnId::kUserId;
  const bool key_is_code = keyed && KindOf(second_key) == ColumnKind::kLowCardinality;
  if (keyed) decode.Add(second_key);
  if (needs_batch) {
    for (ColumnId id : source_columns) decode.Add(id);
  }
  for (const Filter* filter : {&where, &inside}) {
    if (filter->lookup && filter->lookup->column >= 0) decode.Add(source_columns[filter->lookup->column]);
    if (filter->string_test) decode.Add(source_columns[filter->string_test->column]);
  }
  for (const FunnelConditions& funnel : funnels) {
    for (const auto& [column, masks] : funnel.masks_by_column) decode.Add(source_columns[column]);
  }
  const ScanOptions& scan = plan.source.scan;

  // Partitions of the list: [start, end) of their blocks.
  std::vector<std::pair<size_t, size_t>> partitions;
  for (size_t i = 0; i < list.blocks.size(); ++i) {
    if (i == 0 || list.blocks[i].partition != list.blocks[i - 1].partition) partitions.emplace_back(i, i);
    partitions.back().second = i + 1;
  }
  const int threads = context.threads > 0 ? context.threads
                                          : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  const size_t range_count = users == 0 ? 0 : std::min<size_t>(users, static_cast<size_t>(threads) * 4);
  std::vector<RangeResult> results(range_count);
  std::atomic<size_t> next_range{0};
  absl::Mutex mu;
  absl::Status first_error;

  auto run_range = [&](size_t range, ScanBuffers* buffers) -> absl::Status {
    const uint32_t begin = static_cast<uint32_t>(uint64_t{users} * range / range_count);
    const uint32_t end = static_cast<uint32_t>(uint64_t{users} * (range + 1) / range_count);
    const uint32_t size = end - begin;
    std::vector<uint8_t> seen(keyed ? 0 : size);
    RangeResult& result = results[range];
    result.values.resize(sequence.aggregates.size());
    // By user alone: values indexed by user - begin. Keyed: by group, in `keyed_groups`.
    for (size_t a : simple) result.values[a].assign(keyed ? 0 : size, InitialValue(sequence.aggregates[a].kind));
    query_internal::UserKeyGroups keyed_groups(keyed ? size : 0);
    std::vector<FunnelStates> states;
    for (const FunnelConditions& funnel : funnels) states.emplace_back(funnel.steps, funnel.window, size);
    std::vector<std::vector<StepEvent>> events(funnels.size());
    std::vector<std::vector<size_t>> runs(funnels.size());
    std::vector<StepEvent> scratch;
    std::vector<uint32_t> selected;
    std::vector<uint8_t> keep;
    std::vector<uint32_t> masks;
    std::vector<std::vector<Vector>> evaluated(funnels.size());
    StringPool batch_pool;
    Batch batch;
    batch.pool = &batch_pool;
    uint64_t rows_read = 0;
    for (const auto& [first_block, last_block] : partitions) {
      const int32_t day = snapshot.day(list.blocks[first_block].partition);
      const bool wholly_inside = MillisOfDay(day) >= scan.min_time_ms && MillisOfDay(day + 1) - 1 <= scan.max_time_ms;
      const Filter& filter = wholly_inside ? inside : where;
      // A filter that is false whatever the row (`WHERE 0`): nothing of the day to read.
      if (filter.lookup && filter.lookup->column < 0 &&
          (filter.lookup->value_of.empty() || filter.lookup->value_of[0] == 0)) {
        continue;
      }
      for (size_t f = 0; f < funnels.size(); ++f) {
        events[f].clear();
        runs[f].assign(1, 0);
      }
      int32_t previous_segment = std::numeric_limits<int32_t>::min();
      for (size_t b = first_block; b < last_block; ++b) {
        const BlockRef& ref = list.blocks[b];
        const auto [min_user, max_user] = snapshot.user_range(ref);
        if (max_user < begin || min_user >= end) continue;
        MUA_RETURN_IF_ERROR(CheckInterrupted(context));
        ScanBlock block;
        MUA_RETURN_IF_ERROR(snapshot.ReadBlock(ref, decode, buffers, &block));
        rows_read += block.row_count;
        if (ref.segment != previous_segment) {
          // A new run: each segment's rows are sorted by (user, time); a head's are not.
          for (size_t f = 0; f < funnels.size(); ++f) {
            if (runs[f].back() != events[f].size()) runs[f].push_back(events[f].size());
          }
          previous_segment = ref.segment;
        }
        // The rows of the range: a slice of a sealed block, any row of a head's.
        uint32_t row_begin = 0, row_end = block.row_count;
        if (block.grouped_by_user) {
          row_begin = static_cast<uint32_t>(std::lower_bound(block.users.begin(), block.users.end(), begin) -
                                            block.users.begin());
          row_end = static_cast<uint32_t>(std::lower_bound(block.users.begin(), block.users.end(), end) -
                                          block.users.begin());
        }
        if (needs_batch) {
          BatchFromBlock(block, source_columns, snapshot, &batch);
          batch_pool.Clear();
        }
        const bool evaluate_filter = filter.evaluated();
        if (evaluate_filter) MUA_RETURN_IF_ERROR(EvaluateFilter(*filter.expr, batch, &selected));
        for (size_t f = 0; f < funnels.size(); ++f) {
          evaluated[f].resize(funnels[f].evaluated.size());
          for (size_t e = 0; e < funnels[f].evaluated.size(); ++e) {
            MUA_RETURN_IF_ERROR(Evaluate(*funnels[f].evaluated[e].second, batch, &evaluated[f][e]));
          }
        }
        const absl::Span<const uint32_t> filter_codes =
            filter.lookup && filter.lookup->column >= 0 ? block.codes[ColumnIndex(source_columns[filter.lookup->column])]
                                                        : absl::Span<const uint32_t>();
        // Column by column over the range's rows: which rows pass, then each funnel's
        // condition bits (lookups per code), then the rows through the states.
        const uint32_t rows = row_end - row_begin;
        keep.assign(rows, 1);
        if (evaluate_filter) {
          std::fill(keep.begin(), keep.end(), 0);
          for (auto it = std::lower_bound(selected.begin(), selected.end(), row_begin);
               it != selected.end() && *it < row_end; ++it) {
            keep[*it - row_begin] = 1;
          }
        } else if (!filter_codes.empty()) {
          const int64_t* pass = filter.lookup->value_of.data();
          const uint32_t* codes = filter_codes.data() + row_begin;
          for (uint32_t i = 0; i < rows; ++i) keep[i] = pass[codes[i]] != 0;
        } else if (filter.string_test) {
          const StringTest& test = *filter.string_test;
          const absl::string_view* values =
              block.strings[ColumnIndex(source_columns[test.column])].data() + row_begin;
          for (uint32_t i = 0; i < rows; ++i) keep[i] = (values[i] == test.value) == test.equal;
        }
        const uint32_t* block_users = block.users.data() + row_begin;
        const int64_t* block_times = simple.empty() && funnels.empty() ? nullptr : block.event_time.data() + row_begin;
        if (!keyed) {
          for (uint32_t i = 0; i < rows; ++i) {
            const uint32_t user = block_users[i];
            if (!keep[i] || user < begin || user >= end) {
              keep[i] = 0;
              continue;
            }
            seen[user - begin] = 1;
            for (size_t a : simple) {
              int64_t& value = result.values[a][user - begin];
              UpdateValue(sequence.aggregates[a].kind, 1, block_times[i], block_times[i], &value);
            }
          }
        } else {
          // Rows of one (user, key) group follow each other (sorted by user and time): a
          // run is looked up once and its count, min and max applied when it ends.
          const absl::Span<const absl::string_view> key_strings =
              key_is_code ? absl::Span<const absl::string_view>() : block.strings[ColumnIndex(second_key)];
          const absl::Span<const uint32_t> key_codes =
              key_is_code ? block.codes[ColumnIndex(second_key)] : absl::Span<const uint32_t>();
          uint32_t previous_user = std::numeric_limits<uint32_t>::max(), previous_code = 0;
          uint32_t group = query_internal::UserKeyGroups::kNone;
          absl::string_view previous_string;
          int64_t run_count = 0, run_min = std::numeric_limits<int64_t>::max();
          int64_t run_max = std::numeric_limits<int64_t>::min();
          auto end_run = [&] {
            if (group == query_internal::UserKeyGroups::kNone || run_count == 0) return;
            for (size_t a : simple) {
              UpdateValue(sequence.aggregates[a].kind, run_count, run_min, run_max, &result.values[a][group]);
            }
            run_count = 0;
            run_min = std::numeric_limits<int64_t>::max();
            run_max = std::numeric_limits<int64_t>::min();
          };
          for (uint32_t i = 0; i < rows; ++i) {
            const uint32_t user = block_users[i];
            if (!keep[i] || user < begin || user >= end) continue;
            const uint32_t row = row_begin + i;
            const bool same =
                user == previous_user && (key_is_code ? key_codes[row] == previous_code
                                                      : query_internal::SameString(key_strings[row], previous_string));
            if (!same) {
              end_run();
              previous_user = user;
              Fingerprint128 key;
              if (key_is_code) {
                previous_code = key_codes[row];
                key = {previous_code, 0};
              } else {
                previous_string = key_strings[row];
                key = Fingerprint(previous_string);
              }
              bool created = false;
              group = keyed_groups.Find(user - begin, key, &created);
              if (created) {
                result.users.push_back(user);
                if (key_is_code) {
                  result.key_codes.push_back(previous_code);
                } else {
                  result.key_spans.emplace_back(result.arena.size(), previous_string.size());
                  result.arena.append(previous_string.data(), previous_string.size());
                }
                for (size_t a : simple) result.values[a].push_back(InitialValue(sequence.aggregates[a].kind));
              }
            }
            ++run_count;
            if (block_times != nullptr) {
              run_min = std::min(run_min, block_times[i]);
              run_max = std::max(run_max, block_times[i]);
            }
          }
          end_run();
        }
        for (size_t f = 0; f < funnels.size(); ++f) {
          const FunnelConditions& funnel = funnels[f];
          masks.assign(rows, funnel.constant_mask);
          for (const auto& [column, by_code] : funnel.masks_by_column) {
            const uint32_t* codes = block.codes[ColumnIndex(source_columns[column])].data() + row_begin;
            const uint32_t* lookup = by_code.data();
            for (uint32_t i = 0; i < rows; ++i) masks[i] |= lookup[codes[i]];
          }
          for (size_t e = 0; e < funnel.evaluated.size(); ++e) {
            const Vector& value = evaluated[f][e];
            const uint32_t bit = 1u << funnel.evaluated[e].first;
            for (uint32_t i = 0; i < rows; ++i) {
              if (!value.is_null(row_begin + i) && value.int_at(row_begin + i) != 0) masks[i] |= bit;
            }
          }
          // Branch-free: about half the rows are steps, in no predictable pattern.
          const int64_t* times = block.event_time.data() + row_begin;
          std::vector<StepEvent>& out = events[f];
          const size_t used = out.size();
          out.resize(used + rows);
          StepEvent* next = out.data() + used;
          for (uint32_t i = 0; i < rows; ++i) {
            const uint32_t mask = keep[i] ? masks[i] : 0;
            *next = {block_users[i] - begin, mask, funnel.seconds ? FloorSeconds(times[i]) : times[i]};
            next += mask != 0;
          }
          out.resize(next - out.data());
        }
      }
      // This day's events per user in time order, then through each user's state.
      for (size_t f = 0; f < funnels.size(); ++f) {
        std::vector<StepEvent>& day_events = events[f];
        if (runs[f].back() != day_events.size()) runs[f].push_back(day_events.size());
        MergeRuns(&day_events, &runs[f], &scratch);
        for (size_t i = 0; i < day_events.size();) {
          const StepEvent& event = day_events[i];
          uint32_t mask = event.mask;
          size_t j = i + 1;
          while (j < day_events.size() && day_events[j].user == event.user && day_events[j].ts == event.ts) {
            mask |= day_events[j++].mask;
          }
          states[f].Apply(event.user, event.ts, mask);
          i = j;
        }
      }
    }
    if (context.rows_read) context.rows_read->fetch_add(rows_read);
    if (keyed) return absl::OkStatus();  // the groups are the rows already
    // By user alone: the users seen, their values compacted to them.
    std::vector<std::vector<int64_t>> values(sequence.aggregates.size());
    for (uint32_t u = 0; u < size; ++u) {
      if (!seen[u]) continue;
      result.users.push_back(begin + u);
      size_t funnel_index = 0;
      for (size_t a = 0; a < sequence.aggregates.size(); ++a) {
        values[a].push_back(sequence.aggregates[a].kind == Aggregate::Kind::kWindowFunnel
                                ? states[funnel_index++].level(u)
                                : result.values[a][u]);
      }
    }
    result.values = std::move(values);
    return absl::OkStatus();
  };
  ParallelFor(static_cast<size_t>(threads), threads, [&](int, size_t) {
    ScanBuffers buffers;
    while (true) {
      const size_t range = next_range.fetch_add(1);
      if (range >= range_count) break;
      absl::Status status = run_range(range, &buffers);
      if (!status.ok()) {
        absl::MutexLock lock(&mu);
        if (first_error.ok()) first_error = status;
        next_range.store(range_count);
        break;
      }
    }
  });
  MUA_RETURN_IF_ERROR(first_error);

  Batch post;
  post.pool = pool;
  Vector key;
  key.type = plan.group_keys[0]->type;
  key.dictionary = &snapshot.user_index();
  for (const RangeResult& result : results) key.codes.insert(key.codes.end(), result.users.begin(), result.users.end());
  key.size = key.codes.size();
  post.rows = key.size;
  post.columns.push_back(std::move(key));
  if (keyed) {
    Vector values;
    values.type = plan.group_keys[1]->type;
    values.size = post.rows;
    for (RangeResult& result : results) {
      if (key_is_code) {
        values.codes.insert(values.codes.end(), result.key_codes.begin(), result.key_codes.end());
        continue;
      }
      const absl::string_view arena = pool->Add(std::move(result.arena));
      for (const auto& [offset, size] : result.key_spans) values.strings.push_back(arena.substr(offset, size));
    }
    if (key_is_code) values.dictionary = &snapshot.dictionary(second_key);
    post.columns.push_back(std::move(values));
  }
  for (size_t a = 0; a < sequence.aggregates.size(); ++a) {
    Vector value;
    value.type = plan.aggregates[a].prototype->result_type();
    value.size = post.rows;
    value.ints.reserve(post.rows);
    for (const RangeResult& result : results) {
      if (!result.values.empty()) value.ints.insert(value.ints.end(), result.values[a].begin(), result.values[a].end());
    }
    post.columns.push_back(std::move(value));
  }
  return post;
}

}  // namespace mua
