// The aggregate functions: count, sum, avg, min, max, any, argMin, argMax,
// uniqExact / uniq / count(DISTINCT), quantile / quantileExact / median,
// retention, windowFunnel, and the If combinator over any of them.
#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>
#include <limits>

#include "storage/base/hash_containers.h"
#include "absl/container/flat_hash_set.h"
#include "absl/hash/hash.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "query/aggregate_function.h"
#include "query/expression.h"
#include "query/functions/quantile.h"
#include "query/functions/retention.h"
#include "query/functions/window_funnel.h"
#include "query/internal/kernel_util.h"
#include "storage/base/fingerprint.h"
#include "storage/user_bitmap.h"

namespace mua {
namespace {

using query_internal::ArityError;
using query_internal::IllegalType;

enum class Physical { kInt, kFloat, kString };

Physical PhysicalOf(const DataType& type) {
  if (type.is_string()) return Physical::kString;
  if (type.id == TypeId::kFloat64) return Physical::kFloat;
  return Physical::kInt;
}

// One value per group of a given physical kind, for min/max/any/argMin/argMax.
struct ValueColumn {
  Physical physical = Physical::kInt;
  std::vector<int64_t> ints;
  std::vector<double> floats;
  std::vector<std::string> strings;

  void Resize(size_t n) {
    switch (physical) {
      case Physical::kInt: ints.resize(n); break;
      case Physical::kFloat: floats.resize(n); break;
      case Physical::kString: strings.resize(n); break;
    }
  }
  void Set(size_t group, const Vector& v, size_t row) {
    switch (physical) {
      case Physical::kInt: ints[group] = v.int_at(row); break;
      case Physical::kFloat: floats[group] = v.number_at(row); break;
      case Physical::kString: { const absl::string_view text = v.string_at(row); strings[group].assign(text.data(), text.size()); break; }
    }
  }
  void CopyFrom(size_t group, const ValueColumn& other, size_t other_group) {
    switch (physical) {
      case Physical::kInt: ints[group] = other.ints[other_group]; break;
      case Physical::kFloat: floats[group] = other.floats[other_group]; break;
      case Physical::kString: strings[group] = other.strings[other_group]; break;
    }
  }
  // <0, 0, >0 comparing the stored value with row `row` of `v`.
  int Compare(size_t group, const Vector& v, size_t row, bool is_unsigned) const {
    switch (physical) {
      case Physical::kInt: {
        if (is_unsigned) {
          const uint64_t a = ints[group], b = v.int_at(row);
          return a < b ? -1 : a > b;
        }
        const int64_t a = ints[group], b = v.int_at(row);
        return a < b ? -1 : a > b;
      }
      case Physical::kFloat: {
        const double a = floats[group], b = v.number_at(row);
        return a < b ? -1 : a > b;
      }
      case Physical::kString: return absl::string_view(strings[group]).compare(v.string_at(row));
    }
    return 0;
  }
  int CompareStored(size_t group, const ValueColumn& other, size_t other_group, bool is_unsigned) const {
    switch (physical) {
      case Physical::kInt: {
        if (is_unsigned) {
          const uint64_t a = ints[group], b = other.ints[other_group];
          return a < b ? -1 : a > b;
        }
        const int64_t a = ints[group], b = other.ints[other_group];
        return a < b ? -1 : a > b;
      }
      case Physical::kFloat: {
        const double a = floats[group], b = other.floats[other_group];
        return a < b ? -1 : a > b;
      }
      case Physical::kString: return strings[group].compare(other.strings[other_group]);
    }
    return 0;
  }
  void Finalize(const DataType& type, Vector* out) const {
    out->type = type;
    out->constant = false;
    switch (physical) {
      case Physical::kInt: out->ints = ints; out->size = ints.size(); break;
      case Physical::kFloat: out->floats = floats; out->size = floats.size(); break;
      case Physical::kString:
        out->strings.assign(strings.begin(), strings.end());
        out->size = strings.size();
        break;
    }
  }
};

class CountAggregate final : public AggregateFunction {
 public:
  CountAggregate() : AggregateFunction(DataType::Of(TypeId::kUInt64)) {}
  void Resize(size_t groups) override { counts_.resize(std::max(groups, counts_.size())); }
  absl::Status Update(absl::Span<const Vector>, absl::Span<const uint32_t> groups) override {
    for (uint32_t g : groups) ++counts_[g];
    return absl::OkStatus();
  }
  void Merge(AggregateFunction& other, absl::Span<const uint32_t> target) override {
    auto& o = static_cast<CountAggregate&>(other);
    for (size_t g = 0; g < target.size(); ++g) counts_[target[g]] += o.counts_[g];
  }
  void Finalize(Vector* out) override {
    out->type = result_type();
    out->size = counts_.size();
    out->ints.assign(counts_.begin(), counts_.end());
  }
  std::unique_ptr<AggregateFunction> CloneEmpty() const override {
    return std::make_unique<CountAggregate>();
  }

