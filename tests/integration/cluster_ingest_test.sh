#!/usr/bin/env bash
# Cluster ingest (SPEC §11, issue 18): one mua-kafka-dev with 24 partitions, 3 shards x 2
# replicas started from one cluster file, and a single node beside them. mua-gen produces keyed
# by user id (murmur2_random); each replica consumes exactly its shard's partitions (p mod 3),
# replicas of a shard hold the same events, the shards together hold every event once, and no
# user is on two shards. Then system.clusters and /health, kill -9 and catch-up of a replica,
# events sent to the wrong shard's partition (counted as misplaced), a shard with no replica.
#   cluster_ingest_test.sh MUA_KAFKA_DEV MUA_GEN MUA_SERVER
set -u
KAFKA_DEV=${1:?usage: cluster_ingest_test.sh MUA_KAFKA_DEV MUA_GEN MUA_SERVER}
GEN=${2:?}
SERVER=${3:?}
WORK=$(mktemp -d)
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/cluster_lib.sh"

# Kafka's partitioner hash (org.apache.kafka.common.utils.Utils.murmur2), for the checks below.
cat >"$WORK/murmur2.py" <<'PY'
def murmur2(data):  # Kafka's org.apache.kafka.common.utils.Utils.murmur2
    m, r, length = 0x5bd1e995, 24, len(data)
    h = (0x9747b28c ^ length) & 0xffffffff
    for i in range(0, length - length % 4, 4):
        k = int.from_bytes(data[i:i + 4], "little")
        k = (k * m) & 0xffffffff; k ^= k >> r; k = (k * m) & 0xffffffff
        h = (h * m) & 0xffffffff; h ^= k
    tail = data[length - length % 4:]
    for i in reversed(range(len(tail))):
        h ^= tail[i] << (8 * i)
    if tail:
        h = (h * m) & 0xffffffff
    h ^= h >> 13; h = (h * m) & 0xffffffff; h ^= h >> 15
    return h
PY

start_broker "$KAFKA_DEV" --topic mobile_app_events --partitions 24 --topic mua_control --partitions 1
check "broker printed its bootstrap address" test -n "$BOOTSTRAP"

write_cluster_file 24

# A node must be listed, and --node means nothing without --cluster: both refuse to start.
"$SERVER" --cluster "$WORK/cluster.json" --node 127.0.0.1:1 --data_dir "" >/dev/null 2>"$WORK/unlisted.log"
check "an unlisted --node is refused" bash -c "[[ $? -ne 0 ]] && grep -q 'is not a replica in the cluster file' '$WORK/unlisted.log'"
"$SERVER" --node "127.0.0.1:${ports[0]}" --data_dir "" >/dev/null 2>"$WORK/nocluster.log"
check "--node without --cluster is refused" bash -c "[[ $? -ne 0 ]] && grep -q 'give --cluster FILE too' '$WORK/nocluster.log'"
echo '{"kafka": {"brokers": "b:1", "topics": ["t"], "partitions": 2}, "shards": [{"replica": ["h:1"]}]}' >"$WORK/typo.json"
"$SERVER" --cluster "$WORK/typo.json" --node h:1 --data_dir "" >/dev/null 2>"$WORK/typo.log"
check "a misspelt member of the cluster file is refused" bash -c "[[ $? -ne 0 ]] && grep -q 'unknown member \"replica\"' '$WORK/typo.log'"

for i in 0 1 2 3 4 5; do start_node "$i"; done
for i in 0 1 2 3 4 5; do check "node $i listens on the address the cluster file gives it" node_up "$i"; done
start_server "$SERVER" single --kafka_brokers "$BOOTSTRAP" --kafka_group single

"$GEN" --users 400 --days 2 --seed 5 --duplicate-share 0.02 \
  --kafka-brokers "$BOOTSTRAP" --kafka-topic mobile_app_events 2>"$WORK/gen.err"
events=$(sed -n 's/^mua-gen: \([0-9]*\) events (\([0-9]*\) duplicates).*/\1/p' "$WORK/gen.err")
duplicates=$(sed -n 's/^mua-gen: \([0-9]*\) events (\([0-9]*\) duplicates).*/\2/p' "$WORK/gen.err")
expected=$((events - duplicates))
check "mua-gen produced events" test "$expected" -gt 1000

