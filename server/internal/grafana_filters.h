// Grafana ad hoc filters ({key, operator, value, values?}) as one SQL predicate
// on the events table. Keys come only from a fixed list of events columns and
// values only become escaped string literals, so a filter cannot inject SQL.
// Regex operators (=~, !~) accept the subset that maps to LIKE and IN — literals
// (with \-escapes), '.', '.*', '.+', top-level alternation, '^'/'$' — matched
// against the whole value as Prometheus does; anything else is an error, never a
// slow or wrong match.
//
//   MUA_ASSIGN_OR_RETURN(std::string where, AdhocFiltersToSql(request));
//   // [{"key":"platform","operator":"=","value":"ios"}] -> "platform = 'ios'"
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "rapidjson/document.h"

namespace mua::server_internal {

// The events columns a filter, a tag key or a variable may name.
absl::Span<const absl::string_view> FilterableColumns();
bool IsFilterableColumn(absl::string_view name);

// The conjunction of the request's `filters` (or, from older plugins, `adhocFilters`);
// "" when there are none. Errors: InvalidArgument for an unknown key or operator, a
// malformed filter or an unsupported regex. Filters on `skip_key` are left out (the
// values offered for a key should not be narrowed by that key's own filter).
absl::StatusOr<std::string> AdhocFiltersToSql(const rapidjson::Value& request,
                                              absl::string_view skip_key = "");

// `column` fully matching `regex` (the subset above), as SQL.
// REQUIRES: IsFilterableColumn(column). Errors: InvalidArgument.
absl::StatusOr<std::string> RegexMatchToSql(absl::string_view column, absl::string_view regex);

// "a AND b" of the non-empty parts, each parenthesized; "" when all are empty.
std::string JoinConditions(absl::Span<const std::string> conditions);

}  // namespace mua::server_internal
