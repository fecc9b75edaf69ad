// The alert engine (server/alerts.h): rules files, Prometheus's state machine on a
// test clock, what system.alerts / system.alert_history / /metrics show, SQL rules over
// a real engine, the built-in rules' settings, and delivery to a fake Alertmanager.
#include "server/alerts.h"

#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ingest/body_ingestor.h"
#include "server/builtin_alerts.h"
#include "server/http_server.h"
#include "server/internal/alert_delivery.h"
#include "server/query_runner.h"
#include "sql/catalog.h"
#include "sql/sql_engine.h"
#include "storage/table.h"
#include "tests/testutil/status_matchers.h"

namespace mua {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::SizeIs;

// Three platforms' events: ios 3 (2 crashes), android 2 (1 crash), web 1.
constexpr char kEvents[] =
    R"({"event_id":"e1","user_id":"u1","event_type":"app_crash","event_time":"2026-10-05T08:00:00Z","platform":"ios"}
{"event_id":"e2","user_id":"u1","event_type":"app_crash","event_time":"2026-10-05T08:01:00Z","platform":"ios"}
{"event_id":"e3","user_id":"u2","event_type":"app_open","event_time":"2026-10-05T08:02:00Z","platform":"ios"}
{"event_id":"e4","user_id":"u3","event_type":"app_crash","event_time":"2026-10-05T08:03:00Z","platform":"android"}
{"event_id":"e5","user_id":"u4","event_type":"app_open","event_time":"2026-10-05T08:04:00Z","platform":"android"}
{"event_id":"e6","user_id":"u5","event_type":"app_open","event_time":"2026-10-05T08:05:00Z","platform":"web"}
)";

class RecordingNotifier : public AlertNotifier {
 public:
  void Notify(std::vector<AlertNotification> alerts) override {
    for (AlertNotification& alert : alerts) sent.push_back(std::move(alert));
  }
  std::vector<AlertNotification> sent;
};

// A probe rule whose samples the test sets.
struct Switch {
  std::vector<AlertSample> samples;
  absl::Status error;
};

AlertRule ProbeRule(const std::string& name, std::shared_ptr<Switch> control, absl::Duration for_duration) {
  AlertRule rule;
  rule.name = name;
  rule.for_duration = for_duration;
  rule.every = absl::Seconds(10);
  rule.labels = {{"severity", "page"}};
  rule.annotations = {{"summary", "{{ $labels.platform }} at {{ value }}, {{ unknown }}"}};
  rule.probe = [control]() -> absl::StatusOr<std::vector<AlertSample>> {
    if (!control->error.ok()) return control->error;
    return control->samples;
  };
  return rule;
}

class AlertEngineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    table_ = std::make_unique<Table>(TableOptions{});
    catalog_ = std::make_unique<Catalog>(table_.get());
    engine_ = std::make_unique<SqlEngine>(table_.get(), catalog_.get());
    IngestOptions options;
    options.decoder.retention_days = 0;
    BodyIngestor ingestor(table_.get(), options);
    ASSERT_OK_AND_ASSIGN(BodyIngestStats stats, ingestor.Ingest(kEvents, BodyFormat::kEventLines, "test"));
    ASSERT_EQ(stats.accepted, 6);
    runner_ = std::make_unique<EngineQueryRunner>(engine_.get(), Principal{"alerts", Role::kAnalyst});
    alerts_ = std::make_unique<AlertEngine>(runner_.get(), &notifier_, AlertEngineOptions{});
    alerts_->RegisterTables(catalog_.get());
  }

  std::string Sql(const std::string& sql) {
    absl::StatusOr<StatementOutput> out = engine_->Execute(sql);
    if (!out.ok()) return std::string(out.status().message());
    std::string text;
    const ResultSet& rows = out->result;
    for (size_t r = 0; r < rows.row_count; ++r) {
      for (size_t c = 0; c < rows.columns.size(); ++c) {
        const Column& column = rows.columns[c];
        if (c > 0) text += "|";
        if (column.type.id == TypeId::kString) {
          text += column.strings[r];
        } else if (column.type.id == TypeId::kFloat64) {
          text += absl::StrCat(column.floats[r]);
        } else {
          text += absl::StrCat(column.ints[r]);
        }
      }
      text += "\n";
    }
    return text;
  }

  const absl::Time t0_ = absl::FromUnixSeconds(1800000000);
  std::unique_ptr<Table> table_;
  std::unique_ptr<Catalog> catalog_;
  std::unique_ptr<SqlEngine> engine_;
  std::unique_ptr<QueryRunner> runner_;
  RecordingNotifier notifier_;
  std::unique_ptr<AlertEngine> alerts_;
};

