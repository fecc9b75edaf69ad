-- Queries as an analyst writes them, on data shapes the other files miss: events in the same
-- second, LEFT JOINs with explicit ALL (type defaults, or NULLs with join_use_nulls = 1),
-- nested subqueries, IN with tuples, HAVING on aggregates the SELECT does not show, ORDER BY
-- expressions, string functions on ids and places, date arithmetic across month ends. The
-- data's ids: user_id 'u<n>', event_id a per-user counter, session_id epoch milliseconds.

-- name: same_second_bursts
-- Events of one user inside one second (the SDK flushes bursts).
SELECT platform, count() AS burst_seconds, sum(n) AS burst_events
FROM
(
    SELECT user_id, platform, toDateTime(event_time) AS sec, count() AS n
    FROM events
    GROUP BY user_id, platform, sec
    HAVING n > 1
)
GROUP BY platform
ORDER BY platform

-- name: same_second_event_pairs
SELECT types, count() AS seconds
FROM
(
    SELECT user_id, toDateTime(event_time) AS sec, arrayStringConcat(arraySort(groupArray(event_type)), '+') AS types
    FROM events
    GROUP BY user_id, sec
    HAVING count() = 2
)
GROUP BY types
ORDER BY seconds DESC, types
LIMIT 15

-- name: max_events_in_one_second
SELECT max(n) AS max_per_second, countIf(n >= 3) AS seconds_with_3_plus
FROM (SELECT user_id, toDateTime(event_time) AS sec, count() AS n FROM events GROUP BY user_id, sec)

-- name: left_join_defaults_buyers
-- Users without a purchase get the type defaults (0, '') from ALL LEFT JOIN.
SELECT country, count() AS users, countIf(purchases = 0) AS non_buyers, sum(purchases) AS purchases_total
FROM
(
    SELECT DISTINCT user_id, country FROM events WHERE country IN ('SE', 'CL', 'PK', 'UA')
)
ALL LEFT JOIN
(
    SELECT user_id, count() AS purchases FROM events WHERE event_type = 'purchase' GROUP BY user_id
) USING user_id
GROUP BY country
ORDER BY country

-- name: left_join_use_nulls_counts
-- With join_use_nulls = 1 a missing row is NULL: count(col) skips it, isNull finds it.
SELECT country, count() AS users, count(purchases) AS buyers, countIf(isNull(purchases)) AS missing, sum(purchases) AS total
FROM
(
    SELECT DISTINCT user_id, country FROM events WHERE country IN ('SE', 'CL', 'PK')
)
ALL LEFT JOIN
(
    SELECT user_id, count() AS purchases FROM events WHERE event_type = 'purchase' GROUP BY user_id
) USING user_id
GROUP BY country
ORDER BY country
SETTINGS join_use_nulls = 1

-- name: left_join_use_nulls_coalesce
SELECT user_id, coalesce(purchases, 0) AS purchases, ifNull(last_city, '-') AS last_city
FROM
(
    SELECT DISTINCT user_id FROM events WHERE country = 'SE'
)
ALL LEFT JOIN
(
    SELECT user_id, count() AS purchases, max(city) AS last_city FROM events WHERE event_type = 'purchase' GROUP BY user_id
) USING user_id
ORDER BY user_id
SETTINGS join_use_nulls = 1

-- name: left_join_nulls_string_column
SELECT isNull(crash_version) AS never_crashed, count() AS users
FROM
(
    SELECT DISTINCT user_id FROM events WHERE platform = 'android'
)
ALL LEFT JOIN
(
    SELECT user_id, max(app_version) AS crash_version FROM events WHERE event_type = 'app_crash' GROUP BY user_id
) USING user_id
GROUP BY never_crashed
ORDER BY never_crashed
SETTINGS join_use_nulls = 1

-- name: nested_three_levels
SELECT bucket, count() AS users
FROM
(
    SELECT user_id, intDiv(active_days, 3) AS bucket
    FROM
    (
        SELECT user_id, uniqExact(day) AS active_days
        FROM
        (
            SELECT user_id, toDate(event_time) AS day FROM events WHERE platform = 'ios'
        )
        GROUP BY user_id
    )
)
GROUP BY bucket
ORDER BY bucket

-- name: nested_in_subquery_of_subquery
SELECT country, count() AS events
FROM events
WHERE user_id IN
(
    SELECT user_id FROM events
    WHERE event_type = 'purchase' AND user_id IN (SELECT user_id FROM events WHERE event_type = 'app_crash')
)
GROUP BY country
ORDER BY events DESC, country
LIMIT 10

