#!/usr/bin/env python3
"""Refreshes the function part of tests/fuzz/sql_execute.dict from system.functions, as a
mua-server binary lists them (the registries grow faster than anyone edits a dictionary).
Everything above the "# aggregates" section (keywords, phrases, types, formats, tables,
columns, window functions) is written by hand and kept as it is.

    python3 tests/fuzz/make_sql_execute_dict.py build/asan/bin/mua-server
"""
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
DICT = os.path.join(HERE, "sql_execute.dict")
AGGREGATES = "# aggregates and combinators (system.functions)"
COMBINATORS = ["If", "Distinct", "Null", "Array", "State", "Merge", "OrNull", "OrDefault"]


def quote(text):
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    listing = subprocess.run(
        [sys.argv[1], "--query", "SELECT name, is_aggregate FROM system.functions ORDER BY name FORMAT TSV"],
        check=True, capture_output=True, text=True).stdout
    rows = [line.split("\t") for line in listing.splitlines() if line]
    aggregates = [name for name, aggregate in rows if aggregate == "1"]
    scalars = [name for name, aggregate in rows if aggregate != "1"]
    with open(DICT, encoding="utf-8") as f:
        kept = f.read().split(AGGREGATES)[0].rstrip("\n").splitlines()
    seen = {line for line in kept if not line.startswith("#")}
    out = kept + [AGGREGATES]
    for section, names in ((None, aggregates + COMBINATORS), ("# scalar functions (system.functions)", scalars)):
        if section:
            out.append(section)
        for name in names:
            if quote(name) not in seen:
                seen.add(quote(name))
                out.append(quote(name))
    with open(DICT, "w", encoding="utf-8") as f:
        f.write("\n".join(out) + "\n")
    print(f"{len(aggregates)} aggregates, {len(scalars)} scalar functions in {os.path.relpath(DICT)}")


if __name__ == "__main__":
    main()
