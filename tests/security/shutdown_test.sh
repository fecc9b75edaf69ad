#!/usr/bin/env bash
# Issue 15, finding 7 (a SIGTERM waits for a client that vanished mid-upload): with one client
# stuck mid-upload (a head announcing 1 MB, a few bytes, then nothing), one idle keep-alive
# client and another client's slow query running, SIGTERM ends the process (the log says
# "stopping"); after a restart every event loaded and ingested before is there.
#   shutdown_test.sh MUA_SERVER
set -u
SERVER=${1:?usage: shutdown_test.sh MUA_SERVER}
WORK=$(mktemp -d)
source "$(dirname "$0")/lib.sh"

make_events "$WORK/events.jsonl" 50
start_secure stop --load "$WORK/events.jsonl"
check "mua-server started" test $? -eq 0
# 300 more events through HTTP: acknowledged, in the WAL (not in a checkpoint yet).
python3 - "$WORK/more.jsonl" <<'PY'
import datetime, json, sys
t = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
with open(sys.argv[1], "w") as out:
    for i in range(300):
        out.write(json.dumps({"event_id": f"h{i}", "user_id": f"http-{i % 30}", "event_type": "app_open",
                              "event_timestamp": t}) + "\n")
PY
status=$(req - -H 'Content-Type: application/x-ndjson' --data-binary @"$WORK/more.jsonl" "$base/api/v1/events")
check "300 events posted ($status: $(short_body 80))" bash -c "[[ $status == 200 ]] && grep -q '\"accepted\":300' '$WORK/body'"
check "800 events queryable" test "$(q "" "SELECT count() FROM events")" == 800

# The stuck uploader and an idle keep-alive client: they hold their sockets until killed.
python3 - "$HTTP_PORT" <<'PY' &
import socket, sys, time
port = int(sys.argv[1])
stuck = socket.create_connection(("127.0.0.1", port))
stuck.sendall(f"POST / HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Length: 1000000\r\n\r\nINSERT INTO ev".encode())
idle = socket.create_connection(("127.0.0.1", port))
idle.sendall(f"GET /ping HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n".encode())
idle.recv(1000)
while True:  # hold both until killed
    time.sleep(60)
PY
clients_pid=$!
pids+=($clients_pid)
curl -s --max-time 120 --data-binary "$(heavy_sql)" "$base/?query_id=slow" >"$WORK/slow.out" &
slow_pid=$!
pids+=($slow_pid)
running() { [[ "$(q "" "SELECT count() FROM system.processes WHERE query_id = 'slow'")" == 1 ]]; }
check "the slow query runs" wait_until 300 running
connected() { (($(curl -s "$base/metrics" | sed -n 's/^mua_http_connections \([0-9]*\)/\1/p') >= 4)); }
check "the stuck, idle and slow clients are connected (/metrics mua_http_connections >= 4)" wait_until 300 connected

kill -TERM "$server_pid"
exited() { [[ ! -e /proc/$server_pid ]] || [[ "$(awk '{print $3}' "/proc/$server_pid/stat" 2>/dev/null)" == Z ]]; }
check "after SIGTERM the process exits (waited up to 30 s)" wait_until 300 exited
wait "$server_pid"
code=$?
check "... with status 0 ($code)" test "$code" -eq 0
check "the log says stopping" grep -q 'mua-server: stopping' "$WORK/stop.err"
wait "$slow_pid"
kill "$clients_pid" 2>/dev/null

start_secure stop
check "mua-server restarts on the same data directory" test $? -eq 0
check "all 800 events are there after the restart" wait_for_sql "SELECT count() FROM events" 800 50
check "the 300 posted ones too" test "$(q "" "SELECT count() FROM events WHERE startsWith(user_id, 'http-')")" == 300
still_intact 800
finish
