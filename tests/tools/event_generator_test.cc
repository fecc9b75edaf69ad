#include "tools/gen/event_generator.h"

#include <algorithm>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/match.h"
#include "absl/strings/str_split.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "rapidjson/document.h"
#include "storage/base/time_util.h"
#include "tests/testutil/status_matchers.h"
#include "tests/tools/collect_output.h"
#include "tools/gen/json_writer.h"

namespace mua::gen {
namespace {

using Days = std::vector<std::vector<GeneratedEvent>>;

Days Generate(const GeneratorOptions& options) {
  EventGenerator generator(options);
  Days days;
  std::vector<GeneratedEvent> day;
  while (generator.NextDay(&day)) days.push_back(day);
  return days;
}

std::string Lines(const GeneratorOptions& options, JsonLinesStats* stats = nullptr) {
  return CollectOutput(WriteJsonLines, options, stats);
}

enum class TimestampForm { kZulu, kOffset, kEpochMillis };

// What an ingesting server would extract from a line; nullopt when it must reject it.
struct ParsedLine {
  bool nested = false;
  TimestampForm form = TimestampForm::kZulu;
  int64_t time_ms = 0;
  std::string event_id, user_id, session_id, event_type, platform, app_version, country;
  std::string item_id;
  double price = 0;
};

const rapidjson::Value* Member(const rapidjson::Value& object, const char* name) {
  if (!object.IsObject()) return nullptr;
  const auto it = object.FindMember(name);
  return it == object.MemberEnd() ? nullptr : &it->value;
}

std::optional<std::string> NonEmptyString(const rapidjson::Value* value) {
  if (value == nullptr || !value->IsString() || value->GetStringLength() == 0) return std::nullopt;
  return std::string(value->GetString(), value->GetStringLength());
}

std::string OptionalString(const rapidjson::Value* value) {
  return value != nullptr && value->IsString() ? value->GetString() : "";
}

std::optional<ParsedLine> ParseLine(absl::string_view line, int64_t latest_ms) {
  rapidjson::Document doc;
  doc.Parse(line.data(), line.size());
  if (doc.HasParseError() || !doc.IsObject()) return std::nullopt;
  ParsedLine parsed;
  parsed.nested = Member(doc, "user") != nullptr;
  const rapidjson::Value* user_id =
      parsed.nested ? Member(*Member(doc, "user"), "user_id") : Member(doc, "user_id");
  auto event_id = NonEmptyString(Member(doc, "event_id"));
  auto user = NonEmptyString(user_id);
  auto event_type = NonEmptyString(Member(doc, "event_type"));
  const rapidjson::Value* timestamp = Member(doc, "event_timestamp");
  if (!event_id || !user || !event_type || timestamp == nullptr) return std::nullopt;
  parsed.event_id = *event_id;
  parsed.user_id = *user;
  parsed.event_type = *event_type;
  if (timestamp->IsInt64()) {
    parsed.form = TimestampForm::kEpochMillis;
    parsed.time_ms = timestamp->GetInt64();
  } else if (timestamp->IsString()) {
    std::string text = timestamp->GetString();
    parsed.form = absl::EndsWith(text, "Z") ? TimestampForm::kZulu : TimestampForm::kOffset;
    if (parsed.form == TimestampForm::kZulu) text = text.substr(0, text.size() - 1) + "+00:00";
    absl::Time time;
    std::string error;
    if (!absl::ParseTime("%Y-%m-%dT%H:%M:%E*S%Ez", text, &time, &error)) return std::nullopt;
    parsed.time_ms = absl::ToUnixMillis(time);
  } else {
    return std::nullopt;
  }
  if (parsed.time_ms > latest_ms) return std::nullopt;
  const rapidjson::Value* properties;
  if (parsed.nested) {
    const rapidjson::Value* session = Member(doc, "session");
    if (session != nullptr) parsed.session_id = OptionalString(Member(*session, "session_id"));
    parsed.platform = OptionalString(Member(*Member(doc, "context"), "platform"));
    parsed.app_version = OptionalString(Member(*Member(doc, "context"), "app_version"));
    parsed.country = OptionalString(Member(*Member(doc, "geo"), "country"));
    properties = Member(doc, "event_properties");
    if (properties == nullptr) properties = Member(doc, "properties");
  } else {
    parsed.session_id = OptionalString(Member(doc, "session_id"));
    parsed.platform = OptionalString(Member(doc, "platform"));
    parsed.app_version = OptionalString(Member(doc, "app_version"));
    parsed.country = OptionalString(Member(doc, "country"));
    properties = Member(doc, "properties");
  }
  if (properties == nullptr || !properties->IsObject()) return std::nullopt;
  parsed.item_id = OptionalString(Member(*properties, "item_id"));
  const rapidjson::Value* price = Member(*properties, "price");
  if (price != nullptr && price->IsNumber()) parsed.price = price->GetDouble();
  return parsed;
}

class EventGeneratorTest : public ::testing::Test {
 protected:
  static GeneratorOptions Small() {
    GeneratorOptions options;
    options.users = 300;
    options.days = 5;
    return options;
  }
  static int64_t LatestMs(const GeneratorOptions& options) {
    return MillisOfDay(options.start_day + options.days + 1);
  }
};

TEST_F(EventGeneratorTest, SameOptionsGiveIdenticalLines) {
  GeneratorOptions options = Small();
  options.duplicate_share = 0.05;
  options.invalid_share = 0.05;
  const std::string first = Lines(options);
  EXPECT_GT(first.size(), 10'000u);
  EXPECT_EQ(first, Lines(options));
  options.event_ids = EventIdStyle::kUuid;
  EXPECT_EQ(Lines(options), Lines(options));
}

TEST_F(EventGeneratorTest, Hex32EventIdsAndSeed003FieldsOnTheRequestedShare) {
  GeneratorOptions options = Small();
  options.event_ids = EventIdStyle::kHex32;
  options.seed003_share = 0.3;
  int64_t lines = 0, with_fields = 0, purchases = 0;
  for (const auto& day : Generate(options)) {
    for (const GeneratedEvent& event : day) {
      ASSERT_EQ(event.event_id.size(), 32u) << event.event_id;
      EXPECT_EQ(event.event_id.find_first_not_of("0123456789abcdef"), std::string::npos) << event.event_id;
      std::string line;
      AppendJsonLine(event, &line);
      rapidjson::Document doc;
      doc.Parse(line.data(), line.size());
      ASSERT_FALSE(doc.HasParseError()) << line;
      ++lines;
      const bool has_page = Member(doc, "page") != nullptr;
      EXPECT_EQ(has_page, event.seed003) << line;
      if (!event.seed003) continue;
      ++with_fields;
      EXPECT_NE(Member(doc, "ab_test_variants"), nullptr) << line;
      EXPECT_TRUE(absl::StrContains(line, "\"user_segment\":")) << line;
      EXPECT_TRUE(absl::StrContains(line, "\"device_id\":")) << line;
      EXPECT_TRUE(absl::StrContains(line, "\"timezone\":")) << line;
      EXPECT_TRUE(absl::StrContains(line, "\"event_index\":")) << line;
      if (event.event_type == "purchase") {
        ++purchases;
        // The amount is written as raw text with a trailing zero: attributes keep numbers as sent.
        EXPECT_TRUE(absl::StrContains(line, "0,\"currency\":\"USD\"")) << line;
      }
    }
  }
  EXPECT_NEAR(static_cast<double>(with_fields) / lines, 0.3, 0.03);
  EXPECT_GT(purchases, 0);
}

TEST_F(EventGeneratorTest, DifferentSeedsGiveDifferentLines) {
  GeneratorOptions options = Small();
  const std::string first = Lines(options);
  options.seed = 43;
  EXPECT_NE(first, Lines(options));
}

TEST_F(EventGeneratorTest, EveryValidLineHasRequiredFieldsInBothShapesAndAllTimestampForms) {
  GeneratorOptions options = Small();
  options.users = 1000;
  int shapes[2] = {0, 0};
  int forms[3] = {0, 0, 0};
  std::string line;
  for (const auto& day : Generate(options)) {
    for (const GeneratedEvent& event : day) {
      line.clear();
      AppendJsonLine(event, &line);
      ASSERT_TRUE(absl::EndsWith(line, "\n"));
      const auto parsed = ParseLine(line, LatestMs(options));
      ASSERT_TRUE(parsed.has_value()) << line;
      EXPECT_EQ(parsed->event_id, event.event_id);
      EXPECT_EQ(parsed->user_id, event.user_id);
      EXPECT_EQ(parsed->session_id, event.session_id);
      EXPECT_EQ(parsed->event_type, event.event_type);
      EXPECT_EQ(parsed->time_ms, event.event_time_ms) << line;
      EXPECT_EQ(parsed->platform, event.platform);
      EXPECT_EQ(parsed->app_version, event.app_version);
      EXPECT_EQ(parsed->country, event.country);
      ++shapes[parsed->nested];
      ++forms[static_cast<int>(parsed->form)];
    }
  }
  EXPECT_GT(shapes[0], 1000);
  EXPECT_GT(shapes[1], 1000);
  for (const int count : forms) EXPECT_GT(count, 1000);
}

TEST_F(EventGeneratorTest, InvalidAndDuplicateSharesAreCloseToRequested) {
  GeneratorOptions options;
  options.users = 1000;
  options.days = 30;
  options.duplicate_share = 0.05;
  options.invalid_share = 0.1;
  JsonLinesStats stats;
  const std::string text = Lines(options, &stats);
  EXPECT_EQ(stats.users, 1000);
  EXPECT_GT(stats.events, 80'000);
  int64_t invalid = 0, valid = 0, duplicates = 0;
  absl::flat_hash_map<std::pair<std::string, std::string>, std::string> seen;
  for (absl::string_view line : absl::StrSplit(text, '\n', absl::SkipEmpty())) {
    const auto parsed = ParseLine(line, LatestMs(options));
    if (!parsed) {
      ++invalid;
      continue;
    }
    ++valid;
    auto [it, inserted] = seen.try_emplace({parsed->user_id, parsed->event_id}, line);
    if (!inserted) {
      ++duplicates;
      EXPECT_EQ(it->second, line) << "a re-send must be byte-identical";
    }
  }
  EXPECT_EQ(invalid, stats.invalid);
  EXPECT_EQ(valid, stats.events);
  EXPECT_EQ(duplicates, stats.duplicates);
  EXPECT_NEAR(static_cast<double>(invalid) / (invalid + valid), 0.1, 0.01);
  EXPECT_NEAR(static_cast<double>(duplicates) / valid, 0.05, 0.005);
}

TEST_F(EventGeneratorTest, EveryInvalidLineIsRejected) {
  GeneratorOptions options = Small();
  const Days days = Generate(options);
  ASSERT_FALSE(days.empty());
  ASSERT_FALSE(days[0].empty());
  std::string line;
  for (uint64_t random = 0; random < 5000; ++random) {
    line.clear();
    const GeneratedEvent& basis = days[0][random % days[0].size()];
    AppendInvalidJsonLine(basis, random * 0x9e3779b97f4a7c15ULL, &line);
    ASSERT_TRUE(absl::EndsWith(line, "\n"));
    EXPECT_EQ(line.find('\n'), line.size() - 1);
    EXPECT_FALSE(ParseLine(line, LatestMs(options)).has_value()) << line;
  }
}

TEST_F(EventGeneratorTest, EventsOfADayAreInTimeOrderAndDuplicatesFollowOriginals) {
  GeneratorOptions options = Small();
  options.duplicate_share = 0.1;
  const Days days = Generate(options);
  ASSERT_EQ(days.size(), 5u);
  absl::flat_hash_set<std::pair<std::string, std::string>> emitted;
  for (size_t d = 0; d < days.size(); ++d) {
    const int64_t day_start = MillisOfDay(options.start_day + static_cast<int32_t>(d));
    int64_t previous = 0;
    for (const GeneratedEvent& event : days[d]) {
      const auto key = std::make_pair(event.user_id, event.event_id);
      if (event.duplicate) {
        EXPECT_TRUE(emitted.contains(key)) << "duplicate before its original";
        continue;
      }
      EXPECT_TRUE(emitted.insert(key).second) << "event_id reused: " << event.event_id;
      EXPECT_GE(event.event_time_ms, previous);
      previous = event.event_time_ms;
      EXPECT_GE(event.event_time_ms, day_start);
      if (d + 1 < days.size()) {
        EXPECT_LT(event.event_time_ms, day_start + kMillisPerDay);
      }
    }
  }
}

TEST_F(EventGeneratorTest, SessionsOpenFirstAndFunnelStepsComeInOrder) {
  GeneratorOptions options = Small();
  options.users = 2000;
  options.days = 10;
  struct SessionState {
    std::set<std::string> viewed, carted, checked_out;
    size_t events = 0;
  };
  std::map<std::pair<std::string, std::string>, SessionState> sessions;
  std::map<std::string, int64_t> counts;
  for (const auto& day : Generate(options)) {
    for (const GeneratedEvent& event : day) {
      if (event.duplicate) continue;
      ++counts[event.event_type];
      if (event.platform == "web") {
        EXPECT_EQ(event.session_id, "");
      }
      if (event.session_id.empty()) continue;
      SessionState& session = sessions[{event.user_id, event.session_id}];
      if (session.events++ == 0) {
        EXPECT_EQ(event.event_type, "app_open");
        EXPECT_EQ(event.session_id, std::to_string(event.event_time_ms));
      }
      const auto parsed = ParseLine(
          [&] {
            std::string line;
            AppendJsonLine(event, &line);
            return line;
          }(),
          LatestMs(options));
      ASSERT_TRUE(parsed.has_value());
      const std::string& item = parsed->item_id;
      if (event.event_type == "view_item") session.viewed.insert(item);
      if (event.event_type == "add_to_cart") {
        EXPECT_TRUE(session.viewed.contains(item));
        session.carted.insert(item);
      }
      if (event.event_type == "begin_checkout") {
        EXPECT_TRUE(session.carted.contains(item));
        session.checked_out.insert(item);
      }
      if (event.event_type == "purchase") {
        EXPECT_TRUE(session.checked_out.contains(item)) << event.user_id << " " << item;
        EXPECT_GT(parsed->price, 0);
        EXPECT_TRUE(absl::StrContains(event.properties, "\"currency\":\"USD\""));
      }
    }
  }
  // Step conversions of ~35%, 50%, 60% (with repeats of a step in a session).
  EXPECT_GT(counts["view_item"], counts["add_to_cart"] * 2);
  EXPECT_GT(counts["add_to_cart"], counts["begin_checkout"]);
  EXPECT_GT(counts["begin_checkout"], counts["purchase"]);
  EXPECT_GT(counts["purchase"], 100);
  EXPECT_EQ(counts["sign_up"], 2000);
  for (const char* type : {"screen_view", "click", "search", "login", "share", "notification_open",
                           "app_background", "app_crash"}) {
    EXPECT_GT(counts[type], 0) << type;
  }
}

TEST_F(EventGeneratorTest, BuggyReleaseCrashesMarkedlyMoreOften) {
  GeneratorOptions options;
  options.users = 3000;
  options.days = 30;
  std::map<std::string, std::pair<int64_t, int64_t>> by_version;  // sessions, crashes
  for (const auto& day : Generate(options)) {
    for (const GeneratedEvent& event : day) {
      if (event.duplicate) continue;
      if (event.event_type == "app_open") ++by_version[event.app_version].first;
      if (event.event_type == "app_crash") ++by_version[event.app_version].second;
    }
  }
  ASSERT_TRUE(by_version.contains("4.3.0"));
  ASSERT_GE(by_version.size(), 4u);
  auto rate = [](const std::pair<int64_t, int64_t>& v) {
    return static_cast<double>(v.second) / std::max<int64_t>(1, v.first);
  };
  int64_t other_sessions = 0, other_crashes = 0;
  for (const auto& [version, v] : by_version) {
    if (version == "4.3.0") continue;
    other_sessions += v.first;
    other_crashes += v.second;
  }
  EXPECT_GT(by_version["4.3.0"].first, 1000);
  EXPECT_GT(rate(by_version["4.3.0"]), 3 * rate({other_sessions, other_crashes}));
}

TEST_F(EventGeneratorTest, RetentionDecaysAndUsersKeepTheirAttributes) {
  GeneratorOptions options;
  options.users = 5000;
  options.days = 31;
  absl::flat_hash_map<std::string, std::set<int32_t>> active_days;
  absl::flat_hash_map<std::string, std::string> platform_of;
  std::map<std::string, int64_t> users_by_platform;
  std::set<int32_t> signup_days;
  for (const auto& day : Generate(options)) {
    for (const GeneratedEvent& event : day) {
      active_days[event.user_id].insert(DayOfMillis(event.event_time_ms) - options.start_day);
      auto [it, inserted] = platform_of.try_emplace(event.user_id, event.platform);
      EXPECT_EQ(it->second, event.platform);
      if (inserted) ++users_by_platform[event.platform];
      if (event.event_type == "sign_up") {
        signup_days.insert(DayOfMillis(event.event_time_ms) - options.start_day);
      }
    }
  }
  EXPECT_EQ(active_days.size(), 5000u);
  EXPECT_GE(signup_days.size(), 30u);
  EXPECT_NEAR(users_by_platform["android"] / 5000.0, 0.55, 0.04);
  EXPECT_NEAR(users_by_platform["ios"] / 5000.0, 0.40, 0.04);
  EXPECT_NEAR(users_by_platform["web"] / 5000.0, 0.05, 0.02);
  int64_t cohort = 0, day1 = 0, day7 = 0, day30 = 0;
  for (const auto& [user, days] : active_days) {
    const int32_t first = *days.begin();
    if (first != 0) continue;
    ++cohort;
    day1 += days.contains(first + 1);
    day7 += days.contains(first + 7);
    day30 += days.contains(first + 30);
  }
  ASSERT_GT(cohort, 200);
  EXPECT_GT(day1, day7);
  EXPECT_GT(day7, day30);
  EXPECT_GT(day30, 0);
  EXPECT_NEAR(static_cast<double>(day1) / cohort, 0.42, 0.12);
}

TEST_F(EventGeneratorTest, AppVersionsUpgradeOverTime) {
  GeneratorOptions options;
  options.users = 1000;
  options.days = 30;
  const Days days = Generate(options);
  std::set<std::string> first_day, last_day;
  for (const GeneratedEvent& event : days.front()) first_day.insert(event.app_version);
  for (const GeneratedEvent& event : days.back()) last_day.insert(event.app_version);
  EXPECT_EQ(first_day, std::set<std::string>{"4.2.0"});
  EXPECT_TRUE(last_day.contains("4.4.0"));
  EXPECT_GE(last_day.size(), 3u);
}

}  // namespace
}  // namespace mua::gen
