#!/usr/bin/env bash
# Runs the pending differential queries (pending/*.sql) against MUA and ClickHouse 18.16 and
# moves every query that passes into queries/ (same file name; the file's header comment comes
# along when the file is created), so that the registered test (queries/) only ever holds
# passing queries. Failing queries stay in pending/; a pending file left empty is removed.
#
#   promote.sh [--dry-run] [--filter REGEX] [--log FILE] MUA_GEN MUA_SERVER
#   promote.sh --from-log FILE [--dry-run]      # promote the PASS lines of an earlier run
# Options:
#   --dry-run        print what would move, change nothing
#   --filter REGEX   run only the pending tests whose name matches
#   --log FILE       keep run_differential.sh's output there (default: a temporary file)
#   --from-log FILE  skip the run; read PASS lines from FILE (output of run_differential.sh
#                    --queries pending/)
# Exit status: 0 when the run completed (whether or not all queries passed); 2 on a setup
# error of the run. Commit the moved files afterwards (git add -A tests/differential).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
dry_run=0
filter=""
log=""
from_log=""
positional=()
while (($#)); do
  case "$1" in
    --dry-run) dry_run=1 ;;
    --filter) filter="${2:?--filter needs a value}"; shift ;;
    --log) log="${2:?--log needs a value}"; shift ;;
    --from-log) from_log="${2:?--from-log needs a value}"; shift ;;
    -h|--help) sed -n '2,17p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) echo "promote: unknown option $1" >&2; exit 2 ;;
    *) positional+=("$1") ;;
  esac
  shift
done

if [[ -z "$from_log" ]]; then
  (("${#positional[@]}" == 2)) || { echo "promote: needs MUA_GEN MUA_SERVER (or --from-log)" >&2; exit 2; }
  if [[ -z "$log" ]]; then
    log="$(mktemp "${TMPDIR:-/tmp}/mua-promote.XXXXXX.log")"
  fi
  args=(--queries "$here/pending")
  [[ -n "$filter" ]] && args+=(--filter "$filter")
  set +e
  "$here/run_differential.sh" "${args[@]}" "${positional[@]}" | tee "$log"
  status=${PIPESTATUS[0]}
  set -e
  # 1 = some query failed: expected while features land. Anything else but 0 is a broken run.
  if ((status != 0 && status != 1)); then
    echo "promote: run_differential.sh failed (exit $status); nothing moved (log: $log)" >&2
    exit 2
  fi
  from_log="$log"
fi

python3 - "$here" "$from_log" "$dry_run" <<'PY'
import os
import re
import sys

here, log_path, dry_run = sys.argv[1], sys.argv[2], sys.argv[3] == "1"
pending_dir = os.path.join(here, "pending")
queries_dir = os.path.join(here, "queries")
name_re = re.compile(r"^--\s*name:\s*(\S+)\s*$")

passed = set()
with open(log_path, encoding="utf-8", errors="replace") as f:
    for line in f:
        m = re.match(r"^PASS (\S+)", line)
        if m:
            passed.add(m.group(1))


def split(path):
    """(header lines, [(name, block lines)]); an unnamed file is one block named after it."""
    with open(path, encoding="utf-8") as f:
        lines = f.read().splitlines()
    base = os.path.splitext(os.path.basename(path))[0]
    if not any(name_re.match(line.strip()) for line in lines):
        return [], [(base, lines)]
    header, blocks = [], []
    for line in lines:
        m = name_re.match(line.strip())
        if m:
            blocks.append((base + "/" + m.group(1), [line]))
        elif blocks:
            blocks[-1][1].append(line)
        else:
            header.append(line)
    return header, blocks


def text(lines):
    while lines and not lines[-1].strip():
        lines = lines[:-1]
    return "\n".join(lines)


moved = kept = 0
for entry in sorted(os.listdir(pending_dir)):
    if not entry.endswith(".sql"):
        continue
    source = os.path.join(pending_dir, entry)
    target = os.path.join(queries_dir, entry)
    header, blocks = split(source)
    go = [b for b in blocks if b[0] in passed]
    stay = [b for b in blocks if b[0] not in passed]
    if not go:
        kept += len(stay)
        continue
    for name, _ in go:
        print("promote %s" % name)
    moved += len(go)
    kept += len(stay)
    if dry_run:
        continue
    if header == [] and len(blocks) == 1 and not name_re.match(blocks[0][1][0].strip() if blocks[0][1] else ""):
        # A one-query file without `-- name:` moves whole.
        if os.path.exists(target):
            sys.exit("promote: %s exists; not overwriting it with %s" % (target, source))
        os.rename(source, target)
        continue
    if os.path.exists(target):
        with open(target, encoding="utf-8") as f:
            existing = f.read().rstrip("\n")
        parts = [existing]
    else:
        parts = [text(header)] if text(header) else []
    parts += [text(lines) for _, lines in go]
    with open(target + ".tmp", "w", encoding="utf-8") as f:
        f.write("\n\n".join(parts) + "\n")
    os.replace(target + ".tmp", target)
    if stay:
        rest = ([text(header)] if text(header) else []) + [text(lines) for _, lines in stay]
        with open(source + ".tmp", "w", encoding="utf-8") as f:
            f.write("\n\n".join(rest) + "\n")
        os.replace(source + ".tmp", source)
    else:
        os.remove(source)
print("promote: %d quer%s %s to queries/, %d still pending%s" % (
    moved, "y" if moved == 1 else "ies", "would move" if dry_run else "moved", kept,
    " (dry run)" if dry_run else ""))
PY
