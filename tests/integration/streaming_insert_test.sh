#!/usr/bin/env bash
# Streaming INSERT (issue 17): bodies far larger than --max_body_mb, chunked and with a
# Content-Length, parsed block by block as they arrive — exact counts, bounded RSS
# growth, the X-ClickHouse-Summary counts, TabSeparated and CSV rows, a client that hangs
# up mid-body (the blocks before stay, the server keeps serving), a non-admin refused
# before its body is read, and --max_body_mb still bounding every other request.
#   streaming_insert_test.sh MUA_SERVER
set -u
SERVER=${1:?usage: streaming_insert_test.sh MUA_SERVER}
WORK=$(mktemp -d)
source "$(dirname "$0")/lib.sh"

cat >"$WORK/tokens" <<'TOKENS'
# token         role     principal
analyst-token   analyst  anna
admin-token     admin    adam
TOKENS
# ASan keeps freed memory in a quarantine (256 MB by default), which would count as
# growth here; the test measures what the server holds, so a small quarantine.
export ASAN_OPTIONS="${ASAN_OPTIONS:-}:quarantine_size_mb=16"
start_server "$SERVER" server --tokens "$WORK/tokens" --max_body_mb 1 || { echo "server did not start"; exit 1; }
base="http://127.0.0.1:$HTTP_PORT"
auth=(-H "Authorization: Bearer admin-token")
sql() { curl -s --max-time 60 "${auth[@]}" --data-binary "$1" "$base/"; }
insert_url() { echo "$base/?query=$(python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1]))' "$1")${2:-}"; }
status_kb() { sed -n "s/^$1:[[:space:]]*\([0-9]*\) kB/\1/p" "/proc/$server_pid/status"; }

