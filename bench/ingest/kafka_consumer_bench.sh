#!/usr/bin/env bash
# Kafka JSON ingest, the consumer alone (SPEC §10: ≥ 1 M events/s, broker pre-filled): the whole
# backlog is produced to mua-kafka-dev first, then mua-server (persistence on) is started and
# timed until `SELECT count() FROM events` equals the backlog.
#
#   bench/ingest/kafka_consumer_bench.sh --build DIR [options]
# Options:
#   --build DIR        built tree with bin/mua-server, bin/mua-gen, bin/mua-kafka-dev (required)
#   --users N          mua-gen --users (default 100000: 10.76 M events, 4.1 GB of JSON)
#   --partitions N     topic partitions (default 512). mua-kafka-dev keeps the newest ~5 MB
#                      (of lz4 batches) or 100 k messages per partition: the backlog must fit,
#                      which the script checks (every partition's low watermark still 0)
#   --runs N           servers started one after another on the same backlog (default 2), each
#                      with its own consumer group and data directory
#   --data-dir DIR     the events (default build/bench-data/u<N>-d30-s42-hex32; common.sh)
#   --work DIR         logs and data directories (default build/bench-ingest/kafka-consumer)
#   --server-flag F    extra mua-server flag (repeatable), e.g. --server-flag=--checkpoint_interval=30
# Env: MUA_COMMIT names the measured commit in the output (default: the repository's HEAD).
#
# Producing: kcat -P -l of the JSON lines (one message per line, no key), lz4, batches up to
# 10 k messages / 1 MB like mua-gen's producer, each message to a random partition
# (sticky.partitioning.linger.ms=0). mua-gen cannot produce 32-hex ids itself (common.sh).
# Per run it prints: seconds from the server's start until all queryable and events/s; the
# group join (HTTP up -> first event queryable) separately, and the rate after it; the server's
# CPU (user+sys, /proc) and the broker's over the run; RSS and system.memory at the end; load
# average at the start. Results also go to WORK/results.tsv.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
build=""
users=100000
partitions=512
runs=2
data_dir=""
work=""
server_flags=()
while (($#)); do
  case "$1" in
    --build) build="${2:?}"; shift ;;
    --users) users="${2:?}"; shift ;;
    --partitions) partitions="${2:?}"; shift ;;
    --runs) runs="${2:?}"; shift ;;
    --data-dir) data_dir="${2:?}"; shift ;;
    --work) work="${2:?}"; shift ;;
    --server-flag=*) server_flags+=("${1#--server-flag=}") ;;
    --server-flag) server_flags+=("${2:?}"); shift ;;
    -h|--help) sed -n '2,28p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "kafka_consumer_bench: unknown argument $1" >&2; exit 2 ;;
  esac
  shift
done
die() { echo "kafka_consumer_bench: $*" >&2; exit 2; }
[[ -n "$build" ]] || die "--build DIR is required"
bin="$(cd "$build" && pwd)/bin"
for b in mua-server mua-gen mua-kafka-dev; do [[ -x "$bin/$b" ]] || die "$bin/$b missing"; done
for tool in kcat curl python3; do command -v "$tool" >/dev/null || die "$tool is required"; done
work="${work:-$repo/build/bench-ingest/kafka-consumer}"
data_dir="${data_dir:-$repo/build/bench-data/u${users}-d30-s42-hex32}"
mkdir -p "$work"
work="$(cd "$work" && pwd)"
source "$here/common.sh"
ingest_dataset "$users" "$data_dir"
commit="${MUA_COMMIT:-$(commit_of)}"
topic=mobile_app_events

# 1. The broker, pre-filled with the whole backlog.
spawn broker "$bin/mua-kafka-dev" --port 0 --topic "$topic" --partitions "$partitions"
broker_pid=$spawned_pid
wait_for 30 "mua-kafka-dev's bootstrap line" grep -qs '^bootstrap:' "$work/broker.log"
bootstrap="$(sed -n 's/^bootstrap: //p' "$work/broker.log")"
[[ -n "$bootstrap" ]] || die "no bootstrap address in $work/broker.log"
echo "== pre-filling $topic ($partitions partitions) with $expected events from $data_dir/events.jsonl"
t0="$(now)"
kcat -P -b "$bootstrap" -t "$topic" -z lz4 -X sticky.partitioning.linger.ms=0 -X linger.ms=200 \
  -X batch.num.messages=10000 -X batch.size=1000000 -l "$data_dir/events.jsonl" 2>"$work/kcat.log" ||
  die "kcat failed: $(tail -3 "$work/kcat.log")"
