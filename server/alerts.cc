#include "server/alerts.h"

#include <algorithm>
#include <cmath>
#include <utility>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"
#include "query/analytics/anomaly.h"
#include "rapidjson/stringbuffer.h"
#include "rapidjson/writer.h"
#include "server/internal/result_cells.h"
#include "server/internal/system_rows.h"
#include "server/query_runner.h"
#include "sql/catalog.h"
#include "sql/printer.h"
#include "yaml-cpp/yaml.h"

namespace mua {

using server_internal::ColumnList;
using server_internal::EmptyRows;

struct AlertEngine::Active {
  enum class State { kPending, kFiring, kResolved };
  AlertLabels labels;  // alertname, the rule's, the sample's
  AlertLabels annotations;
  double value = 0;
  State state = State::kPending;
  absl::Time active_at;
  absl::Time fired_at;
  absl::Time resolved_at;
  absl::Time last_sent = absl::InfinitePast();
};

struct AlertEngine::RuleState {
  AlertRule rule;
  absl::Time next_due = absl::InfinitePast();
  std::map<std::string, Active> alerts;  // by labels
  absl::Time last_evaluation = absl::UnixEpoch();
  absl::Duration last_duration;
  std::string last_error;
};

struct AlertEngine::HistoryEntry {
  absl::Time time;
  std::string rule;
  std::string state;
  double value = 0;
  std::string labels;  // JSON object
};

namespace {

// How long a resolved alert is kept, and re-sent as resolved, as Prometheus does.
constexpr absl::Duration kResolvedRetention = absl::Minutes(15);
// A resolved alert is re-sent at most this often; firing ones at every evaluation.
constexpr absl::Duration kResendDelay = absl::Minutes(1);
constexpr size_t kMaxRules = 1000;
constexpr size_t kMaxAlertsPerRule = 1000;  // rows of one evaluation beyond are an error

bool ValidName(absl::string_view name) {
  if (name.empty() || name.size() > 200) return false;
  for (size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    if (!(absl::ascii_isalpha(c) || c == '_' || (i > 0 && absl::ascii_isdigit(c)))) return false;
  }
  return true;
}

std::string LabelsJson(const AlertLabels& labels) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  writer.StartObject();
  for (const auto& [name, value] : labels) {
    writer.Key(name.data(), static_cast<rapidjson::SizeType>(name.size()));
    writer.String(value.data(), static_cast<rapidjson::SizeType>(value.size()));
  }
  writer.EndObject();
  return std::string(buffer.GetString(), buffer.GetSize());
}

std::string FormatValue(double value) {
  if (std::isnan(value)) return "NaN";
  return absl::StrCat(value);
}

// {{ value }}, {{ $value }}, {{ labels.x }}, {{ $labels.x }}, {{ <extra> }}; anything
// else stays as written.
std::string Render(const std::string& text, const AlertLabels& labels, const AlertSample& sample) {
  std::string out;
  size_t at = 0;
  while (at < text.size()) {
    const size_t open = text.find("{{", at);
    const size_t close = open == std::string::npos ? std::string::npos : text.find("}}", open + 2);
    if (close == std::string::npos) {
      out.append(text, at, std::string::npos);
      break;
    }
    out.append(text, at, open - at);
    absl::string_view name_view = absl::StripAsciiWhitespace(absl::string_view(text).substr(open + 2, close - open - 2));
    absl::ConsumePrefix(&name_view, "$");
    const std::string name(name_view);
    std::optional<std::string> replacement;
    if (name == "value") {
      replacement = FormatValue(sample.value);
    } else if (absl::StartsWith(name, "labels.")) {
      auto it = labels.find(name.substr(7));
      replacement = it == labels.end() ? std::string() : it->second;
    } else if (auto it = sample.extra.find(name); it != sample.extra.end()) {
      replacement = FormatValue(it->second);
    }
    out += replacement ? *replacement : text.substr(open, close + 2 - open);
    at = close + 2;
  }
  return out;
}

absl::Status RuleError(const std::string& rule, absl::string_view message) {
  return absl::InvalidArgumentError(absl::StrCat("alert rule '", rule, "': ", message));
}

absl::StatusOr<AlertCondition> ParseCondition(const std::string& rule, const std::string& text) {
  absl::string_view rest = absl::StripAsciiWhitespace(text);
  AlertCondition condition;
  static const std::pair<const char*, AlertCondition::Op> kOps[] = {
      {">=", AlertCondition::Op::kGreaterEqual}, {"<=", AlertCondition::Op::kLessEqual},
      {"!=", AlertCondition::Op::kNotEqual},     {"==", AlertCondition::Op::kEqual},
      {">", AlertCondition::Op::kGreater},       {"<", AlertCondition::Op::kLess},
      {"=", AlertCondition::Op::kEqual}};
  bool found = false;
  for (const auto& [symbol, op] : kOps) {
    if (absl::ConsumePrefix(&rest, symbol)) {
      condition.op = op;
      found = true;
      break;
    }
  }
  if (!found || !absl::SimpleAtod(absl::StripAsciiWhitespace(rest), &condition.threshold) ||
      !std::isfinite(condition.threshold)) {
    return RuleError(rule, absl::StrCat("condition must be a comparison and a number, e.g. \"> 100\", not \"", text, "\""));
  }
  return condition;
}

AlertLabels StringMap(const YAML::Node& node, const std::string& rule, const char* key, absl::Status* error) {
  AlertLabels out;
  if (!node) return out;
  if (!node.IsMap()) {
    *error = RuleError(rule, absl::StrCat(key, " must be a map of names to strings"));
    return out;
  }
  for (const auto& entry : node) {
    const std::string name = entry.first.as<std::string>();
    if (!entry.second.IsScalar() || !ValidName(name) || name == "alertname") {
      *error = RuleError(rule, absl::StrCat(key, ": '", name, "' must be a name ([A-Za-z_][A-Za-z0-9_]*, not alertname) with a text value"));
      return out;
    }
    out[name] = entry.second.as<std::string>();
  }
  return out;
}

absl::StatusOr<AlertRulesFile> ParseRulesNode(const YAML::Node& root) {
  AlertRulesFile file;
  if (!root.IsMap()) return absl::InvalidArgumentError("alert rules file: expected a map with key 'rules'");
  for (const auto& entry : root) {
    const std::string key = entry.first.as<std::string>();
    if (key != "rules" && key != "builtin") {
      return absl::InvalidArgumentError(absl::StrCat("alert rules file: unknown key '", key, "' (expected rules, builtin)"));
    }
  }
  if (const YAML::Node builtin = root["builtin"]; builtin) {
    if (!builtin.IsMap()) return absl::InvalidArgumentError("alert rules file: builtin must be a map of settings");
    for (const auto& entry : builtin) {
      if (!entry.second.IsScalar()) {
        return absl::InvalidArgumentError(absl::StrCat("builtin.", entry.first.as<std::string>(), " must be a value"));
      }
      file.builtin_settings[entry.first.as<std::string>()] = entry.second.as<std::string>();
    }
  }
  const YAML::Node rules = root["rules"];
  if (rules && !rules.IsSequence()) return absl::InvalidArgumentError("alert rules file: rules must be a list");
  if (rules && rules.size() > kMaxRules) {
    return absl::InvalidArgumentError(absl::StrCat("alert rules file: more than ", kMaxRules, " rules"));
  }
  std::vector<std::string> names;
  for (size_t i = 0; rules && i < rules.size(); ++i) {
    const YAML::Node node = rules[i];
    if (!node.IsMap() || !node["name"] || !node["name"].IsScalar()) {
      return absl::InvalidArgumentError(absl::StrCat("alert rules file: rule ", i + 1, " needs a name"));
    }
    AlertRule rule;
    rule.name = node["name"].as<std::string>();
    if (!ValidName(rule.name)) {
      return RuleError(rule.name, "the name must be [A-Za-z_][A-Za-z0-9_]*");
    }
    if (std::find(names.begin(), names.end(), rule.name) != names.end()) return RuleError(rule.name, "named twice");
    names.push_back(rule.name);
    for (const auto& entry : node) {
      const std::string key = entry.first.as<std::string>();
      static const char* kKeys[] = {"name", "sql", "condition", "anomaly", "for", "every", "labels", "annotations", "enabled"};
      if (std::find_if(std::begin(kKeys), std::end(kKeys), [&](const char* k) { return key == k; }) == std::end(kKeys)) {
        return RuleError(rule.name, absl::StrCat("unknown key '", key,
                                                 "' (expected sql, condition, anomaly, for, every, labels, annotations, enabled)"));
      }
      if (key != "labels" && key != "annotations" && key != "anomaly" && !entry.second.IsScalar()) {
        return RuleError(rule.name, absl::StrCat(key, " must be a single value"));
      }
    }
    if (node["enabled"]) {
      const std::string enabled = node["enabled"].as<std::string>();
      if (enabled != "true" && enabled != "false") return RuleError(rule.name, "enabled must be true or false");
      if (enabled == "false") {
        file.disabled.push_back(rule.name);
        continue;
      }
    }
    if (node["sql"]) rule.sql = node["sql"].as<std::string>();
    if (const YAML::Node anomaly = node["anomaly"]; anomaly) {
      if (!anomaly.IsMap()) return RuleError(rule.name, "anomaly must be a map of anomalies() arguments");
      AnomalyCheck check;
      for (const auto& entry : anomaly) {
        const std::string name = entry.first.as<std::string>();
        if (!ValidName(name) || !entry.second.IsScalar() || name == "from" || name == "to") {
          return RuleError(rule.name, absl::StrCat("anomaly: '", name, "' must be an argument of anomalies() with a value (not from/to)"));
        }
        check.arguments[name] = entry.second.as<std::string>();
      }
      rule.anomaly = std::move(check);
    }
    if (rule.sql.empty() == !rule.anomaly.has_value()) {
      return RuleError(rule.name, "needs exactly one of sql and anomaly");
    }
    if (node["condition"]) {
      absl::StatusOr<AlertCondition> condition = ParseCondition(rule.name, node["condition"].as<std::string>());
      if (!condition.ok()) return condition.status();
      rule.condition = *condition;
    }
    for (const char* key : {"for", "every"}) {
      if (!node[key]) continue;
      absl::StatusOr<absl::Duration> duration = ParsePromDuration(node[key].as<std::string>());
      if (!duration.ok()) return RuleError(rule.name, absl::StrCat(key, ": ", duration.status().message()));
      if (std::string(key) == "every" && (*duration < absl::Seconds(1) || *duration > absl::Hours(24))) {
        return RuleError(rule.name, "every must be from 1s to 24h");
      }
      (std::string(key) == "for" ? rule.for_duration : rule.every) = *duration;
    }
    absl::Status error;
    rule.labels = StringMap(node["labels"], rule.name, "labels", &error);
    if (error.ok()) rule.annotations = StringMap(node["annotations"], rule.name, "annotations", &error);
    if (!error.ok()) return error;
    file.rules.push_back(std::move(rule));
  }
  return file;
}

// A cell of a string column as a label value; false when the column holds none.
bool LabelCell(const Column& column, size_t row, std::string* out) {
  if (column.type.id != TypeId::kString || column.is_null(row)) return false;
  *out = column.strings[row];
  return true;
}

}  // namespace

