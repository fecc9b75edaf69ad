#include "query/operators/window.h"

#include <algorithm>
#include <cmath>
#include <deque>
#include <limits>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "query/operators/relation.h"
#include "query/operators/window_frames.h"
#include "storage/base/status_macros.h"

namespace mua {
namespace {

using operators_internal::Frames;
using operators_internal::PartitionLayout;

const char* FunctionName(WindowFunction function) {
  switch (function) {
    case WindowFunction::kRowNumber: return "row_number";
    case WindowFunction::kRank: return "rank";
    case WindowFunction::kDenseRank: return "dense_rank";
    case WindowFunction::kPercentRank: return "percent_rank";
    case WindowFunction::kLagInFrame: return "lagInFrame";
    case WindowFunction::kLeadInFrame: return "leadInFrame";
    case WindowFunction::kFirstValue: return "first_value";
    case WindowFunction::kLastValue: return "last_value";
    case WindowFunction::kNthValue: return "nth_value";
    case WindowFunction::kSum: return "sum";
    case WindowFunction::kAvg: return "avg";
    case WindowFunction::kMin: return "min";
    case WindowFunction::kMax: return "max";
    case WindowFunction::kCount: return "count";
  }
  return "";
}

bool IsRanking(WindowFunction function) {
  return function == WindowFunction::kRowNumber || function == WindowFunction::kRank ||
         function == WindowFunction::kDenseRank || function == WindowFunction::kPercentRank;
}

// A constant integer argument (an offset or n) of at least `minimum`.
absl::StatusOr<int64_t> ConstantCount(const WindowCall& call, size_t arg, int64_t minimum) {
  const BoundExpr& expr = *call.args[arg];
  if (!expr.is_constant() || !expr.type.is_integer() || expr.constant.ints.empty() ||
      expr.constant.is_null(0)) {
    return absl::InvalidArgumentError(absl::StrCat("Argument ", arg + 1, " of function ",
                                                   FunctionName(call.function),
                                                   " must be a constant integer"));
  }
  const int64_t value = expr.constant.ints[0];
  if (value < minimum || (expr.type.id == TypeId::kUInt64 && value < 0)) {
    return absl::InvalidArgumentError(absl::StrCat("Argument ", arg + 1, " of function ",
                                                   FunctionName(call.function), " must be >= ",
                                                   minimum, ", got ", value));
  }
  return value;
}

int BoundRank(FrameBound::Kind kind) { return static_cast<int>(kind); }

absl::Status ValidateFrame(const WindowCall& call) {
  const WindowFrame& frame = call.frame;
  if (frame.begin.kind == FrameBound::Kind::kUnboundedFollowing) {
    return absl::InvalidArgumentError("Frame start cannot be UNBOUNDED FOLLOWING");
  }
  if (frame.end.kind == FrameBound::Kind::kUnboundedPreceding) {
    return absl::InvalidArgumentError("Frame end cannot be UNBOUNDED PRECEDING");
  }
  for (const FrameBound* bound : {&frame.begin, &frame.end}) {
    if (bound->kind != FrameBound::Kind::kPreceding && bound->kind != FrameBound::Kind::kFollowing) {
      continue;
    }
    if (!(bound->offset >= 0) || std::isinf(bound->offset)) {
      return absl::InvalidArgumentError("Window frame offset must be a finite non-negative number");
    }
    if (frame.units == FrameUnits::kRows && bound->offset != std::floor(bound->offset)) {
      return absl::InvalidArgumentError("ROWS frame offset must be an integer");
    }
  }
  const int begin = BoundRank(frame.begin.kind), end = BoundRank(frame.end.kind);
  const bool same_offsets = begin == end && (frame.begin.kind == FrameBound::Kind::kPreceding ||
                                             frame.begin.kind == FrameBound::Kind::kFollowing);
  if (begin > end ||
      (same_offsets && frame.begin.kind == FrameBound::Kind::kPreceding &&
       frame.begin.offset < frame.end.offset) ||
      (same_offsets && frame.begin.kind == FrameBound::Kind::kFollowing &&
       frame.begin.offset > frame.end.offset)) {
    return absl::InvalidArgumentError("Window frame start is after the frame end");
  }
  const bool range_offset = frame.units == FrameUnits::kRange &&
                            (frame.begin.kind == FrameBound::Kind::kPreceding ||
                             frame.begin.kind == FrameBound::Kind::kFollowing ||
                             frame.end.kind == FrameBound::Kind::kPreceding ||
                             frame.end.kind == FrameBound::Kind::kFollowing);
  if (range_offset) {
    if (call.order_by.size() != 1) {
      return absl::InvalidArgumentError(absl::StrCat(
          "The RANGE OFFSET window frame requires exactly one ORDER BY column, ",
          call.order_by.size(), " given"));
    }
    const DataType& key = call.order_by[0].expr->type;
    if (!key.is_numeric() && !key.is_time()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "The RANGE OFFSET frame requires a numeric or time ORDER BY column, got ", key.Name()));
    }
  }
  return absl::OkStatus();
}

