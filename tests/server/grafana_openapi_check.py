#!/usr/bin/env python3
"""Checks a running MUA server's Grafana JSON datasource against the contract.

Validates every endpoint of simPod's openapi.yaml (testdata/grafana-json-datasource.openapi.yaml)
plus the legacy SimpleJSON /search and /annotations: the requests this script sends are checked
against the request schemas, and every answer against the response schemas, patched for the
spec's known defects (shared/spec/grafana-json.md, "Spec defects"):
  1. /query table rows are arrays, not scalars;
  2. /variable items need __text/__value, not text/value;
  3. datapoint values may be null;
  4. /tag-values has no response schema: [{"text": ...}] from the notes is used.
It also checks the contract's HTTP rules: GET / is exactly 200 with JSON, every response is
JSON with Access-Control-Allow-Origin, OPTIONS answers CORS preflights, and errors are
non-2xx JSON with a message.

It starts nothing: point it at a server that holds some events.
    grafana_openapi_check.py http://127.0.0.1:8720/grafana [--spec PATH]
Exit status 0 when every check passes, 1 otherwise. Needs python3-yaml and python3-jsonschema.
"""

import argparse
import copy
import json
import os
import sys
import urllib.error
import urllib.request
from datetime import datetime, timedelta, timezone

import jsonschema
import yaml

DEFAULT_SPEC = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'testdata',
                            'grafana-json-datasource.openapi.yaml')

# Defect 4: the notes' shape of /tag-values answers.
TAG_VALUES_SCHEMA = {'type': 'array', 'items': {'type': 'object', 'required': ['text'],
                                                'properties': {'text': {'type': 'string'}}}}
# Legacy SimpleJSON shapes (grafana-json.md, "How the endpoints changed").
SEARCH_SCHEMA = {'type': 'array', 'items': {'anyOf': [
    {'type': 'string'},
    {'type': 'object', 'required': ['text', 'value']}]}}
ANNOTATIONS_SCHEMA = {'type': 'array', 'items': {
    'type': 'object', 'required': ['time', 'title', 'text', 'tags'],
    'properties': {'time': {'type': 'integer'}, 'timeEnd': {'type': 'integer'},
                   'isRegion': {'type': 'boolean'}, 'title': {'type': 'string'},
                   'text': {'type': 'string'}, 'tags': {'type': 'array', 'items': {'type': 'string'}}}}}
ERROR_SCHEMA = {'type': 'object', 'required': ['message'], 'properties': {'message': {'type': 'string'}}}


