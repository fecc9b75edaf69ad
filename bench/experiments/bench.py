#!/usr/bin/python3
"""Does experiment() keep its promises over many simulated A/B tests? (SPEC §5b)

  A/A    over --aa-seeds independent data sets (default 1000) with no effect, the share of
         significant = 1 at alpha 0.05 lies in [3 %, 7 %].
  power  over --power-seeds data sets (default 200) with a true effect on purchase sized for
         ~90 % analytic power, the share detected (significant, lift > 0) lies within three
         standard errors of the analytic power (normal approximation of the pooled z-test).
  SRM    a 52/48 split of 100 000 users gives srm_p_value < 0.001 against the 50/50 default.

Every data set is its own mua-gen run (--seed S, --users 2000, --days 7, one experiment named
after the seed, exposure at each user's first session); user ids get the prefix "s<S>-" so
data sets never share a user, and a batch of them is INSERTed into one mua-server
(release build, memory only) and each is analyzed with
  experiment(name => 'aaS', metric => 'conversion', event => 'purchase',
             window => INTERVAL 7 DAY, from => '2026-10-01', to => '2026-10-08', alpha => 0.05).
Only app_open and purchase events are sent: the exposure is the first event of the first
session (an app_open) and the metric reads purchases only, so the answer is the same as with
every event (checked on the first seed of each kind against the full data unless --no-verify).

Prints the figures; exit status 1 when a criterion fails. See bench/experiments/README.md.
"""
import argparse
import concurrent.futures
import json
import math
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

from scipy import stats

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
FROM, TO = "2026-10-01", "2026-10-08"
ALPHA = 0.05  # --alpha
KEEP = (b'"event_type":"app_open"', b'"event_type":"purchase"')


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Server:
    """A memory-only mua-server; events come by INSERT."""

    def __init__(self, binary, work, name):
        self.port = free_port()
        self.log_path = os.path.join(work, name.replace("/", "") + ".log")
        self.log = open(self.log_path, "w")
        self.process = subprocess.Popen(
            [binary, "--http", f"127.0.0.1:{self.port}", "--data_dir", "", "--retention_days", "0",
             "--dedup_window", "0"], stdout=self.log, stderr=self.log)
        for _ in range(300):
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

    def insert(self, data):
        self.post(b"INSERT INTO events FORMAT JSONEachRow\n" + data)

    def rows(self, sql):
        return [json.loads(line) for line in self.post((sql + " FORMAT JSONEachRow").encode()).splitlines() if line]

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=60)
        self.log.close()


def generate(gen, seed, users, days, experiment, keep_all=False):
    """One data set's JSON lines, user ids prefixed with s<seed>-."""
    out = subprocess.run([gen, "--users", str(users), "--days", str(days), "--seed", str(seed),
                          "--experiment", experiment, "--out", "-"],
                         stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, check=True).stdout
    if not keep_all:
        out = b"\n".join(line for line in out.split(b"\n") if KEEP[0] in line or KEEP[1] in line) + b"\n"
    return out.replace(b'"user_id":"', b'"user_id":"s%d-' % seed)


def experiment_sql(name, weights=None, to=TO):
    extra = f", weights => [{', '.join(map(str, weights))}]" if weights else ""
    return (f"SELECT * FROM experiment(name => '{name}', metric => 'conversion', event => 'purchase', "
            f"window => INTERVAL 7 DAY, from => '{FROM}', to => '{to}', alpha => {ALPHA}{extra})")


def run_seeds(args, kind, seeds, spec_of):
    """Analyzes each seed's own experiment; returns {seed: rows}."""
    results = {}
    pool = concurrent.futures.ThreadPoolExecutor(max_workers=2)  # mua-gen runs beside the inserts
    started = time.time()
    for first in range(0, len(seeds), args.batch):
        batch = seeds[first:first + args.batch]
        server = Server(args.server, args.work, f"{kind}-{first}")
        try:
            jobs = [pool.submit(generate, args.gen, seed, args.users, args.days, spec_of(seed)) for seed in batch]
            for job in jobs:
                server.insert(job.result())
            for seed in batch:
                results[seed] = server.rows(experiment_sql(spec_of(seed).split(":")[0]))
        finally:
            server.stop()
        print(f"  {kind}: {first + len(batch)}/{len(seeds)} seeds, {time.time() - started:.0f} s", flush=True)
    pool.shutdown()
    return results