 private:
  std::vector<int64_t> counts_;
};

class SumAggregate final : public AggregateFunction {
 public:
  SumAggregate(DataType result, bool average)
      : AggregateFunction(result), floats_(result.id == TypeId::kFloat64 || average), average_(average) {}
  void Resize(size_t groups) override {
    groups = std::max(groups, counts_.size());
    ints_.resize(groups);
    floats_sum_.resize(groups);
    counts_.resize(groups);
  }
  absl::Status Update(absl::Span<const Vector> args, absl::Span<const uint32_t> groups) override {
    const Vector& v = args[0];
    for (size_t row = 0; row < groups.size(); ++row) {
      const uint32_t g = groups[row];
      if (floats_) {
        floats_sum_[g] += v.number_at(row);
      } else {
        ints_[g] = static_cast<int64_t>(static_cast<uint64_t>(ints_[g]) +
                                        static_cast<uint64_t>(v.int_at(row)));
      }
      ++counts_[g];
    }
    return absl::OkStatus();
  }
  void Merge(AggregateFunction& other, absl::Span<const uint32_t> target) override {
    auto& o = static_cast<SumAggregate&>(other);
    for (size_t g = 0; g < target.size(); ++g) {
      ints_[target[g]] += o.ints_[g];
      floats_sum_[target[g]] += o.floats_sum_[g];
      counts_[target[g]] += o.counts_[g];
    }
  }
  void Finalize(Vector* out) override {
    out->type = result_type();
    out->size = counts_.size();
    if (average_) {
      out->floats.resize(counts_.size());
      for (size_t g = 0; g < counts_.size(); ++g) {
        out->floats[g] = counts_[g] == 0 ? std::numeric_limits<double>::quiet_NaN()
                                         : floats_sum_[g] / static_cast<double>(counts_[g]);
      }
    } else if (floats_) {
      out->floats = floats_sum_;
    } else {
      out->ints = ints_;
    }
  }
  std::unique_ptr<AggregateFunction> CloneEmpty() const override {
    return std::make_unique<SumAggregate>(result_type(), average_);
  }

 private:
  const bool floats_;
  const bool average_;
  std::vector<int64_t> ints_;
  std::vector<double> floats_sum_;
  std::vector<uint64_t> counts_;
};

// min, max, any, anyLast: one value per group.
class ExtremeAggregate final : public AggregateFunction {
 public:
  enum class Kind { kMin, kMax, kAny, kAnyLast };
  ExtremeAggregate(DataType type, Kind kind) : AggregateFunction(type), kind_(kind) {
    values_.physical = PhysicalOf(type);
  }
  void Resize(size_t groups) override {
    groups = std::max(groups, seen_.size());
    values_.Resize(groups);
    seen_.resize(groups);
  }
  absl::Status Update(absl::Span<const Vector> args, absl::Span<const uint32_t> groups) override {
    const Vector& v = args[0];
    const bool is_unsigned = v.type.is_unsigned();
    for (size_t row = 0; row < groups.size(); ++row) {
      const uint32_t g = groups[row];
      if (!seen_[g] || Better(values_.Compare(g, v, row, is_unsigned))) {
        values_.Set(g, v, row);
        seen_[g] = 1;
      }
    }
    return absl::OkStatus();
  }
  void Merge(AggregateFunction& other, absl::Span<const uint32_t> target) override {
    auto& o = static_cast<ExtremeAggregate&>(other);
    const bool is_unsigned = result_type().is_unsigned();
    for (size_t g = 0; g < target.size(); ++g) {
      if (!o.seen_[g]) continue;
      const uint32_t t = target[g];
      if (!seen_[t] || Better(values_.CompareStored(t, o.values_, g, is_unsigned))) {
        values_.CopyFrom(t, o.values_, g);
        seen_[t] = 1;
      }
    }
  }
  void Finalize(Vector* out) override { values_.Finalize(result_type(), out); }
  std::unique_ptr<AggregateFunction> CloneEmpty() const override {
    return std::make_unique<ExtremeAggregate>(result_type(), kind_);
  }

