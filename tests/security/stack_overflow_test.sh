#!/usr/bin/env bash
# Issue 15, finding 1 (one request kills the process) for SQL: a self-referencing CTE through
# every endpoint that runs SQL (POST /, GET /?query=, POST /api/v1/query, POST /grafana/search,
# /grafana/query, /grafana/variable), mutual and indirect references, an exponential CTE chain
# (error 306 TOO_DEEP_SUBQUERIES), and deep nesting in every syntactic form the parser knows
# (subqueries, parentheses, operators, calls, arrays, CASE, IN) plus JSON functions over a
# 1 M-deep string. Each is a clean error; the server stays up and loses nothing.
#   stack_overflow_test.sh MUA_SERVER
set -u
SERVER=${1:?usage: stack_overflow_test.sh MUA_SERVER}
WORK=$(mktemp -d)
source "$(dirname "$0")/lib.sh"

make_events "$WORK/events.jsonl" 50
start_secure so --load "$WORK/events.jsonl"
check "mua-server started (development mode)" test $? -eq 0
stored=$(q "" "SELECT count() FROM events")
check "500 events loaded ($stored)" test "$stored" == 500

self='WITH a AS (SELECT * FROM a) SELECT * FROM a'
status=$(req - --data-binary "$self" "$base/")
check "POST / self-referencing CTE: 404 UNKNOWN_TABLE ($status: $(short_body))" \
  bash -c "[[ $status == 404 ]] && grep -q 'Code: 60' '$WORK/body' && grep -q 'UNKNOWN_TABLE' '$WORK/body'"
status=$(req - -G --data-urlencode "query=$self" "$base/")
check "GET /?query= self-referencing CTE: UNKNOWN_TABLE ($status)" \
  bash -c "[[ $status == 404 ]] && grep -q 'Code: 60' '$WORK/body'"
status=$(req - -H 'Content-Type: application/json' --data-binary "{\"sql\":\"$self\"}" "$base/api/v1/query")
check "POST /api/v1/query self-referencing CTE: a 4xx naming table a ($status: $(short_body))" \
  bash -c "[[ $status == 4* ]] && grep -q 'Table default.a' '$WORK/body'"
status=$(req - -H 'Content-Type: application/json' --data-binary "{\"target\":\"$self\"}" "$base/grafana/search")
check "POST /grafana/search with the CTE as target: 400 naming table a ($status: $(short_body))" \
  bash -c "[[ $status == 400 ]] && grep -q 'Table default.a' '$WORK/body'"
status=$(req - -H 'Content-Type: application/json' --data-binary "{\"payload\":{\"target\":\"$self\"}}" "$base/grafana/variable")
check "POST /grafana/variable with the CTE: 400 ($status: $(short_body))" \
  bash -c "[[ $status == 400 ]] && grep -q 'Table default.a' '$WORK/body'"
range='"range":{"from":"2020-01-01T00:00:00Z","to":"2030-01-01T00:00:00Z"}'
status=$(req - -H 'Content-Type: application/json' \
  --data-binary "{$range,\"targets\":[{\"refId\":\"A\",\"target\":\"sql\",\"payload\":{\"sql\":\"$self\"}}]}" "$base/grafana/query")
check "POST /grafana/query sql metric with the CTE: 400 ($status: $(short_body))" \
  bash -c "[[ $status == 400 ]] && grep -q 'Table default.a' '$WORK/body'"

# Variants: mutual, through a subquery in WHERE, through a derived table, a CTE named like the
# table (it reads the table: a CTE sees only earlier CTEs).
status=$(req - --data-binary 'WITH a AS (SELECT * FROM b), b AS (SELECT * FROM a) SELECT * FROM a' "$base/")
check "mutually referencing CTEs: UNKNOWN_TABLE b ($status)" \
  bash -c "[[ $status == 404 ]] && grep -q 'Table default.b' '$WORK/body'"
status=$(req - --data-binary 'WITH a AS (SELECT 1 AS x WHERE x IN (SELECT x FROM a)) SELECT * FROM a' "$base/")
check "a CTE referencing itself in a WHERE subquery: UNKNOWN_TABLE ($status)" \
  bash -c "[[ $status == 404 ]] && grep -q 'Code: 60' '$WORK/body'"
status=$(req - --data-binary 'WITH a AS (SELECT * FROM (SELECT * FROM (SELECT * FROM a))) SELECT * FROM a' "$base/")
check "a CTE referencing itself inside derived tables: UNKNOWN_TABLE ($status)" \
  bash -c "[[ $status == 404 ]] && grep -q 'Code: 60' '$WORK/body'"
status=$(req - --data-binary 'WITH events AS (SELECT * FROM events WHERE user_id = '"'user-1'"') SELECT count() FROM events' "$base/")
check "a CTE named events reads the table events (10 rows: $status $(short_body))" \
  bash -c "[[ $status == 200 ]] && [[ \$(cat '$WORK/body') == 10 ]]"

# Exponential expansion: each level references the previous twice (2^30 references).
python3 - >"$WORK/chain.sql" <<'PY'
parts = ["a1 AS (SELECT 1 AS x)"]
parts += [f"a{i} AS (SELECT x FROM a{i-1} WHERE x IN (SELECT x FROM a{i-1}))" for i in range(2, 31)]
print("WITH " + ", ".join(parts) + " SELECT count() FROM a30")
PY
status=$(req - --data-binary @"$WORK/chain.sql" "$base/")
check "an exponential CTE chain of 30: 400 Code 306 TOO_DEEP_SUBQUERIES ($status: $(short_body))" \
  bash -c "[[ $status == 400 ]] && grep -q 'Code: 306' '$WORK/body' && grep -q 'Query is too complex' '$WORK/body'"
