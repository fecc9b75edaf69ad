#!/usr/bin/env python3
"""Writes the seed corpora of mua_json_body_fuzz and mua_service_fuzz: one request per
endpoint (and per body format), encoded the way each harness reads its input with
FuzzedDataProvider, whose integral choices come from the END of the input (one byte
each here, taken modulo the choice count), strings from the FRONT (each ended by a
backslash and one other character), and the rest is the body.

    python3 tests/fuzz/make_seeds.py   # rewrites tests/fuzz/corpus/{json_body,service}/
"""
import json
import os
import shutil

HERE = os.path.dirname(os.path.abspath(__file__))

RANGE = {"from": "2026-10-05T00:00:00.000Z", "to": "2026-10-09T00:00:00.000Z",
         "raw": {"from": "now-4d", "to": "now"}}


def grafana_bodies():
    """(endpoint, body) pairs covering every Grafana endpoint."""
    def with_range(extra):
        return json.dumps(dict({"range": RANGE, "intervalMs": 86400000, "maxDataPoints": 500}, **extra))
    return [
        ("/query", with_range({"targets": [{"refId": "A", "target": "dau", "payload": {"platform": "ios"}}]})),
        ("/query", with_range({"targets": [{"refId": "A", "target": "events",
                                            "payload": {"event_type": ["purchase", "app_crash"],
                                                        "interval": "1h"}}]})),
        ("/query", with_range({"targets": [{"refId": "A", "target": "retention",
                                            "payload": {"start_event": "app_open", "period": "day"}},
                                           {"refId": "B", "target": "funnel",
                                            "payload": {"steps": ["app_open", "purchase"]}},
                                           {"refId": "C", "target": "sessions"},
                                           {"refId": "D", "target": "crash_rate"},
                                           {"refId": "E", "target": "sql",
                                            "payload": {"sql": "SELECT count() FROM events"}}],
                               "adhocFilters": [{"key": "country", "operator": "=", "value": "US"}]})),
        ("/search", json.dumps({"target": ""})),
        ("/search", json.dumps({"target": "app_version"})),
        ("/annotations", with_range({"annotation": {"name": "releases", "enable": True, "query": "",
                                                    "nested": [[[{"a": [1, 2]}]]]}})),
        ("/annotations", with_range({"annotation": {"query": "SELECT event_time AS time, user_id AS title "
                                                             "FROM events WHERE $__timeFilter(event_time)"}})),
        ("/variable", json.dumps({"payload": {"target": "platform"}, "range": RANGE})),
        ("/variable", json.dumps({"payload": {"target": "SELECT DISTINCT country AS __value FROM events"}})),
        ("/metrics", json.dumps({"metric": "events", "payload": {"event_type": "app_open"}})),
        ("/metric-payload-options", json.dumps({"metric": "retention", "payload": {}, "name": "period"})),
        ("/tag-keys", "{}"),
        ("/tag-values", json.dumps({"key": "country", "filters": [
            {"key": "platform", "operator": "=", "value": "ios"}]})),
    ]


EVENT = ('{"event_id":"e%d","user_id":"u%d","session_id":"s1","event_type":"app_open",'
         '"event_timestamp":"2026-10-05T14:03:07Z","platform":"ios","properties":{"screen":"home","l":[1,{"x":null}]}}')
NESTED_EVENT = ('{"event_id":"n1","user":{"user_id":"u9"},"session":{"session_id":"s9"},'
                '"event_type":"purchase","event_timestamp":1791295387000,'
                '"device":{"os":"android","model":"Pixel"},"geo":{"country":"DE"},"properties":{"price":9.99}}')
ROW = ('{"event_time":"2026-10-05 14:03:07.000","user_id":"u1","event_id":"r%d","event_type":"app_open",'
       '"platform":"ios","properties":"{\\"plan\\":\\"pro\\",\\"n\\":[1,2]}"}')
COMPACT_ROW = '["2026-10-05T14:03:07Z","u1","c%d","app_open","{\\"a\\":1}"]'


# ---- mua_json_body_fuzz: body, then the Grafana endpoint byte, then the target byte ----

JSON_TARGETS = ["bounded", "untrusted", "event_lines", "event_array", "json_each_row",
                "json_compact_each_row", "grafana", "rest_query", "rest_params", "json_extract"]
GRAFANA_ENDPOINTS = ["/query", "/search", "/annotations", "/variable", "/metrics",
                     "/metric-payload-options", "/tag-keys", "/tag-values"]


def json_body_seed(target, body, endpoint="/query"):
    return body.encode() + bytes([GRAFANA_ENDPOINTS.index(endpoint), JSON_TARGETS.index(target)])


