-- SPEC §9 dau_segment: distinct users per day for platform = ios and country = US.
-- mirrors: tests/differential/queries/dau_segment.sql
-- duckdb: SELECT CAST(event_time AS DATE) AS day, count(DISTINCT user_id) AS dau
-- duckdb: FROM events
-- duckdb: WHERE platform = 'ios' AND country = 'US'
-- duckdb: GROUP BY day
-- duckdb: ORDER BY day
SELECT toDate(event_time) AS day, uniqExact(user_id) AS dau
FROM events
WHERE platform = 'ios' AND country = 'US'
GROUP BY day
ORDER BY day
