// EventGenerator simulates a mobile app's users day by day and yields their analytics
// events: sign-ups spread over the period, a decaying retention curve with loyal users,
// diurnal sessions in each user's time zone, a purchase funnel with drop-off, crashes
// (one buggy app release), gradual app upgrades and optional SDK re-sends (duplicates).
// Output is a pure function of GeneratorOptions: same options, same events, byte for byte.
// Not thread-safe; use one generator per thread.
//
//   EventGenerator generator({.users = 1000, .days = 7});
//   std::vector<GeneratedEvent> day;
//   while (generator.NextDay(&day)) { for (const auto& e : day) AppendJsonLine(e, &out); }
//
// Volume: about 100 events per user over 30 days; 100000 users x 30 days gives ~10.8 M.
// A/B tests (GeneratorOptions::experiments, tools/gen/experiment_spec.h) add variant
// assignments to exposed users' events and a known effect on one event type; without
// experiments the output is what it was before they existed. So it is without the
// anomaly options (GeneratorOptions::anomalies, tools/gen/anomaly_spec.h, a weekly cycle,
// steady sign-ups), which make stationary traffic with injected incidents and bots.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/types/span.h"

#include "storage/event_row.h"
#include "tools/gen/anomaly_spec.h"
#include "tools/gen/experiment_spec.h"

namespace mua::gen {

enum class EventIdStyle {
  kCounter,  // per-user (device) sequence number as decimal text, like Amplitude's event_id
  kUuid,     // random UUID v4 text
  kHex32,    // 128 random bits as 32 lowercase hex digits, no dashes
};

struct GeneratorOptions {
  int64_t users = 10'000;     // users who sign up over the period; REQUIRES: >= 1
  int days = 30;              // REQUIRES: >= 1
  int32_t start_day = 20727;  // days since 1970-01-01 of the first day; 2026-10-01
  uint64_t seed = 42;
  double duplicate_share = 0.0;  // share of emitted events that re-send an earlier one; [0, 1)
  double invalid_share = 0.0;    // share of emitted lines that are invalid (JSON path); [0, 1)
  EventIdStyle event_ids = EventIdStyle::kCounter;
  // Share of events that carry seed 003's fields beyond the mapped columns (user segment,
  // device id and browser, page URL and UTM tags, time zone, A/B variants, transaction,
  // event version, session event index): they land in `attributes`. [0, 1]
  double seed003_share = 0.0;
  // Simulated A/B tests; REQUIRES: ValidateExperiments(experiments, days, seed003_share) is OK.
  // Empty: no assignments and events exactly as without this option.
  std::vector<ExperimentSpec> experiments = {};
  // Steady traffic: the app launched this many days before the period, and the `users` sign
  // up at one constant rate over those days and the period (days / (app_age_days + days) of
  // them within the period), so that decaying retention and new sign-ups balance. Mobile apps
  // then also update themselves: on each active day a user not on the newest release has it
  // with probability 1 - 0.75^(days since it came out + 1). 0: the app launches on the first
  // day, with a launch campaign's sign-ups, growth and decay, and updates on active days only.
  // REQUIRES: 0 <= app_age_days <= 36600.
  int app_age_days = 0;
  // Weekly cycle: on a user's local Saturday and Sunday a returning user is active with the
  // probability of a weekday times this (capped at 1); 1: none. REQUIRES: (0, 2].
  double weekend_factor = 1;
  // Injected incidents and bots; REQUIRES: ValidateAnomalies(anomalies, start_day, days) is OK.
  // Empty: events exactly as without this option.
  std::vector<AnomalySpec> anomalies = {};
};

struct VariantAssignment {
  std::string experiment;
  std::string variant;
};

struct GeneratedEvent {
  int64_t event_time_ms = 0;  // UTC, milliseconds since the epoch
  std::string user_id;
  std::string session_id;  // SDK session (start epoch ms as text); empty when the SDK sent none
  std::string event_id;
  std::string event_type;
  std::string platform;  // android, ios or web
  std::string os_version;
  std::string app_version;
  std::string device_model;
  std::string device_type;  // phone, tablet or desktop
  std::string country;      // ISO 3166-1 alpha-2
  std::string region;
  std::string city;
  std::string properties;  // JSON object text
  bool duplicate = false;  // a re-send of an earlier event (same user_id and event_id)
  bool seed003 = false;    // written with seed 003's extra fields (json_writer.h)
  int64_t sequence = 0;    // the user's event number (seed 003's session.event_index)
  // The user's variant in each configured experiment they are exposed to at this event, in
  // GeneratorOptions::experiments order; written as the top-level `ab_test_variants` object.
  std::vector<VariantAssignment> ab_test_variants;
  // The storage `attributes` of the above for ToEventRow: {"ab_test_variants":{...}} as
  // EventDecoder keeps it from a line without seed 003's fields; "" when none.
  std::string attributes;
};

// The event as storage appends it (views into `event`, which must outlive the row). Seed 003's
// extra fields are left out; `attributes` holds the configured experiments' assignments only.
EventRow ToEventRow(const GeneratedEvent& event);

class EventGenerator {
 public:
  // REQUIRES: options satisfy the constraints documented on GeneratorOptions.
  explicit EventGenerator(const GeneratorOptions& options);
  ~EventGenerator();
  EventGenerator(const EventGenerator&) = delete;
  EventGenerator& operator=(const EventGenerator&) = delete;

  // Fills *events with the next UTC day's events in emission order: event-time order, except
  // that a duplicate (flagged) comes seconds to minutes after its original. The last call
  // also returns the few events of sessions that run past the period. Returns false, with
  // *events empty, when all days are done. Reuses the strings already in *events.
  bool NextDay(std::vector<GeneratedEvent>* events);

  // Users signed up so far (all of options.users once the last day is returned).
  int64_t users_signed_up() const;

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

// Calls fn(day, rows) for each generated day (0, 1, ...) with its events as storage appends
// them, the re-sent duplicates left out; the rows view the day's events, valid during the
// call. For tests and benchmarks that fill a Table directly.
void ForEachDayOfRows(const GeneratorOptions& options,
                      absl::FunctionRef<void(int day, absl::Span<const EventRow> rows)> fn);

}  // namespace mua::gen
