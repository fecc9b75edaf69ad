#include "query/operators/limit_by.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "query/operators/relation.h"
#include "storage/base/hash_containers.h"
#include "storage/base/status_macros.h"

namespace mua {
namespace {

class LimitByOperator : public Operator {
 public:
  LimitByOperator(OperatorPtr input, std::vector<BoundExprPtr> keys, uint64_t limit,
                  uint64_t offset)
      : input_(std::move(input)), keys_(std::move(keys)), limit_(limit), offset_(offset) {}

  absl::StatusOr<ResultSet> Execute(const ExecutionContext& context) const override {
    MUA_ASSIGN_OR_RETURN(const ResultSet input, input_->Execute(context));
    const size_t rows = input.row_count;
    std::vector<EvaluatedColumn> values(keys_.size());
    std::vector<const Column*> columns;
    std::vector<KeyEncoding> encodings;
    for (size_t i = 0; i < keys_.size(); ++i) {
      MUA_RETURN_IF_ERROR(EvaluateColumn(*keys_[i], input, context, &values[i]));
      columns.push_back(&values[i].column());
      encodings.push_back(KeyEncodingFor(values[i].type()));
    }
    const RowKeys keys(std::move(columns), std::move(encodings), rows);
    // Groups by key hash; groups of equal hash but different keys chain.
    HashMap<uint64_t, uint32_t> first_group;
    std::vector<uint32_t> group_row, group_next;
    std::vector<uint64_t> group_count;
    std::vector<uint32_t> kept;
    for (size_t row = 0; row < rows; ++row) {
      if (row % kRelationBatchRows == 0) MUA_RETURN_IF_ERROR(CheckInterrupted(context));
      auto [it, inserted] = first_group.try_emplace(keys.hash(row), kNoRow);
      uint32_t group = it->second;
      while (group != kNoRow && !keys.Equal(row, keys, group_row[group])) group = group_next[group];
      if (group == kNoRow) {
        group = static_cast<uint32_t>(group_row.size());
        group_row.push_back(static_cast<uint32_t>(row));
        group_next.push_back(it->second);
        group_count.push_back(0);
        it->second = group;
      }
      const uint64_t seen = group_count[group]++;
      if (seen >= offset_ && seen - offset_ < limit_) {
        MUA_RETURN_IF_ERROR(ReserveTracked(&kept, kept.size() + 1));
        kept.push_back(static_cast<uint32_t>(row));
      }
    }
    MUA_RETURN_IF_ERROR(CheckMemory());
    ResultSet output;
    MUA_RETURN_IF_ERROR(GatherRelation(input, AllColumns(input), kept, {}, context, &output));
    output.statistics = input.statistics;
    return output;
  }

  void Explain(int indent, std::vector<std::string>* lines) const override {
    std::vector<std::string> keys;
    for (const BoundExprPtr& key : keys_) keys.push_back(key->sql);
    std::string line = absl::StrCat(std::string(indent, ' '), "LimitBy ", limit_);
    if (offset_ != 0) absl::StrAppend(&line, " OFFSET ", offset_);
    absl::StrAppend(&line, " BY ", absl::StrJoin(keys, ", "));
    lines->push_back(std::move(line));
    input_->Explain(indent + 2, lines);
  }

 private:
  const OperatorPtr input_;
  const std::vector<BoundExprPtr> keys_;
  const uint64_t limit_;
  const uint64_t offset_;
};

}  // namespace

OperatorPtr MakeLimitBy(OperatorPtr input, std::vector<BoundExprPtr> keys, uint64_t limit,
                        uint64_t offset) {
  return std::make_shared<LimitByOperator>(std::move(input), std::move(keys), limit, offset);
}

}  // namespace mua
