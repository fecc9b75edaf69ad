#!/usr/bin/env python3
"""Puts one run of bench/peers/run.sh into bench/RESULTS.md: replaces the section of that
dataset size ("## 10m events", ...), keeps the others, and keeps "## Log of optimizations"
(appended to by later work) at the end. With --ingest, a run of bench/peers/ingest.sh
replaces the "## Ingest" section instead (after the size sections), touching nothing else.

  results_md.py --results-md FILE --repo DIR --events 10m --title TEXT --table table.md
                [--clickhouse-version V] [--ingest]
"""

import argparse
import os
import platform
import re
import subprocess
import sys

LOG_HEADING = "## Log of optimizations"
INGEST_KEY = "ingest"
SIZE_ORDER = ("100k", "1m", "10m", "100m")
PREAMBLE = """# MUA vs ClickHouse vs DuckDB (SPEC §9/§10)

Written by `bench/peers/run.sh` (see bench/peers/README.md): the same mua-gen events loaded into
MUA (`mua-server --load`, queried over HTTP), ClickHouse 18.16 (HTTP) and DuckDB
(in-process, @duckdb/node-api); every answer compared; 1 warm-up + median of the timed runs,
hot. One section per dataset size, replaced by each run of that size.
"""


def _git_rev(repo):
    """HEAD's commit, read from .git without running git."""
    git = os.path.join(repo, ".git")
    try:
        with open(os.path.join(git, "HEAD")) as f:
            head = f.read().strip()
        if not head.startswith("ref: "):
            return head[:12]
        ref = head[5:]
        path = os.path.join(git, ref)
        if os.path.exists(path):
            with open(path) as f:
                return f.read().strip()[:12] + " (" + ref.split("/")[-1] + ")"
        with open(os.path.join(git, "packed-refs")) as f:
            for line in f:
                if line.rstrip().endswith(" " + ref):
                    return line.split()[0][:12] + " (" + ref.split("/")[-1] + ")"
    except OSError:
        pass
    return "unknown"


def _machine():
    model = "unknown CPU"
    try:
        out = subprocess.run(["lscpu"], capture_output=True, text=True, check=False).stdout
        m = re.search(r"^Model name:\s*(.+)$", out, re.M)
        if m:
            model = m.group(1).strip()
    except OSError:
        pass
    ram = "?"
    with open("/proc/meminfo") as f:
        for line in f:
            if line.startswith("MemTotal:"):
                ram = "%.1f GiB" % (int(line.split()[1]) / 1024 / 1024)
    return "%d cores (nproc), %s, %s RAM, %s" % (os.cpu_count() or 0, model, ram,
                                                  platform.platform())


def main(argv):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--results-md", required=True)
    p.add_argument("--repo", required=True)
    p.add_argument("--events", required=True)
    p.add_argument("--title", required=True)
    p.add_argument("--table", required=True)
    p.add_argument("--clickhouse-version", default="?")
    p.add_argument("--ingest", action="store_true",
                   help="the table is bench/peers/ingest.sh's: replace the Ingest section")
    args = p.parse_args(argv[1:])

    with open(args.table, encoding="utf-8") as f:
        table = f.read()
    if args.ingest:
        key = INGEST_KEY
        section = "\n".join([
            "## Ingest",
            "",
            "Written by `bench/peers/ingest.sh --events %s` (bench/peers/README.md): MUA from Kafka"
            " JSON to queryable, and ClickHouse's TSV and JSONEachRow inserts, on the same events."
            % args.events,
            "",
            "- run: %s" % args.title,
            "- machine: %s" % _machine(),
            "- versions: MUA %s; ClickHouse %s" % (_git_rev(args.repo), args.clickhouse_version),
            "",
            table.strip(),
            "",
        ])
    else:
        key = args.events
        table = re.sub(r"^# .*\n\n.*\n\n", "", table, count=1)  # bench.py's heading and title
        duckdb = re.search(r"DuckDB (v?[\d.]+)", table)
        section = "\n".join([
            "## %s events" % args.events,
            "",
            "- run: %s" % args.title,
            "- machine: %s" % _machine(),
            "- versions: MUA %s; ClickHouse %s; DuckDB %s" % (
                _git_rev(args.repo), args.clickhouse_version, duckdb.group(1) if duckdb else "?"),
            "",
            table.strip(),
            "",
        ])

    old = ""
    if os.path.exists(args.results_md):
        with open(args.results_md, encoding="utf-8") as f:
            old = f.read()
    parts = re.split(r"(?m)^(?=## )", old)
    sections = {}
    log = LOG_HEADING + "\n\n(none yet: append `- date: change — effect on the table` lines)\n"
    for part in parts[1:]:
        heading = part.splitlines()[0]
        if heading.strip() == LOG_HEADING:
            log = part.rstrip() + "\n"
        else:
            m = re.match(r"## (\S+) events", heading)
            if heading.strip() == "## Ingest":
                sections[INGEST_KEY] = part.rstrip() + "\n"
            else:
                sections[m.group(1) if m else heading] = part.rstrip() + "\n"
    sections[key] = section
    order = SIZE_ORDER + (INGEST_KEY,)
    keys = sorted(sections, key=lambda k: order.index(k) if k in order else 99)
    preamble = parts[0].rstrip() + "\n" if parts and parts[0].strip() else PREAMBLE
    with open(args.results_md, "w", encoding="utf-8") as f:
        f.write(preamble + "\n" + "\n".join(sections[k] for k in keys) + "\n" + log)
    print("wrote %s (section %s)" % (args.results_md, "Ingest" if args.ingest else args.events + " events"))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
