// EventGenerator::Impl, shared by the files that implement it: event_generator.cc (users,
// sessions, output) and internal/anomalies.cc (--anomaly windows and bots). The state of one
// simulation; not thread-safe.
#pragma once

#include <array>
#include <cstdint>
#include <limits>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "rapidjson/writer.h"
#include "tools/gen/event_generator.h"
#include "tools/gen/internal/catalog.h"
#include "tools/gen/internal/json_text.h"
#include "tools/gen/internal/rng.h"

namespace mua::gen_internal {

inline constexpr int64_t kMillisPerMinute = 60'000;
inline constexpr int64_t kMillisPerHour = 3'600'000;
// Sessions of one user are at least this far apart, so server-side sessionization (5 min
// inactivity on mobile) finds the same sessions as the SDK.
inline constexpr int64_t kMinSessionGapMs = 6 * kMillisPerMinute;
inline constexpr double kUuidUserShare = 0.12;  // users whose id is a UUID rather than "u<n>"

struct UserState {
  explicit UserState(uint64_t seed) : rng(seed) {}
  Rng rng;
  int64_t last_session_end_ms = std::numeric_limits<int64_t>::min() / 2;
  uint32_t next_seq = 0;   // the last event_id counter used
  int32_t signup_day = 0;  // period-relative local day
  float propensity = 1;    // scales the retention curve; loyal users > 1
  int16_t utc_offset_minutes = 0;
  Platform platform = Platform::kAndroid;
  uint8_t device = 0;
  uint8_t os = 0;
  uint8_t country = 0;
  uint8_t city = 0;
  uint8_t release = 0;
  bool uuid_id = false;
};

// Compact form of an event while it waits for its UTC day; strings are made on output.
struct SimEvent {
  int64_t time_ms;
  int64_t emit_ms;     // emission order: time_ms, later for duplicates
  int64_t session_ms;  // SDK session id; -1 when absent
  uint32_t user;
  uint32_t seq;
  uint32_t a;  // type-specific property values (indexes into catalog vocabularies, item, ...)
  uint32_t b;
  EventType type;
  uint8_t release;
  bool duplicate;
  uint16_t exposed;  // bit e: the user is exposed to options.experiments[e] (fits the padding)
};

}  // namespace mua::gen_internal

namespace mua::gen {

class EventGenerator::Impl {
 public:
  explicit Impl(const GeneratorOptions& options);
  bool NextDay(std::vector<GeneratedEvent>* events);
  int64_t users_signed_up() const { return static_cast<int64_t>(users_.size()); }

 private:
  using EventType = gen_internal::EventType;
  using Rng = gen_internal::Rng;
  using SimEvent = gen_internal::SimEvent;
  using UserState = gen_internal::UserState;
  enum class Funnel { kNone, kViewed, kCarted, kCheckedOut };
  using TypeFactors = std::array<double, gen_internal::kEventTypeCount>;
  // Running state of one session while its events are generated.
  struct Session {
    uint32_t user;
    int64_t id_ms;  // -1: no SDK session id
    int64_t start_ms;
    int64_t time_ms;
    int events = 0;
    uint32_t screen = 0;
    uint16_t exposed = 0;  // as SimEvent::exposed, for the whole session
    // Multiplier of each event type's probability (experiment effects); 1 when none.
    TypeFactors factor = Ones();
    double Factor(EventType type) const { return factor[static_cast<int>(type)]; }
  };
  // An ExperimentSpec prepared for the hot path.
  struct Experiment {
    uint64_t key;                    // hash of (seed, name): the assignment stream
    std::vector<double> cumulative;  // running sums of the weights; the last is 1
    int64_t exposure_ms;             // sessions starting at or after it are exposed
    int effect_type;                 // EventType index; -1: none
    double effect_factor;
  };
  // An AnomalySpec prepared for the hot path.
  struct Anomaly {
    AnomalyKind kind;
    int64_t start_ms;  // [start_ms, end_ms): whole UTC hours
    int64_t end_ms;
    double factor;
    uint64_t key;         // hash of (seed, position in options.anomalies): its random streams
    int release = -1;     // kCrash: index into AppReleases()
    uint32_t first_user;  // kBot: user index of its first bot
    int bots = 0;
  };
  // A session a user-day will have when anomalies are configured (internal/anomalies.cc).
  struct PlannedSession {
    int64_t start_ms;  // as sampled, before the gap to the previous session
    int real;          // index among the day's sampled starts; -1: an events spike's extra
    uint64_t stream;   // extra: seed of its random stream
  };
  static TypeFactors Ones() {
    TypeFactors ones;
    ones.fill(1.0);
    return ones;
  }

