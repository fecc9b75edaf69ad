#!/usr/bin/env bash
# Issue 15, finding 7 (rejected events and PII): under --hash_user_ids no clear user id reaches
# events_rejected (payload, error, user_id), in either event shape and for unparsable payloads;
# a GDPR DELETE also removes the user's rejected events, and the user's later rejects are kept
# only as erased_user without payload. Without hashing the payload is kept as received, and
# the DELETE removes it all the same.
#   rejected_pii_test.sh MUA_SERVER
set -u
SERVER=${1:?usage: rejected_pii_test.sh MUA_SERVER}
WORK=$(mktemp -d)
source "$(dirname "$0")/../integration/lib.sh"

now=$(date -u +%Y-%m-%dT%H:%M:%SZ)
post() {  # post BODY : POST /api/v1/events (development mode: loopback is admin); prints the answer
  curl -s --max-time 30 -H 'Content-Type: application/x-ndjson' --data-binary "$1" \
    "http://127.0.0.1:$HTTP_PORT/api/v1/events"
}
x=xavier-4242@example.com
y=yolanda-77
bad_events() {  # the rejects of X (flat, nested, unparsable) and one of Y
  printf '%s\n' \
    "{\"event_id\":\"x1\",\"user_id\":\"$x\",\"event_type\":\"open\",\"event_timestamp\":\"$x\"}" \
    "{\"event_id\":\"x2\",\"user\":{\"user_id\":\"$x\"},\"event_type\":\"open\",\"event_timestamp\":\"never\",\"properties\":{\"email\":\"$x\"}}" \
    "{\"event_id\":\"x3\",\"user_id\":\"$x\",\"event_type\":\"open\",\"event_timestamp\": oops" \
    "{\"event_id\":\"y1\",\"user_id\":\"$y\",\"event_type\":\"open\",\"event_timestamp\":\"never\"}"
}
good_event="{\"event_id\":\"x0\",\"user_id\":\"$x\",\"event_type\":\"open\",\"event_timestamp\":\"$now\"}"

# --- With hashing. ------------------------------------------------------------------------------
echo "a-salt-for-the-test-$RANDOM$RANDOM" >"$WORK/salt"
start_server "$SERVER" hashed --hash_user_ids "$WORK/salt"
check "mua-server --hash_user_ids started" test $? -eq 0
answer=$(post "$good_event"$'\n'"$(bad_events)")
check "POST: 1 accepted, 4 rejected" bash -c "grep -q '\"accepted\":1' <<<'$answer' && grep -q '\"rejected\":4' <<<'$answer'"
check "the POST's answer names no clear id" bash -c "! grep -qF '$x' <<<'$answer'"
hash=$(sql "SELECT user_id FROM events")
check "events stores X hashed ($hash)" bash -c "[[ '$hash' =~ ^[0-9a-f]{32}$ ]]"
rows=$(sql "SELECT * FROM events_rejected FORMAT TSV")
check "events_rejected holds 4 rows" test "$(wc -l <<<"$rows")" == 4
check "SELECT * FROM events_rejected shows no clear '$x' anywhere" bash -c "! grep -qF 'xavier' <<<\"\$1\"" _ "$rows"
check "... nor '$y'" bash -c "! grep -qF 'yolanda' <<<\"\$1\"" _ "$rows"
check "X's rejects carry the hash events has (user_id column)" \
  test "$(sql "SELECT count() FROM events_rejected WHERE user_id = '$hash'")" == 3
check "a readable payload holds the same hash (correlation)" \
  test "$(sql "SELECT count() FROM events_rejected WHERE user_id = '$hash' AND position(payload, '$hash') > 0")" == 2
check "the unparsable payload is its length and a keyed hash" \
  test "$(sql "SELECT payload FROM events_rejected WHERE startsWith(payload, 'unparsable')" | sed -E 's/[0-9]+ bytes, hash [0-9a-f]{32}$/N bytes, hash H/')" == "unparsable: N bytes, hash H"

deleted=$(sql "DELETE FROM events WHERE user_id = '$x'")
check "DELETE of X answers its 1 event ($deleted)" test "$deleted" == "$(printf '%s\t1' "$x")"
check "X's rejected events are gone" test "$(sql "SELECT count() FROM events_rejected WHERE user_id = '$hash'")" == 0
check "Y's reject stays" test "$(sql "SELECT count() FROM events_rejected")" == 1
check "the server log counts the removed rejects, without the id" \
  bash -c "grep -q 'GDPR erasure: 1 events and 3 rejected events removed' '$WORK/hashed.err' && ! grep -qF '$x' '$WORK/hashed.err'"

# X's rejects arriving after the erasure: erased_user, without payload, error or id.
answer=$(post "$(bad_events | head -2)")
check "a later POST of X's bad events is rejected" bash -c "grep -q '\"rejected\":2' <<<'$answer'"
got=$(sql "SELECT reason, payload, user_id FROM events_rejected WHERE source LIKE 'http%' ORDER BY rejected_at, offset FORMAT TSV" | tail -2)
check "they are kept as erased_user without payload ($got)" test "$got" == "$(printf 'erased_user\t\t\nerased_user\t\t')"
rows=$(sql "SELECT * FROM events_rejected FORMAT TSV")
check "still no clear '$x' in events_rejected" bash -c "! grep -qF 'xavier' <<<\"\$1\"" _ "$rows"
check "nor X's hash" bash -c "! grep -qF '$hash' <<<\"\$1\"" _ "$rows"
stop_server
check "the server stops cleanly" test $? -eq 0

# --- Without hashing: unchanged, and the DELETE removes the rejects all the same. --------------
start_server "$SERVER" clear
check "mua-server without hashing started" test $? -eq 0
post "$(bad_events)" >/dev/null
check "the payloads are kept as received, with the clear id" \
  test "$(sql "SELECT count() FROM events_rejected WHERE user_id = '$x' AND position(payload, '\"user_id\":\"$x\"') > 0")" == 3
deleted=$(sql "DELETE FROM events WHERE user_id = '$x'")
check "DELETE of X without events answers 0 ($deleted)" test "$deleted" == "$(printf '%s\t0' "$x")"
check "X's rejected events are gone, Y's stays" \
  test "$(sql "SELECT countIf(user_id = '$x'), countIf(user_id = '$y') FROM events_rejected")" == "$(printf '0\t1')"
stop_server
check "the server stops cleanly" test $? -eq 0
finish