wait_for_sql "SELECT count() FROM events" "$expected"
check "the single node holds every event ($answer of $expected)" test "$answer" == "$expected"

# The shards fill as the stream drains: wait until their first replicas add up.
total=0
for _ in $(seq 300); do
  total=0
  for s in 0 1 2; do total=$((total + $(shard_sql "${ports[$((2 * s))]}" "SELECT count() FROM events"))); done
  [[ $total -eq $expected ]] && break
  sleep 0.2
done
check "the shards together hold every event once ($total of $expected)" test "$total" -eq "$expected"

for s in 0 1 2; do
  first=${ports[$((2 * s))]}
  second=${ports[$((2 * s + 1))]}
  digest="SELECT count(), uniqExact(user_id), sum(cityHash64(event_id)) FROM events"
  want=$(shard_sql "$first" "$digest")
  got=""
  for _ in $(seq 300); do
    got=$(shard_sql "$second" "$digest")
    [[ "$got" == "$want" ]] && break
    sleep 0.2
  done
  check "shard $s: both replicas hold the same events ($want)" test "$got" == "$want"
  count=$(cut -f1 <<<"$want")
  check "shard $s holds a share of the stream ($count)" test "$count" -gt 0
  owned=$(shard_sql "$first" "SELECT arrayStringConcat(groupArray(toString(partition)), ',') FROM (SELECT partition FROM system.ingest ORDER BY partition)")
  want_owned=$(seq "$s" 3 23 | paste -sd,)
  check "shard $s consumes exactly partitions p mod 3 == $s ($owned)" test "$owned" == "$want_owned"
done

# Keyed by user with murmur2_random: a user lives on one shard, so distinct users add up.
users_single=$(sql "SELECT uniqExact(user_id) FROM events")
users_sum=0
for s in 0 1 2; do
  users_sum=$((users_sum + $(shard_sql "${ports[$((2 * s))]}" "SELECT uniqExact(user_id) FROM events")))
  shard_sql "${ports[$((2 * s))]}" "SELECT DISTINCT user_id FROM events FORMAT TSV" >>"$WORK/users.tsv"
done
check "every user is on one shard only ($users_sum = $users_single)" test "$users_sum" -eq "$users_single"
check "no user id appears on two shards" test -z "$(sort "$WORK/users.tsv" | uniq -d | head -1)"

# And on the shard Java clients would put it: murmur2(user id) & 0x7fffffff mod 24, mod 3.
for s in 0 1 2; do
  shard_sql "${ports[$((2 * s))]}" "SELECT DISTINCT user_id FROM events FORMAT TSV" >"$WORK/users-$s.tsv"
done
misplaced=$(python3 - "$WORK" <<'PY'
import sys
sys.path.insert(0, sys.argv[1])
from murmur2 import murmur2
bad = 0
for shard in range(3):
    for user in open(f"{sys.argv[1]}/users-{shard}.tsv").read().split():
        bad += ((murmur2(user.encode()) & 0x7fffffff) % 24) % 3 != shard
print(bad)
PY
)
check "every user is on the shard murmur2 (Java clients' partitioner) gives it ($misplaced misplaced)" test "$misplaced" == 0

# Every node probes its siblings' /health: system.clusters and /health show the cluster.
wait_node_sql() { HTTP_PORT=$1 wait_for_sql "$2" "$3"; }  # wait_node_sql PORT SQL EXPECTED (system tables): sets $answer
wait_node_sql "${ports[0]}" "SELECT count(), sum(healthy), sum(is_local) FROM system.clusters" $'6\t6\t1'
check "system.clusters: 6 replicas, all healthy, one local ($answer)" test "$answer" == $'6\t6\t1'
layout=$(shard_sql "${ports[5]}" "SELECT shard_num, replica_num, port, is_local FROM system.clusters ORDER BY shard_num, replica_num FORMAT CSV" | tr '\n' ' ')
check "system.clusters lists the file's layout, 1-based ($layout)" test "$layout" == \
  "1,1,${ports[0]},0 1,2,${ports[1]},0 2,1,${ports[2]},0 2,2,${ports[3]},0 3,1,${ports[4]},0 3,2,${ports[5]},1 "