class Checker:
    def __init__(self, base_url, spec):
        self.base_url = base_url.rstrip('/')
        self.spec = spec
        self.failures = 0
        self.passes = 0

    # ---- reporting ----

    def check(self, condition, what, detail=''):
        if condition:
            self.passes += 1
            print(f'ok    {what}')
        else:
            self.failures += 1
            print(f'FAIL  {what}' + (f': {detail}' if detail else ''))
        return condition

    def validate(self, instance, schema, what):
        errors = sorted(jsonschema.Draft4Validator(schema).iter_errors(instance), key=lambda e: list(e.path))
        detail = '; '.join(f'{"/".join(map(str, e.path)) or "(root)"}: {e.message[:200]}' for e in errors[:3])
        return self.check(not errors, what, detail)

    # ---- HTTP ----

    def send(self, method, path, body=None, headers=None):
        data = None if body is None else (body if isinstance(body, bytes) else json.dumps(body).encode())
        request = urllib.request.Request(self.base_url + path, data=data, method=method)
        if body is not None:
            request.add_header('Content-Type', 'application/json')
        for key, value in (headers or {}).items():
            request.add_header(key, value)
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                return response.status, dict(response.headers), response.read()
        except urllib.error.HTTPError as error:
            return error.code, dict(error.headers), error.read()

    def post(self, path, body, expect_status=200):
        """POSTs, checks status, JSON and CORS; returns the parsed answer or None."""
        status, headers, raw = self.send('POST', path, body)
        self.check(status == expect_status, f'POST {path} -> {expect_status}', f'got {status}: {raw[:300]!r}')
        self.check(headers.get('Content-Type', '').startswith('application/json'),
                   f'POST {path} is application/json', headers.get('Content-Type', ''))
        self.check('Access-Control-Allow-Origin' in headers, f'POST {path} has Access-Control-Allow-Origin')
        try:
            return json.loads(raw)
        except ValueError as error:
            self.check(False, f'POST {path} answers JSON', str(error))
            return None

    # ---- schemas from the spec ----

    def resolve(self, node):
        """The spec subtree with every local $ref inlined."""
        if isinstance(node, dict):
            if '$ref' in node:
                target = self.spec
                for part in node['$ref'].lstrip('#/').split('/'):
                    target = target[part]
                return self.resolve(target)
            return {key: self.resolve(value) for key, value in node.items()}
        if isinstance(node, list):
            return [self.resolve(item) for item in node]
        return node

    def request_schema(self, path):
        operation = self.spec['paths'][path]['post']
        body = operation.get('requestBody')
        return self.resolve(body['content']['application/json']['schema']) if body else None

    def response_schema(self, path):
        response = self.spec['paths'][path]['post']['responses']['200']
        content = response.get('content')
        schema = self.resolve(content['application/json']['schema']) if content else None
        return patch_known_defects(path, schema)

    def exchange(self, path, body):
        """Validates `body` against the request schema, POSTs it, validates the answer."""
        schema = self.request_schema(path)
        if schema is not None:
            self.validate(body, schema, f'request to {path} matches the openapi')
        answer = self.post(path, body)
        if answer is not None:
            self.validate(answer, self.response_schema(path), f'answer of {path} matches the openapi')
        return answer


def patch_known_defects(path, schema):
    if path == '/query':
        schema = copy.deepcopy(schema)
        timeseries, table = schema['items']['anyOf']
        timeseries['properties']['datapoints']['items']['items'] = {'type': ['number', 'null']}  # defect 3
        table['properties']['rows']['items'] = {'type': 'array'}  # defect 1
    elif path == '/variable':
        schema = copy.deepcopy(schema)
        schema['oneOf'][0]['items']['required'] = ['__text', '__value']  # defect 2
    elif path == '/tag-values':
        schema = TAG_VALUES_SCHEMA  # defect 4
    return schema


def iso(moment):
    return moment.astimezone(timezone.utc).strftime('%Y-%m-%dT%H:%M:%S.') + f'{moment.microsecond // 1000:03d}Z'


def data_range(checker):
    """(range, has_events): [first event, last event + 1 day), found through the sql metric, or
    the last week when the server holds no events."""
    now = datetime.now(timezone.utc)
    week = {'from': iso(now - timedelta(days=7)), 'to': iso(now), 'raw': {'from': 'now-7d', 'to': 'now'}}
    # Table time cells are epoch ms.
    answer = checker.post('/query', {'range': week, 'targets': [{'refId': 'R', 'target': 'sql', 'payload': {
        'sql': 'SELECT min(event_time) AS first, max(event_time) AS last, count() AS n FROM events',
        'format': 'table'}}]})
    try:
        first_ms, last_ms, count = answer[0]['rows'][0]
    except (TypeError, KeyError, IndexError, ValueError):
        first_ms = None
    if not first_ms or not count:
        return week, False
    start = datetime.fromtimestamp(first_ms / 1000, timezone.utc)
    end = datetime.fromtimestamp(last_ms / 1000, timezone.utc) + timedelta(days=1)
    return {'from': iso(start), 'to': iso(end), 'raw': {'from': iso(start), 'to': iso(end)}}, True


def query_request(time_range, targets, filters=None):
    """A /query body as Grafana 10 sends it, extra keys included (grafana-json.md)."""
    body = {'app': 'dashboard', 'requestId': 'Q1', 'timezone': 'browser', 'panelId': 2, 'dashboardUID': 'mua',
            'range': time_range, 'rangeRaw': time_range['raw'], 'interval': '1h', 'intervalMs': 3600000,
            'maxDataPoints': 500, 'targets': targets, 'startTime': 1714561200123,
            'scopedVars': {'__interval': {'text': '1h', 'value': '1h'},
                           '__interval_ms': {'text': 3600000, 'value': 3600000}}}
    if filters is not None:
        body['filters'] = filters
    return body


