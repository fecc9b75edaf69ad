-- GROUP BY one and several keys, expressions as keys, HAVING.

-- name: one_key
SELECT event_type, count() AS events
FROM events
GROUP BY event_type
ORDER BY event_type

-- name: two_keys
SELECT platform, device_type, count() AS events, uniqExact(user_id) AS users
FROM events
GROUP BY platform, device_type
ORDER BY platform, device_type

-- name: three_keys
SELECT country, platform, app_version, uniqExact(user_id) AS users
FROM events
GROUP BY country, platform, app_version
ORDER BY country, platform, app_version

-- name: expression_key
SELECT toHour(event_time) AS hour, count() AS events
FROM events
GROUP BY hour
ORDER BY hour

-- name: key_not_selected
SELECT count() AS events
FROM events
GROUP BY event_type
ORDER BY events

-- name: having_count
SELECT country, count() AS events
FROM events
GROUP BY country
HAVING count() > 5000
ORDER BY country

-- name: having_alias
SELECT event_type, uniqExact(user_id) AS users
FROM events
GROUP BY event_type
HAVING users > 1000
ORDER BY users DESC, event_type

-- name: having_aggregate_not_selected
SELECT app_version
FROM events
GROUP BY app_version
HAVING countIf(event_type = 'app_crash') > 10
ORDER BY app_version

-- name: having_and_where
SELECT region, uniqExact(user_id) AS users
FROM events
WHERE platform = 'android'
GROUP BY region
HAVING users >= 50 AND count() < 20000
ORDER BY region

-- name: unordered_groups
-- unordered
SELECT device_type, platform, count()
FROM events
GROUP BY device_type, platform

-- name: function_key
SELECT lower(country) AS c, count() AS events
FROM events
GROUP BY c
ORDER BY c

-- name: os_versions_per_platform
SELECT platform, os_version, uniqExact(user_id) AS users
FROM events
GROUP BY platform, os_version
ORDER BY platform, os_version
