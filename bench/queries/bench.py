#!/usr/bin/env python3
"""Helpers of run_bench.sh (bench/queries/README.md): ClickHouse timing and the report.

  bench.py clickhouse --queries DIR --out DIR [--port 8124] [--runs 5] [--warmup 1] [--filter S]
      Runs each query's ClickHouse text over ONE keep-alive HTTP connection: warm-up runs,
      then timed runs; writes OUT/NAME.tsv (the answer) and OUT/timings.tsv
      (name, median_ms, run ms...).
  bench.py mua --queries DIR --out DIR --port P [...same options]
      The same runner against mua-server's ClickHouse-compatible HTTP endpoint, sending each
      query's MUA text (not the `-- clickhouse:` lines); timings.tsv also carries the path
      (bitmap|scan, from EXPLAIN) as column 3, as mua_query_bench writes it.
  bench.py report --queries DIR --results DIR [--md FILE] [--title TEXT]
      Compares RESULTS/{mua,clickhouse,duckdb}/NAME.tsv after normalization, prints
      PASS/MISMATCH per query (with a short diff) and the timing table; writes it as Markdown.
      Exit status 1 when any query mismatches or failed on an engine.

Query files (NAME.sql): the MUA text (= ClickHouse's) with full-line `--` comments stripped;
directives in comments:
  -- clickhouse: TEXT   ClickHouse 18.16 runs these lines instead (as in tests/differential)
  -- duckdb: TEXT       DuckDB runs these lines (required: the dialects differ)
  -- mirrors: PATH      the differential query this one copies; a drift is reported
  -- unordered          rows are sorted before comparing
"""

import argparse
import difflib
import http.client
import math
import os
import re
import statistics
import sys
import time
import urllib.parse

_DIRECTIVE = re.compile(r"^--\s*(clickhouse|duckdb|mirrors):(.*)$")

# SPEC §9/§10: which queries are bitmap-backed (target >= 50x) and which are scans (>= 5x).
BITMAP_QUERIES = ("dau", "dau_purchase", "dau_segment", "mau", "retention_day", "retention_matrix")
SCAN_QUERIES = ("funnel", "sessions", "crash_rate", "top_events", "revenue")
ORDER = BITMAP_QUERIES + SCAN_QUERIES

# The peers' figures in SPEC §9 (10.66 M events, 2 cores), for reference in the report.
SPEC_CLICKHOUSE = {"dau": 484, "dau_purchase": 6.5, "mau": 404, "dau_segment": 267,
                   "retention_day": 523, "retention_matrix": 683, "funnel": 848,
                   "sessions": 1097, "crash_rate": 879, "top_events": 49, "revenue": 9.6}
SPEC_DUCKDB = {"dau": 261, "dau_purchase": 6.2, "mau": 152, "dau_segment": 154,
               "retention_day": 229, "retention_matrix": 484, "sessions": 413,
               "crash_rate": 439, "top_events": 44, "revenue": 7.7}


def _clean(lines):
    text = "\n".join(lines).strip()
    while text.endswith(";"):
        text = text[:-1].rstrip()
    return text


class Query:
    def __init__(self, path):
        self.name = os.path.splitext(os.path.basename(path))[0]
        self.path = path
        mua, clickhouse, duckdb, self.mirrors, self.unordered = [], [], [], None, False
        with open(path, encoding="utf-8") as f:
            for line in f.read().splitlines():
                stripped = line.strip()
                if not stripped.startswith("--"):
                    mua.append(line)
                    continue
                m = _DIRECTIVE.match(stripped)
                if m and m.group(1) == "clickhouse":
                    clickhouse.append(m.group(2))
                elif m and m.group(1) == "duckdb":
                    duckdb.append(m.group(2))
                elif m and m.group(2).split():
                    self.mirrors = m.group(2).split()[0]
                elif stripped[2:].strip() == "unordered":
                    self.unordered = True
        self.mua = _clean(mua)
        self.clickhouse = _clean(clickhouse) if clickhouse else self.mua
        self.duckdb = _clean(duckdb) if duckdb else None


def load_queries(directory, name_filter=""):
    queries = [Query(os.path.join(directory, entry)) for entry in sorted(os.listdir(directory))
               if entry.endswith(".sql")]
    return [q for q in queries if name_filter in q.name]


def _median(values):
    return statistics.median(values) if values else None


