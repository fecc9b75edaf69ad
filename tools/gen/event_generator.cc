#include "tools/gen/event_generator.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>
#include <iterator>
#include <limits>
#include <tuple>

#include "absl/strings/str_cat.h"
#include "rapidjson/writer.h"
#include "storage/base/check.h"
#include "storage/base/time_util.h"
#include "tools/gen/internal/catalog.h"
#include "tools/gen/internal/generator_impl.h"
#include "tools/gen/internal/json_text.h"
#include "tools/gen/internal/rng.h"

namespace mua::gen {
namespace {

using gen_internal::AppendDecimal;
using gen_internal::AppendUuid;
using gen_internal::AppReleases;
using gen_internal::EventType;
using gen_internal::HashBytes;
using gen_internal::kEventTypeCount;
using gen_internal::Mix64;
using gen_internal::Platform;
using gen_internal::Rng;
using gen_internal::SampleByWeight;
using gen_internal::SampleWeighted;
using gen_internal::SimEvent;
using gen_internal::UserState;

using gen_internal::kMillisPerMinute;
using gen_internal::kMinSessionGapMs;
using gen_internal::kUuidUserShare;
// Local-time popularity of each hour for session starts: quiet nights, lunch and evening peaks.
constexpr double kHourWeights[24] = {1.2, 0.7, 0.4, 0.3, 0.3, 0.5, 1.2, 2.5, 3.5, 3.8, 3.9, 4.2,
                                     5.0, 4.8, 4.3, 4.2, 4.4, 4.9, 5.6, 6.4, 6.9, 6.5, 4.8, 2.6};
constexpr double kSessionsPerDayWeights[5] = {42, 28, 16, 9, 5};  // 1..5 sessions
constexpr double kLoyalShare = 0.2;
constexpr double kUpgradePerActiveDay = 0.25;
constexpr double kNoSessionIdShare = 0.02;  // mobile sessions whose SDK sent no session id
// Funnel step conversions: view_item -> add_to_cart -> begin_checkout -> purchase.
constexpr double kCartAfterView = 0.35;
constexpr double kCheckoutAfterCart = 0.5;
constexpr double kPurchaseAfterCheckout = 0.6;

bool EmitsBefore(const SimEvent& x, const SimEvent& y) {
  return std::tie(x.emit_ms, x.user, x.seq, x.duplicate) <
         std::tie(y.emit_ms, y.user, y.seq, y.duplicate);
}

// Popular items first: a power law over [1, kItemCount].
uint32_t SampleItem(Rng& rng) {
  const double u = rng.Uniform();
  return 1 + static_cast<uint32_t>(u * u * u * (gen_internal::kItemCount - 1));
}

}  // namespace

EventGenerator::Impl::Impl(const GeneratorOptions& options)
    : options_(options),
      period_start_ms_(MillisOfDay(options.start_day)),
      duplicate_probability_(options.duplicate_share / (1 - options.duplicate_share)),
      duplicate_rng_(Mix64(options.seed ^ 0xd0b1e5ULL)),
      first_extra_user_(static_cast<uint32_t>(options.users)) {
  MUA_CHECK(options.users >= 1 && options.users < (int64_t{1} << 31), "users out of range");
  MUA_CHECK(options.days >= 1, "days must be >= 1");
  MUA_CHECK(options.duplicate_share >= 0 && options.duplicate_share < 1,
            "duplicate_share must be in [0, 1)");
  MUA_CHECK(options.seed003_share >= 0 && options.seed003_share <= 1, "seed003_share must be in [0, 1]");
  MUA_CHECK(options.invalid_share >= 0 && options.invalid_share < 1,
            "invalid_share must be in [0, 1)");
  MUA_CHECK(ValidateExperiments(options.experiments, options.days, options.seed003_share).ok(),
            "invalid experiments (see ValidateExperiments)");
  MUA_CHECK(options.app_age_days >= 0 && options.app_age_days <= 36600,
            "app_age_days must be in [0, 36600]");
  MUA_CHECK(options.weekend_factor > 0 && options.weekend_factor <= 2,
            "weekend_factor must be in (0, 2]");
  MUA_CHECK(ValidateAnomalies(options.anomalies, options.start_day, options.days).ok(),
            "invalid anomalies (see ValidateAnomalies)");
  for (const ExperimentSpec& spec : options.experiments) {
    Experiment& experiment = experiments_.emplace_back();
    experiment.key = Mix64(options.seed ^ HashBytes(spec.name, 0xab7e57ULL));
    double sum = 0;
    for (const double weight : spec.weights) experiment.cumulative.push_back(sum += weight);
    experiment.cumulative.back() = 1;
    experiment.exposure_ms = spec.exposure_day < 0
                                 ? std::numeric_limits<int64_t>::min()
                                 : MillisOfDay(options.start_day + spec.exposure_day);
    experiment.effect_type = -1;
    for (int type = 0; type < kEventTypeCount; ++type) {
      if (spec.effect_event == gen_internal::EventTypeName(static_cast<EventType>(type))) {
        experiment.effect_type = type;
      }
    }
    experiment.effect_factor = spec.effect_factor;
  }
  if (options.app_age_days > 0) {
    // One constant rate since the launch: user i signs up on day SignupDay(i).
    const int64_t span = int64_t{options.app_age_days} + options.days;
    for (int d = 0; d < options.days; ++d) {
      const int64_t through = ((options.app_age_days + d + 1) * options.users + span - 1) / span;
      signups_through_day_.push_back(std::min(options.users, through));
    }
  } else {
    // More sign-ups early (launch campaign), then a steady trickle every day.
    std::vector<double> weights(options.days);
    double total = 0;
    for (int d = 0; d < options.days; ++d) total += weights[d] = 1 + 4 * std::exp(-d / 6.0);
    double cumulative = 0;
    for (int d = 0; d < options.days; ++d) {
      cumulative += weights[d];
      signups_through_day_.push_back(
          std::llround(static_cast<double>(options.users) * cumulative / total));
    }
  }
  signups_through_day_.back() = options.users;
  for (const gen_internal::AppRelease& release : AppReleases()) {
    release_days_.push_back(gen_internal::ReleaseDay(release, options.days));
  }
  PrepareAnomalies();
}

int EventGenerator::Impl::LatestRelease(int day) const {
  int latest = 0;
  for (size_t i = 0; i < release_days_.size(); ++i) {
    if (release_days_[i] <= day) latest = static_cast<int>(i);
  }
  return latest;
}

uint32_t EventGenerator::Impl::VariantOf(const Experiment& experiment, uint32_t user) const {
  const double u =
      static_cast<double>(Mix64(experiment.key ^ Mix64(uint64_t{user} + 1)) >> 11) * 0x1.0p-53;
  uint32_t variant = 0;
  while (variant + 1 < experiment.cumulative.size() && u >= experiment.cumulative[variant]) {
    ++variant;
  }
  return variant;
}

// Exposure is decided per session, at its start: assignments and effects then cover whole
// sessions, as when an app fetches its experiment config on open.
void EventGenerator::Impl::Expose(Session& session) const {
  for (size_t e = 0; e < experiments_.size(); ++e) {
    const Experiment& experiment = experiments_[e];
    if (session.start_ms < experiment.exposure_ms) continue;
    session.exposed |= static_cast<uint16_t>(1u << e);
    if (experiment.effect_type >= 0 && VariantOf(experiment, session.user) != 0) {
      session.factor[experiment.effect_type] *= experiment.effect_factor;
    }
  }
}

UserState EventGenerator::Impl::NewUser(uint32_t index, int signup_day) const {
  UserState user(Mix64(options_.seed) ^ Mix64(uint64_t{index} + 1));
  Rng& rng = user.rng;
  user.signup_day = signup_day;
  user.platform = static_cast<Platform>(SampleByWeight(gen_internal::PlatformShares(), rng));
  user.device = SampleByWeight(gen_internal::DeviceModels(user.platform), rng);
  user.os = SampleByWeight(gen_internal::OsVersions(user.platform), rng);
  user.country = SampleByWeight(gen_internal::Countries(), rng);
  const auto cities = gen_internal::Countries()[user.country].cities;
  user.city = SampleByWeight(cities, rng);
  user.utc_offset_minutes = static_cast<int16_t>(cities[user.city].utc_offset_minutes);
  user.propensity = static_cast<float>(rng.Bernoulli(kLoyalShare) ? 2.0 + 1.2 * rng.Uniform()
                                                                  : 0.4 + 0.45 * rng.Uniform());
  user.uuid_id = rng.Bernoulli(kUuidUserShare);
  user.release = LatestRelease(signup_day);
  return user;
}

int32_t EventGenerator::Impl::SignupDay(uint32_t index, int day) const {
  if (options_.app_age_days == 0) return day;
  const int64_t span = int64_t{options_.app_age_days} + options_.days;
  return static_cast<int32_t>(index * span / options_.users - options_.app_age_days);
}

bool EventGenerator::Impl::IsWeekend(int day) const {
  const int weekday = (options_.start_day + day + 3) % 7;  // 1970-01-01 was a Thursday: 3
  return weekday >= 5;                                     // Monday 0 ... Saturday 5, Sunday 6
}

void EventGenerator::Impl::SimulateLocalDay(int day) {
  while (static_cast<int64_t>(users_.size()) < signups_through_day_[day]) {
    const auto index = static_cast<uint32_t>(users_.size());
    users_.push_back(NewUser(index, SignupDay(index, day)));
  }
  for (uint32_t i = 0; i < users_.size(); ++i) SimulateUserDay(i, day);
  if (!anomalies_.empty()) SimulateBots(day);
}

void EventGenerator::Impl::SimulateUserDay(uint32_t index, int day) {
  UserState& user = users_[index];
  Rng& rng = user.rng;
  const int since_signup = day - user.signup_day;
  if (since_signup > 0) {
    // Retention ~40% on day 1, ~20% on day 7, ~12% on day 30 on average.
    double p = user.propensity * 0.4 * std::pow(since_signup, -0.36);
    if (options_.weekend_factor != 1 && IsWeekend(day)) p *= options_.weekend_factor;
    if (!rng.Bernoulli(p)) return;
  }
  const int latest = LatestRelease(day);
  if (user.release < latest && options_.app_age_days > 0) {
    // Steady traffic: apps update themselves, each release reaching a user 1 - 0.75^(days
    // out + 1) of the time whether they used the app or not; they have the newest that did.
    const double u = user.platform == Platform::kWeb ? 0 : rng.Uniform();
    for (int release = latest; release > user.release; --release) {
      if (u < 1 - std::pow(1 - kUpgradePerActiveDay, day - release_days_[release] + 1)) {
        user.release = static_cast<uint8_t>(release);
        break;
      }
    }
  } else if (user.release < latest &&
             (user.platform == Platform::kWeb || rng.Bernoulli(kUpgradePerActiveDay))) {
    user.release = latest;
  }
  const int sessions = 1 + SampleWeighted(kSessionsPerDayWeights, rng);
  int64_t starts[5];
  const int64_t local_midnight_utc =
      MillisOfDay(options_.start_day + day) - user.utc_offset_minutes * kMillisPerMinute;
  for (int s = 0; s < sessions; ++s) {
    const int hour = SampleWeighted(kHourWeights, rng);
    int64_t start = local_midnight_utc + hour * 3'600'000 + rng.Below(3'600'000);
    // Nothing before the period: mirror early sessions of the first day into it.
    if (start < period_start_ms_) start = 2 * period_start_ms_ - start;
    starts[s] = start;
  }
  std::sort(starts, starts + sessions);
  // Sessions start at or after their sampled time, later by at most hours: a day is margin
  // enough. Days outside the windows take the path of a run without anomalies.
  if (!anomalies_.empty() && starts[sessions - 1] + kMillisPerDay > anomalies_begin_ms_ &&
      starts[0] < anomalies_end_ms_) {
    SimulateSessionsWithAnomalies(index, since_signup == 0, starts, sessions);
    return;
  }
  for (int s = 0; s < sessions; ++s) {
    const int64_t earliest =
        user.last_session_end_ms + kMinSessionGapMs + rng.Below(10 * kMillisPerMinute);
    user.last_session_end_ms =
        GenerateSession(index, std::max(starts[s], earliest), since_signup == 0 && s == 0);
  }
}

void EventGenerator::Impl::Emit(UserState& user, Session& session, EventType type, uint32_t a,
                                uint32_t b) {
  if (session.events > 0) {
    // Seconds between taps on mobile, longer reads on the web.
    session.time_ms += user.platform == Platform::kWeb
                           ? 2000 + std::min<int64_t>(240'000, user.rng.Exponential(20'000))
                           : 500 + std::min<int64_t>(120'000, user.rng.Exponential(9'000));
  }
  if (type == EventType::kAppBackground) a = (session.time_ms - session.start_ms) / 1000;
  const SimEvent event{session.time_ms,
                       session.time_ms,
                       session.id_ms,
                       session.user,
                       ++user.next_seq,
                       a,
                       b,
                       type,
                       user.release,
                       false,
                       session.exposed};
  pending_.push_back(event);
  ++session.events;
  if (duplicate_probability_ > 0 && duplicate_rng_.Bernoulli(duplicate_probability_)) {
    // An SDK retry after a lost acknowledgement: the same payload, a little later.
    SimEvent resent = event;
    resent.duplicate = true;
    resent.emit_ms += 2000 + std::min<int64_t>(300'000, duplicate_rng_.Exponential(45'000));
    pending_.push_back(resent);
  }
}

