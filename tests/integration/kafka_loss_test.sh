#!/usr/bin/env bash
# Issue 17, "silent loss from Kafka": messages produced while mua-server is stopped overflow
# mua-kafka-dev's per-partition retention (~5 MB), so the broker drops offsets MUA still
# needs — in a partition MUA had read before the stop and in one it had been assigned but
# never received a message from. Every lost offset must be counted per partition, logged
# (a LOST line), shown in system.ingest, /metrics and /health (degraded), and the per
# partition accounting identity
#   end_offset - start_offset = events + rejected + duplicates + gap_messages + skipped_offsets
# must hold, with the same counts after a SIGTERM restart and after kill -9.
#   kafka_loss_test.sh MUA_KAFKA_DEV MUA_SERVER
set -u
KAFKA_DEV=${1:?usage: kafka_loss_test.sh MUA_KAFKA_DEV MUA_SERVER}
SERVER=${2:?}
WORK=$(mktemp -d)
source "$(dirname "$0")/lib.sh"

TOPIC=losstest
start_broker "$KAFKA_DEV" --topic "$TOPIC" --partitions 4
check "broker started" test -n "$BOOTSTRAP"

# make_events FILE PREFIX FROM TO [INVALID_EVERY] : ~4 KB events (incompressible padding),
# one per line, event_id PREFIX<i>; every INVALID_EVERY-th line is a rejected event instead
# (no user_id) that still carries its event_id.
make_events() {
  python3 - "$@" <<'PY'
import random, sys, time
path, prefix, start, end = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
invalid_every = int(sys.argv[5]) if len(sys.argv) > 5 else 0
now = int(time.time() * 1000) - 3600_000
with open(path, "w") as out:
    for i in range(start, end):
        pad = "%04000x" % random.Random(prefix + str(i)).getrandbits(16000)
        user = "" if invalid_every and i % invalid_every == 0 else '"user_id":"u%d",' % (i % 97)
        out.write('{"event_id":"%s%d",%s"event_type":"a","event_timestamp":%d,"properties":{"pad":"%s"}}\n'
                  % (prefix, i, user, now + i, pad))
PY
}
produced=0
produce() {  # produce PARTITION FILE
  kcat -P -b "$BOOTSTRAP" -t "$TOPIC" -p "$1" -l "$2" 2>>"$WORK/kcat.err" || return 1
  produced=$((produced + $(wc -l <"$2")))
}
low_of() { kcat -Q -b "$BOOTSTRAP" -t "$TOPIC:$1:-2" 2>/dev/null | awk '{print $4}'; }
high_of() { kcat -Q -b "$BOOTSTRAP" -t "$TOPIC:$1:-1" 2>/dev/null | awk '{print $4}'; }
# serve NAME : the same data directory every time; a consumer group of its own (loss-NAME): the
# offsets that count are the ones stored with the data, and mua-kafka-dev (librdkafka's mock)
# makes a member rejoining a group wait out the previous member's session, 9-18 s a restart,
# where a new group forms in 3 s.
serve() {
  start_server "$SERVER" "$1" --data_dir "$WORK/data" --kafka_brokers "$BOOTSTRAP" \
    --kafka_topic "$TOPIC" --kafka_group "loss-$1" --checkpoint_interval 0.3
}
# Consumed: every partition assigned and applied up to the broker's end offsets.
wait_consumed() {  # wait_consumed TOTAL_END_OFFSET
  wait_for_sql "SELECT count(), sum(end_offset), sum(lag) FROM system.ingest WHERE topic = '$TOPIC'" \
    "$(printf '4\t%s\t0' "$1")"
}
IDENTITY="end_offset - start_offset = events + rejected + duplicates + gap_messages + skipped_offsets"
STATE="SELECT partition, start_offset, end_offset, events, rejected, duplicates, gap_messages, gaps,
              skipped_offsets FROM system.ingest WHERE topic = '$TOPIC' ORDER BY partition"

# --- Before the stop: partitions 0 and 1 read, 2 and 3 assigned but empty. -----------------
make_events "$WORK/a0" A 0 300
make_events "$WORK/a1" B 0 300
serve first
check "first start" test $? -eq 0
produce 0 "$WORK/a0" && produce 1 "$WORK/a1"
check "produced 600 events before the stop" test "$produced" -eq 600
wait_consumed 600
check "first server consumed all 4 partitions to their end ($answer)" test "$answer" == "$(printf '4\t600\t0')"
check "first server stored 600 events" test "$(sql 'SELECT count() FROM events')" == 600
stop_server
check "SIGTERM stops the first server cleanly" test $? -eq 0

# --- While stopped: partitions 0 and 2 get ~8 MB each (past retention), 1 a little (with
# rejected events and re-sent duplicates), 3 nothing. ------------------------------------------
make_events "$WORK/b0" A 300 2300 97
make_events "$WORK/b1" B 300 400 10
make_events "$WORK/b1dup" B 0 5            # already stored: duplicates
make_events "$WORK/b2" C 0 2000 89
produce 0 "$WORK/b0" && produce 1 "$WORK/b1" && produce 1 "$WORK/b1dup" && produce 2 "$WORK/b2"
check "produced $produced events in all" test "$produced" -eq 4705
low0=$(low_of 0)
low2=$(low_of 2)
check "the broker dropped offsets of partition 0 MUA had not read (log starts at $low0 > 300)" \
  test "${low0:-0}" -gt 300
check "the broker dropped offsets of partition 2 (log starts at $low2 > 0)" test "${low2:-0}" -gt 0
check "partitions 1 and 3 kept everything" test "$(low_of 1)/$(low_of 3)" == "0/0"
total_end=$(($(high_of 0) + $(high_of 1) + $(high_of 2) + $(high_of 3)))
check "the broker's end offsets sum to what was produced ($total_end)" test "$total_end" -eq "$produced"

