#!/usr/bin/python3
"""experiment() and system.experiments (SPEC §5b) against an independent computation.

mua-gen writes ~14 days of events with A/B tests (one with a true effect on purchase from
day 4 on, so CUPED has pre-period history; a weighted one exposed at the first session; a
three-variant one); hand-written events add an experiment assigned by exposure events, a
tiny one, one with few conversions and users seen in two variants (INSERT ... FORMAT
JSONEachRow). A real mua-server loads them all. Every experiment() row is then checked
against what this script computes from the JSON lines themselves — each line decoded here
(flat or nested shape, ISO or epoch timestamps), exposures, windows, per-user values and
CUPED done here — and SciPy: ttest_ind(equal_var=False), the pooled two-proportion z-test
with scipy.stats.norm, chisquare. Statistics agree to 1e-9 relative (1e-12 absolute for
tiny values); users, value, mean and stddev to 1e-12. Also: the guards (NULL statistics
and a note), system.experiments, and clear 4xx errors for bad arguments.

Needs SciPy: run with /usr/bin/python3 (python3-scipy, scripts/install-deps.sh).
  experiment_scipy_test.py MUA_SERVER MUA_GEN
"""
import bisect
import json
import math
import os
import random
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

try:
    import numpy as np
    from scipy import stats
except ImportError as error:  # CTest counts exit status 77 as skipped (SKIP_RETURN_CODE)
    print(f"skipped: {error}; install python3-scipy (scripts/install-deps.sh) and run with /usr/bin/python3")
    sys.exit(77)

SERVER, GEN = sys.argv[1:3]
WORK = tempfile.mkdtemp(prefix="mua_experiment_test_")
EXPOSURE_EVENT = "experiment_exposure"
MIN_USERS, MIN_CONVERSIONS = 50, 5
passed = failed = 0


def check(name, condition, detail=""):
    global passed, failed
    if condition:
        passed += 1
        print(f"ok: {name}")
    else:
        failed += 1
        print(f"FAILED: {name}" + (f"\n  {detail}" if detail else ""))


def sanitizer_report(text):
    match = re.search(r"(ERROR: (Address|Leak)Sanitizer|runtime error:)[^\n]*", text)
    return match.group(0) if match else ""


# --- The events, decoded here from the JSON lines (docs/INGEST.md), independent of MUA. ---

ISO = re.compile(r"(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(Z|[+-]\d{2}(?::?\d{2})?)?$")


def timestamp_ms(value):
    """event_timestamp as epoch milliseconds: epoch ms (number or digits) or ISO 8601."""
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.isdigit():
        return int(value)
    m = ISO.match(value)
    assert m, f"unexpected timestamp {value!r}"
    year, month, day, hour, minute, second = (int(g) for g in m.groups()[:6])
    ms = int((m.group(7) or "0")[:3].ljust(3, "0"))  # kept to the millisecond
    offset = 0
    zone = m.group(8)
    if zone and zone != "Z":
        sign = -1 if zone[0] == "-" else 1
        digits = zone[1:].replace(":", "")
        offset = sign * (int(digits[:2]) * 60 + (int(digits[2:]) if len(digits) > 2 else 0))
    stamp = datetime(year, month, day, hour, minute, second, tzinfo=timezone.utc) - timedelta(minutes=offset)
    return int(stamp.timestamp()) * 1000 + ms


class User:
    def __init__(self):
        self.assignments = []  # (time, experiment, variant)
        self.times = []        # every event's time
        self.by_type = {}      # event type -> sorted times
        self.values = {}       # (event type, property) -> [(time, JSONExtractFloat value)]


def json_float(properties, key):
    """JSONExtractFloat(properties, key): a JSON number, else 0."""
    value = properties.get(key)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return 0.0
    return float(value)


