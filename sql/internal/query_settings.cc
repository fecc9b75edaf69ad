#include "sql/internal/query_settings.h"

#include <algorithm>
#include <optional>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "sql/settings.h"
#include "sql/sql_error.h"

namespace mua::sql_internal {
namespace {

// A setting's value as a number: a numeric literal, a boolean, or a numeric string.
std::optional<double> NumberOf(const Expr& value) {
  if (value.kind == ExprKind::kUnary && value.As<UnaryExpr>().op == UnaryOp::kNegate) return std::nullopt;
  if (value.kind != ExprKind::kLiteral) return std::nullopt;
  const auto& literal = value.As<LiteralExpr>();
  switch (literal.literal_kind) {
    case LiteralKind::kUInt64: return static_cast<double>(literal.uint_value);
    case LiteralKind::kInt64: return static_cast<double>(literal.int_value);
    case LiteralKind::kFloat64: return literal.float_value;
    case LiteralKind::kBool: return literal.bool_value ? 1.0 : 0.0;
    case LiteralKind::kString: {
      double number = 0;
      if (absl::SimpleAtod(literal.string_value, &number)) return number;
      if (literal.string_value == "true") return 1.0;
      if (literal.string_value == "false") return 0.0;
      return std::nullopt;
    }
    default: return std::nullopt;
  }
}

}  // namespace

bool IsQueryCacheSetting(absl::string_view name) {
  return name == "use_query_cache" || absl::StartsWith(name, "query_cache_") ||
         name == "enable_reads_from_query_cache" || name == "enable_writes_to_query_cache";
}

absl::Status ApplyQuerySettings(const std::vector<Setting>& settings, absl::Time start, ExecutionContext* execution,
                                BindContext* bind, uint64_t* max_result_rows, StatementSettings* statement) {
  for (const Setting& setting : settings) {
    const bool known = setting.name == "max_execution_time" || setting.name == "max_result_rows" ||
                       setting.name == "join_use_nulls" || setting.name == "max_threads" ||
                       setting.name == "distributed" || setting.name == "skip_unavailable_shards" ||
                       setting.name == "use_query_cache" || setting.name == "query_cache_ttl";
    if (!known) {
      if (!IsClickHouseSetting(setting.name)) {
        return MakeSqlError(absl::StatusCode::kInvalidArgument, setting.pos,
                            UnknownSettingError(setting.name).message());
      }
      continue;  // a ClickHouse setting MUA does not use
    }
    std::optional<double> number = setting.value != nullptr ? NumberOf(*setting.value) : std::nullopt;
    if (!number || *number < 0) {
      return MakeSqlError(absl::StatusCode::kInvalidArgument, setting.pos,
                          absl::StrCat("setting ", setting.name, " needs a non-negative number"));
    }
    if (setting.name == "max_execution_time") {
      if (*number > 0) execution->deadline = std::min(execution->deadline, start + absl::Seconds(*number));
    } else if (setting.name == "max_result_rows") {
      const auto rows = static_cast<uint64_t>(*number);
      if (rows > 0) *max_result_rows = *max_result_rows == 0 ? rows : std::min(*max_result_rows, rows);
    } else if (setting.name == "join_use_nulls") {
      bind->join_use_nulls = *number != 0;
    } else if (setting.name == "distributed") {
      statement->distributed = *number != 0;
    } else if (setting.name == "skip_unavailable_shards") {
      statement->skip_unavailable_shards = *number != 0;
    } else if (setting.name == "use_query_cache") {
      statement->use_query_cache = *number != 0;
    } else if (setting.name == "query_cache_ttl") {
      statement->query_cache_ttl = absl::Seconds(std::min(*number, 1e9));
    } else if (setting.name == "max_threads") {
      const int threads = static_cast<int>(std::min(*number, 1024.0));
      if (threads > 0) execution->threads = execution->threads == 0 ? threads : std::min(execution->threads, threads);
    }
  }
  return absl::OkStatus();
}

}  // namespace mua::sql_internal