def _record_loadavg(directory):
    """The 1/5/15-minute load average as an engine starts (the machine is shared)."""
    with open(os.path.join(directory, "loadavg.txt"), "w") as f:
        f.write("%.2f %.2f %.2f\n" % os.getloadavg())


# --- ClickHouse and MUA over HTTP -------------------------------------------------------

# EXPLAIN text that marks MUA's bitmap path or a §5a table function built on per-day user
# bitmaps (as UsesBitmapPath in query_bench.cc).
_BITMAP_MARKERS = ("bitmap path", "Source: retention_matrix", "Source: active_users")


def run_http(args):
    """ClickHouse (`clickhouse`: the `-- clickhouse:` text) or MUA (`mua`: the MUA text)."""
    mua = args.command == "mua"
    os.makedirs(args.out, exist_ok=True)
    conn = http.client.HTTPConnection("127.0.0.1", args.port, timeout=args.timeout)
    path = "/?" + urllib.parse.urlencode({"database": "default"})

    def execute(sql):
        conn.request("POST", path, body=sql.encode("utf-8"),
                     headers={"Connection": "keep-alive", "Content-Type": "text/plain"})
        response = conn.getresponse()
        body = response.read()
        if response.status != 200:
            raise RuntimeError(body.decode("utf-8", "replace").strip()[:500])
        return body

    _record_loadavg(args.out)
    failures = 0
    with open(os.path.join(args.out, "timings.tsv"), "w") as timings:
        for q in load_queries(args.queries, args.filter):
            sql = q.mua if mua else q.clickhouse
            try:
                answer = b""
                path_cell = []
                if mua:
                    plan = execute("EXPLAIN " + sql).decode("utf-8", "replace")
                    path_cell = ["bitmap" if any(m in plan for m in _BITMAP_MARKERS)
                                 else "user sequence" if "user sequence path" in plan else "scan"]
                for _ in range(args.warmup):
                    answer = execute(sql)
                times = []
                for _ in range(args.runs):
                    start = time.perf_counter()
                    answer = execute(sql)
                    times.append((time.perf_counter() - start) * 1000)
            except (RuntimeError, OSError, http.client.HTTPException) as error:
                failures += 1
                print("%-16s ERROR %s" % (q.name, error))
                with open(os.path.join(args.out, q.name + ".err"), "w") as f:
                    f.write(str(error) + "\n")
                timings.write("%s\t%s\n" % (q.name, "\terror" if mua else ""))
                conn.close()  # a fresh connection for the next query
                continue
            with open(os.path.join(args.out, q.name + ".tsv"), "wb") as f:
                f.write(answer)
            median = _median(times)
            print("%-16s %10.3f ms %s (runs: %s)" % (q.name, median, " ".join(path_cell),
                                                    " ".join("%.3f" % t for t in times)))
            timings.write("\t".join([q.name, "%.3f" % median] + path_cell +
                                     ["%.3f" % t for t in times]) + "\n")
    conn.close()
    return 1 if failures else 0


# --- Report ----------------------------------------------------------------------------

_INT = re.compile(r"^-?\d+$")
_FLOAT = re.compile(r"^-?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$")


def normalize_field(field):
    """Integers as they are; floats rounded to 4 decimals (integral floats as integers)."""
    if _INT.match(field):
        return field
    if _FLOAT.match(field):
        value = round(float(field), 4)
        if value.is_integer() and abs(value) < 2 ** 53:
            return str(int(value))
        return ("%.4f" % value).rstrip("0").rstrip(".")
    lowered = field.lower()
    if lowered in ("nan", "-nan", "inf", "-inf", "+inf", "infinity", "-infinity"):
        return lowered.replace("infinity", "inf").replace("+", "").replace("-nan", "nan")
    return field.replace("\\'", "'")  # 18.16's TabSeparated escapes ' as \'


def normalize(text, unordered):
    rows = ["\t".join(normalize_field(f) for f in line.split("\t"))
            for line in text.split("\n") if line != ""]
    return sorted(rows) if unordered else rows


def _read(path):
    if not os.path.exists(path):
        return None
    with open(path, encoding="utf-8", errors="replace") as f:
        return f.read()


def _timings(directory, engine):
    """name -> (median_ms or None, path or None). MUA's rows carry the path as column 3."""
    out = {}
    text = _read(os.path.join(directory, "timings.tsv"))
    for line in (text or "").splitlines():
        cells = line.split("\t")
        if engine == "mua":
            median, path = (cells + ["", ""])[1:3]
        else:
            median, path = (cells + [""])[1], None
        out[cells[0]] = (float(median) if median else None, path if path != "error" else None)
    return out


