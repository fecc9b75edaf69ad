-- Subqueries in FROM and WITH aliases.

-- name: events_per_user_distribution
SELECT events, count() AS users
FROM
(
    SELECT user_id, count() AS events
    FROM events
    GROUP BY user_id
)
GROUP BY events
ORDER BY events

-- name: active_days_stats
SELECT round(avg(days), 4) AS avg_days, max(days) AS max_days, min(days) AS min_days,
       quantileExact(0.5)(days) AS median_days
FROM
(
    SELECT user_id, uniqExact(toDate(event_time)) AS days
    FROM events
    GROUP BY user_id
)

-- name: outer_where
SELECT platform, count() AS purchases
FROM
(
    SELECT platform, user_id
    FROM events
    WHERE event_type = 'purchase'
)
WHERE platform != 'web'
GROUP BY platform
ORDER BY platform

-- name: aliased_subquery
SELECT country, users
FROM
(
    SELECT country, uniqExact(user_id) AS users
    FROM events
    GROUP BY country
) AS per_country
WHERE users > 100
ORDER BY users DESC, country

-- name: limit_inside
SELECT sum(events) AS top10_events, min(events) AS tenth
FROM
(
    SELECT user_id, count() AS events
    FROM events
    GROUP BY user_id
    ORDER BY events DESC, user_id
    LIMIT 10
)

-- name: three_levels
SELECT max_daily, count() AS users
FROM
(
    SELECT user_id, max(daily) AS max_daily
    FROM
    (
        SELECT user_id, toDate(event_time) AS day, count() AS daily
        FROM events
        GROUP BY user_id, day
    )
    GROUP BY user_id
)
WHERE max_daily >= 40
GROUP BY max_daily
ORDER BY max_daily

-- name: with_expression_alias
WITH toDate(event_time) AS day, event_type = 'purchase' AS is_purchase
SELECT day, countIf(is_purchase) AS purchases, count() AS events
FROM events
GROUP BY day
ORDER BY day

-- name: with_constant
WITH 'android' AS p, '2026-10-10' AS d
SELECT count(), uniqExact(user_id)
FROM events
WHERE platform = p AND toDate(event_time) = d

-- name: sessions_per_user
SELECT sessions, count() AS users
FROM
(
    SELECT user_id, uniqExact(session_id) AS sessions
    FROM events
    WHERE session_id != ''
    GROUP BY user_id
)
GROUP BY sessions
ORDER BY sessions
LIMIT 15

-- name: session_event_counts
SELECT events_in_session, count() AS sessions
FROM
(
    SELECT user_id, session_id, count() AS events_in_session
    FROM events
    WHERE session_id != ''
    GROUP BY user_id, session_id
)
GROUP BY events_in_session
ORDER BY events_in_session
