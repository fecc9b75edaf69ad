-- system.numbers (endless: read up to the LIMIT), numbers(N), numbers(start, N) and
-- arrayJoin() in SELECT, WHERE and GROUP BY through its alias, mixed with events.

-- name: numbers_limit
SELECT number FROM system.numbers LIMIT 10

-- name: numbers_where_limit
SELECT number FROM system.numbers WHERE number % 7 = 0 LIMIT 5

-- name: numbers_offset
SELECT number FROM system.numbers LIMIT 3 OFFSET 1000000

-- name: numbers_mt_sum
SELECT sum(number) FROM (SELECT number FROM system.numbers_mt LIMIT 1000)

-- name: numbers_start_count
SELECT number, number * number AS sq FROM numbers(5, 4)

-- name: numbers_days_join
SELECT d, count() AS c
FROM (SELECT toDate('2026-10-01') + number AS d FROM system.numbers LIMIT 14)
ALL LEFT JOIN (SELECT toDate(event_time) AS d, event_id FROM events WHERE event_type = 'purchase') USING d
GROUP BY d
ORDER BY d

-- name: numbers_group_modulo
SELECT number % 3 AS k, count() AS c, sum(number) AS s FROM numbers(100) GROUP BY k ORDER BY k

-- name: arrayjoin_cartesian
SELECT arrayJoin([1, 2]) AS a, arrayJoin(['x', 'y']) AS b ORDER BY a, b

-- name: arrayjoin_same_twice
SELECT arrayJoin([3, 1, 2]) AS a, arrayJoin([3, 1, 2]) AS b ORDER BY a

-- name: arrayjoin_where_alias
SELECT user_id, arrayJoin(splitByChar('.', app_version)) AS part
FROM events
WHERE country = 'CL' AND event_type = 'purchase' AND part != '0'
ORDER BY user_id, part
LIMIT 20

-- name: arrayjoin_group_by_range
SELECT arrayJoin(range(3)) AS i, count() AS c FROM events WHERE platform = 'web' GROUP BY i ORDER BY i

-- name: arrayjoin_in_expression
SELECT platform, sum(arrayJoin([1, 10])) AS s FROM events GROUP BY platform ORDER BY platform