# --- Restart: the loss is counted, exactly. -----------------------------------------------
serve second
check "second start" test $? -eq 0
wait_consumed "$produced"
check "second server consumed every partition to its end ($answer)" \
  test "$answer" == "$(printf '4\t%s\t0' "$produced")"
events=$(sql "SELECT count() FROM events")
rejected=$(sql "SELECT count() FROM events_rejected")
duplicates=$(sql "SELECT sum(duplicates) FROM system.ingest WHERE topic = '$TOPIC'")
arrived=$((events + rejected + duplicates))
lost=$((produced - arrived))
gap=$(sql "SELECT sum(gap_messages) FROM system.ingest WHERE topic = '$TOPIC'")
echo "produced $produced, arrived $arrived ($events events, $rejected rejected, $duplicates duplicates), lost $lost"
check "messages were lost ($lost) and re-sent ones counted as duplicates ($duplicates)" \
  test "$lost" -gt 0 -a "$duplicates" -eq 5
check "sum(gap_messages) = produced - arrived ($gap = $lost)" test "$gap" == "$lost"
got=$(sql "SELECT partition, gap_messages FROM system.ingest WHERE topic = '$TOPIC' ORDER BY partition")
want=$(printf '0\t%s\n1\t0\n2\t%s\n3\t0' "$((low0 - 300))" "$low2")
check "gaps per partition: what the broker dropped past what MUA had applied ($(echo $got))" \
  test "$got" == "$want"
got=$(sql "SELECT count() FROM system.ingest WHERE topic = '$TOPIC' AND NOT ($IDENTITY)")
check "every partition: $IDENTITY ($got violate it)" test "$got" == 0
got=$(sql "SELECT sum(start_offset), sum(skipped_offsets) FROM system.ingest WHERE topic = '$TOPIC'")
check "start offsets 0 (the topic was empty when first assigned), nothing skipped ($got)" \
  test "$got" == "$(printf '0\t0')"
check "a LOST line for partition 0 (offsets 300..$((low0 - 1)))" \
  grep -q "LOST $((low0 - 300)) messages of $TOPIC/0 (offsets 300..$((low0 - 1)))" "$WORK/second.err"
check "a LOST line for partition 2 (offsets 0..$((low2 - 1)))" \
  grep -q "LOST $low2 messages of $TOPIC/2 (offsets 0..$((low2 - 1)))" "$WORK/second.err"
check "no LOST line for partitions 1 and 3" test "$(grep -c "LOST .* of $TOPIC/[13] " "$WORK/second.err")" == 0
health=$(curl -s "http://127.0.0.1:$HTTP_PORT/health")
check "/health is degraded with gap_messages $lost ($health)" \
  bash -c "[[ '$health' == '{\"status\":\"degraded\"'* && '$health' == *'\"gap_messages\":$lost,'* ]]"
metrics=$(curl -s "http://127.0.0.1:$HTTP_PORT/metrics")
check "/metrics: mua_ingest_gap_messages_total of partition 2 is $low2" \
  grep -qx "mua_ingest_gap_messages_total{topic=\"$TOPIC\",partition=\"2\"} $low2" <<<"$metrics"
check "/metrics: mua_ingest_start_offset of partition 0 is 0" \
  grep -qx "mua_ingest_start_offset{topic=\"$TOPIC\",partition=\"0\"} 0" <<<"$metrics"
before=$(sql "$STATE")

# --- A second restart (SIGTERM): the same counts, no new LOST line. -------------------------
stop_server
check "SIGTERM stops the second server cleanly" test $? -eq 0
serve third
check "third start" test $? -eq 0
wait_consumed "$produced"
got=$(sql "$STATE")
check "after a SIGTERM restart: the same counts per partition" test "$got" == "$before"
[[ "$got" == "$before" ]] || diff <(echo "$before") <(echo "$got")
check "after a SIGTERM restart: no LOST line" test "$(grep -c LOST "$WORK/third.err")" == 0
health=$(curl -s "http://127.0.0.1:$HTTP_PORT/health")
check "after a SIGTERM restart: /health still degraded ($health)" \
  bash -c "[[ '$health' == '{\"status\":\"degraded\"'* && '$health' == *'\"gap_messages\":$lost,'* ]]"

# --- kill -9 after new messages were applied, maybe before a checkpoint: the restart resumes
# from the checkpoint's offsets and counts, and ends with the same totals. ---------------------
make_events "$WORK/c3" D 0 50 10
produce 3 "$WORK/c3"
wait_consumed "$produced"
check "third server consumed partition 3's new messages ($answer)" \
  test "$answer" == "$(printf '4\t%s\t0' "$produced")"
after=$(sql "$STATE")
kill -KILL "$server_pid"
wait "$server_pid" 2>/dev/null
serve fourth
check "start after kill -9" test $? -eq 0
wait_consumed "$produced"
got=$(sql "$STATE")
check "after kill -9: the same counts per partition" test "$got" == "$after"
[[ "$got" == "$after" ]] || diff <(echo "$after") <(echo "$got")
got=$(sql "SELECT count() FROM system.ingest WHERE topic = '$TOPIC' AND NOT ($IDENTITY)")
check "after kill -9: the identity holds on every partition ($got violate it)" test "$got" == 0
check "after kill -9: the stored events are the same" \
  test "$(sql 'SELECT count() FROM events')" == "$((events + 45))"
stop_server
check "SIGTERM stops the last server cleanly" test $? -eq 0
finish
