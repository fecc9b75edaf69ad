-- Inner joins with explicit ALL strictness (18.16 needs it; modern ALL is the same), ON and
-- USING, of aggregated subqueries on user_id / day, and self-joins (retention by join).
-- Non-key columns get distinct names on each side (18.16 resolves clashes differently),
-- and 18.16 allows one JOIN per SELECT, so several joins nest in subqueries.

-- name: users_events_purchases_using
SELECT user_id, events, purchases
FROM
(
    SELECT user_id, count() AS events
    FROM events
    GROUP BY user_id
)
ALL INNER JOIN
(
    SELECT user_id, count() AS purchases
    FROM events
    WHERE event_type = 'purchase'
    GROUP BY user_id
) USING user_id
ORDER BY purchases DESC, events DESC, user_id
LIMIT 25

-- name: users_events_purchases_on
SELECT a.user_id, events, purchases
FROM
(
    SELECT user_id, count() AS events
    FROM events
    GROUP BY user_id
) AS a
ALL INNER JOIN
(
    SELECT user_id AS buyer, count() AS purchases
    FROM events
    WHERE event_type = 'purchase'
    GROUP BY user_id
) AS b ON a.user_id = b.buyer
ORDER BY purchases DESC, events DESC, a.user_id
LIMIT 25

-- name: join_count_rows
SELECT count() AS pairs, sum(purchases) AS p, sum(events) AS e
FROM
(
    SELECT user_id, count() AS events
    FROM events
    GROUP BY user_id
)
ALL INNER JOIN
(
    SELECT user_id, count() AS purchases
    FROM events
    WHERE event_type = 'purchase'
    GROUP BY user_id
) USING user_id

-- name: day_dau_revenue
-- clickhouse: SELECT day, dau, round(revenue, 2) AS revenue
-- clickhouse: FROM (SELECT toDate(event_time) AS day, uniqExact(user_id) AS dau FROM events GROUP BY day)
-- clickhouse: ALL INNER JOIN (SELECT toDate(event_time) AS day, sum(visitParamExtractFloat(properties, 'price')) AS revenue
-- clickhouse: FROM events WHERE event_type = 'purchase' GROUP BY day) USING day ORDER BY day
SELECT day, dau, round(revenue, 2) AS revenue
FROM (SELECT toDate(event_time) AS day, uniqExact(user_id) AS dau FROM events GROUP BY day)
ALL INNER JOIN (SELECT toDate(event_time) AS day, sum(JSONExtractFloat(properties, 'price')) AS revenue
FROM events WHERE event_type = 'purchase' GROUP BY day) USING day
ORDER BY day

-- name: day_platform_on_two_keys
SELECT d, p, events, buyers
FROM
(
    SELECT toDate(event_time) AS d, platform AS p, count() AS events
    FROM events
    GROUP BY d, p
) AS l
ALL INNER JOIN
(
    SELECT toDate(event_time) AS d2, platform AS p2, uniqExact(user_id) AS buyers
    FROM events
    WHERE event_type = 'purchase'
    GROUP BY d2, p2
) AS r ON l.d = r.d2 AND l.p = r.p2
ORDER BY d, p

-- name: events_table_join_subquery
SELECT event_type, count() AS events, uniqExact(user_id) AS users
FROM events
ALL INNER JOIN
(
    SELECT user_id
    FROM events
    WHERE event_type = 'purchase'
    GROUP BY user_id
) USING user_id
GROUP BY event_type
ORDER BY events DESC, event_type

-- name: events_join_user_country_first
SELECT first_country, count() AS events
FROM events
ALL INNER JOIN
(
    SELECT user_id, argMin(country, toInt64(event_id)) AS first_country
    FROM events
    GROUP BY user_id
) USING user_id
WHERE event_type = 'purchase'
GROUP BY first_country
ORDER BY events DESC, first_country
LIMIT 12

