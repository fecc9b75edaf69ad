-- SPEC §9 top_events: event counts for android over 7 days (2026-10-08 .. 2026-10-14, a
-- fixed window as in the differential suite, not now(): the last 7 days of 14-day data,
-- a 7-day slice in the middle of the default 30-day data).
-- mirrors: tests/differential/queries/top_events.sql
-- duckdb: SELECT event_type, count(*) AS events
-- duckdb: FROM events
-- duckdb: WHERE platform = 'android'
-- duckdb:   AND event_time >= TIMESTAMP '2026-10-08 00:00:00'
-- duckdb:   AND event_time < TIMESTAMP '2026-10-15 00:00:00'
-- duckdb: GROUP BY event_type
-- duckdb: ORDER BY events DESC, event_type
SELECT event_type, count() AS events
FROM events
WHERE platform = 'android'
  AND event_time >= '2026-10-08 00:00:00' AND event_time < '2026-10-15 00:00:00'
GROUP BY event_type
ORDER BY events DESC, event_type
