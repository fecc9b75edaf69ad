#include "query/aggregates/sequence_pattern.h"

#include <algorithm>
#include <limits>
#include <tuple>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace mua::query_internal {
namespace {

// ClickHouse's sequence_match_max_iterations.
constexpr size_t kMaxIterations = 1000000;

absl::Status TooSlow() {
  return absl::ResourceExhaustedError(absl::StrCat(
      "Pattern application proves too difficult, exceeding max iterations (", kMaxIterations, ")"));
}

int LowestCondition(uint32_t mask) { return mask == 0 ? 32 : __builtin_ctz(mask); }

}  // namespace

absl::StatusOr<SequencePattern> SequencePattern::Parse(absl::string_view pattern, int num_conditions,
                                                       uint64_t time_scale) {
  SequencePattern result;
  result.actions_.push_back({Op::kStar, 0});  // an implicit leading .*
  result.dfa_.emplace_back().kleene = true;
  size_t pos = 0;
  auto syntax_error = [&](absl::string_view message) {
    return absl::InvalidArgumentError(absl::StrCat(message, " '", pattern.substr(pos), "' at position ", pos));
  };
  auto match = [&](absl::string_view token) {
    if (pattern.substr(pos, token.size()) != token) return false;
    pos += token.size();
    return true;
  };
  auto number = [&](uint64_t* value) {
    const size_t begin = pos;
    *value = 0;
    while (pos < pattern.size() && pattern[pos] >= '0' && pattern[pos] <= '9') {
      const uint64_t digit = static_cast<uint64_t>(pattern[pos] - '0');
      *value = *value > (std::numeric_limits<uint64_t>::max() - digit) / 10
                   ? std::numeric_limits<uint64_t>::max()
                   : *value * 10 + digit;
      ++pos;
    }
    return pos > begin;
  };
  while (pos < pattern.size()) {
    if (match("(?")) {
      if (match("t")) {
        Op op;
        if (match("<=")) {
          op = Op::kTimeLe;
        } else if (match("<")) {
          op = Op::kTimeLt;
        } else if (match(">=")) {
          op = Op::kTimeGe;
        } else if (match(">")) {
          op = Op::kTimeGt;
        } else if (match("==")) {
          op = Op::kTimeEq;
        } else {
          return syntax_error("Unknown time condition");
        }
        uint64_t seconds;
        if (!number(&seconds)) return syntax_error("Could not parse number");
        const Op previous = result.actions_.back().op;
        if (previous != Op::kEvent && previous != Op::kAny && previous != Op::kStar) {
          return absl::InvalidArgumentError("Temporal condition should be preceded by an event condition");
        }
        const uint64_t scaled = seconds > std::numeric_limits<uint64_t>::max() / time_scale
                                    ? std::numeric_limits<uint64_t>::max()
                                    : seconds * time_scale;
        result.has_time_ = true;
        result.actions_.push_back({op, scaled});
      } else {
        uint64_t event;
        if (!number(&event)) return syntax_error("Could not parse number");
        if (event == 0 || event > static_cast<uint64_t>(num_conditions)) {
          return absl::InvalidArgumentError(absl::StrCat("Event number ", event, " is out of range"));
        }
        result.actions_.push_back({Op::kEvent, event - 1});
        result.dfa_.back().transition = Transition::kEvent;
        result.dfa_.back().event = static_cast<uint32_t>(event - 1);
        result.dfa_.emplace_back();
        result.conditions_in_pattern_ |= 1u << (event - 1);
      }
      if (!match(")")) return syntax_error("Expected closing parenthesis, found");
    } else if (match(".*")) {
      result.actions_.push_back({Op::kStar, 0});
      result.dfa_.back().kleene = true;
    } else if (match(".")) {
      result.actions_.push_back({Op::kAny, 0});
      result.dfa_.back().transition = Transition::kAny;
      result.dfa_.emplace_back();
    } else {
      return syntax_error("Could not parse pattern, unexpected starting symbol");
    }
  }
  return result;
}

bool SequencePattern::AllConditionsSeen(absl::Span<const SequenceEvent> events) const {
  uint32_t seen = 0;
  for (const SequenceEvent& event : events) seen |= event.mask;
  return (seen & conditions_in_pattern_) == conditions_in_pattern_;
}

