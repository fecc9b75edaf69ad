#!/usr/bin/env python3
"""Runs the window-function queries (windows.sql) on DuckDB and MUA and compares the outputs.

Called by run_windows.sh once the data is generated. windows.sql has the format of
../queries/*.sql (`-- name:`, `-- unordered`, `-- expect-empty`); each query is written in MUA's
ClickHouse syntax and carries its DuckDB translation in `-- duckdb:` lines. MUA runs every query
in one `mua-server --load EVENTS --batch_dir` process, DuckDB through run_duckdb.mjs (node).
Prints PASS/FAIL per query (a unified diff for failures; duckdb = expected) and
`N passed, M failed`; exit status 1 on any failure.
"""

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
import differential  # noqa: E402  (the parent directory's runner: parsing, MUA batch, diffs)

_DUCKDB = re.compile(r"^--\s*duckdb:(.*)$")


def duckdb_texts(path):
    """{test name: DuckDB SQL} from the `-- duckdb:` lines of each `-- name:` block."""
    base = os.path.splitext(os.path.basename(path))[0]
    texts = {}
    name = None
    with open(path, encoding="utf-8") as f:
        for line in f.read().splitlines():
            stripped = line.strip()
            m = differential._NAME.match(stripped)
            if m:
                name = base + "/" + m.group(1)
                texts[name] = []
                continue
            m = _DUCKDB.match(stripped)
            if m and name is not None:
                texts[name].append(m.group(1))
    return {n: differential._clean("\n".join(lines)) for n, lines in texts.items()}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--queries", default=os.path.join(HERE, "windows.sql"))
    parser.add_argument("--tsv", required=True, help="events TSV (jsonl_to_tsv.py) for DuckDB")
    parser.add_argument("--events", help="the JSON-lines file MUA loads")
    parser.add_argument("--mua-server", help="path to mua-server")
    parser.add_argument("--duckdb-only", action="store_true",
                        help="run DuckDB only and print its answers (to review a translation)")
    parser.add_argument("--filter", help="run only tests whose name matches this regex")
    parser.add_argument("--timeout", type=int, default=120, help="seconds per MUA query")
    args = parser.parse_args()

    queries = differential.parse_file(args.queries)
    if args.filter:
        pattern = re.compile(args.filter)
        queries = [q for q in queries if pattern.search(q.name)]
    texts = duckdb_texts(args.queries)
    missing = [q.name for q in queries if not texts.get(q.name)]
    if missing:
        print("queries without a -- duckdb: translation: " + ", ".join(missing))
        return 2
    if not queries:
        print("no queries matched")
        return 1
    if not args.duckdb_only and not (args.mua_server and args.events):
        parser.error("--mua-server and --events are needed unless --duckdb-only")

    with tempfile.TemporaryDirectory(prefix="mua-windows-") as work:
        request = os.path.join(work, "in.json")
        answer = os.path.join(work, "out.json")
        with open(request, "w") as f:
            json.dump([{"name": q.name, "sql": texts[q.name]} for q in queries], f)
        node = subprocess.run(["node", os.path.join(HERE, "run_duckdb.mjs"), "--tsv", args.tsv,
                               "--queries", request, "--out", answer])
        if node.returncode != 0:
            print("run_duckdb.mjs failed (exit %d)" % node.returncode)
            return 2
        with open(answer) as f:
            duck = json.load(f)

    if args.duckdb_only:
        for q in queries:
            r = duck[q.name]
            print("== %s%s" % (q.name, "" if r["ok"] else " ERROR " + r["err"]))
            sys.stdout.write(r["out"])
        return 0

    differential.mua_batch(args, queries)
    passed = failed = 0
    for q in queries:
        d = duck[q.name]
        expected_out = d["out"].encode()
        problem = None
        if not d["ok"]:
            problem = "DuckDB failed:\n" + d["err"]
        elif not expected_out and "expect-empty" not in q.flags:
            problem = "DuckDB returned no rows (mark the query expect-empty if meant)"
        else:
            m = differential.mua(args, q.sql)
            unordered = "unordered" in q.flags
            if not m.ok:
                problem = "mua failed (exit status non-zero):\n" + m.err.decode("utf-8", "replace")[:4000]
            else:
                expected = differential.normalized(expected_out, unordered)
                actual = differential.normalized(m.out, unordered)
                if expected != actual:
                    problem = differential.unified_diff(expected, actual, "duckdb", "mua")
        if problem is None:
            passed += 1
            print("PASS %s" % q.name, flush=True)
        else:
            failed += 1
            print("FAIL %s" % q.name)
            for line in problem.rstrip("\n").split("\n"):
                print("    " + line)
            sys.stdout.flush()
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
