#include "query/operators/array_join.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "query/operators/relation.h"
#include "storage/base/status_macros.h"

namespace mua {
namespace {

// The elements of an array column as a column of the element type (a copy for a
// flat array; the child column otherwise).
Column Elements(const Column& array) {
  if (array.type.nested_elements() && !array.children.empty()) return array.children[0];
  Column elements = EmptyColumn(array.type.element_type());
  elements.ints = array.ints;
  elements.floats = array.floats;
  elements.strings = array.strings;
  return elements;
}

class ArrayJoinOperator : public Operator {
 public:
  ArrayJoinOperator(OperatorPtr input, std::vector<ArrayJoinColumn> arrays, bool left)
      : input_(std::move(input)), arrays_(std::move(arrays)), left_(left) {}

  absl::StatusOr<ResultSet> Execute(const ExecutionContext& context) const override {
    for (const ArrayJoinColumn& array : arrays_) {
      if (array.array->type.id != TypeId::kArray) {
        return absl::InvalidArgumentError(absl::StrCat(
            "ARRAY JOIN requires an array argument, got ", array.array->type.Name(), " (",
            array.array->sql, ")"));
      }
    }
    MUA_ASSIGN_OR_RETURN(const ResultSet input, input_->Execute(context));
    std::vector<EvaluatedColumn> arrays(arrays_.size());
    for (size_t i = 0; i < arrays_.size(); ++i) {
      MUA_RETURN_IF_ERROR(EvaluateColumn(*arrays_[i].array, input, context, &arrays[i]));
    }
    // Which input row, and which element of each array, each output row takes.
    std::vector<uint32_t> input_rows;
    std::vector<std::vector<uint32_t>> element_rows(arrays.size());
    for (size_t row = 0; row < input.row_count; ++row) {
      if (row % kRelationBatchRows == 0) MUA_RETURN_IF_ERROR(CheckInterrupted(context));
      uint32_t length = 0;
      for (size_t i = 0; i < arrays.size(); ++i) {
        const std::vector<uint32_t>& offsets = arrays[i].column().array_offsets;
        const uint32_t size = offsets[row + 1] - offsets[row];
        if (i > 0 && size != length) {
          return absl::InvalidArgumentError("Sizes of ARRAY-JOIN-ed arrays do not match");
        }
        length = size;
      }
      const size_t rows = length == 0 ? (left_ ? 1 : 0) : length;
      if (input_rows.size() + rows >= kNoRow) {
        return absl::ResourceExhaustedError("ARRAY JOIN would produce too many rows");
      }
      MUA_RETURN_IF_ERROR(ReserveTracked(&input_rows, input_rows.size() + rows));
      input_rows.insert(input_rows.end(), rows, static_cast<uint32_t>(row));
      for (size_t i = 0; i < arrays.size(); ++i) {
        MUA_RETURN_IF_ERROR(ReserveTracked(&element_rows[i], element_rows[i].size() + rows));
        const uint32_t first = arrays[i].column().array_offsets[row];
        if (length == 0 && left_) element_rows[i].push_back(kNoRow);
        for (uint32_t k = 0; k < length; ++k) element_rows[i].push_back(first + k);
      }
    }
    ResultSet output;
    MUA_RETURN_IF_ERROR(GatherRelation(input, AllColumns(input), input_rows, {}, context, &output));
    for (size_t i = 0; i < arrays.size(); ++i) {
      const Column elements = Elements(arrays[i].column());
      MUA_RETURN_IF_ERROR(CheckMemory(GatherBytes(elements, element_rows[i].size())));
      Column& column = output.AddColumn(arrays_[i].name, elements.type);
      GatherColumn(elements, element_rows[i], &column);
    }
    output.row_count = input_rows.size();
    output.statistics = input.statistics;
    return output;
  }

  void Explain(int indent, std::vector<std::string>* lines) const override {
    std::vector<std::string> parts;
    for (const ArrayJoinColumn& array : arrays_) {
      parts.push_back(absl::StrCat(array.array->sql, " AS ", array.name));
    }
    lines->push_back(absl::StrCat(std::string(indent, ' '), left_ ? "LeftArrayJoin " : "ArrayJoin ",
                                  absl::StrJoin(parts, ", ")));
    input_->Explain(indent + 2, lines);
  }

 private:
  const OperatorPtr input_;
  const std::vector<ArrayJoinColumn> arrays_;
  const bool left_;
};

}  // namespace

OperatorPtr MakeArrayJoin(OperatorPtr input, std::vector<ArrayJoinColumn> arrays, bool left) {
  return std::make_shared<ArrayJoinOperator>(std::move(input), std::move(arrays), left);
}

}  // namespace mua
