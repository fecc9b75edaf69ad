#!/usr/bin/env bash
# Issue 15, findings 1 and 4 at the HTTP layer: garbage request lines, binary junk, broken
# framing (Content-Length and chunked), a 100 KB header, thousands of headers or parameters,
# a 60 KB path (its audit entry is cut: endpoint <= 300 bytes), slowloris clients holding
# hundreds of connections, and --max_connections: each is answered (4xx/503) or disconnected,
# and the server keeps serving and loses nothing.
#   http_junk_test.sh MUA_SERVER
set -u
SERVER=${1:?usage: http_junk_test.sh MUA_SERVER}
WORK=$(mktemp -d)
source "$(dirname "$0")/lib.sh"

make_events "$WORK/events.jsonl" 50
start_secure junk --load "$WORK/events.jsonl"
check "mua-server started (development mode)" test $? -eq 0
stored=$(q "" "SELECT count() FROM events")
check "500 events loaded ($stored)" test "$stored" == 500

# Each case: the raw bytes, then the first line of the answer ("closed" when the server hung
# up without one, "NO ANSWER" when nothing came within 20 s).
python3 - "$HTTP_PORT" >"$WORK/junk" <<'PY'
import socket, sys
port = int(sys.argv[1])
host = b"Host: 127.0.0.1\r\n"
cases = {
    "garbage line": b"GARBAGE\r\n\r\n",
    "binary junk": bytes(range(256)) * 40 + b"\r\n\r\n",
    "no version": b"GET /\r\n\r\n",
    "HTTP/9.9": b"GET /ping HTTP/9.9\r\n" + host + b"\r\n",
    "a 100 KB method": b"X" * 100000 + b" / HTTP/1.1\r\n\r\n",
    "negative Content-Length": b"POST / HTTP/1.1\r\n" + host + b"Content-Length: -1\r\n\r\n",
    "huge Content-Length": b"POST / HTTP/1.1\r\n" + host + b"Content-Length: 99999999999999999999999\r\n\r\n",
    "two Content-Lengths": b"POST / HTTP/1.1\r\n" + host + b"Content-Length: 8\r\nContent-Length: 3\r\n\r\nSELECT 1",
    "Content-Length and chunked": b"POST / HTTP/1.1\r\n" + host + b"Content-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
    "a bad chunk size": b"POST / HTTP/1.1\r\n" + host + b"Transfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n",
    "a 2^64 chunk": b"POST / HTTP/1.1\r\n" + host + b"Transfer-Encoding: chunked\r\n\r\nffffffffffffffff\r\nabc\r\n",
    "a header without colon": b"GET /ping HTTP/1.1\r\n" + host + b"Broken\r\n\r\n",
    "NUL in the path": b"GET /pi\x00ng HTTP/1.1\r\n" + host + b"\r\n",
    "NUL in a header": b"GET /ping HTTP/1.1\r\n" + host + b"X-A: a\x00b\r\n\r\n",
    "invalid UTF-8 path": b"GET /\xff\xfe\xc3 HTTP/1.1\r\n" + host + b"\r\n",
    "100 000 empty lines": b"\r\n" * 50000,
    "HTTP/2 preface": b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n",
    "a TLS ClientHello": bytes.fromhex("16030100a5010000a103035b") + b"\x00" * 100,
    "bad percent escapes": b"GET /?query=SELECT%00%ff%zz HTTP/1.1\r\n" + host + b"\r\n",
    "5000 parameters": b"GET /?" + b"&".join(b"a%d=1" % i for i in range(5000)) + b" HTTP/1.1\r\n" + host + b"\r\n",
    "5000 headers": b"GET /ping HTTP/1.1\r\n" + host + b"".join(b"X-%d: 1\r\n" % i for i in range(5000)) + b"\r\n",
    "a 100 KB header": b"GET /ping HTTP/1.1\r\n" + host + b"X-Big: " + b"x" * 100000 + b"\r\n\r\n",
    "CONNECT": b"CONNECT 127.0.0.1:443 HTTP/1.1\r\n" + host + b"\r\n",
}
for name, data in cases.items():
    s = socket.create_connection(("127.0.0.1", port))
    s.settimeout(20)
    try:
        s.sendall(data)
        answer = s.recv(200)
        out = answer.split(b"\r\n")[0].decode(errors="replace") if answer else "closed"
    except socket.timeout:
        out = "NO ANSWER"
    except (ConnectionResetError, BrokenPipeError):
        out = "closed"
    print(f"{name}|{out}")
    s.close()
