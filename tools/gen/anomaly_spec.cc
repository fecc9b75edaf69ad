#include "tools/gen/anomaly_spec.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "storage/base/time_util.h"
#include "tools/gen/internal/catalog.h"

namespace mua::gen {
namespace {

constexpr const char* kSyntax =
    "expected KIND:START:HOURS:FACTOR with KIND events, users, "
    "crash, crash=VERSION or bot:N";

bool AllDigits(absl::string_view text) {
  return !text.empty() && text.find_first_not_of("0123456789") == absl::string_view::npos;
}

// START: "YYYY-MM-DDTHH" or a non-negative hour offset.
absl::Status ParseStart(absl::string_view text, AnomalySpec* spec) {
  if (AllDigits(text)) {
    if (!absl::SimpleAtoi(text, &spec->start_hour) || spec->start_hour > 24 * 36600) {
      return absl::InvalidArgumentError(absl::StrCat("start offset '", text, "' is too large"));
    }
    spec->start_is_offset = true;
    return absl::OkStatus();
  }
  const absl::Status bad = absl::InvalidArgumentError(absl::StrCat(
      "start '", text, "' must be a UTC hour YYYY-MM-DDTHH or an hour offset from --start"));
  int hour = 0;
  if (text.size() != 13 || text[10] != 'T' || !AllDigits(text.substr(11)) ||
      !absl::SimpleAtoi(text.substr(11), &hour) || hour > 23) {
    return bad;
  }
  const absl::StatusOr<int32_t> day = ParseDay(text.substr(0, 10));
  if (!day.ok()) return bad;
  spec->start_hour = int64_t{*day} * 24 + hour;
  spec->start_is_offset = false;
  return absl::OkStatus();
}

absl::Status ParseKind(absl::string_view kind, AnomalySpec* spec) {
  if (kind == "events") {
    spec->kind = AnomalyKind::kEvents;
  } else if (kind == "users") {
    spec->kind = AnomalyKind::kUsers;
  } else if (kind == "crash") {
    spec->kind = AnomalyKind::kCrash;
  } else if (absl::StartsWith(kind, "crash=")) {
    spec->kind = AnomalyKind::kCrash;
    spec->crash_version = std::string(kind.substr(6));
    const auto releases = gen_internal::AppReleases();
    if (std::none_of(releases.begin(), releases.end(), [&](const gen_internal::AppRelease& r) {
          return spec->crash_version == r.version;
        })) {
      std::vector<std::string> versions;
      for (const gen_internal::AppRelease& release : releases) versions.push_back(release.version);
      return absl::InvalidArgumentError(absl::StrCat("crash version '", spec->crash_version,
                                                     "' must be one of ",
                                                     absl::StrJoin(versions, ", ")));
    }
  } else {
    return absl::InvalidArgumentError(absl::StrCat("unknown kind '", kind, "'; ", kSyntax));
  }
  return absl::OkStatus();
}

absl::Status ParseInto(absl::string_view text, AnomalySpec* spec) {
  std::vector<absl::string_view> parts = absl::StrSplit(text, ':');
  if (!parts.empty() && parts[0] == "bot") {
    if (parts.size() != 5) return absl::InvalidArgumentError(kSyntax);
    spec->kind = AnomalyKind::kBot;
    if (!AllDigits(parts[1]) || !absl::SimpleAtoi(parts[1], &spec->bots) || spec->bots < 1 ||
        spec->bots > kMaxBots) {
      return absl::InvalidArgumentError(
          absl::StrCat("bot count '", parts[1], "' must be an integer from 1 to ", kMaxBots));
    }
    parts.erase(parts.begin() + 1);
  } else {
    if (parts.size() != 4) return absl::InvalidArgumentError(kSyntax);
    if (absl::Status status = ParseKind(parts[0], spec); !status.ok()) return status;
  }
  if (absl::Status status = ParseStart(parts[1], spec); !status.ok()) return status;
  if (!AllDigits(parts[2]) || !absl::SimpleAtoi(parts[2], &spec->hours) || spec->hours < 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("hours '", parts[2], "' must be an integer >= 1"));
  }
  if (!absl::SimpleAtod(parts[3], &spec->factor) || !std::isfinite(spec->factor) ||
      !(spec->factor > 0) || spec->factor > kMaxAnomalyFactor) {
    return absl::InvalidArgumentError(
        absl::StrCat("factor '", parts[3], "' must be a number > 0 and <= ", kMaxAnomalyFactor));
  }
  return absl::OkStatus();
}

// Overlapping windows of one kind would need rules for how they compose; none is needed.
bool SameKindOverlap(const AnomalySpec& a, int64_t a_start, const AnomalySpec& b, int64_t b_start) {
  return a.kind == b.kind && a.kind != AnomalyKind::kBot && a_start < b_start + b.hours &&
         b_start < a_start + a.hours;
}

}  // namespace