def verify(args, kind, seed, spec, filtered_rows):
    """The first seed again with every event: the same rows."""
    server = Server(args.server, args.work, f"verify-{kind}")
    try:
        server.insert(generate(args.gen, seed, args.users, args.days, spec, keep_all=True))
        full = server.rows(experiment_sql(spec.split(":")[0]))
    finally:
        server.stop()
    def same_row(a, b):
        return all(a[k] == b[k] if not isinstance(a[k], float) or not isinstance(b[k], float)
                   else abs(a[k] - b[k]) <= 1e-12 * max(abs(a[k]), abs(b[k])) for k in a)

    same = len(full) == len(filtered_rows) and all(same_row(a, b) for a, b in zip(full, filtered_rows))
    print(f"  {kind} seed {seed}: rows from all events {'==' if same else '!='} (1e-12) rows from app_open + purchase")
    if not same:
        print(f"    all events: {full}\n    filtered:   {filtered_rows}")
    return same


def wilson(k, n, z=1.959963984540054):
    p = k / n
    center = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return center - half, center + half


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--build", default=os.path.join(ROOT, "build", "release"))
    parser.add_argument("--aa-seeds", type=int, default=1000)
    parser.add_argument("--power-seeds", type=int, default=200)
    parser.add_argument("--users", type=int, default=2000)
    parser.add_argument("--days", type=int, default=7)
    parser.add_argument("--factor", type=float, default=1.54,
                        help="purchase probability multiplier of the treatment in the power runs")
    parser.add_argument("--srm-users", type=int, default=100000)
    parser.add_argument("--batch", type=int, default=100, help="data sets per mua-server")
    parser.add_argument("--alpha", type=float, default=0.05)
    parser.add_argument("--work", default="")
    parser.add_argument("--no-verify", action="store_true")
    parser.add_argument("--only", default="aa,power,srm", help="comma-separated parts to run: aa, power, srm")
    args = parser.parse_args()
    global ALPHA
    ALPHA = args.alpha
    args.server = os.path.join(args.build, "bin", "mua-server")
    args.gen = os.path.join(args.build, "bin", "mua-gen")
    scratch = not args.work  # removed after a passing run; an explicit --work is kept
    args.work = args.work or tempfile.mkdtemp(prefix="mua_bench_experiments_")
    os.makedirs(args.work, exist_ok=True)
    started = time.time()
    ok = True
    z = stats.norm.ppf(1 - args.alpha / 2)
    print(f"mua-server {args.server}; work {args.work}")

    parts = set(args.only.split(","))
    if "aa" in parts:
        ok &= run_aa(args)
    if "power" in parts:
        ok &= run_power(args, z)
    if "srm" in parts:
        ok &= run_srm(args)
    print(f"total {time.time() - started:.0f} s: {'PASS' if ok else 'FAIL'}")
    if ok and scratch:
        shutil.rmtree(args.work, ignore_errors=True)
    return 0 if ok else 1


def run_aa(args):
    ok = True
    aa_seeds = list(range(1, args.aa_seeds + 1))
    aa_spec = lambda seed: f"aa{seed}:control,treatment"
    aa = run_seeds(args, "A/A", aa_seeds, aa_spec)
    if not args.no_verify:
        ok &= verify(args, "A/A", aa_seeds[0], aa_spec(aa_seeds[0]), aa[aa_seeds[0]])
    treatment = [aa[s][1] for s in aa_seeds]
    tested = [r for r in treatment if r["significant"] is not None]
    significant = sum(r["significant"] for r in tested)
    share = significant / len(tested)
    low, high = wilson(significant, len(tested))
    p_values = [r["p_value"] for r in tested]
    srm_flagged = sum(r["srm_p_value"] < 0.05 for r in treatment)
    users = [int(r["users"]) for s in aa_seeds for r in aa[s]]
    control_rate = sum(aa[s][0]["value"] for s in aa_seeds) / sum(int(aa[s][0]["users"]) for s in aa_seeds)
    ks = stats.kstest(p_values, "uniform")
    aa_ok = 0.03 <= share <= 0.07 and len(tested) == len(treatment)
    ok &= aa_ok
    print(f"A/A: {len(tested)} of {len(treatment)} seeds tested (none guarded), users per variant "
          f"{min(users)}..{max(users)} (mean {sum(users) / len(users):.0f}), conversion {control_rate:.4f}")
    print(f"  significant at alpha {args.alpha}: {significant}/{len(tested)} = {share:.2%} "
          f"(95 % Wilson {low:.2%}..{high:.2%}); criterion [3 %, 7 %]: {'PASS' if aa_ok else 'FAIL'}")
    print(f"  p < 0.01: {sum(p < 0.01 for p in p_values) / len(p_values):.2%}, "
          f"p < 0.10: {sum(p < 0.10 for p in p_values) / len(p_values):.2%}; "
          f"KS test of the p-values against uniform: D = {ks.statistic:.4f}, p = {ks.pvalue:.3f}")
    print(f"  srm_p_value < 0.05 (a 50/50 split flagged by chance): {srm_flagged}/{len(treatment)} = "
          f"{srm_flagged / len(treatment):.2%}")
    return ok


