#include "server/internal/experiment_params.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "query/analytics/experiment.h"
#include "server/internal/grafana_scope.h"
#include "sql/printer.h"
#include "storage/base/status_macros.h"

namespace mua::server_internal {
namespace {

constexpr absl::string_view kParamNames[] = {
    "metric", "event", "window",  "control", "value_property",
    "k",      "alpha", "weights", "cuped",   "exposure_event",
};
constexpr absl::string_view kMetrics[] = {"conversion", "count", "sum", "retention"};
constexpr int64_t kMaxWindowSeconds = 366 * 86'400;
constexpr int kMaxRetentionDay = 3660;
constexpr size_t kMaxWeights = 64;
constexpr size_t kMaxNumberBytes = 32;

// A name-like text parameter: at most kMaxExperimentTextBytes (the value is not echoed).
absl::StatusOr<std::string> TextParam(const JsonParams& params, absl::string_view prefix,
                                      absl::string_view name) {
  MUA_ASSIGN_OR_RETURN(std::string text, params.String(name, ""));
  if (text.size() > kMaxExperimentTextBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat(prefix, name, " is longer than ", kMaxExperimentTextBytes, " bytes"));
  }
  return text;
}

// A plain decimal or scientific number ("0.05", "1e-3"): nothing else reaches strtod.
std::optional<double> ParseNumber(absl::string_view text) {
  text = absl::StripAsciiWhitespace(text);
  if (text.empty() || text.size() > kMaxNumberBytes) return std::nullopt;
  for (char c : text) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(c)) && c != '.' && c != 'e' && c != 'E' &&
        c != '+' && c != '-') {
      return std::nullopt;
    }
  }
  double value = 0;
  if (!absl::SimpleAtod(text, &value) || !std::isfinite(value)) return std::nullopt;
  return value;
}

// A float literal that reads back as `value` (shortest form; never an integer literal,
// so an array of weights has one element type). REQUIRES: finite.
std::string FloatLiteral(double value) {
  char buffer[64];
  const auto result = std::to_chars(buffer, buffer + sizeof(buffer), value);
  std::string text(buffer, result.ptr);
  if (text.find_first_of(".e") == std::string::npos) text += ".0";
  return text;
}

// Shortens echoed input so an error never repeats a huge value.
std::string Shown(absl::string_view text) {
  constexpr size_t kShown = 64;
  return text.size() <= kShown ? std::string(text) : absl::StrCat(text.substr(0, kShown), "...");
}

absl::Status ParseWindow(const JsonParams& params, absl::string_view prefix,
                         ExperimentParams* experiment) {
  MUA_ASSIGN_OR_RETURN(std::string text, params.String("window", ""));
  if (text.empty()) return absl::OkStatus();
  // Seconds, or a duration such as 12h, 7d or 2w: as the funnel's window.
  absl::StatusOr<int64_t> millis = ParseDurationMillis(text);
  if (!millis.ok() || *millis % 1000 != 0 || *millis < 1000 || *millis > kMaxWindowSeconds * 1000) {
    return absl::InvalidArgumentError(
        absl::StrCat(prefix, "window must be whole seconds from 1 to ", kMaxWindowSeconds,
                     " (or a duration such as 12h, 7d, 2w), not '", Shown(text), "'"));
  }
  experiment->window_s = *millis / 1000;
  return absl::OkStatus();
}

absl::Status ParseNumbers(const JsonParams& params, absl::string_view prefix,
                          ExperimentParams* experiment) {
  MUA_ASSIGN_OR_RETURN(std::string alpha, params.String("alpha", ""));
  if (!alpha.empty()) {
    const std::optional<double> value = ParseNumber(alpha);
    if (!value || !(*value > 0 && *value < 1)) {
      return absl::InvalidArgumentError(
          absl::StrCat(prefix, "alpha must be a number strictly between 0 and 1, e.g. 0.05, not '",
                       Shown(alpha), "'"));
    }
    experiment->alpha = *value;
  }
  MUA_ASSIGN_OR_RETURN(std::vector<std::string> weights, params.List("weights"));
  if (!weights.empty()) {
    const std::string wanted =
        absl::StrCat(prefix, "weights must list 2 to ", kMaxWeights,
                     " positive numbers, one per variant with control first, e.g. 0.5,0.5");
    if (weights.size() < 2 || weights.size() > kMaxWeights) {
      return absl::InvalidArgumentError(absl::StrCat(wanted, "; got ", weights.size()));
    }
    for (const std::string& weight : weights) {
      const std::optional<double> value = ParseNumber(weight);
      if (!value || !(*value > 0)) {
        return absl::InvalidArgumentError(absl::StrCat(wanted, ", not '", Shown(weight), "'"));
      }
      experiment->weights.push_back(*value);
    }
  }
  MUA_ASSIGN_OR_RETURN(std::string k, params.String("k", ""));
  if (!k.empty()) {
    int value = -1;
    const bool digits = k.size() <= 4 && std::all_of(k.begin(), k.end(), [](char c) {
                          return absl::ascii_isdigit(static_cast<unsigned char>(c));
                        });
    if (!digits || !absl::SimpleAtoi(k, &value) || value > kMaxRetentionDay) {
      return absl::InvalidArgumentError(absl::StrCat(prefix,
                                                     "k must be a whole number of days from 0 to ",
                                                     kMaxRetentionDay, ", not '", Shown(k), "'"));
    }
    experiment->k = value;
  }
  absl::StatusOr<std::string> cuped = params.Choice("cuped", {"0", "1"}, "0");
  if (!cuped.ok()) return cuped.status();
  // (Not `*cuped == "1"`: GCC 12's -O2 -Wmaybe-uninitialized misreads the StatusOr there.)
  experiment->cuped = cuped->size() == 1 && (*cuped)[0] == '1';
  return absl::OkStatus();
}