int64_t EventGenerator::Impl::GenerateSession(uint32_t index, int64_t start_ms, bool first,
                                              double crash_factor) {
  UserState& user = UserAt(index);
  Rng& rng = user.rng;
  const bool web = user.platform == Platform::kWeb;
  const bool has_id = !web && !rng.Bernoulli(kNoSessionIdShare);
  Session session{index, has_id ? start_ms : -1, start_ms, start_ms};
  if (!experiments_.empty()) Expose(session);
  if (crash_factor != 1) session.factor[static_cast<int>(EventType::kAppCrash)] *= crash_factor;
  const int budget = web ? 3 + static_cast<int>(std::min(22.0, rng.Exponential(6)))
                         : 5 + static_cast<int>(std::min(35.0, rng.Exponential(7)));
  const uint32_t source = SampleByWeight(gen_internal::OpenSources(), rng);
  Emit(user, session, EventType::kAppOpen, source);
  if (std::strcmp(gen_internal::OpenSources()[source].name, "push") == 0) {
    Emit(user, session, EventType::kNotificationOpen,
         SampleByWeight(gen_internal::Campaigns(), rng));
  }
  const auto methods = gen_internal::AuthMethods(user.platform);
  if (first) {
    session.screen = gen_internal::Screens().size() - 1;  // onboarding
    Emit(user, session, EventType::kScreenView, session.screen);
    Emit(user, session, EventType::kSignUp, SampleByWeight(methods, rng));
  } else if (rng.Bernoulli(std::min(1.0, 0.1 * session.Factor(EventType::kLogin)))) {
    Emit(user, session, EventType::kLogin, SampleByWeight(methods, rng));
  }
  GenerateBody(user, session, budget);
  return session.time_ms;
}

