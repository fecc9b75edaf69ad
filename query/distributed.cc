#include "query/distributed.h"

#include <algorithm>
#include <memory>
#include <numeric>
#include <optional>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/synchronization/mutex.h"
#include "query/aggregates/state_io.h"
#include "query/operators/filter_project.h"
#include "query/operators/hash_aggregate.h"
#include "query/operators/table_function.h"
#include "storage/base/status_macros.h"
#include "storage/schema.h"

namespace mua {
namespace {

using query_internal::StateReader;
using query_internal::StateWriter;

// ---- The split ----

bool ReadsEvents(const SelectPlan& plan) {
  for (const PreparedInput& prepared : plan.prepared) {
    if (prepared.plan != nullptr && ReadsEvents(*prepared.plan)) return true;
  }
  const SourcePlan& source = plan.source;
  switch (source.kind) {
    case SourcePlan::Kind::kEvents: return true;
    case SourcePlan::Kind::kSubquery: return ReadsEvents(*source.subquery);
    case SourcePlan::Kind::kUnion:
      for (const auto& input : source.inputs) {
        if (ReadsEvents(*input)) return true;
      }
      return false;
    case SourcePlan::Kind::kDeferred: return source.deferred.reads_events;
    case SourcePlan::Kind::kRows:
    case SourcePlan::Kind::kOneRow: return false;
  }
  return false;
}

absl::Status NotYet(absl::string_view what) {
  return absl::UnimplementedError(absl::StrCat(what, " is not supported on a cluster yet"));
}

// Whether batch column `column` of the block's source holds user ids.
bool SourceColumnIsUser(const SelectPlan& plan, int column);

// Whether output `output` of `plan` is user_id itself (a bare column all the way down).
bool OutputIsUser(const SelectPlan& plan, size_t output) {
  if (output >= plan.outputs.size()) return false;
  const BoundExpr& expr = *plan.outputs[output];
  if (expr.kind != BoundExpr::Kind::kColumn) return false;
  if (!plan.aggregate) return SourceColumnIsUser(plan, expr.column);
  // The post batch: keys, then aggregate values.
  const size_t key = static_cast<size_t>(expr.column);
  if (key >= plan.group_keys.size()) return false;
  const BoundExpr& key_expr = *plan.group_keys[key];
  return key_expr.kind == BoundExpr::Kind::kColumn && SourceColumnIsUser(plan, key_expr.column);
}

bool SourceColumnIsUser(const SelectPlan& plan, int column) {
  if (column < 0) return false;
  const SourcePlan& source = plan.source;
  switch (source.kind) {
    case SourcePlan::Kind::kEvents:
      return static_cast<size_t>(column) < source.columns.size() && source.columns[column] == ColumnId::kUserId;
    case SourcePlan::Kind::kSubquery: return OutputIsUser(*source.subquery, column);
    case SourcePlan::Kind::kDeferred: {
      const DeferredRows& deferred = source.deferred;
      if (deferred.rows_per_user) return deferred.user_column == column;
      if (deferred.join) {
        const size_t left = deferred.join->left->outputs.size();
        return static_cast<size_t>(column) < left ? OutputIsUser(*deferred.join->left, column)
                                                  : OutputIsUser(*deferred.join->right, column - left);
      }
      return false;
    }
    default: return false;
  }
}

bool GroupedByUser(const SelectPlan& plan) {
  for (const BoundExprPtr& key : plan.group_keys) {
    if (key->kind == BoundExpr::Kind::kColumn && SourceColumnIsUser(plan, key->column)) return true;
  }
  return false;
}

// Values some blocks need computed over the whole cluster (query/distributed.h, ClusterBlock):
// `globals` collects them with their paths; null where none may be (they are refused).
struct SplitCheck {
  std::vector<ClusterBlock>* globals = nullptr;
};

std::string ChildPath(const std::string& path, absl::string_view element) {
  return path.empty() ? std::string(element) : absl::StrCat(path, "/", element);
}

absl::Status CheckPartitioned(const SelectPlan& plan, const std::string& path, const SplitCheck& check);

// The block's prepared inputs run on each shard: per-shard sets and values must equal
// the whole cluster's where the block reads them. A scalar, or a set tested against
// something else than the row's user_id, is computed once over the cluster instead and
// sent to the shards (a global), when it splits itself.
absl::Status CheckPreparedInputs(const SelectPlan& plan, const std::string& path, const SplitCheck& check) {
  for (size_t i = 0; i < plan.prepared.size(); ++i) {
    const PreparedInput& prepared = plan.prepared[i];
    if (prepared.plan == nullptr || !ReadsEvents(*prepared.plan)) continue;
    const std::string input_path = ChildPath(path, absl::StrCat("p", i));
    // A shard's own users, tested against its own rows' user_id: exact.
    if (prepared.kind == PreparedInput::Kind::kInSet && prepared.set != nullptr && prepared.set->by_user &&
        CheckPartitioned(*prepared.plan, input_path, check).ok()) {
      continue;
    }
    if (prepared.kind == PreparedInput::Kind::kUserList) continue;
    const absl::StatusOr<ClusterSplit> split =
        check.globals != nullptr ? PlanClusterSplit(*prepared.plan) : absl::StatusOr<ClusterSplit>(NotYet(""));
    if (!split.ok()) {
      return NotYet(prepared.kind == PreparedInput::Kind::kScalar
                        ? absl::StrCat("a scalar subquery over events (", prepared.sql, ")")
                        : absl::StrCat("IN (SELECT ...) over events on anything but user_id (", prepared.sql, ")"));
    }
    check.globals->push_back({input_path, prepared.plan, *split});
  }
  return absl::OkStatus();
}

absl::Status CheckSourcePartitioned(const SelectPlan& plan, const std::string& path, const SplitCheck& check) {
  const SourcePlan& source = plan.source;
  switch (source.kind) {
    case SourcePlan::Kind::kEvents: return absl::OkStatus();
    case SourcePlan::Kind::kSubquery: return CheckPartitioned(*source.subquery, ChildPath(path, "s"), check);
    case SourcePlan::Kind::kUnion:
      for (size_t i = 0; i < source.inputs.size(); ++i) {
        // Rows of a block that reads no events would come once from every shard.
        if (!ReadsEvents(*source.inputs[i])) return NotYet("UNION of events with rows that are not events");
        MUA_RETURN_IF_ERROR(CheckPartitioned(*source.inputs[i], ChildPath(path, absl::StrCat("u", i)), check));
      }
      if (source.distinct) return NotYet("UNION DISTINCT over events");
      return absl::OkStatus();
    case SourcePlan::Kind::kDeferred:
      if (source.deferred.rows_per_user) return absl::OkStatus();
      if (source.deferred.row_wise_input != nullptr) {
        return CheckPartitioned(*source.deferred.row_wise_input, ChildPath(path, "a"), check);
      }
      if (const std::optional<DeferredRows::JoinSides>& join = source.deferred.join) {
        if (join->keyed_by_user) {
          MUA_RETURN_IF_ERROR(CheckPartitioned(*join->left, ChildPath(path, "jl"), check));
          return CheckPartitioned(*join->right, ChildPath(path, "jr"), check);
        }
        if (join->rows_from_left && !ReadsEvents(*join->right)) {
          return CheckPartitioned(*join->left, ChildPath(path, "jl"), check);
        }
      }
      return NotYet(absl::StrCat(source.deferred.description.empty() ? source.name : source.deferred.description,
                                 " over events"));
    case SourcePlan::Kind::kRows:
    case SourcePlan::Kind::kOneRow:
      return NotYet("a block over events with rows that are not events");
  }
  return absl::OkStatus();
}

// A block below the root: its rows must be the disjoint union of each shard's.
absl::Status CheckPartitioned(const SelectPlan& plan, const std::string& path, const SplitCheck& check) {
  MUA_RETURN_IF_ERROR(CheckPreparedInputs(plan, path, check));
  MUA_RETURN_IF_ERROR(CheckSourcePartitioned(plan, path, check));
  if (plan.with_totals) return NotYet("WITH TOTALS in a subquery over events");
  if (plan.aggregate && !GroupedByUser(plan)) {
    return NotYet("a subquery over events aggregating groups not keyed by user_id");
  }
  if (plan.limit || plan.offset > 0) return NotYet("LIMIT in a subquery over events");
  if (plan.distinct && !plan.aggregate) {
    bool user_output = false;
    for (size_t i = 0; i < plan.outputs.size(); ++i) user_output |= OutputIsUser(plan, i);
    if (!user_output) return NotYet("DISTINCT over events without user_id");
  }
  return absl::OkStatus();
}

// ---- Columns as bytes (types come from the plan, never from the wire) ----

void WriteValues(TypeId id, const Column& column, size_t begin, size_t end, StateWriter& writer) {
  switch (id) {
    case TypeId::kString:
      for (size_t i = begin; i < end; ++i) writer.Str(column.strings[i]);
      break;
    case TypeId::kFloat64:
      for (size_t i = begin; i < end; ++i) writer.Float(column.floats[i]);
      break;
    case TypeId::kNothing: break;
    default:
      for (size_t i = begin; i < end; ++i) writer.Int(column.ints[i]);
      break;
  }
}

bool ReadValues(TypeId id, size_t count, StateReader& reader, Column* column) {
  switch (id) {
    case TypeId::kString:
      if (reader.remaining() < count) return false;
      for (size_t i = 0; i < count && reader.ok(); ++i) column->strings.emplace_back(reader.Str());
      break;
    case TypeId::kFloat64:
      if (reader.remaining() / 8 < count) return false;
      for (size_t i = 0; i < count && reader.ok(); ++i) column->floats.push_back(reader.Float());
      break;
    case TypeId::kNothing: break;
    default:
      if (reader.remaining() < count) return false;
      for (size_t i = 0; i < count && reader.ok(); ++i) column->ints.push_back(reader.Int());
      break;
  }
  return reader.ok();
}

void WriteColumn(const Column& column, size_t rows, StateWriter& writer) {
  writer.UInt(column.nulls.empty() ? 0 : 1);
  if (!column.nulls.empty()) writer.Bytes(column.nulls.data(), rows);
  const DataType& type = column.type;
  if (type.is_tuple()) {
    for (const Column& child : column.children) WriteColumn(child, rows, writer);
    return;
  }
  if (type.id == TypeId::kArray) {
    for (size_t row = 0; row < rows; ++row) writer.UInt(column.array_offsets[row + 1] - column.array_offsets[row]);
    const size_t elements = column.array_offsets[rows];
    if (type.nested_elements()) {
      WriteColumn(column.children[0], elements, writer);
    } else {
      WriteValues(type.element, column, 0, elements, writer);
    }
    return;
  }
  WriteValues(type.id, column, 0, rows, writer);
}

// A column of `type` (the plan's) with `rows` rows, or false on malformed bytes.
bool ReadColumn(const DataType& type, size_t rows, StateReader& reader, Column* column) {
  *column = EmptyColumn(type);
  const uint64_t has_nulls = reader.UInt();
  if (has_nulls > 1) return false;
  if (has_nulls == 1) {
    const absl::string_view nulls = reader.Bytes(rows);
    if (!reader.ok()) return false;
    column->nulls.assign(nulls.begin(), nulls.end());
  }
  if (type.is_tuple()) {
    for (size_t i = 0; i < type.tuple_size(); ++i) {
      if (!ReadColumn(type.tuple_element(i), rows, reader, &column->children[i])) return false;
    }
    return true;
  }
  if (type.id == TypeId::kArray) {
    if (reader.remaining() < rows) return false;
    uint64_t elements = 0;
    for (size_t row = 0; row < rows; ++row) {
      elements += reader.UInt();
      if (!reader.ok() || elements > UINT32_MAX) return false;
      column->array_offsets.push_back(static_cast<uint32_t>(elements));
    }
    if (type.nested_elements()) return ReadColumn(type.element_type(), elements, reader, &column->children[0]);
    return ReadValues(type.element, elements, reader, column);
  }
  return ReadValues(type.id, rows, reader, column);
}

// ---- Partials ----

constexpr absl::string_view kMagic = "MUAP";
constexpr uint64_t kVersion = 2;  // 2: WITH TOTALS sends each shard's own totals of adding slots
enum class PartKind : uint64_t { kAggregate = 1, kCollected = 2 };

void WriteHeader(PartKind kind, StateWriter& writer) {
  writer.Bytes(kMagic.data(), kMagic.size()).UInt(kVersion).UInt(static_cast<uint64_t>(kind));
}

absl::Status Malformed(absl::string_view what) {
  return absl::DataLossError(absl::StrCat("Malformed shard answer: ", what));
}

absl::Status ReadHeader(PartKind kind, StateReader& reader) {
  if (reader.Bytes(kMagic.size()) != kMagic) return Malformed("not a MUA partial");
  const uint64_t version = reader.UInt();
  if (version != kVersion) {
    return absl::FailedPreconditionError(
        absl::StrCat("A shard answered in partial format version ", version, ", this node reads ", kVersion,
                     ": run the same MUA version on every node"));
  }
  if (reader.UInt() != static_cast<uint64_t>(kind)) return Malformed("unexpected kind of partial");
  return reader.ok() ? absl::OkStatus() : Malformed("truncated header");
}

absl::Status PlanMismatch(absl::string_view what) {
  return absl::FailedPreconditionError(
      absl::StrCat("A shard planned the query differently (", what, "): run the same MUA version on every node"));
}

bool SlotAdds(const AggregateCall& call) {
  return call.prototype->shard_merge() == AggregateFunction::ShardMerge::kAddFinalized;
}

// One shard's partial, parsed; strings view the encoded bytes.
struct ParsedPartial {
  size_t groups = 0;
  std::vector<Column> keys;
  std::vector<bool> adds;                              // per slot: finalized counts
  std::vector<std::vector<int64_t>> values;            // adds
  std::vector<std::vector<absl::string_view>> states;  // !adds
  std::vector<std::optional<int64_t>> totals;          // adds, WITH TOTALS: the shard's own
};

absl::StatusOr<ParsedPartial> ParsePartial(const SelectPlan& plan, absl::string_view encoded) {
  StateReader reader(encoded);
  MUA_RETURN_IF_ERROR(ReadHeader(PartKind::kAggregate, reader));
  ParsedPartial parsed;
  parsed.groups = reader.UInt();
  // Every group takes a byte at least, but the one group of a block without keys or aggregates.
  if (parsed.groups > reader.remaining() + 1) return Malformed("group count");
  if (reader.UInt() != plan.group_keys.size()) return PlanMismatch("GROUP BY keys");
  if (plan.group_keys.empty() && parsed.groups != 1) return Malformed("groups of a block without GROUP BY");
  for (const BoundExprPtr& key : plan.group_keys) {
    if (reader.Str() != key->type.Name()) return PlanMismatch(absl::StrCat("type of key ", key->sql));
    Column& column = parsed.keys.emplace_back();
    if (!ReadColumn(key->type, parsed.groups, reader, &column)) return Malformed("group keys");
  }
  if (reader.UInt() != plan.aggregates.size()) return PlanMismatch("aggregates");
  for (const AggregateCall& call : plan.aggregates) {
    if (reader.Str() != call.sql) return PlanMismatch(call.sql);
    const uint64_t adds = reader.UInt();
    if (adds > 1 || !reader.ok()) return Malformed(call.sql);
    parsed.adds.push_back(adds == 1);
    auto& values = parsed.values.emplace_back();
    auto& states = parsed.states.emplace_back();
    if (reader.UInt() != parsed.groups) return Malformed(call.sql);
    for (size_t g = 0; g < parsed.groups && reader.ok(); ++g) {
      if (adds == 1) {
        values.push_back(reader.Int());
      } else {
        states.push_back(reader.Str());
      }
    }
    parsed.totals.push_back(adds == 1 && plan.with_totals ? std::optional<int64_t>(reader.Int()) : std::nullopt);
  }
  MUA_RETURN_IF_ERROR(reader.Finish("(shard partial)"));
  return parsed;
}

Vector IntVector(const DataType& type, std::vector<int64_t> values) {
  Vector vector;
  vector.type = type;
  vector.size = values.size();
  vector.ints = std::move(values);
  return vector;
}

// Folds one parsed partial into `worker`, summing the slots that add.
absl::Status FoldPartial(const SelectPlan& plan, const std::vector<bool>& slot_adds, ParsedPartial& parsed,
                         BlockWorker* worker) {
  std::vector<uint32_t> group_of_row;
  if (plan.group_keys.empty()) {
    worker->groups.EnsureOneGroup();
    group_of_row.assign(1, 0);
  } else {
    std::vector<Vector> keys;
    for (const Column& column : parsed.keys) keys.push_back(ColumnRows(column, 0, parsed.groups));
    worker->groups.Map(keys, parsed.groups, &group_of_row);
  }
  for (size_t a = 0; a < plan.aggregates.size(); ++a) {
    const AggregateCall& call = plan.aggregates[a];
    AggregateFunction& target = *worker->aggregates[a];
    target.Resize(worker->groups.size());
    if (!slot_adds[a]) {
      for (size_t g = 0; g < parsed.groups; ++g) {
        MUA_RETURN_IF_ERROR(target.DeserializeState(group_of_row[g], parsed.states[a][g]));
      }
      continue;
    }
    if (plan.with_totals) {
      if (!parsed.totals[a].has_value()) return Malformed(absl::StrCat(call.sql, ": no totals"));
      if (worker->shard_totals.size() < plan.aggregates.size()) worker->shard_totals.resize(plan.aggregates.size());
      worker->shard_totals[a] = worker->shard_totals[a].value_or(0) + *parsed.totals[a];
    }
    Vector values;
    if (parsed.adds[a]) {
      values = IntVector(call.prototype->result_type(), std::move(parsed.values[a]));
    } else {
      // This shard sent a state where another counted (it took no bitmap path): count it here.
      std::unique_ptr<AggregateFunction> state = call.prototype->CloneEmpty();
      state->Resize(parsed.groups);
      for (size_t g = 0; g < parsed.groups; ++g) MUA_RETURN_IF_ERROR(state->DeserializeState(g, parsed.states[a][g]));
      state->Finalize(&values);
      MUA_RETURN_IF_ERROR(state->finalize_status());
    }
    MUA_RETURN_IF_ERROR(target.Update(absl::MakeConstSpan(&values, 1), group_of_row));
  }
  return absl::OkStatus();
}

void EncodeRows(absl::Span<const Column> columns, uint64_t rows, std::string* out) {
  StateWriter writer(out);
  WriteHeader(PartKind::kCollected, writer);
  writer.UInt(rows).UInt(columns.size());
  for (const Column& column : columns) {
    writer.Str(column.type.Name());
    WriteColumn(column, rows, writer);
  }
}

// Rows whose columns have the types of `expected` (one may have become Nullable on the way:
// AppendVectorRows).
absl::StatusOr<CollectedRows> DecodeRows(absl::Span<const Column> expected, absl::string_view encoded) {
  StateReader reader(encoded);
  MUA_RETURN_IF_ERROR(ReadHeader(PartKind::kCollected, reader));
  CollectedRows rows;
  rows.rows = reader.UInt();
  if (rows.rows > reader.remaining() + 1) return Malformed("row count");
  if (reader.UInt() != expected.size()) return PlanMismatch("result columns");
  for (const Column& want : expected) {
    const absl::string_view name = reader.Str();
    DataType type = want.type;
    if (name != type.Name()) {
      if (type.CannotBeNullable() || name != type.WithNullable().Name()) return PlanMismatch("result column types");
      type = type.WithNullable();
    }
    Column& column = rows.columns.emplace_back();
    if (!ReadColumn(type, rows.rows, reader, &column)) return Malformed("result rows");
  }
  MUA_RETURN_IF_ERROR(reader.Finish("(shard rows)"));
  return rows;
}

void AppendKey(const std::vector<Column>& columns, absl::Span<const int> keys, uint64_t row, std::string* key) {
  key->clear();
  for (int k : keys) AppendColumnKey(columns[k], row, key);
}

// The shards' rows of a table function added up (RowsMerge), ordered.
ResultSet MergeRows(const RowsMerge& merge, const ResultSet& schema, std::vector<CollectedRows> parts) {
  ResultSet merged;
  for (size_t c = 0; c < schema.columns.size(); ++c) merged.AddColumn(schema.names[c], schema.columns[c].type);
  const size_t sample_column = schema.columns.size();  // merge.samples: the shards' last column
  std::vector<std::vector<double>> samples;             // per merged row
  absl::flat_hash_map<std::string, uint64_t> row_of_key;
  // Sums over fewer keys: each shard's value once per sub-key, then summed over shards.
  std::vector<absl::flat_hash_map<std::string, int64_t>> sub_totals(merge.sums.size());
  std::string key;
  for (CollectedRows& part : parts) {
    std::vector<absl::flat_hash_map<std::string, int64_t>> sub_values(merge.sums.size());
    for (uint64_t r = 0; r < part.rows; ++r) {
      AppendKey(part.columns, merge.keys, r, &key);
      const auto [it, added] = row_of_key.try_emplace(key, merged.row_count);
      if (added) {
        for (size_t c = 0; c < merged.columns.size(); ++c) {
          const uint32_t row = static_cast<uint32_t>(r);
          AppendColumn(TakeColumnRows(part.columns[c], absl::MakeConstSpan(&row, 1)), &merged.columns[c]);
        }
        ++merged.row_count;
      }
      if (merge.samples) {
        const Column& column = part.columns[sample_column];
        samples.resize(merged.row_count);
        samples[it->second].insert(samples[it->second].end(), column.floats.begin() + column.array_offsets[r],
                                   column.floats.begin() + column.array_offsets[r + 1]);
      }
      for (size_t s = 0; s < merge.sums.size(); ++s) {
        const RowsMerge::Sum& sum = merge.sums[s];
        const int64_t value = part.columns[sum.column].ints[r];
        if (!sum.keys.empty()) {
          AppendKey(part.columns, sum.keys, r, &key);
          sub_values[s].try_emplace(key, value);
        } else if (!added) {
          merged.columns[sum.column].ints[it->second] += value;
        }
      }
    }
    for (size_t s = 0; s < merge.sums.size(); ++s) {
      for (const auto& [sub_key, value] : sub_values[s]) sub_totals[s][sub_key] += value;
    }
  }
  for (size_t s = 0; s < merge.sums.size(); ++s) {
    const RowsMerge::Sum& sum = merge.sums[s];
    if (sum.keys.empty()) continue;
    for (uint64_t r = 0; r < merged.row_count; ++r) {
      AppendKey(merged.columns, sum.keys, r, &key);
      merged.columns[sum.column].ints[r] = sub_totals[s][key];
    }
  }
  if (merge.samples) {
    Column& column = merged.AddColumn("samples", DataType::Array(TypeId::kFloat64));
    samples.resize(merged.row_count);
    for (const std::vector<double>& row : samples) {
      column.floats.insert(column.floats.end(), row.begin(), row.end());
      column.array_offsets.push_back(static_cast<uint32_t>(column.floats.size()));
    }
  }
  if (merge.derive) merge.derive(&merged);
  if (merge.samples) {
    merged.columns.pop_back();
    merged.names.pop_back();
  }
  std::vector<uint32_t> order(merged.row_count);
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) {
    for (const auto& [column, descending] : merge.order) {
      const int c = CompareColumnValues(merged.columns[column], a, merged.columns[column], b, true);
      if (c != 0) return descending ? c > 0 : c < 0;
    }
    return false;
  });
  for (Column& column : merged.columns) column = TakeColumnRows(column, order);
  return merged;
}

}  // namespace

