#include "query/expression.h"

#include <cmath>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "query/scalar_functions.h"
#include "storage/base/check.h"
#include "storage/base/hash_containers.h"

namespace mua {

BoundExprPtr MakeColumn(int column, DataType type, std::string sql) {
  auto expr = std::make_shared<BoundExpr>();
  expr->kind = BoundExpr::Kind::kColumn;
  expr->column = column;
  expr->type = type;
  expr->sql = std::move(sql);
  return expr;
}

BoundExprPtr MakeConstant(Vector value, std::string sql) {
  auto expr = std::make_shared<BoundExpr>();
  expr->kind = BoundExpr::Kind::kConstant;
  expr->type = value.type;
  value.constant = true;
  value.size = 1;
  expr->constant = std::move(value);
  expr->sql = std::move(sql);
  return expr;
}

BoundExprPtr MakeCall(std::string function, ScalarKernel kernel, DataType type,
                      std::vector<BoundExprPtr> args, std::string sql) {
  auto expr = std::make_shared<BoundExpr>();
  expr->kind = BoundExpr::Kind::kCall;
  expr->function = std::move(function);
  expr->kernel = std::move(kernel);
  expr->type = type;
  expr->args = std::move(args);
  expr->sql = std::move(sql);
  return expr;
}

BoundExprPtr RewriteArgs(const BoundExprPtr& expr, const std::function<BoundExprPtr(const BoundExprPtr&)>& rewrite) {
  if (expr->kind != BoundExpr::Kind::kCall && expr->kind != BoundExpr::Kind::kIn) return expr;
  std::vector<BoundExprPtr> args;
  bool changed = false;
  for (const BoundExprPtr& arg : expr->args) {
    args.push_back(rewrite(arg));
    changed = changed || args.back() != arg;
  }
  if (!changed) return expr;
  auto copy = std::make_shared<BoundExpr>(*expr);
  copy->args = std::move(args);
  return copy;
}

namespace {

void EvaluateInValues(const BoundExpr& expr, const Vector& operand, size_t rows, Vector* out) {
  const InSet& set = *expr.set;
  const int64_t hit = expr.negated ? 0 : 1;
  const int64_t miss = 1 - hit;
  // An array or tuple operand compares by key even when the set's (empty) list did not
  // ask for it: `tags IN []` has no key, and no integer either.
  if (set.by_key || operand.type.id == TypeId::kArray || operand.type.is_tuple()) {
    std::string key;
    for (size_t row = 0; row < rows; ++row) {
      key.clear();
      AppendValueKey(operand, row, &key);
      out->ints[row] = set.keys.contains(key) ? hit : miss;
    }
    return;
  }
  if (set.by_user && operand.is_dictionary()) {
    for (size_t row = 0; row < rows; ++row) {
      out->ints[row] = set.users.contains(operand.codes[operand.index(row)]) ? hit : miss;
    }
    return;
  }
  if (operand.type.is_string()) {
    if (operand.is_dictionary()) {
      // Decide once per distinct code: blocks repeat few codes.
      HashMap<uint32_t, int64_t> decided;
      for (size_t row = 0; row < rows; ++row) {
        const uint32_t code = operand.codes[operand.index(row)];
        auto [it, inserted] = decided.try_emplace(code, 0);
        if (inserted) it->second = set.strings.contains(operand.string_at(row)) ? hit : miss;
        out->ints[row] = it->second;
      }
      return;
    }
    for (size_t row = 0; row < rows; ++row) {
      out->ints[row] = set.strings.contains(operand.string_at(row)) ? hit : miss;
    }
    return;
  }
  if (operand.type.id == TypeId::kFloat64 || set.has_floats) {
    for (size_t row = 0; row < rows; ++row) {
      const double value = operand.number_at(row);
      out->ints[row] = (std::isnan(value) ? set.has_nan : set.floats.contains(value)) ? hit : miss;
    }
    return;
  }
  for (size_t row = 0; row < rows; ++row) {
    out->ints[row] = set.ints.contains(operand.int_at(row)) ? hit : miss;
  }
}

// A constant stands for `rows` rows, and so do its tuple elements (constants
// too: a folded value may come flattened to its one row).
void SetRows(size_t rows, Vector* vector) {
  vector->size = rows;
  if (!vector->type.is_tuple()) return;
  for (Vector& child : vector->children) {
    child.constant = vector->constant;
    SetRows(rows, &child);
  }
}

// A NULL operand gives NULL, whatever the set holds (transform_null_in = 0).
void EvaluateIn(const BoundExpr& expr, const Vector& operand, size_t rows, Vector* out) {
  out->type = InResultType(operand.type);
  out->size = rows;
  out->constant = false;
  out->ints.assign(rows, 0);
  out->nulls.clear();
  if (operand.type.id == TypeId::kNothing) {
    out->nulls.assign(rows, 1);
    return;
  }
  EvaluateInValues(expr, operand, rows, out);
  if (!operand.nulls.empty()) {
    out->nulls.resize(rows);
    for (size_t row = 0; row < rows; ++row) {
      out->nulls[row] = operand.is_null(row) ? 1 : 0;
      if (out->nulls[row] != 0) out->ints[row] = 0;
    }
  }
}

}  // namespace

absl::Status Evaluate(const BoundExpr& expr, const Batch& batch, Vector* out) {
  switch (expr.kind) {
    case BoundExpr::Kind::kColumn:
      *out = batch.columns[expr.column];
      return absl::OkStatus();
    case BoundExpr::Kind::kConstant:
      *out = expr.constant;
      SetRows(batch.rows, out);
      return absl::OkStatus();
    case BoundExpr::Kind::kIn: {
      Vector operand;
      absl::Status status = Evaluate(*expr.args[0], batch, &operand);
      if (!status.ok()) return status;
      EvaluateIn(expr, operand, batch.rows, out);
      return absl::OkStatus();
    }
    case BoundExpr::Kind::kCall: {
      std::vector<Vector> args(expr.args.size());
      for (size_t i = 0; i < args.size(); ++i) {
        absl::Status status = Evaluate(*expr.args[i], batch, &args[i]);
        if (!status.ok()) return status;
      }
      *out = Vector();
      out->type = expr.type;
      out->size = batch.rows;
      return expr.kernel(absl::MakeSpan(args), batch.rows, batch.pool, out);
    }
  }
  return absl::InternalError("unknown expression kind");
}

absl::Status EvaluateFilter(const BoundExpr& predicate, const Batch& batch,
                            std::vector<uint32_t>* selected) {
  Vector mask;
  absl::Status status = Evaluate(predicate, batch, &mask);
  if (!status.ok()) return status;
  selected->clear();
  if (mask.type.id == TypeId::kNothing) return absl::OkStatus();  // WHERE NULL keeps nothing
  if (mask.constant) {
    const bool keep = !mask.is_null(0) &&
                      (mask.type.id == TypeId::kFloat64 ? mask.floats[0] != 0 : mask.ints[0] != 0);
    if (keep) {
      selected->resize(batch.rows);
      for (uint32_t row = 0; row < batch.rows; ++row) (*selected)[row] = row;
    }
    return absl::OkStatus();
  }
  // Branch-free: every row index is written, the count advances on kept rows.
  selected->resize(batch.rows);
  uint32_t* out = selected->data();
  size_t kept = 0;
  if (mask.type.id == TypeId::kFloat64) {
    for (uint32_t row = 0; row < batch.rows; ++row) {
      out[kept] = row;
      kept += mask.floats[row] != 0;
    }
  } else {
    for (uint32_t row = 0; row < batch.rows; ++row) {
      out[kept] = row;
      kept += mask.ints[row] != 0;
    }
  }
  selected->resize(kept);
  if (!mask.nulls.empty()) {
    // A NULL condition is false: drop the kept rows that are NULL.
    size_t still = 0;
    for (size_t i = 0; i < kept; ++i) {
      out[still] = out[i];
      still += mask.nulls[out[i]] == 0;
    }
    selected->resize(still);
  }
  return absl::OkStatus();
}

DataType InResultType(const DataType& operand) {
  return operand.may_be_null() ? DataType::Nullable(TypeId::kUInt8) : DataType::Of(TypeId::kUInt8);
}

namespace {

// Appends the key of value[row] converted to `target`; false when no value of
// `target` equals it (a NULL inside, 1.5 as an integer, a tuple of another size).
absl::StatusOr<bool> AppendKeyAs(const DataType& target, const Vector& value, size_t row,
                                 std::string* key) {
  if (value.is_null(row)) return false;
  auto differ = [&]() {
    return absl::InvalidArgumentError(absl::StrCat("Types of IN set (", value.type.Name(),
                                                   ") and operand (", target.Name(), ") differ"));
  };
  if (target.may_be_null()) key->push_back(0);
  const DataType& source = value.type;
  if (target.is_tuple()) {
    if (!source.is_tuple()) return differ();
    if (source.tuple_size() != target.tuple_size()) {
      return absl::InvalidArgumentError(absl::StrCat("Incorrect size of tuple in IN: ",
                                                     source.tuple_size(), " instead of ",
                                                     target.tuple_size()));
    }
    for (size_t i = 0; i < target.tuple_size(); ++i) {
      absl::StatusOr<bool> added = AppendKeyAs(target.tuple_element(i), value.children[i], row, key);
      if (!added.ok() || !*added) return added;
    }
    return true;
  }
  Vector converted;
  converted.type = target.WithoutNullable();
  converted.size = 1;
  if (target.is_string()) {
    if (!source.is_string()) return differ();
    converted.strings.push_back(value.string_at(row));
  } else if (target.id == TypeId::kFloat64) {
    if (!source.is_numeric()) return differ();
    converted.floats.push_back(value.number_at(row));
  } else if (target.is_integer() || target.is_time()) {
    if (target.is_time() && source.is_string()) {
      absl::StatusOr<int64_t> time = ParseTimeLiteral(value.string_at(row), target);
      if (!time.ok()) return time.status();
      converted.ints.push_back(*time);
    } else if (source.id == TypeId::kFloat64) {
      const double number = value.float_at(row);
      if (number != std::trunc(number)) return false;
      converted.ints.push_back(static_cast<int64_t>(number));
    } else if (source.is_time() && target.is_time()) {
      // Same instant in the target's unit; one that falls between units matches nothing.
      auto millis = [](TypeId id) -> int64_t {
        return id == TypeId::kDate ? 86'400'000 : id == TypeId::kDateTime ? 1000 : 1;
      };
      const int64_t ms = value.int_at(row) * millis(source.id);
      if (ms % millis(target.id) != 0) return false;
      converted.ints.push_back(ms / millis(target.id));
    } else if (source.is_integer()) {
      converted.ints.push_back(value.int_at(row));
    } else {
      return differ();
    }
  } else {
    // Arrays and other values: keyed as they are, when the types agree.
    if (!(source.WithoutNullable() == target.WithoutNullable())) return differ();
    Vector one;
    Gather(value, {static_cast<uint32_t>(value.index(row))}, &one);
    one.nulls.clear();
    one.type = target.WithoutNullable();
    AppendValueKey(one, 0, key);
    return true;
  }
  AppendValueKey(converted, 0, key);
  return true;
}

}  // namespace

absl::Status AddToKeyedInSet(const DataType& operand, const Vector& value, size_t row, InSet* set) {
  set->by_key = true;
  std::string key;
  absl::StatusOr<bool> added = AppendKeyAs(operand, value, row, &key);
  if (!added.ok()) return added.status();
  if (*added) set->keys.insert(std::move(key));
  return absl::OkStatus();
}

}  // namespace mua
