#include "server/cluster_control.h"

#include <iostream>
#include <optional>
#include <random>
#include <utility>

#include "absl/cleanup/cleanup.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "server/dimension_tables.h"
#include "server/internal/cluster_messages.h"
#include "sql/ast.h"
#include "sql/catalog.h"
#include "sql/table_manager.h"
#include "storage/base/status_macros.h"

namespace mua {
namespace {

using server_internal::ControlStatement;
using server_internal::DecodeControlStatement;
using server_internal::EncodeControlStatement;


// The created table an INSERT statement writes to, "" for any other statement.
std::string InsertTarget(absl::string_view sql) {
  absl::StatusOr<PreparedStatement> prepared = SqlEngine::Prepare(sql);
  if (!prepared.ok()) return "";
  const Statement& statement = *prepared->statement;
  const bool insert = statement.kind == StatementKind::kInsert || statement.kind == StatementKind::kInsertValues;
  return insert ? statement.table.table : "";
}

}  // namespace

ClusterControl::ClusterControl(ClusterControlOptions options, const Catalog* catalog, const SqlEngine* engine)
    : options_(std::move(options)), catalog_(catalog), engine_(engine) {}

ClusterControl::~ClusterControl() { log_.reset(); }  // its thread applies through this

absl::StatusOr<std::unique_ptr<ClusterControl>> ClusterControl::Open(ClusterControlOptions options,
                                                                     const Catalog* catalog,
                                                                     const SqlEngine* engine) {
  std::unique_ptr<ClusterControl> control(new ClusterControl(std::move(options), catalog, engine));
  ClusterControl* raw = control.get();
  MUA_ASSIGN_OR_RETURN(
      control->log_,
      ControlLog::Open({.brokers = raw->options_.brokers,
                        .topic = raw->options_.topic,
                        .state_file = raw->options_.state_file,
                        .apply = [raw](int64_t offset, absl::string_view message) { raw->Apply(offset, message); },
                        .prepare = [raw](absl::string_view message) { return raw->Prepare(message); },
                        .took_effect = [raw](absl::string_view message,
                                             absl::string_view note) { return raw->TookEffect(message, note); },
                        .config = raw->options_.config}));
  return control;
}

bool ClusterControl::Converges(const Statement& statement) {
  switch (statement.kind) {
    case StatementKind::kDelete:
    case StatementKind::kCreateTable:
    case StatementKind::kDropTable:
    case StatementKind::kTruncate:
    case StatementKind::kInsertValues:
    case StatementKind::kInsertSelect:
      return true;
    case StatementKind::kInsert:
      return statement.table.table != "events";  // events go through the event topic
    default:
      return false;
  }
}

absl::StatusOr<StatementOutput> ClusterControl::Submit(const std::string& sql,
                                                       const std::map<std::string, std::string, std::less<>>& params,
                                                       absl::Time deadline) {
  MUA_ASSIGN_OR_RETURN(const PreparedStatement prepared, SqlEngine::Prepare(sql, {.params = params}));
  if (prepared.kind == StatementKind::kInsertSelect) {
    return absl::UnimplementedError(
        "INSERT ... SELECT into a table is not supported on a cluster yet (each node would compute its own rows): "
        "insert the rows with VALUES or FORMAT");
  }
  thread_local std::mt19937_64 random(std::random_device{}());
  ControlStatement statement{.id = random(), .origin = options_.self, .sql = sql};
  statement.params.insert(params.begin(), params.end());
  const std::string message = EncodeControlStatement(statement);
  if (message.size() > options_.max_statement_bytes) {
    return absl::InvalidArgumentError(absl::StrCat("a statement that every node applies is one Kafka message: ",
                                                   message.size(), " bytes, the limit is ",
                                                   options_.max_statement_bytes, "; split the INSERT"));
  }
  {
    absl::MutexLock lock(&mu_);
    results_.try_emplace(statement.id, absl::UnknownError("not applied yet"));
    awaited_.insert(statement.id);
  }
  absl::Cleanup forget = [&] {
    absl::MutexLock lock(&mu_);
    results_.erase(statement.id);
    awaited_.erase(statement.id);
  };
  MUA_ASSIGN_OR_RETURN(const int64_t offset, log_->Append(message));
  MUA_RETURN_IF_ERROR(log_->WaitApplied(offset, deadline));
  absl::MutexLock lock(&mu_);
  return std::move(results_.at(statement.id));
}

void ClusterControl::Apply(int64_t offset, absl::string_view message) {
  absl::StatusOr<ControlStatement> statement = DecodeControlStatement(message);
  absl::StatusOr<StatementOutput> output = absl::InvalidArgumentError("not a statement");
  if (!statement.ok()) {
    output = statement.status();
  } else {
    ExecuteOptions execute;
    execute.caller = QueryCaller{"cluster", true};  // authorized where it was sent
    execute.distributed = false;
    absl::StatusOr<PreparedStatement> prepared = SqlEngine::Prepare(statement->sql, {.params = statement->params});
    output = prepared.ok() ? engine_->Execute(*prepared, execute) : absl::StatusOr<StatementOutput>(prepared.status());
    if (output.ok() && output->kind == StatementOutput::Kind::kInsert) {
      const absl::StatusOr<uint64_t> inserted = InsertTableRows(
          *catalog_, *engine_, output->insert_table,
          absl::string_view(statement->sql).substr(std::min(output->data_offset, statement->sql.size())),
          output->format, output->insert_columns);
      output = inserted.ok() ? absl::StatusOr<StatementOutput>(StatementOutput{}) : inserted.status();
    }
  }
  absl::MutexLock lock(&mu_);
  if (!output.ok()) {
    // Every node fails alike (the same changes in the same order); the sender answers it.
    ++failed_;
    std::cerr << "mua-server: control topic offset " << offset << ": " << output.status().message() << "\n";
  }
  if (statement.ok() && awaited_.contains(statement->id)) results_[statement->id] = std::move(output);
}

int64_t ClusterControl::failed() const {
  absl::MutexLock lock(&mu_);
  return failed_;
}

// An INSERT's table row count before it: a node that dies while applying it knows at
// restart whether the rows went in.
std::string ClusterControl::Prepare(absl::string_view message) const {
  absl::StatusOr<ControlStatement> statement = DecodeControlStatement(message);
  if (!statement.ok() || catalog_->table_manager() == nullptr) return "";
  const std::string table = InsertTarget(statement->sql);
  if (table.empty()) return "";
  const std::optional<TableSpec> spec = catalog_->table_manager()->Find(table);
  return spec.has_value() ? absl::StrCat(spec->total_rows) : "";
}

bool ClusterControl::TookEffect(absl::string_view message, absl::string_view note) const {
  uint64_t rows_before = 0;
  if (note.empty() || !absl::SimpleAtoi(note, &rows_before)) return false;  // idempotent: apply again
  absl::StatusOr<ControlStatement> statement = DecodeControlStatement(message);
  if (!statement.ok() || catalog_->table_manager() == nullptr) return false;
  const std::optional<TableSpec> spec = catalog_->table_manager()->Find(InsertTarget(statement->sql));
  return spec.has_value() && spec->total_rows != rows_before;
}

}  // namespace mua
