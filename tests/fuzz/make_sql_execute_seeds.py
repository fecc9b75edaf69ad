#!/usr/bin/env python3
"""Writes the seed corpus of mua_sql_execute_fuzz: one SQL statement per file, taken from
the queries the other tests already check (tests/differential/queries/ and pending/,
tests/differential/duckdb/windows.sql, tests/sqllogic/**/*.test), so the fuzzer starts from
statements that bind and run, over every feature they cover. The harness reads a whole
file as one statement.

    python3 tests/fuzz/make_sql_execute_seeds.py   # rewrites tests/fuzz/corpus/sql_execute/

The queries of each file are sampled evenly (the first, the last and between), more of
the pending differential queries and windows (the new operators) than of the rest, for
about 150 seeds: libFuzzer mutates a small corpus faster, and the unit-test replay stays
quick.
"""
import glob
import hashlib
import os
import random
import re
import shutil

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
OUT = os.path.join(HERE, "corpus", "sql_execute")
# Queries taken per file, by source.
PER_FILE = {"queries": 2, "pending": 4, "duckdb": 8, "sqllogic": 1}
GENERATED = 24
MAX_BYTES = 4096  # the harness's -max_len is larger; long seeds only slow mutation down


def differential(path):
    """(name, sql) of each `-- name:` block; comment lines (and DuckDB's translation) dropped."""
    name, lines, out = None, [], []

    def flush():
        sql = "\n".join(lines).strip().rstrip(";").strip()
        if name and sql:
            out.append((name, sql))

    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            match = re.match(r"--\s*name:\s*(\S+)", line)
            if match:
                flush()
                name, lines = match.group(1), []
            elif line.lstrip().startswith("--"):
                continue
            else:
                lines.append(line)
    flush()
    return out


def sqllogic(path):
    """The SQL of each `query`/`statement` record (up to `----` or a blank line)."""
    out, sql, reading = [], [], False
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if reading:
                if line == "----" or not line.strip():
                    out.append("\n".join(sql).strip())
                    sql, reading = [], False
                else:
                    sql.append(line)
            elif re.match(r"(query|statement)\b", line):
                reading = True
    if reading and sql:
        out.append("\n".join(sql).strip())
    return [s for s in out if s]


# What the test files do not reach: the harness's created tables (releases, user_attrs,
# campaigns), DDL and INSERT on them, `{name:Type}` parameters (values in the harness),
# system tables and output formats.
EXTRA = [
    ("created_join_releases", "SELECT e.app_version, r.released, r.notes, count() FROM events AS e "
     "ALL LEFT JOIN releases AS r ON e.app_version = r.app_version GROUP BY e.app_version, r.released, r.notes "
     "ORDER BY e.app_version"),
    ("created_join_use_nulls", "SELECT user_id, a.tier, a.score, count() FROM events ALL FULL OUTER JOIN "
     "user_attrs AS a USING user_id GROUP BY user_id, a.tier, a.score ORDER BY user_id "
     "SETTINGS join_use_nulls = 1"),
    ("created_any_right_join", "SELECT c.name, e.event_type FROM events AS e ANY RIGHT JOIN campaigns AS c "
     "ON e.country = c.country ORDER BY c.name"),
    ("created_array_join_tags", "SELECT app_version, tag FROM releases ARRAY JOIN tags AS tag ORDER BY tag"),
    ("created_logins_lambda", "SELECT user_id, arrayMap(x -> x * cohort, logins), arrayFilter(x -> x > 1, logins), "
     "arraySum(logins) FROM user_attrs ORDER BY user_id"),
    ("create_insert_select", "INSERT INTO user_attrs (user_id, signup, cohort) SELECT user_id, min(event_time), "
     "toUInt16(count()) FROM events GROUP BY user_id"),
    ("create_table_memory", "CREATE TABLE IF NOT EXISTS t (a UInt8, b Nullable(String) DEFAULT 'x', "
     "c Array(Int64), d DateTime64(3)) ENGINE = Memory"),
    ("create_table_mergetree", "CREATE TABLE m (k String, v Float64 DEFAULT 1.5) ENGINE = MergeTree "
     "PARTITION BY k ORDER BY (k, v)"),
    ("insert_values", "INSERT INTO campaigns VALUES (4, 'x', NULL, now64(3), 1e3, 1), (5, 'y', 'CL', "
     "'2026-10-07 00:00:00', -0.5, 0)"),
    ("insert_format_json", 'INSERT INTO releases FORMAT JSONEachRow\n{"app_version":"9.9","platform":"ios",'
     '"released":"2026-11-01","notes":null,"tags":["a"]}\n{"app_version":"bad"}'),
    ("insert_format_csv", "INSERT INTO campaigns (campaign_id, name) FORMAT CSV\n7,\"q\"\n8,z"),
    ("truncate_drop", "TRUNCATE TABLE IF EXISTS releases"),
    ("drop_table", "DROP TABLE user_attrs"),
    ("show_create", "SHOW CREATE TABLE user_attrs"),
    ("exists_table", "EXISTS TABLE campaigns"),
    ("describe_created", "DESCRIBE TABLE releases"),
    ("params", "SELECT {user:String}, count() FROM events WHERE user_id = {user:String} AND "
     "event_time >= {from:DateTime} AND event_time < {to:DateTime} AND toDate(event_time) != {day:Date} "
     "AND event_type IN {types:Array(String)} LIMIT {n:UInt32}"),
    ("params_tuple_null", "SELECT {t:Tuple(UInt8, String)}, {null:Nullable(String)}, {f:Float64} * 2, "
     "has({ids:Array(UInt8)}, 2), {s:String}"),
    ("query_log", "SELECT type, query, exception_code FROM system.query_log ORDER BY event_time"),
    ("system_numbers_limit", "SELECT number, number % 7 AS m FROM system.numbers WHERE m = 3 LIMIT 5"),
    ("user_profiles", "SELECT user_id, first_seen, last_seen, event_count, platform FROM user_profiles "
     "ORDER BY event_count DESC, user_id"),
    ("rejected", "SELECT reason, payload FROM events_rejected"),
    ("format_native_nullable", "SELECT nullIf(event_type, 'purchase') AS t, [toNullable(1), NULL] AS a, "
     "tuple(user_id, 1) AS tup, toDateTime64(event_time, 3) FROM events LIMIT 3 FORMAT Native"),
    ("format_pretty_arrays", "SELECT groupArray(event_type), groupUniqArray(platform), topK(2)(country) "
     "FROM events GROUP BY user_id ORDER BY user_id FORMAT PrettyCompact"),
    ("explain_join", "EXPLAIN SELECT * FROM events AS e INNER JOIN user_attrs AS a ON e.user_id = a.user_id "
     "WHERE e.event_time > '2026-10-03'"),
]


