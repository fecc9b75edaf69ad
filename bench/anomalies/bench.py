#!/usr/bin/python3
"""Does anomalies() find injected incidents in 10 weeks of hourly traffic, and anomalous_users() bots?

Issue 21's criterion: on 10 weeks of generated hourly traffic with diurnal and weekly cycles
(>= 200 events in the quietest hour), injected spikes and drops of >= 30 % in weeks 9-10 are
all found with |score| above every normal hour's, and at most 1 % of normal hours are flagged;
bots sending 20x the median user's rate are the top of anomalous_users and no real user is.

The data: mua-gen --days 70 --app-age-days 3650 --weekend-factor 0.7 (steady traffic with a
weekly cycle, docs/INGEST.md) with --anomaly windows in weeks 9-10: events spikes and drops of
30 % to 100 %, a users spike and drop, a crash spike of the newest app version and bot:5 at
20x. It is streamed into a memory-only release mua-server (INSERT ... FORMAT JSONEachRow) and
each metric is scored over weeks 9-10:
  anomalies(metric => 'events', period => 'hour', seasonality => 'week', from, to)
  anomalies(metric => 'active_users', period => 'hour', ...)
  anomalies(metric => 'crash_rate', period => 'day', ...)   (sessions per hour are too few)
  anomalous_users(period => 'hour', from, to)
For each metric the buckets of the windows that change it are "injected", those of the other
windows and the bucket after any window are left out (sessions running on), and the rest are
"normal". It checks: every injected bucket flagged, min |score| of injected > max |score| of
normal, <= 1 % of normal buckets flagged; the bots are the top rows of anomalous_users and no
real user is in it. Prints the figures; exit status 1 when a criterion fails.
See bench/anomalies/README.md.
"""
import argparse
import datetime
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DAYS = 70
FIRST_DAY = 56  # week 9 starts on day 56 (0-based) of the period
HOUR = datetime.timedelta(hours=1)

# The injected windows: (kind, day of the period, hour of day, hours, factor). Days 56-69 are
# weeks 9-10; --start 2026-09-01 makes day 56 Tuesday 2026-10-27.
WINDOWS = [
    ("events", 57, 14, 6, 1.5),  # Wednesday afternoon, +50 %
    ("events", 59, 2, 4, 0.6),   # Friday night (the quiet hours), -40 %
    ("events", 60, 10, 3, 1.3),  # Saturday morning, +30 %
    ("events", 62, 19, 5, 0.7),  # Monday evening, -30 %
    ("events", 66, 8, 2, 2.0),   # Friday morning, x2
    ("users", 63, 12, 6, 1.6),   # Tuesday: +60 % users (their sessions beside the others')
    ("users", 64, 15, 6, 0.5),   # Wednesday: half the users gone
    ("crash", 67, 0, 48, 3.0),   # the weekend: crashes of the newest version (4.4.0) x3
    ("bot:5", 69, 0, 24, 20.0),  # Monday: 5 bots at 20x the median user's hourly events
]
# Which windows each metric must find, and which others move it and are left out of its
# normal buckets: a users window scales events as much as users, an events drop removes
# users too, crashes end sessions early, and bots add 5 x 220 events an hour (+25 % at
# 150 000 users: not a >= 30 % spike) and sessions without crashes. Spikes of events and
# users keep the version mix, so crash rates stay.
DETECTS = {
    "events": {"events", "users"},
    "active_users": {"users"},
    "crash_rate": {"crash"},
}
LEAVES_OUT = {
    "events": {"crash", "bot:5"},
    "active_users": {"events", "bot:5", "crash"},
    "crash_rate": {"bot:5"},
}


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Server:
    """A memory-only mua-server holding the events of --load FILE; with port, one already running."""

    def __init__(self, binary, work, events_file, port=0):
        self.process = None
        self.port = port
        if port:
            return
        self.port = free_port()
        self.log_path = os.path.join(work, "mua-server.log")
        self.log = open(self.log_path, "w")
        self.process = subprocess.Popen(
            [binary, "--load", events_file, "--http", f"127.0.0.1:{self.port}", "--data_dir", "",
             "--retention_days", "0", "--dedup_window", "0"], stdout=self.log, stderr=self.log)
        for _ in range(6000):  # loading 7.4 M events takes ~45 s on 2 busy cores
            if self.process.poll() is not None:
                break
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/ping", timeout=1) as response:
                    if response.read() == b"Ok.\n":
                        return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError(f"mua-server did not start; see {self.log_path}")

    def post(self, body):
        request = urllib.request.Request(f"http://127.0.0.1:{self.port}/", data=body, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=600) as response:
                return response.read().decode()
        except urllib.error.HTTPError as error:
            raise RuntimeError(f"HTTP {error.code}: {error.read().decode()[:500]}") from None

    def rows(self, sql):
        return [json.loads(line) for line in self.post((sql + " FORMAT JSONEachRow").encode()).splitlines() if line]

    def stop(self):
        if self.process is None:
            return
        self.process.terminate()
        self.process.wait(timeout=60)
        self.log.close()


