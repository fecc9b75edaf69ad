#!/usr/bin/env bash
# Issue 15, finding 2 (a viewer runs arbitrary SQL through Grafana): with --tokens, a viewer's
# SQL is refused (403) wherever it can be smuggled — the sql metric under any spelling,
# SimpleJSON SQL targets, /grafana/variable, /grafana/search, /grafana/annotations — and on
# /api/v1/query and POST / ; the fixed metrics, variables over columns, tag values and
# payload options still answer the viewer; payload and filter values never become SQL.
# An analyst runs the same SELECTs; nobody writes through Grafana.
#   grafana_roles_test.sh MUA_SERVER
set -u
SERVER=${1:?usage: grafana_roles_test.sh MUA_SERVER}
WORK=$(mktemp -d)
source "$(dirname "$0")/lib.sh"

write_tokens
make_events "$WORK/events.jsonl" 50
start_secure roles --load "$WORK/events.jsonl" --tokens "$WORK/tokens"
check "mua-server started with tokens" test $? -eq 0
stored=$(q dtok "SELECT count() FROM events")
check "500 events loaded ($stored)" test "$stored" == 500

range='"range":{"from":"2020-01-01T00:00:00Z","to":"2030-01-01T00:00:00Z"}'
g() {  # g TOKEN PATH JSON : POST a Grafana request; prints the status
  req "$1" -H 'Content-Type: application/json' --data-binary "$3" "$base$2"
}
target() {  # target TARGET_JSON_OBJECT : a /grafana/query body with one target
  echo "{$range,\"targets\":[$1]}"
}
denied() {  # denied NAME STATUS : 403 naming the role
  check "$1: 403 ($2: $(short_body 110))" bash -c "[[ $2 == 403 ]] && grep -q 'needs the analyst role' '$WORK/body'"
}

# --- The viewer: every road to SQL is closed. ---
for spelling in sql SQL Sql sQL; do
  denied "viewer, /grafana/query target '$spelling' with payload.sql" \
    "$(g vtok /grafana/query "$(target "{\"refId\":\"A\",\"target\":\"$spelling\",\"payload\":{\"sql\":\"SELECT user_id FROM events\"}}")")"
done
denied "viewer, SimpleJSON SQL as the target" \
  "$(g vtok /grafana/query "$(target '{"refId":"A","target":"SELECT user_id FROM events"}')")"
denied "viewer, a lower-case WITH query as the target, after a newline" \
  "$(g vtok /grafana/query "$(target '{"refId":"A","target":"\nwith x as (select 1) select * from x"}')")"
denied "viewer, the sql metric second after a fixed one" \
  "$(g vtok /grafana/query "$(target '{"refId":"A","target":"dau"},{"refId":"B","target":"sql","payload":{"sql":"SELECT 1"}}')")"
denied "viewer, /grafana/variable with payload.target SQL" \
  "$(g vtok /grafana/variable '{"payload":{"target":"SELECT DISTINCT user_id FROM events"}}')"
denied "viewer, /grafana/variable with a top-level target SQL" \
  "$(g vtok /grafana/variable '{"target":"SELECT DISTINCT user_id FROM events"}')"
denied "viewer, /grafana/search with SQL as the target" \
  "$(g vtok /grafana/search '{"target":"SELECT DISTINCT user_id FROM events"}')"
denied "viewer, /grafana/annotations with a SELECT annotation query" \
  "$(g vtok /grafana/annotations "{$range,\"annotation\":{\"query\":\"SELECT now() AS time, user_id AS title FROM events\"}}")"
denied "viewer, /grafana/search with SQL reading system.audit_log" \
  "$(g vtok /grafana/search '{"target":"SELECT statement FROM system.audit_log"}')"
