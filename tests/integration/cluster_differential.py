#!/usr/bin/env python3
"""The differential queries (tests/differential/queries) through a cluster's nodes and through a
single node holding the same events: every answer must be equal (as sorted lines where the query
is marked unordered or has no ORDER BY), or the cluster must refuse the query by name ("is not
supported on a cluster yet") where only a construct not yet distributed is involved.

    cluster_differential.py QUERIES_DIR SINGLE_PORT NODE_PORT...

Queries go to the nodes in turn. Prints one line per query that differs and a summary; exits 1
when any differs or a refusal is not one of the expected constructs.
"""
import os
import sys
import urllib.error
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "differential"))
import differential  # noqa: E402  (parse_file, normalized: the suite's own rules)

# What a cluster may refuse, by the refusal's words.
ALLOWED_REFUSALS = ("WITH TOTALS and HAVING over",)


def ask(port, sql):
    request = urllib.request.Request(
        "http://127.0.0.1:%d/?default_format=TabSeparated" % port, data=sql.encode("utf-8"), method="POST")
    try:
        with urllib.request.urlopen(request, timeout=120) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def main():
    queries_dir, single = sys.argv[1], int(sys.argv[2])
    nodes = [int(p) for p in sys.argv[3:]]
    queries = differential.load_queries(queries_dir, None)
    equal = refused = failed = both_errors = 0
    for index, q in enumerate(queries):
        node = nodes[index % len(nodes)]
        ref_status, ref = ask(single, q.sql)
        status, out = ask(node, q.sql)
        if status != 200 and b"is not supported on a cluster yet" in out:
            if any(words.encode() in out for words in ALLOWED_REFUSALS):
                refused += 1
                continue
            failed += 1
            print("REFUSED %s on node %d: %s" % (q.name, node, out[:300].decode("utf-8", "replace")))
            continue
        if ref_status != 200 or status != 200:
            if ref_status != 200 and status != 200:
                both_errors += 1  # an error on this data (a division, a bound): the same on both
                continue
            failed += 1
            print("STATUS %s: single %d, node %d %d: %s" % (
                q.name, ref_status, node, status, (out if status != 200 else ref)[:300].decode("utf-8", "replace")))
            continue
        unordered = "unordered" in q.flags or "order by" not in q.sql.lower()
        if differential.normalized(ref, unordered) == differential.normalized(out, unordered):
            equal += 1
            continue
        failed += 1
        print("DIFFERENT %s on node %d:\n%s" % (
            q.name, node, differential.unified_diff(differential.normalized(ref, unordered),
                                                    differential.normalized(out, unordered), "single", "cluster",
                                                    limit=20)))
    print("%d differential queries: %d equal, %d refused by name, %d errors on both, %d not right" % (
        len(queries), equal, refused, both_errors, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
