#!/usr/bin/env bash
# mua-gen --format clickhouse-tsv must write byte for byte what the reference,
# tests/differential/jsonl_to_tsv.py, makes of mua-gen's JSON lines for the same flags.
#   gen_tsv_reference_test.sh PATH/TO/mua-gen PATH/TO/jsonl_to_tsv.py
set -euo pipefail
gen=${1:?usage: gen_tsv_reference_test.sh MUA_GEN JSONL_TO_TSV}
reference=${2:?usage: gen_tsv_reference_test.sh MUA_GEN JSONL_TO_TSV}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failed=0
# A few thousand events each: the bench's flags, duplicates + UUID ids over a leap day, and
# A/B tests (their effect changes the events; their assignments are not TSV columns).
for flags in "--users 40 --days 30 --seed 42" \
             "--users 30 --days 5 --seed 7 --start 2028-02-27 --duplicate-share 0.05 --event-ids uuid" \
             "--users 60 --days 10 --seed 3 --experiment ab:control,treatment:purchase*1.5@3 --experiment aa:x=2,y=1"; do
  # shellcheck disable=SC2086
  "$gen" $flags --out "$work/events.jsonl" 2>/dev/null
  # shellcheck disable=SC2086
  "$gen" $flags --format clickhouse-tsv --out "$work/events.tsv" 2>/dev/null
  python3 "$reference" "$work/events.jsonl" >"$work/reference.tsv"
  rows=$(wc -l <"$work/events.tsv")
  if cmp "$work/reference.tsv" "$work/events.tsv" && ((rows > 1000)); then
    echo "PASS $flags ($rows rows)"
  else
    echo "FAIL $flags ($rows rows; first difference:)"
    diff "$work/reference.tsv" "$work/events.tsv" | head -n 4
    failed=1
  fi
done
exit "$failed"