def target(ref_id, metric, payload=None):
    return {'refId': ref_id, 'datasource': {'type': 'simpod-json-datasource', 'uid': 'mua'}, 'editorMode': 'code',
            'target': metric, 'payload': payload or {}}


def payloads_for(metric, event_types, experiments):
    """Payload variants that exercise a metric's options; the experiment metric's need a stored
    experiment (none: one shape-only variant whose 400 is checked apart)."""
    first, second = (event_types + ['app_open', 'purchase'])[:2]
    experiment = (experiments or ['no_such_experiment'])[0]
    variants = {
        'events': [{}, {'breakdown': 'platform', 'event_type': [first]}, {'interval': '1d', 'breakdown': 'none'}],
        'dau': [{}, {'breakdown': 'platform'}],
        'sessions': [{}, {'measure': 'median_duration_s', 'breakdown': 'platform'}],
        'crash_rate': [{}, {'format': 'table'}],
        'retention': [{}, {'format': 'timeseries', 'k': '1,7', 'start_event': first}],
        'funnel': [{'steps': [first, second], 'window': '1d'}],
        'experiment': [{'experiment': experiment, 'event': second, 'window': '7d'},
                       {'experiment': experiment, 'metric': 'count', 'event': '*', 'breakdown': 'platform',
                        'format': 'timeseries'}] if experiments else [],
        'sql': [{'sql': 'SELECT $__timeGroup(event_time) AS t, event_type, count() AS n FROM events '
                        'WHERE $__timeFilter(event_time) AND $__adhocFilters GROUP BY t, event_type ORDER BY t'},
                {'sql': 'SELECT platform, count() AS n FROM events GROUP BY platform ORDER BY platform'}],
    }
    return variants.get(metric, [{}])


