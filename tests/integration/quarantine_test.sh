#!/usr/bin/env bash
# A durable quarantine (issue 17): events_rejected keeps exactly its rows and reasons across a
# SIGTERM restart and a kill -9, for rejects that came over HTTP (in the WAL with the request)
# and from Kafka (in the checkpoint with the offset past them); a DELETE of a user removes
# their rejects for good; the bounds' counts are kept too.
#   quarantine_test.sh MUA_KAFKA_DEV MUA_SERVER
set -u
KAFKA_DEV=${1:?usage: quarantine_test.sh MUA_KAFKA_DEV MUA_SERVER}
SERVER=${2:?}
WORK=$(mktemp -d)
source "$(dirname "$0")/lib.sh"

start_broker "$KAFKA_DEV" --topic mobile_app_events --partitions 4
check "broker started" test -n "$BOOTSTRAP"

# Good and bad events: 3 bad_timestamp, 2 missing_user_id, 1 malformed_json per batch.
batch() {  # batch PREFIX
  local p=$1
  cat <<JSON
{"event_id":"${p}-1","user_id":"alice","event_type":"app_open","event_timestamp":"2026-12-01T10:00:00Z"}
{"event_id":"${p}-2","user_id":"alice","event_type":"app_open","event_timestamp":"yesterday"}
{"event_id":"${p}-3","user_id":"mallory","event_type":"app_open","event_timestamp":"not a time"}
{"event_id":"${p}-4","user_id":"bob","event_type":"app_open","event_timestamp":"2026-13-45T99:00:00Z"}
{"event_id":"${p}-5","event_type":"app_open","event_timestamp":"2026-12-01T10:00:00Z"}
{"event_id":"${p}-6","event_type":"purchase","event_timestamp":"2026-12-01T10:00:00Z"}
{"event_id":"${p}-7","user_id":"bob",
{"event_id":"${p}-8","user_id":"bob","event_type":"purchase","event_timestamp":"2026-12-01T11:00:00Z"}
JSON
}
insert() { curl -s --max-time 30 --data-binary @- "http://127.0.0.1:$HTTP_PORT/?query=INSERT%20INTO%20events%20FORMAT%20JSONEachRow" >/dev/null; }

starts=0
serve() {
  starts=$((starts + 1))
  start_server "$SERVER" quarantine --kafka_brokers "$BOOTSTRAP" --kafka_group "quarantine-$starts" \
    --retention_days 0 --checkpoint_interval 3600
}
by_reason="SELECT source LIKE 'mobile_app_events/%' AS kafka, reason, count() FROM events_rejected GROUP BY kafka, reason ORDER BY kafka, reason"

serve
check "mua-server started" test $? -eq 0
batch http-a | insert
batch kafka-a | kcat -P -b "$BOOTSTRAP" -t mobile_app_events
expected=$'0\tbad_timestamp\t3\n0\tmalformed_json\t1\n0\tmissing_user_id\t2\n1\tbad_timestamp\t3\n1\tmalformed_json\t1\n1\tmissing_user_id\t2'
wait_for_sql "$by_reason" "$expected"
check "HTTP and Kafka rejects by reason" test "$answer" == "$expected"
check "accepted events" test "$(sql 'SELECT count() FROM events')" == "4"

stop_server
check "SIGTERM: clean exit" test $? -eq 0
serve
check "restarted after SIGTERM" test $? -eq 0
answer=$(sql "$by_reason")
check "rejects survive a SIGTERM restart" test "$answer" == "$expected"
# Kafka is not re-read: the stored offsets are past the rejects (nothing doubles).
sleep_until_idle() { wait_for_sql "SELECT count() FROM events" "4" 50; }
sleep_until_idle
answer=$(sql "$by_reason")
check "no reject counted twice after the restart" test "$answer" == "$expected"

# kill -9 with HTTP rejects acknowledged only through the WAL (no checkpoint since: 3600 s),
# and Kafka rejects consumed after the last checkpoint (re-read from the stored offsets).
batch http-b | insert
batch kafka-b | kcat -P -b "$BOOTSTRAP" -t mobile_app_events
expected2=$'0\tbad_timestamp\t6\n0\tmalformed_json\t2\n0\tmissing_user_id\t4\n1\tbad_timestamp\t6\n1\tmalformed_json\t2\n1\tmissing_user_id\t4'
wait_for_sql "$by_reason" "$expected2"
check "second batch rejected" test "$answer" == "$expected2"
kill -KILL "$server_pid"
wait "$server_pid" 2>/dev/null
serve
check "restarted after kill -9" test $? -eq 0
wait_for_sql "$by_reason" "$expected2"
check "rejects survive kill -9 exactly once (HTTP from the WAL, Kafka re-read)" test "$answer" == "$expected2"
wait_for_sql "SELECT count() FROM events" "8"
check "accepted events after kill -9" test "$answer" == "8"
total=$(sql "SELECT count() FROM events_rejected")
check "events_rejected holds 24 rows ($total)" test "$total" == "24"

# GDPR: mallory's rejects (one per batch and source) go, and stay gone after a kill -9.
got=$(sql "SELECT count() FROM events_rejected WHERE user_id = 'mallory'")
check "mallory has 4 rejects before the DELETE ($got)" test "$got" == "4"
sql "DELETE FROM events WHERE user_id = 'mallory'" >/dev/null
got=$(sql "SELECT count() FROM events_rejected WHERE user_id = 'mallory'")
check "the DELETE removed mallory's rejects ($got)" test "$got" == "0"
kill -KILL "$server_pid"
wait "$server_pid" 2>/dev/null
serve
check "restarted after the DELETE and kill -9" test $? -eq 0
wait_for_sql "SELECT count() FROM events_rejected" "20"
check "mallory's rejects stay erased ($answer rows)" test "$answer" == "20"
got=$(sql "SELECT count() FROM events_rejected WHERE user_id = 'mallory' OR payload LIKE '%mallory%'")
check "no trace of mallory ($got)" test "$got" == "0"
stop_server
finish
