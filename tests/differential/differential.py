#!/usr/bin/env python3
"""Runs the differential queries on ClickHouse and MUA and compares their outputs.

Called by run_differential.sh once the data is generated and ClickHouse is loaded.

Query files (queries/*.sql): one query per file, or several, each starting at a line
`-- name: NAME` (the test is then FILE/NAME). Full-line `--` comments are stripped from the
text sent to either engine; these comment lines are directives:
  -- unordered          rows are sorted (bytewise) on both sides before comparing
  -- expect-empty       the result is meant to be empty (otherwise an empty result fails:
                        it would make a vacuous test)
  -- expect-error       both engines must reject the query (exit status non-zero)
  -- clickhouse: TEXT   ClickHouse runs these lines' TEXT (joined by newlines) instead of the
                        query: for 18.16's gaps (no JSONExtract*, toStartOfInterval, ...)

Modes:
  compare (default): ClickHouse (database `default`) vs `mua-server --load EVENTS --query SQL`.
  --self-check: ClickHouse only; every query runs on database `default` (max_threads 2) and
    on database `alt` (same rows, another sort key, inserted in reverse, max_threads 1), and
    the outputs must be equal and non-empty: this catches non-total ORDER BYs, ties and other
    non-determinism without MUA.
Prints PASS/FAIL per test (a unified diff for failures) and `N passed, M failed`.
"""

import argparse
import difflib
import http.client
import os
import re
import subprocess
import sys
import time
import urllib.parse

_NAME = re.compile(r"^--\s*name:\s*(\S+)\s*$")
_CLICKHOUSE = re.compile(r"^--\s*clickhouse:(.*)$")
_FLAGS = {"unordered", "expect-empty", "expect-error"}


class Query:
    def __init__(self, name, path):
        self.name = name
        self.path = path
        self.lines = []
        self.clickhouse_lines = []
        self.flags = set()

    def finish(self):
        self.sql = _clean("\n".join(self.lines))
        self.clickhouse_sql = (_clean("\n".join(self.clickhouse_lines))
                               if self.clickhouse_lines else self.sql)


def _clean(text):
    text = text.strip()
    while text.endswith(";"):
        text = text[:-1].rstrip()
    return text


def parse_file(path):
    """Returns the Query objects of one .sql file."""
    base = os.path.splitext(os.path.basename(path))[0]
    with open(path, encoding="utf-8") as f:
        lines = f.read().splitlines()
    named = any(_NAME.match(line) for line in lines)
    queries = []
    current = None if named else Query(base, path)
    for line in lines:
        stripped = line.strip()
        m = _NAME.match(stripped)
        if m:
            if current is not None:
                queries.append(current)
            current = Query(base + "/" + m.group(1), path)
            continue
        if current is None:  # the file's header, before the first `-- name:`
            continue
        if stripped.startswith("--"):
            m = _CLICKHOUSE.match(stripped)
            if m:
                current.clickhouse_lines.append(m.group(1))
                continue
            word = stripped[2:].strip()
            if word in _FLAGS:
                current.flags.add(word)
            continue
        current.lines.append(line)
    if current is not None:
        queries.append(current)
    for q in queries:
        q.finish()
        if not q.sql:
            raise ValueError("%s: query %s is empty" % (path, q.name))
    return queries


def load_queries(directory, name_filter):
    queries = []
    for entry in sorted(os.listdir(directory)):
        if entry.endswith(".sql"):
            queries.extend(parse_file(os.path.join(directory, entry)))
    names = [q.name for q in queries]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise ValueError("duplicate query names: " + ", ".join(duplicates))
    if name_filter:
        pattern = re.compile(name_filter)
        queries = [q for q in queries if pattern.search(q.name)]
    return queries


class Result:
    def __init__(self, ok, out, err, seconds):
        self.ok = ok
        self.out = out
        self.err = err
        self.seconds = seconds


def run(argv, timeout):
    start = time.monotonic()
    try:
        p = subprocess.run(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, timeout=timeout)
    except subprocess.TimeoutExpired:
        return Result(False, b"", b"timed out after %d s" % timeout, time.monotonic() - start)
    except OSError as error:
        return Result(False, b"", str(error).encode(), time.monotonic() - start)
    return Result(p.returncode == 0, p.stdout, p.stderr, time.monotonic() - start)


