#!/usr/bin/env bash
# Created tables (issue 16) on a real mua-server over HTTP: CREATE TABLE with MergeTree, Log
# and Memory; INSERT VALUES, INSERT ... FORMAT JSONEachRow/TSV/CSV, INSERT SELECT; a kill -9
# right after INSERTs were answered keeps every acknowledged row of the persisted engines
# (Memory starts empty, as in ClickHouse); TRUNCATE and DROP survive too; a damaged part
# stops the server naming the file, and --on_corruption=skip starts without that table;
# roles: an analyst reads, only an admin creates, writes and drops; system.query_log.
#   dimension_tables_test.sh MUA_SERVER
set -u
SERVER=${1:?usage: dimension_tables_test.sh MUA_SERVER}
WORK=$(mktemp -d)
source "$(dirname "$0")/lib.sh"

serve() { start_server "$SERVER" dim --audit_log "$WORK/audit.jsonl" "$@"; }
insert() {  # insert SQL DATA : the SQL as query parameter, the data as the body
  curl -s --max-time 30 -o "$WORK/insert.out" -w '%{http_code}' --data-binary "$2" \
    "http://127.0.0.1:$HTTP_PORT/?query=$(python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1]))' "$1")"
}

check "server started" serve
check "create MergeTree" test -z "$(sql "CREATE TABLE releases (version String, released Date, build Nullable(UInt32), channel LowCardinality(String) DEFAULT 'stable') ENGINE = MergeTree PARTITION BY toYYYYMM(released) ORDER BY version")"
check "create Log" test -z "$(sql "CREATE TABLE campaigns (id UInt64, name String, tags Array(String)) ENGINE = Log")"
check "create Memory" test -z "$(sql "CREATE TABLE scratch (x UInt8) ENGINE = Memory")"
check "insert VALUES" test -z "$(sql "INSERT INTO releases VALUES ('2.0', '2026-01-02', NULL, 'beta'), ('1.0', '2025-05-01', 7, 'stable')")"
check "insert JSONEachRow" test "$(insert "INSERT INTO releases FORMAT JSONEachRow" '{"version": "1.5", "released": "2025-09-30"}')" = 200
check "insert TSV" test "$(insert "INSERT INTO campaigns FORMAT TabSeparated" $'1\tspring\t[\'a\',\'b\']\n2\tsummer\t[]\n')" = 200
check "insert CSV" test "$(insert "INSERT INTO campaigns (id, name) FORMAT CSV" $'3,"autumn, late"\n')" = 200
check "insert a bad row is refused whole" test "$(insert "INSERT INTO campaigns FORMAT JSONEachRow" $'{"id": 4}\n{"id": -1}\n')" = 400
check "the error names row and column" grep -q "row 2, column id" "$WORK/insert.out"
check "insert Memory" test -z "$(sql "INSERT INTO scratch VALUES (1)")"
check "insert SELECT" test -z "$(sql "CREATE TABLE versions (v String) ENGINE = MergeTree ORDER BY v")$(sql "INSERT INTO versions SELECT version FROM releases WHERE build IS NULL")"
releases=$'1.0\t2025-05-01\t7\tstable\n1.5\t2025-09-30\t\\N\tstable\n2.0\t2026-01-02\t\\N\tbeta'
check "MergeTree rows sorted by ORDER BY" test "$(sql "SELECT * FROM releases")" = "$releases"
check "Log rows in insertion order" test "$(sql "SELECT id, name, length(tags) FROM campaigns")" = $'1\tspring\t2\n2\tsummer\t0\n3\tautumn, late\t0'
check "system.tables shows the engines" test "$(sql "SELECT name, engine FROM system.tables WHERE name IN ('releases', 'campaigns', 'scratch') ORDER BY name")" = $'campaigns\tLog\nreleases\tMergeTree\nscratch\tMemory'
check "EXISTS" test "$(sql "EXISTS TABLE releases")$(sql "EXISTS TABLE nope")" = "10"
check "SHOW CREATE TABLE" grep -q "ENGINE = MergeTree" <<<"$(sql "SHOW CREATE TABLE releases")"
check "system.query_log has the INSERT" test "$(sql "SELECT count() FROM system.query_log WHERE type = 'QueryFinish' AND query_kind = 'Insert'")" -ge 3

