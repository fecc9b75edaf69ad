// Fuzzes the alert rules file (server/alerts.h, --alerts): any bytes end in rules or an
// error, never a crash or unbounded recursion (yaml-cpp recurses on nesting: the parser
// bounds it first); accepted rules are runnable as parsed — a valid name, one of sql and
// anomaly, a sane schedule — and merge with the built-in rules under the file's settings.
//
// Input: the rules file's text.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "server/alerts.h"
#include "server/builtin_alerts.h"

namespace {

void Check(bool condition) {
  if (!condition) std::abort();
}

}  // namespace

int MuaAlertRulesFuzz(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  (void)mua::ParsePromDuration(text);
  const absl::StatusOr<mua::AlertRulesFile> file = mua::ParseAlertRules(text);
  if (!file.ok()) return 0;
  for (const mua::AlertRule& rule : file->rules) {
    Check(!rule.name.empty());
    Check(rule.sql.empty() != !rule.anomaly.has_value());
    Check(rule.every >= absl::Seconds(1) && rule.every <= absl::Hours(24));
    Check(rule.for_duration >= absl::ZeroDuration());
    Check(!rule.labels.contains("alertname"));
  }
  const auto built_in = mua::BuiltInAlertRules({.data_dir = "/"}, file->builtin_settings);
  if (built_in.ok()) (void)mua::MergeAlertRules(*built_in, *file);
  return 0;
}

#ifndef MUA_FUZZ_NO_MAIN
extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) { return MuaAlertRulesFuzz(data, size); }
#endif
