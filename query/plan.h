// SelectPlan: one SELECT, bound and ready to execute — where its rows come
// from, the filter, grouping and aggregates, what it outputs, in which order,
// and how much. The binder (sql/) builds plans; the executor runs them.
//
// Expressions refer to batch columns by index: WHERE, GROUP BY keys and
// aggregate arguments to the source batch; HAVING, outputs and ORDER BY to the
// "post" batch, which is [keys..., aggregate results...] for an aggregating
// query and the source batch otherwise.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "query/aggregate_function.h"
#include "query/expression.h"
#include "query/result_set.h"
#include "storage/scan_block.h"

namespace mua {

struct SelectPlan;

struct SourcePlan {
  enum class Kind {
    kEvents,    // scan the events table
    kSubquery,  // the rows of another plan
    kRows,      // fixed rows (system tables, a view's materialized rows)
    kOneRow,    // no FROM: one row, no columns
  };
  Kind kind = Kind::kOneRow;
  std::string name;  // for EXPLAIN: "events", "system.tables", "(subquery)"
  // kEvents: batch column i is storage column columns[i]; scan prunes by `scan`.
  std::vector<ColumnId> columns;
  ScanOptions scan;
  std::shared_ptr<const SelectPlan> subquery;  // kSubquery
  std::shared_ptr<const ResultSet> rows;       // kRows
  // kRows from numbers(N): `rows` holds only the schema, the executor generates 0..N-1.
  std::optional<uint64_t> numbers;
};

struct AggregateCall {
  std::shared_ptr<const AggregateFunction> prototype;  // cloned per worker
  std::vector<BoundExprPtr> args;
  std::string sql;
};

struct SortKey {
  BoundExprPtr expr;
  bool descending = false;
};

// Distinct users per day-bucket from the per-day Roaring bitmaps (SPEC §4),
// instead of a scan: GROUP BY is empty or one key that depends on the day only.
struct BitmapPlan {
  int32_t first_day = 0;  // inclusive UTC day range of the time filter
  int32_t last_day = 0;
  std::vector<uint32_t> event_types;  // OR of these event types; empty = all events
  bool any_event_type = true;
  // AND of these: users with an event whose segment column (kSegmentColumns) has
  // one of the codes. Intersections are exact only for users with one value of
  // the column that day; the executor scans instead where that does not hold.
  struct ValueCondition {
    ColumnId column;
    std::vector<uint32_t> codes;
  };
  std::vector<ValueCondition> value_conditions;
  // The group key over a one-column batch holding each day's start (DateTime64 ms); null
  // without GROUP BY.
  BoundExprPtr day_key;
  size_t aggregates = 1;  // how many (identical) distinct-user aggregates the post batch holds

  // Per-user form: GROUP BY user_id with retention(toDate(event_time) = D1, ...)
  // aggregates. Groups are the users active on `allowed_days`; condition k of
  // aggregate a holds for a user iff the user is in the bitmap of day
  // retention_days[a][k] (and that day is allowed).
  bool per_user = false;
  std::vector<int32_t> allowed_days;                  // sorted
  std::vector<std::vector<int32_t>> retention_days;  // per aggregate, per condition

  // Totals form, on a plan whose source is a per-user subquery as above and which
  // aggregates it with no GROUP BY and no WHERE: each aggregate is `sum(r[k])` over
  // a retention array (the cardinality of day bitmaps intersected) or `count()`
  // (the users). The subquery's plan holds the days.
  struct RetentionTotal {
    int retention = -1;  // the subquery's retention aggregate; -1: count()
    int64_t index = 0;   // k of r[k], as written (negative counts from the end)
  };
  std::vector<RetentionTotal> retention_totals;
};

struct SelectPlan {
  SourcePlan source;
  BoundExprPtr where;  // null: every row
  // WHERE without the conjuncts that source.scan's time range expresses: the
  // filter for partitions lying wholly inside that range (null: every row).
  // Unset when no conjunct is a time bound.
  std::optional<BoundExprPtr> where_inside_time_range;
  bool aggregate = false;
  std::vector<BoundExprPtr> group_keys;
  std::vector<AggregateCall> aggregates;
  std::optional<BitmapPlan> bitmap;  // set when the bitmap path answers the aggregation
  BoundExprPtr having;
  std::vector<BoundExprPtr> outputs;
  std::vector<std::string> names;
  // Outputs the consumer reads (a subquery's unused columns are not computed);
  // empty: all.
  std::vector<bool> output_used;
  std::vector<SortKey> order_by;
  bool distinct = false;
  std::optional<uint64_t> limit;
  uint64_t offset = 0;
};

}  // namespace mua
