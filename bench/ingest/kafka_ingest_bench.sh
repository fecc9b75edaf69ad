#!/usr/bin/env bash
# Kafka JSON ingest, end to end (SPEC §7, §10): events/s from the broker to queryable,
# and freshness (produce -> queryable) at a steady rate.
#   bench/ingest/kafka_ingest_bench.sh BUILD_DIR [EVENTS=10000000] [FRESHNESS_RATE=100000]
#
# Rate: mua-gen produces EVENTS at OFFERED events/s (env, default 200 k) while MUA consumes;
# the figure is events / (first produce -> all queryable), valid when gap_messages = 0 (the
# dev broker keeps ~5 MB per partition: a consumer that falls behind loses messages, and
# MUA counts them). Producer, broker and MUA share the machine's cores.
# Freshness: mua-gen produces at a steady FRESHNESS_RATE while MUA consumes; MUA records,
# per message, Kafka's CreateTime to the end of its batch's append (system.ingest_summary).
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
  # PERSIST=0: memory only, to compare the rate with persistence (checkpoints) off.
  local data=(--data_dir "$WORK/data-$1")
  [[ "${PERSIST:-1}" == 0 ]] && data=(--data_dir "")
  "$BIN/mua-server" --kafka_brokers "$BOOTSTRAP" --kafka_topic "$1" --http "127.0.0.1:$HTTP_PORT" \
    "${data[@]}" --audit_log "$WORK/audit.jsonl" >"$WORK/server-$1.log" 2>&1 &
  server_pid=$!
  pids+=($server_pid)
  until [[ "$(curl -s "http://127.0.0.1:$HTTP_PORT/ping")" == "Ok." ]]; do sleep 0.1; done
}
sql() { curl -s --data-binary "$1" "http://127.0.0.1:$HTTP_PORT/"; }

if [[ -z "${FRESHNESS_ONLY:-}" ]]; then
# --- Sustained rate: mua-gen produces EVENTS at OFFERED events/s while MUA consumes. ----
# Big producer batches (linger 1 s): mua-kafka-dev answers a fetch with one batch per
# partition. The broker keeps ~5 MB per partition, so a consumer that falls behind loses
# messages — counted in gap_messages, which must stay 0 for the rate to count.
OFFERED=${OFFERED:-200000}
start_server mobile_app_events
"$BIN/mua-gen" --users 10 --days 1 --seed 1 --event-ids uuid --kafka-brokers "$BOOTSTRAP" 2>/dev/null
until [[ "$(sql 'SELECT events > 0 FROM system.ingest_summary')" == 1 ]]; do sleep 0.05; done  # joined
base=$(sql 'SELECT events + duplicates FROM system.ingest_summary')
users=$(( EVENTS / 107 ))   # ~107 events per user over 30 days
start=$(now)
"$BIN/mua-gen" --users "$users" --days 30 --seed 9 --event-ids uuid --kafka-linger-ms 1000 \
  --rate "$OFFERED" --kafka-brokers "$BOOTSTRAP" 2>"$WORK/gen-rate.err"
produced_at=$(now)
events=$(sed -n 's/^mua-gen: \([0-9]*\) events.*/\1/p' "$WORK/gen-rate.err")
target=$((base + events))
until [[ "$(sql "SELECT events + duplicates + gap_messages >= $target FROM system.ingest_summary")" == 1 ]]; do
  sleep 0.05
done
end=$(now)
rss_kb=$(awk '/VmRSS/ {print $2}' /proc/$server_pid/status)
python3 -c "print('RATE: %d events offered at $OFFERED/s, produced in %.1f s, all queryable %.1f s after the first produce = %d events/s; server RSS %d MiB' % ($events, $produced_at - $start, $end - $start, $events / ($end - $start), $rss_kb / 1024))"
sql "SELECT events, duplicates, gap_messages, wait_seconds, apply_seconds FROM system.ingest_summary FORMAT Vertical"
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
