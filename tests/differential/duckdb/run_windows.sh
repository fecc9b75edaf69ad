#!/usr/bin/env bash
# Window functions checked against DuckDB (README.md beside this file): the differential data
# (mua-gen --users 3000 --days 14 --seed 11) loaded into MUA and into DuckDB, each query of
# windows.sql run on both (MUA's ClickHouse syntax, DuckDB's translation in `-- duckdb:` lines),
# byte-equal TabSeparated output required.
#
#   run_windows.sh [--filter REGEX] [--keep] [--duckdb-only] MUA_GEN [MUA_SERVER]
# DuckDB runs in node through @duckdb/node-api, installed into bench/queries/node_modules on
# first use (npm --prefer-offline: from npm's cache when it holds the package, so later runs
# work offline). Exit status: 0 all pass, 1 a failure, 2 a setup error.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
bench_queries="$(cd "$here/../../../bench/queries" && pwd)"
filter=""
keep=0
duckdb_only=0
positional=()
while (($#)); do
  case "$1" in
    --filter) filter="${2:?--filter needs a value}"; shift ;;
    --keep) keep=1 ;;
    --duckdb-only) duckdb_only=1 ;;
    -h|--help) sed -n '2,11p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) echo "run_windows: unknown option $1" >&2; exit 2 ;;
    *) positional+=("$1") ;;
  esac
  shift
done
die() { echo "run_windows: $*" >&2; exit 2; }
mua_gen="${positional[0]:-${MUA_GEN:-}}"
mua_server="${positional[1]:-${MUA_SERVER:-}}"
[[ -n "$mua_gen" && -x "$mua_gen" ]] || die "mua-gen not found or not executable: '${mua_gen}'"
if ((!duckdb_only)); then
  [[ -n "$mua_server" && -x "$mua_server" ]] || die "mua-server not found or not executable: '${mua_server}'"
  mua_server="$(cd "$(dirname "$mua_server")" && pwd)/$(basename "$mua_server")"
fi
command -v python3 >/dev/null || die "python3 is required"
command -v node >/dev/null || die "node is required (DuckDB runs through @duckdb/node-api)"
command -v npm >/dev/null || die "npm is required (to install @duckdb/node-api)"
# A fresh clone has no node_modules: npm installs the pinned package, from its cache when it
# has it (--prefer-offline), so the test runs offline once the cache holds it. The lock keeps
# two runs (ctest -j, the benchmark) from installing into the same directory at once.
install_duckdb() {
  [[ -d "$bench_queries/node_modules/@duckdb/node-api" ]] && return 0
  echo "== npm install (@duckdb/node-api, in bench/queries)"
  (cd "$bench_queries" &&
    npm install --prefer-offline --no-save --no-package-lock --no-audit --no-fund >&2)
}
if [[ ! -d "$bench_queries/node_modules/@duckdb/node-api" ]]; then
  if command -v flock >/dev/null; then
    (flock 9 && install_duckdb) 9>"${TMPDIR:-/tmp}/mua-duckdb-npm.lock" || die "npm install failed"
  else
    install_duckdb || die "npm install failed"
  fi
fi

work="$(mktemp -d "${TMPDIR:-/tmp}/mua-windows.XXXXXX")"
cleanup() {
  local status=$?
  if ((keep)); then echo "run_windows: kept $work" >&2; else rm -rf "$work"; fi
  exit "$status"
}
trap cleanup EXIT

echo "== generating events ($work)"
"$mua_gen" --users 3000 --days 14 --seed 11 \
  --duplicate-share 0 --invalid-share 0 --out "$work/events.jsonl" >&2 || die "mua-gen failed"
python3 "$here/../jsonl_to_tsv.py" "$work/events.jsonl" >"$work/events.tsv" ||
  die "jsonl_to_tsv.py failed"

args=(--tsv "$work/events.tsv")
[[ -n "$filter" ]] && args+=(--filter "$filter")
if ((duckdb_only)); then
  args+=(--duckdb-only)
else
  args+=(--events "$work/events.jsonl" --mua-server "$mua_server")
fi
python3 "$here/compare_windows.py" "${args[@]}"
