#!/usr/bin/env python3
"""HTTP ingest client for durability_test.sh: a batch counts only once acknowledged.

Sends batches of new events (unique event ids, timestamps within the last day) to
POST /api/v1/events on the port named in PORT_FILE (the server moves between
restarts). A batch is acknowledged only by HTTP 200; on a connection error, a
timeout or any other status it re-sends the SAME batch (same event ids: the server
de-duplicates re-sends) until it gets a 200. After each acknowledged batch it checks
STOP_FILE and exits once it exists, so every batch it sent is acknowledged.

  durability_http_client.py PORT_FILE STOP_FILE OUT_TSV [--batch N] [--seed S]

OUT_TSV gets one line per acknowledged event: user_id, event_id, event_type,
event time in epoch milliseconds. The summary (JSON) goes to stdout at the end.
"""
import argparse
import datetime
import json
import os
import random
import sys
import time
import urllib.error
import urllib.request

EVENT_TYPES = ["app_open", "screen_view", "click", "purchase", "app_background"]
GIVE_UP_SECONDS = 120  # no 200 for this long: the server is gone for good


def make_batch(number, size, rng, now_ms):
    events, rows = [], []
    for i in range(size):
        user_id = f"http-u{rng.randrange(500)}"
        event_id = f"h{number}-{i}"
        event_type = rng.choice(EVENT_TYPES)
        ms = now_ms - rng.randrange(1000, 86_000_000)  # within the last day
        stamp = datetime.datetime.fromtimestamp(ms / 1000, datetime.timezone.utc)
        iso = stamp.strftime("%Y-%m-%dT%H:%M:%S.") + f"{ms % 1000:03d}Z"
        events.append(json.dumps({"event_id": event_id, "user_id": user_id, "event_type": event_type,
                                  "event_timestamp": iso, "platform": "android",
                                  "session_id": f"hs{number}"}))
        rows.append(f"{user_id}\t{event_id}\t{event_type}\t{ms}\n")
    return ("\n".join(events) + "\n").encode(), rows


def read_port(port_file):
    try:
        with open(port_file) as f:
            return f.read().strip()
    except OSError:
        return ""


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("port_file")
    parser.add_argument("stop_file")
    parser.add_argument("out")
    parser.add_argument("--batch", type=int, default=50)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--pause", type=float, default=0.03, help="seconds between batches")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    stats = {"batches": 0, "events": 0, "attempts": 0, "failed_attempts": 0,
             "acked_after_retry": 0, "duplicates_on_retry": 0, "accepted": 0, "rejected": 0}
    number = 0
    with open(args.out, "w") as out:
        while not os.path.exists(args.stop_file):
            body, rows = make_batch(number, args.batch, rng, int(time.time() * 1000))
            retried = False
            last_success = time.monotonic()
            while True:
                stats["attempts"] += 1
                port = read_port(args.port_file)
                try:
                    request = urllib.request.Request(
                        f"http://127.0.0.1:{port}/api/v1/events", data=body, method="POST",
                        headers={"Content-Type": "application/x-ndjson"})
                    with urllib.request.urlopen(request, timeout=10) as response:
                        if response.status == 200:
                            answer = json.loads(response.read())
                            break
                except (OSError, ValueError, urllib.error.URLError):
                    pass  # refused, reset, timed out, 503 while starting, or a cut answer
                stats["failed_attempts"] += 1
                retried = True
                if time.monotonic() - last_success > GIVE_UP_SECONDS:
                    print(json.dumps({"error": f"batch {number}: no 200 for {GIVE_UP_SECONDS} s", **stats}))
                    return 1
                time.sleep(0.05)
            if answer.get("received") != args.batch or answer.get("rejected") != 0 or \
                    answer.get("accepted", 0) + answer.get("duplicates", 0) != args.batch:
                print(json.dumps({"error": f"batch {number}: unexpected answer {answer}", **stats}))
                return 1
            out.writelines(rows)
            out.flush()
            stats["batches"] += 1
            stats["events"] += args.batch
            stats["accepted"] += answer["accepted"]
            if retried:
                stats["acked_after_retry"] += 1
                stats["duplicates_on_retry"] += answer["duplicates"]
            elif answer["duplicates"] != 0:
                print(json.dumps({"error": f"batch {number}: first send had duplicates {answer}", **stats}))
                return 1
            number += 1
            time.sleep(args.pause)
    print(json.dumps(stats))
    return 0


if __name__ == "__main__":
    sys.exit(main())
