-- retention() and windowFunnel() beyond the SPEC §9 pair. retention conditions are
-- mutually exclusive per row (18.16 records only a row's first true condition); windowFunnel
-- steps are distinct event types, and ClickHouse gets the modern tie order spelled out as in
-- funnel.sql: UInt32 timestamp = 8 * (second - 1790000000) + step index, window 8 * W + 7.

-- name: retention_signup_week
SELECT sum(r[1]) AS signed_up, sum(r[2]) AS d1, sum(r[3]) AS d2, sum(r[4]) AS d3,
       sum(r[5]) AS d4, sum(r[6]) AS d5, sum(r[7]) AS d6, sum(r[8]) AS d7
FROM
(
    SELECT user_id,
           retention(event_type = 'sign_up' AND toDate(event_time) = '2026-10-03',
                     toDate(event_time) = '2026-10-04', toDate(event_time) = '2026-10-05',
                     toDate(event_time) = '2026-10-06', toDate(event_time) = '2026-10-07',
                     toDate(event_time) = '2026-10-08', toDate(event_time) = '2026-10-09',
                     toDate(event_time) = '2026-10-10') AS r
    FROM events
    GROUP BY user_id
)

-- name: retention_per_platform
SELECT platform, sum(r[1]) AS active, sum(r[2]) AS next_day, sum(r[3]) AS next_week
FROM
(
    SELECT user_id, platform,
           retention(toDate(event_time) = '2026-10-05', toDate(event_time) = '2026-10-06',
                     toDate(event_time) = '2026-10-12') AS r
    FROM events
    GROUP BY user_id, platform
)
GROUP BY platform
ORDER BY platform

-- name: retention_arrays
-- unordered
SELECT r, count() AS users
FROM
(
    SELECT user_id,
           retention(toDate(event_time) = '2026-10-02', toDate(event_time) = '2026-10-03',
                     toDate(event_time) = '2026-10-09') AS r
    FROM events
    WHERE toDate(event_time) IN ('2026-10-02', '2026-10-03', '2026-10-09')
    GROUP BY user_id
)
GROUP BY r

-- name: retention_event_conditions
SELECT sum(r[1]) AS viewers, sum(r[2]) AS viewers_who_bought_later_or_before
FROM
(
    SELECT user_id,
           retention(event_type = 'view_item' AND toDate(event_time) = '2026-10-04',
                     event_type = 'purchase' AND toDate(event_time) != '2026-10-04') AS r
    FROM events
    GROUP BY user_id
)

-- name: funnel_search_one_hour
-- clickhouse: SELECT level, count() AS users
-- clickhouse: FROM
-- clickhouse: (
-- clickhouse:     SELECT user_id,
-- clickhouse:            windowFunnel(28807)(
-- clickhouse:                toUInt32((toUInt32(event_time) - 1790000000) * 8
-- clickhouse:                         + multiIf(event_type = 'search', 0, event_type = 'view_item', 1, 2)),
-- clickhouse:                event_type = 'search', event_type = 'view_item', event_type = 'add_to_cart') AS level
-- clickhouse:     FROM events
-- clickhouse:     WHERE event_type IN ('search', 'view_item', 'add_to_cart')
-- clickhouse:     GROUP BY user_id
-- clickhouse: )
-- clickhouse: GROUP BY level
-- clickhouse: ORDER BY level
SELECT level, count() AS users
FROM
(
    SELECT user_id,
           windowFunnel(3600)(toDateTime(event_time),
                              event_type = 'search', event_type = 'view_item',
                              event_type = 'add_to_cart') AS level
    FROM events
    WHERE event_type IN ('search', 'view_item', 'add_to_cart')
    GROUP BY user_id
)
GROUP BY level
ORDER BY level

-- name: funnel_per_platform_conversion
-- clickhouse: SELECT platform, count() AS users, countIf(level >= 2) AS viewed, countIf(level >= 3) AS carted,
-- clickhouse:        countIf(level >= 4) AS checked_out, countIf(level = 5) AS bought
-- clickhouse: FROM
-- clickhouse: (
-- clickhouse:     SELECT user_id, platform,
-- clickhouse:            windowFunnel(691207)(
-- clickhouse:                toUInt32((toUInt32(event_time) - 1790000000) * 8
-- clickhouse:                         + multiIf(event_type = 'app_open', 0, event_type = 'view_item', 1,
-- clickhouse:                                   event_type = 'add_to_cart', 2, event_type = 'begin_checkout', 3, 4)),
-- clickhouse:                event_type = 'app_open', event_type = 'view_item', event_type = 'add_to_cart',
-- clickhouse:                event_type = 'begin_checkout', event_type = 'purchase') AS level
-- clickhouse:     FROM events
-- clickhouse:     GROUP BY user_id, platform
-- clickhouse: )
-- clickhouse: GROUP BY platform
-- clickhouse: ORDER BY platform
SELECT platform, count() AS users, countIf(level >= 2) AS viewed, countIf(level >= 3) AS carted,
       countIf(level >= 4) AS checked_out, countIf(level = 5) AS bought
FROM
(
    SELECT user_id, platform,
           windowFunnel(86400)(toDateTime(event_time),
                               event_type = 'app_open', event_type = 'view_item', event_type = 'add_to_cart',
                               event_type = 'begin_checkout', event_type = 'purchase') AS level
    FROM events
    GROUP BY user_id, platform
)
GROUP BY platform
ORDER BY platform

-- name: funnel_two_steps_signup_purchase
-- A 7-day window; step 1 is the sign-up, which no other step shares a second with.
SELECT level, count() AS users
FROM
(
    SELECT user_id,
           windowFunnel(604800)(toDateTime(event_time), event_type = 'sign_up', event_type = 'purchase') AS level
    FROM events
    GROUP BY user_id
)
GROUP BY level
ORDER BY level