PY
while IFS='|' read -r name answer; do
  check "$name: answered (4xx, or 200 for a valid request) or disconnected ($answer)" \
    bash -c "[[ '$answer' =~ ^HTTP/1.1\ (4[0-9][0-9]|200) || '$answer' == closed ]]"
done <"$WORK/junk"
check "all $(wc -l <"$WORK/junk") junk cases ran" test "$(wc -l <"$WORK/junk")" -ge 23
check "a 100 KB header: 431" grep -q '^a 100 KB header|HTTP/1.1 431' "$WORK/junk"
check "the server answers after the junk" test "$(curl -s "$base/ping")" == "Ok."

# A 60 KB path, a hundred times: each answered, each audit entry cut.
path=$(head -c 60000 /dev/zero | tr '\0' 'a')
for prefix in "" grafana/ api/v1/; do
  status=$(req - "$base/$prefix$path")
  check "GET /$prefix<60 KB>: 404 ($status)" test "$status" == 404
done
send_many 100 "$base/$path"
longest=$(q "" "SELECT max(length(endpoint)) FROM system.audit_log")
check "system.audit_log's endpoint is cut: at most 300 bytes (longest $longest)" test "$longest" -le 300
check "... marked as cut" test "$(q "" "SELECT count() >= 100 FROM system.audit_log WHERE position(endpoint, '[cut, ') > 0")" == 1
biggest=$(awk '{ if (length($0) > max) max = length($0) } END { print max }' "$WORK/junk-audit.jsonl")
check "no audit file line is longer than 8 KB (longest $biggest)" test "$biggest" -le 8192

# Log injection: a statement and a path with line breaks, a forged JSON record, invalid UTF-8,
# NUL and escape bytes stay inside their fields; every line of the audit file is one JSON object.
printf 'SELECT 1 /* \n{"time":"x","principal":"root","role":"admin"} \xff\xfe \x00 \x1b[31m */' >"$WORK/inject.sql"
status=$(req - --data-binary @"$WORK/inject.sql" "$base/")
check "a statement with a forged audit record in a comment runs ($status)" test "$status" == 200
curl -s -o /dev/null "$base/x%0a%7B%22principal%22%3A%22root%22%7D"
check "every audit file line is one JSON object, and none is root's" python3 -c "
import json, sys
records = [json.loads(line) for line in open('$WORK/junk-audit.jsonl', 'rb')]
sys.exit(0 if records and all(r['principal'] == 'dev' for r in records) else 1)"

# Slowloris: 300 connections sending half a head and stalling, one byte more now and then.
python3 - "$HTTP_PORT" "$base" >"$WORK/slowloris" <<'PY'
import socket, sys, urllib.request
port, base = int(sys.argv[1]), sys.argv[2]
slow = []
for i in range(300):
    s = socket.create_connection(("127.0.0.1", port))
    s.sendall(b"GET /ping HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
    slow.append(s)
for s in slow:
    s.sendall(b"a")
def get(path, data=None):
    return urllib.request.urlopen(base + path, data=data, timeout=30).read().decode()
print("ping", get("/ping").strip())
print("count", get("/", b"SELECT count() FROM events").strip())
for s in slow:
    s.close()
PY
check "with 300 slowloris clients connected /ping answers" grep -q '^ping Ok.$' "$WORK/slowloris"
check "... and so does a query" grep -q '^count 500$' "$WORK/slowloris"
still_intact 500
stop_server

# --max_connections: past it, new connections get 503 and the server recovers.
start_secure maxconn --load "$WORK/events.jsonl" --max_connections 20
check "mua-server --max_connections 20 started" test $? -eq 0
python3 - "$HTTP_PORT" >"$WORK/maxconn" <<'PY'
import socket, sys
port = int(sys.argv[1])
held = []
for _ in range(20):
    s = socket.create_connection(("127.0.0.1", port))
    s.sendall(b"GET /ping HTTP/1.1\r\nHost: 127.0.0.1\r\n")  # half a head, then nothing
    held.append(s)
extra = socket.create_connection(("127.0.0.1", port))
extra.settimeout(20)
extra.sendall(b"GET /ping HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
try:
    answer = extra.recv(200).split(b"\r\n")[0].decode()
except socket.timeout:
    answer = "NO ANSWER"
print(answer or "closed")
for s in held:
    s.close()
PY
check "the 21st connection gets 503 ($(cat "$WORK/maxconn"))" grep -q '^HTTP/1.1 503' "$WORK/maxconn"
check "after they close, /ping answers again" wait_until 300 bash -c "[[ \$(curl -s --max-time 2 '$base/ping') == Ok. ]]"
still_intact 500
finish
