#include "query/logical_plan.h"

#include <cmath>
#include <utility>

#include "absl/strings/str_cat.h"
#include "query/scalar_functions.h"

namespace mua {

std::vector<DataType> OutputTypes(const SelectPlan& plan) {
  std::vector<DataType> types;
  types.reserve(plan.outputs.size());
  for (const BoundExprPtr& output : plan.outputs) types.push_back(output->type);
  return types;
}

absl::Status CheckInSetType(const DataType& value_type, const DataType& operand_type) {
  if (value_type.id == TypeId::kNothing) return absl::OkStatus();
  if (operand_type.is_tuple() || operand_type.id == TypeId::kArray) return absl::OkStatus();  // per element
  if (operand_type.is_string()) {
    if (value_type.is_string()) return absl::OkStatus();
    return absl::InvalidArgumentError(
        absl::StrCat("Types of IN set (", value_type.Name(), ") and operand (String) differ"));
  }
  if (operand_type.is_time() && value_type.is_string()) return absl::OkStatus();
  if (value_type.is_numeric() || value_type.is_time()) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrCat("Types of IN set (", value_type.Name(), ") and operand (",
                                                 operand_type.Name(), ") differ"));
}

absl::Status AddToInSet(const Vector& v, size_t row, const DataType& operand_type, InSet* set) {
  if (v.type.id == TypeId::kNothing || v.is_null(row)) return absl::OkStatus();
  // Tuples and arrays: keys of the elements converted to the operand's types (query/expression.h).
  if (operand_type.is_tuple() || operand_type.id == TypeId::kArray) return AddToKeyedInSet(operand_type, v, row, set);
  if (absl::Status s = CheckInSetType(v.type, operand_type); !s.ok()) return s;
  if (operand_type.is_string()) {
    set->strings.emplace(v.string_at(row));
  } else if (operand_type.is_time() && v.type.is_string()) {
    absl::StatusOr<int64_t> time = ParseTimeLiteral(v.string_at(row), operand_type);
    if (!time.ok()) return time.status();
    set->ints.insert(*time);
  } else if (v.type.id == TypeId::kFloat64 || operand_type.id == TypeId::kFloat64) {
    set->has_floats = true;
    const double value = v.number_at(row);
    if (std::isnan(value)) {
      set->has_nan = true;
    } else {
      set->floats.insert(value);
    }
  } else {
    set->ints.insert(v.int_at(row));
  }
  return absl::OkStatus();
}

Vector ScalarDefault(const DataType& type) {
  Vector value;
  value.type = type;
  value.constant = true;
  value.size = 1;
  value.ints.assign(1, 0);
  value.floats.assign(1, 0);
  value.strings.assign(1, absl::string_view());
  if (type.id == TypeId::kArray) {
    value.ints.clear();
    value.floats.clear();
    value.strings.clear();
    value.offsets = {0, 0};
    if (type.nested_elements()) {  // no elements, but their vector (query/vector.h)
      Vector elements = ScalarDefault(type.element_type());
      elements.constant = false;
      elements.size = 0;
      elements.ints.clear();
      elements.floats.clear();
      elements.strings.clear();
      if (!elements.offsets.empty()) elements.offsets = {0};
      for (Vector& child : elements.children) child.size = 0;
      value.children.push_back(std::move(elements));
    }
  } else if (type.is_tuple()) {
    // One constant child per element: (SELECT (1, 'a') WHERE 0) is the tuple of defaults.
    for (size_t i = 0; i < type.tuple_size(); ++i) value.children.push_back(ScalarDefault(type.tuple_element(i)));
  }
  return value;
}

void ForEachPlanBottomUp(const std::shared_ptr<const SelectPlan>& root,
                         const std::function<void(SelectPlan&)>& visit) {
  // Iterative post-order: plans nest as deep as the statement's subqueries.
  std::vector<std::pair<SelectPlan*, bool>> stack;
  if (root != nullptr) stack.emplace_back(const_cast<SelectPlan*>(root.get()), false);
  while (!stack.empty()) {
    auto [plan, expanded] = stack.back();
    stack.pop_back();
    if (expanded) {
      visit(*plan);
      continue;
    }
    stack.emplace_back(plan, true);
    auto push = [&](const std::shared_ptr<const SelectPlan>& child) {
      if (child != nullptr) stack.emplace_back(const_cast<SelectPlan*>(child.get()), false);
    };
    push(plan->source.subquery);
    for (const auto& input : plan->source.inputs) push(input);
    for (const PreparedInput& prepared : plan->prepared) push(prepared.plan);
  }
}

void DeferredRows::SetRowsPerUser(const ResultSet& schema) {
  rows_per_user = true;
  for (size_t i = 0; i < schema.names.size(); ++i) {
    if (schema.names[i] == "user_id") user_column = static_cast<int>(i);
  }
}

}  // namespace mua
