-- SPEC §9 crash_rate: per app_version, crashes / sessions (events with an SDK session id).
-- mirrors: tests/differential/queries/crash_rate.sql
-- duckdb: SELECT app_version,
-- duckdb:        count(*) FILTER (WHERE event_type = 'app_crash') AS crashes,
-- duckdb:        count(DISTINCT session_id) AS sessions,
-- duckdb:        round(count(*) FILTER (WHERE event_type = 'app_crash')
-- duckdb:              / count(DISTINCT session_id), 6) AS crash_rate
-- duckdb: FROM events
-- duckdb: WHERE session_id != ''
-- duckdb: GROUP BY app_version
-- duckdb: ORDER BY app_version
SELECT app_version,
       countIf(event_type = 'app_crash') AS crashes,
       uniqExact(session_id) AS sessions,
       round(countIf(event_type = 'app_crash') / uniqExact(session_id), 6) AS crash_rate
FROM events
WHERE session_id != ''
GROUP BY app_version
ORDER BY app_version