-- name: in_tuple_list
SELECT platform, country, count() AS events
FROM events
WHERE (platform, country) IN (('ios', 'US'), ('android', 'IN'), ('web', 'DE'), ('ios', 'XX'))
GROUP BY platform, country
ORDER BY platform, country

-- name: in_tuple_subquery
-- Users' first active day: events on (user, day) pairs that are someone's first day.
SELECT toDate(event_time) AS day, count() AS first_day_events
FROM events
WHERE (user_id, toDate(event_time)) IN (SELECT user_id, min(toDate(event_time)) FROM events GROUP BY user_id)
GROUP BY day
ORDER BY day

-- name: not_in_tuple_subquery
SELECT event_type, count() AS events
FROM events
WHERE country = 'PK' AND (user_id, event_type) NOT IN (SELECT user_id, event_type FROM events WHERE platform = 'web')
GROUP BY event_type
ORDER BY event_type

-- name: having_aggregate_not_selected
SELECT country, count() AS events
FROM events
GROUP BY country
HAVING uniqExact(user_id) > 50 AND countIf(event_type = 'purchase') >= 20
ORDER BY country

-- name: having_ratio_not_selected
SELECT app_version, count() AS events
FROM events
GROUP BY app_version
HAVING countIf(event_type = 'app_crash') * 1000 > count()
ORDER BY app_version

-- name: order_by_expressions
SELECT city, country, count() AS events
FROM events
WHERE country IN ('DE', 'FR', 'GB')
GROUP BY city, country
ORDER BY length(city) DESC, lower(city), country

-- name: order_by_ratio_expression
SELECT platform, event_type, count() AS events, uniqExact(user_id) AS users
FROM events
GROUP BY platform, event_type
ORDER BY events / users DESC, platform, event_type
LIMIT 10

-- name: order_by_aggregate_not_selected
SELECT country
FROM events
GROUP BY country
ORDER BY uniqExact(user_id) DESC, country
LIMIT 8

-- name: limit_by_then_limit_offset
SELECT country, city, count() AS events
FROM events
WHERE country IN ('US', 'IN', 'BR', 'DE', 'GB')
GROUP BY country, city
ORDER BY country, events DESC, city
LIMIT 2 BY country
LIMIT 3, 4

-- name: string_functions_places
SELECT city, upper(substring(city, 1, 3)) AS code, lower(city) AS lower_city, position(city, 'o') AS first_o,
       replaceAll(city, ' ', '_') AS slug, startsWith(city, 'S') AS s, endsWith(city, 'o') AS o
FROM events
WHERE country IN ('US', 'BR', 'JP')
GROUP BY city
ORDER BY city

-- name: string_functions_ids
SELECT substring(user_id, 2) AS num, length(user_id) AS len, concat(user_id, ':', event_id) AS key, toUInt32(substring(user_id, 2)) % 7 AS shard
FROM events
WHERE country = 'SE' AND event_type = 'purchase'
ORDER BY user_id, toInt64(event_id)

-- name: string_like_patterns
SELECT device_model, count() AS events
FROM events
WHERE device_model LIKE '%Pro%' OR device_model LIKE 'Galaxy _%' OR device_model NOT LIKE '%a%'
GROUP BY device_model
ORDER BY device_model

-- name: string_session_id_parts
-- session_id is epoch milliseconds as text: its leading digits are a coarse time bucket.
SELECT substring(session_id, 1, 5) AS prefix, uniqExact(session_id) AS sessions
FROM events
WHERE session_id != ''
GROUP BY prefix
ORDER BY prefix

-- name: string_empty_and_lengths
SELECT platform, countIf(empty(session_id)) AS no_session, countIf(notEmpty(session_id)) AS with_session,
       max(length(city)) AS longest_city, min(length(os_version)) AS shortest_os
FROM events
GROUP BY platform
ORDER BY platform

-- name: month_end_add_days
SELECT toDate(event_time) AS day, day + 17 AS plus17, toStartOfMonth(day + 17) AS month_of_plus17, toMonth(day + 30) AS month_plus30
FROM events
GROUP BY day
ORDER BY day

-- name: month_end_add_months
-- addMonths clamps to the month's last day (2026-10-31 + 1 month = 2026-11-30).
SELECT toDate(event_time) + 17 AS d, addMonths(d, 1) AS next_month, addMonths(d, 4) AS plus4, subtractMonths(d, 8) AS minus8
FROM events
GROUP BY d
ORDER BY d