bool AlertCondition::Holds(double value) const {
  switch (op) {
    case Op::kGreater: return value > threshold;
    case Op::kGreaterEqual: return value >= threshold;
    case Op::kLess: return value < threshold;
    case Op::kLessEqual: return value <= threshold;
    case Op::kEqual: return value == threshold;
    case Op::kNotEqual: return value != threshold;
  }
  return false;
}

absl::StatusOr<absl::Duration> ParsePromDuration(const std::string& text) {
  absl::string_view rest = absl::StripAsciiWhitespace(text);
  if (rest.empty()) return absl::InvalidArgumentError("empty duration");
  if (rest == "0") return absl::ZeroDuration();
  absl::Duration total;
  while (!rest.empty()) {
    size_t digits = 0;
    while (digits < rest.size() && absl::ascii_isdigit(rest[digits])) ++digits;
    int64_t number = 0;
    if (digits == 0 || digits > 9 || !absl::SimpleAtoi(rest.substr(0, digits), &number)) {
      return absl::InvalidArgumentError(absl::StrCat("'", text, "' is not a duration such as 15s, 1m, 1h30m"));
    }
    rest.remove_prefix(digits);
    static const std::pair<const char*, absl::Duration> kUnits[] = {
        {"ms", absl::Milliseconds(1)}, {"s", absl::Seconds(1)},      {"m", absl::Minutes(1)},
        {"h", absl::Hours(1)},         {"d", absl::Hours(24)},       {"w", absl::Hours(24 * 7)},
        {"y", absl::Hours(24 * 365)}};
    bool found = false;
    for (const auto& [unit, size] : kUnits) {
      if (absl::ConsumePrefix(&rest, unit)) {
        total += number * size;
        found = true;
        break;
      }
    }
    if (!found) return absl::InvalidArgumentError(absl::StrCat("'", text, "' is not a duration such as 15s, 1m, 1h30m"));
  }
  if (total > absl::Hours(24 * 366)) return absl::InvalidArgumentError(absl::StrCat("'", text, "' is longer than a year"));
  return total;
}