_ch_connection = None


def clickhouse_http(args, sql, database, max_threads):
    """The query over ClickHouse's HTTP port on one kept-alive connection: the same
    TabSeparated bytes as clickhouse-client, without starting its ~100 MB binary per query
    (523 queries: 43 s of clickhouse-client, 7 s over HTTP). wait_end_of_query: an error
    is a non-200 status, never a 200 with the error after some rows."""
    global _ch_connection
    params = urllib.parse.urlencode({"database": database, "max_threads": max_threads,
                                     "default_format": "TabSeparated", "wait_end_of_query": 1})
    start = time.monotonic()
    for attempt in (1, 2):  # a kept-alive connection the server closed: reconnect once
        if _ch_connection is None:
            _ch_connection = http.client.HTTPConnection("127.0.0.1", args.ch_http_port,
                                                        timeout=args.timeout)
        try:
            _ch_connection.request("POST", "/?" + params, body=sql.encode())
            response = _ch_connection.getresponse()
            body = response.read()
        except (OSError, http.client.HTTPException) as error:
            _ch_connection.close()
            _ch_connection = None
            if attempt == 2 or isinstance(error, TimeoutError):
                return Result(False, b"", str(error).encode(), time.monotonic() - start)
            continue
        if response.status == 200:
            return Result(True, body, b"", time.monotonic() - start)
        return Result(False, b"", body, time.monotonic() - start)


def clickhouse(args, sql, database, max_threads):
    if args.ch_http_port:
        return clickhouse_http(args, sql, database, max_threads)
    return run([args.clickhouse_client, "--host", "127.0.0.1", "--port", str(args.ch_port),
                "--database", database, "--max_threads", str(max_threads),
                "--format", "TabSeparated", "--query", sql], args.timeout)


_mua_results = {}


def mua_batch(args, queries):
    """Runs every query's MUA text in ONE mua-server process (one load of the events),
    through --batch_dir, and caches the results for mua()."""
    import tempfile
    with tempfile.TemporaryDirectory(prefix="mua-diff-") as directory:
        for index, q in enumerate(queries):
            with open(os.path.join(directory, "%05d.sql" % index), "w") as f:
                f.write(q.sql)
        start = time.monotonic()
        batch = run([args.mua_server, "--load", args.events, "--batch_dir", directory,
                     "--format", "TabSeparated"], args.timeout * 10)
        seconds = (time.monotonic() - start) / max(1, len(queries))
        for index, q in enumerate(queries):
            base = os.path.join(directory, "%05d" % index)
            if os.path.exists(base + ".out"):
                with open(base + ".out", "rb") as f:
                    _mua_results[q.sql] = Result(True, f.read(), b"", seconds)
            elif os.path.exists(base + ".err"):
                with open(base + ".err", "rb") as f:
                    _mua_results[q.sql] = Result(False, b"", f.read(), seconds)
            else:
                _mua_results[q.sql] = Result(False, b"", b"mua-server batch run failed: " +
                                             batch.err[-2000:], seconds)


def mua(args, sql):
    if sql in _mua_results:
        return _mua_results[sql]
    return run([args.mua_server, "--load", args.events, "--query", sql,
                "--format", "TabSeparated"], args.timeout)


def normalized(output, unordered):
    if not unordered:
        return output
    lines = output.split(b"\n")
    trailing = lines[-1] == b""
    body = sorted(lines[:-1] if trailing else lines)
    return b"\n".join(body) + (b"\n" if trailing else b"")


def unified_diff(expected, actual, expected_label, actual_label, limit=60):
    exp = expected.decode("utf-8", "replace").splitlines(keepends=True)
    act = actual.decode("utf-8", "replace").splitlines(keepends=True)
    diff = list(difflib.unified_diff(exp, act, expected_label, actual_label))
    if len(diff) > limit:
        diff = diff[:limit] + ["... (%d more diff lines)\n" % (len(diff) - limit)]
    return "".join(line if line.endswith("\n") else line + "\n\\ no newline\n"
                   for line in diff)


