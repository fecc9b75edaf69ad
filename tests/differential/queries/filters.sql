-- WHERE: =, !=, IN, NOT IN, LIKE, NOT LIKE, BETWEEN, AND/OR/NOT, IS [NOT] NULL, time ranges.

-- name: eq
SELECT count() FROM events WHERE event_type = 'purchase'

-- name: neq
SELECT count(), uniqExact(user_id) FROM events WHERE platform != 'android'

-- name: neq_angle
SELECT count() FROM events WHERE country <> 'US' AND platform <> 'ios'

-- name: in_list
SELECT country, count() AS events
FROM events
WHERE country IN ('US', 'DE', 'JP', 'BR')
GROUP BY country
ORDER BY country

-- name: not_in_list
SELECT platform, count() AS events
FROM events
WHERE event_type NOT IN ('screen_view', 'click', 'app_background')
GROUP BY platform
ORDER BY platform

-- name: like_prefix
SELECT device_model, count() AS events
FROM events
WHERE device_model LIKE 'iPhone%'
GROUP BY device_model
ORDER BY device_model

-- name: like_underscore
SELECT app_version, count() AS events
FROM events
WHERE app_version LIKE '4._.0'
GROUP BY app_version
ORDER BY app_version

-- name: like_infix
SELECT city, uniqExact(user_id) AS users
FROM events
WHERE city LIKE '%o%' AND region LIKE '%a%'
GROUP BY city
ORDER BY city

-- name: not_like
SELECT uniqExact(city) AS cities, count() AS events
FROM events
WHERE city NOT LIKE '% %'

-- name: between_dates
SELECT toDate(event_time) AS day, count() AS events
FROM events
WHERE toDate(event_time) BETWEEN '2026-10-03' AND '2026-10-05'
GROUP BY day
ORDER BY day

-- name: between_numbers
SELECT event_type, count() AS events
FROM events
WHERE toInt64(event_id) BETWEEN 10 AND 20
GROUP BY event_type
ORDER BY event_type

-- name: not_between
-- 18.16 cannot parse `x NOT BETWEEN a AND b`; NOT (x BETWEEN a AND b) is the same.
SELECT count() FROM events WHERE NOT (toInt64(event_id) BETWEEN 2 AND 500)

-- name: and_or_not
SELECT platform, count() AS opens
FROM events
WHERE (platform = 'ios' OR platform = 'web') AND NOT (country = 'US') AND event_type = 'app_open'
GROUP BY platform
ORDER BY platform

-- name: and_binds_tighter_than_or
SELECT count() FROM events WHERE platform = 'web' OR platform = 'ios' AND country = 'JP'

-- name: not_not
SELECT count() FROM events WHERE NOT NOT (event_type = 'login')

-- name: time_range_half_open
SELECT count(), uniqExact(user_id), uniqExact(session_id)
FROM events
WHERE event_time >= '2026-10-05 12:00:00' AND event_time < '2026-10-05 13:00:00'

-- name: time_range_todatetime
SELECT event_type, count() AS events
FROM events
WHERE event_time >= toDateTime('2026-10-10 06:30:00') AND event_time < toDateTime('2026-10-10 07:00:00')
GROUP BY event_type
ORDER BY event_type

-- name: is_not_null
SELECT count() FROM events WHERE session_id IS NOT NULL AND properties IS NOT NULL

-- name: is_null
SELECT count() FROM events WHERE country IS NULL OR city IS NULL

-- name: empty_string
SELECT platform, count() AS without_session
FROM events
WHERE session_id = ''
GROUP BY platform
ORDER BY platform

-- name: string_range
SELECT app_version, uniqExact(user_id) AS users
FROM events
WHERE app_version >= '4.3.0' AND app_version < '4.4'
GROUP BY app_version
ORDER BY app_version

-- name: numeric_compare_on_column_function
SELECT device_type, count() AS events
FROM events
WHERE toInt64(event_id) > 100 AND toHour(event_time) < 6
GROUP BY device_type
ORDER BY device_type
