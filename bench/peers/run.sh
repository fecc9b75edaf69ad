#!/usr/bin/env bash
# MUA vs ClickHouse 18.16 vs DuckDB on the same mua-gen events, in one command (README.md
# beside this file): installs what is missing, builds MUA Release, generates the data, loads
# it into all three (timed), runs the SPEC §9 query set hot (MUA and ClickHouse over one
# keep-alive HTTP connection each), compares the answers and prints one table with the
# SPEC §10 verdicts, load rates and bytes/event; writes it to bench/RESULTS.md.
#
#   bench/peers/run.sh [options]
# Options:
#   --events 10m|100m|1m|100k  dataset size (default 10m): mua-gen --users
#                           100000|1000000|10000|1000 --days 30 --seed 42
#   --build DIR        use this built tree (bin/mua-server, bin/mua-gen); nothing is installed
#                      or built. Default: `make build` (scripts/install-deps.sh + Release in
#                      build/release)
#   --runs N           timed runs per query and engine after 1 warm-up (default 5)
#   --filter S         only queries whose name contains S
#   --work DIR         results, logs and the table (default build/bench-peers/<tag>)
#   --data-dir DIR     events.jsonl/events.tsv (default build/bench-data/<tag> as
#                      bench/queries/run_bench.sh, reused when present; with --work: DIR/data)
#   --zstd, --no-zstd  store the data zstd-compressed (events.jsonl.zst, events.tsv.zst) and
#                      stream it into the engines, or not; default: only at 100m (~41 GB of
#                      JSON otherwise). Load times then include decompression, for every engine
#   --clean            delete --work first (fresh data when the data is under it)
#   --no-results       do not touch bench/RESULTS.md (the smoke test)
# Env: CH_TCP_PORT (9001), CH_HTTP_PORT (8124), CH_MAX_MEMORY (2000000000; 100m: 8000000000),
#      DUCKDB_MEMORY_LIMIT (3GB; 100m: 12GB), DUCKDB_COMPRESS (0; 100m: 1, DuckDB's compressed
#      in-memory storage: uncompressed, 100 M rows need ~25 GB), MUA_LOAD_TIMEOUT (seconds
#      until count() must answer, default 1800).
# Exit status: 0 all answers equal; 1 an answer differs or an engine failed; 2 setup error.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
queries="$repo/bench/queries"
events=10m
build=""
runs=5
filter=""
work=""
data_dir=""
clean=0
write_results=1
zstd=""
while (($#)); do
  case "$1" in
    --events) events="${2:?}"; shift ;;
    --build) build="${2:?}"; shift ;;
    --runs) runs="${2:?}"; shift ;;
    --filter) filter="${2:?}"; shift ;;
    --work) work="${2:?}"; shift ;;
    --data-dir) data_dir="${2:?}"; shift ;;
    --clean) clean=1 ;;
    --no-results) write_results=0 ;;
    --zstd) zstd=1 ;;
    --no-zstd) zstd=0 ;;
    -h|--help) sed -n '2,29p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "bench/peers: unknown argument $1" >&2; exit 2 ;;
  esac
  shift
done

die() { echo "bench/peers: $*" >&2; exit 2; }
source "$here/common.sh"
peers_dataset "$events"
zstd_suffix=""
((zstd)) && zstd_suffix=".zst"
cd "$repo"
started=$SECONDS

# 1. Install and build (a given --build dir is used as it is).
peers_build "$build"
mua_server="$build/bin/mua-server"
for bin in "$mua_server" "$build/bin/mua-gen"; do
  [[ -x "$bin" ]] || die "$bin missing: cmake --build $build --target mua-server mua-gen"
done
tools=(python3 curl node)
((zstd)) && tools+=(zstd)
for tool in "${tools[@]}"; do
  command -v "$tool" >/dev/null || die "$tool is required (scripts/install-deps.sh; node: apt-get install nodejs npm)"
done

if [[ -n "$work" ]]; then
  ((clean)) && rm -rf "$work"
  data_dir="${data_dir:-$work/data}"
else
  work="$repo/build/bench-peers/$tag"
  data_dir="${data_dir:-$repo/build/bench-data/$tag}"
fi
mkdir -p "$work"
work="$(cd "$work" && pwd)"
results="$work/results"
rm -rf "$results"
mkdir -p "$results"

# 2. Data + ClickHouse + DuckDB: bench/queries/run_bench.sh does these (mua-gen JSON lines and TSV,
#    tests/differential/start_clickhouse.sh + TSV load + bench.py clickhouse, npm install +
#    duckdb_bench.mjs); MUA's in-process runner is skipped, its HTTP run follows.
echo "== peers: bench/queries/run_bench.sh --skip-mua ($tag)"
"$queries/run_bench.sh" --build "$build" --users "$users" --days "$days" --seed "$seed" \
  --runs "$runs" ${filter:+--filter "$filter"} --data-dir "$data_dir" --results "$results" \
  --skip-mua --no-report ${zstd_suffix:+--zstd} || die "run_bench.sh failed (setup)"
