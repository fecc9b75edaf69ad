// The logical plan: what a SELECT computes, bound (names resolved, types
// known) and not yet run. The binder (sql/) builds it and executes nothing;
// the optimizer rules (query/optimizer/) rewrite it with the snapshot's
// metadata (time ranges into partition and block pruning, bitmap paths,
// column pruning, top-N); the physical planner (query/executor.cc)
// turns it into operators.
//
// A plan is a tree of query blocks. A block (SelectPlan) reads one source —
// the events table, fixed or generated rows, rows a table function or system
// table produces when the plan runs, another block (subquery, CTE, view), or
// the union of blocks — then filters, aggregates, filters groups (HAVING),
// projects, de-duplicates, sorts and limits, in that order. Expressions
// refer to batch columns by index: WHERE, GROUP BY keys and aggregate
// arguments to the source batch; HAVING, outputs and ORDER BY to the "post"
// batch, which is [keys..., aggregate results...] for an aggregating block
// and the source batch otherwise.
//
// Subqueries inside expressions (IN (SELECT ...), scalar (SELECT ...)) are
// child plans of the block that uses them (`prepared`): the executor runs
// each once, before the block, and fills the set or value its expression
// refers to.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "query/aggregate_function.h"
#include "query/expression.h"
#include "query/result_set.h"
#include "storage/scan_block.h"

