#!/usr/bin/env bash
# File load (SPEC §10) and resident memory per event: `mua-server --load events.jsonl` timed from
# the start until `SELECT count() FROM events` answers the full count (as bench/peers/run.sh),
# then system.memory (resident, events_table, deduplication) on the loaded server.
#
#   bench/ingest/file_load_bench.sh --build DIR [options]
# Options:
#   --build DIR        built tree with bin/mua-server, bin/mua-gen (required)
#   --users N          mua-gen --users (default 100000: 10.76 M events, 4.1 GB of JSON)
#   --runs N           fresh servers one after another (default 2)
#   --persist          with a data directory (checkpoints); default memory only (--data_dir ""),
#                      as bench/peers/run.sh loads
#   --data-dir DIR     the events (default build/bench-data/u<N>-d30-s42-hex32; common.sh)
#   --work DIR         logs (default build/bench-ingest/file-load)
#   --server-flag F    extra mua-server flag (repeatable)
# Env: MUA_COMMIT (the measured commit, for the output).
# Results also go to WORK/results.tsv; system.memory of each run to WORK/memory-RUN.txt.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
build=""
users=100000
runs=2
persist=0
data_dir=""
work=""
server_flags=()
while (($#)); do
  case "$1" in
    --build) build="${2:?}"; shift ;;
    --users) users="${2:?}"; shift ;;
    --runs) runs="${2:?}"; shift ;;
    --persist) persist=1 ;;
    --data-dir) data_dir="${2:?}"; shift ;;
    --work) work="${2:?}"; shift ;;
    --server-flag=*) server_flags+=("${1#--server-flag=}") ;;
    --server-flag) server_flags+=("${2:?}"); shift ;;
    -h|--help) sed -n '2,18p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "file_load_bench: unknown argument $1" >&2; exit 2 ;;
  esac
  shift
done
die() { echo "file_load_bench: $*" >&2; exit 2; }
[[ -n "$build" ]] || die "--build DIR is required"
bin="$(cd "$build" && pwd)/bin"
for b in mua-server mua-gen; do [[ -x "$bin/$b" ]] || die "$bin/$b missing"; done
work="${work:-$repo/build/bench-ingest/file-load}"
data_dir="${data_dir:-$repo/build/bench-data/u${users}-d30-s42-hex32}"
mkdir -p "$work"
work="$(cd "$work" && pwd)"
source "$here/common.sh"
ingest_dataset "$users" "$data_dir"
commit="${MUA_COMMIT:-$(commit_of)}"
results="$work/results.tsv"
: >"$results"

for ((run = 1; run <= runs; run++)); do
  rm -rf "$work/data-$run"
  data_flags=(--data_dir "")
  ((persist)) && data_flags=(--data_dir "$work/data-$run")
  load="$(loadavg)"
  echo "== run $run: mua-server --load $data_dir/events.jsonl ${data_flags[*]} (load average $load)"
  t0="$(now)"
  start_mua "server-$run" --load "$data_dir/events.jsonl" "${data_flags[@]}" --retention_days 0 "${server_flags[@]}"
  count_is() { mua_ping && [[ "$(sql "SELECT count() = $expected FROM events")" == 1 ]]; }
  wait_for 1800 "count() = $expected" count_is
  t1="$(now)"
  cpu="$(cpu_seconds "$server_pid")"
  rss="$(rss_bytes "$server_pid")"
  memory="$(memory_summary)"
  total="$(seconds "$t0" "$t1")"
  rate="$(per_second "$expected" "$total")"
  echo "   $expected events queryable $total s after the start: $rate events/s; server CPU $cpu s (user+sys), RSS $((rss / 1048576)) MiB"
  echo "   $memory"
  printf 'file-load\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$commit" "$run" "$expected" "persist=$persist" "$total" \
    "$rate" "$cpu" "$rss" "$load" >>"$results"
  { echo "$memory"; memory_table; } >"$work/memory-$run.txt"
  stop_pid "$server_pid"
  rm -rf "$work/data-$run"
done
echo "== results: $results"
cat "$results"
echo "   machine: $(machine); commit $commit"
