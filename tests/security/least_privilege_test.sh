#!/usr/bin/env bash
# Issue 15, finding 7 (least privilege): non-admins see only their own statements in
# system.processes, system.audit_log and system.query_cache (through POST / and through Grafana's SQL), and an
# analyst's KILL QUERY of someone else's statement cancels nothing; the admin sees and kills
# everything. Files under --data_dir and the audit log are 0600, directories 0700, even when
# the server is started under umask 000.
#   least_privilege_test.sh MUA_SERVER
set -u
SERVER=${1:?usage: least_privilege_test.sh MUA_SERVER}
WORK=$(mktemp -d)
source "$(dirname "$0")/lib.sh"

write_tokens
make_events "$WORK/events.jsonl" 50
umask 000  # the server must not depend on the caller's umask
start_secure lp --load "$WORK/events.jsonl" --tokens "$WORK/tokens" --max_execution_time 120
check "mua-server started with tokens" test $? -eq 0
umask 077
stored=$(q dtok "SELECT count() FROM events")
check "500 events loaded ($stored)" test "$stored" == 500

# Each principal leaves something in the audit log; root's INSERT carries a secret.
q atok "SELECT 'ana was here'" >/dev/null
q a2tok "SELECT 'otto was here'" >/dev/null
secret='{"event_id":"s1","user_id":"secret-user-4711","event_type":"app_open","event_timestamp":"'$(date -u +%Y-%m-%dT%H:%M:%SZ)'"}'
status=$(req dtok --data-binary "INSERT INTO events FORMAT JSONEachRow
$secret" "$base/")
check "root's INSERT is stored ($status)" test "$status" == 200
stored=$((stored + 1))

# The result cache is shared, its statements' text is not: system.query_cache shows a
# non-admin only their own entries.
q atok "SELECT count(), 'ana-cached' FROM events SETTINGS use_query_cache = 1" >/dev/null
check "the admin sees ana's cached statement" \
  test "$(q dtok "SELECT count() FROM system.query_cache WHERE query LIKE '%ana-cached%'")" == 1
check "ana sees her own cached statement" \
  test "$(q atok "SELECT count() FROM system.query_cache WHERE query LIKE '%ana-cached%'")" == 1
check "otto does not see ana's cached statement" \
  test "$(q a2tok "SELECT count() FROM system.query_cache WHERE query LIKE '%ana-cached%'")" == 0

# ana's long statement, with a known id.
curl -s -H 'Authorization: Bearer atok' --data-binary "$(heavy_sql)" "$base/?query_id=ana-slow" >"$WORK/ana.out" &
ana_pid=$!
seen_by_admin() { [[ "$(q dtok "SELECT user FROM system.processes WHERE query_id = 'ana-slow'")" == ana ]]; }
check "the admin sees ana's statement in system.processes" wait_until 300 seen_by_admin
check "ana sees her own statement" \
  test "$(q atok "SELECT count() FROM system.processes WHERE query_id = 'ana-slow'")" == 1
others=$(q a2tok "SELECT count() FROM system.processes WHERE user != 'otto'")
check "otto sees no one else's statements in system.processes ($others)" test "$others" == 0
check "... not even by its id" \
  test "$(q a2tok "SELECT count() FROM system.processes WHERE query_id = 'ana-slow'")" == 0
answer=$(q a2tok "KILL QUERY WHERE query_id = 'ana-slow'")
check "otto's KILL QUERY of ana's statement cancels nothing ($answer)" \
  bash -c "[[ '$answer' != *'being cancelled'* ]]"
answer=$(q a2tok "KILL QUERY WHERE query_id = 'ana-slow' SYNC")
check "... nor with SYNC ($answer)" bash -c "[[ '$answer' != *'being cancelled'* ]]"
check "ana's statement is still running after otto's KILLs" \
  test "$(q dtok "SELECT count() FROM system.processes WHERE query_id = 'ana-slow'")" == 1
status=$(req a2tok --data-binary "$(heavy_sql)" "$base/?query_id=ana-slow")
# (Code 216 tells otto that some statement holds that id, as ClickHouse's global ids do; it
# names no principal and shows no text.)
check "otto cannot take over ana's running query_id ($status: $(short_body 100))" \
  bash -c "[[ $status == 400 ]] && grep -q 'Code: 216' '$WORK/body'"
check "... which is still ana's" \
  test "$(q dtok "SELECT user FROM system.processes WHERE query_id = 'ana-slow'")" == ana
answer=$(q dtok "KILL QUERY WHERE query_id = 'ana-slow'")
check "the admin kills it ($answer)" bash -c "[[ '$answer' == *'being cancelled'* ]]"
wait "$ana_pid"
check "ana's statement ends with 394 QUERY_WAS_CANCELLED ($(head -c 80 "$WORK/ana.out"))" grep -q 'Code: 394' "$WORK/ana.out"

# ana's own KILL works on her own statement.
curl -s -H 'Authorization: Bearer atok' --data-binary "$(heavy_sql)" "$base/?query_id=ana-own" >"$WORK/own.out" &
own_pid=$!
seen_own() { [[ "$(q atok "SELECT count() FROM system.processes WHERE query_id = 'ana-own'")" == 1 ]]; }
check "ana sees her second statement" wait_until 300 seen_own
answer=$(q atok "KILL QUERY WHERE query_id = 'ana-own'")
check "ana kills her own statement ($answer)" bash -c "[[ '$answer' == *'being cancelled'* ]]"
wait "$own_pid"
check "... which ends cancelled" grep -q 'Code: 394' "$WORK/own.out"

# system.audit_log: each non-admin sees only their own rows.
check "otto sees only his own audit rows" \
  test "$(q a2tok "SELECT count() FROM system.audit_log WHERE principal != 'otto'")" == 0
check "... and has some" test "$(q a2tok "SELECT count() > 0 FROM system.audit_log")" == 1
check "ana does not see root's INSERT body" \
  test "$(q atok "SELECT count() FROM system.audit_log WHERE position(statement, 'secret-user-4711') > 0")" == 0
check "the admin does" \
  test "$(q dtok "SELECT count() FROM system.audit_log WHERE position(statement, 'secret-user-4711') > 0")" -ge 1
check "the admin sees every principal" \
  test "$(q dtok "SELECT count(DISTINCT principal) FROM system.audit_log WHERE principal IN ('ana', 'otto', 'root')")" == 3
status=$(req atok -H 'Content-Type: application/json' \
  --data-binary '{"target":"SELECT DISTINCT principal FROM system.audit_log"}' "$base/grafana/search")
check "through Grafana's search ana's SQL sees only ana ($status: $(short_body 80))" \
  bash -c "[[ $status == 200 ]] && [[ \$(cat '$WORK/body') == '[\"ana\"]' ]]"
status=$(req atok -H 'Content-Type: application/json' \
  --data-binary '{"sql":"SELECT count() AS n FROM system.audit_log WHERE principal != '"'ana'"'","format":"TSV"}' "$base/api/v1/query")
check "through /api/v1/query too ($status: $(short_body 80))" bash -c "[[ $status == 200 ]] && [[ \$(cat '$WORK/body') == 0 ]]"

# Files 0600, directories 0700 (the server ran under umask 000).
loose=$(find "$WORK/data-lp" "$WORK/lp-audit.jsonl"* \( -type f ! -perm 600 \) -o \( -type d ! -perm 700 \) 2>/dev/null)
check "every file under --data_dir and the audit log is 0600, every directory 0700 (${loose:-all})" test -z "$loose"
check "the data directory holds files" test -n "$(find "$WORK/data-lp" -type f)"
check "the audit log exists" test -s "$WORK/lp-audit.jsonl"

# SYSTEM BACKUP TO: admin only, under --backup_root only (this server has none: refused).
status=$(req atok --data-binary "SYSTEM BACKUP TO '$WORK/backup-a'" "$base/")
check "an analyst's SYSTEM BACKUP: 403 ($status)" test "$status" == 403
for target in "$WORK/backup-b" "$WORK/data-lp/inside" "/tmp/../$WORK/backup-c" "relative"; do
  status=$(req dtok --data-binary "SYSTEM BACKUP TO '$target'" "$base/")
  check "SYSTEM BACKUP TO '$target' without --backup_root: refused ($status: $(short_body 100))" \
    bash -c "[[ $status == 4* ]] && [[ ! -e '$target' ]]"
done

# Time-zone names are IANA names, never paths; unknown ones are errors, not UTC.
for zone in ../../../../etc/passwd /etc/localtime Europe/../../../etc/passwd Foo/Bar 'Europe/Berlin%00'; do
  status=$(req atok --data-binary "SELECT toStartOfDay(now(), '$zone')" "$base/")
  check "time zone '$zone': 400 BAD_ARGUMENTS ($status: $(short_body 100))" \
    bash -c "[[ $status == 400 ]] && grep -q 'Code: 36' '$WORK/body'"
done
status=$(req atok --data-binary "SELECT toStartOfDay(now(), 'Europe/Berlin')" "$base/")
check "a real zone works ($status)" test "$status" == 200

still_intact "$stored" dtok
stop_server

# With --backup_root: only under it, never inside the data directory, no '..'.
mkdir -p "$WORK/backups" "$WORK/outside"
ln -s "$WORK/data-backup" "$WORK/backups/to-data"  # symlinks out of the root
ln -s "$WORK/outside" "$WORK/backups/to-outside"
start_secure backup --load "$WORK/events.jsonl" --tokens "$WORK/tokens" --backup_root "$WORK/backups"
check "mua-server --backup_root started" test $? -eq 0
for target in "$WORK/elsewhere" "$WORK/data-backup/inside" "$WORK/backups/../data-backup/x" "$WORK/backups/../elsewhere2" \
  "$WORK/backups/to-data/x" "$WORK/backups/to-outside/x"; do
  status=$(req dtok --data-binary "SYSTEM BACKUP TO '$target'" "$base/")
  check "SYSTEM BACKUP TO '$target': refused ($status: $(short_body 100))" \
    bash -c "[[ $status == 4* ]] && [[ ! -e '$target' ]]"
done
status=$(req dtok --data-binary "SYSTEM BACKUP TO '$WORK/backups/b1'" "$base/")
check "SYSTEM BACKUP TO a directory under --backup_root works ($status: $(short_body 100))" \
  bash -c "[[ $status == 200 ]] && [[ -d '$WORK/backups/b1' ]]"
loose=$(find "$WORK/backups/b1" \( -type f ! -perm 600 \) -o \( -type d ! -perm 700 \))
check "the backup is 0600/0700 too (${loose:-all})" test -z "$loose"
still_intact 500 dtok
finish