-- name: month_end_last_day
SELECT toDate(event_time) AS day, addDays(toStartOfMonth(addMonths(day, 1)), -1) AS last_of_month,
       dateDiff('day', day, addDays(toStartOfMonth(addMonths(day, 1)), -1)) AS days_left
FROM events
GROUP BY day
ORDER BY day

-- name: month_end_previous_month
SELECT toStartOfMonth(toDate(event_time)) - 1 AS last_of_previous, toStartOfMonth(toStartOfMonth(toDate(event_time)) - 1) AS previous_month, count() AS events
FROM events
GROUP BY last_of_previous, previous_month

-- name: date_diff_month_boundaries
SELECT dateDiff('month', toDate('2026-09-30'), toDate(event_time)) AS months, dateDiff('week', toDate('2026-09-28'), toDate(event_time)) AS weeks, count() AS events
FROM events
WHERE event_type = 'purchase'
GROUP BY months, weeks
ORDER BY months, weeks

-- name: year_end_arithmetic
SELECT toDate(event_time) + 80 AS d, toYear(d) AS y, dateDiff('month', toDate(event_time), d) AS months_ahead, toDayOfYear(d) AS doy
FROM events
GROUP BY toDate(event_time)
ORDER BY d

-- name: hours_across_midnight
SELECT toDate(toDateTime(event_time) + 3 * 3600) AS shifted_day, toHour(toDateTime(event_time) + 3 * 3600) AS shifted_hour, count() AS events
FROM events
WHERE toHour(event_time) >= 21 AND event_type = 'login'
GROUP BY shifted_day, shifted_hour
ORDER BY shifted_day, shifted_hour

-- name: cte_scalar_in_having
WITH (SELECT count() FROM events) AS total
SELECT event_type, count() AS events
FROM events
GROUP BY event_type
HAVING count() * 20 > total
ORDER BY event_type

-- name: conditional_aggregates_per_user_bucket
SELECT multiIf(purchases = 0, 'none', purchases < 3, 'few', 'many') AS segment, count() AS users, round(avg(events), 2) AS avg_events
FROM
(
    SELECT user_id, countIf(event_type = 'purchase') AS purchases, count() AS events FROM events GROUP BY user_id
)
GROUP BY segment
ORDER BY segment

-- name: distinct_on_expressions
SELECT DISTINCT toDayOfWeek(event_time) AS dow, toHour(event_time) >= 12 AS afternoon
FROM events
WHERE country = 'SE'
ORDER BY dow, afternoon

-- name: union_all_then_group
SELECT kind, count() AS rows, uniqExact(user_id) AS users
FROM
(
    SELECT 'buyer' AS kind, user_id FROM events WHERE event_type = 'purchase'
    UNION ALL
    SELECT 'crasher' AS kind, user_id FROM events WHERE event_type = 'app_crash'
)
GROUP BY kind
ORDER BY kind

-- name: argmax_latest_version_per_user
SELECT latest, count() AS users
FROM (SELECT user_id, argMax(app_version, toInt64(event_id)) AS latest FROM events GROUP BY user_id)
GROUP BY latest
ORDER BY latest

-- name: join_on_expression_keys
-- Day-over-day: each day's users joined to the previous day's by a computed key.
SELECT day, users, prev_users
FROM
(
    SELECT toDate(event_time) AS day, uniqExact(user_id) AS users FROM events GROUP BY day
)
ALL INNER JOIN
(
    SELECT toDate(event_time) + 1 AS day, uniqExact(user_id) AS prev_users FROM events GROUP BY day
) USING day
ORDER BY day

-- name: string_reverse
SELECT city, reverse(city) AS backwards, reverse(lower(country)) AS c
FROM events
WHERE country IN ('US', 'JP')
GROUP BY city, country
ORDER BY city

-- name: string_length_utf8
SELECT region, length(region) AS bytes, lengthUTF8(region) AS chars
FROM events
WHERE country IN ('FR', 'BR', 'DE', 'TR')
GROUP BY region
ORDER BY region

-- name: relative_month_num
SELECT toDate(event_time) + 80 AS d, toRelativeMonthNum(d) - toRelativeMonthNum(toDate(event_time)) AS months_ahead
FROM events
GROUP BY toDate(event_time)
ORDER BY d
