#include "sql/sql_engine.h"

#include <algorithm>
#include <atomic>
#include <memory>
#include <future>
#include <limits>
#include <optional>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "query/distributed.h"
#include "query/executor.h"
#include "query/interrupt.h"
#include "query/functions/string_functions.h"
#include "query/optimizer/optimizer.h"
#include "sql/binder.h"
#include "sql/catalog.h"
#include "sql/ddl_executor.h"
#include "sql/internal/query_settings.h"
#include "sql/parser.h"
#include "sql/printer.h"
#include "sql/query_cache.h"
#include "storage/base/status_macros.h"
#include "storage/table.h"

namespace mua {
namespace {

ResultSet StringRows(const std::string& column, const std::vector<std::string>& values) {
  ResultSet result;
  Column& out = result.AddColumn(column, DataType::Of(TypeId::kString));
  out.strings = values;
  result.row_count = values.size();
  return result;
}

// The user ids a DELETE names: GDPR erasure removes whole users, so the WHERE
// must be user_id = 'id', user_id IN ('id', ...), or ORs of those.
absl::Status CollectUsers(const Expr& where, std::vector<std::string>* users) {
  auto is_user_id = [](const Expr& expr) {
    return expr.kind == ExprKind::kColumn && absl::EqualsIgnoreCase(expr.As<ColumnExpr>().name, "user_id");
  };
  auto string_literal = [](const Expr& expr) -> const std::string* {
    if (expr.kind != ExprKind::kLiteral) return nullptr;
    const LiteralExpr& literal = expr.As<LiteralExpr>();
    return literal.literal_kind == LiteralKind::kString ? &literal.string_value : nullptr;
  };
  if (where.kind == ExprKind::kBinary) {
    const BinaryExpr& binary = where.As<BinaryExpr>();
    if (binary.op == BinaryOp::kOr) {
      MUA_RETURN_IF_ERROR(CollectUsers(*binary.left, users));
      return CollectUsers(*binary.right, users);
    }
    if (binary.op == BinaryOp::kEquals) {
      const Expr* column = binary.left.get();
      const Expr* value = binary.right.get();
      if (!is_user_id(*column)) std::swap(column, value);
      if (is_user_id(*column) && string_literal(*value) != nullptr) {
        users->push_back(*string_literal(*value));
        return absl::OkStatus();
      }
    }
  } else if (where.kind == ExprKind::kIn && !where.As<InExpr>().negated &&
             is_user_id(*where.As<InExpr>().operand)) {
    const Expr& set = *where.As<InExpr>().set;
    if (set.kind == ExprKind::kTuple) {
      for (const ExprPtr& element : set.As<TupleExpr>().elements) {
        if (string_literal(*element) == nullptr) break;
        users->push_back(*string_literal(*element));
      }
      if (users->size() >= set.As<TupleExpr>().elements.size()) return absl::OkStatus();
    } else if (string_literal(set) != nullptr) {
      users->push_back(*string_literal(set));
      return absl::OkStatus();
    }
  }
  return MakeSqlError(absl::StatusCode::kInvalidArgument, where.pos,
                      "DELETE erases whole users (GDPR): write WHERE user_id = 'id' or "
                      "user_id IN ('id', ...)");
}

absl::StatusOr<std::vector<std::string>> ErasedUsers(const Statement& statement) {
  if (statement.table.table != "events" ||
      !(statement.table.database.empty() || statement.table.database == "default")) {
    return MakeSqlError(absl::StatusCode::kInvalidArgument, statement.pos,
                        "DELETE supports only the events table (GDPR erasure of users)");
  }
  std::vector<std::string> users;
  MUA_RETURN_IF_ERROR(CollectUsers(*statement.where, &users));
  std::sort(users.begin(), users.end());
  users.erase(std::unique(users.begin(), users.end()), users.end());
  return users;
}

}  // namespace

absl::StatusOr<ShardFanout::Answers> ShardFanout::Stream(ShardStage stage, absl::string_view block,
                                                         absl::string_view inputs, bool skip_unavailable_shards,
                                                         absl::Time deadline, const std::atomic<bool>* cancelled,
                                                         const PartSink& sink) const {
  MUA_ASSIGN_OR_RETURN(Answers answers, Run(stage, block, inputs, skip_unavailable_shards, deadline, cancelled));
  for (std::string& part : answers.parts) MUA_RETURN_IF_ERROR(sink(std::move(part)));
  answers.parts.clear();
  return answers;
}

namespace {

// This node's part of a statement a coordinator runs over the cluster, encoded.
absl::StatusOr<std::string> RunShardPart(const SelectPlan& plan, const ExecutionContext& context, ShardStage stage) {
  std::vector<ClusterBlock> globals;  // their values came with the request (materialized)
  MUA_ASSIGN_OR_RETURN(const ClusterSplit split, PlanClusterSplit(plan, &globals));
  std::string bytes;
  if (stage == ShardStage::kPartialAggregate && split == ClusterSplit::kAggregate) {
    MUA_ASSIGN_OR_RETURN(PartialAggregatePtr partial, ExecutePartialAggregate(plan, context));
    MUA_RETURN_IF_ERROR(EncodePartialAggregate(plan, *partial, &bytes));
  } else if (stage == ShardStage::kCollect && split == ClusterSplit::kGather) {
    MUA_ASSIGN_OR_RETURN(const CollectedRows rows, ExecuteCollect(plan, context));
    EncodeCollectedRows(rows, &bytes);
  } else if (stage == ShardStage::kSourceRows && split == ClusterSplit::kMergeRows) {
    MUA_RETURN_IF_ERROR(ExecuteSourceRowsPart(plan, context, &bytes));
  } else {
    return absl::FailedPreconditionError(
        "This node splits the statement between shards differently than its coordinator: run the same "
        "MUA version on every node");
  }
  return bytes;
}

// EXPLAIN's first line in a cluster: how the statement splits between the shards and this node.
std::string ExplainClusterSplit(const SelectPlan& plan) {
  std::vector<ClusterBlock> globals;
  const absl::StatusOr<ClusterSplit> split = PlanClusterSplit(plan, &globals);
  std::string global_note;
  if (split.ok() && !globals.empty()) {
    std::vector<std::string> paths;
    for (const ClusterBlock& global : globals) paths.push_back(global.path);
    global_note = absl::StrCat(" (GLOBAL first, on every shard and sent to them: ", absl::StrJoin(paths, ", "), ")");
  }
  if (!split.ok()) {
    const absl::StatusOr<std::vector<ClusterBlock>> blocks = PlanClusterBlocks(plan, split.status());
    if (!blocks.ok()) return absl::StrCat("Cluster: refused (", split.status().message(), ")");
    std::vector<std::string> paths;
    for (const ClusterBlock& block : *blocks) paths.push_back(block.path);
    return absl::StrCat("Cluster: the blocks below at ", absl::StrJoin(paths, ", "),
                        " run on every shard; this node runs the rest over their rows");
  }
  switch (*split) {
    case ClusterSplit::kLocal: return "Cluster: this node alone (the statement reads no events)";
    case ClusterSplit::kAggregate:
      return absl::StrCat("Cluster: every shard aggregates the block below to partial states; this node merges "
                          "them, then HAVING, the outputs, ORDER BY and LIMIT",
                          global_note);
    case ClusterSplit::kGather:
      return absl::StrCat("Cluster: every shard runs the block below (DISTINCT, ORDER BY, LIMIT offset+limit); "
                          "this node merges their rows, then OFFSET and LIMIT",
                          global_note);
    case ClusterSplit::kMergeRows:
      return absl::StrCat("Cluster: every shard produces the rows of ", plan.source.deferred.description,
                          "; this node adds them up and runs the block below over the sums");
  }
  return "";
}

// The statement over every shard: the others run their parts (through `fanout`) while
// this node runs its own; the parts merge here.
absl::StatusOr<ResultSet> RunOnCluster(const SelectPlan& plan, ClusterSplit split, absl::string_view block,
                                       absl::Span<const ClusterBlock> globals, const ExecutionContext& cluster_context,
                                       const ShardFanout& fanout, bool skip_unavailable_shards,
                                       std::vector<int>* skipped_shards) {
  // GLOBAL subqueries first: computed over the cluster, used here and sent to the shards.
  MaterializedBlocks materialized;
  std::string inputs;
  ExecutionContext below = cluster_context;
  below.max_result_rows = 0;
  for (const ClusterBlock& global : globals) {
    MUA_ASSIGN_OR_RETURN(ResultSet rows, RunOnCluster(*global.plan, global.split, global.path, {}, below, fanout,
                                                      skip_unavailable_shards, skipped_shards));
    EncodeClusterInput(global.path, rows, &inputs);
    materialized[global.plan.get()] = std::make_shared<const ResultSet>(std::move(rows));
  }
  ExecutionContext context = cluster_context;
  if (!materialized.empty()) context.materialized = &materialized;
  const ShardStage stage = split == ClusterSplit::kAggregate ? ShardStage::kPartialAggregate
                           : split == ClusterSplit::kGather  ? ShardStage::kCollect
                                                             : ShardStage::kSourceRows;
  if (stage == ShardStage::kPartialAggregate) {
    // Every shard's part is merged as it arrives, this node's among them.
    PartialAggregateMerger merger(plan, context);
    const ShardFanout::PartSink merge = [&merger](std::string part) { return merger.Add(part); };
    std::future<absl::StatusOr<ShardFanout::Answers>> remote = std::async(std::launch::async, [&] {
      return fanout.Stream(stage, block, inputs, skip_unavailable_shards, context.deadline, context.cancelled, merge);
    });
    absl::StatusOr<std::string> local = RunShardPart(plan, context, stage);
    absl::Status merged_local = local.ok() ? merger.Add(*local) : local.status();
    absl::StatusOr<ShardFanout::Answers> answers = remote.get();
    if (!merged_local.ok()) return merged_local;
    if (!answers.ok()) return answers.status();
    skipped_shards->insert(skipped_shards->end(), answers->skipped_shards.begin(), answers->skipped_shards.end());
    std::vector<PartialAggregatePtr> partials;
    partials.push_back(merger.Finish());
    return ExecuteFinalAggregate(plan, std::move(partials), context);
  }
  std::future<absl::StatusOr<ShardFanout::Answers>> remote = std::async(std::launch::async, [&] {
    return fanout.Run(stage, block, inputs, skip_unavailable_shards, context.deadline, context.cancelled);
  });
  absl::StatusOr<std::string> local = RunShardPart(plan, context, stage);
  absl::StatusOr<ShardFanout::Answers> answers = remote.get();
  if (!local.ok()) return local.status();
  if (!answers.ok()) return answers.status();
  skipped_shards->insert(skipped_shards->end(), answers->skipped_shards.begin(), answers->skipped_shards.end());
  std::vector<std::string> parts = std::move(answers->parts);
  parts.push_back(*std::move(local));
  if (stage == ShardStage::kSourceRows) return ExecuteMergedSource(plan, parts, context);
  MUA_ASSIGN_OR_RETURN(std::vector<CollectedRows> collected, DecodeCollectedRows(plan, parts, context));
  return ExecuteFinalCollect(plan, std::move(collected), context);
}

// A statement whose root cannot split: the blocks below it that can run on the cluster
// (PlanClusterBlocks), the rest on this node over their rows. `refusal`: the root's.
absl::StatusOr<ResultSet> RunOverClusterBlocks(const std::shared_ptr<const SelectPlan>& plan,
                                               const absl::Status& refusal, const ExecutionContext& context,
                                               const ShardFanout& fanout, bool skip_unavailable_shards,
                                               std::vector<int>* skipped_shards) {
  MUA_ASSIGN_OR_RETURN(const std::vector<ClusterBlock> blocks, PlanClusterBlocks(*plan, refusal));
  absl::flat_hash_map<const SelectPlan*, std::shared_ptr<const ResultSet>> materialized;
  ExecutionContext below = context;
  below.max_result_rows = 0;  // the statement's limit is on its own result
  for (const ClusterBlock& block : blocks) {
    MUA_RETURN_IF_ERROR(OptimizePlan(block.plan, *context.snapshot));  // once; a deferred source's child
    MUA_ASSIGN_OR_RETURN(ResultSet rows, RunOnCluster(*block.plan, block.split, block.path, {}, below, fanout,
                                                      skip_unavailable_shards, skipped_shards));
    materialized[block.plan.get()] = std::make_shared<const ResultSet>(std::move(rows));
  }
  ExecutionContext with_blocks = context;
  with_blocks.materialized = &materialized;
  return ExecuteSelect(*plan, with_blocks);
}

absl::StatusOr<ResultSet> Describe(const Statement& statement, const Catalog& catalog) {
  const std::string database = statement.table.database.empty() ? "default" : statement.table.database;
  for (const TableInfo& table : catalog.Tables()) {
    if (table.database != database || table.name != statement.table.table) continue;
    ResultSet result;
    const char* names[] = {"name", "type", "default_type", "default_expression", "comment",
                           "codec_expression", "ttl_expression"};
    for (const char* name : names) result.AddColumn(name, DataType::Of(TypeId::kString));
    for (const auto& [name, type] : table.columns) {
      result.columns[0].strings.push_back(name);
      result.columns[1].strings.push_back(type);
      for (int c = 2; c < 7; ++c) result.columns[c].strings.emplace_back();
      ++result.row_count;
    }
    return result;
  }
  return MakeSqlError(absl::StatusCode::kNotFound, statement.table.pos,
                      absl::StrCat("Table ", database, ".", statement.table.table, " doesn't exist"));
}

StatementAccess AccessOf(const Statement& statement) {
  switch (statement.kind) {
    case StatementKind::kSelect:
    case StatementKind::kShowTables:
    case StatementKind::kShowDatabases:
    case StatementKind::kDescribe:
    case StatementKind::kExplain:
    case StatementKind::kShowCreateTable:
    case StatementKind::kExistsTable:
      return StatementAccess::kRead;
    case StatementKind::kSystem:
      return statement.system_command == "KILL QUERY" ? StatementAccess::kKillOwnQuery
                                                       : StatementAccess::kWrite;
    case StatementKind::kInsert:
    case StatementKind::kDelete:
    case StatementKind::kCreateTable:
    case StatementKind::kDropTable:
    case StatementKind::kTruncate:
    case StatementKind::kInsertValues:
    case StatementKind::kInsertSelect:
      return StatementAccess::kWrite;
  }
  return StatementAccess::kWrite;  // a kind added later writes until it says otherwise
}

}  // namespace

absl::StatusOr<PreparedStatement> SqlEngine::Prepare(absl::string_view sql, const PrepareOptions& options) {
  // Query parameters are substituted by the parser, as values.
  absl::StatusOr<Statement> parsed = ParseStatement(sql, options.params);
  if (!parsed.ok()) return parsed.status();
  auto statement = std::make_shared<Statement>(*std::move(parsed));
  PreparedStatement prepared;
  // An INSERT's data (up to gigabytes) stays with the caller; the text keeps the statement.
  prepared.sql = std::string(statement->kind == StatementKind::kInsert
                                 ? sql.substr(0, std::min(statement->data_offset, sql.size()))
                                 : sql);
  prepared.kind = statement->kind;
  prepared.access = AccessOf(*statement);
  prepared.params = options.params;
  prepared.statement = std::move(statement);
  return prepared;
}

namespace {

// A SELECT's result cache key: its normalized text, the settings that may change its
// answer, its query parameters and where it runs.
std::string QueryCacheKey(const PreparedStatement& prepared, const sql_internal::StatementSettings& settings) {
  const Statement& statement = *prepared.statement;
  std::string key = ToSql(*statement.query);
  for (const Setting& setting : statement.settings) {
    if (sql_internal::IsQueryCacheSetting(setting.name)) continue;
    absl::StrAppend(&key, "\nSETTINGS ", setting.name, "=", setting.value ? ToSql(*setting.value) : "");
  }
  for (const auto& [name, value] : prepared.params) absl::StrAppend(&key, "\nparam ", name, "=", value);
  absl::StrAppend(&key, "\ndistributed=", settings.distributed, " skip=", settings.skip_unavailable_shards);
  return key;
}

}  // namespace

absl::StatusOr<StatementOutput> SqlEngine::Execute(absl::string_view sql, const ExecuteOptions& options) const {
  absl::StatusOr<PreparedStatement> prepared = Prepare(sql);
  if (!prepared.ok()) return prepared.status();
  return Execute(*prepared, options);
}

absl::StatusOr<StatementOutput> SqlEngine::Execute(const PreparedStatement& prepared,
                                                   const ExecuteOptions& options) const {
  const absl::Time start = absl::Now();
  const Statement& statement = *prepared.statement;
  if (options.authorize) MUA_RETURN_IF_ERROR(options.authorize(statement));
  // The result cache may answer a SELECT without running it: admitted only on a miss.
  const bool may_be_cached = statement.kind == StatementKind::kSelect && options.query_cache != nullptr &&
                             options.shard_stage == ShardStage::kNone;
  if (!may_be_cached && options.admit) MUA_RETURN_IF_ERROR(options.admit());
  const QueryCallerScope caller(&options.caller);
  StatementOutput output;
  output.format = statement.format;

  TableSnapshot snapshot = table_->Snapshot();
  std::atomic<uint64_t> rows_read{0}, bytes_read{0};
  ExecutionContext execution{&snapshot, options.threads, &rows_read, &bytes_read, options.cancelled,
                             options.max_execution_time == absl::InfiniteDuration()
                                 ? absl::InfiniteFuture()
                                 : start + options.max_execution_time};
  // Kernels (range(), lambdas) check KILL and the time limit through it.
  const InterruptScope interrupts(&execution);
  int expansions = 0;
  BindContext bind{catalog_, &execution, &expansions};
  uint64_t max_result_rows = options.max_result_rows;
  sql_internal::StatementSettings cluster;
  cluster.distributed = options.distributed;
  cluster.skip_unavailable_shards = options.skip_unavailable_shards;
  cluster.use_query_cache = options.use_query_cache;
  cluster.query_cache_ttl = options.query_cache_ttl;
  MUA_RETURN_IF_ERROR(
      sql_internal::ApplyQuerySettings(statement.settings, start, &execution, &bind, &max_result_rows, &cluster));

  switch (statement.kind) {
    case StatementKind::kSelect: {
      // The result cache: a hit answers here; a miss records what the statement reads.
      const bool caching =
          options.query_cache != nullptr && cluster.use_query_cache && options.shard_stage == ShardStage::kNone;
      std::string cache_key, not_cacheable;
      std::optional<SnapshotReads> reads;
      if (caching) {
        cache_key = QueryCacheKey(prepared, cluster);
        if (std::shared_ptr<const ResultSet> cached =
                options.query_cache->Find(cache_key, snapshot, cluster.query_cache_ttl, absl::Now())) {
          output.result = *cached;
          output.from_query_cache = true;
          break;
        }
      }
      if (may_be_cached && options.admit) {
        MUA_RETURN_IF_ERROR(options.admit());
        // It may have waited for a slot: the rows as they are now.
        snapshot = table_->Snapshot();
      }
      if (caching) {
        reads.emplace(snapshot.partition_count());
        snapshot.TrackReads(&*reads);
        bind.not_cacheable = &not_cacheable;
      }
      absl::StatusOr<std::shared_ptr<const SelectPlan>> plan = BindSelect(*statement.query, bind);
      if (!plan.ok()) return plan.status();
      MUA_RETURN_IF_ERROR(OptimizePlan(*plan, snapshot));
      ExecutionContext top_level = execution;
      top_level.max_result_rows = max_result_rows;
      if (options.shard_stage != ShardStage::kNone) {
        absl::StatusOr<std::shared_ptr<const SelectPlan>> block = FindBlock(*plan, options.shard_block);
        if (!block.ok()) return block.status();
        MUA_RETURN_IF_ERROR(OptimizePlan(*block, snapshot));
        if (*block != *plan) top_level.max_result_rows = 0;
        MaterializedBlocks inputs;
        if (!options.shard_inputs.empty()) {
          absl::StatusOr<MaterializedBlocks> decoded = DecodeClusterInputs(*plan, options.shard_inputs);
          if (!decoded.ok()) return decoded.status();
          inputs = *std::move(decoded);
          top_level.materialized = &inputs;
        }
        absl::StatusOr<std::string> part = RunShardPart(**block, top_level, options.shard_stage);
        if (!part.ok()) return part.status();
        output.kind = StatementOutput::Kind::kShardPart;
        output.shard_part = *std::move(part);
        break;
      }
      absl::StatusOr<ResultSet> result;
      if (options.fanout != nullptr && cluster.distributed) {
        std::vector<ClusterBlock> globals;
        absl::StatusOr<ClusterSplit> planned = PlanClusterSplit(**plan, &globals);
        if (planned.ok()) {
          result = *planned == ClusterSplit::kLocal
                       ? ExecuteSelect(**plan, top_level)
                       : RunOnCluster(**plan, *planned, "", globals, top_level, *options.fanout,
                                      cluster.skip_unavailable_shards, &output.skipped_shards);
        } else {
          const absl::Status refusal(planned.status().code(),
                                     absl::StrCat(planned.status().message(),
                                                  " (SETTINGS distributed = 0 answers from this node's shard alone)"));
          result = RunOverClusterBlocks(*plan, refusal, top_level, *options.fanout, cluster.skip_unavailable_shards,
                                        &output.skipped_shards);
        }
      } else {
        result = ExecuteSelect(**plan, top_level);
      }
      // A shard skipped by several of the statement's parts (GLOBAL subqueries, blocks) is one.
      std::vector<int>& skipped = output.skipped_shards;
      std::sort(skipped.begin(), skipped.end());
      skipped.erase(std::unique(skipped.begin(), skipped.end()), skipped.end());
      if (!result.ok()) return result.status();
      // Other nodes' rows change unseen here: a cluster's answer is cached only with a ttl,
      // as always stale. One without some shards is never cached.
      const bool other_nodes = options.fanout != nullptr && cluster.distributed;
      if (caching && not_cacheable.empty() && skipped.empty() &&
          (!other_nodes || cluster.query_cache_ttl > absl::ZeroDuration())) {
        SnapshotDependency dependency = snapshot.DependencyOf(*reads);
        if (other_nodes) dependency.versions.emplace_back(std::numeric_limits<int32_t>::min(), ~uint64_t{0});
        options.query_cache->Insert(cache_key, prepared.sql, options.caller.principal, *result, std::move(dependency),
                                    cluster.query_cache_ttl, absl::Now());
      }
      snapshot.TrackReads(nullptr);
      output.result = *std::move(result);
      break;
    }
    case StatementKind::kExplain: {
      absl::StatusOr<std::shared_ptr<const SelectPlan>> plan = BindSelect(*statement.query, bind);
      if (!plan.ok()) return plan.status();
      // Binding and optimizing run nothing: EXPLAIN never executes a subquery or table function.
      MUA_RETURN_IF_ERROR(OptimizePlan(*plan, snapshot));
      std::vector<std::string> lines =
          absl::StrSplit(ExplainSelect(**plan, snapshot), '\n', absl::SkipEmpty());
      if (options.fanout != nullptr && cluster.distributed) lines.insert(lines.begin(), ExplainClusterSplit(**plan));
      output.result = StringRows("explain", lines);
      break;
    }
    case StatementKind::kShowTables: {
      std::vector<std::string> names;
      const std::string database = statement.show_database.empty() ? "default" : statement.show_database;
      if (database != "default" && database != "system") {
        return MakeSqlError(absl::StatusCode::kNotFound, statement.pos,
                            absl::StrCat("Database ", database, " doesn't exist"));
      }
      std::optional<query_internal::LikeMatcher> like;
      if (statement.show_like) {
        absl::StatusOr<query_internal::LikeMatcher> compiled = query_internal::LikeMatcher::Compile(
            statement.show_ilike ? absl::AsciiStrToLower(*statement.show_like) : *statement.show_like);
        if (!compiled.ok()) return MakeSqlError(compiled.status().code(), statement.pos, compiled.status().message());
        like = *std::move(compiled);
      }
      for (const TableInfo& table : catalog_->Tables()) {
        if (table.database != database) continue;
        if (like && like->Matches(statement.show_ilike ? absl::AsciiStrToLower(table.name) : table.name) ==
                        statement.show_not_like) {
          continue;
        }
        names.push_back(table.name);
      }
      std::sort(names.begin(), names.end());
      output.result = StringRows("name", names);
      break;
    }
    case StatementKind::kShowDatabases:
      output.result = StringRows("name", {"default", "system"});
      break;
    case StatementKind::kDescribe: {
      absl::StatusOr<ResultSet> result = Describe(statement, *catalog_);
      if (!result.ok()) return result.status();
      output.result = *std::move(result);
      break;
    }
    case StatementKind::kInsert:
      output.kind = StatementOutput::Kind::kInsert;
      output.insert_table = statement.table.table;
      output.insert_columns = statement.columns;
      output.data_offset = statement.data_offset;
      break;
    case StatementKind::kSystem: {
      absl::StatusOr<std::string> message = catalog_->RunSystemCommand(statement.system_command, statement.system_argument);
      if (!message.ok()) {
        return MakeSqlError(message.status().code(), statement.pos, message.status().message());
      }
      output.result = StringRows("result", {*message});
      break;
    }
    case StatementKind::kDelete: {
      absl::StatusOr<std::vector<std::string>> users = ErasedUsers(statement);
      if (!users.ok()) return users.status();
      ResultSet result;
      result.AddColumn("user_id", DataType::Of(TypeId::kString));
      result.AddColumn("rows_deleted", DataType::Of(TypeId::kUInt64));
      for (const std::string& user : *users) {
        absl::StatusOr<uint64_t> erased = catalog_->EraseUser(user);
        if (!erased.ok()) return MakeSqlError(erased.status().code(), statement.pos, erased.status().message());
        result.columns[0].strings.push_back(user);
        result.columns[1].ints.push_back(static_cast<int64_t>(*erased));
        ++result.row_count;
      }
      output.result = std::move(result);
      break;
    }
    case StatementKind::kCreateTable:
    case StatementKind::kDropTable:
    case StatementKind::kTruncate:
    case StatementKind::kShowCreateTable:
    case StatementKind::kExistsTable:
    case StatementKind::kInsertValues:
    case StatementKind::kInsertSelect: {
      // sql/ddl_executor.h; its SELECTs (INSERT SELECT, DEFAULTs) run as this caller.
      ExecuteOptions inner = options;
      inner.authorize = nullptr;
      inner.admit = nullptr;
      absl::StatusOr<ResultSet> result = ExecuteDdl(statement, DdlContext{catalog_, [&](absl::string_view select) {
        absl::StatusOr<StatementOutput> rows = Execute(select, inner);
        return rows.ok() ? absl::StatusOr<ResultSet>(std::move(rows->result)) : rows.status();
      }});
      if (!result.ok()) return result.status();
      output.result = *std::move(result);
      break;
    }
  }
  if (max_result_rows > 0 && output.result.row_count > max_result_rows) {
    return absl::ResourceExhaustedError(absl::StrCat("Limit for result exceeded: ", output.result.row_count,
                                                     " rows, max_result_rows is ", max_result_rows));
  }
  output.result.statistics.elapsed_seconds = absl::ToDoubleSeconds(absl::Now() - start);
  output.result.statistics.rows_read = rows_read.load();
  output.result.statistics.bytes_read = bytes_read.load();
  return output;
}

}  // namespace mua