def _fmt_ms(ms):
    if ms is None:
        return "n/a"
    if ms >= 100:
        return "%.0f" % ms
    if ms >= 10:
        return "%.1f" % ms
    return "%.3g" % ms if ms >= 0.01 else "%.4f" % ms


def _spec_peers(name):
    """SPEC §9's figures at 10.66 M events, for comparison with the peers measured here."""
    return "%s / %s" % (SPEC_CLICKHOUSE.get(name, "-"), SPEC_DUCKDB.get(name, "-"))


def _target(name, mua_ms, peer_ms, where="in-process"):
    """SPEC §10 wording: bitmap-backed >= 50x the faster peer or <= 1 ms (dau <= 5 ms at
    10 M events); scans >= 5x or <= 1 ms. MUA's figure is in-process, not over HTTP."""
    if mua_ms is None:
        return "n/a"
    bitmap = name in BITMAP_QUERIES
    need = 50 if bitmap else 5
    if mua_ms <= 1:
        return "yes (<= 1 ms %s)" % where
    if name == "dau" and mua_ms <= 5:
        return "yes (dau <= 5 ms)"
    if peer_ms is None:
        return "? (no peer)"
    ratio = peer_ms / mua_ms
    if ratio >= need:
        return "yes (>= %dx)" % need
    return "NO (needs >= %dx)" % need


