#!/usr/bin/env bash
# Integration test of mua-kafka-dev and mua-gen's Kafka output, checked with kcat:
#   kafka_dev_test.sh PATH/TO/mua-kafka-dev PATH/TO/mua-gen
set -u
KAFKA_DEV=${1:?usage: kafka_dev_test.sh MUA_KAFKA_DEV MUA_GEN}
GEN=${2:?usage: kafka_dev_test.sh MUA_KAFKA_DEV MUA_GEN}
TOPIC=mobile_app_events
WORK=$(mktemp -d)
source "$(dirname "$0")/lib.sh"

# Starts the broker on a free fixed port and waits for its bootstrap line.
PORT=$(free_port)
start_broker "$KAFKA_DEV" --port "$PORT" --topic "$TOPIC" --partitions 32
broker_pid=${pids[-1]}
check "bootstrap line printed" test -n "$BOOTSTRAP"
check "listens on the requested port" test "$BOOTSTRAP" = "127.0.0.1:$PORT"
check "exactly one line on stdout" test "$(wc -l <"$WORK/broker.out")" -eq 1
[[ -z "$BOOTSTRAP" ]] && { cat "$WORK/broker.err"; echo "$passed passed, $((failed + 1)) failed"; exit 1; }

kcat -L -b "$BOOTSTRAP" -t "$TOPIC" >"$WORK/metadata.txt" 2>&1
check "kcat sees the topic with 32 partitions" \
  grep -q "topic \"$TOPIC\" with 32 partitions" "$WORK/metadata.txt"

"$GEN" --users 200 --days 2 --kafka-brokers "$BOOTSTRAP" --kafka-topic "$TOPIC" \
  2>"$WORK/gen.err"
gen_status=$?
cat "$WORK/gen.err"
check "mua-gen exits 0" test "$gen_status" -eq 0
PRODUCED=$(sed -n 's/^mua-gen: produced \([0-9]*\) messages.*/\1/p' "$WORK/gen.err")
check "mua-gen reports the messages produced" test -n "$PRODUCED"
check "mua-gen produced some messages" test "${PRODUCED:-0}" -gt 1000

kcat -C -b "$BOOTSTRAP" -t "$TOPIC" -o beginning -e -q -f '%k\t%s\n' >"$WORK/consumed.tsv"
CONSUMED=$(wc -l <"$WORK/consumed.tsv")
check "consumed count ($CONSUMED) equals produced (${PRODUCED:-?})" test "$CONSUMED" = "${PRODUCED:-x}"

# The key of every message is the user_id inside it.
keys_match() {
  awk -F'\t' '{
      if (match($2, /"user_id":"[^"]*"/) == 0) { bad++; next }
      if (substr($2, RSTART + 11, RLENGTH - 12) != $1) bad++
    } END { exit bad > 0 }' "$WORK/consumed.tsv"
}
check "every message is keyed by its user_id" keys_match
check "a user's events stay in one partition" test "$(kcat -C -b "$BOOTSTRAP" -t "$TOPIC" \
  -o beginning -e -q -f '%k %p\n' | sort -u | awk '{print $1}' | uniq -d | wc -l)" -eq 0

# Invalid lines are produced too; an unreachable broker fails within the timeout, exit 2.
"$GEN" --users 20 --days 1 --invalid-share 0.2 --kafka-brokers "$BOOTSTRAP" \
  --kafka-topic "$TOPIC" 2>"$WORK/gen2.err"
check "mua-gen with invalid lines exits 0" test $? -eq 0
INVALID=$(sed -n 's/.* \([0-9]*\) invalid lines.*/\1/p' "$WORK/gen2.err")
PRODUCED2=$(sed -n 's/^mua-gen: produced \([0-9]*\) messages.*/\1/p' "$WORK/gen2.err")
TOTAL=$(kcat -C -b "$BOOTSTRAP" -t "$TOPIC" -o beginning -e -q | wc -l)
check "invalid lines are produced as messages (${INVALID:-?} of ${PRODUCED2:-?})" \
  test "$TOTAL" -eq $((PRODUCED + PRODUCED2)) -a "${INVALID:-0}" -gt 0

DEAD_PORT=$(free_port)
"$GEN" --users 5 --days 1 --kafka-brokers "127.0.0.1:$DEAD_PORT" 2>"$WORK/gen3.err"
dead_status=$?
check "unreachable broker: exit 2" test "$dead_status" -eq 2
check "unreachable broker: clear message" grep -q "unreachable" "$WORK/gen3.err"

# Clean shutdown on SIGTERM.
kill -TERM "$broker_pid"
wait "$broker_pid"
broker_status=$?
broker_pid=""
check "broker exits 0 on SIGTERM" test "$broker_status" -eq 0
if [[ "$broker_status" -ne 0 ]]; then cat "$WORK/broker.err"; fi

finish
