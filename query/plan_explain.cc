// EXPLAIN: the plan tree as text — each block's steps, the path chosen for
// its source (bitmap or scan, partitions and blocks left after pruning), its
// prepared inputs and child plans. Reads only the snapshot's metadata.
#include <limits>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "query/executor.h"
#include "storage/base/time_util.h"

namespace mua {
namespace {

std::string SqlList(const std::vector<BoundExprPtr>& exprs) {
  std::vector<std::string> parts;
  for (const auto& expr : exprs) parts.push_back(expr->sql);
  return absl::StrJoin(parts, ", ");
}

}  // namespace

std::string ExplainSelect(const SelectPlan& plan, const TableSnapshot& snapshot, int indent) {
  const std::string pad(indent, ' ');
  std::string out;
  absl::StrAppend(&out, pad, "Select: ", absl::StrJoin(plan.names, ", "), "\n");
  if (plan.distinct) absl::StrAppend(&out, pad, "  Distinct\n");
  if (plan.limit) absl::StrAppend(&out, pad, "  Limit: ", *plan.limit, " offset ", plan.offset, "\n");
  if (!plan.order_by.empty()) {
    std::vector<std::string> keys;
    for (const SortKey& key : plan.order_by) keys.push_back(key.expr->sql + (key.descending ? " DESC" : ""));
    absl::StrAppend(&out, pad, "  Sort", plan.top_n > 0 ? absl::StrCat(" (top ", plan.top_n, ")") : "", ": ",
                    absl::StrJoin(keys, ", "), "\n");
  }
  if (plan.with_totals) {
    absl::StrAppend(&out, pad, "  Totals (WITH TOTALS): the states of the groups HAVING keeps, merged\n");
  }
  if (plan.having) absl::StrAppend(&out, pad, "  Having: ", plan.having->sql, "\n");
  if (plan.aggregate) {
    std::vector<std::string> aggregates;
    for (const AggregateCall& call : plan.aggregates) aggregates.push_back(call.sql);
    if (plan.bitmap && plan.bitmap->per_user) {
      const BitmapPlan& bitmap = *plan.bitmap;
      absl::StrAppend(&out, pad, "  Aggregate (bitmap path: per-user retention from per-day user bitmaps",
                      bitmap.any_event_type ? "" : absl::StrCat(", OR of ", bitmap.event_types.size(), " event_type bitmap(s)"),
                      "): ", absl::StrJoin(aggregates, ", "), " by user_id\n");
      absl::StrAppend(&out, pad, "    Days: ", bitmap.allowed_days.size(), " allowed",
                      bitmap.allowed_days.empty() ? "" : absl::StrCat(", ", FormatDay(bitmap.allowed_days.front()), " .. ",
                                                                      FormatDay(bitmap.allowed_days.back())), "\n");
    } else if (plan.bitmap && !plan.bitmap->retention_totals.empty()) {
      absl::StrAppend(&out, pad, "  Aggregate (bitmap path: totals of per-user retention as day-bitmap intersections; "
                      "the subquery's rows are not built): ", absl::StrJoin(aggregates, ", "), "\n");
    } else if (plan.bitmap) {
      const BitmapPlan& bitmap = *plan.bitmap;
      std::vector<std::string> columns;
      for (const BitmapPlan::ValueCondition& condition : bitmap.value_conditions) {
        columns.emplace_back(ColumnName(condition.column));
      }
      absl::StrAppend(&out, pad, "  Aggregate (bitmap path: per-day user bitmaps",
                      bitmap.any_event_type ? "" : absl::StrCat(", OR of ", bitmap.event_types.size(), " event_type bitmap(s)"),
                      columns.empty() ? "" : absl::StrCat(", AND per-value bitmaps of ", absl::StrJoin(columns, ", "),
                                                          " (a scan where a user had several values that day)"),
                      "): ", absl::StrJoin(aggregates, ", "),
                      bitmap.day_key ? absl::StrCat(" by ", bitmap.day_key->sql) : "", "\n");
      absl::StrAppend(&out, pad, "    Days: ", FormatDay(bitmap.first_day), " .. ", FormatDay(bitmap.last_day), "\n");
    } else if (plan.user_sequence) {
      absl::StrAppend(&out, pad, "  Aggregate (user sequence path: per-user states in user-code order, each user's "
                      "rows in time order): ", absl::StrJoin(aggregates, ", "), " by ", SqlList(plan.group_keys), "\n");
    } else {
      absl::StrAppend(&out, pad, "  Aggregate (hash, scan path): ", absl::StrJoin(aggregates, ", "),
                      plan.group_keys.empty() ? "" : absl::StrCat(" by ", SqlList(plan.group_keys)), "\n");
    }
  }
  if (plan.where) absl::StrAppend(&out, pad, "  Filter: ", plan.where->sql, "\n");
  for (const PreparedInput& prepared : plan.prepared) {
    switch (prepared.kind) {
      case PreparedInput::Kind::kInSet:
        absl::StrAppend(&out, pad, "  Prepared set (run once before this query): ", prepared.sql, "\n");
        out += ExplainSelect(*prepared.plan, snapshot, indent + 4);
        break;
      case PreparedInput::Kind::kScalar:
        absl::StrAppend(&out, pad, "  Prepared scalar (run once before this query): ", prepared.sql, "\n");
        out += ExplainSelect(*prepared.plan, snapshot, indent + 4);
        break;
      case PreparedInput::Kind::kUserList:
        absl::StrAppend(&out, pad, "  Prepared user set: ", prepared.set->strings.size(), " user id(s) of ",
                        prepared.sql, "\n");
        break;
    }
  }
  if (plan.where_inside_time_range) {
    absl::StrAppend(&out, pad, "    on days inside the time range: ",
                    *plan.where_inside_time_range ? (*plan.where_inside_time_range)->sql : "none", "\n");
  }
  switch (plan.source.kind) {
    case SourcePlan::Kind::kEvents: {
      std::vector<std::string> columns;
      for (ColumnId id : plan.source.columns) columns.emplace_back(ColumnName(id));
      if (plan.bitmap) {
        absl::StrAppend(&out, pad, "  Source: events (no scan)\n");
        break;
      }
      const BlockList list = snapshot.ListBlocks(plan.source.scan);
      absl::StrAppend(&out, pad, "  Scan: events [", absl::StrJoin(columns, ", "), "]\n");
      if (!plan.source.property_columns.empty()) {
        std::vector<std::string> extracted;
        for (const PropertyColumn& column : plan.source.property_columns) extracted.push_back(column.sql);
        absl::StrAppend(&out, pad, "    Property columns (kept per sealed block): ", absl::StrJoin(extracted, ", "),
                        "\n");
      }
      if (!plan.source.where_key.empty() || !plan.source.where_inside_key.empty()) {
        absl::StrAppend(&out, pad, "    Filtered rows kept per sealed block (when selective)\n");
      }
      absl::StrAppend(&out, pad, "    Partitions: ", list.partitions_total - list.partitions_pruned, " of ",
                      list.partitions_total, " (", list.partitions_pruned, " pruned by time)\n");
      absl::StrAppend(&out, pad, "    Blocks: ", list.blocks.size(), " of ", list.blocks_total, " (",
                      list.blocks_pruned, " pruned by zone maps)\n");
      break;
    }
    case SourcePlan::Kind::kSubquery:
      absl::StrAppend(&out, pad, "  Source: subquery\n");
      out += ExplainSelect(*plan.source.subquery, snapshot, indent + 4);
      break;
    case SourcePlan::Kind::kRows:
      if (plan.source.numbers == std::numeric_limits<uint64_t>::max()) {  // system.numbers
        absl::StrAppend(&out, pad, "  Source: ", plan.source.name, " (endless, generated up to the LIMIT)\n");
        break;
      }
      absl::StrAppend(&out, pad, "  Source: ", plan.source.name, " (",
                      plan.source.numbers ? *plan.source.numbers : plan.source.rows->row_count, " rows)\n");
      break;
    case SourcePlan::Kind::kOneRow: absl::StrAppend(&out, pad, "  Source: one row\n"); break;
    case SourcePlan::Kind::kDeferred:
      absl::StrAppend(&out, pad, "  Source: ", plan.source.deferred.description,
                      " (rows produced when the query runs)\n");
      break;
    case SourcePlan::Kind::kUnion:
      absl::StrAppend(&out, pad, "  Source: UNION ", plan.source.distinct ? "DISTINCT" : "ALL", " of ",
                      plan.source.inputs.size(), " queries\n");
      for (const auto& input : plan.source.inputs) out += ExplainSelect(*input, snapshot, indent + 4);
      break;
  }
  return out;
}

}  // namespace mua
