#!/usr/bin/env bash
# The HTTP server end to end (SPEC §6): roles and tokens, the audit log, INSERT over
# HTTP, /health, /metrics, limits and junk of every kind — each a clear 4xx while the
# server keeps serving and loses nothing — KILL QUERY, and a bind policy.
#   http_server_test.sh MUA_SERVER MUA_GEN
set -u
SERVER=${1:?usage: http_server_test.sh MUA_SERVER MUA_GEN}
GEN=${2:?}
WORK=$(mktemp -d)
source "$(dirname "$0")/lib.sh"

cat >"$WORK/tokens" <<'TOKENS'
# token         role     principal
viewer-token    viewer   vera
analyst-token   analyst  anna
admin-token     admin    adam
TOKENS
"$GEN" --users 200 --days 5 >"$WORK/events.jsonl" 2>/dev/null
start_server "$SERVER" server --load "$WORK/events.jsonl" --tokens "$WORK/tokens" \
  --audit_log "$WORK/audit.jsonl" --max_body_mb 1 --max_result_rows 1000
base="http://127.0.0.1:$HTTP_PORT"
as() {  # as TOKEN CURL_ARGS... : prints the status code, body to $WORK/body
  local token=$1
  shift
  curl -s -o "$WORK/body" -w '%{http_code}' -H "Authorization: Bearer $token" "$@"
}
stored=$(as admin-token --data-binary 'SELECT count() FROM events' "$base/"; cat "$WORK/body")
stored=${stored#200}
check "admin reads ($stored events loaded)" test "$stored" -gt 1000

# --- Tokens and roles. ---
check "no token: 401" test "$(curl -s -o /dev/null -w '%{http_code}' --data-binary 'SELECT 1' "$base/")" == 401
check "unknown token: 401" test "$(as nope --data-binary 'SELECT 1' "$base/")" == 401
check "/ping answers whatever the credentials (as ClickHouse's)" test "$(as nope "$base/ping")" == 200
check "/ping needs no token" test "$(curl -s "$base/ping")" == "Ok."
check "a gzip body is refused up front: 415" \
  test "$(printf 'x' | gzip | as admin-token -H 'Content-Encoding: gzip' --data-binary @- "$base/?query=INSERT%20INTO%20events%20FORMAT%20JSONEachRow")" == 415
check "viewer cannot run free SQL: 403" test "$(as viewer-token --data-binary 'SELECT 1' "$base/")" == 403
check "... with ClickHouse's ACCESS_DENIED" grep -q 'Code: 497' "$WORK/body"
check "analyst runs SELECT" test "$(as analyst-token --data-binary 'SELECT 1' "$base/")" == 200
check "analyst cannot insert: 403" test "$(as analyst-token --data-binary $'INSERT INTO events FORMAT JSONEachRow\n{}' "$base/")" == 403
check "analyst cannot SYSTEM: 403" test "$(as analyst-token --data-binary 'SYSTEM STOP INGEST' "$base/")" == 403
check "viewer cannot delete: 403" test "$(as viewer-token --data-binary "DELETE FROM events WHERE user_id = 'u1'" "$base/")" == 403
check "viewer reads /metrics" test "$(as viewer-token "$base/metrics")" == 200
check "viewer uses Grafana" test "$(as viewer-token "$base/grafana/")" == 200
grafana_query='{"range":{"from":"2026-10-01T00:00:00Z","to":"2026-10-06T00:00:00Z"},"targets":[{"refId":"A","target":"dau"}]}'
check "viewer queries a fixed Grafana metric" test "$(as viewer-token -H 'Content-Type: application/json' --data-binary "$grafana_query" "$base/grafana/query")" == 200
grafana_sql='{"range":{"from":"2026-10-01T00:00:00Z","to":"2026-10-06T00:00:00Z"},"targets":[{"refId":"A","target":"sql","payload":{"sql":"SELECT 1"}}]}'
check "viewer cannot run Grafana free SQL: 403" test "$(as viewer-token -H 'Content-Type: application/json' --data-binary "$grafana_sql" "$base/grafana/query")" == 403
check "analyst can" test "$(as analyst-token -H 'Content-Type: application/json' --data-binary "$grafana_sql" "$base/grafana/query")" == 200
ch_status=$(curl -s -o /dev/null -w '%{http_code}' -u "default:analyst-token" --data-binary 'SELECT 1' "$base/")
check "a ClickHouse client's Basic auth password is the token ($ch_status)" test "$ch_status" == 200
check "X-ClickHouse-Key carries the token too" \
  test "$(curl -s -o /dev/null -w '%{http_code}' -H 'X-ClickHouse-Key: analyst-token' --data-binary 'SELECT 1' "$base/")" == 200

# --- Settings as URL parameters: ClickHouse's are accepted, unknown ones ignored (unlike
#     ClickHouse's 115); an unknown name in a SETTINGS clause is 115. ---
check "ClickHouse settings and non-setting parameters as URL parameters: 200" \
  test "$(as analyst-token --data-binary 'SELECT {n:UInt8}' "$base/?max_block_size=10&wait_end_of_query=1&send_progress_in_http_headers=0&param_n=1&database=default&default_format=TSV&query_id=gap1")" == 200
check "an unknown URL parameter is ignored: 200" test "$(as analyst-token --data-binary 'SELECT 1' "$base/?no_such_setting=1")" == 200
check "an unknown setting in SETTINGS: 404" test "$(as analyst-token --data-binary 'SELECT 1 SETTINGS max_bloc_size = 1' "$base/")" == 404
check "... Code 115" grep -q 'Code: 115' "$WORK/body"

# --- REST (SPEC §6; docs/REST.md) with roles. ---
check "viewer reads /api/v1/metrics/daily" test "$(as viewer-token "$base/api/v1/metrics/daily")" == 200
check "... a JSON answer with DAU" grep -q '"dau"' "$WORK/body"
user=$(head -1 "$WORK/events.jsonl" | python3 -c 'import json,sys; e=json.loads(sys.stdin.read()); print(e.get("user_id") or e["user"]["user_id"])')
check "viewer reads a user's summary" test "$(as viewer-token "$base/api/v1/users/$user/summary")" == 200
check "an unknown user: 404" test "$(as viewer-token "$base/api/v1/users/nobody%27%20OR%201=1--/summary")" == 404
check "viewer reads a funnel" test "$(as viewer-token "$base/api/v1/funnel?steps=app_open,purchase")" == 200
check "viewer reads retention" test "$(as viewer-token "$base/api/v1/retention?period=day")" == 200
check "viewer cannot POST /api/v1/query: 403" test "$(as viewer-token --data-binary '{"sql":"SELECT 1"}' "$base/api/v1/query")" == 403
check "analyst can" test "$(as analyst-token -H 'Content-Type: application/json' --data-binary '{"sql":"SELECT 1 AS x"}' "$base/api/v1/query")" == 200
check "analyst cannot POST /api/v1/events: 403" test "$(as analyst-token --data-binary '{}' "$base/api/v1/events")" == 403
rest_event='{"event_id":"r1","user_id":"rest-u","event_type":"app_open","event_timestamp":"2026-10-02T10:00:00Z"}'
check "admin posts events" test "$(as admin-token -H 'Content-Type: application/x-ndjson' --data-binary "$rest_event"$'\n{"bad":1}' "$base/api/v1/events")" == 200
check "... accepted 1, rejected 1" grep -q '"accepted":1.*"rejected":1' "$WORK/body"
stored=$((stored + 1))
ab_events=''
for user in 1 2 3 4; do
  variant=$([[ $((user % 2)) == 1 ]] && echo control || echo treatment)
  ab_events+="{\"event_id\":\"ab$user\",\"user_id\":\"ab-u$user\",\"event_type\":\"app_open\",\"event_timestamp\":\"2026-10-02T11:00:00Z\",\"platform\":\"ios\",\"ab_test_variants\":{\"rest_ab\":\"$variant\"}}"$'\n'
done
check "admin posts A/B events" test "$(as admin-token -H 'Content-Type: application/x-ndjson' --data-binary "$ab_events" "$base/api/v1/events")" == 200
stored=$((stored + 4))
check "viewer lists experiments" test "$(as viewer-token "$base/api/v1/experiments")" == 200
check "... rest_ab among them" grep -q '"experiment":"rest_ab","variants":\["control","treatment"\]' "$WORK/body"
check "viewer reads an experiment" test "$(as viewer-token "$base/api/v1/experiments/rest_ab?metric=count&event=*")" == 200
check "... two users a variant" grep -q '"variant":"control","users":2,.*"variant":"treatment","users":2,' "$WORK/body"
check "an unknown experiment: 404" test "$(as viewer-token "$base/api/v1/experiments/nope%27%20OR%201=1--?metric=count")" == 404
where='where=platform%20%3D%20%27ios%27'
check "viewer cannot narrow an experiment with SQL (where): 403" \
  test "$(as viewer-token "$base/api/v1/experiments/rest_ab?metric=count&$where")" == 403
check "analyst can" test "$(as analyst-token "$base/api/v1/experiments/rest_ab?metric=count&$where")" == 200

# --- INSERT over HTTP (admin). ---
row='{"event_time":"2026-10-03 10:00:00.000","user_id":"http-u1","session_id":"s","event_id":"h1","event_type":"app_open","platform":"ios","os_version":"","app_version":"1.0","device_model":"","device_type":"","country":"US","region":"","city":"","properties":"{\"k\":1}"}'
status=$(as admin-token --data-binary "$row" "$base/?query=INSERT%20INTO%20events%20FORMAT%20JSONEachRow")
check "INSERT ... FORMAT JSONEachRow answers 200 ($status)" test "$status" == 200
got=$(as admin-token --data-binary "SELECT count(), JSONExtractInt(any(properties), 'k') FROM events WHERE user_id = 'http-u1'" "$base/"; cat "$WORK/body")
check "the inserted row is there, properties as JSON ($got)" test "$got" == "200$(printf '1\t1')"
status=$(as admin-token --data-binary $'INSERT INTO events (event_id, user_id, event_type, event_time) FORMAT JSONCompactEachRow\n["h2","http-u1","purchase","2026-10-03 10:05:00"]\n["h1","http-u1","app_open","2026-10-03 10:00:00"]\n["h3","","app_open","2026-10-03 10:06:00"]' "$base/")
check "a bad row answers 400 INCORRECT_DATA ($status)" bash -c "[[ $status == 400 ]] && grep -q 'Code: 117' '$WORK/body' && grep -q '1 of 3 rows rejected' '$WORK/body'"
got=$(as admin-token --data-binary "SELECT count() FROM events WHERE user_id = 'http-u1'" "$base/"; cat "$WORK/body")
check "... while the good row is stored and the repeat is not ($got)" test "$got" == "2002"
check "INSERT over GET is refused (readonly)" test "$(as admin-token "$base/?query=INSERT%20INTO%20events%20FORMAT%20JSONEachRow")" == 400

# --- /health, /metrics. ---
health=$(curl -s "$base/health")
check "/health is live and ready ($health)" bash -c "[[ '$health' == *'\"live\":true'*'\"ready\":true'* ]]"
as viewer-token "$base/metrics" >/dev/null
check "/metrics has the query latency histogram" grep -q '^mua_query_duration_seconds_bucket{le="0.01"}' "$WORK/body"
check "/metrics has memory per table" grep -q '^mua_table_memory_bytes{table="events"} [1-9]' "$WORK/body"
check "/metrics has open connections" grep -q '^mua_http_connections [0-9]' "$WORK/body"

# --- Junk and limits: clear 4xx, the server keeps serving. ---
python3 -c "import socket; s=socket.create_connection(('127.0.0.1',$HTTP_PORT)); s.sendall(b'GARBAGE\r\n\r\n'); print(s.recv(1000).decode(errors='replace'))" >"$WORK/junk"
check "junk bytes get 400" grep -q "400" "$WORK/junk"
python3 -c "import socket; s=socket.create_connection(('127.0.0.1',$HTTP_PORT)); s.sendall(b'POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nSELE'); s.close()"
check "a truncated request does not hurt" test "$(curl -s "$base/ping")" == "Ok."
huge_header=$(python3 -c "print('x' * 100000)")
check "huge headers get 431" test "$(curl -s -o /dev/null -w '%{http_code}' -H "X-Big: $huge_header" "$base/ping")" == 431
head -c 2000000 /dev/zero | tr '\0' 'a' >"$WORK/big"
check "a body over --max_body_mb gets 413" \
  test "$(as admin-token --data-binary @"$WORK/big" "$base/")" == 413
# A refused body the client goes on sending: the answer must reach it, not a reset (the
# server reads and drops the rest before it closes). The client sends all 8 MB before it
# reads, so the 413 is already waiting in its receive buffer when the server closes.
python3 - "$HTTP_PORT" <<'PY' >"$WORK/refused"
import socket, sys
answers = []
for _ in range(5):
    s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
    s.sendall(b"POST / HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer admin-token\r\n"
              b"Transfer-Encoding: chunked\r\n\r\n")
    try:
        for _ in range(128):
            s.sendall(b"10000\r\n" + b"a" * 65536 + b"\r\n")
        answers.append(s.recv(100).split(b"\r\n")[0].decode())
    except OSError as error:
        answers.append(type(error).__name__)
    s.close()
print(" | ".join(answers))
PY
check "a refused body still being sent gets its 413, five times of five ($(cat "$WORK/refused"))" \
  test "$(grep -o 'HTTP/1.1 413' "$WORK/refused" | wc -l)" == 5
check "unknown path: 404" test "$(as analyst-token "$base/nope")" == 404
check "unknown method on /: 405" test "$(as analyst-token -X PUT "$base/")" == 405
check "malformed Grafana JSON: 400" test "$(as viewer-token -H 'Content-Type: application/json' --data-binary '{"targets":' "$base/grafana/query")" == 400
check "too many result rows: error 396" \
  bash -c "[[ \$(curl -s -H 'Authorization: Bearer analyst-token' --data-binary 'SELECT event_id FROM events' '$base/') == 'Code: 396'* ]]"
chunked=$(curl -s -H 'Authorization: Bearer analyst-token' -H 'Transfer-Encoding: chunked' --data-binary 'SELECT 40 + 2' "$base/")
check "a chunked request body works ($chunked)" test "$chunked" == 42
keepalive=$(curl -s -H 'Authorization: Bearer analyst-token' "$base/?query=SELECT%201" "$base/?query=SELECT%202" -w '%{num_connects}\n' | tr '\n' ' ')
# -w prints each transfer's body, then how many new connections it made.
check "keep-alive: two requests on one connection ($keepalive)" test "$keepalive" == "1 1 2 0 "
after=$(as admin-token --data-binary 'SELECT count() FROM events' "$base/"; cat "$WORK/body")
check "nothing stored was lost ($after)" test "$after" == "200$((stored + 2))"

# --- KILL QUERY (a long query is cancelled by its id). ---
long_sql=$(python3 -c "print('SELECT ' + ', '.join(f\"uniqExact(concat(user_id, event_id, '{i}'))\" for i in range(400)) + ' FROM events')")
# A fast build may finish the query before the KILL lands: then try again, with a new id.
for attempt in 1 2 3; do
  curl -s -H 'Authorization: Bearer analyst-token' --data-binary "$long_sql" "$base/?query_id=long-$attempt" >"$WORK/long" &
  long_pid=$!
  for _ in $(seq 50); do
    [[ "$(as analyst-token --data-binary "SELECT count() FROM system.processes WHERE query_id = 'long-$attempt'" "$base/"; cat "$WORK/body")" == 2001 ]] && break
    sleep 0.1
  done
  as analyst-token --data-binary "KILL QUERY WHERE query_id = 'long-$attempt'" "$base/" >/dev/null
  wait "$long_pid"
  grep -q "Code: 394" "$WORK/long" && break
done
check "KILL QUERY cancels it: error 394 ($(head -c 80 "$WORK/long"))" grep -q "Code: 394" "$WORK/long"

# --- The audit log: one line per request (but /ping), with principal and role. ---
audited=$(as admin-token --data-binary "SELECT count() FROM system.audit_log WHERE principal = 'anna' AND role = 'analyst'" "$base/"; cat "$WORK/body")
check "system.audit_log records anna's requests (${audited#200})" test "${audited#200}" -gt 5
lines=$(wc -l <"$WORK/audit.jsonl")
rows=$(as admin-token --data-binary "SELECT count() FROM system.audit_log" "$base/"; cat "$WORK/body")
check "the JSON-lines file has one line per audited request ($lines vs ${rows#200})" test "$lines" == "${rows#200}"
check "a denied request is audited with its status" grep -q '"principal":"vera","role":"viewer","endpoint":"POST /","statement_kind":"SELECT","statement_hash":"[0-9a-f]*","statement":"SELECT 1","query_id":"[^"]*","status":403' "$WORK/audit.jsonl"
stop_server
check "SIGTERM stops cleanly" test $? -eq 0

# --- PII: --hash_user_ids stores keyed hashes; REST lookups hash the id the same way. ---
echo "a-secret-salt" >"$WORK/salt"
printf '{"event_id":"p1","user_id":"alice","event_type":"app_open","event_timestamp":"2026-10-05T08:00:00Z"}\n' >"$WORK/pii.jsonl"
start_server "$SERVER" pii --load "$WORK/pii.jsonl" --hash_user_ids "$WORK/salt" --audit_log "$WORK/pii-audit.jsonl"
stored_id=$(sql "SELECT user_id FROM events")
check "the stored user id is a 32-hex hash, not 'alice' ($stored_id)" bash -c "[[ '$stored_id' =~ ^[0-9a-f]{32}\$ ]]"
check "REST finds alice by her clear id" test "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$HTTP_PORT/api/v1/users/alice/summary")" == 200
stop_server

# --- Bind policy: no tokens on a non-loopback address refuses to start. ---
"$SERVER" --http "0.0.0.0:$(free_port)" --data_dir "$WORK/refuse-data" >"$WORK/refuse.out" 2>&1
check "refuses to bind 0.0.0.0 without --tokens" grep -q "refusing to listen" "$WORK/refuse.out"
finish
