#!/usr/bin/env python3
"""Compares FORMAT Native and FORMAT RowBinary answers of MUA and ClickHouse byte for byte.

Called by binary_formats_test.sh once both servers hold the same events. Every query of
the query file runs over HTTP on both servers with `FORMAT Native` and `FORMAT RowBinary`;
the bodies must be equal. ClickHouse 18.16 has no RowBinaryWithNamesAndTypes, so MUA's is
checked against the header built from ClickHouse's TabSeparatedWithNamesAndTypes lines
(VarUInt column count, names, type names) followed by ClickHouse's RowBinary body.

Query file: blocks starting at `-- name: NAME`; `-- clickhouse: SQL` lines replace the
query on ClickHouse; `-- expect-empty` allows an empty answer (others must not be empty);
`-- lowcardinality`: the `-- clickhouse:` text (which wraps columns in toLowCardinality)
applies only while MUA's answer has LowCardinality columns (its TabSeparatedWithNamesAndTypes
types line says so); otherwise ClickHouse runs MUA's query text (a NOTE line says so).
18.16 names DateTime columns DateTime('Etc/UTC') in text formats but sends plain DateTime to
revision-0 (HTTP) Native clients; the built RowBinaryWithNamesAndTypes header does the same.
Prints PASS/FAIL per query and format, `N passed, M failed`; exit status 1 on a failure.
"""

import argparse
import re
import sys
import urllib.error
import urllib.request

_NAME = re.compile(r"^--\s*name:\s*(\S+)\s*$")
_CLICKHOUSE = re.compile(r"^--\s*clickhouse:(.*)$")


def parse(path):
    queries = []
    current = None
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            match = _NAME.match(line)
            if match:
                current = {"name": match.group(1), "sql": [], "ch": [], "empty": False,
                           "lowcardinality": False}
                queries.append(current)
                continue
            if current is None:
                continue
            match = _CLICKHOUSE.match(line)
            if match:
                current["ch"].append(match.group(1))
            elif line.strip() == "-- expect-empty":
                current["empty"] = True
            elif line.strip() == "-- lowcardinality":
                current["lowcardinality"] = True
            elif not line.lstrip().startswith("--"):
                current["sql"].append(line)
    for q in queries:
        q["sql"] = "\n".join(q["sql"]).strip().rstrip(";")
        q["ch"] = "\n".join(q["ch"]).strip().rstrip(";") if q["ch"] else q["sql"]
    return queries


def post(url, sql, timeout):
    request = urllib.request.Request(url, data=sql.encode("utf-8"), method="POST")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.headers.get("Content-Type", ""), response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers.get("Content-Type", ""), error.read()


def var_uint(value):
    out = bytearray()
    while value >= 0x80:
        out.append((value & 0x7F) | 0x80)
        value >>= 7
    out.append(value)
    return bytes(out)


def binary_string(text):
    return var_uint(len(text)) + text


def tsv_unescape(field):
    return re.sub(rb"\\(.)", lambda m: {b"t": b"\t", b"n": b"\n", b"\\": b"\\", b"'": b"'"}.get(
        m.group(1), m.group(1)), field)


def first_difference(a, b):
    for i, (x, y) in enumerate(zip(a, b)):
        if x != y:
            return i
    return min(len(a), len(b))


def describe(expected, actual):
    at = first_difference(expected, actual)
    lo = max(0, at - 16)
    return (f"    sizes: clickhouse {len(expected)}, mua {len(actual)}; first difference at byte {at}\n"
            f"    clickhouse[{lo}:]: {expected[lo:at + 24].hex(' ')}\n"
            f"    mua       [{lo}:]: {actual[lo:at + 24].hex(' ')}")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--mua", required=True, help="MUA's HTTP URL")
    parser.add_argument("--clickhouse", required=True, help="ClickHouse's HTTP URL")
    parser.add_argument("--queries", required=True)
    parser.add_argument("--filter", default="")
    parser.add_argument("--timeout", type=float, default=120)
    args = parser.parse_args()

    passed = failed = 0

    def report(name, ok, detail=""):
        nonlocal passed, failed
        if ok:
            passed += 1
            print(f"PASS {name}")
        else:
            failed += 1
            print(f"FAIL {name}\n{detail}")

    for q in parse(args.queries):
        if args.filter and not re.search(args.filter, q["name"]):
            continue
        ch_sql = q["ch"]
        if q["lowcardinality"]:
            _, _, mua_tsv = post(args.mua, f"{q['sql']}\nFORMAT TabSeparatedWithNamesAndTypes",
                                 args.timeout)
            mua_types = mua_tsv.split(b"\n")[1] if mua_tsv.count(b"\n") >= 2 else b""
            if b"LowCardinality" not in mua_types:
                print(f"NOTE {q['name']}: MUA's result has no LowCardinality column "
                      f"({mua_types.decode(errors='replace')}); ClickHouse runs the plain query")
                ch_sql = q["sql"]
        bodies = {}
        for fmt in ("Native", "RowBinary", "TabSeparatedWithNamesAndTypes"):
            ch = post(args.clickhouse, f"{ch_sql}\nFORMAT {fmt}", args.timeout)
            mua = post(args.mua, f"{q['sql']}\nFORMAT {fmt}", args.timeout)
            bodies[fmt] = (ch, mua)
        for fmt in ("Native", "RowBinary"):
            name = f"{q['name']}/{fmt}"
            (ch_status, _, ch_body), (mua_status, mua_type, mua_body) = bodies[fmt]
            if ch_status != 200 or mua_status != 200:
                report(name, False, f"    status clickhouse {ch_status}, mua {mua_status}\n"
                       f"    clickhouse: {ch_body[:300]!r}\n    mua: {mua_body[:300]!r}")
                continue
            if not ch_body and not q["empty"]:
                report(name, False, "    empty answer (add -- expect-empty if intended)")
                continue
            if mua_type != "application/octet-stream":
                report(name, False, f"    mua Content-Type {mua_type!r}")
                continue
            report(name, ch_body == mua_body, describe(ch_body, mua_body))
        # RowBinaryWithNamesAndTypes: 18.16 lacks it; build ClickHouse's from its pieces.
        name = f"{q['name']}/RowBinaryWithNamesAndTypes"
        (ch_status, _, tsv), _ = bodies["TabSeparatedWithNamesAndTypes"]
        (_, _, ch_rows), _ = bodies["RowBinary"]
        mua_status, _, mua_body = post(args.mua, f"{q['sql']}\nFORMAT RowBinaryWithNamesAndTypes",
                                       args.timeout)
        if ch_status != 200 or mua_status != 200:
            report(name, False, f"    status clickhouse {ch_status}, mua {mua_status}")
            continue
        lines = tsv.split(b"\n")
        names = [tsv_unescape(f) for f in lines[0].split(b"\t")]
        types = [re.sub(rb"DateTime\('[^']*'\)", b"DateTime", tsv_unescape(f))
                 for f in lines[1].split(b"\t")]
        expected = var_uint(len(names)) + b"".join(binary_string(n) for n in names) + \
            b"".join(binary_string(t) for t in types) + ch_rows
        report(name, expected == mua_body, describe(expected, mua_body))

    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