wait_node_sql "${ports[3]}" "SELECT DISTINCT split_users FROM system.clusters" 0
check "the first node counted the users on more than one shard, and the others learned it: none ($answer)" test "$answer" == 0
health=$(curl -s "http://127.0.0.1:${ports[0]}/health")
check "/health carries the cluster's state ($health)" \
  grep -q '"cluster":{"shard":1,"replica":1,"shards":3,"replicas":6,"healthy_replicas":6,"shards_unavailable":\[\],"split_users":0,' <<<"$health"

# kill -9 of a replica: its siblings see it unreachable; events produced meanwhile reach it
# once it is back (it resumes from its own checkpointed offsets), and it matches its sibling.
kill -KILL "${node_pids[3]}"
wait_node_sql "${ports[0]}" "SELECT healthy, status FROM system.clusters WHERE shard_num = 2 AND replica_num = 2" $'0\tunreachable'
check "a killed replica shows unreachable in system.clusters ($answer)" test "$answer" == $'0\tunreachable'
"$GEN" --users 400 --days 2 --seed 6 --start 2026-10-03 --duplicate-share 0 --event-ids hex32 \
  --kafka-brokers "$BOOTSTRAP" --kafka-topic mobile_app_events 2>"$WORK/gen2.err"
more=$(sed -n 's/^mua-gen: \([0-9]*\) events (\([0-9]*\) duplicates).*/\1/p' "$WORK/gen2.err")
check "a second stream produced while the replica is down" test "${more:-0}" -gt 1000
start_node 3
check "the killed replica restarts" node_up 3
digest="SELECT count(), uniqExact(user_id), sum(cityHash64(event_id)) FROM events"
wait_for_sql "SELECT count() FROM events" "$((expected + more))"
check "the single node holds both streams ($answer)" test "$answer" == "$((expected + more))"
want=""
for _ in $(seq 300); do
  want=$(shard_sql "${ports[2]}" "$digest")
  [[ "$(shard_sql "${ports[3]}" "$digest")" == "$want" && "$(shard_sql "${ports[3]}" "SELECT sum(lag) FROM system.ingest")" == 0 ]] && break
  sleep 0.2
done
check "the restarted replica caught up with its sibling, lag 0 ($(shard_sql "${ports[3]}" "$digest"))" \
  test "$(shard_sql "${ports[3]}" "$digest")" == "$want"
wait_node_sql "${ports[0]}" "SELECT sum(healthy) FROM system.clusters" 6
check "and its siblings see it healthy again" test "$answer" == 6

# Ingest through the log: HTTP bodies sent to any node are produced to Kafka keyed by user
# and land, exactly once, on the owning shard's replicas -- also when a replica is killed
# meanwhile, when the node taking a body is killed in the middle of it, and when a client
# sends a body again.
python3 - "$WORK" <<'PY'
import json, random, sys, uuid
rng = random.Random(18)
users = [str(uuid.UUID(int=rng.getrandbits(128))) for _ in range(150)]
def event(i, prefix):
    return {"event_id": "%s-%032x" % (prefix, rng.getrandbits(128)), "user": {"user_id": rng.choice(users), "tier": "gold"},
            "event_type": rng.choice(["app_open", "screen_view", "purchase"]),
            "event_timestamp": "2026-10-04T%02d:%02d:%02dZ" % (i % 24, i % 60, (i * 7) % 60),
            "properties": {"n": i}, "sdk_build": "b%d" % (i % 5)}
with open(f"{sys.argv[1]}/lines.jsonl", "w") as out:
    for i in range(1500):
        out.write(json.dumps(event(i, "line")) + "\n")
    out.write("{not json\n")
