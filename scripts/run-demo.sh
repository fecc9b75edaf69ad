#!/usr/bin/env bash
# `make run`: what exists of MUA on its embedded default. Today: mua-gen writes a
# demo month of events, and the storage engine loads a month and reports what it holds.
# (The server, Kafka dev broker and SQL arrive with their issues and replace this.)
set -euo pipefail
build_dir=${1:-build/release}
mkdir -p demo-data
"$build_dir/bin/mua-gen" --users 20000 --days 30 --duplicate-share 0.01 --invalid-share 0.005 \
  --out demo-data/events.jsonl
echo "demo events: demo-data/events.jsonl ($(wc -l < demo-data/events.jsonl) lines)"
MUA_BENCH_USERS=20000 "$build_dir/bench/mua_storage_bench" \
  --benchmark_filter='BM_Append|BM_Memory' --benchmark_counters_tabular=true
