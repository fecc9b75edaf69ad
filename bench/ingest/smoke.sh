#!/usr/bin/env bash
# ingest_bench_smoke: the three bench/ingest scripts at ~106 k events (mua-gen --users 1000), one
# run each, ClickHouse skipped; passes when every count is exact (the scripts die otherwise:
# backlog aged out of the broker, a refused INSERT, count() short). Timings are printed, never
# asserted.
#   bench/ingest/smoke.sh BUILD_DIR WORK_DIR
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
build="${1:?usage: smoke.sh BUILD_DIR WORK_DIR}"
work="${2:?usage: smoke.sh BUILD_DIR WORK_DIR}"
rm -rf "$work"
mkdir -p "$work"
common=(--build "$build" --users 1000 --runs 1 --data-dir "$work/data")
"$here/kafka_consumer_bench.sh" "${common[@]}" --partitions 8 --work "$work/kafka"
"$here/http_insert_bench.sh" "${common[@]}" --body-mb 8 --clients 2 --skip-clickhouse --work "$work/http"
"$here/file_load_bench.sh" "${common[@]}" --work "$work/file"
rm -rf "$work"
echo "ingest_bench_smoke: passed"
