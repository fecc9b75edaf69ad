-- Aggregate functions. Floats are rounded (round(x, 4) or 2 for money) because summation
-- order may change the last bits; argMin/argMax use per-user unique keys (event_id is a
-- per-user counter); quantileExact rather than the sampling quantile/median.

-- name: count_all
SELECT count() FROM events

-- name: count_if_many
SELECT countIf(platform = 'ios') AS ios, countIf(platform = 'android') AS android,
       countIf(platform = 'web') AS web, countIf(platform = 'ios' AND country = 'US') AS ios_us
FROM events

-- name: sum_int
SELECT platform, sum(toInt64(event_id)) AS s
FROM events
GROUP BY platform
ORDER BY platform

-- name: sum_if_json_int
-- clickhouse: SELECT country, sumIf(visitParamExtractInt(properties, 'quantity'), event_type = 'add_to_cart') AS items
-- clickhouse: FROM events GROUP BY country ORDER BY country
SELECT country, sumIf(JSONExtractInt(properties, 'quantity'), event_type = 'add_to_cart') AS items
FROM events
GROUP BY country
ORDER BY country

-- name: avg_int
SELECT device_type, round(avg(toInt64(event_id)), 4) AS avg_seq
FROM events
GROUP BY device_type
ORDER BY device_type

-- name: avg_if_price
-- clickhouse: SELECT platform, round(avgIf(visitParamExtractFloat(properties, 'price'), event_type = 'view_item'), 4) AS avg_price
-- clickhouse: FROM events GROUP BY platform ORDER BY platform
SELECT platform, round(avgIf(JSONExtractFloat(properties, 'price'), event_type = 'view_item'), 4) AS avg_price
FROM events
GROUP BY platform
ORDER BY platform

-- name: min_max_string
SELECT platform, min(app_version) AS oldest, max(app_version) AS newest,
       min(os_version) AS min_os, max(city) AS max_city
FROM events
GROUP BY platform
ORDER BY platform

-- name: min_max_time
SELECT platform, toDateTime(min(event_time)) AS first_seen, toDateTime(max(event_time)) AS last_seen
FROM events
GROUP BY platform
ORDER BY platform

-- name: min_max_date
SELECT event_type, min(toDate(event_time)) AS first_day, max(toDate(event_time)) AS last_day
FROM events
GROUP BY event_type
ORDER BY event_type

-- name: count_distinct
SELECT platform, count(DISTINCT country) AS countries, count(DISTINCT user_id) AS users
FROM events
GROUP BY platform
ORDER BY platform

-- name: uniq_exact_sessions
SELECT toDate(event_time) AS day, uniqExact(session_id) AS sessions, uniqExact(device_model) AS models
FROM events
GROUP BY day
ORDER BY day

-- name: arg_min_first_event
SELECT first_event, count() AS users
FROM
(
    SELECT user_id, argMin(event_type, toInt64(event_id)) AS first_event
    FROM events
    GROUP BY user_id
)
GROUP BY first_event
ORDER BY first_event

-- name: arg_max_last_city
SELECT last_version, count() AS users
FROM
(
    SELECT user_id, argMax(app_version, toInt64(event_id)) AS last_version
    FROM events
    GROUP BY user_id
)
GROUP BY last_version
ORDER BY last_version

-- name: arg_min_max_per_user
SELECT user_id, argMin(event_type, toInt64(event_id)) AS first_event,
       argMax(event_type, toInt64(event_id)) AS last_event, count() AS events
FROM events
WHERE user_id LIKE 'u1%'
GROUP BY user_id
ORDER BY user_id
LIMIT 30

-- name: quantile_exact_int
SELECT platform, quantileExact(0.5)(toInt64(event_id)) AS p50,
       quantileExact(0.9)(toInt64(event_id)) AS p90,
       quantileExact(0.99)(toInt64(event_id)) AS p99
FROM events
GROUP BY platform
ORDER BY platform

-- name: quantile_exact_price
-- clickhouse: SELECT event_type, quantileExact(0.25)(visitParamExtractFloat(properties, 'price')) AS p25,
-- clickhouse:        quantileExact(0.75)(visitParamExtractFloat(properties, 'price')) AS p75
-- clickhouse: FROM events WHERE event_type IN ('view_item', 'add_to_cart', 'purchase')
-- clickhouse: GROUP BY event_type ORDER BY event_type
SELECT event_type, quantileExact(0.25)(JSONExtractFloat(properties, 'price')) AS p25,
       quantileExact(0.75)(JSONExtractFloat(properties, 'price')) AS p75
FROM events
WHERE event_type IN ('view_item', 'add_to_cart', 'purchase')
GROUP BY event_type
ORDER BY event_type

-- name: sum_float_rounded
-- clickhouse: SELECT round(sum(visitParamExtractFloat(properties, 'price')), 2) AS total,
-- clickhouse:        round(max(visitParamExtractFloat(properties, 'price')), 2) AS top
-- clickhouse: FROM events WHERE event_type = 'purchase'
SELECT round(sum(JSONExtractFloat(properties, 'price')), 2) AS total,
       round(max(JSONExtractFloat(properties, 'price')), 2) AS top
FROM events
WHERE event_type = 'purchase'

-- name: max_json_int
-- clickhouse: SELECT max(visitParamExtractInt(properties, 'results')) AS most, min(visitParamExtractInt(properties, 'results')) AS least
-- clickhouse: FROM events WHERE event_type = 'search'
SELECT max(JSONExtractInt(properties, 'results')) AS most, min(JSONExtractInt(properties, 'results')) AS least
FROM events
WHERE event_type = 'search'

-- name: aggregates_together
SELECT country, count() AS events, uniqExact(user_id) AS users, min(toInt64(event_id)) AS min_seq,
       max(toInt64(event_id)) AS max_seq, sumIf(1, event_type = 'purchase') AS purchases
FROM events
GROUP BY country
ORDER BY country

-- name: sum_of_comparisons
SELECT platform, sum(event_type = 'purchase') AS purchases, sum(session_id = '') AS sessionless
FROM events
GROUP BY platform
ORDER BY platform
