// ExperimentSpec: one A/B test that mua-gen simulates (--experiment). Each user gets one
// variant per experiment, drawn by the weights from (seed, user, experiment name) alone;
// from the user's exposure on, every event of theirs names it in the top-level
// `ab_test_variants` object, and in the non-first variants the chosen event type is made
// more (or less) likely by a known factor. The spec text is
//   NAME:VARIANT[=WEIGHT],VARIANT[=WEIGHT][,...][:EVENT*FACTOR][@DAY]
//
//   auto spec = ParseExperimentSpec("new_checkout:control=50,treatment=50:purchase*1.1@7");
//   // spec->variants {"control", "treatment"}, weights {0.5, 0.5}, effect_event "purchase",
//   // effect_factor 1.1, exposure_day 7.
// Pure functions; thread-safe.
#pragma once

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"

namespace mua::gen {

struct ExperimentSpec {
  std::string name;                   // key in ab_test_variants; [A-Za-z0-9_.-], <= 64 bytes
  std::vector<std::string> variants;  // >= 2, distinct, same charset; the first is the control
  std::vector<double> weights;        // one per variant, > 0, summing to 1
  // The event type whose probability is multiplied, for exposed users of the non-first
  // variants; "" for none (an A/A test). One of EffectEventTypes().
  std::string effect_event;
  double effect_factor = 1;  // > 0, <= 100
  // Day index from the period's start (0-based): users are exposed at their first session
  // starting at or after 00:00 UTC of that day. -1: from their first session (all events).
  int exposure_day = -1;
};

// Parses `text` in the syntax above. Weights are all given or none (equal); they are
// normalized. Errors: InvalidArgument naming the part at fault.
absl::StatusOr<ExperimentSpec> ParseExperimentSpec(absl::string_view text);

// The event types an effect may target: those the generator picks by a probability at a
// step (app_open, notification_open, sign_up and app_background are structural).
absl::Span<const char* const> EffectEventTypes();

// Checks the experiments of one run together: at most kMaxExperiments, distinct names,
// exposure_day < days, and no name of seed 003's own ab_test_variants ("checkout_button",
// "onboarding_v2") when seed003_share > 0. Errors: InvalidArgument.
inline constexpr int kMaxExperiments = 16;
absl::Status ValidateExperiments(absl::Span<const ExperimentSpec> experiments, int days,
                                 double seed003_share);

}  // namespace mua::gen
