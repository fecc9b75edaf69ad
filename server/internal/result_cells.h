// Reading the cells of a query result (query/result_set.h) the way the JSON APIs
// need them: time cells as epoch milliseconds, numbers as doubles, anything as
// text, and columns by name. Pure functions; thread-safe.
//
//   std::optional<size_t> users = FindResultColumn(result, "users");
//   std::optional<double> value = NumericCell(result.columns[*users], row);  // nullopt: NULL
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "absl/strings/string_view.h"
#include "query/result_set.h"

namespace mua::server_internal {

// Epoch milliseconds of a Date (days), DateTime (s) or DateTime64 (ms) value.
int64_t TimeValueMillis(TypeId id, int64_t value);

// The index of the first Date/DateTime/DateTime64 column, if any.
std::optional<size_t> FirstTimeColumn(const ResultSet& result);
// The column named `name`, if any.
std::optional<size_t> FindResultColumn(const ResultSet& result, absl::string_view name);

// Epoch ms of a time cell; nullopt for NULL. REQUIRES: column.type.is_time().
std::optional<int64_t> TimeCellMillis(const Column& column, size_t row);
// A numeric cell as a double; nullopt for NULL, NaN and infinities.
std::optional<double> NumericCell(const Column& column, size_t row);
// Any scalar cell as text (times as "2026-10-05 00:00:00.000"); "" for NULL.
std::string CellText(const Column& column, size_t row);

}  // namespace mua::server_internal
