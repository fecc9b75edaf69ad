#!/usr/bin/env python3
"""Probes under load and the per-query memory cap, against a running mua-server (issue 15).

bench/security/probe_load.sh starts the server and calls this; it can also be pointed at any
server:  probe_load.py --port P --pid PID [--clients 64] [--seconds 60] [--caps 100M,500M,1G]

1. Reference answers: each heavy query once, the server otherwise idle.
2. Load: --clients threads (one keep-alive connection each) send the heavy queries in a loop
   for --seconds; a 503 with code 202 (admission control, --max-concurrent-queries) is counted
   and the client retries after --backoff-ms. Meanwhile /ping, /health and /metrics are each
   fetched every --interval-ms by their own process (so the clients' GIL never delays them)
   over their own keep-alive connection, timing every answer.
3. Memory: for each cap, with the server idle (and, unless --no-settle, idle long enough for
   its periodic malloc_trim to have returned freed pages), VmRSS is read, then a query needing
   far more than the cap runs with max_memory_usage=cap while a thread samples VmRSS every
   5 ms. The answer must be "Code: 241"; the peak growth is reported against the cap.

Exit status 1 when an answer is wrong: a probe not answered 200 (or /ping not "Ok."), a query
answer that differs from its reference, a query error other than 202 (admission) or 241
(the server-wide memory cap), no 241 for a capped query, or the server gone. Timing targets
(probe p99 < 100 ms, growth <= cap + 10 %) are printed, never turned into a failure.
"""
import argparse
import http.client
import math
import multiprocessing
import os
import sys
import threading
import time

# GROUP BY user_id over every event, ordered so the answer is deterministic.
USERS_QUERY = ("SELECT user_id, count() AS c, uniqExact(event_type) AS t FROM events "
               "GROUP BY user_id ORDER BY c DESC, user_id LIMIT 10")
# Needs ~1.5 GiB of hash table (50 M keys), far more than any cap tried.
MEMORY_QUERY = "SELECT number % 50000000 AS k, count() FROM numbers(100000000) GROUP BY k"
PROBES = ("/ping", "/health", "/metrics")


def parse_bytes(text):
    units = {"K": 1000, "M": 1000 * 1000, "G": 1000 * 1000 * 1000}
    text = text.strip().upper()
    if text and text[-1] in units:
        return int(float(text[:-1]) * units[text[-1]])
    return int(text)


def percentile(values, q):
    """Nearest-rank percentile (the value at or below which q of the samples fall)."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q * len(ordered)) - 1)]


def rss_bytes(pid):
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    raise RuntimeError(f"no VmRSS for pid {pid}")


def server_alive(port, pid):
    if pid and not os.path.exists(f"/proc/{pid}"):
        return False
    try:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        conn.request("GET", "/ping")
        response = conn.getresponse()
        ok = response.status == 200 and response.read().strip() == b"Ok."
        conn.close()
        return ok
    except (OSError, http.client.HTTPException):
        return False


def run_sql(port, sql, params="", timeout=600):
    """POST / with the statement; returns (status, exception code header, body bytes)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("POST", "/" + params, body=sql.encode())
        response = conn.getresponse()
        return response.status, response.getheader("X-ClickHouse-Exception-Code"), response.read()
    finally:
        conn.close()


def probe_loop(port, path, interval, deadline, results):
    """One probe: GET path every `interval` s until `deadline` (time.time()) on its own
    keep-alive connection; puts (path, latencies in s, failure descriptions) on `results`."""
    latencies, failures, starts = [], [], []
    conn = None
    while time.time() < deadline:
        started = time.time()
        start = time.perf_counter()
        try:
            if conn is None:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            conn.request("GET", path)
            response = conn.getresponse()
            body = response.read()
            elapsed = time.perf_counter() - start
            latencies.append(elapsed)
            starts.append(started)
            if response.status != 200:
                failures.append(f"{path}: HTTP {response.status} {body[:200]!r}")
            elif path == "/ping" and body.strip() != b"Ok.":
                failures.append(f"/ping answered {body[:200]!r}")
            if response.getheader("Connection", "").lower() == "close":
                conn.close()
                conn = None
        except (OSError, http.client.HTTPException) as error:
            failures.append(f"{path}: {type(error).__name__}: {error}")
            if conn is not None:
                conn.close()
            conn = None
            elapsed = time.perf_counter() - start
        time.sleep(max(0.0, interval - elapsed))
    results.put((path, latencies, failures[:20], len(failures), starts))


class QueryStats:
    def __init__(self):
        self.lock = threading.Lock()
        self.ok = 0
        self.latencies = []
        self.admission = 0      # 503, code 202
        self.memory_refused = 0  # 241 from the server-wide cap
        self.errors = 0
        self.wrong = 0
        self.messages = []

    def note(self, message):
        if len(self.messages) < 20:
            self.messages.append(message)