with open(f"{sys.argv[1]}/rows.jsonl", "w") as out:
    for i in range(500):
        e = event(i, "row")
        out.write(json.dumps({"event_time": "2026-10-04 11:00:%02d.000" % (i % 60), "user_id": e["user"]["user_id"],
                              "event_id": e["event_id"], "event_type": "purchase", "properties": "{\"price\":4.5}",
                              "attributes": "{\"platform\":\"web\"}"}) + "\n")
with open(f"{sys.argv[1]}/big.jsonl", "w") as out:
    for i in range(60000):
        out.write(json.dumps(event(i, "big")) + "\n")
PY
answer=$(curl -s -H 'Content-Type: application/x-ndjson' --data-binary @"$WORK/lines.jsonl" "http://127.0.0.1:${ports[0]}/api/v1/events")
check "POST /api/v1/events on a node answers once Kafka took the events ($answer)" \
  grep -q '"received":1501,"accepted":1500,"duplicates":0,"rejected":1' <<<"$answer"
check "... and the node keeps the reject" test "$(shard_sql "${ports[0]}" "SELECT count() FROM events_rejected WHERE payload LIKE '{not json%'")" == 1
answer=$(curl -s --data-binary @"$WORK/rows.jsonl" "http://127.0.0.1:${ports[5]}/?query=INSERT%20INTO%20events%20FORMAT%20JSONEachRow" -w '%{http_code}')
check "INSERT INTO events on another node answers 200 ($answer)" test "$answer" == 200
kill_node 3
check "a client's retry of the same body to a third node is taken too" \
  grep -q '"accepted":1500' <<<"$(curl -s -H 'Content-Type: application/x-ndjson' --data-binary @"$WORK/lines.jsonl" "http://127.0.0.1:${ports[2]}/api/v1/events")"
# The node taking a large body is killed in the middle of it; the client sends it again elsewhere.
curl -s -H 'Content-Type: application/x-ndjson' --data-binary @"$WORK/big.jsonl" --limit-rate 2M \
  "http://127.0.0.1:${ports[4]}/api/v1/events" >"$WORK/big1.out" 2>&1 &
big_pid=$!
for _ in $(seq 100); do
  [[ "$(shard_sql "${ports[0]}" "SELECT count() FROM events WHERE event_id LIKE 'big-%'")" -gt 0 ]] && break
  sleep 0.1
done
kill_node 4
wait "$big_pid" 2>/dev/null
check "the retried large body is taken in full by another node" \
  grep -q '"accepted":60000' <<<"$(curl -s -H 'Content-Type: application/x-ndjson' --data-binary @"$WORK/big.jsonl" "http://127.0.0.1:${ports[1]}/api/v1/events")"
start_node 3
start_node 4
check "the killed replica of shard 2 restarts" node_up 3
check "the killed replica of shard 3 restarts" node_up 4
count_of="SELECT countIf(event_id LIKE 'line-%'), countIf(event_id LIKE 'row-%'), countIf(event_id LIKE 'big-%'), uniqExact(event_id) FROM events WHERE event_id LIKE 'line-%' OR event_id LIKE 'row-%' OR event_id LIKE 'big-%'"
for _ in $(seq 600); do
  total=$(for i in 0 2 4; do shard_sql "${ports[$i]}" "$count_of"; echo; done | awk -F'\t' '{a+=$1; b+=$2; c+=$3; d+=$4} END {print a, b, c, d}')
  [[ "$total" == "1500 500 60000 62000" ]] && break
  sleep 0.2
done
check "the shards hold every HTTP event exactly once ($total)" test "$total" == "1500 500 60000 62000"
for s in 0 1 2; do
  for _ in $(seq 300); do
    want=$(shard_sql "${ports[$((2 * s))]}" "$count_of")
    [[ "$(shard_sql "${ports[$((2 * s + 1))]}" "$count_of")" == "$want" ]] && break
    sleep 0.2
  done
  check "shard $((s + 1)): both replicas hold the same HTTP events ($want)" test "$(shard_sql "${ports[$((2 * s + 1))]}" "$count_of")" == "$want"
done
check "an INSERT row keeps its attributes column" \
  test "$(node_sql "${ports[3]}" "SELECT count() FROM events WHERE event_id LIKE 'row-%' AND attributes = '{\"platform\":\"web\"}'")" == 500
