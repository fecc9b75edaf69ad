#include "query/analytics/experiment.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <set>
#include <atomic>
#include <functional>
#include <memory>
#include <thread>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/synchronization/mutex.h"
#include "query/analytics/event_scan.h"
#include "query/executor.h"
#include "storage/base/parallel_for.h"
#include "storage/derived_block.h"
#include "rapidjson/memorystream.h"
#include "rapidjson/reader.h"
#include "query/functions/json_extract.h"
#include "query/functions/time_functions.h"
#include "query/internal/statistics.h"
#include "storage/base/status_macros.h"
#include "storage/string_dictionary.h"

namespace mua {
namespace {

using query_internal::JsonExtractor;
using query_internal::JsonPathStep;
using query_internal::SampleMoments;

constexpr int64_t kNever = std::numeric_limits<int64_t>::max();
// Per-user variant markers beside the variant numbers.
constexpr uint16_t kUnassigned = 0xFFFF;
constexpr uint16_t kConflicting = 0xFFFE;
constexpr size_t kMaxVariants = 0xFF00;
// Fewer users than this in a variant, or converted users in a conversion test, and the
// normal approximations behind the statistics are not trusted: they are NULL.
constexpr double kMinUsers = 50;
constexpr double kMinConversions = 5;

// Collects the members of `ab_test_variants` objects at the top level of an event's
// `attributes` and under its `user`, as (experiment, variant) pairs. SAX, so no document
// is built, and iterative (kParseIterativeFlag: no recursion), so depth costs no stack;
// `attributes` was validated (UTF-8 included) when the event was accepted, so strings
// are not validated again. Parsing stops once both places were read.
class VariantsHandler : public rapidjson::BaseReaderHandler<rapidjson::UTF8<>, VariantsHandler> {
 public:
  explicit VariantsHandler(std::vector<std::pair<std::string, std::string>>* out) : out_(out) {}

  bool Key(const char* text, rapidjson::SizeType length, bool) {
    const absl::string_view key(text, length);
    if (in_variants_ && depth_ == variants_depth_) {
      experiment_.assign(key.data(), key.size());
    } else if (depth_ == 1 || (depth_ == 2 && in_user_)) {
      pending_ = key == "ab_test_variants" ? Pending::kVariants
                 : depth_ == 1 && key == "user" ? Pending::kUser
                                                : Pending::kNone;
    }
    return true;
  }
  bool StartObject() {
    ++depth_;
    if (pending_ == Pending::kVariants && !in_variants_) {
      in_variants_ = true;
      variants_depth_ = depth_;
    } else if (pending_ == Pending::kUser && depth_ == 2) {
      in_user_ = true;
    }
    pending_ = Pending::kNone;
    return true;
  }
  bool EndObject(rapidjson::SizeType) {
    if (in_variants_ && depth_ == variants_depth_) {
      in_variants_ = false;
      if (depth_ == 2) top_level_done_ = true;
    }
    if (in_user_ && depth_ == 2) {
      in_user_ = false;
      user_done_ = true;
    }
    --depth_;
    // Both places read (a JSON object has each key once): the rest need not be parsed.
    return !(top_level_done_ && user_done_);
  }
  bool StartArray() {
    ++depth_;
    pending_ = Pending::kNone;
    return true;
  }
  bool EndArray(rapidjson::SizeType) {
    --depth_;
    return true;
  }
  bool String(const char* text, rapidjson::SizeType length, bool) {
    if (length > 0) Value(absl::string_view(text, length));
    return true;
  }
  // Numbers arrive as their text (kParseNumbersAsStringsFlag): {"exp": 2} is variant "2".
  bool RawNumber(const char* text, rapidjson::SizeType length, bool) {
    Value(absl::string_view(text, length));
    return true;
  }
  bool Bool(bool value) {
    Value(value ? "true" : "false");
    return true;
  }
  bool Default() {  // null
    pending_ = Pending::kNone;
    return true;
  }

 private:
  enum class Pending { kNone, kVariants, kUser };
  void Value(absl::string_view value) {
    if (in_variants_ && depth_ == variants_depth_) out_->emplace_back(experiment_, value);
    pending_ = Pending::kNone;
  }

  std::vector<std::pair<std::string, std::string>>* out_;
  int depth_ = 0;
  Pending pending_ = Pending::kNone;
  bool in_user_ = false;
  bool in_variants_ = false;
  int variants_depth_ = 0;
  bool top_level_done_ = false;  // the top-level ab_test_variants was read
  bool user_done_ = false;       // the user object was read
  std::string experiment_;
};

// The assignments one event carries: its `ab_test_variants` objects, and an exposure
// event's properties `experiment` and `variant`.
class AssignmentReader {
 public:
  AssignmentReader(const TableSnapshot& snapshot, const std::string& exposure_event) {
    exposure_code_ = snapshot.dictionary(ColumnId::kEventType).Find(exposure_event);
  }
  bool reads_properties() const { return exposure_code_.has_value(); }

