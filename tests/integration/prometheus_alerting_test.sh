#!/usr/bin/env bash
# Alerting end to end (issue 21), on loopback with free ports and a scratch directory, into one
# Debian Alertmanager: MUA's own rule (--alerts, --alertmanager) fires on a crash spike streamed
# through Kafka and resolves when the spike leaves its window; Debian's Prometheus scrapes
# mua-server's /metrics every second with the shipped docs/prometheus/mua-rules.yml, whose
# MuaIngestPaused fires on SYSTEM STOP INGEST.
#   prometheus_alerting_test.sh MUA_KAFKA_DEV MUA_SERVER PROMETHEUS ALERTMANAGER PROMTOOL RULES_DIR
set -u
usage="usage: prometheus_alerting_test.sh MUA_KAFKA_DEV MUA_SERVER PROMETHEUS ALERTMANAGER PROMTOOL RULES_DIR"
KAFKA_DEV=${1:?$usage}
SERVER=${2:?$usage}
PROMETHEUS=${3:?$usage}
ALERTMANAGER=${4:?$usage}
PROMTOOL=${5:?$usage}
RULES_DIR=${6:?$usage}
WORK=$(mktemp -d)
source "$(dirname "$0")/lib.sh"

# poll SECONDS COMMAND... : runs COMMAND every half second until it succeeds or SECONDS pass.
poll() {
  local deadline=$((SECONDS + $1))
  shift
  until "$@"; do
    ((SECONDS >= deadline)) && return 1
    sleep 0.5
  done
}
# json URL EXPRESSION : whether the Python EXPRESSION over `d`, the JSON at URL, is true. The
# last answer stays in $WORK/last.json for the failure message.
json() {
  curl -s --max-time 5 "$1" >"$WORK/last.json"
  python3 -c 'import json, sys; d = json.load(open(sys.argv[1])); sys.exit(0 if eval(sys.argv[2]) else 1)' \
    "$WORK/last.json" "$2" 2>/dev/null
}
# poll_json SECONDS URL EXPRESSION : polls json; on failure shows the last answer.
poll_json() {
  poll "$1" json "$2" "$3" && return 0
  echo "  last answer of $2: $(head -c 2000 "$WORK/last.json")"
  return 1
}
# events N TYPE PLATFORM : N events of TYPE at the current time, JSON lines (users u0..u9).
events() {
  local now_ms
  now_ms=$(date +%s%3N)
  for ((i = 0; i < $1; i++)); do
    printf '{"event_id":"%s-%s-%s-%d","user_id":"u%d","event_type":"%s","event_timestamp":%s,"platform":"%s"}\n' \
      "$2" "$3" "$now_ms" "$i" $((i % 10)) "$2" "$now_ms" "$3"
  done
}
produce() { kcat -P -b "$BOOTSTRAP" -t mobile_app_events 2>>"$WORK/kcat.err"; }

# The shipped rules are valid and their unit tests (synthetic series) pass.
promtool() {  # promtool ARGS... in RULES_DIR, its output shown only on failure
  (cd "$RULES_DIR" && "$PROMTOOL" "$@") >"$WORK/promtool.out" 2>&1 && return 0
  cat "$WORK/promtool.out"
  return 1
}
check "promtool check rules mua-rules.yml" promtool check rules mua-rules.yml
check "promtool test rules mua-rules.test.yml" promtool test rules mua-rules.test.yml

start_broker "$KAFKA_DEV" --topic mobile_app_events --partitions 4
check "broker printed its bootstrap address" test -n "$BOOTSTRAP"

# Alertmanager: one receiver that delivers nowhere; alerts are read back from its API.
AM_PORT=$(free_port)
AM="http://127.0.0.1:$AM_PORT"
cat >"$WORK/alertmanager.yml" <<EOF
route:
  receiver: test
  group_by: [alertname]
  group_wait: 1s
  group_interval: 1s
  repeat_interval: 1h
receivers:
  - name: test
