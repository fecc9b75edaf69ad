-- Common table expressions. 18.16 has `WITH expr AS name` (scalars, also a scalar subquery) but
-- no `WITH name AS (SELECT ...)`: ClickHouse runs the same query with the CTE written as a
-- subquery (`-- clickhouse:`).

-- name: cte_as_in_set
-- clickhouse: SELECT event_type, count() AS events FROM events
-- clickhouse: WHERE user_id IN (SELECT user_id FROM events WHERE event_type = 'purchase')
-- clickhouse: GROUP BY event_type ORDER BY events DESC, event_type
WITH buyers AS (SELECT user_id FROM events WHERE event_type = 'purchase')
SELECT event_type, count() AS events
FROM events
WHERE user_id IN buyers
GROUP BY event_type
ORDER BY events DESC, event_type

-- name: cte_as_table
-- clickhouse: SELECT events, count() AS users FROM (SELECT user_id, count() AS events FROM events GROUP BY user_id)
-- clickhouse: WHERE events < 20 GROUP BY events ORDER BY events
WITH per_user AS (SELECT user_id, count() AS events FROM events GROUP BY user_id)
SELECT events, count() AS users
FROM per_user
WHERE events < 20
GROUP BY events
ORDER BY events

-- name: cte_not_in
-- clickhouse: SELECT count() AS users FROM (SELECT DISTINCT user_id FROM events)
-- clickhouse: WHERE user_id NOT IN (SELECT user_id FROM events WHERE event_type = 'purchase')
WITH buyers AS (SELECT user_id FROM events WHERE event_type = 'purchase')
SELECT count() AS users
FROM (SELECT DISTINCT user_id FROM events)
WHERE user_id NOT IN buyers

-- name: cte_two_joined
-- clickhouse: SELECT day, dau, buyers FROM
-- clickhouse: (SELECT toDate(event_time) AS day, uniqExact(user_id) AS dau FROM events GROUP BY day)
-- clickhouse: ALL LEFT JOIN
-- clickhouse: (SELECT toDate(event_time) AS day, uniqExact(user_id) AS buyers FROM events WHERE event_type = 'purchase' GROUP BY day)
-- clickhouse: USING day ORDER BY day
WITH
    daily AS (SELECT toDate(event_time) AS day, uniqExact(user_id) AS dau FROM events GROUP BY day),
    paying AS (SELECT toDate(event_time) AS day, uniqExact(user_id) AS buyers FROM events WHERE event_type = 'purchase' GROUP BY day)
SELECT day, dau, buyers
FROM daily
ALL LEFT JOIN paying USING day
ORDER BY day

-- name: cte_in_union
-- clickhouse: SELECT kind, n FROM (
-- clickhouse: SELECT 'crashers' AS kind, count() AS n FROM (SELECT DISTINCT user_id FROM events WHERE event_type = 'app_crash')
-- clickhouse: UNION ALL
-- clickhouse: SELECT 'crashers_buying' AS kind, count() AS n FROM (SELECT DISTINCT user_id FROM events WHERE event_type = 'app_crash')
-- clickhouse: WHERE user_id IN (SELECT user_id FROM events WHERE event_type = 'purchase')) ORDER BY kind
WITH crashers AS (SELECT DISTINCT user_id FROM events WHERE event_type = 'app_crash')
SELECT kind, n
FROM
(
    SELECT 'crashers' AS kind, count() AS n FROM crashers
    UNION ALL
    SELECT 'crashers_buying' AS kind, count() AS n FROM crashers
    WHERE user_id IN (SELECT user_id FROM events WHERE event_type = 'purchase')
)
ORDER BY kind

-- name: cte_chained
-- clickhouse: SELECT bucket, count() AS users FROM
-- clickhouse: (SELECT user_id, intDiv(events, 50) AS bucket FROM (SELECT user_id, count() AS events FROM events GROUP BY user_id))
-- clickhouse: GROUP BY bucket ORDER BY bucket
WITH
    per_user AS (SELECT user_id, count() AS events FROM events GROUP BY user_id),
    bucketed AS (SELECT user_id, intDiv(events, 50) AS bucket FROM per_user)
SELECT bucket, count() AS users
FROM bucketed
GROUP BY bucket
ORDER BY bucket

-- name: with_scalar_constant
WITH 10 AS threshold
SELECT count() AS heavy_users
FROM (SELECT user_id, count() AS n FROM events WHERE event_type = 'search' GROUP BY user_id)
WHERE n > threshold

-- name: with_scalar_subquery_share
WITH (SELECT count() FROM events) AS total
SELECT platform, round(count() / total, 4) AS share
FROM events
GROUP BY platform
ORDER BY platform

-- name: with_expression_alias
WITH toDate(event_time) AS day
SELECT day, count() AS events
FROM events
WHERE day >= '2026-10-10'
GROUP BY day
ORDER BY day

-- name: cte_in_set_with_tuple
-- clickhouse: SELECT count() AS events FROM events
-- clickhouse: WHERE (user_id, toDate(event_time)) IN (SELECT user_id, toDate(event_time) FROM events WHERE event_type = 'sign_up')
WITH signup_days AS (SELECT user_id, toDate(event_time) FROM events WHERE event_type = 'sign_up')
SELECT count() AS events
FROM events
WHERE (user_id, toDate(event_time)) IN signup_days
