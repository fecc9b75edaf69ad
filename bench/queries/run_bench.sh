#!/usr/bin/env bash
# SPEC §9 benchmark: the same mua-gen events in MUA (in-process), ClickHouse 18.16 (HTTP,
# one keep-alive connection) and DuckDB (in-process, @duckdb/node-api); answers compared
# per query, then medians, ratios and the SPEC §10 verdict. See README.md beside this file.
#
#   BUILD=build/bench-rel bench/queries/run_bench.sh [options]
# Options:
#   --build DIR        a configured+built MUA build dir (or env BUILD; default build/bench-rel);
#                      needs bin/mua-gen and (unless --skip-mua) bench/mua_query_bench.
#                      This script builds nothing.
#   --users N          mua-gen users (default 100000: ~10.7 M events over 30 days)
#   --days D           mua-gen days (default 30)
#   --seed S           mua-gen seed (default 42)
#   --runs N           timed runs per query and engine (default 5; 1 warm-up before)
#   --filter S         only queries whose name contains S
#   --skip-mua, --skip-clickhouse, --skip-duckdb
#   --ch-order-by K    ClickHouse MergeTree ORDER BY (default "user_id, event_time", as
#                      tests/differential)
#   --duckdb-order-by K  sort DuckDB's table on load (default: none, mua-gen's time order)
#   --data-dir DIR     where events.jsonl/events.tsv live (default build/bench-data/u<N>-d<D>-s<S>;
#                      reused when present); both are mua-gen output (--format jsonl and
#                      clickhouse-tsv)
#   --zstd             store the data zstd-compressed (events.jsonl.zst, events.tsv.zst) and
#                      stream it into every engine: load times then include decompression
#   --data-only        generate the data (both files) and stop
#   --results DIR      where answers and timings go (default build/bench-results/u<N>-d<D>-s<S>);
#                      a skipped engine's earlier answers there are compared too
#   --no-report        stop after the engines (no comparison, no queries.md; exit 0 unless
#                      setup failed): for bench/peers/run.sh, which adds MUA over HTTP and reports
# Env: CH_TCP_PORT (9001), CH_HTTP_PORT (8124), CH_MAX_MEMORY, DUCKDB_MEMORY_LIMIT (3GB),
#      DUCKDB_COMPRESS (1: DuckDB's compressed in-memory storage, for data beyond RAM; 0),
#      ZSTD_LEVEL (3).
# Prints PASS/MISMATCH per query and the table; writes build/bench-results/queries.md and a
# copy named after the results dir (queries-u<N>-d<D>-s<S>.md).
# Exit status: 0 all answers equal; 1 a mismatch or an engine error; 2 a setup error.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
diff_dir="$repo/tests/differential"
build="${BUILD:-build/bench-rel}"
users=100000
days=30
seed=42
runs=5
filter=""
skip_mua=0
skip_ch=0
ch_order_by="user_id, event_time"
duckdb_order_by=""
skip_duckdb=0
data_dir=""
results=""
no_report=0
zstd=0
data_only=0
while (($#)); do
  case "$1" in
    --build) build="${2:?}"; shift ;;
    --users) users="${2:?}"; shift ;;
    --days) days="${2:?}"; shift ;;
    --seed) seed="${2:?}"; shift ;;
    --runs) runs="${2:?}"; shift ;;
    --filter) filter="${2:?}"; shift ;;
    --skip-mua) skip_mua=1 ;;
    --skip-clickhouse) skip_ch=1 ;;
    --ch-order-by) ch_order_by="${2:?}"; shift ;;
    --duckdb-order-by) duckdb_order_by="${2:?}"; shift ;;
    --skip-duckdb) skip_duckdb=1 ;;
    --data-dir) data_dir="${2:?}"; shift ;;
    --results) results="${2:?}"; shift ;;
    --no-report) no_report=1 ;;
    --zstd) zstd=1 ;;
    --data-only) data_only=1 ;;
    -h|--help) sed -n '2,35p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "run_bench: unknown argument $1" >&2; exit 2 ;;
  esac
  shift
done

die() { echo "run_bench: $*" >&2; exit 2; }
cd "$repo"
build="$(cd "$build" 2>/dev/null && pwd)" || die "build dir not found: ${BUILD:-$build}"
mua_gen="$build/bin/mua-gen"
mua_bench="$build/bench/mua_query_bench"
[[ -x "$mua_gen" ]] || die "$mua_gen missing: cmake --build $build --target mua-gen"
# Read whole first: with pipefail, grep -q leaving early would SIGPIPE the help text's writer.
gen_help=$("$mua_gen" --help 2>&1 || true)
grep -q clickhouse-tsv <<<"$gen_help" || die "$mua_gen has no --format clickhouse-tsv: rebuild it"
((zstd)) && { command -v zstd >/dev/null || die "zstd is required for --zstd (apt-get install zstd)"; }
((skip_mua || data_only)) || [[ -x "$mua_bench" ]] || die "$mua_bench missing: cmake --build $build --target mua_query_bench"
command -v python3 >/dev/null || die "python3 is required"
tag="u${users}-d${days}-s${seed}"
data_dir="${data_dir:-$repo/build/bench-data/$tag}"
results="${results:-$repo/build/bench-results/$tag}"
mkdir -p "$data_dir"
mkdir -p "$results"  # an engine's old answers are removed when it runs; skipped ones stay
started=$SECONDS