status=$(g vtok /api/v1/query '{"sql":"SELECT 1"}')
check "viewer, /api/v1/query: 403 ($status)" test "$status" == 403
status=$(req vtok --data-binary 'SELECT 1' "$base/")
check "viewer, POST /: 403 Code 497 ($status)" bash -c "[[ $status == 403 ]] && grep -q 'Code: 497' '$WORK/body'"
status=$(req vtok -G --data-urlencode 'query=SELECT 1' "$base/")
check "viewer, GET /?query=: 403 ($status)" test "$status" == 403

# --- The viewer keeps the fixed metrics. ---
status=$(g vtok /grafana/query "$(target '{"refId":"A","target":"dau"}')")
check "viewer, target dau: 200 with DAU ($status)" bash -c "[[ $status == 200 ]] && grep -q '\"target\":\"DAU\"' '$WORK/body'"
dau_sum() { python3 -c "import json; print(sum(p[0] for s in json.load(open('$WORK/body')) for p in s['datapoints']))"; }
all_dau=$(dau_sum)
check "... counting the 50 users on their days ($all_dau)" test "$all_dau" -ge 50
status=$(g vtok /grafana/query "$(target '{"refId":"A","target":"dau","payload":{"breakdown":"platform"}}')")
check "viewer, dau by platform: 200 ($status)" bash -c "[[ $status == 200 ]] && grep -q 'DAU{platform=ios}' '$WORK/body'"
status=$(g vtok /grafana/query "$(target '{"refId":"A","target":"dau","payload":{"sql":"SELECT 42 AS x"}}')")
check "viewer, dau with a stray payload.sql: the DAU series, the SQL not run ($status)" \
  bash -c "[[ $status == 400 ]] || { [[ $status == 200 ]] && grep -q '\"target\":\"DAU\"' '$WORK/body' && ! grep -q '\"rows\"' '$WORK/body'; }"
status=$(g vtok /grafana/variable '{"payload":{"target":"platform"}}')
check "viewer, variable over a column: 200 ($status: $(short_body 80))" \
  bash -c "[[ $status == 200 ]] && grep -q '\"__value\":\"ios\"' '$WORK/body'"
status=$(g vtok /grafana/search '{"target":""}')
check "viewer, search lists the metrics ($status)" bash -c "[[ $status == 200 ]] && grep -q '\"dau\"' '$WORK/body'"
status=$(g vtok /grafana/annotations "{$range,\"annotation\":{\"query\":\"releases\"}}")
check "viewer, releases annotations: 200 ($status)" test "$status" == 200
status=$(g vtok /grafana/tag-values "{$range,\"key\":\"platform\"}")
check "viewer, tag values: 200 ($status)" bash -c "[[ $status == 200 ]] && grep -q '\"text\":\"web\"' '$WORK/body'"
status=$(g vtok /grafana/metric-payload-options '{"metric":"funnel","payload":{},"name":"steps"}')
check "viewer, payload options: 200 ($status)" bash -c "[[ $status == 200 ]] && grep -q 'app_open' '$WORK/body'"
status=$(req vtok "$base/metrics")
check "viewer, /metrics: 200 ($status)" test "$status" == 200

# --- Payload and filter values are data, never SQL. ---
status=$(g vtok /grafana/query "$(target '{"refId":"A","target":"dau","payload":{"breakdown":"platform) OR 1=1 --"}}')")
check "a breakdown that is not a column: 400 ($status)" test "$status" == 400
status=$(g vtok /grafana/query "{$range,\"targets\":[{\"refId\":\"A\",\"target\":\"dau\"}],\"filters\":[{\"key\":\"platform\",\"operator\":\"=\",\"value\":\"ios' OR '1'='1\"}]}")
check "a filter value with quotes: 200 and no users match it ($status)" \
  bash -c "[[ $status == 200 ]] && [[ \$(python3 -c \"import json; print(sum(p[0] for s in json.load(open('$WORK/body')) for p in s['datapoints']))\") == 0 ]]"