def json_body_seeds():
    seeds = {
        "bounded_object": json_body_seed("bounded", '{"a":[1,2.5e-3,"x\\u00e9\\n",null,true,{"b":{}}],"c":-0}'),
        "bounded_deep": json_body_seed("bounded", "[" * 70 + "]" * 70),
        "bounded_bom": json_body_seed("bounded", '\ufeff{"k":"v"}'),
        "untrusted": json_body_seed("untrusted", '{"sql":"SELECT 1","format":"JSON","n":12345678901234567890}'),
        "event_lines": json_body_seed("event_lines", "\n".join([EVENT % (1, 1), NESTED_EVENT, "", "[1]"])),
        "event_array": json_body_seed("event_array", "[\n " + ",\n ".join([EVENT % (2, 2), NESTED_EVENT, '"x"']) + "\n]"),
        "json_each_row": json_body_seed("json_each_row", "\n".join([ROW % 1, ROW % 2, "{}"])),
        "json_compact_each_row": json_body_seed("json_compact_each_row", "\n".join([COMPACT_ROW % 1, "[1,2]"])),
        "rest_query": json_body_seed("rest_query", '{"sql":"SELECT event_type, count() FROM events GROUP BY 1"}'),
        "rest_params": json_body_seed("rest_params", '{"from":"2026-10-01","to":"2026-10-10","event_type":"app_open"}'),
        "json_extract": json_body_seed("json_extract", '{"a":[1,{"b":[2,3]},"x"],"b":true}'),
    }
    for i, (endpoint, body) in enumerate(grafana_bodies()):
        seeds["grafana_%02d%s" % (i, endpoint.replace("/", "_"))] = json_body_seed("grafana", body, endpoint)
    return seeds


# ---- mua_service_fuzz: mirrors MuaServiceFuzz's reads ----

METHODS = ["GET", "POST", "OPTIONS", "HEAD", "PUT", "DELETE"]
PATHS = ["/", "/ping", "/health", "/metrics", "/grafana", "/grafana/", "/grafana/query",
         "/grafana/search", "/grafana/annotations", "/grafana/variable", "/grafana/metrics",
         "/grafana/metric-payload-options", "/grafana/tag-keys", "/grafana/tag-values", "/api/v1",
         "/api/v1/query", "/api/v1/events", "/api/v1/metrics/daily", "/api/v1/retention",
         "/api/v1/funnel", "/api/v1/users/u1/summary", "/api/v1/users/"]
PARAM_NAMES = ["query", "default_format", "query_id", "max_execution_time", "max_result_rows",
               "max_memory_usage", "database", "user", "password", "params", "from", "to", "period",
               "steps", "event_type", "date", "limit", "window", "format"]
HEADER_NAMES = ["Content-Type", "Origin", "Host", "Content-Encoding", "X-ClickHouse-Format",
                "X-ClickHouse-User", "X-ClickHouse-Key", "Authorization", "Accept", "X-ClickHouse-Query-Id"]
HEADER_VALUES = ["application/json", "application/x-ndjson", "text/plain", "gzip",
                 "https://grafana.example", "https://evil.example", "127.0.0.1:8123", "evil.example",
                 "JSONCompact", "TabSeparated"]
CREDENTIALS = ["none", "viewer", "analyst", "admin", "wrong", "random"]
HOW = ["bearer", "clickhouse", "password"]


class Encoder:
    """Builds an input: strings go to the front, choice bytes to the back (first read = last byte)."""

    def __init__(self):
        self.front = b""
        self.back = []

    def choice(self, index):
        assert 0 <= index < 256
        self.back.append(index)

    def pick(self, choices, value):
        self.choice(choices.index(value))

    def string(self, text):
        data = text.encode()
        # A backslash is doubled; "\" + another character ends the string.
        self.front += data.replace(b"\\", b"\\\\") + b"\\e"

    def done(self, body):
        return self.front + body.encode() + bytes(reversed(self.back))


def service_seed(method, path, credentials="admin", how="bearer", params=(), headers=(), body=""):
    e = Encoder()
    e.pick(METHODS, method)
    e.pick(PATHS, path)
    e.choice(0)  # no path suffix
    e.pick(CREDENTIALS, credentials)
    e.pick(HOW, how)
    e.choice(len(params))
    for name, value in params:
        e.pick(PARAM_NAMES, name)
        e.string(value)
    e.choice(len(headers))
    for name, value in headers:
        e.pick(HEADER_NAMES, name)
        e.pick(HEADER_VALUES, value)
    return e.done(body)


