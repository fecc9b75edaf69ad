#!/usr/bin/env bash
# Issue 15, finding 5 (header injection and cross-site access): a query_id with CR LF is a
# 400 BAD_ARGUMENTS and never reaches a response header; a valid one is echoed; nothing else
# from the request splits a header; /grafana grants CORS only to --cors_origins (echoed with
# credentials); in development mode (no --tokens) a foreign Host (DNS rebinding) or a foreign
# Origin (CSRF, a text/plain POST of DELETE) is refused and deletes nothing, while loopback
# Hosts and allowed Origins work.
#   headers_cors_test.sh MUA_SERVER
set -u
SERVER=${1:?usage: headers_cors_test.sh MUA_SERVER}
WORK=$(mktemp -d)
source "$(dirname "$0")/lib.sh"

write_tokens
make_events "$WORK/events.jsonl" 50
start_secure tokens --load "$WORK/events.jsonl" --tokens "$WORK/tokens" --cors_origins http://grafana.local:3000
check "mua-server started with tokens and --cors_origins" test $? -eq 0
stored=$(q dtok "SELECT count() FROM events")
check "500 events loaded ($stored)" test "$stored" == 500

# --- query_id and other echoed values. ---
no_injected_header() { ! grep -qi '^Set-Cookie' "$WORK/headers" && ! grep -qi '^X-Injected' "$WORK/headers"; }
status=$(req atok --data-binary 'SELECT 1' "$base/?query_id=abc%0d%0aSet-Cookie:x")
check "query_id with CR LF: 400 Code 36 BAD_ARGUMENTS ($status: $(short_body 100))" \
  bash -c "[[ $status == 400 ]] && grep -q 'Code: 36' '$WORK/body' && grep -q 'BAD_ARGUMENTS' '$WORK/body'"
check "... and no Set-Cookie header in the response" no_injected_header
check "... nor an X-ClickHouse-Query-Id" bash -c "! grep -qi '^X-ClickHouse-Query-Id' '$WORK/headers'"
status=$(req atok --data-binary 'SELECT 1' "$base/?query_id=abc%0aX-Injected:%201")
check "query_id with a bare LF: 400, no injected header ($status)" bash -c "[[ $status == 400 ]]" && check "... none" no_injected_header
status=$(req atok --data-binary 'SELECT 1' "$base/?query_id=a%20b")
check "query_id with a space: 400 ($status)" test "$status" == 400
status=$(req atok --data-binary 'SELECT 1' "$base/?query_id=$(printf 'q%.0s' $(seq 129))")
check "a 129-character query_id: 400 ($status)" test "$status" == 400
long_id=$(printf 'q%.0s' $(seq 128))
status=$(req atok --data-binary 'SELECT 1' "$base/?query_id=$long_id")
check "a 128-character query_id: 200 ($status)" test "$status" == 200
status=$(req atok --data-binary 'SELECT 1' "$base/?query_id=Good.id_42-x")
check "a valid query_id is echoed in X-ClickHouse-Query-Id ($status)" \
  bash -c "[[ $status == 200 ]] && grep -qi '^X-ClickHouse-Query-Id: Good.id_42-x' '$WORK/headers'"
status=$(req atok --data-binary 'SELECT 1' "$base/?default_format=TSV%0d%0aSet-Cookie:%20x")
check "default_format with CR LF: an error, no injected header ($status)" \
  bash -c "[[ $status != 200 ]]" && check "... none" no_injected_header
