// EventGenerator with --anomaly, --weekend-factor and --app-age-days: each window changes its
// own hours' volume by about its factor and nothing outside it, bots' rate, determinism, and
// steady traffic with a weekly cycle.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "storage/base/time_util.h"
#include "tests/testutil/status_matchers.h"
#include "tests/tools/collect_output.h"
#include "tools/gen/event_generator.h"
#include "tools/gen/internal/rng.h"
#include "tools/gen/json_writer.h"
#include "tools/gen/tsv_writer.h"

namespace mua::gen {
namespace {

constexpr int64_t kHourMs = 3'600'000;

AnomalySpec Spec(const std::string& text) {
  absl::StatusOr<AnomalySpec> spec = ParseAnomalySpec(text);
  EXPECT_OK(spec);
  return spec.ok() ? *spec : AnomalySpec{};
}

// Steady traffic (no launch trend), as the anomaly benchmark generates it.
GeneratorOptions Steady(int64_t users, int days) {
  GeneratorOptions options;
  options.users = users;
  options.days = days;
  options.app_age_days = 3650;
  options.weekend_factor = 0.7;
  return options;
}

template <typename Fn>
void ForEachEvent(const GeneratorOptions& options, Fn fn) {
  EventGenerator generator(options);
  std::vector<GeneratedEvent> day;
  while (generator.NextDay(&day)) {
    for (const GeneratedEvent& event : day) fn(event);
  }
}

// Per hour from the period's start: events, distinct users and SDK sessions.
struct Hourly {
  std::map<int64_t, int64_t> events;
  std::map<int64_t, absl::flat_hash_set<std::string>> users;
  std::map<int64_t, absl::flat_hash_set<std::string>> sessions;
  int64_t Events(int64_t from, int64_t to) const {
    int64_t sum = 0;
    for (auto it = events.lower_bound(from); it != events.end() && it->first < to; ++it) {
      sum += it->second;
    }
    return sum;
  }
  // Summed over the hours: a user active in 3 hours counts 3 times, as hourly active users do.
  int64_t UserHours(int64_t from, int64_t to) const {
    int64_t sum = 0;
    for (auto it = users.lower_bound(from); it != users.end() && it->first < to; ++it) {
      sum += static_cast<int64_t>(it->second.size());
    }
    return sum;
  }
  int64_t SessionHours(int64_t from, int64_t to) const {
    int64_t sum = 0;
    for (auto it = sessions.lower_bound(from); it != sessions.end() && it->first < to; ++it) {
      sum += static_cast<int64_t>(it->second.size());
    }
    return sum;
  }
};

int64_t HourOf(const GeneratorOptions& options, const GeneratedEvent& event) {
  return (event.event_time_ms - MillisOfDay(options.start_day)) / kHourMs;
}

Hourly Count(const GeneratorOptions& options) {
  Hourly hourly;
  ForEachEvent(options, [&](const GeneratedEvent& event) {
    const int64_t hour = HourOf(options, event);
    ++hourly.events[hour];
    hourly.users[hour].insert(event.user_id);
    if (!event.session_id.empty()) {
      hourly.sessions[hour].insert(absl::StrCat(event.user_id, "/", event.session_id));
    }
  });
  return hourly;
}

// Hours (from the period's start) whose event count differs between the two runs, except
// those in [from, to) of `skip`.
std::vector<int64_t> ChangedHours(const Hourly& base, const Hourly& changed,
                                  const std::vector<std::pair<int64_t, int64_t>>& skip) {
  std::set<int64_t> hours;
  for (const auto& [hour, count] : base.events) hours.insert(hour);
  for (const auto& [hour, count] : changed.events) hours.insert(hour);
  std::vector<int64_t> differ;
  for (const int64_t hour : hours) {
    const bool skipped = std::any_of(skip.begin(), skip.end(), [hour](const auto& range) {
      return hour >= range.first && hour < range.second;
    });
    const auto count = [hour](const Hourly& h) {
      const auto it = h.events.find(hour);
      return it == h.events.end() ? 0 : it->second;
    };
    if (!skipped && count(base) != count(changed)) differ.push_back(hour);
  }
  return differ;
}

TEST(EventGeneratorAnomalyTest, EventsWindowsScaleTheirHoursAndNothingElse) {
  GeneratorOptions options = Steady(10'000, 10);
  const Hourly base = Count(options);
  options.anomalies = {Spec("events:48:48:1.5"), Spec("events:2026-10-07T00:48:0.6")};
  const Hourly changed = Count(options);
  // Sessions pushed by the added or removed ones end in the hour after a window at the latest.
  EXPECT_THAT(ChangedHours(base, changed, {{48, 97}, {144, 193}}), testing::IsEmpty());
  const double spike = static_cast<double>(changed.Events(48, 96)) / base.Events(48, 96);
  const double drop = static_cast<double>(changed.Events(144, 192)) / base.Events(144, 192);
  EXPECT_NEAR(spike, 1.5, 0.08) << base.Events(48, 96) << " events";
  EXPECT_NEAR(drop, 0.6, 0.08) << base.Events(144, 192) << " events";
  EXPECT_NEAR(static_cast<double>(changed.SessionHours(48, 96)) / base.SessionHours(48, 96), 1.5,
              0.08);
  EXPECT_NEAR(static_cast<double>(changed.SessionHours(144, 192)) / base.SessionHours(144, 192),
              0.6, 0.08);
  // A spike's extra sessions are the same users' (in the same hours).
  EXPECT_LT(static_cast<double>(changed.UserHours(48, 96)) / base.UserHours(48, 96), 1.1);
  // The hour after a window is close to what it was.
  EXPECT_NEAR(static_cast<double>(changed.Events(96, 97)) / base.Events(96, 97), 1, 0.15);
}

TEST(EventGeneratorAnomalyTest, EventsBeforeTheFirstWindowAreIdentical) {
  // Re-sends come from one stream shared by all users, so they may fall elsewhere: none here.
  GeneratorOptions options = Steady(8000, 4);
  const int64_t window_ms = MillisOfDay(options.start_day) + 50 * kHourMs;
  std::vector<std::string> base, changed;
  const auto collect = [window_ms](std::vector<std::string>* lines) {
    return [lines, window_ms](const GeneratedEvent& event) {
      if (event.event_time_ms >= window_ms) return;
      lines->emplace_back();
      AppendClickHouseTsvRow(event, &lines->back());
    };
  };
  ForEachEvent(options, collect(&base));
  options.anomalies = {Spec("events:50:6:2"), Spec("users:56:6:0.5"), Spec("crash:50:24:3"),
                       Spec("bot:3:50:12:20")};
  ForEachEvent(options, collect(&changed));
  std::sort(base.begin(), base.end());
  std::sort(changed.begin(), changed.end());
  EXPECT_GT(base.size(), 10'000u);
  EXPECT_TRUE(base == changed) << base.size() << " vs " << changed.size() << " events";
}

TEST(EventGeneratorAnomalyTest, UsersWindowsScaleDistinctActiveUsers) {
  GeneratorOptions options = Steady(10'000, 10);
  const Hourly base = Count(options);
  options.anomalies = {Spec("users:48:48:1.7"), Spec("users:144:48:0.5")};
  absl::flat_hash_map<std::string, std::pair<int64_t, int64_t>> span;  // first, last hour
  Hourly changed;
  ForEachEvent(options, [&](const GeneratedEvent& event) {
    const int64_t hour = HourOf(options, event);
    ++changed.events[hour];
    changed.users[hour].insert(event.user_id);
    const auto [it, inserted] = span.try_emplace(event.user_id, hour, hour);
    it->second.second = hour;
  });
  EXPECT_THAT(ChangedHours(base, changed, {{48, 97}, {144, 193}}), testing::IsEmpty());
  const double spike = static_cast<double>(changed.UserHours(48, 96)) / base.UserHours(48, 96);
  const double drop = static_cast<double>(changed.UserHours(144, 192)) / base.UserHours(144, 192);
  EXPECT_NEAR(spike, 1.7, 0.08) << base.UserHours(48, 96) << " user-hours";
  EXPECT_NEAR(drop, 0.5, 0.08) << base.UserHours(144, 192) << " user-hours";
  // Users new to this run are the spike's: active in its window only.
  int64_t extra_users = 0;
  for (const auto& [user, hours] : span) {
    bool known = false;
    for (const auto& [hour, users] : base.users) known |= users.contains(user);
    if (known) continue;
    ++extra_users;
    EXPECT_GE(hours.first, 48) << user;
    EXPECT_LT(hours.second, 98) << user;
  }
  EXPECT_GT(extra_users, 300);
  // A drop removes whole users: nobody is active in it who was not before.
  for (int64_t hour = 144; hour < 192; ++hour) {
    for (const std::string& user : changed.users[hour]) {
      EXPECT_TRUE(base.users.at(hour).contains(user)) << user << " in hour " << hour;
    }
  }
}

TEST(EventGeneratorAnomalyTest, CrashWindowMultipliesOneVersionsCrashes) {
  // 4.3.1 comes out on day 6 of 10, 4.4.0 on day 8: both are in use on days 7-9.
  GeneratorOptions options = Steady(20'000, 10);
  const auto crashes = [&options](std::map<std::string, int64_t>* in_window) {
    int64_t outside = 0;
    ForEachEvent(options, [&](const GeneratedEvent& event) {
      if (event.event_type != "app_crash") return;
      const int64_t hour = HourOf(options, event);
      if (hour >= 168 && hour < 240) {
        ++(*in_window)[event.app_version];
      } else if (hour < 168 || hour > 240) {
        ++outside;
      }
    });
    return outside;
  };
  std::map<std::string, int64_t> base, changed, newest;
  const int64_t base_outside = crashes(&base);
  options.anomalies = {Spec("crash=4.3.1:168:72:5")};
  const int64_t changed_outside = crashes(&changed);
  EXPECT_EQ(changed_outside, base_outside);
  ASSERT_GE(base["4.3.1"], 15);
  const double ratio = static_cast<double>(changed["4.3.1"]) / base["4.3.1"];
  EXPECT_GT(ratio, 3) << base["4.3.1"] << " -> " << changed["4.3.1"];
  EXPECT_LT(ratio, 7.5) << base["4.3.1"] << " -> " << changed["4.3.1"];
  EXPECT_EQ(changed["4.4.0"], base["4.4.0"]);
  // Without a version: the newest released at the window's start, 4.4.0 on day 8.
  options.anomalies = {Spec("crash:192:48:5")};
  (void)crashes(&newest);
  EXPECT_EQ(newest["4.3.1"], base["4.3.1"]);
  EXPECT_GT(newest["4.4.0"], 2 * base["4.4.0"]);
}

TEST(EventGeneratorAnomalyTest, BotsSendFactorTimesTheMedianUsersRateEveryHour) {
  GeneratorOptions options = Steady(5000, 4);
  std::vector<uint64_t> base;
  ForEachEvent(options, [&](const GeneratedEvent& event) {
    base.push_back(gen_internal::HashBytes(absl::StrCat(event.user_id, "|", event.event_id)));
  });
  const absl::flat_hash_set<uint64_t> base_set(base.begin(), base.end());
  options.anomalies = {Spec("bot:4:2026-10-02T00:48:20")};
  struct User {
    int64_t events = 0;
    std::set<int64_t> hours;
    std::map<std::string, int64_t> types;
    std::set<std::string> platforms, versions;
  };
  std::map<std::string, User> real, bots;
  std::vector<uint64_t> real_events;
  ForEachEvent(options, [&](const GeneratedEvent& event) {
    const uint64_t digest =
        gen_internal::HashBytes(absl::StrCat(event.user_id, "|", event.event_id));
    const bool is_real = base_set.contains(digest);
    if (is_real) real_events.push_back(digest);
    User& user = (is_real ? real : bots)[event.user_id];
    ++user.events;
    user.hours.insert(HourOf(options, event));
    ++user.types[event.event_type];
    user.platforms.insert(event.platform);
    user.versions.insert(event.app_version);
  });
  // Bots take nothing from real users: their events are those of the run without them.
  EXPECT_TRUE(real_events == base);
  std::vector<double> rates;
  for (const auto& [id, user] : real) {
    rates.push_back(static_cast<double>(user.events) / user.hours.size());
  }
  std::nth_element(rates.begin(), rates.begin() + rates.size() / 2, rates.end());
  const double median = rates[rates.size() / 2];
  EXPECT_NEAR(median, 11, 1.5);
  ASSERT_EQ(bots.size(), 4u);
  for (const auto& [id, user] : bots) {
    // Every hour of the window and nothing else.
    ASSERT_EQ(user.hours.size(), 48u) << id;
    EXPECT_EQ(*user.hours.begin(), 24) << id;
    EXPECT_EQ(*user.hours.rbegin(), 71) << id;
    EXPECT_NEAR(static_cast<double>(user.events) / 48 / median, 20, 3) << id;
    // Scripted: taps and screen views (one app_open); an id like a real user's.
    EXPECT_EQ(user.types.size(), 3u) << id;
    EXPECT_EQ(user.types.at("app_open"), 1) << id;
    EXPECT_GT(user.types.at("click"), user.types.at("screen_view")) << id;
    const bool counter_id =
        id.size() > 1 && id[0] == 'u' && std::all_of(id.begin() + 1, id.end(), absl::ascii_isdigit);
    EXPECT_TRUE(counter_id || id.size() == 36) << id;
    EXPECT_EQ(user.platforms.size(), 1u) << id;
    EXPECT_THAT(*user.platforms.begin(), testing::AnyOf("android", "ios", "web"));
    // The newest release on day 1: 4.3.0 comes out on day floor(0.43 * 4) = 1.
    EXPECT_THAT(user.versions, testing::ElementsAre("4.3.0")) << id;
  }
}

TEST(EventGeneratorAnomalyTest, SameOptionsSameOutputInEmissionOrder) {
  GeneratorOptions options = Steady(1500, 5);
  options.duplicate_share = 0.03;
  options.seed003_share = 0.2;
  options.anomalies = {Spec("events:30:6:1.5"), Spec("events:40:6:0.6"), Spec("users:50:6:2.5"),
                       Spec("users:60:6:0.4"),  Spec("crash:30:40:4"),   Spec("bot:2:20:30:20")};
  const std::string first = CollectOutput(WriteJsonLines, options);
  EXPECT_EQ(first, CollectOutput(WriteJsonLines, options));
  options.seed = 43;
  EXPECT_NE(first, CollectOutput(WriteJsonLines, options));
  // Each day's events come in time order; a re-send after its original.
  EventGenerator generator(options);
  std::vector<GeneratedEvent> day;
  int days = 0;
  while (generator.NextDay(&day)) {
    const int64_t end_ms = MillisOfDay(options.start_day + days + 1);
    int64_t last_ms = 0;
    for (const GeneratedEvent& event : day) {
      if (event.duplicate) continue;
      EXPECT_GE(event.event_time_ms, last_ms) << "day " << days;
      if (days + 1 < options.days) {
        EXPECT_LT(event.event_time_ms, end_ms);
      }
      last_ms = event.event_time_ms;
    }
    ++days;
  }
}

TEST(EventGeneratorAnomalyTest, SteadyTrafficHasAWeeklyCycleAndNoTrend) {
  GeneratorOptions options = Steady(6000, 35);  // 2026-10-01 is a Thursday
  std::vector<int64_t> days(35);
  int64_t signups = 0;
  std::map<std::string, int64_t> versions_days_27_28;
  ForEachEvent(options, [&](const GeneratedEvent& event) {
    const int64_t day = HourOf(options, event) / 24;
    if (day < 35) ++days[day];
    signups += event.event_type == "sign_up";
    if (day == 27 || day == 28) ++versions_days_27_28[event.app_version];
  });
  std::vector<int64_t> weeks(5);
  double weekday = 0, weekend = 0;
  for (int day = 0; day < 35; ++day) {
    weeks[day / 7] += days[day];
    const int weekday_index = (day + 3) % 7;  // Monday 0
    (weekday_index >= 5 ? weekend : weekday) += days[day];
  }
  const double mean = (weeks[0] + weeks[1] + weeks[2] + weeks[3] + weeks[4]) / 5.0;
  for (int week = 0; week < 5; ++week) {
    EXPECT_NEAR(weeks[week] / mean, 1, 0.05) << "week " << week;
  }
  // Local weekends cross UTC days, so UTC Saturdays and Sundays fall a little less than 0.7.
  EXPECT_NEAR((weekend / 10) / (weekday / 25), 0.72, 0.06);
  // A constant sign-up rate: 35 of 3685 days' worth of 6000 users sign up in the period.
  EXPECT_NEAR(signups, 57, 20);
  // Apps update themselves: 4.3.1 (day 21) is nearly everywhere a week later.
  int64_t total = 0;
  for (const auto& [version, count] : versions_days_27_28) total += count;
  EXPECT_GT(static_cast<double>(versions_days_27_28["4.3.1"]) / total, 0.8);
}

TEST(EventGeneratorAnomalyTest, WeekendFactorOfOneAndNoAgeLeaveTheOutputAsBefore) {
  // The hashes of EventGeneratorExperimentTest.NoExperimentsLeaveTheOutputAsBefore.
  GeneratorOptions options;
  options.users = 300;
  options.days = 5;
  options.duplicate_share = 0.05;
  options.weekend_factor = 1;
  options.app_age_days = 0;
  options.anomalies = {};
  const std::string tsv = CollectOutput(WriteClickHouseTsv, options);
  EXPECT_EQ(tsv.size(), 1943365u);
  EXPECT_EQ(gen_internal::HashBytes(tsv), 0xb6da61845034f528ULL);
  options.weekend_factor = 0.7;  // 2026-10-03 and 04 are a weekend
  EXPECT_NE(gen_internal::HashBytes(CollectOutput(WriteClickHouseTsv, options)),
            0xb6da61845034f528ULL);
}

}  // namespace
}  // namespace mua::gen