def service_seeds():
    json_type = [("Content-Type", "application/json")]
    seeds = {
        "root_get": service_seed("GET", "/", "none"),
        "ping": service_seed("GET", "/ping", "none"),
        "health": service_seed("GET", "/health", "none"),
        "metrics": service_seed("GET", "/metrics", "viewer"),
        "sql_select_get": service_seed("GET", "/", "analyst", "clickhouse",
                                       [("query", "SELECT event_type, count() FROM events GROUP BY 1 FORMAT JSON")]),
        "sql_select_post": service_seed("POST", "/", "analyst", "password", [("default_format", "JSONCompact"),
                                                                             ("query_id", "q-1")],
                                        body="SELECT uniqExact(user_id) FROM events WHERE event_time >= '2026-10-05'"),
        "sql_system_tables": service_seed("POST", "/", "admin", "bearer", [],
                                          body="SELECT * FROM system.processes; SELECT * FROM system.audit_log"),
        "sql_insert": service_seed("POST", "/", "admin", "bearer",
                                   [("query", "INSERT INTO events FORMAT JSONEachRow")], body=ROW % 7),
        "sql_insert_viewer": service_seed("POST", "/", "viewer", "bearer",
                                          [("query", "INSERT INTO events FORMAT JSONCompactEachRow")],
                                          body=COMPACT_ROW % 8),
        "sql_limits": service_seed("POST", "/", "analyst", "bearer",
                                   [("max_execution_time", "1"), ("max_result_rows", "10"),
                                    ("max_memory_usage", "1000000")],
                                   body="SELECT number FROM numbers(100000) ORDER BY number DESC"),
        "sql_kill": service_seed("POST", "/", "analyst", "bearer", [], body="KILL QUERY WHERE query_id = 'x'"),
        "sql_cte": service_seed("POST", "/", "analyst", "bearer", [],
                                body="WITH a AS (SELECT 1 AS x), b AS (SELECT x FROM a) SELECT * FROM b"),
        "sql_wrong_token": service_seed("POST", "/", "wrong", "bearer", [], body="SELECT 1"),
        "options_preflight": service_seed("OPTIONS", "/grafana/query", "none",
                                          headers=[("Origin", "https://grafana.example")]),
        "rest_events": service_seed("POST", "/api/v1/events", "admin", "bearer",
                                    headers=[("Content-Type", "application/x-ndjson")],
                                    body=EVENT % (5, 5) + "\n" + NESTED_EVENT + "\n"),
        "rest_events_array": service_seed("POST", "/api/v1/events", "admin", "bearer", headers=json_type,
                                          body="[" + EVENT % (6, 6) + "]"),
        "rest_query": service_seed("POST", "/api/v1/query", "analyst", "bearer", headers=json_type,
                                   body='{"sql":"SELECT count() FROM events","format":"JSON"}'),
        "rest_daily": service_seed("GET", "/api/v1/metrics/daily", "viewer", "bearer",
                                   [("from", "2026-10-01"), ("to", "2026-10-10")]),
        "rest_retention": service_seed("GET", "/api/v1/retention", "viewer", "bearer",
                                       [("params", '{"from":"2026-10-01","to":"2026-10-10","period":"day"}')]),
        "rest_funnel": service_seed("GET", "/api/v1/funnel", "viewer", "bearer",
                                    [("steps", "app_open"), ("steps", "purchase"), ("window", "86400")]),
        "rest_summary": service_seed("GET", "/api/v1/users/u1/summary", "viewer", "clickhouse"),
        "rest_listing": service_seed("GET", "/api/v1", "viewer"),
        "grafana_root": service_seed("GET", "/grafana", "viewer"),
        "dev_host": service_seed("GET", "/", "admin", "bearer", [("query", "SELECT 1")],
                                 headers=[("Host", "evil.example"), ("Origin", "https://evil.example")]),
    }
    for i, (endpoint, body) in enumerate(grafana_bodies()):
        for role in ("viewer", "analyst"):
            seeds["grafana_%02d_%s%s" % (i, role, endpoint.replace("/", "_"))] = service_seed(
                "POST", "/grafana" + endpoint, role, "bearer", headers=json_type, body=body)
    return seeds


def write(directory, seeds):
    path = os.path.join(HERE, "corpus", directory)
    shutil.rmtree(path, ignore_errors=True)
    os.makedirs(path)
    for name, data in sorted(seeds.items()):
        with open(os.path.join(path, name), "wb") as f:
            f.write(data)


if __name__ == "__main__":
    write("json_body", json_body_seeds())
    write("service", service_seeds())
