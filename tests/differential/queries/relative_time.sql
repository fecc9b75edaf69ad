-- Relative time numbers, the non-failing conversions, timeSlot and EXTRACT: their semantics
-- are the same in ClickHouse 18.16 and 24.x for these inputs (no out-of-range text).

-- name: relative_nums_by_day
SELECT toDate(event_time) AS d, toRelativeYearNum(d), toRelativeQuarterNum(d), toRelativeMonthNum(d), toRelativeWeekNum(d), toRelativeDayNum(d), count()
FROM events
GROUP BY d
ORDER BY d

-- name: relative_time_nums
SELECT toRelativeHourNum(event_time) AS h, toRelativeMinuteNum(min(event_time)), toRelativeSecondNum(min(event_time)), count()
FROM events
GROUP BY h
ORDER BY h
LIMIT 30

-- name: relative_week_span
SELECT user_id, toRelativeWeekNum(max(event_time)) - toRelativeWeekNum(min(event_time)) AS weeks
FROM events
GROUP BY user_id
ORDER BY weeks DESC, user_id
LIMIT 20

-- name: time_slot
SELECT timeSlot(toDateTime(event_time)) AS slot, count()
FROM events
WHERE toDate(event_time) = '2026-10-03'
GROUP BY slot
ORDER BY slot

-- name: extract_units
SELECT EXTRACT(YEAR FROM event_time) AS y, EXTRACT(MONTH FROM event_time) AS m, EXTRACT(DAY FROM event_time) AS d, EXTRACT(HOUR FROM event_time) AS h, count()
FROM events
GROUP BY y, m, d, h
ORDER BY y, m, d, h
LIMIT 40

-- name: or_zero_or_null
SELECT toInt32OrZero(substring(user_id, 2)) % 7 AS k, countIf(isNull(toInt32OrNull(country))), sum(toUInt16OrZero(app_version)), count()
FROM events
GROUP BY k
ORDER BY k

-- name: float_or_zero_dates_or_null
SELECT toFloat64OrZero(substring(user_id, 2)) > 1000 AS big, toDateOrZero(toString(toDate(event_time))) AS d, count()
FROM events
GROUP BY big, d
ORDER BY big, d
