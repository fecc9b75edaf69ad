// EventGenerator::Impl's --anomaly windows and bots (tools/gen/anomaly_spec.h). Whatever an
// anomaly adds or changes runs on random streams of its own, so a user's sessions outside
// the windows are those of a run without anomalies: same times, types and properties.
#include <algorithm>
#include <cmath>
#include <limits>

#include "storage/base/check.h"
#include "storage/base/time_util.h"
#include "tools/gen/internal/catalog.h"
#include "tools/gen/internal/generator_impl.h"
#include "tools/gen/internal/rng.h"

namespace mua::gen {
namespace {

using gen_internal::kMillisPerHour;
using gen_internal::kMillisPerMinute;
using gen_internal::kMinSessionGapMs;
using gen_internal::Mix64;
using gen_internal::Rng;
using gen_internal::SampleByWeight;

// The median over users of events per active UTC hour (events / distinct hours with one),
// measured on `mua-gen --users 30000 --days 70 --app_age_days 3650 --weekend_factor 0.7`
// (11.2 with the default options): a bot's hourly rate is FACTOR times it.
constexpr double kMedianEventsPerActiveHour = 11.0;
constexpr double kBotClickShare = 0.6;  // the rest are screen_views

double UnitOf(uint64_t hash) { return static_cast<double>(hash >> 11) * 0x1.0p-53; }

// floor(x) + 1 with probability x - floor(x): a count with mean x.
int RandomRound(double x, Rng& rng) {
  const double whole = std::floor(x);
  return static_cast<int>(whole) + (rng.Bernoulli(x - whole) ? 1 : 0);
}

}  // namespace

void EventGenerator::Impl::PrepareAnomalies() {
  anomalies_begin_ms_ = std::numeric_limits<int64_t>::max();
  anomalies_end_ms_ = std::numeric_limits<int64_t>::min();
  for (size_t i = 0; i < options_.anomalies.size(); ++i) {
    const AnomalySpec& spec = options_.anomalies[i];
    Anomaly& anomaly = anomalies_.emplace_back();
    anomaly.kind = spec.kind;
    anomaly.start_ms =
        period_start_ms_ + AnomalyStartOffset(spec, options_.start_day) * kMillisPerHour;
    anomaly.end_ms = anomaly.start_ms + spec.hours * kMillisPerHour;
    anomaly.factor = spec.factor;
    anomaly.key = Mix64(options_.seed ^ Mix64(0xa40a1e000ULL + i));
    anomalies_begin_ms_ = std::min(anomalies_begin_ms_, anomaly.start_ms);
    anomalies_end_ms_ = std::max(anomalies_end_ms_, anomaly.end_ms);
    const int start_day = static_cast<int>((anomaly.start_ms - period_start_ms_) / kMillisPerDay);
    if (spec.kind == AnomalyKind::kCrash) {
      anomaly.release = LatestRelease(start_day);
      const auto releases = gen_internal::AppReleases();
      for (size_t r = 0; r < releases.size(); ++r) {
        if (spec.crash_version == releases[r].version) anomaly.release = static_cast<int>(r);
      }
    }
    if (spec.kind == AnomalyKind::kBot) {
      anomaly.bots = spec.bots;
      anomaly.first_user = first_extra_user_ + static_cast<uint32_t>(extra_users_.size());
      for (int bot = 0; bot < spec.bots; ++bot) {
        UserState& user = extra_users_.emplace_back(
            NewExtraUser(Mix64(anomaly.key ^ Mix64(uint64_t{1} + bot)), nullptr));
        user.release = static_cast<uint8_t>(LatestRelease(start_day));
      }
    }
  }
}

const EventGenerator::Impl::Anomaly* EventGenerator::Impl::Covering(AnomalyKind kind,
                                                                    int64_t time_ms) const {
  for (const Anomaly& anomaly : anomalies_) {
    if (anomaly.kind == kind && time_ms >= anomaly.start_ms && time_ms < anomaly.end_ms) {
      return &anomaly;
    }
  }
  return nullptr;  // windows of one kind do not overlap (ValidateAnomalies)
}

// The day's sessions of a real user as SimulateUserDay makes them, with the anomalies applied:
// an events spike adds sessions in the same UTC hours, an events drop removes sessions, a
// users drop removes all of the user's sessions in its window, a users spike adds other
// users' sessions beside each of theirs, a crash window re-draws the sessions of its version.
// A removed session is still generated (and thrown away) to keep the user's stream as is.
void EventGenerator::Impl::SimulateSessionsWithAnomalies(uint32_t index, bool signup_day,
                                                         const int64_t* starts, int sessions) {
  UserState& user = users_[index];
  plan_.clear();
  for (int s = 0; s < sessions; ++s) {
    plan_.push_back({starts[s], s, 0});
    const Anomaly* spike = Covering(AnomalyKind::kEvents, starts[s]);
    if (spike == nullptr || spike->factor <= 1) continue;
    Rng rng(Mix64(spike->key ^ Mix64((uint64_t{index} << 32) ^ static_cast<uint64_t>(starts[s]))));
    const int extras = RandomRound(spike->factor - 1, rng);
    const int64_t hour_ms = starts[s] - starts[s] % kMillisPerHour;
    for (int k = 0; k < extras; ++k) {
      int64_t start = hour_ms + static_cast<int64_t>(rng.Below(kMillisPerHour));
      if (signup_day) start = std::max(start, starts[0] + 1);  // nothing before the sign-up
      plan_.push_back({start, -1, rng.Next()});
    }
  }
  std::stable_sort(
      plan_.begin(), plan_.end(),
      [](const PlannedSession& x, const PlannedSession& y) { return x.start_ms < y.start_ms; });
  for (const PlannedSession& planned : plan_) {
    const bool real = planned.real >= 0;
    Rng extra_rng(planned.stream);
    const int64_t earliest = user.last_session_end_ms + kMinSessionGapMs +
                             (real ? user.rng : extra_rng).Below(10 * kMillisPerMinute);
    const int64_t start = std::max(planned.start_ms, earliest);
    const bool first = signup_day && planned.real == 0;
    bool removed = false;
    if (!first) {  // a sign-up is never removed: the user's first events stay first
      const Anomaly* users = Covering(AnomalyKind::kUsers, start);
      removed = users != nullptr &&
                UnitOf(Mix64(users->key ^ Mix64(uint64_t{index} + 1))) >= users->factor;
      const Anomaly* events = Covering(AnomalyKind::kEvents, start);
      removed |= real && events != nullptr &&
                 UnitOf(Mix64(events->key ^ Mix64((uint64_t{index} << 32) ^
                                                  static_cast<uint64_t>(planned.start_ms)))) >=
                     events->factor;
    }
    const Anomaly* crash = Covering(AnomalyKind::kCrash, start);
    if (crash != nullptr && crash->release != user.release) crash = nullptr;
    if (!real) {
      if (removed) continue;
      user.last_session_end_ms = GenerateOnStream(index, extra_rng.Next(), start, false,
                                                  crash != nullptr ? crash->factor : 1);
    } else if (removed || crash != nullptr) {
      const size_t mark = pending_.size();
      const uint32_t seq = user.next_seq;
      user.last_session_end_ms = GenerateSession(index, start, first);
      pending_.resize(mark);
      if (removed) continue;
      const uint32_t next_seq = user.next_seq;
      user.next_seq = seq;
      user.last_session_end_ms = GenerateOnStream(
          index,
          Mix64(crash->key ^
                Mix64((uint64_t{index} << 32) ^ static_cast<uint64_t>(planned.start_ms))),
          start, first, crash->factor);
      user.next_seq = std::max(user.next_seq, next_seq);
    } else {
      user.last_session_end_ms = GenerateSession(index, start, first);
    }
    AddExtraUsersSessions(index, start);
  }
}

int64_t EventGenerator::Impl::GenerateOnStream(uint32_t index, uint64_t stream, int64_t start_ms,
                                               bool first, double crash_factor) {
  UserState& user = UserAt(index);
  Rng own(stream);
  std::swap(user.rng, own);
  const int64_t end_ms = GenerateSession(index, start_ms, first, crash_factor);
  std::swap(user.rng, own);
  return end_ms;
}

// A users spike: beside a session of `index` in its window, one in the same UTC hour by each
// of the user's extra users (FACTOR - 1 of them on average, the same ones all window long).
void EventGenerator::Impl::AddExtraUsersSessions(uint32_t index, int64_t start_ms) {
  const Anomaly* spike = Covering(AnomalyKind::kUsers, start_ms);
  if (spike == nullptr || spike->factor <= 1) return;
  const int anomaly = static_cast<int>(spike - anomalies_.data());
  Rng count_rng(Mix64(spike->key ^ Mix64(uint64_t{index} + 1)));
  const int extras = RandomRound(spike->factor - 1, count_rng);
  const int64_t hour_ms = start_ms - start_ms % kMillisPerHour;
  for (int number = 0; number < extras; ++number) {
    const uint32_t extra = ExtraUserOf(index, anomaly, number);
    UserState& user = UserAt(extra);
    const int64_t sampled = hour_ms + static_cast<int64_t>(user.rng.Below(kMillisPerHour));
    const int64_t earliest = user.last_session_end_ms + kMinSessionGapMs +
                             static_cast<int64_t>(user.rng.Below(10 * kMillisPerMinute));
    const int64_t start = std::max(sampled, earliest);
    const Anomaly* crash = Covering(AnomalyKind::kCrash, start);
    const double crash_factor =
        crash != nullptr && crash->release == user.release ? crash->factor : 1;
    const int64_t end_ms = GenerateSession(extra, start, false, crash_factor);
    UserAt(extra).last_session_end_ms = end_ms;
  }
}

uint32_t EventGenerator::Impl::ExtraUserOf(uint32_t index, int anomaly, int number) {
  const uint64_t key = (uint64_t{index} << 16) | (static_cast<uint64_t>(anomaly) << 8) |
                       static_cast<uint64_t>(number);
  const auto [it, inserted] = extra_user_index_.try_emplace(key, 0);
  if (inserted) {
    const uint64_t extra = uint64_t{first_extra_user_} + extra_users_.size();
    MUA_CHECK(extra < std::numeric_limits<uint32_t>::max(), "too many extra users");
    it->second = static_cast<uint32_t>(extra);
    extra_users_.push_back(
        NewExtraUser(Mix64(anomalies_[anomaly].key ^ Mix64(key)), &users_[index]));
  }
  return it->second;
}

// A user who exists only in anomalies: like `like` (platform, place, app release) with a
// device of their own, or, without one, drawn as a new user is (a bot).
gen_internal::UserState EventGenerator::Impl::NewExtraUser(uint64_t stream,
                                                           const UserState* like) const {
  UserState user(stream);
  Rng& rng = user.rng;
  user.signup_day = -1;
  const auto countries = gen_internal::Countries();
  if (like != nullptr) {
    user.platform = like->platform;
    user.country = like->country;
    user.city = like->city;
    user.release = like->release;
  } else {
    user.platform =
        static_cast<gen_internal::Platform>(SampleByWeight(gen_internal::PlatformShares(), rng));
    user.country = SampleByWeight(countries, rng);
    user.city = SampleByWeight(countries[user.country].cities, rng);
  }
  user.utc_offset_minutes =
      static_cast<int16_t>(countries[user.country].cities[user.city].utc_offset_minutes);
  user.device = SampleByWeight(gen_internal::DeviceModels(user.platform), rng);
  user.os = SampleByWeight(gen_internal::OsVersions(user.platform), rng);
  user.uuid_id = rng.Bernoulli(gen_internal::kUuidUserShare);
  return user;
}

void EventGenerator::Impl::SimulateBots(int day) {
  const int64_t day_ms = MillisOfDay(options_.start_day + day);
  for (const Anomaly& anomaly : anomalies_) {
    if (anomaly.kind != AnomalyKind::kBot) continue;
    const int64_t from = std::max(anomaly.start_ms, day_ms);
    const int64_t to = std::min(anomaly.end_ms, day_ms + kMillisPerDay);
    for (int bot = 0; bot < anomaly.bots; ++bot) {
      for (int64_t hour_ms = from; hour_ms < to; hour_ms += kMillisPerHour) {
        SimulateBotHour(anomaly, anomaly.first_user + bot, hour_ms);
      }
    }
  }
}

// A bot's script: one session over the whole window opened by its first event, then every
// hour FACTOR x kMedianEventsPerActiveHour evenly spaced taps on one button of one screen
// and views of that screen.
void EventGenerator::Impl::SimulateBotHour(const Anomaly& anomaly, uint32_t bot, int64_t hour_ms) {
  UserState& user = UserAt(bot);
  Rng& rng = user.rng;
  const uint64_t script = Mix64(anomaly.key ^ Mix64(bot));
  const uint32_t screen =
      static_cast<uint32_t>(script % (gen_internal::Screens().size() - 1));  // not onboarding
  const uint32_t button = static_cast<uint32_t>((script >> 20) % gen_internal::Buttons().size());
  const int64_t session_ms = user.platform == gen_internal::Platform::kWeb
                                 ? -1
                                 : anomaly.start_ms + static_cast<int64_t>((script >> 40) % 5000);
  const int events = std::max(1, RandomRound(anomaly.factor * kMedianEventsPerActiveHour, rng));
  const double slot_ms = static_cast<double>(kMillisPerHour) / events;
  int64_t last_ms = hour_ms;
  for (int i = 0; i < events; ++i) {
    int64_t time_ms = hour_ms + static_cast<int64_t>(slot_ms * (i + 0.05 + 0.9 * rng.Uniform()));
    EventType type = EventType::kScreenView;
    uint32_t a = screen, b = 0;
    if (hour_ms == anomaly.start_ms && i == 0) {
      type = EventType::kAppOpen;
      a = 0;  // OpenSources()[0]: "launcher"
      time_ms = session_ms >= 0 ? session_ms : time_ms;
    } else if (rng.Bernoulli(kBotClickShare)) {
      type = EventType::kClick;
      a = button;
      b = screen;
    }
    time_ms = std::max(time_ms, last_ms + 100);
    last_ms = time_ms;
    pending_.push_back(SimEvent{time_ms, time_ms, session_ms, bot, ++user.next_seq, a, b, type,
                                user.release, false, 0});
  }
}

}  // namespace mua::gen