def query_client(index, port, queries, references, deadline, backoff, stats):
    conn = None
    turn = index
    while time.time() < deadline:
        name, sql = queries[turn % len(queries)]
        turn += 1
        start = time.perf_counter()
        try:
            if conn is None:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
            conn.request("POST", "/", body=sql.encode())
            response = conn.getresponse()
            body = response.read()
        except (OSError, http.client.HTTPException) as error:
            with stats.lock:
                stats.errors += 1
                stats.note(f"{name}: {type(error).__name__}: {error}")
            if conn is not None:
                conn.close()
            conn = None
            continue
        elapsed = time.perf_counter() - start
        code = response.getheader("X-ClickHouse-Exception-Code")
        with stats.lock:
            if response.status == 200:
                stats.ok += 1
                stats.latencies.append(elapsed)
                if body != references[name]:
                    stats.wrong += 1
                    stats.note(f"{name}: answer differs from the idle server's ({len(body)} bytes)")
            elif response.status == 503 and code == "202":
                stats.admission += 1
            elif code == "241":
                stats.memory_refused += 1
            else:
                stats.errors += 1
                stats.note(f"{name}: HTTP {response.status} code {code}: {body[:300]!r}")
        if response.status == 503:
            time.sleep(backoff)
        if response.getheader("Connection", "").lower() == "close" and conn is not None:
            conn.close()
            conn = None


def load_queries(queries_dir):
    queries = []
    for name in ("funnel", "sessions"):
        with open(os.path.join(queries_dir, name + ".sql")) as file:
            # The peers' spellings are comments; MUA runs the remaining text.
            text = "\n".join(line for line in file.read().splitlines() if not line.startswith("--"))
        queries.append((name, text.strip()))
    queries.append(("group_by_user", USERS_QUERY))
    return queries


def ms(seconds):
    return f"{seconds * 1000:.1f}"


def run_load(args, queries, references):
    print(f"\n== load: {args.clients} clients x {args.seconds} s of heavy queries "
          f"({', '.join(name for name, _ in queries)}); probes every {args.interval_ms} ms")
    context = multiprocessing.get_context("fork")
    results = context.Queue()
    start = time.time()
    deadline = start + args.seconds
    probes = [context.Process(target=probe_loop,
                              args=(args.port, path, args.interval_ms / 1000, deadline, results))
              for path in PROBES]
    for process in probes:
        process.start()
    stats = QueryStats()
    clients = [threading.Thread(target=query_client,
                                args=(i, args.port, queries, references, deadline,
                                      args.backoff_ms / 1000, stats), daemon=True)
               for i in range(args.clients)]
    for thread in clients:
        thread.start()
    probe_results = {}
    for _ in probes:
        path, latencies, failures, failure_count, starts = results.get()
        probe_results[path] = (latencies, failures, failure_count)
        if args.dump_probes:
            with open(args.dump_probes, "a") as dump:
                for started, latency in zip(starts, latencies):
                    dump.write(f"{path}\t{started - start:.3f}\t{latency * 1000:.1f}\n")
    for process in probes:
        process.join()
    for thread in clients:
        thread.join()
    elapsed = time.time() - start

    ok = True
    print(f"{'probe':<10} {'answers':>8} {'p50 ms':>8} {'p99 ms':>8} {'max ms':>8} {'failed':>7}  p99 < 100 ms")
    summary = {}
    for path in PROBES:
        latencies, failures, failure_count = probe_results[path]
        p99 = percentile(latencies, 0.99)
        summary[path] = (len(latencies), percentile(latencies, 0.5), p99, max(latencies, default=float("nan")))
        print(f"{path:<10} {len(latencies):>8} {ms(percentile(latencies, 0.5)):>8} {ms(p99):>8} "
              f"{ms(max(latencies, default=float('nan'))):>8} {failure_count:>7}  "
              f"{'yes' if p99 < 0.1 else 'NO'}")
        if failure_count or not latencies:
            ok = False
            for failure in failures:
                print(f"  FAILED probe: {failure}")
    print(f"queries: {stats.ok} answered in {elapsed:.1f} s = {stats.ok / elapsed:.2f} queries/s "
          f"(latency p50 {ms(percentile(stats.latencies, 0.5))} ms, "
          f"p99 {ms(percentile(stats.latencies, 0.99))} ms); "
          f"{stats.admission} refused by admission control (503, code 202); "
          f"{stats.memory_refused} refused by the server-wide memory cap (241); "
          f"{stats.wrong} wrong answers; {stats.errors} errors")
    for message in stats.messages:
        print(f"  query: {message}")
    if stats.wrong or stats.errors or stats.ok == 0:
        ok = False
    return ok, summary, stats, elapsed