-- name: self_join_signup_to_purchase_days
SELECT days, count() AS users
FROM
(
    SELECT user_id, dateDiff('day', signup, first_purchase) AS days
    FROM
    (
        SELECT user_id, min(toDate(event_time)) AS signup
        FROM events
        WHERE event_type = 'sign_up'
        GROUP BY user_id
    )
    ALL INNER JOIN
    (
        SELECT user_id, min(toDate(event_time)) AS first_purchase
        FROM events
        WHERE event_type = 'purchase'
        GROUP BY user_id
    ) USING user_id
)
GROUP BY days
ORDER BY days

-- name: join_then_filter_ratio
SELECT user_id, views, carts, round(carts / views, 4) AS rate
FROM
(
    SELECT user_id, count() AS views FROM events WHERE event_type = 'view_item' GROUP BY user_id
)
ALL INNER JOIN
(
    SELECT user_id, count() AS carts FROM events WHERE event_type = 'add_to_cart' GROUP BY user_id
) USING user_id
WHERE views >= 10
ORDER BY rate DESC, views DESC, user_id
LIMIT 20

-- name: join_aggregated_after
SELECT only_platform, count() AS users, sum(sessions) AS s, round(avg(sessions), 4) AS avg_sessions
FROM
(
    SELECT user_id, min(platform) AS only_platform
    FROM events
    GROUP BY user_id
    HAVING uniqExact(platform) = 1
)
ALL INNER JOIN
(
    SELECT user_id, uniqExact(session_id) AS sessions FROM events GROUP BY user_id
) USING user_id
GROUP BY only_platform
ORDER BY only_platform

-- name: join_on_expression_keys
SELECT l.day, hour_events, day_events
FROM
(
    SELECT toDate(event_time) AS day, count() AS hour_events
    FROM events
    WHERE toHour(event_time) = 12
    GROUP BY day
) AS l
ALL INNER JOIN
(
    SELECT toDate(event_time) AS dday, count() AS day_events
    FROM events
    GROUP BY dday
) AS r ON l.day = r.dday
ORDER BY l.day

-- name: join_country_share
SELECT country, events, total, round(events / total, 4) AS share
FROM
(
    SELECT country, count() AS events, 1 AS k FROM events GROUP BY country
)
ALL INNER JOIN
(
    SELECT count() AS total, 1 AS k FROM events
) USING k
ORDER BY events DESC, country

-- name: join_duplicates_multiply
SELECT platform, count() AS pairs
FROM
(
    SELECT platform, country FROM events WHERE event_type = 'sign_up' AND country IN ('SE', 'CL')
)
ALL INNER JOIN
(
    SELECT platform, event_type AS other FROM events WHERE event_type = 'app_crash' AND country = 'SE'
) USING platform
GROUP BY platform
ORDER BY platform

-- name: join_many_to_many_rows
SELECT country, c1, c2
FROM
(
    SELECT country, city AS c1 FROM events WHERE country IN ('US', 'DE', 'FR') GROUP BY country, city
)
ALL INNER JOIN
(
    SELECT country, city AS c2 FROM events WHERE country IN ('US', 'DE', 'GB') GROUP BY country, city
) USING country
ORDER BY country, c1, c2

-- name: join_session_stats
SELECT platform, sessions, round(avg_len, 4) AS avg_len
FROM
(
    SELECT platform, uniqExact(session_id) AS sessions FROM events GROUP BY platform
)
ALL INNER JOIN
(
    SELECT platform, avg(n) AS avg_len
    FROM (SELECT platform, session_id, count() AS n FROM events GROUP BY platform, session_id)
    GROUP BY platform
) USING platform
ORDER BY platform

-- name: join_string_key_version
SELECT app_version, users, crashes
FROM
(
    SELECT app_version, uniqExact(user_id) AS users FROM events GROUP BY app_version
)
ALL INNER JOIN
(
    SELECT app_version, count() AS crashes FROM events WHERE event_type = 'app_crash' GROUP BY app_version
) USING app_version
ORDER BY app_version

