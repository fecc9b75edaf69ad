#!/usr/bin/env bash
# Ingest through the log (issue 18): HTTP bodies POSTed to one node of a 3-shard cluster
# (one replica each, every node on this machine) are produced to Kafka keyed by user and
# answered once Kafka acknowledged them; the shards then consume them. Against the same body
# POSTed to a single node, which stores it itself (WAL, fsync).
#
#   bench/cluster/http_ingest_bench.sh --build build/release [--users 3000] [--bodies 4]
# Options:
#   --build DIR    built tree with bin/mua-server, bin/mua-gen, bin/mua-kafka-dev (required)
#   --users N      mua-gen --users over 30 days per body (default 3000: ~320 k events)
#   --bodies N     bodies sent one after another, each its own seed (default 4)
#   --work DIR     logs and data (default build/cluster-http-bench)
# Prints the acknowledged rate (events/s while the requests ran) on the cluster node and on the
# single node, and the cluster's end-to-end rate (until the shards hold every event).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
build=""
users=3000
bodies=4
work="build/cluster-http-bench"
while (($#)); do
  case "$1" in
    --build) build="${2:?}"; shift ;;
    --users) users="${2:?}"; shift ;;
    --bodies) bodies="${2:?}"; shift ;;
    --work) work="${2:?}"; shift ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
  shift
done
die() { echo "http_ingest_bench: $*" >&2; exit 2; }
[[ -n "$build" ]] || die "--build DIR is required"
bin="$(cd "$build/bin" && pwd)"
for b in mua-server mua-gen mua-kafka-dev; do [[ -x "$bin/$b" ]] || die "$bin/$b missing"; done
rm -rf "$work"
mkdir -p "$work"
work="$(cd "$work" && pwd)"
source "$repo/bench/ingest/common.sh"

total=0
for b in $(seq "$bodies"); do
  "$bin/mua-gen" --users "$users" --days 30 --seed "$b" --event_ids hex32 --out "$work/body$b.jsonl" 2>"$work/gen$b.log"
  total=$((total + $(sed -n 's/^mua-gen: \([0-9]*\) events.*/\1/p' "$work/gen$b.log")))
done
echo "== $bodies bodies, $total events ($(du -shc "$work"/body*.jsonl | tail -1 | cut -f1))"

# Partitions sized to the dev broker's ~5 MB a partition.
spawn broker "$bin/mua-kafka-dev" --port 0 --topic mobile_app_events --partitions 192 --topic mua_control --partitions 1
wait_for 30 "mua-kafka-dev's bootstrap line" grep -qs '^bootstrap:' "$work/broker.log"
bootstrap="$(sed -n 's/^bootstrap: //p' "$work/broker.log")"
ports=("$(free_port)" "$(free_port)" "$(free_port)")
cat >"$work/cluster.json" <<JSON
{"kafka": {"brokers": "$bootstrap", "topics": ["mobile_app_events"], "partitions": 192},
 "shards": [{"replicas": ["127.0.0.1:${ports[0]}"]}, {"replicas": ["127.0.0.1:${ports[1]}"]},
            {"replicas": ["127.0.0.1:${ports[2]}"]}]}
JSON
for i in 0 1 2; do
  spawn "node$i" "$bin/mua-server" --cluster "$work/cluster.json" --node "127.0.0.1:${ports[$i]}" \
    --data_dir "$work/data-node$i" --audit_log "$work/node$i.audit.jsonl"
done
for i in 0 1 2; do wait_for 60 "node $i" curl -sf "http://127.0.0.1:${ports[$i]}/ping" -o /dev/null; done

post_all() {  # post_all PORT: every body, one after another; fails on a non-200 answer
  local b
  for b in $(seq "$bodies"); do
    [[ "$(curl -s -o "$work/answer" -w '%{http_code}' -H 'Content-Type: application/x-ndjson' \
          --data-binary @"$work/body$b.jsonl" "http://127.0.0.1:$1/api/v1/events")" == 200 ]] ||
      die "POST to $1: $(head -c 300 "$work/answer")"
  done
}
held() {
  local sum=0 i
  for i in 0 1 2; do sum=$((sum + $(curl -s --data-binary "SELECT count() FROM events" \
                                      "http://127.0.0.1:${ports[$i]}/?distributed=0"))); done
  ((sum == total))
}

t0="$(now)"
post_all "${ports[0]}"
t1="$(now)"
wait_for 1800 "the shards hold every event" held
t2="$(now)"
ingest_cleanup  # the cluster and its broker: the single node gets the machine to itself

start_mua single --data_dir "$work/data-single"
wait_for 60 "the single node" mua_ping
t3="$(now)"
post_all "$http_port"
t4="$(now)"

echo
echo "| node | acknowledged (s) | events/s | until stored on the shards (s) | events/s |"
echo "|---|---|---|---|---|"
echo "| cluster node (to Kafka, acks=all) | $(seconds "$t0" "$t1") | $(per_second "$total" "$(seconds "$t0" "$t1")") | $(seconds "$t0" "$t2") | $(per_second "$total" "$(seconds "$t0" "$t2")") |"
echo "| single node (WAL + fsync) | $(seconds "$t3" "$t4") | $(per_second "$total" "$(seconds "$t3" "$t4")") | — | — |"
echo
echo "($total events of mua-gen --users $users --days 30 --event_ids hex32, $bodies bodies; every process on this"
echo " machine's $(nproc) cores: the broker, three shards and the node taking the bodies share them)"