void EventGenerator::Impl::GenerateBody(UserState& user, Session& session, int budget) {
  Rng& rng = user.rng;
  const double crash_rate = gen_internal::BaseCrashRate(user.platform) *
                            AppReleases()[user.release].crash_multiplier *
                            session.Factor(EventType::kAppCrash);
  static constexpr double kBodyWeights[] = {42, 32, 9, 4, 3};
  static constexpr EventType kBodyTypes[] = {EventType::kScreenView, EventType::kClick,
                                             EventType::kSearch, EventType::kViewItem,
                                             EventType::kShare};
  // Experiment effects: a step's conversion probability is multiplied (capped at 1), a body
  // event's weight too (so renormalized). Factors of 1 leave every value, and the output, as is.
  double body_weights[std::size(kBodyWeights)];
  for (size_t i = 0; i < std::size(kBodyWeights); ++i) {
    body_weights[i] = kBodyWeights[i] * session.Factor(kBodyTypes[i]);
  }
  const auto conversion = [&session](double probability, EventType type) {
    return std::min(1.0, probability * session.Factor(type));
  };
  const double cart_after_view = conversion(kCartAfterView, EventType::kAddToCart);
  const double checkout_after_cart = conversion(kCheckoutAfterCart, EventType::kBeginCheckout);
  const double purchase_after_checkout = conversion(kPurchaseAfterCheckout, EventType::kPurchase);
  const double view_after_search = conversion(0.4, EventType::kViewItem);
  Funnel funnel = Funnel::kNone;
  EventType last = EventType::kAppOpen;
  uint32_t item = 0;
  while (session.events < budget - 1) {
    if (rng.Bernoulli(crash_rate)) {
      const auto exceptions = gen_internal::CrashExceptions(user.platform);
      Emit(user, session, EventType::kAppCrash, SampleByWeight(exceptions, rng), session.screen);
      return;  // a crash ends the session: no app_background
    }
    EventType next;
    if (funnel == Funnel::kViewed && rng.Bernoulli(cart_after_view)) {
      next = EventType::kAddToCart;
    } else if (funnel == Funnel::kCarted && rng.Bernoulli(checkout_after_cart)) {
      next = EventType::kBeginCheckout;
    } else if (funnel == Funnel::kCheckedOut && rng.Bernoulli(purchase_after_checkout)) {
      next = EventType::kPurchase;
    } else if (last == EventType::kSearch && rng.Bernoulli(view_after_search)) {
      next = EventType::kViewItem;
    } else {
      next = kBodyTypes[SampleWeighted(body_weights, rng)];
    }
    uint32_t a = 0, b = 0;
    switch (next) {
      case EventType::kScreenView:
        session.screen = SampleByWeight(gen_internal::Screens(), rng);
        a = session.screen;
        funnel = Funnel::kNone;
        break;
      case EventType::kClick:
        a = SampleByWeight(gen_internal::Buttons(), rng);
        b = session.screen;
        break;
      case EventType::kSearch:
        a = SampleByWeight(gen_internal::SearchQueries(), rng);
        b = static_cast<uint32_t>(rng.Below(120));
        funnel = Funnel::kNone;
        break;
      case EventType::kViewItem:
        item = SampleItem(rng);
        a = item;
        funnel = Funnel::kViewed;
        break;
      case EventType::kAddToCart:
        a = item;
        funnel = Funnel::kCarted;
        break;
      case EventType::kBeginCheckout:
        a = item;
        funnel = Funnel::kCheckedOut;
        break;
      case EventType::kPurchase:
        a = item;
        funnel = Funnel::kNone;
        break;
      case EventType::kShare:
        a = item != 0 ? item : SampleItem(rng);
        b = SampleByWeight(gen_internal::ShareChannels(), rng);
        break;
      default:
        break;
    }
    Emit(user, session, next, a, b);
    last = next;
  }
  Emit(user, session, EventType::kAppBackground);
}

