-- Small behaviours where ClickHouse 18.16 already answers as modern ClickHouse does: SHOW
-- TABLES honours its LIKE pattern, integer array literals take the least supertype of their
-- elements, scalar subqueries of one row. (concat of numbers, NOT LIKE/ILIKE, a scalar
-- subquery of no rows and error 125 are modern-only: tests/sqllogic/select/sql_gaps.test.)

-- name: show_tables_like
SHOW TABLES LIKE 'eve%s'

-- name: show_tables_like_underscore
SHOW TABLES FROM system LIKE 'on_'

-- name: array_literal_types
SELECT toTypeName([1, 2, 3]) AS a, toTypeName([1, 300]) AS b, toTypeName([-1, 1]) AS c,
       toTypeName([1, 2.5]) AS d, toTypeName([-1, 70000]) AS e, toTypeName([1, 4294967296]) AS f

-- name: array_literal_values
SELECT [1, 300] AS a, [-1, 1] AS b, has([1, 2, 3], 2) AS h, length([70000, 1]) AS n

-- name: array_literal_in_query
SELECT platform, count() AS events
FROM events
WHERE has(['ios', 'android'], platform) AND indexOf([1, 2, 3], toUInt8(toDayOfMonth(event_time) % 4)) > 0
GROUP BY platform
ORDER BY platform

-- name: scalar_subquery_one_row
SELECT count() AS n
FROM events
WHERE user_id = (SELECT min(user_id) FROM events)

-- name: scalar_subquery_aggregate_type
SELECT toTypeName((SELECT count() FROM events)) AS t, (SELECT count() FROM events WHERE 0) AS zero
