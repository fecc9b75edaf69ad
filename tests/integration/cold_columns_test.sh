#!/usr/bin/env bash
# Cold columns (issue 17): with a data directory, event_id and attributes of sealed segments
# are kept on disk only once a checkpoint wrote them; queries over them answer as before, and
# after a SIGTERM restart and a kill -9; --cold-columns none keeps everything resident.
#   cold_columns_test.sh MUA_SERVER
set -u
SERVER=${1:?usage: cold_columns_test.sh MUA_SERVER}
WORK=$(mktemp -d)
source "$(dirname "$0")/lib.sh"

serve() { start_server "$SERVER" cold --retention_days 0 --checkpoint_interval 1 "$@"; }
serve
check "mua-server started" test $? -eq 0

# 3000 events over three days: 32-hex ids in both letter cases, dashed UUIDs, a few other
# ids; attributes on every third event.
python3 - >"$WORK/events.jsonl" <<'PY'
import json, random
random.seed(5)
for i in range(3000):
    hex_id = "%032x" % random.getrandbits(128)
    kind = i % 10
    if kind == 0:
        event_id = hex_id.upper()
    elif kind == 1:
        event_id = "%s-%s-%s-%s-%s" % (hex_id[:8], hex_id[8:12], hex_id[12:16], hex_id[16:20], hex_id[20:])
    elif kind == 2 and i % 50 == 2:
        event_id = "evt-%d" % i
    else:
        event_id = hex_id
    event = {"event_id": event_id, "user_id": "u%d" % (i % 37), "event_type": "screen_view",
             "event_timestamp": "2026-11-%02dT%02d:%02d:00Z" % (20 + i % 3, i % 24, i % 60)}
    if i % 3 == 0:
        event["page"] = {"url": "https://example.com/p/%d" % i, "utm_source": "mail"}
    print(json.dumps(event))
PY
curl -s --max-time 60 --data-binary @"$WORK/events.jsonl" \
  "http://127.0.0.1:$HTTP_PORT/?query=INSERT%20INTO%20events%20FORMAT%20JSONEachRow" >/dev/null
check "3000 events stored" test "$(sql 'SELECT count() FROM events')" == "3000"
query="SELECT event_id, attributes, user_id FROM events ORDER BY event_id, user_id"
sql "$query" >"$WORK/resident.tsv"
check "every event_id as sent" test "$(cut -f1 "$WORK/resident.tsv" | sort)" == \
  "$(python3 -c 'import json,sys; [print(json.loads(l)["event_id"]) for l in open(sys.argv[1])]' "$WORK/events.jsonl" | sort)"

# Idle heads are sealed after 10 s, and the next checkpoint moves the cold columns to disk.
wait_for_sql "SELECT disk_bytes > 0 FROM system.memory WHERE part = 'events_table'" "1" 400
check "cold columns on disk (system.memory disk_bytes)" test "$answer" == "1"
check "a .cold file beside the segments" test -n "$(ls "$WORK/data-cold/files/" | grep '\.cold$')"

expect_same() {  # expect_same WHEN
  sql "$query" >"$WORK/now.tsv"
  check "$1: event_id and attributes read as when resident" cmp -s "$WORK/resident.tsv" "$WORK/now.tsv"
  local id
  id=$(sed -n 1000p "$WORK/resident.tsv" | cut -f1)
  check "$1: WHERE event_id = '$id'" test "$(sql "SELECT count() FROM events WHERE event_id = '$id'")" == "1"
  check "$1: JSONExtract over attributes" test \
    "$(sql "SELECT countIf(JSONExtractString(attributes, 'page', 'utm_source') = 'mail') FROM events")" == "1000"
}
expect_same "cold"

stop_server
check "SIGTERM: clean exit" test $? -eq 0
serve
check "restarted after SIGTERM" test $? -eq 0
expect_same "after SIGTERM"
wait_for_sql "SELECT disk_bytes > 0 FROM system.memory WHERE part = 'events_table'" "1" 100
check "after SIGTERM: cold again after a checkpoint" test "$answer" == "1"
expect_same "after SIGTERM, cold"

kill -KILL "$server_pid"
wait "$server_pid" 2>/dev/null
serve
check "restarted after kill -9" test $? -eq 0
expect_same "after kill -9"
wait_for_sql "SELECT disk_bytes > 0 FROM system.memory WHERE part = 'events_table'" "1" 100
check "after kill -9: cold again after a checkpoint" test "$answer" == "1"
expect_same "after kill -9, cold"

stop_server
serve --cold-columns none
check "restarted with --cold-columns none" test $? -eq 0
sql "SYSTEM FLUSH" >/dev/null  # a checkpoint: it would cool segments if any column were cold
check "--cold-columns none: nothing on disk only" test \
  "$(sql "SELECT disk_bytes FROM system.memory WHERE part = 'events_table'")" == "0"
expect_same "--cold-columns none"
stop_server

start_server "$SERVER" bad --cold-columns event_type
check "--cold-columns refuses a column that is not a string column" test $? -ne 0
grep -q "cold_columns takes" "$WORK/bad.err"
check "--cold-columns: the error names the choices" test $? -eq 0
finish