 private:
  // Whether a candidate replaces the stored value, given compare(stored, candidate).
  bool Better(int stored_vs_candidate) const {
    switch (kind_) {
      case Kind::kMin: return stored_vs_candidate > 0;
      case Kind::kMax: return stored_vs_candidate < 0;
      case Kind::kAny: return false;
      case Kind::kAnyLast: return true;
    }
    return false;
  }
  const Kind kind_;
  ValueColumn values_;
  std::vector<uint8_t> seen_;
};

// argMin(arg, key) / argMax(arg, key): the arg of the row with the least/greatest key.
class ArgExtremeAggregate final : public AggregateFunction {
 public:
  ArgExtremeAggregate(DataType arg, DataType key, bool max)
      : AggregateFunction(arg), key_type_(key), max_(max) {
    args_.physical = PhysicalOf(arg);
    keys_.physical = PhysicalOf(key);
  }
  void Resize(size_t groups) override {
    groups = std::max(groups, seen_.size());
    args_.Resize(groups);
    keys_.Resize(groups);
    seen_.resize(groups);
  }
  absl::Status Update(absl::Span<const Vector> args, absl::Span<const uint32_t> groups) override {
    const bool is_unsigned = key_type_.is_unsigned();
    for (size_t row = 0; row < groups.size(); ++row) {
      const uint32_t g = groups[row];
      const int cmp = seen_[g] ? keys_.Compare(g, args[1], row, is_unsigned) : 0;
      if (!seen_[g] || (max_ ? cmp < 0 : cmp > 0)) {
        args_.Set(g, args[0], row);
        keys_.Set(g, args[1], row);
        seen_[g] = 1;
      }
    }
    return absl::OkStatus();
  }
  void Merge(AggregateFunction& other, absl::Span<const uint32_t> target) override {
    auto& o = static_cast<ArgExtremeAggregate&>(other);
    const bool is_unsigned = key_type_.is_unsigned();
    for (size_t g = 0; g < target.size(); ++g) {
      if (!o.seen_[g]) continue;
      const uint32_t t = target[g];
      const int cmp = seen_[t] ? keys_.CompareStored(t, o.keys_, g, is_unsigned) : 0;
      if (!seen_[t] || (max_ ? cmp < 0 : cmp > 0)) {
        args_.CopyFrom(t, o.args_, g);
        keys_.CopyFrom(t, o.keys_, g);
        seen_[t] = 1;
      }
    }
  }
  void Finalize(Vector* out) override { args_.Finalize(result_type(), out); }
  std::unique_ptr<AggregateFunction> CloneEmpty() const override {
    return std::make_unique<ArgExtremeAggregate>(result_type(), key_type_, max_);
  }

 private:
  const DataType key_type_;
  const bool max_;
  ValueColumn args_;
  ValueColumn keys_;
  std::vector<uint8_t> seen_;
};

// A set of fingerprints that stays cache-friendly when large: past kSplitAt
// entries it splits into 256 parts by the fingerprint's top byte. Inserting a
// batch in part order (DistinctAggregate does) then touches one small part after another
// instead of missing all over one table of millions of entries.
class FingerprintSet {
 public:
  static int Part(const Fingerprint128& fingerprint) { return static_cast<int>(fingerprint.second >> 56); }

  void Insert(const Fingerprint128& fingerprint) {
    if (parts_.empty()) {
      small_.insert(fingerprint);
      if (small_.size() >= kSplitAt) Split();
    } else {
      parts_[Part(fingerprint)].insert(fingerprint);
    }
  }
  size_t size() const {
    size_t total = small_.size();
    for (const auto& part : parts_) total += part.size();
    return total;
  }
  void Merge(const FingerprintSet& other) {
    if (other.parts_.empty()) {
      for (const Fingerprint128& fingerprint : other.small_) Insert(fingerprint);
      return;
    }
    if (parts_.empty()) Split();
    for (size_t p = 0; p < parts_.size(); ++p) parts_[p].insert(other.parts_[p].begin(), other.parts_[p].end());
  }

