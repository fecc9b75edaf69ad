#!/usr/bin/env bash
# Differential test: the same events in ClickHouse 18.16 and MUA, the same SQL on both,
# byte-for-byte equal TabSeparated output required. See README.md beside this file.
#
#   run_differential.sh [options] MUA_GEN [MUA_SERVER]
#   (or the env vars MUA_GEN / MUA_SERVER instead of the positional arguments)
# Options:
#   --self-check     ClickHouse only (MUA_SERVER not needed): each query on two differently
#                    ordered copies of the table, results must match and be non-empty
#   --filter REGEX   run only the tests whose name matches
#   --keep           keep the work directory (data, ClickHouse logs) and print its path
#   --timeout S      seconds per query and engine (default 120)
#   --queries DIR    the query files to run (default: queries/ beside this script; promote.sh
#                    runs pending/ this way)
# Env: CH_TCP_PORT, CH_HTTP_PORT (default: free ports). The data is fixed (the queries name its dates).
# Exit status: 0 when every test passes; 1 on a failed test; 2 on a setup error.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
self_check=0
keep=0
filter=""
timeout_s=120
queries_dir="$here/queries"
positional=()
while (($#)); do
  case "$1" in
    --self-check) self_check=1 ;;
    --keep) keep=1 ;;
    --filter) filter="${2:?--filter needs a value}"; shift ;;
    --timeout) timeout_s="${2:?--timeout needs a value}"; shift ;;
    --queries) queries_dir="${2:?--queries needs a value}"; shift ;;
    -h|--help) sed -n '2,16p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) echo "run_differential: unknown option $1" >&2; exit 2 ;;
    *) positional+=("$1") ;;
  esac
  shift
done
mua_gen="${positional[0]:-${MUA_GEN:-}}"
mua_server="${positional[1]:-${MUA_SERVER:-}}"
command -v python3 >/dev/null || { echo "run_differential: python3 is required" >&2; exit 2; }
# Free ports unless given: several runs (ctest -j, other checkouts) may share the machine.
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
tcp_port="${CH_TCP_PORT:-$(free_port)}"
export CH_TCP_PORT="$tcp_port"
export CH_HTTP_PORT="${CH_HTTP_PORT:-$(free_port)}"

die() { echo "run_differential: $*" >&2; exit 2; }
[[ -n "$mua_gen" && -x "$mua_gen" ]] || die "mua-gen not found or not executable: '${mua_gen}'"
if ((!self_check)); then
  [[ -n "$mua_server" && -x "$mua_server" ]] ||
    die "mua-server not found or not executable: '${mua_server}' (use --self-check for ClickHouse only)"
  mua_server="$(cd "$(dirname "$mua_server")" && pwd)/$(basename "$mua_server")"
fi
command -v python3 >/dev/null || die "python3 is required"
[[ -d "$queries_dir" ]] || die "no such query directory: '$queries_dir'"
queries_dir="$(cd "$queries_dir" && pwd)"

work="$(mktemp -d "${TMPDIR:-/tmp}/mua-differential.XXXXXX")"
py_pid=""
watchdog_pid=""
cleanup() {
  local status=$?
  [[ -n "$py_pid" ]] && kill "$py_pid" 2>/dev/null
  [[ -n "$watchdog_pid" ]] && kill "$watchdog_pid" 2>/dev/null
  "$here/stop_clickhouse.sh" "$work/clickhouse" >/dev/null 2>&1 || true
  if ((keep)); then
    echo "run_differential: kept $work" >&2
  else
    rm -rf "$work"
  fi
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

started=$SECONDS
echo "== generating events ($work)"
"$mua_gen" --users 3000 --days 14 --seed 11 \
  --duplicate-share 0 --invalid-share 0 --out "$work/events.jsonl" >&2 ||
  die "mua-gen failed"
python3 "$here/jsonl_to_tsv.py" "$work/events.jsonl" >"$work/events.tsv" ||
  die "jsonl_to_tsv.py failed"
rows="$(wc -l <"$work/events.tsv")"

echo "== starting ClickHouse"
"$here/start_clickhouse.sh" "$work/clickhouse" >/dev/null || die "ClickHouse did not start"
# Should this script be killed without running its EXIT trap (SIGKILL), stop the server anyway.
(
  while kill -0 $$ 2>/dev/null; do sleep 2; done
  "$here/stop_clickhouse.sh" "$work/clickhouse"
  ((keep)) || rm -rf "$work"
) </dev/null >/dev/null 2>&1 &
watchdog_pid=$!
ch() { clickhouse-client --host 127.0.0.1 --port "$tcp_port" "$@"; }

# ClickHouse 18.16 has no DateTime64: event_time holds whole UTC seconds, event_time_ms the
# milliseconds (ClickHouse-only; MUA's events table has no such column, queries never use it).
columns='event_time DateTime, event_time_ms UInt64, user_id String, session_id String,
  event_id String, event_type String, platform String, os_version String, app_version String,
  device_model String, device_type String, country String, region String, city String,
  properties String'
echo "== loading $rows events into ClickHouse"
ch -q "CREATE TABLE default.events ($columns) ENGINE = MergeTree ORDER BY (user_id, event_time)"
ch -q "INSERT INTO default.events FORMAT TabSeparated" <"$work/events.tsv"
if ((self_check)); then
  # The same rows, stored in another order: results that depend on storage or thread order
  # (non-total ORDER BY, ties in argMin/windowFunnel, ...) differ between the two databases.
  ch -q "CREATE DATABASE alt"
  ch -q "CREATE TABLE alt.events ($columns) ENGINE = MergeTree ORDER BY (event_type, country, city)"
  tac "$work/events.tsv" | ch -q "INSERT INTO alt.events FORMAT TabSeparated"
  ch -q "OPTIMIZE TABLE alt.events FINAL" || true
fi
loaded="$(ch -q 'SELECT count() FROM default.events')"
[[ "$loaded" == "$rows" ]] || die "ClickHouse holds $loaded rows, expected $rows"
echo "== setup took $((SECONDS - started)) s"

args=(--queries "$queries_dir" --ch-port "$tcp_port" --ch-http-port "$CH_HTTP_PORT" --timeout "$timeout_s")
[[ -n "$filter" ]] && args+=(--filter "$filter")
if ((self_check)); then
  args+=(--self-check)
else
  args+=(--mua-server "$mua_server" --events "$work/events.jsonl")
fi
# In the background so that INT/TERM reach the traps at once, not after the current query.
python3 "$here/differential.py" "${args[@]}" &
py_pid=$!
set +e
wait "$py_pid"
status=$?
set -e
py_pid=""
echo "== total $((SECONDS - started)) s"
exit "$status"