absl::StatusOr<AlertRulesFile> ParseAlertRules(const std::string& yaml_text) {
  // yaml-cpp reports errors by exception; they end here. Its parser recurses on nesting,
  // so the text is checked for depth first (a rules file is a few levels deep).
  int depth = 0, max_depth = 0;
  for (char c : yaml_text) {
    if (c == '[' || c == '{') max_depth = std::max(max_depth, ++depth);
    if ((c == ']' || c == '}') && depth > 0) --depth;
  }
  size_t indent_levels = 0;
  for (size_t at = 0; at < yaml_text.size();) {
    size_t spaces = 0;
    while (at + spaces < yaml_text.size() && (yaml_text[at + spaces] == ' ' || yaml_text[at + spaces] == '-')) ++spaces;
    indent_levels = std::max(indent_levels, spaces);
    const size_t end = yaml_text.find('\n', at);
    at = end == std::string::npos ? yaml_text.size() : end + 1;
  }
  if (max_depth > 16 || indent_levels > 64) {
    return absl::InvalidArgumentError("alert rules file: nested too deeply (a rules file needs a few levels)");
  }
  try {
    return ParseRulesNode(YAML::Load(yaml_text));
  } catch (const YAML::Exception& e) {
    return absl::InvalidArgumentError(absl::StrCat("alert rules file: line ", e.mark.line + 1, ", column ",
                                                   e.mark.column + 1, ": ", e.msg));
  } catch (const std::exception& e) {
    return absl::InvalidArgumentError(absl::StrCat("alert rules file: ", e.what()));
  }
}