def sample(items, count):
    """`count` of `items`, evenly spread, the first included."""
    if len(items) <= count:
        return items
    return [items[i * len(items) // count] for i in range(count)]


def main():
    seeds = []
    for path in sorted(glob.glob(os.path.join(ROOT, "tests/differential/queries/*.sql")) +
                       glob.glob(os.path.join(ROOT, "tests/differential/pending/*.sql")) +
                       [os.path.join(ROOT, "tests/differential/duckdb/windows.sql")]):
        stem = os.path.splitext(os.path.basename(path))[0]
        source = os.path.basename(os.path.dirname(path))
        for name, sql in sample(differential(path), PER_FILE[source]):
            seeds.append((f"{stem}__{name}", sql))
    for path in sorted(glob.glob(os.path.join(ROOT, "tests/sqllogic/**/*.test"), recursive=True)):
        stem = os.path.splitext(os.path.relpath(path, os.path.join(ROOT, "tests/sqllogic")))[0]
        # The last record of a test is often its newest case; the first sets its tables up.
        statements = sqllogic(path)
        for i, sql in enumerate(statements[-PER_FILE["sqllogic"]:]):
            seeds.append((f"sqllogic_{stem.replace('/', '_')}_{i}", sql))

    seeds += EXTRA
    shutil.rmtree(OUT, ignore_errors=True)
    os.makedirs(OUT)
    seen = set()
    for name, sql in seeds:
        data = sql.encode("utf-8")
        digest = hashlib.sha1(data).hexdigest()
        if len(data) > MAX_BYTES or digest in seen:
            continue
        seen.add(digest)
        with open(os.path.join(OUT, re.sub(r"[^A-Za-z0-9_.-]", "_", name) + ".sql"), "wb") as f:
            f.write(data)
    # Inputs of the harness's structured mode (first byte 0x01, the rest drives its SQL
    # generator): random bytes, so each seed starts from another statement shape.
    rng = random.Random(16)
    for i in range(GENERATED):
        data = bytes([1]) + bytes(rng.randrange(256) for _ in range(rng.randrange(32, 512)))
        with open(os.path.join(OUT, f"gen_{i:02d}.bin"), "wb") as f:
            f.write(data)
    print(f"{len(seen)} seeds and {GENERATED} generator inputs in {os.path.relpath(OUT, ROOT)}")


if __name__ == "__main__":
    main()