class Events:
    def __init__(self):
        self.users = {}
        self.seen = set()  # (user_id, event_id): repeats are dropped (de-duplication)
        self.count = 0

    def add_line(self, line):
        e = json.loads(line)
        user = e.get("user") if isinstance(e.get("user"), dict) else {}
        user_id = e.get("user_id") or user.get("user_id")
        event_id = e["event_id"]
        if (user_id, event_id) in self.seen:
            return
        self.seen.add((user_id, event_id))
        self.count += 1
        t = timestamp_ms(e.get("event_timestamp", e.get("event_time")))
        properties = e.get("properties", e.get("event_properties")) or {}
        u = self.users.setdefault(user_id, User())
        u.times.append(t)
        u.by_type.setdefault(e["event_type"], []).append(t)
        for key, value in properties.items():
            u.values.setdefault((e["event_type"], key), []).append((t, value))
        # Assignments: ab_test_variants at the top level or under `user`; exposure events.
        for holder in (e, user):
            variants = holder.get("ab_test_variants")
            if isinstance(variants, dict):
                for experiment, variant in variants.items():
                    assert isinstance(variant, str) and variant
                    u.assignments.append((t, experiment, variant))
        if e["event_type"] == EXPOSURE_EVENT:
            experiment, variant = properties.get("experiment"), properties.get("variant")
            if isinstance(experiment, str) and isinstance(variant, str):
                u.assignments.append((t, experiment, variant))

    def finish(self):
        for u in self.users.values():
            u.times.sort()
            for times in u.by_type.values():
                times.sort()
            for key, pairs in u.values.items():
                pairs.sort(key=lambda p: p[0])
                u.values[key] = ([t for t, _ in pairs], [v for _, v in pairs])


def local_midnight_ms(text, zone):
    """'YYYY-MM-DD' or 'YYYY-MM-DD HH:MM:SS' in `zone`, as epoch ms."""
    fmt = "%Y-%m-%d %H:%M:%S" if " " in text else "%Y-%m-%d"
    return int(datetime.strptime(text, fmt).replace(tzinfo=zone).timestamp() * 1000)


