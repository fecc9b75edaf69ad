#include "query/operators/fill.h"

#include <algorithm>
#include <cmath>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "query/functions/time_functions.h"
#include "query/operators/relation.h"
#include "storage/base/calendar.h"
#include "storage/base/status_macros.h"

namespace mua {
namespace {

// DataType::interval_unit values.
constexpr uint8_t kDay = 3, kWeek = 4, kMonth = 5, kQuarter = 6, kYear = 7;
constexpr int64_t kUnitSeconds[] = {1, 60, 3600, 86'400, 604'800};

struct Level {
  int column = 0;
  TypeId type = TypeId::kInt64;
  bool descending = false;
  std::optional<double> from, to;
  double step = 1;
  std::optional<uint8_t> unit;
  uint16_t time_zone = 0;  // DateTime('Zone'): days and months step on that zone's calendar
};

int32_t AddMonths(int32_t day, int64_t months) {
  const CivilDate date = CivilFromDays(day);
  const int64_t total = int64_t{date.year} * 12 + (date.month - 1) + months;
  const int32_t year = static_cast<int32_t>(FloorDiv(total, 12));
  const int32_t month = static_cast<int32_t>(FloorMod(total, 12) + 1);
  return DaysFromCivil(year, month, std::min(date.day, DaysInMonth(year, month)));
}

// `value` one step further in the level's direction.
double Advance(const Level& level, double value) {
  const double sign = level.descending ? -1 : 1;
  if (!level.unit) return value + sign * level.step;
  const uint8_t unit = *level.unit;
  if (level.time_zone != 0 && unit >= kDay && level.step == std::floor(level.step)) {
    // Same wall-clock time a day (month...) later in the zone, across its DST changes.
    const query_internal::Interval interval{static_cast<query_internal::IntervalUnit>(unit),
                                            static_cast<int64_t>(sign * level.step)};
    const query_internal::TimeZone& tz = query_internal::TimeZoneById(level.time_zone);
    const int64_t whole = static_cast<int64_t>(value);
    if (level.type == TypeId::kDateTime64) {
      return static_cast<double>(
          query_internal::AddInterval(FloorDiv(whole, 1000), interval, tz) * 1000 +
          FloorMod(whole, 1000));
    }
    return static_cast<double>(query_internal::AddInterval(whole, interval, tz));
  }
  if (unit <= kWeek) {
    const double seconds = level.step * static_cast<double>(kUnitSeconds[unit]);
    const double scale = level.type == TypeId::kDate        ? 1.0 / 86'400
                         : level.type == TypeId::kDateTime64 ? 1000.0
                                                             : 1.0;
    return value + sign * seconds * scale;
  }
  const int64_t months = static_cast<int64_t>(level.step) *
                         (unit == kMonth ? 1 : unit == kQuarter ? 3 : 12) * (level.descending ? -1 : 1);
  const int64_t per_day = level.type == TypeId::kDate       ? 1
                          : level.type == TypeId::kDateTime ? kSecondsPerDay
                                                            : kMillisPerDay;
  const int64_t whole = static_cast<int64_t>(value);
  const int64_t day = FloorDiv(whole, per_day);
  return static_cast<double>(AddMonths(static_cast<int32_t>(day), months) * per_day +
                             FloorMod(whole, per_day));
}

bool Before(const Level& level, double a, double b) { return level.descending ? a > b : a < b; }

double ValueAt(const Column& column, size_t row) {
  if (column.type.id == TypeId::kFloat64) return column.floats[row];
  if (column.type.id == TypeId::kUInt64) {
    return static_cast<double>(static_cast<uint64_t>(column.ints[row]));
  }
  return static_cast<double>(column.ints[row]);
}

absl::Status MakeLevels(const std::vector<DataType>& types, const std::vector<FillSpec>& specs,
                        std::vector<int>* prefix, std::vector<Level>* levels) {
  bool filling = false;
  for (const FillSpec& spec : specs) {
    if (spec.column < 0 || static_cast<size_t>(spec.column) >= types.size()) {
      return absl::InvalidArgumentError("WITH FILL: no such column");
    }
    if (!spec.with_fill) {
      if (!filling && prefix != nullptr) prefix->push_back(spec.column);
      continue;
    }
    filling = true;
    const DataType& type = types[spec.column];
    if (!type.is_numeric() && !type.is_time()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "Incompatible types of WITH FILL expression values with column type ", type.Name()));
    }
    Level level;
    level.column = spec.column;
    level.type = type.id;
    level.time_zone = type.id == TypeId::kDate ? 0 : type.time_zone;
    level.descending = spec.descending;
    level.from = spec.from;
    level.to = spec.to;
    level.unit = spec.interval_unit;
    if (spec.step && !(*spec.step > 0)) {
      return absl::InvalidArgumentError("WITH FILL STEP value must be greater than zero");
    }
    if (level.unit) {
      if (!type.is_time() || *level.unit > kYear) {
        return absl::InvalidArgumentError(absl::StrCat(
            "STEP of Interval type can be used only with Date/DateTime types, but got ", type.Name()));
      }
      if (type.id == TypeId::kDate && *level.unit < kDay) {
        return absl::InvalidArgumentError("Value of step is to low. Must be >= 1 day");
      }
      level.step = spec.step.value_or(1);
      if (*level.unit > kWeek) level.step = std::floor(level.step);
    } else {
      level.step = spec.step.value_or(1) * (type.id == TypeId::kDateTime64 ? 1000 : 1);
    }
    if (level.from && level.to && Before(level, *level.to, *level.from)) {
      return absl::InvalidArgumentError(absl::StrCat(
          "WITH FILL FROM value cannot be ", level.descending ? "less" : "greater",
          " than TO value for ", level.descending ? "descending" : "ascending", " order"));
    }
    if (levels != nullptr) levels->push_back(level);
  }
  return absl::OkStatus();
}