def check_http_rules(checker):
    status, headers, raw = checker.send('GET', '/')
    checker.check(status == 200, 'GET / (Test connection) is exactly 200', f'got {status}')
    checker.check(headers.get('Content-Type', '').startswith('application/json'), 'GET / answers JSON')
    try:
        json.loads(raw)
        checker.check(True, 'GET / body parses as JSON')
    except ValueError:
        checker.check(False, 'GET / body parses as JSON', repr(raw[:100]))
    checker.check('Access-Control-Allow-Origin' in headers, 'GET / has Access-Control-Allow-Origin')
    for path in ['/query', '/metrics', '/search', '/annotations']:
        status, headers, _ = checker.send('OPTIONS', path, headers={
            'Origin': 'http://grafana.example:3000', 'Access-Control-Request-Method': 'POST',
            'Access-Control-Request-Headers': 'content-type, authorization'})
        checker.check(200 <= status < 300, f'OPTIONS {path} preflight is 2xx', f'got {status}')
        allow_methods = headers.get('Access-Control-Allow-Methods', '')
        allow_headers = headers.get('Access-Control-Allow-Headers', '').lower()
        checker.check('POST' in allow_methods and 'GET' in allow_methods, f'OPTIONS {path} allows GET and POST')
        checker.check('content-type' in allow_headers and 'authorization' in allow_headers,
                      f'OPTIONS {path} allows content-type and authorization')
        checker.check(headers.get('Access-Control-Allow-Origin') in ('*', 'http://grafana.example:3000'),
                      f'OPTIONS {path} allows the origin')
    for method, path, body, expected in [('POST', '/no-such-endpoint', {}, 404), ('GET', '/query', None, 405),
                                         ('POST', '/query', b'{"range":', 400)]:
        status, headers, raw = checker.send(method, path, body)
        checker.check(status == expected, f'{method} {path} -> {expected}', f'got {status}')
        try:
            checker.validate(json.loads(raw), ERROR_SCHEMA, f'{method} {path} error is JSON with a message')
        except ValueError:
            checker.check(False, f'{method} {path} error is JSON', repr(raw[:100]))
        checker.check('Access-Control-Allow-Origin' in headers, f'{method} {path} error has CORS')


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('base_url', help='the datasource URL, e.g. http://127.0.0.1:8720/grafana')
    parser.add_argument('--spec', default=DEFAULT_SPEC, help='path of grafana-json-datasource.openapi.yaml')
    args = parser.parse_args()
    with open(args.spec, encoding='utf-8') as spec_file:
        spec = yaml.safe_load(spec_file)
    checker = Checker(args.base_url, spec)
    served = {'/metrics', '/metric-payload-options', '/query', '/variable', '/tag-keys', '/tag-values'}
    checker.check(set(p for p in spec['paths'] if p != '/') == served, 'the openapi lists the endpoints checked here',
                  str(sorted(spec['paths'])))

    check_http_rules(checker)
    time_range, has_events = data_range(checker)
    checker.check(has_events, 'the server holds events (without them, answers are checked for shape only)')

    metrics = checker.exchange('/metrics', {}) or []
    checker.exchange('/metrics', {'metric': 'events', 'payload': {'event_type': 'app_open'}})
    names = [m.get('value') for m in metrics if isinstance(m, dict)]
    event_types = []
    experiments = []
    for metric in metrics:
        for payload in metric.get('payloads', []):
            if payload.get('type') in ('select', 'multi-select') and not payload.get('options'):
                options = checker.exchange('/metric-payload-options',
                                           {'metric': metric['value'], 'payload': {}, 'name': payload['name']})
                if payload['name'] == 'event_type' and options:
                    event_types = [o['value'] for o in options]
                if metric['value'] == 'experiment' and payload['name'] == 'experiment' and options:
                    experiments = [o['value'] for o in options]

    tag_keys = checker.exchange('/tag-keys', {}) or []
    filters = []
    for key in [k['text'] for k in tag_keys if isinstance(k, dict)][:3]:
        values = checker.exchange('/tag-values', {'key': key}) or []
        if values and not filters:
            filters = [{'key': key, 'operator': '=', 'value': values[0]['text']}]

    for name in names:
        for index, payload in enumerate(payloads_for(name, event_types, experiments)):
            for use_filters in ([None, filters] if filters else [None]):
                body = query_request(time_range, [target('A', name, payload)], use_filters)
                answer = checker.exchange('/query', body)
                if has_events and name != 'releases':
                    checker.check(isinstance(answer, list) and len(answer) > 0,
                                  f'/query {name} #{index} {"with" if use_filters else "without"} filters '
                                  'has frames')
    checker.exchange('/query', query_request(time_range, [target('A', 'dau'), target('B', 'events')]))
    if 'experiment' in names:
        unknown = {'experiment': 'no_such_experiment', 'event': 'purchase'}
        status, _, raw = checker.send('POST', '/query', query_request(time_range, [target('A', 'experiment', unknown)]))
        checker.check(status == 400, '/query of an unknown experiment -> 400', f'got {status}')
        try:
            checker.validate(json.loads(raw), ERROR_SCHEMA, 'unknown experiment error is JSON with a message')
        except ValueError:
            checker.check(False, 'unknown experiment error is JSON', repr(raw[:100]))

    for variable in ['platform', 'SELECT DISTINCT country FROM events ORDER BY country']:
        checker.exchange('/variable', {'payload': {'target': variable}, 'range': time_range})

    answer = checker.post('/search', {'target': ''})
    checker.validate(answer, SEARCH_SCHEMA, 'legacy /search answer is a list of names')
    checker.check(sorted(answer or []) == sorted(names), 'legacy /search lists the metrics of /metrics')
    answer = checker.post('/annotations', {'range': time_range, 'rangeRaw': time_range['raw'], 'annotation': {
        'name': 'Releases', 'datasource': 'MUA', 'iconColor': 'rgba(255, 96, 96, 1)', 'enable': True,
        'query': 'releases'}, 'variables': []})
    checker.validate(answer, ANNOTATIONS_SCHEMA, 'legacy /annotations answer is a list of annotations')

    print(f'{checker.passes} passed, {checker.failures} failed')
    return 1 if checker.failures else 0


if __name__ == '__main__':
    sys.exit(main())
