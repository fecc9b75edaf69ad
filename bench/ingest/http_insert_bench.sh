#!/usr/bin/env bash
# HTTP INSERT (SPEC §10): the events as JSONEachRow bodies of `INSERT INTO events FORMAT
# JSONEachRow` into mua-server (persistence on: WAL group commit, checkpoints), beside ClickHouse
# 18.16's INSERT of the same rows as TabSeparated and as JSONEachRow (bench/peers/ingest.sh
# --skip-mua, on this data).
#
#   bench/ingest/http_insert_bench.sh --build DIR [options]
# Options:
#   --build DIR        built tree with bin/mua-server, bin/mua-gen (required)
#   --users N          mua-gen --users (default 100000: 10.76 M events, 4.1 GB of JSON)
#   --body-mb N        split the JSON lines into bodies of at most N MiB on line boundaries
#                      (default 200: mua-server refuses bodies over --max_body_mb, 256)
#   --single-body      send the whole file as one body (streaming INSERT; until it exists the
#                      server answers 413)
#   --clients N        bodies sent by N curl processes at once (default 1)
#   --runs N           fresh servers measured one after another (default 2)
#   --skip-mua, --skip-clickhouse
#   --data-dir DIR     the events (default build/bench-data/u<N>-d30-s42-hex32; common.sh)
#   --work DIR         logs, bodies' answers, data directories (default build/bench-ingest/http)
#   --server-flag F    extra mua-server flag (repeatable), e.g. --server-flag=--max_body_mb=4096
# Env: MUA_COMMIT (the measured commit, for the output), CH_TCP_PORT/CH_HTTP_PORT (ClickHouse).
#
# The MUA body is the event format's JSON lines (what producers send: mua-gen's flat and nested
# shapes, `properties` an object); ClickHouse's rows are the same events as its table's columns
# (events.tsv; the JSONEachRow file ClickHouse writes of it). Timed from the first byte sent
# until every body is answered and count() equals the events; bodies go with `curl -T -` (read
# from the file as sent, not buffered whole). Results also go to WORK/results.tsv.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
build=""
users=100000
body_mb=200
single=0
clients=1
runs=2
skip_mua=0
skip_ch=0
data_dir=""
work=""
server_flags=()
while (($#)); do
  case "$1" in
    --build) build="${2:?}"; shift ;;
    --users) users="${2:?}"; shift ;;
    --body-mb) body_mb="${2:?}"; shift ;;
    --single-body) single=1 ;;
    --clients) clients="${2:?}"; shift ;;
    --runs) runs="${2:?}"; shift ;;
    --skip-mua) skip_mua=1 ;;
    --skip-clickhouse) skip_ch=1 ;;
    --data-dir) data_dir="${2:?}"; shift ;;
    --work) work="${2:?}"; shift ;;
    --server-flag=*) server_flags+=("${1#--server-flag=}") ;;
    --server-flag) server_flags+=("${2:?}"); shift ;;
    -h|--help) sed -n '2,29p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "http_insert_bench: unknown argument $1" >&2; exit 2 ;;
  esac
  shift
done
die() { echo "http_insert_bench: $*" >&2; exit 2; }
[[ -n "$build" ]] || die "--build DIR is required"
build="$(cd "$build" && pwd)"
bin="$build/bin"
for b in mua-server mua-gen; do [[ -x "$bin/$b" ]] || die "$bin/$b missing"; done
for tool in curl python3 split; do command -v "$tool" >/dev/null || die "$tool is required"; done
work="${work:-$repo/build/bench-ingest/http}"
data_dir="${data_dir:-$repo/build/bench-data/u${users}-d30-s42-hex32}"
mkdir -p "$work"
work="$(cd "$work" && pwd)"
source "$here/common.sh"
ingest_dataset "$users" "$data_dir"
commit="${MUA_COMMIT:-$(commit_of)}"
results="$work/results.tsv"
: >"$results"

# The bodies: the file itself, or pieces of it cut at line ends (kept beside the data).
if ((single)); then
  bodies=("$data_dir/events.jsonl")
  how="one body of $(($(stat -c %s "$data_dir/events.jsonl") / 1048576)) MiB"
else
  pieces="$data_dir/bodies-${body_mb}m"
  if [[ ! -f "$pieces/.done" ]]; then
    echo "== cutting $data_dir/events.jsonl into bodies of <= $body_mb MiB ($pieces)"
    rm -rf "$pieces"
    mkdir -p "$pieces"
    split -C "${body_mb}m" -d -a 5 "$data_dir/events.jsonl" "$pieces/body-" || die "split failed"
    touch "$pieces/.done"
  fi
  bodies=("$pieces"/body-*)
  how="${#bodies[@]} bodies of <= $body_mb MiB"
