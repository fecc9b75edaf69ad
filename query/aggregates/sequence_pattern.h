// SequencePattern: the pattern language of sequenceMatch / sequenceCount as
// ClickHouse defines it: (?N) one event where condition N holds, `.` any
// event, `.*` any run of events, (?t<=S) (?t<S) (?t>=S) (?t>S) (?t==S) a time
// condition on the next event against the event matched before. Events are
// the rows where some condition holds, ordered by (timestamp, lowest true
// condition, row) -- the order windowFunnel uses. Pure; thread-compatible.
//
//   MUA_ASSIGN_OR_RETURN(SequencePattern p, SequencePattern::Parse("(?1).*(?2)", 2, 1));
//   std::vector<SequenceEvent> events = {{10, 0b01}, {20, 0b10}};
//   bool matched = p.Match(events).value();  // true
#pragma once

#include <cstdint>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"

namespace mua::query_internal {

struct SequenceEvent {
  int64_t timestamp;
  uint32_t mask;  // bit k-1: condition k holds
};

class SequencePattern {
 public:
  // `time_scale` multiplies the seconds of (?t...) conditions (1000 over
  // DateTime64(3) timestamps). Errors: InvalidArgument with ClickHouse's texts
  // (unparsable pattern, event number out of 1..num_conditions, a time
  // condition not after an event).
  static absl::StatusOr<SequencePattern> Parse(absl::string_view pattern, int num_conditions,
                                               uint64_t time_scale);

  // REQUIRES: events sorted (SortSequenceEvents). Errors: ResourceExhausted
  // past 1,000,000 backtracking steps (ClickHouse's TOO_SLOW).
  absl::StatusOr<bool> Match(absl::Span<const SequenceEvent> events) const;
  // Non-overlapping matches, each search resuming after the previous match.
  absl::StatusOr<uint64_t> Count(absl::Span<const SequenceEvent> events) const;

 private:
  enum class Op : uint8_t { kEvent, kAny, kStar, kTimeLe, kTimeLt, kTimeGe, kTimeGt, kTimeEq };
  struct Action {
    Op op;
    uint64_t extra;  // kEvent: condition index 0..; time ops: the scaled duration
  };
  enum class Transition : uint8_t { kNone, kEvent, kAny };
  struct DfaState {
    bool kleene = false;
    Transition transition = Transition::kNone;
    uint32_t event = 0;
  };

  bool AllConditionsSeen(absl::Span<const SequenceEvent> events) const;
  bool DfaMatch(absl::Span<const SequenceEvent> events) const;
  absl::StatusOr<bool> CouldMatchDeterministicParts(absl::Span<const SequenceEvent> events) const;
  // Matches from *position on; moves *position past the match (or by one).
  absl::StatusOr<bool> BacktrackingMatch(absl::Span<const SequenceEvent> events, size_t* position) const;

  std::vector<Action> actions_;
  std::vector<DfaState> dfa_;
  bool has_time_ = false;
  uint32_t conditions_in_pattern_ = 0;
};

// Orders one group's events by (timestamp, lowest true condition), stably.
void SortSequenceEvents(std::vector<SequenceEvent>* events);

}  // namespace mua::query_internal
