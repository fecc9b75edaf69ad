// arrayReduce('agg', arr1, ...): an aggregate function over each row's array
// elements, e.g. arrayReduce('uniqExact', tags), arrayReduce('quantile(0.9)', xs).
// One aggregate instance per batch with a group per row: the elements of all
// rows are folded in a single Update, as GROUP BY would.
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "query/aggregate_function.h"
#include "query/internal/array_util.h"
#include "query/internal/kernel_util.h"
#include "query/interrupt.h"
#include "storage/base/memory_tracker.h"
#include "storage/base/status_macros.h"

namespace mua::query_internal {
namespace {

// Splits 'quantile(0.5, 0.9)' into the name and numeric parameters.
absl::Status ParseAggregateName(absl::string_view text, std::string* name,
                                std::vector<Vector>* parameters) {
  text = absl::StripAsciiWhitespace(text);
  const size_t open = text.find('(');
  *name = std::string(absl::StripAsciiWhitespace(text.substr(0, open)));
  if (open == absl::string_view::npos) return absl::OkStatus();
  if (text.back() != ')') {
    return absl::InvalidArgumentError(absl::StrCat("Cannot parse aggregate function ", text));
  }
  const absl::string_view inside = text.substr(open + 1, text.size() - open - 2);
  for (absl::string_view part : absl::StrSplit(inside, ',', absl::SkipWhitespace())) {
    part = absl::StripAsciiWhitespace(part);
    uint64_t unsigned_value = 0;
    int64_t signed_value = 0;
    double float_value = 0;
    if (absl::SimpleAtoi(part, &unsigned_value)) {
      parameters->push_back(Vector::ConstantInt(IntegerLiteralType(static_cast<int64_t>(unsigned_value), true),
                                                static_cast<int64_t>(unsigned_value), 1));
    } else if (absl::SimpleAtoi(part, &signed_value)) {
      parameters->push_back(Vector::ConstantInt(IntegerLiteralType(signed_value, false), signed_value, 1));
    } else if (absl::SimpleAtod(part, &float_value)) {
      parameters->push_back(Vector::ConstantFloat(float_value, 1));
    } else {
      return absl::InvalidArgumentError(
          absl::StrCat("Parameters of aggregate function in arrayReduce must be numbers: ", text));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<ScalarBinding> BindArrayReduce(absl::string_view name, absl::Span<const ScalarArg> args) {
  if (args.size() < 2) return ArityError(name, args.size(), "at least 2");
  if (!args[0].type.is_string() || args[0].constant == nullptr) {
    return absl::InvalidArgumentError(absl::StrCat(
        "First argument for function ", name, " must be constant string: name of aggregate function."));
  }
  std::string aggregate_name;
  std::vector<Vector> parameters;
  MUA_RETURN_IF_ERROR(ParseAggregateName(args[0].constant->string_at(0), &aggregate_name, &parameters));
  std::vector<AggregateArg> element_args;
  for (size_t i = 1; i < args.size(); ++i) {
    if (args[i].type.id != TypeId::kArray) return IllegalType(name, args[i].type, static_cast<int>(i + 1));
    DataType element = args[i].type.element_type();
    element.low_cardinality = false;
    element_args.push_back({element, nullptr, false});
  }
  absl::StatusOr<std::unique_ptr<AggregateFunction>> bound =
      BindAggregateFunction(aggregate_name, parameters, element_args, false);
  if (!bound.ok()) return bound.status();
  std::shared_ptr<const AggregateFunction> prototype = *std::move(bound);
  const DataType type = prototype->result_type();
  return ScalarBinding{type, [prototype, type, name = std::string(name)](
                                 absl::Span<Vector> v, size_t rows, StringPool* pool,
                                 Vector* out) -> absl::Status {
                         const bool constant = AllConstant(v.subspan(1));
                         const size_t physical = constant ? 1 : rows;
                         for (size_t i = 1; i < v.size(); ++i) {
                           MUA_RETURN_IF_ERROR(CheckArrayRowElements(v[i], physical));
                         }
                         const std::vector<uint32_t> offsets = ArrayRowOffsets(v[1], physical);
                         std::vector<Vector> elements;
                         for (size_t i = 1; i < v.size(); ++i) {
                           if (ArrayRowOffsets(v[i], physical) != offsets) {
                             return absl::InvalidArgumentError(absl::StrCat(
                                 "All arrays passed to function ", name, " must have equal size"));
                           }
                           elements.push_back(ArrayRowElements(v[i], physical));
                         }
                         std::vector<uint32_t> group_of_element(offsets.back());
                         for (size_t row = 0; row < physical; ++row) {
                           for (uint32_t k = offsets[row]; k < offsets[row + 1]; ++k) {
                             group_of_element[k] = static_cast<uint32_t>(row);
                           }
                         }
                         std::unique_ptr<AggregateFunction> aggregate = prototype->CloneEmpty();
                         aggregate->Resize(physical);
                         MUA_RETURN_IF_ERROR(CheckStatementInterrupted());
                         MUA_RETURN_IF_ERROR(aggregate->Update(elements, group_of_element));
                         MUA_RETURN_IF_ERROR(CheckStatementInterrupted());
                         aggregate->Finalize(out);
                         MUA_RETURN_IF_ERROR(aggregate->finalize_status());
                         out->size = physical;
                         // The values view the aggregate, which dies here.
                         OwnStrings(pool, out);
                         out->type = type;
                         if (constant) MarkConstant(rows, out);
                         return absl::OkStatus();
                       }};
}

}  // namespace

void RegisterArrayReduce(FunctionRegistry* registry) { registry->Add("arrayReduce", BindArrayReduce); }

}  // namespace mua::query_internal