TEST(PromDurationTest, ParsesPrometheusDurations) {
  EXPECT_EQ(*ParsePromDuration("15s"), absl::Seconds(15));
  EXPECT_EQ(*ParsePromDuration("1m30s"), absl::Seconds(90));
  EXPECT_EQ(*ParsePromDuration("2h"), absl::Hours(2));
  EXPECT_EQ(*ParsePromDuration("500ms"), absl::Milliseconds(500));
  EXPECT_EQ(*ParsePromDuration("0s"), absl::ZeroDuration());
  EXPECT_EQ(*ParsePromDuration("0"), absl::ZeroDuration());
  for (const char* bad : {"", "5", "x", "1q", "m", "10000000000s", "400d"}) {
    EXPECT_FALSE(ParsePromDuration(bad).ok()) << bad;
  }
}

TEST(AlertRulesFileTest, ParsesTheDocumentedForm) {
  ASSERT_OK_AND_ASSIGN(AlertRulesFile file, ParseAlertRules(R"(
builtin:
  lag: 30s
rules:
  - name: crash_spike
    sql: "SELECT countIf(event_type = 'app_crash') FROM events WHERE event_time > now() - INTERVAL 5 MINUTE"
    condition: "> 100"
    for: 1m
    every: 15s
    labels: {severity: page}
    annotations: {summary: "crashes in the last 5 minutes: {{ value }}"}
  - name: crash_rate_anomaly
    anomaly: {metric: crash_rate, period: hour, sensitivity: 3.5}
  - name: mua_disk_high
    enabled: false
)"));
  ASSERT_THAT(file.rules, SizeIs(2));
  const AlertRule& spike = file.rules[0];
  EXPECT_EQ(spike.name, "crash_spike");
  EXPECT_THAT(spike.sql, HasSubstr("countIf"));
  ASSERT_TRUE(spike.condition.has_value());
  EXPECT_EQ(spike.condition->op, AlertCondition::Op::kGreater);
  EXPECT_EQ(spike.condition->threshold, 100);
  EXPECT_EQ(spike.for_duration, absl::Minutes(1));
  EXPECT_EQ(spike.every, absl::Seconds(15));
  EXPECT_EQ(spike.labels.at("severity"), "page");
  EXPECT_EQ(spike.annotations.at("summary"), "crashes in the last 5 minutes: {{ value }}");
  ASSERT_TRUE(file.rules[1].anomaly.has_value());
  EXPECT_EQ(file.rules[1].anomaly->arguments.at("metric"), "crash_rate");
  EXPECT_EQ(file.rules[1].every, absl::Seconds(15));  // the default
  EXPECT_THAT(file.disabled, ElementsAre("mua_disk_high"));
  EXPECT_EQ(file.builtin_settings.at("lag"), "30s");
}

TEST(AlertRulesFileTest, RefusesWhatItCannotRun) {
  auto error = [](const std::string& yaml) {
    absl::StatusOr<AlertRulesFile> file = ParseAlertRules(yaml);
    return file.ok() ? std::string("ok") : std::string(file.status().message());
  };
  EXPECT_THAT(error("rules:\n  - name: a\n"), HasSubstr("'a': needs exactly one of sql and anomaly"));
  EXPECT_THAT(error("rules:\n  - name: a\n    sql: SELECT 1\n    anomaly: {metric: events}\n"),
              HasSubstr("needs exactly one of sql and anomaly"));
  EXPECT_THAT(error("rules:\n  - name: a\n    sql: SELECT 1\n    condtion: '> 1'\n"),
              HasSubstr("unknown key 'condtion'"));
  EXPECT_THAT(error("rules:\n  - name: a\n    sql: SELECT 1\n    condition: 'about 5'\n"),
              HasSubstr("condition must be a comparison and a number"));
  EXPECT_THAT(error("rules:\n  - name: a\n    sql: SELECT 1\n    every: 0s\n"), HasSubstr("every must be from 1s to 24h"));
  EXPECT_THAT(error("rules:\n  - name: a\n    sql: SELECT 1\n    for: soon\n"), HasSubstr("for: 'soon' is not a duration"));
  EXPECT_THAT(error("rules:\n  - name: a\n    sql: SELECT 1\n  - name: a\n    sql: SELECT 2\n"), HasSubstr("named twice"));
  EXPECT_THAT(error("rules:\n  - name: bad-name\n    sql: SELECT 1\n"), HasSubstr("the name must be"));
  EXPECT_THAT(error("rules:\n  - name: a\n    sql: SELECT 1\n    labels: [x]\n"), HasSubstr("labels must be a map"));
  EXPECT_THAT(error("rules:\n  - name: a\n    sql: SELECT 1\n    labels: {alertname: x}\n"), HasSubstr("not alertname"));
  EXPECT_THAT(error("rules:\n  - name: a\n    anomaly: {from: '2026-01-01'}\n"), HasSubstr("(not from/to)"));
  EXPECT_THAT(error("rulez: []\n"), HasSubstr("unknown key 'rulez'"));
  EXPECT_THAT(error("rules: {a: 1}\n"), HasSubstr("rules must be a list"));
  EXPECT_THAT(error("rules:\n  - name: a\n    sql: [SELECT 1\n"), HasSubstr("alert rules file: line "));
  EXPECT_THAT(error(std::string(10000, '[') + std::string(10000, ']')), HasSubstr("nested too deeply"));
  EXPECT_THAT(error("- just\n- a list\n"), HasSubstr("expected a map"));
}

TEST(AlertRulesFileTest, MergeReplacesDisablesAndAppends) {
  AlertRule a, b;
  a.name = "mua_a";
  a.built_in = true;
  b.name = "mua_b";
  b.built_in = true;
  AlertRulesFile file;
  AlertRule replacement;
  replacement.name = "mua_a";
  replacement.sql = "SELECT 1";
  AlertRule mine;
  mine.name = "mine";
  mine.sql = "SELECT 2";
  file.rules = {mine, replacement};
  file.disabled = {"mua_b"};
  std::vector<AlertRule> merged = MergeAlertRules({a, b}, file);
  ASSERT_THAT(merged, SizeIs(2));
  EXPECT_EQ(merged[0].name, "mua_a");
  EXPECT_EQ(merged[0].sql, "SELECT 1");
  EXPECT_FALSE(merged[0].built_in);
  EXPECT_EQ(merged[1].name, "mine");
}

TEST_F(AlertEngineTest, PendingFiringResolvedAsPrometheus) {
  auto control = std::make_shared<Switch>();
  alerts_->SetRules({ProbeRule("spike", control, absl::Seconds(20))});
  control->samples = {{{{"platform", "ios"}}, 7, {}}};
  alerts_->EvaluateDue(t0_);
  EXPECT_EQ(Sql("SELECT rule, state, value, labels FROM system.alerts"),
            "spike|pending|7|{\"alertname\":\"spike\",\"platform\":\"ios\",\"severity\":\"page\"}\n");
  EXPECT_THAT(notifier_.sent, SizeIs(0));  // pending alerts are not sent
  alerts_->EvaluateDue(t0_ + absl::Seconds(5));  // not due yet (every 10 s): nothing changes
  alerts_->EvaluateDue(t0_ + absl::Seconds(10));
  EXPECT_EQ(Sql("SELECT state FROM system.alerts"), "pending\n");
  control->samples[0].value = 9;
  alerts_->EvaluateDue(t0_ + absl::Seconds(20));
  EXPECT_EQ(Sql("SELECT state, value, annotations FROM system.alerts"),
            "firing|9|{\"summary\":\"ios at 9, {{ unknown }}\"}\n");
  ASSERT_THAT(notifier_.sent, SizeIs(1));
  EXPECT_EQ(notifier_.sent[0].labels.at("alertname"), "spike");
  EXPECT_EQ(notifier_.sent[0].starts_at, t0_);
  EXPECT_EQ(notifier_.sent[0].ends_at, t0_ + absl::Seconds(20) + absl::Minutes(4));  // 4 x max(every, 1m)
  alerts_->EvaluateDue(t0_ + absl::Seconds(30));
  ASSERT_THAT(notifier_.sent, SizeIs(2));  // re-sent at each evaluation while firing
  EXPECT_EQ(notifier_.sent[1].ends_at, t0_ + absl::Seconds(30) + absl::Minutes(4));
  EXPECT_THAT(alerts_->MetricsText(),
              HasSubstr("mua_alerts{alertname=\"spike\",alertstate=\"firing\",platform=\"ios\",severity=\"page\"} 1\n"));

  control->samples.clear();
  alerts_->EvaluateDue(t0_ + absl::Seconds(40));
  ASSERT_THAT(notifier_.sent, SizeIs(3));
  EXPECT_EQ(notifier_.sent[2].ends_at, t0_ + absl::Seconds(40));  // resolved: ends now
  EXPECT_EQ(Sql("SELECT state FROM system.alerts ORDER BY state"), "inactive\nresolved\n");
  EXPECT_THAT(alerts_->MetricsText(), ::testing::Not(HasSubstr("mua_alerts{")));
  alerts_->EvaluateDue(t0_ + absl::Seconds(50));
  EXPECT_THAT(notifier_.sent, SizeIs(3));  // a resolved alert is re-sent once a minute
  alerts_->EvaluateDue(t0_ + absl::Seconds(100));
  EXPECT_THAT(notifier_.sent, SizeIs(4));
  alerts_->EvaluateDue(t0_ + absl::Seconds(40) + absl::Minutes(16));  // kept 15 minutes
  EXPECT_EQ(Sql("SELECT state FROM system.alerts"), "inactive\n");
  EXPECT_EQ(Sql("SELECT toUnixTimestamp(time) - 1800000000, rule, state, value FROM system.alert_history"),
            "0|spike|pending|7\n20|spike|firing|9\n40|spike|resolved|9\n");
}

TEST_F(AlertEngineTest, PendingThatClearsIsNeverSentAndComesBackNew) {
  auto control = std::make_shared<Switch>();
  alerts_->SetRules({ProbeRule("spike", control, absl::Seconds(30))});
  control->samples = {{{}, 1, {}}};
  alerts_->EvaluateDue(t0_);
  control->samples.clear();
  alerts_->EvaluateDue(t0_ + absl::Seconds(10));
  control->samples = {{{}, 2, {}}};
  alerts_->EvaluateDue(t0_ + absl::Seconds(20));
  alerts_->EvaluateDue(t0_ + absl::Seconds(40));
  EXPECT_EQ(Sql("SELECT state, toUnixTimestamp(since) - 1800000000 FROM system.alerts"), "pending|20\n");
  alerts_->EvaluateDue(t0_ + absl::Seconds(50));
  EXPECT_EQ(Sql("SELECT state FROM system.alerts"), "firing\n");
  EXPECT_EQ(Sql("SELECT state FROM system.alert_history"), "pending\ninactive\npending\nfiring\n");
  EXPECT_THAT(notifier_.sent, SizeIs(1));
}

TEST_F(AlertEngineTest, ZeroForFiresAtOnceAndAFailureKeepsTheState) {
  auto control = std::make_shared<Switch>();
  alerts_->SetRules({ProbeRule("now", control, absl::ZeroDuration())});
  control->samples = {{{}, 1, {}}};
  alerts_->EvaluateDue(t0_);
  EXPECT_EQ(Sql("SELECT state FROM system.alerts"), "firing\n");
  control->error = absl::UnavailableError("probe failed");
  alerts_->EvaluateDue(t0_ + absl::Seconds(10));
  EXPECT_EQ(Sql("SELECT state, last_error FROM system.alerts"), "firing|probe failed\n");
  EXPECT_THAT(alerts_->MetricsText(), HasSubstr("mua_alert_evaluation_failures_total 1\n"));
}

TEST_F(AlertEngineTest, SqlRulesGiveOneAlertPerRowWithStringColumnsAsLabels) {
  AlertRule rule;
  rule.name = "crashes";
  rule.sql = "SELECT platform, countIf(event_type = 'app_crash') AS crashes FROM events GROUP BY platform";
  rule.condition = AlertCondition{AlertCondition::Op::kGreaterEqual, 1};
  rule.annotations = {{"summary", "{{ labels.platform }}: {{ value }}"}};
  AlertRule broken;
  broken.name = "broken";
  broken.sql = "SELECT platform FROM events";
  alerts_->SetRules({rule, broken});
  alerts_->EvaluateDue(t0_);
  EXPECT_EQ(Sql("SELECT rule, state, value, annotations, last_error FROM system.alerts ORDER BY rule, value"),
            "broken|inactive|nan|{}|the rule's query returns no numeric column (its last one is the value)\n"
            "crashes|firing|1|{\"summary\":\"android: 1\"}|\n"
            "crashes|firing|2|{\"summary\":\"ios: 2\"}|\n");
}

TEST_F(AlertEngineTest, AnomalyRulesRunAnomaliesOverTheLastCompleteBucket) {
  AlertRule rule;
  rule.name = "events";
  rule.anomaly = AnomalyCheck{{{"metric", "events"}, {"period", "hour"}, {"min_count", "0"}}};
  alerts_->SetRules({rule});
  alerts_->EvaluateDue(absl::FromUnixSeconds(1791187200 + 9 * 3600 + 600));  // 2026-10-05 09:10 UTC
  EXPECT_EQ(Sql("SELECT state, last_error FROM system.alerts"), "inactive|\n");  // too little history
}

TEST_F(AlertEngineTest, AnotherNodeEvaluatesClusterRules) {
  std::atomic<bool> elected{false};
  AlertEngine engine(runner_.get(), &notifier_, {.evaluates_cluster_rules = [&] { return elected.load(); }, .instance = "n1:1"});
  auto control = std::make_shared<Switch>();
  control->samples = {{{}, 1, {}}};
  AlertRule cluster = ProbeRule("cluster", control, absl::ZeroDuration());
  AlertRule node = ProbeRule("node", control, absl::ZeroDuration());
  node.per_node = true;
  engine.SetRules({cluster, node});
  engine.EvaluateDue(t0_);
  ASSERT_THAT(notifier_.sent, SizeIs(1));
  EXPECT_EQ(notifier_.sent[0].labels.at("alertname"), "node");
  EXPECT_EQ(notifier_.sent[0].labels.at("instance"), "n1:1");
  elected = true;
  engine.EvaluateDue(t0_ + absl::Seconds(10));
  EXPECT_THAT(notifier_.sent, SizeIs(3));
}

TEST(BuiltInAlertsTest, SettingsAreCheckedAndThresholdsApply) {
  EXPECT_THAT(BuiltInAlertRules({}, {{"lagg", "1m"}}).status().message(), HasSubstr("unknown setting 'lagg'"));
  EXPECT_THAT(BuiltInAlertRules({}, {{"memory", "-1"}}).status().message(), HasSubstr("not a non-negative number"));
  EXPECT_THAT(BuiltInAlertRules({}, {{"every", "0s"}}).status().message(), HasSubstr("at least 1s"));
  ASSERT_OK_AND_ASSIGN(std::vector<AlertRule> rules,
                       BuiltInAlertRules({.memory_limit_bytes = 1, .data_dir = "/"}, {{"disk", "0"}, {"for", "5s"}}));
  ASSERT_THAT(rules, SizeIs(2));
  for (const AlertRule& rule : rules) {
    EXPECT_TRUE(rule.built_in && rule.per_node) << rule.name;
    EXPECT_EQ(rule.for_duration, absl::Seconds(5));
    ASSERT_OK_AND_ASSIGN(std::vector<AlertSample> samples, rule.probe());
    EXPECT_THAT(samples, SizeIs(1)) << rule.name;  // 1 byte of memory, any disk use: over
  }
  ASSERT_OK_AND_ASSIGN(rules, BuiltInAlertRules({.data_dir = "/no/such/dir"}, {}));
  EXPECT_FALSE(rules[0].probe().ok());
}

TEST(AlertDeliveryTest, JsonIsAlertmanagersPostableAlerts) {
  AlertNotification alert;
  alert.labels = {{"alertname", "x"}, {"severity", "page"}};
  alert.annotations = {{"summary", "quote \" here"}};
  alert.starts_at = absl::FromUnixMillis(1800000000123);
  alert.ends_at = absl::FromUnixSeconds(1800000240);
  alert.generator_url = "http://mua/";
  EXPECT_EQ(server_internal::AlertsJson({alert}),
            R"([{"labels":{"alertname":"x","severity":"page"},"annotations":{"summary":"quote \" here"},)"
            R"("startsAt":"2027-01-15T08:00:00.123Z","endsAt":"2027-01-15T08:04:00.000Z","generatorURL":"http://mua/"}])");
  EXPECT_FALSE(server_internal::AlertmanagerNotifier::Create({"https://am:9093"}).ok());
  EXPECT_FALSE(server_internal::AlertmanagerNotifier::Create({"http://am"}).ok());
}