def report(args):
    queries = {q.name: q for q in load_queries(args.queries)}
    engines = [e for e in ("mua", "clickhouse", "duckdb")
               if os.path.isdir(os.path.join(args.results, e))]
    timings = {e: _timings(os.path.join(args.results, e), e) for e in engines}
    root = os.path.dirname(os.path.dirname(os.path.abspath(args.queries)))
    lines_out = []
    status = {}
    bad = 0
    for name in [n for n in ORDER if n in queries] + sorted(set(queries) - set(ORDER)):
        q = queries[name]
        if q.mirrors:  # the bench copy must not drift from the differential query
            original = _read(os.path.join(root, q.mirrors))
            if original is None:
                lines_out.append("WARNING %s: mirrored file %s not found" % (name, q.mirrors))
            else:
                mirrored = Query(os.path.join(root, q.mirrors))
                if mirrored.mua != q.mua or mirrored.clickhouse != q.clickhouse:
                    lines_out.append("WARNING %s: text differs from %s" % (name, q.mirrors))
        answers = {}
        errors = []
        for e in engines:
            text = _read(os.path.join(args.results, e, name + ".tsv"))
            if text is None:
                err = _read(os.path.join(args.results, e, name + ".err"))
                errors.append("%s: %s" % (e, (err or "no answer").strip().splitlines()[0][:200]))
            else:
                answers[e] = normalize(text, q.unordered)
        if errors:
            status[name] = "ERROR"
            bad += 1
            lines_out.append("ERROR    %s (%s)" % (name, "; ".join(errors)))
            continue
        if any(not a for a in answers.values()):
            status[name] = "EMPTY"
            bad += 1
            lines_out.append("EMPTY    %s: an engine returned no rows" % name)
            continue
        reference = "clickhouse" if "clickhouse" in answers else engines[0]
        diffs = []
        for e in engines:
            if e != reference and answers[e] != answers[reference]:
                diff = list(difflib.unified_diff(answers[reference], answers[e], reference, e,
                                                 lineterm="", n=0))
                diffs.append("\n".join("    " + d for d in diff[:14]) +
                             ("\n    ... (%d more diff lines)" % (len(diff) - 14)
                              if len(diff) > 14 else ""))
        if diffs:
            status[name] = "MISMATCH"
            bad += 1
            lines_out.append("MISMATCH %s (%d rows)\n%s" % (name, len(answers[reference]),
                                                            "\n".join(diffs)))
        else:
            status[name] = "PASS"
            lines_out.append("PASS     %s (%d rows equal on %s)" % (
                name, len(answers[reference]), ", ".join(engines)))
    print("\n".join(lines_out))

    header = ["query", "answers", "MUA ms", "path", "ClickHouse ms", "DuckDB ms",
              "faster peer / MUA", "SPEC §10 target met?", "§9 peers CH / DuckDB ms"]
    rows = []
    for name in ORDER + tuple(sorted(set(queries) - set(ORDER))):
        if name not in queries:
            continue
        mua_ms, path = timings.get("mua", {}).get(name, (None, None))
        ch_ms = timings.get("clickhouse", {}).get(name, (None, None))[0]
        dd_ms = timings.get("duckdb", {}).get(name, (None, None))[0]
        peers = [(ms, e) for ms, e in ((ch_ms, "CH"), (dd_ms, "DuckDB")) if ms is not None]
        peer_ms, peer = min(peers) if peers else (None, None)
        ratio = ("%.1fx (%s)" % (peer_ms / mua_ms, peer)
                 if peer_ms is not None and mua_ms else "n/a")
        target = _target(name, mua_ms, peer_ms, "over HTTP" if args.mua_http else "in-process")
        if status.get(name) != "PASS":
            target = "unverified: " + status.get(name, "?")
        rows.append([name, status.get(name, "?"), _fmt_ms(mua_ms), path or "n/a", _fmt_ms(ch_ms),
                     _fmt_ms(dd_ms), ratio, target, _spec_peers(name)])
    widths = [max(len(str(r[i])) for r in [header] + rows) for i in range(len(header))]
    print()
    for r in [header, ["-" * w for w in widths]] + rows:
        print("  ".join(str(c).ljust(w) for c, w in zip(r, widths)).rstrip())

    extra = []
    for e, label in (("mua", "MUA load"), ("clickhouse", "ClickHouse load"),
                     ("duckdb", "DuckDB load")):
        text = _read(os.path.join(args.results, e, "load.txt"))
        loadavg = _read(os.path.join(args.results, e, "loadavg.txt"))
        if text:
            extra.append("%s: %s%s" % (label, text.strip(), "; machine load average at start %s"
                                       % loadavg.strip() if loadavg else ""))
    if extra:
        print()
        print("\n".join(extra))
    if args.md:
        os.makedirs(os.path.dirname(os.path.abspath(args.md)), exist_ok=True)
        with open(args.md, "w") as f:
            f.write("# SPEC §9 query benchmark\n\n%s\n\n" % args.title)
            f.write("| " + " | ".join(header) + " |\n")
            f.write("|" + "|".join("---" for _ in header) + "|\n")
            for r in rows:
                f.write("| " + " | ".join(str(c) for c in r) + " |\n")
            mua_how = ("mua-server over one keep-alive HTTP connection (as ClickHouse)"
                       if args.mua_http else "in-process (SqlEngine::Execute + TabSeparated)")
            f.write("\nMUA: %s, median of the timed runs after a warm-up; ClickHouse 18.16: "
                    "one keep-alive HTTP connection; DuckDB: in-process (@duckdb/node-api). "
                    "`path` = EXPLAIN shows the bitmap path or a bitmap-backed §5a table "
                    "function (retention_matrix), the user sequence path (per-user states by "
                    "user-code range), or else a scan. Targets: SPEC §10 (bitmap-backed >= 50x, "
                    "scans >= 5x the faster peer, or <= 1 ms; MUA's time is %s).\n"
                    % (mua_how, "over HTTP" if args.mua_http else "in-process, not over HTTP"))
            if extra:
                f.write("\n" + "\n".join("- " + x for x in extra) + "\n")
            f.write("\n```\n" + "\n".join(lines_out) + "\n```\n")
        print("\nwrote " + args.md)
    return 1 if bad else 0


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    for engine in ("clickhouse", "mua"):
        ch = sub.add_parser(engine)
        ch.add_argument("--queries", required=True)
        ch.add_argument("--out", required=True)
        ch.add_argument("--port", type=int, required=engine == "mua",
                        default=int(os.environ.get("CH_HTTP_PORT", "8124")))
        ch.add_argument("--runs", type=int, default=5)
        ch.add_argument("--warmup", type=int, default=1)
        ch.add_argument("--filter", default="")
        ch.add_argument("--timeout", type=float, default=600)
    rep = sub.add_parser("report")
    rep.add_argument("--queries", required=True)
    rep.add_argument("--results", required=True)
    rep.add_argument("--md")
    rep.add_argument("--title", default="")
    rep.add_argument("--mua-http", action="store_true",
                     help="MUA's timings are over HTTP (bench.py mua), not in-process")
    args = parser.parse_args(argv[1:])
    return report(args) if args.command == "report" else run_http(args)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
