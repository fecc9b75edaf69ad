// A statement's SETTINGS clause (`SELECT ... SETTINGS max_execution_time = 5,
// join_use_nulls = 1`) applied to its execution and binding. Settings only
// tighten the server's limits (a statement cannot raise max_execution_time or
// max_result_rows above what the server gives it); settings MUA does not use
// (max_block_size, ...) are accepted and ignored, as dashboards send them; a name
// ClickHouse does not know is its error 115 (sql/settings.h).
#pragma once

#include <cstdint>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "query/executor.h"
#include "sql/ast.h"
#include "sql/binder.h"

namespace mua::sql_internal {

// Settings the statement's runner applies (not the binder or the executor).
struct StatementSettings {
  // How it runs in a cluster (docs/CLUSTER.md).
  bool distributed = true;               // `distributed = 0`: this node's shard only
  bool skip_unavailable_shards = false;  // ClickHouse's: answer without unreachable shards
  // The result cache (sql/query_cache.h).
  bool use_query_cache = false;
  absl::Duration query_cache_ttl = absl::ZeroDuration();
};

// Whether a setting only steers the result cache, and so is no part of a cache key.
bool IsQueryCacheSetting(absl::string_view name);

// Errors: InvalidArgument at the setting for a value of the wrong type or an unknown name.
absl::Status ApplyQuerySettings(const std::vector<Setting>& settings, absl::Time start, ExecutionContext* execution,
                                BindContext* bind, uint64_t* max_result_rows, StatementSettings* statement);

}  // namespace mua::sql_internal
