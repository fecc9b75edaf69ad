#!/usr/bin/env bash
# The official ClickHouse Node client (@clickhouse/client from npm, unmodified) against
# a real mua-server: ping, query in the formats of spec/clickhouse.md, command, insert
# (JSONEachRow, JSONCompactEachRow) with de-duplication and rejects, errors, auth.
# Needs node >= 20 and npm; installs the pinned client into clickhouse_client/node_modules
# (npm ci, skipped when node_modules already matches package-lock.json).
#   clickhouse_client_test.sh MUA_SERVER MUA_GEN
set -u
SERVER=${1:?usage: clickhouse_client_test.sh MUA_SERVER MUA_GEN}
GEN=${2:?}
WORK=$(mktemp -d)
source "$(dirname "$0")/lib.sh"
CLIENT_DIR=$(cd "$(dirname "$0")/clickhouse_client" && pwd)

# node_modules is up to date when it holds every package of the lock file, same versions.
deps_up_to_date() {
  [[ -f "$CLIENT_DIR/node_modules/.package-lock.json" ]] && node -e '
    const fs = require("fs"), dir = process.argv[1];
    const want = JSON.parse(fs.readFileSync(dir + "/package-lock.json")).packages;
    const have = JSON.parse(fs.readFileSync(dir + "/node_modules/.package-lock.json")).packages;
    for (const [name, p] of Object.entries(want)) if (name && have[name]?.version !== p.version) process.exit(1);
  ' "$CLIENT_DIR" 2>/dev/null
}
if ! deps_up_to_date; then
  npm ci --prefix "$CLIENT_DIR" --no-audit --no-fund >"$WORK/npm.out" 2>&1 || tail -20 "$WORK/npm.out"
fi
check "@clickhouse/client $(node -p 'require(process.argv[1]).version' \
  "$CLIENT_DIR/node_modules/@clickhouse/client/package.json" 2>/dev/null) installed as locked" deps_up_to_date

audit=(--audit-log "$WORK/audit.jsonl")  # keep the audit log out of the working directory

"$GEN" --users 300 --days 7 >"$WORK/events.jsonl" 2>/dev/null
events=$(wc -l <"$WORK/events.jsonl")
start_server "$SERVER" server --load "$WORK/events.jsonl" "${audit[@]}"
check "mua-server started on mua-gen data" test "$(sql 'SELECT count() FROM events')" == "$events"

node "$CLIENT_DIR/client_test.mjs" "http://127.0.0.1:$HTTP_PORT" --count "$events" | tee "$WORK/client.out"
status=${PIPESTATUS[0]}
checks=$(grep -c '^ok:' "$WORK/client.out")
check "@clickhouse/client: ping, query, command, insert, errors, dev-mode auth ($checks checks)" test "$status" -eq 0
stop_server

# Token enforcement (SPEC §6 security).
if true; then
  token=chjs-admin-$RANDOM$RANDOM
  analyst=chjs-analyst-$RANDOM$RANDOM
  printf '# TOKEN ROLE PRINCIPAL\n%s admin chjs-admin\n%s analyst chjs-analyst\n' "$token" "$analyst" >"$WORK/tokens"
  start_server "$SERVER" tokens --tokens "$WORK/tokens" "${audit[@]}"
  check "mua-server --tokens started (GET /ping without credentials)" test $? -eq 0
  node "$CLIENT_DIR/client_test.mjs" "http://127.0.0.1:$HTTP_PORT" --auth "$token" --analyst "$analyst" |
    tee "$WORK/auth.out"
  status=${PIPESTATUS[0]}
  check "@clickhouse/client with --tokens: tokens accepted, wrong password 516, analyst INSERT 497" \
    test "$status" -eq 0
  stop_server

  # Encrypted in transit (issue 15): the same client over HTTPS with a private CA, sending
  # X-ClickHouse-User/Key as it does there; tokens authenticate as over HTTP.
  openssl req -x509 -newkey rsa:2048 -nodes -keyout "$WORK/ca.key" -out "$WORK/ca.pem" -days 2 \
    -subj "/CN=MUA test CA" >/dev/null 2>&1
  openssl req -newkey rsa:2048 -nodes -keyout "$WORK/server.key" -out "$WORK/server.csr" \
    -subj "/CN=localhost" >/dev/null 2>&1
  printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\n' >"$WORK/san.cnf"
  openssl x509 -req -in "$WORK/server.csr" -CA "$WORK/ca.pem" -CAkey "$WORK/ca.key" -CAcreateserial \
    -out "$WORK/server.pem" -days 2 -extfile "$WORK/san.cnf" >/dev/null 2>&1
  HTTPS_PORT=$(free_port)
  start_server "$SERVER" https --tokens "$WORK/tokens" "${audit[@]}" --https "127.0.0.1:$HTTPS_PORT" \
    --tls-cert "$WORK/server.pem" --tls-key "$WORK/server.key"
  check "mua-server --https started" test $? -eq 0
  check "curl --cacert: /ping over HTTPS" \
    test "$(curl -s --cacert "$WORK/ca.pem" "https://localhost:$HTTPS_PORT/ping")" == "Ok."
  check "curl without the CA refuses the certificate" \
    bash -c "! curl -s -o /dev/null https://localhost:$HTTPS_PORT/ping"
  check "plain HTTP to the HTTPS port gets no answer" \
    bash -c "! curl -s --max-time 5 -o /dev/null http://127.0.0.1:$HTTPS_PORT/ping"
  node "$CLIENT_DIR/client_test.mjs" "https://localhost:$HTTPS_PORT" --auth "$token" --analyst "$analyst" \
    --ca "$WORK/ca.pem" | tee "$WORK/https.out"
  status=${PIPESTATUS[0]}
  check "@clickhouse/client over HTTPS with a custom CA: tokens, queries, inserts, errors" test "$status" -eq 0
  stop_server
fi
finish