  // Calls fn(experiment, variant) for each assignment of the row.
  template <typename Fn>
  void Read(uint32_t event_type, absl::string_view attributes, absl::string_view properties, Fn&& fn) {
    if (exposure_code_ && event_type == *exposure_code_) {
      if (json_.ExtractString(properties, experiment_path_, &experiment_) &&
          json_.ExtractString(properties, variant_path_, &variant_)) {
        fn(experiment_, variant_);
      }
    }
    // Most events of most products carry no assignment: a substring test spares the parse.
    if (std::search(attributes.begin(), attributes.end(), needle_) == attributes.end()) return;
    pairs_.clear();
    VariantsHandler handler(&pairs_);
    // In situ, on a copy: strings are unescaped where they lie instead of into a stack.
    copy_.assign(attributes.data(), attributes.size());
    rapidjson::InsituStringStream stream(copy_.data());
    reader_.Parse<rapidjson::kParseIterativeFlag | rapidjson::kParseInsituFlag |
                  rapidjson::kParseNumbersAsStringsFlag | rapidjson::kParseStopWhenDoneFlag>(stream, handler);
    for (const auto& [experiment, variant] : pairs_) fn(experiment, variant);
  }

 private:
  std::optional<uint32_t> exposure_code_;
  JsonExtractor json_;
  rapidjson::Reader reader_;
  const query_internal::JsonPath experiment_path_ = {JsonPathStep::Key("experiment")};
  const query_internal::JsonPath variant_path_ = {JsonPathStep::Key("variant")};
  std::vector<std::pair<std::string, std::string>> pairs_;
  std::string copy_;
  std::string experiment_, variant_;
  // Skips by the key's length, where a search by its first character would stop at every quote.
  static constexpr absl::string_view kKey = "\"ab_test_variants\"";
  const std::boyer_moore_horspool_searcher<absl::string_view::const_iterator> needle_{kKey.begin(), kKey.end()};
};

// One assignment event of a user, as the scan meets it.
struct AssignmentEvent {
  uint32_t user;
  int64_t time_ms;
  absl::string_view experiment;
  absl::string_view variant;
  uint32_t breakdown;  // the breakdown column's code on the event (0 without one)
};

// Calls fn(range, event) for every assignment in events before `to_ms` that pass the
// scope's `where`, split by user ranges as EventScan::RunByUser (a user's events reach one
// range, one thread at a time).
template <typename Fn>
absl::Status ScanAssignments(const TableSnapshot& snapshot, const AnalyticsScope& scope,
                             const std::string& exposure_event, int64_t to_ms, Fn&& fn) {
  query_internal::EventScan scan(scope);
  const int user_column = scan.Column(ColumnId::kUserId);
  const int time_column = scan.Column(ColumnId::kEventTime);
  const int type_column = scan.Column(ColumnId::kEventType);
  const int attributes_column = scan.Column(ColumnId::kAttributes);
  std::vector<std::unique_ptr<AssignmentReader>> readers(scan.range_count(snapshot));
  for (auto& reader : readers) reader = std::make_unique<AssignmentReader>(snapshot, exposure_event);
  const int properties_column = readers.empty() || !readers[0]->reads_properties()
                                    ? -1
                                    : scan.Column(ColumnId::kProperties);
  const int breakdown_column = scope.breakdown ? scan.Column(*scope.breakdown) : -1;
  return scan.RunByUser(snapshot, std::numeric_limits<int64_t>::min(), to_ms - 1,
                        [&](size_t range, const Batch& batch, absl::Span<const uint32_t> rows) {
    AssignmentReader& reader = *readers[range];
    const Vector& users = batch.columns[user_column];
    const Vector& times = batch.columns[time_column];
    const Vector& types = batch.columns[type_column];
    const Vector& attributes = batch.columns[attributes_column];
    for (uint32_t row : rows) {
      const int64_t time = times.ints[row];
      if (time >= to_ms) continue;
      const absl::string_view properties =
          properties_column >= 0 ? batch.columns[properties_column].strings[row] : absl::string_view();
      const uint32_t breakdown = breakdown_column >= 0 ? batch.columns[breakdown_column].codes[row] : 0;
      reader.Read(types.codes[row], attributes.strings[row], properties,
                  [&](absl::string_view experiment, absl::string_view variant) {
                    fn(range, AssignmentEvent{users.codes[row], time, experiment, variant, breakdown});
                  });
    }
  });
}

// The assignments of one block, kept beside a sealed block (storage/derived_block.h) so
// that only the first experiment query parses its `attributes`: per (experiment,
// variant), each user with an event carrying it, the earliest such event's time and row.
// Exact for any `to`: a user carried a variant before `to` iff that earliest time is.
class BlockAssignments final : public DerivedBlock {
 public:
  struct Group {
    std::string experiment;
    std::string variant;
    std::vector<uint32_t> users;
    std::vector<int64_t> first_ms;
    std::vector<uint32_t> rows;
  };
  std::vector<Group> groups;
  size_t bytes = sizeof(BlockAssignments);

