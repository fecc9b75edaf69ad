// EventGenerator with --experiment: assignments, exposure, the effect, and unchanged output
// without experiments.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ingest/event_arena.h"
#include "ingest/event_decoder.h"
#include "rapidjson/document.h"
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

ExperimentSpec Spec(const std::string& text) {
  absl::StatusOr<ExperimentSpec> spec = ParseExperimentSpec(text);
  EXPECT_OK(spec);
  return spec.ok() ? *spec : ExperimentSpec{};
}

// Calls fn(event) for each generated event, in emission order.
template <typename Fn>
void ForEachEvent(const GeneratorOptions& options, Fn fn) {
  EventGenerator generator(options);
  std::vector<GeneratedEvent> day;
  while (generator.NextDay(&day)) {
    for (const GeneratedEvent& event : day) fn(event);
  }
}

std::vector<GeneratedEvent> Generate(const GeneratorOptions& options) {
  std::vector<GeneratedEvent> all;
  ForEachEvent(options, [&all](const GeneratedEvent& event) { all.push_back(event); });
  return all;
}

// The variant `event` carries for `experiment`; "" when none.
std::string VariantIn(const GeneratedEvent& event, const std::string& experiment) {
  for (const VariantAssignment& assignment : event.ab_test_variants) {
    if (assignment.experiment == experiment) return assignment.variant;
  }
  return "";
}

std::string JsonLine(const GeneratedEvent& event) {
  std::string line;
  AppendJsonLine(event, &line);
  return line;
}

// The line's top-level ab_test_variants as (key, value) pairs in order; nullopt when absent.
std::optional<std::vector<std::pair<std::string, std::string>>> LineVariants(
    const std::string& line) {
  rapidjson::Document doc;
  doc.Parse(line.data(), line.size());
  EXPECT_FALSE(doc.HasParseError()) << line;
  if (doc.HasParseError() || !doc.HasMember("ab_test_variants")) return std::nullopt;
  std::vector<std::pair<std::string, std::string>> variants;
  for (const auto& member : doc["ab_test_variants"].GetObject()) {
    variants.emplace_back(member.name.GetString(), member.value.GetString());
  }
  return variants;
}

TEST(EventGeneratorExperimentTest, NoExperimentsLeaveTheOutputAsBefore) {
  // Hashes of the output before experiments existed (mua-gen at 4dfbf63); a change here means
  // every stored expectation built on generated data changes too.
  GeneratorOptions options;
  options.users = 300;
  options.days = 5;
  options.duplicate_share = 0.05;
  const std::string tsv = CollectOutput(WriteClickHouseTsv, options);
  EXPECT_EQ(tsv.size(), 1943365u);
  EXPECT_EQ(gen_internal::HashBytes(tsv), 0xb6da61845034f528ULL);
  options.seed003_share = 0.3;
  options.invalid_share = 0.05;
  const std::string lines = CollectOutput(WriteJsonLines, options);
  EXPECT_EQ(lines.size(), 6256424u);
  EXPECT_EQ(gen_internal::HashBytes(lines), 0xdc5aacceb14bc7ffULL);
}

TEST(EventGeneratorExperimentTest, NoExperimentsNoAssignments) {
  GeneratorOptions options;
  options.users = 300;
  options.days = 3;
  for (const GeneratedEvent& event : Generate(options)) {
    EXPECT_TRUE(event.ab_test_variants.empty());
    EXPECT_EQ(event.attributes, "");
    EXPECT_EQ(ToEventRow(event).attributes, "");
    EXPECT_FALSE(absl::StrContains(JsonLine(event), "ab_test_variants"));
  }
}

