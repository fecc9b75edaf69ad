#!/usr/bin/env bash
# HTTP load (SPEC §10): 64 concurrent closed-loop clients running a product dashboard's
# seven panels (dashboard.lua) against mua-server holding a mua-gen month (~10 M events),
# with wrk, first with the result cache (use_query_cache=1), then without; each run after a
# 5 s warm-up. Then 1000 concurrent idle keep-alive connections held while the server keeps
# answering.
#   bench/http/dashboard_load.sh BUILD_DIR [EVENTS_JSONL] [SECONDS=20]
set -euo pipefail
BUILD=${1:?usage: dashboard_load.sh BUILD_DIR [EVENTS_JSONL] [SECONDS]}
DATA=${2:-build/bench-data/u100000-d30-s42/events.jsonl}
SECONDS_RUN=${3:-20}
command -v wrk >/dev/null || { echo "wrk missing: apt-get install wrk" >&2; exit 1; }
[[ -f "$DATA" ]] || { echo "$DATA missing: bench/queries/run_bench.sh generates it" >&2; exit 1; }
ulimit -n 8192
WORK=$(mktemp -d)
PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
# 64 clients: every request is admitted and waits for one of the execution slots (the
# default --max_concurrent_queries 32 would refuse half of them with 503 when all are busy).
"$BUILD/bin/mua-server" --load "$DATA" --http "127.0.0.1:$PORT" --audit_log "$WORK/audit.jsonl" --data_dir "" \
  --max_concurrent_queries 128 ${SERVER_FLAGS:-} \
  >"$WORK/server.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null; rm -rf "$WORK"' EXIT
until [[ "$(curl -s "http://127.0.0.1:$PORT/ping")" == "Ok." ]]; do sleep 0.5; done
echo "events: $(curl -s --data-binary 'SELECT count() FROM events' "http://127.0.0.1:$PORT/")"
echo "resident: $(( $(awk '/VmRSS/ {print $2}' /proc/$server/status) / 1024 )) MiB"
# Warm up, then measure: with the result cache, then without.
for cache in 1 0; do
  echo "== result cache $([[ $cache == 1 ]] && echo on || echo off) (use_query_cache=$cache)"
  QUERY_CACHE=$cache wrk -t2 -c64 -d5s --timeout 60s -s "$(dirname "$0")/dashboard.lua" "http://127.0.0.1:$PORT/" >/dev/null
  QUERY_CACHE=$cache wrk -t2 -c64 -d"${SECONDS_RUN}s" --timeout 60s --latency -s "$(dirname "$0")/dashboard.lua" "http://127.0.0.1:$PORT/"
done

# The last run's queued statements finish first (wrk stopped waiting for them, not the server).
until [[ "$(curl -s "http://127.0.0.1:$PORT/metrics" | awk '$1 == "mua_queries_running" {print $2}')" == "0" ]]; do
  sleep 0.5
done
python3 - "$PORT" <<'PY'
import socket, sys, time
port = int(sys.argv[1])
held = []
for i in range(1000):
    s = socket.create_connection(("127.0.0.1", port))
    s.sendall(b"GET /ping HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
    held.append(s)
answered = sum(1 for s in held if b"Ok." in s.recv(4096))
time.sleep(2)
probe = socket.create_connection(("127.0.0.1", port))
probe.sendall(b"GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
time.sleep(0.5)
metrics = probe.recv(1 << 20).decode()
open_connections = [l for l in metrics.splitlines() if l.startswith("mua_http_connections ")]
still = 0
for s in held:
    s.sendall(b"GET /ping HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
for s in held:
    still += b"Ok." in s.recv(4096)
print(f"IDLE: 1000 keep-alive connections opened, {answered} answered; server reports "
      f"{open_connections}; after 2 s idle {still} of 1000 answer again")
PY