def gen_command(args, out):
    command = [args.gen, "--users", str(args.users), "--days", str(DAYS), "--start", args.start,
               "--seed", str(args.seed), "--app-age-days", "3650", "--weekend-factor", "0.7", "--out", out]
    for kind, day, hour, hours, factor in WINDOWS:
        command += ["--anomaly", f"{kind}:{day * 24 + hour}:{hours}:{factor:g}"]
    return command


def parse_bucket(text):
    return datetime.datetime.strptime(text, "%Y-%m-%d %H:%M:%S")


def window_hours(start, kind_filter=None):
    """{window index: set of hour datetimes} of the windows whose kind passes the filter."""
    out = {}
    for index, (kind, day, hour, hours, _) in enumerate(WINDOWS):
        if kind_filter is None or kind in kind_filter:
            first = start + datetime.timedelta(days=day, hours=hour)
            out[index] = {first + i * HOUR for i in range(hours)}
    return out


def classify(rows, start, metric, period):
    """Splits a metric's scored buckets into {window: [rows]} injected, left out, and normal.

    A bucket after a window it detects or leaves out is left out too: sessions started in the
    window run on into it."""
    step = HOUR if period == "hour" else datetime.timedelta(days=1)
    relevant = DETECTS[metric] | LEAVES_OUT[metric]
    windows = window_hours(start, relevant)
    injected, left_out, normal = {}, [], []
    for row in rows:
        bucket = parse_bucket(row["bucket"])
        covered = {bucket + i * HOUR for i in range(int(step / HOUR))}
        hit = [i for i, hours in windows.items() if covered & hours]
        after = [i for i, hours in windows.items() if max(hours) + HOUR == bucket]
        mine = [i for i in hit if WINDOWS[i][0] in DETECTS[metric]]
        if mine:
            injected.setdefault(mine[0], []).append(row)
        elif hit or after:
            left_out.append(row)
        else:
            normal.append(row)
    return injected, left_out, normal


def abs_score(row):
    return abs(row["score"]) if row["score"] is not None else 0.0


def check_metric(server, args, start, metric, period, extra=""):
    frm = start + datetime.timedelta(days=FIRST_DAY)
    to = start + datetime.timedelta(days=DAYS)
    sql = (f"SELECT * FROM anomalies(metric => '{metric}', period => '{period}', seasonality => 'week', "
           f"from => '{frm:%Y-%m-%d}', to => '{to:%Y-%m-%d}'{extra})")
    began = time.time()
    rows = server.rows(sql)
    seconds = time.time() - began
    injected, left_out, normal = classify(rows, start, metric, period)
    injected_rows = [r for window in injected.values() for r in window]
    found = sum(r["anomaly"] for r in injected_rows)
    flagged = [r for r in normal if r["anomaly"]]
    min_injected = min((abs_score(r) for r in injected_rows), default=float("nan"))
    max_normal = max((abs_score(r) for r in normal), default=0.0)
    share = len(flagged) / max(1, len(normal))
    windows = sum(kind in DETECTS[metric] for kind, *_ in WINDOWS)
    ok = (found == len(injected_rows) and len(injected) == windows and min_injected > max_normal
          and share <= 0.01)
    print(f"{metric} ({period}s, {seconds:.2f} s): {sql}")
    print(f"  injected {period}s flagged {found}/{len(injected_rows)}; normal {period}s flagged "
          f"{len(flagged)}/{len(normal)} = {share:.2%} (criterion <= 1 %); min |score| injected "
          f"{min_injected:.2f} vs max |score| normal {max_normal:.2f}; {len(left_out)} left out: "
          f"{'PASS' if ok else 'FAIL'}")
    print(f"  {'window':<26} {period + 's':>5} {'flagged':>7} {'min |score|':>11} {'value/expected':>15}")
    for index in sorted(injected):
        kind, day, hour, hours, factor = WINDOWS[index]
        window = injected[index]
        ratio = sum(r["value"] for r in window) / max(1e-12, sum(r["expected"] for r in window))
        name = f"{kind} x{factor:g} day {day} {hour:02d}h+{hours}"
        print(f"  {name:<26} {len(window):>5} {sum(r['anomaly'] for r in window):>7} "
              f"{min(abs_score(r) for r in window):>11.2f} {ratio:>15.3f}")
    for r in sorted((r for r in injected_rows if not r["anomaly"]), key=lambda r: r["bucket"]):
        print(f"  missed {r['bucket']}: value {r['value']:.6g}, expected {r['expected']:.6g} "
              f"(x{r['value'] / max(1e-12, r['expected']):.3f}), score "
              f"{r['score'] if r['score'] is None else round(r['score'], 2)}")
    worst = sorted(normal, key=abs_score, reverse=True)[:args.show]
    for r in worst:
        print(f"  normal {r['bucket']}: value {r['value']:.6g}, expected {r['expected']:.6g} "
              f"(x{r['value'] / max(1e-12, r['expected']):.3f}), score "
              f"{r['score'] if r['score'] is None else round(r['score'], 2)}, anomaly {r['anomaly']}")
    return ok