python3 -c "import json; print(json.dumps({'sql': open('$WORK/chain.sql').read().strip()}))" >"$WORK/chain.json"
# /api/v1/query and /grafana/* answer 400 for "Query is too complex" and the parser's depth
# limit, as POST / does (they answered 429 Too Many Requests until 5cfbb57).
status=$(req - -H 'Content-Type: application/json' --data-binary @"$WORK/chain.json" "$base/api/v1/query")
check "... through /api/v1/query: 400, too complex ($status: $(short_body))" \
  bash -c "[[ $status == 400 ]] && grep -q 'too complex' '$WORK/body'"
python3 -c "import json; print(json.dumps({'target': open('$WORK/chain.sql').read().strip()}))" >"$WORK/chain-search.json"
status=$(req - -H 'Content-Type: application/json' --data-binary @"$WORK/chain-search.json" "$base/grafana/search")
check "... through /grafana/search: 400, too complex ($status: $(short_body))" \
  bash -c "[[ $status == 400 ]] && grep -q 'too complex' '$WORK/body'"
# The same chain as nested derived tables instead of CTEs.
python3 - >"$WORK/wide.sql" <<'PY'
inner = "SELECT 1 AS x"
for _ in range(20):
    inner = f"SELECT x FROM ({inner}) WHERE x IN (SELECT x FROM ({inner}))"
print(inner)
PY
status=$(req - --data-binary @"$WORK/wide.sql" "$base/")
check "2^20 subqueries spelled out (no CTE): a clean 4xx ($status: $(short_body))" \
  bash -c "[[ $status == 4* ]] && grep -q '^Code: ' '$WORK/body'"

python3 -c "import json; print(json.dumps({'sql': 'SELECT ' + '(' * 100000 + '1' + ')' * 100000}))" >"$WORK/deep.json"
status=$(req - -H 'Content-Type: application/json' --data-binary @"$WORK/deep.json" "$base/api/v1/query")
check "100 000 parentheses through /api/v1/query: 400 nested too deeply ($status: $(short_body 100))" \
  bash -c "[[ $status == 400 ]] && grep -q 'nested too deeply' '$WORK/body'"

# Deep nesting of every kind: the parser's depth limit answers SYNTAX_ERROR 62.
deep() {  # deep NAME PYTHON_EXPR : the statement printed by PYTHON_EXPR gets a clean 400
  python3 -c "print($2)" >"$WORK/deep.sql"
  local status
  status=$(req - --data-binary @"$WORK/deep.sql" "$base/")
  check "$1: 400 SYNTAX_ERROR ($status: $(short_body 100))" \
    bash -c "[[ $status == 400 ]] && grep -q 'Code: 62' '$WORK/body'"
}
deep "5000 nested derived tables" '"SELECT * FROM " + "(SELECT * FROM " * 5000 + "numbers(1)" + ")" * 5000'
deep "100 000 parentheses" '"SELECT " + "(" * 100000 + "1" + ")" * 100000'
deep "300 000 additions" '"SELECT " + "+".join(["1"] * 300000)'
deep "100 000 NOTs" '"SELECT " + "NOT " * 100000 + "1"'
deep "50 000 nested calls" '"SELECT " + "abs(" * 50000 + "1" + ")" * 50000'
deep "100 000 nested arrays" '"SELECT " + "[" * 100000 + "1" + "]" * 100000'
deep "50 000 nested CASE" '"SELECT " + "CASE WHEN 1 THEN " * 50000 + "1" + " END" * 50000'
deep "5000 nested IN subqueries" '"SELECT 1 WHERE 1 IN " + "(SELECT 1 WHERE 1 IN " * 5000 + "(SELECT 1)" + ")" * 5000'
deep "100 000 unary minus (spaced)" '"SELECT " + "- " * 100000 + "1"'
deep "CTE bodies nested 5000 deep" '"WITH a AS " + "(WITH b AS " * 5000 + "(SELECT 1) SELECT 1" + ")" * 5000 + " SELECT 1"'

# JSON functions walk a string of the query: a 1 M-deep one is an error or a NULL/empty
# answer, never a crash.
json_fn() {  # json_fn NAME PYTHON_EXPR
  python3 -c "print($2)" >"$WORK/json.sql"
  local status
  status=$(req - --data-binary @"$WORK/json.sql" "$base/")
  check "$1 over a 1 M-deep string answers ($status: $(short_body 100))" \
    bash -c "[[ $status == 200 || $status == 400 ]]"
}
json_fn "JSONExtractString" '"SELECT JSONExtractString(\x27" + "[" * 1000000 + "\x27, \x27a\x27)"'
json_fn "JSONExtractInt on objects" '"SELECT JSONExtractInt(\x27" + "{\"a\":" * 300000 + "1" + "}" * 300000 + "\x27, \x27a\x27)"'
json_fn "JSONHas" '"SELECT JSONHas(\x27" + "[" * 1000000 + "\x27, 1)"'
json_fn "visitParamExtractString" '"SELECT visitParamExtractString(\x27" + "{\"a\":" * 300000 + "\x27, \x27a\x27)"'

still_intact 500
finish
