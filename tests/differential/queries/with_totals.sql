-- GROUP BY ... WITH TOTALS: TabSeparated prints the rows, an empty line, then the totals row
-- (keys at their type's default: '' or 0). Totals cover every group, before LIMIT. No Date
-- keys: a default Date prints 0000-00-00 on 18.16 and 1970-01-01 on modern ClickHouse.

-- name: platform_counts
SELECT platform, count() AS events
FROM events
GROUP BY platform WITH TOTALS
ORDER BY platform

-- name: platform_users_sum
SELECT platform, count() AS events, uniqExact(user_id) AS users, sum(toInt64(event_id)) AS s
FROM events
GROUP BY platform WITH TOTALS
ORDER BY platform

-- name: two_keys
SELECT platform, device_type, count() AS events
FROM events
GROUP BY platform, device_type WITH TOTALS
ORDER BY platform, device_type

-- name: day_number_key
SELECT toYYYYMMDD(event_time) AS day, uniqExact(user_id) AS dau
FROM events
GROUP BY day WITH TOTALS
ORDER BY day

-- name: with_limit
SELECT country, count() AS events
FROM events
GROUP BY country WITH TOTALS
ORDER BY events DESC, country
LIMIT 5

-- name: with_where
SELECT event_type, count() AS events
FROM events
WHERE platform = 'web'
GROUP BY event_type WITH TOTALS
ORDER BY events DESC, event_type

-- name: rounded_avg
SELECT device_type, round(avg(toHour(event_time)), 4) AS avg_hour, min(toHour(event_time)) AS min_hour, max(toHour(event_time)) AS max_hour
FROM events
GROUP BY device_type WITH TOTALS
ORDER BY device_type

-- name: count_if_columns
SELECT app_version, countIf(event_type = 'app_crash') AS crashes, countIf(event_type = 'purchase') AS purchases
FROM events
GROUP BY app_version WITH TOTALS
ORDER BY app_version

-- name: hour_key_int
SELECT toHour(event_time) AS hour, count() AS events
FROM events
WHERE event_type = 'purchase'
GROUP BY hour WITH TOTALS
ORDER BY hour

-- name: from_subquery
SELECT purchases, count() AS users
FROM
(
    SELECT user_id, countIf(event_type = 'purchase') AS purchases FROM events GROUP BY user_id
)
GROUP BY purchases WITH TOTALS
ORDER BY purchases

-- name: quantile_exact_totals
SELECT platform, quantileExact(0.5)(toHour(event_time)) AS median_hour
FROM events
GROUP BY platform WITH TOTALS
ORDER BY platform

-- name: with_having
SELECT country, count() AS events
FROM events
GROUP BY country WITH TOTALS
HAVING events > 10000
ORDER BY country
