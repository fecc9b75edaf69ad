-- Exact aggregates added by issue 16: variance / deviation / covariance / correlation
-- (rounded: summation order changes the last bits), quantilesExact, groupArray and
-- groupUniqArray (sorted before printing), topK where it is exact (fewer distinct values than
-- its 3 * k table, and distinct counts, so no ties), sumMap (numeric keys: 18.16 refuses String
-- keys), uniqExact with several arguments.

-- name: summap_hour_counts
SELECT sumMap([toHour(event_time)], [toUInt64(1)]) AS per_hour
FROM events
WHERE event_type = 'purchase'

-- name: summap_per_platform
SELECT platform, sumMap([toDayOfWeek(event_time)], [toUInt64(1)]) AS per_dow
FROM events
WHERE event_type = 'sign_up'
GROUP BY platform
ORDER BY platform

-- name: summap_two_keys_per_row
SELECT sumMap([toUInt8(1), toUInt8(2)], [toUInt64(toHour(event_time)), toUInt64(toDayOfMonth(event_time))]) AS sums
FROM events
WHERE event_type = 'login'
