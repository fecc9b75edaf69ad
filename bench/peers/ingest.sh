#!/usr/bin/env bash
# Ingest rates on the same mua-gen events as bench/peers/run.sh (README.md beside this file):
#   MUA         Kafka JSON -> queryable: mua-gen produces the events to mua-kafka-dev at an
#               offered rate while mua-server consumes (bench/ingest/kafka_ingest_bench.sh's
#               sustained-rate method); events / (first produce -> all queryable)
#   MUA         JSON file: mua-server --load, copied from run.sh's results of that size if present
#   ClickHouse  INSERT INTO events FORMAT TabSeparated of events.tsv, and INSERT ... FORMAT
#               JSONEachRow of the same rows (a file ClickHouse itself writes once, in the TSV's
#               row order), each into a fresh MergeTree with run_bench.sh's schema; timed
# Prints one table (engine, input, events, seconds, events/s) and replaces the "## Ingest"
# section of bench/RESULTS.md (bench/peers/results_md.py --ingest).
#
#   bench/peers/ingest.sh [options]
# Options:
#   --events 10m|100k|1m|100m  dataset size (default 10m), as run.sh
#   --build DIR        built tree with bin/mua-server, bin/mua-gen, bin/mua-kafka-dev (default:
#                      `make build`, as run.sh)
#   --rate N           events/s mua-gen offers to Kafka (default 250000); the MUA figure is
#                      at most this, and valid only if no offsets were lost (gap_messages = 0:
#                      the dev broker keeps ~5 MB per partition, so 32 partitions cannot hold
#                      the whole set and a consumer that falls behind loses messages; the
#                      consumer alone on a pre-filled 512-partition topic, and HTTP INSERT:
#                      bench/ingest/kafka_consumer_bench.sh, http_insert_bench.sh)
#   --work DIR         logs, data dirs and the table (default build/bench-ingest/<tag>)
#   --data-dir DIR     the events (default build/bench-data/<tag>, shared with run.sh)
#   --zstd, --no-zstd  compressed data, as run.sh (default: only at 100m)
#   --skip-mua, --skip-clickhouse
#   --no-results       do not touch bench/RESULTS.md
# Env: CH_TCP_PORT (9001), CH_HTTP_PORT (8124), MUA_PERSIST (1: mua-server keeps a data
#      directory, checkpoints and all, as in production; 0: memory only, like --load).
# Exit status: 0 done (a lost-offset MUA figure is printed as invalid); 1 a count is wrong;
# 2 setup error.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
diff_dir="$repo/tests/differential"
events=10m
build=""
rate=250000
work=""
data_dir=""
zstd=""
skip_mua=0
skip_ch=0
write_results=1
while (($#)); do
  case "$1" in
    --events) events="${2:?}"; shift ;;
    --build) build="${2:?}"; shift ;;
    --rate) rate="${2:?}"; shift ;;
    --work) work="${2:?}"; shift ;;
    --data-dir) data_dir="${2:?}"; shift ;;
    --zstd) zstd=1 ;;
    --no-zstd) zstd=0 ;;
    --skip-mua) skip_mua=1 ;;
    --skip-clickhouse) skip_ch=1 ;;
    --no-results) write_results=0 ;;
    -h|--help) sed -n '2,30p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "bench/peers/ingest: unknown argument $1" >&2; exit 2 ;;
  esac
  shift
done

die() { echo "bench/peers/ingest: $*" >&2; exit 2; }
source "$here/common.sh"
peers_dataset "$events"
cd "$repo"
started=$SECONDS

peers_build "$build"
bin="$build/bin"
for b in mua-server mua-gen mua-kafka-dev; do
  [[ -x "$bin/$b" ]] || die "$bin/$b missing: cmake --build $build --target $b"
done
for tool in python3 curl; do command -v "$tool" >/dev/null || die "$tool is required"; done
((zstd)) && { command -v zstd >/dev/null || die "zstd is required"; }
work="${work:-$repo/build/bench-ingest/$tag}"
data_dir="${data_dir:-$repo/build/bench-data/$tag}"
mkdir -p "$work"
work="$(cd "$work" && pwd)"
suffix=""
((zstd)) && suffix=".zst"
data() { if [[ "$1" == *.zst ]]; then zstd -dc "$1"; else cat "$1"; fi; }
rows_file="$work/rows.tsv"  # engine, input, events, seconds, note
: >"$rows_file"
notes=()

