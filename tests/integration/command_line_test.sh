#!/usr/bin/env bash
# Command lines of the four binaries (SPEC §1, storage/base/command_line.h): --help lists every
# flag with dashes and its default and exits 0; an unknown flag is an error (exit 2); dashed and
# underscored names are the same flag, values are never rewritten; mua-shell keeps -q and -f.
#   command_line_test.sh MUA_SERVER MUA_GEN MUA_SHELL MUA_KAFKA_DEV
set -u
SERVER=${1:?usage: command_line_test.sh MUA_SERVER MUA_GEN MUA_SHELL MUA_KAFKA_DEV}
GEN=${2:?}
SHELL_BIN=${3:?}
KAFKA_DEV=${4:?}
WORK=$(mktemp -d)
source "$(dirname "$0")/lib.sh"

# help_default HELP_FILE FLAG : the "(default: X)" of --FLAG's entry, entries joined across lines.
help_default() {
  python3 - "$1" "$2" <<'PY'
import re, sys
entries, current = {}, None
for line in open(sys.argv[1]):
    m = re.match(r"  --([a-z0-9-]+)(?: \[-.\])?(.*)", line)
    if m:
        current = m.group(1)
        entries[current] = m.group(2)
    elif current and line.startswith("    "):
        entries[current] += " " + line.strip()
text = " ".join(entries.get(sys.argv[2], "").split())
m = re.search(r"\(default: (.*)\)$", text)
print(m.group(1) if m else "MISSING")
PY
}