def check(args, q):
    """Returns (passed, details, seconds_ch, seconds_mua)."""
    ch = clickhouse(args, q.clickhouse_sql, "default", 2)
    if "expect-error" in q.flags:
        if ch.ok:
            return False, "ClickHouse accepted a query marked expect-error", ch.seconds, 0.0
        if args.self_check:
            return True, "", ch.seconds, 0.0
        other = mua(args, q.sql)
        if other.ok:
            return False, "MUA accepted a query that ClickHouse rejects:\n" + \
                other.out.decode("utf-8", "replace")[:2000], ch.seconds, other.seconds
        if not other.err.strip():
            return False, "MUA failed without an error message on stderr", ch.seconds, \
                other.seconds
        return True, "", ch.seconds, other.seconds
    if not ch.ok:
        return False, "ClickHouse failed:\n" + ch.err.decode("utf-8", "replace"), ch.seconds, 0.0
    if not ch.out and "expect-empty" not in q.flags:
        return False, "ClickHouse returned no rows (mark the query expect-empty if meant)", \
            ch.seconds, 0.0
    if ch.out and "expect-empty" in q.flags:
        return False, "ClickHouse returned rows for a query marked expect-empty", ch.seconds, 0.0
    unordered = "unordered" in q.flags
    expected = normalized(ch.out, unordered)
    if args.self_check:
        other = clickhouse(args, q.clickhouse_sql, "alt", 1)
        label = "clickhouse(alt, max_threads=1)"
    else:
        other = mua(args, q.sql)
        label = "mua"
    if not other.ok:
        return False, "%s failed (exit status non-zero):\n%s" % (
            label, other.err.decode("utf-8", "replace")[:4000]), ch.seconds, other.seconds
    actual = normalized(other.out, unordered)
    if expected == actual:
        return True, "", ch.seconds, other.seconds
    return False, unified_diff(expected, actual, "clickhouse", label), ch.seconds, other.seconds


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--queries", required=True, help="directory of *.sql files")
    parser.add_argument("--self-check", action="store_true")
    parser.add_argument("--mua-server", help="path to mua-server (compare mode)")
    parser.add_argument("--events", help="the JSON-lines file MUA loads (compare mode)")
    parser.add_argument("--clickhouse-client", default="clickhouse-client")
    parser.add_argument("--ch-port", type=int, default=9001)
    parser.add_argument("--ch-http-port", type=int, default=0,
                        help="query ClickHouse over this HTTP port instead of clickhouse-client")
    parser.add_argument("--filter", help="run only tests whose name matches this regex")
    parser.add_argument("--timeout", type=int, default=120, help="seconds per engine run")
    parser.add_argument("--list", action="store_true", help="print the test names and exit")
    args = parser.parse_args()

    queries = load_queries(args.queries, args.filter)
    if args.list:
        for q in queries:
            flags = " ".join(sorted(q.flags))
            override = " clickhouse-override" if q.clickhouse_lines else ""
            print("%s%s%s" % (q.name, (" [" + flags + "]") if flags else "", override))
        return 0
    if not args.self_check and not (args.mua_server and args.events):
        parser.error("compare mode needs --mua-server and --events")
    if not queries:
        print("no queries matched")
        return 1

    if not args.self_check:
        mua_batch(args, queries)
    passed = failed = 0
    total_ch = total_other = 0.0
    parent = os.getppid()
    for q in queries:
        if os.getppid() != parent:  # run_differential.sh was killed: stop too
            print("runner gone; stopping")
            return 1
        ok, details, s_ch, s_other = check(args, q)
        total_ch += s_ch
        total_other += s_other
        if ok:
            passed += 1
            print("PASS %s (%.2fs / %.2fs)" % (q.name, s_ch, s_other), flush=True)
        else:
            failed += 1
            print("FAIL %s (%s)" % (q.name, os.path.relpath(q.path, args.queries)))
            for line in details.rstrip("\n").split("\n"):
                print("    " + line)
            sys.stdout.flush()
    print("time: clickhouse %.1fs, %s %.1fs" % (
        total_ch, "clickhouse(alt)" if args.self_check else "mua", total_other))
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
