-- ORDER BY (always total, so the output is deterministic) with LIMIT and OFFSET.
-- Raw event_time never appears: MUA keeps milliseconds, ClickHouse 18.16 seconds.

-- name: top_users
SELECT user_id, count() AS events
FROM events
GROUP BY user_id
ORDER BY events DESC, user_id
LIMIT 5

-- name: top_users_offset
SELECT user_id, count() AS events
FROM events
GROUP BY user_id
ORDER BY events DESC, user_id
LIMIT 5 OFFSET 5

-- name: mixed_directions
SELECT country, platform, count() AS events
FROM events
GROUP BY country, platform
ORDER BY country DESC, events ASC, platform
LIMIT 20

-- name: order_by_expression
SELECT city, length(city) AS bytes
FROM events
GROUP BY city
ORDER BY length(city) DESC, city

-- name: event_rows
SELECT toDateTime(event_time) AS t, user_id, event_id, event_type, city
FROM events
WHERE country = 'SE' AND event_type = 'purchase'
ORDER BY t, user_id, event_id

-- name: last_events
SELECT toDateTime(event_time) AS t, user_id, event_id, event_type
FROM events
ORDER BY t DESC, user_id DESC, event_id DESC
LIMIT 10

-- name: limit_beyond_result
SELECT app_version, count() AS events
FROM events
GROUP BY app_version
ORDER BY app_version
LIMIT 1000

-- name: order_by_aggregate_not_selected
SELECT device_model
FROM events
GROUP BY device_model
ORDER BY uniqExact(user_id) DESC, device_model
LIMIT 8

-- name: user_timeline
SELECT toInt64(event_id) AS seq, toDateTime(event_time) AS t, event_type, session_id
FROM events
WHERE user_id = 'u92'
ORDER BY seq
LIMIT 25 OFFSET 3

-- name: order_by_string_desc
SELECT os_version, count() AS events
FROM events
WHERE platform = 'ios'
GROUP BY os_version
ORDER BY os_version DESC