def local_day(ms, zone):
    return datetime.fromtimestamp(ms // 1000, zone).date().toordinal()


def assignments(events, name, to_ms):
    """user -> (first exposure, set of variants) over assignments before to_ms."""
    out = {}
    for user_id, u in events.users.items():
        first, variants = None, set()
        for t, experiment, variant in u.assignments:
            if experiment != name or t >= to_ms:
                continue
            variants.add(variant)
            first = t if first is None else min(first, t)
        if first is not None:
            out[user_id] = (first, variants)
    return out


def metric_value(u, metric, event, start, end, exposure, k, zone, value_property):
    """The metric over [start, end) for user u (retention: local day exposure day + k)."""
    if metric == "retention":
        times = u.by_type.get(event, []) if event else u.times
        target = local_day(exposure, zone) + k
        lo = bisect.bisect_left(times, start)
        hi = bisect.bisect_left(times, end)
        return 1.0 if any(local_day(t, zone) == target for t in times[lo:hi]) else 0.0
    if metric == "sum":
        times, values = u.values.get((event, value_property), ([], []))
        lo, hi = bisect.bisect_left(times, start), bisect.bisect_left(times, end)
        return sum(json_float({"v": v}, "v") for v in values[lo:hi])
    times = u.by_type.get(event, []) if event else u.times
    n = bisect.bisect_left(times, end) - bisect.bisect_left(times, start)
    return float(min(n, 1)) if metric == "conversion" else float(n)


def expected_rows(events, q):
    """The rows experiment() should return for query parameters q, computed here."""
    zone = ZoneInfo(q.get("timezone", "UTC"))
    from_ms, to_ms = local_midnight_ms(q["from"], zone), local_midnight_ms(q["to"], zone)
    metric, event = q.get("metric", "conversion"), q.get("event")
    window_ms = q.get("window_days", 0) * 86400000
    cuped, alpha, k = q.get("cuped", 0), q.get("alpha", 0.05), q.get("k", 7)
    seen = assignments(events, q["name"], to_ms)
    names = sorted({v for _, variants in seen.values() for v in variants})
    control = q.get("control", "control")
    if control not in names:
        control = names[0]
    order = [control] + [n for n in names if n != control]
    population, excluded = [], 0
    for user_id, (first, variants) in seen.items():
        if not from_ms <= first < to_ms:
            continue
        if len(variants) > 1:
            excluded += 1
        else:
            population.append((user_id, first, next(iter(variants))))
    ys, xs = {}, {}
    for user_id, first, variant in population:
        u = events.users[user_id]
        end = to_ms if metric == "retention" or not window_ms else min(first + window_ms, to_ms)
        ys[user_id] = metric_value(u, metric, event, first, end, first, k, zone, q.get("value_property"))
        if cuped:
            xs[user_id] = metric_value(u, metric, event, first - (end - first), first, first, k, zone,
                                       q.get("value_property"))
    raw = {user_id: y for user_id, y in ys.items()}
    analyzed = dict(raw)
    if cuped:
        ids = [user_id for user_id, _, _ in population]
        x = np.array([xs[i] for i in ids])
        y = np.array([raw[i] for i in ids])
        var_x = np.var(x, ddof=1) if len(x) > 1 else 0.0
        theta = float(np.cov(x, y, ddof=1)[0, 1] / var_x) if var_x > 0 else 0.0
        mean_x = float(np.mean(x)) if len(x) else 0.0
        analyzed = {i: raw[i] - theta * (xs[i] - mean_x) for i in ids}
    by_variant = {v: [] for v in names}
    for user_id, _, variant in population:
        by_variant[variant].append(user_id)
    counts = [len(by_variant[v]) for v in order]
    weights = q.get("weights") or [1.0] * len(order)
    total = sum(counts)
    srm = float(stats.chisquare(counts, [total * w / sum(weights) for w in weights]).pvalue)
    z = stats.norm.ppf(1 - alpha / 2)
    c_vals = np.array([analyzed[i] for i in by_variant[control]])
    c_converted = sum(1 for i in by_variant[control] if raw[i] > 0)
    rows = []
    for v in order:
        vals = np.array([analyzed[i] for i in by_variant[v]])
        row = {"variant": v, "users": len(vals), "value": sum(raw[i] for i in by_variant[v]),
               "mean": float(np.mean(vals)) if len(vals) else 0.0,
               "stddev": float(np.std(vals, ddof=1)) if len(vals) > 1 else 0.0,
               "lift": None, "lift_ci_low": None, "lift_ci_high": None, "p_value": None,
               "chance_to_beat_control": None, "significant": None, "srm_p_value": srm,
               "excluded_users": excluded, "note": ""}
        rows.append(row)
        if v == control:
            continue
        converted = sum(1 for i in by_variant[v] if raw[i] > 0)
        if len(c_vals) < MIN_USERS or len(vals) < MIN_USERS:
            row["note"] = "fewer than 50 users in " + ("control" if len(c_vals) < MIN_USERS else "this variant")
            continue
        if metric == "conversion" and (c_converted < MIN_CONVERSIONS or converted < MIN_CONVERSIONS):
            row["note"] = ("fewer than 5 converted users in " +
                           ("control" if c_converted < MIN_CONVERSIONS else "this variant"))
            continue
        mt, mc = float(np.mean(vals)), float(np.mean(c_vals))
        vt, vc = float(np.var(vals, ddof=1)), float(np.var(c_vals, ddof=1))
        nt, nc = len(vals), len(c_vals)
        assert mc != 0
        lift = mt / mc - 1
        se = math.sqrt(vt / (nt * mc * mc) + mt * mt * vc / (nc * mc ** 4))
        if metric == "conversion" and not cuped:
            xt, xc = row["value"], rows[0]["value"]
            pooled = (xt + xc) / (nt + nc)
            zscore = (xt / nt - xc / nc) / math.sqrt(pooled * (1 - pooled) * (1 / nt + 1 / nc))
            p = float(2 * stats.norm.sf(abs(zscore)))
        else:
            p = float(stats.ttest_ind(vals, c_vals, equal_var=False).pvalue)
        row.update(lift=lift, lift_ci_low=lift - z * se, lift_ci_high=lift + z * se, p_value=p,
                   chance_to_beat_control=float(stats.norm.cdf((mt - mc) / math.sqrt(vt / nt + vc / nc))),
                   significant=int(p < alpha))
    return rows


# --- MUA over HTTP. ---

def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


PORT = None


def post(body, timeout=120):
    """(HTTP status, body text)."""
    request = urllib.request.Request(f"http://127.0.0.1:{PORT}/", data=body.encode(), method="POST")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def rows_of(sql):
    status, text = post(sql + " FORMAT JSONEachRow")
    assert status == 200, f"{status}: {text}"
    return [json.loads(line) for line in text.splitlines() if line]


def sql_of(q):
    args = [f"name => '{q['name']}'"]
    if "metric" in q:
        args.append(f"metric => '{q['metric']}'")
    if q.get("event"):
        args.append(f"event => '{q['event']}'")
    if q.get("window_days"):
        args.append(f"window => INTERVAL {q['window_days']} DAY")
    for key in ("control", "value_property", "timezone", "from", "to"):
        if key in q:
            args.append(f"{key} => '{q[key]}'")
    for key in ("k", "alpha", "cuped"):
        if key in q:
            args.append(f"{key} => {q[key]}")
    if "weights" in q:
        args.append(f"weights => [{', '.join(str(w) for w in q['weights'])}]")
    return f"SELECT * FROM experiment({', '.join(args)})"


def close(a, b, rel):
    if a is None or b is None:
        return a is None and b is None
    return abs(a - b) <= rel * max(abs(a), abs(b)) + 1e-12


STATS = ("lift", "lift_ci_low", "lift_ci_high", "p_value", "chance_to_beat_control", "srm_p_value")


def compare(label, got, want):
    if [r["variant"] for r in got] != [r["variant"] for r in want]:
        check(f"{label}: rows", False, f"MUA {[r['variant'] for r in got]}, expected {[r['variant'] for r in want]}")
        return
    problems = []
    for g, w in zip(got, want):
        v = w["variant"]
        if int(g["users"]) != w["users"] or int(g["excluded_users"]) != w["excluded_users"]:
            problems.append(f"{v}: users/excluded MUA {g['users']}/{g['excluded_users']}, "
                            f"expected {w['users']}/{w['excluded_users']}")
        for key in ("value", "mean", "stddev"):
            if not close(g[key], w[key], 1e-12):
                problems.append(f"{v}: {key} MUA {g[key]!r}, expected {w[key]!r}")
        for key in STATS:
            if not close(g[key], w[key], 1e-9):
                problems.append(f"{v}: {key} MUA {g[key]!r}, expected {w[key]!r}")
        if g["significant"] != w["significant"]:
            problems.append(f"{v}: significant MUA {g['significant']!r}, expected {w['significant']!r}")
        if g["note"] != w["note"]:
            problems.append(f"{v}: note MUA {g['note']!r}, expected {w['note']!r}")
    check(label, not problems, "\n  ".join(problems))


def summary_line(rows):
    return "; ".join(f"{r['variant']} n={r['users']} mean={r['mean']:.4g} p={r['p_value']}" for r in rows)


# --- Hand-written events: exposure events, small experiments, users in two variants. ---

def hand_events():
    rng = random.Random(20261001)
    lines = []
    seq = [0]

    def event(user, event_type, when, properties=None, variants=None, nested=False):
        seq[0] += 1
        stamp = when.strftime("%Y-%m-%dT%H:%M:%S.") + f"{when.microsecond // 1000:03d}Z"
        if nested:
            e = {"event_id": f"h{seq[0]}", "event_type": event_type, "event_timestamp": stamp,
                 "user": {"user_id": user}, "event_properties": properties or {}}
            if variants:
                e["user"]["ab_test_variants"] = variants
        else:
            e = {"event_id": f"h{seq[0]}", "user_id": user, "event_type": event_type,
                 "event_timestamp": int(when.replace(tzinfo=timezone.utc).timestamp() * 1000),
                 "properties": properties or {}}
            if variants:
                e["ab_test_variants"] = variants
        lines.append(json.dumps(e))

    def at(day, hours=0.0):
        return datetime(2026, 10, day) + timedelta(hours=hours)

    def expose(experiment, user, variant, when):
        event(user, EXPOSURE_EVENT, when, {"experiment": experiment, "variant": variant})

    prices = [4.99, 9.99, 19.99, "abc", 0.5]
    # exp_events: assigned by exposure events only; purchases after (and some before).
    for i in range(150):
        user, variant = f"hxe{i}", ("control", "treatment")[i % 2]
        exposure = at(3, i * 0.61)
        if rng.random() < 0.5:
            event(user, "purchase", exposure - timedelta(hours=rng.uniform(1, 60)),
                  {"price": rng.choice(prices)})
        expose("exp_events", user, variant, exposure)
        for _ in range(rng.choice([0, 0, 1, 1, 2, 3]) + (variant == "treatment")):
            event(user, "purchase", exposure + timedelta(hours=rng.uniform(0.01, 200)),
                  {"price": rng.choice(prices)})
        event(user, "app_open", exposure + timedelta(days=rng.choice([1, 2, 3])))
    expose("exp_events", "hxe-both", "control", at(4, 10))            # two variants, both by exposure events
    expose("exp_events", "hxe-both", "treatment", at(5, 10))
    event("hxe-mixed", "app_open", at(4, 11), variants={"exp_events": "control"})  # by both sources
    expose("exp_events", "hxe-mixed", "treatment", at(6))
    expose("exp_events", "hxe-early", "treatment", at(1) - timedelta(hours=2))   # before from
    expose("exp_events", "hxe-after", "control", at(15, 1))                       # after to
    # tiny: 20 + 20 users, assigned under `user` in the nested shape: too few users.
    for i in range(40):
        user, variant = f"hxt{i}", ("control", "treatment")[i % 2]
        event(user, "app_open", at(8, i * 0.1), variants={"tiny": variant}, nested=True)
        if i % 3 == 0:
            event(user, "purchase", at(8, i * 0.1 + 1), {"price": 1.0}, nested=True)
    # rare: 60 + 60 users, 10 control conversions, 3 treatment: too few conversions.
    for i in range(120):
        user, variant = f"hxr{i}", ("control", "treatment")[i % 2]
        event(user, "app_open", at(9, i * 0.05), variants={"rare": variant})
        if (variant == "control" and i < 20) or (variant == "treatment" and i < 6):
            event(user, "purchase", at(9, i * 0.05 + 2), {"price": 2.0})
    # checkout_v2 (generated): a user seen in both variants before 10-07 12:00, and one whose
    # second variant comes after every `to` below (so only system.experiments excludes them).
    event("hx-both", "app_open", at(6, 12), variants={"checkout_v2": "control"})
    event("hx-both", "purchase", at(6, 13), {"price": 3.0}, variants={"checkout_v2": "control"})
    event("hx-both", "app_open", at(7, 12), variants={"checkout_v2": "treatment"})
    event("hx-late", "app_open", at(9, 12), variants={"checkout_v2": "treatment"})
    event("hx-late", "purchase", at(9, 13), {"price": 5.0}, variants={"checkout_v2": "treatment"})
    event("hx-late", "app_open", at(20, 12), variants={"checkout_v2": "control"})
    return lines


def main():
    global PORT
    server = None
    try:
        data = os.path.join(WORK, "events.jsonl")
        started = time.time()
        subprocess.run([GEN, "--users", "2500", "--days", "14", "--seed", "11", "--out", data,
                        "--experiment", "checkout_v2:control,treatment:purchase*1.5@4",
                        "--experiment", "onboarding:control=52,treatment=48",
                        "--experiment", "pricing:control=50,low=25,high=25:add_to_cart*1.3@2"],
                       check=True, stderr=subprocess.DEVNULL)
        PORT = free_port()
        log = open(os.path.join(WORK, "server.err"), "w+")
        server = subprocess.Popen([SERVER, "--load", data, "--http", f"127.0.0.1:{PORT}",
                                   "--data_dir", os.path.join(WORK, "data"), "--retention_days", "0"],
                                  stdout=log, stderr=log)
        events = Events()
        with open(data) as lines:
            for line in lines:
                events.add_line(line)
        extra = hand_events()
        for line in extra:
            events.add_line(line)
        events.finish()
        for _ in range(900):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{PORT}/ping", timeout=1) as response:
                    if response.read() == b"Ok.\n":
                        break
            except OSError:
                time.sleep(0.2)
        status, text = post("INSERT INTO events FORMAT JSONEachRow\n" + "\n".join(extra) + "\n")
        check("INSERT of the hand-written events", status == 200, f"{status} {text}")
        stored = rows_of("SELECT count() AS n FROM events")[0]["n"]
        check(f"every event stored ({events.count})", int(stored) == events.count, f"MUA {stored}")
        print(f"# data and load: {time.time() - started:.1f} s")

        window_kinds = [0, 3]
        queries = []
        for cuped in (0, 1):
            for window in window_kinds:
                base = {"name": "checkout_v2", "from": "2026-10-01", "to": "2026-10-15", "cuped": cuped,
                        "window_days": window}
                queries.append(dict(base, metric="conversion", event="purchase"))
                queries.append(dict(base, metric="count", event="purchase"))
                queries.append(dict(base, metric="sum", event="purchase", value_property="price"))
        queries += [
            {"name": "checkout_v2", "metric": "count", "from": "2026-10-05", "to": "2026-10-12",
             "window_days": 2, "cuped": 1},                                    # any event; `to` cuts windows
            {"name": "checkout_v2", "metric": "conversion", "event": "purchase", "from": "2026-10-06",
             "to": "2026-10-07 12:00:00", "window_days": 7, "alpha": 0.01},    # hx-both still in control
            {"name": "checkout_v2", "metric": "conversion", "event": "purchase", "from": "2026-10-05",
             "to": "2026-10-13", "window_days": 7, "cuped": 1, "alpha": 0.1, "control": "treatment"},
            {"name": "checkout_v2", "metric": "retention", "from": "2026-10-01", "to": "2026-10-15"},
            {"name": "checkout_v2", "metric": "retention", "event": "app_open", "k": 3, "window_days": 1,
             "from": "2026-10-01", "to": "2026-10-15", "timezone": "America/New_York"},
            {"name": "checkout_v2", "metric": "retention", "event": "purchase", "k": 1, "from": "2026-10-03",
             "to": "2026-10-14", "timezone": "Asia/Kolkata"},
            {"name": "onboarding", "metric": "conversion", "event": "purchase", "from": "2026-10-01",
             "to": "2026-10-15", "window_days": 7, "weights": [52, 48]},
            {"name": "onboarding", "metric": "count", "event": "purchase", "from": "2026-10-01",
             "to": "2026-10-15", "cuped": 1, "weights": [0.52, 0.48]},        # no pre-period: theta = 0
            {"name": "pricing", "metric": "count", "event": "add_to_cart", "from": "2026-10-01",
             "to": "2026-10-15", "window_days": 5, "weights": [0.5, 0.25, 0.25]},
            {"name": "pricing", "metric": "conversion", "event": "add_to_cart", "from": "2026-10-01",
             "to": "2026-10-15", "window_days": 5, "cuped": 1, "control": "low", "weights": [1, 2, 1]},
            {"name": "exp_events", "metric": "conversion", "event": "purchase", "from": "2026-10-01",
             "to": "2026-10-15", "window_days": 7},
            {"name": "exp_events", "metric": "sum", "event": "purchase", "value_property": "price",
             "from": "2026-10-01", "to": "2026-10-15", "window_days": 7, "cuped": 1},
            {"name": "exp_events", "metric": "count", "event": "purchase", "from": "2026-10-01",
             "to": "2026-10-15", "cuped": 1},
            {"name": "exp_events", "metric": "retention", "event": "app_open", "k": 2, "from": "2026-10-01",
             "to": "2026-10-15"},
            {"name": "tiny", "metric": "conversion", "event": "purchase", "from": "2026-10-01", "to": "2026-10-15"},
            {"name": "rare", "metric": "conversion", "event": "purchase", "from": "2026-10-01", "to": "2026-10-15"},
            {"name": "rare", "metric": "conversion", "event": "purchase", "from": "2026-10-01", "to": "2026-10-15",
             "control": "treatment"},
            {"name": "rare", "metric": "count", "event": "purchase", "from": "2026-10-01", "to": "2026-10-15"},
        ]
        for q in queries:
            sql = sql_of(q)
            try:
                got = rows_of(sql)
            except AssertionError as error:
                check(sql, False, str(error))
                continue
            want = expected_rows(events, q)
            compare(sql, got, want)
            print(f"#   {summary_line(want)}")

        # The checks above must have seen what they are meant to: a real effect, CUPED at work,
        # the exclusions, and the guards.
        q = {"name": "checkout_v2", "metric": "conversion", "event": "purchase", "from": "2026-10-01",
             "to": "2026-10-15", "window_days": 7}
        plain, adjusted = expected_rows(events, q), expected_rows(events, dict(q, cuped=1))
        check("checkout_v2's effect is detected (p < 0.05)", plain[1]["p_value"] < 0.05, summary_line(plain))
        check("CUPED changes the analyzed values", plain[1]["stddev"] != adjusted[1]["stddev"])
        check("checkout_v2 counts hx-both as excluded", plain[0]["excluded_users"] == 1)
        tiny = expected_rows(events, {"name": "tiny", "metric": "conversion", "event": "purchase",
                                      "from": "2026-10-01", "to": "2026-10-15"})
        check("tiny is guarded", tiny[1]["note"].startswith("fewer than 50 users") and tiny[1]["p_value"] is None)
        ev = expected_rows(events, {"name": "exp_events", "metric": "conversion", "event": "purchase",
                                    "from": "2026-10-01", "to": "2026-10-15"})
        check("exp_events: 150 users, 2 excluded", sum(r["users"] for r in ev) == 150 and ev[0]["excluded_users"] == 2,
              summary_line(ev))

        # system.experiments: every assignment, no time bound.
        got = {r["experiment"]: r for r in rows_of("SELECT * FROM system.experiments")}
        want = {}
        for user_id, u in events.users.items():
            per = {}
            for t, experiment, variant in u.assignments:
                first, variants = per.get(experiment, (t, set()))
                variants.add(variant)
                per[experiment] = (min(first, t), variants)
            for experiment, (first, variants) in per.items():
                w = want.setdefault(experiment, {"variants": {}, "first": first, "last": first, "excluded": 0})
                w["first"], w["last"] = min(w["first"], first), max(w["last"], first)
                if len(variants) > 1:
                    w["excluded"] += 1
                else:
                    (variant,) = variants
                    w["variants"][variant] = w["variants"].get(variant, 0) + 1
        check("system.experiments lists every experiment", sorted(got) == sorted(want), f"{sorted(got)}")
        for name, w in sorted(want.items()):
            if name not in got:
                continue
            g = got[name]
            names = sorted(w["variants"])
            fmt = lambda ms: f"{datetime.fromtimestamp(ms // 1000, timezone.utc):%Y-%m-%d %H:%M:%S}.{ms % 1000:03d}"
            w_expected = {"experiment": name, "variants": names,
                          "users_per_variant": [str(w["variants"][n]) for n in names],
                          "users": str(sum(w["variants"].values())), "first_exposure": fmt(w["first"]),
                          "last_exposure": fmt(w["last"]), "excluded_users": str(w["excluded"])}
            check(f"system.experiments row {name}", g == w_expected, f"MUA {g}\n  expected {w_expected}")

        # Bad arguments: a 4xx with a message that says what is wrong.
        for label, sql, message in [
            ("unknown metric", "SELECT * FROM experiment(name => 'checkout_v2', metric => 'ctr', event => 'purchase')",
             "metric must be 'conversion', 'count', 'sum' or 'retention'"),
            ("weights count mismatch",
             "SELECT * FROM experiment(name => 'pricing', event => 'purchase', weights => [0.5, 0.5])",
             "weights has 2 entries but experiment 'pricing' has 3 variants"),
            ("cuped with retention", "SELECT * FROM experiment(name => 'checkout_v2', metric => 'retention', cuped => 1)",
             "cuped => 1 is not available for metric 'retention'"),
            ("sum without value_property",
             "SELECT * FROM experiment(name => 'checkout_v2', metric => 'sum', event => 'purchase')",
             "needs value_property"),
            ("conversion without event", "SELECT * FROM experiment(name => 'checkout_v2')", "needs event"),
            ("no name", "SELECT * FROM experiment(metric => 'count')", "experiment needs name"),
            ("unknown control", "SELECT * FROM experiment(name => 'checkout_v2', event => 'purchase', control => 'ctl')",
             "has no variant 'ctl'"),
            ("alpha out of range",
             "SELECT * FROM experiment(name => 'checkout_v2', event => 'purchase', alpha => 1.5)", "alpha"),
            ("negative weight",
             "SELECT * FROM experiment(name => 'checkout_v2', event => 'purchase', weights => [1, -1])", "weights"),
            ("unknown argument", "SELECT * FROM experiment(name => 'checkout_v2', event => 'purchase', windw => 3)",
             "windw"),
        ]:
            status, text = post(sql)
            check(f"error: {label} -> {status}", 400 <= status < 500 and message in text, f"{status} {text.strip()}")
        check("the server still answers", post("SELECT 1")[0] == 200)
        print(f"# total: {time.time() - started:.1f} s")
    finally:
        if server is not None:
            server.terminate()
            try:
                code = server.wait(timeout=60)
            except subprocess.TimeoutExpired:
                server.kill()
                code = server.wait()
            log.seek(0)
            err = log.read()
            check("mua-server exits cleanly on SIGTERM", code == 0, f"exit {code}\n{err[-2000:]}")
            check("no sanitizer report from mua-server", not sanitizer_report(err), sanitizer_report(err))
            if failed:
                print(err[-3000:])
        shutil.rmtree(WORK, ignore_errors=True)
    print(f"{passed} passed, {failed} failed")
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