def run_power(args, z):
    ok = True
    power_seeds = list(range(100001, 100001 + args.power_seeds))
    power_spec = lambda seed: f"pw{seed}:control,treatment:purchase*{args.factor}"
    pw = run_seeds(args, "power", power_seeds, power_spec)
    if not args.no_verify:
        ok &= verify(args, "power", power_seeds[0], power_spec(power_seeds[0]), pw[power_seeds[0]])
    rows = [pw[s] for s in power_seeds]
    p_c = sum(r[0]["value"] for r in rows) / sum(int(r[0]["users"]) for r in rows)
    p_t = sum(r[1]["value"] for r in rows) / sum(int(r[1]["users"]) for r in rows)
    delta = p_t - p_c

    def analytic_power(n_c, n_t):
        pooled = (p_c * n_c + p_t * n_t) / (n_c + n_t)
        se0 = math.sqrt(pooled * (1 - pooled) * (1 / n_c + 1 / n_t))  # the test's, under H0
        se1 = math.sqrt(p_c * (1 - p_c) / n_c + p_t * (1 - p_t) / n_t)  # the difference's, under H1
        return stats.norm.cdf((delta - z * se0) / se1) + stats.norm.cdf((-delta - z * se0) / se1)

    n_c = sum(int(r[0]["users"]) for r in rows) / len(rows)
    n_t = sum(int(r[1]["users"]) for r in rows) / len(rows)
    power = sum(analytic_power(int(r[0]["users"]), int(r[1]["users"])) for r in rows) / len(rows)
    detected = sum(1 for r in rows if r[1]["significant"] == 1 and r[1]["lift"] > 0)
    detected_share = detected / len(rows)
    se = math.sqrt(power * (1 - power) / len(rows))
    power_ok = abs(detected_share - power) <= 3 * se and len(rows) >= 50
    ok &= power_ok
    print(f"power: purchase x{args.factor} for the treatment; conversion control {p_c:.4f}, treatment {p_t:.4f} "
          f"(pooled over the {len(rows)} seeds), effect {delta:+.4f} ({p_t / p_c - 1:+.1%} relative); "
          f"users per variant {n_c:.0f} / {n_t:.0f} (mean)")
    print(f"  analytic power (normal approximation, pooled z-test, alpha {args.alpha}, two-sided): {power:.2%}")
    print(f"  detected (significant, lift > 0): {detected}/{len(rows)} = {detected_share:.2%}; "
          f"|{detected_share:.2%} - {power:.2%}| = {abs(detected_share - power):.2%} vs 3 SE = {3 * se:.2%}: "
          f"{'PASS' if power_ok else 'FAIL'}")
    return ok


def run_srm(args):
    server = Server(args.server, args.work, "srm")
    try:
        server.insert(generate(args.gen, 7, args.srm_users, 1, "srm:control=52,treatment=48"))
        unweighted = server.rows(experiment_sql("srm", to="2026-10-03"))
        weighted = server.rows(experiment_sql("srm", weights=[52, 48], to="2026-10-03"))
    finally:
        server.stop()
    counts = [int(r["users"]) for r in unweighted]
    srm_p = unweighted[0]["srm_p_value"]
    srm_ok = srm_p < 0.001 and sum(counts) == args.srm_users
    print(f"SRM: mua-gen --users {args.srm_users} --days 1 --experiment srm:control=52,treatment=48: "
          f"users {counts[0]} / {counts[1]} ({counts[0] / sum(counts):.2%} control)")
    print(f"  srm_p_value against 50/50 (default weights): {srm_p:.3g} (< 0.001: {'PASS' if srm_ok else 'FAIL'}); "
          f"against weights [52, 48]: {weighted[0]['srm_p_value']:.3g}")
    return srm_ok


if __name__ == "__main__":
    sys.exit(main())
