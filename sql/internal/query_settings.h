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

// How a statement runs in a cluster (docs/CLUSTER.md).
struct ClusterSettings {
  bool distributed = true;               // `distributed = 0`: this node's shard only
  bool skip_unavailable_shards = false;  // ClickHouse's: answer without unreachable shards
};

// Errors: InvalidArgument at the setting for a value of the wrong type or an unknown name.
absl::Status ApplyQuerySettings(const std::vector<Setting>& settings, absl::Time start, ExecutionContext* execution,
                                BindContext* bind, uint64_t* max_result_rows, ClusterSettings* cluster);

}  // namespace mua::sql_internal
