#!/usr/bin/env python3
"""Normalizes MUA event JSON lines (SPEC section 2) into ClickHouse TabSeparated rows.

Both event shapes are mapped to the `events` columns of SPEC section 3, exactly as MUA's
ingest does, so that ClickHouse and MUA hold the same rows:
  flat:   event_id, user_id, session_id, event_type, event_timestamp, platform, os_version,
          app_version, device_model, device_type, country, region, city, properties{}
  nested: session.session_id, user.user_id, device.{platform|os, os_version, device_model,
          device_type}, context.{app_version, platform}, geo.{country, region, city},
          event_properties{} | properties{}
event_timestamp is ISO-8601 (Z, +hh:mm, or no zone = UTC) or epoch milliseconds; it becomes
UTC. Absent strings become ''. properties is re-serialized compactly:
json.dumps(obj, separators=(',', ':'), ensure_ascii=False).

Output columns (ClickHouse has no DateTime64 in 18.16, so time is split in two):
  event_time DateTime ('YYYY-MM-DD hh:mm:ss', UTC, ms floored to seconds), event_time_ms UInt64, user_id, session_id,
  event_id, event_type, platform, os_version, app_version, device_model, device_type,
  country, region, city, properties

Usage: jsonl_to_tsv.py IN.jsonl > OUT.tsv   (IN may be '-' for stdin)
Lines that fail validation (missing required fields, bad timestamp) are reported on stderr
and make the exit status 1: the suite's data is generated with --invalid-share 0.
"""

import json
import re
import sys
import time

COLUMNS = ("event_time", "event_time_ms", "user_id", "session_id", "event_id", "event_type",
           "platform", "os_version", "app_version", "device_model", "device_type", "country",
           "region", "city", "properties")

_ISO = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?"
    r"(Z|z|[+-]\d{2}(?::?\d{2})?)?$")

_TSV_ESCAPES = {"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r", "\0": "\\0",
                "\b": "\\b", "\f": "\\f"}
_TSV_SPECIAL = re.compile(r"[\\\t\n\r\0\b\f]")


def days_from_civil(year, month, day):
    """Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm)."""
    year -= month <= 2
    era = (year if year >= 0 else year - 399) // 400
    yoe = year - era * 400
    doy = (153 * (month + (-3 if month > 2 else 9)) + 2) // 5 + day - 1
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    return era * 146097 + doe - 719468


def parse_timestamp_ms(value):
    """Returns UTC epoch milliseconds, or None when `value` is not a valid timestamp."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if value.is_integer() else None
    if not isinstance(value, str):
        return None
    if value.isdigit():
        return int(value)
    m = _ISO.match(value)
    if not m:
        return None
    year, month, day, hour, minute = (int(m.group(i)) for i in range(1, 6))
    second = int(m.group(6) or 0)
    millis = int((m.group(7) or "0")[:3].ljust(3, "0"))
    if not (1 <= month <= 12 and 1 <= day <= 31 and hour <= 23 and minute <= 59
            and second <= 60):
        return None
    offset_minutes = 0
    zone = m.group(8)
    if zone and zone not in ("Z", "z"):
        sign = -1 if zone[0] == "-" else 1
        digits = zone[1:].replace(":", "")
        offset_minutes = sign * (int(digits[:2]) * 60 + int(digits[2:4] or 0))
    seconds = (days_from_civil(year, month, day) * 86400 + hour * 3600 + minute * 60 + second
               - offset_minutes * 60)
    return seconds * 1000 + millis


def _get(obj, *path):
    for key in path:
        if not isinstance(obj, dict):
            return None
        obj = obj.get(key)
    return obj


def _first_string(*values):
    for v in values:
        if isinstance(v, str) and v != "":
            return v
    for v in values:
        if isinstance(v, str):
            return v
    return ""


def normalize(event):
    """Returns the row (tuple of COLUMNS values) for one event object, or raises ValueError."""
    if not isinstance(event, dict):
        raise ValueError("not a JSON object")
    event_id = event.get("event_id")
    user_id = event.get("user_id", _get(event, "user", "user_id"))
    event_type = event.get("event_type")
    for name, v in (("event_id", event_id), ("user_id", user_id), ("event_type", event_type)):
        if not isinstance(v, str) or v == "":
            raise ValueError("missing or invalid " + name)
    ts = event.get("event_timestamp", event.get("event_time"))
    ms = parse_timestamp_ms(ts)
    if ms is None:
        raise ValueError("invalid event_timestamp %r" % (ts,))
    props = event.get("properties")
    if props is None:
        props = event.get("event_properties")
    properties = "" if props is None else json.dumps(props, separators=(",", ":"),
                                                      ensure_ascii=False)
    row = {
        "event_time": time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(ms // 1000)),
        "event_time_ms": ms,
        "user_id": user_id,
        "session_id": _first_string(event.get("session_id"), _get(event, "session", "session_id")),
        "event_id": event_id,
        "event_type": event_type,
        "platform": _first_string(event.get("platform"), _get(event, "device", "platform"),
                                  _get(event, "device", "os"), _get(event, "context", "platform")),
        "os_version": _first_string(event.get("os_version"), _get(event, "device", "os_version")),
        "app_version": _first_string(event.get("app_version"),
                                     _get(event, "context", "app_version")),
        "device_model": _first_string(event.get("device_model"),
                                      _get(event, "device", "device_model")),
        "device_type": _first_string(event.get("device_type"),
                                     _get(event, "device", "device_type")),
        "country": _first_string(event.get("country"), _get(event, "geo", "country")),
        "region": _first_string(event.get("region"), _get(event, "geo", "region")),
        "city": _first_string(event.get("city"), _get(event, "geo", "city")),
        "properties": properties,
    }
    return tuple(row[c] for c in COLUMNS)


def tsv_field(value):
    if isinstance(value, int):
        return str(value)
    return _TSV_SPECIAL.sub(lambda m: _TSV_ESCAPES[m.group(0)], value)


def main(argv):
    if len(argv) != 2:
        sys.stderr.write(__doc__)
        return 2
    src = sys.stdin if argv[1] == "-" else open(argv[1], encoding="utf-8")
    out = open(sys.stdout.fileno(), "w", encoding="utf-8", newline="\n", closefd=False,
               buffering=1 << 20)
    bad = 0
    with src:
        for number, line in enumerate(src, 1):
            if not line.strip():
                continue
            try:
                row = normalize(json.loads(line))
            except ValueError as error:  # json.JSONDecodeError is a ValueError
                bad += 1
                if bad <= 10:
                    sys.stderr.write("jsonl_to_tsv: line %d: %s\n" % (number, error))
                continue
            out.write("\t".join(tsv_field(v) for v in row))
            out.write("\n")
    out.flush()
    if bad:
        sys.stderr.write("jsonl_to_tsv: %d invalid line(s) skipped\n" % bad)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