  // event_generator.cc
  void SimulateLocalDay(int day);
  UserState NewUser(uint32_t index, int signup_day) const;
  int32_t SignupDay(uint32_t index, int day) const;
  bool IsWeekend(int day) const;
  void SimulateUserDay(uint32_t index, int day);
  int64_t GenerateSession(uint32_t index, int64_t start_ms, bool first, double crash_factor = 1);
  void GenerateBody(UserState& user, Session& session, int budget);
  void Emit(UserState& user, Session& session, EventType type, uint32_t a = 0, uint32_t b = 0);
  int LatestRelease(int day) const;
  uint32_t VariantOf(const Experiment& experiment, uint32_t user) const;
  void Expose(Session& session) const;
  void SetAssignments(const SimEvent& event, GeneratedEvent* out) const;
  void Materialize(const SimEvent& event, GeneratedEvent* out);
  void WriteProperties(const SimEvent& event, const UserState& user, std::string* out);
  // Real users, then anomalies' extra users (bots, then users spikes' extra users).
  UserState& UserAt(uint32_t index) {
    return index < first_extra_user_ ? users_[index] : extra_users_[index - first_extra_user_];
  }

  // internal/anomalies.cc
  void PrepareAnomalies();
  const Anomaly* Covering(AnomalyKind kind, int64_t time_ms) const;
  void SimulateSessionsWithAnomalies(uint32_t index, bool signup_day, const int64_t* starts,
                                     int sessions);
  int64_t GenerateOnStream(uint32_t index, uint64_t stream, int64_t start_ms, bool first,
                           double crash_factor);
  void AddExtraUsersSessions(uint32_t index, int64_t start_ms);
  uint32_t ExtraUserOf(uint32_t index, int anomaly, int number);
  UserState NewExtraUser(uint64_t stream, const UserState* like) const;
  void SimulateBots(int day);
  void SimulateBotHour(const Anomaly& anomaly, uint32_t bot, int64_t hour_ms);

  const GeneratorOptions options_;
  const int64_t period_start_ms_;
  std::vector<int64_t> signups_through_day_;  // users with index < [d] sign up by day d
  std::vector<int> release_days_;
  std::vector<Experiment> experiments_;
  std::vector<Anomaly> anomalies_;
  int64_t anomalies_begin_ms_ = 0;  // the union of the windows lies in [begin, end)
  int64_t anomalies_end_ms_ = 0;
  double duplicate_probability_;  // per original event
  Rng duplicate_rng_;
  std::vector<UserState> users_;
  const uint32_t first_extra_user_;
  std::vector<UserState> extra_users_;
  // Users spikes: (user << 16 | anomaly << 8 | number) -> the extra user's index.
  absl::flat_hash_map<uint64_t, uint32_t> extra_user_index_;
  std::vector<PlannedSession> plan_;  // scratch of SimulateSessionsWithAnomalies
  std::vector<SimEvent> pending_;
  std::vector<SimEvent> ready_;
  int simulated_days_ = 0;
  int next_day_ = 0;
  gen_internal::StringSink sink_;
  rapidjson::Writer<gen_internal::StringSink> writer_;
};

}  // namespace mua::gen