# The events: run.sh's data (both files), generated when missing.
"$repo/bench/queries/run_bench.sh" --build "$build" --users "$users" --days "$days" --seed "$seed" \
  --data-dir "$data_dir" --data-only ${suffix:+--zstd} || die "generating the data failed"
tsv="$data_dir/events.tsv$suffix"
expected="$(cat "$data_dir/events.count")"

pids=()
ch_dir=""
cleanup() {  # newest first: the server leaves its consumer group before the broker stops
  local i pid
  for ((i = ${#pids[@]} - 1; i >= 0; i--)); do
    pid=${pids[i]}
    if kill -0 "$pid" 2>/dev/null; then
      kill -TERM "$pid" 2>/dev/null
      for _ in $(seq 1 300); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      kill -KILL "$pid" 2>/dev/null || true
      wait "$pid" 2>/dev/null || true
    fi
  done
  pids=()
  [[ -n "$ch_dir" ]] && "$diff_dir/stop_clickhouse.sh" "$ch_dir" --remove >/dev/null 2>&1
  ch_dir=""
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
now() { date +%s.%N; }
seconds() { python3 -c "import sys; print('%.2f' % (float(sys.argv[2]) - float(sys.argv[1])))" "$1" "$2"; }

# 1. MUA: Kafka JSON -> queryable, producing and consuming at once.
if ((!skip_mua)); then
  rm -rf "$work/mua"
  mkdir -p "$work/mua"
  broker_port="$(free_port)"
  "$bin/mua-kafka-dev" --port "$broker_port" --topic mobile_app_events --partitions 32 \
    >"$work/mua/broker.out" 2>&1 &
  pids+=("$!")
  bootstrap="127.0.0.1:$broker_port"
  for _ in $(seq 100); do grep -q '^bootstrap:' "$work/mua/broker.out" && break; sleep 0.1; done
  http_port="$(free_port)"
  data_flags=(--data_dir "$work/mua/data")
  [[ "${MUA_PERSIST:-1}" == 0 ]] && data_flags=(--data_dir "")
  "$bin/mua-server" --kafka_brokers "$bootstrap" --kafka_topic mobile_app_events \
    --http "127.0.0.1:$http_port" "${data_flags[@]}" --retention_days 0 \
    --audit_log "$work/mua/audit.jsonl" >"$work/mua/server.log" 2>&1 &
  server_pid=$!
  pids+=("$server_pid")
  sql() { curl -sS --data-binary "$1" "http://127.0.0.1:$http_port/"; }
  until [[ "$(curl -s "http://127.0.0.1:$http_port/ping")" == "Ok." ]]; do
    kill -0 "$server_pid" 2>/dev/null || die "mua-server exited (log: $work/mua/server.log)"
    sleep 0.1
  done
  # A few events (UUID ids: no collision with the measured ones) until the group has joined.
  "$bin/mua-gen" --users 10 --days 1 --seed 1 --event-ids uuid --kafka-brokers "$bootstrap" 2>/dev/null
  until [[ "$(sql 'SELECT events > 0 FROM system.ingest_summary')" == 1 ]]; do sleep 0.05; done
  base="$(sql 'SELECT events FROM system.ingest_summary')"
  echo "== MUA: mua-gen --users $users --days $days --seed $seed -> Kafka at $rate events/s offered, mua-server consuming"
  cut -d' ' -f1-3 /proc/loadavg >"$work/mua/loadavg.txt"
  t0="$(now)"
  "$bin/mua-gen" --users "$users" --days "$days" --seed "$seed" --duplicate-share 0 \
    --invalid-share 0 --kafka-brokers "$bootstrap" --kafka-linger-ms 1000 --rate "$rate" \
    2>"$work/mua/gen.log" || die "mua-gen failed: $(cat "$work/mua/gen.log")"
  t_produced="$(now)"
  cat "$work/mua/gen.log"
  produced="$(sed -n 's/^mua-gen: \([0-9]*\) events.*/\1/p' "$work/mua/gen.log")"
  [[ "$produced" == "$expected" ]] || die "mua-gen produced $produced events, expected $expected"
  target=$((base + produced))
  until [[ "$(sql "SELECT events + duplicates + rejected + gap_messages >= $target FROM system.ingest_summary")" == 1 ]]; do
    kill -0 "$server_pid" 2>/dev/null || die "mua-server exited (log: $work/mua/server.log)"
    sleep 0.05
  done
  t1="$(now)"
  rss_kb="$(awk '/^VmRSS:/ {print $2}' "/proc/$server_pid/status")"
  sql "SELECT events, duplicates, rejected, gap_messages, wait_seconds, apply_seconds FROM system.ingest_summary FORMAT Vertical" |
    tee "$work/mua/ingest_summary.txt"
  read -r stored gaps lost_other < <(sql "SELECT events - $base, gap_messages, duplicates + rejected FROM system.ingest_summary FORMAT TabSeparated")
  count="$(sql 'SELECT count() FROM events')"
  valid="yes"
  ((gaps == 0 && lost_other == 0 && stored == produced && count == target)) || valid="NO"
  persist="data directory (checkpoints)"
  [[ "${MUA_PERSIST:-1}" == 0 ]] && persist="memory only"
  printf 'MUA\tKafka JSON (mua-kafka-dev, 32 partitions) -> queryable, offered %s events/s\t%s\t%s\t%s\n' \
    "$rate" "$produced" "$(seconds "$t0" "$t1")" \
    "$( [[ $valid == yes ]] || echo "INVALID: gap_messages $gaps, stored $stored")" >>"$rows_file"
  gen_rate="$(sed -n 's/^mua-gen: produced [0-9]* messages.* \([0-9]*\) messages\/s$/\1/p' "$work/mua/gen.log")"
  notes+=("MUA Kafka: mua-gen produced for $(seconds "$t0" "$t_produced") s (${gen_rate:-?} events/s of the $rate offered); all queryable $(seconds "$t_produced" "$t1") s after the last produce; gap_messages $gaps, duplicates + rejected $lost_other, count() $count (incl. $base warm-up events); mua-server $persist, RSS $((rss_kb / 1024)) MiB; producer, broker and server share the $(nproc) cores; load average at start $(cat "$work/mua/loadavg.txt")")
  [[ "$valid" == yes ]] || notes+=("MUA Kafka figure INVALID: the consumer lost offsets or events are missing; try a lower --rate")
  cleanup
fi
# MUA's file load, as bench/peers/run.sh measured it.
peers_load="$repo/build/bench-peers/$tag/results/mua/load.txt"
if [[ -f "$peers_load" ]]; then
  read -r n secs < <(sed -n 's/^\([0-9]*\) events in \([0-9.]*\) s.*/\1 \2/p' "$peers_load")
  if [[ -n "${n:-}" ]]; then
    how="JSON file (mua-server --load, bench/peers/run.sh of $(date -u -r "$peers_load" +%Y-%m-%d))"
    grep -q 'zstd' "$peers_load" && how="$how, streamed from zstd -dc"
    printf 'MUA\t%s\t%s\t%s\t\n' "$how" "$n" "$secs" >>"$rows_file"
  fi
fi

# 2. ClickHouse 18.16: TSV and JSONEachRow inserts of the same rows, each into a fresh table.
if ((!skip_ch)); then
  rm -rf "$work/clickhouse"
  mkdir -p "$work/clickhouse"
  ch_dir="$work/clickhouse/server"
  echo "== ClickHouse ($ch_dir)"
  "$diff_dir/start_clickhouse.sh" "$ch_dir" >/dev/null || die "ClickHouse did not start"
  ch() { clickhouse-client --host 127.0.0.1 --port "${CH_TCP_PORT:-9001}" "$@"; }
  columns="event_time DateTime, event_time_ms UInt64, user_id String, session_id String,
    event_id String, event_type String, platform String, os_version String, app_version String,
    device_model String, device_type String, country String, region String, city String,
    properties String"
  # As bench/queries/run_bench.sh (and tests/differential).
  create() { ch -q "CREATE TABLE default.$1 ($columns) ENGINE = MergeTree ORDER BY (user_id, event_time)"; }
  timed_insert() {  # timed_insert TABLE FORMAT FILE INPUT_NAME
    create "$1"
    cut -d' ' -f1-3 /proc/loadavg >"$work/clickhouse/loadavg-$2.txt"
    local t0 t1 rows
    t0="$(now)"
    data "$3" | ch -q "INSERT INTO default.$1 FORMAT $2"
    t1="$(now)"
    rows="$(ch -q "SELECT count() FROM default.$1")"
    [[ "$rows" == "$expected" ]] || { echo "bench/peers/ingest: $1 holds $rows rows, expected $expected" >&2; exit 1; }
    printf 'ClickHouse 18.16\t%s\t%s\t%s\t\n' "$4" "$rows" "$(seconds "$t0" "$t1")" >>"$rows_file"
    echo "   $rows rows in $(seconds "$t0" "$t1") s"
    ch -q "DROP TABLE default.$1"
  }
  streamed=""
  ((zstd)) && streamed=", streamed from zstd -dc"
  echo "== ClickHouse: INSERT FORMAT TabSeparated < $tsv"
  timed_insert events TabSeparated "$tsv" "INSERT ... FORMAT TabSeparated (events.tsv$streamed)"
  # The JSONEachRow rows, written once by ClickHouse itself, in the TSV's order (a Log table
  # keeps insertion order; the MergeTree would return them sorted by user).
  json="$data_dir/events.clickhouse.jsonl$suffix"
  if [[ ! -f "$json.done" ]]; then
    echo "== ClickHouse: SELECT * FORMAT JSONEachRow -> $json (once)"
    ch -q "CREATE TABLE default.events_log ($columns) ENGINE = Log"
    data "$tsv" | ch -q "INSERT INTO default.events_log FORMAT TabSeparated"
    if ((zstd)); then
      ch --max_threads 1 --output_format_json_quote_64bit_integers 0 \
        -q "SELECT * FROM default.events_log FORMAT JSONEachRow" | zstd -q -T1 -3 -f -o "$json"
    else
      ch --max_threads 1 --output_format_json_quote_64bit_integers 0 \
        -q "SELECT * FROM default.events_log FORMAT JSONEachRow" >"$json"
    fi
    ch -q "DROP TABLE default.events_log"
    touch "$json.done"
  fi
  echo "== ClickHouse: INSERT FORMAT JSONEachRow < $json"
  timed_insert events_json JSONEachRow "$json" \
    "INSERT ... FORMAT JSONEachRow (the same rows as ClickHouse writes them$streamed)"
  notes+=("ClickHouse: private 18.16 server (tests/differential/start_clickhouse.sh: max_threads 2), MergeTree ORDER BY (user_id, event_time) as run_bench.sh, one clickhouse-client INSERT each, timed until it returns (then queryable), no OPTIMIZE; load average at start $(cat "$work/clickhouse/loadavg-TabSeparated.txt") / $(cat "$work/clickhouse/loadavg-JSONEachRow.txt")")
  cleanup
fi

# 3. The table.
ch_version="$(dpkg-query -W -f='${Version}' clickhouse-server 2>/dev/null || echo '?')"
title="mua-gen --users $users --days $days --seed $seed ($expected events), $(date -u +%Y-%m-%dT%H:%MZ)"
{
  echo "| engine | input | events | seconds | events/s |"
  echo "|---|---|---|---|---|"
  python3 -c '
import sys
for line in open(sys.argv[1], encoding="utf-8"):
    engine, what, n, secs, note = line.rstrip("\n").split("\t")
    rate = "%.0f" % (int(n) / float(secs))
    print("| %s | %s | %s | %s | %s |" % (engine, what, n, secs, rate + (" (" + note + ")" if note else "")))
' "$rows_file"
  echo
  for note in "${notes[@]}"; do echo "- $note"; done
} >"$work/table.md"
echo "== ingest ($title)"
cat "$work/table.md"
if ((write_results)); then
  python3 "$here/results_md.py" --results-md "$repo/bench/RESULTS.md" --repo "$repo" --ingest \
    --events "$events" --title "$title" --table "$work/table.md" --clickhouse-version "$ch_version"
fi
echo "== total $((SECONDS - started)) s; work dir $work"
