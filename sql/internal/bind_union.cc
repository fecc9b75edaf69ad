// UNION ALL / UNION DISTINCT: each operand is bound on its own (its ORDER BY
// and LIMIT are its own, as in ClickHouse); the union is a block whose source
// is their rows in turn. Columns match by position, named as the first
// operand's; each column's type is the operands' common supertype, and
// operands of another type are converted.
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "query/scalar_functions.h"
#include "sql/internal/select_binder.h"

namespace mua::sql_internal {
namespace {

int IntegerBits(TypeId id) {
  switch (id) {
    case TypeId::kUInt8: case TypeId::kInt8: return 8;
    case TypeId::kUInt16: case TypeId::kInt16: return 16;
    case TypeId::kUInt32: case TypeId::kInt32: return 32;
    default: return 64;
  }
}

TypeId IntegerOf(int bits, bool is_signed) {
  switch (bits) {
    case 8: return is_signed ? TypeId::kInt8 : TypeId::kUInt8;
    case 16: return is_signed ? TypeId::kInt16 : TypeId::kUInt16;
    case 32: return is_signed ? TypeId::kInt32 : TypeId::kUInt32;
    default: return is_signed ? TypeId::kInt64 : TypeId::kUInt64;
  }
}

int TimeRank(TypeId id) { return id == TypeId::kDate ? 0 : id == TypeId::kDateTime ? 1 : 2; }

// Arrays and tuples have a supertype here only when their element types are the same
// (ClickHouse would widen them element by element; Convert cannot convert them).
bool SameComposite(const DataType& a, const DataType& b) {
  if (a.id != b.id || a.element != b.element || a.time_zone != b.time_zone) return false;
  if (a.children == b.children) return true;
  if (a.children == nullptr || b.children == nullptr) return false;
  return a.children->types == b.children->types;
}

// ClickHouse's supertype of two types, for the types MUA has.
std::optional<DataType> CommonType(const DataType& a, const DataType& b) {
  if (a.id == TypeId::kNothing || b.id == TypeId::kNothing) {
    const DataType& other = a.id == TypeId::kNothing ? b : a;
    DataType result{other.id, other.element, true};
    result.time_zone = other.time_zone;  // NULL and DateTime('Zone'): Nullable(DateTime('Zone'))
    return result;
  }
  DataType result = a;
  // getLeastSupertype: LowCardinality only when every operand is.
  result.low_cardinality = a.low_cardinality && b.low_cardinality;
  result.nullable = a.nullable || b.nullable;
  // Times keep getLeastSupertype's zone: the last DateTime64's, else the first DateTime's.
  if (b.id == TypeId::kDateTime64 || (b.id == TypeId::kDateTime && a.id == TypeId::kDate)) {
    result.time_zone = b.time_zone;
  }
  if (a.CannotBeNullable() || b.CannotBeNullable()) {
    if (!SameComposite(a, b)) return std::nullopt;
    result.nullable = false;
    return result;
  }
  if (a.id == b.id && a.element == b.element) return result;
  if (a.is_integer() && b.is_integer()) {
    const bool a_signed = !a.is_unsigned(), b_signed = !b.is_unsigned();
    int bits = std::max(IntegerBits(a.id), IntegerBits(b.id));
    if (a_signed != b_signed) {
      // The signed type must hold the unsigned one: UInt8 and Int8 give Int16.
      const int unsigned_bits = a_signed ? IntegerBits(b.id) : IntegerBits(a.id);
      const int signed_bits = a_signed ? IntegerBits(a.id) : IntegerBits(b.id);
      bits = std::min(64, std::max(signed_bits, unsigned_bits * 2));
    }
    result.id = IntegerOf(bits, a_signed || b_signed);
    return result;
  }
  if (a.is_numeric() && b.is_numeric()) {
    result.id = TypeId::kFloat64;
    return result;
  }
  if (a.is_time() && b.is_time()) {
    result.id = TimeRank(a.id) >= TimeRank(b.id) ? a.id : b.id;
    return result;
  }
  return std::nullopt;
}

// `expr` converted to `type`: to<Type>(expr), toDateTime64(expr, 3) for DateTime64(3).
absl::StatusOr<BoundExprPtr> Convert(const BoundExprPtr& expr, const DataType& type) {
  if (type.id == TypeId::kArray || expr->type.id == TypeId::kNothing) {
    return absl::InvalidArgumentError(absl::StrCat("cannot convert ", expr->type.Name(), " to ", type.Name()));
  }
  std::vector<BoundExprPtr> call_args = {expr};
  std::string name = absl::StrCat("to", TypeIdName(type.id));
  if (type.id == TypeId::kDateTime64) {
    name = "toDateTime64";
    call_args.push_back(MakeConstant(Vector::ConstantInt(DataType::Of(TypeId::kUInt8), 3, 1), "3"));
  }
  std::vector<ScalarArg> args = {{expr->type, nullptr}};
  if (call_args.size() > 1) args.push_back({call_args[1]->type, &call_args[1]->constant});
  absl::StatusOr<ScalarBinding> binding = BindScalarFunction(name, args);
  if (!binding.ok()) return binding.status();
  return MakeCall(name, binding->kernel, binding->type, std::move(call_args), expr->sql);
}

std::shared_ptr<SelectPlan> UnionBlock(std::vector<std::shared_ptr<const SelectPlan>> inputs, bool distinct,
                                       const std::vector<DataType>& types) {
  auto block = std::make_shared<SelectPlan>();
  block->source.kind = SourcePlan::Kind::kUnion;
  block->source.name = distinct ? "UNION DISTINCT" : "UNION ALL";
  block->source.distinct = distinct;
  block->names = inputs[0]->names;
  for (size_t c = 0; c < types.size(); ++c) block->outputs.push_back(MakeColumn(static_cast<int>(c), types[c], block->names[c]));
  block->source.inputs = std::move(inputs);
  return block;
}

}  // namespace

absl::StatusOr<std::shared_ptr<const SelectPlan>> BindUnion(const SelectQuery& query,
                                                            std::vector<std::shared_ptr<const SelectPlan>> plans) {
  const size_t columns = plans[0]->outputs.size();
  std::vector<DataType> types;
  for (const BoundExprPtr& output : plans[0]->outputs) {
    types.push_back(output->type);
  }
  for (size_t i = 1; i < plans.size(); ++i) {
    if (plans[i]->outputs.size() != columns) {
      return ErrorAt(query.cores[i].pos, absl::StatusCode::kInvalidArgument,
                     absl::StrCat("Different number of columns in UNION elements: ", columns, " and ",
                                  plans[i]->outputs.size()));
    }
    for (size_t c = 0; c < columns; ++c) {
      const DataType& other = plans[i]->outputs[c]->type;
      if ((types[c].is_null_type() && other.CannotBeNullable()) ||
          (other.is_null_type() && types[c].CannotBeNullable())) {
        // ClickHouse's supertype of NULL and T is Nullable(T), which arrays and tuples cannot be.
        return ErrorAt(query.cores[i].pos, absl::StatusCode::kInvalidArgument,
                       absl::StrCat("Nested type ", (other.is_null_type() ? types[c] : other).Name(),
                                    " cannot be inside Nullable type"));
      }
      std::optional<DataType> common = CommonType(types[c], other);
      if (!common) {
        return ErrorAt(query.cores[i].pos, absl::StatusCode::kInvalidArgument,
                       absl::StrCat("There is no supertype for types ", types[c].Name(), ", ",
                                    plans[i]->outputs[c]->type.Name(), " of column ", c + 1, " in UNION"));
      }
      types[c] = *common;
    }
  }
  // Operands whose column types differ from the union's are converted (their plans are fresh).
  for (size_t i = 0; i < plans.size(); ++i) {
    auto* plan = const_cast<SelectPlan*>(plans[i].get());
    for (size_t c = 0; c < columns; ++c) {
      const DataType& have = plan->outputs[c]->type;
      if (have.id == TypeId::kNothing && types[c].id != TypeId::kNothing) {
        // A NULL of the union's type: the union's column holds that type's values.
        plan->outputs[c] = MakeConstant(Vector::ConstantNullOf(types[c], 1), plan->outputs[c]->sql);
        continue;
      }
      if (have.id != types[c].id || have.element != types[c].element) {
        absl::StatusOr<BoundExprPtr> converted = Convert(plan->outputs[c], types[c]);
        if (!converted.ok()) return AtNode(converted.status(), query.cores[i].pos);
        plan->outputs[c] = *std::move(converted);
      }
      if (types[c].nullable && !plan->outputs[c]->type.may_be_null()) {
        // Every input then has the union's types, which ExecuteUnion takes from input 0.
        const ScalarArg args[] = {{plan->outputs[c]->type, nullptr}};
        absl::StatusOr<ScalarBinding> binding = BindScalarFunction("toNullable", args);
        if (!binding.ok()) return AtNode(binding.status(), query.cores[i].pos);
        plan->outputs[c] =
            MakeCall("toNullable", binding->kernel, binding->type, {plan->outputs[c]}, plan->outputs[c]->sql);
      }
    }
  }
  // Left-associative: (A op1 B) op2 C. Consecutive operands share one union node
  // while that gives the same rows: ALL after ALL, and DISTINCT after anything
  // (it de-duplicates everything before it too).
  std::shared_ptr<SelectPlan> node =
      UnionBlock({plans[0], plans[1]}, query.operators[0] == SetOperator::kUnionDistinct, types);
  for (size_t i = 2; i < plans.size(); ++i) {
    const bool distinct = query.operators[i - 1] == SetOperator::kUnionDistinct;
    if (distinct || !node->source.distinct) {
      node->source.inputs.push_back(plans[i]);
      node->source.distinct = node->source.distinct || distinct;
      node->source.name = node->source.distinct ? "UNION DISTINCT" : "UNION ALL";
    } else {
      node = UnionBlock({node, plans[i]}, false, types);
    }
  }
  return std::shared_ptr<const SelectPlan>(node);
}

}  // namespace mua::sql_internal