absl::StatusOr<AnomalySpec> ParseAnomalySpec(absl::string_view text) {
  AnomalySpec spec;
  if (absl::Status status = ParseInto(text, &spec); !status.ok()) {
    return absl::InvalidArgumentError(absl::StrCat("anomaly '", text, "': ", status.message()));
  }
  return spec;
}

int64_t AnomalyStartOffset(const AnomalySpec& spec, int32_t start_day) {
  return spec.start_is_offset ? spec.start_hour : spec.start_hour - int64_t{start_day} * 24;
}

std::string AnomalyToString(const AnomalySpec& spec, int32_t start_day) {
  std::string kind;
  switch (spec.kind) {
    case AnomalyKind::kEvents:
      kind = "events";
      break;
    case AnomalyKind::kUsers:
      kind = "users";
      break;
    case AnomalyKind::kCrash:
      kind = spec.crash_version.empty() ? "crash" : absl::StrCat("crash=", spec.crash_version);
      break;
    case AnomalyKind::kBot:
      kind = absl::StrCat("bot:", spec.bots);
      break;
  }
  const int64_t hour = int64_t{start_day} * 24 + AnomalyStartOffset(spec, start_day);
  const int64_t day = hour >= 0 ? hour / 24 : (hour - 23) / 24;
  return absl::StrFormat("%s:%sT%02d:%d:%g", kind, FormatDay(static_cast<int32_t>(day)),
                         static_cast<int>(hour - day * 24), spec.hours, spec.factor);
}

absl::Status ValidateAnomalies(absl::Span<const AnomalySpec> anomalies, int32_t start_day,
                               int days) {
  if (anomalies.size() > static_cast<size_t>(kMaxAnomalies)) {
    return absl::InvalidArgumentError(
        absl::StrCat("at most ", kMaxAnomalies, " anomalies, got ", anomalies.size()));
  }
  int64_t bots = 0;
  const int64_t period_hours = int64_t{days} * 24;
  for (size_t i = 0; i < anomalies.size(); ++i) {
    const AnomalySpec& spec = anomalies[i];
    const std::string name = AnomalyToString(spec, start_day);
    const int64_t start = AnomalyStartOffset(spec, start_day);
    if (start < 0 || start + spec.hours > period_hours) {
      return absl::InvalidArgumentError(absl::StrCat(
          "anomaly '", name, "': the window, hours ", start, " to ", start + spec.hours,
          " from --start, is not inside the ", days, "-day period (", period_hours, " hours)"));
    }
    for (size_t j = 0; j < i; ++j) {
      if (SameKindOverlap(spec, start, anomalies[j], AnomalyStartOffset(anomalies[j], start_day))) {
        return absl::InvalidArgumentError(
            absl::StrCat("anomalies '", AnomalyToString(anomalies[j], start_day), "' and '", name,
                         "' overlap; windows of one kind must not"));
      }
    }
    bots += spec.bots;
    if (!spec.crash_version.empty()) {
      for (const gen_internal::AppRelease& release : gen_internal::AppReleases()) {
        const int release_day = gen_internal::ReleaseDay(release, days);
        if (spec.crash_version == release.version && release_day > (start + spec.hours - 1) / 24) {
          return absl::InvalidArgumentError(absl::StrCat(
              "anomaly '", name, "': version ", release.version, " is released on day ",
              release_day, " (", FormatDay(start_day + release_day), "), after the window"));
        }
      }
    }
  }
  if (bots > kMaxBots) {
    return absl::InvalidArgumentError(
        absl::StrCat("at most ", kMaxBots, " bots over all anomalies, got ", bots));
  }
  return absl::OkStatus();
}

}  // namespace mua::gen
