// ClickHouse's Markdown output format: a GitHub table, names and values as
// TabSeparated escapes them, numbers and times right-aligned (`-:`), others
// left (`:-`). The header is written even for an empty result. Stateless and
// thread-safe.
//
//   | c | s |
//   |-:|:-|
//   | 1 | x |
#pragma once

#include <string>

#include "query/result_set.h"

namespace mua::query_internal {

void WriteMarkdown(const ResultSet& result, std::string* out);

}  // namespace mua::query_internal
