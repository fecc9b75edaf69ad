#!/usr/bin/env bash
# Damaged data directories (SPEC §8, issue 8): a flipped byte in a segment or in MANIFEST, a
# truncated segment, garbage after the WAL's last record, a flipped bit inside the WAL's
# acknowledged records (issue 15) and a second server on a directory in use. Each is found at start and handled as --on_corruption says: stop (exit non-zero
# naming the file), skip (quarantine the file, serve the rest, /health degraded) or discard
# (set the data aside, start empty and re-read Kafka).
#   corruption_test.sh MUA_GEN MUA_SERVER [MUA_KAFKA_DEV]
# Without MUA_KAFKA_DEV the data comes from --load and discard can only start empty.
set -u
GEN=${1:?usage: corruption_test.sh MUA_GEN MUA_SERVER [MUA_KAFKA_DEV]}
SERVER=${2:?}
KAFKA_DEV=${3:-}
WORK=$(mktemp -d)
source "$(dirname "$0")/lib.sh"

"$GEN" --users 300 --days 20 --seed 11 --out "$WORK/events.jsonl" 2>"$WORK/gen.err"
total=$(wc -l <"$WORK/events.jsonl")
check "mua-gen wrote $total events" test "$total" -gt 10000

# --- The intact directory: every event, sealed into segments, checkpointed. --------------------
serve() { start_server "$SERVER" "$1" --audit_log "$WORK/audit.jsonl" "${@:2}"; }  # serve NAME [flags...]
kafka_flags=()
if [[ -n "$KAFKA_DEV" ]]; then
  start_broker "$KAFKA_DEV" --topic mobile_app_events --partitions 8
  check "broker started" test -n "$BOOTSTRAP"
  kcat -P -b "$BOOTSTRAP" -t mobile_app_events -z lz4 -l "$WORK/events.jsonl"
  check "kcat produced the events" test $? -eq 0
  kafka_flags=(--kafka_brokers "$BOOTSTRAP")
  serve base "${kafka_flags[@]}" --kafka_group base
  wait_for_sql "SELECT count() FROM events" "$total"
  check "the server consumed every event ($answer of $total)" test "$answer" == "$total"
  # A partition's head becomes a segment after 10 s without rows: flush until none is left.
  for _ in $(seq 60); do
    sql "SYSTEM FLUSH" >/dev/null
    python3 - "$WORK/data-base/MANIFEST" <<'PY' && break
import json, sys
manifest = json.loads(open(sys.argv[1], "rb").read()[24:])
sys.exit(any(p["head"] for p in manifest["partitions"]))
PY
    sleep 0.5
  done
else
  serve base --load "$WORK/events.jsonl"  # --load seals and checkpoints
  answer=$(sql "SELECT count() FROM events")
  check "the server loaded every event ($answer of $total)" test "$answer" == "$total"