status=$(req atok -H 'X-ClickHouse-Format: TSV' --data-binary 'SELECT 1 FORMAT `TSV
Set-Cookie: x`' "$base/")
check "a FORMAT clause with a line break: an error, no injected header ($status)" \
  bash -c "[[ $status != 200 ]]" && check "... none" no_injected_header
status=$(req atok -H 'Access-Control-Request-Headers: x, y' -X OPTIONS -H 'Origin: http://grafana.local:3000' "$base/grafana/query")
check "a preflight's requested headers are echoed only when they are a plain list ($status)" \
  bash -c "[[ $status == 204 ]] && grep -qi '^Access-Control-Allow-Headers: x, y' '$WORK/headers'"
status=$(req atok -H 'Access-Control-Request-Headers: x; evil=1' -X OPTIONS "$base/grafana/query")
check "... otherwise the default list ($status)" \
  bash -c "grep -qi '^Access-Control-Allow-Headers: accept, content-type, authorization' '$WORK/headers'"

# --- CORS on /grafana: only the allowlist. ---
dau='{"range":{"from":"2020-01-01T00:00:00Z","to":"2030-01-01T00:00:00Z"},"targets":[{"refId":"A","target":"dau"}]}'
for origin in https://evil.example null http://grafana.local:3000.evil.example http://grafana.local; do
  status=$(req vtok -H "Origin: $origin" -H 'Content-Type: application/json' --data-binary "$dau" "$base/grafana/query")
  check "/grafana/query from Origin $origin: no Access-Control-Allow-Origin ($status)" \
    bash -c "! grep -qi '^Access-Control-Allow-Origin' '$WORK/headers' && ! grep -qi '^Access-Control-Allow-Credentials' '$WORK/headers'"
done
status=$(req vtok -H 'Origin: https://evil.example' -X OPTIONS -H 'Access-Control-Request-Method: POST' "$base/grafana/query")
check "a preflight from https://evil.example gets no grant ($status)" \
  bash -c "! grep -qi '^Access-Control-Allow-Origin' '$WORK/headers'"
status=$(req vtok -H 'Origin: http://grafana.local:3000' -H 'Content-Type: application/json' --data-binary "$dau" "$base/grafana/query")
check "/grafana/query from the allowed origin: 200, the origin echoed ($status)" \
  bash -c "[[ $status == 200 ]] && grep -qi '^Access-Control-Allow-Origin: http://grafana.local:3000' '$WORK/headers'"
check "... with credentials allowed" grep -qi '^Access-Control-Allow-Credentials: true' "$WORK/headers"
check "... and Vary: Origin" grep -qi '^Vary: Origin' "$WORK/headers"
status=$(req - -X OPTIONS -H 'Origin: http://grafana.local:3000' -H 'Access-Control-Request-Method: POST' "$base/grafana/query")
check "the allowed origin's preflight (no token): 204 with the grant ($status)" \
  bash -c "[[ $status == 204 ]] && grep -qi '^Access-Control-Allow-Origin: http://grafana.local:3000' '$WORK/headers'"
still_intact 500 dtok
stop_server

# --- Development mode: loopback Hosts only, no foreign Origin. ---
start_secure dev --load "$WORK/events.jsonl" --cors_origins http://grafana.local:3000
check "mua-server started in development mode" test $? -eq 0
victim=$(q "" "SELECT count() FROM events WHERE user_id = 'user-3'")
check "user-3 has 10 events ($victim)" test "$victim" == 10
status=$(req - -H 'Host: evil.com' --data-binary 'SELECT 1' "$base/")
check "Host: evil.com: 403 ($status: $(short_body 100))" test "$status" == 403
# DNS names that start like an IP literal (127.0.0.1.evil.com: an attacker's domain rebound to
# 127.0.0.1) are not loopback; they were between aa07f86 and dfbf40b.
for host in evil.com:$HTTP_PORT 127.0.0.1.evil.com 127.evil.com:$HTTP_PORT localhost.evil.com:$HTTP_PORT 127.0.0.1@evil.com 0.0.0.0:$HTTP_PORT 10.0.0.1; do
  status=$(req - -H "Host: $host" -H 'Content-Type: text/plain' --data-binary "DELETE FROM events WHERE user_id = 'user-3'" "$base/")
  check "DELETE with Host: $host: 403 ($status)" test "$status" == 403
done
for path in /grafana/query /api/v1/query /metrics /health; do
  status=$(req - -H 'Host: evil.com' -H 'Content-Type: application/json' --data-binary '{"sql":"SELECT 1"}' "$base$path")
  check "Host: evil.com on $path: 403 ($status)" test "$status" == 403
done
for origin in https://evil.example null http://127.0.0.1.evil.example; do
  status=$(req - -H "Origin: $origin" -H 'Content-Type: text/plain' \
    --data-binary "DELETE FROM events WHERE user_id = 'user-3'" "$base/")
  check "a text/plain POST of DELETE from Origin $origin: 403 ($status: $(short_body 80))" test "$status" == 403
done
status=$(req - -H 'Origin: https://evil.example' -G --data-urlencode "query=SELECT user_id FROM events" "$base/")
check "a cross-site GET reading events: 403 ($status)" test "$status" == 403
status=$(req - -H 'Origin: https://evil.example' -H 'Content-Type: application/x-ndjson' \
  --data-binary '{"event_id":"x","user_id":"csrf","event_type":"app_open","event_timestamp":"2026-12-01T00:00:00Z"}' "$base/api/v1/events")
check "a cross-site POST /api/v1/events: 403 ($status)" test "$status" == 403
victim=$(q "" "SELECT count() FROM events WHERE user_id = 'user-3'")
check "user-3's events are all still there ($victim)" test "$victim" == 10
for host in "127.0.0.1:$HTTP_PORT" "localhost:$HTTP_PORT" "LOCALHOST" "[::1]:$HTTP_PORT" 127.0.0.1 "127.0.0.2:$HTTP_PORT"; do
  status=$(req - -H "Host: $host" --data-binary 'SELECT 40 + 2' "$base/")
  check "Host: $host: 200 ($status)" bash -c "[[ $status == 200 ]] && [[ \$(cat '$WORK/body') == 42 ]]"
done
if python3 -c 'import socket; s = socket.socket(socket.AF_INET6); s.connect(("::1", '"$HTTP_PORT"'))' 2>/dev/null; then
  check "IPv6 loopback" test "$(curl -s -g "http://[::1]:$HTTP_PORT/ping")" == "Ok."
else
  echo "skip: the server listens on 127.0.0.1 only, so [::1] is tested as a Host header above"
fi
status=$(req - -H 'Origin: http://grafana.local:3000' -H 'Content-Type: application/json' --data-binary "$dau" "$base/grafana/query")
check "browser-mode Grafana on the allowed origin works in development mode ($status)" \
  bash -c "[[ $status == 200 ]] && grep -qi '^Access-Control-Allow-Origin: http://grafana.local:3000' '$WORK/headers'"
status=$(req - -H "Origin: http://127.0.0.1:$HTTP_PORT" --data-binary 'SELECT 1' "$base/")
check "an Origin that is not listed, even loopback, is refused in development mode ($status)" test "$status" == 403
still_intact 500
finish