-- name: join_in_subquery_in_where
SELECT country, count() AS events
FROM events
WHERE user_id IN
(
    SELECT user_id
    FROM (SELECT user_id, count() AS n FROM events GROUP BY user_id)
    ALL INNER JOIN (SELECT user_id FROM events WHERE event_type = 'app_crash' GROUP BY user_id) USING user_id
    WHERE n > 100
)
GROUP BY country
ORDER BY events DESC, country
LIMIT 10

-- name: join_hourly_profile
SELECT hour, weekday_events, weekend_events
FROM
(
    SELECT toHour(event_time) AS hour, count() AS weekday_events
    FROM events WHERE toDayOfWeek(event_time) <= 5 GROUP BY hour
)
ALL INNER JOIN
(
    SELECT toHour(event_time) AS hour, count() AS weekend_events
    FROM events WHERE toDayOfWeek(event_time) > 5 GROUP BY hour
) USING hour
ORDER BY hour

-- name: join_key_from_table_alias_on
SELECT e.event_type, count() AS events
FROM events AS e
ALL INNER JOIN
(
    SELECT user_id AS uid FROM events WHERE event_type = 'sign_up' AND toDate(event_time) = '2026-10-03'
) AS s ON e.user_id = s.uid
GROUP BY e.event_type
ORDER BY events DESC, e.event_type

-- name: join_nested_two_levels
SELECT user_id, events, purchases, crashes
FROM
(
    SELECT user_id, events, purchases
    FROM (SELECT user_id, count() AS events FROM events GROUP BY user_id)
    ALL INNER JOIN (SELECT user_id, count() AS purchases FROM events WHERE event_type = 'purchase' GROUP BY user_id)
    USING user_id
)
ALL INNER JOIN
(
    SELECT user_id, count() AS crashes FROM events WHERE event_type = 'app_crash' GROUP BY user_id
) USING user_id
ORDER BY crashes DESC, purchases DESC, events DESC, user_id
LIMIT 15

-- name: join_week_cohorts
SELECT cohort_week, active_week, count() AS users
FROM
(
    SELECT user_id, toMonday(min(toDate(event_time))) AS cohort_week FROM events GROUP BY user_id
)
ALL INNER JOIN
(
    SELECT DISTINCT user_id, toMonday(toDate(event_time)) AS active_week FROM events
) USING user_id
GROUP BY cohort_week, active_week
ORDER BY cohort_week, active_week

-- name: join_empty_right
-- expect-empty
SELECT user_id, n, m
FROM (SELECT user_id, count() AS n FROM events GROUP BY user_id)
ALL INNER JOIN (SELECT user_id, count() AS m FROM events WHERE event_type = 'nothing' GROUP BY user_id) USING user_id

-- name: day_platform_two_keys
SELECT day, platform, events, buyers
FROM
(
    SELECT toDate(event_time) AS day, platform, count() AS events
    FROM events
    GROUP BY day, platform
)
ALL INNER JOIN
(
    SELECT toDate(event_time) AS day, platform, uniqExact(user_id) AS buyers
    FROM events
    WHERE event_type = 'purchase'
    GROUP BY day, platform
) USING day, platform
ORDER BY day, platform

-- name: retention_self_join_next_day
SELECT d0, count() AS retained
FROM
(
    SELECT DISTINCT user_id, toDate(event_time) AS d0
    FROM events
)
ALL INNER JOIN
(
    SELECT DISTINCT user_id, toDate(event_time) - 1 AS d0
    FROM events
) USING user_id, d0
GROUP BY d0
ORDER BY d0

-- name: retention_self_join_cohort_day7
SELECT cohort, count() AS cohort_users, sum(back) AS day7
FROM
(
    SELECT user_id, cohort, back
    FROM
    (
        SELECT user_id, min(toDate(event_time)) AS cohort
        FROM events
        GROUP BY user_id
    )
    ALL LEFT JOIN
    (
        SELECT DISTINCT user_id, toDate(event_time) - 7 AS cohort, 1 AS back
        FROM events
    ) USING user_id, cohort
)
GROUP BY cohort
ORDER BY cohort
