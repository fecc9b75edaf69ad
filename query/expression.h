// BoundExpr: an expression after binding — every name resolved to an input
// column, every function to a kernel, every type known. The executor
// evaluates it over a batch of input Vectors. Built by the binder (sql/);
// query/ never sees SQL text.
//
//   // price > 10, over input column 3 of type Float64:
//   BoundExprPtr e = MakeCall(greater, {MakeColumn(3, DataType::Of(TypeId::kFloat64)),
//                                       MakeConstant(Vector::ConstantFloat(10, 1))});
//   Vector out;
//   MUA_RETURN_IF_ERROR(Evaluate(*e, batch, &out));
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "storage/base/hash_containers.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/types/span.h"
#include "query/vector.h"
#include "storage/user_bitmap.h"

namespace mua {

// Evaluates a scalar function over argument vectors (already evaluated) into `out`.
// REQUIRES: every argument has `rows` logical rows. Errors only for data-dependent
// failures ClickHouse also reports at run time (division by zero in intDiv, ...).
using ScalarKernel = std::function<absl::Status(absl::Span<Vector> args, size_t rows,
                                                StringPool* pool, Vector* out)>;

// A set for IN: numbers, strings, user numbers (from a cohort subquery), or
// keys of values of any type (tuples: `(a, b) IN ((1, 'x'), ...)`). NULL
// elements are left out: with ClickHouse's default transform_null_in = 0 a
// NULL never matches, and a NULL operand gives NULL.
struct InSet {
  HashSet<int64_t> ints;
  HashSet<std::string> strings;
  UserBitmap users;      // when `by_user`: members by dense user number
  bool by_user = false;  // the operand is user_id (dictionary-coded by the user index)
  bool has_floats = false;
  HashSet<double> floats;  // never NaN (NaN != NaN breaks the set): `has_nan` instead
  bool has_nan = false;    // ClickHouse's IN compares floats bit-exactly: nan IN (nan) is 1
  // When `by_key`: AppendValueKey (query/vector.h) of each element converted to
  // the operand's type; the operand's rows are keyed the same way.
  bool by_key = false;
  HashSet<std::string> keys;
};

// Adds row `row` of `value` to a keyed set (`set->by_key` becomes true), converted
// to the operand's type `operand` as ClickHouse converts IN elements: integers
// across widths, Float64 that hold integers, strings parsed as Date/DateTime,
// tuples element by element. An element with a NULL in it, or one that no value of the type
// can equal (1.5 for an integer), is left out. Errors: InvalidArgument
// "Types of IN set (T) and operand (U) differ", tuple sizes that differ.
absl::Status AddToKeyedInSet(const DataType& operand, const Vector& value, size_t row, InSet* set);

// The type of `operand IN set`: UInt8, Nullable(UInt8) for a Nullable operand.
DataType InResultType(const DataType& operand);

struct BoundExpr;
using BoundExprPtr = std::shared_ptr<const BoundExpr>;

struct BoundExpr {
  enum class Kind { kColumn, kConstant, kCall, kIn };
  Kind kind = Kind::kConstant;
  DataType type;
  std::string sql;  // how it was written (EXPLAIN, default column names)

  int column = -1;                 // kColumn: index into the input batch
  Vector constant;                 // kConstant: a constant vector of one row
  std::string function;            // kCall: the function's name (EXPLAIN)
  ScalarKernel kernel;             // kCall
  std::vector<BoundExprPtr> args;  // kCall; kIn: args[0] is the operand
  std::shared_ptr<const InSet> set;  // kIn
  bool negated = false;              // kIn: NOT IN
  // Storage that views in `constant` point into (owned strings, subquery rows).
  std::shared_ptr<const void> keep_alive;

  bool is_constant() const { return kind == Kind::kConstant; }
};

BoundExprPtr MakeColumn(int column, DataType type, std::string sql);
BoundExprPtr MakeConstant(Vector value, std::string sql);
BoundExprPtr MakeCall(std::string function, ScalarKernel kernel, DataType type,
                      std::vector<BoundExprPtr> args, std::string sql);
// `expr` with each argument of a call or IN replaced by rewrite(argument): a copy when one
// changed, `expr` itself otherwise (rewriters over bound trees: optimizer rules, lambdas).
BoundExprPtr RewriteArgs(const BoundExprPtr& expr, const std::function<BoundExprPtr(const BoundExprPtr&)>& rewrite);

// A batch of input rows: one Vector per input column.
struct Batch {
  std::vector<Vector> columns;
  size_t rows = 0;
  StringPool* pool = nullptr;  // REQUIRES: non-null while evaluating
};

// Evaluates `expr` over `batch` into `*out` (out->size == batch.rows).
absl::Status Evaluate(const BoundExpr& expr, const Batch& batch, Vector* out);

// Evaluates a UInt8 predicate and keeps the indices of rows where it is non-zero
// (a NULL condition is false, as in ClickHouse's WHERE and HAVING).
absl::Status EvaluateFilter(const BoundExpr& predicate, const Batch& batch,
                            std::vector<uint32_t>* selected);

}  // namespace mua
