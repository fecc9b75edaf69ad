-- NULL helpers: nullIf, coalesce, ifNull, isNull/isNotNull, assumeNotNull, toNullable;
-- aggregates skip NULLs (count(x), sum, avg, min/max); NULL prints as \N.

-- name: constants
SELECT nullIf(1, 1) AS n, nullIf(1, 2) AS one, coalesce(NULL, 2) AS c, ifNull(NULL, 'x') AS i,
       isNull(NULL) AS isn, isNotNull(1) AS isnn, assumeNotNull(toNullable(3)) AS a

-- name: null_if_platform_counts
SELECT count(nullIf(platform, 'web')) AS not_web, count() AS all_rows, countIf(isNull(nullIf(platform, 'web'))) AS web
FROM events

-- name: null_if_group_key
SELECT nullIf(device_type, 'tablet') AS device, count() AS events
FROM events
GROUP BY device
ORDER BY events DESC

-- name: sum_avg_skip_nulls
SELECT sum(nullIf(toHour(event_time), 0)) AS s, round(avg(nullIf(toHour(event_time), 0)), 4) AS a,
       min(nullIf(toHour(event_time), 0)) AS mn, max(nullIf(toHour(event_time), 23)) AS mx
FROM events

-- name: coalesce_chain
SELECT coalesce(nullIf(region, ''), nullIf(city, ''), 'unknown') AS place, count() AS events
FROM events
WHERE country = 'SE'
GROUP BY place
ORDER BY place

-- name: if_null_on_division
SELECT platform, ifNull(nullIf(toInt64(countIf(event_type = 'purchase')), 0), -1) AS purchases_or_minus
FROM events
WHERE country = 'CL'
GROUP BY platform
ORDER BY platform

-- name: null_if_division_guard
SELECT country, round(countIf(event_type = 'purchase') / nullIf(countIf(event_type = 'view_item'), 0), 4) AS conversion
FROM events
GROUP BY country
ORDER BY country

-- name: is_null_filter
SELECT count() AS events
FROM events
WHERE isNull(nullIf(event_type, 'click')) OR isNull(nullIf(event_type, 'share'))

-- name: null_comparisons_filtered
SELECT count() AS events
FROM events
WHERE nullIf(platform, 'ios') = 'android'

-- name: to_nullable_aggregate
SELECT platform, sum(toNullable(toHour(event_time))) AS s, count(toNullable(event_id)) AS c
FROM events
GROUP BY platform
ORDER BY platform

-- name: null_if_in_subquery_avg
SELECT round(avg(purchases), 4) AS avg_when_buying, count(purchases) AS buyers, count() AS users
FROM
(
    SELECT user_id, nullIf(countIf(event_type = 'purchase'), 0) AS purchases FROM events GROUP BY user_id
)
