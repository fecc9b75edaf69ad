-- UNION ALL of differently filtered aggregates. An ORDER BY after the last SELECT belongs to
-- that SELECT only (both versions), so ordered results wrap the union in a subquery; a bare
-- union is compared `unordered`. The branches have equal types (18.16 does not convert).

-- name: two_counts_unordered
-- unordered
SELECT 'ios' AS platform, count() AS events FROM events WHERE platform = 'ios'
UNION ALL
SELECT 'android' AS platform, count() AS events FROM events WHERE platform = 'android'

-- name: metrics_rows
SELECT metric, value
FROM
(
    SELECT 'events' AS metric, count() AS value FROM events
    UNION ALL
    SELECT 'users' AS metric, uniqExact(user_id) AS value FROM events
    UNION ALL
    SELECT 'sessions' AS metric, uniqExact(session_id) AS value FROM events
    UNION ALL
    SELECT 'buyers' AS metric, uniqExact(user_id) AS value FROM events WHERE event_type = 'purchase'
)
ORDER BY metric

-- name: union_grouped_branches
SELECT source, key, events
FROM
(
    SELECT 'platform' AS source, platform AS key, count() AS events FROM events GROUP BY platform
    UNION ALL
    SELECT 'device' AS source, device_type AS key, count() AS events FROM events GROUP BY device_type
    UNION ALL
    SELECT 'version' AS source, app_version AS key, count() AS events FROM events GROUP BY app_version
)
ORDER BY source, events DESC, key

-- name: union_then_aggregate
SELECT user_id, sum(points) AS score
FROM
(
    SELECT user_id, 10 * count() AS points FROM events WHERE event_type = 'purchase' GROUP BY user_id
    UNION ALL
    SELECT user_id, 3 * count() AS points FROM events WHERE event_type = 'add_to_cart' GROUP BY user_id
    UNION ALL
    SELECT user_id, count() AS points FROM events WHERE event_type = 'share' GROUP BY user_id
)
GROUP BY user_id
ORDER BY score DESC, user_id
LIMIT 20

-- name: union_rows_dup_kept
SELECT country, count() AS rows
FROM
(
    SELECT country FROM events WHERE event_type = 'purchase'
    UNION ALL
    SELECT country FROM events WHERE event_type = 'purchase' AND platform = 'ios'
)
GROUP BY country
ORDER BY rows DESC, country
LIMIT 10

-- name: union_days_two_filters
SELECT day, kind, users
FROM
(
    SELECT toDate(event_time) AS day, 'new' AS kind, uniqExact(user_id) AS users FROM events WHERE event_type = 'sign_up' GROUP BY day
    UNION ALL
    SELECT toDate(event_time) AS day, 'buyers' AS kind, uniqExact(user_id) AS users FROM events WHERE event_type = 'purchase' GROUP BY day
)
ORDER BY day, kind

-- name: union_same_query_twice
SELECT count() AS rows, sum(c) AS total
FROM
(
    SELECT event_type, count() AS c FROM events GROUP BY event_type
    UNION ALL
    SELECT event_type, count() AS c FROM events GROUP BY event_type
)

-- name: union_constants_only
SELECT x, y
FROM
(
    SELECT 1 AS x, 'a' AS y
    UNION ALL
    SELECT 2 AS x, 'b' AS y
    UNION ALL
    SELECT 3 AS x, 'c' AS y
)
ORDER BY x

-- name: union_with_limits_inside
SELECT kind, user_id, n
FROM
(
    SELECT 'top_clickers' AS kind, user_id, count() AS n FROM events WHERE event_type = 'click' GROUP BY user_id ORDER BY n DESC, user_id LIMIT 3
    UNION ALL
    SELECT 'top_searchers' AS kind, user_id, count() AS n FROM events WHERE event_type = 'search' GROUP BY user_id ORDER BY n DESC, user_id LIMIT 3
)
ORDER BY kind, n DESC, user_id

-- name: union_empty_branch
SELECT platform, n
FROM
(
    SELECT platform, count() AS n FROM events WHERE event_type = 'no_such_event' GROUP BY platform
    UNION ALL
    SELECT platform, count() AS n FROM events WHERE event_type = 'login' GROUP BY platform
)
ORDER BY platform

-- name: union_hour_buckets
SELECT bucket, sum(n) AS events
FROM
(
    SELECT 'night' AS bucket, count() AS n FROM events WHERE toHour(event_time) < 6
    UNION ALL
    SELECT 'morning' AS bucket, count() AS n FROM events WHERE toHour(event_time) >= 6 AND toHour(event_time) < 12
    UNION ALL
    SELECT 'afternoon' AS bucket, count() AS n FROM events WHERE toHour(event_time) >= 12 AND toHour(event_time) < 18
    UNION ALL
    SELECT 'evening' AS bucket, count() AS n FROM events WHERE toHour(event_time) >= 18
)
GROUP BY bucket
ORDER BY events DESC, bucket

-- name: union_in_filter
SELECT event_type, count() AS events
FROM events
WHERE user_id IN
(
    SELECT user_id FROM events WHERE event_type = 'app_crash'
    UNION ALL
    SELECT user_id FROM events WHERE event_type = 'purchase' AND country = 'SE'
)
GROUP BY event_type
ORDER BY events DESC, event_type

-- name: union_float_branches
SELECT k, round(v, 4) AS v
FROM
(
    SELECT 'avg_hour' AS k, avg(toHour(event_time)) AS v FROM events
    UNION ALL
    SELECT 'avg_dow' AS k, avg(toDayOfWeek(event_time)) AS v FROM events
)
ORDER BY k

-- name: union_strings_distinct_after
SELECT DISTINCT v
FROM
(
    SELECT platform AS v FROM events WHERE country = 'SE'
    UNION ALL
    SELECT device_type AS v FROM events WHERE country = 'SE'
)
ORDER BY v

-- name: union_five_branches_count
SELECT count() AS branches, sum(n) AS total
FROM
(
    SELECT count() AS n FROM events WHERE platform = 'ios'
    UNION ALL
    SELECT count() AS n FROM events WHERE platform = 'android'
    UNION ALL
    SELECT count() AS n FROM events WHERE platform = 'web'
    UNION ALL
    SELECT count() AS n FROM events WHERE platform = 'none'
    UNION ALL
    SELECT count() AS n FROM events
)
