#!/usr/bin/env bash
# End to end: mua-gen produces to mua-kafka-dev, mua-server consumes and answers
# SQL over HTTP (ClickHouse-compatible), then restarts without loss or duplicates.
#   server_kafka_test.sh MUA_KAFKA_DEV MUA_GEN MUA_SERVER
set -u
KAFKA_DEV=${1:?usage: server_kafka_test.sh MUA_KAFKA_DEV MUA_GEN MUA_SERVER}
GEN=${2:?}
SERVER=${3:?}
WORK=$(mktemp -d)
source "$(dirname "$0")/lib.sh"

start_broker "$KAFKA_DEV"
check "broker printed its bootstrap address" test -n "$BOOTSTRAP"

"$GEN" --users 300 --days 2 --duplicate-share 0.03 --invalid-share 0.02 \
  --kafka-brokers "$BOOTSTRAP" --kafka-topic mobile_app_events 2>"$WORK/gen.err"
events=$(sed -n 's/^mua-gen: \([0-9]*\) events (\([0-9]*\) duplicates).*/\1/p' "$WORK/gen.err")
duplicates=$(sed -n 's/^mua-gen: \([0-9]*\) events (\([0-9]*\) duplicates).*/\2/p' "$WORK/gen.err")
expected=$((events - duplicates))
check "mua-gen produced events" test "$expected" -gt 1000

start_server "$SERVER" server --kafka_brokers "$BOOTSTRAP"
check "GET /ping answers Ok." test "$(curl -s "http://127.0.0.1:$HTTP_PORT/ping")" == "Ok."
wait_for_sql "SELECT count() FROM events" "$expected"
check "every valid, non-duplicate event is queryable ($answer of $expected)" test "$answer" == "$expected"
users=$(curl -s "http://127.0.0.1:$HTTP_PORT/?query=SELECT%20uniqExact(user_id)%20FROM%20events")
check "GET /?query= answers (users: $users)" test "$users" -gt 100
json=$(sql "SELECT toDate(event_time) AS d, count() AS c FROM events GROUP BY d ORDER BY d FORMAT JSONEachRow")
check "FORMAT JSONEachRow rows" bash -c "[[ \"\$(echo '$json' | head -1)\" == '{\"d\":\"2026-10-01\",\"c\":\"'* ]]"
headers=$(curl -s -i --data-binary "SELECT usr_id FROM events" "http://127.0.0.1:$HTTP_PORT/")
check "bad SQL: 404 with X-ClickHouse-Exception-Code 47" bash -c "grep -q '404 Not Found' <<<\"\$0\" && grep -qi 'X-ClickHouse-Exception-Code: 47' <<<\"\$0\" && grep -q 'Code: 47. DB::Exception: line 1, column 8' <<<\"\$0\"" "$headers"

# A clean restart: the in-memory table starts empty and reads every retained message again.
stop_server
check "SIGTERM stops the server cleanly" test $? -eq 0
start_server "$SERVER" server --kafka_brokers "$BOOTSTRAP"
wait_for_sql "SELECT count() FROM events" "$expected"
check "after a restart: nothing lost, nothing twice ($answer of $expected)" test "$answer" == "$expected"
stop_server
finish
