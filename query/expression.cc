#include "query/expression.h"

#include "storage/base/hash_containers.h"
#include "absl/container/flat_hash_map.h"
#include "storage/base/check.h"

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

namespace {

void EvaluateIn(const BoundExpr& expr, const Vector& operand, size_t rows, Vector* out) {
  const InSet& set = *expr.set;
  out->type = DataType::Of(TypeId::kUInt8);
  out->size = rows;
  out->constant = false;
  out->ints.resize(rows);
  const int64_t hit = expr.negated ? 0 : 1;
  const int64_t miss = 1 - hit;
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
      out->ints[row] = set.floats.contains(operand.number_at(row)) ? hit : miss;
    }
    return;
  }
  for (size_t row = 0; row < rows; ++row) {
    out->ints[row] = set.ints.contains(operand.int_at(row)) ? hit : miss;
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
      out->size = batch.rows;
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
  if (mask.constant) {
    const bool keep = mask.type.id == TypeId::kFloat64 ? mask.floats[0] != 0 : mask.ints[0] != 0;
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
  return absl::OkStatus();
}

void Gather(const Vector& vector, absl::Span<const uint32_t> selected, Vector* out) {
  out->type = vector.type;
  out->size = selected.size();
  out->dictionary = vector.dictionary;
  out->constant = vector.constant;
  if (vector.constant) {
    out->ints = vector.ints;
    out->floats = vector.floats;
    out->strings = vector.strings;
    out->codes = vector.codes;
    out->offsets = vector.offsets;
    out->nulls = vector.nulls;
    return;
  }
  auto gather = [&](const auto& from, auto& to) {
    to.resize(from.empty() ? 0 : selected.size());
    if (from.empty()) return;
    for (size_t i = 0; i < selected.size(); ++i) to[i] = from[selected[i]];
  };
  if (vector.type.id == TypeId::kArray) {
    out->offsets.assign(1, 0);
    out->ints.clear();
    out->strings.clear();
    for (uint32_t row : selected) {
      for (uint32_t k = vector.offsets[row]; k < vector.offsets[row + 1]; ++k) {
        if (!vector.ints.empty()) out->ints.push_back(vector.ints[k]);
        if (!vector.strings.empty()) out->strings.push_back(vector.strings[k]);
      }
      out->offsets.push_back(out->offsets.back() + vector.offsets[row + 1] - vector.offsets[row]);
    }
    return;
  }
  gather(vector.ints, out->ints);
  gather(vector.nulls, out->nulls);
  gather(vector.floats, out->floats);
  gather(vector.strings, out->strings);
  gather(vector.codes, out->codes);
}

}  // namespace mua
