#!/usr/bin/env bash
# Issue 15's load test: probes (/ping, /health, /metrics) under 64 clients of heavy queries,
# and the per-query memory cap (max_memory_usage -> error 241) with the server's RSS measured.
#   bench/security/probe_load.sh [--build DIR] [--events N] [--smoke] [--clients N]
#                                [--seconds S] [--caps LIST] [--work DIR]
# --build: a build directory with bin/mua-server and bin/mua-gen (default: build/release;
#   this script builds nothing). --events: mua-gen volume, e.g. 2m (default) or 100k (about
#   105 events per user over 30 days; the file is kept in WORK and reused).
# --smoke: 8 clients, 10 s, 100 k events, one 100 MB cap, no idle wait before the baseline
#   (CTest probe_load_smoke: correctness only — probes answered 200, 241 seen, server alive).
# The rest is bench/security/probe_load.py (its --help); extra flags after -- go to it.
# Exit status 1 when an answer is wrong or the server dies; timings are printed, not asserted.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=$ROOT/build/release
EVENTS=2m
CLIENTS=64
SECONDS_RUN=60
CAPS=100M,500M,1G
SETTLE=11
WORK=""
EXTRA=()
while [[ $# -gt 0 ]]; do
  case $1 in
    --build) BUILD=$2; shift 2 ;;
    --events) EVENTS=$2; shift 2 ;;
    --clients) CLIENTS=$2; shift 2 ;;
    --seconds) SECONDS_RUN=$2; shift 2 ;;
    --caps) CAPS=$2; shift 2 ;;
    --work) WORK=$2; shift 2 ;;
    --smoke) EVENTS=100k; CLIENTS=8; SECONDS_RUN=10; CAPS=100M; SETTLE=0; shift ;;
    --) shift; EXTRA=("$@"); break ;;
    -h|--help) sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "unknown argument: $1 (see --help)" >&2; exit 2 ;;
  esac
done
BUILD=$(cd "$BUILD" && pwd)
for bin in mua-server mua-gen; do
  [[ -x "$BUILD/bin/$bin" ]] || { echo "$BUILD/bin/$bin missing: build it first" >&2; exit 2; }
done
WORK=${WORK:-$BUILD/bench-security/probe_load}
mkdir -p "$WORK"

# 2m, 100k, 2000000 -> events; mua-gen makes about 105.7 events per user over 30 days.
count=$(python3 -c 'import sys; t = sys.argv[1].lower(); m = {"k": 10**3, "m": 10**6}
print(int(float(t[:-1]) * m[t[-1]]) if t[-1] in m else int(t))' "$EVENTS")
USERS=$(( (count * 1000 + 105664) / 105665 ))
DATA=$WORK/events-u$USERS-d30.jsonl
if [[ ! -f "$DATA.done" ]]; then
  "$BUILD/bin/mua-gen" --users "$USERS" --days 30 --seed 42 --out "$DATA"
  touch "$DATA.done"
fi

PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$BUILD/bin/mua-server" --load "$DATA" --data-dir= --retention-days 0 --http "127.0.0.1:$PORT" \
  --audit-log "$WORK/audit.jsonl" ${SERVER_FLAGS:-} >"$WORK/server.log" 2>&1 &
server=$!
stop_server() {
  [[ -n "${server:-}" ]] || return 0
  kill -TERM "$server" 2>/dev/null || true
  # SIGTERM completes within 5 s (issue 15); KILL only a server that hangs.
  for _ in $(seq 300); do kill -0 "$server" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "$server" 2>/dev/null || true
  local status=0
  wait "$server" || status=$?
  server=""
  return $status
}
trap 'stop_server || true' EXIT
started=$(date +%s.%N)
until [[ "$(curl -s --max-time 2 "http://127.0.0.1:$PORT/ping")" == "Ok." ]]; do
  if ! kill -0 "$server" 2>/dev/null; then
    echo "FAILED: mua-server exited while loading:" >&2
    tail -20 "$WORK/server.log" >&2
    exit 1
  fi
  sleep 0.2
done
loaded=$(curl -s --data-binary 'SELECT count() FROM events' "http://127.0.0.1:$PORT/")
echo "mua-server $BUILD/bin/mua-server (pid $server, port $PORT): $loaded events from $DATA," \
  "loaded in $(python3 -c "import sys; print(f'{float(sys.argv[2]) - float(sys.argv[1]):.1f}')" "$started" "$(date +%s.%N)") s," \
  "VmRSS $(( $(awk '/VmRSS/ {print $2}' /proc/$server/status) / 1024 )) MiB"
echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo) RAM," \
  "load average at start $(cut -d' ' -f1-3 /proc/loadavg)"

status=0
python3 "$ROOT/bench/security/probe_load.py" --port "$PORT" --pid "$server" --clients "$CLIENTS" \
  --seconds "$SECONDS_RUN" --caps "$CAPS" --settle "$SETTLE" --queries-dir "$ROOT/bench/queries" \
  "${EXTRA[@]}" || status=$?
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
server_status=0
stop_server || server_status=$?
if [[ $server_status -ne 0 ]]; then
  echo "FAILED: mua-server exited with status $server_status on SIGTERM (log: $WORK/server.log)"
  # A sanitizer report ends with its legend: show its first lines and summary instead.
  if grep -q 'ERROR: \(Address\|Leak\|Undefined\)Sanitizer\|runtime error:' "$WORK/server.log"; then
    grep -m1 -A14 'ERROR: \(Address\|Leak\|Undefined\)Sanitizer\|runtime error:' "$WORK/server.log" | cut -c1-240
    grep '^SUMMARY' "$WORK/server.log" | cut -c1-400
  else
    tail -20 "$WORK/server.log"
  fi
  status=1
fi
exit $status