misplaced=0
for i in 0 1 2 3 4 5; do misplaced=$((misplaced + $(shard_sql "${ports[$i]}" "SELECT sum(misplaced_events) FROM system.ingest"))); done
check "no HTTP event is misplaced: keyed by the clear user id with murmur2 ($misplaced)" test "$misplaced" == 0
check "the single node consumed them too" \
  test "$(sql "SELECT count() FROM events WHERE event_id LIKE 'line-%' OR event_id LIKE 'row-%' OR event_id LIKE 'big-%'")" == 62000

# What must converge goes through the control topic: dimension tables' DDL and rows, and GDPR
# erasures, sent to any node, are applied by every node in one order -- also by a node that
# was down, and by one rebuilt from nothing, so an erased user never comes back from a replay.
answer=$(node_sql "${ports[0]}" "CREATE TABLE releases (version String, released Date) ENGINE = MergeTree ORDER BY version")
check "CREATE TABLE on one node answers nothing, as ClickHouse (${answer:-empty})" test -z "$answer"
node_sql "${ports[3]}" "INSERT INTO releases VALUES ('4.1.0', '2026-09-01')"
code=$(printf '4.0.0,2026-08-01\n3.9.0,2026-07-01\n' | curl -s -o "$WORK/insert.out" -w '%{http_code}' --data-binary @- \
  "http://127.0.0.1:${ports[5]}/?query=INSERT%20INTO%20releases%20FORMAT%20CSV")
check "INSERT ... FORMAT CSV into it on another node ($code $(cat "$WORK/insert.out"))" test "$code" == 200
releases="SELECT count(), arrayStringConcat(groupArray(version), ',') FROM (SELECT version FROM releases ORDER BY version)"
for i in 0 1 2 3 4 5; do
  wait_node_sql "${ports[$i]}" "$releases" $'3\t3.9.0,4.0.0,4.1.0'
  check "node $i holds the dimension table's rows ($answer)" test "$answer" == $'3\t3.9.0,4.0.0,4.1.0'
done
victim=$(shard_sql "${ports[4]}" "SELECT user_id FROM events GROUP BY user_id ORDER BY count() DESC, user_id LIMIT 1")
victim_events=$(shard_sql "${ports[4]}" "SELECT count() FROM events WHERE user_id = '$victim'")
check "a user of shard 3 to erase ($victim_events events)" test "${victim_events:-0}" -gt 0
# Replica 2 of shard 3 is down while the user is erased, and is rebuilt from nothing.
kill_node 5
rm -rf "$WORK/data-node5"
node_sql "${ports[0]}" "INSERT INTO releases VALUES ('4.2.0', '2026-10-01')"
answer=$(node_sql "${ports[1]}" "DELETE FROM events WHERE user_id = '$victim'")
check "DELETE (GDPR erasure) sent to a node of another shard answers with the user and its own count, 0 ($answer)" \
  test "$answer" == "$victim"$'\t'0
wait_node_sql "${ports[4]}" "SELECT count() FROM events WHERE user_id = '$victim'" 0
check "the owning shard's live replica erased the user ($answer)" test "$answer" == 0
check "a node's erasure is logged without the user id" bash -c "! grep -q '$victim' '$WORK'/node*.err"
check "the user's later events are taken by the log" \
  grep -q '"accepted":3' <<<"$(for i in 1 2 3; do echo "{\"event_id\":\"after-erasure-$i\",\"user_id\":\"$victim\",\"event_type\":\"app_open\",\"event_timestamp\":\"2026-10-05T10:00:0${i}Z\"}"; done |
    curl -s -H 'Content-Type: application/x-ndjson' --data-binary @- "http://127.0.0.1:${ports[2]}/api/v1/events")"
