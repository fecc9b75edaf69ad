#include "tools/gen/experiment_spec.h"

#include <algorithm>
#include <cmath>
#include <iterator>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"

namespace mua::gen {
namespace {

constexpr const char* kEffectEvents[] = {"purchase", "begin_checkout", "add_to_cart", "view_item",
                                         "search",   "click",          "screen_view", "share",
                                         "login",    "app_crash"};
constexpr size_t kMaxNameBytes = 64;
constexpr double kMaxFactor = 100;

// Names become JSON keys and values verbatim, and must not hold the spec's separators.
bool IsName(absl::string_view name) {
  if (name.empty() || name.size() > kMaxNameBytes) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '.' || c == '-';
  });
}

absl::Status BadName(absl::string_view what, absl::string_view name) {
  return absl::InvalidArgumentError(
      absl::StrCat(what, " '", name, "' must be 1 to 64 of the characters A-Z a-z 0-9 _ . -"));
}

absl::Status ParseVariants(absl::string_view text, ExperimentSpec* spec) {
  const std::vector<absl::string_view> parts = absl::StrSplit(text, ',');
  if (parts.size() < 2) {
    return absl::InvalidArgumentError(
        absl::StrCat("needs at least 2 comma-separated variants, got '", text, "'"));
  }
  int weighted = 0;
  for (const absl::string_view part : parts) {
    const std::pair<absl::string_view, absl::string_view> name_weight =
        absl::StrSplit(part, absl::MaxSplits('=', 1));
    const absl::string_view name = name_weight.first;
    if (!IsName(name)) return BadName("variant", name);
    if (std::find(spec->variants.begin(), spec->variants.end(), name) != spec->variants.end()) {
      return absl::InvalidArgumentError(absl::StrCat("variant '", name, "' is given twice"));
    }
    spec->variants.emplace_back(name);
    double weight = 1;
    if (part.size() > name.size()) {
      ++weighted;
      if (!absl::SimpleAtod(name_weight.second, &weight) || !std::isfinite(weight) ||
          !(weight > 0)) {
        return absl::InvalidArgumentError(absl::StrCat(
            "weight '", name_weight.second, "' of variant '", name, "' must be a number > 0"));
      }
    }
    spec->weights.push_back(weight);
  }
  if (weighted != 0 && weighted != static_cast<int>(parts.size())) {
    return absl::InvalidArgumentError(
        absl::StrCat("give a weight to every variant or to none, not to some: '", text, "'"));
  }
  double total = 0;
  for (const double weight : spec->weights) total += weight;
  for (double& weight : spec->weights) weight /= total;
  return absl::OkStatus();
}

absl::Status ParseEffect(absl::string_view text, ExperimentSpec* spec) {
  const std::pair<absl::string_view, absl::string_view> event_factor =
      absl::StrSplit(text, absl::MaxSplits('*', 1));
  const absl::string_view event = event_factor.first;
  if (event.size() == text.size()) {
    return absl::InvalidArgumentError(
        absl::StrCat("effect '", text, "' must be EVENT*FACTOR, e.g. purchase*1.1"));
  }
  if (std::find(std::begin(kEffectEvents), std::end(kEffectEvents), event) ==
      std::end(kEffectEvents)) {
    return absl::InvalidArgumentError(absl::StrCat("effect event '", event, "' must be one of ",
                                                   absl::StrJoin(kEffectEvents, ", ")));
  }
  double factor = 0;
  if (!absl::SimpleAtod(event_factor.second, &factor) || !std::isfinite(factor) || !(factor > 0) ||
      factor > kMaxFactor) {
    return absl::InvalidArgumentError(
        absl::StrCat("effect factor '", event_factor.second, "' must be a number > 0 and <= 100"));
  }
  spec->effect_event = std::string(event);
  spec->effect_factor = factor;
  return absl::OkStatus();
}

absl::Status ParseInto(absl::string_view text, ExperimentSpec* spec) {
  if (const size_t at = text.rfind('@'); at != absl::string_view::npos) {
    const absl::string_view day = text.substr(at + 1);
    if (!absl::SimpleAtoi(day, &spec->exposure_day) || spec->exposure_day < 0 ||
        day.find_first_not_of("0123456789") != absl::string_view::npos) {
      return absl::InvalidArgumentError(
          absl::StrCat("exposure day '@", day, "' must be a day index >= 0"));
    }
    text = text.substr(0, at);
  }
  const std::vector<absl::string_view> parts = absl::StrSplit(text, ':');
  if (parts.size() < 2 || parts.size() > 3) {
    return absl::InvalidArgumentError("expected NAME:VARIANTS[:EVENT*FACTOR][@DAY]");
  }
  if (!IsName(parts[0])) return BadName("experiment name", parts[0]);
  spec->name = std::string(parts[0]);
  if (absl::Status status = ParseVariants(parts[1], spec); !status.ok()) return status;
  if (parts.size() == 3) return ParseEffect(parts[2], spec);
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<ExperimentSpec> ParseExperimentSpec(absl::string_view text) {
  ExperimentSpec spec;
  if (absl::Status status = ParseInto(text, &spec); !status.ok()) {
    return absl::InvalidArgumentError(absl::StrCat("experiment '", text, "': ", status.message()));
  }
  return spec;
}

absl::Span<const char* const> EffectEventTypes() { return kEffectEvents; }

absl::Status ValidateExperiments(absl::Span<const ExperimentSpec> experiments, int days,
                                 double seed003_share) {
  if (experiments.size() > static_cast<size_t>(kMaxExperiments)) {
    return absl::InvalidArgumentError(
        absl::StrCat("at most ", kMaxExperiments, " experiments, got ", experiments.size()));
  }
  absl::flat_hash_set<absl::string_view> names;
  for (const ExperimentSpec& spec : experiments) {
    if (!names.insert(spec.name).second) {
      return absl::InvalidArgumentError(
          absl::StrCat("experiment '", spec.name, "' is given twice"));
    }
    if (spec.exposure_day >= days) {
      return absl::InvalidArgumentError(absl::StrCat("experiment '", spec.name, "': exposure day ",
                                                     spec.exposure_day, " is past the ", days,
                                                     "-day period (days count from 0)"));
    }
    if (seed003_share > 0 && (spec.name == "checkout_button" || spec.name == "onboarding_v2")) {
      return absl::InvalidArgumentError(
          absl::StrCat("experiment '", spec.name,
                       "' is one of seed 003's own ab_test_variants (--seed003-share): rename it"));
    }
  }
  return absl::OkStatus();
}

}  // namespace mua::gen
