#!/usr/bin/env bash
# Stops the server that start_clickhouse.sh started in DIR (by the PID in DIR/clickhouse.pid):
# SIGTERM, up to 20 s of grace, then SIGKILL. Safe to call twice.
#
#   stop_clickhouse.sh DIR [--remove]   # --remove also deletes DIR
set -uo pipefail

dir="${1:?usage: stop_clickhouse.sh DIR [--remove]}"
pid_file="$dir/clickhouse.pid"
if [[ -f "$pid_file" ]]; then
  pid="$(cat "$pid_file")"
  if [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null
    for _ in $(seq 1 40); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.5
    done
    if kill -0 "$pid" 2>/dev/null; then
      echo "stop_clickhouse: pid $pid ignored SIGTERM; sending SIGKILL" >&2
      kill -KILL "$pid" 2>/dev/null
    fi
  fi
  rm -f "$pid_file"
fi
if [[ "${2:-}" == "--remove" ]]; then
  rm -rf "$dir"
fi
