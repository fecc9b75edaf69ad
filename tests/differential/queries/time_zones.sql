-- DateTime values typed with a time zone, as 18.16 and modern ClickHouse share them: toTimeZone
-- keeps the instant and prints it in the zone, later functions compute in the value's zone,
-- toDateTime(text, zone) reads the text in the zone, toString(t, zone) prints in it.
-- (formatDateTime(t, fmt) without a zone argument differs: 18.16 formats in the server's zone,
-- modern ClickHouse and MUA in t's; see tests/sqllogic/time/time_zone_display.test.)

-- name: to_time_zone_printed
SELECT toTimeZone(toDateTime('2026-10-05 20:00:00'), 'Asia/Tokyo') AS tokyo,
       toTimeZone(toDateTime('2026-10-05 20:00:00'), 'Asia/Kathmandu') AS kathmandu,
       toTypeName(toTimeZone(toDateTime('2026-10-05 20:00:00'), 'Asia/Kolkata')) AS type

-- name: to_date_time_in_zone
SELECT toDateTime('2026-10-06 00:00:00', 'Asia/Kolkata') AS t, toUnixTimestamp(t) AS unix,
       toString(t, 'Europe/Berlin') AS berlin

-- name: new_york_fall_back
SELECT toTimeZone(toDateTime('2026-11-01 05:30:00'), 'America/New_York') AS first,
       toTimeZone(toDateTime('2026-11-01 06:30:00'), 'America/New_York') AS second,
       toHour(first) AS h1, toHour(second) AS h2

-- name: events_per_tokyo_hour
SELECT toHour(toTimeZone(toDateTime(event_time), 'Asia/Tokyo')) AS hour, count() AS events
FROM events
GROUP BY hour
ORDER BY hour

-- name: events_per_kolkata_day
SELECT toDate(toTimeZone(toDateTime(event_time), 'Asia/Kolkata')) AS day, uniqExact(user_id) AS users
FROM events
GROUP BY day
ORDER BY day

-- name: max_in_zone
SELECT max(toTimeZone(toDateTime(event_time), 'Asia/Tokyo')) AS last_tokyo,
       min(toTimeZone(toDateTime(event_time), 'Pacific/Auckland')) AS first_auckland
FROM events
