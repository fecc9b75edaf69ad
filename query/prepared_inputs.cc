#include <string>

#include "absl/strings/str_cat.h"
#include "query/internal/plan_execution.h"
#include "storage/base/status_macros.h"
#include "storage/string_dictionary.h"

namespace mua::query_internal {
namespace {

// User ids → dense user numbers of this snapshot (ids never seen match nothing).
void ResolveUsers(const TableSnapshot& snapshot, InSet* set) {
  set->users = UserBitmap();
  for (const std::string& id : set->strings) {
    if (std::optional<uint32_t> user = snapshot.user_index().Find(id)) set->users.add(*user);
  }
}

}  // namespace

ExecutionContext SubqueryContext(const ExecutionContext& context) {
  ExecutionContext inner = context;
  inner.max_result_rows = 0;
  return inner;
}

absl::Status RunPreparedInputs(const SelectPlan& plan, const ExecutionContext& context) {
  for (const PreparedInput& prepared : plan.prepared) {
    MUA_RETURN_IF_ERROR(CheckInterrupted(context));
    switch (prepared.kind) {
      case PreparedInput::Kind::kUserList:
        ResolveUsers(*context.snapshot, prepared.set.get());
        break;
      case PreparedInput::Kind::kInSet: {
        absl::StatusOr<ResultSet> rows = ExecuteSelect(*prepared.plan, SubqueryContext(context));
        if (!rows.ok()) return rows.status();
        InSet& set = *prepared.set;
        const bool by_user = set.by_user;
        set = InSet();
        set.by_user = by_user;
        Vector values = VectorFromColumn(rows->columns[0], 0, rows->row_count);
        if (prepared.operand_type.is_tuple() && rows->columns.size() > 1) {
          // `(a, b) IN (SELECT x, y ...)`: the columns as one tuple per row.
          values = Vector();
          values.size = rows->row_count;
          std::vector<DataType> types;
          for (const Column& column : rows->columns) {
            values.children.push_back(VectorFromColumn(column, 0, rows->row_count));
            types.push_back(column.type);
          }
          values.type = DataType::Tuple(std::move(types));
        }
        for (size_t row = 0; row < rows->row_count; ++row) {
          MUA_RETURN_IF_ERROR(AddToInSet(values, row, prepared.operand_type, &set));
          if (row % 65536 == 65535) MUA_RETURN_IF_ERROR(CheckInterrupted(context));
        }
        if (by_user) {
          ResolveUsers(*context.snapshot, &set);
          set.strings.clear();
        }
        break;
      }
      case PreparedInput::Kind::kScalar: {
        absl::StatusOr<ResultSet> rows = ExecuteSelect(*prepared.plan, SubqueryContext(context));
        if (!rows.ok()) return rows.status();
        auto held = std::make_shared<ResultSet>(*std::move(rows));
        BoundExpr& slot = *prepared.value;
        if (held->row_count > 1) {
          return absl::InvalidArgumentError("Scalar subquery returned more than one row");
        }
        if (held->row_count == 0 && slot.type.nullable) {
          slot.constant = Vector::ConstantNullOf(slot.type, 1);  // modern ClickHouse: NULL
        } else if (held->row_count == 0 && slot.type.CannotBeNullable()) {
          return absl::InvalidArgumentError(absl::StrCat("Scalar subquery returned empty result of type ",
                                                         slot.type.Name(), " which cannot be Nullable"));
        } else if (held->row_count == 0) {
          slot.constant = ScalarDefault(slot.type);
        } else {
          Vector value = VectorFromColumn(held->columns[0], 0, 1);
          value.type = slot.type;
          value.constant = true;
          value.size = 1;
          slot.constant = std::move(value);
        }
        slot.keep_alive = std::move(held);  // the value's strings view its rows
        break;
      }
    }
  }
  return absl::OkStatus();
}

}  // namespace mua::query_internal
