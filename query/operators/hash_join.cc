#include "query/operators/hash_join.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "query/operators/relation.h"
#include "storage/base/hash_containers.h"
#include "storage/base/status_macros.h"

namespace mua {
namespace {

const char* KindName(JoinKind kind) {
  switch (kind) {
    case JoinKind::kInner: return "INNER";
    case JoinKind::kLeft: return "LEFT";
    case JoinKind::kRight: return "RIGHT";
    case JoinKind::kFull: return "FULL";
    case JoinKind::kCross: return "CROSS";
  }
  return "";
}

const char* StrictnessName(JoinStrictness strictness) {
  switch (strictness) {
    case JoinStrictness::kAll: return "ALL";
    case JoinStrictness::kAny: return "ANY";
    case JoinStrictness::kSemi: return "SEMI";
    case JoinStrictness::kAnti: return "ANTI";
  }
  return "";
}

bool LeftMayMiss(const JoinSpec& spec) {  // left columns of rows without a left match
  return spec.kind == JoinKind::kRight || spec.kind == JoinKind::kFull;
}
bool RightMayMiss(const JoinSpec& spec) {
  return spec.kind == JoinKind::kLeft || spec.kind == JoinKind::kFull;
}

// The columns a residual reads (walked with a stack: expression depth is the user's).
std::vector<int> ReferencedColumns(const BoundExpr& root) {
  std::vector<int> columns;
  std::vector<const BoundExpr*> stack = {&root};
  while (!stack.empty()) {
    const BoundExpr* expr = stack.back();
    stack.pop_back();
    if (expr->kind == BoundExpr::Kind::kColumn) columns.push_back(expr->column);
    for (const BoundExprPtr& arg : expr->args) stack.push_back(arg.get());
  }
  std::sort(columns.begin(), columns.end());
  columns.erase(std::unique(columns.begin(), columns.end()), columns.end());
  return columns;
}

class HashJoinOperator : public Operator {
 public:
  HashJoinOperator(OperatorPtr left, OperatorPtr right, JoinSpec spec)
      : left_(std::move(left)), right_(std::move(right)), spec_(std::move(spec)) {}

  absl::StatusOr<ResultSet> Execute(const ExecutionContext& context) const override;
  void Explain(int indent, std::vector<std::string>* lines) const override;

 private:
  // Everything one execution holds.
  struct Run {
    const ResultSet* left = nullptr;
    const ResultSet* right = nullptr;
    RowKeys left_keys, right_keys;
    HashMap<uint64_t, uint32_t> heads;  // key hash -> first right row (chains in input order)
    std::vector<uint32_t> next;
    std::vector<uint8_t> right_matched;  // per right row
    std::vector<uint8_t> key_taken;      // INNER ANY: per first right row of a key
    std::vector<uint32_t> out_left, out_right;
    std::vector<int> residual_columns;
  };

  absl::Status Build(const ExecutionContext& context, Run* run) const;
  absl::Status Probe(const ExecutionContext& context, Run* run) const;
  // Applies the strictness to left row `row` whose passing candidates are `matches`
  // (in right input order); `first_candidate` is its first key-equal right row.
  absl::Status Emit(uint32_t row, absl::Span<const uint32_t> matches, uint32_t first_candidate,
                    Run* run) const;
  // "Limit for result exceeded" once `rows` output rows pass spec_.max_output_rows.
  absl::Status CheckOutputRows(size_t rows) const {
    if (spec_.max_output_rows == 0 || rows <= spec_.max_output_rows) return absl::OkStatus();
    return absl::ResourceExhaustedError(absl::StrCat("Limit for result exceeded: more than ",
                                                     spec_.max_result_rows, " rows, max_result_rows is ",
                                                     spec_.max_result_rows));
  }
  // Keeps the candidate pairs the residual accepts.
  absl::Status FilterResidual(const ExecutionContext& context, const Run& run,
                              std::vector<uint32_t>* left_rows,
                              std::vector<uint32_t>* right_rows) const;