 private:
  static constexpr size_t kSplitAt = size_t{1} << 16;
  void Split() {
    parts_.resize(256);
    for (const Fingerprint128& fingerprint : small_) parts_[Part(fingerprint)].insert(fingerprint);
    small_ = {};
  }
  HashSet<Fingerprint128> small_;
  std::vector<HashSet<Fingerprint128>> parts_;
};

// uniqExact, uniq, count(DISTINCT): exact distinct counts. User numbers go
// to Roaring bitmaps; one numeric argument to a set of integers (floats by
// their bits); anything else to a set of 128-bit fingerprints of the values,
// as ClickHouse's uniqExact keeps for strings (SipHash128 there).
class DistinctAggregate final : public AggregateFunction {
 public:
  enum class Mode { kUsers, kInts, kText };
  explicit DistinctAggregate(Mode mode) : AggregateFunction(DataType::Of(TypeId::kUInt64)), mode_(mode) {}
  void Resize(size_t groups) override {
    groups = std::max(groups, size_);
    size_ = groups;
    switch (mode_) {
      case Mode::kUsers: users_.resize(groups); break;
      case Mode::kInts: ints_.resize(groups); break;
      case Mode::kText: texts_.resize(groups); break;
    }
  }
  absl::Status Update(absl::Span<const Vector> args, absl::Span<const uint32_t> groups) override {
    switch (mode_) {
      case Mode::kUsers: {
        const Vector& v = args[0];
        // Rows of one group usually come in runs (sealed blocks are sorted by
        // user); add runs of one group with addMany.
        size_t row = 0;
        std::vector<uint32_t> run;
        while (row < groups.size()) {
          const uint32_t g = groups[row];
          run.clear();
          while (row < groups.size() && groups[row] == g) run.push_back(v.codes[v.index(row++)]);
          users_[g].addMany(run.size(), run.data());
        }
        return absl::OkStatus();
      }
      case Mode::kInts: {
        const Vector& v = args[0];
        for (size_t row = 0; row < groups.size(); ++row) {
          int64_t key;
          if (v.type.id == TypeId::kFloat64) {
            const double x = v.float_at(row);
            std::memcpy(&key, &x, sizeof(key));
          } else {
            key = v.int_at(row);
          }
          ints_[groups[row]].insert(key);
        }
        return absl::OkStatus();
      }
      case Mode::kText: {
        if (args.size() == 1 && args[0].type.is_string()) {
          // Runs of one value in one group (sorted blocks) are fingerprinted once.
          const Vector& v = args[0];
          absl::string_view previous;
          uint32_t previous_group = UINT32_MAX;
          pending_.clear();
          for (size_t row = 0; row < groups.size(); ++row) {
            const absl::string_view value = v.string_at(row);
            if (groups[row] == previous_group && value == previous) continue;
            pending_.push_back({groups[row], Fingerprint(value)});
            previous = value;
            previous_group = groups[row];
          }
          InsertInPartOrder();
          return absl::OkStatus();
        }
        std::string key;
        for (size_t row = 0; row < groups.size(); ++row) {
          key.clear();
          for (const Vector& v : args) {
            if (v.type.is_string()) {
              const absl::string_view text = v.string_at(row);
              absl::StrAppend(&key, text.size(), ":", text);
            } else if (v.type.id == TypeId::kFloat64) {
              absl::StrAppend(&key, v.float_at(row), ";");
            } else {
              absl::StrAppend(&key, v.int_at(row), ";");
            }
          }
          texts_[groups[row]].Insert(Fingerprint(key));
        }
        return absl::OkStatus();
      }
    }
    return absl::OkStatus();
  }
  void Merge(AggregateFunction& other, absl::Span<const uint32_t> target) override {
    auto& o = static_cast<DistinctAggregate&>(other);
    for (size_t g = 0; g < target.size(); ++g) {
      switch (mode_) {
        case Mode::kUsers: users_[target[g]] |= o.users_[g]; break;
        case Mode::kInts: ints_[target[g]].insert(o.ints_[g].begin(), o.ints_[g].end()); break;
        case Mode::kText: texts_[target[g]].Merge(o.texts_[g]); break;
      }
    }
  }
  void Finalize(Vector* out) override {
    out->type = result_type();
    out->size = size_;
    out->ints.resize(size_);
    for (size_t g = 0; g < size_; ++g) {
      switch (mode_) {
        case Mode::kUsers: out->ints[g] = static_cast<int64_t>(users_[g].cardinality()); break;
        case Mode::kInts: out->ints[g] = static_cast<int64_t>(ints_[g].size()); break;
        case Mode::kText: out->ints[g] = static_cast<int64_t>(texts_[g].size()); break;
      }
    }
  }
  std::unique_ptr<AggregateFunction> CloneEmpty() const override {
    return std::make_unique<DistinctAggregate>(mode_);
  }