wait_node_sql "${ports[4]}" "SELECT count() FROM events_rejected WHERE reason = 'erased_user'" 3
check "... and dropped by the owning shard as an erased user's ($answer rejected)" test "$answer" == 3
start_node 5
check "the rebuilt replica starts" node_up 5
digest="SELECT count(), uniqExact(user_id), sum(cityHash64(event_id)) FROM events"
# wait_caught_up PORT SIBLING_PORT: until the node on PORT holds the sibling's events, lag 0
# (sets $want, the sibling's digest).
wait_caught_up() {
  for _ in $(seq 600); do
    want=$(shard_sql "$2" "$digest")
    [[ "$(shard_sql "$1" "$digest")" == "$want" && "$(shard_sql "$1" "SELECT sum(lag) FROM system.ingest")" == 0 ]] && return
    sleep 0.2
  done
}
wait_caught_up "${ports[5]}" "${ports[4]}"
check "the rebuilt replica replayed its shard from Kafka and matches its sibling ($want)" test "$(shard_sql "${ports[5]}" "$digest")" == "$want"
check "the erased user did not come back from the replay" \
  test "$(shard_sql "${ports[5]}" "SELECT count() FROM events WHERE user_id = '$victim'")" == 0
wait_node_sql "${ports[5]}" "$releases" $'4\t3.9.0,4.0.0,4.1.0,4.2.0'
check "the rebuilt replica holds the dimension table, with the row inserted while it was down ($answer)" \
  test "$answer" == $'4\t3.9.0,4.0.0,4.1.0,4.2.0'
answer=$(python3 -c "import sys; [sys.stdout.write('9.%d.0,2026-10-01\\n' % i) for i in range(70000)]" |
  curl -s --data-binary @- "http://127.0.0.1:${ports[1]}/?query=INSERT%20INTO%20releases%20FORMAT%20CSV")
check "an INSERT larger than one control message is refused, naming the limit ($answer)" \
  grep -q "is one Kafka message" <<<"$answer"
check "... and nothing of it is applied" test "$(node_sql "${ports[1]}" "SELECT count() FROM releases")" == 4
node_sql "${ports[2]}" "DROP TABLE releases"
for i in 0 1 2 3 4 5; do
  wait_node_sql "${ports[$i]}" "EXISTS TABLE releases" 0
  check "DROP TABLE reached node $i" test "$answer" == 0
done
answer=$(node_sql "${ports[0]}" "INSERT INTO releases SELECT 'x', today()")
check "INSERT ... SELECT into a table is refused on a cluster, by name ($answer)" grep -q "not supported on a cluster yet" <<<"$answer"

# Two years of events outlive Kafka's retention: when the broker no longer holds a shard's first
# events, a replica rebuilt from nothing starts from its sibling's snapshot, then catches up.
# Replica 1 of shard 3 is down meanwhile, so Kafka no longer holds what its checkpoint resumes
# from either. The dev broker keeps about 5 MB a partition: 8 MB of junk on partition 2 (shard 3)
# push its first events out.
kill_node 4
python3 -c "import sys; [sys.stdout.write('junk-%d-%s\\n' % (i, 'x' * 10000)) for i in range(800)]" |
  kcat -P -b "$BOOTSTRAP" -t mobile_app_events -p 2 2>>"$WORK/kcat.err"
first_offset=0
for _ in $(seq 100); do
  first_offset=$(kcat -C -b "$BOOTSTRAP" -t mobile_app_events -p 2 -o beginning -c 1 -f '%o\n' 2>/dev/null)
  [[ "${first_offset:-0}" -gt 0 ]] && break
  sleep 0.2
done
check "the broker dropped partition 2's first messages (it starts at offset $first_offset)" test "${first_offset:-0}" -gt 0
for _ in $(seq 600); do
  [[ "$(shard_sql "${ports[5]}" "SELECT sum(lag) FROM system.ingest")" == 0 ]] && break
  sleep 0.2
done
want=$(shard_sql "${ports[5]}" "$digest")
start_node 4
check "the replica that was down restarts" node_up 4
check "... its checkpoint, whose next events Kafka no longer holds, moved aside" \
  grep -q "Kafka no longer holds the events after this replica's checkpoint" "$WORK/node4.err"
