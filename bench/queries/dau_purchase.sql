-- SPEC §9 dau_purchase: distinct users per day who made a purchase.
-- mirrors: tests/differential/queries/dau_purchase.sql
-- duckdb: SELECT CAST(event_time AS DATE) AS day, count(DISTINCT user_id) AS buyers
-- duckdb: FROM events
-- duckdb: WHERE event_type = 'purchase'
-- duckdb: GROUP BY day
-- duckdb: ORDER BY day
SELECT toDate(event_time) AS day, uniqExact(user_id) AS buyers
FROM events
WHERE event_type = 'purchase'
GROUP BY day
ORDER BY day