 private:
  const Mode mode_;
  size_t size_ = 0;
  std::vector<UserBitmap> users_;
  std::vector<HashSet<int64_t>> ints_;
  // A batch's (group, fingerprint) pairs, inserted ordered by part (a counting
  // sort on the top byte).
  struct Pending {
    uint32_t group;
    Fingerprint128 fingerprint;
  };
  void InsertInPartOrder() {
    std::array<uint32_t, 257> starts{};
    for (const Pending& p : pending_) ++starts[FingerprintSet::Part(p.fingerprint) + 1];
    for (size_t b = 1; b < starts.size(); ++b) starts[b] += starts[b - 1];
    ordered_.resize(pending_.size());
    for (const Pending& p : pending_) ordered_[starts[FingerprintSet::Part(p.fingerprint)]++] = p;
    for (const Pending& p : ordered_) texts_[p.group].Insert(p.fingerprint);
  }
  std::vector<FingerprintSet> texts_;
  std::vector<Pending> pending_, ordered_;
};

class QuantileAggregate final : public AggregateFunction {
 public:
  QuantileAggregate(DataType result, double level, bool exact)
      : AggregateFunction(result), level_(level), exact_(exact) {}
  void Resize(size_t groups) override { values_.resize(std::max(groups, values_.size())); }
  absl::Status Update(absl::Span<const Vector> args, absl::Span<const uint32_t> groups) override {
    for (size_t row = 0; row < groups.size(); ++row) values_[groups[row]].push_back(args[0].number_at(row));
    return absl::OkStatus();
  }
  void Merge(AggregateFunction& other, absl::Span<const uint32_t> target) override {
    auto& o = static_cast<QuantileAggregate&>(other);
    for (size_t g = 0; g < target.size(); ++g) {
      auto& into = values_[target[g]];
      into.insert(into.end(), o.values_[g].begin(), o.values_[g].end());
    }
  }
  void Finalize(Vector* out) override {
    out->type = result_type();
    out->size = values_.size();
    const bool floats = result_type().id == TypeId::kFloat64;
    for (auto& values : values_) {
      const double q = exact_ ? query_internal::QuantileExact(absl::MakeSpan(values), level_)
                              : query_internal::QuantileInterpolated(absl::MakeSpan(values), level_);
      if (floats) {
        out->floats.push_back(q);
      } else {
        out->ints.push_back(std::isfinite(q) ? static_cast<int64_t>(q) : 0);
      }
    }
  }
  std::unique_ptr<AggregateFunction> CloneEmpty() const override {
    return std::make_unique<QuantileAggregate>(result_type(), level_, exact_);
  }

 private:
  const double level_;
  const bool exact_;
  std::vector<std::vector<double>> values_;
};

class RetentionAggregate final : public AggregateFunction {
 public:
  explicit RetentionAggregate(int conditions)
      : AggregateFunction(DataType::Array(TypeId::kUInt8)), conditions_(conditions) {}
  void Resize(size_t groups) override { states_.resize(std::max(groups, states_.size())); }
  absl::Status Update(absl::Span<const Vector> args, absl::Span<const uint32_t> groups) override {
    for (size_t row = 0; row < groups.size(); ++row) {
      uint32_t mask = 0;
      for (int k = 0; k < conditions_; ++k) {
        if (args[k].int_at(row) != 0) mask |= 1u << k;
      }
      states_[groups[row]].Add(mask);
    }
    return absl::OkStatus();
  }
  void Merge(AggregateFunction& other, absl::Span<const uint32_t> target) override {
    auto& o = static_cast<RetentionAggregate&>(other);
    for (size_t g = 0; g < target.size(); ++g) states_[target[g]].Merge(o.states_[g]);
  }
  void Finalize(Vector* out) override {
    out->type = result_type();
    out->size = states_.size();
    out->offsets.assign(1, 0);
    uint8_t values[query_internal::kMaxRetentionConditions];
    for (const auto& state : states_) {
      state.Result(conditions_, values);
      for (int k = 0; k < conditions_; ++k) out->ints.push_back(values[k]);
      out->offsets.push_back(static_cast<uint32_t>(out->ints.size()));
    }
  }
  std::unique_ptr<AggregateFunction> CloneEmpty() const override {
    return std::make_unique<RetentionAggregate>(conditions_);
  }

