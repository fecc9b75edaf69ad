-- LIMIT n BY expressions: the first n rows of each group in ORDER BY order (which is total),
-- optionally followed by a plain LIMIT. 18.16 has no `LIMIT n OFFSET m BY`.

-- name: top_city_per_country
SELECT country, city, count() AS events
FROM events
GROUP BY country, city
ORDER BY country, events DESC, city
LIMIT 1 BY country

-- name: top2_events_per_platform
SELECT platform, event_type, count() AS events
FROM events
GROUP BY platform, event_type
ORDER BY platform, events DESC, event_type
LIMIT 2 BY platform

-- name: top3_users_per_day
SELECT toDate(event_time) AS day, user_id, count() AS events
FROM events
GROUP BY day, user_id
ORDER BY day, events DESC, user_id
LIMIT 3 BY day

-- name: limit_by_then_limit
SELECT country, city, count() AS events
FROM events
GROUP BY country, city
ORDER BY events DESC, country, city
LIMIT 1 BY country
LIMIT 5

-- name: limit_by_two_keys
SELECT platform, device_type, app_version, count() AS events
FROM events
GROUP BY platform, device_type, app_version
ORDER BY platform, device_type, events DESC, app_version
LIMIT 1 BY platform, device_type

-- name: limit_by_raw_rows
SELECT user_id, toInt64(event_id) AS id, event_type
FROM events
WHERE country = 'SE' AND event_type = 'purchase'
ORDER BY user_id, id
LIMIT 1 BY user_id

-- name: limit_by_expression
SELECT toHour(event_time) AS hour, event_type, count() AS events
FROM events
WHERE event_type IN ('login', 'purchase', 'sign_up')
GROUP BY hour, event_type
ORDER BY hour, events DESC, event_type
LIMIT 1 BY hour

-- name: limit_by_larger_than_group
SELECT platform, device_type, count() AS events
FROM events
GROUP BY platform, device_type
ORDER BY platform, events DESC, device_type
LIMIT 10 BY platform

-- name: limit_by_subquery_then_aggregate
SELECT country, sum(events) AS top2_city_events
FROM
(
    SELECT country, city, count() AS events
    FROM events
    GROUP BY country, city
    ORDER BY country, events DESC, city
    LIMIT 2 BY country
)
GROUP BY country
ORDER BY top2_city_events DESC, country
LIMIT 10

-- name: first_event_type_per_user
SELECT first_type, count() AS users
FROM
(
    SELECT user_id, event_type AS first_type
    FROM events
    WHERE country IN ('US', 'DE')
    ORDER BY user_id, toInt64(event_id)
    LIMIT 1 BY user_id
)
GROUP BY first_type
ORDER BY users DESC, first_type
