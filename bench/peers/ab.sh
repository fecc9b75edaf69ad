#!/usr/bin/env bash
# Before/after: two MUA builds on the same events, the SPEC §9 query set run on each in
# alternating rounds (so machine noise hits both alike), and one table of the medians with
# the after/before ratio. For a change that might slow a query down ("no query more than
# 10 % slower"); bench/peers/run.sh compares MUA with its peers.
#
#   bench/peers/ab.sh BEFORE_BUILD AFTER_BUILD EVENTS_JSONL [--rounds N] [--runs N] [--out DIR]
# BEFORE_BUILD/AFTER_BUILD: built trees with bin/mua-server (e.g. a `git worktree` of the old
# commit built Release). EVENTS_JSONL: e.g. build/bench-data/<tag>/events.jsonl from run.sh.
# Each round runs bench.py's warm-up + --runs timed runs per query on before, then on after;
# the figure per query and build is the median over every timed run of every round.
# Exit status: 0 all answers equal between the builds, 1 not, 2 setup error.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
queries="$(cd "$here/../queries" && pwd)"
die() { echo "bench/peers/ab: $*" >&2; exit 2; }
(($# >= 3)) || die "usage: ab.sh BEFORE_BUILD AFTER_BUILD EVENTS_JSONL [--rounds N] [--runs N] [--out DIR]"
before="$(cd "$1" && pwd)"; after="$(cd "$2" && pwd)"; events="$3"; shift 3
rounds=3
runs=3
out="$(pwd)/build/bench-ab"
while (($#)); do
  case "$1" in
    --rounds) rounds="${2:?}"; shift ;;
    --runs) runs="${2:?}"; shift ;;
    --out) out="${2:?}"; shift ;;
    *) die "unknown argument $1" ;;
  esac
  shift
done
[[ -f "$events" ]] || die "$events missing"
for build in "$before" "$after"; do [[ -x "$build/bin/mua-server" ]] || die "$build/bin/mua-server missing"; done
mkdir -p "$out"

pids=()
cleanup() { for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done; }
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
expected="$(wc -l <"$events")"

# Both servers hold the data at once: the rounds then alternate without reloading.
declare -A ports
for side in before after; do
  build="$before"; [[ "$side" == after ]] && build="$after"
  ports[$side]="$(free_port)"
  "$build/bin/mua-server" --load "$events" --http "127.0.0.1:${ports[$side]}" --data_dir "" \
    --retention_days 0 >"$out/$side-server.log" 2>&1 &
  pids+=($!)
done
for side in before after; do
  echo "== loading $events into the $side build (port ${ports[$side]})"
  # mua-gen's lines are all valid and distinct: the count reaches the line count.
  until [[ "$(curl -sS --data-binary 'SELECT count() FROM events' "http://127.0.0.1:${ports[$side]}/" 2>/dev/null)" == "$expected" ]]; do
    for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null || die "a mua-server exited (logs in $out)"; done
    sleep 0.2
  done
done

for round in $(seq 1 "$rounds"); do
  for side in before after; do
    echo "== round $round: $side"
    python3 "$queries/bench.py" mua --port "${ports[$side]}" --queries "$queries" \
      --out "$out/$side/round$round" --runs "$runs" >/dev/null
  done
done

python3 - "$out" "$rounds" <<'EOF'
import os, statistics, sys
out, rounds = sys.argv[1], int(sys.argv[2])
order = ("dau", "dau_purchase", "dau_segment", "mau", "retention_day", "retention_matrix",
         "funnel", "sessions", "crash_rate", "top_events", "revenue")
runs = {"before": {}, "after": {}}
status = 0
for side in runs:
    for r in range(1, rounds + 1):
        with open(os.path.join(out, side, f"round{r}", "timings.tsv")) as f:
            for line in f:
                fields = line.rstrip("\n").split("\t")
                if len(fields) < 4 or fields[0] == "name":
                    continue
                runs[side].setdefault(fields[0], []).extend(float(x) for x in fields[3:] if x)
print("| query | before ms | after ms | after / before |")
print("|---|---|---|---|")
for name in order:
    if name not in runs["before"] or name not in runs["after"]:
        continue
    b, a = statistics.median(runs["before"][name]), statistics.median(runs["after"][name])
    print(f"| {name} | {b:.3g} | {a:.3g} | {a / b:.2f} |")
    with open(os.path.join(out, "before", "round1", f"{name}.tsv"), "rb") as fb, \
         open(os.path.join(out, "after", "round1", f"{name}.tsv"), "rb") as fa:
        if fb.read() != fa.read():
            print(f"ANSWERS DIFFER: {name}", file=sys.stderr)
            status = 1
sys.exit(status)
EOF
