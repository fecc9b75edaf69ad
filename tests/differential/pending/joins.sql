-- Inner joins with explicit ALL strictness (18.16 needs it; modern ALL is the same), ON and
-- USING, of aggregated subqueries on user_id / day, and self-joins (retention by join).
-- Non-key columns get distinct names on each side (18.16 resolves clashes differently),
-- and 18.16 allows one JOIN per SELECT, so several joins nest in subqueries.

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