 private:
  const int conditions_;
  std::vector<query_internal::RetentionState> states_;
};

// Entries of every group in one pool, in insertion order (no allocation per
// group: a funnel over a million users would otherwise grow a million vectors);
// Finalize orders them by group (a stable counting sort) and computes each
// group's level over its span.
class WindowFunnelAggregate final : public AggregateFunction {
 public:
  WindowFunnelAggregate(query_internal::WindowFunnelOptions options, TypeId time_type)
      : AggregateFunction(DataType::Of(TypeId::kUInt8)), options_(options), time_type_(time_type) {}
  void Resize(size_t groups) override { groups_ = std::max(groups, groups_); }
  absl::Status Update(absl::Span<const Vector> args, absl::Span<const uint32_t> groups) override {
    const int n = options_.num_conditions;
    // Rows matching no condition change nothing unless strict_order must see them.
    const bool keep_unmatched = options_.Has(query_internal::FunnelMode::kStrictOrder);
    for (size_t row = 0; row < groups.size(); ++row) {
      uint32_t mask = 0;
      for (int k = 0; k < n; ++k) {
        if (args[k + 1].int_at(row) != 0) mask |= 1u << k;
      }
      if (mask == 0 && !keep_unmatched) continue;
      int64_t ts = args[0].int_at(row);
      // DateTime64 is accepted (ClickHouse needs DateTime): compare in whole seconds.
      if (time_type_ == TypeId::kDateTime64) ts = query_internal::FloorDiv(ts, 1000);
      query_internal::ForEachFunnelEntry(ts, next_row_++, mask, options_,
                                         [&](const query_internal::FunnelEntry& entry) { Push(groups[row], entry); });
    }
    return absl::OkStatus();
  }
  void Merge(AggregateFunction& other, absl::Span<const uint32_t> target) override {
    // `other`'s rows come after this state's rows (as ClickHouse merges states).
    auto& o = static_cast<WindowFunnelAggregate&>(other);
    for (size_t i = 0; i < o.entries_.size(); ++i) {
      query_internal::FunnelEntry entry = o.entries_[i];
      entry.row += next_row_;
      Push(target[o.entry_groups_[i]], entry);
    }
    next_row_ += o.next_row_;
  }
  void Finalize(Vector* out) override {
    out->type = result_type();
    out->size = groups_;
    out->ints.assign(groups_, 0);
    std::vector<uint32_t> starts(groups_ + 1, 0);
    for (uint32_t g : entry_groups_) ++starts[g + 1];
    for (size_t g = 1; g < starts.size(); ++g) starts[g] += starts[g - 1];
    std::vector<query_internal::FunnelEntry> ordered(entries_.size());
    std::vector<uint32_t> next(starts.begin(), starts.end() - 1);
    for (size_t i = 0; i < entries_.size(); ++i) ordered[next[entry_groups_[i]]++] = entries_[i];
    entries_ = {};
    entry_groups_ = {};
    for (size_t g = 0; g < groups_; ++g) {
      const absl::Span<query_internal::FunnelEntry> span(ordered.data() + starts[g], starts[g + 1] - starts[g]);
      out->ints[g] = query_internal::WindowFunnelOfEntries(span, false, options_);
    }
  }
  std::unique_ptr<AggregateFunction> CloneEmpty() const override {
    return std::make_unique<WindowFunnelAggregate>(options_, time_type_);
  }

 private:
  void Push(uint32_t group, const query_internal::FunnelEntry& entry) {
    entries_.push_back(entry);
    entry_groups_.push_back(group);
  }
  const query_internal::WindowFunnelOptions options_;
  const TypeId time_type_;
  size_t groups_ = 0;
  uint32_t next_row_ = 0;
  std::vector<query_internal::FunnelEntry> entries_;
  std::vector<uint32_t> entry_groups_;  // parallel to entries_
};

// f If(args..., cond): rows where cond is false are not folded in.
class IfAggregate final : public AggregateFunction {
 public:
  explicit IfAggregate(std::unique_ptr<AggregateFunction> inner)
      : AggregateFunction(inner->result_type()), inner_(std::move(inner)) {}
  void Resize(size_t groups) override { inner_->Resize(groups); }
  absl::Status Update(absl::Span<const Vector> args, absl::Span<const uint32_t> groups) override {
    const Vector& cond = args.back();
    selected_.clear();
    for (uint32_t row = 0; row < groups.size(); ++row) {
      const bool keep = cond.type.id == TypeId::kFloat64 ? cond.float_at(row) != 0 : cond.int_at(row) != 0;
      if (keep) selected_.push_back(row);
    }
    if (selected_.size() == groups.size()) return inner_->Update(args.subspan(0, args.size() - 1), groups);
    gathered_.resize(args.size() - 1);
    for (size_t i = 0; i + 1 < args.size(); ++i) Gather(args[i], selected_, &gathered_[i]);
    selected_groups_.resize(selected_.size());
    for (size_t i = 0; i < selected_.size(); ++i) selected_groups_[i] = groups[selected_[i]];
    return inner_->Update(gathered_, selected_groups_);
  }
  void Merge(AggregateFunction& other, absl::Span<const uint32_t> target) override {
    inner_->Merge(*static_cast<IfAggregate&>(other).inner_, target);
  }
  void Finalize(Vector* out) override { inner_->Finalize(out); }
  std::unique_ptr<AggregateFunction> CloneEmpty() const override {
    return std::make_unique<IfAggregate>(inner_->CloneEmpty());
  }