  size_t memory_bytes() const override { return bytes; }
};

std::string BlockAssignmentsKey(const std::string& exposure_event) {
  return absl::StrCat("experiment_assignments|", exposure_event);
}

absl::StatusOr<std::shared_ptr<const BlockAssignments>> ComputeBlockAssignments(
    const TableSnapshot& snapshot, const BlockRef& ref, AssignmentReader& reader, ScanBuffers* buffers) {
  ColumnSet columns;
  for (ColumnId id : {ColumnId::kUserId, ColumnId::kEventTime, ColumnId::kEventType, ColumnId::kAttributes}) {
    columns.Add(id);
  }
  if (reader.reads_properties()) columns.Add(ColumnId::kProperties);
  ScanBlock block;
  MUA_RETURN_IF_ERROR(snapshot.ReadBlock(ref, columns, buffers, &block));
  auto out = std::make_shared<BlockAssignments>();
  absl::flat_hash_map<std::pair<std::string, std::string>, size_t> group_of;
  std::vector<absl::flat_hash_map<uint32_t, uint32_t>> entry_of;  // per group: user -> entry
  const auto types = block.codes[ColumnIndex(ColumnId::kEventType)];
  const auto attributes = block.strings[ColumnIndex(ColumnId::kAttributes)];
  const auto properties = block.strings[ColumnIndex(ColumnId::kProperties)];
  for (uint32_t row = 0; row < block.row_count; ++row) {
    reader.Read(types[row], attributes[row], reader.reads_properties() ? properties[row] : absl::string_view(),
                [&](absl::string_view experiment, absl::string_view variant) {
      auto [it, inserted] = group_of.try_emplace(std::make_pair(std::string(experiment), std::string(variant)),
                                                 out->groups.size());
      if (inserted) {
        out->groups.push_back({std::string(experiment), std::string(variant), {}, {}, {}});
        entry_of.emplace_back();
      }
      BlockAssignments::Group& group = out->groups[it->second];
      const uint32_t user = block.users[row];
      const int64_t time = block.event_time[row];
      auto [entry, added] = entry_of[it->second].try_emplace(user, static_cast<uint32_t>(group.users.size()));
      if (added) {
        group.users.push_back(user);
        group.first_ms.push_back(time);
        group.rows.push_back(row);
      } else if (time < group.first_ms[entry->second]) {
        group.first_ms[entry->second] = time;
        group.rows[entry->second] = row;
      }
    });
  }
  for (const BlockAssignments::Group& group : out->groups) {
    out->bytes += sizeof(group) + group.experiment.capacity() + group.variant.capacity() +
                  group.users.capacity() * (sizeof(uint32_t) * 2 + sizeof(int64_t));
  }
  return std::shared_ptr<const BlockAssignments>(std::move(out));
}

// Every block's assignments, from the blocks' kept values where there are, computed (and
// kept, for sealed blocks) where not; in the snapshot's block order.
absl::StatusOr<std::vector<std::pair<BlockRef, std::shared_ptr<const BlockAssignments>>>> AllBlockAssignments(
    const TableSnapshot& snapshot, const AnalyticsScope& scope, const std::string& exposure_event) {
  ScanOptions scan;
  const std::vector<BlockRef> blocks = snapshot.ListBlocks(scan).blocks;
  std::vector<std::pair<BlockRef, std::shared_ptr<const BlockAssignments>>> out(blocks.size());
  const std::string key = BlockAssignmentsKey(exposure_event);
  const int threads = query_internal::ScanThreads(scope);
  std::atomic<size_t> next{0};
  absl::Mutex mu;
  absl::Status first_error;
  ParallelFor(static_cast<size_t>(threads), threads, [&](int, size_t) {
    AssignmentReader reader(snapshot, exposure_event);
    ScanBuffers buffers;
    for (size_t i = next.fetch_add(1); i < blocks.size(); i = next.fetch_add(1)) {
      const BlockRef& ref = blocks[i];
      out[i].first = ref;
      if (ref.segment >= 0) {
        out[i].second = std::static_pointer_cast<const BlockAssignments>(snapshot.FindDerived(ref, key));
        if (out[i].second != nullptr) continue;
      }
      absl::Status status = scope.execution != nullptr ? CheckInterrupted(*scope.execution) : absl::OkStatus();
      absl::StatusOr<std::shared_ptr<const BlockAssignments>> computed =
          status.ok() ? ComputeBlockAssignments(snapshot, ref, reader, &buffers) : status;
      if (!computed.ok()) {
        absl::MutexLock lock(&mu);
        if (first_error.ok()) first_error = computed.status();
        next.store(blocks.size());
        return;
      }
      out[i].second = *computed;
      snapshot.KeepDerived(ref, key, out[i].second);  // a head's block: not kept
    }
  });
  if (!first_error.ok()) return first_error;
  return out;
}

// Users' assignments to one experiment, in dense arrays by user code.
struct Assignments {
  std::vector<std::string> variants;  // by name
  std::vector<int64_t> first_ms;      // kNever: not exposed
  std::vector<uint16_t> variant;      // index into variants, kUnassigned or kConflicting
  std::vector<uint32_t> breakdown;    // the breakdown code on the first exposure
};

// Variant numbers given as variants are met (one table per thread), renumbered by name after.
struct VariantNumbers {
  absl::flat_hash_map<std::string, uint16_t> ids;
  std::vector<std::string> names;
  bool too_many = false;

