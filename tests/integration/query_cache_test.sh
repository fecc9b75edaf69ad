#!/usr/bin/env bash
# The result cache (docs/SQL.md "Query cache") on a real server: a repeated SELECT with
# use_query_cache = 1 is answered from the cache (X-MUA-Query-Cache: hit, the same body);
# an append or a DELETE recomputes exactly the entries that read the changed day; now(),
# system and dimension tables are never cached; query_cache_ttl serves a stale answer;
# system.query_cache, SYSTEM DROP QUERY CACHE, /metrics, the REST API's default, and the
# server flags (entry rows, --query_cache_for_api, size 0).
#   query_cache_test.sh MUA_SERVER
set -u
SERVER=${1:?usage: query_cache_test.sh MUA_SERVER}
WORK=$(mktemp -d)
source "$(dirname "$0")/lib.sh"

# events SEED DAY USERS: USERS users (32 random hex digits) active on DAY, each with an
# app_open and two screen_views within one second; event ids are 32 random hex digits.
events() {
  python3 - "$@" <<'PY'
import json, random, sys
seed, day, users = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
rng = random.Random(seed)
for _ in range(users):
    user = '%032x' % rng.getrandbits(128)
    platform = rng.choice(['ios', 'android'])
    second = rng.randrange(86400)
    stamp = '%sT%02d:%02d:%02d' % (day, second // 3600, second // 60 % 60, second % 60)
    for i, event_type in enumerate(['app_open', 'screen_view', 'screen_view']):
        print(json.dumps({'event_id': '%032x' % rng.getrandbits(128), 'user_id': user,
                          'event_type': event_type,
                          'event_timestamp': '%s.%03dZ' % (stamp, 100 * i + rng.randrange(100)),
                          'platform': platform, 'app_version': rng.choice(['4.2.0', '4.3.1']),
                          'country': rng.choice(['US', 'DE', 'BR', 'IN'])}))
PY
}
insert() { curl -s --max-time 30 --data-binary @- "http://127.0.0.1:$HTTP_PORT/?query=INSERT%20INTO%20events%20FORMAT%20JSONEachRow"; }

# ask SQL [URL_PARAMETERS]: sets $body, $status and $hit (1: X-MUA-Query-Cache: hit).
ask() {
  body=$(curl -s --max-time 30 -D "$WORK/headers" --data-binary "$1" "http://127.0.0.1:$HTTP_PORT/?${2:-}")
  status=$(awk 'NR == 1 {print $2}' "$WORK/headers")
  hit=0
  if tr -d '\r' <"$WORK/headers" | grep -qix 'x-mua-query-cache: hit'; then hit=1; fi
}
cached() { ask "$1" "use_query_cache=1${2:+&$2}"; }
metric() { curl -s --max-time 30 "http://127.0.0.1:$HTTP_PORT/metrics" | awk -v name="$1" '$1 == name {print $2}'; }
# (Sealing a day's head 10 s after its last append keeps the day's version: it changes how
# the rows are stored, not them. No check waits for it.)

# Days 2026-10-01..07 with 11..17 users: day d has 3 * (10 + d) events.
expected_days() {  # expected_days [DAY6_EVENTS DAY6_USERS]
  local d
  for d in 1 2 3 4 5 6 7; do
    if [[ $d -eq 6 && $# -eq 2 ]]; then
      printf '2026-10-06\t%d\t%d\n' "$1" "$2"
    else
      printf '2026-10-0%d\t%d\t%d\n' "$d" $((3 * (10 + d))) $((10 + d))
    fi
  done
}

start_server "$SERVER" cache --data_dir "" --retention_days 0
check "mua-server started (in memory)" test $? -eq 0
for d in 1 2 3 4 5 6 7; do events "$d" "2026-10-0$d" $((10 + d)); done | insert >/dev/null
check "294 events on 7 days stored" test "$(sql 'SELECT count() FROM events')" == "294"

# --- Hits: the same statement, in any spelling, with the cache asked for.
DAYS="SELECT toDate(event_time) AS day, count() AS events, uniqExact(user_id) AS users FROM events GROUP BY day ORDER BY day"
days=$(expected_days)
cached "$DAYS"
check "1st SELECT with use_query_cache=1: computed" test "$status:$hit:$body" == "200:0:$days"
cached "$DAYS"
check "2nd: X-MUA-Query-Cache: hit, the same body" test "$status:$hit:$body" == "200:1:$days"
cached "select toDate(event_time) as day, count() as events, uniqExact(user_id) as users
        from events   group by day order by day"
check "other whitespace and keyword case: a hit" test "$hit:$body" == "1:$days"
ask "$DAYS SETTINGS use_query_cache = 1"
check "SETTINGS use_query_cache = 1: a hit" test "$hit:$body" == "1:$days"
ask "$DAYS"
check "without use_query_cache: no hit header, the same answer" test "$status:$hit:$body" == "200:0:$days"
ask "$DAYS" "use_query_cache=0"
check "use_query_cache=0: no hit header" test "$hit:$body" == "0:$days"
JSON_DAYS=$(expected_days | awk -F'\t' '{printf "{\"day\":\"%s\",\"events\":\"%s\",\"users\":\"%s\"}\n", $1, $2, $3}')
cached "$DAYS FORMAT JSONEachRow"
check "a hit in another output format (FORMAT is not part of the key)" test "$hit:$body" == "1:$JSON_DAYS"

BY_TYPE="SELECT count() FROM events WHERE event_type = {type:String}"
cached "$BY_TYPE" "param_type=app_open"
check "query parameter app_open: 98, computed" test "$hit:$body" == "0:98"
cached "$BY_TYPE" "param_type=screen_view"
check "another parameter value is another entry: 196, computed" test "$hit:$body" == "0:196"
cached "$BY_TYPE" "param_type=app_open"
check "app_open again: a hit, 98" test "$hit:$body" == "1:98"

# Bounded to 2026-10-01 and 02: 33 + 36 events; by day from the user bitmaps.
FIRST_TWO="SELECT count() FROM events WHERE event_time >= '2026-10-01 00:00:00' AND event_time < '2026-10-03 00:00:00'"
FIRST_TWO_DAU="SELECT toDate(event_time) AS day, uniqExact(user_id) FROM events WHERE event_time >= '2026-10-01 00:00:00' AND event_time < '2026-10-03 00:00:00' GROUP BY day ORDER BY day"
cached "$FIRST_TWO"
check "two days' count: 69, computed" test "$hit:$body" == "0:69"
cached "$FIRST_TWO"
check "two days' count again: a hit" test "$hit:$body" == "1:69"
cached "$FIRST_TWO_DAU"
check "two days' DAU (bitmaps): computed" test "$hit:$body" == $'0:2026-10-01\t11\n2026-10-02\t12'
cached "$FIRST_TWO_DAU"
check "two days' DAU again: a hit" test "$hit:$body" == $'1:2026-10-01\t11\n2026-10-02\t12'
got=$(sql "SELECT partitions, hits FROM system.query_cache WHERE query = '$(sed "s/'/''/g" <<<"$FIRST_TWO")'")
check "system.query_cache: the two days' count depends on 2 partitions, 1 hit ($got)" test "$got" == $'2\t1'

# The sessions view is computed from the events: cached (one session per user and day).
cached "SELECT count() FROM sessions"
cached "SELECT count() FROM sessions"
check "SELECT count() FROM sessions: a hit, 98" test "$hit:$body" == "1:98"

# --- Never cached: the time, randomness, system tables, created tables.
cached "SELECT count() FROM events WHERE event_time < now()"
cached "SELECT count() FROM events WHERE event_time < now()"
check "now(): never a hit" test "$hit:$body" == "0:294"
cached "SELECT count() FROM events WHERE rand() >= 0"
cached "SELECT count() FROM events WHERE rand() >= 0"
check "rand(): never a hit" test "$hit:$body" == "0:294"
cached "SELECT count() FROM system.partitions"
cached "SELECT count() FROM system.partitions"
check "system.partitions: never a hit" test "$hit:$body" == "0:7"
cached "SELECT count() FROM events_rejected"
cached "SELECT count() FROM events_rejected"
check "events_rejected: never a hit" test "$hit:$body" == "0:0"
cached "SELECT count() FROM user_profiles"
cached "SELECT count() FROM user_profiles"
check "user_profiles: never a hit" test "$hit:$body" == "0:98"
sql "CREATE TABLE cohort (user_id String) ENGINE = Memory" >/dev/null
sql "INSERT INTO cohort SELECT DISTINCT user_id FROM events WHERE toDate(event_time) = '2026-10-01'" >/dev/null
IN_COHORT="SELECT count() FROM events WHERE user_id IN (SELECT user_id FROM cohort)"
cached "$IN_COHORT"
cached "$IN_COHORT"
check "a statement reading a created table: never a hit" test "$hit:$body" == "0:33"
sql "TRUNCATE TABLE cohort" >/dev/null
cached "$IN_COHORT"
check "... and its answer follows the created table" test "$hit:$body" == "0:0"
got=$(sql "SELECT count() FROM system.query_cache WHERE query LIKE '%now()%' OR query LIKE '%rand()%' OR query LIKE '%system.%' OR query LIKE '%cohort%'
    OR query LIKE '%events_rejected%' OR query LIKE '%user_profiles%'")
check "none of them is in system.query_cache" test "$got" == "0"

# --- The REST API uses the cache by default.
daily() { curl -s --max-time 30 "http://127.0.0.1:$HTTP_PORT/api/v1/metrics/daily?from=2026-10-01&to=2026-10-08"; }
hits=$(metric mua_query_cache_hits_total)
misses=$(metric mua_query_cache_misses_total)
first=$(daily)
check "GET /api/v1/metrics/daily answers 7 days" test "$(grep -o '"date"' <<<"$first" | wc -l)" -eq 7
check "... computed (misses grew, hits did not)" \
  test "$(metric mua_query_cache_misses_total)" -gt "$misses" -a "$(metric mua_query_cache_hits_total)" -eq "$hits"
hits=$(metric mua_query_cache_hits_total)
misses=$(metric mua_query_cache_misses_total)
check "the same call again: the same body" test "$(daily)" == "$first"
now_hits=$(metric mua_query_cache_hits_total)
check "... answered from the cache (hits $hits -> $now_hits, no new miss)" \
  test "$now_hits" -gt "$hits" -a "$(metric mua_query_cache_misses_total)" -eq "$misses"

# --- query_cache_ttl = 600: an entry computed before the append is served after it, stale.
TOTAL="SELECT count(), uniqExact(user_id) FROM events"
cached "$TOTAL" "query_cache_ttl=600"
check "totals with query_cache_ttl=600: computed" test "$hit:$body" == $'0:294\t98'
SHORT="SELECT uniqExact(user_id) FROM events WHERE event_type = 'app_open'"
cached "$SHORT" "query_cache_ttl=1"
check "app_open users with query_cache_ttl=1: computed" test "$hit:$body" == "0:98"

# --- An append into 2026-10-06 (8 new users, 24 events, 3 of them in one second each).
events 66 2026-10-06 8 | insert >/dev/null
check "24 events appended to 2026-10-06" test "$(sql 'SELECT count() FROM events')" == "318"
cached "$DAYS"
check "the query over all days is recomputed: day 6 has 72 events, 24 users" \
  test "$hit:$body" == "0:$(expected_days 72 24)"
cached "$FIRST_TWO"
check "the query over 2026-10-01..02 is still a hit, 69" test "$hit:$body" == "1:69"
cached "$FIRST_TWO_DAU"
check "the two days' DAU (bitmaps) is still a hit, 11 and 12" test "$hit:$body" == $'1:2026-10-01\t11\n2026-10-02\t12'
cached "$BY_TYPE" "param_type=app_open"
check "app_open count (all days) recomputed: 106" test "$hit:$body" == "0:106"
cached "$TOTAL" "query_cache_ttl=600"
check "query_cache_ttl=600: the stale answer from the cache" test "$hit:$body" == $'1:294\t98'
got=$(sql "SELECT stale, hits, expires_at > created_at FROM system.query_cache WHERE query = '$TOTAL'")
check "system.query_cache: stale = 1, 1 hit, an expiry ($got)" test "$got" == $'1\t1\t1'
got=$(sql "SELECT stale FROM system.query_cache WHERE query = '$(sed "s/'/''/g" <<<"$FIRST_TWO")'")
check "system.query_cache: the two days' count is not stale" test "$got" == "0"
cached "$TOTAL"
check "the same without a ttl: recomputed, 318 events of 106 users" test "$hit:$body" == $'0:318\t106'
# A stale entry is served only up to its ttl: poll until the 1-second one is recomputed.
stale_answers=""
for _ in $(seq 100); do
  cached "$SHORT" "query_cache_ttl=1"
  [[ $hit == 0 ]] && break
  stale_answers+="$body "
  sleep 0.1
done
check "within query_cache_ttl=1 only the stale answer 98 (${stale_answers:-none})" \
  test -z "${stale_answers//98 /}"
check "past query_cache_ttl=1: recomputed, 106" test "$hit:$body" == "0:106"

# --- A GDPR DELETE of a user of 2026-10-01 recomputes what read that day.
erased=$(sql "SELECT user_id FROM events WHERE toDate(event_time) = '2026-10-01' ORDER BY user_id LIMIT 1")
sql "DELETE FROM events WHERE user_id = '$erased'" >/dev/null
cached "$FIRST_TWO"
check "after the DELETE of a user of 2026-10-01: recomputed, 66" test "$hit:$body" == "0:66"

# --- system.query_cache, SYSTEM DROP QUERY CACHE, /metrics.
check "system.query_cache lists entries with hits" \
  test "$(sql 'SELECT count() > 0, sum(hits) > 0 FROM system.query_cache')" == $'1\t1'
check "mua_query_cache_entries = rows of system.query_cache" \
  test "$(metric mua_query_cache_entries)" == "$(sql 'SELECT count() FROM system.query_cache')"
check "mua_query_cache_bytes = sum(result_size)" \
  test "$(metric mua_query_cache_bytes)" == "$(sql 'SELECT sum(result_size) FROM system.query_cache')"
metrics=$(curl -s --max-time 30 "http://127.0.0.1:$HTTP_PORT/metrics")
for name in mua_query_cache_hits_total mua_query_cache_misses_total mua_query_cache_entries mua_query_cache_bytes; do
  check "/metrics: $name" grep -qE "^$name [0-9]+$" <<<"$metrics"
done
check "/metrics: hits counted" test "$(metric mua_query_cache_hits_total)" -gt 0
ask "SYSTEM DROP QUERY CACHE"
check "SYSTEM DROP QUERY CACHE: Ok." test "$status" == "200"
check "system.query_cache is empty" test "$(sql 'SELECT count() FROM system.query_cache')" == "0"
check "mua_query_cache_entries 0, bytes 0" \
  test "$(metric mua_query_cache_entries):$(metric mua_query_cache_bytes)" == "0:0"
cached "$FIRST_TWO"
check "after the drop: computed again" test "$hit:$body" == "0:66"
stop_server
check "SIGTERM: clean exit" test $? -eq 0

# --- Flags: a 3-row entry limit, and the REST API without the cache.
start_server "$SERVER" limits --data_dir "" --retention_days 0 \
  --query_cache_max_entry_size_in_rows 3 --query_cache_for_api=false
check "mua-server --query_cache_max_entry_size_in_rows 3 --query_cache_for_api=false started" test $? -eq 0
for d in 1 2 3 4 5 6 7; do events "$d" "2026-10-0$d" $((10 + d)); done | insert >/dev/null
check "294 events stored" test "$(sql 'SELECT count() FROM events')" == "294"
cached "$DAYS"
cached "$DAYS"
check "a 7-row result is larger than an entry may be: never a hit" test "$hit:$body" == "0:$days"
cached "$DAYS LIMIT 3"
cached "$DAYS LIMIT 3"
check "3 rows: a hit" test "$hit:$body" == "1:$(expected_days | head -3)"
hits=$(metric mua_query_cache_hits_total)
misses=$(metric mua_query_cache_misses_total)
first=$(daily)
check "--query_cache_for_api=false: the REST call answers" test "$(daily)" == "$first"
check "... without asking the cache" \
  test "$(metric mua_query_cache_hits_total):$(metric mua_query_cache_misses_total)" == "$hits:$misses"
stop_server
check "SIGTERM: clean exit" test $? -eq 0

start_server "$SERVER" off --data_dir "" --retention_days 0 --query_cache_max_size_in_bytes 0
check "mua-server --query_cache_max_size_in_bytes 0 started" test $? -eq 0
events 1 2026-10-01 11 | insert >/dev/null
cached "$FIRST_TWO"
cached "$FIRST_TWO"
check "no cache: never a hit" test "$hit:$body" == "0:33"
check "no cache: no mua_query_cache_* metrics" \
  bash -c "! curl -s --max-time 30 'http://127.0.0.1:$HTTP_PORT/metrics' | grep -q '^mua_query_cache'"
stop_server
check "SIGTERM: clean exit" test $? -eq 0
finish