bool EventGenerator::Impl::NextDay(std::vector<GeneratedEvent>* events) {
  if (next_day_ >= options_.days) {
    events->clear();
    return false;
  }
  const int day = next_day_++;
  // A user's local day d+1 starts before UTC day d ends for zones east of UTC.
  while (simulated_days_ < std::min(day + 2, options_.days)) SimulateLocalDay(simulated_days_++);
  const int64_t cutoff = day == options_.days - 1 ? std::numeric_limits<int64_t>::max()
                                                  : MillisOfDay(options_.start_day + day + 1);
  const auto split = std::partition(pending_.begin(), pending_.end(),
                                    [cutoff](const SimEvent& e) { return e.emit_ms < cutoff; });
  ready_.assign(pending_.begin(), split);
  pending_.erase(pending_.begin(), split);
  std::sort(ready_.begin(), ready_.end(), EmitsBefore);
  events->resize(ready_.size());
  for (size_t i = 0; i < ready_.size(); ++i) Materialize(ready_[i], &(*events)[i]);
  return true;
}

void EventGenerator::Impl::Materialize(const SimEvent& event, GeneratedEvent* out) {
  const UserState& user = UserAt(event.user);
  out->event_time_ms = event.time_ms;
  out->user_id.clear();
  if (user.uuid_id) {
    AppendUuid(Mix64(options_.seed ^ Mix64(event.user * 2ULL + 1)),
               Mix64(options_.seed ^ Mix64(event.user * 2ULL + 2)), &out->user_id);
  } else {
    out->user_id.push_back('u');
    AppendDecimal(int64_t{event.user} + 1, &out->user_id);
  }
  out->session_id.clear();
  if (event.session_ms >= 0) AppendDecimal(event.session_ms, &out->session_id);
  out->event_id.clear();
  if (options_.event_ids == EventIdStyle::kUuid) {
    const uint64_t key = Mix64(options_.seed) ^ Mix64((uint64_t{event.user} << 32) | event.seq);
    AppendUuid(Mix64(key), Mix64(key ^ 0x5bd1e995ULL), &out->event_id);
  } else if (options_.event_ids == EventIdStyle::kHex32) {
    const uint64_t key = Mix64(options_.seed ^ 0x7e57ULL) ^ Mix64((uint64_t{event.user} << 32) | event.seq);
    gen_internal::AppendHex32(Mix64(key), Mix64(key ^ 0x5bd1e995ULL), &out->event_id);
  } else {
    AppendDecimal(event.seq, &out->event_id);
  }
  out->event_type.assign(gen_internal::EventTypeName(event.type));
  out->platform.assign(gen_internal::PlatformName(user.platform));
  out->os_version.assign(gen_internal::OsVersions(user.platform)[user.os].name);
  out->app_version.assign(AppReleases()[event.release].version);
  const gen_internal::DeviceModel& device = gen_internal::DeviceModels(user.platform)[user.device];
  out->device_model.assign(device.name);
  out->device_type.assign(device.type);
  const gen_internal::Country& country = gen_internal::Countries()[user.country];
  out->country.assign(country.code);
  out->region.assign(country.cities[user.city].region);
  out->city.assign(country.cities[user.city].name);
  WriteProperties(event, user, &out->properties);
  out->duplicate = event.duplicate;
  out->sequence = event.seq;
  // A function of the event, so a re-send carries the same fields.
  const uint64_t pick = Mix64(options_.seed ^ 0x5eed003ULL ^ Mix64((uint64_t{event.user} << 32) | event.seq));
  out->seed003 = static_cast<double>(pick >> 11) * 0x1.0p-53 < options_.seed003_share;
  SetAssignments(event, out);
}

