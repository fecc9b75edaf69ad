// Rule: a JSON extraction with a constant path from a JSON text column of the events
// table (properties, attributes) becomes a column the scan fills per block, and keeps per
// sealed block, so later queries read the extracted values instead of decompressing and
// parsing the text (query/operators/property_columns.h).
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "query/optimizer/rules.h"

namespace mua::optimizer_internal {
namespace {

// The extractions whose value on a text without the path's first key is their value on
// '{}': the not-found result of one lookup. `typed`: JSONExtract, whose last argument is
// the result type, not a path step.
struct Extraction {
  absl::string_view name;
  bool typed;
};
constexpr Extraction kExtractions[] = {
    {"JSONExtract", true},          {"JSONExtractString", false},     {"JSONExtractInt", false},
    {"JSONExtractUInt", false},     {"JSONExtractFloat", false},      {"JSONExtractBool", false},
    {"JSONExtractRaw", false},      {"JSONHas", false},               {"JSONType", false},
    {"JSONLength", false},          {"JSONExtractKeys", false},       {"JSONExtractArrayRaw", false},
    {"visitParamExtractString", false}, {"visitParamExtractInt", false}, {"visitParamExtractUInt", false},
    {"visitParamExtractFloat", false},  {"visitParamExtractBool", false}, {"visitParamHas", false},
};

class Rewriter {
 public:
  Rewriter(SelectPlan& plan, const BlockFacts& facts) : plan_(plan), facts_(facts) {}

  BoundExprPtr Rewrite(const BoundExprPtr& expr) {
    if (expr == nullptr) return expr;
    if (std::optional<int> column = AsPropertyColumn(*expr)) {
      return MakeColumn(*column, expr->type, expr->sql);
    }
    return RewriteArgs(expr, [this](const BoundExprPtr& arg) { return Rewrite(arg); });
  }

 private:
  // The batch column standing for `expr` when it is an extraction the scan can keep.
  std::optional<int> AsPropertyColumn(const BoundExpr& expr) {
    if (expr.kind != BoundExpr::Kind::kCall || expr.args.size() < 2) return std::nullopt;
    const Extraction* extraction = nullptr;
    for (const Extraction& e : kExtractions) {
      if (expr.function == e.name) extraction = &e;
    }
    if (extraction == nullptr) return std::nullopt;
    const std::optional<ColumnId> json = EventsColumn(plan_, *expr.args[0]);
    if (json != ColumnId::kProperties && json != ColumnId::kAttributes) return std::nullopt;
    const size_t path_end = expr.args.size() - (extraction->typed ? 1 : 0);
    if (path_end < 2) return std::nullopt;  // the whole document: no key to look for
    std::string key = absl::StrCat(expr.function, "|", ColumnName(*json), "|", expr.type.Name());
    for (size_t i = 1; i < expr.args.size(); ++i) {
      const BoundExpr& arg = *expr.args[i];
      if (!IsKnownConstant(facts_, arg) || !arg.type.is_string()) return std::nullopt;
      AppendValueKey(arg.constant, 0, &key);
    }
    const int first = static_cast<int>(plan_.source.columns.size());
    if (auto it = columns_.find(key); it != columns_.end()) return first + it->second;
    PropertyColumn column;
    auto call = std::make_shared<BoundExpr>(expr);
    call->args[0] = MakeColumn(0, expr.args[0]->type, expr.args[0]->sql);
    column.expr = std::move(call);
    column.json_column = expr.args[0]->column;
    column.key = key;
    // A key written with escapes shows a backslash in the text (checked apart), so a
    // row whose bytes lack the quoted key cannot hold it.
    column.needle = absl::StrCat("\"", expr.args[1]->constant.string_at(0), "\"");
    column.sql = expr.sql;
    const int index = static_cast<int>(plan_.source.property_columns.size());
    plan_.source.property_columns.push_back(std::move(column));
    columns_.emplace(std::move(key), index);
    return first + index;
  }

  SelectPlan& plan_;
  const BlockFacts& facts_;
  absl::flat_hash_map<std::string, int> columns_;
};

}  // namespace

void ApplyPropertyColumns(SelectPlan& plan, const BlockFacts& facts) {
  if (plan.source.kind != SourcePlan::Kind::kEvents || plan.bitmap || plan.user_sequence) return;
  Rewriter rewriter(plan, facts);
  plan.where = rewriter.Rewrite(plan.where);
  if (plan.where_inside_time_range && *plan.where_inside_time_range) {
    plan.where_inside_time_range = rewriter.Rewrite(*plan.where_inside_time_range);
  }
  for (BoundExprPtr& key : plan.group_keys) key = rewriter.Rewrite(key);
  for (AggregateCall& call : plan.aggregates) {
    for (BoundExprPtr& arg : call.args) arg = rewriter.Rewrite(arg);
  }
  if (!plan.aggregate) {
    // Over the source batch only without aggregation (else over keys and aggregates).
    for (BoundExprPtr& output : plan.outputs) output = rewriter.Rewrite(output);
    for (SortKey& key : plan.order_by) key.expr = rewriter.Rewrite(key.expr);
  }
}

}  // namespace mua::optimizer_internal
