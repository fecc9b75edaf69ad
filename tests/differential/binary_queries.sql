-- Queries for binary_formats_test.sh: each runs with FORMAT Native and FORMAT RowBinary
-- on MUA and on ClickHouse 18.16, and the bodies must be equal byte for byte. The result
-- types must agree on both sides (Native carries the type names), so MUA's
-- LowCardinality(String) columns are compared with toLowCardinality(...) on the
-- ClickHouse side, applied to already ordered rows (ClickHouse then builds the
-- dictionary in row order, as MUA does). Directives (binary_formats.py): `-- name: NAME`,
-- `-- clickhouse: SQL`, `-- expect-empty`, `-- lowcardinality`.

-- name: strings_and_counts
SELECT toString(event_type) AS e, count() AS c FROM events GROUP BY e ORDER BY e

-- name: low_cardinality_group_key
-- lowcardinality
SELECT platform AS p, count() AS c FROM events GROUP BY p ORDER BY p
-- clickhouse: SELECT toLowCardinality(p0) AS p, c FROM (SELECT platform AS p0, count() AS c
-- clickhouse: FROM events GROUP BY p0 ORDER BY p0)

-- name: low_cardinality_rows
-- lowcardinality
SELECT user_id, event_id, country, city, event_type FROM events
WHERE user_id < '08' ORDER BY user_id, event_id LIMIT 3000
-- clickhouse: SELECT user_id, event_id, toLowCardinality(c0) AS country, toLowCardinality(c1) AS city,
-- clickhouse: toLowCardinality(c2) AS event_type FROM (SELECT user_id, event_id, country AS c0,
-- clickhouse: city AS c1, event_type AS c2 FROM events WHERE user_id < '08'
-- clickhouse: ORDER BY user_id, event_id LIMIT 3000)

-- name: integers_of_every_width
SELECT toUInt8(count() % 251) AS u8, toUInt16(count() % 65521) AS u16, toUInt32(count()) AS u32,
       count() AS u64, toInt8(-1) AS i8, toInt16(-300) AS i16, toInt32(-70000) AS i32,
       toInt64(-5000000000) AS i64, toUInt64(18446744073709551615) AS u64_max
FROM events

-- name: dates_per_day
SELECT toDate(event_time) AS d, toUInt32(count()) AS c, toInt64(uniqExact(user_id)) AS u
FROM events GROUP BY d ORDER BY d

-- name: datetimes_per_hour
SELECT toStartOfHour(toDateTime(event_time)) AS h, count() AS c FROM events
WHERE event_time >= '2026-10-02 00:00:00' AND event_time < '2026-10-03 00:00:00'
GROUP BY h ORDER BY h

-- name: first_and_last_seen
SELECT user_id, toDateTime(min(event_time)) AS first_seen, toDateTime(max(event_time)) AS last_seen,
       toDate(min(event_time)) AS first_day, count() AS c
FROM events GROUP BY user_id ORDER BY user_id LIMIT 300

-- name: floats
SELECT toString(event_type) AS e, round(avg(length(properties)), 4) AS avg_len, count() / 8 AS eighth,
       sum(length(user_id)) * 0.5 AS half, floor(count() / 7) AS sevenths
FROM events GROUP BY e ORDER BY e

-- name: array_of_uint8_from_retention
SELECT r, count() AS c FROM (
  SELECT user_id, retention(toDate(event_time) = '2026-10-01', toDate(event_time) = '2026-10-02',
                            toDate(event_time) = '2026-10-03') AS r
  FROM events GROUP BY user_id)
GROUP BY r ORDER BY c, r

-- name: array_of_strings
SELECT user_id, arraySort(groupUniqArray(toString(event_type))) AS types
FROM events GROUP BY user_id ORDER BY user_id LIMIT 200

-- name: array_of_numbers_and_dates
SELECT user_id, arraySort(groupUniqArray(toDayOfMonth(event_time))) AS days,
       arraySort(groupUniqArray(toDate(event_time))) AS dates
FROM events GROUP BY user_id ORDER BY user_id LIMIT 200

-- name: nullable_numbers
SELECT toString(event_type) AS e, toNullable(count()) AS c, toNullable(toUInt8(1)) AS one
FROM events GROUP BY e ORDER BY e

-- name: null_literal
SELECT NULL AS n, toNullable(toUInt8(7)) AS seven, 'x' AS s FROM events LIMIT 2

-- name: empty_result
-- expect-empty
SELECT user_id, count() AS c FROM events WHERE user_id = 'nobody' GROUP BY user_id

-- name: several_blocks
SELECT user_id, event_id, toDateTime(event_time) AS t FROM events
ORDER BY user_id, event_id LIMIT 70000