void EventGenerator::Impl::SetAssignments(const SimEvent& event, GeneratedEvent* out) const {
  size_t count = 0;
  for (size_t e = 0; e < experiments_.size(); ++e) count += (event.exposed >> e) & 1;
  out->ab_test_variants.resize(count);
  out->attributes.clear();
  if (count == 0) return;
  out->attributes.append("{\"ab_test_variants\":{");
  size_t i = 0;
  for (size_t e = 0; e < experiments_.size(); ++e) {
    if (((event.exposed >> e) & 1) == 0) continue;
    const ExperimentSpec& spec = options_.experiments[e];
    VariantAssignment& assignment = out->ab_test_variants[i++];
    assignment.experiment.assign(spec.name);
    assignment.variant.assign(spec.variants[VariantOf(experiments_[e], event.user)]);
    // Names need no JSON escaping (ExperimentSpec's charset).
    if (i > 1) out->attributes.push_back(',');
    absl::StrAppend(&out->attributes, "\"", assignment.experiment, "\":\"", assignment.variant,
                    "\"");
  }
  out->attributes.append("}}");
}

void EventGenerator::Impl::WriteProperties(const SimEvent& event, const UserState& user,
                                           std::string* out) {
  out->clear();
  sink_.Begin(out);
  writer_.Reset(sink_);
  auto& w = writer_;
  auto text = [&w](const char* name, absl::string_view value) {
    w.Key(name);
    w.String(value.data(), static_cast<rapidjson::SizeType>(value.size()));
  };
  auto number = [&w](const char* name, uint32_t value) {
    w.Key(name);
    w.Uint(value);
  };
  auto item_id = [&](uint32_t item) {
    char buf[16] = "sku_";
    const auto end = std::to_chars(buf + 4, buf + sizeof(buf), item).ptr;
    w.Key("item_id");
    w.String(buf, static_cast<rapidjson::SizeType>(end - buf));
  };
  auto price = [&w](uint32_t item) {
    w.Key("price");
    w.Double(gen_internal::ItemPriceCents(item) / 100.0);
  };
  w.StartObject();
  switch (event.type) {
    case EventType::kAppOpen:
      text("source", gen_internal::OpenSources()[event.a].name);
      break;
    case EventType::kNotificationOpen:
      text("campaign", gen_internal::Campaigns()[event.a].name);
      break;
    case EventType::kSignUp:
    case EventType::kLogin:
      text("method", gen_internal::AuthMethods(user.platform)[event.a].name);
      break;
    case EventType::kScreenView:
      text("screen", gen_internal::Screens()[event.a].name);
      break;
    case EventType::kClick:
      text("button_id", gen_internal::Buttons()[event.a].name);
      text("screen", gen_internal::Screens()[event.b].name);
      break;
    case EventType::kSearch:
      text("query", gen_internal::SearchQueries()[event.a].name);
      number("results", event.b);
      break;
    case EventType::kViewItem:
      item_id(event.a);
      text("category", gen_internal::ItemCategory(event.a));
      price(event.a);
      break;
    case EventType::kAddToCart:
      item_id(event.a);
      price(event.a);
      number("quantity", 1);
      break;
    case EventType::kBeginCheckout:
    case EventType::kPurchase:
      item_id(event.a);
      price(event.a);
      text("currency", "USD");
      break;
    case EventType::kShare:
      item_id(event.a);
      text("channel", gen_internal::ShareChannels()[event.b].name);
      break;
    case EventType::kAppCrash:
      text("exception", gen_internal::CrashExceptions(user.platform)[event.a].name);
      text("screen", gen_internal::Screens()[event.b].name);
      break;
    case EventType::kAppBackground:
      number("session_length_s", event.a);
      break;
  }
  w.EndObject();
  sink_.Finish();
}