std::vector<AlertRule> MergeAlertRules(std::vector<AlertRule> base, const AlertRulesFile& file) {
  std::vector<AlertRule> out;
  auto listed = [](const std::vector<std::string>& names, const std::string& name) {
    return std::find(names.begin(), names.end(), name) != names.end();
  };
  std::vector<std::string> replaced;
  for (AlertRule& rule : base) {
    if (listed(file.disabled, rule.name)) continue;
    auto it = std::find_if(file.rules.begin(), file.rules.end(), [&](const AlertRule& r) { return r.name == rule.name; });
    if (it != file.rules.end()) {
      out.push_back(*it);
      replaced.push_back(rule.name);
    } else {
      out.push_back(std::move(rule));
    }
  }
  for (const AlertRule& rule : file.rules) {
    if (!listed(replaced, rule.name)) out.push_back(rule);
  }
  return out;
}

AlertEngine::AlertEngine(const QueryRunner* runner, AlertNotifier* notifier, AlertEngineOptions options)
    : runner_(runner), notifier_(notifier), options_(std::move(options)) {}

AlertEngine::~AlertEngine() { Stop(); }

void AlertEngine::SetRules(std::vector<AlertRule> rules) {
  absl::MutexLock lock(&mu_);
  std::vector<std::unique_ptr<RuleState>> next;
  for (AlertRule& rule : rules) {
    auto state = std::make_unique<RuleState>();
    for (std::unique_ptr<RuleState>& old : rules_) {
      if (old != nullptr && old->rule.name == rule.name) {
        state = std::move(old);
        break;
      }
    }
    state->rule = std::move(rule);
    next.push_back(std::move(state));
  }
  rules_ = std::move(next);
}