EOF
"$ALERTMANAGER" --config.file="$WORK/alertmanager.yml" --storage.path="$WORK/alertmanager" \
  --web.listen-address="127.0.0.1:$AM_PORT" --cluster.listen-address= \
  >"$WORK/alertmanager.out" 2>"$WORK/alertmanager.err" &
pids+=($!)
check "Alertmanager is ready" poll 60 curl -sf --max-time 2 -o /dev/null "$AM/-/ready"

# MUA's rule: one alert per platform with over 20 crashes in the last 15 s, evaluated every second.
cat >"$WORK/alerts.yml" <<'EOF'
rules:
  - name: crash_spike
    sql: >-
      SELECT platform, countIf(event_type = 'app_crash') AS crashes FROM events
      WHERE event_time > now() - INTERVAL 15 SECOND GROUP BY platform
    condition: "> 20"
    for: 0s
    every: 1s
    labels: {severity: page, team: mobile}
    annotations: {summary: "crashes in the last 15 seconds on {{ labels.platform }}: {{ value }}"}
EOF
start_server "$SERVER" server --kafka_brokers "$BOOTSTRAP" --alerts "$WORK/alerts.yml" --alertmanager "$AM"
check "mua-server answers /ping" test "$(curl -s "http://127.0.0.1:$HTTP_PORT/ping")" == "Ok."
events 40 app_open ios | produce
wait_for_sql "SELECT count() FROM events" 40
check "the first events are consumed ($answer of 40)" test "$answer" == 40

# Prometheus with the shipped rules, every `for:` shortened to 1s so that a rule fires within
# seconds (nothing else changed); it scrapes and evaluates every second.
PROM_PORT=$(free_port)
PROM="http://127.0.0.1:$PROM_PORT"
sed -E 's/^( *for: )[0-9]+[smh]$/\11s/' "$RULES_DIR/mua-rules.yml" >"$WORK/mua-rules.yml"
rule_count=$(grep -c '^ *- alert:' "$WORK/mua-rules.yml")
cat >"$WORK/prometheus.yml" <<EOF
global:
  scrape_interval: 1s
  scrape_timeout: 1s
  evaluation_interval: 1s
rule_files: [$WORK/mua-rules.yml]
alerting:
  alertmanagers:
    - static_configs: [{targets: ['127.0.0.1:$AM_PORT']}]
scrape_configs:
  - job_name: mua
    static_configs: [{targets: ['127.0.0.1:$HTTP_PORT']}]
EOF
"$PROMETHEUS" --config.file="$WORK/prometheus.yml" --storage.tsdb.path="$WORK/prometheus" \
  --web.listen-address="127.0.0.1:$PROM_PORT" >"$WORK/prometheus.out" 2>"$WORK/prometheus.err" &
pids+=($!)
check "Prometheus is ready" poll 60 curl -sf --max-time 2 -o /dev/null "$PROM/-/ready"

# a. Prometheus scrapes MUA, and every shipped rule evaluates without error; nothing fires.
check "Prometheus sees the MUA target up" poll_json 60 "$PROM/api/v1/targets" \
  'any(t["labels"]["job"] == "mua" and t["health"] == "up" for t in d["data"]["activeTargets"])'
check "up{job=\"mua\"} is 1" poll_json 30 "$PROM/api/v1/query?query=up%7Bjob%3D%22mua%22%7D" \
  '[r["value"][1] for r in d["data"]["result"]] == ["1"]'
check "the new ingest metrics are scraped" poll_json 30 \
  "$PROM/api/v1/query?query=count(mua_ingest_messages_total)%20%2B%20count(mua_ingest_memory_limit_bytes%20%3E%200)" \
  '[r["value"][1] for r in d["data"]["result"]] == ["5"]'
check "all $rule_count rules evaluated without error" poll_json 30 "$PROM/api/v1/rules" \
  "[r['health'] for g in d['data']['groups'] for r in g['rules']] == ['ok'] * $rule_count"