  std::optional<uint16_t> Id(absl::string_view variant) {
    auto it = ids.find(variant);
    if (it != ids.end()) return it->second;
    if (names.size() >= kMaxVariants) {
      too_many = true;
      return std::nullopt;
    }
    names.emplace_back(variant);
    return ids[variant] = static_cast<uint16_t>(names.size() - 1);
  }
};

// Notes that `user` carried variant `id`.
void Assign(uint32_t user, uint16_t id, Assignments* out) {
  uint16_t& variant = out->variant[user];
  if (variant == kUnassigned) {
    variant = id;
  } else if (variant != id) {
    variant = kConflicting;
  }
}

absl::StatusOr<Assignments> CollectAssignments(const TableSnapshot& snapshot, const AnalyticsScope& scope,
                                               const ExperimentOptions& options, int64_t to_ms) {
  const size_t users = snapshot.user_index().size();
  Assignments out;
  out.first_ms.assign(users, kNever);
  out.variant.assign(users, kUnassigned);
  out.breakdown.assign(users, 0);
  // Each table of variant numbers and the users whose numbers come from it.
  std::vector<VariantNumbers> numbers;
  std::vector<std::pair<uint32_t, uint32_t>> numbered_users;
  if (scope.where == nullptr) {
    // Every event counts: the blocks' kept assignments serve.
    MUA_ASSIGN_OR_RETURN(auto blocks, AllBlockAssignments(snapshot, scope, options.exposure_event));
    numbers.resize(1);
    numbered_users.push_back({0, static_cast<uint32_t>(users)});
    std::vector<std::pair<uint32_t, uint32_t>> first_at;  // with a breakdown: (block, row) per user
    if (scope.breakdown) first_at.assign(users, {0, 0});
    for (size_t b = 0; b < blocks.size(); ++b) {
      for (const BlockAssignments::Group& group : blocks[b].second->groups) {
        if (group.experiment != options.name) continue;
        std::optional<uint16_t> id;  // numbered once seen before `to`
        for (size_t i = 0; i < group.users.size(); ++i) {
          const uint32_t user = group.users[i];
          if (group.first_ms[i] >= to_ms || user >= users) continue;
          if (!id && !(id = numbers[0].Id(group.variant))) break;
          Assign(user, *id, &out);
          if (group.first_ms[i] < out.first_ms[user]) {
            out.first_ms[user] = group.first_ms[i];
            if (scope.breakdown) first_at[user] = {static_cast<uint32_t>(b), group.rows[i]};
          }
        }
      }
    }
    if (scope.breakdown) {
      // The breakdown value on each user's first exposure, read from those blocks only.
      std::map<uint32_t, std::vector<uint32_t>> users_by_block;
      for (uint32_t user = 0; user < users; ++user) {
        if (out.first_ms[user] != kNever) users_by_block[first_at[user].first].push_back(user);
      }
      ColumnSet column;
      column.Add(*scope.breakdown);
      ScanBuffers buffers;
      for (const auto& [b, block_users] : users_by_block) {
        ScanBlock block;
        MUA_RETURN_IF_ERROR(snapshot.ReadBlock(blocks[b].first, column, &buffers, &block));
        const auto codes = block.codes[ColumnIndex(*scope.breakdown)];
        for (uint32_t user : block_users) out.breakdown[user] = codes[first_at[user].second];
      }
    }
  } else {
    // `where` decides which events count: scan them (by user ranges, one table each).
    query_internal::EventScan ranges_of(scope);
    numbers.resize(ranges_of.range_count(snapshot));
    for (size_t r = 0; r < numbers.size(); ++r) numbered_users.push_back(ranges_of.user_range(snapshot, r));
    MUA_RETURN_IF_ERROR(ScanAssignments(snapshot, scope, options.exposure_event, to_ms,
                                        [&](size_t range, const AssignmentEvent& event) {
      if (event.experiment != options.name || event.user >= users) return;
      const std::optional<uint16_t> id = numbers[range].Id(event.variant);
      if (!id) return;
      Assign(event.user, *id, &out);
      if (event.time_ms < out.first_ms[event.user]) {
        out.first_ms[event.user] = event.time_ms;
        out.breakdown[event.user] = event.breakdown;
      }
    }));
  }
  std::map<std::string, uint16_t> by_name;
  for (const VariantNumbers& table : numbers) {
    if (table.too_many) {
      return absl::ResourceExhaustedError(
          absl::StrCat("experiment '", options.name, "' has more than ", kMaxVariants, " variants"));
    }
    for (const std::string& name : table.names) by_name.emplace(name, 0);
  }
  for (auto& [name, id] : by_name) {
    id = static_cast<uint16_t>(out.variants.size());
    out.variants.push_back(name);
  }
  for (size_t t = 0; t < numbers.size(); ++t) {
    std::vector<uint16_t> renumber;
    for (const std::string& name : numbers[t].names) renumber.push_back(by_name[name]);
    for (uint32_t user = numbered_users[t].first; user < numbered_users[t].second && user < users; ++user) {
      if (out.variant[user] < kConflicting) out.variant[user] = renumber[out.variant[user]];
    }
  }
  return out;
}

// Per-user metric values: `value` over [exposure, end) and, for CUPED, `covariate` over
// the equally long period before the exposure.
struct UserMetrics {
  std::vector<double> value;
  std::vector<double> covariate;
};

absl::Status MeasureUsers(const TableSnapshot& snapshot, const AnalyticsScope& scope,
                          const ExperimentOptions& options, const Assignments& assignments,
                          const std::vector<uint32_t>& population, int64_t to_ms, UserMetrics* out) {
  const size_t users = assignments.first_ms.size();
  out->value.assign(users, 0);
  if (options.cuped) out->covariate.assign(users, 0);
  if (population.empty()) return absl::OkStatus();
  const query_internal::TimeZone zone = scope.utc ? query_internal::TimeZone() : query_internal::TimeZone(scope.time_zone);
  // Each population user's window end (exclusive).
  std::vector<int64_t> end_ms(users, 0);
  int64_t scan_from = kNever, scan_to = std::numeric_limits<int64_t>::min();
  for (uint32_t user : population) {
    const int64_t first = assignments.first_ms[user];
    int64_t end = to_ms;
    if (options.window_ms > 0 && options.metric != ExperimentMetric::kRetention && first <= to_ms - options.window_ms) end = std::min(end, first + options.window_ms);
    end_ms[user] = end;
    const int64_t start = options.cuped ? first - (end - first) : first;
    scan_from = std::min(scan_from, start);
    scan_to = std::max(scan_to, end);
  }
  const StringDictionary& types = snapshot.dictionary(ColumnId::kEventType);
  std::optional<uint32_t> event_code;
  if (!options.event.empty() && options.event != "*") {
    event_code = types.Find(options.event);
    if (!event_code) return absl::OkStatus();  // nobody did the event: every value is 0
  }
  query_internal::EventScan scan(scope);
  const int user_column = scan.Column(ColumnId::kUserId);
  const int time_column = scan.Column(ColumnId::kEventTime);
  const int type_column = scan.Column(ColumnId::kEventType);
  const bool sum = options.metric == ExperimentMetric::kSum;
  const int properties_column = sum ? scan.Column(ColumnId::kProperties) : -1;
  const bool retention = options.metric == ExperimentMetric::kRetention;
  const query_internal::JsonPath property = {JsonPathStep::Key(options.value_property)};
  std::vector<std::unique_ptr<JsonExtractor>> json(scan.range_count(snapshot));
  for (auto& extractor : json) extractor = std::make_unique<JsonExtractor>();
  return scan.RunByUser(snapshot, scan_from, scan_to - 1,
                        [&](size_t range, const Batch& batch, absl::Span<const uint32_t> rows) {
    const Vector& user_codes = batch.columns[user_column];
    const Vector& times = batch.columns[time_column];
    const Vector& event_types = batch.columns[type_column];
    for (uint32_t row : rows) {
      if (event_code && event_types.codes[row] != *event_code) continue;
      const uint32_t user = user_codes.codes[row];
      if (user >= users || end_ms[user] == 0) continue;  // not in the population
      const int64_t time = times.ints[row];
      const int64_t first = assignments.first_ms[user];
      const int64_t end = end_ms[user];
      double* slot;
      if (time >= first && time < end) {
        slot = &out->value[user];
      } else if (options.cuped && time < first && time >= first - (end - first)) {
        slot = &out->covariate[user];
      } else {
        continue;
      }
      if (retention) {
        const int32_t day = query_internal::ToDayNum(query_internal::FloorDiv(time, 1000), zone);
        const int32_t exposure_day = query_internal::ToDayNum(query_internal::FloorDiv(first, 1000), zone);
        if (day == exposure_day + options.retention_day) *slot = 1;
      } else if (sum) {
        *slot += json[range]->ExtractFloat(batch.columns[properties_column].strings[row], property);
      } else {
        *slot += 1;
      }
    }
  });
}

// One variant's users within a breakdown group: the moments of their covariate x (CUPED's
// pre-period value; 0 without) and value y, mergeable (Chan et al.), so a cluster's
// shards' arms add up exactly as one table's would.
struct ArmStats {
  query_internal::BivariateMoments moments;  // of (x, y)
  double converted = 0;                      // users with y > 0
  double value = 0;                          // sum of y

