# Shared by the security tests (issue 15): builds on tests/integration/lib.sh (checks, free
# ports, start_server, cleanup) with tokens, events, status-code requests and the closing
# "still up, nothing lost" check every test ends with.
# Source it after setting WORK and SERVER.
source "$(dirname "${BASH_SOURCE[0]}")/../integration/lib.sh"

# The tokens file of the role tests: viewer vera, analyst ana, admin root.
write_tokens() {
  cat >"$WORK/tokens" <<'TOKENS'
# token  role     principal
vtok     viewer   vera
atok     analyst  ana
a2tok    analyst  otto
dtok     admin    root
TOKENS
}

# make_events FILE USERS : USERS users x 10 events each, in the last days (inside retention).
make_events() {
  python3 - "$1" "$2" <<'PY'
import datetime, json, sys
path, users = sys.argv[1], int(sys.argv[2])
start = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0) - datetime.timedelta(days=3)
types = ["app_open", "view_item", "add_to_cart", "purchase", "app_background"]
with open(path, "w") as out:
    for u in range(users):
        for e in range(10):
            t = start + datetime.timedelta(minutes=37 * u + 5 * e)
            out.write(json.dumps({"event_id": f"e{u}-{e}", "user_id": f"user-{u}", "event_type": types[e % 5],
                                  "event_timestamp": t.strftime("%Y-%m-%dT%H:%M:%SZ"),
                                  "platform": ["ios", "android", "web"][u % 3]}) + "\n")
PY
}

# start_secure NAME [flags...] : start_server with the audit log in $WORK; sets base.
start_secure() {
  local name=$1
  shift
  start_server "$SERVER" "$name" --audit_log "$WORK/$name-audit.jsonl" "$@"
  local started=$?
  base="http://127.0.0.1:$HTTP_PORT"
  return $started
}

# req TOKEN CURL_ARGS... : prints the status code; body in $WORK/body, headers in $WORK/headers.
# TOKEN "-" sends no Authorization header.
req() {
  local token=$1
  shift
  local auth=()
  [[ "$token" != "-" ]] && auth=(-H "Authorization: Bearer $token")
  rm -f "$WORK/body" "$WORK/headers"  # curl leaves them alone when no answer comes
  curl -s --max-time 60 -o "$WORK/body" -D "$WORK/headers" -w '%{http_code}' "${auth[@]}" "$@"
}

# q TOKEN SQL : the answer's body (POST /).
q() { curl -s --max-time 60 ${1:+-H "Authorization: Bearer $1"} --data-binary "$2" "$base/"; }

# send_many COUNT URL [TOKEN [BODY_FILE]] : COUNT requests, each on a connection of its own with
# curl's headers, as COUNT `curl -s -o /dev/null` runs would (a POST of BODY_FILE when given),
# without starting COUNT processes (900 curl runs were 26 s of unauthenticated_test).
send_many() {
  python3 - "$@" <<'PY'
import http.client, sys, urllib.parse
count, url = int(sys.argv[1]), urllib.parse.urlsplit(sys.argv[2])
token = sys.argv[3] if len(sys.argv) > 3 else ""
body = open(sys.argv[4], "rb").read() if len(sys.argv) > 4 else None
headers = {"User-Agent": "curl", "Accept": "*/*"}
if token:
    headers["Authorization"] = "Bearer " + token
if body is not None:
    headers["Content-Type"] = "application/x-www-form-urlencoded"
target = (url.path or "/") + ("?" + url.query if url.query else "")
for _ in range(count):
    connection = http.client.HTTPConnection(url.hostname, url.port, timeout=60)
    try:
        connection.request("GET" if body is None else "POST", target, body=body, headers=headers)
        connection.getresponse().read()
    except (OSError, http.client.HTTPException):
        pass  # as curl -s: what follows checks the server and its audit files
    finally:
        connection.close()
PY
}

body_has() { grep -qF -- "$1" "$WORK/body"; }
headers_have() { grep -qi -- "$1" "$WORK/headers"; }

# body_of FILE_OR_VAR_TEXT: shows the first bytes of the body in a check's name.
short_body() { head -c "${1:-160}" "$WORK/body" | tr '\n' ' '; }

# still_intact EXPECTED [TOKEN] : the closing checks of every test.
still_intact() {
  local expected=$1 token=${2:-}
  check "the server is still up (/ping -> Ok.)" test "$(curl -s --max-time 30 "$base/ping")" == "Ok."
  local got
  got=$(q "$token" "SELECT count() FROM events")
  check "the good data is intact: count() = $expected (got '$got')" test "$got" == "$expected"
}

# wait_until TRIES COMMAND... : polls COMMAND every 0.1 s until it succeeds (a condition, not a timing).
wait_until() {
  local tries=$1
  shift
  for _ in $(seq "$tries"); do
    "$@" && return 0
    sleep 0.1
  done
  return 1
}

# A statement that keeps a query thread busy for a while on the ASan build, cancellable.
heavy_sql() {
  echo "SELECT count() FROM (SELECT number % ${1:-1000003} AS k, count() AS c FROM numbers(${2:-100000000}) GROUP BY k)"
}
