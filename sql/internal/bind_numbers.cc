// numbers(N), numbers(start, N[, step]), numbers_mt(...), zeros(N), zeros_mt(N) and the
// endless system.numbers, system.numbers_mt, system.zeros, system.zeros_mt, as ClickHouse
// has them: one generated column that the executor produces in batches and never
// materializes whole, so `SELECT number FROM system.numbers LIMIT 10` reads 10 rows' worth
// and an unlimited read runs until max_execution_time, KILL, max_result_rows or the memory
// limit stops it (each checked between batches).
#include <cstdint>
#include <limits>
#include <memory>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "sql/internal/select_binder.h"
#include "storage/base/status_macros.h"

namespace mua::sql_internal {

bool IsNumbersSource(absl::string_view name) {
  return name == "numbers" || name == "numbers_mt" || name == "zeros" || name == "zeros_mt";
}

absl::Status SelectBinder::BindNumbers(const FunctionExpr* function, absl::string_view name) {
  const bool zeros = absl::StartsWith(name, "zeros");
  uint64_t start = 0;
  uint64_t count = std::numeric_limits<uint64_t>::max();  // a system table: endless
  uint64_t step = zeros ? 0 : 1;
  if (function != nullptr) {
    const size_t arity = function->args.size();
    if (arity < 1 || arity > (zeros ? 1u : 3u)) {
      return ErrorAt(
          function->pos, absl::StatusCode::kInvalidArgument,
          zeros
              ? absl::StrCat("Table function '", name, "' requires 'length'")
              : absl::StrCat("Table function '", name,
                             "' requires 'length' or 'offset, length' or 'offset, length, step'"));
    }
    uint64_t values[3] = {0, 0, 1};
    for (size_t i = 0; i < arity; ++i) {
      absl::StatusOr<int64_t> value =
          ConstantInteger(*function->args[i], absl::StrCat(name, "() argument"));
      if (!value.ok()) return value.status();
      if (*value < 0) {
        return ErrorAt(function->args[i]->pos, absl::StatusCode::kInvalidArgument,
                       absl::StrCat("Table function '", name, "' takes non-negative arguments"));
      }
      values[i] = static_cast<uint64_t>(*value);
    }
    if (arity == 1) {
      count = values[0];
    } else {
      start = values[0];
      count = values[1];
      if (arity == 3) {
        if (values[2] == 0) {
          return ErrorAt(
              function->args[2]->pos, absl::StatusCode::kInvalidArgument,
              absl::StrCat("Table function '", name, "' requires step to be a positive number"));
        }
        // numbers(offset, length, step): the numbers offset, offset + step, ... below offset +
        // length.
        step = values[2];
        count = (count + step - 1) / step;
      }
    }
  }
  auto rows = std::make_shared<ResultSet>();  // only the schema: the executor generates the values
  rows->AddColumn(zeros ? "zero" : "number",
                  DataType::Of(zeros ? TypeId::kUInt8 : TypeId::kUInt64));
  MUA_RETURN_IF_ERROR(UseRows(
      std::move(rows), function != nullptr ? std::string(name) : absl::StrCat("system.", name)));
  plan_->source.numbers = count;
  plan_->source.numbers_start = start;
  plan_->source.numbers_step = step;
  return absl::OkStatus();
}

}  // namespace mua::sql_internal
