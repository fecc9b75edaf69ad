#!/usr/bin/env bash
# Kafka ingest end to end (SPEC §2, §7): bad input of every kind produced with kcat
# lands in events_rejected with the right reason while every good event in the same
# batches is stored; mua-gen's stream with duplicates and invalid lines gives exact
# counts, also across a restart of mua-server mid-stream; a gap forced by the broker's
# retention is reported with its exact size; at its memory limit MUA pauses, not dies.
#   ingest_quality_test.sh MUA_KAFKA_DEV MUA_GEN MUA_SERVER
set -u
KAFKA_DEV=${1:?usage: ingest_quality_test.sh MUA_KAFKA_DEV MUA_GEN MUA_SERVER}
GEN=${2:?}
SERVER=${3:?}
WORK=$(mktemp -d)
source "$(dirname "$0")/lib.sh"

start_broker "$KAFKA_DEV" --topic mobile_app_events --partitions 32 --topic badinput --partitions 2 \
  --topic gaptest --partitions 1 --topic backpressure --partitions 4
check "broker started" test -n "$BOOTSTRAP"

# --- Bad input through kcat: one message per record, records separated by \x1e. -------------
python3 - "$WORK/bad.bin" <<'PY'
import json, sys
def event(i, **over):
    e = {"event_id": f"g{i}", "user_id": f"u{i % 7}", "event_type": "app_open",
         "event_timestamp": "2026-10-05T08:00:00Z", "platform": "ios"}
    e.update(over)
    return json.dumps({k: v for k, v in e.items() if v is not ...}).encode()
good = [event(i) for i in range(20)]
good.append(event(20, properties={"blob": "x" * 900_000}))        # ~0.9 MB: still fine
bad = [
    b"hello world", b"\x01\x02\xff\xfe binary", b'{"event_id":"x"',  # malformed_json
    b"[1,2,3]", b'"a string"', b"42",                                   # not_an_object
    event(100, event_id=...), event(101, user_id=""),                   # missing_event_id, _user_id
    event(102, event_type=...), event(103, event_timestamp=None),       # missing_event_type, _timestamp
    event(104, user_id=123), event(105, event_id=[1]),                  # wrong_type_user_id, _event_id
    event(106, event_type={}), event(107, event_timestamp=True),        # wrong_type_event_type, _timestamp
    event(108, event_timestamp="yesterday"),                             # bad_timestamp
    event(109, event_timestamp="2026-13-45T00:00:00Z"),                  # bad_timestamp
    event(110, event_timestamp="2099-01-01T00:00:00Z"),                  # timestamp_in_future
    event(111, properties={"blob": "y" * 1_100_000}),                    # too_large
]
duplicates = good[:5]
records = good[:10] + bad[:9] + duplicates + good[10:] + bad[9:]
open(sys.argv[1], "wb").write(b"\x1e".join(records) + b"\x1e")
PY
kcat -P -b "$BOOTSTRAP" -t badinput -D '\x1e' -X message.max.bytes=4000000 -z lz4 <"$WORK/bad.bin"
check "kcat produced the bad input" test $? -eq 0
printf 'key:\n' | kcat -P -b "$BOOTSTRAP" -t badinput -K: -Z   # an empty (NULL) message
# mua-gen's stream, produced while MUA consumes and is restarted in the middle.
"$GEN" --users 1500 --days 3 --duplicate-share 0.03 --invalid-share 0.02 --rate 15000 \
  --kafka-brokers "$BOOTSTRAP" --kafka-topic mobile_app_events 2>"$WORK/gen.err" &
gen_pid=$!
pids+=($gen_pid)

# Each start joins a consumer group of its own: the offsets that count are the ones stored with
# the data, and mua-kafka-dev (librdkafka's mock) makes a member rejoining a group wait out the
# previous member's session (9-18 s) where a new group forms in 3 s.
start_server "$SERVER" server --kafka_brokers "$BOOTSTRAP" --kafka_topic badinput,mobile_app_events \
  --kafka_group quality-1
check "mua-server started" test -n "$HTTP_PORT"
sleep 1.5
stop_server
check "SIGTERM mid-stream stops cleanly" test $? -eq 0
start_server "$SERVER" server --kafka_brokers "$BOOTSTRAP" --kafka_topic badinput,mobile_app_events \
  --kafka_group quality-2