EventGenerator::EventGenerator(const GeneratorOptions& options)
    : impl_(std::make_unique<Impl>(options)) {}
EventGenerator::~EventGenerator() = default;
bool EventGenerator::NextDay(std::vector<GeneratedEvent>* events) { return impl_->NextDay(events); }
int64_t EventGenerator::users_signed_up() const { return impl_->users_signed_up(); }

void ForEachDayOfRows(const GeneratorOptions& options,
                      absl::FunctionRef<void(int day, absl::Span<const EventRow> rows)> fn) {
  EventGenerator generator(options);
  std::vector<GeneratedEvent> events;
  std::vector<EventRow> rows;
  for (int day = 0; generator.NextDay(&events); ++day) {
    rows.clear();
    for (const GeneratedEvent& event : events) {
      if (!event.duplicate) rows.push_back(ToEventRow(event));
    }
    fn(day, rows);
  }
}

EventRow ToEventRow(const GeneratedEvent& event) {
  EventRow row;
  row.event_time_ms = event.event_time_ms;
  row.user_id = event.user_id;
  row.session_id = event.session_id;
  row.event_id = event.event_id;
  row.event_type = event.event_type;
  row.platform = event.platform;
  row.os_version = event.os_version;
  row.app_version = event.app_version;
  row.device_model = event.device_model;
  row.device_type = event.device_type;
  row.country = event.country;
  row.region = event.region;
  row.city = event.city;
  row.properties = event.properties;
  row.attributes = event.attributes;
  return row;
}

}  // namespace mua::gen