# 1. Data, reused when present (the .done markers say a file is complete): mua-gen's JSON lines
#    for MUA and the same events as ClickHouse TabSeparated rows for the peers (byte for byte
#    what tests/differential/jsonl_to_tsv.py makes of the JSON lines; its test is
#    tests/tools/gen_tsv_reference_test.sh). events.count holds the number of events.
suffix=""
((zstd)) && suffix=".zst"
jsonl="$data_dir/events.jsonl$suffix"
tsv="$data_dir/events.tsv$suffix"
generate() {  # generate FORMAT FILE: mua-gen's output, zstd-compressed when the name says so
  local flags=(--users "$users" --days "$days" --seed "$seed" --duplicate-share 0
               --invalid-share 0 --format "$1")
  echo "== mua-gen ${flags[*]} -> $2"
  local t0=$SECONDS
  if [[ "$2" == *.zst ]]; then
    "$mua_gen" "${flags[@]}" --out - 2>"$2.log" | zstd -q -T1 -"${ZSTD_LEVEL:-3}" -f -o "$2" ||
      die "mua-gen | zstd failed ($(cat "$2.log"))"
  else
    "$mua_gen" "${flags[@]}" --out "$2" 2>"$2.log" || die "mua-gen failed ($(cat "$2.log"))"
  fi
  cat "$2.log"
  sed -n 's/^mua-gen: \([0-9]*\) events.*/\1/p' "$2.log" >"$data_dir/events.count"
  echo "   $((SECONDS - t0)) s, $(du -h "$2" | cut -f1)"
}
if [[ ! -f "$jsonl.done" ]]; then
  generate jsonl "$jsonl"
  touch "$jsonl.done"
  rm -f "$tsv.done"
fi
if ((!skip_ch || !skip_duckdb || data_only)) && [[ ! -f "$tsv.done" ]]; then
  generate clickhouse-tsv "$tsv"
  touch "$tsv.done"
fi
# The number of events (data generated before events.count existed: counted once).
if [[ ! -s "$data_dir/events.count" ]]; then
  if [[ "$jsonl" == *.zst ]]; then zstd -dc "$jsonl" | wc -l; else wc -l <"$jsonl"; fi \
    >"$data_dir/events.count"
fi
event_count="$(cat "$data_dir/events.count")"
((data_only)) && { echo "== data in $data_dir ($event_count events)"; exit 0; }
# Streams a data file to stdout, decompressing a .zst.
data() { if [[ "$1" == *.zst ]]; then zstd -dc "$1"; else cat "$1"; fi; }
streamed=""
((zstd)) && streamed=" (streamed from zstd -dc: includes decompression)"

# 2. MUA, in-process. Engines run one after another so they do not share the 2 cores.
loadavg() { mkdir -p "$1" && cut -d' ' -f1-3 /proc/loadavg >"$1/loadavg.txt"; }
if ((!skip_mua)); then
echo "== MUA ($mua_bench)"
rm -rf "$results/mua"
loadavg "$results/mua"
set +e
if ((zstd)); then
  "$mua_bench" --events /dev/stdin --queries_dir "$here" --out_dir "$results/mua" \
    --runs="$runs" --filter="$filter" < <(zstd -dc "$jsonl")
else
  "$mua_bench" --events "$jsonl" --queries_dir "$here" --out_dir "$results/mua" \
    --runs="$runs" --filter="$filter"
fi
set -e
fi
if [[ -f "$results/mua/load.tsv" ]]; then
  read -r n secs rate bytes per_event <"$results/mua/load.tsv"
  python3 -c "import sys; n,s,r,b,p=sys.argv[1:]; print('%s events in %.2f s = %.0f events/s%s; resident %.1f MB = %.2f bytes/event' % (n, float(s), float(r), sys.argv[6], int(b)/1e6, float(p)))" \
    "$n" "$secs" "$rate" "$bytes" "$per_event" "$streamed" >"$results/mua/load.txt"
fi

