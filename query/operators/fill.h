// Fill: ClickHouse's ORDER BY ... WITH FILL over rows already sorted by the
// ORDER BY keys. Between consecutive values of a WITH FILL key it inserts the
// missing values (value + step, + 2 steps, ... while below the next row's value),
// from FROM (when given) before the first row and up to TO (exclusive) after the
// last; a row off the step grid restarts the sequence at its own value. Inserted
// rows take the type default in every other column.
//
// As modern ClickHouse (use_with_fill_by_sorting_prefix = 1): the ORDER BY keys
// before the first WITH FILL key are a sorting prefix — filling runs separately
// within each group of equal prefix values and the inserted rows copy them. A
// second WITH FILL key fills within runs of equal values of the earlier fill keys
// (its FROM/TO apply per run); rows inserted for an earlier key copy the keys
// before it and take the later fill keys' FROM (or their default).
//
// Steps: a number in the column's unit (1, or the column's: 1 day for Date, 1 s for
// DateTime and DateTime64 — a plain DateTime64 step counts seconds, as ClickHouse
// converts it to the column's Decimal scale), or an INTERVAL for time columns
// (months, quarters and years on the calendar, clamping the day). DESC fills
// downwards with the same (positive) step.
//
//   FillSpec day{/*column=*/0};
//   day.to = 20735;  // Date '2026-10-09', exclusive
//   OperatorPtr op = MakeFill(std::move(sorted), {day});
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "absl/status/status.h"
#include "query/operators/operator.h"

namespace mua {

struct FillSpec {
  int column = 0;          // the ORDER BY key's column in the input
  bool with_fill = true;   // false: a plain ORDER BY key (in the prefix before the first fill key)
  bool descending = false;
  // In the column's unit: Date days, DateTime seconds, DateTime64 milliseconds, numbers.
  std::optional<double> from;
  std::optional<double> to;
  std::optional<double> step;    // > 0; as an INTERVAL when interval_unit is set
  std::optional<uint8_t> interval_unit;  // DataType::interval_unit: second .. year
};

// Checks the specs against the input's column types (the binder calls it).
// Errors: InvalidArgument for a non-numeric, non-time fill column ("Incompatible
// types of WITH FILL expression values with column type String"), a step <= 0, an
// INTERVAL step on a number or of less than a day on a Date, FROM after TO.
absl::Status ValidateFill(const std::vector<DataType>& column_types,
                          const std::vector<FillSpec>& specs);

// The LIMIT above the fill, if any: the fill plans only the rows it reads.
struct FillLimit {
  std::optional<uint64_t> rows;  // nullopt: no LIMIT
  uint64_t offset = 0;
};

// REQUIRES: the input is sorted by the specs' keys. Errors at execution: ValidateFill's,
// ResourceExhausted past max_memory_usage or 2^32 rows, or ("Limit for result exceeded")
// as soon as the consumer would return more than context.max_result_rows rows,
// Cancelled / DeadlineExceeded (checked while rows are generated).
OperatorPtr MakeFill(OperatorPtr input, std::vector<FillSpec> specs, FillLimit limit = {});

}  // namespace mua