  const OperatorPtr left_;
  const OperatorPtr right_;
  const JoinSpec spec_;
};

}  // namespace

absl::Status ValidateJoinSpec(const JoinSpec& spec) {
  if (spec.left_keys.size() != spec.right_keys.size()) {
    return absl::InvalidArgumentError("JOIN: the left and right key lists differ in length");
  }
  if (spec.kind == JoinKind::kCross && !spec.left_keys.empty()) {
    return absl::InvalidArgumentError("CROSS JOIN takes no join keys");
  }
  if ((spec.strictness == JoinStrictness::kSemi || spec.strictness == JoinStrictness::kAnti) &&
      spec.kind != JoinKind::kLeft && spec.kind != JoinKind::kRight) {
    return absl::InvalidArgumentError(absl::StrCat(StrictnessName(spec.strictness),
                                                   " JOIN should be LEFT or RIGHT"));
  }
  if (spec.strictness == JoinStrictness::kAny && spec.kind == JoinKind::kFull) {
    return absl::UnimplementedError("ANY FULL JOINs are not implemented");
  }
  for (size_t i = 0; i < spec.left_keys.size(); ++i) {
    KeyEncoding left, right;
    MUA_RETURN_IF_ERROR(
        UnifyKeyEncodings(spec.left_keys[i]->type, spec.right_keys[i]->type, &left, &right));
  }
  return absl::OkStatus();
}

DataType JoinOutputType(const JoinSpec& spec, bool right_side, const DataType& type) {
  const bool may_miss = right_side ? RightMayMiss(spec) : LeftMayMiss(spec);
  if (!spec.join_use_nulls || !may_miss || type.CannotBeNullable()) return type;
  DataType nullable = type;
  nullable.nullable = true;
  return nullable;
}

namespace {

// The type a column's values have, whatever its Nullable and LowCardinality flags.
DataType ValueType(const DataType& type) {
  DataType value = type.WithoutNullable();
  value.low_cardinality = false;
  return value;
}

// FULL JOIN ... USING (JoinSpec::using_columns): output rows without a left row take the right
// row's key in the left key column.
void FillUsingKeys(const JoinSpec& spec, const std::vector<int>& left_outputs, const ResultSet& right,
                   const std::vector<uint32_t>& out_left, const std::vector<uint32_t>& out_right,
                   ResultSet* result) {
  for (const auto& [left_column, right_column] : spec.using_columns) {
    const auto at = std::find(left_outputs.begin(), left_outputs.end(), left_column);
    if (at == left_outputs.end() || right_column < 0 ||
        static_cast<size_t>(right_column) >= right.columns.size()) {
      continue;
    }
    Column& target = result->columns[static_cast<size_t>(at - left_outputs.begin())];
    const Column& source = right.columns[static_cast<size_t>(right_column)];
    if (ValueType(target.type) != ValueType(source.type) || target.type.id == TypeId::kArray ||
        target.type.is_tuple() || target.type.id == TypeId::kNothing) {
      continue;
    }
    for (size_t row = 0; row < out_left.size(); ++row) {
      if (out_left[row] != kNoRow) continue;
      const uint32_t from = out_right[row];
      if (source.is_null(from)) continue;  // a NULL key matches nothing: the left stays default
      if (!target.nulls.empty()) target.nulls[row] = 0;
      if (target.type.is_string()) {
        target.strings[row] = source.strings[from];
      } else if (target.type.id == TypeId::kFloat64) {
        target.floats[row] = source.floats[from];
      } else {
        target.ints[row] = source.ints[from];
      }
    }
  }
}

absl::Status HashJoinOperator::Build(const ExecutionContext& context, Run* run) const {
  const size_t rows = run->right->row_count;
  run->next.assign(rows, kNoRow);
  for (size_t end = rows; end > 0;) {
    MUA_RETURN_IF_ERROR(CheckInterrupted(context));
    const size_t begin = end > kRelationBatchRows ? end - kRelationBatchRows : 0;
    // Backwards, so that each chain lists its rows in input order.
    for (size_t row = end; row-- > begin;) {
      if (run->right_keys.has_null(row)) continue;
      auto [it, inserted] = run->heads.try_emplace(run->right_keys.hash(row), row);
      if (!inserted) {
        run->next[row] = it->second;
        it->second = static_cast<uint32_t>(row);
      }
    }
    end = begin;
  }
  return CheckMemory();
}

absl::Status HashJoinOperator::Emit(uint32_t row, absl::Span<const uint32_t> matches,
                                    uint32_t first_candidate, Run* run) const {
  auto pair = [run](uint32_t left, uint32_t right) {
    run->out_left.push_back(left);
    run->out_right.push_back(right);
  };
  const size_t most = run->out_left.size() + std::max<size_t>(1, matches.size());
  if (most > kMaxJoinRows) {
    return absl::ResourceExhaustedError(
        absl::StrCat("JOIN would produce more than ", kMaxJoinRows, " rows"));
  }
  MUA_RETURN_IF_ERROR(ReserveTracked(&run->out_left, most));
  MUA_RETURN_IF_ERROR(ReserveTracked(&run->out_right, most));
  const bool right_kind = spec_.kind == JoinKind::kRight;
  switch (spec_.strictness) {
    case JoinStrictness::kAll:
      for (uint32_t match : matches) {
        pair(row, match);
        if (!run->right_matched.empty()) run->right_matched[match] = 1;
      }
      if (matches.empty() && RightMayMiss(spec_)) pair(row, kNoRow);
      return absl::OkStatus();
    case JoinStrictness::kAny:
    case JoinStrictness::kSemi:
      if (right_kind) {  // each right row with the first left row that matches it
        for (uint32_t match : matches) {
          if (run->right_matched[match]) continue;
          run->right_matched[match] = 1;
          pair(row, match);
        }
        return absl::OkStatus();
      }
      if (spec_.kind == JoinKind::kInner) {
        if (spec_.residual == nullptr) {
          // Key-level: the first left row of a key takes the key's first right row.
          if (matches.empty() || run->key_taken[first_candidate]) return absl::OkStatus();
          run->key_taken[first_candidate] = 1;
          pair(row, matches[0]);
          return absl::OkStatus();
        }
        for (uint32_t match : matches) {
          if (run->key_taken[match]) continue;
          run->key_taken[match] = 1;
          pair(row, match);
          break;
        }
        return absl::OkStatus();
      }
      // LEFT ANY, LEFT SEMI.
      if (!matches.empty()) {
        pair(row, matches[0]);
      } else if (spec_.strictness == JoinStrictness::kAny) {
        pair(row, kNoRow);
      }
      return absl::OkStatus();
    case JoinStrictness::kAnti:
      if (right_kind) {
        for (uint32_t match : matches) run->right_matched[match] = 1;
      } else if (matches.empty()) {
        pair(row, kNoRow);
      }
      return absl::OkStatus();
  }
  return absl::OkStatus();
}

absl::Status HashJoinOperator::FilterResidual(const ExecutionContext& context, const Run& run,
                                              std::vector<uint32_t>* left_rows,
                                              std::vector<uint32_t>* right_rows) const {
  const size_t left_width = run.left->columns.size();
  // Only the columns the residual reads are gathered; the others stay empty.
  ResultSet combined;
  for (const Column& column : run.left->columns) combined.columns.push_back(EmptyColumn(column.type));
  for (const Column& column : run.right->columns) {
    combined.columns.push_back(EmptyColumn(column.type));
  }
  int64_t bytes = 0;
  for (int column : run.residual_columns) {
    const bool left = static_cast<size_t>(column) < left_width;
    bytes += GatherBytes(left ? run.left->columns[column] : run.right->columns[column - left_width],
                         left_rows->size());
  }
  MUA_RETURN_IF_ERROR(CheckMemory(bytes));
  for (int column : run.residual_columns) {
    const bool left = static_cast<size_t>(column) < left_width;
    GatherColumn(left ? run.left->columns[column] : run.right->columns[column - left_width],
                 left ? *left_rows : *right_rows, &combined.columns[column]);
  }
  MUA_RETURN_IF_ERROR(CheckInterrupted(context));
  Batch batch;
  StringPool pool;
  batch.pool = &pool;
  batch.rows = left_rows->size();
  batch.columns.resize(combined.columns.size());
  for (size_t i = 0; i < combined.columns.size(); ++i) batch.columns[i].type = combined.columns[i].type;
  for (int column : run.residual_columns) {
    batch.columns[column] = ColumnRows(combined.columns[column], 0, batch.rows);
  }
  std::vector<uint32_t> selected;
  MUA_RETURN_IF_ERROR(EvaluateFilter(*spec_.residual, batch, &selected));
  size_t kept = 0;
  for (uint32_t i : selected) {
    (*left_rows)[kept] = (*left_rows)[i];
    (*right_rows)[kept] = (*right_rows)[i];
    ++kept;
  }
  left_rows->resize(kept);
  right_rows->resize(kept);
  return absl::OkStatus();
}

absl::Status HashJoinOperator::Probe(const ExecutionContext& context, Run* run) const {
  const size_t rows = run->left->row_count;
  std::vector<uint32_t> candidate_left, candidate_right;  // one chunk's key-equal pairs
  std::vector<uint32_t> first_candidates;                 // per left row of the chunk
  size_t row = 0;
  while (row < rows) {
    MUA_RETURN_IF_ERROR(CheckInterrupted(context));
    const size_t chunk_begin = row;
    candidate_left.clear();
    candidate_right.clear();
    first_candidates.clear();
    while (row < rows && row - chunk_begin < kRelationBatchRows &&
           candidate_left.size() < kRelationBatchRows) {
      uint32_t first = kNoRow;
      if (!run->left_keys.has_null(row)) {
        auto it = run->heads.find(run->left_keys.hash(row));
        if (it != run->heads.end()) {
          for (uint32_t match = it->second; match != kNoRow; match = run->next[match]) {
            if (!run->left_keys.Equal(row, run->right_keys, match)) continue;
            if (first == kNoRow) first = match;
            if (candidate_left.size() == candidate_left.capacity()) {
              MUA_RETURN_IF_ERROR(ReserveTracked(&candidate_left, candidate_left.size() + 1));
              MUA_RETURN_IF_ERROR(ReserveTracked(&candidate_right, candidate_left.size() + 1));
            }
            candidate_left.push_back(static_cast<uint32_t>(row));
            candidate_right.push_back(match);
          }
        }
      }
      first_candidates.push_back(first);
      ++row;
    }
    if (spec_.residual != nullptr && !candidate_left.empty()) {
      MUA_RETURN_IF_ERROR(FilterResidual(context, *run, &candidate_left, &candidate_right));
    }
    size_t next = 0;
    for (size_t left = chunk_begin; left < row; ++left) {
      const size_t begin = next;
      while (next < candidate_left.size() && candidate_left[next] == left) ++next;
      MUA_RETURN_IF_ERROR(Emit(static_cast<uint32_t>(left),
                               absl::MakeConstSpan(candidate_right).subspan(begin, next - begin),
                               first_candidates[left - chunk_begin], run));
      MUA_RETURN_IF_ERROR(CheckOutputRows(run->out_left.size()));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<ResultSet> HashJoinOperator::Execute(const ExecutionContext& context) const {
  MUA_RETURN_IF_ERROR(ValidateJoinSpec(spec_));
  MUA_ASSIGN_OR_RETURN(const ResultSet right, right_->Execute(context));
  MUA_ASSIGN_OR_RETURN(const ResultSet left, left_->Execute(context));
  Run run;
  run.left = &left;
  run.right = &right;
  if (left.row_count >= kNoRow || right.row_count >= kNoRow) {
    return absl::ResourceExhaustedError("JOIN input has too many rows");
  }

  std::vector<EvaluatedColumn> left_values(spec_.left_keys.size());
  std::vector<EvaluatedColumn> right_values(spec_.right_keys.size());
  std::vector<const Column*> left_columns, right_columns;
  std::vector<KeyEncoding> left_encodings(spec_.left_keys.size());
  std::vector<KeyEncoding> right_encodings(spec_.left_keys.size());
  for (size_t i = 0; i < spec_.left_keys.size(); ++i) {
    MUA_RETURN_IF_ERROR(EvaluateColumn(*spec_.left_keys[i], left, context, &left_values[i]));
    MUA_RETURN_IF_ERROR(EvaluateColumn(*spec_.right_keys[i], right, context, &right_values[i]));
    MUA_RETURN_IF_ERROR(UnifyKeyEncodings(left_values[i].type(), right_values[i].type(),
                                          &left_encodings[i], &right_encodings[i]));
    left_columns.push_back(&left_values[i].column());
    right_columns.push_back(&right_values[i].column());
  }
  run.left_keys = RowKeys(std::move(left_columns), std::move(left_encodings), left.row_count);
  run.right_keys = RowKeys(std::move(right_columns), std::move(right_encodings), right.row_count);
  if (spec_.residual != nullptr) run.residual_columns = ReferencedColumns(*spec_.residual);

  const bool right_kind = spec_.kind == JoinKind::kRight;
  if (LeftMayMiss(spec_) || right_kind) run.right_matched.assign(right.row_count, 0);
  if (spec_.kind == JoinKind::kInner && spec_.strictness == JoinStrictness::kAny) {
    run.key_taken.assign(right.row_count, 0);
  }

  const std::vector<int> left_outputs = spec_.left_columns.value_or(AllColumns(left));
  const std::vector<int> right_outputs = spec_.right_columns.value_or(AllColumns(right));
  // A keyless ALL join (CROSS) knows its size: refuse it before building it.
  if (spec_.left_keys.empty() && spec_.residual == nullptr &&
      spec_.strictness == JoinStrictness::kAll) {
    const uint64_t pairs = left.row_count * right.row_count;
    if (right.row_count != 0 && pairs / right.row_count != left.row_count) {
      return absl::ResourceExhaustedError("JOIN would produce too many rows");
    }
    if (pairs > kMaxJoinRows) {
      return absl::ResourceExhaustedError(
          absl::StrCat("JOIN would produce ", pairs, " rows, more than ", kMaxJoinRows));
    }
    MUA_RETURN_IF_ERROR(CheckOutputRows(pairs));
    int64_t bytes = static_cast<int64_t>(pairs) * 8;
    for (int column : left_outputs) bytes += GatherBytes(left.columns[column], pairs);
    for (int column : right_outputs) bytes += GatherBytes(right.columns[column], pairs);
    MUA_RETURN_IF_ERROR(CheckMemory(bytes));
  }

  MUA_RETURN_IF_ERROR(Build(context, &run));
  MUA_RETURN_IF_ERROR(Probe(context, &run));
  if (!run.right_matched.empty() && spec_.strictness != JoinStrictness::kSemi &&
      (LeftMayMiss(spec_) || right_kind) &&
      (spec_.strictness != JoinStrictness::kAny || right_kind)) {
    for (uint32_t row = 0; row < right.row_count; ++row) {
      if (run.right_matched[row] != 0) continue;
      MUA_RETURN_IF_ERROR(CheckOutputRows(run.out_left.size() + 1));
      MUA_RETURN_IF_ERROR(ReserveTracked(&run.out_left, run.out_left.size() + 1));
      MUA_RETURN_IF_ERROR(ReserveTracked(&run.out_right, run.out_right.size() + 1));
      run.out_left.push_back(kNoRow);
      run.out_right.push_back(row);
    }
  }

  ResultSet result;
  const std::vector<bool> left_nullable(left_outputs.size(),
                                        spec_.join_use_nulls && (LeftMayMiss(spec_)));
  const std::vector<bool> right_nullable(right_outputs.size(),
                                         spec_.join_use_nulls && RightMayMiss(spec_));
  MUA_RETURN_IF_ERROR(
      GatherRelation(left, left_outputs, run.out_left, left_nullable, context, &result));
  FillUsingKeys(spec_, left_outputs, right, run.out_left, run.out_right, &result);
  run.out_left = {};
  ResultSet right_part;
  MUA_RETURN_IF_ERROR(
      GatherRelation(right, right_outputs, run.out_right, right_nullable, context, &right_part));
  for (size_t i = 0; i < right_part.columns.size(); ++i) {
    result.names.push_back(std::move(right_part.names[i]));
    result.columns.push_back(std::move(right_part.columns[i]));
  }
  result.row_count = run.out_right.size();
  result.statistics = left.statistics;
  result.statistics.rows_read += right.statistics.rows_read;
  result.statistics.bytes_read += right.statistics.bytes_read;
  return result;
}

void HashJoinOperator::Explain(int indent, std::vector<std::string>* lines) const {
  std::string line = absl::StrCat(std::string(indent, ' '), "HashJoin ", KindName(spec_.kind));
  if (spec_.kind != JoinKind::kCross) absl::StrAppend(&line, " ", StrictnessName(spec_.strictness));
  std::vector<std::string> conditions;
  for (size_t i = 0; i < spec_.left_keys.size(); ++i) {
    conditions.push_back(absl::StrCat(spec_.left_keys[i]->sql, " = ", spec_.right_keys[i]->sql));
  }
  if (spec_.residual != nullptr) conditions.push_back(spec_.residual->sql);
  if (!conditions.empty()) absl::StrAppend(&line, " ON ", absl::StrJoin(conditions, " AND "));
  if (spec_.join_use_nulls) absl::StrAppend(&line, " (join_use_nulls)");
  lines->push_back(std::move(line));
  left_->Explain(indent + 2, lines);
  right_->Explain(indent + 2, lines);
}

}  // namespace

OperatorPtr MakeHashJoin(OperatorPtr left, OperatorPtr right, JoinSpec spec) {
  return std::make_shared<HashJoinOperator>(std::move(left), std::move(right), std::move(spec));
}

}  // namespace mua