wait "$gen_pid"
check "mua-gen finished" test $? -eq 0
events=$(sed -n 's/^mua-gen: \([0-9]*\) events (\([0-9]*\) duplicates), \([0-9]*\) invalid.*/\1/p' "$WORK/gen.err")
duplicates=$(sed -n 's/^mua-gen: \([0-9]*\) events (\([0-9]*\) duplicates), \([0-9]*\) invalid.*/\2/p' "$WORK/gen.err")
invalid=$(sed -n 's/^mua-gen: \([0-9]*\) events (\([0-9]*\) duplicates), \([0-9]*\) invalid.*/\3/p' "$WORK/gen.err")
stored=$((events - duplicates))
check "mua-gen produced a stream ($events events)" test "${events:-0}" -gt 10000

wait_for_sql "SELECT count() FROM events WHERE event_id LIKE 'g%'" 21
check "every good kcat event is stored, the 0.9 MB one too ($answer of 21)" test "$answer" == 21
wait_for_sql "SELECT count() FROM events WHERE event_id NOT LIKE 'g%'" "$stored"
check "mua-gen: stored = events - duplicates ($answer of $stored), across the restart" test "$answer" == "$stored"
wait_for_sql "SELECT sum(duplicates), sum(rejected) FROM system.ingest WHERE topic = 'mobile_app_events'" \
  "$(printf '%s\t%s' "$duplicates" "$invalid")"
check "mua-gen: duplicates and rejects counted exactly ($answer; want $duplicates, $invalid)" \
  test "$answer" == "$(printf '%s\t%s' "$duplicates" "$invalid")"
got=$(sql "SELECT reason, count() FROM events_rejected WHERE topic = 'badinput' GROUP BY reason ORDER BY reason")
want=$(printf '%s\n' "bad_timestamp	2" "malformed_json	4" "missing_event_id	1" "missing_event_timestamp	1" \
  "missing_event_type	1" "missing_user_id	1" "not_an_object	3" "timestamp_in_future	1" "too_large	1" \
  "wrong_type_event_id	1" "wrong_type_event_timestamp	1" "wrong_type_event_type	1" "wrong_type_user_id	1")
check "every bad kcat message is in events_rejected with its reason" test "$got" == "$want"
[[ "$got" == "$want" ]] || diff <(echo "$want") <(echo "$got")
got=$(sql "SELECT sum(messages), sum(events), sum(duplicates), sum(rejected) FROM system.ingest WHERE topic = 'badinput'")
check "system.ingest for badinput: 45 messages = 21 events + 5 duplicates + 19 rejected ($got)" \
  test "$got" == "$(printf '45\t21\t5\t19')"
got=$(sql "SELECT count() FROM events_rejected WHERE topic = 'badinput'")
check "events_rejected holds all 19 ($got)" test "$got" == 19
sql "SELECT rejected_reasons, rejected_counts FROM system.ingest WHERE topic = 'badinput'" >"$WORK/reasons.tsv"
check "system.ingest breaks rejects down by reason" grep -q "'too_large'" "$WORK/reasons.tsv"
got=$(sql "SELECT topic, partition, offset >= 0, length(payload) <= 4096 FROM events_rejected WHERE reason = 'too_large'")
check "a rejected row names its topic, partition and offset; payload kept truncated ($got)" \
  bash -c "[[ '$got' == badinput$'\t'[01]$'\t1\t1' ]]"
got=$(sql "SELECT sum(lag) FROM system.ingest")
check "no lag once consumed ($got)" test "$got" == 0
stop_server

# --- A gap forced by the broker's retention (~5 MB per partition in the mock). ---------------
gap_events() {  # gap_events FROM TO : ~1 KB events, uncompressed so the log fills quickly
  python3 -c '
import sys
pad = "x" * 900
for i in range(int(sys.argv[1]), int(sys.argv[2])):
    print("{\"event_id\":\"gap%d\",\"user_id\":\"u%d\",\"event_type\":\"a\",\"event_timestamp\":\"2026-10-05T08:00:00Z\",\"properties\":{\"pad\":\"%s\"}}" % (i, i % 50, pad))
' "$1" "$2"
}
gap_events 0 1000 | kcat -P -b "$BOOTSTRAP" -t gaptest
start_server "$SERVER" gap --kafka_brokers "$BOOTSTRAP" --kafka_topic gaptest --kafka_group gap
wait_for_sql "SELECT count() FROM events" 1000
check "gaptest: the first 1000 events stored" test "$answer" == 1000
check "SYSTEM STOP INGEST answers" bash -c "[[ \"\$(curl -s --data-binary 'SYSTEM STOP INGEST' http://127.0.0.1:$HTTP_PORT/)\" == Ok.* ]]"
wait_for_sql "SELECT state FROM system.ingest" paused
check "system.ingest shows the partition paused" test "$answer" == paused
gap_events 1000 11000 | kcat -P -b "$BOOTSTRAP" -t gaptest
low=$(kcat -C -b "$BOOTSTRAP" -t gaptest -o beginning -c 1 -e -f '%o\n' 2>/dev/null)
check "the broker dropped offsets MUA still needs (log starts at $low)" test "${low:-0}" -gt 1000
sql "SYSTEM START INGEST" >/dev/null
want_stored=$((1000 + 11000 - low))
wait_for_sql "SELECT count() FROM events" "$want_stored"
check "after the gap: 1000 + what the broker still held ($answer of $want_stored)" test "$answer" == "$want_stored"
got=$(sql "SELECT gap_messages, gaps, applied_offset FROM system.ingest")
check "system.ingest reports the gap's exact size ($got; want $((low - 1000)))" \
  test "$got" == "$(printf '%s\t1\t11000' "$((low - 1000))")"