fi
flushed=$(sql "SYSTEM FLUSH")
check "SYSTEM FLUSH writes a checkpoint ($flushed)" bash -c "[[ '$flushed' == 'Ok. Checkpoint written: $total rows'* ]]"
stop_server
check "the server stops cleanly" test $? -eq 0
base="$WORK/data-base"
segments=$(ls "$base"/files/*.seg 2>/dev/null | wc -l)
check "the checkpoint holds sealed segments ($segments), MANIFEST and a WAL" \
  bash -c "[[ $segments -ge 2 && -f '$base/MANIFEST' && -d '$base/wal' ]]"

copy() { cp -a "$base" "$WORK/data-$1"; }            # copy NAME: a scenario's own directory
flip() {                                              # flip FILE: invert its middle byte
  python3 -c 'import sys; b = bytearray(open(sys.argv[1], "rb").read()); b[len(b) // 2] ^= 0xFF
open(sys.argv[1], "wb").write(b)' "$1"
}
segment_rows() {                                      # segment_rows NAME: its rows in MANIFEST
  python3 -c 'import json, sys
manifest = json.loads(open(sys.argv[1], "rb").read()[24:])
print(sum(s["rows"] for p in manifest["partitions"] for s in p["segments"] if s["name"] == sys.argv[2]))' \
    "$base/MANIFEST" "$1"
}
# start_fails NAME [flags...] : a start on $WORK/data-NAME that must fail (bounded: a start that
# hangs is status 124); sets $status, stderr in $WORK/NAME-fail.err.
start_fails() {
  local name=$1
  shift
  timeout 60 "$SERVER" --http "127.0.0.1:$(free_port)" --data_dir "$WORK/data-$name" \
    --audit_log "$WORK/audit.jsonl" "$@" >"$WORK/$name-fail.out" 2>"$WORK/$name-fail.err"
  status=$?
}
health() { curl -s "http://127.0.0.1:$HTTP_PORT/health"; }
count() { sql "SELECT count() FROM events"; }

# The segment to damage: the one with the most rows.
victim=$(python3 -c 'import json, sys
manifest = json.loads(open(sys.argv[1], "rb").read()[24:])
print(max((s for p in manifest["partitions"] for s in p["segments"]), key=lambda s: s["rows"])["name"])' \
  "$base/MANIFEST")
victim_rows=$(segment_rows "$victim")
check "segment $victim holds $victim_rows rows" test "$victim_rows" -gt 0

# --- (a) One flipped byte in a segment. -------------------------------------------------------
copy a-stop
flip "$WORK/data-a-stop/files/$victim"
start_fails a-stop
check "(a) stop: the start fails (status $status, not a timeout)" bash -c "[[ $status -ne 0 && $status -ne 124 ]]"
check "(a) stop: stderr names the damaged file" grep -qF "$WORK/data-a-stop/files/$victim" "$WORK/a-stop-fail.err"

copy a-skip
flip "$WORK/data-a-skip/files/$victim"
serve a-skip "${kafka_flags[@]}" --kafka_group a-skip --on_corruption skip
check "(a) skip: the server starts" test $? -eq 0
check "(a) skip: /health is degraded" bash -c "[[ '$(health)' == '{\"status\":\"degraded\"'* ]]"
check "(a) skip: system.storage says degraded" test "$(sql 'SELECT degraded FROM system.storage')" == 1
want=$((total - victim_rows))
check "(a) skip: count() = $total - $victim_rows rows of the segment ($(count))" test "$(count)" == "$want"
check "(a) skip: the file moved to quarantine/" \
  bash -c "[[ -f '$WORK/data-a-skip/quarantine/$victim' && ! -e '$WORK/data-a-skip/files/$victim' ]]"
check "(a) skip: stderr names the file and the quarantine" grep -q "quarantine.*$victim" "$WORK/a-skip.err"
stop_server
check "(a) skip: stops cleanly" test $? -eq 0
serve a-skip "${kafka_flags[@]}" --kafka_group a-skip2
check "(a) skip: afterwards the directory starts without any flag, the rest intact ($(count))" \
  test "$(count)" == "$want"
stop_server

copy a-discard
flip "$WORK/data-a-discard/files/$victim"
serve a-discard "${kafka_flags[@]}" --kafka_group a-discard --on_corruption discard
check "(a) discard: the server starts" test $? -eq 0
check "(a) discard: the data was set aside" bash -c "ls -d '$WORK/data-a-discard'/discarded-*/files >/dev/null"
if [[ -n "$KAFKA_DEV" ]]; then
  wait_for_sql "SELECT count() FROM events" "$total"
  check "(a) discard: Kafka re-read from the earliest offset: count() back to $total ($answer)" \
    test "$answer" == "$total"
else
  check "(a) discard: starts empty ($(count))" test "$(count)" == 0
fi
stop_server

# --- (b) One flipped byte in MANIFEST: only discard gets past it. ------------------------------
copy b-stop
flip "$WORK/data-b-stop/MANIFEST"
start_fails b-stop
check "(b) stop: the start fails (status $status)" bash -c "[[ $status -ne 0 && $status -ne 124 ]]"
check "(b) stop: stderr names MANIFEST" grep -qF "$WORK/data-b-stop/MANIFEST" "$WORK/b-stop-fail.err"
copy b-skip
flip "$WORK/data-b-skip/MANIFEST"
start_fails b-skip --on_corruption skip
check "(b) skip: the start fails too (status $status)" bash -c "[[ $status -ne 0 && $status -ne 124 ]]"
check "(b) skip: stderr names MANIFEST" grep -qF "$WORK/data-b-skip/MANIFEST" "$WORK/b-skip-fail.err"
copy b-discard
flip "$WORK/data-b-discard/MANIFEST"
serve b-discard "${kafka_flags[@]}" --kafka_group b-discard --on_corruption discard
check "(b) discard: the server starts" test $? -eq 0
check "(b) discard: the data was set aside" bash -c "ls '$WORK/data-b-discard'/discarded-*/MANIFEST >/dev/null"
if [[ -n "$KAFKA_DEV" ]]; then
  wait_for_sql "SELECT count() FROM events" "$total"
  check "(b) discard: Kafka re-read: count() back to $total ($answer)" test "$answer" == "$total"
else
  check "(b) discard: starts empty ($(count))" test "$(count)" == 0
fi
check "(b) discard: /health is degraded (data was set aside)" bash -c "[[ '$(health)' == '{\"status\":\"degraded\"'* ]]"
stop_server

# --- (c) A truncated (torn) segment: found like a flipped byte. --------------------------------
copy c-stop
truncate -s "$(($(stat -c %s "$base/files/$victim") / 2))" "$WORK/data-c-stop/files/$victim"
start_fails c-stop
check "(c) stop: the start fails (status $status)" bash -c "[[ $status -ne 0 && $status -ne 124 ]]"
check "(c) stop: stderr names the truncated file" grep -qF "$WORK/data-c-stop/files/$victim" "$WORK/c-stop-fail.err"
copy c-skip
truncate -s "$(($(stat -c %s "$base/files/$victim") / 2))" "$WORK/data-c-skip/files/$victim"
serve c-skip "${kafka_flags[@]}" --kafka_group c-skip --on_corruption skip
check "(c) skip: starts without the segment's rows ($(count) of $want)" test "$(count)" == "$want"
check "(c) skip: the file moved to quarantine/" test -f "$WORK/data-c-skip/quarantine/$victim"
stop_server

# --- (d) Garbage after the WAL's last record (a torn write): cut, acknowledged events kept. ----
copy d
serve d --checkpoint_interval 3600  # no checkpoint: the events live in the WAL
acked=0
for batch in 1 2 3; do
  python3 -c 'import sys
for i in range(100):
    print("{\"event_id\":\"w%s-%d\",\"user_id\":\"wal-u%d\",\"event_type\":\"app_open\",\"event_timestamp\":\"2026-10-05T08:00:00Z\"}" % (sys.argv[1], i, i % 7))' \
    "$batch" >"$WORK/batch-$batch.jsonl"
  answer=$(curl -s -w ' %{http_code}' -H 'Content-Type: application/x-ndjson' --data-binary @"$WORK/batch-$batch.jsonl" \
    "http://127.0.0.1:$HTTP_PORT/api/v1/events")
  [[ "$answer" == *'"accepted":100'*' 200' ]] && acked=$((acked + 100))
done
check "(d) 300 HTTP events acknowledged ($acked)" test "$acked" == 300
kill -KILL "$server_pid"
wait "$server_pid" 2>/dev/null
wal=$(ls "$WORK"/data-d/wal/*.log | sort | tail -1)
wal_size=$(stat -c %s "$wal")
check "(d) the newest WAL file holds the records ($wal_size bytes)" test "$wal_size" -gt 0
head -c 1000 /dev/urandom >>"$wal"
serve d --checkpoint_interval 3600
check "(d) the server starts" test $? -eq 0
check "(d) every acknowledged event is there ($(count) of $((total + acked)))" test "$(count)" == "$((total + acked))"
got=$(sql "SELECT count() FROM events WHERE user_id LIKE 'wal-u%'")
check "(d) ... the 300 HTTP ones once each ($got)" test "$got" == 300
check "(d) stderr reports the torn tail it cut" grep -q "torn tail" "$WORK/d.err"
check "(d) the WAL file is back to its records ($(stat -c %s "$wal") bytes)" test "$(stat -c %s "$wal")" == "$wal_size"
check "(d) /health is ok ($(health))" bash -c "[[ '$(health)' == '{\"status\":\"ok\"'* ]]"
stop_server
serve d
check "(d) a clean restart: no torn tail now, same count ($(count))" \
  bash -c "[[ '$(count)' == '$((total + acked))' ]] && ! grep -q 'torn tail' '$WORK/d.err'"
stop_server

# --- (f) A flipped bit inside the newest WAL file's records: damage, not a torn write. ---------
# 36 acknowledged events in three requests (three synced groups, each ending with a commit
# marker); after kill -9 one bit of the middle request's record is flipped. That record lies
# before the last valid marker, so it was acknowledged: stop refuses to start naming the file,
# skip starts without that request's 12 events, says so loudly and reports degraded.
copy f
serve f --checkpoint_interval 3600
acked=0
for batch in 1 2 3; do
  python3 -c 'import sys
for i in range(12):
    print("{\"event_id\":\"f%s-%d\",\"user_id\":\"flip-u%d\",\"event_type\":\"app_open\",\"event_timestamp\":\"2026-10-05T09:00:00Z\"}" % (sys.argv[1], i, i % 5))' \
    "$batch" >"$WORK/flip-$batch.jsonl"
  answer=$(curl -s -w ' %{http_code}' -H 'Content-Type: application/x-ndjson' --data-binary @"$WORK/flip-$batch.jsonl" \
    "http://127.0.0.1:$HTTP_PORT/api/v1/events")
  [[ "$answer" == *'"accepted":12'*' 200' ]] && acked=$((acked + 12))
done
check "(f) 36 HTTP events acknowledged in three requests ($acked)" test "$acked" == 36
kill -KILL "$server_pid"
wait "$server_pid" 2>/dev/null
wal_name=$(basename "$(ls "$WORK"/data-f/wal/*.log | sort | tail -1)")
# Flips one bit in the payload of the second data record (docs/formats/wal.md: an 8-byte header,
# then [length u32][checksum u64][type u8][seq u64][payload]; type 1 is data, 2 a commit marker).
python3 - "$WORK/data-f/wal/$wal_name" <<'PY'
import struct, sys
path = sys.argv[1]
data = bytearray(open(path, "rb").read())
assert data[:4] == b"MUAW", "not a current WAL file"
at, records = 8, []
while at + 21 <= len(data):
    length = struct.unpack_from("<I", data, at)[0]
    if data[at + 12] == 1:
        records.append((at, length))
    at += 21 + length
assert len(records) == 3, records
start, length = records[1]
data[start + 21 + length // 2] ^= 0x10
open(path, "wb").write(data)
PY
check "(f) one bit of the second request's WAL record flipped in $wal_name" test $? -eq 0
cp -a "$WORK/data-f" "$WORK/data-f-stop"
cp -a "$WORK/data-f" "$WORK/data-f-skip"
start_fails f-stop
check "(f) stop: the start fails (status $status, not a timeout)" bash -c "[[ $status -ne 0 && $status -ne 124 ]]"
check "(f) stop: stderr names the damaged WAL file" grep -qF "$WORK/data-f-stop/wal/$wal_name" "$WORK/f-stop-fail.err"
check "(f) stop: ... and says it is no torn write" grep -q "no torn write" "$WORK/f-stop-fail.err"
check "(f) stop: the WAL file is unchanged" cmp -s "$WORK/data-f/wal/$wal_name" "$WORK/data-f-stop/wal/$wal_name"
serve f-skip --checkpoint_interval 3600 --on_corruption skip
check "(f) skip: the server starts" test $? -eq 0
check "(f) skip: /health is degraded ($(health))" bash -c "[[ '$(health)' == '{\"status\":\"degraded\"'* ]]"
check "(f) skip: the log has the loud line naming the file, the byte and the records lost" \
  grep -qE "WAL CORRUPTION: $WORK/data-f-skip/wal/$wal_name: damaged WAL data at byte [0-9]+.*1 acknowledged records are missing" \
  "$WORK/f-skip.err"
got=$(sql "SELECT count() FROM events WHERE user_id LIKE 'flip-u%'")
check "(f) skip: the other two requests' 24 events are there ($got)" test "$got" == 24
check "(f) skip: count() = $total + 24 ($(count))" test "$(count)" == "$((total + 24))"
check "(f) skip: the original WAL file was copied to quarantine/" \
  bash -c "ls '$WORK/data-f-skip/quarantine/wal-$wal_name'.corrupt-* >/dev/null"
stop_server
check "(f) skip: stops cleanly" test $? -eq 0

# --- (e) A second server on a directory in use. ------------------------------------------------
copy e
serve e
first_pid=$server_pid
start_fails e
check "(e) the second server fails (status $status)" bash -c "[[ $status -ne 0 && $status -ne 124 ]]"
check "(e) it says the directory is in use" grep -q "data directory .*data-e is in use" "$WORK/e-fail.err"
check "(e) the first server is unharmed ($(count))" test "$(count)" == "$total"
server_pid=$first_pid
stop_server
check "(e) the first server stops cleanly" test $? -eq 0
finish