// What each output row is: an input row (level == levels.size()), or a row inserted
// for `level` with `value` there, copying the prefix and earlier levels from `copy_row`.
struct FillPlan {
  std::vector<uint32_t> copy_row;
  std::vector<uint8_t> level;
  std::vector<double> value;
  // Rows the consumer reads (LIMIT + OFFSET above): planning stops there.
  std::optional<uint64_t> wanted;
  // More rows than this is error 396 (max_result_rows, plus the OFFSET above). 0: no limit.
  uint64_t max_rows = 0;
  uint64_t max_result_rows = 0;  // for the message
  const ExecutionContext* context = nullptr;

  bool Full() const { return wanted && copy_row.size() >= *wanted; }

  absl::Status Add(uint32_t row, size_t fill_level, double fill_value) {
    if (Full()) return absl::OkStatus();
    if (copy_row.size() + 1 >= kNoRow) {
      return absl::ResourceExhaustedError("WITH FILL would produce too many rows");
    }
    if (max_rows != 0 && copy_row.size() + 1 > max_rows) {
      return absl::ResourceExhaustedError(absl::StrCat("Limit for result exceeded: more than ", max_result_rows,
                                                       " rows, max_result_rows is ", max_result_rows));
    }
    // A fill between two rows (or up to TO) may insert billions: KILL and the time limit
    // are checked as it grows, not only between input rows.
    if (copy_row.size() % kRelationBatchRows == kRelationBatchRows - 1) {
      MUA_RETURN_IF_ERROR(CheckInterrupted(*context));
    }
    MUA_RETURN_IF_ERROR(ReserveTracked(&copy_row, copy_row.size() + 1));
    MUA_RETURN_IF_ERROR(ReserveTracked(&level, level.size() + 1));
    MUA_RETURN_IF_ERROR(ReserveTracked(&value, value.size() + 1));
    copy_row.push_back(row);
    level.push_back(static_cast<uint8_t>(fill_level));
    value.push_back(fill_value);
    return absl::OkStatus();
  }
};

class FillOperator : public Operator {
 public:
  FillOperator(OperatorPtr input, std::vector<FillSpec> specs, FillLimit limit)
      : input_(std::move(input)), specs_(std::move(specs)), limit_(limit) {}