check "... and replaced by its sibling's snapshot" grep -q "bootstrapped from 127.0.0.1:${ports[5]}'s snapshot" "$WORK/node4.err"
wait_caught_up "${ports[4]}" "${ports[5]}"
check "it holds every event of its shard, those Kafka dropped included ($(shard_sql "${ports[4]}" "$digest"))" \
  test "$(shard_sql "${ports[4]}" "$digest")" == "$want"
# And a replica rebuilt from nothing starts from its sibling's snapshot too.
kill_node 5
rm -rf "$WORK/data-node5"
start_node 5
check "the rebuilt replica starts" node_up 5
check "... from its sibling's snapshot" grep -q "bootstrapped from 127.0.0.1:${ports[4]}'s snapshot" "$WORK/node5.err"
wait_caught_up "${ports[5]}" "${ports[4]}"
check "and holds every event of its shard, those Kafka dropped included ($(shard_sql "${ports[5]}" "$digest"))" \
  test "$(shard_sql "${ports[5]}" "$digest")" == "$want"
check "the erased user did not come back with the snapshot" \
  test "$(shard_sql "${ports[5]}" "SELECT count() FROM events WHERE user_id = '$victim'")" == 0
check "a snapshot is refused to a caller who is not a node or an admin" \
  test "$(curl -s -o /dev/null -w '%{http_code}' -X POST -H 'X-MUA-Cluster-Secret: wrong' "http://127.0.0.1:${ports[4]}/cluster/snapshot")" == 401

# A producer that does not key by user with murmur2 (here: kcat to an explicit partition of
# the wrong shard) is seen: the replicas count the events as misplaced and /health degrades.
read -r right wrong < <(python3 - "$WORK" <<'PY'
import sys
sys.path.insert(0, sys.argv[1])
from murmur2 import murmur2
p = (murmur2(b"misplaced-user") & 0x7fffffff) % 24
print(p, (p + 1) % 24)
PY
)
for i in 1 2 3; do
  echo "misplaced-user|{\"event_id\":\"misplaced-$i\",\"user_id\":\"misplaced-user\",\"event_type\":\"app_open\",\"event_timestamp\":\"2026-10-02T10:00:0${i}Z\"}"
done | kcat -P -b "$BOOTSTRAP" -t mobile_app_events -p "$wrong" -K '|' 2>"$WORK/kcat.err"
owner=$((wrong % 3))
wait_node_sql "${ports[$((2 * owner))]}" "SELECT sum(misplaced_events) FROM system.ingest" 3
check "3 events keyed to shard $((right % 3 + 1)) but sent to partition $wrong (shard $((owner + 1))): misplaced_events 3 ($answer)" test "$answer" == 3
health=$(curl -s "http://127.0.0.1:${ports[$((2 * owner))]}/health")
check "... and its /health is degraded, naming them" bash -c 'grep -q "\"status\":\"degraded\"" <<<"$0" && grep -q "\"misplaced_events\":3" <<<"$0"' "$health"
metrics=$(curl -s "http://127.0.0.1:${ports[$((2 * owner))]}/metrics")
check "... and /metrics counts them on partition $wrong" \
  grep -q "^mua_ingest_misplaced_events_total{topic=\"mobile_app_events\",partition=\"$wrong\"} 3$" <<<"$metrics"
check "a replica of another shard counts none" test "$(shard_sql "${ports[$((2 * ((owner + 1) % 3)))]}" "SELECT sum(misplaced_events) FROM system.ingest")" == 0

# A user whose events reach two shards is counted by the periodic check, on every node.
split_user=$(shard_sql "${ports[0]}" "SELECT min(user_id) FROM events")
echo "$split_user|{\"event_id\":\"split-1\",\"user_id\":\"$split_user\",\"event_type\":\"app_open\",\"event_timestamp\":\"2026-10-02T10:00:00Z\"}" |
  kcat -P -b "$BOOTSTRAP" -t mobile_app_events -p 1 -K '|' 2>>"$WORK/kcat.err"