void AlertEngine::Start() {
  absl::MutexLock lock(&mu_);
  if (thread_.joinable()) return;
  stopping_ = false;
  thread_ = std::thread([this] { Loop(); });
}

void AlertEngine::RequestStop() {
  absl::MutexLock lock(&mu_);
  stopping_ = true;
}

void AlertEngine::Stop() {
  RequestStop();
  if (thread_.joinable()) thread_.join();
}

void AlertEngine::Loop() {
  while (true) {
    absl::Time wake = absl::Now() + absl::Seconds(1);
    {
      absl::MutexLock lock(&mu_);
      for (const auto& state : rules_) wake = std::min(wake, state->next_due);
      auto stop_or_due = [this, wake]() ABSL_SHARED_LOCKS_REQUIRED(mu_) { return stopping_ || absl::Now() >= wake; };
      mu_.AwaitWithDeadline(absl::Condition(&stop_or_due), wake);
      if (stopping_) return;
    }
    EvaluateDue(absl::Now());
  }
}

absl::StatusOr<std::vector<AlertSample>> AlertEngine::RunRule(const AlertRule& rule, absl::Time now) const {
  if (rule.probe) return rule.probe();
  std::string sql = rule.sql;
  if (rule.anomaly) {
    // The last complete bucket: from the start of the one before the current to its start.
    std::map<std::string, std::string> args = rule.anomaly->arguments;
    const AnomalyPeriod period = args.count("period") && args["period"] == "day" ? AnomalyPeriod::kDay : AnomalyPeriod::kHour;
    absl::TimeZone zone = absl::UTCTimeZone();
    if (args.count("timezone") && !absl::LoadTimeZone(args["timezone"], &zone)) {
      return absl::InvalidArgumentError(absl::StrCat("unknown time zone '", args["timezone"], "'"));
    }
    const int64_t to = AnomalyBucketStart(absl::ToUnixSeconds(now), period, zone);
    const int64_t from = AnomalyBucketStart(to - 1, period, zone);
    // With its offset: a repeated local hour (clocks going back) would read back as the first.
    auto local = [&](int64_t t) { return absl::FormatTime("%Y-%m-%d %H:%M:%S%Ez", absl::FromUnixSeconds(t), zone); };
    std::vector<std::string> parts;
    for (const auto& [name, value] : args) {
      double number = 0;
      if (name == "breakdown") {
        parts.push_back(absl::StrCat(name, " => ", QuoteIdentifier(value)));
      } else if (absl::SimpleAtod(value, &number)) {
        parts.push_back(absl::StrCat(name, " => ", value));
      } else {
        parts.push_back(absl::StrCat(name, " => ", QuoteString(value)));
      }
    }
    parts.push_back(absl::StrCat("from => ", QuoteString(local(from))));
    parts.push_back(absl::StrCat("to => ", QuoteString(local(to))));
    sql = absl::StrCat("SELECT * FROM anomalies(", absl::StrJoin(parts, ", "), ") WHERE anomaly = 1");
  }
  absl::StatusOr<StatementOutput> output = runner_->Run(sql, SqlOrigin::kUserReadOnly);
  if (!output.ok()) return output.status();
  const ResultSet& rows = output->result;
  if (rows.row_count > kMaxAlertsPerRule) {
    return absl::ResourceExhaustedError(absl::StrCat("the rule's query returned ", rows.row_count,
                                                     " rows; at most ", kMaxAlertsPerRule, " alerts per rule"));
  }
  std::vector<AlertSample> samples;
  int value_column = -1;
  for (size_t c = 0; c < rows.columns.size(); ++c) {
    if (rows.columns[c].type.is_numeric()) value_column = static_cast<int>(c);
  }
  if (rule.anomaly) {
    for (size_t c = 0; c < rows.names.size(); ++c) {
      if (rows.names[c] == "value") value_column = static_cast<int>(c);
    }
  }
  if (value_column < 0 && rows.row_count > 0) {
    return absl::InvalidArgumentError("the rule's query returns no numeric column (its last one is the value)");
  }
  for (size_t row = 0; row < rows.row_count; ++row) {
    AlertSample sample;
    const std::optional<double> value = server_internal::NumericCell(rows.columns[value_column], row);
    if (!value) continue;
    sample.value = *value;
    if (rule.condition && !rule.condition->Holds(sample.value)) continue;
    for (size_t c = 0; c < rows.columns.size(); ++c) {
      std::string text;
      if (LabelCell(rows.columns[c], row, &text) && !text.empty() && ValidName(rows.names[c])) {
        sample.labels[rows.names[c]] = text;
      } else if (rule.anomaly && static_cast<int>(c) != value_column) {
        if (std::optional<double> number = server_internal::NumericCell(rows.columns[c], row)) {
          sample.extra[rows.names[c]] = *number;
        }
      }
    }
    samples.push_back(std::move(sample));
  }
  return samples;
}