check_help() {  # check_help NAME BINARY FLAG DEFAULT...
  local name=$1 binary=$2
  shift 2
  "$binary" --help >"$WORK/$name.help" 2>"$WORK/$name.help.err"
  check "$name --help exits 0" test $? -eq 0
  check "$name --help starts with its usage" grep -q "^Usage: $name" "$WORK/$name.help"
  check "$name --help spells every flag with dashes" bash -c "! grep -q '^  --[a-z0-9-]*_' '$WORK/$name.help'"
  while [[ $# -gt 0 ]]; do
    local got
    got=$(help_default "$WORK/$name.help" "$1")
    check "$name --help lists --$1 (default: $2; got $got)" test "$got" == "$2"
    shift 2
  done
  "$binary" --no-such-flag=1 >"$WORK/$name.bad.out" 2>"$WORK/$name.bad.err"
  check "$name: an unknown flag exits 2" test $? -eq 2
  check "$name: and says which" grep -q "^$name: unknown flag '--no-such-flag=1' (see --help)" \
    "$WORK/$name.bad.err"
}

check_help mua-server "$SERVER" data-dir mua-data retention-days 730 http 127.0.0.1:8720 \
  memory-limit-mb -1 kafka-topic mobile_app_events verbose false tokens '""'
check_help mua-gen "$GEN" users 10000 duplicate-share 0 invalid-share 0 kafka-linger-ms 20 out -
check_help mua-shell "$SHELL_BIN" host 127.0.0.1 port 8720 ignore-errors false query '""'
check_help mua-kafka-dev "$KAFKA_DEV" port 0 partitions 32 topic mobile_app_events
check "mua-shell --help shows its short forms" grep -q -- '--query \[-q\]' "$WORK/mua-shell.help"
check "mua-server --help leaves Abseil's own flags out" bash -c "! grep -q flagfile '$WORK/mua-server.help'"
"$SERVER" --data-dir >/dev/null 2>"$WORK/missing.err"
check "a flag without its value exits 2" test $? -eq 2
check "and says so" grep -q "flag '--data-dir' needs a value" "$WORK/missing.err"
"$SERVER" --retention-days=many >/dev/null 2>"$WORK/badvalue.err"
check "a malformed value exits 2" test $? -eq 2
check "naming the flag" grep -q "bad value 'many' for --retention-days" "$WORK/badvalue.err"
"$SERVER" stray >/dev/null 2>"$WORK/stray.err"
check "a stray argument exits 2" test $? -eq 2

# --- mua-gen: both spellings give byte-identical output; the value keeps its underscores. -----
"$GEN" --users 20 --days 2 --duplicate-share 0.1 --out "$WORK/gen_a-b.jsonl" 2>/dev/null
check "mua-gen with dashed flags" test $? -eq 0
"$GEN" --users=20 --days=2 --duplicate_share=0.1 --out="$WORK/gen_c.jsonl" 2>/dev/null
check "mua-gen with underscored flags, same output" cmp -s "$WORK/gen_a-b.jsonl" "$WORK/gen_c.jsonl"
"$GEN" --users 20 --days 2 --seed 1 --event-ids uuid --out "$WORK/a.jsonl" 2>/dev/null
for i in 1 2 3; do
  printf '{"event_id":"cli%s","user_id":"cli","event_type":"a","event_timestamp":"2026-10-05T08:00:00Z"}\n' "$i"
done >"$WORK/b.jsonl"
events_a=$(wc -l <"$WORK/a.jsonl")
events_b=$(wc -l <"$WORK/b.jsonl")

# --- mua-server local mode: repeated --load accumulates. -------------------------------------
got=$("$SERVER" --data-dir= --load "$WORK/a.jsonl" --load="$WORK/b.jsonl" \
  --query 'SELECT count() FROM events' 2>"$WORK/local.err")
check "mua-server --load A --load B loads both ($got of $((events_a + events_b)))" \
  test "$got" == $((events_a + events_b))

# --- mua-server in server mode with dashed flags; the directory name is taken verbatim. ------
HTTP_PORT=$(free_port)
"$SERVER" --data-dir "$WORK/my_data-dir" --http "127.0.0.1:$HTTP_PORT" --retention-days 0 \
  --memory-limit-mb=0 --audit-log "$WORK/audit_log.jsonl" --load "$WORK/a.jsonl" \
  >"$WORK/server.out" 2>"$WORK/server.err" &
server_pid=$!
pids+=($server_pid)
for _ in $(seq 150); do
  [[ "$(curl -s --max-time 1 "http://127.0.0.1:$HTTP_PORT/ping")" == "Ok." ]] && break
  sleep 0.2
done
check "mua-server --data-dir DIR --http HOST:PORT answers /ping" \
  test "$(curl -s --max-time 5 "http://127.0.0.1:$HTTP_PORT/ping")" == "Ok."
check "it uses the data directory as spelled" test -d "$WORK/my_data-dir"
check "and the audit log as spelled" test -f "$WORK/audit_log.jsonl"
wait_for_sql "SELECT count() FROM events" "$events_a"
check "it loaded --load ($answer of $events_a)" test "$answer" == "$events_a"

# --- mua-shell: long flags in both spellings, -q and -f, a bare bool flag. -------------------
got=$("$SHELL_BIN" --port "$HTTP_PORT" -q 'SELECT 40 + 2' 2>&1)
check "mua-shell --port P -q SQL ($got)" test "$got" == 42
got=$("$SHELL_BIN" --host=127.0.0.1 --port="$HTTP_PORT" --query 'SELECT 1' --format=CSV 2>&1)
check "mua-shell --query with --format=CSV ($got)" test "$got" == 1
printf 'SELECT nonsense_function();\nSELECT 7;\n' >"$WORK/script.sql"
got=$("$SHELL_BIN" --port "$HTTP_PORT" -f "$WORK/script.sql" --ignore-errors 2>/dev/null)
status=$?
check "mua-shell -f FILE --ignore-errors runs on past a failure ($got, exit $status)" \
  bash -c "[[ '$got' == 7 && $status -eq 1 ]]"
"$SHELL_BIN" --port "$HTTP_PORT" -x 2>"$WORK/shell.err" >/dev/null
check "mua-shell: an unknown short flag exits 2" test $? -eq 2
stop_server
check "mua-server stops cleanly" test $? -eq 0

# --- mua-kafka-dev: --topic/--partitions pairs in order, both spellings. --------------------
start_broker "$KAFKA_DEV" --topic first --partitions=3 --topic second,third
check "mua-kafka-dev started" test -n "$BOOTSTRAP"
for _ in $(seq 50); do grep -q "topic third" "$WORK/broker.err" && break; sleep 0.1; done
check "--partitions applies to the preceding --topic" grep -q "topic first, 3 partitions" "$WORK/broker.err"
check "a comma-separated --topic makes several" grep -q "topic third, 32 partitions" "$WORK/broker.err"

# --kafka_property passes librdkafka properties through; a malformed or unknown one stops the
# server at start with the property named (before it consumes anything).
"$SERVER" --kafka_brokers "$BOOTSTRAP" --kafka_property=queued.min.messages --data_dir "" \
  --http "127.0.0.1:$(free_port)" >/dev/null 2>"$WORK/property.log"
check "--kafka_property without =VALUE is refused" grep -q -- "--kafka_property queued.min.messages: expected NAME=VALUE" "$WORK/property.log"
"$SERVER" --kafka_brokers "$BOOTSTRAP" --kafka_property=no.such.property=1 --data_dir "" \
  --http "127.0.0.1:$(free_port)" >/dev/null 2>"$WORK/property.log"
check "an unknown librdkafka property is refused, named" grep -q "Kafka consumer: no.such.property" "$WORK/property.log"
finish
