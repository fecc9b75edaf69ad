# Sourced by bench/peers/run.sh and bench/peers/ingest.sh: what both need before they start.
#   peers_dataset EVENTS   sets users, days, seed, tag and the zstd default (1 at 100m) for a
#                          size of 100k|1m|10m|100m; at 100m also the peers' memory settings
#   peers_build BUILD      `make build` when BUILD is empty; sets build (absolute path)
# REQUIRES: die, repo.

peers_dataset() {
  case "$1" in
    100k) users=1000 ;;
    1m) users=10000 ;;
    10m) users=100000 ;;
    100m)
      users=1000000
      # 100 M events: ~41 GB of JSON and ~17.5 GB of TSV uncompressed; ~25 GB in DuckDB's
      # uncompressed in-memory tables (RAM: 24 GiB); ClickHouse's 2 GB per query is tight.
      zstd="${zstd:-1}"
      export DUCKDB_MEMORY_LIMIT="${DUCKDB_MEMORY_LIMIT:-12GB}" DUCKDB_COMPRESS="${DUCKDB_COMPRESS:-1}"
      export CH_MAX_MEMORY="${CH_MAX_MEMORY:-8000000000}"
      ;;
    *) die "--events must be 100k, 1m, 10m or 100m (got $1)" ;;
  esac
  zstd="${zstd:-0}"
  days=30
  seed=42
  tag="u${users}-d${days}-s${seed}"
}

peers_build() {
  build="$1"
  if [[ -z "$build" ]]; then
    echo "== make build (scripts/install-deps.sh, Release in build/release)"
    make -C "$repo" build JOBS=2 || die "make build failed"
    build="$repo/build/release"
  fi
  build="$(cd "$build" 2>/dev/null && pwd)" || die "build dir not found: $1"
}