wait_node_sql "${ports[5]}" "SELECT min(split_users), max(split_users) FROM system.clusters" $'1\t1'
check "a user with events on shards 1 and 2 is counted as split ($answer)" test "$answer" == $'1\t1'
for _ in $(seq 150); do  # a node learns the count from its siblings' /health, probed every 2 s
  health=$(curl -s "http://127.0.0.1:${ports[2]}/health")
  grep -q '"split_users":1,' <<<"$health" && break
  sleep 0.2
done
check "... and another node's /health is degraded with a warning ($health)" \
  bash -c 'grep -q "\"status\":\"degraded\"" <<<"$0" && grep -q "\"split_users\":1,.*\"warning\":\"1 users have events on more than one shard" <<<"$0"' "$health"

cluster_metrics() {  # what node 3's /metrics must show, once its probes have seen it
  grep -q "^mua_cluster_replica_healthy{shard=\"3\",replica=\"2\",address=\"127.0.0.1:${ports[5]}\"} 1$" <<<"$1" &&
    grep -q "^mua_cluster_split_users 1$" <<<"$1" && grep -Eq "^mua_cluster_control_next_offset [1-9]" <<<"$1"
}
for _ in $(seq 150); do
  metrics=$(curl -s "http://127.0.0.1:${ports[3]}/metrics")
  cluster_metrics "$metrics" && break
  sleep 0.2
done
check "/metrics: the replicas' health, the split users and the control topic's offset" cluster_metrics "$metrics"

# SYSTEM ... ON CLUSTER: the command on every node, ClickHouse's answer (one row per host).
answer=$(node_sql "${ports[1]}" "SYSTEM STOP INGEST ON CLUSTER default FORMAT TSV")
check "SYSTEM STOP INGEST ON CLUSTER answers a row per node ($(wc -l <<<"$answer") rows)" test "$(wc -l <<<"$answer")" == 6
check "... the node sent it first, 5 remaining ($(head -1 <<<"$answer"))" test "$(head -1 <<<"$answer")" == $'127.0.0.1\t'"${ports[1]}"$'\t0\t\t5\t0'
# Each consumer pauses after its current batch: wait for all of them.
nodes_in_state() {
  local i count
  for _ in $(seq 300); do
    count=0
    for i in 0 1 2 3 4 5; do grep -q "\"state\":\"$1\"" <<<"$(curl -s "http://127.0.0.1:${ports[$i]}/health")" && count=$((count + 1)); done
    [[ $count == 6 ]] && break
    sleep 0.2
  done
  echo "$count"
}
stopped=$(nodes_in_state stopped)
check "every node's consumer stopped ($stopped of 6)" test "$stopped" == 6
node_sql "${ports[4]}" "SYSTEM START INGEST ON CLUSTER 'default'" >/dev/null
consuming=$(nodes_in_state consuming)
check "SYSTEM START INGEST ON CLUSTER resumed every node ($consuming of 6)" test "$consuming" == 6
answer=$(node_sql "${ports[0]}" "SYSTEM FLUSH ON CLUSTER nope")
check "an unknown cluster is refused by name ($answer)" grep -q "Requested cluster 'nope' not found" <<<"$answer"
answer=$(curl -s -H "X-MUA-Cluster-Secret: x" --data-binary "SELECT 1" "http://127.0.0.1:${ports[0]}/?cluster_forwarded=1")
check "a forwarded statement without the right secret is refused ($answer)" grep -q "Authentication failed" <<<"$answer"
kill_node 5
answer=$(node_sql "${ports[0]}" "SYSTEM FLUSH ON CLUSTER default")
check "with a node down, ON CLUSTER fails naming it ($answer)" \
  grep -q "Code: 279. DB::Exception: There was an error on \[127.0.0.1:${ports[5]}\]" <<<"$answer"

# Both replicas of a shard down: /health names the shard no replica serves.
kill -KILL "${node_pids[2]}" "${node_pids[3]}"
for _ in $(seq 300); do
  health=$(curl -s "http://127.0.0.1:${ports[0]}/health")
  grep -q '"shards_unavailable":\[2\]' <<<"$health" && break
  sleep 0.2
done
check "with both replicas of shard 2 down, /health lists it unavailable ($health)" grep -q '"shards_unavailable":\[2\]' <<<"$health"

finish
