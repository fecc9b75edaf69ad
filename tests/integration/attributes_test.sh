#!/usr/bin/env bash
# The attributes column (issue 17): fields outside the mapped columns, sent over HTTP
# INSERT JSONEachRow, come back from `attributes`, readable with JSONExtract*/JSONHas, and
# stay after a kill -9 (the WAL) and a SIGTERM restart (the checkpoint).
#   attributes_test.sh MUA_SERVER
set -u
SERVER=${1:?usage: attributes_test.sh MUA_SERVER}
WORK=$(mktemp -d)
source "$(dirname "$0")/lib.sh"

serve() { start_server "$SERVER" attributes --retention_days 0 --checkpoint_interval 3600; }
serve
check "mua-server started" test $? -eq 0

described=$(sql "DESCRIBE events" | awk -F'\t' '$1 == "attributes" {print $2}')
check "DESCRIBE events: attributes String ($described)" test "$described" == "String"

# Seed-003 style envelopes: nested objects partly mapped (user.user_id, device.os_version ...).
curl -s --max-time 30 --data-binary @- \
  "http://127.0.0.1:$HTTP_PORT/?query=INSERT%20INTO%20events%20FORMAT%20JSONEachRow" >/dev/null <<'JSON'
{"event_id":"a1","event_type":"purchase","event_timestamp":"2026-12-01T10:00:00Z","event_version":"2.1","user":{"user_id":"u1","user_segment":"vip","is_authenticated":true},"device":{"device_id":"d-77","browser":"Safari","os_version":"17.1"},"page":{"url":"https://shop.example/p/1","utm_source":"newsletter","utm_medium":"email","utm_campaign":"xmas"},"geo":{"country":"FR","timezone":"Europe/Paris"},"ab_test_variants":{"checkout":"B"},"transaction":{"amount":19.99,"currency":"EUR"},"session":{"session_id":"s1","event_index":7}}
{"event_id":"a2","user_id":"u2","event_type":"app_open","event_timestamp":"2026-12-01T11:00:00Z"}
JSON
check "both events stored" test "$(sql 'SELECT count() FROM events')" == "2"

expect_answers() {  # expect_answers WHEN
  local got
  got=$(sql "SELECT event_id, JSONExtractString(attributes, 'page', 'utm_source'),
      JSONExtractString(attributes, 'user', 'user_segment'), JSONHas(attributes, 'user', 'user_id'),
      JSONExtractString(attributes, 'device', 'browser'), JSONExtractFloat(attributes, 'transaction', 'amount'),
      JSONExtractString(attributes, 'ab_test_variants', 'checkout'), JSONExtractInt(attributes, 'session', 'event_index'),
      JSONExtractString(attributes, 'geo', 'timezone'), attributes = ''
    FROM events ORDER BY event_id")
  check "$1: attributes read with JSONExtract/JSONHas" test "$got" == \
    $'a1\tnewsletter\tvip\t0\tSafari\t19.99\tB\t7\tEurope/Paris\t0\na2\t\t\t0\t\t0\t\t0\t\t1'
  got=$(sql "SELECT user_id, country, session_id FROM events WHERE event_id = 'a1'")
  check "$1: mapped fields stay in their columns" test "$got" == $'u1\tFR\ts1'
}
expect_answers "after INSERT"
full=$(sql "SELECT attributes FROM events WHERE event_id = 'a1'")

kill -KILL "$server_pid"
wait "$server_pid" 2>/dev/null
serve
check "restarted after kill -9" test $? -eq 0
expect_answers "after kill -9 (WAL)"
check "after kill -9: the same attributes text" test "$(sql "SELECT attributes FROM events WHERE event_id = 'a1'")" == "$full"

stop_server
check "SIGTERM: clean exit" test $? -eq 0
serve
check "restarted after SIGTERM" test $? -eq 0
expect_answers "after SIGTERM (checkpoint)"
check "after SIGTERM: the same attributes text" test "$(sql "SELECT attributes FROM events WHERE event_id = 'a1'")" == "$full"
stop_server
finish
