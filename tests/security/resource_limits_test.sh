#!/usr/bin/env bash
# Issue 15, finding 3 (no bound on a query's resources): the max_memory_usage setting answers
# error 241 MEMORY_LIMIT_EXCEEDED for every kind of operator (sort, DISTINCT, GROUP BY,
# uniqExact, string keys) and the server stays up; --max-query-memory caps all queries
# together; --max-memory-usage applies to REST and Grafana statements and a URL setting cannot
# loosen it; max_execution_time answers 159; REST and Grafana statements appear in
# system.processes and KILL QUERY cancels them.
#   resource_limits_test.sh MUA_SERVER
set -u
SERVER=${1:?usage: resource_limits_test.sh MUA_SERVER}
WORK=$(mktemp -d)
source "$(dirname "$0")/lib.sh"

write_tokens
make_events "$WORK/events.jsonl" 50
start_secure limits --load "$WORK/events.jsonl" --tokens "$WORK/tokens" --max_execution_time 120
check "mua-server started with tokens" test $? -eq 0
stored=$(q dtok "SELECT count() FROM events")
check "500 events loaded ($stored)" test "$stored" == 500

over_limit() {  # over_limit NAME TOKEN SQL URL_SETTINGS : 500 with Code 241, then a query still works
  local status
  status=$(req "$2" --data-binary "$3" "$base/?$4")
  check "$1: 500 Code 241 MEMORY_LIMIT_EXCEEDED ($status: $(short_body 120))" \
    bash -c "[[ $status == 500 ]] && grep -q 'Code: 241' '$WORK/body' && grep -q 'MEMORY_LIMIT_EXCEEDED' '$WORK/body'"
  check "... and the server answers the next query" test "$(q "$2" 'SELECT count() FROM events')" == "$stored"
}
over_limit "ORDER BY of 10 M numbers under max_memory_usage=30 MB" atok \
  'SELECT number FROM numbers(10000000) ORDER BY number DESC LIMIT 1' max_memory_usage=30000000
over_limit "DISTINCT of 10 M numbers under max_memory_usage=30 MB" atok \
  'SELECT count() FROM (SELECT DISTINCT number FROM numbers(10000000))' max_memory_usage=30000000
over_limit "DISTINCT under max_memory_usage=1 MB" atok \
  'SELECT count() FROM (SELECT DISTINCT number FROM numbers(10000000))' max_memory_usage=1000000
over_limit "GROUP BY of 1 M keys under max_memory_usage=1 MB" atok "$(heavy_sql)" max_memory_usage=1000000
# max_result_rows is checked while the result grows: 100 M rows under a 50 MB limit are a 396,
# not a 241 (the whole result is never built).
status=$(req atok --data-binary 'SELECT number FROM numbers(100000000)' "$base/?max_result_rows=10&max_memory_usage=50000000")
check "100 M result rows with max_result_rows=10 under 50 MB: Code 396 ($status: $(short_body 100))" \
  bash -c "[[ $status == 500 ]] && grep -q 'Code: 396' '$WORK/body'"
over_limit "a subquery materializing 100 M rows under max_memory_usage=30 MB" atok \
  'SELECT count() FROM (SELECT number FROM numbers(100000000) LIMIT 1 OFFSET 99999999)' max_memory_usage=30000000
# The time limit is checked inside long loops (sort, LIKE over every row), not only between blocks.
for sql in 'SELECT count() FROM (SELECT number FROM numbers(100000000) ORDER BY number DESC)' \
  "SELECT count() FROM numbers(100000000) WHERE toString(number) LIKE '%1%2%3%4%5%6%7%8%9%x'"; do
  status=$(req atok --data-binary "$sql" "$base/?max_execution_time=1")
  check "max_execution_time=1: ${sql:0:60}...: Code 159 ($status)" \
    bash -c "[[ $status == 408 ]] && grep -q 'Code: 159' '$WORK/body'"
