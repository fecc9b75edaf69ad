-- Aggregate combinators (-Array, -ForEach, -If stacked on them) and the aggregates that
-- 18.16 has as modern ClickHouse does (groupBit*, uniqUpTo, quantileTiming). Skew/kurt,
-- avgWeighted, entropy, deltaSum, -OrNull/-OrDefault and FILTER are newer than 18.16:
-- tests/sqllogic/aggregates/combinators.test holds them.

-- name: sum_array_per_platform
SELECT platform, sumArray([toUInt64(toHour(event_time)), toUInt64(toDayOfMonth(event_time))]) AS s
FROM events
GROUP BY platform
ORDER BY platform

-- name: uniq_array_countries
SELECT uniqArray([country, platform]) AS u, uniqExactArray([country, device_type]) AS ue
FROM events

-- name: uniq_array_if
SELECT platform, uniqExactArrayIf([user_id, country], event_type = 'purchase') AS buyers_and_countries
FROM events
GROUP BY platform
ORDER BY platform

-- name: sum_for_each_hours
SELECT platform, sumForEach([1, toUInt64(toHour(event_time)), toUInt64(event_type = 'purchase')]) AS s
FROM events
GROUP BY platform
ORDER BY platform

-- name: max_for_each_varying_lengths
SELECT maxForEach(range(toUInt64(toHour(event_time) % 4))) AS m, countForEach(range(toUInt64(toDayOfMonth(event_time) % 3))) AS c
FROM events

-- name: group_array_array
SELECT user_id, arraySort(groupArrayArray([event_type])) AS types
FROM events
WHERE user_id IN ('u1', 'u2', 'u3', 'u10')
GROUP BY user_id
ORDER BY user_id

-- name: avg_array_rounded
SELECT device_type, round(avgArray([toHour(event_time), toMinute(event_time)]), 4) AS a
FROM events
GROUP BY device_type
ORDER BY device_type

-- name: group_bit_ops
SELECT platform, groupBitAnd(toUInt32(toHour(event_time)) + 16) AS a, groupBitOr(toUInt8(toHour(event_time))) AS o,
       groupBitXor(toUInt64(toDayOfMonth(event_time))) AS x
FROM events
GROUP BY platform
ORDER BY platform

-- name: uniq_up_to
SELECT event_type, uniqUpTo(3)(country) AS c3, uniqUpTo(100)(platform) AS p
FROM events
GROUP BY event_type
ORDER BY event_type

-- name: quantile_timing
SELECT platform, quantileTiming(0.5)(toUInt32(toMinute(event_time)) * 1000) AS q50,
       quantilesTiming(0.1, 0.99)(toUInt32(toSecond(event_time)) * 997) AS qs
FROM events
WHERE user_id IN ('u1', 'u2', 'u3', 'u4', 'u5', 'u6', 'u7', 'u8', 'u9')
GROUP BY platform
ORDER BY platform

-- name: quantile_timing_small_groups
SELECT user_id, medianTiming(toUInt32(toMinute(event_time)) * 100) AS m
FROM events
WHERE user_id IN ('u1', 'u2', 'u3', 'u4', 'u5')
GROUP BY user_id
ORDER BY user_id
