-- formatDateTime with the codes 18.16 shares with modern ClickHouse (%M is minutes on 18.16 but
-- the month name on modern, so it is not used; %G, %a, %b... are modern only), toUnixTimestamp,
-- toStartOfFifteenMinutes/FiveMinute, add*/subtract*, toISOWeek/toISOYear.

-- name: format_date_time_codes
SELECT formatDateTime(toDateTime('2026-10-05 18:09:07'), '%Y-%m-%d %H:%S|%F %T|%D|%j|%u %w|%e|%R|%p %I|%y %C|%V|%%') AS f

-- name: format_per_day
SELECT formatDateTime(toDateTime(event_time), '%Y/%m/%d') AS day, count() AS events
FROM events
GROUP BY day
ORDER BY day

-- name: format_hour_label
SELECT formatDateTime(toStartOfHour(toDateTime(event_time)), '%F %H:00') AS hour, count() AS purchases
FROM events
WHERE event_type = 'purchase' AND toDate(event_time) = '2026-10-07'
GROUP BY hour
ORDER BY hour

-- name: format_weekday_iso_week
SELECT formatDateTime(toDateTime(event_time), '%V-%u') AS week_day, count() AS events
FROM events
GROUP BY week_day
ORDER BY week_day

-- name: to_unix_timestamp_datetime
SELECT toUnixTimestamp(toDateTime('2026-10-05 00:00:00')) AS t, toUnixTimestamp('2026-10-05 12:00:00') AS s

-- name: to_unix_timestamp_column
SELECT toDate(event_time) AS day, min(toUnixTimestamp(toDateTime(event_time))) AS first_ts, max(toUnixTimestamp(event_time)) AS last_ts
FROM events
GROUP BY day
ORDER BY day

-- name: to_unix_timestamp_roundtrip
SELECT count() AS events, countIf(toDateTime(toUnixTimestamp(event_time)) = toDateTime(event_time)) AS same
FROM events

-- name: start_of_fifteen_minutes
SELECT toStartOfFifteenMinutes(toDateTime(event_time)) AS slot, count() AS events
FROM events
WHERE toDate(event_time) = '2026-10-06' AND toHour(event_time) = 9
GROUP BY slot
ORDER BY slot

-- name: start_of_five_minute
SELECT toStartOfFiveMinute(toDateTime(event_time)) AS slot, count() AS events
FROM events
WHERE event_type = 'purchase'
GROUP BY slot
ORDER BY events DESC, slot
LIMIT 10

-- name: add_subtract_units
SELECT addDays(toDate('2026-10-01'), 3) AS d, subtractHours(toDateTime('2026-10-01 00:00:00'), 1) AS t,
       addMonths(toDate('2026-10-31'), 1) AS m, addWeeks(toDate('2026-10-01'), 2) AS w, subtractYears(toDate('2026-02-28'), 1) AS y

-- name: iso_week_year
SELECT toISOYear(toDate(event_time)) AS y, toISOWeek(toDate(event_time)) AS w, count() AS events
FROM events
GROUP BY y, w
ORDER BY y, w

-- name: days_since_first_seen
SELECT dateDiff('day', first_seen, toDate('2026-10-15')) AS age, count() AS users
FROM
(
    SELECT user_id, min(toDate(event_time)) AS first_seen FROM events GROUP BY user_id
)
GROUP BY age
ORDER BY age