// The rules experiment() enforces too, here with the REST/Grafana parameter names.
absl::Status CheckCombination(absl::string_view prefix, const ExperimentParams& experiment) {
  const bool needs_event = experiment.metric == "conversion" || experiment.metric == "sum";
  if (needs_event && experiment.event.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "metric ", experiment.metric, " needs ", prefix,
        "event: the event that counts, e.g. purchase (count and retention accept * for any)"));
  }
  if (experiment.metric == "sum" && experiment.value_property.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "metric sum needs ", prefix, "value_property: the numeric property summed, e.g. price"));
  }
  if (experiment.metric != "sum" && !experiment.value_property.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat(prefix, "value_property is for metric sum, not ", experiment.metric));
  }
  if (experiment.metric != "retention" && experiment.k) {
    return absl::InvalidArgumentError(
        absl::StrCat(prefix, "k is for metric retention, not ", experiment.metric));
  }
  if (experiment.metric == "retention" && experiment.cuped) {
    return absl::InvalidArgumentError(absl::StrCat(
        prefix, "cuped=1 is not available for metric retention (its covariate has no pre-period)"));
  }
  return absl::OkStatus();
}

void WriteOptionalText(absl::string_view key, absl::string_view value, JsonWriter* writer) {
  WriteString(key, writer);
  if (value.empty()) {
    writer->Null();
  } else {
    WriteString(value, writer);
  }
}

}  // namespace

absl::Span<const absl::string_view> ExperimentParamNames() { return kParamNames; }

absl::Status CheckExperimentName(absl::string_view name, absl::string_view what) {
  if (name.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat(what, " is empty: name an experiment (see system.experiments)"));
  }
  if (name.size() > kMaxExperimentTextBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat(what, " is longer than ", kMaxExperimentTextBytes, " bytes"));
  }
  return absl::OkStatus();
}

absl::StatusOr<ExperimentParams> ParseExperimentParams(const JsonParams& params, std::string name,
                                                       absl::string_view prefix) {
  ExperimentParams experiment;
  experiment.name = std::move(name);
  MUA_ASSIGN_OR_RETURN(experiment.metric, params.Choice("metric", kMetrics, "conversion"));
  MUA_ASSIGN_OR_RETURN(experiment.event, TextParam(params, prefix, "event"));
  if (experiment.event == "*") experiment.event.clear();
  MUA_RETURN_IF_ERROR(ParseWindow(params, prefix, &experiment));
  MUA_ASSIGN_OR_RETURN(experiment.control, TextParam(params, prefix, "control"));
  MUA_ASSIGN_OR_RETURN(experiment.value_property, TextParam(params, prefix, "value_property"));
  MUA_ASSIGN_OR_RETURN(experiment.exposure_event, TextParam(params, prefix, "exposure_event"));
  MUA_RETURN_IF_ERROR(ParseNumbers(params, prefix, &experiment));
  MUA_RETURN_IF_ERROR(CheckCombination(prefix, experiment));
  return experiment;
}

std::string ExperimentArgumentsSql(const ExperimentParams& experiment) {
  std::string sql = absl::StrCat("name => ", QuoteString(experiment.name), ", metric => ",
                                 QuoteString(experiment.metric));
  if (!experiment.event.empty())
    absl::StrAppend(&sql, ", event => ", QuoteString(experiment.event));
  if (experiment.window_s) absl::StrAppend(&sql, ", window => ", *experiment.window_s);
  if (!experiment.control.empty()) {
    absl::StrAppend(&sql, ", control => ", QuoteString(experiment.control));
  }
  if (!experiment.value_property.empty()) {
    absl::StrAppend(&sql, ", value_property => ", QuoteString(experiment.value_property));
  }
  if (experiment.k) absl::StrAppend(&sql, ", k => ", *experiment.k);
  absl::StrAppend(&sql, ", alpha => ", FloatLiteral(experiment.alpha));
  if (!experiment.weights.empty()) {
    absl::StrAppend(&sql, ", weights => [");
    for (size_t i = 0; i < experiment.weights.size(); ++i) {
      absl::StrAppend(&sql, i == 0 ? "" : ", ", FloatLiteral(experiment.weights[i]));
    }
    sql += "]";
  }
  if (experiment.cuped) sql += ", cuped => 1";
  if (!experiment.exposure_event.empty()) {
    absl::StrAppend(&sql, ", exposure_event => ", QuoteString(experiment.exposure_event));
  }
  return sql;
}

void WriteExperimentParams(const ExperimentParams& experiment, JsonWriter* writer) {
  WriteString("metric", writer);
  WriteString(experiment.metric, writer);
  WriteOptionalText("event", experiment.event, writer);
  WriteString("window", writer);
  if (experiment.window_s) {
    writer->Int64(*experiment.window_s);
  } else {
    writer->Null();
  }
  WriteOptionalText("control", experiment.control, writer);
  WriteOptionalText("value_property", experiment.value_property, writer);
  WriteString("k", writer);
  if (experiment.metric == "retention") {
    writer->Int(experiment.k.value_or(ExperimentOptions().retention_day));
  } else {
    writer->Null();
  }
  WriteString("alpha", writer);
  WriteNumber(experiment.alpha, writer);
  WriteString("weights", writer);
  writer->StartArray();
  for (double weight : experiment.weights) WriteNumber(weight, writer);
  writer->EndArray();
  WriteString("cuped", writer);
  writer->Bool(experiment.cuped);
  WriteString("exposure_event", writer);
  WriteString(
      experiment.exposure_event.empty() ? DefaultExposureEvent() : experiment.exposure_event,
      writer);
}

}  // namespace mua::server_internal
