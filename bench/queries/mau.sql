-- SPEC §9 mau: distinct users in the month (October 2026, mua-gen's default start).
-- mirrors: tests/differential/queries/mau.sql
-- duckdb: SELECT CAST(date_trunc('month', event_time) AS DATE) AS month,
-- duckdb:        count(DISTINCT user_id) AS mau
-- duckdb: FROM events
-- duckdb: WHERE event_time >= TIMESTAMP '2026-10-01 00:00:00'
-- duckdb:   AND event_time < TIMESTAMP '2026-11-01 00:00:00'
-- duckdb: GROUP BY month
-- duckdb: ORDER BY month
SELECT toStartOfMonth(event_time) AS month, uniqExact(user_id) AS mau
FROM events
WHERE event_time >= '2026-10-01 00:00:00' AND event_time < '2026-11-01 00:00:00'
GROUP BY month
ORDER BY month