// The pattern as an NFA over its event steps: O(events * steps), no backtracking.
bool SequencePattern::DfaMatch(absl::Span<const SequenceEvent> events) const {
  std::vector<uint8_t> active(dfa_.size(), 0), next(dfa_.size(), 0);
  active[0] = 1;
  size_t n_active = 1;
  for (size_t e = 0; e < events.size() && n_active > 0 && !active.back(); ++e) {
    n_active = 0;
    std::fill(next.begin(), next.end(), 0);
    for (size_t state = 0; state < dfa_.size(); ++state) {
      if (!active[state]) continue;
      const DfaState& s = dfa_[state];
      if (s.transition == Transition::kAny ||
          (s.transition == Transition::kEvent && ((events[e].mask >> s.event) & 1) != 0)) {
        next[state + 1] = 1;
        ++n_active;
      }
      if (s.kleene) {
        next[state] = 1;
        ++n_active;
      }
    }
    std::swap(active, next);
  }
  return active.back() != 0;
}

absl::StatusOr<bool> SequencePattern::BacktrackingMatch(absl::Span<const SequenceEvent> events,
                                                        size_t* position) const {
  const size_t n = events.size();
  const size_t begin = *position;
  size_t a = 0, e = begin, base = begin;
  // (action, event, base) to resume from: a `.*` or time condition that may
  // take one more event.
  std::vector<std::tuple<size_t, size_t, size_t>> stack;
  auto backtrack = [&] {
    while (!stack.empty()) {
      std::tie(a, e, base) = stack.back();
      stack.pop_back();
      if (++e != n) return true;
    }
    return false;
  };
  auto elapsed = [&] {
    return static_cast<uint64_t>(events[e].timestamp) - static_cast<uint64_t>(events[base].timestamp);
  };
  size_t iterations = 0;
  while (a < actions_.size() && e < n) {
    const Action& action = actions_[a];
    bool failed = false;
    if (action.op == Op::kEvent || action.op == Op::kAny) {
      if (action.op == Op::kAny || ((events[e].mask >> action.extra) & 1) != 0) {
        base = e;
        ++a;
        ++e;
      } else {
        failed = !backtrack();
      }
    } else if (action.op == Op::kStar) {
      stack.emplace_back(a, e, base);
      base = e;
      ++a;
    } else {
      bool holds = false;
      bool lower_bound = false;  // not reached yet: a later event may reach it
      switch (action.op) {
        case Op::kTimeLe: holds = elapsed() <= action.extra; break;
        case Op::kTimeLt: holds = elapsed() < action.extra; break;
        case Op::kTimeGe: holds = elapsed() >= action.extra; lower_bound = true; break;
        case Op::kTimeGt: holds = elapsed() > action.extra; lower_bound = true; break;
        default: holds = elapsed() == action.extra; lower_bound = true; break;
      }
      if (holds) {
        stack.emplace_back(a, e, base);
        base = e;
        ++a;
      } else if (lower_bound) {
        failed = ++e == n && !backtrack();
      } else {
        failed = !backtrack();
      }
    }
    if (failed) break;
    if (++iterations > kMaxIterations) return TooSlow();
  }
  // Trailing actions that an empty rest of the sequence satisfies.
  while (a < actions_.size() &&
         (actions_[a].op == Op::kStar || actions_[a].op == Op::kTimeLe || actions_[a].op == Op::kTimeLt ||
          (actions_[a].op == Op::kTimeGe && actions_[a].extra == 0))) {
    ++a;
  }
  if (e == begin) ++e;
  *position = e;
  return a == actions_.size();
}

absl::StatusOr<bool> SequencePattern::Match(absl::Span<const SequenceEvent> events) const {
  if (!AllConditionsSeen(events)) return false;
  if (!has_time_) return DfaMatch(events);
  size_t position = 0;
  return BacktrackingMatch(events, &position);
}

absl::StatusOr<uint64_t> SequencePattern::Count(absl::Span<const SequenceEvent> events) const {
  if (!AllConditionsSeen(events)) return 0;
  uint64_t count = 0;
  size_t position = 0;
  while (position < events.size()) {
    absl::StatusOr<bool> matched = BacktrackingMatch(events, &position);
    if (!matched.ok()) return matched.status();
    if (!*matched) break;
    ++count;
  }
  return count;
}

void SortSequenceEvents(std::vector<SequenceEvent>* events) {
  std::stable_sort(events->begin(), events->end(), [](const SequenceEvent& x, const SequenceEvent& y) {
    return std::make_tuple(x.timestamp, LowestCondition(x.mask)) <
           std::make_tuple(y.timestamp, LowestCondition(y.mask));
  });
}

}  // namespace mua::query_internal