void AlertEngine::Record(absl::Time time, const AlertRule& rule, const Active& alert, const char* state) {
  HistoryEntry entry{time, rule.name, state, alert.value, LabelsJson(alert.labels)};
  if (history_.size() < options_.history_limit) {
    history_.push_back(std::move(entry));
  } else if (!history_.empty()) {
    history_[history_next_] = std::move(entry);
    history_next_ = (history_next_ + 1) % history_.size();
  }
}

void AlertEngine::EvaluateDue(absl::Time now, bool force) {
  absl::MutexLock serial(&evaluate_mu_);
  std::vector<AlertRule> due;
  {
    absl::MutexLock lock(&mu_);
    const bool cluster_rules = !options_.evaluates_cluster_rules || options_.evaluates_cluster_rules();
    for (const auto& state : rules_) {
      if (!force && now < state->next_due) continue;
      state->next_due = now + state->rule.every;
      if (!state->rule.per_node && !cluster_rules) {
        state->alerts.clear();  // another node evaluates it
        continue;
      }
      due.push_back(state->rule);
    }
  }
  std::vector<AlertNotification> notifications;
  for (const AlertRule& rule : due) {
    {
      absl::MutexLock lock(&mu_);
      if (stopping_) break;
    }
    const absl::Time start = absl::Now();
    absl::StatusOr<std::vector<AlertSample>> samples = RunRule(rule, now);
    const absl::Duration took = absl::Now() - start;
    absl::MutexLock lock(&mu_);
    ++evaluations_;
    evaluation_time_ += took;
    auto it = std::find_if(rules_.begin(), rules_.end(), [&](const auto& s) { return s->rule.name == rule.name; });
    if (it == rules_.end()) continue;  // replaced meanwhile
    RuleState& state = **it;
    state.last_evaluation = now;
    state.last_duration = took;
    if (!samples.ok()) {
      // As Prometheus: a failed evaluation leaves the alerts as they were.
      ++failures_;
      state.last_error = std::string(samples.status().message());
      continue;
    }
    state.last_error.clear();
    absl::flat_hash_set<std::string> seen;
    for (const AlertSample& sample : *samples) {
      AlertLabels labels = sample.labels;
      for (const auto& [name, value] : rule.labels) labels[name] = value;
      if (rule.per_node && !options_.instance.empty()) labels["instance"] = options_.instance;
      labels["alertname"] = rule.name;
      const std::string key = LabelsJson(labels);
      if (!seen.insert(key).second) continue;  // two rows with one label set: the first
      auto [entry, created] = state.alerts.try_emplace(key);
      Active& alert = entry->second;
      if (!created && alert.state == Active::State::kResolved) {
        alert = Active();  // back after resolving: a new alert
        created = true;
      }
      alert.labels = labels;
      alert.value = sample.value;
      alert.annotations.clear();
      for (const auto& [name, text] : rule.annotations) alert.annotations[name] = Render(text, labels, sample);
      if (created) {
        alert.active_at = now;
        Record(now, rule, alert, "pending");
      }
      if (alert.state == Active::State::kPending && now - alert.active_at >= rule.for_duration) {
        alert.state = Active::State::kFiring;
        alert.fired_at = now;
        Record(now, rule, alert, "firing");
      }
    }
    for (auto alert = state.alerts.begin(); alert != state.alerts.end();) {
      Active& active = alert->second;
      if (!seen.contains(alert->first)) {
        if (active.state == Active::State::kPending) {
          Record(now, rule, active, "inactive");
          alert = state.alerts.erase(alert);
          continue;
        }
        if (active.state == Active::State::kFiring) {
          active.state = Active::State::kResolved;
          active.resolved_at = now;
          Record(now, rule, active, "resolved");
        } else if (now - active.resolved_at > kResolvedRetention) {
          alert = state.alerts.erase(alert);
          continue;
        }
      }
      // Firing: sent at every evaluation, valid a few intervals ahead; resolved: sent
      // at once, then again now and then while kept.
      const bool firing = active.state == Active::State::kFiring;
      const bool resolved = active.state == Active::State::kResolved;
      if (notifier_ != nullptr &&
          (firing || (resolved && (active.last_sent < active.resolved_at || now - active.last_sent >= kResendDelay)))) {
        AlertNotification note;
        note.labels = active.labels;
        note.annotations = active.annotations;
        note.starts_at = active.active_at;
        note.ends_at = resolved ? active.resolved_at : now + 4 * std::max(rule.every, kResendDelay);
        note.generator_url = options_.generator_url;
        notifications.push_back(std::move(note));
        active.last_sent = now;
      }
      ++alert;
    }
  }
  if (notifier_ != nullptr && !notifications.empty()) notifier_->Notify(std::move(notifications));
}