  void Add(double x, double y) {
    moments.Add(x, y);
    if (y > 0) converted += 1;
    value += y;
  }
  void Merge(const ArmStats& o) {
    moments.Merge(o.moments);
    converted += o.converted;
    value += o.value;
  }
  // The arm's fields as a shard sends them (ExperimentRowsMerge), and back.
  static constexpr size_t kFields = 8;
  void AppendTo(std::vector<double>* out) const {
    const query_internal::BivariateMoments& m = moments;
    out->insert(out->end(), {m.n, m.mean_x, m.mean_y, m.m2x, m.m2y, m.cxy, converted, value});
  }
  static ArmStats From(const double* f) {
    return ArmStats{{f[0], f[1], f[2], f[3], f[4], f[5]}, f[6], f[7]};
  }
};

struct Group {
  std::map<std::string, ArmStats> arms;  // by variant
  double excluded = 0;
};

std::optional<double> Finite(double x) {
  return std::isfinite(x) ? std::optional<double>(x) : std::nullopt;
}

// The experiment's rows from its groups (by breakdown value; "" without a breakdown):
// the statistics of SPEC §5b. With `parts` (a cluster shard), each row ends with its arm's
// fields and the group's excluded users, for the coordinator to merge.
absl::StatusOr<ResultSet> FinishExperiment(const std::map<std::string, Group>& groups,
                                           const std::vector<std::string>& variants,
                                           const std::optional<std::string>& breakdown,
                                           const ExperimentOptions& options, bool parts) {
  // Rows: control first, then the other variants by name.
  std::vector<size_t> order(variants.size());
  for (size_t v = 0; v < variants.size(); ++v) order[v] = v;
  const std::string wanted = options.control.empty() ? "control" : options.control;
  const auto found = std::find(variants.begin(), variants.end(), wanted);
  const bool has_control = found != variants.end() || (options.control.empty() && !variants.empty());
  const size_t control = found != variants.end() ? static_cast<size_t>(found - variants.begin()) : 0;
  // A shard may lack a variant the others have: the coordinator checks.
  if (!parts && !has_control && !variants.empty()) {
    return absl::InvalidArgumentError(absl::StrCat("experiment '", options.name, "' has no variant '", options.control,
                                                   "' (control); its variants: ", absl::StrJoin(variants, ", ")));
  }
  if (has_control) std::rotate(order.begin(), order.begin() + control, order.begin() + control + 1);
  if (!parts && !options.weights.empty() && options.weights.size() != variants.size() && !variants.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "weights has ", options.weights.size(), " entries but experiment '", options.name, "' has ",
        variants.size(), " variants (in row order: ",
        absl::StrJoin(order, ", ", [&](std::string* out, size_t v) { out->append(variants[v]); }), ")"));
  }

