#!/usr/bin/env bash
# GDPR erasure (SPEC §8, issue 8): DELETE FROM events WHERE user_id = 'X' removes the user's
# rows at once and for good: across a restart, a kill -9 right after the DELETE answered, and a
# replay of the whole topic (the user's events are rejected as erased_user, everyone else's are
# duplicates); every other user's answers stay exactly as they were; the audit log has the DELETE.
#   gdpr_test.sh MUA_KAFKA_DEV MUA_GEN MUA_SERVER
set -u
KAFKA_DEV=${1:?usage: gdpr_test.sh MUA_KAFKA_DEV MUA_GEN MUA_SERVER}
GEN=${2:?}
SERVER=${3:?}
WORK=$(mktemp -d)
source "$(dirname "$0")/lib.sh"

start_broker "$KAFKA_DEV" --topic mobile_app_events --partitions 8
check "broker started" test -n "$BOOTSTRAP"
"$GEN" --users 250 --days 14 --seed 21 --out "$WORK/events.jsonl" 2>"$WORK/gen.err"
total=$(wc -l <"$WORK/events.jsonl")
check "mua-gen wrote $total events" test "$total" -gt 5000
produce() { kcat -P -b "$BOOTSTRAP" -t mobile_app_events -z lz4 -l "$WORK/events.jsonl"; }
produce
check "kcat produced the file" test $? -eq 0

# Each start joins a group of its own (offsets come from the data directory): after a kill -9 the
# old group would wait out the dead member's session first.
starts=0
serve() {
  starts=$((starts + 1))
  start_server "$SERVER" gdpr --kafka_brokers "$BOOTSTRAP" --kafka_group "gdpr-$starts" \
    --audit_log "$WORK/audit.jsonl"
}
serve
check "mua-server started" test $? -eq 0
wait_for_sql "SELECT count() FROM events" "$total"
check "every event consumed ($answer of $total)" test "$answer" == "$total"