fi
((clients > 1)) && how="$how, $clients clients at once"

# post_body FILE: one INSERT; the answer and HTTP status go to WORK/answers/.
post_body() {
  local name answer code
  name="$(basename "$1")"
  answer="$work/answers/$name"
  # -T - with the length given: curl streams the file (-T FILE would append its name to the
  # URL's path; --data-binary @FILE reads it whole into memory first).
  code="$(curl -sS -o "$answer" -D "$answer.headers" -w '%{http_code}' -X POST -H 'Expect:' -H 'Transfer-Encoding:' \
    -H "Content-Length: $(stat -c %s "$1")" -T - \
    "http://127.0.0.1:$http_port/?query=INSERT%20INTO%20events%20FORMAT%20JSONEachRow" <"$1")" || code="curl-$?"
  echo "$code" >"$answer.status"
  [[ "$code" == 200 ]]
}
export -f post_body

if ((!skip_mua)); then
  for ((run = 1; run <= runs; run++)); do
    rm -rf "$work/data-$run" "$work/answers"
    mkdir -p "$work/answers"
    start_mua "server-$run" --data_dir "$work/data-$run" --retention_days 0 "${server_flags[@]}"
    wait_for 60 "mua-server /ping" mua_ping
    load="$(loadavg)"
    echo "== run $run: INSERT INTO events FORMAT JSONEachRow, $how, into mua-server --data_dir (load average $load)"
    cpu0="$(cpu_seconds "$server_pid")"
    t0="$(now)"
    export work http_port
    printf '%s\0' "${bodies[@]}" | xargs -0 -n 1 -P "$clients" bash -c 'post_body "$0"' ||
      { for s in "$work"/answers/*.status; do
          [[ "$(cat "$s")" == 200 ]] || echo "   ${s%.status}: HTTP $(cat "$s"): $(head -c 300 "${s%.status}")" >&2
        done
        die "run $run: an INSERT failed (answers in $work/answers)"; }
    count_is() { mua_alive; [[ "$(sql "SELECT count() = $expected FROM events")" == 1 ]]; }
    wait_for 600 "count() = $expected" count_is
    t1="$(now)"
    cpu="$(python3 -c "print('%.2f' % ($(cpu_seconds "$server_pid") - $cpu0))")"
    rss="$(rss_bytes "$server_pid")"
    memory="$(memory_summary)"
    total="$(seconds "$t0" "$t1")"
    rate="$(per_second "$expected" "$total")"
    echo "   $expected events in $total s: $rate events/s; server CPU $cpu s (user+sys), RSS $((rss / 1048576)) MiB; $memory"
    echo "   first body's summary: $(grep -i '^X-ClickHouse-Summary' "$work/answers/$(basename "${bodies[0]}").headers" | tr -d '\r')"
    printf 'http-insert\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$commit" "$run" "$expected" "$how" "$total" \
      "$rate" "$cpu" "$rss" "$load" >>"$results"
    { echo "$memory"; memory_table; } >"$work/memory-$run.txt"
    stop_pid "$server_pid"
    rm -rf "$work/data-$run"
  done
fi

# ClickHouse 18.16: bench/peers/ingest.sh's TSV and JSONEachRow inserts of the same rows.
if ((!skip_ch)); then
  case "$users" in
    1000) size=100k ;; 10000) size=1m ;; 100000) size=10m ;; 1000000) size=100m ;;
    *) die "ClickHouse: bench/peers/ingest.sh knows --users 1000|10000|100000|1000000, not $users (or --skip-clickhouse)" ;;
  esac
  for ((run = 1; run <= runs; run++)); do
    echo "== ClickHouse run $run (bench/peers/ingest.sh --skip-mua, load average $(loadavg))"
    "$repo/bench/peers/ingest.sh" --events "$size" --build "$build" --data-dir "$data_dir" \
      --work "$work/clickhouse-$run" --skip-mua --no-results --no-zstd || die "bench/peers/ingest.sh failed"
    ch_load_tsv="$(cat "$work/clickhouse-$run/clickhouse/loadavg-TabSeparated.txt")"
    ch_load_json="$(cat "$work/clickhouse-$run/clickhouse/loadavg-JSONEachRow.txt")"
    awk -F'\t' -v commit="$commit" -v run="$run" -v lt="$ch_load_tsv" -v lj="$ch_load_json" '$1 ~ /ClickHouse/ {
        printf "clickhouse\t%s\t%s\t%s\t%s\t%s\t%.0f\t%s\n", commit, run, $3, $2, $4, $3 / $4, ($2 ~ /TabSeparated/ ? lt : lj) }' \
      "$work/clickhouse-$run/rows.tsv" >>"$results"
  done
fi
echo "== results: $results"
cat "$results"
echo "   machine: $(machine); commit $commit"