  ResultSet result;
  const DataType nullable_float = DataType::Nullable(TypeId::kFloat64);
  result.AddColumn("variant", DataType::Of(TypeId::kString));
  if (breakdown) result.AddColumn(*breakdown, DataType::Of(TypeId::kString));
  const size_t c = breakdown ? 2 : 1;
  result.AddColumn("users", DataType::Of(TypeId::kUInt64));
  for (const char* name : {"value", "mean", "stddev"}) result.AddColumn(name, DataType::Of(TypeId::kFloat64));
  for (const char* name : {"lift", "lift_ci_low", "lift_ci_high", "p_value", "chance_to_beat_control"}) {
    result.AddColumn(name, nullable_float);
  }
  result.AddColumn("significant", DataType::Nullable(TypeId::kUInt8));
  result.AddColumn("srm_p_value", nullable_float);
  result.AddColumn("excluded_users", DataType::Of(TypeId::kUInt64));
  result.AddColumn("note", DataType::Of(TypeId::kString));
  if (parts) result.AddColumn("parts", DataType::Array(TypeId::kFloat64));
  auto put_float = [&](size_t column, std::optional<double> value) {
    Column& out = result.columns[column];
    out.floats.push_back(value.value_or(0));
    out.nulls.push_back(value ? 0 : 1);
  };
  const double z = query_internal::NormalQuantile(1 - options.alpha / 2);
  const bool conversion = options.metric == ExperimentMetric::kConversion;
  for (const auto& [breakdown_value, group] : groups) {
    if (variants.empty()) break;
    std::vector<ArmStats> arms(variants.size());
    ArmStats all;
    for (size_t v = 0; v < variants.size(); ++v) {
      if (auto it = group.arms.find(variants[v]); it != group.arms.end()) arms[v] = it->second;
      all.Merge(arms[v]);
    }
    // CUPED: y - theta (x - mean x), theta = cov(x, y) / var(x) over the group's users:
    // each arm's moments of the adjusted value follow from its own.
    std::vector<query_internal::SampleMoments> analyzed(variants.size());
    const query_internal::BivariateMoments& pooled = all.moments;
    const double theta = options.cuped && pooled.m2x > 0 ? pooled.cxy / pooled.m2x : 0;
    for (size_t v = 0; v < variants.size(); ++v) {
      const query_internal::BivariateMoments& arm = arms[v].moments;
      analyzed[v].count = arm.n;
      analyzed[v].mean = arm.mean_y - theta * (arm.mean_x - pooled.mean_x);
      analyzed[v].squared_deviations =
          std::max(0.0, arm.m2y - 2 * theta * arm.cxy + theta * theta * arm.m2x);
    }
    // Sample-ratio mismatch: the variants' users against the expected split.
    std::vector<double> observed, weights;
    for (size_t v : order) {
      observed.push_back(arms[v].moments.n);
      weights.push_back(options.weights.size() == variants.size() ? options.weights[observed.size() - 1] : 1.0);
    }
    // (Only a coordinator gets here with weights that do not fit: a single node refused them.)
    const bool weights_fit = options.weights.empty() || options.weights.size() == variants.size();
    const std::optional<double> srm =
        weights_fit ? query_internal::ChiSquareGoodnessOfFitP(observed, weights) : std::nullopt;
    const ArmStats& base = arms[control];
    const query_internal::SampleMoments& base_values = analyzed[control];
    for (size_t v : order) {
      const ArmStats& arm = arms[v];
      const query_internal::SampleMoments& values = analyzed[v];
      result.columns[0].strings.push_back(variants[v]);
      if (breakdown) result.columns[1].strings.push_back(breakdown_value);
      result.columns[c].ints.push_back(static_cast<int64_t>(arm.moments.n));
      result.columns[c + 1].floats.push_back(conversion ? arm.converted : arm.value);
      result.columns[c + 2].floats.push_back(arm.moments.n > 0 ? values.mean : 0);
      const double variance = values.SampleVariance();
      result.columns[c + 3].floats.push_back(std::isnan(variance) ? 0 : std::sqrt(variance));
      std::string note;
      std::optional<double> lift, low, high, p_value, chance;
      if (!has_control) {
        note = absl::StrCat("no variant '", wanted, "' (control)");

      } else if (v != control) {
        if (base.moments.n < kMinUsers || arm.moments.n < kMinUsers) {
          note = absl::StrCat("fewer than ", kMinUsers, " users in ",
                              base.moments.n < kMinUsers ? "control" : "this variant");
        } else if (conversion && (base.converted < kMinConversions || arm.converted < kMinConversions)) {
          note = absl::StrCat("fewer than ", kMinConversions, " converted users in ",
                              base.converted < kMinConversions ? "control" : "this variant");
        } else {
          const double mean_t = values.mean, mean_c = base_values.mean;
          const double var_t = values.SampleVariance(), var_c = base_values.SampleVariance();
          const double n_t = values.count, n_c = base_values.count;
          if (mean_c != 0) {
            lift = mean_t / mean_c - 1;
            const double se = std::sqrt(var_t / (n_t * mean_c * mean_c) +
                                        mean_t * mean_t * var_c / (n_c * mean_c * mean_c * mean_c * mean_c));
            low = Finite(*lift - z * se);
            high = Finite(*lift + z * se);
          } else {
            note = "control mean is 0: no lift";
          }
          if (conversion && !options.cuped) {
            if (auto test = query_internal::TwoProportionZTest(arm.converted, n_t, base.converted, n_c)) {
              p_value = test->p_value;
            }
          } else if (auto test = query_internal::WelchTTest(values, base_values)) {
            p_value = Finite(test->p_value);
          }
          chance = Finite(query_internal::NormalCdf((mean_t - mean_c) / std::sqrt(var_t / n_t + var_c / n_c)));
          if (!p_value && note.empty()) note = "no variance: no p-value";
        }
      }
      if (!weights_fit && note.empty()) {
        note = absl::StrCat("weights has ", options.weights.size(), " entries for ", variants.size(),
                            " variants: no sample-ratio check");
      }
      put_float(c + 4, lift);
      put_float(c + 5, low);
      put_float(c + 6, high);
      put_float(c + 7, p_value);
      put_float(c + 8, chance);
      Column& significant = result.columns[c + 9];
      significant.ints.push_back(p_value && *p_value < options.alpha ? 1 : 0);
      significant.nulls.push_back(p_value ? 0 : 1);
      put_float(c + 10, srm);
      result.columns[c + 11].ints.push_back(static_cast<int64_t>(group.excluded));
      result.columns[c + 12].strings.push_back(std::move(note));
      if (parts) {
        Column& out = result.columns[c + 13];
        arm.AppendTo(&out.floats);
        out.floats.push_back(v == order.front() ? group.excluded : 0);  // once per group
        out.array_offsets.push_back(static_cast<uint32_t>(out.floats.size()));
      }
      ++result.row_count;
    }
  }
  return result;
}

