#!/usr/bin/env bash
# De-duplication by arrival window (issue 17): repeats sent over HTTP are dropped across a
# SIGTERM restart and a kill -9 (the window is in the checkpoint, later events come back
# through the WAL replay), with no refill pass; a short --dedup_window lets a repeat in
# again once it has passed; a data directory of the previous release (no dedup snapshot)
# has its stored events in the window after the upgrade.
#   dedup_window_integration.sh MUA_SERVER
set -u
SERVER=${1:?usage: dedup_window_integration.sh MUA_SERVER}
WORK=$(mktemp -d)
source "$(dirname "$0")/lib.sh"
FIXTURE="$(cd "$(dirname "$0")/../storage/testdata" && pwd)/pre_attributes_data_dir"

batch() {  # batch PREFIX COUNT: COUNT events, ids PREFIX-1..COUNT, event times years apart
  local p=$1 n=$2 i
  for ((i = 1; i <= n; i++)); do
    printf '{"event_id":"%s-%d","user_id":"user%d","event_type":"app_open","event_timestamp":"20%02d-11-%02dT10:00:00Z"}\n' \
      "$p" "$i" $((i % 3)) $((25 + i % 2)) $((1 + i % 28))
  done
}
insert() { curl -s --max-time 30 --data-binary @- "http://127.0.0.1:$HTTP_PORT/?query=INSERT%20INTO%20events%20FORMAT%20JSONEachRow"; }
count() { sql "SELECT count() FROM events"; }
dedup() { sql "SELECT dedup_window_seconds, dedup_entries, dedup_aged_out FROM system.ingest_summary"; }

serve() {  # serve NAME [flags...]
  local name=$1
  shift
  start_server "$SERVER" "$name" --retention_days 0 --checkpoint_interval 3600 "$@"
}

# --- SIGTERM restart: the final checkpoint holds the window.
serve main
check "mua-server started" test $? -eq 0
batch a 20 | insert
check "20 events stored" test "$(count)" == "20"
batch a 20 | insert
check "a repeat of all 20 is dropped" test "$(count)" == "20"
check "system.ingest_summary: 7-day window, 20 entries, none aged out" test "$(dedup)" == $'604800\t20\t0'
stop_server
check "SIGTERM: clean exit" test $? -eq 0
serve main
check "restarted after SIGTERM" test $? -eq 0
check "the window is back at once (20 entries)" test "$(dedup)" == $'604800\t20\t0'
check "no refill pass of the stored table" bash -c "! grep -q 'window filled from' '$WORK/main.err'"
batch a 20 | insert
check "after the restart the 20 are still duplicates" test "$(count)" == "20"

# --- kill -9: b is in the last checkpoint (SYSTEM FLUSH), c only in the WAL.
batch b 10 | insert
check "SYSTEM FLUSH" test "$(sql 'SYSTEM FLUSH')" != ""
batch c 7 | insert
check "37 events stored" test "$(count)" == "37"
kill -KILL "$server_pid"
wait "$server_pid" 2>/dev/null
serve main
check "restarted after kill -9" test $? -eq 0
check "37 events after kill -9" test "$(count)" == "37"
check "37 entries after kill -9 (checkpoint + WAL replay)" test "$(dedup)" == $'604800\t37\t0'
{ batch a 20; batch b 10; batch c 7; } | insert
check "after kill -9 every repeat is dropped (checkpoint and WAL)" test "$(count)" == "37"
batch d 3 | insert
check "new events still come in" test "$(count)" == "40"
stop_server

# --- A 2-second window: a repeat within it is dropped, after it accepted again.
serve short --dedup_window 2s
check "mua-server --dedup_window 2s started" test $? -eq 0
start=$(date +%s.%N)
batch s 5 | insert
batch s 5 | insert
end=$(date +%s.%N)
second=$(count)
# Arrivals count in whole seconds: the repeat is inside the 2 s window for sure only when
# both inserts took under a second (they take milliseconds).
if python3 -c "import sys; sys.exit(0 if $end - $start < 1 else 1)"; then
  check "a repeat within 2 s is dropped" test "$second" == "5"
fi
check "system.ingest_summary shows the 2 s window" test "$(dedup | cut -f1)" == "2"
# Wait for the clock to pass the window after the last arrival (a condition, not a guess).
until python3 -c "import sys, time; sys.exit(0 if time.time() >= $end + 2 else 1)"; do sleep 0.1; done
batch s 5 | insert
check "after the window the same events are accepted again" test "$(count)" == "$((second + 5))"
# Each accepted repeat found its entry aged out (5 or, had the 2nd insert been slow, 10).
check "the entries counted as aged out" test "$(dedup)" == $'2\t5\t'"$second"
stop_server

# --- --dedup_window 0: no de-duplication; a bad value is refused.
serve off --dedup_window 0
check "mua-server --dedup_window 0 started" test $? -eq 0
batch o 4 | insert
batch o 4 | insert
check "with the window off repeats are stored" test "$(count)" == "8"
check "window 0, nothing held" test "$(dedup)" == $'0\t0\t0'
stop_server
"$SERVER" --dedup_window 7x --data_dir "$WORK/bad" --http 127.0.0.1:0 >/dev/null 2>"$WORK/bad.err"
check "a malformed --dedup_window is refused" test $? -ne 0
check "... naming the flag" grep -q -- "--dedup_window" "$WORK/bad.err"

# --- Upgrade: a data directory of the previous release (no dedup snapshot in MANIFEST).
if [[ -d "$FIXTURE" ]]; then
  cp -r "$FIXTURE" "$WORK/data-upgrade"
  serve upgrade
  check "mua-server opens the previous release's data directory" test $? -eq 0
  check "its 3 events" test "$(count)" == "3"
  check "stored events recorded once as arriving now" grep -q "window filled from 3 stored events" "$WORK/upgrade.err"
  insert <<'JSON'
{"event_id":"e1","user_id":"u1","event_type":"app_open","event_timestamp":"2026-10-01T10:00:00Z"}
{"event_id":"e2","user_id":"u2","event_type":"purchase","event_timestamp":"2026-10-02T10:00:00Z"}
{"event_id":"e3","user_id":"u1","event_type":"screen_view","event_timestamp":"2026-10-02T11:00:00Z"}
JSON
  check "re-sent events of the old data directory are duplicates" test "$(count)" == "3"
  stop_server
  serve upgrade
  check "restarted after the upgrade" test $? -eq 0
  check "the next start restores the snapshot (no second refill)" test "$(grep -c 'window filled from' "$WORK/upgrade.err")" == "0"
  check "3 entries held" test "$(dedup | cut -f2)" == "3"
  stop_server
fi

finish