echo "   produced in $(seconds "$t0" "$(now)") s"

# Nothing aged out: every partition's low watermark is 0 and the high watermarks add up to the
# backlog (one kcat -Q per end, for all partitions: OFFSET_BEGINNING -2, OFFSET_END -1).
watermarks() {  # watermarks -2|-1: "partitions sum max"
  local args=() p
  for ((p = 0; p < partitions; p++)); do args+=(-t "$topic:$p:$1"); done
  kcat -Q -b "$bootstrap" "${args[@]}" 2>>"$work/kcat.log" |
    awk '$1 == "'"$topic"'" { n++; s += $4; if ($4 > m) m = $4 } END { print n + 0, s + 0, m + 0 }'
}
read -r queried low low_max < <(watermarks -2)
read -r queried_high high high_max < <(watermarks -1)
echo "   broker: $queried partitions, low watermarks sum $low, high watermarks sum $high (largest partition $high_max messages)"
((queried == partitions && queried_high == partitions)) || die "kcat -Q answered for $queried of $partitions partitions ($work/kcat.log)"
((low == 0 && high == expected)) ||
  die "the broker lost messages to retention (low sum $low, high sum $high, produced $expected): use more --partitions"

# 2. The runs: a fresh server each, its own group and data directory, the same backlog.
results="$work/results.tsv"
: >"$results"
for ((run = 1; run <= runs; run++)); do
  rm -rf "$work/data-$run"
  load="$(loadavg)"
  broker_cpu0="$(cpu_seconds "$broker_pid")"
  echo "== run $run: mua-server --kafka_brokers $bootstrap --kafka_group bench-$run-$$ --data_dir $work/data-$run (load average $load)"
  t_start="$(now)"
  start_mua "server-$run" --kafka_brokers "$bootstrap" --kafka_topic "$topic" --kafka_group "bench-$run-$$" \
    --data_dir "$work/data-$run" --retention_days 0 "${server_flags[@]}"
  wait_for 60 "mua-server /ping" mua_ping
  t_ready="$(now)"
  count_at_least() { mua_alive; [[ "$(sql "SELECT count() >= $1 FROM events")" == 1 ]]; }
  wait_for 120 "the first event (group join)" count_at_least 1
  t_first="$(now)"
  wait_for 1800 "count() = $expected" count_at_least "$expected"
  t_end="$(now)"
  cpu="$(cpu_seconds "$server_pid")"
  broker_cpu="$(python3 -c "print('%.2f' % ($(cpu_seconds "$broker_pid") - $broker_cpu0))")"
  rss="$(rss_bytes "$server_pid")"
  read -r count gaps dups rejected < <(sql "SELECT (SELECT count() FROM events), gap_messages, duplicates, rejected FROM system.ingest_summary FORMAT TabSeparated")
  ((count == expected && gaps == 0 && dups == 0 && rejected == 0)) ||
    die "run $run: count() $count of $expected, gap_messages $gaps, duplicates $dups, rejected $rejected"
  memory="$(memory_summary)"
  total="$(seconds "$t_start" "$t_end")"
  join="$(seconds "$t_ready" "$t_first")"
  after_join="$(seconds "$t_first" "$t_end")"
  rate="$(per_second "$expected" "$total")"
  rate_after="$(per_second "$expected" "$after_join")"
  cores="$(python3 -c "print('%.2f' % ($cpu / $total))")"
  echo "   $expected events queryable $total s after the start: $rate events/s (HTTP up after $(seconds "$t_start" "$t_ready") s, group join to the first event $join s, then $after_join s: $rate_after events/s)"
  echo "   server CPU $cpu s (user+sys, $cores cores), broker CPU $broker_cpu s, RSS $((rss / 1048576)) MiB; $memory"
  printf 'kafka-consumer\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$commit" "$run" "$expected" "$partitions" \
    "$total" "$rate" "$join" "$rate_after" "$cpu" "$rss" "$load" >>"$results"
  echo "$memory" >"$work/memory-$run.txt"
  memory_table >>"$work/memory-$run.txt"
  sql "SELECT * FROM system.ingest_summary FORMAT Vertical" >"$work/ingest_summary-$run.txt"
  stop_pid "$server_pid"
  rm -rf "$work/data-$run"
done
echo "== results: $results (kind commit run events partitions seconds events/s join_s events/s_after_join server_cpu_s rss_bytes load)"
echo "   machine: $(machine); commit $commit"
