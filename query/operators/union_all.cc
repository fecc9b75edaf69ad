#include "query/operators/union_all.h"

#include <string>
#include <vector>

#include "query/internal/plan_execution.h"
#include "storage/base/hash_containers.h"
#include "storage/base/status_macros.h"

namespace mua {

using query_internal::SubqueryContext;

absl::StatusOr<ResultSet> ExecuteUnion(const SourcePlan& source, const ExecutionContext& context) {
  ResultSet result;
  HashSet<std::string> seen;  // UNION DISTINCT: the keys of the rows kept so far
  for (size_t i = 0; i < source.inputs.size(); ++i) {
    absl::StatusOr<ResultSet> rows = ExecuteSelect(*source.inputs[i], SubqueryContext(context));
    if (!rows.ok()) return rows.status();
    if (i == 0) {
      result.names = rows->names;
      for (size_t c = 0; c < rows->columns.size(); ++c) {
        // Nullable when any input may give NULL (the binder made the types otherwise equal).
        DataType type = rows->columns[c].type;
        for (const auto& input : source.inputs) {
          if (c < input->outputs.size() && input->outputs[c]->type.may_be_null() && !type.CannotBeNullable()) {
            type.nullable = true;
          }
        }
        result.AddColumn("", type);
      }
      result.names = rows->names;
    }
    if (rows->columns.size() != result.columns.size()) {
      return absl::InvalidArgumentError("UNION inputs have different numbers of columns");
    }
    std::vector<uint32_t> kept;
    if (source.distinct) {
      for (uint32_t row = 0; row < rows->row_count; ++row) {
        if (row % 65536 == 65535) MUA_RETURN_IF_ERROR(CheckInterrupted(context));
        std::string key;
        for (const Column& column : rows->columns) AppendColumnKey(column, row, &key);
        if (seen.insert(std::move(key)).second) kept.push_back(row);
      }
    }
    for (size_t c = 0; c < result.columns.size(); ++c) {
      Column& into = result.columns[c];
      Column from = source.distinct ? TakeColumnRows(rows->columns[c], kept) : std::move(rows->columns[c]);
      // The binder made every input's types those of input 0 (their common type).
      from.type = into.type;
      if (into.type.nullable && from.nulls.empty() && !into.nulls.empty()) {
        from.nulls.assign(source.distinct ? kept.size() : rows->row_count, 0);
      }
      AppendColumn(std::move(from), &into);
    }
    result.row_count += source.distinct ? kept.size() : rows->row_count;
    MUA_RETURN_IF_ERROR(CheckMemory());
  }
  return result;
}

}  // namespace mua
