-- LEFT / RIGHT / FULL / CROSS joins with explicit ALL. Non-matching rows get the type's
-- default (0, ''), not NULL (join_use_nulls = 0 in both versions). 18.16 caveats: RIGHT and
-- FULL joins only with USING (its ON form fails with 'Block structure mismatch'); default
-- Dates print 0000-00-00 on 18.16 (modern 1970-01-01), so no Date comes from a missing row.

-- name: left_join_defaults_numbers
SELECT user_id, events, purchases
FROM
(
    SELECT user_id, count() AS events FROM events GROUP BY user_id
)
ALL LEFT JOIN
(
    SELECT user_id, count() AS purchases FROM events WHERE event_type = 'purchase' GROUP BY user_id
) USING user_id
ORDER BY events DESC, user_id
LIMIT 30

-- name: left_join_count_missing
SELECT purchases = 0 AS never_bought, count() AS users, sum(events) AS events
FROM
(
    SELECT user_id, count() AS events FROM events GROUP BY user_id
)
ALL LEFT JOIN
(
    SELECT user_id, count() AS purchases FROM events WHERE event_type = 'purchase' GROUP BY user_id
) USING user_id
GROUP BY never_bought
ORDER BY never_bought

-- name: left_join_defaults_strings
SELECT country, crash_city
FROM
(
    SELECT country FROM events GROUP BY country
)
ALL LEFT JOIN
(
    SELECT country, min(city) AS crash_city FROM events WHERE event_type = 'app_crash' AND platform = 'web' GROUP BY country
) USING country
ORDER BY country

-- name: left_join_on_defaults
SELECT l.day, day_events, crashes
FROM
(
    SELECT toDate(event_time) AS day, count() AS day_events FROM events GROUP BY day
) AS l
ALL LEFT JOIN
(
    SELECT toDate(event_time) AS crash_day, count() AS crashes
    FROM events WHERE event_type = 'app_crash' AND platform = 'ios' AND toDayOfWeek(event_time) IN (1, 3)
    GROUP BY crash_day
) AS r ON l.day = r.crash_day
ORDER BY l.day

-- name: left_join_multiplies_matches
SELECT platform, c, rows
FROM
(
    SELECT platform, count() AS c FROM events GROUP BY platform
)
ALL LEFT JOIN
(
    SELECT platform, device_type, count() AS rows FROM events GROUP BY platform, device_type
) USING platform
ORDER BY platform, rows

-- name: left_join_events_to_dimension
SELECT event_type, category, count() AS events
FROM events
ALL LEFT JOIN
(
    SELECT 'purchase' AS event_type, 'money' AS category
    UNION ALL
    SELECT 'begin_checkout' AS event_type, 'money' AS category
    UNION ALL
    SELECT 'app_crash' AS event_type, 'quality' AS category
) USING event_type
GROUP BY event_type, category
ORDER BY events DESC, event_type

-- name: left_join_category_totals
SELECT category, count() AS events
FROM events
ALL LEFT JOIN
(
    SELECT 'purchase' AS event_type, 'money' AS category
    UNION ALL
    SELECT 'begin_checkout' AS event_type, 'money' AS category
    UNION ALL
    SELECT 'app_crash' AS event_type, 'quality' AS category
) USING event_type
GROUP BY category
ORDER BY category

-- name: left_join_float_default
SELECT platform, round(avg_price, 2) AS avg_price
-- clickhouse: SELECT platform, round(avg_price, 2) AS avg_price
-- clickhouse: FROM (SELECT platform FROM events GROUP BY platform)
-- clickhouse: ALL LEFT JOIN (SELECT platform, avg(visitParamExtractFloat(properties, 'price')) AS avg_price
-- clickhouse: FROM events WHERE event_type = 'purchase' AND platform != 'web' GROUP BY platform) USING platform
-- clickhouse: ORDER BY platform
FROM (SELECT platform FROM events GROUP BY platform)
ALL LEFT JOIN (SELECT platform, avg(JSONExtractFloat(properties, 'price')) AS avg_price
FROM events WHERE event_type = 'purchase' AND platform != 'web' GROUP BY platform) USING platform
ORDER BY platform

-- name: right_join_count
SELECT web_users = 0 AS no_web, count() AS countries, sum(crash_users) AS crash_users
FROM
(
    SELECT country, uniqExact(user_id) AS web_users FROM events WHERE platform = 'web' GROUP BY country
)
ALL RIGHT JOIN
(
    SELECT country, uniqExact(user_id) AS crash_users FROM events WHERE event_type = 'app_crash' GROUP BY country
) USING country
GROUP BY no_web
ORDER BY no_web

