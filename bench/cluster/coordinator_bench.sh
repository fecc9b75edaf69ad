#!/usr/bin/env bash
# The coordinator's overhead (issue 18): the SPEC §9 queries (bench/queries/*.sql) over HTTP on
# a 3-shard cluster (one replica each, every node on this machine) against one node holding the
# same events, answers compared. One mua-kafka-dev, pre-filled by mua-gen keyed by user id
# (murmur2_random); then the 3 shard nodes and the single node consume it.
#
#   bench/cluster/coordinator_bench.sh --build build/release [--users 30000] [--runs 7]
# Options:
#   --build DIR       built tree with bin/mua-server, bin/mua-gen, bin/mua-kafka-dev (required)
#   --users N         mua-gen --users over 30 days (default 30000: ~3.2 M events)
#   --partitions N    topic partitions (default 384: mua-kafka-dev keeps the newest ~5 MB of each)
#   --runs N          timed runs per query and target after one warm-up (default 7)
#   --work DIR        logs and data (default build/cluster-bench)
# Prints per query the single node's and the cluster's median latency (curl's time_total, one
# keep-alive-less request each, as dashboards send them), their ratio, and whether the answers
# are equal. Exit status 1 when an answer differs.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
build=""
users=30000
partitions=384
runs=7
work="build/cluster-bench"
while (($#)); do
  case "$1" in
    --build) build="${2:?}"; shift ;;
    --users) users="${2:?}"; shift ;;
    --partitions) partitions="${2:?}"; shift ;;
    --runs) runs="${2:?}"; shift ;;
    --work) work="${2:?}"; shift ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
  shift
done
die() { echo "coordinator_bench: $*" >&2; exit 2; }
[[ -n "$build" ]] || die "--build DIR is required"
bin="$(cd "$build/bin" && pwd)"
for b in mua-server mua-gen mua-kafka-dev; do [[ -x "$bin/$b" ]] || die "$bin/$b missing"; done
rm -rf "$work"
mkdir -p "$work"
work="$(cd "$work" && pwd)"
source "$repo/bench/ingest/common.sh"
topic=mobile_app_events

spawn broker "$bin/mua-kafka-dev" --port 0 --topic "$topic" --partitions "$partitions"
wait_for 30 "mua-kafka-dev's bootstrap line" grep -qs '^bootstrap:' "$work/broker.log"
bootstrap="$(sed -n 's/^bootstrap: //p' "$work/broker.log")"
echo "== producing $users users x 30 days to $topic ($partitions partitions), keyed by user"
"$bin/mua-gen" --users "$users" --days 30 --seed 42 --kafka_brokers "$bootstrap" --kafka_topic "$topic" \
  2>"$work/gen.log" || die "mua-gen failed: $(tail -3 "$work/gen.log")"
expected="$(sed -n 's/^mua-gen: \([0-9]*\) events.*/\1/p' "$work/gen.log")"
[[ -n "$expected" ]] || die "no event count in $work/gen.log"
echo "   $expected events"

ports=("$(free_port)" "$(free_port)" "$(free_port)")
cat >"$work/cluster.json" <<JSON
{"kafka": {"brokers": "$bootstrap", "topics": ["$topic"], "partitions": $partitions},
 "shards": [{"replicas": ["127.0.0.1:${ports[0]}"]}, {"replicas": ["127.0.0.1:${ports[1]}"]},
            {"replicas": ["127.0.0.1:${ports[2]}"]}]}
JSON
for i in 0 1 2; do
  spawn "node$i" "$bin/mua-server" --cluster "$work/cluster.json" --node "127.0.0.1:${ports[$i]}" \
    --data_dir "$work/data-node$i" --audit_log "$work/node$i.audit.jsonl"
done
start_mua single --kafka_brokers "$bootstrap" --kafka_topic "$topic" --kafka_group "single-$$" \
  --data_dir "$work/data-single"
single_port=$http_port
coordinator_port=${ports[0]}

count_on() { curl -s --data-binary "SELECT count() FROM events $2" "http://127.0.0.1:$1/"; }
drained() {
  local sum=0 n i
  [[ "$(count_on "$single_port" "")" == "$expected" ]] || return 1
  for i in 0 1 2; do
    n="$(count_on "${ports[$i]}" "SETTINGS distributed = 0")"
    [[ $n =~ ^[0-9]+$ ]] || return 1
    sum=$((sum + n))
  done
  ((sum == expected))
}
echo "== waiting until the single node and the 3 shards each hold their events"
t0="$(now)"
wait_for 1800 "every node drained" drained
echo "   drained in $(seconds "$t0" "$(now)") s"

# time_ms PORT SQL: one request's time_total in ms; the answer in $work/answer.
time_ms() {
  curl -s -o "$work/answer" -w '%{time_total}' --data-binary "$2" \
    "http://127.0.0.1:$1/?default_format=TabSeparated" | awk '{ printf "%.2f\n", $1 * 1000 }'
}
median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

status=0
printf '\n| query | one node (ms) | 3 shards (ms) | 3 shards / one node | answers |\n|---|---|---|---|---|\n'
for file in "$repo"/bench/queries/*.sql; do
  name="$(basename "$file" .sql)"
  query="$(grep -v '^--' "$file")"
  for port in "$single_port" "$coordinator_port"; do time_ms "$port" "$query" >/dev/null; done  # warm-up
  cp "$work/answer" "$work/$name.cluster"
  time_ms "$single_port" "$query" >/dev/null
  cp "$work/answer" "$work/$name.single"
  one="$(for _ in $(seq "$runs"); do time_ms "$single_port" "$query"; done | median)"
  if grep -q "is not supported on a cluster yet" "$work/$name.cluster"; then
    printf '| %s | %s | — | — | refused: not distributed yet |\n' "$name" "$one"
    continue
  fi
  if cmp -s "$work/$name.single" "$work/$name.cluster"; then same=equal; else same=DIFFERENT; status=1; fi
  three="$(for _ in $(seq "$runs"); do time_ms "$coordinator_port" "$query"; done | median)"
  ratio="$(python3 -c "print('%.2f' % ($three / $one))")"
  printf '| %s | %s | %s | %s | %s |\n' "$name" "$one" "$three" "$ratio" "$same"
done
echo
echo "($expected events, mua-gen --users $users --days 30 --seed 42; medians of $runs runs after a warm-up;"
echo " every node on this machine: the 3 shards share its $(nproc) cores, so this is the coordinator's cost, not a speed-up)"
exit $status