done
status=$(req atok --data-binary "$(heavy_sql)" "$base/?max_execution_time=1")
check "max_execution_time=1 on a long GROUP BY: Code 159 TIMEOUT_EXCEEDED ($status: $(short_body 100))" \
  bash -c "[[ $status == 408 ]] && grep -q 'Code: 159' '$WORK/body'"

# REST and Grafana statements are in system.processes, and KILL QUERY cancels them.
processes_of() {  # processes_of USER : "query_id" of USER's heavy statement, seen by the admin
  q dtok "SELECT query_id FROM system.processes WHERE user = '$1' AND position(query, 'numbers(100000000)') > 0"
}
seen_running() { running_id=$(processes_of "$1"); [[ -n "$running_id" ]]; }
kill_while_running() {  # kill_while_running NAME OUTPUT_FILE PID
  check "$1: the analyst's statement shows in system.processes (user ana)" wait_until 300 seen_running ana
  local answer
  answer=$(q dtok "KILL QUERY WHERE query_id = '$running_id'")
  check "$1: KILL QUERY as admin ($answer)" bash -c "[[ '$answer' == *'is being cancelled'* ]]"
  wait "$3"
  check "$1: the statement ends cancelled ($(head -c 120 "$2"))" grep -qi 'cancel' "$2"
  check "$1: and leaves system.processes" test -z "$(processes_of ana)"
}
# Amplification: one small Grafana request with thousands of targets. Each target's statement
# is bounded, the request and its JSON answer (built outside the statements' memory trackers)
# must be too.
# A /grafana/query holds at most 100 targets: 2500 'retention' targets in a 160 KB body made a
# ~150 MB answer and held a worker ~25 s (fixed in 5cfbb57).
# answer: a viewer's 160 KB body of 2500 'retention' targets (period day over 14 years) holds a
# worker for ~25 s on the ASan build and answers ~150 MB (61 KB per target on 500 events),
# all in memory; the 16 MB body limit allows ~350 000 targets (about 20 GB). Expected a 4xx
# (too many targets, or an answer over a byte limit).
python3 -c "
import json
print(json.dumps({'range': {'from': '2016-01-01T00:00:00Z', 'to': '2030-01-01T00:00:00Z'},
                  'targets': [{'refId': str(i), 'target': 'retention', 'payload': {'period': 'day'}} for i in range(2500)]}))" \
  >"$WORK/targets.json"
answer=$(curl -s --max-time 120 -o "$WORK/targets.out" -w '%{http_code} %{size_download}' -H 'Authorization: Bearer vtok' \
  -H 'Content-Type: application/json' --data-binary @"$WORK/targets.json" "$base/grafana/query")
check "a viewer's 2500-target /grafana/query: a 4xx or an answer of at most 64 MB ($answer bytes)" \
  bash -c "[[ '$answer' == 4* ]] || { [[ '$answer' == 200\ * ]] && (( \${answer#* } <= 64 << 20 )); }"
rm -f "$WORK/targets.out"

curl -s -H 'Authorization: Bearer atok' -H 'Content-Type: application/json' \
  --data-binary "{\"sql\":\"$(heavy_sql)\"}" "$base/api/v1/query" >"$WORK/rest.out" &
kill_while_running "REST /api/v1/query" "$WORK/rest.out" $!
curl -s -H 'Authorization: Bearer atok' -H 'Content-Type: application/json' \
  --data-binary "{\"range\":{\"from\":\"2020-01-01T00:00:00Z\",\"to\":\"2030-01-01T00:00:00Z\"},\"targets\":[{\"refId\":\"A\",\"target\":\"sql\",\"payload\":{\"sql\":\"$(heavy_sql)\"}}]}" \
  "$base/grafana/query" >"$WORK/grafana.out" &
kill_while_running "Grafana sql metric" "$WORK/grafana.out" $!
curl -s -H 'Authorization: Bearer atok' -H 'Content-Type: application/json' \
  --data-binary "{\"payload\":{\"target\":\"$(heavy_sql)\"}}" "$base/grafana/variable" >"$WORK/variable.out" &
