#!/usr/bin/env bash
# Durability figures (SPEC §8, §10 "restart with 100 M events on disk < 10 s"):
#   1. mua-gen streams EVENTS events into `mua-server --load` with a data directory:
#      load + first checkpoint rate, persisted bytes per event;
#   2. mua-server restarts on that directory: seconds until the HTTP endpoint answers
#      count() with every event (what a dashboard sees), and the server's own account
#      (checkpoint load vs de-duplication refill).
#   restart_bench.sh BUILD_DIR [EVENTS]       e.g. restart_bench.sh build/release 100000000
# Needs ~20 bytes of disk per event under $TMPDIR; nothing is kept afterwards.
set -euo pipefail
BUILD=${1:?usage: restart_bench.sh BUILD_DIR [EVENTS]}
EVENTS=${2:-10000000}
BIN=$BUILD/bin
WORK=$(mktemp -d)
server_pid=""
trap '[[ -n "$server_pid" ]] && kill -KILL "$server_pid" 2>/dev/null; rm -rf "$WORK"' EXIT
users=$((EVENTS / 100))  # mua-gen: about 100 events per user

echo "== load $EVENTS events (mua-gen --users $users --days 30) into $WORK/data"
start=$(date +%s.%N)
"$BIN/mua-gen" --users "$users" --days 30 --out - 2>"$WORK/gen.err" |
  "$BIN/mua-server" --load /dev/stdin --data_dir "$WORK/data" --retention_days 0 --verbose \
    --query "SELECT count() FROM events" >"$WORK/count" 2>"$WORK/load.err"
end=$(date +%s.%N)
rows=$(cat "$WORK/count")
bytes=$(du -sb "$WORK/data/files" | cut -f1)
python3 - "$rows" "$bytes" "$start" "$end" <<'PY'
import sys
rows, size, start, end = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4])
print(f"stored rows           {rows:,}")
print(f"load + checkpoint     {end - start:.1f} s  ({rows / (end - start):,.0f} events/s, JSON decode included)")
print(f"persisted             {size / 1e6:,.1f} MB = {size / rows:.2f} bytes/event")
PY

echo "== restart on the data directory"
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
start=$(date +%s.%N)
"$BIN/mua-server" --data_dir "$WORK/data" --retention_days 0 --http "127.0.0.1:$port" \
  --audit_log "$WORK/audit.jsonl" 2>"$WORK/restart.err" &
server_pid=$!
until [[ "$(curl -s --max-time 1 --data-binary 'SELECT count() FROM events' "http://127.0.0.1:$port/" 2>/dev/null)" == "$rows" ]]; do
  sleep 0.02
done
end=$(date +%s.%N)
rss_kb=$(awk '/VmRSS/ {print $2}' "/proc/$server_pid/status")
python3 -c "import sys; print(f'queryable after       {float(sys.argv[2]) - float(sys.argv[1]):.2f} s (process start to count() = {int(sys.argv[3]):,} over HTTP)')" "$start" "$end" "$rows"
echo "resident              $((rss_kb / 1024)) MiB = $(python3 -c "print(f'{$rss_kb * 1024 / $rows:.1f}')") bytes/event"
for _ in $(seq 300); do grep -q 'de-duplication' "$WORK/restart.err" && break; sleep 0.1; done
grep -E '^mua(-server)?: (loaded|data directory|de-duplication)' "$WORK/restart.err" | sed 's/^/server says: /'