# 3. ClickHouse 18.16 (private server, the differential suite's scripts and table).
if ((!skip_ch)); then
  ch_dir="$(mktemp -d "${TMPDIR:-/tmp}/mua-bench-ch.XXXXXX")"
  watchdog_pid=""
  stop_ch() {
    [[ -n "$watchdog_pid" ]] && kill "$watchdog_pid" 2>/dev/null
    "$diff_dir/stop_clickhouse.sh" "$ch_dir" --remove >/dev/null 2>&1 || true
  }
  trap stop_ch EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
  echo "== ClickHouse ($ch_dir)"
  "$diff_dir/start_clickhouse.sh" "$ch_dir" >/dev/null || die "ClickHouse did not start"
  (  # stop the server even if this script is SIGKILLed
    while kill -0 $$ 2>/dev/null; do sleep 2; done
    "$diff_dir/stop_clickhouse.sh" "$ch_dir" --remove
  ) </dev/null >/dev/null 2>&1 &
  watchdog_pid=$!
  ch() { clickhouse-client --host 127.0.0.1 --port "${CH_TCP_PORT:-9001}" "$@"; }
  # As tests/differential: 18.16 has no DateTime64, so whole seconds + a ms column.
  ch -q "CREATE TABLE default.events (event_time DateTime, event_time_ms UInt64,
    user_id String, session_id String, event_id String, event_type String, platform String,
    os_version String, app_version String, device_model String, device_type String,
    country String, region String, city String, properties String)
    ENGINE = MergeTree ORDER BY ($ch_order_by)"
  t0="$(date +%s.%N)"
  data "$tsv" | ch -q "INSERT INTO default.events FORMAT TabSeparated"
  t1="$(date +%s.%N)"
  ch -q "OPTIMIZE TABLE default.events FINAL" || true
  t2="$(date +%s.%N)"
  rows="$(ch -q 'SELECT count() FROM default.events')"
  disk="$(ch -q "SELECT sum(bytes_on_disk) FROM system.parts WHERE active AND table = 'events'" 2>/dev/null ||
          ch -q "SELECT sum(bytes) FROM system.parts WHERE active AND table = 'events'")"
  python3 -c "import sys; n,a,b,c,d,z=sys.argv[1:]; n=int(n); print('%d rows in %.2f s = %.0f rows/s from TSV%s (+ OPTIMIZE FINAL %.1f s); %.1f bytes/row on disk' % (n, float(b)-float(a), n/(float(b)-float(a)), z, float(c)-float(b), int(d)/n))" \
    "$rows" "$t0" "$t1" "$t2" "$disk" "$streamed" | tee "$results/ch-load.tmp"
  set +e
  rm -rf "$results/clickhouse"
  python3 "$here/bench.py" clickhouse --queries "$here" --out "$results/clickhouse" \
    --runs="$runs" --filter="$filter"
  set -e
  mv "$results/ch-load.tmp" "$results/clickhouse/load.txt"
  stop_ch
  trap - EXIT
fi

# 4. DuckDB, in-process through @duckdb/node-api (installed here on first use).
if ((!skip_duckdb)); then
  command -v node >/dev/null || die "node is required for DuckDB (or --skip-duckdb)"
  if [[ ! -d "$here/node_modules/@duckdb/node-api" ]]; then
    echo "== npm install (@duckdb/node-api)"
    (cd "$here" && npm install --no-save --no-package-lock --no-audit --no-fund >&2) ||
      die "npm install failed"
  fi
  echo "== DuckDB"
  rm -rf "$results/duckdb"
  loadavg "$results/duckdb"
  set +e
  # Spills (beyond memory_limit) go to the results dir, removed afterwards.
  node "$here/duckdb_bench.mjs" --tsv "$tsv" --queries "$here" \
    --out "$results/duckdb" --runs "$runs" --filter "$filter" \
    --memory-limit "${DUCKDB_MEMORY_LIMIT:-3GB}" --order-by "$duckdb_order_by" \
    --compress "${DUCKDB_COMPRESS:-0}" --temp-directory "$results/duckdb.tmp"
  set -e
  rm -rf "$results/duckdb.tmp"
fi

# 5. Compare and report.
((no_report)) && exit 0
echo "== answers and timings ($tag, $event_count events)"
set +e
python3 "$here/bench.py" report --queries "$here" --results "$results" \
  --md "$repo/build/bench-results/queries.md" \
  --title "mua-gen --users $users --days $days --seed $seed ($event_count events), $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores; ClickHouse ORDER BY ($ch_order_by); DuckDB ${duckdb_order_by:+sorted by $duckdb_order_by}${duckdb_order_by:-in mua-gen order}"
status=$?
set -e
cp "$repo/build/bench-results/queries.md" "$repo/build/bench-results/queries-$(basename "$results").md"
echo "== total $((SECONDS - started)) s"
exit "$status"
