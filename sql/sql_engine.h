// SqlEngine: runs one SQL statement against the database — SELECT (through
// the binder and executor), EXPLAIN, SHOW TABLES/DATABASES, DESCRIBE — and
// says what an INSERT wants (its data is ingest's business, in server/).
//
//   SqlEngine engine(&table, &catalog);
//   MUA_ASSIGN_OR_RETURN(StatementOutput out, engine.Execute("SELECT count() FROM events"));
//   WriteResult(out.result, OutputFormat::kTabSeparated, &body);
//
// Thread safety: Execute may run concurrently from many threads; each call
// reads its own snapshot of the table.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "query/result_set.h"
#include "sql/catalog.h"

namespace mua {

class QueryCache;
class Table;
struct Statement;
enum class StatementKind : uint8_t;

// What running a statement needs (the server maps it to a role).
enum class StatementAccess {
  kRead,           // SELECT, EXPLAIN, SHOW, DESCRIBE, EXISTS: changes nothing
  kKillOwnQuery,   // KILL QUERY: a caller may stop its own statements
  kWrite,          // INSERT, DELETE, DDL, SYSTEM
};

struct PrepareOptions {
  // Values of the query parameters `{name:Type}` (HTTP `param_name=`, mua-shell
  // `--param_name=`), as text; each is parsed as its Type, never spliced into the SQL.
  std::map<std::string, std::string, std::less<>> params;
};

// One statement parsed once: the server checks its kind and access, then runs it,
// without parsing the text again.
struct PreparedStatement {
  std::string sql;  // the statement's text (an INSERT's without its data)
  std::shared_ptr<const Statement> statement;  // never null
  StatementKind kind{};
  StatementAccess access = StatementAccess::kWrite;
  // The query parameters it was prepared with (a cluster's shards bind the same).
  std::map<std::string, std::string, std::less<>> params;
};

// A statement's part on one shard of a cluster (query/distributed.h):
// what a coordinator asks of each shard instead of the answer.
enum class ShardStage : uint8_t {
  kNone,              // the whole statement (a coordinator in a cluster, or one node)
  kPartialAggregate,  // the root block's partial aggregate, encoded
  kCollect,           // the root block's collected rows, encoded
  kSourceRows,        // the rows of the root's table function, encoded
};

// The other shards of a cluster as a coordinator reaches them (server/cluster_query.h
// over HTTP). One object per statement: it knows the statement's text, parameters
// and credentials, and sends them with the stage asked for.
class ShardFanout {
 public:
  struct Answers {
    std::vector<std::string> parts;    // one encoded part per shard that answered
    std::vector<int> skipped_shards;   // 0-based, with skip_unavailable_shards
  };
  virtual ~ShardFanout() = default;
  // Runs the statement's block at `block` ("": the whole statement; query/distributed.h
  // FindBlock) as `stage` on one replica of every shard but this node's, in parallel, a
  // replica that cannot be reached retried on its siblings. Errors: Unavailable naming a
  // shard none of whose replicas answered (unless `skip_unavailable_shards`: then it is
  // skipped); a shard's query error as is.
  // `inputs`: the values of its GLOBAL subqueries (query/distributed.h EncodeClusterInput).
  virtual absl::StatusOr<Answers> Run(ShardStage stage, absl::string_view block, absl::string_view inputs,
                                      bool skip_unavailable_shards, absl::Time deadline,
                                      const std::atomic<bool>* cancelled) const = 0;

  // Takes one shard's part as it arrives (from any thread, one call at a time); an error
  // fails the statement.
  using PartSink = std::function<absl::Status(std::string part)>;
  // Run, but each part goes to `sink` as its shard answers instead of into Answers::parts, so
  // the coordinator merges while slower shards still work. The default runs Run, then
  // hands the parts over in order.
  virtual absl::StatusOr<Answers> Stream(ShardStage stage, absl::string_view block, absl::string_view inputs,
                                         bool skip_unavailable_shards, absl::Time deadline,
                                         const std::atomic<bool>* cancelled, const PartSink& sink) const;
};

struct StatementOutput {
  enum class Kind { kRows, kInsert, kShardPart };
  Kind kind = Kind::kRows;
  ResultSet result;    // kRows
  std::string shard_part;  // kShardPart: the encoded part (query/distributed.h)
  // A coordinator's answer without some shards (skip_unavailable_shards): which, 0-based.
  std::vector<int> skipped_shards;
  std::string format;  // the statement's FORMAT clause; empty when none
  bool from_query_cache = false;  // kRows: the answer came from the query cache
  // kInsert: target table, input format, and where the data starts in the text.
  std::string insert_table;
  std::vector<std::string> insert_columns;  // INSERT INTO t (a, b); empty = all
  size_t data_offset = 0;
};

struct ExecuteOptions {
  // Called with the parsed statement before anything of it runs (the server checks
  // the caller's role here, where the statement is known for certain); an error stops it.
  std::function<absl::Status(const Statement& statement)> authorize;
  // Called once the statement is known to run (after authorize; for a SELECT, after the
  // result cache missed: a cached answer takes no execution slot); an error stops it.
  std::function<absl::Status()> admit;
  QueryCaller caller;  // who runs it: what system tables and KILL QUERY let them see
  int threads = 0;  // 0: one per core
  const std::atomic<bool>* cancelled = nullptr;  // KILL QUERY, or the client went away
  absl::Duration max_execution_time = absl::InfiniteDuration();
  uint64_t max_result_rows = 0;  // 0: no limit
  // In a cluster: the other shards (null: this node alone, and a SELECT reads its own
  // events). A statement's `SETTINGS distributed = 0` also keeps it to this node.
  const ShardFanout* fanout = nullptr;
  bool distributed = true;               // the URL's `distributed`; SETTINGS may clear it too
  bool skip_unavailable_shards = false;  // the URL's; SETTINGS may set it too
  // Run the statement (its block at `shard_block`, "" the whole) as this shard's part of a
  // coordinator's statement.
  ShardStage shard_stage = ShardStage::kNone;
  std::string shard_block;
  std::string shard_inputs;  // its GLOBAL subqueries' values, computed by the coordinator
  // The result cache (sql/query_cache.h) and ClickHouse's settings for it, as the URL
  // gave them; a statement's SETTINGS use_query_cache / query_cache_ttl override them.
  QueryCache* query_cache = nullptr;
  bool use_query_cache = false;
  absl::Duration query_cache_ttl = absl::ZeroDuration();  // zero: exact entries only
};

class SqlEngine {
 public:
  // REQUIRES: both outlive the engine.
  SqlEngine(const Table* table, const Catalog* catalog) : table_(table), catalog_(catalog) {}

  // Parses `sql` (one statement). Errors: InvalidArgument / NotFound / Unimplemented
  // with "line L, column C: " positions.
  static absl::StatusOr<PreparedStatement> Prepare(absl::string_view sql, const PrepareOptions& options = {});

  // Errors: whatever binding and execution report (with positions for bad SQL).
  absl::StatusOr<StatementOutput> Execute(const PreparedStatement& statement,
                                          const ExecuteOptions& options = {}) const;
  // Prepare, then Execute.
  absl::StatusOr<StatementOutput> Execute(absl::string_view sql, const ExecuteOptions& options = {}) const;

 private:
  const Table* table_;
  const Catalog* catalog_;
};

}  // namespace mua
