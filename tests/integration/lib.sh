# Shared by the integration tests: checks, free ports, the dev broker, servers, SQL.
# Source it after setting WORK (a scratch directory); it kills what it started on exit.
passed=0
failed=0
pids=()
cleanup() {
  for pid in "${pids[@]}"; do { kill -KILL "$pid" && wait "$pid"; } 2>/dev/null; done
  if [[ $failed -gt 0 ]]; then  # the servers' logs explain most failures
    for log in "$WORK"/*.err; do [[ -s "$log" ]] && { echo "--- $log"; tail -20 "$log"; }; done
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT

check() {  # check NAME CONDITION...
  local name=$1
  shift
  if "$@"; then passed=$((passed + 1)); echo "ok: $name"; else failed=$((failed + 1)); echo "FAILED: $name"; fi
}

finish() {
  echo "$passed passed, $failed failed"
  [[ $failed -eq 0 ]]
}

free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# start_broker KAFKA_DEV [--port P] [--topic T --partitions N]... : sets BOOTSTRAP.
start_broker() {
  local kafka_dev=$1
  shift
  : >"$WORK/broker.out"
  [[ "${1:-}" == "--port" ]] || set -- --port "$(free_port)" "$@"
  "$kafka_dev" "$@" >"$WORK/broker.out" 2>"$WORK/broker.err" &
  pids+=($!)
  BOOTSTRAP=""
  for _ in $(seq 100); do
    BOOTSTRAP=$(sed -n 's/^bootstrap: //p' "$WORK/broker.out")
    [[ -n "$BOOTSTRAP" ]] && break
    sleep 0.1
  done
}

# start_server MUA_SERVER LOG_NAME [flags...] : sets HTTP_PORT and server_pid, waits for /ping;
# fails at once if the server exits first.
# The data directory is $WORK/data-LOG_NAME (a restart under the same name finds its data)
# unless the flags name another (the last --data_dir wins).
start_server() {
  local server=$1 log=$2
  shift 2
  HTTP_PORT=$(free_port)
  "$server" --http "127.0.0.1:$HTTP_PORT" --data_dir "$WORK/data-$log" "$@" >"$WORK/$log.out" 2>"$WORK/$log.err" &
  server_pid=$!
  pids+=($server_pid)
  for _ in $(seq 150); do
    [[ "$(curl -s --max-time 1 "http://127.0.0.1:$HTTP_PORT/ping")" == "Ok." ]] && return 0
    kill -0 "$server_pid" 2>/dev/null || return 1  # it exited (a refused flag): no /ping will come
    sleep 0.2
  done
  return 1
}

stop_server() {  # SIGTERM, then the exit status
  kill -TERM "$server_pid"
  wait "$server_pid"
}

sql() { curl -s --max-time 30 --data-binary "$1" "http://127.0.0.1:$HTTP_PORT/"; }

# wait_for_sql SQL EXPECTED [TRIES] : polls until SQL answers EXPECTED; sets $answer.
wait_for_sql() {
  local tries=${3:-300}
  answer=""
  for _ in $(seq "$tries"); do
    answer=$(sql "$1")
    [[ "$answer" == "$2" ]] && return 0
    sleep 0.2
  done
  return 1
}