day=$(date -u -d yesterday +%Y-%m-%d)
# ROWS fixed-width JSONEachRow rows with event ids PREFIX0000000.. (each ~350 bytes).
make_rows() {  # make_rows PREFIX ROWS FILE
  python3 - "$1" "$2" "$3" "$day" <<'PY'
import sys
prefix, rows, path, day = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
pad = "x" * 180
with open(path, "w") as out:
    for i in range(rows):
        out.write('{"event_time":"%s %02d:%02d:%02d.000","user_id":"user%05d","session_id":"s%07d",'
                  '"event_id":"%s%07d","event_type":"screen_view","platform":"ios","country":"DE",'
                  '"properties":"{\\"pad\\":\\"%s\\"}"}\n'
                  % (day, i // 3600 % 24, i // 60 % 60, i % 60, i % 20000, i, prefix, i, pad))
PY
}

# --- 1. ~50 MB chunked (curl -T -), 50 times --max_body_mb ---
rows=150000
make_rows a "$rows" "$WORK/a.jsonl"
body_bytes=$(stat -c %s "$WORK/a.jsonl")
rss_before=$(status_kb VmRSS)
code=$(curl -s -o "$WORK/a.out" -D "$WORK/a.headers" -w '%{http_code}' "${auth[@]}" -X POST -T - \
  "$(insert_url 'INSERT INTO events FORMAT JSONEachRow' '&query_id=big-chunked')" <"$WORK/a.jsonl")
echo "first INSERT: RSS $rss_before -> $(status_kb VmRSS) kB (the stored rows included), peak $(status_kb VmHWM) kB"
check "a $((body_bytes >> 20)) MB chunked INSERT past --max_body_mb 1: 200" test "$code" == 200
check "chunked: every row stored" test "$(sql "SELECT count() FROM events WHERE event_id LIKE 'a%'")" == "$rows"
summary=$(sed -n 's/^X-ClickHouse-Summary: //p' "$WORK/a.headers" | tr -d '\r')
check "summary: read_rows" grep -q "\"read_rows\":\"$rows\"" <<<"$summary"
check "summary: written_rows" grep -q "\"written_rows\":\"$rows\"" <<<"$summary"
check "summary: read_bytes is the body" grep -q "\"read_bytes\":\"$body_bytes\"" <<<"$summary"

# --- 2. the same size with a Content-Length (curl --data-binary @file) ---
make_rows b "$rows" "$WORK/b.jsonl"
code=$(curl -s -o "$WORK/b.out" -D "$WORK/b.headers" -w '%{http_code}' "${auth[@]}" --data-binary @"$WORK/b.jsonl" \
  "$(insert_url 'INSERT INTO events FORMAT JSONEachRow')")
check "Content-Length INSERT past --max_body_mb: 200" test "$code" == 200
check "Content-Length: every row stored" test "$(sql "SELECT count() FROM events WHERE event_id LIKE 'b%'")" == "$rows"
# Both bodies again, one chunked, one with a Content-Length: every row is read, decoded and
# found a duplicate, so nothing is stored and the peak RSS growth is the streaming path's
# own memory (blocks in flight), which must stay far below the body's size.
# Writing 5 to clear_refs resets VmHWM to the current RSS (Linux 4.0+).
echo 5 >"/proc/$server_pid/clear_refs"
hwm_before=$(status_kb VmHWM)
# (Not compared with VmRSS read afterwards: the server returns freed pages every 10 s, so
# RSS may fall below the reset mark between the two reads.)
curl -s -o /dev/null -D "$WORK/a2.headers" "${auth[@]}" -X POST -T - \
  "$(insert_url 'INSERT INTO events FORMAT JSONEachRow')" <"$WORK/a.jsonl"
curl -s -o /dev/null -D "$WORK/b2.headers" "${auth[@]}" --data-binary @"$WORK/b.jsonl" \
  "$(insert_url 'INSERT INTO events FORMAT JSONEachRow')"
growth_kb=$(($(status_kb VmHWM) - hwm_before))
echo "peak RSS growth ${growth_kb} kB while streaming 2 x $((body_bytes >> 10)) kB"
# A few 4 MiB blocks in flight (the block being split, the one decoding and the one
# appending, each with its decoded rows), ASan's redzones and its 16 MiB quarantine
# included: a fixed bound, whatever the body's size (here 2 x ~55 MB). Typically 5-10 MiB.
check "peak RSS grew by less than 48 MiB while streaming 110 MB" test "$growth_kb" -lt $((48 << 10))
check "a repeated chunked body writes nothing" grep -q '"written_rows":"0"' "$WORK/a2.headers"
check "... and reads every row" grep -q "\"read_rows\":\"$rows\"" "$WORK/a2.headers"
check "a repeated Content-Length body writes nothing" grep -q '"written_rows":"0"' "$WORK/b2.headers"
check "repeats are not stored twice" test "$(sql "SELECT count() FROM events WHERE event_id LIKE 'b%'")" == "$rows"

# --- 3. TabSeparated and CSV: what SELECT ... FORMAT TSV returns goes back in unchanged ---
columns="event_time, user_id, session_id, event_id, event_type, platform, os_version, app_version, device_model, device_type, country, region, city, properties"
printf '%s\n' \
  "$day 10:00:00.000	tsv-user	s1	t1	purchase	android	14	2.1.0	Pixel 8	phone	US	CA	San Francisco	{\"amount\":12.5,\"note\":\"tab\\\\there\"}" \
  "$day 10:00:01.250	tsv-user	s1	t2	app_open	ios	17.1	2.1.0	iPhone 15	phone	FR	IDF	Paris	{}" >"$WORK/rows.tsv"
code=$(curl -s -o "$WORK/tsv.out" -w '%{http_code}' "${auth[@]}" -T - -X POST \
  "$(insert_url "INSERT INTO events ($columns) FORMAT TSV")" <"$WORK/rows.tsv")
check "TSV INSERT: 200" test "$code" == 200
sql "SELECT $columns FROM events WHERE user_id = 'tsv-user' ORDER BY event_id FORMAT TSV" >"$WORK/tsv.back"
check "TSV rows round-trip" diff "$WORK/rows.tsv" "$WORK/tsv.back"
sql "SELECT $columns FROM events WHERE user_id = 'tsv-user' ORDER BY event_id FORMAT CSV" \
  | sed 's/tsv-user/csv-user/g; s/"t\([12]\)"/"c\1"/' >"$WORK/rows.csv"
code=$(curl -s -o "$WORK/csv.out" -w '%{http_code}' "${auth[@]}" --data-binary @"$WORK/rows.csv" \
  "$(insert_url "INSERT INTO events ($columns) FORMAT CSV")")
check "CSV INSERT: 200" test "$code" == 200
sql "SELECT $columns FROM events WHERE user_id = 'csv-user' ORDER BY event_id FORMAT CSV" >"$WORK/csv.back"
check "CSV rows round-trip" diff "$WORK/rows.csv" "$WORK/csv.back"
# A CSV row with too few fields is rejected with its reason; the others are stored.
printf '"%s 11:00:00",u9,s9,c9,app_open\n' "$day" >"$WORK/short.csv"
printf '"%s 11:00:00",u9,s9,c10,app_open,ios\n' "$day" >>"$WORK/short.csv"
code=$(curl -s -o "$WORK/short.out" -w '%{http_code}' "${auth[@]}" --data-binary @"$WORK/short.csv" \
  "$(insert_url 'INSERT INTO events (event_time, user_id, session_id, event_id, event_type, platform) FORMAT CSV')")
check "CSV row with 5 of 6 fields: an error naming it" grep -q "CSV row: 5 fields, the INSERT names 6 columns" "$WORK/short.out"
check "the good CSV row is stored" test "$(sql "SELECT count() FROM events WHERE event_id = 'c10'")" == 1

# --- 4. a client that hangs up mid-body: whole blocks stay, in body order ---
make_rows d 100000 "$WORK/d.jsonl"
python3 - "$HTTP_PORT" "$WORK/d.jsonl" <<'PY' >"$WORK/cut.out" 2>&1
import socket, sys, time, urllib.parse, urllib.request
port, path = int(sys.argv[1]), sys.argv[2]
def count():
    request = urllib.request.Request("http://127.0.0.1:%d/" % port, method="POST",
        data=b"SELECT count() FROM events WHERE event_id LIKE 'd%'",
        headers={"Authorization": "Bearer admin-token"})
    return int(urllib.request.urlopen(request, timeout=30).read())
query = urllib.parse.quote("INSERT INTO events FORMAT JSONEachRow")
s = socket.create_connection(("127.0.0.1", port))
s.sendall(("POST /?query=%s&query_id=cut-off HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer admin-token\r\n"
           "Transfer-Encoding: chunked\r\n\r\n" % query).encode())
data = open(path, "rb").read()
sent = 0
# Two thirds of the body, then wait until some of it is stored, then hang up.
while sent < len(data) * 2 // 3:
    piece = data[sent:sent + 65536]
    s.sendall(b"%x\r\n%s\r\n" % (len(piece), piece))
    sent += len(piece)
for _ in range(600):
    if count() > 0:
        break
    time.sleep(0.1)
s.close()
print("sent", sent)
PY
# The INSERT's record in system.query_log appears once its handler has finished.
wait_for_sql "SELECT count() > 0 FROM system.query_log WHERE query_id = 'cut-off' AND type != 'QueryStart'" 1
stored=$(sql "SELECT count() FROM events WHERE event_id LIKE 'd%'")
last=$(sql "SELECT max(event_id) FROM events WHERE event_id LIKE 'd%'")
echo "cut off: $(cat "$WORK/cut.out"); stored $stored, the last $last"
check "a cut-off body keeps some blocks" test "$stored" -gt 0
check "... not all of it" test "$stored" -lt 100000
check "... a prefix of the body, in order" test "$last" == "$(printf 'd%07d' $((stored - 1)))"
check "the server still answers" test "$(curl -s "$base/ping")" == "Ok."

# --- 5. roles: a non-admin's INSERT is refused from its head, the body unread ---
python3 - "$HTTP_PORT" <<'PY' >"$WORK/analyst.out" 2>&1
import socket, sys, urllib.parse
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
s.settimeout(30)
query = urllib.parse.quote("INSERT INTO events FORMAT JSONEachRow")
# 100 MB announced, none of it sent: the answer must not wait for it.
s.sendall(("POST /?query=%s HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer analyst-token\r\n"
           "Content-Length: 100000000\r\n\r\n" % query).encode())
print(s.recv(65536).decode(errors="replace"))
PY
check "analyst INSERT: 403 before any body byte" grep -q "^HTTP/1.1 403" "$WORK/analyst.out"
check "... naming the admin role" grep -q "needs the admin role" "$WORK/analyst.out"

# --- 6. --max_body_mb still bounds everything else ---
head -c 2000000 /dev/zero | tr '\0' ' ' >"$WORK/big.sql"
echo "SELECT 1" >>"$WORK/big.sql"
check "a 2 MB SELECT body past --max_body_mb 1: 413" \
  test "$(curl -s -o /dev/null -w '%{http_code}' "${auth[@]}" --data-binary @"$WORK/big.sql" "$base/")" == 413
check "INSERT with its rows in the body (not streamed) past 1 MB: 413" \
  test "$(curl -s -o /dev/null -w '%{http_code}' "${auth[@]}" --data-binary @<(echo 'INSERT INTO events FORMAT JSONEachRow'; cat "$WORK/b.jsonl") "$base/")" == 413
# A row over the row bound (twice the decoder's 1 MiB) is rejected, the rest stored.
python3 -c "
import sys
sys.stdout.write('{\"event_time\":\"$day 12:00:00\",\"user_id\":\"u\",\"event_id\":\"huge\",\"event_type\":\"x\",\"properties\":\"' + 'y' * 3000000 + '\"}\n')
sys.stdout.write('{\"event_time\":\"$day 12:00:00\",\"user_id\":\"u\",\"event_id\":\"after-huge\",\"event_type\":\"x\"}\n')
" >"$WORK/huge.jsonl"
curl -s -o "$WORK/huge.out" "${auth[@]}" -X POST -T - "$(insert_url 'INSERT INTO events FORMAT JSONEachRow')" <"$WORK/huge.jsonl"
check "an oversized row is rejected as too_large" grep -q "too_large" "$WORK/huge.out"
check "the row after it is stored" test "$(sql "SELECT count() FROM events WHERE event_id = 'after-huge'")" == 1

# --- 7. POST /api/v1/events: an admin's JSON lines stream too; an array is read whole ---
python3 - "$day" "$WORK/events.jsonl" "$WORK/events.json" <<'PY'
import json, sys
day, lines_path, array_path = sys.argv[1:]
events = [{"event_id": "r%07d" % i, "user_id": "user%05d" % (i % 5000), "event_type": "screen_view",
           "event_timestamp": "%sT12:%02d:%02dZ" % (day, i // 60 % 60, i % 60), "platform": "ios",
           "properties": {"pad": "x" * 150}} for i in range(30000)]
with open(lines_path, "w") as out:
    for event in events:
        out.write(json.dumps(event) + "\n")
with open(array_path, "w") as out:
    json.dump([dict(event, event_id="q" + event["event_id"]) for event in events], out)
PY
code=$(curl -s -o "$WORK/events.out" -w '%{http_code}' "${auth[@]}" -X POST -T - \
  -H 'Content-Type: application/x-ndjson' "$base/api/v1/events" <"$WORK/events.jsonl")
check "POST /api/v1/events: $(($(stat -c %s "$WORK/events.jsonl") >> 20)) MB of JSON lines past --max_body_mb 1: 200" \
  test "$code" == 200
check "... every event accepted" grep -q '"accepted":30000' "$WORK/events.out"
check "... and stored" test "$(sql "SELECT count() FROM events WHERE event_id LIKE 'r%'")" == 30000
code=$(curl -s -o "$WORK/array.out" -w '%{http_code}' "${auth[@]}" --data-binary @"$WORK/events.json" \
  -H 'Content-Type: application/json' "$base/api/v1/events")
check "a JSON array past --max_body_mb is read whole, so refused: 413" test "$code" == 413
check "... nothing of it stored" test "$(sql "SELECT count() FROM events WHERE event_id LIKE 'qr%'")" == 0
sed 's/"r0/"z0/' "$WORK/events.jsonl" >"$WORK/analyst.jsonl"
code=$(curl -s -o "$WORK/analyst-events.out" -w '%{http_code}' -H 'Authorization: Bearer analyst-token' -X POST -T - \
  -H 'Content-Type: application/x-ndjson' "$base/api/v1/events" <"$WORK/analyst.jsonl")
check "an analyst's POST /api/v1/events is refused: its body bounded by --max_body_mb (413) ($code)" test "$code" == 413
check "... nothing of it stored" test "$(sql "SELECT count() FROM events WHERE event_id LIKE 'z0%'")" == 0

finish