check "the server log says it loudly" grep -q "LOST $((low - 1000)) messages of gaptest/0 (offsets 1000..$((low - 1)))" "$WORK/gap.err"
stop_server

# --- Back-pressure: a 1 MiB memory limit pauses consumption; the server keeps answering. -----
# How much MUA takes in before its periodic memory check bites depends on how fast the build
# is, so the test decides nothing by time or volume: it produces batches until it sees the
# pause, then produces the rest, which must wait in Kafka and arrive, none lost, once the limit
# is lifted.
bp_events() {  # bp_events FROM TO : ~1 KB events whose random padding does not compress
  python3 -c '
import random, sys
for i in range(int(sys.argv[1]), int(sys.argv[2])):
    pad = "%0900x" % random.Random(i).getrandbits(3600)
    print("{\"event_id\":\"bp%d\",\"user_id\":\"u%d\",\"event_type\":\"a\",\"event_timestamp\":\"2026-10-05T08:00:00Z\",\"properties\":{\"pad\":\"%s\"}}" % (i, i % 50, pad))
' "$1" "$2"
}
paused_partitions() { sql "SELECT count() FROM system.ingest WHERE topic = 'backpressure' AND state = 'paused'"; }
wait_for_batch_or_pause() {  # wait_for_batch_or_pause N : MUA holds N events or paused
  for _ in $(seq 300); do
    [[ "$(paused_partitions)" =~ ^[1-9] ]] && return 0
    [[ "$(sql 'SELECT count() FROM events')" == "$1" ]] && return 0
    sleep 0.2
  done
  return 1
}
start_server "$SERVER" bp --kafka-brokers "$BOOTSTRAP" --kafka-topic backpressure --kafka-group bp \
  --memory-limit-mb 1
produced=0
for _ in $(seq 40); do  # 40 batches hold ~20 MB, far beyond the limit
  bp_events "$produced" $((produced + 500)) | kcat -P -b "$BOOTSTRAP" -t backpressure
  produced=$((produced + 500))
  wait_for_batch_or_pause "$produced" || break
  [[ "$(paused_partitions)" =~ ^[1-9] ]] && break
done
wait_for_sql "SELECT count() FROM system.ingest WHERE topic = 'backpressure' AND state != 'paused'" 0
check "at the memory limit every partition pauses (after $produced events produced)" test "$answer" == 0
bp_events "$produced" $((produced + 2000)) | kcat -P -b "$BOOTSTRAP" -t backpressure
check "the rest is produced while paused" test $? -eq 0
produced=$((produced + 2000))
count=$(sql "SELECT count() FROM events")
check "part of the stream is in ($count of $produced), the rest waits in Kafka" \
  bash -c "[[ ${count:-0} -gt 0 && ${count:-0} -lt $produced ]]"
got=$(sql "SELECT countIf(state = 'paused'), countIf(state != 'paused') FROM system.ingest WHERE topic = 'backpressure'")
check "still paused ($got)" bash -c "[[ '$got' =~ ^[1-9][0-9]*$'\t'0$ ]]"
check "the server keeps answering while paused" test "$(sql 'SELECT 1')" == 1
check "the log says why" grep -q "memory limit reached" "$WORK/bp.err"
stop_server
check "a paused server stops cleanly" test $? -eq 0
start_server "$SERVER" bp --kafka-brokers "$BOOTSTRAP" --kafka-topic backpressure --kafka-group bp-2 \
  --memory-limit-mb 0
wait_for_sql "SELECT count(), uniqExact(event_id) FROM events" "$(printf '%s\t%s' "$produced" "$produced")"
check "without the limit the rest comes from Kafka, each event once ($answer of $produced)" \
  test "$answer" == "$(printf '%s\t%s' "$produced" "$produced")"
stop_server
finish
