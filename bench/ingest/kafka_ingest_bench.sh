#!/usr/bin/env bash
# Kafka JSON ingest, end to end (SPEC §7, §10): events/s from the broker to queryable,
# and freshness (produce -> queryable) at a steady rate.
#   bench/ingest/kafka_ingest_bench.sh BUILD_DIR [EVENTS=10000000] [FRESHNESS_RATE=100000]
#
# mua-kafka-dev keeps only ~5 MB per partition, and on 2 cores a producer competes with
# MUA for CPU. So the rate is measured in rounds: with consumption stopped (SYSTEM STOP
# INGEST) mua-gen fills the broker with a round of events, then consumption starts and
# the time until every event of the round is queryable is summed. Freshness is measured
# with mua-gen producing at a steady rate while MUA consumes; MUA records, per message,
# Kafka's CreateTime to the end of its batch's append (system.ingest_summary).
set -euo pipefail
BUILD=${1:?usage: kafka_ingest_bench.sh BUILD_DIR [EVENTS] [FRESHNESS_RATE]}
EVENTS=${2:-10000000}
RATE=${3:-100000}
BIN=$BUILD/bin
WORK=$(mktemp -d)
pids=()
cleanup() { for pid in "${pids[@]}"; do { kill -KILL "$pid" && wait "$pid"; } 2>/dev/null || true; done; rm -rf "$WORK"; }
trap cleanup EXIT
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
now() { date +%s.%N; }

BROKER_PORT=$(free_port)
"$BIN/mua-kafka-dev" --port "$BROKER_PORT" --topic mobile_app_events --partitions 32 \
  --topic fresh_events --partitions 32 >"$WORK/broker.out" 2>&1 &
pids+=($!)
sleep 1
BOOTSTRAP=127.0.0.1:$BROKER_PORT

start_server() {  # start_server TOPIC
  HTTP_PORT=$(free_port)
  "$BIN/mua-server" --kafka_brokers "$BOOTSTRAP" --kafka_topic "$1" --http "127.0.0.1:$HTTP_PORT" \
    >"$WORK/server-$1.log" 2>&1 &
  server_pid=$!
  pids+=($server_pid)
  until [[ "$(curl -s "http://127.0.0.1:$HTTP_PORT/ping")" == "Ok." ]]; do sleep 0.1; done
}
sql() { curl -s --data-binary "$1" "http://127.0.0.1:$HTTP_PORT/"; }

if [[ -z "${FRESHNESS_ONLY:-}" ]]; then
# --- Rate: rounds of ~1 M events (what the broker's retention holds comfortably). -------
start_server mobile_app_events
sql "SYSTEM STOP INGEST" >/dev/null
users_per_round=4000   # x 30 days ~ 430 k events (~107 per user)
stored=0
drain_seconds=0
round=0
while (( stored < EVENTS )); do
  round=$((round + 1))
  # Distinct UUID event ids per round (seed), so no round repeats another's events.
  "$BIN/mua-gen" --users $users_per_round --days 30 --seed $((1000 + round)) --event-ids uuid \
    --kafka-brokers "$BOOTSTRAP" 2>"$WORK/gen-$round.err"
  produced=$(sed -n 's/^mua-gen: \([0-9]*\) events (\([0-9]*\) duplicates).*/\1 \2/p' "$WORK/gen-$round.err")
  read -r events duplicates <<<"$produced"
  target=$((stored + events - duplicates))
  start=$(now)
  sql "SYSTEM START INGEST" >/dev/null
  until [[ "$(sql 'SELECT count() FROM events')" == "$target" ]]; do sleep 0.02; done
  end=$(now)
  sql "SYSTEM STOP INGEST" >/dev/null
  seconds=$(python3 -c "print($end - $start)")
  drain_seconds=$(python3 -c "print($drain_seconds + $seconds)")
  echo "round $round: $((target - stored)) events queryable in $(printf '%.2f' "$seconds") s ($(python3 -c "print(int(($target - $stored) / $seconds))") events/s)"
  stored=$target
done
rss_kb=$(awk '/VmRSS/ {print $2}' /proc/$server_pid/status)
echo "RATE: $stored events from the broker to queryable in $(printf '%.2f' "$drain_seconds") s = $(python3 -c "print(int($stored / $drain_seconds))") events/s; server RSS $((rss_kb / 1024)) MiB"
sql "SELECT state, messages, events, duplicates, rejected, batches FROM system.ingest_summary FORMAT Vertical"
kill -TERM "$server_pid"; wait "$server_pid" || true
fi

# --- Freshness at a steady rate, consumer running. -------------------------------------
start_server fresh_events
# Wait until the group has joined (a first event is applied), then measure on a warm consumer.
"$BIN/mua-gen" --users 50 --days 1 --seed 1 --event-ids uuid --kafka-brokers "$BOOTSTRAP" \
  --kafka-topic fresh_events 2>/dev/null
until [[ "$(sql "SELECT count() > 0 FROM events")" == 1 ]]; do sleep 0.2; done
sleep 2
duration=30
users=$(( RATE * duration / 107 ))   # ~107 events per user over 30 days
"$BIN/mua-gen" --users "$users" --days 30 --seed 7 --event-ids uuid --rate "$RATE" \
  --kafka-brokers "$BOOTSTRAP" --kafka-topic fresh_events 2>"$WORK/gen-fresh.err"
cat "$WORK/gen-fresh.err"
sleep 2
echo "FRESHNESS at $RATE events/s (produce -> queryable, every message since the server started):"
sql "SELECT freshness_p50_ms, freshness_p99_ms, freshness_max_ms, messages, events FROM system.ingest_summary FORMAT Vertical"