kill_while_running "Grafana variable" "$WORK/variable.out" $!
still_intact 500 dtok
stop_server

# --- Server-wide settings: --max-query-memory (all queries together), --max-memory-usage. ---
start_secure capped --load "$WORK/events.jsonl" --tokens "$WORK/tokens" --max-query-memory 30000000
check "mua-server --max-query-memory 30000000 started" test $? -eq 0
over_limit "--max-query-memory: DISTINCT of 10 M numbers without a setting" atok \
  'SELECT count() FROM (SELECT DISTINCT number FROM numbers(10000000))' ""
check "... the message names the server-wide total" grep -q 'total' "$WORK/body"
still_intact 500 dtok
stop_server

start_secure per_query --load "$WORK/events.jsonl" --tokens "$WORK/tokens" --max-memory-usage 30000000
check "mua-server --max-memory-usage 30000000 started" test $? -eq 0
over_limit "--max-memory-usage: a URL max_memory_usage cannot raise it" atok \
  'SELECT count() FROM (SELECT DISTINCT number FROM numbers(10000000))' max_memory_usage=100000000000
status=$(req atok -H 'Content-Type: application/json' \
  --data-binary '{"sql":"SELECT count() FROM (SELECT DISTINCT number FROM numbers(10000000))"}' "$base/api/v1/query")
# (The status is 429 Too Many Requests today, as for "too complex": see stack_overflow_test.sh.)
check "--max-memory-usage applies to /api/v1/query ($status: $(short_body 120))" grep -q 'Memory limit' "$WORK/body"
status=$(req atok -H 'Content-Type: application/json' \
  --data-binary '{"range":{"from":"2020-01-01T00:00:00Z","to":"2030-01-01T00:00:00Z"},"targets":[{"refId":"A","target":"sql","payload":{"sql":"SELECT count() AS n FROM (SELECT DISTINCT number FROM numbers(10000000))"}}]}' \
  "$base/grafana/query")
check "--max-memory-usage applies to Grafana's sql metric ($status: $(short_body 120))" grep -q 'Memory limit' "$WORK/body"
status=$(req vtok -H 'Content-Type: application/json' \
  --data-binary '{"range":{"from":"2020-01-01T00:00:00Z","to":"2030-01-01T00:00:00Z"},"targets":[{"refId":"A","target":"dau"}]}' "$base/grafana/query")
check "the viewer's fixed metric still answers under the limit ($status)" test "$status" == 200
still_intact 500 dtok
stop_server

# --- Hash tables growing past the limit: each on a fresh server, so one crash does not hide
# the next variant. ---
# A GROUP BY or uniqExact whose hash table grows past max_memory_usage while rehashing killed
# the process before 1436961 (bad_alloc inside absl::flat_hash_map's resize, which is not
# exception-safe; ASan use-after-poison in ~GroupTable).
over_limit_fresh() {  # over_limit_fresh NAME SQL URL_SETTINGS
  start_secure "fresh$((++fresh))" --load "$WORK/events.jsonl" --tokens "$WORK/tokens"
  over_limit "$1" atok "$2" "$3"
  still_intact 500 dtok
  stop_server 2>/dev/null
}
fresh=0
over_limit_fresh "GROUP BY of 1 M keys under max_memory_usage=30 MB" "$(heavy_sql)" max_memory_usage=30000000
over_limit_fresh "GROUP BY of 3 M string keys under max_memory_usage=30 MB" \
  'SELECT count() FROM (SELECT toString(number) AS s, count() FROM numbers(3000000) GROUP BY s)' max_memory_usage=30000000
over_limit_fresh "uniqExact of 10 M numbers under max_memory_usage=30 MB" \
  'SELECT uniqExact(number) FROM numbers(10000000)' max_memory_usage=30000000
finish