check "no alert while MUA is healthy" poll_json 0 "$PROM/api/v1/alerts" 'd["data"]["alerts"] == []'

# b. A crash spike through Kafka: 30 on ios (over the threshold), 5 on android (under it).
{
  events 30 app_crash ios
  events 5 app_crash android
} | produce
crash_spike='([(a["labels"], a["annotations"]["summary"], a["status"]["state"]) for a in d
               if a["labels"]["alertname"] == "crash_spike"] ==
              [({"alertname": "crash_spike", "platform": "ios", "severity": "page", "team": "mobile"},
                "crashes in the last 15 seconds on ios: 30", "active")])'
check "Alertmanager has crash_spike for ios, with the rule's labels and the annotation rendered" \
  poll_json 60 "$AM/api/v2/alerts" "$crash_spike"
check "system.alerts: crash_spike firing with value 30" \
  wait_for_sql "SELECT state, value FROM system.alerts WHERE rule = 'crash_spike' FORMAT TSV" "$(printf 'firing\t30')" 50
check "Prometheus scrapes mua_alerts for it" poll_json 30 \
  "$PROM/api/v1/query?query=mua_alerts%7Balertname%3D%22crash_spike%22%2Calertstate%3D%22firing%22%7D" \
  '([(r["metric"]["platform"], r["metric"]["severity"], r["value"][1]) for r in d["data"]["result"]] ==
    [("ios", "page", "1")])'

# d. SYSTEM STOP INGEST pauses the consumer: the shipped MuaIngestPaused fires in Prometheus and
# reaches Alertmanager; SYSTEM START INGEST resolves it in both.
check "SYSTEM STOP INGEST" grep -q '^Ok\.' <<<"$(sql "SYSTEM STOP INGEST")"
paused='any(a["labels"]["alertname"] == "MuaIngestPaused" and a["state"] == "firing" and
            a["labels"]["severity"] == "warning" and a["labels"]["instance"] == "127.0.0.1:'$HTTP_PORT'" and
            a["annotations"]["summary"] == "MUA 127.0.0.1:'$HTTP_PORT': Kafka consumption paused"
            for a in d["data"]["alerts"])'
check "Prometheus fires MuaIngestPaused" poll_json 60 "$PROM/api/v1/alerts" "$paused"
check "Alertmanager has MuaIngestPaused" poll_json 60 "$AM/api/v2/alerts" \
  'any(a["labels"]["alertname"] == "MuaIngestPaused" and a["status"]["state"] == "active" for a in d)'
check "SYSTEM START INGEST" grep -q '^Ok\.' <<<"$(sql "SYSTEM START INGEST")"
check "Prometheus resolves MuaIngestPaused" poll_json 60 "$PROM/api/v1/alerts" 'd["data"]["alerts"] == []'
# Alertmanager's API lists only alerts whose endsAt is unset or ahead: a resolved alert is gone.
check "Alertmanager no longer lists MuaIngestPaused" poll_json 60 "$AM/api/v2/alerts" \
  'not any(a["labels"]["alertname"] == "MuaIngestPaused" for a in d)'

# c. 15 s after the spike it leaves the rule's window: resolved. A firing alert's endsAt lies
# minutes ahead, so its leaving Alertmanager's list within the poll means MUA sent the resolution.
check "Alertmanager no longer lists crash_spike" poll_json 60 "$AM/api/v2/alerts" \
  'not any(a["labels"]["alertname"] == "crash_spike" for a in d)'
check "system.alerts: crash_spike resolved (kept a while, beside the rule's inactive row)" \
  wait_for_sql "SELECT state, value FROM system.alerts WHERE rule = 'crash_spike' AND state != 'inactive' FORMAT TSV" \
  "$(printf 'resolved\t30')" 50
check "system.alert_history: crash_spike firing, then resolved" test "$(sql "SELECT state FROM system.alert_history
  WHERE rule = 'crash_spike' AND state IN ('firing', 'resolved') ORDER BY time FORMAT TSV")" == "$(printf 'firing\nresolved')"

finish