ABSL_CONST_INIT absl::Mutex exposure_event_mu(absl::kConstInit);
std::string& ExposureEventLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(exposure_event_mu) {
  static std::string* event = new std::string(kDefaultExposureEvent);
  return *event;
}

}  // namespace

void SetDefaultExposureEvent(std::string event_type) {
  absl::MutexLock lock(&exposure_event_mu);
  ExposureEventLocked() = std::move(event_type);
}

std::string DefaultExposureEvent() {
  absl::MutexLock lock(&exposure_event_mu);
  return ExposureEventLocked();
}

absl::StatusOr<ResultSet> Experiment(const TableSnapshot& snapshot, const AnalyticsScope& scope,
                                     const ExperimentOptions& options, bool with_parts) {
  if (options.cuped && options.metric == ExperimentMetric::kRetention) {
    return absl::InvalidArgumentError("cuped => 1 is not available for metric 'retention'");
  }
  if (options.metric == ExperimentMetric::kSum && options.value_property.empty()) {
    return absl::InvalidArgumentError("metric 'sum' needs value_property => 'property name'");
  }
  if (!(options.alpha > 0 && options.alpha < 1)) {
    return absl::InvalidArgumentError(absl::StrCat("alpha must lie in (0, 1), not ", options.alpha));
  }
  int64_t from_ms, to_ms;
  query_internal::ScopeMillis(scope, &from_ms, &to_ms);
  MUA_ASSIGN_OR_RETURN(Assignments assignments, CollectAssignments(snapshot, scope, options, to_ms));

  // Population: users first exposed in [from, to), in one variant.
  std::vector<uint32_t> population;
  std::map<std::string, Group> groups;  // by breakdown value
  absl::flat_hash_map<uint32_t, Group*> group_of_code;  // the breakdown value's name, looked up once
  auto group_of = [&](uint32_t user) -> Group& {
    const uint32_t code = scope.breakdown ? assignments.breakdown[user] : 0;
    Group*& group = group_of_code[code];
    if (group == nullptr) {
      group = &groups[scope.breakdown ? std::string(snapshot.dictionary(*scope.breakdown).Get(code)) : std::string()];
    }
    return *group;
  };
  for (uint32_t user = 0; user < assignments.first_ms.size(); ++user) {
    const int64_t first = assignments.first_ms[user];
    if (first < from_ms || first >= to_ms) continue;
    Group& group = group_of(user);
    if (assignments.variant[user] == kConflicting) {
      group.excluded += 1;
      continue;
    }
    population.push_back(user);
  }
  UserMetrics metrics;
  MUA_RETURN_IF_ERROR(MeasureUsers(snapshot, scope, options, assignments, population, to_ms, &metrics));
  for (uint32_t user : population) {
    double y = metrics.value[user];
    if (options.metric == ExperimentMetric::kConversion) y = y > 0 ? 1 : 0;
    double x = options.cuped ? metrics.covariate[user] : 0;
    if (options.cuped && options.metric == ExperimentMetric::kConversion) x = x > 0 ? 1 : 0;
    group_of(user).arms[assignments.variants[assignments.variant[user]]].Add(x, y);
  }
  std::optional<std::string> breakdown;
  if (scope.breakdown) breakdown = std::string(ColumnName(*scope.breakdown));
  return FinishExperiment(groups, assignments.variants, breakdown, options, with_parts);
}