def check_users(server, args, start):
    frm = start + datetime.timedelta(days=FIRST_DAY)
    to = start + datetime.timedelta(days=DAYS)
    sql = f"SELECT * FROM anomalous_users(period => 'hour', from => '{frm:%Y-%m-%d}', to => '{to:%Y-%m-%d}')"
    began = time.time()
    rows = server.rows(sql)
    seconds = time.time() - began
    bots = set(r["user_id"] for r in server.rows(
        f"SELECT user_id FROM events WHERE event_time >= '{frm:%Y-%m-%d}' AND event_time < '{to:%Y-%m-%d}' "
        f"GROUP BY user_id HAVING uniqExact(toStartOfHour(event_time)) = 24 AND count() > 2000"))
    rates = server.rows(
        f"SELECT median(c / h) AS median_rate, max(c / h) AS max_rate FROM (SELECT user_id, count() AS c, "
        f"uniqExact(toStartOfHour(event_time)) AS h FROM events WHERE event_time >= '{frm:%Y-%m-%d}' "
        f"AND event_time < '{to:%Y-%m-%d}' GROUP BY user_id)")[0]
    expected_bots = sum(int(kind.split(":")[1]) for kind, *_ in WINDOWS if kind.startswith("bot:"))
    top = [r["user_id"] for r in rows[:expected_bots]]
    real_flagged = [r for r in rows if r["user_id"] not in bots]
    ok = len(bots) == expected_bots and set(top) == bots and not real_flagged
    bot_scores = [r["score"] for r in rows if r["user_id"] in bots]
    print(f"anomalous_users (hours, {seconds:.2f} s): {sql}")
    print(f"  {len(rows)} users flagged; the {len(bots)} bots (rate {statistics.mean(r['rate'] for r in rows if r['user_id'] in bots) if bot_scores else 0:.0f}"
          f" events/active hour; median user {rates['median_rate']:.1f}) are the top {expected_bots}: "
          f"{set(top) == bots}; bots' score {min(bot_scores, default=float('nan')):.2f}; real users flagged "
          f"{len(real_flagged)}: {'PASS' if ok else 'FAIL'}")
    for r in real_flagged[:args.show]:
        print(f"  real user {r['user_id']}: events {r['events']}, periods {r['periods']}, rate {r['rate']:.1f}, score {r['score']:.2f}")
    return ok


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--build", default=os.path.join(ROOT, "build", "release"))
    parser.add_argument("--users", type=int, default=150000,
                        help="data size: users of mua-gen --app-age-days 3650 (about 49 events each over 70 days)")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--start", default="2026-09-01", help="first day; the 70 days must be in the past")
    parser.add_argument("--show", type=int, default=3, help="normal buckets with the largest |score| shown per metric")
    parser.add_argument("--work", default="", help="keep the server log (and with --keep the events) here")
    parser.add_argument("--keep", action="store_true", help="keep the generated events file")
    parser.add_argument("--port", type=int, default=0,
                        help="query a mua-server already running on this port with this data (as --keep left "
                             "it: mua-server --load FILE --data_dir '' --retention_days 0); no generating or loading")
    args = parser.parse_args()
    args.server = os.path.join(args.build, "bin", "mua-server")
    args.gen = os.path.join(args.build, "bin", "mua-gen")
    start = datetime.datetime.strptime(args.start, "%Y-%m-%d")
    scratch = not args.work  # removed at the end unless --keep
    args.work = args.work or tempfile.mkdtemp(prefix="mua_bench_anomalies_")
    os.makedirs(args.work, exist_ok=True)
    began = time.time()
    print(f"mua-server {args.server}; work {args.work}")
    print("data: mua-gen " + " ".join(gen_command(args, "FILE")[1:]))
    events_file = os.path.join(args.work, "events.jsonl")
    if not args.port:
        subprocess.run(gen_command(args, events_file), check=True)
    server = Server(args.server, args.work, events_file, args.port)
    try:
        if not args.keep and not args.port:
            os.remove(events_file)  # loaded: 2.8 GB at 150 000 users
        events = int(server.post(b"SELECT count() FROM events").strip())
        quiet = server.rows(
            f"SELECT min(c) AS quietest, median(c) AS median, max(c) AS busiest FROM (SELECT toStartOfHour(event_time) AS h, "
            f"count() AS c FROM events WHERE event_time >= '{args.start}' AND event_time < "
            f"'{start + datetime.timedelta(days=DAYS):%Y-%m-%d}' GROUP BY h)")[0]
        print(f"loaded {events} events in {time.time() - began:.0f} s; events per hour: quietest {quiet['quietest']}, "
              f"median {float(quiet['median']):.0f}, busiest {quiet['busiest']}")
        ok = int(quiet["quietest"]) >= 200
        ok &= check_metric(server, args, start, "events", "hour")
        ok &= check_metric(server, args, start, "active_users", "hour")
        ok &= check_metric(server, args, start, "crash_rate", "day")
        ok &= check_users(server, args, start)
    finally:
        server.stop()
    print(f"total {time.time() - began:.0f} s: {'PASS' if ok else 'FAIL'}")
    if scratch and not args.keep:
        shutil.rmtree(args.work, ignore_errors=True)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
