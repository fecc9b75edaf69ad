#!/usr/bin/env bash
# The Grafana JSON datasource of a real mua-server, every endpoint validated against
# the openapi contract (tests/server/grafana_openapi_check.py).
#   grafana_test.sh MUA_SERVER MUA_GEN CHECKER
set -u
SERVER=${1:?usage: grafana_test.sh MUA_SERVER MUA_GEN CHECKER}
GEN=${2:?}
CHECKER=${3:?}
WORK=$(mktemp -d)
source "$(dirname "$0")/lib.sh"

"$GEN" --users 300 --days 10 >"$WORK/events.jsonl" 2>/dev/null
# An A/B test for the experiment metric: every event of a user carries their variant.
python3 - "$WORK/events.jsonl" <<'PY'
import json, sys, zlib
path = sys.argv[1]
lines = []
for line in open(path, encoding='utf-8'):
    event = json.loads(line)
    user = event.get('user_id') or event['user']['user_id']
    event['ab_test_variants'] = {'checkout_v2': ('control', 'treatment')[zlib.crc32(user.encode()) % 2]}
    lines.append(json.dumps(event))
open(path, 'w', encoding='utf-8').write('\n'.join(lines) + '\n')
PY
# Browser-mode Grafana on these origins (the checker's and the preflight's below).
start_server "$SERVER" server --load "$WORK/events.jsonl" \
  --cors-origins http://grafana.example:3000,http://grafana:3000
check "mua-server started on mua-gen data" test "$(sql 'SELECT count() > 1000 FROM events')" == 1
python3 "$CHECKER" "http://127.0.0.1:$HTTP_PORT/grafana" >"$WORK/check.out" 2>&1
status=$?
tail -3 "$WORK/check.out"
check "every Grafana endpoint answers as the openapi says" test "$status" -eq 0
check "... the experiment metric with a stored experiment among them" \
  grep -q "experiment #1 without filters has frames" "$WORK/check.out"
[[ $status -eq 0 ]] || grep -i "fail" "$WORK/check.out" | head -20
cors=$(curl -s -o /dev/null -w '%{http_code}' -X OPTIONS -H 'Origin: http://grafana:3000' \
  -H 'Access-Control-Request-Method: POST' "http://127.0.0.1:$HTTP_PORT/grafana/query")
check "CORS preflight answers 204 ($cors)" test "$cors" == 204
stop_server
finish