status=$(g vtok /grafana/query "{$range,\"targets\":[{\"refId\":\"A\",\"target\":\"dau\"}],\"filters\":[{\"key\":\"1=1 OR platform\",\"operator\":\"=\",\"value\":\"x\"}]}")
check "a filter key that is not a column: 400 ($status)" test "$status" == 400
status=$(g vtok /grafana/query "$(target '{"refId":"A","target":"events","payload":{"event_type":["x'"'"') OR 1=1 --"]}}')")
check "an event_type with quotes: 200 and 0 events ($status)" \
  bash -c "[[ $status == 200 ]] && [[ \$(python3 -c \"import json; print(sum(p[0] for s in json.load(open('$WORK/body')) for p in s['datapoints']))\") == 0 ]]"

# --- REST parameters are data too (the viewer's REST reads). ---
status=$(req vtok "$base/api/v1/funnel?steps=app_open,purchase%27)%20OR%201%3D1%20--")
check "a funnel step with quotes is a step name ($status)" \
  bash -c "[[ $status == 200 ]] && grep -qF \"purchase') OR 1=1 --\" '$WORK/body'"
status=$(req vtok "$base/api/v1/users/x%27%20OR%20%271%27%3D%271/summary")
check "a user id with quotes: 404, no such user ($status)" test "$status" == 404
status=$(req vtok "$base/api/v1/metrics/daily?from=2026-01-01%27)%3B%20DELETE%20FROM%20events%20--")
check "a date with SQL after it: 400 ($status)" test "$status" == 400
status=$(req vtok "$base/api/v1/retention?period=day%27%20OR%201%3D1")
check "a period with SQL after it: 400 ($status)" test "$status" == 400

# --- The analyst runs SELECTs; nobody writes through Grafana. ---
status=$(g atok /grafana/query "$(target '{"refId":"A","target":"SQL","payload":{"sql":"SELECT count() AS n FROM events"}}')")
check "analyst, target SQL: 200 with 500 ($status: $(short_body 100))" \
  bash -c "[[ $status == 200 ]] && grep -q '\[500\]' '$WORK/body'"
status=$(g atok /grafana/variable '{"payload":{"target":"SELECT DISTINCT platform FROM events"}}')
check "analyst, SQL variable: 200 ($status)" bash -c "[[ $status == 200 ]] && grep -q '\"__value\":\"web\"' '$WORK/body'"
status=$(g atok /grafana/search '{"target":"SELECT DISTINCT platform FROM events"}')
check "analyst, SQL search: 200 ($status)" bash -c "[[ $status == 200 ]] && grep -q '\"web\"' '$WORK/body'"
status=$(g atok /grafana/annotations "{$range,\"annotation\":{\"query\":\"SELECT now() AS time, 'deploy' AS title\"}}")
check "analyst, SQL annotations: 200 ($status)" bash -c "[[ $status == 200 ]] && grep -q '\"title\":\"deploy\"' '$WORK/body'"
for who in atok dtok; do
  status=$(g $who /grafana/query "$(target '{"refId":"A","target":"sql","payload":{"sql":"DELETE FROM events WHERE user_id = '"'user-1'"'"}}')")
  check "$who: DELETE through the sql metric is refused ($status)" bash -c "[[ $status == 400 || $status == 403 ]]"
  status=$(g $who /grafana/variable '{"payload":{"target":"SELECT 1; DELETE FROM events WHERE user_id = '"'user-2'"'"}}')
  check "$who: a second statement after a SELECT variable is refused ($status)" bash -c "[[ $status == 400 || $status == 403 ]]"
  status=$(g $who /grafana/search '{"target":"WITH x AS (SELECT 1) SELECT 1 FROM x; SYSTEM STOP INGEST"}')
  check "$who: SYSTEM after a search SELECT is refused ($status)" bash -c "[[ $status == 400 || $status == 403 ]]"
done

still_intact 500 dtok
check "user-1 and user-2 still have their events" test "$(q dtok "SELECT count() FROM events WHERE user_id IN ('user-1', 'user-2')")" == 20
finish
