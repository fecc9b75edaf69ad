// ClickHouse's Native format as a server sends it over HTTP (client revision 0:
// no block info, no custom-serialization flags): blocks of at most
// kNativeBlockRows rows, each VarUInt columns, VarUInt rows, then per column its
// name, type name and values in the type's bulk encoding. LowCardinality
// columns keep their dictionary encoding (as modern servers and 18.16 send them
// to HTTP clients); an empty result is an empty body. Stateless, thread-safe.
//
//   std::string body;
//   WriteNative(result, &body);
#pragma once

#include <cstddef>
#include <string>

#include "query/result_set.h"

namespace mua::query_internal {

// ClickHouse 18.16's max_block_size: results longer than this arrive in
// several blocks, as ClickHouse sends them.
inline constexpr size_t kNativeBlockRows = 65'536;

void WriteNative(const ResultSet& result, std::string* out);

}  // namespace mua::query_internal