def wait_settled(pid, seconds):
    """Waits until the server has been idle `seconds` (it returns freed pages to the kernel
    every 10 s), so the baseline holds no freed-but-resident memory a capped query could
    reuse unseen. Returns the lowest VmRSS read meanwhile."""
    lowest = rss_bytes(pid)
    end = time.time() + seconds
    while time.time() < end:
        time.sleep(0.25)
        lowest = min(lowest, rss_bytes(pid))
    return lowest


def run_memory(args):
    print(f"\n== memory: {args.memory_query}\n   with max_memory_usage = each cap, VmRSS sampled every 5 ms")
    ok = True
    rows = []
    for cap in args.caps:
        if args.settle > 0:
            wait_settled(args.pid, args.settle)
        baseline = rss_bytes(args.pid)
        peak = [baseline]
        samples = [0]
        stop = threading.Event()

        def sample():
            while not stop.is_set():
                try:
                    peak[0] = max(peak[0], rss_bytes(args.pid))
                    samples[0] += 1
                except (OSError, RuntimeError):
                    return
                time.sleep(0.005)

        sampler = threading.Thread(target=sample)
        sampler.start()
        start = time.perf_counter()
        try:
            status, code, body = run_sql(args.port, args.memory_query, f"?max_memory_usage={cap}")
        except (OSError, http.client.HTTPException) as error:
            status, code, body = None, None, f"{type(error).__name__}: {error}".encode()
        elapsed = time.perf_counter() - start
        stop.set()
        sampler.join()
        growth = peak[0] - baseline
        refused = code == "241" and b"Code: 241" in body
        within = growth <= cap * 1.1
        rows.append((cap, baseline, peak[0], growth, refused, within, elapsed))
        mib = 1024 * 1024
        print(f"cap {cap / 1e6:.0f} MB: {'Code 241' if refused else 'NO 241'} after {elapsed:.2f} s; "
              f"VmRSS {baseline / mib:.1f} -> peak {peak[0] / mib:.1f} MiB ({samples[0]} samples), "
              f"growth {growth / 1e6:.1f} MB = {growth / cap * 100:.1f} % of the cap "
              f"({'<=' if within else 'OVER'} cap + 10 %)")
        print(f"  answer: HTTP {status}: {body.decode(errors='replace').strip()[:300]}")
        if not refused:
            ok = False
        if not server_alive(args.port, args.pid):
            print("FAILED: the server is gone after the capped query")
            return False, rows
    return ok, rows


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--pid", type=int, required=True, help="mua-server's pid (VmRSS)")
    parser.add_argument("--queries-dir", default=os.path.join(os.path.dirname(__file__), "..", "queries"))
    parser.add_argument("--clients", type=int, default=64)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--interval-ms", type=float, default=20)
    parser.add_argument("--backoff-ms", type=float, default=20, help="a client's pause after a 503")
    parser.add_argument("--caps", default="100M,500M,1G", help="max_memory_usage values (K/M/G = 10^3/6/9)")
    parser.add_argument("--memory-query", default=MEMORY_QUERY,
                        help="the statement run under each cap; it must need more than the largest")
    parser.add_argument("--dump-probes", help="append every probe answer (path, s since the load began, ms) here")
    parser.add_argument("--settle", type=float, default=11,
                        help="seconds of idleness before each memory baseline (0: none)")
    args = parser.parse_args()
    args.caps = [parse_bytes(cap) for cap in args.caps.split(",") if cap]

    if not server_alive(args.port, args.pid):
        print("FAILED: the server does not answer /ping")
        return 1
    queries = load_queries(args.queries_dir)
    references = {}
    print("== reference answers (server otherwise idle)")
    for name, sql in queries:
        start = time.perf_counter()
        status, code, body = run_sql(args.port, sql)
        rows = body.count(b"\n")
        print(f"{name}: HTTP {status}, {rows} rows, {ms(time.perf_counter() - start)} ms")
        if status != 200:
            print(f"FAILED: {name}: code {code}: {body[:300]!r}")
            return 1
        references[name] = body

    load_ok, _, _, _ = run_load(args, queries, references)
    alive = server_alive(args.port, args.pid)
    print(f"server alive after the load: {'yes' if alive else 'NO'}")
    if not alive:
        return 1
    memory_ok, _ = run_memory(args)
    alive = server_alive(args.port, args.pid)
    print(f"server alive at the end: {'yes' if alive else 'NO'}")
    verdict = load_ok and memory_ok and alive
    print("PASS" if verdict else "FAILED")
    return 0 if verdict else 1


if __name__ == "__main__":
    sys.exit(main())
