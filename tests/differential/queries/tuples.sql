-- Tuples outside IN lists: tuple() and (a, b) literals, tupleElement and t.N, tuple IN a list
-- and IN a subquery; TabSeparated prints a tuple as ('a',1).

-- name: tuple_literals
SELECT (1, 'a') AS t, tuple(2, 'b', 3.5) AS t3, t.1 AS first, tupleElement(t3, 2) AS second

-- name: tuple_in_list
SELECT platform, country, count() AS events
FROM events
WHERE (platform, country) IN (('ios', 'SE'), ('android', 'CL'), ('web', 'TH'))
GROUP BY platform, country
ORDER BY platform, country

-- name: tuple_not_in_list
SELECT count() AS events
FROM events
WHERE (platform, device_type) NOT IN (('ios', 'phone'), ('android', 'phone'))

-- name: tuple_in_subquery
SELECT count() AS events, uniqExact(user_id) AS users
FROM events
WHERE (user_id, toDate(event_time)) IN
(
    SELECT user_id, toDate(event_time) FROM events WHERE event_type = 'purchase'
)

-- name: tuple_in_subquery_grouped
SELECT event_type, count() AS events
FROM events
WHERE (user_id, session_id) IN
(
    SELECT user_id, session_id FROM events WHERE event_type = 'app_crash'
)
GROUP BY event_type
ORDER BY events DESC, event_type

-- name: tuple_column_output
SELECT (platform, device_type) AS pd, count() AS events
FROM events
GROUP BY pd
ORDER BY events DESC

-- name: tuple_element_of_column
SELECT tupleElement(pd, 1) AS p, sum(events) AS total
FROM
(
    SELECT (platform, device_type) AS pd, count() AS events FROM events GROUP BY pd
)
GROUP BY p
ORDER BY p

-- name: tuple_dot_access_from_subquery
SELECT t.2 AS country, t.1 AS n
FROM
(
    SELECT (count(), country) AS t FROM events WHERE platform = 'web' GROUP BY country
)
ORDER BY n DESC, country
LIMIT 5

-- name: tuple_with_arrays
SELECT (platform, arraySort(groupUniqArray(device_type))) AS t
FROM events
GROUP BY platform
ORDER BY platform