namespace {

const ColumnList& AlertColumns() {
  static const ColumnList* columns = new ColumnList{
      {"rule", "String"},          {"state", "String"},       {"value", "Float64"},
      {"since", "DateTime64(3)"},  {"labels", "String"},      {"annotations", "String"},
      {"builtin", "UInt8"},        {"every_s", "Float64"},    {"for_s", "Float64"},
      {"last_evaluation", "DateTime64(3)"}, {"evaluation_ms", "Float64"}, {"last_error", "String"}};
  return *columns;
}

const ColumnList& HistoryColumns() {
  static const ColumnList* columns = new ColumnList{
      {"time", "DateTime64(3)"}, {"rule", "String"}, {"state", "String"}, {"value", "Float64"}, {"labels", "String"}};
  return *columns;
}

const char* StateName(int state) {
  static const char* kNames[] = {"pending", "firing", "resolved"};
  return kNames[state];
}

}  // namespace

void AlertEngine::RegisterTables(Catalog* catalog) {
  catalog->RegisterSystemTable("alerts", AlertColumns(), [this] {
    auto rows = std::make_shared<ResultSet>(EmptyRows(AlertColumns()));
    std::vector<Column>& c = rows->columns;
    absl::MutexLock lock(&mu_);
    for (const auto& state : rules_) {
      const AlertRule& rule = state->rule;
      auto add = [&](const char* name, double value, absl::Time since, const AlertLabels& labels,
                     const AlertLabels& annotations) {
        c[0].strings.push_back(rule.name);
        c[1].strings.push_back(name);
        c[2].floats.push_back(value);
        c[3].ints.push_back(absl::ToUnixMillis(since));
        c[4].strings.push_back(LabelsJson(labels));
        c[5].strings.push_back(LabelsJson(annotations));
        c[6].ints.push_back(rule.built_in ? 1 : 0);
        c[7].floats.push_back(absl::ToDoubleSeconds(rule.every));
        c[8].floats.push_back(absl::ToDoubleSeconds(rule.for_duration));
        c[9].ints.push_back(absl::ToUnixMillis(state->last_evaluation));
        c[10].floats.push_back(absl::ToDoubleMilliseconds(state->last_duration));
        c[11].strings.push_back(state->last_error);
        ++rows->row_count;
      };
      bool any = false;
      for (const auto& [key, alert] : state->alerts) {
        const int index = static_cast<int>(alert.state);
        const absl::Time since = alert.state == Active::State::kFiring     ? alert.fired_at
                                 : alert.state == Active::State::kResolved ? alert.resolved_at
                                                                           : alert.active_at;
        add(StateName(index), alert.value, since, alert.labels, alert.annotations);
        any = any || alert.state != Active::State::kResolved;
      }
      if (!any) {
        AlertLabels labels = rule.labels;
        labels["alertname"] = rule.name;
        add("inactive", std::nan(""), state->last_evaluation, labels, {});
      }
    }
    return std::shared_ptr<const ResultSet>(rows);
  });
  catalog->RegisterSystemTable("alert_history", HistoryColumns(), [this] {
    auto rows = std::make_shared<ResultSet>(EmptyRows(HistoryColumns()));
    std::vector<Column>& c = rows->columns;
    absl::MutexLock lock(&mu_);
    for (size_t i = 0; i < history_.size(); ++i) {
      const HistoryEntry& entry = history_[(history_next_ + i) % history_.size()];
      c[0].ints.push_back(absl::ToUnixMillis(entry.time));
      c[1].strings.push_back(entry.rule);
      c[2].strings.push_back(entry.state);
      c[3].floats.push_back(entry.value);
      c[4].strings.push_back(entry.labels);
      ++rows->row_count;
    }
    return std::shared_ptr<const ResultSet>(rows);
  });
}