# kill -9 right after the answers: every acknowledged row of the persisted tables is back.
kill -KILL "$server_pid"
wait "$server_pid" 2>/dev/null
check "restarted after kill -9" serve
check "MergeTree rows survive kill -9" test "$(sql "SELECT * FROM releases")" = "$releases"
check "Log rows survive kill -9" test "$(sql "SELECT count() FROM campaigns")" = 3
check "INSERT SELECT rows survive" test "$(sql "SELECT * FROM versions")" = $'1.5\n2.0'
check "Memory table is empty after a restart" test "$(sql "SELECT count() FROM scratch")" = 0
check "DEFAULT after restart" test -z "$(sql "INSERT INTO releases (version) VALUES ('3.0')")"
check "the default value" test "$(sql "SELECT channel FROM releases WHERE version = '3.0'")" = stable

check "truncate" test -z "$(sql "TRUNCATE TABLE campaigns")"
check "drop" test -z "$(sql "DROP TABLE versions")"
check "dropping events is refused" grep -q "built in" <<<"$(sql "DROP TABLE events")"
kill -KILL "$server_pid"
wait "$server_pid" 2>/dev/null
check "restarted after a second kill -9" serve
check "TRUNCATE survives" test "$(sql "SELECT count() FROM campaigns")" = 0
check "DROP survives" grep -q "doesn't exist" <<<"$(sql "SELECT * FROM versions")"
check "releases still there" test "$(sql "SELECT count() FROM releases")" = 4

# Roles: an analyst reads created tables, only an admin writes.
cat >"$WORK/tokens" <<EOF
admin-token admin root
analyst-token analyst ana
EOF
chmod 600 "$WORK/tokens"
stop_server
check "restarted with tokens" serve --tokens "$WORK/tokens"
as() { curl -s --max-time 30 -H "Authorization: Bearer $1" --data-binary "$2" "http://127.0.0.1:$HTTP_PORT/"; }
check "analyst reads" test "$(as analyst-token "SELECT count() FROM releases")" = 4
check "analyst cannot insert" grep -q "ACCESS_DENIED" <<<"$(as analyst-token "INSERT INTO releases (version) VALUES ('x')")"
check "analyst cannot create" grep -q "ACCESS_DENIED" <<<"$(as analyst-token "CREATE TABLE t (x UInt8) ENGINE = Memory")"
check "analyst cannot drop" grep -q "ACCESS_DENIED" <<<"$(as analyst-token "DROP TABLE releases")"
check "analyst sees only own query_log rows" test "$(as analyst-token "SELECT count() FROM system.query_log WHERE user != 'ana'")" = 0
check "admin sees the analyst's" test "$(as admin-token "SELECT count() FROM system.query_log WHERE user = 'ana'")" -ge 4
stop_server

# A damaged part: stop names it; skip starts without the table.
part=$(ls "$WORK"/data-dim/tables/releases/*.part | head -1)
printf 'XXXX' | dd of="$part" bs=1 seek=40 conv=notrunc 2>/dev/null
serve
check "a damaged part stops the server" test "$(curl -s --max-time 1 "http://127.0.0.1:$HTTP_PORT/ping")" != "Ok."
check "naming the file" grep -q "$(basename "$part")" "$WORK/dim.err"
check "skip starts without the table" serve --on_corruption skip
check "the damaged table is gone" grep -q "doesn't exist" <<<"$(sql "SELECT * FROM releases")"
check "and reported" test "$(sql "SELECT degraded FROM system.storage")" = 1
stop_server
finish