events_file="$data_dir/events.jsonl$zstd_suffix"
[[ -f "$events_file" ]] || die "$events_file missing"
expected="$(cat "$data_dir/events.count")"

# 3. MUA over HTTP: load time = start until count() over HTTP answers the full count.
mua_pid=""
stop_mua() {
  if [[ -n "$mua_pid" ]] && kill -0 "$mua_pid" 2>/dev/null; then
    kill -TERM "$mua_pid" 2>/dev/null
    for _ in $(seq 1 100); do kill -0 "$mua_pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$mua_pid" 2>/dev/null || true
  fi
  mua_pid=""
}
trap stop_mua EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
mkdir -p "$results/mua"
cut -d' ' -f1-3 /proc/loadavg >"$results/mua/loadavg.txt"
mua_sql() { curl -sS --fail-with-body --data-binary "$1" "http://127.0.0.1:$port/"; }
mua_flags=(--http "127.0.0.1:$port" --data_dir "" --retention_days 0 --audit_log "$work/audit.jsonl")
streamed=""
t0="$(date +%s.%N)"
if ((zstd)); then
  # The loader reads its file sequentially (std::ifstream): a pipe works.
  echo "== MUA: zstd -dc $events_file | mua-server --load /dev/stdin --http 127.0.0.1:$port"
  streamed=", streamed from zstd -dc: includes decompression"
  zstd -dc "$events_file" | "$mua_server" --load /dev/stdin "${mua_flags[@]}" >"$work/mua-server.log" 2>&1 &
else
  echo "== MUA: mua-server --load $events_file --http 127.0.0.1:$port"
  "$mua_server" --load "$events_file" "${mua_flags[@]}" >"$work/mua-server.log" 2>&1 &
fi
mua_pid=$!
deadline=$((SECONDS + ${MUA_LOAD_TIMEOUT:-1800}))
until [[ "$(mua_sql 'SELECT count() FROM events' 2>/dev/null)" == "$expected" ]]; do
  if ! kill -0 "$mua_pid" 2>/dev/null; then
    tail -n 20 "$work/mua-server.log" >&2
    die "mua-server exited during load (log: $work/mua-server.log)"
  fi
  ((SECONDS < deadline)) || die "mua-server did not answer count() = $expected in time"
  sleep 0.05
done
t1="$(date +%s.%N)"
rss_kb="$(awk '/^VmRSS:/ {print $2}' "/proc/$mua_pid/status")"
table_bytes="$(mua_sql "SELECT sum(total_bytes) FROM system.tables WHERE name = 'events'" 2>/dev/null)" || true
[[ "$table_bytes" =~ ^[0-9]+$ ]] || table_bytes=0
# The de-duplication set's share of the resident memory (system.memory).
dedup_bytes="$(mua_sql "SELECT bytes FROM system.memory WHERE part = 'deduplication'" 2>/dev/null)" || true
[[ "$dedup_bytes" =~ ^[0-9]+$ ]] || dedup_bytes=0
python3 -c "import sys; n,a,b,rss,tb,db,z=sys.argv[1:]; n=int(n); s=float(b)-float(a); print('%d events in %.2f s = %.0f events/s (mua-server --load, start until count() over HTTP%s); resident (VmRSS) %.1f MB = %.2f bytes/event, of which the events table (system.tables total_bytes) %.1f MB = %.2f bytes/event and the de-duplication set (system.memory) %.1f MB = %.2f bytes/event' % (n, s, n/s, z, int(rss)*1024/1e6, int(rss)*1024/n, int(tb)/1e6, int(tb)/n, int(db)/1e6, int(db)/n))" \
  "$expected" "$t0" "$t1" "$rss_kb" "${table_bytes:-0}" "${dedup_bytes:-0}" "$streamed" | tee "$results/mua/load.txt"
set +e
python3 "$queries/bench.py" mua --port "$port" --queries "$queries" --out "$results/mua" \
  --runs "$runs" --filter "$filter"
set -e
stop_mua

# 4. Compare and report.
echo "== answers and timings ($tag, $expected events)"
ch_version="$(dpkg-query -W -f='${Version}' clickhouse-server 2>/dev/null || clickhouse-client --version)"
title="mua-gen --users $users --days $days --seed $seed ($expected events), $(date -u +%Y-%m-%dT%H:%MZ); runs: 1 warm-up + median of $runs"
((zstd)) && title+="; data zstd-compressed and streamed into every engine: load times include decompression"
set +e
python3 "$queries/bench.py" report --queries "$queries" --results "$results" --mua-http \
  --md "$work/table.md" --title "$title"
status=$?
set -e
if ((write_results)); then
  python3 "$here/results_md.py" --results-md "$repo/bench/RESULTS.md" --repo "$repo" \
    --events "$events" --title "$title" --table "$work/table.md" --clickhouse-version "$ch_version"
fi
echo "== total $((SECONDS - started)) s; work dir $work"
if ((status != 0)); then
  echo "bench/peers: *** ANSWERS DIFFER OR AN ENGINE FAILED (see MISMATCH/ERROR above; $results) ***" >&2
  exit 1
fi