 private:
  std::unique_ptr<AggregateFunction> inner_;
  std::vector<uint32_t> selected_;
  std::vector<uint32_t> selected_groups_;
  std::vector<Vector> gathered_;
};

absl::StatusOr<double> LevelParameter(absl::string_view name, absl::Span<const Vector> parameters,
                                      double fallback) {
  if (parameters.empty()) return fallback;
  if (parameters.size() != 1) {
    return absl::InvalidArgumentError(absl::StrCat("Aggregate function ", name, " requires one parameter"));
  }
  const double level = parameters[0].number_at(0);
  if (absl::Status s = query_internal::ValidateQuantileLevel(level); !s.ok()) return s;
  return level;
}

absl::StatusOr<std::unique_ptr<AggregateFunction>> BindBase(absl::string_view name,
                                                            absl::Span<const Vector> parameters,
                                                            absl::Span<const AggregateArg> args,
                                                            bool distinct) {
  const std::string lower = absl::AsciiStrToLower(name);
  auto require_args = [&](size_t n) -> absl::Status {
    if (args.size() != n) return ArityError(name, args.size(), absl::StrCat(n));
    return absl::OkStatus();
  };
  auto no_parameters = [&]() -> absl::Status {
    if (!parameters.empty()) {
      return absl::InvalidArgumentError(absl::StrCat("Aggregate function ", name, " cannot have parameters"));
    }
    return absl::OkStatus();
  };
  if (distinct || name == "uniqExact" || name == "uniq" || name == "uniqCombined" ||
      name == "uniqHLL12" || name == "uniqCombined64") {
    if (args.empty()) return ArityError(name, 0, "at least 1");
    if (lower != "count" && !absl::StartsWith(name, "uniq")) {
      return absl::InvalidArgumentError(absl::StrCat("DISTINCT is supported for count only, not ", name));
    }
    DistinctAggregate::Mode mode = DistinctAggregate::Mode::kText;
    if (args.size() == 1 && args[0].is_user_column) {
      mode = DistinctAggregate::Mode::kUsers;
    } else if (args.size() == 1 && !args[0].type.is_string() && args[0].type.id != TypeId::kArray) {
      mode = DistinctAggregate::Mode::kInts;
    }
    return std::unique_ptr<AggregateFunction>(std::make_unique<DistinctAggregate>(mode));
  }
  if (lower == "count") {
    if (args.size() > 1) return ArityError(name, args.size(), "0 or 1");
    return std::unique_ptr<AggregateFunction>(std::make_unique<CountAggregate>());
  }
  if (lower == "sum" || lower == "avg") {
    if (absl::Status s = require_args(1); !s.ok()) return s;
    if (absl::Status s = no_parameters(); !s.ok()) return s;
    const DataType& type = args[0].type;
    if (!type.is_numeric()) return IllegalType(name, type, 1);
    const bool average = lower == "avg";
    const DataType result = average || type.id == TypeId::kFloat64
                                ? DataType::Of(TypeId::kFloat64)
                                : DataType::Of(type.is_unsigned() ? TypeId::kUInt64 : TypeId::kInt64);
    return std::unique_ptr<AggregateFunction>(std::make_unique<SumAggregate>(result, average));
  }
  if (lower == "min" || lower == "max" || name == "any" || name == "anyLast") {
    if (absl::Status s = require_args(1); !s.ok()) return s;
    if (args[0].type.id == TypeId::kArray) return IllegalType(name, args[0].type, 1);
    const auto kind = lower == "min"   ? ExtremeAggregate::Kind::kMin
                      : lower == "max" ? ExtremeAggregate::Kind::kMax
                      : name == "any"  ? ExtremeAggregate::Kind::kAny
                                       : ExtremeAggregate::Kind::kAnyLast;
    DataType type = args[0].type;
    type.low_cardinality = false;
    return std::unique_ptr<AggregateFunction>(std::make_unique<ExtremeAggregate>(type, kind));
  }
  if (name == "argMin" || name == "argMax") {
    if (absl::Status s = require_args(2); !s.ok()) return s;
    for (int i = 0; i < 2; ++i) {
      if (args[i].type.id == TypeId::kArray) return IllegalType(name, args[i].type, i + 1);
    }
    return std::unique_ptr<AggregateFunction>(
        std::make_unique<ArgExtremeAggregate>(args[0].type, args[1].type, name == "argMax"));
  }
  if (name == "quantile" || name == "quantileExact" || name == "median" ||
      name == "medianExact" || name == "quantileInterpolated") {
    if (absl::Status s = require_args(1); !s.ok()) return s;
    const DataType& type = args[0].type;
    if (!type.is_numeric() && !type.is_time()) return IllegalType(name, type, 1);
    absl::StatusOr<double> level = LevelParameter(name, parameters, 0.5);
    if (!level.ok()) return level.status();
    const bool exact = name == "quantileExact" || name == "medianExact";
    // quantileExact returns the argument's type; interpolating ones Float64
    // (times keep their type, as ClickHouse does for Date/DateTime).
    const DataType result = exact || type.is_time() ? type : DataType::Of(TypeId::kFloat64);
    return std::unique_ptr<AggregateFunction>(std::make_unique<QuantileAggregate>(result, *level, exact));
  }
  if (name == "retention") {
    if (absl::Status s = query_internal::ValidateRetentionArity(args.size()); !s.ok()) return s;
    for (size_t i = 0; i < args.size(); ++i) {
      if (!args[i].type.is_integer()) return IllegalType(name, args[i].type, static_cast<int>(i + 1));
    }
    return std::unique_ptr<AggregateFunction>(
        std::make_unique<RetentionAggregate>(static_cast<int>(args.size())));
  }
  if (name == "windowFunnel") {
    if (parameters.empty()) {
      return absl::InvalidArgumentError("Aggregate function windowFunnel requires at least one parameter (the window)");
    }
    if (!parameters[0].type.is_integer()) {
      return absl::InvalidArgumentError("windowFunnel's window must be an integer");
    }
    std::vector<absl::string_view> modes;
    for (size_t i = 1; i < parameters.size(); ++i) {
      if (!parameters[i].type.is_string()) {
        return absl::InvalidArgumentError("windowFunnel's modes must be strings");
      }
      modes.push_back(parameters[i].string_at(0));
    }
    if (args.size() < 2) return ArityError(name, args.size(), "at least 2");
    if (!args[0].type.is_time() && !args[0].type.is_integer()) return IllegalType(name, args[0].type, 1);
    for (size_t i = 1; i < args.size(); ++i) {
      if (!args[i].type.is_integer()) return IllegalType(name, args[i].type, static_cast<int>(i + 1));
    }
    absl::StatusOr<query_internal::WindowFunnelOptions> options = query_internal::WindowFunnelOptions::Create(
        parameters[0].ints[0], modes, static_cast<int>(args.size() - 1));
    if (!options.ok()) return options.status();
    return std::unique_ptr<AggregateFunction>(
        std::make_unique<WindowFunnelAggregate>(*options, args[0].type.id));
  }
  return absl::NotFoundError(absl::StrCat("Unknown aggregate function ", name));
}

bool IsBaseAggregate(absl::string_view name) {
  static const auto* const kNames = new HashSet<std::string>{
      "count", "sum", "avg", "min", "max", "any", "anyLast", "argMin", "argMax", "uniq",
      "uniqExact", "uniqCombined", "uniqCombined64", "uniqHLL12", "quantile", "quantileExact",
      "quantileInterpolated", "median", "medianExact", "retention", "windowFunnel"};
  if (kNames->contains(name)) return true;
  const std::string lower = absl::AsciiStrToLower(name);
  return lower == "count" || lower == "sum" || lower == "avg" || lower == "min" || lower == "max";
}

}  // namespace

bool IsAggregateFunction(absl::string_view name) {
  if (IsBaseAggregate(name)) return true;
  return absl::EndsWith(name, "If") && IsBaseAggregate(name.substr(0, name.size() - 2));
}

absl::StatusOr<std::unique_ptr<AggregateFunction>> BindAggregateFunction(
    absl::string_view name, absl::Span<const Vector> parameters,
    absl::Span<const AggregateArg> args, bool distinct) {
  if (!IsBaseAggregate(name) && absl::EndsWith(name, "If") &&
      IsBaseAggregate(name.substr(0, name.size() - 2))) {
    if (args.empty()) return ArityError(name, 0, "at least 1");
    if (!args.back().type.is_numeric()) {
      return IllegalType(name, args.back().type, static_cast<int>(args.size()));
    }
    absl::StatusOr<std::unique_ptr<AggregateFunction>> inner =
        BindBase(name.substr(0, name.size() - 2), parameters, args.subspan(0, args.size() - 1), distinct);
    if (!inner.ok()) return inner.status();
    return std::unique_ptr<AggregateFunction>(std::make_unique<IfAggregate>(*std::move(inner)));
  }
  return BindBase(name, parameters, args, distinct);
}

}  // namespace mua
