// The structured mode of mua_sql_execute_fuzz: turns fuzzer bytes into a SELECT that
// parses (FuzzedDataProvider choices from the end of the input, as in the other
// harnesses): function calls of every registered function and aggregate over the
// harness's tables, literals at the edges of their types (INT64_MIN, NaN, '', NULL,
// empty and nested arrays, tuples), lambdas, window functions, joins, ARRAY JOIN,
// UNION, subqueries, LIMIT BY, WITH TOTALS, WITH FILL and a FORMAT. Mutating SQL text
// rarely gets past the parser and the binder's name checks; this reaches the kernels.
//
//   SqlGenerator generator(scalar_names, aggregate_names);
//   std::string sql = generator.Generate(data, size);
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace mua {

class SqlGenerator {
 public:
  SqlGenerator(std::vector<std::string> scalars, std::vector<std::string> aggregates)
      : scalars_(std::move(scalars)), aggregates_(std::move(aggregates)) {}

  std::string Generate(const uint8_t* data, size_t size) const;

  // Names (system.functions) the generator calls.
  const std::vector<std::string>& scalars() const { return scalars_; }

 private:
  std::vector<std::string> scalars_;
  std::vector<std::string> aggregates_;
};

}  // namespace mua
