#!/usr/bin/env bash
# Issue 15, finding 1 (one request kills the process) for JSON bodies, end to end: a viewer's
# /grafana/query body of 2 M '[', an annotation holding a 1 M-deep array, deep bodies on every
# other JSON endpoint (Grafana, REST) are a 400; an admin's INSERT ... FORMAT JSONEachRow or
# JSONCompactEachRow and POST /api/v1/events (lines or an array) with a 1 M-deep row or
# properties reject that row and store the good ones of the same body. Moderate depth (60)
# still works and is echoed. The server stays up and loses nothing.
#   json_depth_test.sh MUA_SERVER
set -u
SERVER=${1:?usage: json_depth_test.sh MUA_SERVER}
WORK=$(mktemp -d)
source "$(dirname "$0")/lib.sh"

write_tokens
make_events "$WORK/events.jsonl" 50
start_secure json --load "$WORK/events.jsonl" --tokens "$WORK/tokens"
check "mua-server started with tokens" test $? -eq 0
stored=$(q dtok "SELECT count() FROM events")
check "500 events loaded ($stored)" test "$stored" == 500

post_json() {  # post_json TOKEN PATH FILE : prints the status
  req "$1" -H 'Content-Type: application/json' --data-binary @"$3" "$base$2"
}
range='"range":{"from":"2020-01-01T00:00:00Z","to":"2030-01-01T00:00:00Z"}'
python3 -c "print('[' * 2000000)" >"$WORK/brackets"
python3 -c "print('{\"a\":' * 1000000)" >"$WORK/objects"
status=$(post_json vtok /grafana/query "$WORK/brackets")
check "a viewer's /grafana/query body of 2 M '[': 400 ($status: $(short_body 100))" \
  bash -c "[[ $status == 400 ]] && grep -q 'nested deeper' '$WORK/body'"
python3 -c "print('{$range,\"annotation\":{\"query\":\"releases\",\"deep\":' + '[' * 1000000 + ']' * 1000000 + '}}')" >"$WORK/annotation"
status=$(post_json vtok /grafana/annotations "$WORK/annotation")
check "/grafana/annotations with a 1 M-deep annotation: 400 ($status: $(short_body 100))" \
  bash -c "[[ $status == 400 ]] && grep -q 'nested deeper' '$WORK/body'"
for path in /grafana/search /grafana/variable /grafana/tag-values /grafana/metric-payload-options /grafana/annotations; do
  for file in brackets objects; do
    status=$(post_json vtok "$path" "$WORK/$file")
    check "$path with 1 M+ deep $file: 400 ($status)" test "$status" == 400
  done
done
for file in brackets objects; do
  status=$(post_json atok /api/v1/query "$WORK/$file")
  check "/api/v1/query with deep $file: 400 ($status: $(short_body 100))" test "$status" == 400
done
python3 -c "print('{\"sql\":\"SELECT 1\",\"x\":' + '[' * 1000000 + ']' * 1000000 + '}')" >"$WORK/sql-deep"
status=$(post_json atok /api/v1/query "$WORK/sql-deep")
check "/api/v1/query with a deep member beside sql: 400 ($status: $(short_body 100))" test "$status" == 400

# Depth within the limit still works, and the annotation is echoed whole.
python3 - "$WORK/annotation-60" <<'PY'
import json, sys
deep = "[" * 60 + "]" * 60
body = {"range": {"from": "2020-01-01T00:00:00Z", "to": "2030-01-01T00:00:00Z"},
        "annotation": {"query": "SELECT now() AS time, 'ok' AS title", "deep": json.loads(deep)}}
open(sys.argv[1], "w").write(json.dumps(body, separators=(",", ":")))
PY
status=$(post_json atok /grafana/annotations "$WORK/annotation-60")
check "an annotation 60 deep: 200, echoed ($status: $(short_body 100))" \
  bash -c "[[ $status == 200 ]] && grep -qF '$(python3 -c "print('[' * 60 + ']' * 60)")' '$WORK/body'"