-- name: full_join_sums
SELECT count() AS rows, sum(a) AS sa, sum(b) AS sb, countIf(a = 0) AS only_b, countIf(b = 0) AS only_a
FROM
(
    SELECT user_id, count() AS a FROM events WHERE event_type = 'search' GROUP BY user_id
)
ALL FULL JOIN
(
    SELECT user_id, count() AS b FROM events WHERE event_type = 'share' GROUP BY user_id
) USING user_id

-- name: cross_join_platform_device
SELECT platform, device_type
FROM
(
    SELECT DISTINCT platform FROM events
)
CROSS JOIN
(
    SELECT DISTINCT device_type FROM events
)
ORDER BY platform, device_type

-- name: cross_join_share_of_total
SELECT platform, round(100 * events / total, 2) AS pct
FROM
(
    SELECT platform, count() AS events FROM events GROUP BY platform
)
CROSS JOIN
(
    SELECT count() AS total FROM events
)
ORDER BY platform

-- name: cross_join_counts
SELECT count() AS pairs, uniqExact(a, b) AS distinct_pairs
FROM
(
    SELECT DISTINCT country AS a FROM events
)
CROSS JOIN
(
    SELECT DISTINCT app_version AS b FROM events
)

-- name: left_join_funnel_steps
SELECT user_id, views, carts, buys
FROM
(
    SELECT user_id, views, carts
    FROM (SELECT user_id, count() AS views FROM events WHERE event_type = 'view_item' GROUP BY user_id)
    ALL LEFT JOIN (SELECT user_id, count() AS carts FROM events WHERE event_type = 'add_to_cart' GROUP BY user_id)
    USING user_id
)
ALL LEFT JOIN
(
    SELECT user_id, count() AS buys FROM events WHERE event_type = 'purchase' GROUP BY user_id
) USING user_id
ORDER BY views DESC, carts DESC, buys DESC, user_id
LIMIT 20

-- name: left_join_funnel_totals
SELECT count() AS viewers, countIf(carts > 0) AS carted, countIf(buys > 0) AS bought
FROM
(
    SELECT user_id, views, carts
    FROM (SELECT user_id, count() AS views FROM events WHERE event_type = 'view_item' GROUP BY user_id)
    ALL LEFT JOIN (SELECT user_id, count() AS carts FROM events WHERE event_type = 'add_to_cart' GROUP BY user_id)
    USING user_id
)
ALL LEFT JOIN
(
    SELECT user_id, count() AS buys FROM events WHERE event_type = 'purchase' GROUP BY user_id
) USING user_id

-- name: left_join_where_on_right
SELECT user_id, last_day_events
FROM
(
    SELECT user_id FROM events WHERE event_type = 'sign_up' AND toDate(event_time) = '2026-10-01'
)
ALL LEFT JOIN
(
    SELECT user_id, count() AS last_day_events FROM events WHERE toDate(event_time) = '2026-10-14' GROUP BY user_id
) USING user_id
WHERE last_day_events > 0
ORDER BY last_day_events DESC, user_id

-- name: left_join_inactive_share
SELECT countIf(last_day_events = 0) AS inactive, count() AS cohort
FROM
(
    SELECT user_id FROM events WHERE event_type = 'sign_up' AND toDate(event_time) = '2026-10-01'
)
ALL LEFT JOIN
(
    SELECT user_id, count() AS last_day_events FROM events WHERE toDate(event_time) = '2026-10-14' GROUP BY user_id
) USING user_id

-- name: right_join_using
SELECT country, web_users, crash_users
FROM
(
    SELECT country, uniqExact(user_id) AS web_users FROM events WHERE platform = 'web' GROUP BY country
)
ALL RIGHT JOIN
(
    SELECT country, uniqExact(user_id) AS crash_users FROM events WHERE event_type = 'app_crash' GROUP BY country
) USING country
ORDER BY country

-- name: full_join_using
SELECT city, tablet_events, desktop_events
FROM
(
    SELECT city, count() AS tablet_events FROM events WHERE device_type = 'tablet' AND country IN ('US', 'DE', 'BR') GROUP BY city
)
ALL FULL JOIN
(
    SELECT city, count() AS desktop_events FROM events WHERE device_type = 'desktop' AND country IN ('US', 'FR', 'BR') GROUP BY city
) USING city
ORDER BY city

-- name: full_join_days
SELECT day, signups, crashes
FROM
(
    SELECT toDate(event_time) AS day, count() AS signups FROM events WHERE event_type = 'sign_up' AND toDate(event_time) < '2026-10-10' GROUP BY day
)
ALL FULL JOIN
(
    SELECT toDate(event_time) AS day, count() AS crashes FROM events WHERE event_type = 'app_crash' AND toDate(event_time) >= '2026-10-05' GROUP BY day
) USING day
ORDER BY day
