-- Time functions over event_time. MUA's event_time is DateTime64(3), ClickHouse's here is
-- DateTime (whole seconds): only functions whose text agrees are used (toDate, toStartOf*,
-- toHour, toYYYYMMDD, toDateTime(event_time), dateDiff on whole seconds, >=/< against
-- 'YYYY-MM-DD hh:mm:ss' at whole seconds).

-- name: to_start_of_hour
SELECT toStartOfHour(event_time) AS hour, count() AS events
FROM events
WHERE toDate(event_time) = '2026-10-03'
GROUP BY hour
ORDER BY hour

-- name: to_start_of_day
SELECT toStartOfDay(event_time) AS day, uniqExact(user_id) AS users
FROM events
GROUP BY day
ORDER BY day

-- name: to_monday
SELECT toMonday(event_time) AS week, uniqExact(user_id) AS wau
FROM events
GROUP BY week
ORDER BY week

-- name: to_start_of_week
-- 18.16 has no toStartOfWeek; mode 0 (weeks start on Sunday) is toMonday(day + 1) - 1.
-- clickhouse: SELECT toMonday(toDate(event_time) + 1) - 1 AS week, uniqExact(user_id) AS wau
-- clickhouse: FROM events GROUP BY week ORDER BY week
SELECT toStartOfWeek(event_time) AS week, uniqExact(user_id) AS wau
FROM events
GROUP BY week
ORDER BY week

-- name: to_start_of_month
SELECT toStartOfMonth(event_time) AS month, count() AS events
FROM events
GROUP BY month
ORDER BY month

-- name: to_yyyymmdd
SELECT toYYYYMMDD(event_time) AS ymd, countIf(event_type = 'sign_up') AS sign_ups
FROM events
GROUP BY ymd
ORDER BY ymd

-- name: to_hour_histogram
SELECT toHour(event_time) AS hour, uniqExact(user_id) AS users
FROM events
WHERE country = 'US'
GROUP BY hour
ORDER BY hour

-- name: to_start_of_interval_15_minutes
-- 18.16 has no toStartOfInterval: ClickHouse floors the epoch second to 900 s instead.
-- clickhouse: SELECT toDateTime(intDiv(toUInt32(toDateTime(event_time)), 900) * 900) AS bucket, count() AS events
-- clickhouse: FROM events WHERE toDate(event_time) = '2026-10-06' AND toHour(event_time) BETWEEN 8 AND 10
-- clickhouse: GROUP BY bucket ORDER BY bucket
SELECT toStartOfInterval(toDateTime(event_time), INTERVAL 15 MINUTE) AS bucket, count() AS events
FROM events
WHERE toDate(event_time) = '2026-10-06' AND toHour(event_time) BETWEEN 8 AND 10
GROUP BY bucket
ORDER BY bucket

-- name: to_start_of_interval_6_hours
-- clickhouse: SELECT toDateTime(intDiv(toUInt32(toDateTime(event_time)), 21600) * 21600) AS bucket, uniqExact(user_id) AS users
-- clickhouse: FROM events GROUP BY bucket ORDER BY bucket
SELECT toStartOfInterval(toDateTime(event_time), INTERVAL 6 HOUR) AS bucket, uniqExact(user_id) AS users
FROM events
GROUP BY bucket
ORDER BY bucket

-- name: to_date_of_string_compare
SELECT platform, count() AS events
FROM events
WHERE toDate(event_time) = '2026-10-07'
GROUP BY platform
ORDER BY platform

-- name: date_diff_days_active_span
SELECT span_days, count() AS users
FROM
(
    SELECT user_id, dateDiff('day', toDate(min(event_time)), toDate(max(event_time))) AS span_days
    FROM events
    GROUP BY user_id
)
GROUP BY span_days
ORDER BY span_days

-- name: date_diff_hours
SELECT dateDiff('hour', toDateTime('2026-10-01 00:00:00'), toDateTime(min(event_time))) AS first_hour,
       dateDiff('minute', toDateTime(min(event_time)), toDateTime(max(event_time))) AS minutes
FROM events
WHERE country = 'NL'

-- name: interval_arithmetic_datetime
SELECT count(), uniqExact(user_id)
FROM events
WHERE event_time >= toDateTime('2026-10-14 00:00:00') - INTERVAL 1 DAY
  AND event_time < toDateTime('2026-10-14 00:00:00') + INTERVAL 2 HOUR

-- name: interval_arithmetic_date
SELECT toDate(event_time) AS day, count() AS events
FROM events
WHERE toDate(event_time) >= toDate('2026-10-14') - INTERVAL 6 DAY AND toDate(event_time) < toDate('2026-10-15')
GROUP BY day
ORDER BY day

-- name: to_datetime_seconds
SELECT toDateTime(event_time) AS t, event_type
FROM events
WHERE user_id = 'u171'
ORDER BY t, event_type
LIMIT 20

-- name: date_arithmetic_plus_days
SELECT toDate(event_time) + 7 AS next_week, count() AS events
FROM events
WHERE event_type = 'sign_up'
GROUP BY next_week
ORDER BY next_week

-- name: sign_up_day_vs_activity
SELECT dateDiff('day', signup_day, toDate('2026-10-14')) AS age_days, count() AS users
FROM
(
    SELECT user_id, min(toDate(event_time)) AS signup_day
    FROM events
    WHERE event_type = 'sign_up'
    GROUP BY user_id
)
GROUP BY age_days
ORDER BY age_days