std::shared_ptr<const RowsMerge> ExperimentRowsMerge(const ExperimentOptions& options, bool breakdown) {
  auto merge = std::make_shared<RowsMerge>();
  merge->keys = breakdown ? std::vector<int>{1, 0} : std::vector<int>{0};
  merge->samples = true;
  merge->derive = [options, breakdown](ResultSet* rows) {
    // Every shard's arm of each (breakdown value, variant), merged; then the statistics.
    std::map<std::string, Group> groups;
    std::set<std::string> names;
    const Column& parts = rows->columns.back();
    constexpr size_t kFields = ArmStats::kFields + 1;
    for (uint64_t r = 0; r < rows->row_count; ++r) {
      const std::string& variant = rows->columns[0].strings[r];
      Group& group = groups[breakdown ? rows->columns[1].strings[r] : std::string()];
      names.insert(variant);
      ArmStats& arm = group.arms[variant];
      // A shard's excluded users of the group ride on one of its rows there.
      for (uint32_t i = parts.array_offsets[r]; i + kFields <= parts.array_offsets[r + 1]; i += kFields) {
        arm.Merge(ArmStats::From(&parts.floats[i]));
        group.excluded += parts.floats[i + ArmStats::kFields];
      }
    }
    const std::vector<std::string> variants(names.begin(), names.end());
    std::optional<std::string> breakdown_name;
    if (breakdown) breakdown_name = rows->names[1];
    absl::StatusOr<ResultSet> finished = FinishExperiment(groups, variants, breakdown_name, options, /*parts=*/true);
    if (finished.ok()) *rows = *std::move(finished);
  };
  return merge;
}

size_t KeepExperimentAssignments(const TableSnapshot& snapshot, size_t max_blocks) {
  const std::string exposure_event = DefaultExposureEvent();
  const std::string key = BlockAssignmentsKey(exposure_event);
  AssignmentReader reader(snapshot, exposure_event);
  ScanBuffers buffers;
  size_t computed = 0;
  for (const BlockRef& ref : snapshot.ListBlocks(ScanOptions()).blocks) {
    if (computed >= max_blocks) break;
    if (ref.segment < 0 || snapshot.FindDerived(ref, key) != nullptr) continue;
    absl::StatusOr<std::shared_ptr<const BlockAssignments>> value =
        ComputeBlockAssignments(snapshot, ref, reader, &buffers);
    if (!value.ok()) continue;  // the query that reads it reports the error
    snapshot.KeepDerived(ref, key, *value);
    if (snapshot.FindDerived(ref, key) == nullptr) return 0;  // the budget is spent
    ++computed;
  }
  return computed;
}

absl::StatusOr<std::vector<ExperimentSummary>> ExperimentSummaries(const TableSnapshot& snapshot,
                                                                   const std::string& exposure_event,
                                                                   const ExecutionContext* execution) {
  AnalyticsScope scope;
  scope.execution = execution;
  struct UserState {
    const std::string* variant = nullptr;  // into `blocks`
    bool conflicting = false;
    int64_t first_ms = kNever;
  };
  MUA_ASSIGN_OR_RETURN(auto blocks, AllBlockAssignments(snapshot, scope, exposure_event));
  absl::flat_hash_map<absl::string_view, absl::flat_hash_map<uint32_t, UserState>> experiments;
  for (const auto& [ref, assignments] : blocks) {
    for (const BlockAssignments::Group& group : assignments->groups) {
      auto& users = experiments[group.experiment];
      for (size_t i = 0; i < group.users.size(); ++i) {
        UserState& state = users[group.users[i]];
        if (state.variant == nullptr) {
          state.variant = &group.variant;
        } else if (*state.variant != group.variant) {
          state.conflicting = true;
        }
        state.first_ms = std::min(state.first_ms, group.first_ms[i]);
      }
    }
  }
  std::map<std::string, std::pair<ExperimentSummary, std::map<std::string, uint64_t>>> by_name;
  for (const auto& [name, users] : experiments) {
    auto& [summary, variants] = by_name[std::string(name)];
    summary.name = std::string(name);
    summary.first_exposure_ms = kNever;
    summary.last_exposure_ms = std::numeric_limits<int64_t>::min();
    for (const auto& [user, state] : users) {
      summary.first_exposure_ms = std::min(summary.first_exposure_ms, state.first_ms);
      summary.last_exposure_ms = std::max(summary.last_exposure_ms, state.first_ms);
      if (state.conflicting) {
        ++summary.excluded_users;
      } else {
        ++variants[*state.variant];
      }
    }
  }
  std::vector<ExperimentSummary> out;
  for (auto& [name, entry] : by_name) {
    auto& [summary, variants] = entry;
    for (const auto& [variant, users] : variants) {
      summary.variants.push_back(variant);
      summary.users_per_variant.push_back(users);
    }
    out.push_back(std::move(summary));
  }
  return out;
}

}  // namespace mua