TEST(AlertDeliveryTest, RetriesUntilAlertmanagerTakesTheNewestState) {
  absl::Mutex mu;
  std::vector<std::string> bodies;
  std::vector<std::string> targets;
  int calls = 0;
  HttpServer fake(
      [&](HttpRequest& request) {
        absl::MutexLock lock(&mu);
        if (++calls == 1) return HttpResponse::Text(503, "not yet");
        bodies.push_back(request.body);
        targets.push_back(request.path);
        return HttpResponse::Text(200, "");
      },
      {});
  ASSERT_OK(fake.Start("127.0.0.1", 0));
  ASSERT_OK_AND_ASSIGN(auto notifier, server_internal::AlertmanagerNotifier::Create(
                                          {absl::StrCat("http://127.0.0.1:", fake.port(), "/am/")}));
  AlertNotification alert;
  alert.labels = {{"alertname", "x"}};
  alert.starts_at = absl::Now();
  alert.ends_at = alert.starts_at + absl::Minutes(4);
  notifier->Notify({alert});
  // Waits for a condition (the retry after the 503 taken), however slow the build.
  const absl::Time deadline = absl::Now() + absl::Seconds(60);
  while (notifier->counters().sent == 0 && absl::Now() < deadline) absl::SleepFor(absl::Milliseconds(20));
  absl::MutexLock lock(&mu);
  ASSERT_THAT(bodies, SizeIs(1));
  EXPECT_EQ(targets[0], "/am/api/v2/alerts");
  EXPECT_THAT(bodies[0], HasSubstr("\"alertname\":\"x\""));
  const auto counters = notifier->counters();
  EXPECT_EQ(counters.failed, 1);
  EXPECT_EQ(counters.sent, 1);
  EXPECT_THAT(counters.last_error, HasSubstr("HTTP 503"));
}

}  // namespace
}  // namespace mua
