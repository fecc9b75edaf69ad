-- Queries as an analyst writes them, on data shapes the other files miss: events in the same
-- second, LEFT JOINs with explicit ALL (type defaults, or NULLs with join_use_nulls = 1),
-- nested subqueries, IN with tuples, HAVING on aggregates the SELECT does not show, ORDER BY
-- expressions, string functions on ids and places, date arithmetic across month ends. The
-- data's ids: user_id 'u<n>', event_id a per-user counter, session_id epoch milliseconds.

-- name: relative_month_num
SELECT toDate(event_time) + 80 AS d, toRelativeMonthNum(d) - toRelativeMonthNum(toDate(event_time)) AS months_ahead
FROM events
GROUP BY toDate(event_time)
ORDER BY d
