#!/usr/bin/env bash
# `make bench`: every benchmark binary, Release build, 10 M mua-gen events by default.
set -euo pipefail
build_dir=${1:-build/release}
"$build_dir/bench/mua_column_codec_bench" --benchmark_counters_tabular=true
"$build_dir/bench/mua_storage_bench" --benchmark_counters_tabular=true