namespace mua {

struct SelectPlan;
struct ExecutionContext;

// How a cluster's coordinator merges the rows every shard produced for a table
// function whose numbers count users (query/distributed.h): rows with equal `keys`
// become one whose `sums` columns add up (each user is on one shard); `derive`
// then recomputes the other numbers (percentages, ratios) from the sums, and the
// rows are ordered by `order` (column, descending).
struct RowsMerge {
  std::vector<int> keys;
  struct Sum {
    int column = 0;
    // The keys this number belongs to, when fewer than the row's: a retention cohort's
    // size repeats on each of its rows, and a shard has its rows for fewer periods k.
    std::vector<int> keys;  // empty: all of `keys`
  };
  std::vector<Sum> sums;
  std::function<void(ResultSet*)> derive;
  std::vector<std::pair<int, bool>> order;
  // A shard's rows end with one more column, Array(Float64): samples (funnel's seconds
  // to convert) concatenated per key for `derive`, then dropped.
  bool samples = false;
};

// Rows a source produces only when the plan runs (table functions, system
// tables, provided tables, the sessions view). Their schema is known when
// binding; the producer reads the execution's snapshot.
struct DeferredRows {
  // columns_read[i]: whether the plan reads column i of the rows (empty: every column);
  // a producer may leave the others empty (no values at all): the scan gives their rows
  // default values (ScanRows).
  using Producer = std::function<absl::StatusOr<std::shared_ptr<const ResultSet>>(
      const ExecutionContext&, const std::vector<bool>& columns_read)>;
  std::string description;  // EXPLAIN: "funnel(steps => ['a', 'b'])"
  Producer produce;
  std::vector<bool> columns_read;  // set by the optimizer (PruneSubqueryOutputs)
  // Whether the rows come from the events table (a cluster then needs every shard's);
  // false for system tables and dimension tables, which each node holds whole.
  bool reads_events = true;
  // Each row derives from one user's events (the sessions view, user_profiles), whose id
  // is column `user_column` (-1: not among the columns): a cluster's shards produce the
  // rows of their own users, and their union is the whole.
  bool rows_per_user = false;
  int user_column = -1;
  // Rows made row by row from this block's rows (ARRAY JOIN): split between a cluster's
  // shards exactly when the block's are.
  std::shared_ptr<const SelectPlan> row_wise_input;
  // A JOIN's sides (columns: the left's outputs, then the right's). A cluster's shards can
  // each join their own rows when a pair of keys is user_id on both sides (a user's rows
  // meet on the user's shard), or when every node holds the right side whole and every
  // joined row comes from a left row (INNER, LEFT, CROSS, and SEMI/ANTI LEFT).
  struct JoinSides {
    std::shared_ptr<const SelectPlan> left;
    std::shared_ptr<const SelectPlan> right;
    bool keyed_by_user = false;
    bool rows_from_left = false;
  };
  std::optional<JoinSides> join;
  // The block a LIMIT BY, WITH FILL or window-function source takes its rows from (a
  // cluster's coordinator may compute it on the shards first: query/distributed.h).
  std::shared_ptr<const SelectPlan> input;
  // Sets rows_per_user, and user_column to the schema's `user_id` column.
  void SetRowsPerUser(const ResultSet& schema);
  // Rows that are sums over users, mergeable across shards (null: not).
  std::shared_ptr<const RowsMerge> merge;
  // A shard's rows for `merge`, when they carry more than the answer (RowsMerge::samples);
  // null: `produce`'s.
  Producer produce_partial;
};

// A value the events scan computes per block from one JSON text column, e.g.
// JSONExtractFloat(properties, 'price'): batch column `columns.size() + i` of the block,
// kept per sealed block after its first computation (query/operators/property_columns.h).
struct PropertyColumn {
  BoundExprPtr expr;           // the call, its JSON argument rebound to column 0 of a one-column batch
  int json_column = 0;         // the JSON column's index in the block's batch
  std::string key;             // what the kept values are found by: function, column, arguments
  std::string needle;          // a row whose text lacks it (and has no escape) holds `default_value`
  std::string sql;             // EXPLAIN
};

struct SourcePlan {
  enum class Kind {
    kEvents,    // scan the events table
    kSubquery,  // the rows of another plan
    kRows,      // fixed rows
    kOneRow,    // no FROM: one row, no columns
    kDeferred,  // rows produced at execution (`deferred`); `rows` holds the schema only
    kUnion,     // the rows of `inputs`, one after the other (UNION ALL); `distinct`: UNION DISTINCT
  };
  Kind kind = Kind::kOneRow;
  std::string name;  // for EXPLAIN: "events", "system.tables", "(subquery)"
  // kEvents: batch column i is storage column columns[i]; scan prunes by `scan`.
  std::vector<ColumnId> columns;
  ScanOptions scan;
  // kEvents: batch columns after `columns` (set by the optimizer).
  std::vector<PropertyColumn> property_columns;
  // kEvents: what the rows a sealed block keeps under WHERE (and under WHERE without the
  // time bounds) are kept by (query/operators/filtered_blocks.h); empty: not kept.
  std::string where_key;
  std::string where_inside_key;
  std::shared_ptr<const SelectPlan> subquery;  // kSubquery
  std::shared_ptr<const ResultSet> rows;       // kRows; the schema of kDeferred and numbers(N)
  // kRows from numbers(N): `rows` holds only the schema, the executor generates
  // numbers_start + i * numbers_step for i in 0..N-1, in batches, stopping early once
  // a LIMIT is met (system.numbers: N = UINT64_MAX; system.zeros: step 0).
  std::optional<uint64_t> numbers;
  uint64_t numbers_start = 0;
  uint64_t numbers_step = 1;
  DeferredRows deferred;                                   // kDeferred
  std::vector<std::shared_ptr<const SelectPlan>> inputs;  // kUnion: same column count, types of input 0
  bool distinct = false;                                   // kUnion
};

struct AggregateCall {
  std::shared_ptr<const AggregateFunction> prototype;  // cloned per worker
  std::vector<BoundExprPtr> args;
  std::string sql;
  // As written, for the optimizer's rules (bitmap paths).
  std::string name;
  bool distinct = false;
  bool parametric = false;
};

struct SortKey {
  BoundExprPtr expr;
  bool descending = false;
  bool nulls_first = false;  // NULLS FIRST (ClickHouse's default is NULLS LAST either way)
};

// A subquery inside an expression, run once at execution before its block.
struct PreparedInput {
  enum class Kind {
    kInSet,     // `x IN (SELECT ...)`: fills `set` from the plan's one column
    kScalar,    // `(SELECT ...)`: fills `value`'s constant from the first row (type defaults if none)
    kUserList,  // `user_id IN ('a', ...)`: `set->strings` become user numbers in `set->users`
  };
  Kind kind = Kind::kInSet;
  std::shared_ptr<const SelectPlan> plan;  // kInSet, kScalar
  std::shared_ptr<InSet> set;              // kInSet, kUserList; the IN expression holds it too
  DataType operand_type;                   // kInSet: how values convert (time literals, floats)
  std::shared_ptr<BoundExpr> value;        // kScalar: the expression's constant, filled at execution
  std::string sql;                         // EXPLAIN
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

// Per-user aggregation in each user's time order (query/operators/user_sequence.h):
// GROUP BY user_id over events, every aggregate a small state per user kept in arrays
// indexed by user code, fed each user's rows in (time, arrival) order — partitions by
// day, a day's rows merged by user — by workers that each own a range of user codes.
// No hash table, no per-user vectors, no final sort. With a second key (GROUP BY
// user_id, session_id), each worker keeps the groups of its users in its own table,
// rows of one group found without hashing as they follow each other.
struct UserSequencePlan {
  // The batch column of the second GROUP BY key (an events string or low-cardinality
  // column), or -1: user_id alone.
  int second_key = -1;
  struct Aggregate {
    // kMin, kMax: of event_time.
    enum class Kind { kCount, kWindowFunnel, kMin, kMax };
    Kind kind = Kind::kCount;
    // kWindowFunnel, default mode: `window` in the timestamp's unit; the timestamp is
    // event_time in ms, or toDateTime(event_time) (`seconds`: ms floored to seconds).
    uint64_t window = 0;
    bool seconds = false;
    std::vector<BoundExprPtr> conditions;
  };
  std::vector<Aggregate> aggregates;  // in the order of SelectPlan::aggregates
};

struct SelectPlan {
  SourcePlan source;
  std::vector<PreparedInput> prepared;  // run before this block, in order
  BoundExprPtr where;  // null: every row
  // WHERE without the conjuncts that source.scan's time range expresses: the
  // filter for partitions lying wholly inside that range (null: every row).
  // Unset when no conjunct is a time bound.
  std::optional<BoundExprPtr> where_inside_time_range;
  bool aggregate = false;
  std::vector<BoundExprPtr> group_keys;
  std::vector<AggregateCall> aggregates;
  std::optional<BitmapPlan> bitmap;  // set when the bitmap path answers the aggregation
  std::optional<UserSequencePlan> user_sequence;  // set when per-user states answer it
  BoundExprPtr having;
  // WITH TOTALS (aggregating blocks): the result also carries the totals row — every
  // group HAVING keeps merged into one, keys at their type's default.
  bool with_totals = false;
  std::vector<BoundExprPtr> outputs;
  std::vector<std::string> names;
  // Outputs the consumer reads (a subquery's unused columns are not computed);
  // empty: all.
  std::vector<bool> output_used;
  std::vector<SortKey> order_by;
  bool distinct = false;
  std::optional<uint64_t> limit;
  uint64_t offset = 0;
  // Set by the top-N rule: only the first `top_n` rows of the order are needed
  // (a bounded partial sort instead of sorting every row). 0: sort all.
  uint64_t top_n = 0;
  bool optimized = false;  // OptimizePlan ran on this block (it runs once)
};

// The types of a plan's outputs, in order.
std::vector<DataType> OutputTypes(const SelectPlan& plan);

// IN sets. Whether values of `value_type` may be members of a set for an
// operand of `operand_type`; InvalidArgument "Types of IN set (T) and operand (U) differ".
absl::Status CheckInSetType(const DataType& value_type, const DataType& operand_type);
// Adds row `row` of `values` to `set` (NULL adds nothing; strings compared with a
// time are parsed; user ids of a `by_user` set are kept as strings until
// PreparedInput::kUserList-style resolution maps them to user numbers).
absl::Status AddToInSet(const Vector& values, size_t row, const DataType& operand_type, InSet* set);

// The value of a scalar subquery that returned no rows: the type's default, one row.
Vector ScalarDefault(const DataType& type);

// Calls `visit` on `plan` and every plan below it (sources, union inputs,
// prepared subqueries), children first.
void ForEachPlanBottomUp(const std::shared_ptr<const SelectPlan>& plan,
                         const std::function<void(SelectPlan&)>& visit);

}  // namespace mua