bool PlanReadsEvents(const SelectPlan& plan) { return ReadsEvents(plan); }

namespace {

// The blocks right below `plan`, each with its path element (ClusterBlock).
std::vector<std::pair<std::string, std::shared_ptr<const SelectPlan>>> ChildBlocks(const SelectPlan& plan) {
  std::vector<std::pair<std::string, std::shared_ptr<const SelectPlan>>> children;
  const SourcePlan& source = plan.source;
  if (source.kind == SourcePlan::Kind::kSubquery) children.emplace_back("s", source.subquery);
  if (source.kind == SourcePlan::Kind::kUnion) {
    for (size_t i = 0; i < source.inputs.size(); ++i) children.emplace_back(absl::StrCat("u", i), source.inputs[i]);
  }
  for (size_t i = 0; i < plan.prepared.size(); ++i) {
    if (plan.prepared[i].plan != nullptr) children.emplace_back(absl::StrCat("p", i), plan.prepared[i].plan);
  }
  if (source.kind == SourcePlan::Kind::kDeferred) {
    const DeferredRows& deferred = source.deferred;
    if (deferred.join) {
      children.emplace_back("jl", deferred.join->left);
      children.emplace_back("jr", deferred.join->right);
    }
    if (deferred.row_wise_input != nullptr) children.emplace_back("a", deferred.row_wise_input);
    if (deferred.input != nullptr) children.emplace_back("i", deferred.input);
  }
  return children;
}

absl::Status CollectClusterBlocks(const SelectPlan& block, const std::string& path, const absl::Status& refusal,
                                  std::vector<ClusterBlock>* out) {
  // What this block reads itself would be this node's events alone.
  const SourcePlan& source = block.source;
  const bool reads_directly =
      source.kind == SourcePlan::Kind::kEvents || block.bitmap.has_value() ||
      (source.kind == SourcePlan::Kind::kDeferred && source.deferred.reads_events && !source.deferred.join &&
       source.deferred.row_wise_input == nullptr && source.deferred.input == nullptr);
  if (reads_directly) return refusal;
  for (const auto& [element, child] : ChildBlocks(block)) {
    if (!ReadsEvents(*child)) continue;
    const std::string child_path = path.empty() ? element : absl::StrCat(path, "/", element);
    const absl::StatusOr<ClusterSplit> split = PlanClusterSplit(*child);
    if (split.ok()) {
      out->push_back({child_path, child, *split});
      continue;
    }
    MUA_RETURN_IF_ERROR(CollectClusterBlocks(*child, child_path, refusal, out));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::vector<ClusterBlock>> PlanClusterBlocks(const SelectPlan& root, const absl::Status& refusal) {
  std::vector<ClusterBlock> blocks;
  MUA_RETURN_IF_ERROR(CollectClusterBlocks(root, "", refusal, &blocks));
  return blocks;
}

void EncodeClusterInput(const std::string& path, const ResultSet& rows, std::string* payload) {
  std::string encoded;
  EncodeRows(rows.columns, rows.row_count, &encoded);
  StateWriter(payload).Str(path).Str(encoded);
}

absl::StatusOr<MaterializedBlocks> DecodeClusterInputs(const std::shared_ptr<const SelectPlan>& root,
                                                       absl::string_view payload) {
  MaterializedBlocks blocks;
  StateReader reader(payload);
  while (reader.ok() && reader.remaining() > 0) {
    const absl::string_view path = reader.Str();
    const absl::string_view encoded = reader.Str();
    if (!reader.ok()) break;
    MUA_ASSIGN_OR_RETURN(const std::shared_ptr<const SelectPlan> block, FindBlock(root, path));
    std::vector<Column> expected;
    for (const DataType& type : OutputTypes(*block)) expected.push_back(EmptyColumn(type));
    MUA_ASSIGN_OR_RETURN(CollectedRows rows, DecodeRows(expected, encoded));
    auto result = std::make_shared<ResultSet>();
    result->names = block->names;
    result->columns = std::move(rows.columns);
    result->row_count = rows.rows;
    blocks[block.get()] = std::move(result);
  }
  MUA_RETURN_IF_ERROR(reader.Finish("(cluster inputs)"));
  return blocks;
}

std::string EncodeShardRequest(absl::string_view sql, absl::string_view inputs) {
  std::string body;
  StateWriter(&body).Str(sql).Str(inputs);
  return body;
}

absl::Status DecodeShardRequest(absl::string_view body, std::string* sql, std::string* inputs) {
  StateReader reader(body);
  *sql = std::string(reader.Str());
  *inputs = std::string(reader.Str());
  if (!reader.Finish("(shard request)").ok()) {
    return absl::InvalidArgumentError("cluster_inputs: the body is not a statement and its inputs");
  }
  return absl::OkStatus();
}

absl::StatusOr<std::shared_ptr<const SelectPlan>> FindBlock(const std::shared_ptr<const SelectPlan>& root,
                                                            absl::string_view path) {
  std::shared_ptr<const SelectPlan> block = root;
  for (absl::string_view element : absl::StrSplit(path, '/', absl::SkipEmpty())) {
    std::shared_ptr<const SelectPlan> next;
    for (const auto& [name, child] : ChildBlocks(*block)) {
      if (name == element) next = child;
    }
    if (next == nullptr) {
      return absl::InvalidArgumentError(absl::StrCat("cluster_block ", path.substr(0, 64), " names no block of the statement"));
    }
    block = std::move(next);
  }
  return block;
}

bool PlanOutputIsUser(const SelectPlan& plan, size_t output) { return OutputIsUser(plan, output); }

absl::StatusOr<ClusterSplit> PlanClusterSplit(const SelectPlan& root, std::vector<ClusterBlock>* globals) {
  const SplitCheck check{globals};
  if (!ReadsEvents(root)) return ClusterSplit::kLocal;
  const DeferredRows& deferred = root.source.deferred;
  if (root.source.kind == SourcePlan::Kind::kDeferred && deferred.merge != nullptr) {
    // The block runs on the coordinator alone, over the merged rows.
    for (const PreparedInput& prepared : root.prepared) {
      if (prepared.plan != nullptr && ReadsEvents(*prepared.plan)) {
        return NotYet(absl::StrCat("a subquery over events beside ", deferred.description));
      }
    }
    return ClusterSplit::kMergeRows;
  }
  MUA_RETURN_IF_ERROR(CheckPreparedInputs(root, "", check));
  MUA_RETURN_IF_ERROR(CheckSourcePartitioned(root, "", check));
  if (root.aggregate && !GroupedByUser(root)) {
    for (const AggregateCall& call : root.aggregates) {
      if (SlotAdds(call) || root.bitmap) {
        // The totals of the groups HAVING keeps need each shard's users per group, not counts.
        if (root.with_totals && root.having != nullptr) {
          return NotYet(absl::StrCat("WITH TOTALS and HAVING over ", call.sql));
        }
        MUA_RETURN_IF_ERROR(AdditiveSlot(call).status());
      }
    }
    return ClusterSplit::kAggregate;
  }
  if (root.with_totals) return NotYet("WITH TOTALS grouped by user_id");
  if (root.source.kind == SourcePlan::Kind::kSubquery && root.source.subquery->with_totals) {
    return NotYet("WITH TOTALS in a subquery over events");
  }
  return ClusterSplit::kGather;
}

absl::StatusOr<std::unique_ptr<AggregateFunction>> AdditiveSlot(const AggregateCall& call) {
  const DataType& type = call.prototype->result_type();
  if (type.nullable || (type.id != TypeId::kUInt64 && type.id != TypeId::kInt64)) {
    return NotYet(absl::StrCat(call.sql, " returning ", type.Name()));
  }
  AggregateArg arg;
  arg.type = type;
  return BindAggregateFunction("sum", {}, absl::MakeConstSpan(&arg, 1), false);
}

absl::Status EncodePartialAggregate(const SelectPlan& plan, PartialAggregate& partial, std::string* out) {
  BlockWorker& worker = *partial.state;
  if (plan.group_keys.empty()) worker.groups.EnsureOneGroup();
  const size_t groups = worker.groups.size();
  StateWriter writer(out);
  WriteHeader(PartKind::kAggregate, writer);
  writer.UInt(groups).UInt(plan.group_keys.size());
  const std::vector<Vector> keys = GroupKeyVectors(plan, worker.groups);
  for (size_t k = 0; k < plan.group_keys.size(); ++k) {
    const DataType& type = plan.group_keys[k]->type;
    Column column = EmptyColumn(type);
    AppendVectorRows(keys[k], &column);
    column.type = type;
    writer.Str(type.Name());
    WriteColumn(column, groups, writer);
  }
  // WITH TOTALS: a slot that sends counts also sends this shard's own total (its distinct
  // users over all its groups); users being disjoint across shards, those add up.
  std::vector<int64_t> totals(plan.aggregates.size(), 0);
  if (plan.with_totals) {
    for (size_t a = 0; a < plan.aggregates.size(); ++a) {
      if (!(SlotAdds(plan.aggregates[a]) || plan.bitmap.has_value())) continue;
      AggregateFunction& aggregate = *worker.aggregates[a];
      aggregate.Resize(groups);
      std::unique_ptr<AggregateFunction> all = aggregate.CloneEmpty();
      all->Resize(1);
      all->Merge(aggregate, std::vector<uint32_t>(groups, 0));
      Vector value;
      all->Finalize(&value);
      MUA_RETURN_IF_ERROR(all->finalize_status());
      totals[a] = value.int_at(0);
    }
  }
  writer.UInt(plan.aggregates.size());
  std::string state;
  for (size_t a = 0; a < plan.aggregates.size(); ++a) {
    const AggregateCall& call = plan.aggregates[a];
    AggregateFunction& aggregate = *worker.aggregates[a];
    aggregate.Resize(groups);
    const bool adds = SlotAdds(call) || plan.bitmap.has_value();
    writer.Str(call.sql).UInt(adds ? 1 : 0).UInt(groups);
    if (adds) {
      Vector values;
      aggregate.Finalize(&values);
      MUA_RETURN_IF_ERROR(aggregate.finalize_status());
      for (size_t g = 0; g < groups; ++g) writer.Int(values.int_at(g));
      if (plan.with_totals) writer.Int(totals[a]);
      continue;
    }
    for (size_t g = 0; g < groups; ++g) {
      state.clear();
      MUA_RETURN_IF_ERROR(aggregate.SerializeState(g, &state));
      writer.Str(state);
    }
  }
  return absl::OkStatus();
}

struct PartialAggregateMerger::State {
  State(const SelectPlan& p, const ExecutionContext& context) : plan(p), step(p, context) {}
  const SelectPlan& plan;
  const FilterProject step;
  absl::Mutex mu;
  // Per slot: summed as counts. A slot counts where the coordinator's plan says so (a user
  // distinct count, or every aggregate of a bitmap path, which only takes user counts).
  std::vector<bool> slot_adds;
  PartialAggregatePtr merged ABSL_GUARDED_BY(mu);
  absl::Status init ABSL_GUARDED_BY(mu);
};

PartialAggregateMerger::PartialAggregateMerger(const SelectPlan& plan, const ExecutionContext& context)
    : state_(std::make_unique<State>(plan, context)) {
  State& state = *state_;
  absl::MutexLock lock(&state.mu);
  state.merged.reset(new PartialAggregate);
  state.merged->state = state.step.NewWorker();
  for (size_t a = 0; a < plan.aggregates.size(); ++a) {
    const bool adds = SlotAdds(plan.aggregates[a]) || plan.bitmap.has_value();
    state.slot_adds.push_back(adds);
    if (!adds) continue;
    absl::StatusOr<std::unique_ptr<AggregateFunction>> slot = AdditiveSlot(plan.aggregates[a]);
    if (!slot.ok()) {
      state.init = slot.status();
      continue;
    }
    state.merged->state->aggregates[a] = *std::move(slot);
  }
}

PartialAggregateMerger::~PartialAggregateMerger() = default;

absl::Status PartialAggregateMerger::Add(absl::string_view encoded) {
  State& state = *state_;
  MUA_ASSIGN_OR_RETURN(ParsedPartial part, ParsePartial(state.plan, encoded));
  for (size_t a = 0; a < part.adds.size(); ++a) {
    if (part.adds[a] && !state.slot_adds[a]) return PlanMismatch(absl::StrCat(state.plan.aggregates[a].sql, " counted"));
  }
  absl::MutexLock lock(&state.mu);
  MUA_RETURN_IF_ERROR(state.init);
  return FoldPartial(state.plan, state.slot_adds, part, state.merged->state.get());
}

PartialAggregatePtr PartialAggregateMerger::Finish() {
  absl::MutexLock lock(&state_->mu);
  return std::move(state_->merged);
}

absl::StatusOr<std::vector<PartialAggregatePtr>> DecodePartialAggregates(const SelectPlan& plan,
                                                                         absl::Span<const std::string> encoded,
                                                                         const ExecutionContext& context) {
  PartialAggregateMerger merger(plan, context);
  for (const std::string& bytes : encoded) MUA_RETURN_IF_ERROR(merger.Add(bytes));
  std::vector<PartialAggregatePtr> partials;
  partials.push_back(merger.Finish());
  return partials;
}

void EncodeCollectedRows(const CollectedRows& rows, std::string* out) {
  EncodeRows(rows.columns, rows.rows, out);
}

absl::StatusOr<std::vector<CollectedRows>> DecodeCollectedRows(const SelectPlan& plan,
                                                               absl::Span<const std::string> encoded,
                                                               const ExecutionContext& context) {
  const std::unique_ptr<BlockWorker> empty = FilterProject(plan, context).NewWorker();  // the column types
  std::vector<CollectedRows> parts;
  for (const std::string& bytes : encoded) {
    MUA_ASSIGN_OR_RETURN(CollectedRows part, DecodeRows(empty->collected, bytes));
    parts.push_back(std::move(part));
  }
  return parts;
}

absl::Status ExecuteSourceRowsPart(const SelectPlan& plan, const ExecutionContext& context, std::string* out) {
  std::shared_ptr<const ResultSet> rows;
  if (const DeferredRows& deferred = plan.source.deferred; deferred.produce_partial) {
    MUA_RETURN_IF_ERROR(CheckInterrupted(context));
    MUA_ASSIGN_OR_RETURN(rows, deferred.produce_partial(context, {}));
  } else {
    MUA_ASSIGN_OR_RETURN(rows, ProduceDeferredRows(plan.source, context));
  }
  EncodeRows(rows->columns, rows->row_count, out);
  return absl::OkStatus();
}

absl::StatusOr<ResultSet> ExecuteMergedSource(const SelectPlan& plan, absl::Span<const std::string> encoded,
                                              const ExecutionContext& context) {
  const ResultSet& schema = *plan.source.rows;
  const RowsMerge& merge = *plan.source.deferred.merge;
  std::vector<Column> expected = schema.columns;
  if (merge.samples) expected.push_back(EmptyColumn(DataType::Array(TypeId::kFloat64)));
  std::vector<CollectedRows> parts;
  for (const std::string& bytes : encoded) {
    MUA_ASSIGN_OR_RETURN(CollectedRows part, DecodeRows(expected, bytes));
    parts.push_back(std::move(part));
  }
  MUA_RETURN_IF_ERROR(CheckInterrupted(context));
  auto merged = std::make_shared<ResultSet>(MergeRows(merge, schema, std::move(parts)));
  // The same block over the merged rows, as if they were fixed rows.
  SelectPlan over_merged = plan;
  over_merged.source.kind = SourcePlan::Kind::kRows;
  over_merged.source.rows = std::move(merged);
  over_merged.source.deferred = DeferredRows();
  return ExecuteSelect(over_merged, context);
}

}  // namespace mua