std::string AlertEngine::MetricsText() const {
  std::string out;
  auto escape = [](const std::string& value) {
    std::string escaped;
    for (char ch : value) {
      if (ch == '\\' || ch == '"') escaped += '\\';
      if (ch == '\n') {
        escaped += "\\n";
        continue;
      }
      escaped += ch;
    }
    return escaped;
  };
  absl::MutexLock lock(&mu_);
  absl::StrAppend(&out, "# HELP mua_alerts Pending and firing alerts (as Prometheus's ALERTS).\n# TYPE mua_alerts gauge\n");
  for (const auto& state : rules_) {
    for (const auto& [key, alert] : state->alerts) {
      if (alert.state == Active::State::kResolved) continue;
      std::vector<std::string> labels;
      labels.push_back(absl::StrCat("alertname=\"", escape(state->rule.name), "\""));
      labels.push_back(absl::StrCat("alertstate=\"", StateName(static_cast<int>(alert.state)), "\""));
      for (const auto& [name, value] : alert.labels) {
        if (name == "alertname" || name == "alertstate") continue;
        labels.push_back(absl::StrCat(name, "=\"", escape(value), "\""));
      }
      absl::StrAppend(&out, "mua_alerts{", absl::StrJoin(labels, ","), "} 1\n");
    }
  }
  absl::StrAppend(&out, "# HELP mua_alert_rules Alert rules loaded.\n# TYPE mua_alert_rules gauge\nmua_alert_rules ",
                  rules_.size(), "\n");
  absl::StrAppend(&out, "# HELP mua_alert_evaluations_total Rule evaluations.\n# TYPE mua_alert_evaluations_total counter\n",
                  "mua_alert_evaluations_total ", evaluations_, "\n");
  absl::StrAppend(&out, "# HELP mua_alert_evaluation_failures_total Rule evaluations that failed (state kept).\n",
                  "# TYPE mua_alert_evaluation_failures_total counter\nmua_alert_evaluation_failures_total ", failures_, "\n");
  absl::StrAppend(&out, "# HELP mua_alert_evaluation_seconds_total Time spent evaluating rules.\n",
                  "# TYPE mua_alert_evaluation_seconds_total counter\nmua_alert_evaluation_seconds_total ",
                  absl::ToDoubleSeconds(evaluation_time_), "\n");
  return out;
}

}  // namespace mua
