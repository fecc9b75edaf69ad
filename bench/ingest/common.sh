# Sourced by bench/ingest/{kafka_consumer,http_insert,file_load}_bench.sh: the data set, process
# bookkeeping and measurement helpers they share.
#   ingest_dataset USERS DATA_DIR   mua-gen --users USERS --days 30 --seed 42 with random 32-hex
#                                   event ids: DATA_DIR/events.jsonl (JSON lines, the event
#                                   format) and events.tsv (the same rows as ClickHouse
#                                   TabSeparated), events.count; reused when present (.done)
#   spawn NAME CMD...               start CMD in the background (log WORK/NAME.log), remember it
#                                   for cleanup; sets spawned_pid
#   wait_for SECONDS WHAT CMD...    run CMD every 0.1 s until it succeeds; die after SECONDS
#   cpu_seconds PID                 user+sys CPU of PID so far (from /proc/PID/stat)
#   rss_bytes PID                   VmRSS of PID
#   loadavg                         the 1/5/15-minute load averages
# REQUIRES: die, bin (the build's bin/), work (a directory for logs).
#
# Event ids: mua-gen offers only `--event-ids counter|uuid`; the 32-hex ids (what many SDKs send)
# are its UUID v4 ids with the dashes removed (sed on the first field of every line; 122 random
# bits each), so every engine and every path gets the same ids.

pids=()
running() { [[ -e "/proc/$1" && "$(awk '{ sub(/^.*\) /, ""); print $1 }' "/proc/$1/stat" 2>/dev/null)" != Z ]]; }
stop_pid() {  # SIGTERM, 30 s to exit, then SIGKILL; reaps it
  local pid="$1"
  if running "$pid"; then
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 300); do running "$pid" || break; sleep 0.1; done
    running "$pid" && { echo "pid $pid ignored SIGTERM for 30 s: SIGKILL" >&2; kill -KILL "$pid" 2>/dev/null || true; }
  fi
  wait "$pid" 2>/dev/null || true
}
ingest_cleanup() {  # newest first: a server leaves its consumer group before the broker stops
  local i
  for ((i = ${#pids[@]} - 1; i >= 0; i--)); do stop_pid "${pids[i]}"; done
  pids=()
}
trap ingest_cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
now() { date +%s.%N; }
seconds() { python3 -c "import sys; print('%.2f' % (float(sys.argv[2]) - float(sys.argv[1])))" "$1" "$2"; }
per_second() { python3 -c "import sys; print('%.0f' % (float(sys.argv[1]) / float(sys.argv[2])))" "$1" "$2"; }
loadavg() { cut -d' ' -f1-3 /proc/loadavg; }
clock_ticks="$(getconf CLK_TCK)"
cpu_seconds() { awk -v hz="$clock_ticks" '{ sub(/^.*\) /, ""); printf "%.2f\n", ($12 + $13) / hz }' "/proc/$1/stat"; }
rss_bytes() { awk '/^VmRSS:/ { print $2 * 1024 }' "/proc/$1/status"; }

spawn() {
  local name="$1"
  shift
  rm -f "$work/$name.log"  # a waiter must never read the previous run's log
  "$@" >"$work/$name.log" 2>&1 &
  spawned_pid=$!
  pids+=("$spawned_pid")
}

wait_for() {  # wait_for SECONDS WHAT CMD...
  local limit="$1" what="$2" deadline
  shift 2
  deadline=$((SECONDS + limit))
  until "$@"; do
    ((SECONDS < deadline)) || die "timed out after $limit s waiting for $what"
    sleep 0.1
  done
}

# mua-server on a free port with the given flags; sets http_port, server_pid. Dies if it exits
# before answering /ping.
start_mua() {  # start_mua LOG_NAME FLAGS...
  local name="$1"
  shift
  http_port="$(free_port)"
  spawn "$name" "$bin/mua-server" --http "127.0.0.1:$http_port" --audit_log "$work/$name.audit.jsonl" "$@"
  server_pid=$spawned_pid
  server_log="$work/$name.log"
}
mua_alive() { running "$server_pid" || die "mua-server exited (log: $server_log: $(tail -3 "$server_log"))"; }
mua_ping() { mua_alive; [[ "$(curl -s "http://127.0.0.1:$http_port/ping")" == "Ok." ]]; }
sql() { curl -sS --data-binary "$1" "http://127.0.0.1:$http_port/"; }
memory_table() { sql "SELECT part, bytes, round(bytes_per_event, 2) FROM system.memory FORMAT TabSeparated"; }
# "resident R B/event (table T, de-duplication D)" from system.memory.
memory_summary() {
  memory_table | awk -F'\t' '{ b[$1] = $3; v[$1] = $2 }
    END { printf "resident %.1f B/event (%.0f MiB; events_table %.1f, deduplication %.1f B/event)\n",
          b["resident"], v["resident"] / 1048576, b["events_table"], b["deduplication"] }'
}

ingest_dataset() {  # ingest_dataset USERS DATA_DIR
  local users="$1" dir="$2" uuid='([0-9a-f]{8})-([0-9a-f]{4})-([0-9a-f]{4})-([0-9a-f]{4})-([0-9a-f]{12})'
  mkdir -p "$dir"
  if [[ ! -f "$dir/events.jsonl.done" ]]; then
    echo "== generating $dir/events.jsonl (mua-gen --users $users --days 30 --seed 42, 32-hex ids)"
    "$bin/mua-gen" --users "$users" --days 30 --seed 42 --event-ids uuid --out - 2>"$dir/events.jsonl.log" |
      LC_ALL=C sed -E "s/^\\{\"event_id\":\"$uuid\"/{\"event_id\":\"\\1\\2\\3\\4\\5\"/" >"$dir/events.jsonl.tmp" ||
      die "generating events.jsonl failed"
    mv "$dir/events.jsonl.tmp" "$dir/events.jsonl"
    sed -n 's/^mua-gen: \([0-9]*\) events.*/\1/p' "$dir/events.jsonl.log" >"$dir/events.count"
    touch "$dir/events.jsonl.done"
  fi
  if [[ ! -f "$dir/events.tsv.done" ]]; then
    echo "== generating $dir/events.tsv (the same rows, ClickHouse TabSeparated)"
    "$bin/mua-gen" --users "$users" --days 30 --seed 42 --event-ids uuid --format clickhouse-tsv \
      --out - 2>"$dir/events.tsv.log" |
      LC_ALL=C sed -E "s/\\t$uuid\\t/\\t\\1\\2\\3\\4\\5\\t/" >"$dir/events.tsv.tmp" ||
      die "generating events.tsv failed"
    mv "$dir/events.tsv.tmp" "$dir/events.tsv"
    touch "$dir/events.tsv.done"
  fi
  expected="$(cat "$dir/events.count")"
  [[ "$expected" =~ ^[0-9]+$ ]] || die "$dir/events.count holds no count"
  # A dash left in an id means the sed did not match: the ids would not be 32-hex.
  local id_re='^\{"event_id":"[0-9a-f]{32}"'
  [[ "$(head -c 100 "$dir/events.jsonl")" =~ $id_re ]] || die "$dir/events.jsonl: event ids are not 32-hex"
}

# One line about the machine for the results.
machine() {
  echo "$(nproc) cores, $(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1), $(awk '/MemTotal/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo) RAM"
}
commit_of() { git -C "$(dirname "${BASH_SOURCE[0]}")/../.." rev-parse --short=12 HEAD 2>/dev/null || echo '?'; }