absl::Status CheckArity(const WindowCall& call, size_t least, size_t most) {
  if (call.args.size() < least || call.args.size() > most) {
    return absl::InvalidArgumentError(absl::StrCat(
        "Number of arguments for function ", FunctionName(call.function), " doesn't match: passed ",
        call.args.size(), ", should be ", least == most ? absl::StrCat(least)
                                                        : absl::StrCat(least, " to ", most)));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<WindowFunction> WindowFunctionByName(absl::string_view name) {
  static constexpr WindowFunction kAll[] = {
      WindowFunction::kRowNumber,  WindowFunction::kRank,        WindowFunction::kDenseRank,
      WindowFunction::kPercentRank, WindowFunction::kLagInFrame, WindowFunction::kLeadInFrame,
      WindowFunction::kFirstValue, WindowFunction::kLastValue,   WindowFunction::kNthValue,
      WindowFunction::kSum,        WindowFunction::kAvg,         WindowFunction::kMin,
      WindowFunction::kMax,        WindowFunction::kCount};
  const std::string lower = absl::AsciiStrToLower(name);
  for (WindowFunction function : kAll) {
    const bool aggregate = function >= WindowFunction::kSum;
    if (aggregate ? lower == FunctionName(function) : name == FunctionName(function)) {
      return function;
    }
  }
  return absl::NotFoundError(absl::StrCat("Unknown window function ", name));
}

absl::StatusOr<DataType> WindowResultType(const WindowCall& call) {
  MUA_RETURN_IF_ERROR(ValidateFrame(call));
  const DataType uint64 = DataType::Of(TypeId::kUInt64);
  const DataType float64 = DataType::Of(TypeId::kFloat64);
  switch (call.function) {
    case WindowFunction::kRowNumber:
    case WindowFunction::kRank:
    case WindowFunction::kDenseRank:
      MUA_RETURN_IF_ERROR(CheckArity(call, 0, 0));
      return uint64;
    case WindowFunction::kPercentRank:
      MUA_RETURN_IF_ERROR(CheckArity(call, 0, 0));
      return float64;
    case WindowFunction::kLagInFrame:
    case WindowFunction::kLeadInFrame: {
      MUA_RETURN_IF_ERROR(CheckArity(call, 1, 3));
      if (call.args.size() >= 2) MUA_RETURN_IF_ERROR(ConstantCount(call, 1, 0).status());
      if (call.args.size() == 3) {
        const DataType& value = call.args[0]->type;
        const DataType& fallback = call.args[2]->type;
        const bool numbers = value.is_numeric() && fallback.is_numeric();
        // LowCardinality(String) and String share a supertype, as ClickHouse requires of the
        // default (lagInFrame(event_type, 1, 'none') over a dictionary column).
        auto plain = [](const DataType& type) {
          DataType without = type.WithoutNullable();
          without.low_cardinality = false;
          return without;
        };
        if (!numbers && fallback.id != TypeId::kNothing && plain(value) != plain(fallback)) {
          return absl::InvalidArgumentError(absl::StrCat(
              "The default value of ", FunctionName(call.function), " has type ", fallback.Name(),
              ", which does not match the argument's type ", value.Name()));
        }
        if (fallback.may_be_null() && !value.may_be_null() && !value.CannotBeNullable()) {
          return value.WithNullable();
        }
      }
      return call.args[0]->type;
    }
    case WindowFunction::kFirstValue:
    case WindowFunction::kLastValue:
      MUA_RETURN_IF_ERROR(CheckArity(call, 1, 1));
      return call.args[0]->type;
    case WindowFunction::kNthValue:
      MUA_RETURN_IF_ERROR(CheckArity(call, 2, 2));
      MUA_RETURN_IF_ERROR(ConstantCount(call, 1, 1).status());
      return call.args[0]->type;
    case WindowFunction::kCount:
      MUA_RETURN_IF_ERROR(CheckArity(call, 0, 1));
      return uint64;
    case WindowFunction::kSum:
    case WindowFunction::kAvg: {
      MUA_RETURN_IF_ERROR(CheckArity(call, 1, 1));
      const DataType& arg = call.args[0]->type;
      if (!arg.is_numeric()) {
        return absl::InvalidArgumentError(absl::StrCat("Illegal type ", arg.Name(),
                                                       " of argument for aggregate function ",
                                                       FunctionName(call.function)));
      }
      DataType type = call.function == WindowFunction::kAvg || arg.id == TypeId::kFloat64
                          ? float64
                          : DataType::Of(arg.is_unsigned() ? TypeId::kUInt64 : TypeId::kInt64);
      type.nullable = arg.nullable;
      return type;
    }
    case WindowFunction::kMin:
    case WindowFunction::kMax:
      MUA_RETURN_IF_ERROR(CheckArity(call, 1, 1));
      return call.args[0]->type;
  }
  return absl::InternalError("unknown window function");
}

namespace {

// Numeric results of one call, by input row.
struct NumericResult {
  std::vector<int64_t> ints;
  std::vector<double> floats;
  std::vector<uint8_t> nulls;
};

// The value-function results of one call: the input row whose argument value each
// input row takes (kNoRow: the default).
struct SourceRows {
  std::vector<uint32_t> rows;
};

double NumberAt(const Column& column, size_t row) {
  if (column.type.id == TypeId::kFloat64) return column.floats[row];
  if (column.type.id == TypeId::kUInt64) {
    return static_cast<double>(static_cast<uint64_t>(column.ints[row]));
  }
  return static_cast<double>(column.ints[row]);
}

class WindowOperator : public Operator {
 public:
  WindowOperator(OperatorPtr input, std::vector<WindowCall> calls)
      : input_(std::move(input)), calls_(std::move(calls)) {}

  absl::StatusOr<ResultSet> Execute(const ExecutionContext& context) const override;

  void Explain(int indent, std::vector<std::string>* lines) const override {
    std::vector<std::string> parts;
    for (const WindowCall& call : calls_) {
      std::vector<std::string> args, partition, order;
      for (const BoundExprPtr& arg : call.args) args.push_back(arg->sql);
      for (const BoundExprPtr& key : call.partition_by) partition.push_back(key->sql);
      for (const WindowOrderKey& key : call.order_by) {
        order.push_back(absl::StrCat(key.expr->sql, key.descending ? " DESC" : ""));
      }
      std::string over;
      if (!partition.empty()) absl::StrAppend(&over, "PARTITION BY ", absl::StrJoin(partition, ", "));
      if (!order.empty()) {
        absl::StrAppend(&over, over.empty() ? "" : " ", "ORDER BY ", absl::StrJoin(order, ", "));
      }
      parts.push_back(absl::StrCat(FunctionName(call.function), "(", absl::StrJoin(args, ", "),
                                   ") OVER (", over, ")"));
    }
    lines->push_back(absl::StrCat(std::string(indent, ' '), "Window ", absl::StrJoin(parts, ", ")));
    input_->Explain(indent + 2, lines);
  }

 private:
  // Computes `call` into `result` (by input row); `order` gets its window's row order.
  absl::Status ComputeCall(const WindowCall& call, const DataType& type, const ResultSet& input,
                           const ExecutionContext& context, Column* result,
                           std::vector<uint32_t>* order) const;

  const OperatorPtr input_;
  const std::vector<WindowCall> calls_;
};

absl::Status WindowOperator::ComputeCall(const WindowCall& call, const DataType& type,
                                         const ResultSet& input, const ExecutionContext& context,
                                         Column* result, std::vector<uint32_t>* order) const {
  const size_t rows = input.row_count;
  MUA_RETURN_IF_ERROR(CheckMemory(static_cast<int64_t>(rows) * 48));
  PartitionLayout layout;
  MUA_RETURN_IF_ERROR(operators_internal::SortForWindow(call, input, context, &layout));
  *order = layout.order;

  // The argument; offsets and n are constants, a default is evaluated at the end.
  EvaluatedColumn argument;
  if (!call.args.empty()) {
    MUA_RETURN_IF_ERROR(EvaluateColumn(*call.args[0], input, context, &argument));
  }
  const Column* value = call.args.empty() ? nullptr : &argument.column();
  int64_t offset = 1;
  if ((call.function == WindowFunction::kLagInFrame ||
       call.function == WindowFunction::kLeadInFrame || call.function == WindowFunction::kNthValue) &&
      call.args.size() >= 2) {
    offset = call.args[1]->constant.ints[0];
  }

  NumericResult numbers;
  SourceRows sources;
  const bool by_source = !IsRanking(call.function) && call.function != WindowFunction::kSum &&
                         call.function != WindowFunction::kAvg &&
                         call.function != WindowFunction::kCount;
  if (by_source) {
    sources.rows.assign(rows, kNoRow);
  } else if (type.id == TypeId::kFloat64) {
    numbers.floats.assign(rows, 0);
  } else {
    numbers.ints.assign(rows, 0);
  }
  if (type.nullable && !by_source) numbers.nulls.assign(rows, 0);

  Frames frames;
  std::vector<int64_t> int_sums;
  std::vector<double> float_sums;
  std::vector<uint32_t> counts, next_value, previous_value;
  size_t done_since_check = 0;
  for (size_t part = 0; part + 1 < layout.partition_starts.size(); ++part) {
    const size_t begin = layout.partition_starts[part], end = layout.partition_starts[part + 1];
    done_since_check += end - begin;
    if (done_since_check >= kRelationBatchRows) {
      done_since_check = 0;
      MUA_RETURN_IF_ERROR(CheckInterrupted(context));
    }
    operators_internal::ComputeFrames(call, input, layout, begin, end, &frames);
    const size_t size = end - begin;
    auto at = [&](size_t position) { return layout.order[position]; };
    auto non_null = [&](size_t position) {
      return value != nullptr && !value->is_null(at(position));
    };
    // Prefix counts and sums of the non-NULL argument values of the partition.
    if (call.function == WindowFunction::kSum || call.function == WindowFunction::kAvg ||
        (call.function == WindowFunction::kCount && value != nullptr)) {
      counts.assign(size + 1, 0);
      int_sums.assign(size + 1, 0);
      float_sums.assign(size + 1, 0);
      for (size_t k = 0; k < size; ++k) {
        const bool present = non_null(begin + k);
        counts[k + 1] = counts[k] + (present ? 1 : 0);
        int_sums[k + 1] = int_sums[k];
        float_sums[k + 1] = float_sums[k];
        if (!present || call.function == WindowFunction::kCount) continue;
        if (value->type.id == TypeId::kFloat64) {
          float_sums[k + 1] += value->floats[at(begin + k)];
        } else {
          // Wrapping addition: UInt64 and Int64 sums as ClickHouse's (no overflow check).
          int_sums[k + 1] = static_cast<int64_t>(static_cast<uint64_t>(int_sums[k + 1]) +
                                                 static_cast<uint64_t>(value->ints[at(begin + k)]));
          float_sums[k + 1] += NumberAt(*value, at(begin + k));
        }
      }
    }
    if (call.function == WindowFunction::kFirstValue || call.function == WindowFunction::kLastValue) {
      next_value.assign(size + 1, static_cast<uint32_t>(size));
      previous_value.assign(size + 1, kNoRow);  // previous_value[k + 1]: last non-NULL <= k
      for (size_t k = size; k-- > 0;) {
        next_value[k] = non_null(begin + k) ? static_cast<uint32_t>(k) : next_value[k + 1];
      }
      for (size_t k = 0; k < size; ++k) {
        previous_value[k + 1] = non_null(begin + k) ? static_cast<uint32_t>(k) : previous_value[k];
      }
    }
    operators_internal::SlidingExtreme extreme;
    uint64_t dense_rank = 0;
    for (size_t k = 0; k < size; ++k) {
      const size_t position = begin + k;
      const uint32_t row = at(position);
      const size_t frame_begin = frames.begin[k], frame_end = frames.end[k];
      const bool first_peer = layout.peer_start(position) == position;
      switch (call.function) {
        case WindowFunction::kRowNumber: numbers.ints[row] = static_cast<int64_t>(k + 1); break;
        case WindowFunction::kRank:
          numbers.ints[row] = static_cast<int64_t>(layout.peer_start(position) - begin + 1);
          break;
        case WindowFunction::kDenseRank:
          if (first_peer) ++dense_rank;
          numbers.ints[row] = static_cast<int64_t>(dense_rank);
          break;
        case WindowFunction::kPercentRank:
          numbers.floats[row] = size <= 1 ? 0
                                          : static_cast<double>(layout.peer_start(position) - begin) /
                                                static_cast<double>(size - 1);
          break;
        case WindowFunction::kLagInFrame:
        case WindowFunction::kLeadInFrame: {
          const int64_t target = call.function == WindowFunction::kLagInFrame
                                     ? static_cast<int64_t>(position) - offset
                                     : static_cast<int64_t>(position) + offset;
          if (target >= static_cast<int64_t>(begin + frame_begin) &&
              target < static_cast<int64_t>(begin + frame_end)) {
            sources.rows[row] = at(static_cast<size_t>(target));
          }
          break;
        }
        case WindowFunction::kFirstValue:
          if (frame_begin < frame_end && next_value[frame_begin] < frame_end) {
            sources.rows[row] = at(begin + next_value[frame_begin]);
          }
          break;
        case WindowFunction::kLastValue:
          if (frame_begin < frame_end && previous_value[frame_end] != kNoRow &&
              previous_value[frame_end] >= frame_begin) {
            sources.rows[row] = at(begin + previous_value[frame_end]);
          }
          break;
        case WindowFunction::kNthValue:
          if (frame_begin + offset - 1 < frame_end) {
            sources.rows[row] = at(begin + frame_begin + offset - 1);
          }
          break;
        case WindowFunction::kCount:
          if (frame_begin >= frame_end) break;
          numbers.ints[row] = static_cast<int64_t>(
              value == nullptr ? frame_end - frame_begin : counts[frame_end] - counts[frame_begin]);
          break;
        case WindowFunction::kSum:
        case WindowFunction::kAvg: {
          const uint32_t present =
              frame_begin < frame_end ? counts[frame_end] - counts[frame_begin] : 0;
          if (present == 0 && type.nullable) {
            numbers.nulls[row] = 1;
            break;
          }
          if (call.function == WindowFunction::kAvg) {
            const double sum =
                present == 0 ? 0
                : value->type.id == TypeId::kFloat64
                    ? float_sums[frame_end] - float_sums[frame_begin]
                    : (value->type.is_unsigned()
                           ? static_cast<double>(static_cast<uint64_t>(int_sums[frame_end]) -
                                                 static_cast<uint64_t>(int_sums[frame_begin]))
                           : static_cast<double>(int_sums[frame_end] - int_sums[frame_begin]));
            numbers.floats[row] = present == 0 ? std::nan("") : sum / present;
          } else if (type.id == TypeId::kFloat64) {
            numbers.floats[row] = present == 0 ? 0 : float_sums[frame_end] - float_sums[frame_begin];
          } else if (present != 0) {
            numbers.ints[row] = static_cast<int64_t>(static_cast<uint64_t>(int_sums[frame_end]) -
                                                     static_cast<uint64_t>(int_sums[frame_begin]));
          }
          break;
        }
        case WindowFunction::kMin:
        case WindowFunction::kMax: {
          const uint32_t best = extreme.Move(*value, layout.order, begin, frame_begin, frame_end,
                                             call.function == WindowFunction::kMax);
          if (best != kNoRow) sources.rows[row] = best;
          break;
        }
      }
    }
  }

  *result = EmptyColumn(type);
  if (by_source) {
    GatherColumn(*value, sources.rows, result);
    if (call.args.size() == 3) {  // lagInFrame / leadInFrame with a default of their own
      EvaluatedColumn fallback;
      MUA_RETURN_IF_ERROR(EvaluateColumn(*call.args[2], input, context, &fallback));
      operators_internal::ApplyDefaults(fallback.column(), sources.rows, result);
    }
    return absl::OkStatus();
  }
  result->ints = std::move(numbers.ints);
  result->floats = std::move(numbers.floats);
  result->nulls = std::move(numbers.nulls);
  return absl::OkStatus();
}

absl::StatusOr<ResultSet> WindowOperator::Execute(const ExecutionContext& context) const {
  std::vector<DataType> types;
  for (const WindowCall& call : calls_) {
    MUA_ASSIGN_OR_RETURN(DataType type, WindowResultType(call));
    types.push_back(type);
  }
  MUA_ASSIGN_OR_RETURN(const ResultSet input, input_->Execute(context));
  std::vector<Column> results(calls_.size());
  std::vector<uint32_t> order(input.row_count);
  for (size_t i = 0; i < order.size(); ++i) order[i] = static_cast<uint32_t>(i);
  for (size_t i = 0; i < calls_.size(); ++i) {
    MUA_RETURN_IF_ERROR(ComputeCall(calls_[i], types[i], input, context, &results[i], &order));
    MUA_RETURN_IF_ERROR(CheckInterrupted(context));
  }
  ResultSet output;
  MUA_RETURN_IF_ERROR(GatherRelation(input, AllColumns(input), order, {}, context, &output));
  for (size_t i = 0; i < calls_.size(); ++i) {
    Column& column = output.AddColumn(calls_[i].name, results[i].type);
    GatherColumn(results[i], order, &column);
  }
  output.statistics = input.statistics;
  return output;
}

}  // namespace

OperatorPtr MakeWindow(OperatorPtr input, std::vector<WindowCall> calls) {
  return std::make_shared<WindowOperator>(std::move(input), std::move(calls));
}

}  // namespace mua
