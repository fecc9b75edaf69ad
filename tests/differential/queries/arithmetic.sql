-- Arithmetic and rounding. `/` is floating point; results that are not exact are rounded.

-- name: integer_ops
SELECT count() * 2 AS doubled, count() + 1 AS plus, count() - 10 AS minus, count() % 7 AS modulo, -count() AS negated
FROM events

-- name: division_exact_float
SELECT count() / 8 AS eighth, count() / 2 AS half
FROM events
WHERE country = 'US'

-- name: division_rounded
SELECT platform, round(count() / 3, 4) AS third, round(100 * countIf(event_type = 'purchase') / count(), 3) AS purchase_pct
FROM events
GROUP BY platform
ORDER BY platform

-- name: round_floor_abs
-- clickhouse: SELECT round(visitParamExtractFloat(properties, 'price')) AS rounded, floor(visitParamExtractFloat(properties, 'price')) AS floored,
-- clickhouse:        count() AS items
-- clickhouse: FROM events WHERE event_type = 'purchase' GROUP BY rounded, floored ORDER BY rounded, floored
SELECT round(JSONExtractFloat(properties, 'price')) AS rounded, floor(JSONExtractFloat(properties, 'price')) AS floored,
       count() AS items
FROM events
WHERE event_type = 'purchase'
GROUP BY rounded, floored
ORDER BY rounded, floored

-- name: abs_negative
SELECT abs(toInt64(event_id) - 50) AS distance, count() AS events
FROM events
WHERE toInt64(event_id) BETWEEN 40 AND 60
GROUP BY distance
ORDER BY distance

-- name: precedence
SELECT 1 + 2 * 3 - 4 / 2 AS a, (1 + 2) * 3 AS b, 7 % 3 + 1 AS c, count() AS n
FROM events
WHERE platform = 'web'

-- name: to_float_and_int
SELECT toInt64(toFloat64(count()) / 1000) AS thousands, round(toFloat64(uniqExact(user_id)) / 7, 2) AS weekly
FROM events

-- name: events_per_user
SELECT platform, round(count() / uniqExact(user_id), 4) AS events_per_user
FROM events
GROUP BY platform
ORDER BY platform

-- name: revenue_per_buyer
-- clickhouse: SELECT platform, round(sum(visitParamExtractFloat(properties, 'price')) / uniqExact(user_id), 2) AS per_buyer
-- clickhouse: FROM events WHERE event_type = 'purchase' GROUP BY platform ORDER BY platform
SELECT platform, round(sum(JSONExtractFloat(properties, 'price')) / uniqExact(user_id), 2) AS per_buyer
FROM events
WHERE event_type = 'purchase'
GROUP BY platform
ORDER BY platform

-- name: floor_of_division
SELECT floor(events / 50) * 50 AS bucket, count() AS users
FROM
(
    SELECT user_id, count() AS events
    FROM events
    GROUP BY user_id
)
GROUP BY bucket
ORDER BY bucket
