#include "server/internal/result_cells.h"

#include <cmath>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "query/output_format.h"
#include "storage/base/time_util.h"

namespace mua::server_internal {
namespace {

bool IsTimeId(TypeId id) {
  return id == TypeId::kDate || id == TypeId::kDateTime || id == TypeId::kDateTime64;
}

std::string ScalarText(TypeId id, const Column& column, size_t index) {
  if (IsTimeId(id)) {
    const int64_t millis = TimeValueMillis(id, column.ints[index]);
    if (id != TypeId::kDate && column.type.time_zone != 0) {  // DateTime('Zone'): its wall clock
      return FormatTime(DataType::Time(TypeId::kDateTime64, column.type.time_zone), millis);
    }
    return id == TypeId::kDate ? FormatDay(static_cast<int32_t>(column.ints[index]))
                               : FormatMillis(millis);
  }
  switch (id) {
    case TypeId::kNothing:
    case TypeId::kArray:
    case TypeId::kInterval:
    case TypeId::kTuple:
      return "";
    case TypeId::kFloat64:
      return FormatFloat(column.floats[index]);
    case TypeId::kString:
      return column.strings[index];
    case TypeId::kUInt64:
      return absl::StrCat(static_cast<uint64_t>(column.ints[index]));
    default:
      return absl::StrCat(column.ints[index]);
  }
}

}  // namespace

int64_t TimeValueMillis(TypeId id, int64_t value) {
  switch (id) {
    case TypeId::kDate:
      return MillisOfDay(static_cast<int32_t>(value));
    case TypeId::kDateTime:
      return value * kMillisPerSecond;
    default:
      return value;
  }
}

std::optional<size_t> FirstTimeColumn(const ResultSet& result) {
  for (size_t i = 0; i < result.columns.size(); ++i) {
    if (result.columns[i].type.is_time()) return i;
  }
  return std::nullopt;
}

std::optional<size_t> FindResultColumn(const ResultSet& result, absl::string_view name) {
  for (size_t i = 0; i < result.names.size(); ++i) {
    if (result.names[i] == name) return i;
  }
  return std::nullopt;
}

std::optional<int64_t> TimeCellMillis(const Column& column, size_t row) {
  if (column.is_null(row)) return std::nullopt;
  return TimeValueMillis(column.type.id, column.ints[row]);
}

std::optional<double> NumericCell(const Column& column, size_t row) {
  if (column.is_null(row)) return std::nullopt;
  double value = 0;
  if (column.type.id == TypeId::kFloat64) {
    value = column.floats[row];
  } else if (column.type.id == TypeId::kUInt64) {
    value = static_cast<double>(static_cast<uint64_t>(column.ints[row]));
  } else if (column.type.is_integer()) {
    value = static_cast<double>(column.ints[row]);
  } else {
    return std::nullopt;
  }
  if (!std::isfinite(value)) return std::nullopt;
  return value;
}

std::string CellText(const Column& column, size_t row) {
  if (column.is_null(row)) return "";
  if (column.type.id != TypeId::kArray) return ScalarText(column.type.id, column, row);
  std::vector<std::string> elements;
  for (uint32_t i = column.array_offsets[row]; i < column.array_offsets[row + 1]; ++i) {
    elements.push_back(ScalarText(column.type.element, column, i));
  }
  return absl::StrCat("[", absl::StrJoin(elements, ","), "]");
}

}  // namespace mua::server_internal
