#!/usr/bin/env bash
# Issue 15, finding 3 (probes queue behind queries): with 20 heavy queries sent at once (the
# worker pool is busy, more wait in its queue), /ping, /health and /metrics are answered on the
# I/O threads: each gives 200 with the right body (correctness only, no timing asserts).
#   probes_test.sh MUA_SERVER
set -u
SERVER=${1:?usage: probes_test.sh MUA_SERVER}
WORK=$(mktemp -d)
source "$(dirname "$0")/lib.sh"

write_tokens
make_events "$WORK/events.jsonl" 50
start_secure probes --load "$WORK/events.jsonl" --tokens "$WORK/tokens" --max_execution_time 120
check "mua-server started with tokens" test $? -eq 0
stored=$(q dtok "SELECT count() FROM events")
check "500 events loaded ($stored)" test "$stored" == 500

heavy=()
send_heavy() {  # send_heavy I SECONDS : one heavy query, ended by max_execution_time or KILL
  curl -s --max-time 180 -H 'Authorization: Bearer atok' --data-binary "$(heavy_sql 1003)" \
    "$base/?query_id=heavy-$1&max_execution_time=$2" >"$WORK/heavy-$1.out" &
  heavy+=($!)
  pids+=($!)
}
running() {
  local n
  n=$(curl -s -H 'Authorization: Bearer vtok' "$base/metrics" | sed -n 's/^mua_queries_running \([0-9]*\)/\1/p')
  ((${n:-0} >= 16))
}
# 16 fill the worker pool; 4 more wait in its queue (short ones, so the test ends soon after
# the first 16).
for i in $(seq 16); do send_heavy "$i" 40; done
check "16 heavy queries run at once (the worker pool is full; /metrics mua_queries_running)" wait_until 600 running
for i in $(seq 17 20); do send_heavy "$i" 3; done
for round in 1 2 3; do
  check "round $round: /ping answers Ok." test "$(curl -s --max-time 30 "$base/ping")" == "Ok."
  status=$(req - "$base/health")
  check "round $round: /health answers 200 live and ready ($status: $(short_body 60))" \
    bash -c "[[ $status == 200 ]] && grep -q '\"live\":true' '$WORK/body' && grep -q '\"events\":500' '$WORK/body'"
  status=$(req vtok "$base/metrics")
  check "round $round: /metrics answers 200 with the running queries ($status)" \
    bash -c "[[ $status == 200 ]] && grep -q '^mua_queries_running [0-9]' '$WORK/body'"
done
# GET / without a query is ClickHouse's other health check: answered on the I/O threads like
# /ping (it waited behind the heavy queries until 5cfbb57).
check "the pool is still full" running
status=$(curl -s --max-time 10 -o "$WORK/body" -w '%{http_code}' "$base/")
check "GET / (ClickHouse's health check) answers Ok. under load ($status)" \
  bash -c "[[ $status == 200 ]] && [[ \$(cat '$WORK/body') == Ok. ]]"
status=$(req - "$base/metrics")
check "/metrics still wants a token ($status)" test "$status" == 401

# KILL QUERY is answered while every admitted statement runs: the worker pool holds
# max_concurrent_queries + 8 threads and KILL is never refused by admission (fixed in 5cfbb57;
# before, 16 heavy queries filled the 16 workers and left the admin no way to cancel them).
check "the pool is still full" running
answer=$(curl -s --max-time 10 -H 'Authorization: Bearer dtok' --data-binary "KILL QUERY WHERE query_id = 'heavy-1'" "$base/")
check "the admin's KILL QUERY is answered while the pool is full ($answer)" \
  bash -c "[[ '$answer' == *'Ok.'* ]]"
# Nothing is left to observe under load: the other 15 long ones are cancelled rather than left to
# burn both CI cores until their 40 s limit; the 4 short ones still end by their 3 s limit.
for i in $(seq 2 16); do
  curl -s --max-time 10 -H 'Authorization: Bearer dtok' --data-binary "KILL QUERY WHERE query_id = 'heavy-$i'" \
    "$base/" >/dev/null
done

all_done() {
  for pid in "${heavy[@]}"; do kill -0 "$pid" 2>/dev/null && return 1; done
  return 0
}
check "every heavy query ends" wait_until 1200 all_done
ended=$(cat "$WORK"/heavy-*.out | grep -c -E '^(Code: 159|Code: 394|1003$)')
check "each with its answer, 159 TIMEOUT_EXCEEDED or 394 QUERY_WAS_CANCELLED ($ended of 20)" test "$ended" == 20
still_intact 500 dtok
finish
