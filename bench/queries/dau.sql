-- SPEC §9 dau: distinct users per day.
-- mirrors: tests/differential/queries/dau.sql
-- duckdb: SELECT CAST(event_time AS DATE) AS day, count(DISTINCT user_id) AS dau
-- duckdb: FROM events
-- duckdb: GROUP BY day
-- duckdb: ORDER BY day
SELECT toDate(event_time) AS day, uniqExact(user_id) AS dau
FROM events
GROUP BY day
ORDER BY day
