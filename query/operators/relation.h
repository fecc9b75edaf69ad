// Helpers for operators over materialized relations (ResultSets): gather rows
// into new columns (kNoRow gives the type default, or NULL in a Nullable
// column), evaluate a BoundExpr over every row, and compare key values across
// types by value the way ClickHouse's join and GROUP BY keys do (integers of
// any width, Date against DateTime, String against LowCardinality).
//
//   std::vector<uint32_t> rows = {2, 0, kNoRow};
//   Column out = EmptyColumn(in.type);
//   GatherColumn(in, rows, &out);  // row 2, row 0, then a default
#pragma once

#include <algorithm>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "query/executor.h"
#include "query/expression.h"
#include "query/result_set.h"
#include "storage/base/memory_tracker.h"

namespace mua {

// A row index that stands for "no row": gathering it appends a default or NULL.
inline constexpr uint32_t kNoRow = UINT32_MAX;

// The number of rows `column` holds (its values, offsets or NULL flags).
size_t ColumnRowCount(const Column& column);

// Appends source[rows[i]] for each i (kNoRow: the default of the type — 0, '',
// 1970-01-01, [] — or NULL when `out` is Nullable). REQUIRES: `out` has
// source's type, possibly made Nullable.
void GatherColumn(const Column& source, absl::Span<const uint32_t> rows, Column* out);

// Appends `count` defaults (NULLs when `out` is Nullable).
void AppendDefaults(size_t count, Column* out);

// Roughly the bytes `rows` gathered rows of `source` take (for CheckMemory).
int64_t GatherBytes(const Column& source, size_t rows);

// `expr` evaluated over every row of a relation: the input column itself when
// `expr` names one, else a column of its own.
class EvaluatedColumn {
 public:
  const Column& column() const { return view_ != nullptr ? *view_ : owned_; }
  const DataType& type() const { return column().type; }

 private:
  friend absl::Status EvaluateColumn(const BoundExpr&, const ResultSet&,
                                     const ExecutionContext&, EvaluatedColumn*);
  const Column* view_ = nullptr;
  Column owned_;
};

// Evaluates `expr` over `relation` in batches of kRelationBatchRows, checking
// CheckInterrupted between them. `out` may view `relation`, which must outlive it.
absl::Status EvaluateColumn(const BoundExpr& expr, const ResultSet& relation,
                            const ExecutionContext& context, EvaluatedColumn* out);

// How a key column is compared: integers and times scaled to a common unit,
// numbers as Float64 when one side is floating, strings as bytes.
struct KeyEncoding {
  enum class Kind : uint8_t { kInt, kFloat, kString, kBytes, kNull };  // kBytes: arrays, tuples
  Kind kind = Kind::kInt;
  int64_t scale = 1;         // kInt: Date -> DateTime is 86400, DateTime -> DateTime64 1000
  bool is_unsigned = false;  // kInt/kFloat: UInt64 values above 2^63 stay distinct
};

// The encoding of a key of `type` compared only with itself (LIMIT BY, PARTITION BY).
KeyEncoding KeyEncodingFor(const DataType& type);

// The encodings of a left and a right join key of these types, after ClickHouse's
// supertype rule. Errors: InvalidArgument when the types have no supertype
// ("There is no supertype for types String, UInt8 ...", ClickHouse code 386).
absl::Status UnifyKeyEncodings(const DataType& left, const DataType& right,
                               KeyEncoding* left_encoding, KeyEncoding* right_encoding);

// The key values of every row of a relation, normalized for hashing and equality.
// Views the columns it was built from, which must outlive it.
class RowKeys {
 public:
  RowKeys() = default;
  // REQUIRES: columns and encodings pairwise; every column has `rows` rows.
  RowKeys(std::vector<const Column*> columns, std::vector<KeyEncoding> encodings, size_t rows);

  size_t rows() const { return rows_; }
  // Any key NULL: such a row equals nothing (JOIN).
  bool has_null(size_t row) const { return !nulls_.empty() && nulls_[row] != 0; }
  uint64_t hash(size_t row) const { return hashes_[row]; }
  // Key-by-key equality by value; NULL equals NULL here (LIMIT BY groups).
  bool Equal(size_t row, const RowKeys& other, size_t other_row) const;

 private:
  struct Key {
    KeyEncoding encoding;
    const Column* column = nullptr;
    std::vector<int64_t> ints;  // kInt, scaled
    std::vector<double> floats;  // kFloat
    std::vector<std::string> bytes;  // kBytes: AppendColumnKey's encoding
  };
  bool KeyEqual(const Key& a, size_t row, const Key& b, size_t other_row) const;

  size_t rows_ = 0;
  std::vector<Key> keys_;
  std::vector<uint8_t> nulls_;
  std::vector<uint64_t> hashes_;
};

// Reserves room for `total` elements, first asking the memory tracker
// (ResourceExhausted past max_memory_usage instead of a throw mid-growth).
template <class T>
absl::Status ReserveTracked(std::vector<T>* values, size_t total) {
  if (total <= values->capacity()) return absl::OkStatus();
  const size_t capacity = std::max(total, values->capacity() * 2);
  // The new buffer is taken before the old one is freed.
  absl::Status status = CheckMemory(static_cast<int64_t>(capacity * sizeof(T)));
  if (!status.ok()) return status;
  values->reserve(capacity);
  return absl::OkStatus();
}

// A ResultSet with `source`'s names and the rows `rows` of the columns `columns`
// (kNoRow: defaults), the memory asked of the tracker first. `nullable[i]` makes
// output column i Nullable where its type allows (empty: none).
absl::Status GatherRelation(const ResultSet& source, absl::Span<const int> columns,
                            absl::Span<const uint32_t> rows, const std::vector<bool>& nullable,
                            const ExecutionContext& context, ResultSet* out);

// 0..n-1, the columns of a relation with n columns.
std::vector<int> AllColumns(const ResultSet& relation);

}  // namespace mua