  absl::StatusOr<ResultSet> Execute(const ExecutionContext& context) const override;

  void Explain(int indent, std::vector<std::string>* lines) const override {
    std::vector<std::string> keys;
    for (const FillSpec& spec : specs_) {
      std::string key = absl::StrCat("#", spec.column, spec.descending ? " DESC" : "");
      if (spec.with_fill) absl::StrAppend(&key, " WITH FILL");
      if (spec.from) absl::StrAppend(&key, " FROM ", *spec.from);
      if (spec.to) absl::StrAppend(&key, " TO ", *spec.to);
      if (spec.step) absl::StrAppend(&key, " STEP ", *spec.step);
      keys.push_back(std::move(key));
    }
    lines->push_back(absl::StrCat(std::string(indent, ' '), "Fill ", absl::StrJoin(keys, ", ")));
    input_->Explain(indent + 2, lines);
  }

 private:
  const OperatorPtr input_;
  const std::vector<FillSpec> specs_;
  const FillLimit limit_;
};

absl::StatusOr<ResultSet> FillOperator::Execute(const ExecutionContext& context) const {
  MUA_ASSIGN_OR_RETURN(const ResultSet input, input_->Execute(context));
  std::vector<DataType> types;
  for (const Column& column : input.columns) types.push_back(column.type);
  std::vector<int> prefix;
  std::vector<Level> levels;
  MUA_RETURN_IF_ERROR(MakeLevels(types, specs_, &prefix, &levels));
  const size_t depth = levels.size();
  if (depth == 0) return input;

  auto value = [&](size_t k, uint32_t row) { return ValueAt(input.columns[levels[k].column], row); };
  auto is_null = [&](size_t k, uint32_t row) { return input.columns[levels[k].column].is_null(row); };
  FillPlan plan;
  plan.context = &context;
  if (limit_.rows) plan.wanted = *limit_.rows + limit_.offset;
  // max_result_rows counts what the consumer returns: none past a LIMIT within it.
  if (context.max_result_rows != 0 && (!limit_.rows || *limit_.rows > context.max_result_rows)) {
    plan.max_rows = context.max_result_rows + limit_.offset;
    plan.max_result_rows = context.max_result_rows;
  }
  std::vector<double> next(depth);  // per level: the next value to insert
  auto reset = [&](size_t k, uint32_t row) { next[k] = levels[k].from.value_or(value(k, row)); };
  // Inserts level k's values before `limit` (and TO), copying `row`'s earlier keys.
  auto fill_until = [&](size_t k, uint32_t row, std::optional<double> limit) -> absl::Status {
    const Level& level = levels[k];
    if (!limit && !level.to) return absl::OkStatus();
    while (!plan.Full() && (!limit || Before(level, next[k], *limit)) &&
           (!level.to || Before(level, next[k], *level.to))) {
      MUA_RETURN_IF_ERROR(plan.Add(row, k, next[k]));
      const double advanced = Advance(level, next[k]);
      if (!Before(level, next[k], advanced)) {
        return absl::InvalidArgumentError("WITH FILL STEP does not advance the value");
      }
      next[k] = advanced;
    }
    return absl::OkStatus();
  };
  auto close_levels = [&](size_t above, uint32_t row) -> absl::Status {
    for (size_t k = depth; k-- > above;) MUA_RETURN_IF_ERROR(fill_until(k, row, std::nullopt));
    return absl::OkStatus();
  };

  uint32_t previous = kNoRow;
  for (uint32_t row = 0; row < input.row_count && !plan.Full(); ++row) {
    if (row % kRelationBatchRows == 0) MUA_RETURN_IF_ERROR(CheckInterrupted(context));
    bool new_group = previous == kNoRow;
    for (size_t i = 0; !new_group && i < prefix.size(); ++i) {
      const Column& column = input.columns[prefix[i]];
      new_group = CompareColumnValues(column, previous, column, row, true) != 0;
    }
    size_t changed = 0;  // the first fill level whose value differs from the previous row's
    if (new_group) {
      if (previous != kNoRow) MUA_RETURN_IF_ERROR(close_levels(0, previous));
      for (size_t k = 0; k < depth; ++k) reset(k, row);
    } else {
      changed = depth;
      for (size_t k = 0; k < depth; ++k) {
        if (is_null(k, row) != is_null(k, previous) || value(k, row) != value(k, previous)) {
          changed = k;
          break;
        }
      }
      if (changed < depth) {
        MUA_RETURN_IF_ERROR(close_levels(changed + 1, previous));
        for (size_t k = changed + 1; k < depth; ++k) reset(k, row);
      }
    }
    for (size_t k = changed; k < depth; ++k) {
      if (!is_null(k, row)) MUA_RETURN_IF_ERROR(fill_until(k, row, value(k, row)));
    }
    MUA_RETURN_IF_ERROR(plan.Add(row, depth, 0));
    for (size_t k = changed; k < depth; ++k) {
      if (is_null(k, row)) continue;
      const double after = Advance(levels[k], value(k, row));
      if (!Before(levels[k], after, next[k])) next[k] = after;
    }
    previous = row;
  }
  if (previous != kNoRow) {
    MUA_RETURN_IF_ERROR(close_levels(0, previous));
  } else {
    // No rows: FROM .. TO still fills (ClickHouse fills an empty result between them).
    if (levels[0].from && levels[0].to) {
      next[0] = *levels[0].from;
      MUA_RETURN_IF_ERROR(fill_until(0, kNoRow, std::nullopt));
    }
  }
  MUA_RETURN_IF_ERROR(CheckInterrupted(context));

  // Columns: input rows as they are; inserted rows copy the prefix and the earlier
  // fill keys, take their own level's value, later levels' FROM, defaults elsewhere.
  std::vector<int> column_level(input.columns.size(), -1);  // -1: other, -2: prefix
  for (int column : prefix) column_level[column] = -2;
  for (size_t k = 0; k < depth; ++k) column_level[levels[k].column] = static_cast<int>(k);
  const size_t rows = plan.copy_row.size();
  ResultSet output;
  std::vector<uint32_t> sources(rows);
  for (size_t c = 0; c < input.columns.size(); ++c) {
    const int own = column_level[c];
    for (size_t i = 0; i < rows; ++i) {
      const bool copied = plan.level[i] == depth || own == -2 || (own >= 0 && own < plan.level[i]);
      sources[i] = copied ? plan.copy_row[i] : kNoRow;
    }
    MUA_RETURN_IF_ERROR(CheckMemory(GatherBytes(input.columns[c], rows)));
    Column& column = output.AddColumn(input.names[c], input.columns[c].type);
    GatherColumn(input.columns[c], sources, &column);
    if (own < 0) continue;
    const Level& level = levels[own];
    for (size_t i = 0; i < rows; ++i) {
      std::optional<double> set;
      if (plan.level[i] == own) set = plan.value[i];
      if (plan.level[i] < own && level.from) set = *level.from;
      if (!set) continue;
      if (!column.nulls.empty()) column.nulls[i] = 0;
      if (column.type.id == TypeId::kFloat64) {
        column.floats[i] = *set;
      } else if (column.type.id == TypeId::kUInt64 && *set >= 9223372036854775808.0) {
        column.ints[i] = static_cast<int64_t>(static_cast<uint64_t>(*set));
      } else {
        column.ints[i] = static_cast<int64_t>(std::llround(*set));
      }
    }
  }
  output.row_count = rows;
  output.statistics = input.statistics;
  return output;
}

}  // namespace

absl::Status ValidateFill(const std::vector<DataType>& column_types,
                          const std::vector<FillSpec>& specs) {
  return MakeLevels(column_types, specs, nullptr, nullptr);
}

OperatorPtr MakeFill(OperatorPtr input, std::vector<FillSpec> specs, FillLimit limit) {
  return std::make_shared<FillOperator>(std::move(input), std::move(specs), limit);
}

}  // namespace mua
