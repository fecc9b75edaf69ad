#!/usr/bin/env bash
# `make run`: MUA on its embedded default — the local dev broker (mua-kafka-dev),
# generated demo events flowing into it (mua-gen), and mua-server consuming them
# and answering SQL over HTTP on 127.0.0.1:8720. Ctrl-C stops everything, in order
# (the children run in their own sessions so the terminal's Ctrl-C reaches only this script).
set -euo pipefail
build_dir=${1:-build/release}
bin="$build_dir/bin"
broker_port=${MUA_DEMO_BROKER_PORT:-19092}
http_port=${MUA_DEMO_HTTP_PORT:-8720}
work=$(mktemp -d)
pids=()
cleanup() {
  # Reverse order: generator, then the server (it commits its offsets), then the broker.
  for ((i = ${#pids[@]} - 1; i >= 0; i--)); do
    kill -TERM "${pids[i]}" 2>/dev/null || true
    wait "${pids[i]}" 2>/dev/null || true
  done
  rm -rf "$work"
}
trap cleanup EXIT INT TERM

setsid "$bin/mua-kafka-dev" --port "$broker_port" >"$work/broker.out" 2>&1 &
pids+=($!)
for _ in $(seq 100); do grep -q '^bootstrap:' "$work/broker.out" && break; sleep 0.1; done
bootstrap=$(sed -n 's/^bootstrap: //p' "$work/broker.out")
echo "dev broker: $bootstrap (topic mobile_app_events, 32 partitions)"

# The data directory lives as long as the demo's broker (both are scratch).
setsid "$bin/mua-server" --kafka_brokers "$bootstrap" --http "127.0.0.1:$http_port" \
  --data_dir "$work/data" --audit_log "$work/audit.jsonl" &
pids+=($!)
for _ in $(seq 100); do curl -s --max-time 1 "http://127.0.0.1:$http_port/ping" >/dev/null && break; sleep 0.1; done

# A month of history for 5000 users, produced while the server consumes (the dev
# broker keeps only the newest ~5 MB per partition), then live events trickling in.
"$bin/mua-gen" --users 5000 --days 30 --duplicate-share 0.01 --invalid-share 0.005 \
  --kafka-brokers "$bootstrap" --kafka-topic mobile_app_events --rate 200000
( while true; do
    "$bin/mua-gen" --users 200 --days 1 --start "$(date -u +%F)" --seed "$RANDOM" \
      --kafka-brokers "$bootstrap" --kafka-topic mobile_app_events --rate 500 2>/dev/null || exit 0
  done ) &
pids+=($!)
sleep 2

query() { echo "> $1"; curl -s --data-binary "$1 FORMAT PrettyCompact" "http://127.0.0.1:$http_port/"; }
query "SELECT count() AS events, uniqExact(user_id) AS users FROM events"
query "SELECT bucket, dau, wau, mau FROM active_users(from => '2026-10-24', to => '2026-10-31')"
query "SELECT step, event, users, round(pct_of_first, 1) AS pct FROM funnel(steps => ['app_open', 'view_item', 'add_to_cart', 'purchase'], window => INTERVAL 1 DAY)"
query "SELECT app_version, round(crash_free_sessions_pct, 2) AS crash_free_sessions_pct FROM crash_health()"
cat <<MSG

MUA is running: HTTP on 127.0.0.1:$http_port (ClickHouse-compatible), live events flowing in.
  $bin/mua-shell                     # the SQL client (another terminal)
  curl 'http://127.0.0.1:$http_port/?query=SELECT+count()+FROM+events'
  curl --data-binary "SELECT * FROM retention_matrix(period => 'week') FORMAT PrettyCompact" http://127.0.0.1:$http_port/
Ctrl-C stops the server, the generator and the broker.
MSG
wait "${pids[1]}"