TEST(EventGeneratorExperimentTest, SharesFollowTheWeightsIndependentlyAndUsersKeepTheirVariant) {
  GeneratorOptions options;
  options.users = 20'000;
  options.days = 2;
  options.experiments = {Spec("weighted:a=5,b=3,c=2"), Spec("even:x,y")};
  absl::flat_hash_map<std::string, std::pair<std::string, std::string>> users;
  int64_t mismatches = 0;
  ForEachEvent(options, [&](const GeneratedEvent& event) {
    // Without @DAY every event is exposed, to both, in the order given.
    if (event.ab_test_variants.size() != 2 || event.ab_test_variants[0].experiment != "weighted" ||
        event.ab_test_variants[1].experiment != "even") {
      ++mismatches;
      return;
    }
    const auto [it, inserted] = users.try_emplace(event.user_id, event.ab_test_variants[0].variant,
                                                  event.ab_test_variants[1].variant);
    if (it->second.first != event.ab_test_variants[0].variant ||
        it->second.second != event.ab_test_variants[1].variant) {
      ++mismatches;  // a user changed variant
    }
  });
  EXPECT_EQ(mismatches, 0);
  ASSERT_EQ(users.size(), 20'000u);
  std::map<std::string, int> weighted, even;
  int b_and_y = 0;
  for (const auto& [user, variants] : users) {
    ++weighted[variants.first];
    ++even[variants.second];
    b_and_y += variants.first == "b" && variants.second == "y";
  }
  const double n = static_cast<double>(users.size());
  const auto expect_share = [n](int count, double p, const char* what) {
    EXPECT_NEAR(count / n, p, 4 * std::sqrt(p * (1 - p) / n)) << what;
  };
  expect_share(weighted["a"], 0.5, "a");
  expect_share(weighted["b"], 0.3, "b");
  expect_share(weighted["c"], 0.2, "c");
  expect_share(even["x"], 0.5, "x");
  expect_share(b_and_y, 0.3 * 0.5, "b and y");
  EXPECT_EQ(weighted.size(), 3u);
  EXPECT_EQ(even.size(), 2u);
}

TEST(EventGeneratorExperimentTest, ExposureStartsAtTheFirstSessionFromTheDayOn) {
  GeneratorOptions options;
  options.users = 1000;
  options.days = 8;
  options.duplicate_share = 0.02;
  options.experiments = {Spec("early:c,t"), Spec("late:off,on@4")};
  const int64_t cut_ms = MillisOfDay(options.start_day + 4);
  std::map<std::string, std::vector<const GeneratedEvent*>> by_user;
  const std::vector<GeneratedEvent> events = Generate(options);
  std::map<std::pair<std::string, std::string>, std::string> session_variant;
  for (const GeneratedEvent& event : events) {
    EXPECT_NE(VariantIn(event, "early"), "");
    const std::string late = VariantIn(event, "late");
    if (event.event_time_ms < cut_ms) {
      EXPECT_EQ(late, "") << JsonLine(event);
    }
    // Sessions last well under 6 hours: by then every session started after the cut.
    if (event.event_time_ms >= cut_ms + 6 * kHourMs) {
      EXPECT_NE(late, "") << JsonLine(event);
    }
    if (!event.session_id.empty()) {
      const auto [it, inserted] =
          session_variant.try_emplace({event.user_id, event.session_id}, late);
      EXPECT_EQ(it->second, late) << "one exposure per session: " << JsonLine(event);
    }
    // The line says the same: only the exposed experiments, in order.
    const auto written = LineVariants(JsonLine(event));
    ASSERT_TRUE(written.has_value());
    std::vector<std::pair<std::string, std::string>> expected = {
        {"early", VariantIn(event, "early")}};
    if (!late.empty()) expected.emplace_back("late", late);
    EXPECT_EQ(*written, expected);
    if (!event.duplicate) by_user[event.user_id].push_back(&event);
  }
  int with_history = 0;
  for (auto& [user, user_events] : by_user) {
    std::stable_sort(user_events.begin(), user_events.end(), [](const auto* x, const auto* y) {
      return x->event_time_ms < y->event_time_ms;
    });
    bool exposed = false, before = false;
    for (const GeneratedEvent* event : user_events) {
      const bool now = !VariantIn(*event, "late").empty();
      EXPECT_TRUE(now || !exposed) << "exposure ended for " << user;
      before |= !exposed && !now;
      exposed |= now;
    }
    with_history += before && exposed;
  }
  // Users active both before and after the exposure day: the history CUPED needs.
  EXPECT_GT(with_history, 100);
}

TEST(EventGeneratorExperimentTest, EffectRaisesTheRateOfExposedTreatmentUsersOnly) {
  GeneratorOptions options;
  options.users = 10'000;
  options.days = 10;
  const int64_t cut_ms = MillisOfDay(options.start_day + 4);
  // Per user: digests of the events (id, time, type, properties) before and after the cut,
  // and the counts after it.
  struct UserEvents {
    std::vector<uint64_t> before, after;
    int purchases = 0, checkouts = 0;
    std::string ab, aa;  // variants, "" when never exposed
  };
  const auto split = [cut_ms](const GeneratorOptions& run) {
    absl::flat_hash_map<std::string, UserEvents> users;
    ForEachEvent(run, [&](const GeneratedEvent& e) {
      UserEvents& user = users[e.user_id];
      const uint64_t digest = gen_internal::HashBytes(
          absl::StrCat(e.event_id, "|", e.event_time_ms, "|", e.event_type, "|", e.properties));
      if (e.event_time_ms < cut_ms) {
        user.before.push_back(digest);
        return;
      }
      user.after.push_back(digest);
      user.purchases += e.event_type == "purchase";
      user.checkouts += e.event_type == "begin_checkout";
      if (!e.ab_test_variants.empty()) {
        user.ab = VariantIn(e, "ab");
        user.aa = VariantIn(e, "aa");
      }
    });
    return users;
  };
  const auto without = split(options);
  options.experiments = {Spec("ab:control,treatment:purchase*1.5@4"), Spec("aa:c,t@4")};
  const auto with = split(options);
  ASSERT_EQ(without.size(), with.size());
  std::map<std::string, double> users_in, purchases_in, checkouts_in;
  int changed_before = 0, changed_control = 0, changed_treatment = 0;
  for (const auto& [user, user_events] : with) {
    const UserEvents& before_experiment = without.at(user);
    // Nothing changes before exposure, and nothing at all for control users.
    changed_before += user_events.before != before_experiment.before;
    if (user_events.ab.empty()) continue;
    const bool changed = user_events.after != before_experiment.after;
    (user_events.ab == "control" ? changed_control : changed_treatment) += changed;
    for (const std::string& arm : {user_events.ab, "aa_" + user_events.aa}) {
      users_in[arm] += 1;
      purchases_in[arm] += user_events.purchases;
      checkouts_in[arm] += user_events.checkouts;
    }
  }
  EXPECT_EQ(changed_before, 0);
  EXPECT_EQ(changed_control, 0);
  EXPECT_GT(changed_treatment, 500);
  const auto rate = [&](std::map<std::string, double>& counts, const std::string& arm) {
    return counts[arm] / users_in[arm];
  };
  ASSERT_GT(users_in["control"], 2000);
  ASSERT_GT(users_in["treatment"], 2000);
  // Conversion after checkout 0.6 -> 0.9: purchases per user rise by about a third (1.34 on
  // 100000 users; the bounds are ~3 standard errors of ~4000 users per arm).
  const double lift = rate(purchases_in, "treatment") / rate(purchases_in, "control");
  EXPECT_GT(lift, 1.15);
  EXPECT_LT(lift, 1.55);
  // Steps before the purchase are not targeted; an A/A split sees no difference.
  EXPECT_NEAR(rate(checkouts_in, "treatment") / rate(checkouts_in, "control"), 1, 0.15);
  EXPECT_NEAR(rate(purchases_in, "aa_t") / rate(purchases_in, "aa_c"), 1, 0.15);
}

TEST(EventGeneratorExperimentTest, RowAttributesAreWhatTheDecoderKeepsAndSeed003Merges) {
  GeneratorOptions options;
  options.users = 200;
  options.days = 3;
  options.seed003_share = 0.3;
  options.experiments = {Spec("a:x,y"), Spec("b:p,q,r@1")};
  EventDecoder decoder({.retention_days = 0});
  EventArena arena;
  const int64_t now_ms = MillisOfDay(options.start_day + options.days + 1);
  int seed003_events = 0, plain_events = 0, flat_events = 0;
  for (const GeneratedEvent& event : Generate(options)) {
    const std::string line = JsonLine(event);
    const EventRow row = ToEventRow(event);
    ASSERT_FALSE(event.ab_test_variants.empty());
    std::string expected = "{\"ab_test_variants\":{";
    for (size_t i = 0; i < event.ab_test_variants.size(); ++i) {
      absl::StrAppend(&expected, i > 0 ? "," : "", "\"", event.ab_test_variants[i].experiment,
                      "\":\"", event.ab_test_variants[i].variant, "\"");
    }
    EXPECT_EQ(row.attributes, expected + "}}");
    const auto written = LineVariants(line);
    ASSERT_TRUE(written.has_value());
    if (event.seed003) {
      // Seed 003's own two tests first, then the configured ones.
      ++seed003_events;
      ASSERT_EQ(written->size(), 2 + event.ab_test_variants.size()) << line;
      EXPECT_EQ((*written)[0].first, "checkout_button");
      EXPECT_EQ((*written)[1].first, "onboarding_v2");
      EXPECT_EQ((*written)[2].first, "a");
      continue;
    }
    ++plain_events;
    EventRow decoded;
    DecodeError error;
    arena.Clear();
    ASSERT_TRUE(decoder.TryDecode(line, now_ms, &arena, &decoded, &error)) << error.message;
    // A nested line also leaves its second platform (context.platform) in attributes, after.
    const std::string kept(decoded.attributes);
    if (absl::StartsWith(line, "{\"event_id\":\"" + event.event_id + "\",\"user_id\"")) {
      ++flat_events;
      EXPECT_EQ(kept, std::string(row.attributes)) << line;
    } else {
      EXPECT_TRUE(absl::StartsWith(
          kept, absl::StrCat(row.attributes.substr(0, row.attributes.size() - 1), ",")))
          << kept << " from " << line;
    }
  }
  EXPECT_GT(seed003_events, 1000);
  EXPECT_GT(plain_events, 1000);
  EXPECT_GT(flat_events, 300);
}

}  // namespace
}  // namespace mua::gen