# Two users with several events each: X is erased first, Y later right before a kill -9.
read -r x x_events y y_events < <(sql "SELECT user_id, count() AS c FROM events GROUP BY user_id
  HAVING c >= 30 ORDER BY c, user_id LIMIT 2" | tr '\n' '\t')
check "picked users X=$x ($x_events events) and Y=$y ($y_events events)" \
  bash -c "[[ -n '$x' && -n '$y' && ${x_events:-0} -ge 30 && ${y_events:-0} -ge 30 ]]"
in_file=$(python3 -c 'import json, sys
print(sum(1 for line in open(sys.argv[1])
          if (lambda e: e.get("user_id") or e["user"]["user_id"])(json.loads(line)) == sys.argv[2]))' \
  "$WORK/events.jsonl" "$x")
check "X's events in the file: $in_file" test "$in_file" == "$x_events"

# What everyone else looks like, before the erasure.
queries=(
  "SELECT count() FROM events"
  "SELECT uniqExact(user_id) FROM events"
  "SELECT event_type, count() FROM events GROUP BY event_type ORDER BY event_type"
  "SELECT toDate(event_time) AS d, uniqExact(user_id) FROM events GROUP BY d ORDER BY d"
)
others() { sed "s/FROM events/FROM events WHERE user_id != '$x'/" <<<"$1"; }
recorded=()
for query in "${queries[@]}"; do recorded+=("$(sql "$(others "$query")")"); done
check "recorded the other users' answers (${recorded[0]} events)" test "${recorded[0]}" == "$((total - x_events))"
got=$(sql "${queries[1]}")
check "before the DELETE, X still counts without the WHERE ($got users, others ${recorded[1]})" \
  test "$got" == "$((recorded[1] + 1))"
# same_answers WHEN : the four queries, now without WHERE, answer what was recorded.
same_answers() {
  local i
  for i in "${!queries[@]}"; do
    got=$(sql "${queries[$i]}")
    check "$1: \"${queries[$i]}\" answers as before the erasure" test "$got" == "${recorded[$i]}"
  done
}

# --- DELETE: gone at once. --------------------------------------------------------------------
deleted=$(sql "DELETE FROM events WHERE user_id = '$x'")
check "DELETE answers user_id and rows_deleted ($deleted)" test "$deleted" == "$(printf '%s\t%s' "$x" "$x_events")"
check "X has no rows right after the DELETE" test "$(sql "SELECT countIf(user_id = '$x') FROM events")" == 0
same_answers "after DELETE"
check "system.storage counts 1 erased user" test "$(sql 'SELECT erased_users FROM system.storage')" == 1
check "system.memory has its three parts" \
  test "$(sql 'SELECT part FROM system.memory ORDER BY part' | tr '\n' ' ')" == "deduplication events_table resident "
check "system.memory: the table and the de-duplication set hold bytes, within the resident size" \
  test "$(sql "SELECT countIf(bytes > 0), sumIf(bytes, part != 'resident') <= sumIf(bytes, part = 'resident') FROM system.memory")" == "$(printf '3\t1')"

# --- Restart, then the whole topic again: X's events are rejected, the rest are duplicates. ----
stop_server
check "SIGTERM stops the server cleanly" test $? -eq 0
serve
check "the server restarts" test $? -eq 0
check "after the restart X has no rows" test "$(sql "SELECT countIf(user_id = '$x') FROM events")" == 0
check "after the restart count() is as recorded" test "$(sql 'SELECT count() FROM events')" == "${recorded[0]}"
produce
check "kcat produced the same file again" test $? -eq 0
wait_for_sql "SELECT sum(applied_offset), sum(lag) FROM system.ingest" "$(printf '%s\t0' $((2 * total)))"
check "the replay is consumed ($answer)" test "$answer" == "$(printf '%s\t0' $((2 * total)))"
check "after the replay X still has no rows" test "$(sql "SELECT countIf(user_id = '$x') FROM events")" == 0
same_answers "after restart and replay"
got=$(sql "SELECT count() FROM events_rejected WHERE reason = 'erased_user'")
check "events_rejected: $x_events erased_user rows from the replay ($got)" test "$got" == "$x_events"
got=$(sql "SELECT sum(duplicates), sum(rejected) FROM system.ingest")
check "system.ingest: the others' events are duplicates, X's rejected ($got)" \
  test "$got" == "$(printf '%s\t%s' "$((total - x_events))" "$x_events")"

# --- kill -9 right after a DELETE answers: the erasure was already on disk. -------------------
deleted=$(sql "DELETE FROM events WHERE user_id = '$y'")
kill -KILL "$server_pid"
wait "$server_pid" 2>/dev/null
check "DELETE of Y answered before the kill ($deleted)" test "$deleted" == "$(printf '%s\t%s' "$y" "$y_events")"
serve
check "the server restarts after kill -9" test $? -eq 0
got=$(sql "SELECT countIf(user_id = '$x'), countIf(user_id = '$y'), count() FROM events")
check "after kill -9: X and Y have no rows, count() = recorded - Y ($got)" \
  test "$got" == "$(printf '0\t0\t%s' "$((recorded[0] - y_events))")"
check "system.storage counts 2 erased users" test "$(sql 'SELECT erased_users FROM system.storage')" == 2
produce
wait_for_sql "SELECT sum(applied_offset), sum(lag) FROM system.ingest" "$(printf '%s\t0' $((3 * total)))"
check "a third copy of the topic is consumed ($answer)" test "$answer" == "$(printf '%s\t0' $((3 * total)))"
got=$(sql "SELECT countIf(user_id = '$x'), countIf(user_id = '$y'), count() FROM events")
check "after the third copy: X and Y still gone, nothing else added ($got)" \
  test "$got" == "$(printf '0\t0\t%s' "$((recorded[0] - y_events))")"
got=$(sql "SELECT count() FROM events_rejected WHERE reason = 'erased_user'")
# The quarantine is durable: the second copy's erased_user rows of X are still there.
check "events_rejected: X's (twice) and Y's events rejected as erased_user ($got)" \
  test "$got" == "$((2 * x_events + y_events))"

# --- The audit log names both statements. ------------------------------------------------------
check "the audit log has the DELETE of X" grep -qF "\"statement\":\"DELETE FROM events WHERE user_id = '$x'\"" "$WORK/audit.jsonl"
check "the audit log has the DELETE of Y" grep -qF "\"statement\":\"DELETE FROM events WHERE user_id = '$y'\"" "$WORK/audit.jsonl"
stop_server
check "the server stops cleanly" test $? -eq 0
finish
