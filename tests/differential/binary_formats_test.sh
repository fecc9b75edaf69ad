#!/usr/bin/env bash
# FORMAT Native and RowBinary (and RowBinaryWithNamesAndTypes) byte for byte against
# ClickHouse 18.16: the differential suite's events in both, mua-server and ClickHouse both
# answering over HTTP, binary_queries.sql run through binary_formats.py. See README.md.
#
#   binary_formats_test.sh [--keep] [--filter REGEX] MUA_GEN MUA_SERVER
# Exit status: 0 when every comparison passes; 1 on a failed one; 2 on a setup error.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
keep=0
filter=""
positional=()
while (($#)); do
  case "$1" in
    --keep) keep=1 ;;
    --filter) filter="${2:?--filter needs a value}"; shift ;;
    -*) echo "binary_formats_test: unknown option $1" >&2; exit 2 ;;
    *) positional+=("$1") ;;
  esac
  shift
done
mua_gen="${positional[0]:-}"
mua_server="${positional[1]:-}"
die() { echo "binary_formats_test: $*" >&2; exit 2; }
[[ -x "$mua_gen" ]] || die "mua-gen not found or not executable: '$mua_gen'"
[[ -x "$mua_server" ]] || die "mua-server not found or not executable: '$mua_server'"
command -v python3 >/dev/null || die "python3 is required"
command -v curl >/dev/null || die "curl is required"

free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
export CH_TCP_PORT="$(free_port)"
export CH_HTTP_PORT="$(free_port)"
mua_port="$(free_port)"

work="$(mktemp -d "${TMPDIR:-/tmp}/mua-binary-formats.XXXXXX")"
mua_pid=""
cleanup() {
  local status=$?
  if [[ -n "$mua_pid" ]]; then kill "$mua_pid" 2>/dev/null && wait "$mua_pid" 2>/dev/null; fi
  "$here/stop_clickhouse.sh" "$work/clickhouse" >/dev/null 2>&1 || true
  if ((keep)); then echo "binary_formats_test: kept $work" >&2; else rm -rf "$work"; fi
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

echo "== generating events ($work)"
"$mua_gen" --users 3000 --days 14 --seed 11 \
  --duplicate-share 0 --invalid-share 0 --out "$work/events.jsonl" >&2 || die "mua-gen failed"
python3 "$here/jsonl_to_tsv.py" "$work/events.jsonl" >"$work/events.tsv" || die "jsonl_to_tsv.py failed"
rows="$(wc -l <"$work/events.tsv")"

echo "== starting mua-server on 127.0.0.1:$mua_port"
"$mua_server" --http "127.0.0.1:$mua_port" --data_dir "$work/mua-data" --load "$work/events.jsonl" \
  --audit_log "$work/audit.jsonl" >"$work/mua.out" 2>"$work/mua.err" &
mua_pid=$!

echo "== starting ClickHouse (tcp $CH_TCP_PORT, http $CH_HTTP_PORT)"
"$here/start_clickhouse.sh" "$work/clickhouse" >/dev/null || die "ClickHouse did not start"
ch() { clickhouse-client --host 127.0.0.1 --port "$CH_TCP_PORT" "$@"; }
# The differential suite's table (README.md): event_time whole seconds, no DateTime64 in 18.16.
columns='event_time DateTime, event_time_ms UInt64, user_id String, session_id String,
  event_id String, event_type String, platform String, os_version String, app_version String,
  device_model String, device_type String, country String, region String, city String,
  properties String'
ch -q "CREATE TABLE default.events ($columns) ENGINE = MergeTree ORDER BY (user_id, event_time)"
ch -q "INSERT INTO default.events FORMAT TabSeparated" <"$work/events.tsv"
[[ "$(ch -q 'SELECT count() FROM default.events')" == "$rows" ]] || die "ClickHouse lacks rows"

mua_url="http://127.0.0.1:$mua_port/"
loaded=""
for _ in $(seq 600); do
  kill -0 "$mua_pid" 2>/dev/null || { tail -20 "$work/mua.err" >&2; die "mua-server exited"; }
  loaded="$(curl -s --max-time 5 --data-binary 'SELECT count() FROM events' "$mua_url" || true)"
  [[ "$loaded" == "$rows" ]] && break
  sleep 0.5
done
[[ "$loaded" == "$rows" ]] || { tail -20 "$work/mua.err" >&2; die "mua-server holds '$loaded' rows, expected $rows"; }

args=(--mua "$mua_url" --clickhouse "http://127.0.0.1:$CH_HTTP_PORT/" --queries "$here/binary_queries.sql")
[[ -n "$filter" ]] && args+=(--filter "$filter")
python3 "$here/binary_formats.py" "${args[@]}"