# Ingest: the deep row (or properties) is rejected, the good rows of the same body are stored.
now=$(date -u +'%Y-%m-%d %H:%M:%S')
iso=$(date -u +%Y-%m-%dT%H:%M:%SZ)
good() { echo "{\"event_time\":\"$now\",\"user_id\":\"$1\",\"event_id\":\"$2\",\"event_type\":\"app_open\"}"; }
{
  echo "INSERT INTO events FORMAT JSONEachRow"
  good deep-ok-1 d1
  python3 -c "print('[' * 1000000)"
  good deep-ok-2 d2
  python3 -c "print('{\"a\":' * 1000000 + '1' + '}' * 1000000)"
  echo "{\"event_time\":\"$now\",\"user_id\":\"deep-prop\",\"event_id\":\"d3\",\"event_type\":\"app_open\",\"properties\":\"$(python3 -c "print('[' * 1000000)")\"}"
  echo "{\"event_time\":\"$now\",\"user_id\":\"deep-prop2\",\"event_id\":\"d4\",\"event_type\":\"app_open\",\"properties\":$(python3 -c "print('{\"a\":' * 100000 + '1' + '}' * 100000)")}"
  good deep-ok-3 d5
} >"$WORK/insert"
status=$(req dtok --data-binary @"$WORK/insert" "$base/")
check "INSERT FORMAT JSONEachRow with 1 M-deep lines: 400 Code 117, 4 of 7 rejected ($status: $(short_body 140))" \
  bash -c "[[ $status == 400 ]] && grep -q 'Code: 117' '$WORK/body' && grep -q '4 of 7 rows rejected' '$WORK/body'"
check "... the 3 good rows of the same body are stored" \
  test "$(q dtok "SELECT count() FROM events WHERE startsWith(user_id, 'deep-ok-')")" == 3
check "... the deep ones are not" test "$(q dtok "SELECT count() FROM events WHERE startsWith(user_id, 'deep-prop')")" == 0
stored=$((stored + 3))
{
  echo "INSERT INTO events (event_id, user_id, event_type, event_time) FORMAT JSONCompactEachRow"
  echo "[\"c1\",\"deep-compact-1\",\"app_open\",\"$now\"]"
  python3 -c "print('[' * 1000000)"
  echo "[\"c2\",\"deep-compact-2\",\"app_open\",\"$now\"]"
} >"$WORK/compact"
status=$(req dtok --data-binary @"$WORK/compact" "$base/")
check "INSERT FORMAT JSONCompactEachRow with a 1 M-deep line: 400 Code 117 ($status: $(short_body 140))" \
  bash -c "[[ $status == 400 ]] && grep -q 'Code: 117' '$WORK/body'"
check "... the 2 good rows are stored" \
  test "$(q dtok "SELECT count() FROM events WHERE startsWith(user_id, 'deep-compact-')")" == 2
stored=$((stored + 2))
rest_good() { echo "{\"event_id\":\"$2\",\"user_id\":\"$1\",\"event_type\":\"app_open\",\"event_timestamp\":\"$iso\"}"; }
{
  rest_good deep-rest-1 r1
  python3 -c "print('[' * 1000000)"
  echo "{\"event_id\":\"r2\",\"user_id\":\"deep-rest-x\",\"event_type\":\"app_open\",\"event_timestamp\":\"$iso\",\"properties\":$(python3 -c "print('[' * 500000 + ']' * 500000)")}"
  rest_good deep-rest-2 r3
} >"$WORK/ndjson"
status=$(req dtok -H 'Content-Type: application/x-ndjson' --data-binary @"$WORK/ndjson" "$base/api/v1/events")
check "POST /api/v1/events lines with 1 M-deep ones: 2 accepted, 2 rejected ($status: $(short_body 140))" \
  bash -c "grep -q '\"accepted\":2' '$WORK/body' && grep -q '\"rejected\":2' '$WORK/body'"
stored=$((stored + 2))
array_with() {  # array_with DEPTH : two good events around one DEPTH-deep element
  printf '['
  rest_good "deep-array-$1-1" "a$1-1"
  printf ','
  python3 -c "print('[' * $1 + ']' * $1, end='')"
  printf ','
  rest_good "deep-array-$1-2" "a$1-2"
  printf ']'
}
array_with 100 >"$WORK/array"
status=$(req dtok -H 'Content-Type: application/json' --data-binary @"$WORK/array" "$base/api/v1/events")
check "POST /api/v1/events array with a 100-deep element: it alone is rejected, 2 accepted ($status: $(short_body 140))" \
  bash -c "grep -q '\"accepted\":2' '$WORK/body' && grep -q '\"rejected\":1' '$WORK/body'"
stored=$((stored + 2))
array_with 1000000 >"$WORK/array"
status=$(req dtok -H 'Content-Type: application/json' --data-binary @"$WORK/array" "$base/api/v1/events")
check "POST /api/v1/events array with a 1 M-deep element: 400, refused whole ($status: $(short_body 140))" \
  bash -c "[[ $status == 400 ]] && grep -q 'nested deeper' '$WORK/body'"
check "... so none of its events is stored" \
  test "$(q dtok "SELECT count() FROM events WHERE startsWith(user_id, 'deep-array-1000000')")" == 0
check "the rejects are queryable in events_rejected" test "$(q dtok "SELECT count() >= 4 FROM events_rejected")" == 1
still_intact "$stored" dtok
finish
